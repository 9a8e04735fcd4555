/* SPDX-License-Identifier: MIT */
/*
 * Binary trace records (zv_trace_rec): what the hash covers, that a sink
 * gets one formatted line per record, and that a sink does not change the
 * hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/loop.h"

/* The fold as loop.h documents it, written out independently. */
static uint64_t
mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 32);
}

static uint64_t
expected_rec(uint64_t h, uint64_t now, uint32_t id, uint64_t a, uint64_t b)
{
    return mix(mix(mix(mix(h, now), id), a), b);
}

static void
fmt_pair(char *buf, size_t size, uint64_t a, uint64_t b)
{
    snprintf(buf, size, "pair a=%llx b=%llu", (unsigned long long)a,
             (unsigned long long)b);
}

static const struct zv_trace_event ev_pair = {
    .id = ZV_TRACE_ID(0x7e57, 1),
    .name = "pair",
    .format = fmt_pair,
};

static const struct zv_trace_event ev_plain = {
    .id = ZV_TRACE_ID(0x7e57, 2),
    .name = "plain",
};

static void
noop(void *arg)
{
}

static void
record_hash_is_fold_of_time_id_and_operands(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(1);
    uint64_t h = zv_loop_trace_hash(l);

    zv_trace_rec(l, &ev_pair, 0x1234, 7);
    h = expected_rec(h, 0, ev_pair.id, 0x1234, 7);
    assert_int_equal(zv_loop_trace_hash(l), h);
    zv_loop_after(l, 987654321, noop, NULL);
    zv_loop_run(l);
    zv_trace_rec(l, &ev_plain, UINT64_MAX, 0x8000000000000000ull);
    h = expected_rec(h, 987654321, ev_plain.id, UINT64_MAX,
                     0x8000000000000000ull);
    assert_int_equal(zv_loop_trace_hash(l), h);
    assert_int_equal(zv_loop_trace_count(l), 2);
    zv_loop_free(l);
}

/* A change in any one of id, a, b (even a high bit only) or the time
 * changes the hash. */
static void
every_operand_reaches_the_hash(void **state)
{
    const uint64_t vals[] = {0, 1, 1ull << 63, 0xffffffff00000000ull, 42};
    uint64_t seen[3 * 5 * 5 + 1];
    unsigned n = 0;

    for (unsigned e = 0; e < 3; e++) {
        for (unsigned i = 0; i < 5; i++) {
            for (unsigned j = 0; j < 5; j++) {
                struct zv_loop *l = zv_loop_new_virtual(1);
                const struct zv_trace_event *ev = e == 0 ? &ev_pair : &ev_plain;

                if (e == 2)
                    zv_loop_run_until(l, 1);
                zv_trace_rec(l, ev, vals[i], vals[j]);
                seen[n++] = zv_loop_trace_hash(l);
                zv_loop_free(l);
            }
        }
    }
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            assert_true(seen[i] != seen[j]);
}

/* Swapping a and b is a different record. */
static void
operand_order_matters(void **state)
{
    struct zv_loop *x = zv_loop_new_virtual(1), *y = zv_loop_new_virtual(1);

    zv_trace_rec(x, &ev_pair, 1, 2);
    zv_trace_rec(y, &ev_pair, 2, 1);
    assert_true(zv_loop_trace_hash(x) != zv_loop_trace_hash(y));
    zv_loop_free(x);
    zv_loop_free(y);
}

struct sink_log {
    unsigned calls;
    uint64_t last_now;
    size_t last_len;
    char last[128];
};

static void
sink(void *arg, uint64_t now, const char *line)
{
    struct sink_log *s = arg;

    s->calls++;
    s->last_now = now;
    s->last_len = strlen(line);
    snprintf(s->last, sizeof(s->last), "%s", line);
}

static void
sink_gets_formatted_line_and_hash_is_unchanged(void **state)
{
    struct zv_loop *quiet = zv_loop_new_virtual(3);
    struct zv_loop *loud = zv_loop_new_virtual(3);
    struct sink_log s = {0};

    zv_loop_set_trace_sink(loud, sink, &s);
    for (struct zv_loop *l = quiet; l; l = l == quiet ? loud : NULL) {
        zv_trace(l, "text %d", 1);
        zv_loop_after(l, 25, noop, NULL);
        zv_loop_run(l);
        zv_trace_rec(l, &ev_pair, 0xabc, 99);
    }
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.last_now, 25);
    assert_string_equal(s.last, "pair a=abc b=99");
    zv_trace_rec(loud, &ev_plain, 0x10, 0x20);
    zv_trace_rec(quiet, &ev_plain, 0x10, 0x20);
    assert_string_equal(s.last, "plain 10 20");
    assert_int_equal(zv_loop_trace_hash(quiet), zv_loop_trace_hash(loud));
    assert_int_equal(zv_loop_trace_count(quiet), 3);
    assert_int_equal(zv_loop_trace_count(loud), 3);
    zv_loop_free(quiet);
    zv_loop_free(loud);
}

static void
fmt_long(char *buf, size_t size, uint64_t a, uint64_t b)
{
    memset(buf, 'y', size); /* a careless formatter: no terminator */
}

static const struct zv_trace_event ev_long = {
    .id = ZV_TRACE_ID(0x7e57, 3),
    .format = fmt_long,
};

static void
sink_line_is_terminated(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(1);
    struct sink_log s = {0};

    zv_loop_set_trace_sink(l, sink, &s);
    zv_trace_rec(l, &ev_long, 0, 0);
    assert_int_equal(s.calls, 1);
    /* cut at the buffer the loop handed out, not read past it */
    assert_true(s.last_len > 0 && s.last_len < 4096);
    assert_int_equal(strspn(s.last, "y"), sizeof(s.last) - 1);
    zv_loop_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_hash_is_fold_of_time_id_and_operands),
        cmocka_unit_test(every_operand_reaches_the_hash),
        cmocka_unit_test(operand_order_matters),
        cmocka_unit_test(sink_gets_formatted_line_and_hash_is_unchanged),
        cmocka_unit_test(sink_line_is_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
