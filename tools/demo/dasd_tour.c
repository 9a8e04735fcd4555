/* SPDX-License-Identifier: MIT */
/*
 * The second half of the demo: real disks.  An FBA 9336 and an ECKD 3390
 * (Linux CDL) on Hercules-format images made in a temporary directory,
 * brought online by the guest DASD library the way Linux's dasd_fba and
 * dasd_eckd do it:
 *  - the FBA straight on the host channel subsystem (guest/chan_css);
 *  - the ECKD through a vfio-ccw mediated device (guest/chan_vfio): the
 *    guest's channel programs are translated, run on the host subchannel,
 *    and their status comes back through the I/O region.
 * Each disk gets a write, a read back and a compare.
 */
#include "dasd_tour.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/dev.h"
#include "guest/chan_css.h"
#include "guest/chan_vfio.h"
#include "guest/dasd.h"
#include "vfio_ccw/vfio_ccw.h"

#define TOUR_GUEST_BASE 0x00100000ull /* above the demo's own storage */
#define TOUR_GUEST_SIZE (8u << 20)
#define TOUR_FBA_BLOCKS 8192u /* 4 MiB */
#define TOUR_ECKD_CYLS  20u
#define TOUR_UUID       "6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"
#define TOUR_BLOCKS     16u

struct tour {
    struct css *css;
    struct zv_loop *loop;
    char dir[64];
    char fba_path[96], ckd_path[96];
    struct fba_img *fimg;
    struct ckd_img *cimg;
    struct css_dev *fba, *eckd;
    struct subchannel *fsch, *esch;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct zv_vdev *vd;
    struct guest_chan *fch, *ech;
    bool ready; /* both subchannels defined */
};

static int
tour_images(struct tour *t)
{
    char err[160] = "";

    snprintf(t->dir, sizeof(t->dir), "%s/zvfio-demo-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->fba_path, sizeof(t->fba_path), "%s/disk.fba", t->dir);
    snprintf(t->ckd_path, sizeof(t->ckd_path), "%s/disk.3390", t->dir);
    if (fba_img_create(t->fba_path, TOUR_FBA_BLOCKS, err, sizeof(err)) ||
        fba_img_open(t->fba_path, false, IMG_SYNC_WRITE_THROUGH, &t->fimg, err,
                     sizeof(err)) ||
        ckd_img_create(t->ckd_path, 1, TOUR_ECKD_CYLS, err, sizeof(err)) ||
        ckd_img_open(t->ckd_path, false, IMG_SYNC_WRITE_THROUGH, &t->cimg, err,
                     sizeof(err)) ||
        ckd_img_format_cdl(t->cimg, "ZVDEMO", err, sizeof(err))) {
        fprintf(stderr, "zvfio-demo: images: %s\n", err);
        return -1;
    }
    printf("images in %s: disk.fba (%u blocks), disk.3390 (3390, %u "
           "cylinders, CDL, volser ZVDEMO)\n",
           t->dir, TOUR_FBA_BLOCKS, TOUR_ECKD_CYLS);
    return 0;
}

struct tour *
tour_define(struct css *css, struct zv_loop *loop, uint16_t first_sch,
            const uint8_t *chpids, unsigned nchp)
{
    struct tour *t = calloc(1, sizeof(*t));
    struct dasd_config cfg = {.latency_ns = 50000, .jitter_ns = 20000};
    struct css_sch_desc desc = {.st = PMCW_ST_IO};

    if (!t)
        return NULL;
    t->css = css;
    t->loop = loop;
    if (tour_images(t) || dev_fba_new(loop, t->fimg, &cfg, &t->fba) ||
        dev_eckd_new(loop, t->cimg, &cfg, &t->eckd))
        return t;
    for (unsigned i = 0; i < nchp && i < 8; i++) {
        desc.chpid[i] = chpids[i];
        desc.pim |= (uint8_t)(0x80u >> i);
    }
    desc.sch_no = first_sch;
    desc.devno = 0x0200;
    if (css_sch_define(css, &desc, t->fba, false, &t->fsch))
        return t;
    desc.sch_no = (uint16_t)(first_sch + 1);
    desc.devno = 0x0201;
    if (css_sch_define(css, &desc, t->eckd, false, &t->esch) == 0)
        t->ready = true;
    return t;
}

static void
tour_print(const char *how, const struct guest_dasd_info *in)
{
    static const char *const layouts[] = {"none", "CDL", "LDL", "FBA"};

    printf("  online %s: CU %04x-%02x device %04x-%02x, %llu blocks of %u "
           "bytes, layout %s",
           how, in->cu_type, in->cu_model, in->dev_type, in->dev_model,
           (unsigned long long)in->blocks, in->blksize, layouts[in->layout]);
    if (in->type == GUEST_DASD_ECKD)
        printf(", %u cyl x %u trk, %u blocks/track, path group %s", in->cyls,
               in->heads, in->rpt, in->grouped ? "set" : "not set");
    printf("\n");
}

/* Write TOUR_BLOCKS blocks at blk, read them back, compare. */
static int
tour_rw(struct guest_dasd *g, uint64_t blk)
{
    const struct guest_dasd_info *in = guest_dasd_info(g);
    size_t len = (size_t)in->blksize * TOUR_BLOCKS;
    uint8_t *out = malloc(len), *back = calloc(1, len);
    int rc = -1;

    if (!out || !back)
        goto done;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 7 + blk);
    if (guest_dasd_write(g, blk, TOUR_BLOCKS, out) ||
        guest_dasd_read(g, blk, TOUR_BLOCKS, back))
        goto done;
    rc = memcmp(out, back, len) ? -1 : 0;
    printf("  wrote %u blocks at block %llu, read them back: %s "
           "(%llu channel programs so far)\n",
           TOUR_BLOCKS, (unsigned long long)blk, rc ? "MISMATCH" : "identical",
           (unsigned long long)guest_dasd_stats(g)->programs);
done:
    free(out);
    free(back);
    return rc;
}

static int
tour_disk(struct guest_chan *ch, const char *how)
{
    struct guest_dasd *g;
    int rc;

    if (ch->ops->enable(ch, 0x0D15C, 3) || guest_dasd_online(ch, &g)) {
        fprintf(stderr, "zvfio-demo: %s: cannot bring the disk online\n", how);
        return -1;
    }
    tour_print(how, guest_dasd_info(g));
    rc = tour_rw(g, 100);
    guest_dasd_offline(g);
    return rc;
}

static int
tour_vfio(struct tour *t)
{
    struct zv_vdev *vd;
    struct zv_vfio_ccw_counters c;

    t->arena = zv_vfio_ccw_arena_new(t->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    t->bus = zv_mdev_bus_new();
    t->drv =
        t->arena && t->bus ? zv_vfio_ccw_new(t->css, t->arena, t->bus) : NULL;
    if (!t->drv || zv_vfio_ccw_bind(t->drv, t->esch) ||
        zv_mdev_create(zv_vfio_ccw_parent(t->drv, t->esch), ZV_VFIO_CCW_TYPE_ID,
                       TOUR_UUID, &vd))
        return -1;
    t->vd = zv_mdev_find(t->bus, TOUR_UUID);
    if (!t->vd || guest_chan_vfio_new(t->vd, t->loop, TOUR_GUEST_BASE,
                                      TOUR_GUEST_SIZE, &t->ech))
        return -1;
    printf("vfio-ccw: bound 0.0.%04x, mdev %s of type %s\n",
           css_sch_no(t->esch), TOUR_UUID, ZV_VFIO_CCW_TYPE_ID);
    if (tour_disk(t->ech, "ECKD through vfio-ccw"))
        return -1;
    if (zv_vfio_ccw_counters(t->vd, &c) == 0)
        printf("  vfio-ccw: %llu channel programs translated, %llu freed, "
               "%llu FSM events\n",
               (unsigned long long)c.cp_translated,
               (unsigned long long)c.cp_freed, (unsigned long long)c.events);
    return 0;
}

int
tour_run(struct tour *t)
{
    if (!t->ready)
        return -1;
    printf("\nDASDs:\n");
    if (guest_chan_css_new(t->css, t->fsch, TOUR_GUEST_BASE, TOUR_GUEST_SIZE,
                           &t->fch) ||
        tour_disk(t->fch, "FBA on the host CSS"))
        return -1;
    guest_chan_destroy(t->fch);
    t->fch = NULL;
    return tour_vfio(t);
}

void
tour_free(struct tour *t)
{
    if (!t)
        return;
    guest_chan_destroy(t->fch);
    guest_chan_destroy(t->ech);
    if (t->vd)
        zv_vdev_put(t->vd);
    zv_vfio_ccw_free(t->drv);
    if (t->loop)
        zv_loop_run(t->loop);
}

/* After css_free(): the devices and images. */
void
tour_free_devices(struct tour *t)
{
    if (!t)
        return;
    zv_mdev_bus_free(t->bus);
    zv_arena_free(t->arena);
    dev_dasd_free(t->fba);
    dev_dasd_free(t->eckd);
    if (t->fimg)
        fba_img_close(t->fimg);
    if (t->cimg)
        ckd_img_close(t->cimg);
    if (t->fba_path[0])
        unlink(t->fba_path);
    if (t->ckd_path[0])
        unlink(t->ckd_path);
    if (t->dir[0])
        rmdir(t->dir);
    free(t);
}
