/* SPDX-License-Identifier: MIT */
/*
 * base/loop real backend: epoll over one timerfd (armed at the earliest
 * deadline), one eventfd (wakes the loop when another thread posts or
 * stops it) and the fd watches.
 *
 * The event queue is the core's heap, guarded by a mutex because
 * zv_loop_post() may be called from any thread.  Callbacks run with the
 * mutex released, so they may schedule freely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/loop.h"
#include "base/loop_priv.h"

/* Events served without polling before fds get a look (fairness). */
#define LOOP_REAL_FAST_BURST 64
#define LOOP_REAL_MAX_EVENTS 32

struct loop_watch {
    int fd;
    unsigned events;
    zv_loop_fd_fn fn;
    void *arg;
};

struct loop_real {
    pthread_mutex_t lock;
    int epfd;
    int tfd;
    int efd;
    atomic_int wake_pending;
    unsigned fast_streak;
    uint64_t poll_ns; /* look for ready fds this long before sleeping */
    uint64_t armed;   /* deadline the timerfd holds, UINT64_MAX: disarmed */
    struct loop_watch *watches;
    size_t nwatch;
    size_t capwatch;
};

/* The loop whose callbacks this thread is running, if any. */
static __thread const struct zv_loop *tl_running;

uint64_t
zv_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * ZV_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void
loop_real_lock(const struct zv_loop *loop)
{
    pthread_mutex_lock(&loop->real->lock);
}

void
loop_real_unlock(const struct zv_loop *loop)
{
    pthread_mutex_unlock(&loop->real->lock);
}

/* Make the next (or current) epoll_wait return.  One eventfd write per
 * wake cycle: wake_pending stays set until the loop drains the eventfd,
 * and the loop re-reads the queue after clearing it. */
void
loop_real_wake(struct zv_loop *loop)
{
    struct loop_real *r = loop->real;
    uint64_t one = 1;

    /* Posted from a callback of this very loop: it looks at its queue
     * again before it sleeps, no eventfd round trip needed. */
    if (tl_running == loop)
        return;
    if (atomic_exchange(&r->wake_pending, 1))
        return;
    if (write(r->efd, &one, sizeof(one)) < 0) {
        /* EAGAIN: the counter is saturated, so the fd is readable anyway */
    }
}

static void
real_drain(int fd)
{
    uint64_t v;

    if (read(fd, &v, sizeof(v)) < 0) {
        /* EAGAIN: nothing to drain (spurious wake) */
    }
}

static int
epoll_add(int epfd, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};

    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void
real_close(struct loop_real *r)
{
    if (r->efd >= 0)
        close(r->efd);
    if (r->tfd >= 0)
        close(r->tfd);
    if (r->epfd >= 0)
        close(r->epfd);
    pthread_mutex_destroy(&r->lock);
    free(r->watches);
    free(r);
}

int
loop_real_init(struct zv_loop *loop)
{
    struct loop_real *r = calloc(1, sizeof(*r));
    int rc;

    if (!r)
        return -ENOMEM;
    r->efd = r->tfd = -1;
    r->armed = UINT64_MAX;
    pthread_mutex_init(&r->lock, NULL);
    atomic_init(&r->wake_pending, 0);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0)
        goto err_close;
    r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (r->tfd < 0)
        goto err_close;
    r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->efd < 0)
        goto err_close;
    if (epoll_add(r->epfd, r->tfd, EPOLLIN) < 0 ||
        epoll_add(r->epfd, r->efd, EPOLLIN) < 0)
        goto err_close;
    loop->real = r;
    return 0;

err_close:
    rc = -errno;
    real_close(r);
    return rc;
}

void
loop_real_fini(struct zv_loop *loop)
{
    real_close(loop->real);
    loop->real = NULL;
}

/* ---- fd watches -------------------------------------------------------- */

static struct loop_watch *
watch_find(struct loop_real *r, int fd)
{
    for (size_t i = 0; i < r->nwatch; i++) {
        if (r->watches[i].fd == fd)
            return &r->watches[i];
    }
    return NULL;
}

static uint32_t
watch_epoll_mask(unsigned events)
{
    uint32_t m = 0;

    if (events & ZV_LOOP_IN)
        m |= EPOLLIN;
    if (events & ZV_LOOP_OUT)
        m |= EPOLLOUT;
    return m; /* EPOLLERR and EPOLLHUP are always reported */
}

static unsigned
watch_zv_mask(uint32_t ev)
{
    unsigned m = 0;

    if (ev & EPOLLIN)
        m |= ZV_LOOP_IN;
    if (ev & EPOLLOUT)
        m |= ZV_LOOP_OUT;
    if (ev & (EPOLLERR | EPOLLHUP))
        m |= ZV_LOOP_ERR;
    return m;
}

static int
watch_update(struct loop_real *r, struct loop_watch *w, unsigned events,
             zv_loop_fd_fn fn, void *arg)
{
    struct epoll_event ev = {.events = watch_epoll_mask(events),
                             .data.fd = w->fd};

    if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
        return -errno;
    w->events = events;
    w->fn = fn;
    w->arg = arg;
    return 0;
}

/* Watching an fd that is already watched replaces its mask and callback. */
int
loop_real_watch_fd(struct zv_loop *loop, int fd, unsigned events,
                   zv_loop_fd_fn fn, void *arg)
{
    struct loop_real *r = loop->real;
    struct loop_watch *w;
    int rc;

    if (fd < 0 || !fn || fd == r->epfd || fd == r->tfd || fd == r->efd)
        return -EINVAL;
    w = watch_find(r, fd);
    if (w)
        return watch_update(r, w, events, fn, arg);
    if (r->nwatch == r->capwatch) {
        size_t cap = r->capwatch ? r->capwatch * 2 : 8;
        struct loop_watch *nw = realloc(r->watches, cap * sizeof(*nw));

        if (!nw)
            return -ENOMEM;
        r->watches = nw;
        r->capwatch = cap;
    }
    rc = epoll_add(r->epfd, fd, watch_epoll_mask(events));
    if (rc < 0)
        return rc;
    r->watches[r->nwatch++] =
        (struct loop_watch){.fd = fd, .events = events, .fn = fn, .arg = arg};
    return 0;
}

int
loop_real_unwatch_fd(struct zv_loop *loop, int fd)
{
    struct loop_real *r = loop->real;
    struct loop_watch *w = watch_find(r, fd);

    if (!w)
        return -ENOENT;
    /* The fd may already be closed (which removed it from epoll); the
     * watch goes either way. */
    epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
    *w = r->watches[--r->nwatch];
    return 0;
}

/* ---- waiting and dispatch ---------------------------------------------- */

static bool
real_pop_due(struct zv_loop *loop, struct loop_node *ev)
{
    bool got;

    loop_real_lock(loop);
    got = loop_heap_pop_due(loop, zv_mono_ns(), ev);
    loop_real_unlock(loop);
    return got;
}

static void
real_arm_timer(struct loop_real *r, uint64_t deadline)
{
    struct itimerspec its;

    /* A syscall per wait saved when the earliest deadline is unchanged
     * (the common case: nothing timed is pending at all). */
    if (deadline == r->armed)
        return;
    r->armed = deadline;
    memset(&its, 0, sizeof(its));
    if (deadline != UINT64_MAX) {
        /* it_value 0 would disarm: a deadline in the past fires at 1 ns */
        if (deadline == 0)
            deadline = 1;
        its.it_value.tv_sec = (time_t)(deadline / ZV_NSEC_PER_SEC);
        its.it_value.tv_nsec = (long)(deadline % ZV_NSEC_PER_SEC);
    }
    timerfd_settime(r->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* When to wake: the earliest timer, capped by the caller's timeout. */
static uint64_t
real_wait_deadline(struct zv_loop *loop, uint64_t timeout_ns)
{
    uint64_t now = zv_mono_ns();
    uint64_t limit = now + timeout_ns < now ? UINT64_MAX : now + timeout_ns;
    uint64_t earliest;

    loop_real_lock(loop);
    if (loop_heap_earliest(loop, &earliest) && earliest < limit)
        limit = earliest;
    loop_real_unlock(loop);
    return limit;
}

static int
real_dispatch_fd(struct zv_loop *loop, const struct epoll_event *ev)
{
    struct loop_real *r = loop->real;
    struct loop_watch *w;

    if (ev->data.fd == r->efd) {
        real_drain(r->efd);
        atomic_store(&r->wake_pending, 0);
        return 0;
    }
    if (ev->data.fd == r->tfd) {
        real_drain(r->tfd);
        r->armed = UINT64_MAX; /* a one-shot timer that fired is disarmed */
        return 0;
    }
    /* Looked up by fd at dispatch time: an earlier callback in this batch
     * may have unwatched it. */
    w = watch_find(r, ev->data.fd);
    if (!w)
        return 0;
    w->fn(w->arg, w->fd, watch_zv_mask(ev->events));
    return 1;
}

/* Wait for fds or the next deadline (at most timeout_ns), then dispatch
 * ready fds.  Returns the number of fd callbacks run. */
static int
real_poll(struct zv_loop *loop, uint64_t timeout_ns)
{
    struct loop_real *r = loop->real;
    struct epoll_event evs[LOOP_REAL_MAX_EVENTS];
    uint64_t deadline = 0;
    int n, ran = 0, ms = 0;

    if (timeout_ns > 0 && !atomic_load(&loop->stop)) {
        deadline = real_wait_deadline(loop, timeout_ns);
        ms = -1;
    }
    real_arm_timer(r, ms ? deadline : UINT64_MAX);
    n = 0;
    if (ms && r->poll_ns) {
        /* Busy-poll before sleeping: on a virtual machine a sleeping CPU
         * is slow to wake, and the next request of a client in a
         * request/reply rhythm is usually microseconds away. */
        uint64_t end = zv_mono_ns() + r->poll_ns;

        if (end > deadline)
            end = deadline;
        do
            n = epoll_wait(r->epfd, evs, LOOP_REAL_MAX_EVENTS, 0);
        while (n == 0 && !atomic_load(&loop->stop) && zv_mono_ns() < end);
    }
    if (n == 0)
        n = epoll_wait(r->epfd, evs, LOOP_REAL_MAX_EVENTS, ms);
    for (int i = 0; i < n; i++)
        ran += real_dispatch_fd(loop, &evs[i]);
    r->fast_streak = 0;
    return ran;
}

void
loop_real_set_poll(struct zv_loop *loop, uint64_t ns)
{
    loop->real->poll_ns = ns;
}

int
loop_real_run_once(struct zv_loop *loop, uint64_t timeout_ns)
{
    struct loop_real *r = loop->real;
    const struct zv_loop *outer = tl_running;
    struct loop_node ev;
    int ran = 0;

    tl_running = loop;
    if (r->fast_streak < LOOP_REAL_FAST_BURST && real_pop_due(loop, &ev)) {
        r->fast_streak++;
        ev.fn(ev.arg);
        tl_running = outer;
        return 1;
    }
    ran = real_poll(loop, timeout_ns);
    if (real_pop_due(loop, &ev)) {
        ev.fn(ev.arg);
        ran++;
    }
    tl_running = outer;
    return ran > 0;
}

uint64_t
loop_real_run(struct zv_loop *loop)
{
    uint64_t ran = 0;

    while (!atomic_exchange(&loop->stop, false))
        ran += (uint64_t)loop_real_run_once(loop, UINT64_MAX);
    return ran;
}

uint64_t
loop_real_run_until(struct zv_loop *loop, uint64_t deadline)
{
    uint64_t ran = 0, now;

    while (!atomic_exchange(&loop->stop, false)) {
        now = zv_mono_ns();
        if (now >= deadline)
            break;
        ran += (uint64_t)loop_real_run_once(loop, deadline - now);
    }
    return ran;
}
