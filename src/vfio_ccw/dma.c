/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw/dma: the client's DMA maps, seen twice (principle 5):
 *  - in the device's IOVA space (zv_vdev_iova), where cp reads the guest
 *    program and nothing else;
 *  - in host absolute storage (css_storage) at an address in the DMA
 *    window, so that pin() can hand the host channel subsystem format-2
 *    IDAWs that reach the same bytes.
 * Nothing outside a map is reachable: pin() fails with -EFAULT.
 */
#include <errno.h>
#include <stdlib.h>

#include "vfio_ccw/vfio_ccw_priv.h"

int
vccw_dma_map(struct vccw_private *p, uint64_t iova, uint64_t len, void *host,
             unsigned prot)
{
    struct vccw_dma *d;
    int rc;

    if (!p->parent)
        return -ENODEV;
    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->iova = iova;
    d->len = len;
    d->habs = ZV_VFIO_CCW_DMA_WINDOW + p->drv->dma_next;
    rc = zv_as_map(css_storage(p->drv->css), d->habs, len, host, prot);
    if (rc) {
        free(d);
        return rc;
    }
    p->drv->dma_next += len;
    d->next = p->dma;
    p->dma = d;
    return 0;
}

/*
 * Remove [lo, hi) from the entry at *link (host side too), splitting it
 * when the hole is in its middle.  The split's new entry is allocated
 * before anything is unmapped; if that fails the whole entry goes (host
 * side and record), so an unmap never leaves any of its range reachable
 * and never leaves a host mapping without a record.  The client then
 * finds the rest unmapped too (pin fails with -EFAULT): it asked for a
 * smaller hole, but nothing it did not grant is reachable.
 */
static void
dma_cut(struct vccw_private *p, struct vccw_dma **link, uint64_t lo,
        uint64_t hi)
{
    struct vccw_dma *d = *link, *tail = NULL;
    uint64_t end = d->iova + d->len;

    if (lo > d->iova && hi < end) {
        tail = calloc(1, sizeof(*tail));
        if (!tail) {
            lo = d->iova;
            hi = end;
        }
    }
    zv_as_unmap(css_storage(p->drv->css), d->habs + (lo - d->iova), hi - lo);
    if (tail) {
        tail->iova = hi;
        tail->len = end - hi;
        tail->habs = d->habs + (hi - d->iova);
        tail->next = d->next;
        d->next = tail;
        d->len = lo - d->iova;
    } else if (lo > d->iova) {
        d->len = lo - d->iova;
    } else if (hi < end) {
        d->habs += hi - d->iova;
        d->len = end - hi;
        d->iova = hi;
    } else {
        *link = d->next;
        free(d);
    }
}

void
vccw_dma_unmap(struct vccw_private *p, uint64_t iova, uint64_t len)
{
    struct vccw_dma **link = &p->dma;

    while (*link) {
        struct vccw_dma *d = *link;
        uint64_t lo = iova > d->iova ? iova : d->iova;
        uint64_t hi =
            iova + len < d->iova + d->len ? iova + len : d->iova + d->len;

        if (lo >= hi) {
            link = &d->next;
            continue;
        }
        dma_cut(p, link, lo, hi);
        if (*link == d)
            link = &d->next;
    }
}

void
vccw_dma_unmap_all(struct vccw_private *p)
{
    while (p->dma) {
        struct vccw_dma *d = p->dma;

        p->dma = d->next;
        zv_as_unmap(css_storage(p->drv->css), d->habs, d->len);
        free(d);
    }
}

static int
vccw_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct vccw_private *p = ctx;

    for (struct vccw_dma *d = p->dma; d; d = d->next) {
        if (iova >= d->iova && len <= d->len &&
            iova - d->iova <= d->len - len) {
            *habs = d->habs + (iova - d->iova);
            return 0;
        }
    }
    return -EFAULT;
}

void
vccw_cp_env(struct vccw_private *p, struct cp_env *env)
{
    env->iova = zv_vdev_iova(p->vd);
    env->host = p->drv->arena;
    env->pin = vccw_pin;
    /* A lookup in the DMA maps serves any length: one per IDAW run. */
    env->pin_run = vccw_pin;
    /* No unpin: nothing to undo, the maps stay until the client unmaps,
     * and an unmap of a pinned range quiesces first (ops.c); cp_free
     * skips the per-piece calls. */
    env->unpin = NULL;
    env->spare = &p->cp_spare;
    env->ctx = p;
    env->host_ils = css_get_config(p->drv->css)->ils;
}
