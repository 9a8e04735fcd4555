/* SPDX-License-Identifier: MIT */
/*
 * zvfio-guest bench: one thread per device, each with one channel
 * program outstanding (a subchannel runs one start function at a time,
 * so the queue depth is the number of devices).  Every I/O is timed from
 * the SSCH to the IRB; the main thread prints a progress line each second
 * on a TTY and the summary at the end.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zvfio-guest.h"

struct bench_thread {
    struct zg_dev *d;
    const struct zg_bench_opts *o;
    pthread_t tid;
    uint64_t *lat; /* ns per I/O */
    size_t n, cap;
    _Atomic uint64_t ios;
    int err;
    uint64_t rng;
};

static atomic_bool bench_stop;

static void
bench_sigint(int sig)
{
    (void)sig;
    atomic_store(&bench_stop, true);
}

static uint64_t
bench_rand(struct bench_thread *t)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return t->rng;
}

static int
bench_record(struct bench_thread *t, uint64_t ns)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 65536;
        uint64_t *l = realloc(t->lat, cap * sizeof(*l));

        if (!l)
            return -ENOMEM;
        t->lat = l;
        t->cap = cap;
    }
    t->lat[t->n++] = ns;
    atomic_fetch_add_explicit(&t->ios, 1, memory_order_relaxed);
    return 0;
}

/* Log a completed write (block, count, checksum) before the next one is
 * started: a reader of the log may trust every whole line. */
static void
bench_log(struct bench_thread *t, uint64_t blk, uint32_t n, const uint8_t *buf,
          size_t len)
{
    char line[PATH_MAX + 64];
    int l;

    if (t->o->log_fd < 0)
        return;
    l = snprintf(line, sizeof(line), "%s %llu %u %016llx\n", t->d->path,
                 (unsigned long long)blk, n,
                 (unsigned long long)zg_fnv(buf, len));
    /* one write() per line: lines of the two device threads never mix */
    if (l < 0 || (size_t)l >= sizeof(line) ||
        write(t->o->log_fd, line, (size_t)l) != l)
        t->err = -EIO;
}

static void
bench_fill(const struct guest_dasd_info *i, uint8_t *buf, uint64_t seed,
           uint64_t blk, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        zg_pattern(buf + (size_t)k * i->blksize, i->blksize, seed, blk + k);
}

static void *
bench_run(void *arg)
{
    struct bench_thread *t = arg;
    const struct guest_dasd_info *i = guest_dasd_info(t->d->g);
    uint32_t n = t->o->bs / i->blksize;
    uint64_t first = zg_first_block(i), slots = (i->blocks - first) / n;
    uint64_t seq = 0;
    size_t room;
    /* the library's area in guest memory: the data move between the
     * device and it, as into a guest's O_DIRECT page, with no copy */
    uint8_t *buf = guest_dasd_buffer(t->d->g, &room);

    if (room < t->o->bs || !slots) {
        t->err = -EINVAL;
        return NULL;
    }
    while (!atomic_load(&bench_stop) && !t->err) {
        uint64_t slot = t->o->rnd ? bench_rand(t) % slots : seq++ % slots;
        uint64_t blk = first + slot * n, t0;
        int rc;

        if (t->o->write)
            bench_fill(i, buf, t->o->seed, blk, n);
        t0 = zg_now_ns();
        rc = t->o->write ? guest_dasd_write(t->d->g, blk, n, buf)
                         : guest_dasd_read(t->d->g, blk, n, buf);
        if (rc) {
            t->err = rc;
            break;
        }
        t->err = bench_record(t, zg_now_ns() - t0);
        if (t->o->write)
            bench_log(t, blk, n, buf, t->o->bs);
    }
    return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static uint64_t
bench_total(struct bench_thread *t, unsigned n)
{
    uint64_t s = 0;

    for (unsigned k = 0; k < n; k++)
        s += atomic_load_explicit(&t[k].ios, memory_order_relaxed);
    return s;
}

static void
bench_progress(struct bench_thread *t, unsigned n, uint64_t t0, uint32_t bs,
               uint64_t *last, uint64_t *last_ns)
{
    uint64_t now = zg_now_ns(), ios = bench_total(t, n);
    double dt = (double)(now - *last_ns) / 1e9;
    double iops = dt > 0 ? (double)(ios - *last) / dt : 0;

    fprintf(stderr, "\r[%5.1fs] %10.0f IOPS %8.1f MB/s  %llu I/Os   ",
            (double)(now - t0) / 1e9, iops, iops * bs / 1e6,
            (unsigned long long)ios);
    *last = ios;
    *last_ns = now;
}

static void
bench_summary(struct bench_thread *t, unsigned n, const struct zg_bench_opts *o,
              double secs)
{
    size_t total = 0, k = 0;
    uint64_t *all;

    for (unsigned d = 0; d < n; d++)
        total += t[d].n;
    all = malloc((total ? total : 1) * sizeof(*all));
    if (!all)
        return;
    for (unsigned d = 0; d < n; d++) {
        memcpy(all + k, t[d].lat, t[d].n * sizeof(*all));
        k += t[d].n;
    }
    qsort(all, total, sizeof(*all), cmp_u64);
    printf("%s %s bs=%u devices=%u depth=%u time=%.2fs\n",
           o->rnd ? "rand" : "seq", o->write ? "write" : "read", o->bs, n, n,
           secs);
    printf("  ios=%zu  IOPS=%.0f  MB/s=%.2f\n", total, (double)total / secs,
           (double)total * o->bs / secs / 1e6);
    if (total)
        printf("  latency us: p50=%.1f p99=%.1f p99.9=%.1f max=%.1f\n",
               all[total / 2] / 1e3, all[total * 99 / 100] / 1e3,
               all[total * 999 / 1000] / 1e3, all[total - 1] / 1e3);
    free(all);
}

static void
bench_wait(struct bench_thread *t, unsigned n, const struct zg_bench_opts *o,
           uint64_t t0)
{
    bool tty = isatty(STDERR_FILENO);
    uint64_t last = 0, last_ns = t0, end = t0 + (uint64_t)(o->seconds * 1e9);

    while (!atomic_load(&bench_stop) && zg_now_ns() < end) {
        struct timespec nap = {.tv_nsec = 100000000};
        bool all_failed = true;

        nanosleep(&nap, NULL);
        for (unsigned k = 0; k < n; k++)
            all_failed &= t[k].err != 0;
        if (all_failed)
            break;
        if (tty && zg_now_ns() - last_ns >= 1000000000ull)
            bench_progress(t, n, t0, o->bs, &last, &last_ns);
    }
    atomic_store(&bench_stop, true);
    if (tty)
        fputc('\n', stderr);
}

int
zg_bench(struct zg_dev *devs, unsigned n, const struct zg_bench_opts *o)
{
    struct bench_thread *t = calloc(n, sizeof(*t));
    struct sigaction sa = {.sa_handler = bench_sigint};
    uint64_t t0;
    int rc = ZG_OK;

    if (!t)
        return ZG_FAIL;
    sigaction(SIGINT, &sa, NULL);
    atomic_store(&bench_stop, false);
    for (unsigned k = 0; k < n; k++) {
        if (o->bs % guest_dasd_info(devs[k].g)->blksize) {
            fprintf(stderr,
                    "zvfio-guest: %s: --bs %u is not a multiple of "
                    "the block size %u\n",
                    devs[k].path, o->bs, guest_dasd_info(devs[k].g)->blksize);
            free(t);
            return ZG_USAGE;
        }
    }
    t0 = zg_now_ns();
    for (unsigned k = 0; k < n; k++) {
        t[k].d = &devs[k];
        t[k].o = o;
        t[k].rng = (o->seed + k) * 0x9E3779B97F4A7C15ull | 1;
        if (pthread_create(&t[k].tid, NULL, bench_run, &t[k]))
            t[k].err = -EAGAIN;
    }
    bench_wait(t, n, o, t0);
    for (unsigned k = 0; k < n; k++)
        if (t[k].err != -EAGAIN)
            pthread_join(t[k].tid, NULL);
    bench_summary(t, n, o, (double)(zg_now_ns() - t0) / 1e9);
    for (unsigned k = 0; k < n; k++) {
        if (t[k].err) {
            zg_fail(devs[k].path, "bench", t[k].err);
            rc = ZG_FAIL;
        }
        free(t[k].lat);
    }
    free(t);
    return rc;
}
