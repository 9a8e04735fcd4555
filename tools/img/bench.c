/* SPDX-License-Identifier: MIT */
/*
 * zvfio-img bench: random-read throughput of an image through the sync
 * or the io_uring backend, so users can pick a backend for their storage.
 * CKD images read whole track slots, FBA images 4 KiB (8 blocks).  Five
 * rounds; the median is printed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "img/img.h"
#include "zvfio-img.h"

#define BENCH_ROUNDS    5
#define BENCH_MAX_DEPTH 256

struct bench {
    struct img_backend *be;
    struct zv_loop *loop;
    uint64_t base;  /* first byte of the unit area */
    uint64_t units; /* number of read units */
    uint32_t unit;  /* bytes per read */
    uint64_t rng;
    unsigned depth;
    uint64_t ops, issued, done;
    int err;
    uint8_t *bufs;
    struct bench_slot *slots;
};

/* One in-flight read: the callback argument. */
struct bench_slot {
    struct bench *b;
    uint8_t *buf;
};

static uint64_t
bench_rand(struct bench *b)
{
    /* xorshift64: cheap, and the sequence does not matter beyond being
     * spread over the image */
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 7;
    b->rng ^= b->rng << 17;
    return b->rng;
}

static uint64_t
bench_off(struct bench *b)
{
    return b->base + (bench_rand(b) % b->units) * b->unit;
}

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_round_sync(struct bench *b)
{
    for (uint64_t i = 0; i < b->ops; i++) {
        int rc = img_pread(b->be, b->bufs, b->unit, bench_off(b));

        if (rc < 0)
            return rc;
    }
    return 0;
}

static void bench_on_done(void *arg, int res);

static void
bench_issue(struct bench_slot *s)
{
    struct bench *b = s->b;
    int rc =
        img_pread_async(b->be, s->buf, b->unit, bench_off(b), bench_on_done, s);

    if (rc < 0) {
        if (!b->err)
            b->err = rc;
        return;
    }
    b->issued++;
}

static void
bench_on_done(void *arg, int res)
{
    struct bench_slot *s = arg;
    struct bench *b = s->b;

    if (res < 0 && !b->err)
        b->err = res;
    b->done++;
    if (b->issued < b->ops && !b->err)
        bench_issue(s);
    if (b->done == b->issued)
        zv_loop_stop(b->loop);
}

static int
bench_round_async(struct bench *b)
{
    b->issued = b->done = 0;
    b->err = 0;
    for (unsigned i = 0; i < b->depth && b->issued < b->ops; i++) {
        b->slots[i] = (struct bench_slot){b, b->bufs + (size_t)i * b->unit};
        bench_issue(&b->slots[i]);
    }
    if (b->err)
        return b->err;
    zv_loop_run(b->loop);
    return b->err;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int
bench_run(struct bench *b, const char *name)
{
    double rate[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        double t0 = now_sec();
        int rc = b->loop ? bench_round_async(b) : bench_round_sync(b);

        if (rc < 0)
            return img_tool_fail("bench", strerror(-rc));
        rate[r] = (double)b->ops / (now_sec() - t0);
    }
    qsort(rate, BENCH_ROUNDS, sizeof(rate[0]), cmp_double);
    printf("%s: random %u-byte reads, %s backend, depth %u: median %.0f "
           "reads/s, %.1f MiB/s (%d rounds of %" PRIu64 ")\n",
           name, b->unit, b->loop ? "uring" : "sync", b->loop ? b->depth : 1,
           rate[BENCH_ROUNDS / 2],
           rate[BENCH_ROUNDS / 2] * b->unit / (1024.0 * 1024.0), BENCH_ROUNDS,
           b->ops);
    return EXIT_SUCCESS;
}

struct bench_opts {
    bool uring;
    unsigned depth;
    uint64_t ops;
};

static int
bench_parse(int argc, char **argv, struct bench_opts *o)
{
    static const struct option lo[] = {{"backend", required_argument, 0, 'b'},
                                       {"depth", required_argument, 0, 'd'},
                                       {"ops", required_argument, 0, 'n'},
                                       {0, 0, 0, 0}};
    uint64_t v;
    int c;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'b' && strcmp(optarg, "sync") && strcmp(optarg, "uring"))
            return img_tool_usage("--backend: sync or uring");
        if (c == 'b')
            o->uring = !strcmp(optarg, "uring");
        if (c == 'd' &&
            (!img_tool_u64(optarg, &v) || !v || v > BENCH_MAX_DEPTH))
            return img_tool_usage("--depth: 1..256");
        if (c == 'd')
            o->depth = (unsigned)v;
        if (c == 'n' && (!img_tool_u64(optarg, &v) || !v))
            return img_tool_usage("--ops: a positive count");
        if (c == 'n')
            o->ops = v;
        if (c == '?')
            return EXIT_USAGE;
    }
    if (optind < argc)
        return img_tool_usage("bench: unexpected argument");
    return 0;
}

/* Geometry of the read units: whole tracks (CKD) or 4 KiB (FBA). */
static int
bench_open(const char *file, struct bench *b, struct ckd_img **ckd,
           struct fba_img **fba, int *fd)
{
    char err[256] = "";

    if (img_tool_is_ckd(file)) {
        if (ckd_img_open(file, true, IMG_SYNC_WRITE_THROUGH, ckd, err,
                         sizeof(err)) < 0)
            return img_tool_fail(file, err);
        b->unit = ckd_img_geom(*ckd)->trksize;
        b->units =
            (uint64_t)ckd_img_geom(*ckd)->cyls * ckd_img_geom(*ckd)->heads;
        b->base = CKD_DEVHDR_SIZE;
        *fd = ckd_img_fd(*ckd);
        return 0;
    }
    if (fba_img_open(file, true, IMG_SYNC_WRITE_THROUGH, fba, err,
                     sizeof(err)) < 0)
        return img_tool_fail(file, err);
    b->unit = 8 * FBA_BLKSIZE;
    b->units = fba_img_blocks(*fba) / 8;
    *fd = fba_img_fd(*fba);
    if (b->units == 0)
        return img_tool_fail(file, "image smaller than 4 KiB");
    return 0;
}

static int
bench_backend(struct bench *b, int fd, const struct bench_opts *o)
{
    if (!o->uring) {
        b->be = img_backend_sync(fd, IMG_SYNC_WRITE_THROUGH);
        return b->be ? 0 : img_tool_fail("bench", "out of memory");
    }
    b->loop = zv_loop_new_real();
    if (!b->loop)
        return img_tool_fail("bench", "cannot create the event loop");
    b->be = img_backend_uring(fd, IMG_SYNC_WRITE_THROUGH, b->loop, b->depth);
    if (!b->be)
        return img_tool_fail("io_uring backend", strerror(errno));
    return 0;
}

int
img_cmd_bench(const char *file, int argc, char **argv)
{
    struct bench_opts o = {.depth = 32, .ops = 20000};
    struct bench b = {.rng = 0x9e3779b97f4a7c15ull};
    struct ckd_img *ckd = NULL;
    struct fba_img *fba = NULL;
    int fd = -1, rc;

    rc = bench_parse(argc, argv, &o);
    if (rc == 0)
        rc = bench_open(file, &b, &ckd, &fba, &fd);
    if (rc == 0) {
        b.depth = o.uring ? o.depth : 1;
        b.ops = o.ops;
        b.bufs = malloc((size_t)b.depth * b.unit);
        b.slots = calloc(b.depth, sizeof(*b.slots));
        rc = b.bufs && b.slots ? bench_backend(&b, fd, &o)
                               : img_tool_fail("bench", "out of memory");
    }
    if (rc == 0)
        rc = bench_run(&b, file);
    img_backend_free(b.be);
    if (b.loop)
        zv_loop_free(b.loop);
    free(b.bufs);
    free(b.slots);
    ckd_img_close(ckd);
    fba_img_close(fba);
    return rc;
}
