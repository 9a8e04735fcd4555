/* SPDX-License-Identifier: MIT */
/*
 * base/loop core: the event queue shared by both backends, the virtual
 * (discrete-event) backend, the PRNG and the trace hash.
 *
 * Queue: a binary min-heap of (time, seq, node) plus, on the virtual
 * backend, a FIFO for events due at now().  The FIFO is exact, not an
 * approximation: time only advances when the FIFO is empty, so every FIFO
 * entry was scheduled at the current instant, after every heap entry whose
 * time equals now() (those were scheduled at an earlier instant, since
 * after(ns > 0) always lands in the future).  Serving heap entries at now()
 * first, then the FIFO, is therefore (time, seq) order.
 *
 * Cancel is lazy: the node is marked and skipped when it reaches the front;
 * when cancelled entries dominate the queue it is compacted.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/loop.h"
#include "base/loop_priv.h"

#define LOOP_FNV_OFFSET   0xcbf29ce484222325ull
#define LOOP_FNV_PRIME    0x100000001b3ull
#define LOOP_COMPACT_MIN  1024
#define LOOP_TRACE_BUFLEN 256
/* odd 64-bit multiplier (2^64 / golden ratio) for the record fold */
#define LOOP_REC_MUL 0x9e3779b97f4a7c15ull

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---------------------- */

static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void
loop_seed(struct zv_loop *loop, uint64_t seed)
{
    uint64_t sm = seed;

    for (int i = 0; i < 4; i++)
        loop->rng[i] = splitmix64(&sm);
}

static inline uint64_t
rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
zv_loop_rand(struct zv_loop *loop)
{
    uint64_t *s = loop->rng;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

uint64_t
zv_loop_rand_below(struct zv_loop *loop, uint64_t n)
{
    uint64_t threshold, r;

    if (n == 0)
        return 0;
    /* Reject the low (2^64 mod n) values so every residue is equally
     * likely; threshold < n, so at most half the draws are rejected. */
    threshold = -n % n;
    do {
        r = zv_loop_rand(loop);
    } while (r < threshold);
    return r % n;
}

/* ---- event nodes ------------------------------------------------------- */

static int
nodes_grow(struct zv_loop *loop)
{
    uint32_t cap = loop->cap_nodes ? loop->cap_nodes * 2 : 64;
    struct loop_node *n;

    if (loop->cap_nodes >= LOOP_NIL / 2)
        return -ENOMEM;
    n = realloc(loop->nodes, (size_t)cap * sizeof(*n));
    if (!n)
        return -ENOMEM;
    loop->nodes = n;
    loop->cap_nodes = cap;
    return 0;
}

static uint32_t
node_get(struct zv_loop *loop)
{
    uint32_t idx = loop->free_head;

    if (idx != LOOP_NIL) {
        loop->free_head = loop->nodes[idx].next_free;
        return idx;
    }
    if (loop->nnodes == loop->cap_nodes && nodes_grow(loop) < 0)
        return LOOP_NIL;
    idx = loop->nnodes++;
    loop->nodes[idx].gen = 1;
    return idx;
}

static void
node_put(struct zv_loop *loop, uint32_t idx)
{
    struct loop_node *n = &loop->nodes[idx];

    n->state = LOOP_NODE_FREE;
    /* gen 0 would let id 0 name node 0; skip it on wrap. */
    if (++n->gen == 0)
        n->gen = 1;
    n->next_free = loop->free_head;
    loop->free_head = idx;
}

static zv_timer_id
node_id(const struct zv_loop *loop, uint32_t idx)
{
    return ((uint64_t)loop->nodes[idx].gen << 32) | idx;
}

/* ---- heap -------------------------------------------------------------- */

static inline bool
ent_less(const struct loop_ent *a, const struct loop_ent *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void
heap_sift_up(struct loop_ent *h, size_t i)
{
    struct loop_ent e = h[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!ent_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

static void
heap_sift_down(struct loop_ent *h, size_t len, size_t i)
{
    struct loop_ent e = h[i];

    for (;;) {
        size_t child = 2 * i + 1;

        if (child >= len)
            break;
        if (child + 1 < len && ent_less(&h[child + 1], &h[child]))
            child++;
        if (!ent_less(&h[child], &e))
            break;
        h[i] = h[child];
        i = child;
    }
    h[i] = e;
}

static int
heap_push(struct zv_loop *loop, uint64_t time, uint32_t idx)
{
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        struct loop_ent *h = realloc(loop->heap, cap * sizeof(*h));

        if (!h)
            return -ENOMEM;
        loop->heap = h;
        loop->heap_cap = cap;
    }
    loop->heap[loop->heap_len] =
        (struct loop_ent){.time = time, .seq = loop->seq++, .idx = idx};
    heap_sift_up(loop->heap, loop->heap_len++);
    return 0;
}

static struct loop_ent
heap_pop(struct zv_loop *loop)
{
    struct loop_ent top = loop->heap[0];

    if (--loop->heap_len > 0) {
        loop->heap[0] = loop->heap[loop->heap_len];
        heap_sift_down(loop->heap, loop->heap_len, 0);
    }
    return top;
}

/* ---- FIFO (virtual backend, events due now) ---------------------------- */

static int
fifo_grow(struct zv_loop *loop)
{
    size_t cap = loop->fifo_cap ? loop->fifo_cap * 2 : 64;
    uint32_t *f = malloc(cap * sizeof(*f));

    if (!f)
        return -ENOMEM;
    for (size_t i = 0; i < loop->fifo_len; i++)
        f[i] = loop->fifo[(loop->fifo_head + i) % loop->fifo_cap];
    free(loop->fifo);
    loop->fifo = f;
    loop->fifo_cap = cap;
    loop->fifo_head = 0;
    return 0;
}

static int
fifo_push(struct zv_loop *loop, uint32_t idx)
{
    size_t tail;

    if (loop->fifo_len == loop->fifo_cap && fifo_grow(loop) < 0)
        return -ENOMEM;
    tail = loop->fifo_head + loop->fifo_len++;
    if (tail >= loop->fifo_cap)
        tail -= loop->fifo_cap;
    loop->fifo[tail] = idx;
    loop->seq++;
    return 0;
}

static uint32_t
fifo_pop(struct zv_loop *loop)
{
    uint32_t idx = loop->fifo[loop->fifo_head];

    if (++loop->fifo_head == loop->fifo_cap)
        loop->fifo_head = 0;
    loop->fifo_len--;
    return idx;
}

/* ---- compaction of lazily cancelled entries ---------------------------- */

static bool
reap_if_cancelled(struct zv_loop *loop, uint32_t idx)
{
    if (loop->nodes[idx].state != LOOP_NODE_CANCELLED)
        return false;
    node_put(loop, idx);
    loop->cancelled--;
    return true;
}

static void
loop_compact(struct zv_loop *loop)
{
    size_t j = 0, n = loop->fifo_len;

    for (size_t i = 0; i < loop->heap_len; i++) {
        if (!reap_if_cancelled(loop, loop->heap[i].idx))
            loop->heap[j++] = loop->heap[i];
    }
    loop->heap_len = j;
    for (size_t i = loop->heap_len / 2; i-- > 0;)
        heap_sift_down(loop->heap, loop->heap_len, i);

    /* Rotate the FIFO survivors into place, keeping their order. */
    for (size_t i = 0; i < n; i++) {
        uint32_t idx = fifo_pop(loop);

        if (!reap_if_cancelled(loop, idx))
            fifo_push(loop, idx); /* cannot fail: we just made room */
    }
}

/* ---- queue operations -------------------------------------------------- */

zv_timer_id
loop_enqueue(struct zv_loop *loop, uint64_t time, zv_loop_fn fn, void *arg)
{
    uint32_t idx = node_get(loop);
    struct loop_node *n;
    int rc;

    if (idx == LOOP_NIL)
        return 0;
    n = &loop->nodes[idx];
    n->fn = fn;
    n->arg = arg;
    n->state = LOOP_NODE_PENDING;
    if (loop->is_virtual && time == loop->now)
        rc = fifo_push(loop, idx);
    else
        rc = heap_push(loop, time, idx);
    if (rc < 0) {
        node_put(loop, idx);
        return 0;
    }
    loop->pending++;
    return node_id(loop, idx);
}

bool
loop_cancel_locked(struct zv_loop *loop, zv_timer_id id)
{
    uint32_t idx = (uint32_t)id;
    struct loop_node *n;

    if (idx >= loop->nnodes)
        return false;
    n = &loop->nodes[idx];
    if (n->gen != (uint32_t)(id >> 32) || n->state != LOOP_NODE_PENDING)
        return false;
    n->state = LOOP_NODE_CANCELLED;
    loop->pending--;
    loop->cancelled++;
    if (loop->cancelled >= LOOP_COMPACT_MIN && loop->cancelled > loop->pending)
        loop_compact(loop);
    return true;
}

/* Take the node out of the queue: copy what the caller runs, recycle it
 * (its id is no longer pending once the callback starts). */
static void
take_node(struct zv_loop *loop, uint32_t idx, struct loop_node *out)
{
    assert(loop->nodes[idx].state == LOOP_NODE_PENDING);
    *out = loop->nodes[idx];
    node_put(loop, idx);
    loop->pending--;
}

/* Pop the first live heap event with time <= limit. */
bool
loop_heap_pop_due(struct zv_loop *loop, uint64_t limit, struct loop_node *out)
{
    while (loop->heap_len > 0 && loop->heap[0].time <= limit) {
        struct loop_ent e = heap_pop(loop);

        if (reap_if_cancelled(loop, e.idx))
            continue;
        if (loop->is_virtual)
            loop->now = e.time;
        take_node(loop, e.idx, out);
        return true;
    }
    return false;
}

/* Earliest live heap deadline, reaping cancelled entries at the front. */
bool
loop_heap_earliest(struct zv_loop *loop, uint64_t *time)
{
    while (loop->heap_len > 0) {
        if (!reap_if_cancelled(loop, loop->heap[0].idx)) {
            *time = loop->heap[0].time;
            return true;
        }
        heap_pop(loop);
    }
    return false;
}

/* Virtual: the next event with time <= limit, in (time, seq) order. */
static bool
virt_next(struct zv_loop *loop, uint64_t limit, struct loop_node *out)
{
    /* nothing queued can be due before now() */
    if (limit < loop->now)
        return false;
    for (;;) {
        if (loop->heap_len > 0 && loop->heap[0].time <= loop->now &&
            loop_heap_pop_due(loop, loop->now, out))
            return true;
        if (loop->fifo_len > 0) {
            uint32_t idx = fifo_pop(loop);

            if (reap_if_cancelled(loop, idx))
                continue;
            take_node(loop, idx, out);
            return true;
        }
        return loop_heap_pop_due(loop, limit, out);
    }
}

/* ---- lifecycle --------------------------------------------------------- */

struct zv_loop *
loop_alloc(bool is_virtual, uint64_t seed)
{
    struct zv_loop *loop = calloc(1, sizeof(*loop));

    if (!loop)
        return NULL;
    loop->is_virtual = is_virtual;
    loop->free_head = LOOP_NIL;
    loop->trace_hash = LOOP_FNV_OFFSET;
    atomic_init(&loop->stop, false);
    loop_seed(loop, seed);
    return loop;
}

void
loop_release(struct zv_loop *loop)
{
    free(loop->nodes);
    free(loop->heap);
    free(loop->fifo);
    free(loop);
}

struct zv_loop *
zv_loop_new_virtual(uint64_t seed)
{
    return loop_alloc(true, seed);
}

static uint64_t
time_seed(void)
{
    struct timespec ts;
    uint64_t s;

    clock_gettime(CLOCK_REALTIME, &ts);
    s = (uint64_t)ts.tv_sec * ZV_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
    return s ^ ((uint64_t)getpid() << 32) ^ zv_mono_ns();
}

struct zv_loop *
zv_loop_new_real_seeded(uint64_t seed)
{
    struct zv_loop *loop = loop_alloc(false, seed ? seed : time_seed());

    if (!loop)
        return NULL;
    if (loop_real_init(loop) < 0) {
        loop_release(loop);
        return NULL;
    }
    return loop;
}

struct zv_loop *
zv_loop_new_real(void)
{
    return zv_loop_new_real_seeded(0);
}

void
zv_loop_free(struct zv_loop *loop)
{
    if (!loop)
        return;
    if (loop->real)
        loop_real_fini(loop);
    loop_release(loop);
}

bool
zv_loop_is_virtual(const struct zv_loop *loop)
{
    return loop->is_virtual;
}

uint64_t
zv_loop_now(const struct zv_loop *loop)
{
    return loop->is_virtual ? loop->now : zv_mono_ns();
}

/* ---- scheduling -------------------------------------------------------- */

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

zv_timer_id
zv_loop_after(struct zv_loop *loop, uint64_t ns, zv_loop_fn fn, void *arg)
{
    zv_timer_id id;

    if (loop->is_virtual)
        return loop_enqueue(loop, sat_add(loop->now, ns), fn, arg);
    loop_real_lock(loop);
    id = loop_enqueue(loop, sat_add(zv_mono_ns(), ns), fn, arg);
    loop_real_unlock(loop);
    if (id)
        loop_real_wake(loop);
    return id;
}

zv_timer_id
zv_loop_post(struct zv_loop *loop, zv_loop_fn fn, void *arg)
{
    return zv_loop_after(loop, 0, fn, arg);
}

bool
zv_loop_cancel(struct zv_loop *loop, zv_timer_id id)
{
    bool ok;

    if (id == 0)
        return false;
    if (loop->is_virtual)
        return loop_cancel_locked(loop, id);
    loop_real_lock(loop);
    ok = loop_cancel_locked(loop, id);
    loop_real_unlock(loop);
    return ok;
}

size_t
zv_loop_pending(const struct zv_loop *loop)
{
    size_t n;

    if (loop->is_virtual)
        return loop->pending;
    loop_real_lock(loop);
    n = loop->pending;
    loop_real_unlock(loop);
    return n;
}

void
zv_loop_set_poll(struct zv_loop *loop, uint64_t ns)
{
    if (!loop->is_virtual)
        loop_real_set_poll(loop, ns > ZV_NSEC_PER_MSEC ? ZV_NSEC_PER_MSEC : ns);
}

bool
zv_loop_due(struct zv_loop *loop)
{
    uint64_t t;
    bool due;

    if (loop->is_virtual)
        return loop->fifo_len > 0 ||
               (loop_heap_earliest(loop, &t) && t <= loop->now);
    loop_real_lock(loop);
    due = loop_heap_earliest(loop, &t) && t <= zv_mono_ns();
    loop_real_unlock(loop);
    return due;
}

int
zv_loop_watch_fd(struct zv_loop *loop, int fd, unsigned events,
                 zv_loop_fd_fn fn, void *arg)
{
    if (loop->is_virtual)
        return -ENOTSUP;
    return loop_real_watch_fd(loop, fd, events, fn, arg);
}

int
zv_loop_unwatch_fd(struct zv_loop *loop, int fd)
{
    if (loop->is_virtual)
        return -ENOTSUP;
    return loop_real_unwatch_fd(loop, fd);
}

/* ---- running ----------------------------------------------------------- */

int
zv_loop_run_once(struct zv_loop *loop, uint64_t timeout_ns)
{
    struct loop_node ev;

    if (!loop->is_virtual)
        return loop_real_run_once(loop, timeout_ns);
    if (!virt_next(loop, UINT64_MAX, &ev))
        return 0;
    ev.fn(ev.arg);
    return 1;
}

/* A stop() ends the current run; the flag is consumed on the way out so
 * the next run starts fresh. */
static bool
loop_take_stop(struct zv_loop *loop)
{
    return atomic_exchange_explicit(&loop->stop, false, memory_order_acq_rel);
}

uint64_t
zv_loop_run(struct zv_loop *loop)
{
    struct loop_node ev;
    uint64_t ran = 0;

    if (!loop->is_virtual)
        return loop_real_run(loop);
    while (!atomic_load_explicit(&loop->stop, memory_order_relaxed) &&
           virt_next(loop, UINT64_MAX, &ev)) {
        ev.fn(ev.arg);
        ran++;
    }
    loop_take_stop(loop);
    return ran;
}

uint64_t
zv_loop_run_until(struct zv_loop *loop, uint64_t deadline)
{
    struct loop_node ev;
    uint64_t ran = 0;

    if (!loop->is_virtual)
        return loop_real_run_until(loop, deadline);
    while (!atomic_load_explicit(&loop->stop, memory_order_relaxed) &&
           virt_next(loop, deadline, &ev)) {
        ev.fn(ev.arg);
        ran++;
    }
    if (!loop_take_stop(loop) && loop->now < deadline)
        loop->now = deadline;
    return ran;
}

void
zv_loop_stop(struct zv_loop *loop)
{
    atomic_store_explicit(&loop->stop, true, memory_order_release);
    if (loop->real)
        loop_real_wake(loop);
}

/* ---- trace ------------------------------------------------------------- */

void
zv_loop_set_trace_sink(struct zv_loop *loop, zv_trace_sink sink, void *arg)
{
    loop->trace_sink = sink;
    loop->trace_arg = arg;
}

/* FNV-1a over the time (as 8 big-endian bytes, so the hash is the same on
 * every host byte order) and then the text. */
static uint64_t
trace_fold(uint64_t h, uint64_t now, const char *text, size_t len)
{
    for (int i = 56; i >= 0; i -= 8) {
        h ^= (uint8_t)(now >> i);
        h *= LOOP_FNV_PRIME;
    }
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)text[i];
        h *= LOOP_FNV_PRIME;
    }
    return h;
}

static void
trace_record(struct zv_loop *loop, const char *line, size_t len)
{
    uint64_t now = zv_loop_now(loop);

    loop->trace_hash = trace_fold(loop->trace_hash, now, line, len);
    loop->trace_count++;
    if (loop->trace_sink)
        loop->trace_sink(loop->trace_arg, now, line);
}

void
zv_trace(struct zv_loop *loop, const char *fmt, ...)
{
    char buf[LOOP_TRACE_BUFLEN];
    va_list ap, ap2;
    char *big;
    int n;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof(buf)) {
        va_end(ap2);
        trace_record(loop, buf, (size_t)n);
        return;
    }
    /* Rare long line: format again in full rather than hash a prefix. */
    big = malloc((size_t)n + 1);
    if (big)
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (big)
        trace_record(loop, big, (size_t)n);
    else
        trace_record(loop, buf, sizeof(buf) - 1);
    free(big);
}

/*
 * One 64-bit step of the record fold: xor, multiply by an odd constant,
 * fold the high half down.  Each step is a bijection of the running hash
 * for a fixed operand and of the operand for a fixed hash, so two record
 * streams that differ in one operand never end in the same hash.
 */
static inline uint64_t
trace_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * LOOP_REC_MUL;
    return h ^ (h >> 32);
}

static void
trace_rec_sink(struct zv_loop *loop, uint64_t now,
               const struct zv_trace_event *ev, uint64_t a, uint64_t b)
{
    char buf[LOOP_TRACE_BUFLEN];

    buf[0] = 0;
    if (ev->format)
        ev->format(buf, sizeof(buf), a, b);
    else
        snprintf(buf, sizeof(buf), "%s %" PRIx64 " %" PRIx64,
                 ev->name ? ev->name : "?", a, b);
    buf[sizeof(buf) - 1] = 0;
    loop->trace_sink(loop->trace_arg, now, buf);
}

void
zv_trace_rec(struct zv_loop *loop, const struct zv_trace_event *ev, uint64_t a,
             uint64_t b)
{
    uint64_t now = zv_loop_now(loop);
    uint64_t h = loop->trace_hash;

    h = trace_mix(h, now);
    h = trace_mix(h, ev->id);
    h = trace_mix(h, a);
    loop->trace_hash = trace_mix(h, b);
    loop->trace_count++;
    if (loop->trace_sink)
        trace_rec_sink(loop, now, ev, a, b);
}

uint64_t
zv_loop_trace_hash(const struct zv_loop *loop)
{
    return loop->trace_hash;
}

uint64_t
zv_loop_trace_count(const struct zv_loop *loop)
{
    return loop->trace_count;
}
