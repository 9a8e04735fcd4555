/* SPDX-License-Identifier: MIT */
/* Engine: the start function, command and data chaining, ending status. */
#include "eh.h"

#include <string.h>

#define A EH_CCW

static void
nop_ends_with_ce_de_primary_secondary(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(h->irb.esw.lpum, 0x80);
    assert_true(h->irb.scsw.fmt);
    assert_true(h->irb.scsw.pfch);
    assert_int_equal(testdev_log_count(h->td), 1);
    assert_true(testdev_log(h->td, 0)->initial);
    /* The subchannel is idle after TSCH. */
    assert_int_equal(eh_tsch(h), 1);
    assert_int_equal(h->irb.scsw.fctl, 0);
}

static void
start_pending_until_the_loop_runs(void **state)
{
    struct eh *h = *state;
    struct schib s;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(s.scsw.actl, SCSW_ACTL_START_PEND);
    assert_int_equal(s.scsw.cpa, 0); /* not meaningful yet: untouched */
    assert_int_equal(testdev_log_count(h->td), 0);
    eh_expect_clean(h, A + 8);
}

static void
active_while_device_latency_runs(void **state)
{
    struct eh *h = *state;
    struct schib s;

    testdev_set_default_latency(h->td, 5000, 5000);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_run_for(h, 2000);
    css_sch_stsch(h->sch, &s);
    assert_int_equal(s.scsw.actl, SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE);
    assert_int_equal(s.scsw.stctl, 0);
    assert_int_equal(eh_tsch(h), 1);
    eh_expect_clean(h, A + 8);
    assert_true(zv_loop_now(h->loop) >= 5000);
}

static void
command_chaining_runs_each_ccw(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x13, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_respond(h, 0x13, CEDE, NULL, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 24);
    assert_int_equal(testdev_log_count(h->td), 3);
    assert_int_equal(testdev_log(h->td, 1)->cmd, 0x13);
    assert_false(testdev_log(h->td, 1)->initial);
}

static void
chaining_stops_without_cc_flag(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(testdev_log_count(h->td), 1);
}

static void
read_stores_device_data(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[6] = "zvfio";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, 0, 6, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA, data, 6);
    assert_int_equal(testdev_log(h->td, 0)->moved, 6);
}

static void
write_gives_storage_bytes_to_device(void **state)
{
    struct eh *h = *state;
    size_t len;
    const uint8_t *got;

    memcpy(h->mem + EH_DATA, "ABCDEFGH", 8);
    eh_respond(h, 0x01, CEDE, NULL, 8, 0);
    eh_ccw1(h, A, 0x01, 0, 8, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    got = testdev_log_data(h->td, 0, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(got, "ABCDEFGH", 8);
}

static void
data_chaining_spans_ccws_under_first_command(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[12] = "0123456789ab";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    /* The second CCW's command code (a write) is ignored. */
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x01, 0, 8, EH_DATA + 0x100);
    eh_start(h, A);
    eh_expect_clean(h, A + 16);
    assert_memory_equal(h->mem + EH_DATA, "0123", 4);
    assert_memory_equal(h->mem + EH_DATA + 0x100, "456789ab", 8);
    assert_int_equal(testdev_log_count(h->td), 1);
    assert_int_equal(testdev_log(h->td, 0)->cmd, 0x02);
}

static void
data_chaining_passes_through_tic(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[8] = "abcdefgh";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 4, EH_DATA);
    eh_ccw1(h, A + 8, CCW_CMD_TIC, 0, 0, A + 0x100);
    eh_ccw1(h, A + 0x100, 0x02, 0, 4, EH_DATA + 4);
    eh_start(h, A);
    eh_expect_clean(h, A + 0x108);
    assert_memory_equal(h->mem + EH_DATA, "abcdefgh", 8);
}

static void
data_chain_early_end_reports_residual_of_current_ccw(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[6] = "012345";

    /* The device ends after 6 of 4 + 8 bytes: IL even with SLI (CD). */
    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD | CCW_FLAG_SLI, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, CCW_FLAG_SLI, 8, EH_DATA + 0x100);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    /* Second CCW: 8 - 2 left.  SLI on the last CCW suppresses IL. */
    eh_assert_scsw(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, 0, A + 16, 6);
}

static void
data_chain_ending_inside_cd_ccw_is_incorrect_length(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[2] = "01";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD | CCW_FLAG_SLI, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, CCW_FLAG_SLI, 8, EH_DATA + 0x100);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, SCHN_STAT_INCORR_LEN,
                  A + 8, 2);
}

static void
status_modifier_skips_one_ccw(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x07, CEDE | DEV_STAT_STAT_MOD, NULL, 0, 0);
    eh_ccw1(h, A, 0x07, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x0B, CCW_FLAG_CC, 0, 0); /* skipped */
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 24);
    assert_int_equal(testdev_log_count(h->td), 2);
    assert_int_equal(testdev_log(h->td, 1)->cmd, CCW_CMD_NOOP);
}

static void
status_modifier_without_chaining_is_reported(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x07, CEDE | DEV_STAT_STAT_MOD, NULL, 0, 0);
    eh_ccw1(h, A, 0x07, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE | DEV_STAT_STAT_MOD, 0,
                  A + 8, 0);
}

static void
unit_exception_ends_chain_with_alert(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x07, CEDE | DEV_STAT_UNIT_EXCEP, NULL, 0, 0);
    eh_ccw1(h, A, 0x07, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL,
                  CEDE | DEV_STAT_UNIT_EXCEP, 0, A + 8, 0);
    assert_int_equal(testdev_log_count(h->td), 1);
}

static void
device_busy_during_chaining_ends_program(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x07, DEV_STAT_BUSY, NULL, 0, 0);
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x07, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 16, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0,
                  SCSW_STCTL_PRIMARY | SCSW_STCTL_ALERT | SCSW_STCTL_PENDING,
                  DEV_STAT_BUSY, 0, A + 16, 0);
    assert_int_equal(h->irb.scsw.cc, 0);
}

static void
read_backward_fills_storage_right_to_left(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[4] = "ABCD";

    eh_respond(h, 0x0C, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x0C, 0, 4, EH_DATA + 3);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA, "DCBA", 4);
}

static void
one_trace_line_per_start_and_ending_regardless_of_ccws(void **state)
{
    struct eh *h = *state;
    uint64_t n0, n1, n2;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    n0 = zv_loop_trace_count(h->loop);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    n1 = zv_loop_trace_count(h->loop);
    for (unsigned i = 0; i < 64; i++)
        eh_ccw1(h, A + 8 * i, CCW_CMD_NOOP, i < 63 ? CCW_FLAG_CC : 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 64 * 8);
    n2 = zv_loop_trace_count(h->loop);
    assert_true(n1 > n0);
    assert_int_equal(n2 - n1, n1 - n0);
}

static uint64_t
random_latency_program(struct eh *h)
{
    /* Random latencies come from the loop's seeded PRNG. */
    testdev_set_default_latency(h->td, 100, 100000);
    for (unsigned i = 0; i < 8; i++)
        eh_ccw1(h, A + 8 * i, CCW_CMD_NOOP, i < 7 ? CCW_FLAG_CC : 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 64);
    assert_true(zv_loop_now(h->loop) >= 800);
    assert_true(zv_loop_now(h->loop) <= 800000);
    return zv_loop_trace_hash(h->loop) ^ zv_loop_now(h->loop);
}

static void
same_seed_gives_same_trace(void **state)
{
    void *other;
    uint64_t a, b;

    a = random_latency_program(*state);
    eh_setup(&other);
    b = random_latency_program(other);
    eh_teardown(&other);
    assert_int_equal(a, b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(nop_ends_with_ce_de_primary_secondary),
        T(start_pending_until_the_loop_runs),
        T(active_while_device_latency_runs),
        T(command_chaining_runs_each_ccw),
        T(chaining_stops_without_cc_flag),
        T(read_stores_device_data),
        T(write_gives_storage_bytes_to_device),
        T(data_chaining_spans_ccws_under_first_command),
        T(data_chaining_passes_through_tic),
        T(data_chain_early_end_reports_residual_of_current_ccw),
        T(data_chain_ending_inside_cd_ccw_is_incorrect_length),
        T(status_modifier_skips_one_ccw),
        T(status_modifier_without_chaining_is_reported),
        T(unit_exception_ends_chain_with_alert),
        T(device_busy_during_chaining_ends_program),
        T(read_backward_fills_storage_right_to_left),
        T(one_trace_line_per_start_and_ending_regardless_of_ccws),
        T(same_seed_gives_same_trace),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
