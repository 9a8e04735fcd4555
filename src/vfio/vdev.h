/* SPDX-License-Identifier: MIT */
/*
 * vfio/vdev: the generic mediated device (DESIGN.md: src/vfio/).
 *
 * A zv_vdev is what a VFIO device file is to the kernel's vfio core,
 * without the file: device info and flags, regions (index, size, flags,
 * capability chain as bytes), IRQs (index, count, an eventfd trigger or an
 * in-process callback), reset, and DMA map/unmap into the device's IOVA
 * address space (a base/mem zv_as).  It knows no transport: the vfio-user
 * server and in-process clients drive it through these calls alone.
 *
 * A driver (vfio-ccw, vfio-ap) supplies struct zv_vdev_ops.  Every call
 * runs on the loop thread of the host the driver belongs to.
 *
 * Lifetime: reference counted.  The creator holds the first reference;
 * every user (a client that opened it) takes its own.  zv_vdev_unregister()
 * detaches the driver from the device (no driver callback runs after it,
 * region access answers -ENODEV) while holders may still close and put.
 */
#ifndef ZV_VFIO_VDEV_H
#define ZV_VFIO_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/mem.h"
#include "vfio/uapi.h"

struct zv_vdev;

typedef void (*zv_vdev_irq_fn)(void *arg, struct zv_vdev *vd, unsigned index);

struct zv_vdev_ops {
    /* Make the device usable (kernel open_device).  0 or -errno. */
    int (*open)(struct zv_vdev *vd);
    /* Quiesce and release what open took.  Never fails. */
    void (*close)(struct zv_vdev *vd);
    /* VFIO_DEVICE_RESET. 0 or -errno. NULL: -ENOTTY. */
    int (*reset)(struct zv_vdev *vd);
    /* Region access inside [0, size) of a region whose flags allow it
     * (checked by the vdev).  Returns len or -errno. */
    ssize_t (*region_read)(struct zv_vdev *vd, unsigned index, uint64_t off,
                           void *buf, size_t len);
    ssize_t (*region_write)(struct zv_vdev *vd, unsigned index, uint64_t off,
                            const void *buf, size_t len);
    /* After [iova, iova+len) was mapped into zv_vdev_iova(): the driver
     * may make it reachable elsewhere.  -errno undoes the map.  May be
     * NULL. */
    int (*dma_map)(struct zv_vdev *vd, uint64_t iova, uint64_t len, void *host,
                   unsigned prot);
    /* Before the range is unmapped: the driver stops every use of it
     * (kernel: "drivers MUST unpin pages in response to an invalidation").
     * May be NULL. */
    void (*dma_unmap)(struct zv_vdev *vd, uint64_t iova, uint64_t len);
    /* Unregistration while open: ask the user to let go (REQ IRQ).
     * count numbers the requests.  May be NULL. */
    void (*request)(struct zv_vdev *vd, unsigned count);
    /* Unregistration: detach from the host; no driver state is touched
     * through this vdev afterwards.  May be NULL. */
    void (*remove)(struct zv_vdev *vd);
    /* Last reference gone: free the driver's private data. May be NULL. */
    void (*release)(struct zv_vdev *vd);
};

struct zv_vdev_desc {
    const char *api;   /* device API string, e.g. "vfio-ccw" */
    uint32_t flags;    /* ZV_VFIO_DEVICE_FLAGS_* */
    unsigned num_irqs; /* fixed at creation */
};

struct zv_vdev_info {
    uint32_t flags;
    uint32_t num_regions; /* highest registered index + 1 */
    uint32_t num_irqs;
};

struct zv_vdev_region_info {
    uint32_t index;
    uint32_t flags; /* ZV_VFIO_REGION_INFO_FLAG_* */
    uint64_t size;
    uint32_t cap_len; /* bytes of capability chain (0: none) */
};

struct zv_vdev_irq_info {
    uint32_t index;
    uint32_t flags; /* ZV_VFIO_IRQ_INFO_* */
    uint32_t count;
};

struct zv_vdev *zv_vdev_new(const struct zv_vdev_desc *desc,
                            const struct zv_vdev_ops *ops, void *drvdata);
void zv_vdev_get(struct zv_vdev *vd);
/* Drops a reference; the last one calls ops->release and frees. */
void zv_vdev_put(struct zv_vdev *vd);
void *zv_vdev_drvdata(const struct zv_vdev *vd);
const char *zv_vdev_api(const struct zv_vdev *vd);
/* Is vd driven by ops (a driver recognising its own devices)? */
bool zv_vdev_has_ops(const struct zv_vdev *vd, const struct zv_vdev_ops *ops);
/* The device's DMA (IOVA) address space. */
struct zv_as *zv_vdev_iova(const struct zv_vdev *vd);

/* ---- driver side ---- */

/*
 * Add region index with size and flags; cap (cap_len bytes, may be NULL)
 * is the capability chain as a user will read it, offsets relative to the
 * start of struct vfio_region_info.  -EEXIST, -EINVAL, -ENOMEM.
 */
int zv_vdev_add_region(struct zv_vdev *vd, unsigned index, uint64_t size,
                       uint32_t flags, const void *cap, size_t cap_len);
void zv_vdev_del_region(struct zv_vdev *vd, unsigned index);
/* Encode one VFIO_REGION_INFO_CAP_TYPE capability (16 bytes, little
 * endian as vfio-user carries it) with next = 0. */
void zv_vdev_cap_type(uint8_t out[ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE],
                      uint32_t type, uint32_t subtype);
int zv_vdev_set_irq_info(struct zv_vdev *vd, unsigned index, uint32_t count,
                         uint32_t flags);
/* Signal IRQ index: write the eventfd and/or call the callback.  Returns
 * true if anyone was told. */
bool zv_vdev_signal(struct zv_vdev *vd, unsigned index);
/* How many signals have told someone, any index (a transport compares two
 * readings to see whether an interrupt went out in between). */
uint64_t zv_vdev_signals(const struct zv_vdev *vd);
bool zv_vdev_is_open(const struct zv_vdev *vd);
bool zv_vdev_is_removed(const struct zv_vdev *vd);

/* Detach the driver (see above).  Idempotent. */
void zv_vdev_unregister(struct zv_vdev *vd);

/* ---- user side (what a transport calls) ---- */

int zv_vdev_open(struct zv_vdev *vd);
void zv_vdev_close(struct zv_vdev *vd);
int zv_vdev_reset(struct zv_vdev *vd);
void zv_vdev_get_info(const struct zv_vdev *vd, struct zv_vdev_info *info);
/* -EINVAL for an index with no region.  Copies up to cap_max bytes of
 * the capability chain into cap (may be NULL). */
int zv_vdev_get_region_info(const struct zv_vdev *vd, unsigned index,
                            struct zv_vdev_region_info *info, void *cap,
                            size_t cap_max);
int zv_vdev_get_irq_info(const struct zv_vdev *vd, unsigned index,
                         struct zv_vdev_irq_info *info);
/*
 * VFIO_DEVICE_SET_IRQS: only ACTION_TRIGGER.  DATA_EVENTFD: data holds
 * count int32 fds (-1 removes).  The vdev keeps a duplicate of each fd
 * (the caller still owns, and may close, its own), checks that it is an
 * eventfd (-EINVAL; -EBADF for a closed fd), and closes the duplicate
 * exactly once: when replaced or removed, at close, or when freed.
 * DATA_NONE or DATA_BOOL(true): signal now
 * (loopback); count 0 with DATA_NONE removes the eventfd.  MASK/UNMASK:
 * -EINVAL.  Needs an open device.
 */
int zv_vdev_set_irqs(struct zv_vdev *vd, uint32_t flags, unsigned index,
                     unsigned start, unsigned count, const void *data);
/* Is fd an eventfd (its /proc/self/fd link names the eventfd inode)? */
bool zv_vdev_fd_is_eventfd(int fd);
/* In-process alternative to an eventfd (fn NULL removes). */
int zv_vdev_set_irq_callback(struct zv_vdev *vd, unsigned index,
                             zv_vdev_irq_fn fn, void *arg);
/* Region access by index and offset.  Returns len or -errno: -EINVAL for
 * a bad index, an access outside the region, or one the flags forbid;
 * -ENODEV once unregistered; -EBADF when not open. */
ssize_t zv_vdev_region_read(struct zv_vdev *vd, unsigned index, uint64_t off,
                            void *buf, size_t len);
ssize_t zv_vdev_region_write(struct zv_vdev *vd, unsigned index, uint64_t off,
                             const void *buf, size_t len);
/* Most DMA mappings a device holds at once: the kernel's default
 * vfio_iommu_type1 dma_entry_limit (and vfio-user's max_dma_maps). */
#define ZV_VDEV_MAX_DMA_MAPS 65535u

/* DMA map host memory at iova (len and iova 4K aligned).  -EINVAL,
 * -EEXIST on overlap, -ENOSPC past ZV_VDEV_MAX_DMA_MAPS mappings,
 * -ENOMEM, or the driver's -errno. */
int zv_vdev_dma_map(struct zv_vdev *vd, uint64_t iova, uint64_t len, void *host,
                    unsigned prot);
/* -ENOENT when nothing was mapped there.  The driver's dma_unmap hook
 * runs first; the address space reserves room for a split before it cuts,
 * so an unmap never leaves part of the range mapped (-ENOMEM leaves all
 * of it mapped). */
int zv_vdev_dma_unmap(struct zv_vdev *vd, uint64_t iova, uint64_t len);

#endif
