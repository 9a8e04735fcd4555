/* SPDX-License-Identifier: MIT */
/*
 * cp_bench: channel-program translation cost, nanoseconds per guest CCW,
 * for chains of 1, 16 and 256 command-chained READs of 4 KiB, each with a
 * one-IDAW format-2 IDAL (the shape of a DASD track read).  Each sample
 * translates 4096 CCWs' worth of programs, timing each cp_translate call
 * (cp_free outside the clock; two clock reads per call are included); the
 * median of the samples is printed.  pin() is a lookup in the guest DMA
 * space, as a real one is, and freed programs are kept in a spare slot,
 * as vfio-ccw does.
 *
 * A fourth shape, "64k", is one READ of 65,535 bytes (the largest count)
 * through a 16-IDAW format-2 IDAL naming 16 consecutive guest pages (a
 * large sequential DASD transfer); its figure is per program.
 *
 * Usage: cp_bench [samples [chain|64k]]   (default 41 samples, all shapes)
 * For instruction counts: valgrind --tool=callgrind
 *   --toggle-collect=cp_translate cp_bench 3 SHAPE, divided by the calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfio_ccw/cp.h"

#define B_GBASE      0x10000000ull
#define B_GSIZE      (2u << 20)
#define B_HBASE      0x400000000ull
#define B_ARENA      0x7f000000ull
#define B_ASIZE      (8u << 20)
#define B_BATCH_CCWS 4096u /* CCWs translated per sample */

struct bench {
    struct zv_as *iova, *host;
    struct zv_arena *arena;
    uint8_t *g;
    struct cp *spare; /* vfio-ccw's per-device spare slot */
    struct cp_env env;
};

static int
b_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct bench *b = ctx;
    uint8_t *p = zv_as_ptr(b->iova, iova, len, ZV_MEM_RW);

    if (!p)
        return -EFAULT;
    *habs = B_HBASE + (uint64_t)(p - b->g);
    return 0;
}

static int
b_init(struct bench *b)
{
    b->g = aligned_alloc(4096, B_GSIZE);
    b->iova = zv_as_new("bench-iova");
    b->host = zv_as_new("bench-host");
    if (!b->g || !b->iova || !b->host)
        return -ENOMEM;
    memset(b->g, 0, B_GSIZE);
    if (zv_as_map(b->iova, B_GBASE, B_GSIZE, b->g, ZV_MEM_RW) ||
        zv_as_map(b->host, B_HBASE, B_GSIZE, b->g, ZV_MEM_RW))
        return -EINVAL;
    b->arena = zv_arena_new(b->host, B_ARENA, B_ASIZE);
    if (!b->arena)
        return -ENOMEM;
    b->env = (struct cp_env){.iova = b->iova,
                             .host = b->arena,
                             .pin = b_pin,
                             .pin_run = b_pin, /* as vfio-ccw's */
                             .spare = &b->spare,
                             .ctx = b};
    return 0;
}

/* n chained 4K READs at B_GBASE, IDALs at +0x2000, data from +1M. */
static void
b_program(struct bench *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct ccw1 c = {
            .cmd = 0x06,
            .flags = (uint8_t)(CCW_FLAG_IDA | (i + 1 < n ? CCW_FLAG_CC : 0)),
            .count = 4096,
            .cda = (uint32_t)(B_GBASE + 0x2000 + 8 * i)};
        uint8_t raw[CCW_SIZE], idaw[8];

        ccw1_encode(&c, raw);
        zv_put_be64(idaw, B_GBASE + 0x100000 + 4096ull * i);
        zv_as_write(b->iova, B_GBASE + 8 * i, raw, sizeof(raw));
        zv_as_write(b->iova, B_GBASE + 0x2000 + 8 * i, idaw, sizeof(idaw));
    }
}

/* One 64 KiB READ (count 65,535) through 16 IDAWs, pages in a row. */
static void
b_program_64k(struct bench *b)
{
    struct ccw1 c = {.cmd = 0x06,
                     .flags = CCW_FLAG_IDA,
                     .count = 0xffff,
                     .cda = (uint32_t)(B_GBASE + 0x2000)};
    uint8_t raw[CCW_SIZE], idaw[8];

    ccw1_encode(&c, raw);
    zv_as_write(b->iova, B_GBASE, raw, sizeof(raw));
    for (unsigned i = 0; i < 16; i++) {
        zv_put_be64(idaw, B_GBASE + 0x100000 + 4096ull * i);
        zv_as_write(b->iova, B_GBASE + 0x2000 + 8 * i, idaw, sizeof(idaw));
    }
}

static uint64_t
b_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
b_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * One sample: ns per CCW over a batch of translations of the same
 * program.  Only cp_translate is inside the clock; each program is freed
 * before the next is built, as a driver does.  -1 on an error.
 */
static double
b_sample(struct bench *b, unsigned n)
{
    struct orb o = {.fmt = true,
                    .pfch = true,
                    .c64 = true,
                    .lpm = 0x80,
                    .cpa = (uint32_t)B_GBASE};
    unsigned reps = B_BATCH_CCWS / n;
    uint64_t spent = 0, t0;
    struct orb host;
    struct cp *cp;

    for (unsigned r = 0; r < reps; r++) {
        t0 = b_now();
        if (cp_translate(&b->env, &o, &cp, &host))
            return -1;
        spent += b_now() - t0;
        cp_free(cp);
    }
    return (double)spent / ((double)reps * n);
}

int
main(int argc, char **argv)
{
    /* 0 stands for the 64k shape: one CCW, 16 IDAWs. */
    static const unsigned sizes[] = {1, 16, 256, 0};
    unsigned samples = argc > 1 ? (unsigned)atoi(argv[1]) : 41;
    double *ns = calloc(samples ? samples : 1, sizeof(*ns));
    struct bench b = {0};

    if (!samples || !ns || b_init(&b)) {
        fprintf(stderr, "cp_bench: setup failed\n");
        return 1;
    }
    printf("cp_bench: cp_translate, ns per CCW (median of %u samples of "
           "%u CCWs; 4K READ + 1 format-2 IDAW per CCW)\n",
           samples, B_BATCH_CCWS);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        unsigned n = sizes[s] ? sizes[s] : 1;

        if (argc > 2 && strcmp(argv[2], "64k") == 0 ? sizes[s] != 0
            : argc > 2 ? (unsigned)atoi(argv[2]) != sizes[s]
                       : false)
            continue;
        if (sizes[s])
            b_program(&b, n);
        else
            b_program_64k(&b);
        b_sample(&b, n); /* warm-up */
        for (unsigned i = 0; i < samples; i++) {
            ns[i] = b_sample(&b, n);
            if (ns[i] < 0) {
                fprintf(stderr, "cp_bench: translation failed\n");
                return 1;
            }
        }
        qsort(ns, samples, sizeof(*ns), b_cmp);
        /* The minimum shows the cost on a quiet machine. */
        if (sizes[s])
            printf("  %3u-CCW chain: median %7.1f ns/CCW (%.0f ns/program), "
                   "min %.1f\n",
                   n, ns[samples / 2], ns[samples / 2] * n, ns[0]);
        else
            printf("  64K, 16 IDAWs: median %7.1f ns/program, min %.1f\n",
                   ns[samples / 2], ns[0]);
    }
    cp_spare_free(&b.spare);
    zv_arena_free(b.arena);
    zv_as_free(b.host);
    zv_as_free(b.iova);
    free(b.g);
    free(ns);
    return 0;
}
