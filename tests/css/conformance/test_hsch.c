/* SPDX-License-Identifier: MIT */
/* HALT SUBCHANNEL (css-pop.md §4.3). */
#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static struct zv_insn_rc
hsch(struct h *h, unsigned no)
{
    return css_insn_hsch(h->css, h_gr1(no));
}

static void
hsch_cc3_when_not_operational(void **state)
{
    struct h *h = *state;

    assert_cc(hsch(h, 0), ZV_CC3); /* not enabled */
    assert_cc(hsch(h, H_NODEV_SCH), ZV_CC3);
    assert_cc(hsch(h, 0x777), ZV_CC3);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
hsch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_hsch(h->css, 0x00000000), ZV_PIC_OPERAND);
}

static void
hsch_cc1_when_status_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(hsch(h, 0), ZV_CC1);
    assert_int_equal(h_scsw(h, 0)->fctl, SCSW_FCTL_START);
}

static void
hsch_cc1_when_alert_status_pending(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    css_dev_unsolicited(&h->dev[0].dev, DEV_STAT_ATTENTION);
    h_run(h);
    assert_cc(hsch(h, 0), ZV_CC1);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
hsch_cc1_when_status_pending_alone_after_halt(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run(h);
    assert_int_equal(h_scsw(h, 0)->stctl, SCSW_STCTL_PENDING);
    assert_cc(hsch(h, 0), ZV_CC1);
}

static void
hsch_cc2_when_halt_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_HALT_PENDING);
    assert_cc(hsch(h, 0), ZV_CC2);
}

static void
hsch_cc2_when_clear_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_CLEAR_PENDING);
    assert_cc(hsch(h, 0), ZV_CC2);
    assert_int_equal(h_scsw(h, 0)->fctl, SCSW_FCTL_CLEAR);
}

static void
hsch_cc0_when_idle_ends_with_status_pending_alone(void **state)
{
    struct h *h = *state;
    const struct scsw *s;
    struct irb irb;

    h_enable(h, 0, 3);
    assert_cc(hsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_HALT);
    assert_int_equal(s->actl, SCSW_ACTL_HALT_PEND);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_HALT);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.actl, 0);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
hsch_cc0_when_active_keeps_start_and_signals_device(void **state)
{
    struct h *h = *state;
    const struct scsw *s;
    struct irb irb;

    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(hsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_true(s->actl & SCSW_ACTL_HALT_PEND);
    h_run(h);
    assert_int_equal(h->dev[0].halts, 1);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.actl & SCSW_ACTL_HALT_PEND, 0);
}

static void
hsch_cc0_when_start_pending_never_starts_device(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_START_PENDING);
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run(h);
    assert_int_equal(h->dev[0].starts, 0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
}

static void
hsch_cc0_when_suspended_ends_program(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(h->dev[0].starts, 1);
    assert_int_equal(h_scsw(h, 0)->actl, 0);
}

static void
hsch_cc0_discards_intermediate_status(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_make_state(h, 0, HS_INTERMEDIATE);
    assert_cc(hsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->stctl, 0);
    assert_int_equal(s->cstat & SCHN_STAT_PCI, 0);
    assert_true(s->actl & SCSW_ACTL_HALT_PEND);
    /* The withdrawn interruption is no longer pending for TPI. */
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

#define US 1000ull
#define MS 1000000ull

/* The halt completes no earlier than the device's answer (css-pop.md
 * §4.3): until then the halt function is in progress, so a second HSCH
 * gets cc 2 (not cc 1 from a completion the engine made up, nor cc 0),
 * TSCH cc 1, and nothing is pending for TPI. */
static void
assert_halt_in_progress(struct h *h, unsigned no)
{
    struct irb irb;

    assert_cc(hsch(h, no), ZV_CC2);
    assert_cc(h_tsch(h, no, &irb), ZV_CC1);
    assert_true(irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_int_equal(irb.scsw.stctl, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
assert_halt_completed(struct h *h, unsigned no, uint8_t fctl)
{
    struct irb irb;

    assert_cc(h_tsch(h, no, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, fctl);
    assert_int_equal(irb.scsw.actl, 0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_DEV_END);
}

static void
hsch_cc2_while_device_answers_halt_signal_1ms(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_ACTIVE);
    h->dev[0].answer_ns = 1 * MS;
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_int_equal(h->dev[0].halts, 1);
    assert_halt_in_progress(h, 0);
    h_run_for(h, 1 * MS - 2 * US);
    assert_halt_in_progress(h, 0);
    h_run_for(h, 2 * US);
    assert_halt_completed(h, 0, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_int_equal(h->dev[0].halts, 1);
}

static void
hsch_cc2_until_held_command_ends_1ms_later(void **state)
{
    struct h *h = *state;

    /* The device holds the command and ends it from a loop event 1 ms
     * after the halt signal: that is its answer. */
    h->dev[0].rule[CCW_CMD_NOOP].hold = true;
    h->dev[0].answer_ns = 1 * MS;
    h_make_state(h, 0, HS_ACTIVE);
    h_run_for(h, 10 * US);
    assert_non_null(h->dev[0].held);
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_halt_in_progress(h, 0);
    h_run_for(h, 1 * MS - 2 * US);
    assert_non_null(h->dev[0].held);
    assert_halt_in_progress(h, 0);
    h_run_for(h, 2 * US);
    assert_null(h->dev[0].held);
    assert_halt_completed(h, 0, SCSW_FCTL_START | SCSW_FCTL_HALT);
}

static void
hsch_cc2_when_idle_device_answers_halt_signal_1ms(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    h->dev[0].answer_ns = 1 * MS;
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_halt_in_progress(h, 0);
    h_run_for(h, 1 * MS);
    assert_halt_completed(h, 0, SCSW_FCTL_HALT);
}

/* A halted command's ending status already on its way (device latency)
 * is the device's answer: the halt completes no earlier, without it. */
static void
hsch_completes_no_earlier_than_status_in_flight(void **state)
{
    struct h *h = *state;

    h->dev[0].rule[CCW_CMD_NOOP].latency = 1 * MS;
    h->dev[0].rule[CCW_CMD_NOOP].dstat =
        DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK;
    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_halt_in_progress(h, 0);
    h_run(h);
    assert_halt_completed(h, 0, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_true(zv_loop_now(h->loop) >= 1 * MS);
}

/* CSCH while the device still works on the halt signal: the clear
 * overrides the halt and completes on its own answer. */
static void
hsch_then_csch_before_answer_completes_clear(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_ACTIVE);
    h->dev[0].answer_ns = 1 * MS;
    assert_cc(hsch(h, 0), ZV_CC0);
    h_run_for(h, 1 * US);
    h->dev[0].answer_ns = 0;
    assert_cc(css_insn_csch(h->css, h_gr1(0)), ZV_CC0);
    assert_int_equal(h->dev[0].clears, 1);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_PENDING);
    /* The halt's answer does not come in afterwards. */
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    assert_int_equal(irb.scsw.fctl, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(hsch_cc3_when_not_operational),
        T(hsch_operand_when_sid_invalid),
        T(hsch_cc1_when_status_pending),
        T(hsch_cc1_when_alert_status_pending),
        T(hsch_cc1_when_status_pending_alone_after_halt),
        T(hsch_cc2_when_halt_pending),
        T(hsch_cc2_when_clear_pending),
        T(hsch_cc0_when_idle_ends_with_status_pending_alone),
        T(hsch_cc0_when_active_keeps_start_and_signals_device),
        T(hsch_cc0_when_start_pending_never_starts_device),
        T(hsch_cc0_when_suspended_ends_program),
        T(hsch_cc0_discards_intermediate_status),
        T(hsch_cc2_while_device_answers_halt_signal_1ms),
        T(hsch_cc2_until_held_command_ends_1ms_later),
        T(hsch_cc2_when_idle_device_answers_halt_signal_1ms),
        T(hsch_completes_no_earlier_than_status_in_flight),
        T(hsch_then_csch_before_answer_completes_clear),
    };

    return cmocka_run_group_tests_name("hsch", tests, NULL, NULL);
}
