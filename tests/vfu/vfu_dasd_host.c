/* SPDX-License-Identifier: MIT */
#include "vfu_dasd_host.h"
#include "loop_thread.h"

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DASD_CHPID0 0x50
#define DASD_CHPID1 0x51
#define DASD_UUID   "0b6f1e28-7c1c-4a57-8e35-6d1f1f2a02%02x"

/* ZVFIO_IMAGE_IO=uring: the image on io_uring, as zvfiod puts it (for
 * benchmarks: the default stays pread/pwrite). */
static int
dasd_image_io(struct vfu_dasd_host *h, struct vfu_dasd *d)
{
    const char *io = getenv("ZVFIO_IMAGE_IO");
    struct img_backend *be;

    if (!io || strcmp(io, "uring"))
        return 0;
    be = img_backend_uring(d->fimg ? fba_img_fd(d->fimg) : ckd_img_fd(d->cimg),
                           IMG_SYNC_WRITE_THROUGH, h->loop, 0);
    if (!be) {
        fprintf(stderr, "vfu_dasd_host: io_uring: %s\n", strerror(errno));
        return -errno;
    }
    return d->fimg ? fba_img_set_backend(d->fimg, be)
                   : ckd_img_set_backend(d->cimg, be);
}

static int
dasd_image(struct vfu_dasd_host *h, struct vfu_dasd *d, unsigned i,
           uint64_t blocks, uint32_t cyls, const struct dasd_config *cfg)
{
    char err[128] = "", volser[8];

    snprintf(d->img, sizeof(d->img), "%s/dasd%u.img", h->dir, i);
    if (!d->eckd) {
        if (fba_img_create(d->img, blocks, err, sizeof(err)) ||
            fba_img_open(d->img, false, IMG_SYNC_WRITE_THROUGH, &d->fimg, err,
                         sizeof(err)))
            goto fail;
        if (dasd_image_io(h, d))
            return -EIO;
        return dev_fba_new(h->loop, d->fimg, cfg, &d->dev);
    }
    snprintf(volser, sizeof(volser), "ZV%04u", i);
    if (ckd_img_create(d->img, 3, cyls, err, sizeof(err)) ||
        ckd_img_open(d->img, false, IMG_SYNC_WRITE_THROUGH, &d->cimg, err,
                     sizeof(err)) ||
        ckd_img_format_cdl(d->cimg, volser, err, sizeof(err)))
        goto fail;
    if (dasd_image_io(h, d))
        return -EIO;
    return dev_eckd_new(h->loop, d->cimg, cfg, &d->dev);
fail:
    fprintf(stderr, "vfu_dasd_host: %s: %s\n", d->img, err);
    return -EIO;
}

static int
dasd_serve(struct vfu_dasd_host *h, struct vfu_dasd *d, unsigned i)
{
    struct css_sch_desc desc = {
        .sch_no = (uint16_t)(0x10 + i),
        .devno = (uint16_t)(0x0200 + i),
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {DASD_CHPID0, DASD_CHPID1},
    };
    char uuid[40];
    int rc;

    if (css_sch_define(h->css, &desc, d->dev, false, &d->sch))
        return -EIO;
    rc = zv_vfio_ccw_bind(h->drv, d->sch);
    if (rc)
        return rc;
    snprintf(uuid, sizeof(uuid), DASD_UUID, i);
    rc = zv_mdev_create(zv_vfio_ccw_parent(h->drv, d->sch), ZV_VFIO_CCW_TYPE_ID,
                        uuid, &d->vd);
    if (rc)
        return rc;
    zv_vdev_get(d->vd);
    snprintf(d->path, sizeof(d->path), "%s/dasd%u.sock", h->dir, i);
    return zv_vfu_server_new(h->loop, d->vd, d->path, &d->srv);
}

static int
dasd_host_css(struct vfu_dasd_host *h)
{
    struct css_config cc = {.concurrent_sense = true, .crw_queue_max = 64};

    h->loop = zv_loop_new_real_seeded(1);
    h->storage = zv_as_new("host");
    if (!h->loop || !h->storage)
        return -ENOMEM;
    h->css = css_new(h->loop, h->storage, &cc);
    if (!h->css || css_chp_define(h->css, DASD_CHPID0, CHP_TYPE_FICON) ||
        css_chp_define(h->css, DASD_CHPID1, CHP_TYPE_FICON))
        return -EIO;
    h->arena = zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    h->bus = zv_mdev_bus_new();
    if (!h->arena || !h->bus)
        return -ENOMEM;
    h->drv = zv_vfio_ccw_new(h->css, h->arena, h->bus);
    return h->drv ? 0 : -ENOMEM;
}

int
vfu_dasd_host_new(struct vfu_dasd_host *h, const char *kinds,
                  uint64_t fba_blocks, uint32_t eckd_cyls,
                  const struct dasd_config *cfg)
{
    const char *tmp = getenv("TMPDIR");
    int rc;

    memset(h, 0, sizeof(*h));
    if (strlen(kinds) > VFU_DASD_MAX || strspn(kinds, "FE") != strlen(kinds))
        return -EINVAL;
    snprintf(h->dir, sizeof(h->dir), "%s/zvdasd.XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(h->dir))
        return -errno;
    rc = dasd_host_css(h);
    for (unsigned i = 0; !rc && kinds[i]; i++) {
        struct vfu_dasd *d = &h->d[i];

        h->n = i + 1;
        d->eckd = kinds[i] == 'E';
        rc = dasd_image(h, d, i, fba_blocks ? fba_blocks : VFU_DASD_FBA_BLKS,
                        eckd_cyls ? eckd_cyls : VFU_DASD_ECKD_CYLS, cfg);
        if (!rc)
            rc = dasd_serve(h, d, i);
    }
    if (rc)
        vfu_dasd_host_free(h);
    return rc;
}

static void
dasd_free_one(struct vfu_dasd *d)
{
    zv_vfu_server_free(d->srv);
    if (d->vd) {
        zv_vdev_close(d->vd);
        zv_vdev_put(d->vd);
    }
}

static void
dasd_free_image(struct vfu_dasd *d)
{
    dev_dasd_free(d->dev);
    if (d->fimg)
        fba_img_close(d->fimg);
    if (d->cimg)
        ckd_img_close(d->cimg);
    if (d->img[0])
        unlink(d->img);
}

void
vfu_dasd_host_free(struct vfu_dasd_host *h)
{
    vfu_dasd_host_stop(h);
    for (unsigned i = 0; i < h->n; i++)
        dasd_free_one(&h->d[i]);
    if (h->drv)
        zv_vfio_ccw_free(h->drv);
    if (h->loop)
        zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ZV_NSEC_PER_MSEC);
    if (h->css)
        css_free(h->css);
    for (unsigned i = 0; i < h->n; i++)
        dasd_free_image(&h->d[i]);
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->arena);
    zv_as_free(h->storage);
    zv_loop_free(h->loop);
    if (h->dir[0])
        rmdir(h->dir);
    memset(h, 0, sizeof(*h));
}

int
vfu_dasd_host_start(struct vfu_dasd_host *h)
{
    return loop_thread_start(h->loop, &h->thread, &h->running);
}

void
vfu_dasd_host_stop(struct vfu_dasd_host *h)
{
    loop_thread_stop(h->loop, &h->thread, &h->running);
}

void
vfu_dasd_host_call(struct vfu_dasd_host *h, void (*fn)(void *), void *arg)
{
    loop_thread_call(h->loop, fn, arg);
}
