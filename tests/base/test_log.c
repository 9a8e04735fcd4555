/* SPDX-License-Identifier: MIT */
/* Log: callback sink, level filter, stderr sink format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"

struct captured {
    int calls;
    enum zv_log_level level;
    char msg[1024];
};

static void
capture(void *arg, enum zv_log_level level, const char *msg)
{
    struct captured *c = arg;

    c->calls++;
    c->level = level;
    snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static int
reset_sink(void **state)
{
    zv_log_set_sink(NULL, NULL, ZV_LOG_DEBUG);
    return 0;
}

static void
null_sink_stops_delivery(void **state)
{
    struct captured c = {0};

    zv_log_set_sink(capture, &c, ZV_LOG_DEBUG);
    zv_log(ZV_LOG_ERR, "seen %d", 1);
    zv_log_set_sink(NULL, &c, ZV_LOG_DEBUG);
    zv_log(ZV_LOG_ERR, "dropped %d", 2);
    assert_int_equal(c.calls, 1);
    assert_string_equal(c.msg, "seen 1");
}

static void
sink_gets_formatted_message(void **state)
{
    struct captured c = {0};

    zv_log_set_sink(capture, &c, ZV_LOG_DEBUG);
    zv_log(ZV_LOG_WARNING, "sch %x.%x.%04x: %s", 0, 0, 0x1234, "busy");
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.level, ZV_LOG_WARNING);
    assert_string_equal(c.msg, "sch 0.0.1234: busy");
}

static void
levels_above_max_are_filtered(void **state)
{
    struct captured c = {0};

    zv_log_set_sink(capture, &c, ZV_LOG_WARNING);
    zv_log(ZV_LOG_DEBUG, "debug");
    zv_log(ZV_LOG_INFO, "info");
    assert_int_equal(c.calls, 0);
    zv_log(ZV_LOG_WARNING, "warn");
    zv_log(ZV_LOG_ERR, "err");
    assert_int_equal(c.calls, 2);
    assert_string_equal(c.msg, "err");
}

static void
long_message_is_truncated_not_overflowed(void **state)
{
    struct captured c = {0};
    char big[4000];

    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    zv_log_set_sink(capture, &c, ZV_LOG_DEBUG);
    zv_log(ZV_LOG_INFO, "%s", big);
    assert_int_equal(c.calls, 1);
    assert_true(strlen(c.msg) > 100);
    assert_true(strspn(c.msg, "y") == strlen(c.msg));
}

static void
stderr_sink_format(void **state)
{
    FILE *tmp = tmpfile();
    char line[128] = {0};
    int saved;

    assert_non_null(tmp);
    fflush(stderr);
    saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 2) >= 0);
    zv_log_set_sink(zv_log_stderr, NULL, ZV_LOG_INFO);
    zv_log(ZV_LOG_ERR, "disk %s gone", "0.0.0100");
    zv_log(ZV_LOG_DEBUG, "filtered");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    assert_non_null(fgets(line, sizeof(line), tmp));
    assert_string_equal(line, "zvfio: error: disk 0.0.0100 gone\n");
    assert_null(fgets(line, sizeof(line), tmp));
    fclose(tmp);
}

#define T(f) cmocka_unit_test_teardown(f, reset_sink)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(null_sink_stops_delivery),
        T(sink_gets_formatted_message),
        T(levels_above_max_are_filtered),
        T(long_message_is_truncated_not_overflowed),
        T(stderr_sink_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
