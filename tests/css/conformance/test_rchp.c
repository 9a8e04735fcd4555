/* SPDX-License-Identifier: MIT */
/* RESET CHANNEL PATH (css-pop.md §4.10, §6.3). */
#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
rchp_cc3_when_chpid_not_installed(void **state)
{
    struct h *h = *state;

    assert_cc(css_insn_rchp(h->css, 0x55), ZV_CC3);
    h_run(h);
    assert_int_equal(css_crw_pending(h->css), 0);
}

static void
rchp_operand_when_reserved_bits_set(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_rchp(h->css, 0x00000100 | H_CHP0), ZV_PIC_OPERAND);
    assert_pic(css_insn_rchp(h->css, 0x80000000 | H_CHP0), ZV_PIC_OPERAND);
    assert_pic(css_insn_rchp(h->css, 0x00010000 | H_CHP0), ZV_PIC_OPERAND);
}

static void
rchp_cc0_queues_solicited_crw_later(void **state)
{
    struct h *h = *state;
    struct crw crw;

    assert_cc(css_insn_rchp(h->css, H_CHP1), ZV_CC0);
    assert_int_equal(css_crw_pending(h->css), 0);
    h_run(h);
    assert_cc(css_stcrw(h->css, &crw), ZV_CC0);
    assert_true(crw.slct);
    assert_int_equal(crw.rsc, CRW_RSC_CPATH);
    assert_int_equal(crw.erc, CRW_ERC_INIT);
    assert_int_equal(crw.rsid & 0xFF, H_CHP1);
}

static void
rchp_cc2_while_reset_in_progress(void **state)
{
    struct h *h = *state;

    assert_cc(css_insn_rchp(h->css, H_CHP0), ZV_CC0);
    assert_cc(css_insn_rchp(h->css, H_CHP0), ZV_CC2);
    assert_cc(css_insn_rchp(h->css, H_CHP1), ZV_CC0);
    h_run(h);
    assert_cc(css_insn_rchp(h->css, H_CHP0), ZV_CC0);
}

static void
rchp_resets_subchannels_on_the_path(void **state)
{
    struct h *h = *state;
    struct schib s;

    h_make_state(h, 0, HS_STATUS_PENDING);
    h_enable(h, 1, 6);
    assert_cc(css_insn_rchp(h->css, H_CHP0), ZV_CC0);
    h_run(h);
    h_stsch(h, 0, &s);
    assert_false(s.pmcw.ena);
    assert_int_equal(s.pmcw.isc, 0);
    assert_int_equal(s.pmcw.intparm, 0);
    assert_int_equal(s.pmcw.lpum, 0);
    assert_int_equal(s.scsw.fctl | s.scsw.actl | s.scsw.stctl, 0);
    assert_int_equal(s.pmcw.dev, H_DEVNO);
    assert_int_equal(s.pmcw.pim, 0xC0);
    h_stsch(h, 1, &s);
    assert_false(s.pmcw.ena);
    /* The discarded status is no longer pending for TPI. */
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
rchp_ends_running_program_without_status(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_ACTIVE);
    assert_cc(css_insn_rchp(h->css, H_CHP1), ZV_CC0);
    h_run(h);
    assert_int_equal(h_scsw(h, 0)->fctl, 0);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
rchp_leaves_subchannels_on_other_paths(void **state)
{
    struct h *h = *state;
    struct css_sch_desc d = {
        .sch_no = 50, .devno = 0x5000, .pim = 0x80, .chpid = {0x50}};
    struct tdev dev;
    struct schib s;

    h_tdev_init(&dev);
    assert_int_equal(css_chp_define(h->css, 0x50, CHP_TYPE_FICON), 0);
    assert_int_equal(css_sch_define(h->css, &d, &dev.dev, false, NULL), 0);
    h_enable(h, 50, 2);
    assert_cc(css_insn_rchp(h->css, H_CHP0), ZV_CC0);
    h_run(h);
    h_stsch(h, 50, &s);
    assert_true(s.pmcw.ena);
    assert_int_equal(s.pmcw.isc, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(rchp_cc3_when_chpid_not_installed),
        T(rchp_operand_when_reserved_bits_set),
        T(rchp_cc0_queues_solicited_crw_later),
        T(rchp_cc2_while_reset_in_progress),
        T(rchp_resets_subchannels_on_the_path),
        T(rchp_ends_running_program_without_status),
        T(rchp_leaves_subchannels_on_other_paths),
    };

    return cmocka_run_group_tests_name("rchp", tests, NULL, NULL);
}
