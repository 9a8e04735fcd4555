/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw/ops: the mdev instance (struct vccw_private), its regions and
 * IRQs as <linux/vfio_ccw.h> defines them (vfio-ccw.md §3), and the
 * deferred work that turns host interruptions into FSM events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_ccw/vfio_ccw_priv.h"

#define CCW_CAP_REGIONS 3 /* async, schib, crw at indices 1..3 */

struct vccw_private *
vccw_private_new(struct vccw_parent *parent)
{
    struct vccw_private *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->refs = 1;
    p->drv = parent->drv;
    p->parent = parent;
    p->sch = parent->sch;
    css_sch_get(p->sch);
    p->loop = parent->drv->loop;
    p->state = VCCW_CLOSED;
    return p;
}

void
vccw_private_get(struct vccw_private *p)
{
    p->refs++;
}

static void
hirb_flush(struct vccw_private *p)
{
    p->hirb_head = 0;
    p->hirb_len = 0;
    p->hirb_stale = 0;
}

void
vccw_private_put(struct vccw_private *p)
{
    if (!p || --p->refs)
        return;
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_QUIESCE);
    cp_spare_free(&p->cp_spare);
    vccw_arena_share_put(p);
    vccw_dma_unmap_all(p);
    hirb_flush(p);
    if (p->sch)
        css_sch_put(p->sch);
    free(p);
}

/* ---- IRQ signalling: from a loop event, as an eventfd is async ---- */

static void
kick_flush(struct vccw_private *p)
{
    unsigned mask = p->kick_mask;

    p->kick_mask = 0;
    for (unsigned i = 0; p->vd && i < ZV_VFIO_CCW_NUM_IRQS; i++)
        if (mask & (1u << i))
            zv_vdev_signal(p->vd, i);
}

static void
kick_fn(void *arg)
{
    struct vccw_private *p = arg;

    p->kick_posted = false;
    kick_flush(p);
    vccw_private_put(p);
}

/* A kick of irq_index still waiting for its posted event goes out now
 * (the event finds nothing left of it). */
void
vccw_kick_now(struct vccw_private *p, unsigned irq_index)
{
    unsigned bit = 1u << irq_index;

    if (!(p->kick_mask & bit) || p->in_io_work)
        return;
    p->kick_mask &= ~bit;
    if (p->vd)
        zv_vdev_signal(p->vd, irq_index);
}

/* Signal an IRQ after the current action: at the end of the io work when
 * inside it, else from a posted event (never from inside a region access:
 * a callback may access the regions again). */
void
vccw_kick(struct vccw_private *p, unsigned irq_index)
{
    p->kick_mask |= 1u << irq_index;
    if (p->kick_posted || p->in_io_work)
        return;
    vccw_private_get(p);
    if (!zv_loop_post(p->loop, kick_fn, p)) {
        vccw_private_put(p);
        return;
    }
    p->kick_posted = true;
}

/* ---- host interruptions: queued by irq(), handled by io work ---- */

/*
 * Status the host handed over before the client's latest CSCH (or before a
 * close) but that the mediator has not processed yet: for the composite
 * subchannel it was still pending, and CLEAR SUBCHANNEL discards pending
 * status (css-pop.md §4.4).  Such entries are dispatched as irq-stale so
 * that a late clear completion can never end a newer clear, nor a late
 * final status free a newer program (threads/000, with the host's TSCH and
 * the mediator's work on "two CPUs").
 */
void
vccw_hirb_mark_stale(struct vccw_private *p)
{
    p->hirb_stale = p->hirb_len;
}

static void
hirb_dispatch_one(struct vccw_private *p)
{
    struct irb irb = p->hirb[p->hirb_head];
    struct vccw_ev_arg ev = {.irb = &irb};
    enum vccw_event e;

    p->hirb_head = (p->hirb_head + 1) % VCCW_HIRB_MAX;
    p->hirb_len--;
    if (p->hirb_stale) {
        p->hirb_stale--;
        e = VCCW_EV_IRQ_STALE;
    } else {
        e = vccw_irq_classify(p, &irb);
    }
    vccw_fsm_event(p, e, &ev);
}

static void
io_work_fn(void *arg)
{
    struct vccw_private *p = arg;

    p->io_work_posted = false;
    p->in_io_work = true;
    while (p->hirb_len)
        hirb_dispatch_one(p);
    p->in_io_work = false;
    if (!p->kick_posted)
        kick_flush(p);
    vccw_private_put(p);
}

void
vccw_irq(struct vccw_private *p, const struct irb *irb)
{
    /* Cannot defer more: handle the older ones now rather than lose
     * status, in order. */
    while (p->hirb_len == VCCW_HIRB_MAX)
        hirb_dispatch_one(p);
    p->hirb[(p->hirb_head + p->hirb_len++) % VCCW_HIRB_MAX] = *irb;
    if (p->io_work_posted)
        return;
    vccw_private_get(p);
    if (!zv_loop_post(p->loop, io_work_fn, p)) {
        vccw_private_put(p);
        return;
    }
    p->io_work_posted = true;
}

/* ---- the status queue (principle 3: queued, never overwritten) ---- */

static bool
irb_is_final(const struct irb *irb)
{
    const struct scsw *s = &irb->scsw;

    return s->fctl && !(s->actl & (SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE |
                                   SCSW_ACTL_SUSPENDED));
}

/*
 * Full queue: a client that does not read.  Intermediate status is what
 * gives way (its information is repeated by the final status of the same
 * function); final status always gets in, replacing the newest
 * intermediate entry.  Both cases count in irb_dropped.
 */
int
vccw_irbq_push(struct vccw_private *p, const struct irb *irb)
{
    unsigned tail;

    if (p->irbq_len < ZV_VFIO_CCW_IRBQ_MAX) {
        tail = (p->irbq_head + p->irbq_len++) % ZV_VFIO_CCW_IRBQ_MAX;
        p->irbq[tail] = *irb;
        p->cnt.irb_queued = p->irbq_len;
        return 0;
    }
    p->cnt.irb_dropped++;
    tail = (p->irbq_head + p->irbq_len - 1) % ZV_VFIO_CCW_IRBQ_MAX;
    if (!irb_is_final(irb) || irb_is_final(&p->irbq[tail]))
        return -ENOSPC;
    p->irbq[tail] = *irb;
    return 0;
}

bool
vccw_irbq_pop(struct vccw_private *p, struct irb *out)
{
    if (!p->irbq_len)
        return false;
    *out = p->irbq[p->irbq_head];
    p->irbq_head = (p->irbq_head + 1) % ZV_VFIO_CCW_IRBQ_MAX;
    p->irbq_len--;
    p->cnt.irb_queued = p->irbq_len;
    return true;
}

void
vccw_irbq_flush(struct vccw_private *p)
{
    p->irbq_head = 0;
    p->irbq_len = 0;
    p->cnt.irb_queued = 0;
}

/* ---- regions ---- */

void
vccw_io_set_ret(struct vccw_private *p, int ret)
{
    zv_put_be32(p->io + ZV_CCW_IO_RET_OFF, (uint32_t)ret);
}

static bool
overlaps(uint64_t off, size_t len, uint64_t a, uint64_t alen)
{
    return off < a + alen && a < off + len;
}

static ssize_t
io_region_read(struct vccw_private *p, uint64_t off, void *buf, size_t len)
{
    if (overlaps(off, len, ZV_CCW_IO_IRB_OFF, ZV_CCW_IO_IRB_SIZE))
        vccw_fsm_event(p, VCCW_EV_IRB_READ, NULL);
    memcpy(buf, p->io + off, len);
    return (ssize_t)len;
}

/*
 * Any write raises the request with what the region then holds, as the
 * kernel does (vfio-ccw.md §3.2).  FC start: SSCH; halt or clear belong
 * to the async region (-EOPNOTSUPP); no function: -EINVAL (the kernel
 * would echo the client's own ret_code; we answer).
 */
static ssize_t
io_region_write(struct vccw_private *p, uint64_t off, const void *buf,
                size_t len)
{
    struct scsw scsw;
    struct orb orb;
    struct vccw_ev_arg ev = {.orb = &orb};
    int ret;

    memcpy(p->io + off, buf, len);
    scsw_decode(&scsw, p->io + ZV_CCW_IO_SCSW_OFF);
    if (scsw.fctl & SCSW_FCTL_START) {
        orb_decode(&orb, p->io + ZV_CCW_IO_ORB_OFF, ZV_CCW_IO_ORB_SIZE);
        ret = vccw_fsm_event(p, VCCW_EV_SSCH, &ev);
    } else if (scsw.fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)) {
        ret = -EOPNOTSUPP;
    } else {
        ret = -EINVAL;
    }
    vccw_io_set_ret(p, ret);
    return ret ? ret : (ssize_t)len;
}

static ssize_t
cmd_region_write(struct vccw_private *p, uint64_t off, const void *buf,
                 size_t len)
{
    uint32_t cmd;
    int ret;

    memcpy(p->cmd + off, buf, len);
    cmd = zv_be32(p->cmd + ZV_CCW_CMD_COMMAND_OFF);
    if (cmd == ZV_VFIO_CCW_ASYNC_CMD_HSCH)
        ret = vccw_fsm_event(p, VCCW_EV_HSCH, NULL);
    else if (cmd == ZV_VFIO_CCW_ASYNC_CMD_CSCH)
        ret = vccw_fsm_event(p, VCCW_EV_CSCH, NULL);
    else
        ret = -EINVAL;
    zv_put_be32(p->cmd + ZV_CCW_CMD_RET_OFF, (uint32_t)ret);
    return ret ? ret : (ssize_t)len;
}

static ssize_t
vccw_region_read(struct zv_vdev *vd, unsigned index, uint64_t off, void *buf,
                 size_t len)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    if (p->state == VCCW_NOT_OPER || !p->parent)
        return -ENODEV;
    switch (index) {
    case ZV_VFIO_CCW_CONFIG_REGION_INDEX:
        return io_region_read(p, off, buf, len);
    case 1:
        memcpy(buf, p->cmd + off, len);
        return (ssize_t)len;
    case 2:
        return vccw_schib_region_read(p, off, buf, len);
    case 3:
        return vccw_crw_region_read(p, off, buf, len);
    default:
        return -EINVAL;
    }
}

static ssize_t
vccw_region_write(struct zv_vdev *vd, unsigned index, uint64_t off,
                  const void *buf, size_t len)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    if (p->state == VCCW_NOT_OPER || !p->parent)
        return -ENODEV;
    switch (index) {
    case ZV_VFIO_CCW_CONFIG_REGION_INDEX:
        return io_region_write(p, off, buf, len);
    case 1:
        return cmd_region_write(p, off, buf, len);
    default:
        return -EINVAL; /* schib and crw regions are read-only */
    }
}

static void
del_cap_regions(struct zv_vdev *vd)
{
    for (unsigned i = 1; i <= CCW_CAP_REGIONS; i++)
        zv_vdev_del_region(vd, i);
}

/* Capability regions are registered at open in the kernel's order
 * (vfio-ccw.md §3.2): async 1, schib 2, crw 3. */
static int
add_cap_regions(struct zv_vdev *vd)
{
    static const struct {
        uint32_t subtype;
        uint64_t size;
        uint32_t flags;
    } caps[CCW_CAP_REGIONS] = {
        {ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD, ZV_CCW_CMD_REGION_SIZE,
         ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_WRITE},
        {ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB, ZV_CCW_SCHIB_REGION_SIZE,
         ZV_VFIO_REGION_INFO_FLAG_READ},
        {ZV_VFIO_REGION_SUBTYPE_CCW_CRW, ZV_CCW_CRW_REGION_SIZE,
         ZV_VFIO_REGION_INFO_FLAG_READ},
    };
    uint8_t cap[ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE];
    int rc;

    for (unsigned i = 0; i < CCW_CAP_REGIONS; i++) {
        zv_vdev_cap_type(cap, ZV_VFIO_REGION_TYPE_CCW, caps[i].subtype);
        rc = zv_vdev_add_region(vd, i + 1, caps[i].size, caps[i].flags, cap,
                                sizeof(cap));
        if (rc) {
            del_cap_regions(vd);
            return rc;
        }
    }
    return 0;
}

static int
vccw_open(struct zv_vdev *vd)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);
    int rc;

    if (!p->parent || p->state == VCCW_NOT_OPER)
        return -ENODEV;
    rc = add_cap_regions(vd);
    if (rc)
        return rc;
    memset(p->io, 0, sizeof(p->io));
    memset(p->cmd, 0, sizeof(p->cmd));
    rc = vccw_fsm_event(p, VCCW_EV_OPEN, NULL);
    if (rc)
        del_cap_regions(vd);
    return rc;
}

static void
vccw_close(struct zv_vdev *vd)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    vccw_fsm_event(p, VCCW_EV_CLOSE, NULL);
    del_cap_regions(vd);
}

/* VFIO_DEVICE_RESET: close + open (vfio-ccw.md §2.4.7); in-flight I/O is
 * cleared on the host and its program freed. */
static int
vccw_reset(struct zv_vdev *vd)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    if (p->state == VCCW_NOT_OPER || !p->parent)
        return -ENODEV;
    vccw_fsm_event(p, VCCW_EV_CLOSE, NULL);
    return vccw_fsm_event(p, VCCW_EV_OPEN, NULL);
}

/* The kernel's type1 IOMMU refuses a map past dma_entry_limit (65,535)
 * with -ENOSPC: so does each device here, counting its map entries
 * (pieces a partial unmap leaves count as entries, as there). */
static int
vccw_vdev_dma_map(struct zv_vdev *vd, uint64_t iova, uint64_t len, void *host,
                  unsigned prot)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);
    int rc;

    if (p->ndma >= p->drv->dma_max)
        return -ENOSPC;
    rc = vccw_dma_map(p, iova, len, host, prot);
    if (rc == 0)
        p->ndma++;
    return rc;
}

static void
dma_recount(struct vccw_private *p)
{
    unsigned n = 0;

    for (const struct vccw_dma *d = p->dma; d; d = d->next)
        n++;
    p->ndma = n;
}

/* The program pins pages of the range: quiesce first (reset, as the
 * kernel's dma_unmap notifier does), then unmap. */
static void
vccw_vdev_dma_unmap(struct zv_vdev *vd, uint64_t iova, uint64_t len)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    if (p->cp && cp_iova_pinned(p->cp, iova, len) && zv_vdev_is_open(vd))
        vccw_reset(vd);
    vccw_dma_unmap(p, iova, len);
    dma_recount(p);
}

static void
vccw_request(struct zv_vdev *vd, unsigned count)
{
    vccw_kick(zv_vdev_drvdata(vd), ZV_VFIO_CCW_REQ_IRQ_INDEX);
}

/* Unregistration: after this no host callback reaches p, and p touches
 * nothing of the host (the css may be freed before the client lets go). */
static void
vccw_remove(struct zv_vdev *vd)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    vccw_free_cp(p, ZV_VFIO_CCW_FREE_QUIESCE);
    cp_spare_free(&p->cp_spare);
    vccw_arena_share_put(p);
    vccw_dma_unmap_all(p);
    p->ndma = 0;
    if (p->parent && p->parent->priv == p)
        p->parent->priv = NULL;
    p->parent = NULL;
    hirb_flush(p);
    if (p->sch) {
        css_sch_put(p->sch);
        p->sch = NULL;
    }
}

static void
vccw_release(struct zv_vdev *vd)
{
    struct vccw_private *p = zv_vdev_drvdata(vd);

    p->vd = NULL;
    vccw_private_put(p);
}

const struct zv_vdev_ops vccw_vdev_ops = {
    .open = vccw_open,
    .close = vccw_close,
    .reset = vccw_reset,
    .region_read = vccw_region_read,
    .region_write = vccw_region_write,
    .dma_map = vccw_vdev_dma_map,
    .dma_unmap = vccw_vdev_dma_unmap,
    .request = vccw_request,
    .remove = vccw_remove,
    .release = vccw_release,
};
