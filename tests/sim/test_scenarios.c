/* SPDX-License-Identifier: MIT */
/*
 * The scenarios of threads/000 (SSCH, CSCH and interrupts across two CPUs)
 * and the review points of threads/002 (unsolicited interrupts, HSCH cc 2
 * while busy, interrupts while quiescing, path events while busy), plus
 * the orderings the explorer found, as explicit event orderings on the
 * virtual loop.  "CPU 1" and "CPU 2" are guest operations issued between
 * two loop events; "the interrupt" is the host's I/O interruption, which
 * the driver takes in one loop event and handles in a later one (the
 * kernel's fsm_irq / io_todo split).  The model's invariants run after
 * every step, as in the explorer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

#define SEED 1

static const uint8_t ce_de = DEV_STAT_CHN_END | DEV_STAT_DEV_END;

static int
setup(void **state)
{
    struct sim *s = calloc(1, sizeof(*s));

    if (!s || sim_init(s, SEED, getenv("SIM_TRACE") ? stdout : NULL)) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void
assert_no_violation(struct sim *s)
{
    if (s->failed)
        fail_msg("invariant violated at step %u: %s", s->fail_step, s->why);
}

/* Runs even when a case failed, so nothing leaks; the teardown itself
 * checks that nothing leaked (programs, host blocks, mappings). */
static int
teardown(void **state)
{
    struct sim *s = *state;
    bool failed_before = s->failed;

    sim_fini(s);
    if (s->failed && !failed_before)
        print_error("teardown: %s\n", s->why);
    failed_before = s->failed && !failed_before;
    free(s);
    return failed_before ? -1 : 0;
}

/* Run loop events until the host has taken the interruption (TSCH in its
 * interrupt handler): the driver has the IRB but has not handled it. */
static void
run_until_host_took_status(struct sim *s)
{
    for (unsigned i = 0; i < 10000 && !sim_host_idle(s); i++)
        assert_true(sim_run_once(s));
    assert_true(sim_host_idle(s));
}

/* Run until the host subchannel has status pending, then the one event
 * that presents it to the driver. */
static void
run_until_host_presents(struct sim *s)
{
    struct schib schib;

    for (unsigned i = 0; i < 10000; i++) {
        assert_int_equal(css_sch_stsch(s->sch, &schib).cc, ZV_CC0);
        if (schib.scsw.stctl & SCSW_STCTL_PENDING)
            break;
        assert_true(sim_run_once(s));
    }
    assert_true(schib.scsw.stctl & SCSW_STCTL_PENDING);
    assert_true(sim_run_once(s));
}

static void
state_is(struct sim *s, const char *want)
{
    assert_string_equal(zv_vfio_ccw_state_name(s->vd), want);
}

/* The driver has the interrupt: it may have handled it already (status
 * pending) or not yet (the function still shows). */
static void
state_is_or_status_pending(struct sim *s, const char *want)
{
    const char *st = zv_vfio_ccw_state_name(s->vd);

    if (strcmp(st, "status-pending"))
        assert_string_equal(st, want);
}

static struct irb
read_status(struct sim *s)
{
    struct irb irb;

    assert_int_equal(sim_read_irb(s, &irb), 1);
    return irb;
}

static void
read_nothing(struct sim *s)
{
    assert_int_equal(sim_read_irb(s, NULL), 0);
}

static void
start_and_complete(struct sim *s)
{
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), 0);
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(irb.scsw.dstat, ce_de);
    state_is(s, "idle");
}

/* ---- threads/000 ---- */

/*
 * CPU 1: SSCH, interrupt, CSCH.  The clear's interrupt is taken by the
 * host but not yet handled when CPU 2 issues SSCH: the composite still
 * has the clear function, so CPU 2 gets cc 2 (Pasic) and no program is
 * built; the clear's final status cannot free anyone's program.
 */
static void
ssch_on_cpu2_while_clear_interrupt_is_in_flight_gets_cc2(void **state)
{
    struct sim *s = *state;
    struct zv_vfio_ccw_counters c;
    struct irb irb;

    start_and_complete(s);
    assert_int_equal(sim_csch(s), 0);
    run_until_host_took_status(s);
    state_is_or_status_pending(s, "clear");
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    start_and_complete(s);
    assert_int_equal(zv_vfio_ccw_counters(s->vd, &c), 0);
    assert_int_equal(c.cp_translated, 2);
    assert_int_equal(c.cp_freed, 2);
    assert_no_violation(s);
}

/* The start's final interrupt is taken by the host; before the driver
 * handles it, CPU 2's SSCH still sees the start function: cc 2. */
static void
ssch_before_the_final_interrupt_is_handled_gets_cc2(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), 0);
    run_until_host_took_status(s);
    state_is_or_status_pending(s, "start");
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    sim_drain(s);
    state_is(s, "status-pending");
    /* Status pending: cc 1 until the guest takes it. */
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    assert_int_equal(read_status(s).scsw.fctl, SCSW_FCTL_START);
    start_and_complete(s);
    assert_no_violation(s);
}

/* Farman's diagram with HSCH: the halt's interrupt in flight, CPU 2's
 * SSCH refused, every program freed exactly once. */
static void
halt_interrupt_in_flight_frees_only_the_halted_program(void **state)
{
    struct sim *s = *state;
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    sim_drain(s); /* releases the held command: start completes */
    assert_int_equal(read_status(s).scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(sim_hsch(s), 0);
    run_until_host_took_status(s);
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_HALT);
    assert_int_equal(irb.scsw.cpa, 0); /* no host address (no program) */
    start_and_complete(s);
    assert_int_equal(s->freed[1], 1);
    assert_int_equal(s->freed[2], 1);
    assert_no_violation(s);
}

/* ---- threads/002 ---- */

/*
 * Unsolicited status taken by the host just before an SSCH that the host
 * accepts: handled while the start runs, it is forwarded and leaves the
 * start function alone (ML-2020 patch 1); the start's status follows.
 */
static void
unsolicited_interrupt_during_start_keeps_the_start(void **state)
{
    struct sim *s = *state;
    struct irb irb;
    int rc;

    sim_unsolicited(s, DEV_STAT_ATTENTION);
    run_until_host_took_status(s);
    /* The driver holds the attention: the composite may already count it
     * as pending (cc 1), or accept the start and forward it during it. */
    rc = sim_ssch_simple(s, SIM_CMD_HOLD, false);
    if (rc == -EBUSY) {
        sim_drain(s);
        assert_int_equal(read_status(s).scsw.dstat, DEV_STAT_ATTENTION);
        start_and_complete(s);
        assert_no_violation(s);
        return;
    }
    assert_int_equal(rc, 0);
    assert_true(sim_run_once(s)); /* io work: the attention */
    state_is(s, "start");
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, 0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_ATTENTION);
    state_is(s, "start");
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_no_violation(s);
}

/* Unsolicited status on an idle device: status pending, SSCH cc 1. */
static void
unsolicited_interrupt_when_idle_makes_ssch_cc1(void **state)
{
    struct sim *s = *state;

    sim_unsolicited(s, DEV_STAT_ATTENTION);
    sim_drain(s);
    state_is(s, "status-pending");
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    assert_int_equal(sim_hsch(s), -EBUSY); /* alert status: HSCH cc 1 */
    assert_int_equal(read_status(s).scsw.stctl,
                     SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    start_and_complete(s);
    assert_no_violation(s);
}

/* HSCH while a halt is pending: cc 2, and the device stays busy. */
static void
hsch_while_halt_pending_gets_cc2(void **state)
{
    struct sim *s = *state;
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    assert_int_equal(sim_hsch(s), 0);
    assert_int_equal(sim_hsch(s), -EBUSY);
    state_is(s, "halt");
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    state_is(s, "idle");
    start_and_complete(s);
    assert_no_violation(s);
}

/* Cornelia: "if we do a hsch and get a cc 2, we don't want to drop to
 * IDLE, but stay in BUSY".  HSCH during a clear: cc 2, still clearing. */
static void
hsch_cc2_while_clearing_keeps_the_device_busy(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    assert_int_equal(sim_csch(s), 0);
    assert_int_equal(sim_hsch(s), -EBUSY);
    state_is(s, "clear");
    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), -EBUSY);
    sim_drain(s);
    assert_int_equal(read_status(s).scsw.fctl, SCSW_FCTL_CLEAR);
    state_is(s, "idle");
    start_and_complete(s);
    assert_no_violation(s);
}

/* Close while busy quiesces; the clear's interrupt arrives while closed
 * and goes nowhere; after open the device is idle and works. */
static void
interrupt_while_quiescing_is_not_delivered(void **state)
{
    struct sim *s = *state;
    unsigned io_irqs;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    sim_close(s);
    io_irqs = s->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
    sim_drain(s);
    assert_int_equal(s->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX], io_irqs);
    assert_int_equal(sim_open(s), 0);
    read_nothing(s);
    start_and_complete(s);
    assert_no_violation(s);
}

/* Found by the explorer (seed 18): reset while the start's final
 * interrupt is in flight.  The reset ends the function; its status is
 * dropped (stated reason: reset), never delivered afterwards. */
static void
reset_while_final_interrupt_in_flight_drops_the_status(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), 0);
    run_until_host_took_status(s);
    assert_int_equal(sim_reset(s), 0);
    sim_drain(s);
    read_nothing(s);
    state_is(s, "idle");
    start_and_complete(s);
    assert_no_violation(s);
}

/* Found by the explorer (seed 8): the guest's clear completes at the
 * host, then a reset quiesces with another CSCH; the new start must not
 * be ended (nor its program freed) by the old clear's status. */
static void
reset_after_clear_does_not_free_the_next_program(void **state)
{
    struct sim *s = *state;
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    assert_int_equal(sim_csch(s), 0);
    run_until_host_took_status(s);
    assert_int_equal(sim_reset(s), 0);
    sim_drain(s);
    read_nothing(s);
    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    for (unsigned i = 0; i < 100 && !s->failed && sim_run_once(s); i++)
        state_is(s, "start");
    assert_true(testdev_holding(s->td));
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_no_violation(s);
}

/* Found by the explorer (seed 17): a PCI interrupt taken by the host
 * before CSCH is pending status the clear discards. */
static void
intermediate_status_crossing_csch_is_discarded(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, true), 0);
    run_until_host_presents(s);
    assert_int_equal(sim_csch(s), 0);
    sim_drain(s);
    assert_int_equal(read_status(s).scsw.fctl, SCSW_FCTL_CLEAR);
    read_nothing(s);
    assert_no_violation(s);
}

/* PCI: intermediate status first, the function goes on, then the end. */
static void
intermediate_then_final_status_in_order(void **state)
{
    struct sim *s = *state;
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, true), 0);
    while (sim_run_once(s))
        ;
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_true(irb.scsw.cstat & SCHN_STAT_PCI);
    assert_true(irb.scsw.stctl & SCSW_STCTL_INTER);
    state_is(s, "start");
    assert_int_equal(sim_release(s, ce_de, 0), 0);
    sim_drain(s);
    irb = read_status(s);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
    state_is(s, "idle");
    assert_no_violation(s);
}

/* Path events while busy: every path fails under a running program; the
 * host ends it, the guest gets its final status and path CRWs, and after
 * the paths come back the device works again. */
static void
path_loss_while_busy_ends_the_start(void **state)
{
    struct sim *s = *state;
    struct irb irb;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    while (sim_run_once(s))
        ;
    sim_path_failed(s, SIM_CHPID0, true);
    sim_path_failed(s, SIM_CHPID1, true);
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_true(irb.scsw.stctl & SCSW_STCTL_ALERT);
    assert_int_equal(sim_read_crw(s), 0);
    assert_true(s->m.crw_read >= 1);
    sim_restore_paths(s);
    sim_drain(s);
    start_and_complete(s);
    assert_no_violation(s);
}

/* Vary off is OS state only: the running program finishes; new starts
 * find no path (-EACCES, cc 3) until a path is varied on again. */
static void
vary_off_while_busy_lets_the_program_finish(void **state)
{
    struct sim *s = *state;
    struct irb irb;
    int rc;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    sim_path_vary(s, SIM_CHPID0, false);
    sim_path_vary(s, SIM_CHPID1, false);
    sim_drain(s);
    assert_int_equal(read_status(s).scsw.dstat, ce_de);
    /* No path: cc 3 now, or cc 0 and a deferred cc 3 (css-pop.md §4.12). */
    rc = sim_ssch_simple(s, CCW_CMD_NOOP, false);
    if (rc == 0) {
        sim_drain(s);
        irb = read_status(s);
        assert_int_equal(irb.scsw.cc, 3);
        assert_true(irb.scsw.stctl & SCSW_STCTL_ALERT);
    } else {
        assert_int_equal(rc, -EACCES);
    }
    sim_path_vary(s, SIM_CHPID1, true);
    sim_drain(s);
    start_and_complete(s);
    assert_no_violation(s);
}

/* The device vanishes under a running program: the program dies once,
 * the client is asked to let go (REQ), every access answers -ENODEV. */
static void
device_loss_while_busy_frees_the_program_once(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    sim_lose_device(s);
    sim_drain(s);
    assert_int_equal(s->freed[1], 1);
    assert_true(s->irqs[ZV_VFIO_CCW_REQ_IRQ_INDEX] >= 1);
    assert_int_not_equal(sim_ssch_simple(s, CCW_CMD_NOOP, false), 0);
    assert_int_equal(sim_csch(s), -ENODEV);
    assert_no_violation(s);
}

/* DMA unmap of the pages a running program pinned quiesces first. */
static void
dma_unmap_under_a_running_program_quiesces(void **state)
{
    struct sim *s = *state;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_READ, false), 0);
    assert_int_equal(sim_dma_unmap(s, SIM_DATA_FIRST_PAGE / SIM_CHUNK_PAGES),
                     0);
    assert_int_equal(s->quiesce_frees, 1);
    sim_drain(s);
    read_nothing(s);
    assert_int_equal(sim_ssch_simple(s, SIM_CMD_READ, false), -EFAULT);
    assert_int_equal(sim_dma_map(s, SIM_DATA_FIRST_PAGE / SIM_CHUNK_PAGES), 0);
    start_and_complete(s);
    assert_no_violation(s);
}

/* Found by the explorer (seeds 26, 70): the mdev is removed while a
 * program runs and created again; the old instance's quiesce (a clear)
 * ends after the new instance opened.  Its completion belongs to nobody:
 * the new guest must not see it, and it must not end the new start. */
static void
replug_while_busy_gives_the_new_instance_no_old_status(void **state)
{
    struct sim *s = *state;
    struct irb irb;
    int rc;

    assert_int_equal(sim_ssch_simple(s, SIM_CMD_HOLD, false), 0);
    sim_replug(s);
    if (!s->m.open) { /* -EBUSY while the old clear runs: retry */
        while (!sim_host_idle(s) && sim_run_once(s))
            ;
        assert_int_equal(sim_open(s), 0);
    }
    /* The old clear's completion taken by the host, not yet handled:
     * the new guest starts now (or is told to retry, cc 1/2). */
    run_until_host_took_status(s);
    rc = sim_ssch_simple(s, SIM_CMD_HOLD, false);
    if (rc == -EBUSY) {
        sim_drain(s);
        read_nothing(s);
        rc = sim_ssch_simple(s, SIM_CMD_HOLD, false);
    }
    assert_int_equal(rc, 0);
    for (unsigned i = 0; i < 100 && !s->failed && sim_run_once(s); i++)
        state_is(s, "start");
    assert_true(testdev_holding(s->td));
    sim_drain(s);
    irb = read_status(s);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    read_nothing(s);
    assert_no_violation(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            ssch_on_cpu2_while_clear_interrupt_is_in_flight_gets_cc2, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            ssch_before_the_final_interrupt_is_handled_gets_cc2, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            halt_interrupt_in_flight_frees_only_the_halted_program, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            unsolicited_interrupt_during_start_keeps_the_start, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            unsolicited_interrupt_when_idle_makes_ssch_cc1, setup, teardown),
        cmocka_unit_test_setup_teardown(hsch_while_halt_pending_gets_cc2, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            hsch_cc2_while_clearing_keeps_the_device_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(
            interrupt_while_quiescing_is_not_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(
            reset_while_final_interrupt_in_flight_drops_the_status, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            reset_after_clear_does_not_free_the_next_program, setup, teardown),
        cmocka_unit_test_setup_teardown(
            intermediate_status_crossing_csch_is_discarded, setup, teardown),
        cmocka_unit_test_setup_teardown(intermediate_then_final_status_in_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(path_loss_while_busy_ends_the_start,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            vary_off_while_busy_lets_the_program_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(
            device_loss_while_busy_frees_the_program_once, setup, teardown),
        cmocka_unit_test_setup_teardown(
            dma_unmap_under_a_running_program_quiesces, setup, teardown),
        cmocka_unit_test_setup_teardown(
            replug_while_busy_gives_the_new_instance_no_old_status, setup,
            teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
