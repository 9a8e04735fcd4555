/* SPDX-License-Identifier: MIT */
/*
 * vfio/vdev: regions, IRQs, DMA and the reference-counted lifetime of a
 * mediated device.  See vdev.h.
 */
#include "vfio/vdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VDEV_MAX_REGIONS 16
#define VDEV_PAGE        4096u

struct vdev_region {
    bool present;
    uint64_t size;
    uint32_t flags;
    uint8_t *cap;
    size_t cap_len;
};

struct vdev_irq {
    uint32_t count;
    uint32_t flags;
    int fd; /* eventfd trigger (our own descriptor), -1 when none */
    zv_vdev_irq_fn fn;
    void *arg;
};

struct zv_vdev {
    unsigned refs;
    const struct zv_vdev_ops *ops;
    void *drvdata;
    const char *api;
    uint32_t flags;
    bool open;
    bool removed;
    unsigned requests;
    uint64_t signals; /* zv_vdev_signal calls that told someone */
    struct zv_as *iova;
    struct vdev_region region[VDEV_MAX_REGIONS];
    unsigned num_irqs;
    struct vdev_irq *irq;
};

static void
put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

void
zv_vdev_cap_type(uint8_t out[ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE], uint32_t type,
                 uint32_t subtype)
{
    put_le16(out, ZV_VFIO_REGION_INFO_CAP_TYPE);
    put_le16(out + 2, ZV_VFIO_REGION_INFO_CAP_TYPE_V);
    put_le32(out + 4, 0); /* next: end of chain */
    put_le32(out + 8, type);
    put_le32(out + 12, subtype);
}

struct zv_vdev *
zv_vdev_new(const struct zv_vdev_desc *desc, const struct zv_vdev_ops *ops,
            void *drvdata)
{
    struct zv_vdev *vd = calloc(1, sizeof(*vd));

    if (!vd)
        return NULL;
    vd->irq = calloc(desc->num_irqs ? desc->num_irqs : 1, sizeof(*vd->irq));
    if (!vd->irq)
        goto err_free_vd;
    vd->iova = zv_as_new("iova");
    if (!vd->iova)
        goto err_free_irq;
    for (unsigned i = 0; i < desc->num_irqs; i++)
        vd->irq[i].fd = -1;
    vd->refs = 1;
    vd->ops = ops;
    vd->drvdata = drvdata;
    vd->api = desc->api;
    vd->flags = desc->flags;
    vd->num_irqs = desc->num_irqs;
    return vd;

err_free_irq:
    free(vd->irq);
err_free_vd:
    free(vd);
    return NULL;
}

void
zv_vdev_get(struct zv_vdev *vd)
{
    vd->refs++;
}

static void
vdev_irq_drop_fd(struct vdev_irq *irq)
{
    if (irq->fd >= 0)
        close(irq->fd);
    irq->fd = -1;
}

static void
vdev_free(struct zv_vdev *vd)
{
    for (unsigned i = 0; i < vd->num_irqs; i++)
        vdev_irq_drop_fd(&vd->irq[i]);
    for (unsigned i = 0; i < VDEV_MAX_REGIONS; i++)
        free(vd->region[i].cap);
    zv_as_free(vd->iova);
    free(vd->irq);
    free(vd);
}

void
zv_vdev_put(struct zv_vdev *vd)
{
    if (!vd || --vd->refs)
        return;
    if (vd->open && !vd->removed && vd->ops->close)
        vd->ops->close(vd);
    if (vd->ops->release)
        vd->ops->release(vd);
    vdev_free(vd);
}

void *
zv_vdev_drvdata(const struct zv_vdev *vd)
{
    return vd->drvdata;
}

const char *
zv_vdev_api(const struct zv_vdev *vd)
{
    return vd->api;
}

bool
zv_vdev_has_ops(const struct zv_vdev *vd, const struct zv_vdev_ops *ops)
{
    return vd->ops == ops;
}

struct zv_as *
zv_vdev_iova(const struct zv_vdev *vd)
{
    return vd->iova;
}

bool
zv_vdev_is_open(const struct zv_vdev *vd)
{
    return vd->open;
}

bool
zv_vdev_is_removed(const struct zv_vdev *vd)
{
    return vd->removed;
}

int
zv_vdev_add_region(struct zv_vdev *vd, unsigned index, uint64_t size,
                   uint32_t flags, const void *cap, size_t cap_len)
{
    struct vdev_region *r;

    if (index >= VDEV_MAX_REGIONS || size == 0 || (cap_len && !cap))
        return -EINVAL;
    r = &vd->region[index];
    if (r->present)
        return -EEXIST;
    if (cap_len) {
        r->cap = malloc(cap_len);
        if (!r->cap)
            return -ENOMEM;
        memcpy(r->cap, cap, cap_len);
        flags |= ZV_VFIO_REGION_INFO_FLAG_CAPS;
    }
    r->present = true;
    r->size = size;
    r->flags = flags;
    r->cap_len = cap_len;
    return 0;
}

void
zv_vdev_del_region(struct zv_vdev *vd, unsigned index)
{
    if (index >= VDEV_MAX_REGIONS)
        return;
    free(vd->region[index].cap);
    memset(&vd->region[index], 0, sizeof(vd->region[index]));
}

int
zv_vdev_set_irq_info(struct zv_vdev *vd, unsigned index, uint32_t count,
                     uint32_t flags)
{
    if (index >= vd->num_irqs || count > 1)
        return -EINVAL;
    vd->irq[index].count = count;
    vd->irq[index].flags = flags;
    return 0;
}

bool
zv_vdev_signal(struct zv_vdev *vd, unsigned index)
{
    struct vdev_irq *irq;
    bool told = false;

    if (index >= vd->num_irqs)
        return false;
    irq = &vd->irq[index];
    if (irq->fd >= 0) {
        uint64_t one = 1;
        /* A full eventfd counter (EAGAIN) still means "signalled". */
        told =
            write(irq->fd, &one, sizeof(one)) == sizeof(one) || errno == EAGAIN;
    }
    if (irq->fn) {
        irq->fn(irq->arg, vd, index);
        told = true;
    }
    vd->signals += told;
    return told;
}

uint64_t
zv_vdev_signals(const struct zv_vdev *vd)
{
    return vd->signals;
}

void
zv_vdev_unregister(struct zv_vdev *vd)
{
    if (vd->removed)
        return;
    if (vd->open && vd->ops->request)
        vd->ops->request(vd, vd->requests++);
    /* Close on the driver's behalf: the user's later close finds the
     * device already quiesced and only drops its reference. */
    if (vd->open && vd->ops->close)
        vd->ops->close(vd);
    if (vd->ops->remove)
        vd->ops->remove(vd);
    vd->removed = true;
}

int
zv_vdev_open(struct zv_vdev *vd)
{
    int rc;

    if (vd->removed)
        return -ENODEV;
    if (vd->open)
        return -EBUSY;
    rc = vd->ops->open ? vd->ops->open(vd) : 0;
    if (rc == 0)
        vd->open = true;
    return rc;
}

static void
vdev_drop_triggers(struct zv_vdev *vd)
{
    for (unsigned i = 0; i < vd->num_irqs; i++) {
        vdev_irq_drop_fd(&vd->irq[i]);
        vd->irq[i].fn = NULL;
        vd->irq[i].arg = NULL;
    }
}

void
zv_vdev_close(struct zv_vdev *vd)
{
    if (!vd->open)
        return;
    if (!vd->removed && vd->ops->close)
        vd->ops->close(vd);
    vd->open = false;
    vdev_drop_triggers(vd);
}

int
zv_vdev_reset(struct zv_vdev *vd)
{
    if (vd->removed)
        return -ENODEV;
    if (!vd->open)
        return -EBADF;
    if (!vd->ops->reset)
        return -ENOTTY;
    return vd->ops->reset(vd);
}

void
zv_vdev_get_info(const struct zv_vdev *vd, struct zv_vdev_info *info)
{
    unsigned n = 0;

    for (unsigned i = 0; i < VDEV_MAX_REGIONS; i++)
        if (vd->region[i].present)
            n = i + 1;
    info->flags = vd->flags;
    info->num_regions = n;
    info->num_irqs = vd->num_irqs;
}

int
zv_vdev_get_region_info(const struct zv_vdev *vd, unsigned index,
                        struct zv_vdev_region_info *info, void *cap,
                        size_t cap_max)
{
    const struct vdev_region *r;

    if (index >= VDEV_MAX_REGIONS || !vd->region[index].present)
        return -EINVAL;
    r = &vd->region[index];
    info->index = index;
    info->flags = r->flags;
    info->size = r->size;
    info->cap_len = (uint32_t)r->cap_len;
    if (cap && r->cap_len)
        memcpy(cap, r->cap, r->cap_len < cap_max ? r->cap_len : cap_max);
    return 0;
}

int
zv_vdev_get_irq_info(const struct zv_vdev *vd, unsigned index,
                     struct zv_vdev_irq_info *info)
{
    if (index >= vd->num_irqs)
        return -EINVAL;
    info->index = index;
    info->flags = vd->irq[index].flags;
    info->count = vd->irq[index].count;
    return 0;
}

bool
zv_vdev_fd_is_eventfd(int fd)
{
    char path[40], target[32];
    ssize_t n;

    /* The kernel names the anonymous inode of every eventfd so; nothing
     * else (a pipe, a file, a socket, a timerfd) carries that name. */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, target, sizeof(target) - 1);
    if (n < 0)
        return false;
    target[n] = '\0';
    return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/*
 * The trigger is a descriptor of our own (like the kernel's eventfd_ctx
 * reference): the caller's fd may be closed or reused for anything else
 * the moment this returns.  -EBADF for a closed fd, -EINVAL for one that
 * is not an eventfd.
 */
static int
vdev_set_eventfd(struct vdev_irq *irq, unsigned count, const void *data)
{
    int32_t fd;
    int own;

    if (count != 1 || !data)
        return -EINVAL;
    memcpy(&fd, data, sizeof(fd));
    if (fd < -1)
        return -EINVAL;
    if (fd == -1) {
        vdev_irq_drop_fd(irq);
        return 0;
    }
    if (fcntl(fd, F_GETFD) < 0)
        return -EBADF;
    if (!zv_vdev_fd_is_eventfd(fd))
        return -EINVAL;
    /* dup + FD_CLOEXEC, not F_DUPFD_CLOEXEC: qemu-user (our big-endian
     * test bed) carries its eventfd byte-order translation over dup()
     * but not over fcntl(), and the trigger would write a swapped count. */
    own = dup(fd);
    if (own < 0)
        return -errno;
    if (fcntl(own, F_SETFD, FD_CLOEXEC) < 0) {
        int err = -errno;

        close(own);
        return err;
    }
    vdev_irq_drop_fd(irq);
    irq->fd = own;
    return 0;
}

int
zv_vdev_set_irqs(struct zv_vdev *vd, uint32_t flags, unsigned index,
                 unsigned start, unsigned count, const void *data)
{
    uint32_t dtype = flags & ZV_VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t action = flags & ZV_VFIO_IRQ_SET_ACTION_TYPE_MASK;
    struct vdev_irq *irq;

    if (vd->removed)
        return -ENODEV;
    if (!vd->open)
        return -EBADF;
    if (index >= vd->num_irqs || action != ZV_VFIO_IRQ_SET_ACTION_TRIGGER ||
        (dtype & (dtype - 1)) || !dtype || start != 0)
        return -EINVAL;
    irq = &vd->irq[index];
    if (count == 0 && dtype == ZV_VFIO_IRQ_SET_DATA_NONE) {
        /* VFIO: count 0 + DATA_NONE + TRIGGER tears the trigger down. */
        vdev_irq_drop_fd(irq);
        return 0;
    }
    if (count == 0 || count > irq->count)
        return -EINVAL;
    switch (dtype) {
    case ZV_VFIO_IRQ_SET_DATA_EVENTFD:
        return vdev_set_eventfd(irq, count, data);
    case ZV_VFIO_IRQ_SET_DATA_BOOL:
        if (!data || !*(const uint8_t *)data)
            return 0;
        zv_vdev_signal(vd, index);
        return 0;
    default:
        zv_vdev_signal(vd, index);
        return 0;
    }
}

int
zv_vdev_set_irq_callback(struct zv_vdev *vd, unsigned index, zv_vdev_irq_fn fn,
                         void *arg)
{
    if (index >= vd->num_irqs)
        return -EINVAL;
    vd->irq[index].fn = fn;
    vd->irq[index].arg = arg;
    return 0;
}

static int
vdev_check_access(const struct zv_vdev *vd, unsigned index, uint64_t off,
                  size_t len, uint32_t need)
{
    const struct vdev_region *r;

    if (vd->removed)
        return -ENODEV;
    if (!vd->open)
        return -EBADF;
    if (index >= VDEV_MAX_REGIONS || !vd->region[index].present)
        return -EINVAL;
    r = &vd->region[index];
    if (!(r->flags & need) || len == 0 || off >= r->size || len > r->size - off)
        return -EINVAL;
    return 0;
}

ssize_t
zv_vdev_region_read(struct zv_vdev *vd, unsigned index, uint64_t off, void *buf,
                    size_t len)
{
    int rc =
        vdev_check_access(vd, index, off, len, ZV_VFIO_REGION_INFO_FLAG_READ);

    if (rc)
        return rc;
    return vd->ops->region_read(vd, index, off, buf, len);
}

ssize_t
zv_vdev_region_write(struct zv_vdev *vd, unsigned index, uint64_t off,
                     const void *buf, size_t len)
{
    int rc =
        vdev_check_access(vd, index, off, len, ZV_VFIO_REGION_INFO_FLAG_WRITE);

    if (rc)
        return rc;
    return vd->ops->region_write(vd, index, off, buf, len);
}

int
zv_vdev_dma_map(struct zv_vdev *vd, uint64_t iova, uint64_t len, void *host,
                unsigned prot)
{
    int rc;

    if (vd->removed)
        return -ENODEV;
    if (!host || !len || (iova | len) % VDEV_PAGE || !(prot & ZV_MEM_RW))
        return -EINVAL;
    /* The kernel's type1 IOMMU answers -ENOSPC past dma_entry_limit. */
    if (zv_as_count(vd->iova) >= ZV_VDEV_MAX_DMA_MAPS)
        return -ENOSPC;
    rc = zv_as_map(vd->iova, iova, len, host, prot);
    if (rc)
        return rc;
    if (vd->ops->dma_map) {
        rc = vd->ops->dma_map(vd, iova, len, host, prot);
        if (rc)
            zv_as_unmap(vd->iova, iova, len);
    }
    return rc;
}

int
zv_vdev_dma_unmap(struct zv_vdev *vd, uint64_t iova, uint64_t len)
{
    if (!len || (iova | len) % VDEV_PAGE)
        return -EINVAL;
    if (!vd->removed && vd->ops->dma_unmap)
        vd->ops->dma_unmap(vd, iova, len);
    return zv_as_unmap(vd->iova, iova, len);
}
