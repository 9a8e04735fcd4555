/* SPDX-License-Identifier: MIT */
/*
 * Engine: halt, clear and cancel (css-pop.md §4.3-§4.5) in each state,
 * and a device whose answer arrives after the function that ended its
 * command (discarded safely).
 */
#include "eh.h"

#include <string.h>

#define A   EH_CCW
#define LAT 1000

static const uint8_t FC_SH = SCSW_FCTL_START | SCSW_FCTL_HALT;

static void
hold_command(struct eh *h, uint8_t cmd)
{
    struct testdev_resp r = {.dstat = CEDE, .hold = true};

    assert_int_equal(testdev_set_response(h->td, cmd, &r), 0);
}

static void
halt_start_pending_withdraws_without_signal(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.fctl, FC_SH);
    assert_int_equal(h->irb.scsw.actl, 0);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_PENDING);
    assert_int_equal(h->irb.scsw.dstat, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
    assert_int_equal(testdev_signal_count(h->td, CSS_SIGNAL_HALT), 0);
}

static void
halt_active_signals_device_and_reports_de(void **state)
{
    struct eh *h = *state;
    struct schib s;

    hold_command(h, 0x07);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x07, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_true(testdev_holding(h->td));
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.actl & SCSW_ACTL_HALT_PEND, SCSW_ACTL_HALT_PEND);
    eh_expect_end(h, FC_SH, 0, SCSW_STCTL_PENDING, DEV_STAT_DEV_END, 0, A + 16,
                  0);
    assert_int_equal(testdev_signal_count(h->td, CSS_SIGNAL_HALT), 1);
    assert_false(testdev_holding(h->td));
    assert_int_equal(testdev_log_count(h->td), 2);
    assert_int_equal(eh_tsch(h), 1);
}

static void
halt_during_latency_drops_the_status(void **state)
{
    struct eh *h = *state;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, FC_SH, 0, SCSW_STCTL_PENDING, DEV_STAT_DEV_END, 0, A + 8,
                  0);
    assert_int_equal(testdev_log_count(h->td), 1);
    assert_int_equal(eh_tsch(h), 1);
}

static void
halt_idle_subchannel_gives_halt_status(void **state)
{
    struct eh *h = *state;

    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_HALT, 0, SCSW_STCTL_PENDING, DEV_STAT_DEV_END, 0,
                  0, 0);
    assert_int_equal(testdev_signal_count(h->td, CSS_SIGNAL_HALT), 1);
}

static void
halt_after_completed_program_reports_no_cpa(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_HALT, 0, SCSW_STCTL_PENDING, DEV_STAT_DEV_END, 0,
                  0, 0);
}

static void
halt_suspended_program(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    eh_orb(&o, A);
    o.spnd = true;
    o.ssic = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, FC_SH, 0, SCSW_STCTL_PENDING, 0, 0, A + 16, 0);
    assert_int_equal(testdev_signal_count(h->td, CSS_SIGNAL_HALT), 0);
}

static void
clear_active_resets_scsw_and_path_fields(void **state)
{
    struct eh *h = *state;
    struct schib s;

    css_chp_set_failed(h->css, EH_CHP0, true);
    hold_command(h, 0x07);
    eh_ccw1(h, A, 0x07, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.pnom, 0x80);
    assert_int_equal(css_sch_csch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_CLEAR, 0, SCSW_STCTL_PENDING, 0, 0, 0, 0);
    assert_false(h->irb.scsw.pno);
    assert_false(h->irb.scsw.fmt);
    assert_int_equal(h->irb.scsw.key, 0);
    assert_int_equal(testdev_signal_count(h->td, CSS_SIGNAL_CLEAR), 1);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.pmcw.pom, 0xFF);
    assert_int_equal(s.pmcw.pnom, 0);
    assert_int_equal(s.pmcw.lpum, 0x40);
}

static void
clear_over_final_status(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x55, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(css_sch_csch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_CLEAR, 0, SCSW_STCTL_PENDING, 0, 0, 0, 0);
    assert_int_equal(eh_tsch(h), 1);
}

static void
clear_after_halt_pending_wins(void **state)
{
    struct eh *h = *state;

    hold_command(h, 0x07);
    eh_ccw1(h, A, 0x07, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(css_sch_hsch(h->sch).cc, ZV_CC0);
    assert_int_equal(css_sch_csch(h->sch).cc, ZV_CC0);
    eh_expect_end(h, SCSW_FCTL_CLEAR, 0, SCSW_STCTL_PENDING, 0, 0, 0, 0);
    assert_int_equal(eh_tsch(h), 1);
}

static void
cancel_start_pending_is_silent(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    assert_int_equal(css_sch_xsch(h->sch).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 1);
    assert_int_equal(h->irb.scsw.fctl, 0);
    assert_int_equal(h->irb.scsw.actl, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
    /* The subchannel takes a new start. */
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
}

static void
cancel_suspended_program(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    eh_orb(&o, A);
    o.spnd = true;
    o.ssic = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_xsch(h->sch).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 1);
    assert_int_equal(h->irb.scsw.fctl, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
}

/*
 * Busy at initial selection with device latency: the engine has selected
 * a path and holds the busy status for a later event, but the subchannel
 * is still start pending, so XSCH applies (css-pop.md §4.5).  The start is
 * withdrawn with no interruption: the held status must not surface later
 * as a deferred cc 1, not on the idle subchannel and not after MSCH has
 * disabled it (a disabled subchannel cannot become status pending, §3).
 */
static void
cancel_after_busy_at_selection_is_silent(void **state)
{
    struct eh *h = *state;
    struct schib s;

    eh_respond(h, 0x07, DEV_STAT_BUSY, NULL, 0, LAT);
    eh_ccw1(h, A, 0x07, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, LAT / 2);
    assert_int_equal(testdev_log_count(h->td), 1);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.actl, SCSW_ACTL_START_PEND);
    assert_int_equal(css_sch_xsch(h->sch).cc, ZV_CC0);
    s.pmcw.ena = false;
    assert_int_equal(css_sch_msch(h->sch, &s).cc, ZV_CC0);
    eh_run(h);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.stctl, 0);
    assert_int_equal(s.scsw.fctl, 0);
    /* Enabled again: still nothing pending, and a new start runs. */
    eh_modify(h, false, 0xFF);
    assert_int_equal(eh_tsch(h), 1);
    eh_respond(h, 0x07, CEDE, NULL, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
}

/* A device that ignores signals and answers when the test says so. */
struct late_dev {
    struct css_dev dev;
    struct css_io *io;
    unsigned starts;
};

static void
late_start(struct css_dev *dev, struct css_io *io)
{
    struct late_dev *d = (struct late_dev *)(void *)dev;

    d->io = io;
    d->starts++;
}

static const struct css_dev_ops late_ops = {.start = late_start};

static struct subchannel *
late_define(struct eh *h, struct late_dev *d)
{
    struct css_sch_desc desc = {
        .sch_no = 1, .devno = 0x2000, .pim = 0x80, .chpid = {EH_CHP0}};
    struct subchannel *sch;
    struct schib s;

    memset(d, 0, sizeof(*d));
    d->dev.ops = &late_ops;
    assert_int_equal(css_sch_define(h->css, &desc, &d->dev, false, &sch), 0);
    css_sch_stsch(sch, &s);
    s.pmcw.ena = true;
    assert_int_equal(css_sch_msch(sch, &s).cc, ZV_CC0);
    return sch;
}

/*
 * The device's end of the halted command is its answer to the halt
 * signal: the halt completes only then (HSCH cc 2 and TSCH cc 1 before),
 * and the command's own status is void (css-pop.md §4.3).
 */
static void
late_done_after_halt_completes_the_halt(void **state)
{
    struct eh *h = *state;
    struct late_dev d;
    struct subchannel *sch = late_define(h, &d);
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_orb(&o, A);
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(d.starts, 1);
    assert_int_equal(css_sch_hsch(sch).cc, ZV_CC0);
    eh_run(h);
    /* No answer yet: the halt is still in progress. */
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC1);
    assert_int_equal(h->irb.scsw.fctl, FC_SH);
    assert_int_equal(css_sch_hsch(sch).cc, ZV_CC2);
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC2);
    /* The answer: the halt completes, the unit check is void. */
    css_io_done(d.io, CEDE | DEV_STAT_UNIT_CHECK, 0);
    css_io_done(d.io, CEDE, 0); /* a second done is ignored */
    eh_run(h);
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC0);
    assert_int_equal(h->irb.scsw.fctl, FC_SH);
    assert_int_equal(h->irb.scsw.dstat, DEV_STAT_DEV_END);
    /* The device is free: a new start runs at once. */
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(d.starts, 2);
    css_io_done(d.io, CEDE, 0);
    eh_run(h);
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC0);
    assert_int_equal(h->irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(h->irb.scsw.dstat, CEDE);
    assert_int_equal(h->irb.scsw.stctl, SC_FINAL);
}

static void
late_done_after_clear_moves_no_data(void **state)
{
    struct eh *h = *state;
    struct late_dev d;
    struct subchannel *sch = late_define(h, &d);
    struct orb o;
    uint8_t buf[4] = "abcd";

    eh_ccw1(h, A, 0x02, 0, 4, EH_DATA);
    eh_orb(&o, A);
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_csch(sch).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC0);
    /* After the clear the channel refuses the transfer. */
    assert_int_equal(css_io_write(d.io, buf, 4), -1);
    assert_int_equal(h->mem[EH_DATA], 0);
    css_io_done(d.io, CEDE, 0);
    eh_run(h);
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC1);
}

static void
late_done_after_device_loss_frees_state(void **state)
{
    struct eh *h = *state;
    struct late_dev d;
    struct subchannel *sch = late_define(h, &d);
    struct orb o;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_orb(&o, A);
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_undefine(h->css, sch), 0);
    eh_run(h);
    /* The css_io stays valid until the device answers (ASan checks). */
    css_io_done(d.io, CEDE, 0);
    eh_run(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(halt_start_pending_withdraws_without_signal),
        T(halt_active_signals_device_and_reports_de),
        T(halt_during_latency_drops_the_status),
        T(halt_idle_subchannel_gives_halt_status),
        T(halt_after_completed_program_reports_no_cpa),
        T(halt_suspended_program),
        T(clear_active_resets_scsw_and_path_fields),
        T(clear_over_final_status),
        T(clear_after_halt_pending_wins),
        T(cancel_start_pending_is_silent),
        T(cancel_suspended_program),
        T(cancel_after_busy_at_selection_is_silent),
        T(late_done_after_halt_completes_the_halt),
        T(late_done_after_clear_moves_no_data),
        T(late_done_after_device_loss_frees_state),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
