/* SPDX-License-Identifier: MIT */
/*
 * The scenarios of the kernel threads (shared/reference/threads), as
 * event orderings on the loop:
 *  - 000: SSCH, CSCH and interrupts "on two CPUs": the window between the
 *    host's TSCH (interrupt handler) and the mediator's work item;
 *  - 002: unsolicited interrupts, HSCH cc 2 while busy, interrupts while
 *    quiescing, path events while busy, intermediate status;
 *  - 004: de-configuring a device under an open user must not crash.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vfio_ccw/vfio_ccw_priv.h"

static struct vccw_private *
priv(struct vh *h)
{
    return zv_vdev_drvdata(h->vd);
}

/* Run events until the host has handed the mediator an IRB (TSCH done,
 * "CPU 1" inside the interrupt path) but the work item has not run. */
static void
run_until_host_irb(struct vh *h)
{
    while (!priv(h)->hirb_len)
        assert_int_equal(zv_loop_run_once(h->loop, 0), 1);
}

static void
consume_status(struct vh *h, struct irb *irb)
{
    assert_int_equal(vh_read_irb(h, irb), 0);
    assert_string_equal(vh_state(h), "idle");
}

/* threads/000: CPU1 SSCH -> interrupt; CPU1 CSCH; CPU2 SSCH while the
 * clear's interrupt is between TSCH and the work item.  The 2020 code let
 * CPU2's SSCH through and freed its program on the clear's interrupt. */
static void
t000_ssch_during_clear_interrupt_gets_cc2_and_program_survives(void **st)
{
    struct vh h;
    struct irb irb;
    unsigned cmds;

#ifdef ZV_REGRESS_2020
    skip();
#endif
    vh_setup(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 128), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(vh_csch(&h), 0);
    run_until_host_irb(&h);
    cmds = h.dev.commands;
    /* CPU 2 */
    assert_int_equal(vh_ssch(&h, 0x02, 128), -EBUSY);
    assert_int_equal(h.dev.commands, cmds); /* host untouched */
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    /* the retry goes through; its program is freed at its own end */
    assert_int_equal(vh_ssch(&h, 0x02, 128), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h.nfreed, 2);
    assert_int_equal(h.freed[1].serial, 2);
    assert_int_equal(h.freed[1].reason, ZV_VFIO_CCW_FREE_START_ENDED);
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

/* threads/000, the other order: the start's own final interrupt is in the
 * window when the second SSCH comes. */
static void
t000_ssch_during_final_interrupt_gets_cc2(void **st)
{
    struct vh h;
    struct irb irb;

    vh_setup(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 128), 0);
    run_until_host_irb(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 128), -EBUSY);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].serial, 1);
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

/* threads/000 with two CSCHs: the first clear's completion is between
 * the host's TSCH and the mediator's work when the client clears again.
 * That completion is stale: only the second one ends the clear, and a
 * start accepted after it cannot lose its program to it. */
static void
t000_second_csch_makes_pending_completion_stale(void **st)
{
    struct vh h;
    struct irb irb;

    VH_SKIP_IN_REGRESS();
    vh_setup(&h);
    assert_int_equal(vh_csch(&h), 0);
    run_until_host_irb(&h);
    assert_int_equal(vh_csch(&h), 0); /* always accepted */
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.stctl, 0); /* one completion, not two */
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_START_ENDED);
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

/* threads/000: CSCH on a running start; the start program is freed once,
 * when the clear completed, and no second final status is presented. */
static void
t000_csch_supersedes_start_program_freed_once(void **st)
{
    struct vh h;
    struct irb irb;

    vh_setup(&h);
    h.dev.hold = true;
    assert_int_equal(vh_ssch(&h, 0x02, 128), 0);
    vh_run(&h);
    assert_int_equal(vh_csch(&h), 0);
    assert_int_equal(vh_csch(&h), 0); /* always accepted */
    vh_run(&h);
    assert_int_equal(h.nfreed, 1);
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.stctl, 0); /* nothing more queued */
    vh_teardown(&h);
}

static void
inject(struct vh *h, uint8_t fctl, uint8_t actl, uint8_t stctl, uint8_t dstat,
       uint8_t cstat)
{
    struct irb irb;

    memset(&irb, 0, sizeof(irb));
    irb.scsw.fctl = fctl;
    irb.scsw.actl = actl;
    irb.scsw.stctl = stctl;
    irb.scsw.dstat = dstat;
    irb.scsw.cstat = cstat;
    vccw_irq(priv(h), &irb);
    vh_run(h);
}

/* threads/002: unsolicited status is forwarded but never changes the
 * function state (and never frees the program). */
static void
t002_unsolicited_interrupt_while_busy_keeps_start(void **st)
{
    struct vh h;
    struct irb irb;
    unsigned io_irqs;

    vh_setup_busy(&h);
    io_irqs = h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
    inject(&h, 0, 0, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING, DEV_STAT_ATTENTION,
           0);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(h.nfreed, 0);
    assert_int_equal(h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX], io_irqs + 1);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_ATTENTION);
    assert_int_equal(irb.scsw.fctl, 0);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EBUSY);
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h.nfreed, 1);
    vh_teardown(&h);
}

/* threads/002: unsolicited status on an idle device makes it status
 * pending: SSCH gets cc 1 (-EBUSY) until the client took the status. */
static void
t002_unsolicited_interrupt_when_idle_blocks_ssch_until_read(void **st)
{
    struct vh h;
    struct irb irb;

    VH_SKIP_IN_REGRESS();

    vh_setup(&h);
    vh_dev_unsolicited(&h, DEV_STAT_ATTENTION);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "status-pending");
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EBUSY);
    assert_int_equal(vh_hsch(&h), -EBUSY); /* cc 1: alert status pending */
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.dstat & DEV_STAT_ATTENTION, DEV_STAT_ATTENTION);
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    vh_teardown(&h);
}

/* threads/002: HSCH while a halt is in progress gets cc 2; the start's
 * program is freed by the halt's final status. */
static void
t002_hsch_while_halt_pending_gets_cc2(void **st)
{
    struct vh h;
    struct irb irb;

    vh_setup_busy(&h);
    assert_int_equal(vh_hsch(&h), 0);
    assert_int_equal(vh_hsch(&h), -EBUSY);
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EBUSY);
    vh_run(&h);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_START_ENDED);
    consume_status(&h, &irb);
    assert_true(irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_int_equal(h.dev.signals, 1);
    vh_teardown(&h);
}

/* threads/002: an intermediate (PCI) interruption keeps the device busy
 * and is queued in order before the final status. */
static void
t002_intermediate_interrupt_keeps_busy_and_queues_in_order(void **st)
{
    struct vh h;
    struct irb irb;

    vh_setup_busy(&h);
    inject(&h, SCSW_FCTL_START, SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE,
           SCSW_STCTL_INTER | SCSW_STCTL_PENDING, 0, SCHN_STAT_PCI);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EBUSY);
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    assert_int_equal(priv(&h)->irbq_len, 2);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.cstat, SCHN_STAT_PCI);
    vh_run(&h); /* the IO IRQ is signalled again for the rest */
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_string_equal(vh_state(&h), "idle");
    vh_teardown(&h);
}

/* threads/002: close while I/O runs quiesces with a host CSCH; the clear's
 * interruption arrives while closed and finishes the disable; the client
 * never sees it; a reopen works. */
static void
t002_interrupts_while_quiescing_finish_the_disable(void **st)
{
    struct vh h;
    struct schib schib;
    struct irb irb;

    vh_setup_busy(&h);
    zv_vdev_close(h.vd);
    assert_string_equal(vh_state(&h), "closed");
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_QUIESCE);
    assert_false(h.freed[0].host_start_active);
    vh_run(&h);
    assert_int_equal(css_sch_stsch(h.sch, &schib).cc, ZV_CC0);
    assert_false(schib.pmcw.ena);
    h.dev.hold = false;
    assert_int_equal(zv_vdev_open(h.vd), 0);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.stctl, 0); /* nothing from the old I/O */
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    vh_teardown(&h);
}

/* threads/002: reset while busy: the quiesce clear's completion comes
 * after the reopen and is swallowed, not presented. */
static void
t002_reset_while_busy_swallows_quiesce_status(void **st)
{
    struct vh h;
    struct irb irb;

    vh_setup_busy(&h);
    assert_int_equal(zv_vdev_reset(h.vd), 0);
    assert_string_equal(vh_state(&h), "idle");
    vh_run(&h);
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(priv(&h)->irbq_len, 0);
    h.dev.hold = false;
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h.nfreed, 2);
    vh_teardown(&h);
}

/* threads/002: path events while busy: the running program is left to
 * the host, a CRW is queued, and the next start avoids the path. */
static void
t002_path_vary_off_while_busy(void **st)
{
    struct vh h;
    struct schib schib;
    struct irb irb;
    struct crw crw;

    vh_setup_busy(&h);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, false), 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "start");
    assert_true(h.irqs[ZV_VFIO_CCW_CRW_IRQ_INDEX] >= 1);
    crw_from_word(&crw, vh_read_crw(&h));
    assert_int_equal(crw.rsc, CRW_RSC_CPATH);
    assert_int_equal(crw.erc, CRW_ERC_PERRN);
    assert_int_equal(crw.rsid, VH_CHPID0);
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    consume_status(&h, &irb);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pam & 0x80, 0);
    h.dev.hold = false;
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    assert_int_equal(css_sch_stsch(h.sch, &schib).cc, ZV_CC0);
    assert_int_equal(schib.pmcw.lpm, 0x40);
    vh_run(&h);
    consume_status(&h, &irb);
    vh_teardown(&h);
}

/* threads/004: shutting the guest down and de-configuring the device
 * (unbinding the subchannel) under an open user with I/O running, then
 * the user's ioctls and region accesses: -ENODEV, never a crash. */
static void
t004_unbind_under_open_user_then_ioctls(void **st)
{
    struct vh h;
    struct zv_vdev_info info;
    uint8_t buf[ZV_CCW_IO_REGION_SIZE] = {0};
    int32_t fd = -1;

    vh_setup_busy(&h);
    zv_vfio_ccw_unbind(h.drv, h.sch);
    vh_run(&h);
    assert_true(h.irqs[ZV_VFIO_CCW_REQ_IRQ_INDEX] >= 1);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 0, buf, sizeof(buf)),
                     -ENODEV);
    assert_int_equal(zv_vdev_region_write(h.vd, 0, 0, buf, sizeof(buf)),
                     -ENODEV);
    assert_int_equal(zv_vdev_reset(h.vd), -ENODEV);
    assert_int_equal(zv_vdev_set_irqs(h.vd,
                                      ZV_VFIO_IRQ_SET_DATA_EVENTFD |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 1, &fd),
                     -ENODEV);
    zv_vdev_get_info(h.vd, &info);
    assert_int_equal(info.num_irqs, ZV_VFIO_CCW_NUM_IRQS);
    /* the host finishes whatever it had; nothing reaches the device */
    if (h.dev.held)
        vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    assert_null(zv_mdev_find(h.bus, VH_UUID));
    assert_int_equal(zv_vdev_dma_unmap(h.vd, VH_GUEST_IOVA, VH_GUEST_SIZE), 0);
    zv_vdev_close(h.vd);
    zv_vdev_put(h.vd);
    h.vd = NULL;
    /* rebinding works: a fresh parent, a fresh instance */
    assert_int_equal(zv_vfio_ccw_bind(h.drv, h.sch), 0);
    vh_create_open(&h);
    h.dev.hold = false;
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "status-pending");
    vh_teardown(&h);
}

/* threads/004, the order of the crash: the mdev is removed while the user
 * holds it, and an interrupt is still on its way. */
static void
t004_mdev_remove_with_interrupt_in_flight(void **st)
{
    struct vh h;
    uint8_t buf[8];

    vh_setup(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    run_until_host_irb(&h);
    assert_int_equal(zv_mdev_remove(h.bus, VH_UUID), 0);
    vh_run(&h);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 0, buf, sizeof(buf)),
                     -ENODEV);
    assert_int_equal(zv_vdev_open(h.vd), -ENODEV);
    assert_int_equal(zv_mdev_available(zv_vfio_ccw_parent(h.drv, h.sch),
                                       ZV_VFIO_CCW_TYPE_ID),
                     1);
    vh_teardown(&h);
}

/* threads/004 follow-up (found by test_random_lifecycle): a new instance
 * is opened while the removed one's quiesce (host CSCH) still runs: open
 * answers -EBUSY until it ended, and the old clear's completion reaches
 * nobody. */
static void
t004_new_instance_while_old_quiesce_runs(void **st)
{
    struct zv_vdev *vd;
    struct vh h;
    struct irb irb;

    vh_setup_busy(&h);
    assert_int_equal(zv_mdev_remove(h.bus, VH_UUID), 0);
    zv_vdev_close(h.vd);
    zv_vdev_dma_unmap(h.vd, VH_GUEST_IOVA, VH_GUEST_SIZE);
    zv_vdev_put(h.vd);
    assert_int_equal(zv_mdev_create(zv_vfio_ccw_parent(h.drv, h.sch),
                                    ZV_VFIO_CCW_TYPE_ID, VH_UUID, &vd),
                     0);
    h.vd = zv_mdev_find(h.bus, VH_UUID);
    assert_int_equal(zv_vdev_open(h.vd), -EBUSY); /* clear still pending */
    assert_string_equal(vh_state(&h), "closed");
    vh_run(&h);
    assert_int_equal(zv_vdev_open(h.vd), 0);
    assert_int_equal(
        zv_vdev_dma_map(h.vd, VH_GUEST_IOVA, VH_GUEST_SIZE, h.guest, ZV_MEM_RW),
        0);
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        zv_vdev_set_irq_callback(h.vd, i, NULL, NULL);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.stctl, 0); /* nothing of the old instance */
    h.dev.hold = false;
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            t000_ssch_during_clear_interrupt_gets_cc2_and_program_survives),
        cmocka_unit_test(t000_ssch_during_final_interrupt_gets_cc2),
        cmocka_unit_test(t000_csch_supersedes_start_program_freed_once),
        cmocka_unit_test(t000_second_csch_makes_pending_completion_stale),
        cmocka_unit_test(t002_unsolicited_interrupt_while_busy_keeps_start),
        cmocka_unit_test(
            t002_unsolicited_interrupt_when_idle_blocks_ssch_until_read),
        cmocka_unit_test(t002_hsch_while_halt_pending_gets_cc2),
        cmocka_unit_test(
            t002_intermediate_interrupt_keeps_busy_and_queues_in_order),
        cmocka_unit_test(t002_interrupts_while_quiescing_finish_the_disable),
        cmocka_unit_test(t002_reset_while_busy_swallows_quiesce_status),
        cmocka_unit_test(t002_path_vary_off_while_busy),
        cmocka_unit_test(t004_unbind_under_open_user_then_ioctls),
        cmocka_unit_test(t004_mdev_remove_with_interrupt_in_flight),
        cmocka_unit_test(t004_new_instance_while_old_quiesce_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
