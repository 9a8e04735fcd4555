/* SPDX-License-Identifier: MIT */
/* TEST SUBCHANNEL (css-pop.md §4.6, Figure 14-2 clearing). */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
tsch_cc3_when_not_provided_stores_nothing(void **state)
{
    struct h *h = *state;
    struct irb irb;

    memset(h->mem + H_IRB, 0xA5, IRB_SIZE);
    assert_cc(h_tsch(h, 0x5555, &irb), ZV_CC3);
    for (unsigned i = 0; i < IRB_SIZE; i++)
        assert_int_equal(h->mem[H_IRB + i], 0xA5);
}

static void
tsch_cc3_when_not_enabled(void **state)
{
    struct h *h = *state;
    struct irb irb;

    assert_cc(h_tsch(h, 0, &irb), ZV_CC3);
    assert_cc(h_tsch(h, H_NODEV_SCH, &irb), ZV_CC3);
}

static void
tsch_cc1_stores_irb_when_not_pending(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_ACTIVE);
    memset(h->mem + H_IRB, 0xA5, IRB_BASE_SIZE);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    /* The stored SCSW is the current one; nothing is cleared. */
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_true(irb.scsw.actl & SCSW_ACTL_SCH_ACTIVE);
    assert_int_equal(irb.scsw.stctl, 0);
    assert_int_equal(h_scsw(h, 0)->fctl, SCSW_FCTL_START);
}

static void
tsch_cc1_when_idle(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_IDLE);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
    assert_int_equal(irb.scsw.fctl | irb.scsw.actl | irb.scsw.stctl, 0);
}

static void
tsch_cc0_clears_final_status(void **state)
{
    struct h *h = *state;
    struct irb irb;
    const struct scsw *s;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    /* The IRB has the status as it was. */
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                         SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    /* The subchannel is idle. */
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, 0);
    assert_int_equal(s->actl, 0);
    assert_int_equal(s->stctl, 0);
    assert_false(s->pno);
}

/*
 * TSCH with final status pending resets N (Figure 14-2, css-pop.md §4.6):
 * the IRB shows N = 1 (PNOM != 0 after a path was found not operational)
 * and STSCH afterwards N = 0.  PNOM itself is PMCW state: it stays until
 * the next start.
 */
static void
tsch_resets_n(struct h *h, uint8_t lpm, uint8_t cc, uint8_t stctl)
{
    struct orb o;
    struct irb irb;
    struct schib sb;

    h_enable(h, 0, 3);
    assert_int_equal(css_chp_set_failed(h->css, H_CHP0, true), 0);
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    h_orb_default(&o);
    o.lpm = lpm;
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run(h);
    h_stsch(h, 0, &sb);
    assert_true(sb.scsw.pno);
    assert_int_equal(sb.pmcw.pnom, 0x80);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.pno);
    assert_int_equal(irb.scsw.cc, cc);
    assert_int_equal(irb.scsw.stctl, stctl);
    h_stsch(h, 0, &sb);
    assert_false(sb.scsw.pno);
    assert_int_equal(sb.scsw.fctl | sb.scsw.actl | sb.scsw.stctl, 0);
    assert_int_equal(sb.pmcw.pnom, 0x80);
}

static void
tsch_cc0_resets_n_after_deferred_cc3(void **state)
{
    tsch_resets_n(*state, 0x80, ZV_CC3, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
}

static void
tsch_cc0_resets_n_after_start_on_another_path(void **state)
{
    tsch_resets_n(*state, 0xC0, 0,
                  SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING);
}

static void
tsch_cc1_on_second_tsch(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC1);
}

static void
tsch_cc0_intermediate_leaves_program_running(void **state)
{
    struct h *h = *state;
    struct irb irb;
    const struct scsw *s;

    h_make_state(h, 0, HS_INTERMEDIATE);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.cstat, SCHN_STAT_PCI);
    s = h_scsw(h, 0);
    assert_int_equal(s->stctl, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_START);
    assert_true(s->actl & SCSW_ACTL_SCH_ACTIVE);
    /* The program goes on to its final status. */
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
}

static void
tsch_cc0_removes_interruption_request(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
tsch_cc0_after_tpi_took_the_interruption(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
}

static void
tsch_specification_when_irb_not_word_aligned(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_pic(css_insn_tsch(h->css, h_gr1(0), H_IRB + 2),
               ZV_PIC_SPECIFICATION);
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
}

static void
tsch_operand_before_specification(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_tsch(h->css, 0x0000FFFF, H_IRB + 1), ZV_PIC_OPERAND);
}

static void
tsch_addressing_when_irb_unmapped(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_pic(css_insn_tsch(h->css, h_gr1(0), H_HOLE), ZV_PIC_ADDRESSING);
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
}

static void
tsch_protection_when_irb_read_only(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_pic(css_insn_tsch(h->css, h_gr1(0), H_RO_ADDR), ZV_PIC_PROTECTION);
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
}

static void
tsch_access_checked_before_cc3(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_tsch(h->css, h_gr1(0x5555), H_HOLE), ZV_PIC_ADDRESSING);
}

static void
tsch_stores_64_bytes_without_emw(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_make_state(h, 0, HS_STATUS_PENDING);
    memset(h->mem + H_IRB, 0xA5, IRB_SIZE);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(h->mem[H_IRB + IRB_BASE_SIZE - 1], 0);
    assert_int_equal(h->mem[H_IRB + IRB_BASE_SIZE], 0xA5);
}

static void
tsch_stores_96_bytes_with_extended_measurement_word(void **state)
{
    struct h *h = *state;
    struct schib s;
    struct irb irb;

    h_stsch(h, 0, &s);
    s.pmcw.ena = true;
    s.pmcw.xmwme = true;
    h_enable_schib(h, 0, &s);
    h_start_nop(h, 0);
    h_run(h);
    memset(h->mem + H_IRB, 0xA5, IRB_SIZE);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(h->mem[H_IRB + IRB_SIZE - 1], 0);
}

static void
tsch_cc0_alert_only_unsolicited_status(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_enable(h, 0, 3);
    css_dev_unsolicited(&h->dev[0].dev, DEV_STAT_ATTENTION);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, 0);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_true(irb.scsw.dstat & DEV_STAT_ATTENTION);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
}

static void
tsch_unsolicited_status_lost_when_disabled(void **state)
{
    struct h *h = *state;

    css_dev_unsolicited(&h->dev[0].dev, DEV_STAT_ATTENTION);
    h_run(h);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

/* Suspended with the suspension's intermediate status pending (U = 0),
 * then HSCH: TSCH takes the intermediate status, but the halt is still
 * pending and ends with its own interruption. */
static void
tsch_intermediate_while_halt_pending_keeps_the_halt(void **state)
{
    struct h *h = *state;
    struct irb irb;
    const struct scsw *s;

    h_enable(h, 0, 3);
    h_ssch_suspending(h, 0, false);
    h_run(h);
    s = h_scsw(h, 0);
    assert_int_equal(s->stctl, SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
    assert_true(s->actl & SCSW_ACTL_SUSPENDED);
    assert_cc(css_insn_hsch(h->css, h_gr1(0)), ZV_CC0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_int_equal(s->stctl, 0);
    /* Not idle: MSCH is refused until the halt has ended. */
    assert_cc(h_msch(h, 0, &h->last), ZV_CC2);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

/* The device outlives its subchannel: its status then goes nowhere. */
static void
tsch_unsolicited_status_after_undefine_goes_nowhere(void **state)
{
    struct h *h = *state;

    h_enable(h, 2, 3);
    assert_int_equal(css_sch_undefine(h->css, h->sch[2]), 0);
    assert_null(h->dev[2].dev.sch);
    css_dev_unsolicited(&h->dev[2].dev, DEV_STAT_ATTENTION);
    h_run(h);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(tsch_cc3_when_not_provided_stores_nothing),
        T(tsch_cc3_when_not_enabled),
        T(tsch_cc1_stores_irb_when_not_pending),
        T(tsch_cc1_when_idle),
        T(tsch_cc0_clears_final_status),
        T(tsch_cc1_on_second_tsch),
        T(tsch_cc0_resets_n_after_deferred_cc3),
        T(tsch_cc0_resets_n_after_start_on_another_path),
        T(tsch_cc0_intermediate_leaves_program_running),
        T(tsch_cc0_removes_interruption_request),
        T(tsch_cc0_after_tpi_took_the_interruption),
        T(tsch_specification_when_irb_not_word_aligned),
        T(tsch_operand_before_specification),
        T(tsch_addressing_when_irb_unmapped),
        T(tsch_protection_when_irb_read_only),
        T(tsch_access_checked_before_cc3),
        T(tsch_stores_64_bytes_without_emw),
        T(tsch_stores_96_bytes_with_extended_measurement_word),
        T(tsch_cc0_alert_only_unsolicited_status),
        T(tsch_unsolicited_status_lost_when_disabled),
        T(tsch_intermediate_while_halt_pending_keeps_the_halt),
        T(tsch_unsolicited_status_after_undefine_goes_nowhere),
    };

    return cmocka_run_group_tests_name("tsch", tests, NULL, NULL);
}
