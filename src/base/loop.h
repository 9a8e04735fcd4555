/* SPDX-License-Identifier: MIT */
/*
 * base/loop: the only source of time, randomness and ordering (DESIGN.md,
 * principle 4).
 *
 * Two backends share one interface:
 *  - virtual: a seeded discrete-event loop.  Time only moves when the loop
 *    runs the next event; events at the same instant run in the order they
 *    were scheduled.  Same seed + same calls => same trace, byte for byte.
 *  - real: epoll + timerfd + eventfd, for zvfiod.  Fd watches exist only
 *    here.
 *
 * Every callback runs on the loop's thread.  zv_loop_post() is the one call
 * that may be made from another thread on the real backend (it wakes the
 * loop through an eventfd); everything else is loop-thread only.
 */
#ifndef ZV_BASE_LOOP_H
#define ZV_BASE_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zv_loop;

typedef void (*zv_loop_fn)(void *arg);
/* fd watch callback; events is a mask of ZV_LOOP_IN/OUT/ERR */
typedef void (*zv_loop_fd_fn)(void *arg, int fd, unsigned events);

#define ZV_LOOP_IN  0x1u
#define ZV_LOOP_OUT 0x2u
#define ZV_LOOP_ERR 0x4u

#define ZV_NSEC_PER_USEC 1000ull
#define ZV_NSEC_PER_MSEC 1000000ull
#define ZV_NSEC_PER_SEC  1000000000ull

/* A handle for a scheduled event; 0 is never a valid id. */
typedef uint64_t zv_timer_id;

struct zv_loop *zv_loop_new_virtual(uint64_t seed);
struct zv_loop *zv_loop_new_real(void);
/* Real backend with a fixed PRNG seed (0 = seed from the clock), so a
 * daemon's random choices can be replayed. */
struct zv_loop *zv_loop_new_real_seeded(uint64_t seed);
/* Pending events are dropped without running; fd watches are removed. */
void zv_loop_free(struct zv_loop *loop);
bool zv_loop_is_virtual(const struct zv_loop *loop);

/* CLOCK_MONOTONIC in nanoseconds, for code that waits on its own
 * (a guest channel polling its eventfds) rather than on a loop. */
uint64_t zv_mono_ns(void);
/* Nanoseconds.  Virtual: starts at 0.  Real: CLOCK_MONOTONIC. */
uint64_t zv_loop_now(const struct zv_loop *loop);

/* Run fn(arg) as soon as possible (at now()), after events already queued
 * for now().  Returns an id usable with zv_loop_cancel, 0 on ENOMEM. */
zv_timer_id zv_loop_post(struct zv_loop *loop, zv_loop_fn fn, void *arg);
/* Run fn(arg) at now() + ns. */
zv_timer_id zv_loop_after(struct zv_loop *loop, uint64_t ns, zv_loop_fn fn,
                          void *arg);
/* Returns true if the event was still pending (and now never runs). */
bool zv_loop_cancel(struct zv_loop *loop, zv_timer_id id);

/* Real backend only; -ENOTSUP on the virtual one. */
int zv_loop_watch_fd(struct zv_loop *loop, int fd, unsigned events,
                     zv_loop_fd_fn fn, void *arg);
int zv_loop_unwatch_fd(struct zv_loop *loop, int fd);

/*
 * Run one event (virtual: advances time to it).  Returns 1 if an event ran,
 * 0 if there was nothing to run (real backend: waits up to timeout_ns for
 * one; virtual: ignores the timeout).
 */
int zv_loop_run_once(struct zv_loop *loop, uint64_t timeout_ns);
/* Run until no events are left or zv_loop_stop() is called.  Returns the
 * number of events run.  (Real backend: until stop.) */
uint64_t zv_loop_run(struct zv_loop *loop);
/* Run events whose time is <= deadline (absolute ns); time ends at
 * deadline (virtual) if the queue drains earlier. */
uint64_t zv_loop_run_until(struct zv_loop *loop, uint64_t deadline);
/* Ends the current run()/run_until() after the running callback returns.
 * Called while no run is active, it makes the next run return at once (the
 * request is consumed either way).  Safe from any thread (real backend). */
void zv_loop_stop(struct zv_loop *loop);
/* Number of events queued (virtual and real timers/posts). */
size_t zv_loop_pending(const struct zv_loop *loop);
/* Real backend: before it would sleep, look for ready fds for up to ns
 * (0, the default: never; capped at 1 ms).  Costs CPU while a client is
 * between requests, saves the wake-up of a sleeping CPU (tens of
 * microseconds on a virtual machine).  No effect on the virtual backend. */
void zv_loop_set_poll(struct zv_loop *loop, uint64_t ns);
/* Is an event due now (posted, or a timer whose time has come)?  A
 * cancelled one may count on the virtual backend until it is reaped. */
bool zv_loop_due(struct zv_loop *loop);

/* Seeded PRNG (xoshiro256** or similar), deterministic per seed.  On the
 * real backend it is seeded from the seed given at creation, 0 = time. */
uint64_t zv_loop_rand(struct zv_loop *loop);
/* Uniform in [0, n) without modulo bias; n == 0 returns 0. */
uint64_t zv_loop_rand_below(struct zv_loop *loop, uint64_t n);

/*
 * Trace: every subsystem records its events here.  The loop folds each
 * record (time + text) into a running 64-bit hash (FNV-1a) so two runs can
 * be compared, and, if a sink is set, hands the formatted line to it.
 */
typedef void (*zv_trace_sink)(void *arg, uint64_t now, const char *line);
void zv_loop_set_trace_sink(struct zv_loop *loop, zv_trace_sink sink,
                            void *arg);
void zv_trace(struct zv_loop *loop, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Binary trace records, for hot paths.  A record is an event kind and two
 * 64-bit operands; the loop folds (now, id, a, b) into the same running
 * hash as the text records, 64 bits at a time as numbers (so the hash does
 * not depend on the host byte order), and counts it like a line.  Text is
 * made only when a sink is set: the loop calls the kind's format() into a
 * buffer of `size` bytes and hands the line to the sink, so a replay trace
 * has one line per record either way.
 *
 * Kinds are static const descriptors owned by the subsystem that records
 * them.  Ids are stable and unique across the program (the hash covers the
 * id, not the descriptor's address): the high 16 bits name the subsystem
 * (ZV_TRACE_ID below), the low 16 bits the kind within it.
 */
struct zv_trace_event {
    uint32_t id;
    const char *name; /* used when format is NULL: "<name> <a> <b>" */
    void (*format)(char *buf, size_t size, uint64_t a, uint64_t b);
};

#define ZV_TRACE_ID(subsys, n) (((uint32_t)(subsys) << 16) | (uint16_t)(n))
#define ZV_TRACE_CSS           0x0C55u
#define ZV_TRACE_VFIO_CCW      0x0CC0u

void zv_trace_rec(struct zv_loop *loop, const struct zv_trace_event *ev,
                  uint64_t a, uint64_t b);

uint64_t zv_loop_trace_hash(const struct zv_loop *loop);
uint64_t zv_loop_trace_count(const struct zv_loop *loop);

#endif
