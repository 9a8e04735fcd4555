/* SPDX-License-Identifier: MIT */
/* STORE CHANNEL REPORT WORD and the CRW queue (css-pop.md §2.6, §4.10,
 * §6.4). */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static struct zv_insn_rc
stcrw(struct h *h, struct crw *crw)
{
    struct zv_insn_rc rc = css_insn_stcrw(h->css, H_CRW);

    if (rc.pic == ZV_PIC_NONE)
        crw_decode(crw, h->mem + H_CRW);
    return rc;
}

static void
hotplug(struct h *h, uint16_t no)
{
    struct css_sch_desc d = {.sch_no = no, .pim = 0x80, .chpid = {H_CHP0}};

    assert_int_equal(css_sch_define(h->css, &d, NULL, true, NULL), 0);
}

static void
stcrw_cc1_stores_zeros_when_empty(void **state)
{
    struct h *h = *state;
    struct crw crw;

    memset(h->mem + H_CRW, 0xA5, 4);
    assert_cc(stcrw(h, &crw), ZV_CC1);
    assert_int_equal(zv_be32(h->mem + H_CRW), 0);
}

static void
stcrw_cc0_stores_subchannel_report_on_hotplug(void **state)
{
    struct h *h = *state;
    struct crw crw;

    hotplug(h, 0x42);
    assert_int_equal(css_crw_pending(h->css), 1);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_int_equal(crw.rsc, CRW_RSC_SCH);
    assert_int_equal(crw.erc, CRW_ERC_IPARM);
    assert_int_equal(crw.rsid, 0x42);
    assert_false(crw.chn);
    assert_false(crw.oflw);
    assert_false(crw.slct);
    assert_cc(stcrw(h, &crw), ZV_CC1);
}

static void
stcrw_boot_subchannels_make_no_report(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_crw_pending(h->css), 0);
}

static void
stcrw_reports_undefine(void **state)
{
    struct h *h = *state;
    struct crw crw;

    assert_int_equal(css_sch_undefine(h->css, h->sch[2]), 0);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_int_equal(crw.rsc, CRW_RSC_SCH);
    assert_int_equal(crw.erc, CRW_ERC_IPARM);
    assert_int_equal(crw.rsid, 2);
}

static void
stcrw_specification_when_not_word_aligned(void **state)
{
    struct h *h = *state;

    hotplug(h, 0x42);
    assert_pic(css_insn_stcrw(h->css, H_CRW + 1), ZV_PIC_SPECIFICATION);
    assert_int_equal(css_crw_pending(h->css), 1);
}

static void
stcrw_access_exception_keeps_crw(void **state)
{
    struct h *h = *state;

    hotplug(h, 0x42);
    assert_pic(css_insn_stcrw(h->css, H_RO_ADDR), ZV_PIC_PROTECTION);
    assert_pic(css_insn_stcrw(h->css, H_HOLE), ZV_PIC_ADDRESSING);
    assert_int_equal(css_crw_pending(h->css), 1);
}

static void
stcrw_fifo_order(void **state)
{
    struct h *h = *state;
    struct crw crw;

    hotplug(h, 10);
    hotplug(h, 11);
    hotplug(h, 12);
    for (uint16_t no = 10; no <= 12; no++) {
        assert_cc(stcrw(h, &crw), ZV_CC0);
        assert_int_equal(crw.rsid, no);
    }
}

static void
crw_notify_fires_on_empty_to_nonempty_only(void **state)
{
    struct h *h = *state;
    struct crw crw;

    hotplug(h, 10);
    hotplug(h, 11);
    assert_int_equal(h->crw_notes, 0); /* from a loop event, not inline */
    h_run(h);
    assert_int_equal(h->crw_notes, 1);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    hotplug(h, 12);
    h_run(h);
    assert_int_equal(h->crw_notes, 1);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    hotplug(h, 13);
    h_run(h);
    assert_int_equal(h->crw_notes, 2);
}

static int
setup_small_queue(void **state)
{
    struct css_config cfg = {.crw_queue_max = 2};

    return h_setup_cfg(state, &cfg);
}

static void
crw_overflow_sets_r_on_next_stored(void **state)
{
    struct h *h = *state;
    struct crw crw;

    hotplug(h, 10);
    hotplug(h, 11);
    hotplug(h, 12); /* lost */
    assert_int_equal(css_crw_pending(h->css), 2);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_true(crw.oflw);
    assert_int_equal(crw.rsid, 10);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_false(crw.oflw);
    assert_int_equal(crw.rsid, 11);
    assert_cc(stcrw(h, &crw), ZV_CC1);
}

static int
setup_mss(void **state)
{
    struct css_config cfg = {.mss = true, .max_ssid = 3};

    return h_setup_cfg(state, &cfg);
}

static void
crw_subchannel_report_chained_with_ssid_under_mss(void **state)
{
    struct h *h = *state;
    struct css_sch_desc d = {
        .ssid = 2, .sch_no = 0x99, .pim = 0x80, .chpid = {H_CHP0}};
    struct crw crw;

    assert_int_equal(css_sch_define(h->css, &d, NULL, true, NULL), 0);
    assert_int_equal(css_crw_pending(h->css), 2);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_true(crw.chn);
    assert_int_equal(crw.rsid, 0x99);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_false(crw.chn);
    assert_int_equal(crw.rsc, CRW_RSC_SCH);
    assert_int_equal((crw.rsid >> 4) & 3, 2);
}

static int
setup_mss_small(void **state)
{
    struct css_config cfg = {.mss = true, .max_ssid = 1, .crw_queue_max = 3};

    return h_setup_cfg(state, &cfg);
}

static void
crw_chain_is_never_split_by_overflow(void **state)
{
    struct h *h = *state;
    struct css_sch_desc d = {.ssid = 1, .pim = 0x80, .chpid = {H_CHP0}};
    struct crw crw;

    d.sch_no = 1;
    assert_int_equal(css_sch_define(h->css, &d, NULL, true, NULL), 0);
    d.sch_no = 2; /* a chain of two no longer fits in 3 */
    assert_int_equal(css_sch_define(h->css, &d, NULL, true, NULL), 0);
    assert_int_equal(css_crw_pending(h->css), 2);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_true(crw.oflw);
    assert_true(crw.chn);
    assert_cc(stcrw(h, &crw), ZV_CC0);
    assert_false(crw.chn);
    assert_cc(stcrw(h, &crw), ZV_CC1);
}

static void
stcrw_direct_form_matches(void **state)
{
    struct h *h = *state;
    struct crw crw;

    hotplug(h, 77);
    assert_cc(css_stcrw(h->css, &crw), ZV_CC0);
    assert_int_equal(crw.rsid, 77);
    assert_cc(css_stcrw(h->css, &crw), ZV_CC1);
    assert_int_equal(crw_to_word(&crw), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(stcrw_cc1_stores_zeros_when_empty),
        T(stcrw_cc0_stores_subchannel_report_on_hotplug),
        T(stcrw_boot_subchannels_make_no_report),
        T(stcrw_reports_undefine),
        T(stcrw_specification_when_not_word_aligned),
        T(stcrw_access_exception_keeps_crw),
        T(stcrw_fifo_order),
        T(crw_notify_fires_on_empty_to_nonempty_only),
        cmocka_unit_test_setup_teardown(crw_overflow_sets_r_on_next_stored,
                                        setup_small_queue, h_teardown),
        cmocka_unit_test_setup_teardown(
            crw_subchannel_report_chained_with_ssid_under_mss, setup_mss,
            h_teardown),
        cmocka_unit_test_setup_teardown(crw_chain_is_never_split_by_overflow,
                                        setup_mss_small, h_teardown),
        T(stcrw_direct_form_matches),
    };

    return cmocka_run_group_tests_name("stcrw", tests, NULL, NULL);
}
