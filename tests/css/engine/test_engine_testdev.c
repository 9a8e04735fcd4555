/* SPDX-License-Identifier: MIT */
/* testdev: the scriptable test device's own API (through the engine). */
#include "eh.h"

#include <errno.h>
#include <string.h>

#define A EH_CCW

static void
default_answers_nop_sense_id_and_reject(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_SENSE_ID, CCW_FLAG_CC | CCW_FLAG_SLI, 32,
            EH_DATA);
    eh_ccw1(h, A + 16, 0x27, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.dstat, CEDE | DEV_STAT_UNIT_CHECK);
    assert_int_equal(h->mem[EH_DATA], 0xFF);
    assert_int_equal(h->mem[EH_DATA + 3], 0xE9);
    assert_int_equal(h->mem[EH_DATA + 6], 0x0C);
    assert_int_equal(testdev_log_count(h->td), 3);
    assert_int_equal(testdev_log(h->td, 1)->moved, 8);
    assert_int_equal(testdev_cmd_count(h->td), 3);
}

static void
basic_sense_returns_latched_sense_once(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x27, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    eh_ccw1(h, A, CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, 32, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(h->mem[EH_DATA], SNS0_CMD_REJECT);
    h->mem[EH_DATA] = 0x55;
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(h->mem[EH_DATA], 0);
}

static void
latency_range_is_drawn_from_the_loop(void **state)
{
    struct eh *h = *state;
    struct testdev_resp r = {
        .dstat = CEDE, .latency_ns = 1000, .latency_max_ns = 2000};
    uint64_t t0;

    assert_int_equal(testdev_set_response(h->td, 0x0B, &r), 0);
    for (unsigned i = 0; i < 16; i++) {
        eh_ccw1(h, A, 0x0B, 0, 0, 0);
        t0 = zv_loop_now(h->loop);
        eh_start(h, A);
        eh_expect_clean(h, A + 8);
        assert_true(zv_loop_now(h->loop) - t0 >= 1000);
        assert_true(zv_loop_now(h->loop) - t0 <= 2000);
    }
}

static void
hold_and_release(void **state)
{
    struct eh *h = *state;
    struct testdev_resp r = {.dstat = CEDE, .hold = true};

    assert_int_equal(testdev_release(h->td, CEDE, 0), -EINVAL);
    assert_int_equal(testdev_set_response(h->td, 0x0B, &r), 0);
    eh_ccw1(h, A, 0x0B, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_true(testdev_holding(h->td));
    assert_int_equal(eh_tsch(h), 1);
    assert_int_equal(testdev_release(h->td, CEDE | DEV_STAT_UNIT_EXCEP, 500),
                     0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.dstat, CEDE | DEV_STAT_UNIT_EXCEP);
}

static void
cleared_response_goes_back_to_default(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x27, CEDE, NULL, 0, 0);
    testdev_clear_response(h->td, 0x27);
    eh_ccw1(h, A, 0x27, 0, 0, 0);
    eh_start(h, A);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.dstat, CEDE | DEV_STAT_UNIT_CHECK);
}

static void
oversized_response_is_refused(void **state)
{
    struct eh *h = *state;
    struct testdev_resp r = {.len = TESTDEV_DATA_MAX + 1};
    struct testdev_resp s = {.sense_len = 33};

    assert_int_equal(testdev_set_response(h->td, 0x02, &r), -EINVAL);
    assert_int_equal(testdev_set_response(h->td, 0x02, &s), -EINVAL);
}

static void
log_reset_and_data(void **state)
{
    struct eh *h = *state;
    const uint8_t *d;
    size_t len;

    memcpy(h->mem + EH_DATA, "xyz", 3);
    eh_respond(h, 0x01, CEDE, NULL, 3, 0);
    eh_ccw1(h, A, 0x01, 0, 3, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    d = testdev_log_data(h->td, 0, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(d, "xyz", 3);
    assert_null(testdev_log(h->td, 1));
    testdev_log_reset(h->td);
    assert_int_equal(testdev_log_count(h->td), 0);
    assert_null(testdev_log_data(h->td, 0, &len));
    assert_int_equal(len, 0);
    assert_int_equal(testdev_cmd_count(h->td), 1);
}

static void
expected_output_bytes_are_compared(void **state)
{
    struct eh *h = *state;

    memcpy(h->mem + EH_DATA, "good", 4);
    eh_respond(h, 0x01, CEDE, "good", 4, 0);
    eh_ccw1(h, A, 0x01, 0, 4, EH_DATA);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(testdev_mismatch_count(h->td), 0);
    memcpy(h->mem + EH_DATA, "bad!", 4);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_int_equal(testdev_mismatch_count(h->td), 1);
}

static unsigned hook_calls;

static void
count_hook(void *arg, struct testdev *td)
{
    hook_calls++;
}

static void
hook_runs_once_at_nth_command(void **state)
{
    struct eh *h = *state;

    hook_calls = 0;
    testdev_set_hook(h->td, 3, count_hook, NULL);
    for (unsigned i = 0; i < 5; i++)
        eh_ccw1(h, A + 8 * i, CCW_CMD_NOOP, i < 4 ? CCW_FLAG_CC : 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 40);
    assert_int_equal(hook_calls, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(default_answers_nop_sense_id_and_reject),
        T(basic_sense_returns_latched_sense_once),
        T(latency_range_is_drawn_from_the_loop),
        T(hold_and_release),
        T(cleared_response_goes_back_to_default),
        T(oversized_response_is_refused),
        T(log_reset_and_data),
        T(expected_output_bytes_are_compared),
        T(hook_runs_once_at_nth_command),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
