/* SPDX-License-Identifier: MIT */
/* RESUME SUBCHANNEL (css-pop.md §4.2, §5.7). */
#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static struct zv_insn_rc
rsch(struct h *h, unsigned no)
{
    return css_insn_rsch(h->css, h_gr1(no));
}

static void
rsch_cc3_when_not_enabled(void **state)
{
    struct h *h = *state;

    assert_cc(rsch(h, 0), ZV_CC3);
    assert_cc(rsch(h, H_NODEV_SCH), ZV_CC3);
    assert_cc(rsch(h, 0x4321), ZV_CC3);
}

static void
rsch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_rsch(h->css, 0x00000001), ZV_PIC_OPERAND);
    assert_pic(css_insn_rsch(h->css, 0x00F10001), ZV_PIC_OPERAND);
}

static void
rsch_cc1_when_status_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(rsch(h, 0), ZV_CC1);
    assert_int_equal(h_scsw(h, 0)->actl, 0);
}

static void
rsch_cc2_when_idle(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_IDLE);
    assert_cc(rsch(h, 0), ZV_CC2);
    assert_int_equal(h_scsw(h, 0)->actl, 0);
}

static void
rsch_cc2_when_started_without_suspend_control(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(rsch(h, 0), ZV_CC2);
    assert_false(h_scsw(h, 0)->actl & SCSW_ACTL_RESUME_PEND);
}

static void
rsch_cc0_when_suspended_sets_resume_pending(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_int_equal(h_scsw(h, 0)->cpa, H_CCW + 16);
    /* The program takes the S flag off before resuming. */
    h_put_ccw(h, H_CCW + 8, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(rsch(h, 0), ZV_CC0);
    s = h_scsw(h, 0);
    assert_true(s->actl & SCSW_ACTL_RESUME_PEND);
    assert_int_equal(s->fctl, SCSW_FCTL_START);
}

static void
rsch_resumed_program_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_SUSPENDED);
    h_put_ccw(h, H_CCW + 8, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(rsch(h, 0), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                         SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.cpa, H_CCW + 16);
    assert_int_equal(h->dev[0].starts, 2);
}

static void
rsch_cc2_when_resume_already_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_cc(rsch(h, 0), ZV_CC0);
    assert_cc(rsch(h, 0), ZV_CC2);
}

static void
rsch_cc2_when_halt_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_SUSPENDED);
    assert_cc(css_insn_hsch(h->css, h_gr1(0)), ZV_CC0);
    assert_cc(rsch(h, 0), ZV_CC2);
}

static void
rsch_cc2_when_clear_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_CLEAR_PENDING);
    assert_cc(rsch(h, 0), ZV_CC2);
}

/* Architecture, not QEMU/Hercules: RSCH before the suspend point is
 * accepted and the next suspend flag is then not honoured. */
static void
rsch_cc0_before_suspend_point(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_enable(h, 0, 3);
    h_ssch_suspending(h, 0, false);
    h_run_for(h, 1);
    assert_cc(rsch(h, 0), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_false(irb.scsw.actl & SCSW_ACTL_SUSPENDED);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_int_equal(h->dev[0].starts, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(rsch_cc3_when_not_enabled),
        T(rsch_operand_when_sid_invalid),
        T(rsch_cc1_when_status_pending),
        T(rsch_cc2_when_idle),
        T(rsch_cc2_when_started_without_suspend_control),
        T(rsch_cc0_when_suspended_sets_resume_pending),
        T(rsch_resumed_program_completes),
        T(rsch_cc2_when_resume_already_pending),
        T(rsch_cc2_when_halt_pending),
        T(rsch_cc2_when_clear_pending),
        T(rsch_cc0_before_suspend_point),
    };

    return cmocka_run_group_tests_name("rsch", tests, NULL, NULL);
}
