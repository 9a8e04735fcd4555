/* SPDX-License-Identifier: MIT */
/*
 * Engine: path selection and path/device loss (css-pop.md §4.12, §6.1,
 * §5.8): PIM & PAM & LPM & usable paths, PNOM/POM/LPUM, deferred cc 3
 * with N, interface-control check when the path in use is lost, and a
 * device that vanishes mid-program.
 */
#include "eh.h"

#include <string.h>

#define A   EH_CCW
#define LAT 1000

static void
first_usable_path_is_used(void **state)
{
    struct eh *h = *state;
    struct schib s;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.lpum, 0x80);
    assert_int_equal(s.pmcw.pnom, 0);
}

static void
lpm_restricts_selection(void **state)
{
    struct eh *h = *state;
    struct orb o;
    struct schib s;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_orb(&o, A);
    o.lpm = 0x40;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    eh_expect_clean(h, A + 8);
    assert_int_equal(h->irb.esw.lpum, 0x40);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.lpum, 0x40);
}

static void
failed_path_is_skipped_and_noted_in_pnom(void **state)
{
    struct eh *h = *state;
    struct schib s;

    assert_int_equal(css_chp_set_failed(h->css, EH_CHP0, true), 0);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, 0, A + 8, 0);
    assert_true(h->irb.scsw.pno);
    assert_int_equal(h->irb.esw.lpum, 0x40);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.pnom, 0x80);
    assert_int_equal(s.pmcw.pom & 0x80, 0);
    assert_int_equal(s.pmcw.lpum, 0x40);
}

static void
no_path_in_lpm_is_deferred_cc3(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_orb(&o, A);
    o.lpm = 0x20; /* not installed */
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.cc, 3);
    assert_int_equal(h->irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h->irb.scsw.actl, 0);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_false(h->irb.scsw.pno); /* no path was tried */
    assert_int_equal(h->irb.scsw.cpa, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
}

static void
all_paths_failed_is_deferred_cc3_with_n(void **state)
{
    struct eh *h = *state;
    struct schib s;

    css_chp_set_failed(h->css, EH_CHP0, true);
    css_chp_set_failed(h->css, EH_CHP1, true);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.cc, 3);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_true(h->irb.scsw.pno);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.pnom, 0xC0);
    assert_int_equal(s.pmcw.pom & 0xC0, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
    /* Restored: the next start selects again and clears PNOM. */
    css_chp_set_failed(h->css, EH_CHP0, false);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.pnom, 0);
    assert_int_equal(s.pmcw.pom & 0x80, 0x80);
}

static void
resume_with_no_path_left_is_deferred_cc3(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    eh_orb(&o, A);
    o.spnd = true;
    o.ssic = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    eh_run(h);
    css_chp_set_failed(h->css, EH_CHP0, true);
    css_chp_set_failed(h->css, EH_CHP1, true);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    assert_int_equal(css_sch_rsch(h->sch).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.cc, 3);
    assert_true(h->irb.scsw.pno);
    assert_int_equal(h->irb.scsw.actl, 0);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_int_equal(testdev_log_count(h->td), 0);
}

static void
path_lost_during_program_is_interface_control_check(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    css_chp_set_failed(h->css, EH_CHP0, true);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, 0,
                  SCHN_STAT_INTF_CTRL_CHK, A + 8, 0);
    assert_true(h->irb.scsw.eswf);
    assert_int_equal(h->irb.esw.sublog.lpum, 0x80);
    /* The second command never ran. */
    assert_int_equal(testdev_log_count(h->td), 1);
}

static void
path_lost_from_device_hook_mid_chain(void **state)
{
    struct eh *h = *state;

    testdev_fail_path_after(h->td, 2, h->css, EH_CHP0);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, 0,
                  SCHN_STAT_INTF_CTRL_CHK, A + 16, 0);
    assert_int_equal(testdev_log_count(h->td), 2);
    assert_int_equal(eh_tsch(h), 1);
}

static void
losing_an_unused_path_does_not_disturb(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    css_chp_set_failed(h->css, EH_CHP1, true);
    eh_expect_clean(h, A + 8);
}

static void
configure_off_path_in_use_ends_program(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(css_chp_configure(h->css, EH_CHP0, false), 0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.cstat, SCHN_STAT_INTF_CTRL_CHK);
    assert_int_equal(h->irb.scsw.stctl, SC_ALERT_FINAL);
}

static void
device_lost_mid_program_leaves_no_status(void **state)
{
    struct eh *h = *state;

    testdev_lose_device_after(h->td, 2, h->css, h->sch);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_null(css_sch_find(h->css, 0, 0));
    assert_int_equal(testdev_log_count(h->td), 2);
}

static void
device_lost_during_latency(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(css_sch_undefine(h->css, h->sch), 0);
    eh_run(h);
    assert_null(css_sch_find(h->css, 0, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(first_usable_path_is_used),
        T(lpm_restricts_selection),
        T(failed_path_is_skipped_and_noted_in_pnom),
        T(no_path_in_lpm_is_deferred_cc3),
        T(all_paths_failed_is_deferred_cc3_with_n),
        T(resume_with_no_path_left_is_deferred_cc3),
        T(path_lost_during_program_is_interface_control_check),
        T(path_lost_from_device_hook_mid_chain),
        T(losing_an_unused_path_does_not_disturb),
        T(configure_off_path_in_use_ends_program),
        T(device_lost_mid_program_leaves_no_status),
        T(device_lost_during_latency),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
