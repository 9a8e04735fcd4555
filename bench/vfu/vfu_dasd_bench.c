/* SPDX-License-Identifier: MIT */
/*
 * vfu_dasd_bench: 4 KiB random reads through the guest DASD library, the
 * in-process vfio-ccw path (chan_vfio: region calls are function calls,
 * the interrupt a callback) side by side with vfio-user (chan_vfu: every
 * region access a request/reply over a UNIX socket, the interrupt an
 * eventfd), on the same host in the same run: 1 device, then 4 devices
 * (one thread and one outstanding program per device: a subchannel runs
 * one start function at a time).  The devices have no modelled latency
 * and their images are in the page cache (a fresh temp file, read once
 * before the runs), so the figures are the software path.  Latency is
 * SSCH to final interrupt, as the DASD library sees a request.  Each run
 * also prints the CPU time per I/O of the server's loop thread and of the
 * client threads (CLOCK_THREAD_CPUTIME_ID): with one loop thread serving
 * every device, the server's share bounds the aggregate IOPS.
 *
 *   vfu_dasd_bench [seconds-per-run [E|F [poll-us [spin-us [cold]]]]]  (E: ECKD
 *   3390 CDL, 4 KiB records, one Read per 4 KiB (default); F: FBA, 8
 *   chained 512-byte Reads per 4 KiB; poll-us: the server loop looks for
 *   work that long before it sleeps, zvfiod --poll-us; spin-us: each
 *   client polls for its reply that long before it sleeps, only in the
 *   1-device run: with 4 client threads on fewer CPUs it would only
 *   steal the server's CPU; cold: only the 4-device run, device 0's
 *   image evicted from the page cache (POSIX_FADV_DONTNEED) before each of
 *   its reads, so they wait for the disk while devices 1-3 read cached
 *   images: with image I/O on the loop thread (pread) every device waits
 *   with it, on io_uring (ZVFIO_IMAGE_IO=uring) only device 0 does)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest/chan_vfio.h"
#include "guest/chan_vfu.h"
#include "guest/dasd.h"
#include "vfu_dasd_host.h"

#define NDEV       4
#define GUEST_BASE 0x10000ull
#define GUEST_SIZE (4u << 20)
#define BS         4096u

struct run {
    uint64_t cpu_ns; /* CPU time of the thread that ran the reads */
    struct guest_chan *ch;
    struct guest_dasd *g;
    double secs;
    uint64_t *lat;
    size_t n, cap;
    uint64_t rng;
    int err;
    int cold_fd; /* > 0: evict this image before each read */
};

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
loop_cpu(void *arg)
{
    *(uint64_t *)arg = thread_cpu_ns();
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void *
run_reads(void *arg)
{
    struct run *r = arg;
    const struct guest_dasd_info *i = guest_dasd_info(r->g);
    uint32_t n = BS / i->blksize;
    uint64_t first = i->layout == GUEST_LAYOUT_CDL ? 2ull * i->rpt : 0;
    uint64_t slots = (i->blocks - first) / n, end;
    size_t room;
    /* in guest memory, as a guest's O_DIRECT page: no copy */
    uint8_t *buf = guest_dasd_buffer(r->g, &room);
    uint64_t cpu0 = thread_cpu_ns();

    end = now_ns() + (uint64_t)(r->secs * 1e9);
    while (!r->err && now_ns() < end) {
        uint64_t t0, blk;

        r->rng ^= r->rng << 13;
        r->rng ^= r->rng >> 7;
        r->rng ^= r->rng << 17;
        blk = first + r->rng % slots * n;
        if (r->cold_fd > 0)
            posix_fadvise(r->cold_fd, 0, 0, POSIX_FADV_DONTNEED);
        t0 = now_ns();
        r->err = guest_dasd_read(r->g, blk, n, buf);
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 65536;
            r->lat = realloc(r->lat, r->cap * sizeof(*r->lat));
            if (!r->lat)
                r->err = -1;
        }
        if (!r->err)
            r->lat[r->n++] = now_ns() - t0;
    }
    r->cpu_ns = thread_cpu_ns() - cpu0;
    return NULL;
}

static void
report(const char *path, struct run *r, unsigned n, double secs)
{
    size_t total = 0, k = 0;
    uint64_t *all;

    for (unsigned d = 0; d < n; d++)
        total += r[d].n;
    all = malloc((total + 1) * sizeof(*all));
    for (unsigned d = 0; all && d < n; d++) {
        memcpy(all + k, r[d].lat, r[d].n * sizeof(*all));
        k += r[d].n;
    }
    if (!all || !total) {
        printf("%-10s %u dev: no I/O\n", path, n);
        free(all);
        return;
    }
    qsort(all, total, sizeof(*all), cmp_u64);
    printf("%-10s %u dev  %9.0f IOPS  p50 %7.1f us  p99 %7.1f us  "
           "p99.9 %7.1f us\n",
           path, n, (double)total / secs, all[total / 2] / 1e3,
           all[total * 99 / 100] / 1e3, all[total * 999 / 1000] / 1e3);
    fflush(stdout);
    free(all);
}

static int
run_threads(const char *path, struct run *r, unsigned n, double secs)
{
    pthread_t t[NDEV];
    uint64_t t0 = now_ns();
    int rc = 0;

    for (unsigned d = 0; d < n; d++) {
        r[d].secs = secs;
        r[d].rng = 0x9E3779B97F4A7C15ull * (d + 1);
        if (pthread_create(&t[d], NULL, run_reads, &r[d]))
            return -1;
    }
    for (unsigned d = 0; d < n; d++) {
        pthread_join(t[d], NULL);
        rc |= r[d].err;
    }
    report(path, r, n, (double)(now_ns() - t0) / 1e9);
    return rc;
}

static void
runs_free(struct run *r, unsigned n)
{
    for (unsigned d = 0; d < n; d++) {
        if (r[d].g)
            guest_dasd_offline(r[d].g);
        guest_chan_destroy(r[d].ch);
        free(r[d].lat);
    }
    memset(r, 0, n * sizeof(*r));
}

/* In process: the DASD library's wait runs the host loop itself, so the
 * devices share one thread; the loop thread is not running. */
static int
bench_inproc(struct vfu_dasd_host *h, double secs)
{
    struct run r = {0};
    int rc =
        guest_chan_vfio_new(h->d[0].vd, h->loop, GUEST_BASE, GUEST_SIZE, &r.ch);

    if (!rc)
        rc = r.ch->ops->enable(r.ch, 1, 3);
    if (!rc)
        rc = guest_dasd_online(r.ch, &r.g);
    if (!rc) {
        r.secs = secs;
        r.rng = 0x9E3779B97F4A7C15ull;
        run_reads(&r);
        report("in-process", &r, 1, secs);
        if (r.n)
            printf("           CPU per I/O: %.1f us (one thread)\n",
                   (double)r.cpu_ns / r.n / 1e3);
        rc = r.err;
    }
    runs_free(&r, 1);
    return rc;
}

static int
bench_vfu(struct vfu_dasd_host *h, unsigned n, double secs, unsigned spin_us,
          bool cold)
{
    struct run r[NDEV] = {{0}};
    int rc = 0;

    if (cold) {
        r[0].cold_fd = open(h->d[0].img, O_RDONLY | O_CLOEXEC);
        if (r[0].cold_fd < 0)
            return -1;
    }

    for (unsigned d = 0; d < n && !rc; d++) {
        struct zv_vfu_client *c;

        rc = zv_vfu_client_connect(h->d[d].path, &c);
        if (!rc)
            rc = zv_vfu_client_set_spin(c, spin_us);
        if (!rc)
            rc = guest_chan_vfu_new(c, GUEST_BASE, GUEST_SIZE, &r[d].ch);
        if (!rc)
            rc = r[d].ch->ops->enable(r[d].ch, 1, 3);
        if (!rc)
            rc = guest_dasd_online(r[d].ch, &r[d].g);
    }
    if (!rc) {
        uint64_t s0, s1, ios = 0, cli = 0;

        vfu_dasd_host_call(h, loop_cpu, &s0);
        rc = run_threads("vfio-user", r, n, secs);
        vfu_dasd_host_call(h, loop_cpu, &s1);
        for (unsigned d = 0; d < n; d++) {
            ios += r[d].n;
            cli += r[d].cpu_ns;
        }
        if (ios)
            printf("           CPU per I/O: server loop %.1f us, client "
                   "%.1f us\n",
                   (double)(s1 - s0) / ios / 1e3, (double)cli / ios / 1e3);
        if (cold) {
            report("  dev 0 cold", r, 1, secs);
            report("  devs 1-3", r + 1, n - 1, secs);
        }
    }
    if (cold)
        close(r[0].cold_fd);
    runs_free(r, NDEV);
    return rc;
}

int
main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3;
    const char *kinds = argc > 2 && argv[2][0] == 'F' ? "FFFF" : "EEEE";
    unsigned poll_us = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
    unsigned spin_us = argc > 4 ? (unsigned)atoi(argv[4]) : 0;
    bool cold = argc > 5 && !strcmp(argv[5], "cold");
    struct vfu_dasd_host h;

    if (vfu_dasd_host_new(&h, kinds, 0, 0, NULL)) {
        fprintf(stderr, "vfu_dasd_bench: setup failed\n");
        return 1;
    }
    zv_loop_set_poll(h.loop, (uint64_t)poll_us * 1000u);
    printf("4 KiB random reads, %s, %.1f s per run, server poll %u us, "
           "client spin %u us (1 device)\n",
           kinds[0] == 'E' ? "ECKD 3390 CDL (4 KiB records)"
                           : "FBA (8 x 512-byte Reads)",
           secs, poll_us, spin_us);
    if (cold) {
        const char *io = getenv("ZVFIO_IMAGE_IO");

        printf("device 0's image evicted before each of its reads; image "
               "I/O: %s\n",
               io && !strcmp(io, "uring") ? "io_uring" : "pread/pwrite");
        if (vfu_dasd_host_start(&h) || bench_vfu(&h, NDEV, secs, 0, true)) {
            fprintf(stderr, "vfu_dasd_bench: a run failed\n");
            vfu_dasd_host_free(&h);
            return 1;
        }
        vfu_dasd_host_free(&h);
        return 0;
    }
    if (bench_inproc(&h, secs) || vfu_dasd_host_start(&h) ||
        bench_vfu(&h, 1, secs, spin_us, false) ||
        bench_vfu(&h, NDEV, secs, 0, false)) {
        fprintf(stderr, "vfu_dasd_bench: a run failed\n");
        vfu_dasd_host_free(&h);
        return 1;
    }
    vfu_dasd_host_free(&h);
    return 0;
}
