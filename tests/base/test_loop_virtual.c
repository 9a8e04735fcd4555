/* SPDX-License-Identifier: MIT */
/* Virtual loop: ordering, cancel, nesting, run_until, stop, pending. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/loop.h"

#define REC_MAX 4096

/* Records which events ran and at what virtual time. */
struct rec {
    struct zv_loop *loop;
    int ids[REC_MAX];
    uint64_t when[REC_MAX];
    size_t n;
};

struct tag {
    struct rec *rec;
    int id;
};

static void
record(void *arg)
{
    struct tag *t = arg;
    struct rec *r = t->rec;

    assert_true(r->n < REC_MAX);
    r->ids[r->n] = t->id;
    r->when[r->n] = zv_loop_now(r->loop);
    r->n++;
}

static int
setup(void **state)
{
    struct rec *r = calloc(1, sizeof(*r));

    if (!r)
        return -1;
    r->loop = zv_loop_new_virtual(42);
    if (!r->loop) {
        free(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int
teardown(void **state)
{
    struct rec *r = *state;

    zv_loop_free(r->loop);
    free(r);
    return 0;
}

static void
loop_starts_at_time_zero_and_is_virtual(void **state)
{
    struct rec *r = *state;

    assert_true(zv_loop_is_virtual(r->loop));
    assert_int_equal(zv_loop_now(r->loop), 0);
    assert_int_equal(zv_loop_pending(r->loop), 0);
    assert_int_equal(zv_loop_run(r->loop), 0);
    assert_int_equal(zv_loop_run_once(r->loop, 1000), 0);
}

static void
events_run_in_time_order(void **state)
{
    struct rec *r = *state;
    struct tag t[4] = {{r, 30}, {r, 10}, {r, 20}, {r, 5}};

    zv_loop_after(r->loop, 30, record, &t[0]);
    zv_loop_after(r->loop, 10, record, &t[1]);
    zv_loop_after(r->loop, 20, record, &t[2]);
    zv_loop_after(r->loop, 5, record, &t[3]);
    assert_int_equal(zv_loop_pending(r->loop), 4);
    assert_int_equal(zv_loop_run(r->loop), 4);
    assert_int_equal(r->n, 4);
    int want[] = {5, 10, 20, 30};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r->ids[i], want[i]);
        assert_int_equal(r->when[i], (uint64_t)want[i]);
    }
    assert_int_equal(zv_loop_now(r->loop), 30);
    assert_int_equal(zv_loop_pending(r->loop), 0);
}

static void
same_instant_runs_fifo(void **state)
{
    struct rec *r = *state;
    struct tag t[64];

    /* Many events at one instant, interleaved with later ones. */
    for (int i = 0; i < 64; i++) {
        t[i] = (struct tag){r, i};
        zv_loop_after(r->loop, (i % 2) ? 100 : 50, record, &t[i]);
    }
    zv_loop_run(r->loop);
    assert_int_equal(r->n, 64);
    for (int i = 0; i < 32; i++) {
        assert_int_equal(r->ids[i], 2 * i);
        assert_int_equal(r->when[i], 50);
        assert_int_equal(r->ids[32 + i], 2 * i + 1);
        assert_int_equal(r->when[32 + i], 100);
    }
}

/* post() lands after events already queued for now(), including timers
 * that reached now() before the post was made. */
struct post_later {
    struct rec *rec;
    struct tag *posted;
};

static void
post_from_callback(void *arg)
{
    struct post_later *p = arg;

    zv_loop_post(p->rec->loop, record, p->posted);
}

static void
post_runs_after_timers_already_due(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2}, posted = {r, 3};
    struct post_later pl = {r, &posted};

    zv_loop_after(r->loop, 10, post_from_callback, &pl);
    zv_loop_after(r->loop, 10, record, &a);
    zv_loop_after(r->loop, 10, record, &b);
    zv_loop_run(r->loop);
    assert_int_equal(r->n, 3);
    assert_int_equal(r->ids[0], 1);
    assert_int_equal(r->ids[1], 2);
    assert_int_equal(r->ids[2], 3);
    assert_int_equal(r->when[2], 10);
}

static void
after_zero_equals_post_order(void **state)
{
    struct rec *r = *state;
    struct tag t[4] = {{r, 0}, {r, 1}, {r, 2}, {r, 3}};

    zv_loop_post(r->loop, record, &t[0]);
    zv_loop_after(r->loop, 0, record, &t[1]);
    zv_loop_post(r->loop, record, &t[2]);
    zv_loop_after(r->loop, 0, record, &t[3]);
    assert_int_equal(zv_loop_run(r->loop), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r->ids[i], i);
        assert_int_equal(r->when[i], 0);
    }
    assert_int_equal(zv_loop_now(r->loop), 0);
}

static void
cancel_pending_event(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2}, c = {r, 3};
    zv_timer_id ia, ib, ic;

    ia = zv_loop_after(r->loop, 10, record, &a);
    ib = zv_loop_post(r->loop, record, &b);
    ic = zv_loop_after(r->loop, 20, record, &c);
    assert_true(ia && ib && ic);
    assert_true(ia != ib && ib != ic && ia != ic);
    assert_true(zv_loop_cancel(r->loop, ia));
    assert_true(zv_loop_cancel(r->loop, ib));
    assert_false(zv_loop_cancel(r->loop, ia)); /* already cancelled */
    assert_false(zv_loop_cancel(r->loop, 0));
    assert_int_equal(zv_loop_pending(r->loop), 1);
    assert_int_equal(zv_loop_run(r->loop), 1);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->ids[0], 3);
    assert_false(zv_loop_cancel(r->loop, ic)); /* already ran */
}

static void
stale_id_does_not_cancel_recycled_node(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2};
    zv_timer_id ia, ib;

    ia = zv_loop_post(r->loop, record, &a);
    zv_loop_run(r->loop);
    /* The node is recycled for the next event; the old id must not
     * reach it. */
    ib = zv_loop_post(r->loop, record, &b);
    assert_true(ia != ib);
    assert_false(zv_loop_cancel(r->loop, ia));
    assert_false(zv_loop_cancel(r->loop, ia ^ 0xffff));
    zv_loop_run(r->loop);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->ids[1], 2);
}

/* A callback cancels a later event at the same instant. */
struct canceller {
    struct zv_loop *loop;
    zv_timer_id victim;
    bool result;
};

static void
cancel_cb(void *arg)
{
    struct canceller *c = arg;

    c->result = zv_loop_cancel(c->loop, c->victim);
}

static void
cancel_from_callback(void **state)
{
    struct rec *r = *state;
    struct tag v = {r, 9};
    struct canceller c = {r->loop, 0, false};

    zv_loop_after(r->loop, 7, cancel_cb, &c);
    c.victim = zv_loop_after(r->loop, 7, record, &v);
    zv_loop_run(r->loop);
    assert_true(c.result);
    assert_int_equal(r->n, 0);
}

static void
many_cancels_compact_and_keep_order(void **state)
{
    struct rec *r = *state;
    enum { N = 5000 };
    static struct tag t[N];
    static zv_timer_id id[N];
    size_t kept = 0;

    for (int i = 0; i < N; i++) {
        t[i] = (struct tag){r, i};
        id[i] = zv_loop_after(r->loop, (uint64_t)(N - i) % 97, record, &t[i]);
    }
    for (int i = 0; i < N; i++) {
        if (i % 10 != 0)
            assert_true(zv_loop_cancel(r->loop, id[i]));
        else
            kept++;
    }
    assert_int_equal(zv_loop_pending(r->loop), kept);
    assert_int_equal(zv_loop_run(r->loop), kept);
    assert_int_equal(r->n, kept);
    for (size_t i = 1; i < r->n; i++) {
        assert_true(r->when[i - 1] <= r->when[i]);
        if (r->when[i - 1] == r->when[i])
            assert_true(r->ids[i - 1] < r->ids[i]);
        assert_int_equal(r->ids[i] % 10, 0);
    }
}

/* Nested: each callback schedules the next level. */
struct chain {
    struct rec *rec;
    struct tag tags[8];
    int depth;
};

static void
chain_step(void *arg)
{
    struct chain *c = arg;

    record(&c->tags[c->depth]);
    if (++c->depth < 8)
        zv_loop_after(c->rec->loop, (uint64_t)c->depth, chain_step, c);
}

static void
nested_posts_from_callbacks(void **state)
{
    struct rec *r = *state;
    struct chain c = {.rec = r};

    for (int i = 0; i < 8; i++)
        c.tags[i] = (struct tag){r, i};
    zv_loop_post(r->loop, chain_step, &c);
    assert_int_equal(zv_loop_run(r->loop), 8);
    uint64_t t = 0;
    for (int i = 0; i < 8; i++) {
        assert_int_equal(r->ids[i], i);
        assert_int_equal(r->when[i], t);
        t += (uint64_t)(i + 1);
    }
}

static void
run_once_runs_one_event(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2};

    zv_loop_after(r->loop, 5, record, &a);
    zv_loop_after(r->loop, 9, record, &b);
    assert_int_equal(zv_loop_run_once(r->loop, 0), 1);
    assert_int_equal(r->n, 1);
    assert_int_equal(zv_loop_now(r->loop), 5);
    assert_int_equal(zv_loop_run_once(r->loop, 0), 1);
    assert_int_equal(zv_loop_now(r->loop), 9);
    assert_int_equal(zv_loop_run_once(r->loop, 0), 0);
}

static void
run_until_stops_at_deadline(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2}, c = {r, 3};

    zv_loop_after(r->loop, 10, record, &a);
    zv_loop_after(r->loop, 20, record, &b);
    zv_loop_after(r->loop, 21, record, &c);
    /* events at exactly the deadline run */
    assert_int_equal(zv_loop_run_until(r->loop, 20), 2);
    assert_int_equal(zv_loop_now(r->loop), 20);
    assert_int_equal(zv_loop_pending(r->loop), 1);
    /* time moves to the deadline even when nothing runs */
    assert_int_equal(zv_loop_run_until(r->loop, 15), 0);
    assert_int_equal(zv_loop_now(r->loop), 20); /* never backwards */
    /* a deadline in the past runs nothing, not even events due now */
    zv_loop_post(r->loop, record, &a);
    assert_int_equal(zv_loop_run_until(r->loop, 19), 0);
    assert_int_equal(zv_loop_pending(r->loop), 2);
    assert_int_equal(zv_loop_run_until(r->loop, 1000), 2);
    assert_int_equal(zv_loop_now(r->loop), 1000);
    assert_int_equal(zv_loop_pending(r->loop), 0);
}

static void
stop_cb(void *arg)
{
    zv_loop_stop(arg);
}

static void
stop_ends_run_and_is_consumed(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2};

    zv_loop_after(r->loop, 1, record, &a);
    zv_loop_after(r->loop, 2, stop_cb, r->loop);
    zv_loop_after(r->loop, 3, record, &b);
    assert_int_equal(zv_loop_run(r->loop), 2);
    assert_int_equal(r->n, 1);
    assert_int_equal(zv_loop_now(r->loop), 2);
    assert_int_equal(zv_loop_pending(r->loop), 1);
    /* The next run starts fresh. */
    assert_int_equal(zv_loop_run(r->loop), 1);
    assert_int_equal(r->n, 2);
}

static void
after_saturates_at_end_of_time(void **state)
{
    struct rec *r = *state;
    struct tag a = {r, 1}, b = {r, 2};

    zv_loop_after(r->loop, 100, record, &a);
    zv_loop_run(r->loop);
    zv_loop_after(r->loop, UINT64_MAX, record, &b);
    zv_loop_run(r->loop);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->when[1], UINT64_MAX);
}

static void
free_drops_pending_events(void **state)
{
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct rec *r = *state;
    struct tag a = {r, 1};

    assert_non_null(loop);
    for (int i = 0; i < 1000; i++)
        zv_loop_after(loop, (uint64_t)i, record, &a);
    zv_loop_free(loop); /* must not run them; leak checkers see no leak */
    assert_int_equal(r->n, 0);
    zv_loop_free(NULL);
}

static void
fd_watch_not_supported_on_virtual(void **state)
{
    struct rec *r = *state;

    assert_int_equal(zv_loop_watch_fd(r->loop, 0, ZV_LOOP_IN, NULL, NULL),
                     -ENOTSUP);
    assert_int_equal(zv_loop_unwatch_fd(r->loop, 0), -ENOTSUP);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(loop_starts_at_time_zero_and_is_virtual),
        T(events_run_in_time_order),
        T(same_instant_runs_fifo),
        T(post_runs_after_timers_already_due),
        T(after_zero_equals_post_order),
        T(cancel_pending_event),
        T(stale_id_does_not_cancel_recycled_node),
        T(cancel_from_callback),
        T(many_cancels_compact_and_keep_order),
        T(nested_posts_from_callbacks),
        T(run_once_runs_one_event),
        T(run_until_stops_at_deadline),
        T(stop_ends_run_and_is_consumed),
        T(after_saturates_at_end_of_time),
        T(free_drops_pending_events),
        T(fd_watch_not_supported_on_virtual),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
