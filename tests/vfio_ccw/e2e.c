/* SPDX-License-Identifier: MIT */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/dev.h"
#include "guest/chan_css.h"
#include "guest/chan_vfio.h"

#define E2E_CHP0 0x50
#define E2E_CHP1 0x51

static int
e2e_tmpname(struct e2e *e, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    snprintf(e->path, sizeof(e->path), "%s/zvvfio-%s-XXXXXX",
             dir ? dir : "/tmp", tag);
    fd = mkstemp(e->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(e->path);
    return 0;
}

static int
e2e_host(struct e2e *e)
{
    struct css_config cc = {.concurrent_sense = true, .crw_queue_max = 64};
    struct css_sch_desc d = {.st = PMCW_ST_IO,
                             .sch_no = 0x10,
                             .devno = 0x0200,
                             .pim = 0xC0,
                             .chpid = {E2E_CHP0, E2E_CHP1}};

    e->storage = zv_as_new("storage");
    e->css = e->storage ? css_new(e->loop, e->storage, &cc) : NULL;
    if (!e->css || css_chp_define(e->css, E2E_CHP0, CHP_TYPE_FICON) ||
        css_chp_define(e->css, E2E_CHP1, CHP_TYPE_FICON) ||
        css_sch_define(e->css, &d, e->dev, false, &e->sch))
        return -1;
    return 0;
}

static int
e2e_vfio(struct e2e *e)
{
    struct zv_vdev *vd;

    e->arena = zv_vfio_ccw_arena_new(e->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    e->bus = zv_mdev_bus_new();
    e->drv =
        e->arena && e->bus ? zv_vfio_ccw_new(e->css, e->arena, e->bus) : NULL;
    if (!e->drv || zv_vfio_ccw_bind(e->drv, e->sch) ||
        zv_mdev_create(zv_vfio_ccw_parent(e->drv, e->sch), ZV_VFIO_CCW_TYPE_ID,
                       E2E_UUID, &vd))
        return -1;
    e->vd = zv_mdev_find(e->bus, E2E_UUID);
    if (guest_chan_vfio_new(e->vd, e->loop, E2E_GUEST_BASE, E2E_GUEST_SIZE,
                            &e->ch))
        return -1;
    return e->ch->ops->enable(e->ch, 0x1234, 3);
}

static int
e2e_path(struct e2e *e, enum e2e_path path)
{
    if (e2e_host(e))
        return -1;
    if (path == E2E_VFIO)
        return e2e_vfio(e);
    if (guest_chan_css_new(e->css, e->sch, E2E_GUEST_BASE, E2E_GUEST_SIZE,
                           &e->ch))
        return -1;
    return e->ch->ops->enable(e->ch, 0x1234, 3);
}

int
e2e_new_fba(struct e2e *e, uint64_t blocks, enum e2e_path path)
{
    char err[128] = "";

    memset(e, 0, sizeof(*e));
    e->loop = zv_loop_new_virtual(7);
    if (!e->loop || e2e_tmpname(e, "fba") ||
        fba_img_create(e->path, blocks, err, sizeof(err)) ||
        fba_img_open(e->path, false, IMG_SYNC_WRITE_THROUGH, &e->fimg, err,
                     sizeof(err)) ||
        dev_fba_new(e->loop, e->fimg, NULL, &e->dev) || e2e_path(e, path)) {
        fprintf(stderr, "e2e_new_fba failed %s\n", err);
        return -1;
    }
    return 0;
}

int
e2e_new_eckd(struct e2e *e, uint32_t cyls, enum e2e_path path)
{
    char err[128] = "";

    memset(e, 0, sizeof(*e));
    e->loop = zv_loop_new_virtual(7);
    if (!e->loop || e2e_tmpname(e, "ckd") ||
        ckd_img_create(e->path, 3, cyls, err, sizeof(err)) ||
        ckd_img_open(e->path, false, IMG_SYNC_WRITE_THROUGH, &e->cimg, err,
                     sizeof(err)) ||
        ckd_img_format_cdl(e->cimg, "ZV0001", err, sizeof(err)) ||
        dev_eckd_new(e->loop, e->cimg, NULL, &e->dev) || e2e_path(e, path)) {
        fprintf(stderr, "e2e_new_eckd failed %s\n", err);
        return -1;
    }
    return 0;
}

void
e2e_free(struct e2e *e)
{
    guest_chan_destroy(e->ch);
    if (e->vd)
        zv_vdev_put(e->vd);
    zv_vfio_ccw_free(e->drv);
    if (e->loop)
        zv_loop_run(e->loop);
    css_free(e->css);
    zv_mdev_bus_free(e->bus);
    zv_arena_free(e->arena);
    dev_dasd_free(e->dev);
    if (e->fimg)
        fba_img_close(e->fimg);
    if (e->cimg)
        ckd_img_close(e->cimg);
    if (e->path[0])
        unlink(e->path);
    zv_as_free(e->storage);
    zv_loop_free(e->loop);
}
