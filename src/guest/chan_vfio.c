/* SPDX-License-Identifier: MIT */
/*
 * guest_chan over a vfio-ccw mediated device (see chan_vfio.h).  The
 * errno-to-cc mapping is QEMU's (vfio-ccw.md §3.5): -EBUSY is cc 2,
 * -ENODEV and -EACCES are cc 3, anything else is returned as -errno.
 */
#include "guest/chan_vfio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GUEST_MEM_LIMIT (1ull << 31)

struct chan_vfio {
    struct guest_chan ch;
    struct zv_vdev *vd;
    uint64_t mem_base, mem_size;
    unsigned io_irqs;  /* IO IRQs not yet answered by a read */
    unsigned requests; /* REQ IRQs */
    bool gone;
};

static struct chan_vfio *
cv_of(struct guest_chan *ch)
{
    return (struct chan_vfio *)ch;
}

static void
chan_vfio_irq(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct chan_vfio *c = arg;

    if (index == ZV_VFIO_CCW_IO_IRQ_INDEX)
        c->io_irqs++;
    else if (index == ZV_VFIO_CCW_REQ_IRQ_INDEX)
        c->requests++;
}

/* The one errno -> cc switch of this boundary. */
static int
errno_to_cc(int rc)
{
    switch (rc) {
    case 0:
        return 0;
    case -EBUSY:
        return 2;
    case -ENODEV:
    case -EACCES:
        return 3;
    default:
        return rc;
    }
}

static int
chan_vfio_ssch(struct guest_chan *ch, const struct orb *orb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    ssize_t rc;

    orb_encode(orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    rc = zv_vdev_region_write(cv_of(ch)->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                              region, sizeof(region));
    return errno_to_cc(rc < 0 ? (int)rc : 0);
}

static int
chan_vfio_async(struct guest_chan *ch, uint32_t command)
{
    uint8_t region[ZV_CCW_CMD_REGION_SIZE] = {0};
    ssize_t rc;

    zv_put_be32(region + ZV_CCW_CMD_COMMAND_OFF, command);
    rc = zv_vdev_region_write(cv_of(ch)->vd, 1, 0, region, sizeof(region));
    return errno_to_cc(rc < 0 ? (int)rc : 0);
}

static int
chan_vfio_hsch(struct guest_chan *ch)
{
    return chan_vfio_async(ch, ZV_VFIO_CCW_ASYNC_CMD_HSCH);
}

static int
chan_vfio_csch(struct guest_chan *ch)
{
    return chan_vfio_async(ch, ZV_VFIO_CCW_ASYNC_CMD_CSCH);
}

static int
chan_vfio_stsch(struct guest_chan *ch, struct schib *schib)
{
    uint8_t region[ZV_CCW_SCHIB_REGION_SIZE];
    ssize_t rc =
        zv_vdev_region_read(cv_of(ch)->vd, 2, 0, region, sizeof(region));

    if (rc < 0)
        return (int)rc;
    schib_decode(schib, region);
    return 0;
}

/* The subchannel the client sees is virtual in QEMU: MSCH never reaches
 * the host (the mediator enabled it at open).  Nothing to do but check
 * the device is still there. */
static int
chan_vfio_enable(struct guest_chan *ch, uint32_t intparm, uint8_t isc)
{
    struct schib schib;

    return chan_vfio_stsch(ch, &schib);
}

/* Read the I/O region: the IRB area holds the next status, or zeros. */
static int
chan_vfio_take(struct chan_vfio *c, struct irb *irb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    ssize_t rc = zv_vdev_region_read(c->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                     region, sizeof(region));

    if (rc < 0)
        return (int)rc;
    irb_decode(irb, region + ZV_CCW_IO_IRB_OFF);
    return irb->scsw.stctl ? 0 : -EAGAIN;
}

static int
chan_vfio_wait_irb(struct guest_chan *ch, struct irb *irb, uint64_t timeout_ns)
{
    struct chan_vfio *c = cv_of(ch);
    uint64_t deadline = zv_loop_now(ch->loop) + timeout_ns;

    for (;;) {
        uint64_t now = zv_loop_now(ch->loop);

        if (c->io_irqs) {
            int rc;

            c->io_irqs--;
            rc = chan_vfio_take(c, irb);
            if (rc != -EAGAIN)
                return rc;
            continue;
        }
        if (c->gone || zv_vdev_is_removed(c->vd))
            return -ENODEV;
        if (now >= deadline)
            return -ETIMEDOUT;
        if (zv_loop_run_once(ch->loop, deadline - now) == 0 &&
            zv_loop_is_virtual(ch->loop))
            return -ETIMEDOUT;
    }
}

static void
chan_vfio_destroy(struct guest_chan *ch)
{
    struct chan_vfio *c = cv_of(ch);

    zv_vdev_close(c->vd);
    zv_vdev_dma_unmap(c->vd, c->mem_base, c->mem_size);
    zv_vdev_put(c->vd);
    zv_arena_free(ch->arena);
    zv_as_free(ch->mem);
    free(c);
}

static const struct guest_chan_ops chan_vfio_ops = {
    .ssch = chan_vfio_ssch,
    .hsch = chan_vfio_hsch,
    .csch = chan_vfio_csch,
    .stsch = chan_vfio_stsch,
    .enable = chan_vfio_enable,
    .wait_irb = chan_vfio_wait_irb,
    .destroy = chan_vfio_destroy,
};

static int
chan_vfio_memory(struct chan_vfio *c)
{
    void *host;

    c->ch.mem = zv_as_new("guest");
    if (!c->ch.mem)
        return -ENOMEM;
    c->ch.arena = zv_arena_new(c->ch.mem, c->mem_base, c->mem_size);
    if (!c->ch.arena)
        return -ENOMEM;
    host = zv_as_ptr(c->ch.mem, c->mem_base, c->mem_size, ZV_MEM_RW);
    if (!host)
        return -ENOMEM;
    return zv_vdev_dma_map(c->vd, c->mem_base, c->mem_size, host, ZV_MEM_RW);
}

unsigned
guest_chan_vfio_requests(const struct guest_chan *ch)
{
    return ((const struct chan_vfio *)ch)->requests;
}

int
guest_chan_vfio_new(struct zv_vdev *vd, struct zv_loop *loop, uint64_t mem_base,
                    uint64_t mem_size, struct guest_chan **out)
{
    struct chan_vfio *c;
    int rc;

    if (!vd || !loop || !out || !mem_size ||
        mem_base + mem_size > GUEST_MEM_LIMIT || mem_base + mem_size < mem_base)
        return -EINVAL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->ch.ops = &chan_vfio_ops;
    c->ch.loop = loop;
    c->vd = vd;
    c->mem_base = mem_base;
    c->mem_size = mem_size;
    rc = zv_vdev_open(vd);
    if (rc)
        goto err_free;
    zv_vdev_get(vd);
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        zv_vdev_set_irq_callback(vd, i, chan_vfio_irq, c);
    rc = chan_vfio_memory(c);
    if (rc)
        goto err_close;
    *out = &c->ch;
    return 0;

err_close:
    zv_vdev_close(vd);
    zv_vdev_put(vd);
    zv_arena_free(c->ch.arena);
    zv_as_free(c->ch.mem);
err_free:
    free(c);
    return rc;
}
