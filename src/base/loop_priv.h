/* SPDX-License-Identifier: MIT */
/*
 * base/loop private declarations shared by the core (loop.c: event queue,
 * virtual backend, PRNG, trace) and the real backend (loop_real.c).
 */
#ifndef ZV_BASE_LOOP_PRIV_H
#define ZV_BASE_LOOP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/loop.h"

enum loop_node_state {
    LOOP_NODE_FREE = 0,
    LOOP_NODE_PENDING,
    LOOP_NODE_CANCELLED,
};

/*
 * An event node.  Nodes live in one array (indices stay valid when it
 * grows); a free node is on the free list through next_free.  gen changes
 * each time a node is recycled, so a stale id never cancels a newer event.
 */
struct loop_node {
    zv_loop_fn fn;
    void *arg;
    uint32_t gen;
    uint32_t next_free;
    uint8_t state;
};

/* Heap entry: ordered by (time, seq); seq is unique and increasing, so
 * events at the same instant pop in scheduling order. */
struct loop_ent {
    uint64_t time;
    uint64_t seq;
    uint32_t idx;
};

struct loop_real;

struct zv_loop {
    bool is_virtual;
    uint64_t now; /* virtual time; unused on the real backend */
    uint64_t seq;

    struct loop_node *nodes;
    uint32_t nnodes;
    uint32_t cap_nodes;
    uint32_t free_head;

    struct loop_ent *heap;
    size_t heap_len;
    size_t heap_cap;

    /* Virtual only: events due at now() in scheduling order (post and
     * after(0)).  A ring buffer of node indices. */
    uint32_t *fifo;
    size_t fifo_head;
    size_t fifo_len;
    size_t fifo_cap;

    size_t pending;   /* scheduled, not cancelled */
    size_t cancelled; /* cancelled, still queued (lazy deletion) */

    uint64_t rng[4];

    zv_trace_sink trace_sink;
    void *trace_arg;
    uint64_t trace_hash;
    uint64_t trace_count;

    atomic_bool stop;
    struct loop_real *real; /* NULL on the virtual backend */
};

#define LOOP_NIL UINT32_MAX

/* loop.c: backend-neutral core */
struct zv_loop *loop_alloc(bool is_virtual, uint64_t seed);
void loop_release(struct zv_loop *loop);
zv_timer_id loop_enqueue(struct zv_loop *loop, uint64_t time, zv_loop_fn fn,
                         void *arg);
bool loop_cancel_locked(struct zv_loop *loop, zv_timer_id id);
bool loop_heap_pop_due(struct zv_loop *loop, uint64_t limit,
                       struct loop_node *out);
bool loop_heap_earliest(struct zv_loop *loop, uint64_t *time);

/* loop_real.c */
int loop_real_init(struct zv_loop *loop);
void loop_real_fini(struct zv_loop *loop);
void loop_real_lock(const struct zv_loop *loop);
void loop_real_unlock(const struct zv_loop *loop);
void loop_real_wake(struct zv_loop *loop);
int loop_real_run_once(struct zv_loop *loop, uint64_t timeout_ns);
void loop_real_set_poll(struct zv_loop *loop, uint64_t ns);
uint64_t loop_real_run(struct zv_loop *loop);
uint64_t loop_real_run_until(struct zv_loop *loop, uint64_t deadline);
int loop_real_watch_fd(struct zv_loop *loop, int fd, unsigned events,
                       zv_loop_fd_fn fn, void *arg);
int loop_real_unwatch_fd(struct zv_loop *loop, int fd);

#endif
