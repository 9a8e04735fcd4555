/* SPDX-License-Identifier: MIT */
/*
 * qemu/vfio: the container, group and device fds of the kernel VFIO
 * UAPI, as QEMU 7.2's hw/vfio/common.c and ccw.c use them
 * (shared/reference/qemu-adapter.md §2.2, §2.3), served by one vfio-user
 * connection per device.
 *
 * Every fd we hand out is a real descriptor we own (an eventfd nobody
 * signals), so QEMU's fd numbers cannot collide with anything else.
 * Guest RAM arrives as VFIO_IOMMU_MAP_DMA on the container before any
 * device is opened: the container records it and replays it into each
 * device as it connects.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <linux/vfio_ccw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/bytes.h"
#include "adapter_priv.h"
#include "zvfio/client.h"

static int
own_fd(void)
{
    int fd = eventfd(0, EFD_CLOEXEC);

    return fd < 0 ? -errno : fd;
}

struct zq *
zq_new(const char *root, const struct zq_hooks *hooks)
{
    struct zq *q = calloc(1, sizeof(*q));

    if (!q)
        return NULL;
    q->root = strdup(root);
    if (!q->root) {
        free(q);
        return NULL;
    }
    if (hooks)
        q->hooks = *hooks;
    return q;
}

void
zq_set_trace(struct zq *q, bool on)
{
    q->trace = on;
}

void
zq_free(struct zq *q)
{
    if (!q)
        return;
    for (int i = 0; i < ZQ_MAX_OBJS; i++)
        if (q->objs[i].kind != ZQ_FREE)
            zq_close(q, q->objs[i].fd);
    zq_stats_free(q);
    free(q->root);
    free(q);
}

struct zq_obj *
zq_lookup(const struct zq *q, int fd, enum zq_kind kind)
{
    if (fd < 0)
        return NULL;
    for (int i = 0; i < ZQ_MAX_OBJS; i++) {
        const struct zq_obj *o = &q->objs[i];

        if (o->kind != ZQ_FREE && o->fd == fd &&
            (kind == ZQ_FREE || o->kind == kind))
            return (struct zq_obj *)o;
    }
    return NULL;
}

bool
zq_owns(const struct zq *q, int fd)
{
    return zq_lookup(q, fd, ZQ_FREE) != NULL;
}

struct zq_obj *
zq_obj_new(struct zq *q, enum zq_kind kind)
{
    for (int i = 0; i < ZQ_MAX_OBJS; i++) {
        struct zq_obj *o = &q->objs[i];

        if (o->kind != ZQ_FREE)
            continue;
        memset(o, 0, sizeof(*o));
        o->fd = own_fd();
        if (o->fd < 0)
            return NULL;
        o->kind = kind;
        return o;
    }
    errno = EMFILE;
    return NULL;
}

/* /dev/vfio/<N>: <root>/groups/<N> must lead to an mdev directory with
 * the vfio-user socket link in it. */
static int
open_group(struct zq *q, const char *num)
{
    char link[PATH_MAX], dir[PATH_MAX], *real;
    struct zq_obj *o;
    const char *base;
    int n;

    for (const char *p = num; *p; p++)
        if (*p < '0' || *p > '9' || p - num > 8)
            return -ENOENT;
    if (!*num)
        return -ENOENT;
    n = snprintf(link, sizeof(link), "%s/groups/%s", q->root, num);
    if (n < 0 || (size_t)n >= sizeof(link) || !(real = realpath(link, dir)))
        return -ENOENT;
    for (int i = 0; i < ZQ_MAX_OBJS; i++)
        if (q->objs[i].kind == ZQ_GROUP && q->objs[i].u.grp.num == atoi(num))
            return -EBUSY; /* the kernel allows one open per group */
    base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    if (!*base || strlen(base) >= sizeof(o->u.grp.mdev))
        return -ENOENT;
    o = zq_obj_new(q, ZQ_GROUP);
    if (!o)
        return -errno;
    o->u.grp.num = atoi(num);
    snprintf(o->u.grp.mdev, sizeof(o->u.grp.mdev), "%s", base);
    n = snprintf(o->u.grp.sock, sizeof(o->u.grp.sock), "%s/vfio-user", dir);
    if (n < 0 || (size_t)n >= sizeof(o->u.grp.sock)) {
        zq_close(q, o->fd);
        return -ENAMETOOLONG;
    }
    o->u.grp.container = -1;
    o->u.grp.device = -1;
    zq_trace(q, "open group %d (mdev %s) = fd %d", o->u.grp.num, o->u.grp.mdev,
             o->fd);
    return o->fd;
}

int
zq_open(struct zq *q, const char *path)
{
    static const char dev[] = "/dev/vfio/";
    struct zq_obj *o;

    if (!path || strncmp(path, dev, sizeof(dev) - 1) != 0)
        return 1;
    path += sizeof(dev) - 1;
    if (strcmp(path, "vfio") != 0)
        return open_group(q, path);
    o = zq_obj_new(q, ZQ_CONTAINER);
    if (!o)
        return -errno;
    zq_trace(q, "open container = fd %d", o->fd);
    return o->fd;
}

/* Devices whose group is attached to container fd ct. */
static bool
device_in(const struct zq *q, const struct zq_obj *d, int ct)
{
    const struct zq_obj *g = zq_lookup(q, d->u.dev.group, ZQ_GROUP);

    return d->kind == ZQ_DEVICE && d->u.dev.client && g &&
           g->u.grp.container == ct;
}

void
zq_map_release(struct zq_map *m)
{
    if (m->ro)
        munmap(m->ro, m->size);
    if (m->fd >= 0)
        close(m->fd);
    m->ro = NULL;
    m->fd = -1;
}

static void
container_release(struct zq *q, struct zq_obj *o)
{
    for (size_t i = 0; i < o->u.ct.nmaps; i++)
        zq_map_release(&o->u.ct.maps[i]);
    free(o->u.ct.maps);
    for (int i = 0; i < ZQ_MAX_OBJS; i++)
        if (q->objs[i].kind == ZQ_GROUP && q->objs[i].u.grp.container == o->fd)
            q->objs[i].u.grp.container = -1;
}

static void
device_release(struct zq *q, struct zq_obj *o)
{
    struct zq_obj *g = zq_lookup(q, o->u.dev.group, ZQ_GROUP);

    if (o->u.dev.client)
        zv_vfu_client_close(o->u.dev.client);
    o->u.dev.client = NULL;
    if (g)
        g->u.grp.device = -1;
}

int
zq_close(struct zq *q, int fd)
{
    struct zq_obj *o = zq_lookup(q, fd, ZQ_FREE);

    if (!o)
        return -EBADF;
    zq_trace(q, "close fd %d", fd);
    switch (o->kind) {
    case ZQ_CONTAINER:
        container_release(q, o);
        break;
    case ZQ_DEVICE:
        device_release(q, o);
        break;
    case ZQ_GROUP:
        /* a device outlives the fd of its group, as in the kernel */
        for (int i = 0; i < ZQ_MAX_OBJS; i++)
            if (q->objs[i].kind == ZQ_DEVICE && q->objs[i].u.dev.group == fd)
                q->objs[i].u.dev.group = -1;
        break;
    default:
        break;
    }
    o->kind = ZQ_FREE;
    close(fd);
    o->fd = -1;
    return 0;
}

/* --- DMA mappings on the container */

int
zq_dma_forward(struct zq *q, struct zq_obj *d, const struct zq_map *m)
{
    int rc = zv_vfu_client_dma_map(d->u.dev.client, m->fd, m->offset, m->iova,
                                   m->size, m->prot);

    if (rc)
        fprintf(stderr,
                "zvfio-qemu: DMA map of iova 0x%llx size 0x%llx to %s: %s\n",
                (unsigned long long)m->iova, (unsigned long long)m->size,
                d->u.dev.mdev, strerror(-rc));
    return rc;
}

int
zq_dma_map(struct zq *q, struct zq_obj *ct,
           const struct vfio_iommu_type1_dma_map *dm)
{
    struct zq_map m = {
        .iova = dm->iova, .size = dm->size, .vaddr = dm->vaddr, .fd = -1};
    int rc, i;

    if (dm->argsz < sizeof(*dm) || !dm->size || !ct->u.ct.iommu ||
        dm->iova + dm->size < dm->iova ||
        (dm->flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
        return -EINVAL;
    for (size_t k = 0; k < ct->u.ct.nmaps; k++) {
        const struct zq_map *o = &ct->u.ct.maps[k];

        if (dm->iova < o->iova + o->size && o->iova < dm->iova + dm->size)
            return -EEXIST;
    }
    m.prot = (dm->flags & VFIO_DMA_MAP_FLAG_READ ? ZV_VFU_PROT_READ : 0) |
             (dm->flags & VFIO_DMA_MAP_FLAG_WRITE ? ZV_VFU_PROT_WRITE : 0);
    rc = zq_dma_find_fd(dm->vaddr, dm->size, &m.fd, &m.offset);
    if (rc) {
        fprintf(stderr,
                "zvfio-qemu: guest RAM at 0x%llx (iova 0x%llx) is not a shared "
                "file mapping that QEMU holds open: run QEMU with -object "
                "memory-backend-memfd,id=mem,size=...,share=on -machine "
                "memory-backend=mem (%s)\n",
                (unsigned long long)dm->vaddr, (unsigned long long)dm->iova,
                strerror(-rc));
        return -EINVAL;
    }
    if (ct->u.ct.nmaps == ct->u.ct.cap) {
        size_t cap = ct->u.ct.cap ? 2 * ct->u.ct.cap : 8;
        struct zq_map *n = realloc(ct->u.ct.maps, cap * sizeof(*n));

        if (!n) {
            zq_map_release(&m);
            return -ENOMEM;
        }
        ct->u.ct.maps = n;
        ct->u.ct.cap = cap;
    }
    for (i = 0; i < ZQ_MAX_OBJS; i++) {
        if (!device_in(q, &q->objs[i], ct->fd))
            continue;
        rc = zq_dma_forward(q, &q->objs[i], &m);
        if (rc)
            goto unwind;
    }
    ct->u.ct.maps[ct->u.ct.nmaps++] = m;
    zq_trace(q,
             "MAP_DMA iova 0x%llx size 0x%llx vaddr 0x%llx: fd %d off 0x%llx",
             (unsigned long long)m.iova, (unsigned long long)m.size,
             (unsigned long long)m.vaddr, m.fd, (unsigned long long)m.offset);
    return 0;
unwind:
    while (--i >= 0)
        if (device_in(q, &q->objs[i], ct->fd))
            zv_vfu_client_dma_unmap(q->objs[i].u.dev.client, m.iova, m.size);
    zq_map_release(&m);
    return rc;
}

int
zq_dma_unmap(struct zq *q, struct zq_obj *ct,
             struct vfio_iommu_type1_dma_unmap *du)
{
    uint64_t done = 0, lo = du->iova, hi = du->iova + du->size;
    size_t k = 0;

    if (du->argsz < sizeof(*du) || du->flags || hi < lo)
        return -EINVAL;
    /* type1v2: a mapping may not be split */
    for (k = 0; k < ct->u.ct.nmaps; k++) {
        const struct zq_map *m = &ct->u.ct.maps[k];
        bool inside = m->iova >= lo && m->iova + m->size <= hi;

        if (!inside && m->iova < hi && lo < m->iova + m->size)
            return -EINVAL;
    }
    for (k = 0; k < ct->u.ct.nmaps;) {
        struct zq_map *m = &ct->u.ct.maps[k];

        if (!(m->iova >= lo && m->iova + m->size <= hi)) {
            k++;
            continue;
        }
        for (int i = 0; i < ZQ_MAX_OBJS; i++)
            if (device_in(q, &q->objs[i], ct->fd))
                zv_vfu_client_dma_unmap(q->objs[i].u.dev.client, m->iova,
                                        m->size);
        done += m->size;
        zq_map_release(m);
        *m = ct->u.ct.maps[--ct->u.ct.nmaps];
    }
    du->size = done;
    zq_trace(q, "UNMAP_DMA iova 0x%llx: 0x%llx bytes", (unsigned long long)lo,
             (unsigned long long)done);
    return 0;
}

/* --- reading guest memory, for the channel-program walker */

static const struct zq_map *
map_of(const struct zq_obj *ct, uint64_t addr)
{
    for (size_t k = 0; k < ct->u.ct.nmaps; k++) {
        const struct zq_map *m = &ct->u.ct.maps[k];

        if (addr >= m->iova && addr - m->iova < m->size)
            return m;
    }
    return NULL;
}

/* A private read-only view of the memfd: the walker never touches QEMU's
 * own mapping, which QEMU may unmap. */
static const uint8_t *
map_ro(struct zq_map *m)
{
    void *p;

    if (m->ro)
        return m->ro;
    p = mmap(NULL, m->size, PROT_READ, MAP_SHARED, m->fd, (off_t)m->offset);
    if (p == MAP_FAILED)
        return NULL;
    m->ro = p;
    return m->ro;
}

int
zq_guest_read(struct zq_obj *ct, uint64_t addr, void *buf, size_t len)
{
    uint8_t *out = buf;

    while (len) {
        struct zq_map *m = (struct zq_map *)map_of(ct, addr);
        const uint8_t *base;
        size_t n;

        if (!m || !(base = map_ro(m)))
            return -EFAULT;
        n = m->size - (addr - m->iova);
        if (n > len)
            n = len;
        memcpy(out, base + (addr - m->iova), n);
        out += n;
        addr += n;
        len -= n;
    }
    return 0;
}

void
zq_guest_written(struct zq *q, struct zq_obj *ct, uint64_t addr, uint64_t len)
{
    while (len && q->hooks.invalidate) {
        const struct zq_map *m = map_of(ct, addr);
        uint64_t n;

        if (!m)
            return;
        n = m->size - (addr - m->iova);
        if (n > len)
            n = len;
        q->hooks.invalidate(q->hooks.opaque,
                            (void *)(uintptr_t)(m->vaddr + (addr - m->iova)),
                            n);
        addr += n;
        len -= n;
    }
}
