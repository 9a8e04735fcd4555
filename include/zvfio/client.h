/* SPDX-License-Identifier: MIT */
/*
 * zvfio/client.h: the vfio-user client library (libzvfio), for a VMM that
 * drives a zvfio mediated device (vfio-ccw, vfio-ap) served by zvfiod.
 *
 * One handle is one connection to one device.  Calls are synchronous: a
 * request, then its reply (one outstanding request); a handle is not
 * thread safe, use one per thread or lock around it.  Every call returns
 * 0 (or a count) on success and -errno on failure; an error reply from
 * the server gives its errno.  After a transport failure (-EPIPE,
 * -ECONNRESET, -ETIMEDOUT, -EPROTO: the stream can no longer be trusted)
 * every further call answers -ENOTCONN; close the handle.
 *
 * Device layouts are the kernel UAPI's (<linux/vfio.h>,
 * <linux/vfio_ccw.h>): device flags, region indices and IRQ indices mean
 * what they mean there; see docs/vfio-user.md.
 */
#ifndef ZVFIO_CLIENT_H
#define ZVFIO_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ZV_EXPORT __attribute__((visibility("default")))
#else
#define ZV_EXPORT
#endif

struct zv_vfu_client;

/* Capabilities the server announced in VERSION. */
struct zv_vfu_caps {
    uint32_t max_msg_fds;
    uint64_t max_data_xfer_size;
    uint32_t max_dma_maps;
    uint64_t pgsizes;
};

struct zv_vfu_device_info {
    uint32_t flags; /* VFIO_DEVICE_FLAGS_* (CCW: 1 << 4, RESET: 1 << 0) */
    uint32_t num_regions;
    uint32_t num_irqs;
};

struct zv_vfu_region_info {
    uint32_t index;
    uint32_t flags; /* VFIO_REGION_INFO_FLAG_* */
    uint64_t size;
    uint32_t cap_len; /* bytes of capability chain the server has */
};

struct zv_vfu_irq_info {
    uint32_t index;
    uint32_t flags; /* VFIO_IRQ_INFO_* */
    uint32_t count;
};

/* DMA map protection */
#define ZV_VFU_PROT_READ  (1u << 0)
#define ZV_VFU_PROT_WRITE (1u << 1)

/* Connect to the socket at path and negotiate (VERSION).  The first call
 * after a previous client left may wait while the device quiesces. */
ZV_EXPORT int zv_vfu_client_connect(const char *path,
                                    struct zv_vfu_client **out);
/* Same over an already connected stream socket; the handle owns fd from
 * here on, even on error. */
ZV_EXPORT int zv_vfu_client_from_fd(int fd, struct zv_vfu_client **out);
/* Closes the connection: the server closes the device and releases every
 * mapping and eventfd of this client. */
ZV_EXPORT void zv_vfu_client_close(struct zv_vfu_client *c);
/* How long a reply may take (default 10 s); 0 waits forever. */
ZV_EXPORT int zv_vfu_client_set_timeout(struct zv_vfu_client *c, unsigned msec);
/* Poll for a reply up to usec (0..1000; 0, the default: never) before
 * sleeping for it.  Worth it when the calling thread has a CPU of its own
 * (on a virtual machine a sleeping CPU is slow to wake); harmful when
 * more threads spin than there are CPUs.  -EINVAL past 1000. */
ZV_EXPORT int zv_vfu_client_set_spin(struct zv_vfu_client *c, unsigned usec);
ZV_EXPORT void zv_vfu_client_caps(const struct zv_vfu_client *c,
                                  struct zv_vfu_caps *caps);

ZV_EXPORT int zv_vfu_client_device_info(struct zv_vfu_client *c,
                                        struct zv_vfu_device_info *info);
/*
 * Region info.  caps (caps_size bytes, may be NULL) receives the
 * capability chain as the wire has it: little-endian, each capability's
 * `next` counted from the start of the 32-byte region info, the first at
 * 32.  info->cap_len says how much there is (retry with a larger buffer
 * if it exceeds caps_size).
 */
ZV_EXPORT int zv_vfu_client_region_info(struct zv_vfu_client *c, unsigned index,
                                        struct zv_vfu_region_info *info,
                                        void *caps, size_t caps_size);
/* Find the VFIO_REGION_INFO_CAP_TYPE capability in a chain returned
 * above: 0 and type/subtype, or -ENOENT; -EINVAL for a malformed chain. */
ZV_EXPORT int zv_vfu_caps_find_type(const void *caps, size_t cap_len,
                                    uint32_t *type, uint32_t *subtype);
ZV_EXPORT int zv_vfu_client_irq_info(struct zv_vfu_client *c, unsigned index,
                                     struct zv_vfu_irq_info *info);
/* Trigger IRQ index through eventfd fd (-1 de-assigns).  The server keeps
 * its own reference; the caller keeps (and eventually closes) fd. */
ZV_EXPORT int zv_vfu_client_set_irq_eventfd(struct zv_vfu_client *c,
                                            unsigned index, int fd);

/*
 * Map [offset, offset+size) of fd (a memfd or regular file the server may
 * mmap; memfds must be sealed with F_SEAL_SHRINK, see
 * zv_vfu_memfd_create) at IOVA iova.  iova, size and offset 4 KiB
 * aligned.  -EEXIST on overlap, -ENOSPC past the device's map limit.
 */
ZV_EXPORT int zv_vfu_client_dma_map(struct zv_vfu_client *c, int fd,
                                    uint64_t offset, uint64_t iova,
                                    uint64_t size, unsigned prot);
/* Exactly a range mapped before; the device stops using it first. */
ZV_EXPORT int zv_vfu_client_dma_unmap(struct zv_vfu_client *c, uint64_t iova,
                                      uint64_t size);

/* Region access; len at most the server's max_data_xfer_size.  Returns
 * the bytes moved or -errno (the device's: -EBUSY, -ENODEV, -EINVAL...). */
ZV_EXPORT ssize_t zv_vfu_client_region_read(struct zv_vfu_client *c,
                                            unsigned index, uint64_t off,
                                            void *buf, size_t len);
ZV_EXPORT ssize_t zv_vfu_client_region_write(struct zv_vfu_client *c,
                                             unsigned index, uint64_t off,
                                             const void *buf, size_t len);
ZV_EXPORT int zv_vfu_client_reset(struct zv_vfu_client *c);

/* One access of a batch (zv_vfu_client_region_batch). */
struct zv_vfu_region_io {
    int write;       /* nonzero: REGION_WRITE of buf; else REGION_READ */
    unsigned index;  /* region */
    uint64_t offset; /* in the region */
    void *buf;       /* len bytes: the data written, or room for the read */
    size_t len;      /* 1 .. max_data_xfer_size */
    ssize_t result;  /* out: bytes moved or -errno, as the calls above */
};

/* Most accesses in one batch. */
#define ZV_VFU_REGION_BATCH_MAX 8

/*
 * Region accesses in one exchange: the n requests leave in one sendmsg,
 * the server handles them in order (a read sees what an earlier write
 * did), the n replies are read back together.  Each op's result is set.
 * Returns 0, or -errno when the exchange itself failed (bad arguments:
 * -EINVAL; a transport failure makes the handle dead as for any call).
 * For a vfio-ccw I/O region, SSCH and a read of the IRB area in one batch
 * cost one round trip where two calls cost two; the read may find the
 * status of the program the write started (or none yet).
 */
ZV_EXPORT int zv_vfu_client_region_batch(struct zv_vfu_client *c,
                                         struct zv_vfu_region_io *ops,
                                         size_t n);

/* A memfd of size bytes sealed against shrinking (the server refuses
 * unsealed memfds), for guest memory.  fd or -errno. */
ZV_EXPORT int zv_vfu_memfd_create(const char *name, uint64_t size);

#ifdef __cplusplus
}
#endif

#endif
