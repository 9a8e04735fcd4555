/* SPDX-License-Identifier: MIT */
/* TEST PENDING INTERRUPTION (css-pop.md §4.9) and the per-ISC queues. */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
pending_on_isc(struct h *h, unsigned no, uint8_t isc, uint32_t intparm)
{
    struct orb o;

    h_enable(h, no, isc);
    h_orb_default(&o);
    o.intparm = intparm;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, no, &o), ZV_CC0);
    h_run(h);
}

static uint16_t
tpi_sch_no(struct h *h)
{
    return zv_be16(h->mem + H_TPI + 2);
}

/* TPI takes an interruption (cc 1): the one of subchannel no. */
static void
tpi_takes(struct h *h, uint16_t no)
{
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    assert_int_equal(tpi_sch_no(h), no);
}

static void
tpi_cc0_when_nothing_pending(void **state)
{
    struct h *h = *state;

    memset(h->mem + H_TPI, 0xA5, 12);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    assert_int_equal(h->mem[H_TPI], 0xA5);
}

static void
tpi_cc1_stores_sid_and_intparm(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 2, 3, 0x11223344);
    memset(h->mem + H_TPI, 0xA5, 12);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    assert_int_equal(zv_be16(h->mem + H_TPI), 0x0001);
    assert_int_equal(tpi_sch_no(h), 2);
    assert_int_equal(zv_be32(h->mem + H_TPI + 4), 0x11223344);
    /* Two words only. */
    assert_int_equal(h->mem[H_TPI + 8], 0xA5);
}

static void
tpi_addr0_stores_lowcore_b8_bc_c0(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 1, 5, 0x55667788);
    assert_cc(css_insn_tpi(h->css, 0), ZV_CC1);
    assert_int_equal(zv_be32(h->mem + 0xB8), 0x00010001);
    assert_int_equal(zv_be32(h->mem + 0xBC), 0x55667788);
    assert_int_equal(zv_be32(h->mem + 0xC0), 5u << 27);
}

static void
tpi_leaves_subchannel_status_pending(void **state)
{
    struct h *h = *state;
    struct irb irb;

    pending_on_isc(h, 0, 3, 1);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
}

static void
tpi_takes_isc0_before_isc7(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 1, 7, 7);
    pending_on_isc(h, 2, 0, 0);
    pending_on_isc(h, 3, 4, 4);
    tpi_takes(h, 2);
    tpi_takes(h, 3);
    tpi_takes(h, 1);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
tpi_fifo_within_one_isc(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 3, 2, 3);
    pending_on_isc(h, 0, 2, 0);
    pending_on_isc(h, 1, 2, 1);
    tpi_takes(h, 3);
    tpi_takes(h, 0);
    tpi_takes(h, 1);
}

static void
tpi_cr6_mask_hides_disabled_isc(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 0, 3, 0);
    css_set_isc_mask(h->css, (uint8_t) ~(0x80u >> 3));
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
    css_set_isc_mask(h->css, 0x80u >> 3);
    tpi_takes(h, 0);
}

static void
tpi_specification_when_not_word_aligned(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 0, 3, 0);
    assert_pic(css_insn_tpi(h->css, H_TPI + 2), ZV_PIC_SPECIFICATION);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
}

static void
tpi_protection_keeps_interruption_pending(void **state)
{
    struct h *h = *state;

    pending_on_isc(h, 0, 3, 0);
    assert_pic(css_insn_tpi(h->css, H_RO_ADDR), ZV_PIC_PROTECTION);
    assert_pic(css_insn_tpi(h->css, H_HOLE), ZV_PIC_ADDRESSING);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
}

static void
tpi_cc0_after_tsch_cleared_status(void **state)
{
    struct h *h = *state;
    struct irb irb;

    pending_on_isc(h, 0, 3, 0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_cc(css_insn_tpi(h->css, 0), ZV_CC0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(tpi_cc0_when_nothing_pending),
        T(tpi_cc1_stores_sid_and_intparm),
        T(tpi_addr0_stores_lowcore_b8_bc_c0),
        T(tpi_leaves_subchannel_status_pending),
        T(tpi_takes_isc0_before_isc7),
        T(tpi_fifo_within_one_isc),
        T(tpi_cr6_mask_hides_disabled_isc),
        T(tpi_specification_when_not_word_aligned),
        T(tpi_protection_keeps_interruption_pending),
        T(tpi_cc0_after_tsch_cleared_status),
    };

    return cmocka_run_group_tests_name("tpi", tests, NULL, NULL);
}
