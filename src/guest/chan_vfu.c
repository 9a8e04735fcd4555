/* SPDX-License-Identifier: MIT */
/*
 * guest_chan over vfio-user (see chan_vfu.h).  The errno-to-cc mapping is
 * chan_vfio's, which is QEMU's (vfio-ccw.md §3.5): -EBUSY is cc 2,
 * -ENODEV and -EACCES are cc 3; a transport failure (-ENOTCONN, -EPIPE,
 * -ECONNRESET) is cc 3 as well: the device is as gone as a vanished
 * subchannel.
 */
#include "guest/chan_vfu.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/bytes.h"
#include "vfio/uapi.h"

#define GUEST_MEM_LIMIT  (1ull << 31)
#define VFU_CCW_FLAG     (1u << 4) /* VFIO_DEVICE_FLAGS_CCW */
#define VFU_CAPS_BUF     256
#define VFU_REGION_UNSET UINT32_MAX

enum { VFU_IRQ_IO, VFU_IRQ_CRW, VFU_IRQ_REQ, VFU_IRQS };

struct chan_vfu {
    struct guest_chan ch;
    struct zv_vfu_client *c;
    uint32_t async_idx, schib_idx, crw_idx;
    int efd[VFU_IRQS];
    int memfd;
    uint64_t mem_base, mem_size;
    /* IO interrupts not yet answered by a read of the IRB area; below 0
     * when a read ahead (chan_vfu_ssch) took a status whose interrupt
     * the IO eventfd has not shown us yet */
    int64_t io_irqs;
    /* a status the read ahead took, not yet handed out */
    uint8_t ahead[ZV_CCW_IO_IRB_SIZE];
    bool has_ahead;
    int64_t crw_irqs;  /* CRW interrupts not yet answered by a read */
    unsigned requests; /* REQ interrupts */
};

static struct chan_vfu *
cu_of(struct guest_chan *ch)
{
    return (struct chan_vfu *)ch;
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
    case -ENOTCONN:
    case -EPIPE:
    case -ECONNRESET:
        return 3;
    default:
        return rc;
    }
}

static int
region_write(struct chan_vfu *c, uint32_t idx, const void *buf, size_t len)
{
    ssize_t rc = zv_vfu_client_region_write(c->c, idx, 0, buf, len);

    if (rc < 0)
        return (int)rc;
    return (size_t)rc == len ? 0 : -EIO;
}

static int
region_read(struct chan_vfu *c, uint32_t idx, void *buf, size_t len)
{
    ssize_t rc = zv_vfu_client_region_read(c->c, idx, 0, buf, len);

    if (rc < 0)
        return (int)rc;
    return (size_t)rc == len ? 0 : -EIO;
}

/*
 * SSCH and a read of the I/O region in one exchange.  The server answers
 * a write that started a program once the program has run as far as it
 * can without waiting, so with a device that answers at once the read
 * finds its status: the IRB comes back with the SSCH's reply, one round
 * trip where a write and a read after the interrupt take two.  The read
 * consumes the status as any read of the IRB area does; the interrupt it
 * answers is one the IO eventfd has counted or will count (the driver
 * signals a status before a read can take it), hence io_irqs - 1.
 */
static int
chan_vfu_ssch(struct guest_chan *ch, const struct orb *orb)
{
    struct chan_vfu *c = cu_of(ch);
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    uint8_t back[ZV_CCW_IO_REGION_SIZE];
    struct zv_vfu_region_io ops[2] = {
        {.write = 1,
         .index = ZV_VFIO_CCW_CONFIG_REGION_INDEX,
         .buf = region,
         .len = sizeof(region)},
        {.write = 0,
         .index = ZV_VFIO_CCW_CONFIG_REGION_INDEX,
         .buf = back,
         .len = sizeof(back)},
    };
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    int rc;

    orb_encode(orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    if (c->has_ahead)
        /* one status held already: do not take a second */
        return errno_to_cc(region_write(c, ZV_VFIO_CCW_CONFIG_REGION_INDEX,
                                        region, sizeof(region)));
    rc = zv_vfu_client_region_batch(c->c, ops, 2);
    if (rc < 0)
        return errno_to_cc(rc);
    if (ops[1].result == (ssize_t)sizeof(back)) {
        struct scsw got;

        scsw_decode(&got, back + ZV_CCW_IO_IRB_OFF);
        if (got.stctl) {
            memcpy(c->ahead, back + ZV_CCW_IO_IRB_OFF, sizeof(c->ahead));
            c->has_ahead = true;
            c->io_irqs--;
        }
    }
    if (ops[0].result < 0)
        return errno_to_cc((int)ops[0].result);
    return errno_to_cc(ops[0].result == (ssize_t)sizeof(region) ? 0 : -EIO);
}

static int
chan_vfu_async(struct guest_chan *ch, uint32_t command)
{
    struct chan_vfu *c = cu_of(ch);
    uint8_t region[ZV_CCW_CMD_REGION_SIZE] = {0};

    zv_put_be32(region + ZV_CCW_CMD_COMMAND_OFF, command);
    return errno_to_cc(region_write(c, c->async_idx, region, sizeof(region)));
}

static int
chan_vfu_hsch(struct guest_chan *ch)
{
    return chan_vfu_async(ch, ZV_VFIO_CCW_ASYNC_CMD_HSCH);
}

static int
chan_vfu_csch(struct guest_chan *ch)
{
    return chan_vfu_async(ch, ZV_VFIO_CCW_ASYNC_CMD_CSCH);
}

static int
chan_vfu_stsch(struct guest_chan *ch, struct schib *schib)
{
    struct chan_vfu *c = cu_of(ch);
    uint8_t region[ZV_CCW_SCHIB_REGION_SIZE];
    int rc = region_read(c, c->schib_idx, region, sizeof(region));

    if (rc < 0)
        return rc;
    schib_decode(schib, region);
    return 0;
}

/* As with chan_vfio: the subchannel the client sees is virtual, MSCH never
 * reaches the host (the mediator enabled it at open).  Check it is there. */
static int
chan_vfu_enable(struct guest_chan *ch, uint32_t intparm, uint8_t isc)
{
    struct schib schib;

    return chan_vfu_stsch(ch, &schib);
}

/* Read the I/O region: the IRB area holds the next status, or zeros. */
static int
chan_vfu_take(struct chan_vfu *c, struct irb *irb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    int rc =
        region_read(c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, region, sizeof(region));

    if (rc < 0)
        return rc;
    irb_decode(irb, region + ZV_CCW_IO_IRB_OFF);
    return irb->scsw.stctl ? 0 : -EAGAIN;
}

/* Drain an eventfd (non-blocking) into *count. */
static void
efd_drain(int fd, int64_t *count)
{
    uint64_t v;

    if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
        *count += (int64_t)v;
}

/* Take what the IO eventfd counted.  The REQ eventfd is read only when
 * no IO interrupt was there: on the fast path (the status arrived before
 * we asked, as with a page-cached image) that saves a read() that would
 * fail with EAGAIN; a device that goes away is still seen, by the poll
 * of chan_vfu_sleep or by the region access failing. */
static void
chan_vfu_drain(struct chan_vfu *c)
{
    int64_t req = 0, io = c->io_irqs;

    efd_drain(c->efd[VFU_IRQ_IO], &c->io_irqs);
    if (c->io_irqs != io)
        return;
    efd_drain(c->efd[VFU_IRQ_REQ], &req);
    c->requests += (unsigned)req;
}

/* Reads ahead the IO eventfd may owe us before we look at it (and at REQ,
 * read with it): one read() per this many I/Os, not one per I/O. */
#define VFU_AHEAD_DRAIN 16

/* Hand out the status the read ahead took, if any. */
static bool
chan_vfu_take_ahead(struct chan_vfu *c, struct irb *irb)
{
    if (!c->has_ahead)
        return false;
    c->has_ahead = false;
    if (c->io_irqs < -VFU_AHEAD_DRAIN) {
        int64_t req = 0;

        efd_drain(c->efd[VFU_IRQ_IO], &c->io_irqs);
        efd_drain(c->efd[VFU_IRQ_REQ], &req);
        c->requests += (unsigned)req;
    }
    irb_decode(irb, c->ahead);
    return true;
}

/* Sleep in poll until the IO or REQ eventfd fires or the deadline, then
 * read the ones poll found readable (no read that can only say EAGAIN). */
static int
chan_vfu_sleep(struct chan_vfu *c, uint64_t deadline)
{
    struct pollfd p[2] = {{.fd = c->efd[VFU_IRQ_IO], .events = POLLIN},
                          {.fd = c->efd[VFU_IRQ_REQ], .events = POLLIN}};
    uint64_t now = zv_mono_ns();
    int64_t req = 0;
    uint64_t ms;
    int rc;

    if (now >= deadline)
        return -ETIMEDOUT;
    ms = (deadline - now + 999999) / 1000000;
    rc = poll(p, 2, ms > 60000 ? 60000 : (int)ms);
    if (rc < 0 && errno != EINTR)
        return -errno;
    if (p[0].revents & POLLIN)
        efd_drain(c->efd[VFU_IRQ_IO], &c->io_irqs);
    if (p[1].revents & POLLIN) {
        efd_drain(c->efd[VFU_IRQ_REQ], &req);
        c->requests += (unsigned)req;
    }
    return 0;
}

/* The status the SSCH's read ahead took comes first.  Else read the IO
 * eventfd (the interrupt may be counted already) and sleep in poll
 * (which also watches REQ) only when it had nothing. */
static int
chan_vfu_wait_irb(struct guest_chan *ch, struct irb *irb, uint64_t timeout_ns)
{
    struct chan_vfu *c = cu_of(ch);
    uint64_t deadline = zv_mono_ns() + timeout_ns;
    bool tried = false;

    if (chan_vfu_take_ahead(c, irb))
        return 0;
    for (;;) {
        int rc;

        if (c->io_irqs <= 0 && !tried) {
            tried = true;
            efd_drain(c->efd[VFU_IRQ_IO], &c->io_irqs);
        }

        if (c->io_irqs > 0) {
            c->io_irqs--;
            rc = chan_vfu_take(c, irb);
            if (rc != -EAGAIN)
                return errno_to_cc(rc) == 3 ? -ENODEV : rc;
            continue;
        }
        if (c->requests)
            return -ENODEV;
        rc = chan_vfu_sleep(c, deadline);
        if (rc)
            return rc;
    }
}

int
guest_chan_vfu_poll_irb(struct guest_chan *ch, struct irb *irb)
{
    struct chan_vfu *c = cu_of(ch);

    if (chan_vfu_take_ahead(c, irb))
        return 1;
    chan_vfu_drain(c);
    while (c->io_irqs > 0) {
        int rc;

        c->io_irqs--;
        rc = chan_vfu_take(c, irb);
        if (rc != -EAGAIN)
            return rc < 0 ? rc : 1;
    }
    return 0;
}

int
guest_chan_vfu_crw(struct guest_chan *ch, struct crw *crw)
{
    struct chan_vfu *c = cu_of(ch);
    uint8_t region[ZV_CCW_CRW_REGION_SIZE];
    uint32_t word;
    int rc;

    efd_drain(c->efd[VFU_IRQ_CRW], &c->crw_irqs);
    if (!c->crw_irqs)
        return 0;
    rc = region_read(c, c->crw_idx, region, sizeof(region));
    if (rc < 0)
        return rc;
    word = zv_be32(region + ZV_CCW_CRW_CRW_OFF);
    if (!word) {
        c->crw_irqs = 0; /* the queue is empty: every report was read */
        return 0;
    }
    crw_decode(crw, region + ZV_CCW_CRW_CRW_OFF);
    return 1;
}

unsigned
guest_chan_vfu_requests(struct guest_chan *ch)
{
    struct chan_vfu *c = cu_of(ch);
    int64_t req = 0;

    efd_drain(c->efd[VFU_IRQ_REQ], &req);
    c->requests += (unsigned)req;
    return c->requests;
}

int
guest_chan_vfu_io_fd(const struct guest_chan *ch)
{
    return ((const struct chan_vfu *)ch)->efd[VFU_IRQ_IO];
}

int
guest_chan_vfu_crw_fd(const struct guest_chan *ch)
{
    return ((const struct chan_vfu *)ch)->efd[VFU_IRQ_CRW];
}

int
guest_chan_vfu_req_fd(const struct guest_chan *ch)
{
    return ((const struct chan_vfu *)ch)->efd[VFU_IRQ_REQ];
}

struct zv_vfu_client *
guest_chan_vfu_client(struct guest_chan *ch)
{
    return cu_of(ch)->c;
}

static void
chan_vfu_free(struct chan_vfu *c)
{
    /* Closing the connection makes the server close the device and drop
     * the mapping and its eventfd references; ours go after. */
    zv_vfu_client_close(c->c);
    zv_arena_free(c->ch.arena);
    zv_as_free(c->ch.mem);
    zv_loop_free(c->ch.loop);
    for (unsigned i = 0; i < VFU_IRQS; i++)
        if (c->efd[i] >= 0)
            close(c->efd[i]);
    if (c->memfd >= 0)
        close(c->memfd);
    free(c);
}

static void
chan_vfu_destroy(struct guest_chan *ch)
{
    chan_vfu_free(cu_of(ch));
}

static const struct guest_chan_ops chan_vfu_ops = {
    .ssch = chan_vfu_ssch,
    .hsch = chan_vfu_hsch,
    .csch = chan_vfu_csch,
    .stsch = chan_vfu_stsch,
    .enable = chan_vfu_enable,
    .wait_irb = chan_vfu_wait_irb,
    .destroy = chan_vfu_destroy,
};

/* Which capability region is index i?  Records it; unknown ones are
 * left alone (a newer server may have more). */
static int
chan_vfu_region(struct chan_vfu *c, unsigned i)
{
    uint8_t caps[VFU_CAPS_BUF];
    struct zv_vfu_region_info ri;
    uint32_t type, subtype;
    int rc = zv_vfu_client_region_info(c->c, i, &ri, caps, sizeof(caps));

    if (rc < 0)
        return rc;
    if (ri.cap_len > sizeof(caps) ||
        zv_vfu_caps_find_type(caps, ri.cap_len, &type, &subtype) < 0 ||
        type != ZV_VFIO_REGION_TYPE_CCW)
        return 0;
    if (subtype == ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD &&
        ri.size >= ZV_CCW_CMD_REGION_SIZE)
        c->async_idx = i;
    else if (subtype == ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB &&
             ri.size >= ZV_CCW_SCHIB_REGION_SIZE)
        c->schib_idx = i;
    else if (subtype == ZV_VFIO_REGION_SUBTYPE_CCW_CRW &&
             ri.size >= ZV_CCW_CRW_REGION_SIZE)
        c->crw_idx = i;
    return 0;
}

static int
chan_vfu_probe(struct chan_vfu *c)
{
    struct zv_vfu_device_info di;
    struct zv_vfu_region_info ri;
    int rc = zv_vfu_client_device_info(c->c, &di);

    if (rc < 0)
        return rc;
    if (!(di.flags & VFU_CCW_FLAG) || di.num_irqs < VFU_IRQS)
        return -ENODEV;
    rc = zv_vfu_client_region_info(c->c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, &ri,
                                   NULL, 0);
    if (rc < 0)
        return rc;
    if (ri.size < ZV_CCW_IO_REGION_SIZE)
        return -ENODEV;
    c->async_idx = c->schib_idx = c->crw_idx = VFU_REGION_UNSET;
    for (unsigned i = 1; i < di.num_regions && i < 64; i++) {
        rc = chan_vfu_region(c, i);
        if (rc < 0)
            return rc;
    }
    if (c->async_idx == VFU_REGION_UNSET || c->schib_idx == VFU_REGION_UNSET ||
        c->crw_idx == VFU_REGION_UNSET)
        return -ENODEV;
    return 0;
}

static int
chan_vfu_irqs(struct chan_vfu *c)
{
    for (unsigned i = 0; i < VFU_IRQS; i++) {
        int rc;

        c->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->efd[i] < 0)
            return -errno;
        rc = zv_vfu_client_set_irq_eventfd(c->c, i, c->efd[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * The arena allocates from anonymous memory it maps itself; the guest
 * memory must be the memfd the server maps.  Replace the arena's pages by
 * the memfd at the same address (MAP_FIXED over our own mapping): the
 * allocator keeps working on the same pointers, which now are shared
 * with the server.  zv_arena_free unmaps them as usual.
 */
static int
chan_vfu_memory(struct chan_vfu *c)
{
    void *host;

    c->ch.mem = zv_as_new("guest");
    if (!c->ch.mem)
        return -ENOMEM;
    c->ch.arena = zv_arena_new(c->ch.mem, c->mem_base, c->mem_size);
    if (!c->ch.arena)
        return -ENOMEM;
    host = zv_as_ptr(c->ch.mem, c->mem_base, c->mem_size, ZV_MEM_RW);
    c->memfd = zv_vfu_memfd_create("zvfio-guest", c->mem_size);
    if (!host || c->memfd < 0)
        return c->memfd < 0 ? c->memfd : -ENOMEM;
    if (mmap(host, c->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
             c->memfd, 0) == MAP_FAILED)
        return -errno;
    return zv_vfu_client_dma_map(c->c, c->memfd, 0, c->mem_base, c->mem_size,
                                 ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE);
}

int
guest_chan_vfu_new(struct zv_vfu_client *client, uint64_t mem_base,
                   uint64_t mem_size, struct guest_chan **out)
{
    struct chan_vfu *c;
    int rc;

    if (!client || !out || !mem_size || (mem_base | mem_size) & 4095 ||
        mem_base + mem_size > GUEST_MEM_LIMIT || mem_base + mem_size < mem_base)
        return zv_vfu_client_close(client), -EINVAL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return zv_vfu_client_close(client), -ENOMEM;
    c->c = client;
    c->memfd = -1;
    for (unsigned i = 0; i < VFU_IRQS; i++)
        c->efd[i] = -1;
    c->ch.ops = &chan_vfu_ops;
    c->mem_base = mem_base;
    c->mem_size = mem_size;
    /* The DASD library reads time from ch->loop (PGID stamps); no
     * callback ever runs on it. */
    c->ch.loop = zv_loop_new_real();
    rc = c->ch.loop ? chan_vfu_probe(c) : -ENOMEM;
    if (!rc)
        rc = chan_vfu_irqs(c);
    if (!rc)
        rc = chan_vfu_memory(c);
    if (rc) {
        chan_vfu_free(c);
        return rc;
    }
    *out = &c->ch;
    return 0;
}
