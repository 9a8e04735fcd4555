/* SPDX-License-Identifier: MIT */
#include "vfu_host.h"
#include "loop_thread.h"

#include <dirent.h>
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST_CHPID0 0x50
#define HOST_CHPID1 0x51

static int
host_css(struct vfu_host *h)
{
    struct css_sch_desc d = {
        .sch_no = VFU_HOST_SCH_NO,
        .devno = VFU_HOST_DEVNO,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {HOST_CHPID0, HOST_CHPID1},
    };

    h->loop = zv_loop_new_real_seeded(1);
    h->storage = zv_as_new("host");
    if (!h->loop || !h->storage)
        return -ENOMEM;
    h->css = css_new(h->loop, h->storage, NULL);
    h->td =
        testdev_new(h->loop, VFU_HOST_CU_TYPE, 0xE9, VFU_HOST_DEV_TYPE, 0x0C);
    if (!h->css || !h->td)
        return -ENOMEM;
    if (css_chp_define(h->css, HOST_CHPID0, CHP_TYPE_FICON) ||
        css_chp_define(h->css, HOST_CHPID1, CHP_TYPE_FICON) ||
        css_sch_define(h->css, &d, testdev_css_dev(h->td), false, &h->sch))
        return -EIO;
    return 0;
}

static int
host_mdev(struct vfu_host *h)
{
    struct zv_mdev_parent *mp;
    struct zv_vdev *vd;
    int rc;

    h->arena = zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    h->bus = zv_mdev_bus_new();
    if (!h->arena || !h->bus)
        return -ENOMEM;
    h->drv = zv_vfio_ccw_new(h->css, h->arena, h->bus);
    if (!h->drv)
        return -ENOMEM;
    rc = zv_vfio_ccw_bind(h->drv, h->sch);
    if (rc)
        return rc;
    mp = zv_vfio_ccw_parent(h->drv, h->sch);
    if (!mp)
        return -ENODEV;
    rc = zv_mdev_create(mp, ZV_VFIO_CCW_TYPE_ID, VFU_HOST_UUID, &vd);
    if (rc)
        return rc;
    zv_vdev_get(vd);
    h->vd = vd;
    return 0;
}

int
vfu_host_new(struct vfu_host *h, bool listen)
{
    int rc;

    memset(h, 0, sizeof(*h));
    rc = host_css(h);
    if (!rc)
        rc = host_mdev(h);
    if (!rc && listen) {
        snprintf(h->dir, sizeof(h->dir), "/tmp/zvfu.XXXXXX");
        if (!mkdtemp(h->dir))
            rc = -errno;
        snprintf(h->path, sizeof(h->path), "%s/vfu.sock", h->dir);
    }
    if (!rc)
        rc =
            zv_vfu_server_new(h->loop, h->vd, listen ? h->path : NULL, &h->srv);
    if (rc)
        vfu_host_free(h);
    return rc;
}

void
vfu_host_free(struct vfu_host *h)
{
    vfu_host_stop(h);
    zv_vfu_server_free(h->srv);
    if (h->dir[0])
        rmdir(h->dir);
    if (h->vd) {
        zv_vdev_close(h->vd);
        zv_vdev_put(h->vd);
    }
    if (h->drv)
        zv_vfio_ccw_free(h->drv);
    if (h->loop)
        zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ZV_NSEC_PER_MSEC);
    if (h->css)
        css_free(h->css);
    testdev_free(h->td);
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->arena);
    zv_as_free(h->storage);
    zv_loop_free(h->loop);
    memset(h, 0, sizeof(*h));
}

int
vfu_host_start(struct vfu_host *h)
{
    return loop_thread_start(h->loop, &h->thread, &h->running);
}

void
vfu_host_stop(struct vfu_host *h)
{
    loop_thread_stop(h->loop, &h->thread, &h->running);
}

void
vfu_host_call(struct vfu_host *h, void (*fn)(void *), void *arg)
{
    loop_thread_call(h->loop, fn, arg);
}

struct host_stats {
    struct vfu_host *h;
    struct zv_vfu_server_stats *st;
};

static void
host_stats_run(void *arg)
{
    struct host_stats *hs = arg;

    zv_vfu_server_stats(hs->h->srv, hs->st);
}

void
vfu_host_stats(struct vfu_host *h, struct zv_vfu_server_stats *st)
{
    struct host_stats hs = {.h = h, .st = st};

    vfu_host_call(h, host_stats_run, &hs);
}

int
vfu_fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    if (!d)
        return -errno;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}
