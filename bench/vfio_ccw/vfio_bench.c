/* SPDX-License-Identifier: MIT */
/*
 * vfio_bench: 4 KiB read round trips per second through the vfio-ccw
 * mediated device in process (guest DASD library -> chan_vfio -> I/O
 * region -> FSM -> cp translation -> host CSS -> FBA model -> image),
 * against the same reads straight on the host CSS (chan_css).  The loop
 * is virtual: device latency costs no wall time, so the figure is the
 * software cost of each path.  Prints the median of the runs and the
 * ratio (target: mediated >= 70% of direct).  Rates are per second of
 * process CPU time (user + system), not wall time.
 *
 *   vfio_bench [reads-per-run [runs [both|vfio|css [fba|eckd]]]]
 * (the third argument runs one path only, for profiling; the fourth picks
 * the disk: FBA 512-byte blocks, 8 data-chained Reads per 4 KiB, or a
 * CDL ECKD 3390 with 4 KiB records, one Read per 4 KiB)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/dev.h"
#include "guest/chan_css.h"
#include "guest/chan_vfio.h"
#include "guest/dasd.h"
#include "vfio_ccw/vfio_ccw.h"

#define BLOCKS       65536
#define WINDOW_BYTES (1u << 20) /* cycled through */
#define ECKD_CYLS    30
#define GUEST_BASE   0x10000ull
#define GUEST_SIZE   (8u << 20)
#define UUID         "7f2a9c1e-0d3b-4c55-8e6f-1a2b3c4d5e6f"

struct host {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct subchannel *sch;
    struct css_dev *dev;
    struct fba_img *img;
    struct ckd_img *cimg;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct zv_vdev *vd;
    struct guest_chan *ch;
    char path[256];
};

static int
host_image(struct host *h, bool eckd, char *err, size_t errlen)
{
    if (eckd)
        return ckd_img_create(h->path, 3, ECKD_CYLS, err, errlen) ||
               ckd_img_open(h->path, false, IMG_SYNC_WRITE_THROUGH, &h->cimg,
                            err, errlen) ||
               ckd_img_format_cdl(h->cimg, "ZVBNCH", err, errlen) ||
               dev_eckd_new(h->loop, h->cimg, NULL, &h->dev);
    return fba_img_create(h->path, BLOCKS, err, errlen) ||
           fba_img_open(h->path, false, IMG_SYNC_WRITE_THROUGH, &h->img, err,
                        errlen) ||
           dev_fba_new(h->loop, h->img, NULL, &h->dev);
}

static int
host_css(struct host *h, bool eckd)
{
    struct css_config cc = {.concurrent_sense = true};
    struct css_sch_desc d = {.st = PMCW_ST_IO,
                             .sch_no = 1,
                             .devno = 0x100,
                             .pim = 0x80,
                             .chpid = {0x60}};
    char err[128] = "";
    const char *dir = getenv("TMPDIR");
    int fd;

    snprintf(h->path, sizeof(h->path), "%s/zvbench-XXXXXX", dir ? dir : "/tmp");
    fd = mkstemp(h->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(h->path);
    h->loop = zv_loop_new_virtual(1);
    h->storage = zv_as_new("storage");
    if (host_image(h, eckd, err, sizeof(err))) {
        fprintf(stderr, "image: %s\n", err);
        return -1;
    }
    h->css = css_new(h->loop, h->storage, &cc);
    if (!h->css || css_chp_define(h->css, 0x60, CHP_TYPE_FICON) ||
        css_sch_define(h->css, &d, h->dev, false, &h->sch))
        return -1;
    return 0;
}

static int
host_new(struct host *h, bool mediated, bool eckd)
{
    struct zv_vdev *vd;

    memset(h, 0, sizeof(*h));
    if (host_css(h, eckd))
        return -1;
    if (!mediated)
        return guest_chan_css_new(h->css, h->sch, GUEST_BASE, GUEST_SIZE,
                                  &h->ch);
    h->arena = zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    h->bus = zv_mdev_bus_new();
    h->drv = zv_vfio_ccw_new(h->css, h->arena, h->bus);
    if (!h->drv || zv_vfio_ccw_bind(h->drv, h->sch) ||
        zv_mdev_create(zv_vfio_ccw_parent(h->drv, h->sch), ZV_VFIO_CCW_TYPE_ID,
                       UUID, &vd))
        return -1;
    h->vd = zv_mdev_find(h->bus, UUID);
    return guest_chan_vfio_new(h->vd, h->loop, GUEST_BASE, GUEST_SIZE, &h->ch);
}

static void
host_free(struct host *h)
{
    guest_chan_destroy(h->ch);
    if (h->vd)
        zv_vdev_put(h->vd);
    zv_vfio_ccw_free(h->drv);
    zv_loop_run(h->loop);
    css_free(h->css);
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->arena);
    dev_dasd_free(h->dev);
    if (h->img)
        fba_img_close(h->img);
    if (h->cimg)
        ckd_img_close(h->cimg);
    unlink(h->path);
    zv_as_free(h->storage);
    zv_loop_free(h->loop);
}

static double
now_s(void)
{
    struct timespec ts;

    /* CPU time of the process: on a shared, loaded machine it measures
     * the software cost of each path better than wall time. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run: reads 4 KiB (8 blocks) round trips; returns reads per second,
 * or a negative value on error. */
static double
run(bool mediated, bool eckd, unsigned reads)
{
    const struct guest_dasd_info *info;
    struct guest_dasd *g;
    struct host h;
    uint8_t buf[4096];
    uint64_t first, per, window;
    double t0, t1;

    if (host_new(&h, mediated, eckd) || h.ch->ops->enable(h.ch, 1, 3) ||
        guest_dasd_online(h.ch, &g)) {
        fprintf(stderr, "setup failed (%s)\n", mediated ? "vfio" : "css");
        return -1;
    }
    info = guest_dasd_info(g);
    per = sizeof(buf) / info->blksize; /* blocks per 4 KiB */
    /* ECKD: past the CDL special tracks 0 and 1 */
    first = eckd ? 2 * (uint64_t)info->rpt : 0;
    window = WINDOW_BYTES / info->blksize;
    /* Warm the image's page cache: the figure is the path's cost, not
     * the host file system's first touch of a sparse file. */
    for (uint64_t b = 0; b < window; b += per)
        if (guest_dasd_read(g, first + b, (uint32_t)per, buf))
            return -1;
    t0 = now_s();
    for (unsigned i = 0; i < reads; i++) {
        if (guest_dasd_read(g, first + (i * per) % window, (uint32_t)per,
                            buf)) {
            fprintf(stderr, "read %u failed\n", i);
            return -1;
        }
    }
    t1 = now_s();
    guest_dasd_offline(g);
    host_free(&h);
    return reads / (t1 - t0);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
    unsigned reads = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
    unsigned runs = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
    const char *only = argc > 3 && strcmp(argv[3], "both") ? argv[3] : NULL;
    bool eckd = argc > 4 && !strcmp(argv[4], "eckd");
    double css[32], vfio[32], mc, mv;

    if (!reads || !runs || runs > 32) {
        fprintf(stderr, "usage: vfio_bench [reads-per-run [runs<=32 "
                        "[both|vfio|css [fba|eckd]]]]\n");
        return 2;
    }
    /* interleaved so drift hits both paths alike */
    for (unsigned r = 0; r < runs; r++) {
        css[r] = only && strcmp(only, "css") ? 1 : run(false, eckd, reads);
        vfio[r] = only && strcmp(only, "vfio") ? 1 : run(true, eckd, reads);
        if (css[r] < 0 || vfio[r] < 0)
            return 1;
    }
    mc = median(css, runs);
    mv = median(vfio, runs);
    printf("4KiB reads (%s), %u per run, %u runs (medians, per CPU second)\n",
           eckd ? "ECKD 3390, 4 KiB records" : "FBA, 8 x 512", reads, runs);
    printf("host css direct : %10.0f reads/s\n", mc);
    printf("vfio-ccw mdev   : %10.0f reads/s\n", mv);
    printf("mediated/direct : %9.1f %%  (target >= 70 %%)\n", 100.0 * mv / mc);
    return 0;
}
