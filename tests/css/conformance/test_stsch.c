/* SPDX-License-Identifier: MIT */
/* STORE SUBCHANNEL (css-pop.md §4.7) and subchannel sets (§1). */
#include "harness.h"

#include <errno.h>
#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
stsch_cc0_stores_initial_schib(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 2, &s);
    assert_true(s.pmcw.dnv);
    assert_false(s.pmcw.ena);
    assert_int_equal(s.pmcw.dev, H_DEVNO + 2);
    assert_int_equal(s.pmcw.st, PMCW_ST_IO);
    assert_int_equal(s.pmcw.isc, 0);
    assert_int_equal(s.pmcw.intparm, 0);
    assert_int_equal(s.pmcw.pim, 0xC0);
    assert_int_equal(s.pmcw.pam, 0xC0);
    assert_int_equal(s.pmcw.pom, 0xFF);
    assert_int_equal(s.pmcw.lpm, 0xC0);
    assert_int_equal(s.pmcw.chpid[0], H_CHP0);
    assert_int_equal(s.pmcw.chpid[1], H_CHP1);
    assert_int_equal(s.pmcw.chpid[2], 0);
    assert_int_equal(s.scsw.fctl | s.scsw.actl | s.scsw.stctl, 0);
}

static void
stsch_cc0_for_subchannel_without_device(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, H_NODEV_SCH, &s);
    assert_false(s.pmcw.dnv);
    assert_false(s.pmcw.ena);
}

static void
stsch_cc3_when_not_provided(void **state)
{
    struct h *h = *state;

    memset(h->mem + H_SCHIB, 0xA5, SCHIB_SIZE);
    assert_cc(css_insn_stsch(h->css, h_gr1(H_NODEV_SCH + 1), H_SCHIB), ZV_CC3);
    assert_int_equal(h->mem[H_SCHIB], 0xA5);
    assert_cc(css_insn_stsch(h->css, h_gr1(0xFFFF), H_SCHIB), ZV_CC3);
}

static void
stsch_enumeration_finds_every_subchannel_then_cc3(void **state)
{
    struct h *h = *state;
    unsigned no = 0;

    while (css_insn_stsch(h->css, h_gr1(no), H_SCHIB).cc == ZV_CC0)
        no++;
    assert_int_equal(no, H_NSCH + 1);
    assert_int_equal(css_sch_count(h->css), H_NSCH + 1);
}

static void
stsch_cc3_after_undefine(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_undefine(h->css, h->sch[1]), 0);
    assert_cc(css_insn_stsch(h->css, h_gr1(1), H_SCHIB), ZV_CC3);
    assert_null(css_sch_find(h->css, 0, 1));
    assert_int_equal(css_sch_count(h->css), H_NSCH);
}

static void
stsch_stores_bit5_as_zero(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.bit5 = true;
    s.pmcw.ena = true;
    assert_cc(h_msch(h, 0, &s), ZV_CC0);
    h_stsch(h, 0, &s);
    assert_false(s.pmcw.bit5);
    assert_true(s.pmcw.ena);
}

static void
stsch_specification_when_not_word_aligned(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_stsch(h->css, h_gr1(0), H_SCHIB + 1),
               ZV_PIC_SPECIFICATION);
    assert_pic(css_insn_stsch(h->css, h_gr1(0), H_SCHIB + 2),
               ZV_PIC_SPECIFICATION);
}

static void
stsch_operand_when_sid_invalid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_stsch(h->css, 0x0000FFFF, H_SCHIB), ZV_PIC_OPERAND);
    assert_pic(css_insn_stsch(h->css, 0x00100000 | 0x00010000, H_SCHIB),
               ZV_PIC_OPERAND);
}

static void
stsch_access_before_operand_for_bad_sid(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_stsch(h->css, 0x0000FFFF, H_RO_ADDR),
               ZV_PIC_PROTECTION);
    assert_pic(css_insn_stsch(h->css, 0x0000FFFF, H_HOLE), ZV_PIC_ADDRESSING);
}

static void
stsch_stores_into_write_only_storage(void **state)
{
    struct h *h = *state;

    assert_cc(css_insn_stsch(h->css, h_gr1(1), H_WO_ADDR), ZV_CC0);
    assert_int_equal(zv_be16(h->wo + 6), H_DEVNO + 1);
}

static void
stsch_addressing_when_unmapped(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_stsch(h->css, h_gr1(0), H_HOLE), ZV_PIC_ADDRESSING);
}

static void
stsch_shows_current_scsw_while_active(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_make_state(h, 0, HS_ACTIVE);
    h_stsch(h, 0, &s);
    assert_int_equal(s.scsw.fctl, SCSW_FCTL_START);
    assert_true(s.scsw.actl & SCSW_ACTL_DEV_ACTIVE);
}

static void
stsch_byte_image_is_big_endian(void **state)
{
    struct h *h = *state;

    assert_cc(css_insn_stsch(h->css, h_gr1(3), H_SCHIB), ZV_CC0);
    /* word 1: ... bits 15 V, bits 16-31 devno */
    assert_int_equal(h->mem[H_SCHIB + 5] & 0x01, 0x01);
    assert_int_equal(h->mem[H_SCHIB + 6], (H_DEVNO + 3) >> 8);
    assert_int_equal(h->mem[H_SCHIB + 7], (H_DEVNO + 3) & 0xFF);
    /* word 2 byte 3: PIM */
    assert_int_equal(h->mem[H_SCHIB + 11], 0xC0);
}

/* With MSS: sets above the highest provided answer cc 3; a defined
 * subchannel in set 1 is found. */
static int
setup_mss(void **state)
{
    struct css_config cfg = {.mss = true, .max_ssid = 1};

    return h_setup_cfg(state, &cfg);
}

static void
stsch_mss_sets(void **state)
{
    struct h *h = *state;
    struct css_sch_desc d = {.ssid = 1,
                             .sch_no = 7,
                             .devno = 0x2007,
                             .pim = 0x80,
                             .chpid = {H_CHP0}};
    struct tdev dev;
    struct schid id = {.ssid = 1, .sch_no = 7};
    struct schid id3 = {.ssid = 3, .sch_no = 7};

    h_tdev_init(&dev);
    assert_int_equal(css_sch_define(h->css, &d, &dev.dev, false, NULL), 0);
    assert_cc(css_insn_stsch(h->css, schid_to_gr1(&id), H_SCHIB), ZV_CC0);
    id.sch_no = 8;
    assert_cc(css_insn_stsch(h->css, schid_to_gr1(&id), H_SCHIB), ZV_CC3);
    assert_cc(css_insn_stsch(h->css, schid_to_gr1(&id3), H_SCHIB), ZV_CC3);
    d.ssid = 2;
    assert_int_equal(css_sch_define(h->css, &d, NULL, false, NULL), -EINVAL);
    assert_int_equal(css_sch_undefine(h->css, css_sch_find(h->css, 1, 7)), 0);
}

static void
sch_define_rejects_duplicates_and_uninstalled_paths(void **state)
{
    struct h *h = *state;
    struct css_sch_desc d = {.sch_no = 0, .pim = 0x80, .chpid = {H_CHP0}};

    assert_int_equal(css_sch_define(h->css, &d, NULL, false, NULL), -EEXIST);
    d.sch_no = 100;
    d.chpid[0] = 0x99;
    assert_int_equal(css_sch_define(h->css, &d, NULL, false, NULL), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(stsch_cc0_stores_initial_schib),
        T(stsch_cc0_for_subchannel_without_device),
        T(stsch_cc3_when_not_provided),
        T(stsch_enumeration_finds_every_subchannel_then_cc3),
        T(stsch_cc3_after_undefine),
        T(stsch_stores_bit5_as_zero),
        T(stsch_specification_when_not_word_aligned),
        T(stsch_operand_when_sid_invalid),
        T(stsch_access_before_operand_for_bad_sid),
        T(stsch_stores_into_write_only_storage),
        T(stsch_addressing_when_unmapped),
        T(stsch_shows_current_scsw_while_active),
        T(stsch_byte_image_is_big_endian),
        cmocka_unit_test_setup_teardown(stsch_mss_sets, setup_mss, h_teardown),
        T(sch_define_rejects_duplicates_and_uninstalled_paths),
    };

    return cmocka_run_group_tests_name("stsch", tests, NULL, NULL);
}
