/* SPDX-License-Identifier: MIT */
/* CANCEL SUBCHANNEL (css-pop.md §4.5). */
#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static struct zv_insn_rc
xsch(struct h *h, unsigned no)
{
    return css_insn_xsch(h->css, h_gr1(no));
}

static void
xsch_cc3_when_not_operational(void **state)
{
    struct h *h = *state;

    assert_cc(xsch(h, 0), ZV_CC3);
    assert_cc(xsch(h, H_NODEV_SCH), ZV_CC3);
    assert_cc(xsch(h, 0xABCD), ZV_CC3);
}

static void
xsch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_xsch(h->css, 0x80010000), ZV_PIC_OPERAND);
}

static void
xsch_cc1_when_status_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(xsch(h, 0), ZV_CC1);
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
}

static void
xsch_cc2_when_idle(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_IDLE);
    assert_cc(xsch(h, 0), ZV_CC2);
}

static void
xsch_cc2_when_active(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(xsch(h, 0), ZV_CC2);
    assert_int_equal(h_scsw(h, 0)->fctl, SCSW_FCTL_START);
}

static void
xsch_cc2_when_halt_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_HALT_PENDING);
    assert_cc(xsch(h, 0), ZV_CC2);
}

static void
xsch_cc2_when_clear_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_CLEAR_PENDING);
    assert_cc(xsch(h, 0), ZV_CC2);
}

static void
xsch_cc0_when_start_pending_withdraws_without_interruption(void **state)
{
    struct h *h = *state;
    const struct scsw *s;
    struct irb irb;

    h_make_state(h, 0, HS_START_PENDING);
    assert_cc(xsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, 0);
    assert_int_equal(s->actl, 0);
    assert_int_equal(s->stctl, 0);
    h_run(h);
    assert_int_equal(h->dev[0].starts, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    /* Idle again: a new start is accepted. */
    h_start_nop(h, 0);
}

static void
xsch_cc0_when_suspended(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_cc(xsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, 0);
    assert_int_equal(s->actl, 0);
    assert_int_equal(s->stctl, 0);
    assert_int_equal(s->dstat, 0);
    assert_int_equal(s->cstat, 0);
    h_run(h);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(xsch_cc3_when_not_operational),
        T(xsch_operand_when_sid_invalid),
        T(xsch_cc1_when_status_pending),
        T(xsch_cc2_when_idle),
        T(xsch_cc2_when_active),
        T(xsch_cc2_when_halt_pending),
        T(xsch_cc2_when_clear_pending),
        T(xsch_cc0_when_start_pending_withdraws_without_interruption),
        T(xsch_cc0_when_suspended),
    };

    return cmocka_run_group_tests_name("xsch", tests, NULL, NULL);
}
