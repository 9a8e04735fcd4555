/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw/drv: the css driver (probe/remove/irq/sch_event/chp_event),
 * the per-subchannel mdev parent with its one type "vfio_ccw-io", and the
 * instance create (vfio-ccw.md §1, §6).
 *
 * Host callbacks find the instance through parent->priv only; it is set
 * when the instance is fully built and cleared when its vdev is
 * unregistered, so no callback reaches half-built or freed state
 * (threads/004).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vfio_ccw/vfio_ccw_priv.h"

static const struct zv_mdev_type vccw_types[] = {
    {.name = "io",
     .description = "I/O subchannel (Non-QDIO)",
     .max_instances = 1},
};

struct zv_arena *
zv_vfio_ccw_arena_new(struct css *css, uint64_t base, uint64_t size)
{
    if (!css || !size || base + size > (1ull << 31) || base + size < base)
        return NULL;
    return zv_arena_new(css_storage(css), base, size);
}

static struct vccw_parent *
parent_of(struct subchannel *sch)
{
    return css_sch_drvdata(sch);
}

static struct vccw_private *
priv_of(struct subchannel *sch)
{
    struct vccw_parent *parent = parent_of(sch);

    return parent ? parent->priv : NULL;
}

static int
vccw_create(struct zv_mdev_parent *mp, unsigned type, const char *uuid,
            struct zv_vdev **out)
{
    static const struct zv_vdev_desc desc = {
        .api = ZV_VFIO_DEVICE_API_CCW_STRING,
        .flags = ZV_VFIO_DEVICE_FLAGS_CCW | ZV_VFIO_DEVICE_FLAGS_RESET,
        .num_irqs = ZV_VFIO_CCW_NUM_IRQS,
    };
    struct vccw_parent *parent = zv_mdev_parent_data(mp);
    struct vccw_private *p;
    struct zv_vdev *vd;

    if (parent->priv || css_sch_gone(parent->sch))
        return -ENODEV;
    p = vccw_private_new(parent);
    if (!p)
        return -ENOMEM;
    /* Its share of the program arena, reserve included, is the device's
     * from now on: nobody else's programs can take it (one device with
     * maximal programs does not starve the others). */
    p->arena =
        zv_arena_share_new(parent->drv->arena, parent->drv->share_reserve,
                           parent->drv->share_limit);
    if (!p->arena)
        goto err_put_priv;
    vd = zv_vdev_new(&desc, &vccw_vdev_ops, p);
    if (!vd)
        goto err_put_priv;
    /* From here the vdev owns p's first reference (dropped in release). */
    p->vd = vd;
    if (zv_vdev_add_region(
            vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, ZV_CCW_IO_REGION_SIZE,
            ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_WRITE,
            NULL, 0))
        goto err_put_vdev;
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        zv_vdev_set_irq_info(vd, i, 1, ZV_VFIO_IRQ_INFO_EVENTFD);
    parent->priv = p; /* published only once complete */
    *out = vd;
    return 0;

err_put_vdev:
    zv_vdev_unregister(vd);
    zv_vdev_put(vd);
    return -ENOMEM;
err_put_priv:
    vccw_private_put(p);
    return -ENOMEM;
}

static const struct zv_mdev_parent_ops vccw_parent_ops = {
    .create = vccw_create,
};

/* Give the device's share (and any program storage still in it) back to
 * the driver's arena; idempotent. */
void
vccw_arena_share_put(struct vccw_private *p)
{
    zv_arena_free(p->arena);
    p->arena = NULL;
}

/* ---- css driver callbacks ---- */

static int
vccw_probe(struct subchannel *sch)
{
    struct vccw_parent *parent = parent_of(sch);
    struct schib schib;

    if (!parent || css_sch_gone(sch))
        return -ENODEV;
    if (css_sch_is_qdio(sch))
        return -EOPNOTSUPP; /* vfio-ccw.md §1.3: QDIO is refused */
    if (css_sch_stsch(sch, &schib).cc != ZV_CC0 || schib.pmcw.st != PMCW_ST_IO)
        return -ENODEV;
    parent->mdev = zv_mdev_parent_register(parent->drv->bus, ZV_VFIO_CCW_DRIVER,
                                           parent->name, vccw_types, 1,
                                           &vccw_parent_ops, parent);
    return parent->mdev ? 0 : -ENOMEM;
}

static void
parent_unlink(struct vccw_parent *parent)
{
    struct vccw_parent **pp;

    for (pp = &parent->drv->parents; *pp; pp = &(*pp)->next) {
        if (*pp == parent) {
            *pp = parent->next;
            return;
        }
    }
}

/* Unbind or subchannel removal: the instance is unregistered (the client
 * is asked to let go with the REQ IRQ; its later accesses get -ENODEV),
 * then the parent goes. */
static void
vccw_sch_remove(struct subchannel *sch)
{
    struct vccw_parent *parent = parent_of(sch);

    if (!parent)
        return;
    zv_mdev_parent_unregister(parent->mdev);
    parent->mdev = NULL;
    css_sch_set_drvdata(sch, NULL);
    parent_unlink(parent);
    css_sch_put(sch);
    free(parent);
}

static void
vccw_sch_irq(struct subchannel *sch, const struct irb *irb)
{
    struct vccw_private *p = priv_of(sch);
    struct schib schib;

    if (p) {
        vccw_irq(p, irb);
        return;
    }
    /* No instance: an unexpected interruption; keep the subchannel quiet
     * (the kernel disables it, vfio-ccw.md §2.4.4). */
    if (css_sch_stsch(sch, &schib).cc == ZV_CC0 && schib.pmcw.ena) {
        schib.pmcw.ena = false;
        css_sch_msch(sch, &schib);
    }
}

static void
vccw_sch_event(struct subchannel *sch, enum css_sch_event ev)
{
    struct vccw_private *p = priv_of(sch);

    if (!p)
        return;
    switch (ev) {
    case CSS_SCH_GONE:
        vccw_fsm_event(p, VCCW_EV_NOT_OPER, NULL);
        break;
    case CSS_SCH_PARAMS:
        /* Installed parameters modified (css-pop.md §2.6, ERC 8). */
        vccw_crw_queue(p, CRW_RSC_SCH, CRW_ERC_PMOD, css_sch_no(sch));
        break;
    case CSS_SCH_BACK:
    default:
        /* Not-operational is terminal; only a rebind recovers
         * (vfio-ccw.md §2.1). */
        break;
    }
}

static void
vccw_sch_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
                   enum css_chp_event ev)
{
    struct vccw_private *p = priv_of(sch);

    if (p && mask)
        vccw_chp_event(p, chpid, mask, ev);
}

static const struct css_driver vccw_css_driver = {
    .name = ZV_VFIO_CCW_DRIVER,
    .probe = vccw_probe,
    .remove = vccw_sch_remove,
    .irq = vccw_sch_irq,
    .sch_event = vccw_sch_event,
    .chp_event = vccw_sch_chp_event,
};

/* ---- the driver instance ---- */

struct zv_vfio_ccw *
zv_vfio_ccw_new(struct css *css, struct zv_arena *arena,
                struct zv_mdev_bus *bus)
{
    struct zv_vfio_ccw *drv;
    uint64_t size;

    if (!css || !arena || !bus)
        return NULL;
    drv = calloc(1, sizeof(*drv));
    if (!drv)
        return NULL;
    drv->css = css;
    drv->loop = css_loop(css);
    drv->arena = arena;
    drv->bus = bus;
    size = zv_arena_size(arena);
    drv->share_reserve = size / 16 < ZV_VFIO_CCW_ARENA_RESERVE
                             ? size / 16
                             : ZV_VFIO_CCW_ARENA_RESERVE;
    drv->share_limit =
        size / 4 > drv->share_reserve ? size / 4 : drv->share_reserve;
    drv->dma_max = ZV_VFIO_CCW_DMA_MAX;
    return drv;
}

int
zv_vfio_ccw_set_arena_share(struct zv_vfio_ccw *drv, uint64_t reserve,
                            uint64_t limit)
{
    if (!drv || !limit || reserve > limit || limit > zv_arena_size(drv->arena))
        return -EINVAL;
    drv->share_reserve = reserve;
    drv->share_limit = limit;
    return 0;
}

void
zv_vfio_ccw_free(struct zv_vfio_ccw *drv)
{
    if (!drv)
        return;
    while (drv->parents) {
        struct vccw_parent *parent = drv->parents;

        css_sch_unbind(parent->sch);
        if (drv->parents == parent) /* the css did not call remove() */
            vccw_sch_remove(parent->sch);
    }
    free(drv);
}

int
zv_vfio_ccw_bind(struct zv_vfio_ccw *drv, struct subchannel *sch)
{
    struct vccw_parent *parent;
    struct schid id;
    int rc;

    if (!drv || !sch)
        return -EINVAL;
    if (css_sch_gone(sch))
        return -ENODEV;
    if (css_sch_driver(sch))
        return -EBUSY;
    parent = calloc(1, sizeof(*parent));
    if (!parent)
        return -ENOMEM;
    id = css_sch_schid(sch);
    snprintf(parent->name, sizeof(parent->name), "%x.%x.%04x", id.cssid,
             id.ssid, id.sch_no);
    parent->drv = drv;
    parent->sch = sch;
    css_sch_get(sch);
    /* The driver override: probe() finds its parent here. */
    css_sch_set_drvdata(sch, parent);
    rc = css_sch_bind(sch, &vccw_css_driver);
    if (rc) {
        if (parent->mdev)
            zv_mdev_parent_unregister(parent->mdev);
        css_sch_set_drvdata(sch, NULL);
        css_sch_put(sch);
        free(parent);
        return rc;
    }
    parent->next = drv->parents;
    drv->parents = parent;
    return 0;
}

void
zv_vfio_ccw_unbind(struct zv_vfio_ccw *drv, struct subchannel *sch)
{
    if (drv && sch && css_sch_driver(sch) == &vccw_css_driver)
        css_sch_unbind(sch);
}

struct zv_mdev_parent *
zv_vfio_ccw_parent(struct zv_vfio_ccw *drv, struct subchannel *sch)
{
    struct vccw_parent *parent;

    if (!sch || css_sch_driver(sch) != &vccw_css_driver)
        return NULL;
    parent = parent_of(sch);
    return parent && parent->drv == drv ? parent->mdev : NULL;
}

void
zv_vfio_ccw_set_observer(struct zv_vfio_ccw *drv,
                         const struct zv_vfio_ccw_observer *obs)
{
    if (obs)
        drv->obs = *obs;
    else
        drv->obs = (struct zv_vfio_ccw_observer){0};
}

static struct vccw_private *
vdev_priv(const struct zv_vdev *vd)
{
    if (!vd || !zv_vdev_has_ops(vd, &vccw_vdev_ops))
        return NULL;
    return zv_vdev_drvdata(vd);
}

int
zv_vfio_ccw_counters(const struct zv_vdev *vd, struct zv_vfio_ccw_counters *out)
{
    const struct vccw_private *p = vdev_priv(vd);

    if (!p)
        return -EINVAL;
    *out = p->cnt;
    out->arena_in_use = p->arena ? zv_arena_in_use(p->arena) : 0;
    out->dma_maps = p->ndma;
    return 0;
}

const char *
zv_vfio_ccw_state_name(const struct zv_vdev *vd)
{
    const struct vccw_private *p = vdev_priv(vd);

    return p ? vccw_state_name(p->state) : "?";
}
