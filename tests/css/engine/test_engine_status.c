/* SPDX-License-Identifier: MIT */
/*
 * Engine: intermediate and unusual status (css-pop.md §4.12, §5.6, §5.7,
 * §5.9, §3): PCI, initial status (Z), suspend and resume, unit check with
 * and without concurrent sense, busy at initial selection (deferred cc 1),
 * unsolicited status.
 */
#include "eh.h"

#include <string.h>

#define A   EH_CCW
#define LAT 1000

static const uint8_t SC_INTER = SCSW_STCTL_INTER | SCSW_STCTL_PENDING;
static const uint8_t AC_ACTIVE = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;

static void
start_orb(struct eh *h, bool s, bool u, bool i)
{
    struct orb o;

    eh_orb(&o, A);
    o.spnd = s;
    o.ssic = u;
    o.isic = i;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
}

static void
pci_makes_intermediate_status_while_program_runs(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_PCI, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT + LAT / 2);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, SCSW_FCTL_START, AC_ACTIVE, SC_INTER, 0, SCHN_STAT_PCI,
                   A + 16, 0);
    /* The program goes on; the PCI was cleared, the final status is
     * clean. */
    eh_expect_clean(h, A + 24);
    assert_int_equal(testdev_log_count(h->td), 3);
}

static void
pci_not_cleared_shows_with_final_status(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_PCI, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL | SCSW_STCTL_INTER, CEDE,
                  SCHN_STAT_PCI, A + 16, 0);
}

static void
later_pci_replaces_uncleared_earlier_one(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_PCI, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_PCI, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT + LAT / 2);
    assert_int_equal(eh_tsch(h), 0);
    /* One intermediate condition, CPA of the second PCI CCW. */
    eh_assert_scsw(h, SCSW_FCTL_START, AC_ACTIVE, SC_INTER, 0, SCHN_STAT_PCI,
                   A + 16, 0);
    assert_int_equal(eh_tsch(h), 1);
    eh_expect_clean(h, A + 24);
}

static void
pci_on_data_chained_ccw_when_it_takes_control(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[8] = "abcdefgh";

    eh_respond(h, 0x02, CEDE, data, 8, LAT);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, CCW_FLAG_PCI, 4, EH_DATA + 4);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, SCSW_FCTL_START, AC_ACTIVE, SC_INTER, 0, SCHN_STAT_PCI,
                   A + 16, 0);
    eh_expect_clean(h, A + 16);
}

static void
initial_status_sets_z_when_device_accepts(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[4] = "abcd";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), LAT);
    eh_ccw1(h, A, 0x02, 0, 4, EH_DATA);
    start_orb(h, false, false, true);
    eh_run_for(h, LAT / 2);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, SCSW_FCTL_START, AC_ACTIVE, SC_INTER, 0, 0, A + 8, 0);
    assert_true(h->irb.scsw.zcc);
    assert_true(h->irb.scsw.isic);
    eh_expect_clean(h, A + 8);
}

static void
initial_status_waits_for_first_non_immediate_command(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[4] = "abcd";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x02, 0, 4, EH_DATA);
    start_orb(h, false, false, true);
    eh_run_for(h, LAT / 2);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, SCSW_FCTL_START, AC_ACTIVE, SC_INTER, 0, 0, A + 16, 0);
    assert_true(h->irb.scsw.zcc);
    eh_expect_clean(h, A + 16);
}

static void
initial_status_not_cleared_keeps_z_in_final(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[4] = "abcd";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, 0, 4, EH_DATA);
    start_orb(h, false, false, true);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL | SCSW_STCTL_INTER, CEDE, 0,
                  A + 8, 0);
    assert_true(h->irb.scsw.zcc);
}

static void
first_command_rejected_shows_z_with_final_status(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x55, 0, 0, 0); /* command reject at initial selection */
    start_orb(h, false, false, true);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL,
                  CEDE | DEV_STAT_UNIT_CHECK, 0, A + 8, 0);
    assert_true(h->irb.scsw.zcc);
}

static void
no_z_without_orb_i(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(eh_tsch(h), 1);
    eh_expect_clean(h, A + 8);
}

static void
suspend_makes_intermediate_status(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x02, CCW_FLAG_SUSPEND, 16, EH_DATA);
    start_orb(h, true, false, false);
    eh_expect_end(h, SCSW_FCTL_START, SCSW_ACTL_SUSPENDED, SC_INTER, 0, 0,
                  A + 16, 16);
    assert_true(h->irb.scsw.sctl);
    assert_int_equal(testdev_log_count(h->td), 1);
}

static void
suspend_with_pci_reports_pci(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND | CCW_FLAG_PCI, 0, 0);
    start_orb(h, true, false, false);
    eh_expect_end(h, SCSW_FCTL_START, SCSW_ACTL_SUSPENDED, SC_INTER, 0,
                  SCHN_STAT_PCI, A + 8, 0);
}

static void
suspend_with_u_makes_no_interruption(void **state)
{
    struct eh *h = *state;
    struct schib s;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    start_orb(h, true, true, false);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 1);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.actl, SCSW_ACTL_SUSPENDED);
    assert_int_equal(s.scsw.stctl, 0);
    assert_int_equal(s.scsw.cpa, A + 8);
}

static void
resume_refetches_suspended_ccw(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    start_orb(h, true, false, false);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    /* The program rewrites the CCW, then resumes. */
    eh_ccw1(h, A + 8, 0x13, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_respond(h, 0x13, CEDE, NULL, 0, 0);
    assert_int_equal(css_sch_rsch(h->sch).cc, ZV_CC0);
    eh_expect_clean(h, A + 24);
    assert_int_equal(testdev_log_count(h->td), 3);
    assert_int_equal(testdev_log(h->td, 1)->cmd, 0x13);
    assert_false(testdev_log(h->td, 1)->initial);
}

static void
resume_with_s_still_set_suspends_again(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    start_orb(h, true, false, false);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(css_sch_rsch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_START, SCSW_ACTL_SUSPENDED, SC_INTER, 0, 0,
                  A + 8, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
}

static void
resume_before_suspend_point_skips_suspension(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    start_orb(h, true, false, false);
    eh_run_for(h, LAT / 2);
    assert_int_equal(css_sch_rsch(h->sch).cc, ZV_CC0);
    eh_expect_clean(h, A + 16);
    assert_int_equal(testdev_log_count(h->td), 2);
}

static void
unit_check_with_concurrent_sense_fills_ecw(void **state)
{
    struct eh *h = *state;

    eh_modify(h, true, 0xFF);
    eh_ccw1(h, A, 0x55, 0, 0, 0); /* unknown: command reject */
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL,
                  CEDE | DEV_STAT_UNIT_CHECK, 0, A + 8, 0);
    assert_true(h->irb.scsw.ectl);
    assert_true(h->irb.esw.erw.s);
    assert_int_equal(h->irb.esw.erw.scnt, 32);
    assert_int_equal(h->irb.ecw[0], SNS0_CMD_REJECT);
}

static void
unit_check_without_concurrent_sense_needs_basic_sense(void **state)
{
    struct eh *h = *state;
    static const uint8_t sense[4] = {SNS0_EQUIPMENT_CHECK, 1, 2, 3};
    struct testdev_resp r = {
        .dstat = CEDE | DEV_STAT_UNIT_CHECK,
        .sense = sense,
        .sense_len = sizeof(sense),
    };

    assert_int_equal(testdev_set_response(h->td, 0x07, &r), 0);
    eh_ccw1(h, A, 0x07, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL,
                  CEDE | DEV_STAT_UNIT_CHECK, 0, A + 8, 0);
    assert_false(h->irb.scsw.ectl);
    assert_false(h->irb.esw.erw.s);
    eh_ccw1(h, A, CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, 32, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA, sense, sizeof(sense));
}

static void
busy_at_initial_selection_is_deferred_cc1(void **state)
{
    struct eh *h = *state;

    testdev_busy_next(h->td, 1);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.cc, 1);
    assert_int_equal(h->irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h->irb.scsw.actl, 0);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
    assert_int_equal(h->irb.scsw.dstat, DEV_STAT_BUSY);
    /* The next start finds the device free. */
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
}

static void
unsolicited_attention_on_idle_subchannel(void **state)
{
    struct eh *h = *state;

    testdev_unsolicited(h->td, DEV_STAT_ATTENTION);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, 0, 0, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING,
                   DEV_STAT_ATTENTION, 0, 0, 0);
    assert_int_equal(h->irb.scsw.cc, 0);
    assert_int_equal(eh_tsch(h), 1);
}

static void
unsolicited_status_merges_while_pending(void **state)
{
    struct eh *h = *state;

    testdev_unsolicited(h->td, DEV_STAT_ATTENTION);
    testdev_unsolicited(h->td, DEV_STAT_DEV_END);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DEV_STAT_ATTENTION | DEV_STAT_DEV_END);
}

static void
unsolicited_ignored_on_disabled_subchannel(void **state)
{
    struct eh *h = *state;
    struct schib s;

    css_sch_stsch(h->sch, &s);
    s.pmcw.ena = false;
    assert_int_equal(css_sch_msch(h->sch, &s).cc, ZV_CC0);
    testdev_unsolicited(h->td, DEV_STAT_ATTENTION);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.stctl, 0);
}

static void
unsolicited_refused_while_busy(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    testdev_unsolicited(h->td, DEV_STAT_ATTENTION);
    /* Function state is untouched; the start ends normally. */
    assert_int_equal(eh_tsch(h), 1);
    eh_expect_clean(h, A + 8);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(pci_makes_intermediate_status_while_program_runs),
        T(pci_not_cleared_shows_with_final_status),
        T(later_pci_replaces_uncleared_earlier_one),
        T(pci_on_data_chained_ccw_when_it_takes_control),
        T(initial_status_sets_z_when_device_accepts),
        T(initial_status_waits_for_first_non_immediate_command),
        T(initial_status_not_cleared_keeps_z_in_final),
        T(first_command_rejected_shows_z_with_final_status),
        T(no_z_without_orb_i),
        T(suspend_makes_intermediate_status),
        T(suspend_with_pci_reports_pci),
        T(suspend_with_u_makes_no_interruption),
        T(resume_refetches_suspended_ccw),
        T(resume_with_s_still_set_suspends_again),
        T(resume_before_suspend_point_skips_suspension),
        T(unit_check_with_concurrent_sense_fills_ecw),
        T(unit_check_without_concurrent_sense_needs_basic_sense),
        T(busy_at_initial_selection_is_deferred_cc1),
        T(unsolicited_attention_on_idle_subchannel),
        T(unsolicited_status_merges_while_pending),
        T(unsolicited_ignored_on_disabled_subchannel),
        T(unsolicited_refused_while_busy),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
