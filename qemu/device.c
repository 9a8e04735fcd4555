/* SPDX-License-Identifier: MIT */
/*
 * qemu/device: the VFIO ioctls QEMU 7.2 issues on the container, group
 * and device fds, and its pread/pwrite of the vfio-ccw regions, turned
 * into vfio-user requests.  Answers follow the kernel's (argsz checks,
 * -EINVAL/-ENOTTY/-EBUSY where vfio.c and vfio_iommu_type1.c give
 * them), because QEMU's error paths were written against those.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <linux/vfio_ccw.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch/schib.h"
#include "base/bytes.h"
#include "adapter_priv.h"
#include "zvfio/client.h"

#define ZQ_IOVA_PGSIZES 4096ull /* the server maps 4 KiB pages */
#define ZQ_EAGAIN_TRIES 1000    /* QEMU loops on EAGAIN: never for ever */
#define ZQ_MAX_XFER     (1u << 20)

/* vfio-user payloads are little-endian (docs/vfio-user.md) */
static uint16_t
le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static void
host16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void
host32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* --- device open (VFIO_GROUP_GET_DEVICE_FD) */

static enum zq_region_kind
region_kind(const struct zq_device *d, unsigned index, const uint8_t *caps,
            uint32_t cap_len)
{
    uint32_t type, sub;

    if (!(d->flags & VFIO_DEVICE_FLAGS_CCW))
        return ZQ_R_PLAIN;
    if (index == VFIO_CCW_CONFIG_REGION_INDEX)
        return ZQ_R_IO;
    if (zv_vfu_caps_find_type(caps, cap_len, &type, &sub) ||
        type != VFIO_REGION_TYPE_CCW)
        return ZQ_R_PLAIN;
    switch (sub) {
    case VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD:
        return ZQ_R_ASYNC;
    case VFIO_REGION_SUBTYPE_CCW_SCHIB:
        return ZQ_R_SCHIB;
    case VFIO_REGION_SUBTYPE_CCW_CRW:
        return ZQ_R_CRW;
    default:
        return ZQ_R_PLAIN;
    }
}

static const uint32_t zq_region_sizes[] = {
    [ZQ_R_IO] = ZQ_IO_REGION_SIZE,
    [ZQ_R_ASYNC] = ZQ_ASYNC_REGION_SIZE,
    [ZQ_R_SCHIB] = ZQ_SCHIB_REGION_SIZE,
    [ZQ_R_CRW] = ZQ_CRW_REGION_SIZE,
};

static int
device_query(struct zq_device *d)
{
    struct zv_vfu_device_info di;
    int rc = zv_vfu_client_device_info(d->client, &di);

    if (rc)
        return rc;
    if (di.num_regions > ZQ_MAX_REGIONS)
        return -EINVAL;
    d->flags = di.flags;
    d->num_regions = di.num_regions;
    d->num_irqs = di.num_irqs;
    for (unsigned i = 0; i < di.num_regions; i++) {
        struct zq_region *r = &d->regions[i];
        struct zv_vfu_region_info ri;

        rc = zv_vfu_client_region_info(d->client, i, &ri, r->caps,
                                       sizeof(r->caps));
        if (rc)
            return rc;
        r->flags = ri.flags;
        r->size = ri.size;
        /* a chain we cannot hold or parse is not passed on */
        r->cap_len = ri.cap_len <= sizeof(r->caps) ? ri.cap_len : 0;
        if (r->cap_len &&
            zv_vfu_caps_find_type(r->caps, r->cap_len, &(uint32_t){0},
                                  &(uint32_t){0}) == -EINVAL)
            r->cap_len = 0;
        r->kind = region_kind(d, i, r->caps, r->cap_len);
        if (r->kind != ZQ_R_PLAIN && r->size != zq_region_sizes[r->kind])
            return -EINVAL;
    }
    return 0;
}

int
zq_device_open(struct zq *q, struct zq_obj *g, const char *name)
{
    struct zq_obj *ct = zq_lookup(q, g->u.grp.container, ZQ_CONTAINER);
    struct zq_obj *o;
    struct zq_device *d;
    int rc;

    if (strcmp(name, g->u.grp.mdev) != 0)
        return -ENODEV;
    if (!ct || !ct->u.ct.iommu)
        return -EINVAL;
    if (g->u.grp.device >= 0)
        return -EBUSY;
    o = zq_obj_new(q, ZQ_DEVICE);
    if (!o)
        return -errno;
    d = &o->u.dev;
    d->group = g->fd;
    d->container = ct->fd;
    snprintf(d->mdev, sizeof(d->mdev), "%s", g->u.grp.mdev);
    rc = zv_vfu_client_connect(g->u.grp.sock, &d->client);
    if (rc) {
        fprintf(stderr,
                "zvfio-qemu: mdev %s: cannot connect to %s: %s (is the mdev "
                "started? zvfioctl mdev start -u %s)\n",
                name, g->u.grp.sock, strerror(-rc), name);
        d->client = NULL;
        goto fail;
    }
    rc = device_query(d);
    if (rc) {
        fprintf(stderr, "zvfio-qemu: mdev %s: device info: %s\n", name,
                strerror(-rc));
        goto fail;
    }
    /* the maps QEMU made before it asked for the device */
    for (size_t k = 0; k < ct->u.ct.nmaps; k++) {
        rc = zq_dma_forward(q, o, &ct->u.ct.maps[k]);
        if (rc)
            goto fail;
    }
    g->u.grp.device = o->fd;
    zq_trace(q, "device %s = fd %d: flags 0x%x, %u regions, %u irqs, %zu maps",
             name, o->fd, d->flags, d->num_regions, d->num_irqs,
             ct->u.ct.nmaps);
    return o->fd;
fail:
    zq_close(q, o->fd);
    return rc;
}

/* --- container */

static bool
container_has_group(const struct zq *q, int ct)
{
    for (int i = 0; i < ZQ_MAX_OBJS; i++)
        if (q->objs[i].kind == ZQ_GROUP && q->objs[i].u.grp.container == ct)
            return true;
    return false;
}

static int
iommu_get_info(struct zq_obj *ct, struct vfio_iommu_type1_info *info)
{
    if (info->argsz < offsetof(struct vfio_iommu_type1_info, cap_offset))
        return -EINVAL;
    if (!ct->u.ct.iommu)
        return -EINVAL;
    info->flags = VFIO_IOMMU_INFO_PGSIZES;
    info->iova_pgsizes = ZQ_IOVA_PGSIZES;
    /* no capabilities (QEMU then assumes 65535 mappings, as many as the
     * server allows) */
    if (info->argsz >= sizeof(*info))
        info->cap_offset = 0;
    return 0;
}

static int
container_ioctl(struct zq *q, struct zq_obj *ct, unsigned long req, void *arg)
{
    switch (req) {
    case VFIO_GET_API_VERSION:
        return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION:
        return (uintptr_t)arg == VFIO_TYPE1_IOMMU ||
               (uintptr_t)arg == VFIO_TYPE1v2_IOMMU;
    case VFIO_SET_IOMMU:
        if ((uintptr_t)arg != VFIO_TYPE1_IOMMU &&
            (uintptr_t)arg != VFIO_TYPE1v2_IOMMU)
            return -EINVAL;
        if (!container_has_group(q, ct->fd))
            return -EINVAL;
        if (ct->u.ct.iommu)
            return -EBUSY;
        ct->u.ct.iommu = true;
        return 0;
    case VFIO_IOMMU_GET_INFO:
        return iommu_get_info(ct, arg);
    case VFIO_IOMMU_MAP_DMA:
        return zq_dma_map(q, ct, arg);
    case VFIO_IOMMU_UNMAP_DMA:
        return zq_dma_unmap(q, ct, arg);
    default:
        return -ENOTTY;
    }
}

/* --- group */

static int
group_set_container(struct zq *q, struct zq_obj *g, const int *fdp)
{
    struct zq_obj *ct = zq_lookup(q, *fdp, ZQ_CONTAINER);

    if (!ct)
        return -EINVAL;
    if (g->u.grp.container >= 0)
        return -EINVAL;
    g->u.grp.container = ct->fd;
    return 0;
}

static int
group_unset_container(struct zq *q, struct zq_obj *g)
{
    struct zq_obj *ct = zq_lookup(q, g->u.grp.container, ZQ_CONTAINER);

    if (g->u.grp.container < 0)
        return -EINVAL;
    if (g->u.grp.device >= 0)
        return -EBUSY;
    g->u.grp.container = -1;
    /* the last group out takes the IOMMU and its mappings with it */
    if (ct && !container_has_group(q, ct->fd)) {
        for (size_t k = 0; k < ct->u.ct.nmaps; k++)
            zq_map_release(&ct->u.ct.maps[k]);
        ct->u.ct.nmaps = 0;
        ct->u.ct.iommu = false;
    }
    return 0;
}

static int
group_ioctl(struct zq *q, struct zq_obj *g, unsigned long req, void *arg)
{
    struct vfio_group_status *st = arg;

    switch (req) {
    case VFIO_GROUP_GET_STATUS:
        if (st->argsz < sizeof(*st))
            return -EINVAL;
        st->flags =
            VFIO_GROUP_FLAGS_VIABLE |
            (g->u.grp.container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
        return 0;
    case VFIO_GROUP_SET_CONTAINER:
        return group_set_container(q, g, arg);
    case VFIO_GROUP_UNSET_CONTAINER:
        return group_unset_container(q, g);
    case VFIO_GROUP_GET_DEVICE_FD:
        return zq_device_open(q, g, arg);
    default:
        return -ENOTTY;
    }
}

/* --- device */

/* The capability chain from the wire (little-endian) into host order at
 * the same offsets: headers, and the type capability's type/subtype. */
static void
caps_to_host(uint8_t *out, const uint8_t *caps, uint32_t cap_len)
{
    uint32_t pos = sizeof(struct vfio_region_info);

    memcpy(out, caps, cap_len);
    for (int n = 0; n < 16 && pos; n++) {
        uint32_t at = pos - (uint32_t)sizeof(struct vfio_region_info);
        const uint8_t *c = caps + at;
        uint16_t id;

        if (pos < sizeof(struct vfio_region_info) || at + 8 > cap_len)
            return;
        id = le16(c);
        host16(out + at, id);
        host16(out + at + 2, le16(c + 2));
        host32(out + at + 4, le32(c + 4));
        if (id == VFIO_REGION_INFO_CAP_TYPE && at + 16 <= cap_len) {
            host32(out + at + 8, le32(c + 8));
            host32(out + at + 12, le32(c + 12));
        }
        pos = le32(c + 4);
    }
}

static int
get_region_info(struct zq_device *d, struct vfio_region_info *ri)
{
    const struct zq_region *r;

    if (ri->argsz < sizeof(*ri) || ri->index >= d->num_regions)
        return -EINVAL;
    r = &d->regions[ri->index];
    ri->flags = r->flags & ~VFIO_REGION_INFO_FLAG_CAPS;
    ri->size = r->size;
    ri->offset = ZQ_REGION_OFF(ri->index);
    ri->cap_offset = 0;
    if (!r->cap_len)
        return 0;
    ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
    if (ri->argsz < sizeof(*ri) + r->cap_len) {
        /* too small: say how much, QEMU retries */
        ri->argsz = (uint32_t)(sizeof(*ri) + r->cap_len);
        return 0;
    }
    caps_to_host((uint8_t *)(ri + 1), r->caps, r->cap_len);
    ri->cap_offset = sizeof(*ri);
    return 0;
}

static int
get_irq_info(struct zq_device *d, struct vfio_irq_info *ii)
{
    struct zv_vfu_irq_info info;
    int rc;

    if (ii->argsz < sizeof(*ii))
        return -EINVAL;
    rc = zv_vfu_client_irq_info(d->client, ii->index, &info);
    if (rc)
        return rc;
    ii->flags = info.flags;
    ii->count = info.count;
    return 0;
}

/*
 * Errors as QEMU's switch statements expect them: the transport gone
 * means the device is gone (ENODEV: cc 3); EAGAIN, which QEMU retries in
 * a tight loop, is retried here a bounded number of times and then
 * reported as EBUSY (cc 2).
 */
static ssize_t
for_qemu(ssize_t rc)
{
    switch (rc) {
    case -ENOTCONN:
    case -EPIPE:
    case -ECONNRESET:
    case -ETIMEDOUT:
    case -EPROTO:
        return -ENODEV;
    case -EAGAIN:
        return -EBUSY;
    default:
        return rc;
    }
}

/*
 * Take a trigger down: DATA_NONE with count 0, or (as QEMU does it) one
 * eventfd of -1.  On a device whose server is gone nothing can signal the
 * eventfd any more, so there is nothing left to undo and it succeeds
 * (QEMU unplugging a lost device would otherwise log a failure per IRQ).
 */
static int
irq_teardown(struct zq_device *d, unsigned index)
{
    int rc = (int)for_qemu(zv_vfu_client_set_irq_eventfd(d->client, index, -1));

    return rc == -ENODEV ? 0 : rc;
}

static int
set_irqs(struct zq_device *d, const struct vfio_irq_set *s)
{
    uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    int32_t fd;

    if (s->argsz < sizeof(*s) || action != VFIO_IRQ_SET_ACTION_TRIGGER ||
        s->start != 0)
        return -EINVAL;
    if (data == VFIO_IRQ_SET_DATA_NONE && s->count == 0)
        return irq_teardown(d, s->index);
    if (data != VFIO_IRQ_SET_DATA_EVENTFD || s->count != 1 ||
        s->argsz < sizeof(*s) + sizeof(fd))
        return -EINVAL;
    memcpy(&fd, s->data, sizeof(fd));
    if (fd == -1)
        return irq_teardown(d, s->index);
    return (int)for_qemu(
        zv_vfu_client_set_irq_eventfd(d->client, s->index, fd));
}

static int
device_ioctl(struct zq *q, struct zq_device *d, unsigned long req, void *arg)
{
    struct vfio_device_info *di = arg;

    if (!d->client)
        return -ENODEV;
    switch (req) {
    case VFIO_DEVICE_GET_INFO:
        if (di->argsz < offsetof(struct vfio_device_info, cap_offset))
            return -EINVAL;
        di->flags = d->flags & ~VFIO_DEVICE_FLAGS_CAPS;
        di->num_regions = d->num_regions;
        di->num_irqs = d->num_irqs;
        if (di->argsz >= sizeof(*di))
            di->cap_offset = 0;
        return 0;
    case VFIO_DEVICE_GET_REGION_INFO:
        return get_region_info(d, arg);
    case VFIO_DEVICE_GET_IRQ_INFO:
        return get_irq_info(d, arg);
    case VFIO_DEVICE_SET_IRQS:
        return set_irqs(d, arg);
    case VFIO_DEVICE_RESET:
        zq_trace(q, "reset %s", d->mdev);
        return zv_vfu_client_reset(d->client);
    default:
        return -ENOTTY;
    }
}

int
zq_ioctl(struct zq *q, int fd, unsigned long req, void *arg)
{
    struct zq_obj *o = zq_lookup(q, fd, ZQ_FREE);
    int rc;

    if (!o)
        return -EBADF;
    /* every request but the two integer ones carries a struct */
    if (!arg && req != VFIO_GET_API_VERSION && req != VFIO_CHECK_EXTENSION &&
        req != VFIO_SET_IOMMU && req != VFIO_GROUP_UNSET_CONTAINER &&
        req != VFIO_DEVICE_RESET)
        return -EFAULT;
    switch (o->kind) {
    case ZQ_CONTAINER:
        rc = container_ioctl(q, o, req, arg);
        break;
    case ZQ_GROUP:
        rc = group_ioctl(q, o, req, arg);
        break;
    case ZQ_DEVICE:
        rc = device_ioctl(q, &o->u.dev, req, arg);
        break;
    default:
        rc = -EBADF;
    }
    zq_trace(q, "ioctl fd %d req 0x%lx = %d", fd, req, rc);
    return rc;
}

/* --- region I/O */

static ssize_t
region_rw(struct zq_device *d, unsigned index, uint64_t off, void *buf,
          size_t len, bool write)
{
    ssize_t rc = -EAGAIN;

    for (int i = 0; i < ZQ_EAGAIN_TRIES && rc == -EAGAIN; i++) {
        if (i) {
            struct timespec ts = {0, 100000};

            nanosleep(&ts, NULL);
        }
        rc = write ? zv_vfu_client_region_write(d->client, index, off, buf, len)
                   : zv_vfu_client_region_read(d->client, index, off, buf, len);
    }
    return for_qemu(rc);
}

static struct zq_region *
region_at(struct zq_device *d, uint64_t off, size_t len, unsigned *index,
          uint64_t *roff)
{
    struct zq_region *r;

    *index = (unsigned)(off >> ZQ_REGION_SHIFT);
    *roff = off & (ZQ_REGION_OFF(1) - 1);
    if (*index >= d->num_regions || len > ZQ_MAX_XFER)
        return NULL;
    r = &d->regions[*index];
    if (*roff > r->size || len > r->size - *roff)
        return NULL;
    /* the converted blocks are accessed whole, as QEMU does */
    if (r->kind != ZQ_R_PLAIN && (*roff || len != r->size))
        return NULL;
    return r;
}

struct walk_ctx {
    struct zq_obj *ct;
    struct zq_ranges *note;
};

static int
walk_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    struct walk_ctx *w = opaque;

    return zq_guest_read(w->ct, addr, buf, len);
}

static void
walk_range(void *opaque, uint64_t addr, uint64_t len)
{
    struct walk_ctx *w = opaque;

    zq_ranges_add(w->note, addr, len);
}

/* Note the program's input areas (guest addresses) in note. */
static void
cp_walk(struct zq *q, struct zq_device *d, const struct orb *orb,
        struct zq_ranges *note)
{
    struct walk_ctx w = {zq_lookup(q, d->container, ZQ_CONTAINER), note};
    struct zq_cp_ops ops = {walk_read, walk_range, &w};

    if (w.ct)
        zq_cp_walk(orb, &ops);
}

/*
 * TCG coherence (docs/qemu.md): an IRB with status pending for a start
 * function we saw: the program's input areas, as it stood at SSCH and as
 * it stands now, are reported to QEMU before it presents the interrupt.
 * The start function is over once primary status arrives (or it was
 * cleared).
 */
static void
io_irb_read(struct zq *q, struct zq_device *d, const uint8_t *region,
            uint64_t t0)
{
    uint16_t ctrl = zv_be16(region + ZQ_IO_IRB_OFF + 2);
    unsigned fctl = (ctrl >> 12) & 7, stctl = ctrl & 0x1f;
    struct zq_obj *ct = zq_lookup(q, d->container, ZQ_CONTAINER);
    struct zq_ranges all;

    if (!d->live || !(stctl & SCSW_STCTL_PENDING) || !ct)
        return;
    /* the areas noted at SSCH, merged with the program as it is now */
    memcpy(&all, &d->start.in, sizeof(all));
    cp_walk(q, d, &d->start.orb, &all);
    for (unsigned i = 0; i < all.n; i++)
        zq_guest_written(q, ct, all.r[i].addr, all.r[i].len);
    if ((stctl & SCSW_STCTL_PRIMARY) || !(fctl & SCSW_FCTL_START)) {
        d->live = false;
        zq_stats_note(q, ZQ_ST_SSCH_TO_IRB, t0 - d->ssch_ns);
    }
    if (q->stats)
        zq_stats_note(q, ZQ_ST_COHERENCE, zq_now_ns() - t0);
}

/* A start function about to be sent: note its program's input areas
 * before the server can store over them.  false: not a start. */
static bool
io_ssch_note(struct zq *q, struct zq_device *d, const uint8_t *region,
             struct zq_start *st)
{
    uint16_t ctrl = zv_be16(region + ZQ_IO_SCSW_OFF + 2);

    if (!((ctrl >> 12) & SCSW_FCTL_START))
        return false;
    orb_decode(&st->orb, region + ZQ_IO_ORB_OFF, ORB_SIZE);
    st->in.n = 0;
    cp_walk(q, d, &st->orb, &st->in);
    return true;
}

/* what a region access is timed as */
static const enum zq_stat_op read_op[] = {
    [ZQ_R_PLAIN] = ZQ_ST_PLAIN, [ZQ_R_IO] = ZQ_ST_IRB,
    [ZQ_R_ASYNC] = ZQ_ST_PLAIN, [ZQ_R_SCHIB] = ZQ_ST_SCHIB,
    [ZQ_R_CRW] = ZQ_ST_CRW,
};

static void
zq_stats_since(struct zq *q, enum zq_stat_op op, uint64_t t0)
{
    if (q->stats)
        zq_stats_note(q, op, zq_now_ns() - t0);
}

ssize_t
zq_pread(struct zq *q, int fd, void *buf, size_t len, off_t off)
{
    struct zq_obj *o = zq_lookup(q, fd, ZQ_DEVICE);
    struct zq_device *d = o ? &o->u.dev : NULL;
    uint8_t blk[ZQ_IO_REGION_SIZE];
    struct zq_region *r;
    unsigned index;
    uint64_t roff, t0;
    ssize_t n;

    if (!d || off < 0)
        return -EINVAL;
    if (!d->client)
        return -ENODEV;
    r = region_at(d, (uint64_t)off, len, &index, &roff);
    if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_READ))
        return -EINVAL;
    t0 = q->stats ? zq_now_ns() : 0;
    if (r->kind == ZQ_R_PLAIN) {
        n = region_rw(d, index, roff, buf, len, false);
        zq_stats_since(q, ZQ_ST_PLAIN, t0);
        return n;
    }
    n = region_rw(d, index, 0, blk, len, false);
    zq_stats_since(q, read_op[r->kind], t0);
    if (n != (ssize_t)len)
        return n;
    switch (r->kind) {
    case ZQ_R_IO:
        io_irb_read(q, d, blk, q->stats ? zq_now_ns() : 0);
        break;
    case ZQ_R_SCHIB:
        zq_swap_schib_read(blk);
        break;
    case ZQ_R_CRW:
        zq_swap_crw_read(blk);
        break;
    default:
        break;
    }
    memcpy(buf, blk, len);
    return n;
}

ssize_t
zq_pwrite(struct zq *q, int fd, const void *buf, size_t len, off_t off)
{
    struct zq_obj *o = zq_lookup(q, fd, ZQ_DEVICE);
    struct zq_device *d = o ? &o->u.dev : NULL;
    uint8_t blk[ZQ_IO_REGION_SIZE];
    struct zq_start st;
    struct zq_region *r;
    bool start = false;
    unsigned index;
    uint64_t roff, t0;
    ssize_t n;

    if (!d || off < 0)
        return -EINVAL;
    if (!d->client)
        return -ENODEV;
    r = region_at(d, (uint64_t)off, len, &index, &roff);
    if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_WRITE))
        return -EINVAL;
    if (r->kind == ZQ_R_PLAIN)
        return region_rw(d, index, roff, (void *)(uintptr_t)buf, len, true);
    memcpy(blk, buf, len);
    if (r->kind == ZQ_R_IO) {
        zq_swap_io_write(blk);
        start = io_ssch_note(q, d, blk, &st);
    } else if (r->kind == ZQ_R_ASYNC) {
        zq_swap_async_write(blk);
    }
    t0 = q->stats ? zq_now_ns() : 0;
    n = region_rw(d, index, 0, blk, len, true);
    zq_stats_since(q,
                   r->kind == ZQ_R_ASYNC ? ZQ_ST_ASYNC
                   : start               ? ZQ_ST_SSCH
                                         : ZQ_ST_IO_WRITE,
                   t0);
    /* only an accepted start (cc 0) runs; a refused one (cc 2: the last
     * one still runs) changes nothing */
    if (start && n == (ssize_t)len) {
        d->start = st;
        d->live = true;
        d->ssch_ns = q->stats ? zq_now_ns() : 0;
    }
    return n;
}
