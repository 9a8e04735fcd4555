/* SPDX-License-Identifier: MIT */
/*
 * qemu/adapter: the kernel VFIO surface that QEMU's vfio-ccw expects,
 * served from zvfiod's vfio-user mdevs (docs/qemu.md).
 *
 * The logic lives behind an explicit context (struct zq) so that tests
 * drive it without interposition; interpose.c holds the one instance
 * QEMU uses and serializes every call into it.  Nothing here is thread
 * safe by itself.
 */
#ifndef ZV_QEMU_ADAPTER_H
#define ZV_QEMU_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "arch/orb.h"

/* Region offsets we present on the device fd: index << 40, as the
 * kernel's vfio-ccw does. */
#define ZQ_REGION_SHIFT  40
#define ZQ_REGION_OFF(i) ((uint64_t)(i) << ZQ_REGION_SHIFT)

/* QEMU's host-order views of the vfio-ccw regions (hw/vfio/ccw.c copies
 * its ORB, SCSW, SCHIB and CRW structs into and out of them). */
#define ZQ_IO_REGION_SIZE    124
#define ZQ_IO_ORB_OFF        0
#define ZQ_IO_SCSW_OFF       12
#define ZQ_IO_IRB_OFF        24
#define ZQ_IO_RET_OFF        120
#define ZQ_ASYNC_REGION_SIZE 8
#define ZQ_SCHIB_REGION_SIZE 52
#define ZQ_CRW_REGION_SIZE   8

/* Byte-order blocks (swap.c): QEMU's host-order layout <-> architecture
 * order.  On a big-endian host each is the identity. */
void zq_swap_io_write(uint8_t region[ZQ_IO_REGION_SIZE]);
void zq_swap_async_write(uint8_t region[ZQ_ASYNC_REGION_SIZE]);
void zq_swap_schib_read(uint8_t region[ZQ_SCHIB_REGION_SIZE]);
void zq_swap_crw_read(uint8_t region[ZQ_CRW_REGION_SIZE]);

/* Fake sysfs (sysfs.c): the path under root that stands for a /sys path
 * QEMU reads, in buf; NULL when path is not one we redirect. */
const char *zq_redirect(const char *root, const char *path, char *buf,
                        size_t size);

/*
 * Channel-program walker (cpwalk.c): the storage areas a start function
 * with this ORB may have written (input CCWs: read, read backward,
 * sense, and what they data-chain into), bounded and fault-tolerant: it
 * stops where the channel would have ended the program (invalid CCW,
 * unreadable address, TIC to TIC) and after ZQ_CP_MAX_CCWS CCWs.
 */
#define ZQ_CP_MAX_CCWS 4096
struct zq_cp_ops {
    /* 0, or -EFAULT when [addr, addr + len) is not guest memory */
    int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
    void (*range)(void *opaque, uint64_t addr, uint64_t len);
    void *opaque;
};
/* The number of CCWs walked. */
unsigned zq_cp_walk(const struct orb *orb, const struct zq_cp_ops *ops);

/* A bounded set of storage ranges: an added range is merged into one it
 * overlaps or touches; when the set is full, the range nearest to it is
 * widened to cover it (never lost). */
#define ZQ_MAX_RANGES 256
struct zq_ranges {
    unsigned n;
    struct {
        uint64_t addr, len;
    } r[ZQ_MAX_RANGES];
};
void zq_ranges_add(struct zq_ranges *rs, uint64_t addr, uint64_t len);

/* DMA (dma.c): the file behind [vaddr, vaddr + size) of this process, a
 * shared mapping of one file: a new fd (O_CLOEXEC dup of one found in
 * /proc/self/fd) and the file offset of vaddr; -errno otherwise. */
int zq_dma_find_fd(uint64_t vaddr, uint64_t size, int *fd, uint64_t *offset);

/* Hooks into the host process (QEMU). */
struct zq_hooks {
    /* the device wrote guest memory at QEMU's host address host */
    void (*invalidate)(void *opaque, void *host, uint64_t len);
    void *opaque;
};

struct zq;
/* root: the fake-sysfs tree (ZVFIO_QEMU_ROOT). */
struct zq *zq_new(const char *root, const struct zq_hooks *hooks);
/* Closes every fd the context owns. */
void zq_free(struct zq *q);
bool zq_owns(const struct zq *q, int fd);
/* Debug trace of the emulated calls on stderr. */
void zq_set_trace(struct zq *q, bool on);
/* Per-operation timings (ZVFIO_QEMU_STATS=1): on, and the table to f. */
int zq_set_stats(struct zq *q, bool on);
void zq_stats_dump(struct zq *q, FILE *f);

/* /dev/vfio/vfio or /dev/vfio/<N>: a new fd, -errno, or 1 when path is
 * not ours (the caller opens it as usual). */
int zq_open(struct zq *q, const char *path);
/* On our fds (zq_owns): >= 0 or -errno. */
int zq_ioctl(struct zq *q, int fd, unsigned long req, void *arg);
ssize_t zq_pread(struct zq *q, int fd, void *buf, size_t len, off_t off);
ssize_t zq_pwrite(struct zq *q, int fd, const void *buf, size_t len, off_t off);
int zq_close(struct zq *q, int fd);

#endif
