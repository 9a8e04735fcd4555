/* SPDX-License-Identifier: MIT */
/* CLEAR SUBCHANNEL (css-pop.md §4.4). */
#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static struct zv_insn_rc
csch(struct h *h, unsigned no)
{
    return css_insn_csch(h->css, h_gr1(no));
}

/* After the clear completes: FC clear alone, SC status pending alone,
 * SCSW word 0 flags, CPA, status and count zero; POM all ones, PNOM and
 * N zero. */
static void
check_clear_completion(struct h *h, unsigned no)
{
    struct irb irb;

    assert_cc(h_tsch(h, no, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    assert_int_equal(irb.scsw.actl, 0);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.cpa, 0);
    assert_int_equal(irb.scsw.dstat, 0);
    assert_int_equal(irb.scsw.cstat, 0);
    assert_int_equal(irb.scsw.count, 0);
    assert_int_equal(irb.scsw.cc, 0);
    assert_false(irb.scsw.pno);
    h_stsch(h, no, &h->last);
    assert_int_equal(h->last.pmcw.pom, 0xFF);
    assert_int_equal(h->last.pmcw.pnom, 0);
    assert_int_equal(h->last.scsw.fctl, 0);
}

static void
csch_cc3_when_not_operational(void **state)
{
    struct h *h = *state;

    assert_cc(csch(h, 0), ZV_CC3);
    assert_cc(csch(h, H_NODEV_SCH), ZV_CC3);
    assert_cc(csch(h, 0x9999), ZV_CC3);
}

static void
csch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_csch(h->css, 0x0000FFFF), ZV_PIC_OPERAND);
}

static void
csch_cc0_when_idle(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_make_state(h, 0, HS_IDLE);
    assert_cc(csch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_CLEAR);
    assert_true(s->actl & SCSW_ACTL_CLEAR_PEND);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_status_pending_discards_it(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(csch(h, 0), ZV_CC0);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_active_signals_clear(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run(h);
    assert_int_equal(h->dev[0].clears, 1);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_start_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_START_PENDING);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run(h);
    assert_int_equal(h->dev[0].starts, 0);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_suspended(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_halt_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_HALT_PENDING);
    assert_cc(csch(h, 0), ZV_CC0);
    assert_int_equal(h_scsw(h, 0)->fctl, SCSW_FCTL_CLEAR);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_clear_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_CLEAR_PENDING);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_cc0_when_intermediate_status_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_INTERMEDIATE);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run(h);
    check_clear_completion(h, 0);
}

static void
csch_withdraws_queued_interruption(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(csch(h, 0), ZV_CC0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    h_run(h);
    /* Only the clear's own interruption is pending now. */
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

#define US 1000ull
#define MS 1000000ull

/* The clear completes when the device has answered the clear signal
 * (css-pop.md §4.4): until then FC clear with clear pending, nothing
 * pending, TSCH cc 1, HSCH cc 2; CSCH is still accepted. */
static void
csch_completes_after_device_answers_clear_signal_1ms(void **state)
{
    struct h *h = *state;
    struct irb irb;
    const struct scsw *s;

    h_make_state(h, 0, HS_ACTIVE);
    h->dev[0].answer_ns = 1 * MS;
    assert_cc(csch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_CLEAR);
    assert_true(s->actl & SCSW_ACTL_CLEAR_PEND);
    assert_int_equal(s->stctl, 0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    assert_cc(css_insn_hsch(h->css, h_gr1(0)), ZV_CC2);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    h_run_for(h, 1 * MS - 2 * US);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
    h_run_for(h, 2 * US);
    assert_int_equal(h->dev[0].clears, 1);
    check_clear_completion(h, 0);
}

/* A device holding a command ends it on the clear signal 1 ms later; the
 * clear completes with the answer time, and the late end does not bring
 * back any status. */
static void
csch_with_held_command_completes_once(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h->dev[0].rule[CCW_CMD_NOOP].hold = true;
    h->dev[0].answer_ns = 1 * MS;
    h_make_state(h, 0, HS_ACTIVE);
    h_run_for(h, 10 * US);
    assert_cc(csch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    h_run(h);
    assert_null(h->dev[0].held);
    check_clear_completion(h, 0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(csch_cc3_when_not_operational),
        T(csch_operand_when_sid_invalid),
        T(csch_cc0_when_idle),
        T(csch_cc0_when_status_pending_discards_it),
        T(csch_cc0_when_active_signals_clear),
        T(csch_cc0_when_start_pending),
        T(csch_cc0_when_suspended),
        T(csch_cc0_when_halt_pending),
        T(csch_cc0_when_clear_pending),
        T(csch_completes_after_device_answers_clear_signal_1ms),
        T(csch_with_held_command_completes_once),
        T(csch_cc0_when_intermediate_status_pending),
        T(csch_withdraws_queued_interruption),
    };

    return cmocka_run_group_tests_name("csch", tests, NULL, NULL);
}
