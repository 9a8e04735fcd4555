/* SPDX-License-Identifier: MIT */
/*
 * Virtual loop determinism: PRNG, trace hash, and a randomized workload
 * whose run order is checked against the (time, scheduling order) rule.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/loop.h"

/* ---- PRNG -------------------------------------------------------------- */

static void
same_seed_same_sequence(void **state)
{
    struct zv_loop *a = zv_loop_new_virtual(7), *b = zv_loop_new_virtual(7);
    struct zv_loop *c = zv_loop_new_virtual(8);
    int differ = 0;

    for (int i = 0; i < 1000; i++) {
        uint64_t x = zv_loop_rand(a);

        assert_int_equal(x, zv_loop_rand(b));
        differ += x != zv_loop_rand(c);
    }
    assert_true(differ > 990);
    zv_loop_free(a);
    zv_loop_free(b);
    zv_loop_free(c);
}

static void
seed_zero_is_usable(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(0);
    uint64_t first = zv_loop_rand(l), orv = first;

    /* xoshiro must not start from the all-zero state (it would stay 0). */
    for (int i = 0; i < 16; i++)
        orv |= zv_loop_rand(l);
    assert_true(orv != 0);
    zv_loop_free(l);
}

static void
rand_below_stays_in_bounds(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(99);
    const uint64_t ns[] = {1, 2, 3, 7, 1000, (1ull << 63) + 1, UINT64_MAX};

    assert_int_equal(zv_loop_rand_below(l, 0), 0);
    for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
        for (int i = 0; i < 2000; i++)
            assert_true(zv_loop_rand_below(l, ns[k]) < ns[k]);
    }
    zv_loop_free(l);
}

static void
rand_below_covers_range_evenly(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(3);
    enum { N = 7, DRAWS = 70000 };
    unsigned hist[N] = {0};
    uint64_t big = (1ull << 63) + (1ull << 62); /* 3/4 of 2^64 */
    unsigned upper = 0;

    for (int i = 0; i < DRAWS; i++)
        hist[zv_loop_rand_below(l, N)]++;
    /* expected 10000 each; 5 sigma is about 460 */
    for (int i = 0; i < N; i++)
        assert_in_range(hist[i], 9400, 10600);
    /* Modulo reduction of a 64-bit draw would put 1/2 of results in the
     * lower third [0, big/3); uniform gives 1/3. */
    for (int i = 0; i < 30000; i++)
        upper += zv_loop_rand_below(l, big) < big / 3;
    assert_in_range(upper, 9400, 10600);
    zv_loop_free(l);
}

/* ---- trace hash -------------------------------------------------------- */

/* Independent FNV-1a 64 for checking the loop's hash. */
static uint64_t
fnv1a(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void
fnv_helper_matches_published_vector(void **state)
{
    /* FNV-1a 64 of "a" from the FNV reference test suite */
    assert_int_equal(fnv1a(0xcbf29ce484222325ull, "a", 1),
                     0xaf63dc4c8601ec8cull);
}

static uint64_t
expected_fold(uint64_t h, uint64_t now, const char *text)
{
    uint8_t be[8];

    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(now >> (56 - 8 * i));
    h = fnv1a(h, be, sizeof(be));
    return fnv1a(h, text, strlen(text));
}

static void
noop(void *arg)
{
}

static void
trace_hash_is_fnv1a_of_time_and_text(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(1);
    uint64_t h = 0xcbf29ce484222325ull;
    char longline[1001]; /* 999 x, '!', NUL */

    assert_int_equal(zv_loop_trace_hash(l), h);
    zv_trace(l, "ssch sch=%04x cc=%d", 0x1234, 1);
    h = expected_fold(h, 0, "ssch sch=1234 cc=1");
    assert_int_equal(zv_loop_trace_hash(l), h);
    zv_loop_after(l, 123456789, noop, NULL);
    zv_loop_run(l);
    zv_trace(l, "irq");
    h = expected_fold(h, 123456789, "irq");
    assert_int_equal(zv_loop_trace_hash(l), h);
    /* a line longer than any stack buffer is hashed in full */
    memset(longline, 'x', sizeof(longline) - 2);
    longline[sizeof(longline) - 2] = 0;
    zv_trace(l, "%s!", longline);
    strcat(longline, "!");
    h = expected_fold(h, 123456789, "");
    h = fnv1a(h, longline, strlen(longline));
    assert_int_equal(zv_loop_trace_hash(l), h);
    assert_int_equal(zv_loop_trace_count(l), 3);
    zv_loop_free(l);
}

struct sink_log {
    unsigned calls;
    uint64_t last_now;
    char last[64];
};

static void
sink(void *arg, uint64_t now, const char *line)
{
    struct sink_log *s = arg;

    s->calls++;
    s->last_now = now;
    snprintf(s->last, sizeof(s->last), "%s", line);
}

static void
trace_sink_receives_lines(void **state)
{
    struct zv_loop *l = zv_loop_new_virtual(1);
    struct sink_log s = {0};

    zv_trace(l, "before sink");
    zv_loop_set_trace_sink(l, sink, &s);
    zv_loop_after(l, 50, noop, NULL);
    zv_loop_run(l);
    zv_trace(l, "tsch cc=%u", 0u);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.last_now, 50);
    assert_string_equal(s.last, "tsch cc=0");
    zv_loop_set_trace_sink(l, NULL, NULL);
    zv_trace(l, "after sink");
    assert_int_equal(s.calls, 1);
    assert_int_equal(zv_loop_trace_count(l), 3);
    zv_loop_free(l);
}

/* ---- randomized workload ------------------------------------------------ */

#define WL_MAX 20000

struct workload;

struct wl_ev {
    struct workload *wl;
    uint64_t due;
    uint64_t sched_seq; /* order of the schedule call */
    zv_timer_id id;
    bool cancelled;
    bool ran;
};

struct workload {
    struct zv_loop *loop;
    struct wl_ev ev[WL_MAX];
    size_t nev;
    uint64_t seq;
    uint64_t last_time;
    uint64_t last_seq;
    size_t ran;
};

static void wl_fire(void *arg);

static void
wl_schedule(struct workload *w, uint64_t delay)
{
    struct wl_ev *e;

    if (w->nev == WL_MAX)
        return;
    e = &w->ev[w->nev++];
    *e = (struct wl_ev){
        .wl = w, .due = zv_loop_now(w->loop) + delay, .sched_seq = w->seq++};
    if (delay == 0 && (zv_loop_rand(w->loop) & 1))
        e->id = zv_loop_post(w->loop, wl_fire, e);
    else
        e->id = zv_loop_after(w->loop, delay, wl_fire, e);
    assert_true(e->id != 0);
}

/* Pick a delay: often 0 or tiny so same-instant ties are common. */
static uint64_t
wl_delay(struct zv_loop *l)
{
    switch (zv_loop_rand_below(l, 4)) {
    case 0:
        return 0;
    case 1:
        return zv_loop_rand_below(l, 3);
    default:
        return zv_loop_rand_below(l, 1000);
    }
}

static void
wl_cancel_some(struct workload *w)
{
    struct wl_ev *v = &w->ev[zv_loop_rand_below(w->loop, w->nev)];
    bool pending = !v->ran && !v->cancelled;

    assert_int_equal(zv_loop_cancel(w->loop, v->id), pending);
    if (pending)
        v->cancelled = true;
}

static void
wl_fire(void *arg)
{
    struct wl_ev *e = arg;
    struct workload *w = e->wl;
    uint64_t now = zv_loop_now(w->loop);
    unsigned kids;

    /* the ordering rule: (time, scheduling order) */
    assert_false(e->ran);
    assert_false(e->cancelled);
    assert_int_equal(now, e->due);
    assert_true(now > w->last_time ||
                (now == w->last_time && e->sched_seq > w->last_seq) ||
                w->ran == 0);
    w->last_time = now;
    w->last_seq = e->sched_seq;
    e->ran = true;
    w->ran++;
    zv_trace(w->loop, "ev %" PRIu64 " r=%" PRIu64, e->sched_seq,
             zv_loop_rand(w->loop));
    /* grow to a few thousand events, then die out */
    kids = (unsigned)zv_loop_rand_below(w->loop, w->nev < 5000 ? 4 : 2);
    for (unsigned k = 0; k < kids; k++)
        wl_schedule(w, wl_delay(w->loop));
    if (zv_loop_rand_below(w->loop, 4) == 0)
        wl_cancel_some(w);
}

static uint64_t
run_workload(uint64_t seed, uint64_t *count)
{
    struct workload *w = calloc(1, sizeof(*w));
    uint64_t h;

    assert_non_null(w);
    w->loop = zv_loop_new_virtual(seed);
    assert_non_null(w->loop);
    for (int i = 0; i < 50; i++)
        wl_schedule(w, wl_delay(w->loop));
    zv_loop_run(w->loop);
    /* every event either ran once or was cancelled */
    for (size_t i = 0; i < w->nev; i++)
        assert_true(w->ev[i].ran != w->ev[i].cancelled);
    assert_int_equal(zv_loop_pending(w->loop), 0);
    h = zv_loop_trace_hash(w->loop);
    *count = zv_loop_trace_count(w->loop);
    assert_int_equal(*count, w->ran);
    zv_loop_free(w->loop);
    free(w);
    return h;
}

static void
same_seed_same_trace_hash(void **state)
{
    uint64_t c1, c2, c3;
    uint64_t h1 = run_workload(0x5eed, &c1);
    uint64_t h2 = run_workload(0x5eed, &c2);
    uint64_t h3 = run_workload(0x5eee, &c3);

    assert_true(c1 > 1000); /* the workload really ran */
    assert_int_equal(h1, h2);
    assert_int_equal(c1, c2);
    assert_true(h1 != h3);
}

static void
many_seeds_obey_ordering_rule(void **state)
{
    uint64_t c;

    for (uint64_t seed = 1; seed <= 20; seed++)
        run_workload(seed, &c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_sequence),
        cmocka_unit_test(seed_zero_is_usable),
        cmocka_unit_test(rand_below_stays_in_bounds),
        cmocka_unit_test(rand_below_covers_range_evenly),
        cmocka_unit_test(fnv_helper_matches_published_vector),
        cmocka_unit_test(trace_hash_is_fnv1a_of_time_and_text),
        cmocka_unit_test(trace_sink_receives_lines),
        cmocka_unit_test(same_seed_same_trace_hash),
        cmocka_unit_test(many_seeds_obey_ordering_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
