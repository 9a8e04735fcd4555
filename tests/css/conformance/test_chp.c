/* SPDX-License-Identifier: MIT */
/* Channel paths: configure, vary, failure (css-pop.md §6.1, §6.2). */
#include "harness.h"

#include "css/css_priv.h" /* css_chp_usable */

#include <errno.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

static void
chp_configure_off_resets_pam_and_reports_erc7(void **state)
{
    struct h *h = *state;
    struct crw crw;
    struct schib s;

    assert_int_equal(css_chp_configure(h->css, H_CHP1, false), 0);
    for (unsigned no = 0; no < H_NSCH; no++) {
        h_stsch(h, no, &s);
        assert_int_equal(s.pmcw.pam, 0x80);
        assert_int_equal(s.pmcw.pim, 0xC0);
    }
    assert_cc(css_stcrw(h->css, &crw), ZV_CC0);
    assert_int_equal(crw.rsc, CRW_RSC_CPATH);
    assert_int_equal(crw.erc, CRW_ERC_PERRI);
    assert_int_equal(crw.rsid & 0xFF, H_CHP1);
    assert_false(crw.slct);
    assert_false(css_chp_usable(h->css, H_CHP1));
}

static void
chp_configure_on_sets_pam_and_reports_erc2(void **state)
{
    struct h *h = *state;
    struct crw crw;
    struct schib s;

    assert_int_equal(css_chp_configure(h->css, H_CHP0, false), 0);
    assert_cc(css_stcrw(h->css, &crw), ZV_CC0);
    assert_int_equal(css_chp_configure(h->css, H_CHP0, true), 0);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.pam, 0xC0);
    assert_cc(css_stcrw(h->css, &crw), ZV_CC0);
    assert_int_equal(crw.rsc, CRW_RSC_CPATH);
    assert_int_equal(crw.erc, CRW_ERC_INIT);
    assert_int_equal(crw.rsid & 0xFF, H_CHP0);
    assert_true(css_chp_usable(h->css, H_CHP0));
}

static void
chp_configure_to_same_state_reports_nothing(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_chp_configure(h->css, H_CHP0, true), 0);
    assert_int_equal(css_crw_pending(h->css), 0);
}

static void
chp_configure_unknown_chpid_enodev(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_chp_configure(h->css, 0x99, false), -ENODEV);
    assert_int_equal(css_chp_vary(h->css, 0x99, false), -ENODEV);
    assert_int_equal(css_chp_set_failed(h->css, 0x99, true), -ENODEV);
    assert_false(css_chp_installed(h->css, 0x99));
    assert_true(css_chp_installed(h->css, H_CHP0));
    assert_int_equal(css_chp_define(h->css, H_CHP0, CHP_TYPE_FICON), -EEXIST);
}

static void
chp_vary_changes_nothing_architected(void **state)
{
    struct h *h = *state;
    struct schib s;

    assert_int_equal(css_chp_vary(h->css, H_CHP0, false), 0);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.pam, 0xC0);
    assert_int_equal(css_crw_pending(h->css), 0);
    assert_true(css_chp_usable(h->css, H_CHP0));
}

static void
chp_failed_path_is_not_usable(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_chp_set_failed(h->css, H_CHP0, true), 0);
    assert_false(css_chp_usable(h->css, H_CHP0));
    assert_int_equal(css_chp_set_failed(h->css, H_CHP0, false), 0);
    assert_true(css_chp_usable(h->css, H_CHP0));
}

static void
chp_failed_path_during_io_ends_it(void **state)
{
    struct h *h = *state;
    struct orb o;
    struct irb irb;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.lpm = 0x80; /* only CHPID 0x40 */
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run_for(h, 1);
    assert_int_equal(css_chp_set_failed(h->css, H_CHP0, true), 0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_ALERT);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
}

static void
chp_configure_off_during_io_ends_it(void **state)
{
    struct h *h = *state;
    struct orb o;
    struct irb irb;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.lpm = 0x80;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run_for(h, 1);
    assert_int_equal(css_chp_configure(h->css, H_CHP0, false), 0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.stctl & SCSW_STCTL_ALERT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(chp_configure_off_resets_pam_and_reports_erc7),
        T(chp_configure_on_sets_pam_and_reports_erc2),
        T(chp_configure_to_same_state_reports_nothing),
        T(chp_configure_unknown_chpid_enodev),
        T(chp_vary_changes_nothing_architected),
        T(chp_failed_path_is_not_usable),
        T(chp_failed_path_during_io_ends_it),
        T(chp_configure_off_during_io_ends_it),
    };

    return cmocka_run_group_tests_name("chp", tests, NULL, NULL);
}
