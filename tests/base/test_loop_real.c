/* SPDX-License-Identifier: MIT */
/* Real loop: timers, cross-thread post, fd watches, stop. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/loop.h"

struct order {
    struct zv_loop *loop;
    int ids[16];
    uint64_t when[16];
    int n;
    int stop_after;
};

struct otag {
    struct order *o;
    int id;
};

static void
note(void *arg)
{
    struct otag *t = arg;
    struct order *o = t->o;

    o->ids[o->n] = t->id;
    o->when[o->n] = zv_loop_now(o->loop);
    if (++o->n == o->stop_after)
        zv_loop_stop(o->loop);
}

static void
real_loop_uses_monotonic_time(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    uint64_t a, b;

    assert_non_null(l);
    assert_false(zv_loop_is_virtual(l));
    a = zv_loop_now(l);
    usleep(2000);
    b = zv_loop_now(l);
    assert_true(b >= a + 2 * ZV_NSEC_PER_MSEC);
    zv_loop_free(l);
}

static void
seeded_real_loop_repeats_rand(void **state)
{
    struct zv_loop *a = zv_loop_new_real_seeded(77);
    struct zv_loop *b = zv_loop_new_real_seeded(77);
    struct zv_loop *v = zv_loop_new_virtual(77);

    for (int i = 0; i < 100; i++) {
        uint64_t x = zv_loop_rand(a);

        assert_int_equal(x, zv_loop_rand(b));
        /* same generator as the virtual loop */
        assert_int_equal(x, zv_loop_rand(v));
    }
    zv_loop_free(a);
    zv_loop_free(b);
    zv_loop_free(v);
}

static void
timers_fire_in_order_not_early(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    struct order o = {.loop = l, .stop_after = 4};
    struct otag t[4] = {{&o, 30}, {&o, 10}, {&o, 20}, {&o, 0}};
    uint64_t start = zv_loop_now(l);

    zv_loop_after(l, 30 * ZV_NSEC_PER_MSEC, note, &t[0]);
    zv_loop_after(l, 10 * ZV_NSEC_PER_MSEC, note, &t[1]);
    zv_loop_after(l, 20 * ZV_NSEC_PER_MSEC, note, &t[2]);
    zv_loop_post(l, note, &t[3]);
    assert_int_equal(zv_loop_pending(l), 4);
    assert_int_equal(zv_loop_run(l), 4);
    int want[] = {0, 10, 20, 30};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(o.ids[i], want[i]);
        assert_true(o.when[i] >= start + (uint64_t)want[i] * ZV_NSEC_PER_MSEC);
    }
    assert_int_equal(zv_loop_pending(l), 0);
    zv_loop_free(l);
}

static void
cancelled_timer_never_fires(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    struct order o = {.loop = l, .stop_after = 1};
    struct otag a = {&o, 1}, b = {&o, 2};
    zv_timer_id ia;

    ia = zv_loop_after(l, 1 * ZV_NSEC_PER_MSEC, note, &a);
    zv_loop_after(l, 5 * ZV_NSEC_PER_MSEC, note, &b);
    assert_true(zv_loop_cancel(l, ia));
    zv_loop_run(l);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.ids[0], 2);
    zv_loop_free(l);
}

static void
run_until_returns_at_deadline(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    struct order o = {.loop = l, .stop_after = -1};
    struct otag a = {&o, 1}, b = {&o, 2};
    uint64_t start = zv_loop_now(l);

    zv_loop_after(l, 2 * ZV_NSEC_PER_MSEC, note, &a);
    zv_loop_after(l, 10 * ZV_NSEC_PER_SEC, note, &b);
    assert_int_equal(zv_loop_run_until(l, start + 20 * ZV_NSEC_PER_MSEC), 1);
    assert_true(zv_loop_now(l) >= start + 20 * ZV_NSEC_PER_MSEC);
    assert_true(zv_loop_now(l) < start + 5 * ZV_NSEC_PER_SEC);
    assert_int_equal(o.n, 1);
    assert_int_equal(zv_loop_pending(l), 1);
    zv_loop_free(l); /* drops the 10 s timer */
}

static void
run_once_times_out(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    uint64_t start = zv_loop_now(l);

    assert_int_equal(zv_loop_run_once(l, 0), 0);
    assert_int_equal(zv_loop_run_once(l, 3 * ZV_NSEC_PER_MSEC), 0);
    assert_true(zv_loop_now(l) >= start + 3 * ZV_NSEC_PER_MSEC);
    zv_loop_free(l);
}

/* ---- cross-thread post ------------------------------------------------- */

struct xthread {
    struct zv_loop *loop;
    pthread_t loop_thread;
    bool ran_on_loop_thread;
    int count;
    int want;
    int post_failures;
};

static void
xthread_cb(void *arg)
{
    struct xthread *x = arg;

    x->ran_on_loop_thread = pthread_equal(pthread_self(), x->loop_thread);
    if (++x->count == x->want)
        zv_loop_stop(x->loop);
}

static void *
poster(void *arg)
{
    struct xthread *x = arg;

    usleep(20000); /* let the loop block in epoll_wait first */
    /* no cmocka asserts here: they must run on the test's thread */
    for (int i = 0; i < x->want; i++)
        x->post_failures += zv_loop_post(x->loop, xthread_cb, x) == 0;
    return NULL;
}

static void
cross_thread_post_wakes_loop(void **state)
{
    struct xthread x = {.want = 1000};
    pthread_t th;
    uint64_t start;

    x.loop = zv_loop_new_real();
    x.loop_thread = pthread_self();
    start = zv_loop_now(x.loop);
    assert_int_equal(pthread_create(&th, NULL, poster, &x), 0);
    /* Nothing is queued: only the eventfd can end this wait. */
    zv_loop_run(x.loop);
    pthread_join(th, NULL);
    assert_int_equal(x.post_failures, 0);
    assert_int_equal(x.count, 1000);
    assert_true(x.ran_on_loop_thread);
    assert_true(zv_loop_now(x.loop) - start < 5 * ZV_NSEC_PER_SEC);
    zv_loop_free(x.loop);
}

/* ---- fd watches -------------------------------------------------------- */

struct pipe_watch {
    struct zv_loop *loop;
    int fds[2];
    char got[8];
    int n;
    unsigned last_events;
};

static void
pipe_readable(void *arg, int fd, unsigned events)
{
    struct pipe_watch *p = arg;
    ssize_t r;

    p->last_events = events;
    assert_int_equal(fd, p->fds[0]);
    r = read(fd, p->got + p->n, sizeof(p->got) - (size_t)p->n);
    if (r > 0)
        p->n += (int)r;
    if (r == 0 || p->n >= 3)
        zv_loop_stop(p->loop);
}

static void
write_byte(void *arg)
{
    struct pipe_watch *p = arg;

    assert_int_equal(write(p->fds[1], "z", 1), 1);
}

static void
fd_watch_on_pipe(void **state)
{
    struct pipe_watch p = {0};

    p.loop = zv_loop_new_real();
    assert_int_equal(pipe(p.fds), 0);
    assert_int_equal(
        zv_loop_watch_fd(p.loop, p.fds[0], ZV_LOOP_IN, pipe_readable, &p), 0);
    zv_loop_after(p.loop, 1 * ZV_NSEC_PER_MSEC, write_byte, &p);
    zv_loop_after(p.loop, 2 * ZV_NSEC_PER_MSEC, write_byte, &p);
    zv_loop_after(p.loop, 3 * ZV_NSEC_PER_MSEC, write_byte, &p);
    zv_loop_run(p.loop);
    assert_int_equal(p.n, 3);
    assert_memory_equal(p.got, "zzz", 3);
    assert_true(p.last_events & ZV_LOOP_IN);
    assert_int_equal(zv_loop_unwatch_fd(p.loop, p.fds[0]), 0);
    assert_int_equal(zv_loop_unwatch_fd(p.loop, p.fds[0]), -ENOENT);
    /* unwatched: data waits, the loop only times out */
    assert_int_equal(write(p.fds[1], "q", 1), 1);
    assert_int_equal(zv_loop_run_once(p.loop, 2 * ZV_NSEC_PER_MSEC), 0);
    assert_int_equal(p.n, 3);
    close(p.fds[0]);
    close(p.fds[1]);
    zv_loop_free(p.loop);
}

static void
fd_watch_reports_hangup(void **state)
{
    struct pipe_watch p = {0};

    p.loop = zv_loop_new_real();
    assert_int_equal(pipe(p.fds), 0);
    assert_int_equal(
        zv_loop_watch_fd(p.loop, p.fds[0], ZV_LOOP_IN, pipe_readable, &p), 0);
    close(p.fds[1]);
    zv_loop_run(p.loop); /* read() == 0 stops it */
    assert_true(p.last_events & ZV_LOOP_ERR);
    close(p.fds[0]);
    zv_loop_free(p.loop); /* removes the still-registered watch */
}

struct out_watch {
    struct zv_loop *loop;
    int first_calls;
    int second_calls;
    unsigned events;
};

static void
out_first(void *arg, int fd, unsigned events)
{
    struct out_watch *o = arg;

    o->first_calls++;
    zv_loop_stop(o->loop);
}

static void
out_second(void *arg, int fd, unsigned events)
{
    struct out_watch *o = arg;

    o->second_calls++;
    o->events = events;
    zv_loop_stop(o->loop);
}

static void
fd_watch_out_and_rewatch_replaces(void **state)
{
    struct out_watch o = {0};
    int fds[2];

    o.loop = zv_loop_new_real();
    assert_int_equal(pipe(fds), 0);
    /* watching only IN on an empty pipe: nothing fires */
    assert_int_equal(
        zv_loop_watch_fd(o.loop, fds[1], ZV_LOOP_IN, out_first, &o), 0);
    assert_int_equal(zv_loop_run_once(o.loop, 2 * ZV_NSEC_PER_MSEC), 0);
    assert_int_equal(o.first_calls, 0);
    /* the same fd again: new mask and callback replace the old ones */
    assert_int_equal(
        zv_loop_watch_fd(o.loop, fds[1], ZV_LOOP_OUT, out_second, &o), 0);
    zv_loop_run(o.loop);
    assert_int_equal(o.first_calls, 0);
    assert_int_equal(o.second_calls, 1);
    assert_true(o.events & ZV_LOOP_OUT);
    close(fds[0]);
    close(fds[1]);
    zv_loop_free(o.loop);
}

static void
stop_from_other_thread_cb(void *arg)
{
    zv_loop_stop(arg);
}

static void *
post_stop(void *arg)
{
    usleep(10000);
    zv_loop_post(arg, stop_from_other_thread_cb, arg);
    return NULL;
}

static void
stop_posted_from_thread_ends_idle_run(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    pthread_t th;

    /* a far timer keeps the loop idle but not empty */
    zv_loop_after(l, 60 * ZV_NSEC_PER_SEC, stop_from_other_thread_cb, l);
    assert_int_equal(pthread_create(&th, NULL, post_stop, l), 0);
    assert_int_equal(zv_loop_run(l), 1);
    pthread_join(th, NULL);
    assert_int_equal(zv_loop_pending(l), 1);
    zv_loop_free(l);
}

static void
fd_watch_rejects_bad_fd(void **state)
{
    struct zv_loop *l = zv_loop_new_real();

    assert_int_equal(zv_loop_watch_fd(l, -1, ZV_LOOP_IN, pipe_readable, NULL),
                     -EINVAL);
    assert_int_equal(zv_loop_watch_fd(l, 9999, ZV_LOOP_IN, pipe_readable, NULL),
                     -EBADF);
    zv_loop_free(l);
}

struct efd_seen {
    struct zv_loop *loop;
    int fd;
    int calls;
    uint64_t at;
};

static void
efd_ready(void *arg, int fd, unsigned events)
{
    struct efd_seen *e = arg;
    uint64_t v;

    assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
    e->calls++;
    e->at = zv_loop_now(e->loop);
}

struct late_write {
    int fd;
    unsigned usec;
};

static void *
write_later(void *arg)
{
    struct late_write *w = arg;
    uint64_t one = 1;

    usleep(w->usec);
    assert_int_equal(write(w->fd, &one, sizeof(one)), sizeof(one));
    return NULL;
}

/* A loop that busy-polls before it sleeps keeps every rule of one that
 * sleeps at once: timers in order and not early, an fd that becomes ready
 * during the poll or after it (while the loop sleeps) is dispatched, a
 * timeout is kept, and the poll never outlasts the next deadline. */
static void
polling_loop_keeps_the_rules(void **state)
{
    struct zv_loop *l = zv_loop_new_real();
    struct order o = {.loop = l, .stop_after = 3};
    struct otag t[3] = {{&o, 3}, {&o, 1}, {&o, 2}};
    struct efd_seen e = {.loop = l};
    uint64_t start;
    pthread_t th;

    zv_loop_set_poll(l, 500 * 1000); /* 500 us */
    start = zv_loop_now(l);
    zv_loop_after(l, 3 * ZV_NSEC_PER_MSEC, note, &t[0]);
    zv_loop_after(l, 1 * ZV_NSEC_PER_MSEC, note, &t[1]);
    zv_loop_after(l, 2 * ZV_NSEC_PER_MSEC, note, &t[2]);
    assert_int_equal(zv_loop_run(l), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o.ids[i], i + 1);
        assert_true(o.when[i] >= start + (uint64_t)(i + 1) * ZV_NSEC_PER_MSEC);
    }

    e.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    assert_true(e.fd >= 0);
    assert_int_equal(zv_loop_watch_fd(l, e.fd, ZV_LOOP_IN, efd_ready, &e), 0);
    /* ready inside the poll window (100 us) and after it (20 ms) */
    for (unsigned usec = 100; usec <= 20000; usec += 19900) {
        struct late_write w = {e.fd, usec};
        int calls = e.calls;

        start = zv_loop_now(l);
        assert_int_equal(pthread_create(&th, NULL, write_later, &w), 0);
        while (e.calls == calls)
            assert_true(zv_loop_run_once(l, 5 * ZV_NSEC_PER_SEC) >= 0);
        pthread_join(th, NULL);
        assert_true(e.at >= start + (uint64_t)usec * 1000);
        assert_true(e.at < start + 5 * ZV_NSEC_PER_SEC);
    }
    /* nothing to do: the timeout is kept, the poll does not end it early */
    start = zv_loop_now(l);
    assert_int_equal(zv_loop_run_once(l, 3 * ZV_NSEC_PER_MSEC), 0);
    assert_true(zv_loop_now(l) >= start + 3 * ZV_NSEC_PER_MSEC);
    zv_loop_unwatch_fd(l, e.fd);
    close(e.fd);
    zv_loop_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_loop_uses_monotonic_time),
        cmocka_unit_test(seeded_real_loop_repeats_rand),
        cmocka_unit_test(timers_fire_in_order_not_early),
        cmocka_unit_test(cancelled_timer_never_fires),
        cmocka_unit_test(run_until_returns_at_deadline),
        cmocka_unit_test(run_once_times_out),
        cmocka_unit_test(cross_thread_post_wakes_loop),
        cmocka_unit_test(fd_watch_on_pipe),
        cmocka_unit_test(fd_watch_reports_hangup),
        cmocka_unit_test(fd_watch_out_and_rewatch_replaces),
        cmocka_unit_test(stop_posted_from_thread_ends_idle_run),
        cmocka_unit_test(fd_watch_rejects_bad_fd),
        cmocka_unit_test(polling_loop_keeps_the_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
