/* SPDX-License-Identifier: MIT */
/* MODIFY SUBCHANNEL (css-pop.md §4.8, §2.1 operand validity). */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
msch_cc0_sets_program_settable_fields(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.intparm = 0xDEADBEEF;
    s.pmcw.isc = 5;
    s.pmcw.ena = true;
    s.pmcw.lm = 2;
    s.pmcw.mme = 3;
    s.pmcw.mp = true;
    s.pmcw.lpm = 0x40;
    s.pmcw.mbi = 0x1234;
    s.pmcw.csense = true;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.intparm, 0xDEADBEEF);
    assert_int_equal(s.pmcw.isc, 5);
    assert_true(s.pmcw.ena);
    assert_int_equal(s.pmcw.lm, 2);
    assert_int_equal(s.pmcw.mme, 3);
    assert_true(s.pmcw.mp);
    assert_int_equal(s.pmcw.lpm, 0x40);
    assert_int_equal(s.pmcw.mbi, 0x1234);
    assert_true(s.pmcw.csense);
}

static void
msch_ignores_fields_that_are_not_settable(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.dev = 0x9999;
    s.pmcw.dnv = false;
    s.pmcw.pim = 0xFF;
    s.pmcw.pam = 0x01;
    s.pmcw.pom = 0x0F;
    s.pmcw.pnom = 0x80;
    s.pmcw.lpum = 0x80;
    s.pmcw.chpid[0] = 0x77;
    s.scsw.fctl = SCSW_FCTL_START;
    s.scsw.stctl = SCSW_STCTL_PENDING;
    s.pmcw.ena = true;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.dev, H_DEVNO);
    assert_true(s.pmcw.dnv);
    assert_int_equal(s.pmcw.pim, 0xC0);
    assert_int_equal(s.pmcw.pam, 0xC0);
    assert_int_equal(s.pmcw.pom, 0xFF);
    assert_int_equal(s.pmcw.pnom, 0);
    assert_int_equal(s.pmcw.lpum, 0);
    assert_int_equal(s.pmcw.chpid[0], H_CHP0);
    assert_int_equal(s.scsw.fctl, 0);
    assert_int_equal(s.scsw.stctl, 0);
}

static void
msch_cc0_no_action_when_no_device(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, H_NODEV_SCH, &s);
    s.pmcw.ena = true;
    s.pmcw.intparm = 1;
    assert_cc(h_msch(h, H_NODEV_SCH, &s), ZV_CC0);
    h_stsch(h, H_NODEV_SCH, &s);
    assert_false(s.pmcw.ena);
    assert_int_equal(s.pmcw.intparm, 0);
}

static void
msch_cc_in_state(struct h *h, enum h_state st, enum zv_cc cc)
{
    struct schib s;

    h_make_state(h, 0, st);
    h_stsch(h, 0, &s);
    s.pmcw.isc = 6;
    s.pmcw.intparm = 0x0BADF00D;
    assert_cc(h_msch(h, 0, &s), cc);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.isc, 3);
}

static void
msch_cc1_when_status_pending(void **state)
{
    msch_cc_in_state(*state, HS_STATUS_PENDING, ZV_CC1);
}

static void
msch_cc1_when_intermediate_status_pending(void **state)
{
    msch_cc_in_state(*state, HS_INTERMEDIATE, ZV_CC1);
}

static void
msch_cc2_when_start_pending(void **state)
{
    msch_cc_in_state(*state, HS_START_PENDING, ZV_CC2);
}

static void
msch_cc2_when_active(void **state)
{
    msch_cc_in_state(*state, HS_ACTIVE, ZV_CC2);
}

static void
msch_cc2_when_suspended(void **state)
{
    msch_cc_in_state(*state, HS_SUSPENDED, ZV_CC2);
}

static void
msch_cc2_when_halt_pending(void **state)
{
    msch_cc_in_state(*state, HS_HALT_PENDING, ZV_CC2);
}

static void
msch_cc2_when_clear_pending(void **state)
{
    msch_cc_in_state(*state, HS_CLEAR_PENDING, ZV_CC2);
}

static void
msch_cc3_when_not_provided(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    assert_cc(h_msch(h, 0x4444, &s), ZV_CC3);
}

static void
msch_operand(struct h *h, void (*spoil)(struct schib *s))
{
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.ena = true;
    spoil(&s);
    assert_pic(h_msch(h, 0, &s), ZV_PIC_OPERAND);
    h_stsch(h, 0, &s);
    assert_false(s.pmcw.ena);
}

static void
spoil_lm11(struct schib *s)
{
    s->pmcw.lm = 3;
}
static void
spoil_qf(struct schib *s)
{
    s->pmcw.qf = true;
}
static void
spoil_w(struct schib *s)
{
    s->pmcw.w = true;
}
static void
spoil_bit6(struct schib *s)
{
    s->pmcw.bits67 = 2;
}
static void
spoil_bit7(struct schib *s)
{
    s->pmcw.bits67 = 1;
}
static void
spoil_w6_zone(struct schib *s)
{
    s->pmcw.w6_zone = 0x01;
}
static void
spoil_w6_rsvd(struct schib *s)
{
    s->pmcw.w6_rsvd = 1;
}
static void
spoil_mba(struct schib *s)
{
    s->pmcw.mbfc = true;
    s->mba = 0x1020; /* not 64-byte aligned */
}

static void
msch_operand_exception_lm_11(void **state)
{
    msch_operand(*state, spoil_lm11);
}

static void
msch_operand_exception_w1_bit0(void **state)
{
    msch_operand(*state, spoil_qf);
}

static void
msch_operand_exception_w1_bit1(void **state)
{
    msch_operand(*state, spoil_w);
}

static void
msch_operand_exception_w1_bit6(void **state)
{
    msch_operand(*state, spoil_bit6);
}

static void
msch_operand_exception_w1_bit7(void **state)
{
    msch_operand(*state, spoil_bit7);
}

static void
msch_operand_exception_w6_bits_0_7(void **state)
{
    msch_operand(*state, spoil_w6_zone);
}

static void
msch_operand_exception_w6_reserved(void **state)
{
    msch_operand(*state, spoil_w6_rsvd);
}

static void
msch_operand_exception_fmt1_mba_misaligned(void **state)
{
    msch_operand(*state, spoil_mba);
}

static void
msch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    schib_encode(&s, h->mem + H_SCHIB);
    assert_pic(css_insn_msch(h->css, 0x00000000, H_SCHIB), ZV_PIC_OPERAND);
}

static void
msch_specification_when_not_word_aligned(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_msch(h->css, h_gr1(0), H_SCHIB + 2),
               ZV_PIC_SPECIFICATION);
}

static void
msch_addressing_leaves_subchannel_unchanged(void **state)
{
    struct h *h = *state;
    struct schib s;

    assert_pic(css_insn_msch(h->css, h_gr1(0), H_HOLE), ZV_PIC_ADDRESSING);
    h_stsch(h, 0, &s);
    assert_false(s.pmcw.ena);
}

static void
msch_protection_leaves_subchannel_unchanged(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.ena = true;
    schib_encode(&s, h->wo);
    assert_pic(css_insn_msch(h->css, h_gr1(0), H_WO_ADDR), ZV_PIC_PROTECTION);
    h_stsch(h, 0, &s);
    assert_false(s.pmcw.ena);
}

static void
msch_fetches_from_read_only_storage(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.ena = true;
    schib_encode(&s, h->ro);
    assert_cc(css_insn_msch(h->css, h_gr1(0), H_RO_ADDR), ZV_CC0);
    h_stsch(h, 0, &s);
    assert_true(s.pmcw.ena);
}

static void
msch_ignores_bit5(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.bit5 = true;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
}

static void
msch_disable_makes_ssch_cc3(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_enable(h, 0, 1);
    h_stsch(h, 0, &s);
    s.pmcw.ena = false;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
    assert_cc(h_ssch(h, 0), ZV_CC3);
}

static int
setup_no_csense(void **state)
{
    struct css_config cfg = {.concurrent_sense = false};

    return h_setup_cfg(state, &cfg);
}

static void
msch_operand_concurrent_sense_without_facility(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.csense = true;
    assert_pic(h_msch(h, 0, &s), ZV_PIC_OPERAND);
}

static void
msch_fmt1_measurement_block_address(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.mbfc = true;
    s.mba = 0x8040;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
    h_stsch(h, 0, &s);
    assert_true(s.pmcw.mbfc);
    assert_int_equal(s.mba, 0x8040);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(msch_cc0_sets_program_settable_fields),
        T(msch_ignores_fields_that_are_not_settable),
        T(msch_cc0_no_action_when_no_device),
        T(msch_cc1_when_status_pending),
        T(msch_cc1_when_intermediate_status_pending),
        T(msch_cc2_when_start_pending),
        T(msch_cc2_when_active),
        T(msch_cc2_when_suspended),
        T(msch_cc2_when_halt_pending),
        T(msch_cc2_when_clear_pending),
        T(msch_cc3_when_not_provided),
        T(msch_operand_exception_lm_11),
        T(msch_operand_exception_w1_bit0),
        T(msch_operand_exception_w1_bit1),
        T(msch_operand_exception_w1_bit6),
        T(msch_operand_exception_w1_bit7),
        T(msch_operand_exception_w6_bits_0_7),
        T(msch_operand_exception_w6_reserved),
        T(msch_operand_exception_fmt1_mba_misaligned),
        T(msch_operand_when_sid_invalid),
        T(msch_specification_when_not_word_aligned),
        T(msch_addressing_leaves_subchannel_unchanged),
        T(msch_protection_leaves_subchannel_unchanged),
        T(msch_fetches_from_read_only_storage),
        T(msch_ignores_bit5),
        T(msch_disable_makes_ssch_cc3),
        cmocka_unit_test_setup_teardown(
            msch_operand_concurrent_sense_without_facility, setup_no_csense,
            h_teardown),
        T(msch_fmt1_measurement_block_address),
    };

    return cmocka_run_group_tests_name("msch", tests, NULL, NULL);
}
