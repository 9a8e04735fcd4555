/* SPDX-License-Identifier: MIT */
/*
 * dasd_bench: block I/O through the whole host path -- guest DASD library
 * (Linux's channel programs), chan_css, the CSS channel-program engine,
 * the FBA or ECKD device model, the image file -- on the virtual loop with
 * zero device latency, so what is measured is our own CPU cost plus the
 * image file's page cache (QD1, one thread, like fio --ioengine=psync).
 *
 *   dasd_bench fba  FILE [runs] [seconds-per-run] [only [ops]]
 *   dasd_bench eckd FILE [runs] [seconds-per-run] [only [ops]]
 *                                                 (CDL 4 KiB volume)
 *
 * Prints the median over runs of: 4 KiB random read IOPS, 4 KiB random
 * write IOPS, 1 MiB sequential read MB/s, 1 MiB sequential write MB/s.
 * only (4k-randread, 4k-randwrite, 1m-seqread, 1m-seqwrite, or "all")
 * runs one of them; ops > 0 makes every run exactly that many requests
 * instead of a timed run, for instruction counts per request, e.g.
 *   valgrind --tool=callgrind --toggle-collect=run_once \
 *       dasd_bench eckd FILE 1 0 4k-randread 10000
 * (instructions / 10000 = per 4 KiB read).
 *
 * The requests read into and write from the guest DASD library's data
 * area in guest memory (guest_dasd_buffer), as a guest OS's O_DIRECT
 * buffer is its own memory: the image's bytes move once, as fio's do.
 * ZV_BENCH_STAGED=1 uses a buffer outside guest memory instead, which the
 * library stages through its area: one more copy per request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "css/css.h"
#include "dev/dev.h"
#include "guest/chan_css.h"
#include "guest/dasd.h"
#include "img/img.h"

#define MAX_RUNS 31

struct bench {
    struct zv_loop *loop;
    struct zv_as *as;
    struct css *css;
    struct subchannel *sch;
    struct css_dev *dev;
    struct fba_img *fimg;
    struct ckd_img *cimg;
    struct guest_chan *ch;
    struct guest_dasd *g;
    uint64_t rng;
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
xrand(struct bench *b)
{
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 7;
    b->rng ^= b->rng << 17;
    return b->rng;
}

static int
bench_open(struct bench *b, const char *kind, const char *path)
{
    struct css_config cc = {.concurrent_sense = true};
    struct css_sch_desc d = {
        .st = PMCW_ST_IO, .devno = 0x0100, .pim = 0x80, .chpid = {0x40}};
    char err[160] = "";
    int rc;

    b->rng = 0x9E3779B97F4A7C15ull;
    b->loop = zv_loop_new_virtual(1);
    b->as = zv_as_new("storage");
    if (!b->loop || !b->as)
        return -ENOMEM;
    if (!strcmp(kind, "fba"))
        rc = fba_img_open(path, false, IMG_SYNC_WRITE_THROUGH, &b->fimg, err,
                          sizeof(err));
    else
        rc = ckd_img_open(path, false, IMG_SYNC_WRITE_THROUGH, &b->cimg, err,
                          sizeof(err));
    if (rc) {
        fprintf(stderr, "dasd_bench: %s: %s\n", path, err);
        return rc;
    }
    rc = b->fimg ? dev_fba_new(b->loop, b->fimg, NULL, &b->dev)
                 : dev_eckd_new(b->loop, b->cimg, NULL, &b->dev);
    if (rc)
        return rc;
    b->css = css_new(b->loop, b->as, &cc);
    if (!b->css || css_chp_define(b->css, 0x40, CHP_TYPE_FICON))
        return -ENOMEM;
    rc = css_sch_define(b->css, &d, b->dev, false, &b->sch);
    if (!rc)
        rc = guest_chan_css_new(b->css, b->sch, 0x100000, 16u << 20, &b->ch);
    if (!rc)
        rc = guest_dasd_online(b->ch, &b->g);
    return rc;
}

static void
bench_close(struct bench *b)
{
    guest_dasd_offline(b->g);
    guest_chan_destroy(b->ch);
    css_free(b->css);
    dev_dasd_free(b->dev);
    if (b->fimg)
        fba_img_close(b->fimg);
    if (b->cimg)
        ckd_img_close(b->cimg);
    zv_as_free(b->as);
    zv_loop_free(b->loop);
}

enum mode { RANDREAD, RANDWRITE, SEQREAD, SEQWRITE, NMODES };
static const char *const mode_name[NMODES] = {
    "4k-randread IOPS", "4k-randwrite IOPS", "1m-seqread MB/s",
    "1m-seqwrite MB/s"};

/* One timed run (or exactly nops requests when nops > 0); returns ops/s
 * (random) or MB/s (sequential). */
static double
run_once(struct bench *b, enum mode m, double secs, uint64_t nops, uint8_t *buf)
{
    const struct guest_dasd_info *i = guest_dasd_info(b->g);
    uint32_t per =
        (m == RANDREAD || m == RANDWRITE ? 4096u : 1u << 20) / i->blksize;
    /* ECKD: skip the CDL special blocks of tracks 0-1 */
    uint64_t first = i->type == GUEST_DASD_ECKD ? 2ull * i->rpt : 0;
    uint64_t slots = (i->blocks - first) / per, pos = 0, ops = 0;
    double t0 = now_s(), t;
    int rc;

    do {
        for (int k = 0; k < 64 && (!nops || ops < nops); k++, ops++) {
            uint64_t s = (m == RANDREAD || m == RANDWRITE) ? xrand(b) % slots
                                                           : pos++ % slots;
            uint64_t blk = first + s * per;

            rc = (m == RANDREAD || m == SEQREAD)
                     ? guest_dasd_read(b->g, blk, per, buf)
                     : guest_dasd_write(b->g, blk, per, buf);
            if (rc) {
                fprintf(stderr, "dasd_bench: I/O error %d\n", rc);
                exit(1);
            }
        }
        t = now_s() - t0;
    } while (nops ? ops < nops : t < secs);
    if (m == SEQREAD || m == SEQWRITE)
        return (double)ops * per * i->blksize / 1e6 / t;
    return (double)ops / t;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    struct bench b = {0};
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    double secs = argc > 4 ? atof(argv[4]) : 1.0;
    const char *only = argc > 5 ? argv[5] : "all";
    uint64_t nops = argc > 6 ? strtoull(argv[6], NULL, 0) : 0;
    static uint8_t host_buf[1 << 20];
    bool staged = getenv("ZV_BENCH_STAGED") != NULL;
    uint8_t *buf = host_buf;
    double v[MAX_RUNS];

    if (argc < 3 || (strcmp(argv[1], "fba") && strcmp(argv[1], "eckd"))) {
        fprintf(stderr,
                "usage: %s fba|eckd FILE [runs] [seconds] [only [ops]]\n",
                argv[0]);
        return 2;
    }
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    if (bench_open(&b, argv[1], argv[2])) {
        fprintf(stderr, "dasd_bench: setup failed\n");
        return 1;
    }
    if (!staged) {
        size_t len;

        buf = guest_dasd_buffer(b.g, &len);
        if (len < sizeof(host_buf)) {
            fprintf(stderr, "dasd_bench: guest buffer too small\n");
            return 1;
        }
    }
    memset(buf, 0x5A, sizeof(host_buf));
    printf("# %s %s, block %u, %d runs x %.1f s, median; virtual loop, "
           "zero device latency, QD1, %s\n",
           argv[1], argv[2], guest_dasd_info(b.g)->blksize, runs, secs,
           staged ? "host buffer (staged: one more copy)"
                  : "buffer in guest memory");
    for (int m = 0; m < NMODES; m++) {
        if (strcmp(only, "all") &&
            strncmp(mode_name[m], only, strlen(only)) != 0)
            continue;
        for (int r = 0; r < runs; r++)
            v[r] = run_once(&b, (enum mode)m, secs, nops, buf);
        qsort(v, (size_t)runs, sizeof(v[0]), cmp_double);
        printf("%s %.1f\n", mode_name[m], v[runs / 2]);
        fflush(stdout);
    }
    bench_close(&b);
    return 0;
}
