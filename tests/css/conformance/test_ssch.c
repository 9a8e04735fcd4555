/* SPDX-License-Identifier: MIT */
/* START SUBCHANNEL (css-pop.md §4.1, §2.2, §4.12). */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
ssch_cc0_sets_start_pending_intparm_and_lpm(void **state)
{
    struct h *h = *state;
    struct orb o;
    const struct scsw *s;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.intparm = 0xCAFEF00D;
    o.lpm = 0x80;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_START);
    assert_int_equal(s->actl, SCSW_ACTL_START_PEND);
    assert_int_equal(s->stctl, 0);
    assert_false(s->pno);
    assert_int_equal(h->last.pmcw.intparm, 0xCAFEF00D);
    assert_int_equal(h->last.pmcw.lpm, 0x80);
    assert_int_equal(h->last.pmcw.pnom, 0);
}

static void
ssch_cc0_copies_orb_controls_to_scsw(void **state)
{
    struct h *h = *state;
    struct orb o;
    const struct scsw *s;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.key = 9;
    o.spnd = true;
    o.isic = true;
    o.alcc = true;
    o.ssic = true;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    s = h_scsw(h, 0);
    assert_int_equal(s->key, 9);
    assert_true(s->sctl);
    assert_true(s->fmt);
    assert_true(s->pfch);
    assert_true(s->isic);
    assert_true(s->alcc);
    assert_true(s->ssi);
}

static void
ssch_cc0_nop_ends_with_primary_and_secondary_status(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_make_state(h, 0, HS_STATUS_PENDING);
    s = h_scsw(h, 0);
    assert_int_equal(s->fctl, SCSW_FCTL_START);
    assert_int_equal(s->actl, 0);
    assert_int_equal(s->cc, 0);
    assert_int_equal(s->dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(s->cstat, 0);
    assert_int_equal(s->cpa, H_CCW + 8);
    assert_int_equal(h->dev[0].starts, 1);
    assert_int_equal(h->dev[0].last_cmd, CCW_CMD_NOOP);
}

static void
ssch_cc1_when_status_pending(void **state)
{
    struct h *h = *state;
    struct schib before;

    h_make_state(h, 0, HS_STATUS_PENDING);
    h_stsch(h, 0, &before);
    assert_cc(h_ssch(h, 0), ZV_CC1);
    h_run(h);
    h_assert_scsw_equal(h_scsw(h, 0), &before.scsw);
    assert_int_equal(h->dev[0].starts, 1);
}

static void
ssch_cc1_when_intermediate_status_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_INTERMEDIATE);
    assert_cc(h_ssch(h, 0), ZV_CC1);
    assert_int_equal(h_scsw(h, 0)->stctl,
                     SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
}

static void
ssch_cc1_when_unsolicited_alert_pending(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    css_dev_unsolicited(&h->dev[0].dev, DEV_STAT_ATTENTION);
    h_run(h);
    assert_int_equal(h_scsw(h, 0)->stctl,
                     SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_cc(h_ssch(h, 0), ZV_CC1);
}

static void
ssch_cc2_in_state(struct h *h, enum h_state st)
{
    struct schib before;

    h_make_state(h, 0, st);
    h_stsch(h, 0, &before);
    assert_cc(h_ssch(h, 0), ZV_CC2);
    h_assert_scsw_equal(h_scsw(h, 0), &before.scsw);
}

static void
ssch_cc2_when_start_pending(void **state)
{
    ssch_cc2_in_state(*state, HS_START_PENDING);
}

static void
ssch_cc2_when_active(void **state)
{
    ssch_cc2_in_state(*state, HS_ACTIVE);
}

static void
ssch_cc2_when_suspended(void **state)
{
    ssch_cc2_in_state(*state, HS_SUSPENDED);
}

static void
ssch_cc2_when_halt_pending(void **state)
{
    ssch_cc2_in_state(*state, HS_HALT_PENDING);
}

static void
ssch_cc2_when_clear_pending(void **state)
{
    ssch_cc2_in_state(*state, HS_CLEAR_PENDING);
}

static void
ssch_cc3_when_not_enabled(void **state)
{
    struct h *h = *state;

    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch(h, 0), ZV_CC3);
    h_run(h);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
    assert_int_equal(h->dev[0].starts, 0);
}

static void
ssch_cc3_when_no_device(void **state)
{
    struct h *h = *state;

    assert_cc(h_ssch(h, H_NODEV_SCH), ZV_CC3);
    assert_int_equal(h_scsw(h, H_NODEV_SCH)->fctl, 0);
}

static void
ssch_cc3_when_not_provided(void **state)
{
    struct h *h = *state;

    assert_cc(h_ssch(h, 0x1234), ZV_CC3);
}

static void
ssch_specification_when_orb_not_word_aligned(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_ORB + 1),
               ZV_PIC_SPECIFICATION);
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_ORB + 2),
               ZV_PIC_SPECIFICATION);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
ssch_addressing_when_orb_unmapped(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_HOLE), ZV_PIC_ADDRESSING);
    /* An ORB straddling the end of storage fails whole. */
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_WO_ADDR + 4096 - 4),
               ZV_PIC_ADDRESSING);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
ssch_protection_when_orb_fetch_protected(void **state)
{
    struct h *h = *state;

    h_enable(h, 0, 3);
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_WO_ADDR), ZV_PIC_PROTECTION);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

/* The 8-word ORB is fetched when X = 1: here words 3-7 lie in the
 * fetch-protected page that follows the read-only one. */
static void
ssch_protection_when_orb_extension_fetch_protected(void **state)
{
    struct h *h = *state;
    uint8_t buf[ORB_EXT_SIZE];
    struct orb o;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.x = true;
    orb_encode(&o, buf);
    memcpy(h->ro + 4096 - ORB_SIZE, buf, ORB_SIZE);
    assert_pic(css_insn_ssch(h->css, h_gr1(0), H_WO_ADDR - ORB_SIZE),
               ZV_PIC_PROTECTION);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
    /* The same 3-word ORB without X is fetched from the read-only page. */
    o.x = false;
    orb_encode(&o, buf);
    memcpy(h->ro + 4096 - ORB_SIZE, buf, ORB_SIZE);
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(css_insn_ssch(h->css, h_gr1(0), H_WO_ADDR - ORB_SIZE), ZV_CC0);
}

static void
ssch_operand_when_sid_one_bit_zero(void **state)
{
    struct h *h = *state;
    struct orb o;

    h_orb_default(&o);
    h_put_orb(h, H_ORB, &o);
    assert_pic(css_insn_ssch(h->css, 0x00000000, H_ORB), ZV_PIC_OPERAND);
    assert_pic(css_insn_ssch(h->css, 0x0000FFFF, H_ORB), ZV_PIC_OPERAND);
}

static void
ssch_operand_when_ssid_nonzero_without_mss(void **state)
{
    struct h *h = *state;
    struct orb o;
    struct schid id = {.ssid = 1, .sch_no = 0};

    h_orb_default(&o);
    h_put_orb(h, H_ORB, &o);
    assert_pic(css_insn_ssch(h->css, schid_to_gr1(&id), H_ORB), ZV_PIC_OPERAND);
}

/* Each invalid ORB field alone gives an operand exception and leaves the
 * subchannel idle. */
static void
ssch_orb_operand(struct h *h, void (*spoil)(struct orb *o))
{
    struct orb o;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    spoil(&o);
    assert_pic(h_ssch_orb(h, 0, &o), ZV_PIC_OPERAND);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
spoil_b(struct orb *o)
{
    o->b = true;
}
static void
spoil_cpa_bit0(struct orb *o)
{
    o->cpa = 0x80000000u | H_CCW;
}
static void
spoil_midaw(struct orb *o)
{
    o->midaw = true;
}
static void
spoil_ils(struct orb *o)
{
    o->ils = true;
}

static void
ssch_operand_orb_b_transport_mode(void **state)
{
    ssch_orb_operand(*state, spoil_b);
}

static void
ssch_operand_orb_cpa_bit0(void **state)
{
    ssch_orb_operand(*state, spoil_cpa_bit0);
}

static void
ssch_operand_orb_d_without_midaw_facility(void **state)
{
    ssch_orb_operand(*state, spoil_midaw);
}

static void
ssch_operand_orb_l_without_ils_facility(void **state)
{
    ssch_orb_operand(*state, spoil_ils);
}

static void
ssch_operand_orb_reserved_bits_26_to_30_each(void **state)
{
    struct h *h = *state;
    struct orb o;

    h_enable(h, 0, 3);
    for (unsigned bit = 0; bit < 5; bit++) {
        h_orb_default(&o);
        o.rsvd = (uint8_t)(1u << bit);
        assert_pic(h_ssch_orb(h, 0, &o), ZV_PIC_OPERAND);
    }
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
}

static void
ssch_operand_orb_extension_reserved(void **state)
{
    struct h *h = *state;
    struct orb o;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.x = true;
    o.ext_rsvd = 1;
    assert_pic(h_ssch_orb(h, 0, &o), ZV_PIC_OPERAND);
}

static void
ssch_operand_checked_before_cc3(void **state)
{
    struct h *h = *state;
    struct orb o;

    h_orb_default(&o);
    o.b = true;
    assert_pic(h_ssch_orb(h, 0x1234, &o), ZV_PIC_OPERAND);
    assert_pic(h_ssch_orb(h, 0, &o), ZV_PIC_OPERAND); /* not enabled */
}

static void
ssch_extended_orb_accepted(void **state)
{
    struct h *h = *state;
    struct orb o;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.x = true;
    o.css_prio = 1;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
}

/* css-pop.md §4.12: no path in LPM & PIM & PAM is "not operational on
 * any path": cc 0, then status pending with deferred cc 3. */
static void
ssch_deferred_cc3_when_lpm_names_no_installed_path(void **state)
{
    struct h *h = *state;
    struct orb o;
    const struct scsw *s;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.lpm = 0x3F; /* PIM is 0xC0 */
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run(h);
    s = h_scsw(h, 0);
    assert_int_equal(s->cc, 3);
    assert_int_equal(s->fctl, SCSW_FCTL_START);
    assert_true(s->stctl & SCSW_STCTL_PENDING);
    assert_true(s->stctl & SCSW_STCTL_ALERT);
    assert_int_equal(h->dev[0].starts, 0);
}

static void
ssch_deferred_cc3_when_all_paths_configured_off(void **state)
{
    struct h *h = *state;
    const struct scsw *s;

    h_enable(h, 0, 3);
    assert_int_equal(css_chp_configure(h->css, H_CHP0, false), 0);
    assert_int_equal(css_chp_configure(h->css, H_CHP1, false), 0);
    h_start_nop(h, 0);
    h_run(h);
    s = h_scsw(h, 0);
    assert_int_equal(s->cc, 3);
    assert_true(s->stctl & SCSW_STCTL_PENDING);
    assert_int_equal(h->last.pmcw.pam, 0);
    assert_int_equal(h->dev[0].starts, 0);
}

static void
ssch_uses_only_available_path(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_enable(h, 0, 3);
    assert_int_equal(css_chp_configure(h->css, H_CHP0, false), 0);
    h_start_nop(h, 0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.cc, 0);
    h_stsch(h, 0, &h->last);
    assert_int_equal(h->last.pmcw.lpum, 0x40);
}

static void
ssch_sense_id_stores_device_data(void **state)
{
    struct h *h = *state;
    struct irb irb;

    h_enable(h, 0, 3);
    memset(h->mem + H_DATA, 0, 16);
    h_put_ccw(h, H_CCW, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 16, H_DATA);
    assert_cc(h_ssch(h, 0), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(irb.scsw.count, 8); /* residual: 16 - 8 */
    assert_int_equal(h->mem[H_DATA], 0xFF);
    assert_int_equal(h->mem[H_DATA + 1], 0x39);
    assert_int_equal(h->mem[H_DATA + 4], 0x33);
}

/*
 * Unit check at initial status (css-pop.md §5.5, §5.9): the device
 * rejects the command before any data transfer (command reject, or an
 * equipment check found before it acts).  Incorrect length compares the
 * CCW count with the bytes the device asked for or offered; a command
 * that was not executed did neither, so IL is not indicated, whatever
 * the command class or the sense, and the residual is the full count.
 * The program ends with primary, secondary and alert status.
 */
static void
unit_check_at_initial_status(struct h *h, uint8_t cmd, uint8_t flags, bool fmt1)
{
    struct orb o;
    struct irb irb;
    const uint8_t uc =
        DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK;

    h_enable(h, 0, 3);
    h->dev[0].rule[cmd].dstat = uc;
    h->dev[0].rule[cmd].no_data = true;
    h_orb_default(&o);
    o.fmt = fmt1;
    if (fmt1) {
        h_put_ccw(h, H_CCW, cmd, flags, 16, H_DATA);
    } else {
        /* format-0 CCW: command, 24-bit address, flags, count */
        uint8_t *c = h->mem + H_CCW;

        memset(c, 0, 8);
        c[0] = cmd;
        c[1] = (uint8_t)(H_DATA >> 16);
        c[2] = (uint8_t)(H_DATA >> 8);
        c[3] = (uint8_t)H_DATA;
        c[4] = flags;
        c[7] = 16;
    }
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.dstat, uc);
    assert_int_equal(irb.scsw.cstat, 0);
    assert_int_equal(irb.scsw.count, 16);
    assert_int_equal(irb.scsw.cpa, H_CCW + 8);
    assert_int_equal(irb.scsw.stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                         SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_int_equal(h->dev[0].starts, 1);
}

static void
ssch_unit_check_at_initial_status_no_il_read(void **state)
{
    unit_check_at_initial_status(*state, 0x02, 0, true);
}

static void
ssch_unit_check_at_initial_status_no_il_write(void **state)
{
    unit_check_at_initial_status(*state, 0x01, 0, true);
}

static void
ssch_unit_check_at_initial_status_no_il_control_fmt1(void **state)
{
    unit_check_at_initial_status(*state, 0x07, 0, true);
}

static void
ssch_unit_check_at_initial_status_no_il_read_fmt0(void **state)
{
    unit_check_at_initial_status(*state, 0x02, 0, false);
}

static void
ssch_unit_check_at_initial_status_no_il_data_chained(void **state)
{
    struct h *h = *state;

    /* CD on the first CCW would end with IL on a short transfer; with no
     * transfer at all it is still a rejected command. */
    h_put_ccw(h, H_CCW + 8, 0x02, 0, 16, H_DATA + 16);
    unit_check_at_initial_status(h, 0x02, CCW_FLAG_CD, true);
}

/* Contrast: a unit check after part of the data moved is a short block:
 * IL is indicated (no SLI) with the residual of the CCW. */
static void
ssch_unit_check_after_data_transfer_indicates_il(void **state)
{
    struct h *h = *state;
    static const uint8_t data[4] = {1, 2, 3, 4};
    struct irb irb;

    h_enable(h, 0, 3);
    h->dev[0].rule[0x02].dstat =
        DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK;
    h->dev[0].rule[0x02].data = data;
    h->dev[0].rule[0x02].len = sizeof(data);
    h_put_ccw(h, H_CCW, 0x02, 0, 16, H_DATA);
    assert_cc(h_ssch(h, 0), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.cstat, SCHN_STAT_INCORR_LEN);
    assert_int_equal(irb.scsw.count, 12);
    assert_int_equal(h->mem[H_DATA + 3], 4);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(ssch_cc0_sets_start_pending_intparm_and_lpm),
        T(ssch_cc0_copies_orb_controls_to_scsw),
        T(ssch_cc0_nop_ends_with_primary_and_secondary_status),
        T(ssch_cc1_when_status_pending),
        T(ssch_cc1_when_intermediate_status_pending),
        T(ssch_cc1_when_unsolicited_alert_pending),
        T(ssch_cc2_when_start_pending),
        T(ssch_cc2_when_active),
        T(ssch_cc2_when_suspended),
        T(ssch_cc2_when_halt_pending),
        T(ssch_cc2_when_clear_pending),
        T(ssch_cc3_when_not_enabled),
        T(ssch_cc3_when_no_device),
        T(ssch_cc3_when_not_provided),
        T(ssch_specification_when_orb_not_word_aligned),
        T(ssch_addressing_when_orb_unmapped),
        T(ssch_protection_when_orb_fetch_protected),
        T(ssch_protection_when_orb_extension_fetch_protected),
        T(ssch_operand_when_sid_one_bit_zero),
        T(ssch_operand_when_ssid_nonzero_without_mss),
        T(ssch_operand_orb_b_transport_mode),
        T(ssch_operand_orb_cpa_bit0),
        T(ssch_operand_orb_d_without_midaw_facility),
        T(ssch_operand_orb_l_without_ils_facility),
        T(ssch_operand_orb_reserved_bits_26_to_30_each),
        T(ssch_operand_orb_extension_reserved),
        T(ssch_operand_checked_before_cc3),
        T(ssch_extended_orb_accepted),
        T(ssch_deferred_cc3_when_lpm_names_no_installed_path),
        T(ssch_deferred_cc3_when_all_paths_configured_off),
        T(ssch_uses_only_available_path),
        T(ssch_sense_id_stores_device_data),
        T(ssch_unit_check_at_initial_status_no_il_read),
        T(ssch_unit_check_at_initial_status_no_il_write),
        T(ssch_unit_check_at_initial_status_no_il_control_fmt1),
        T(ssch_unit_check_at_initial_status_no_il_read_fmt0),
        T(ssch_unit_check_at_initial_status_no_il_data_chained),
        T(ssch_unit_check_after_data_transfer_indicates_il),
    };

    return cmocka_run_group_tests_name("ssch", tests, NULL, NULL);
}
