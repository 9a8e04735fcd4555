/* SPDX-License-Identifier: MIT */
/*
 * Test fixtures' real loop on a thread of its own: start, stop, and run a
 * function on the loop thread and wait for it (vfu_host, vfu_dasd_host).
 */
#ifndef ZV_TESTS_VFU_LOOP_THREAD_H
#define ZV_TESTS_VFU_LOOP_THREAD_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include "base/loop.h"

static inline void *
loop_thread_main(void *loop)
{
    zv_loop_run(loop);
    return NULL;
}

/* Run loop on *thread; *running says whether loop_thread_stop has work. */
static inline int
loop_thread_start(struct zv_loop *loop, pthread_t *thread, bool *running)
{
    int rc = pthread_create(thread, NULL, loop_thread_main, loop);

    if (rc)
        return -rc;
    *running = true;
    return 0;
}

static inline void
loop_thread_stop(struct zv_loop *loop, pthread_t *thread, bool *running)
{
    if (!*running)
        return;
    zv_loop_stop(loop);
    pthread_join(*thread, NULL);
    *running = false;
}

struct loop_thread_call {
    void (*fn)(void *);
    void *arg;
    sem_t done;
};

static inline void
loop_thread_call_run(void *arg)
{
    struct loop_thread_call *c = arg;

    c->fn(c->arg);
    sem_post(&c->done);
}

/* Run fn(arg) on the loop thread and wait for it (the loop is running). */
static inline void
loop_thread_call(struct zv_loop *loop, void (*fn)(void *), void *arg)
{
    struct loop_thread_call c = {.fn = fn, .arg = arg};

    sem_init(&c.done, 0, 0);
    zv_loop_post(loop, loop_thread_call_run, &c);
    while (sem_wait(&c.done) < 0 && errno == EINTR)
        ;
    sem_destroy(&c.done);
}

#endif
