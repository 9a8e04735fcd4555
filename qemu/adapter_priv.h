/* SPDX-License-Identifier: MIT */
/* qemu/: private declarations shared by vfio.c and device.c. */
#ifndef ZV_QEMU_ADAPTER_PRIV_H
#define ZV_QEMU_ADAPTER_PRIV_H

#include <limits.h>
#include <linux/vfio.h>

#include "adapter.h"

#define ZQ_MAX_OBJS    64 /* container, groups and devices of one QEMU */
#define ZQ_MAX_REGIONS 8
#define ZQ_MAX_CAPS    256 /* bytes of one region's capability chain */

struct zv_vfu_client;

enum zq_kind { ZQ_FREE, ZQ_CONTAINER, ZQ_GROUP, ZQ_DEVICE };

/* One VFIO_IOMMU_MAP_DMA: guest [iova, iova + size) is QEMU's vaddr and
 * [offset, ...) of fd (our dup of QEMU's memfd). */
struct zq_map {
    uint64_t iova, size, vaddr, offset;
    unsigned prot;
    int fd;
    uint8_t *ro; /* our read-only view, on first use */
};

struct zq_container {
    bool iommu; /* VFIO_SET_IOMMU done */
    struct zq_map *maps;
    size_t nmaps, cap;
};

struct zq_group {
    int num;
    int container; /* fd, -1 = none */
    int device;    /* fd, -1 = none */
    char mdev[64];
    char sock[PATH_MAX];
};

/* the kind of block a region holds, for the byte-order conversion */
enum zq_region_kind { ZQ_R_PLAIN, ZQ_R_IO, ZQ_R_ASYNC, ZQ_R_SCHIB, ZQ_R_CRW };

struct zq_region {
    uint32_t flags;
    uint64_t size;
    enum zq_region_kind kind;
    uint32_t cap_len;
    uint8_t caps[ZQ_MAX_CAPS]; /* the wire chain (little-endian) */
};

/* A start function: its ORB, and its program's input areas as they stood
 * at SSCH (a program may store over its own CCWs: an IPL does). */
struct zq_start {
    struct orb orb;
    struct zq_ranges in;
};

struct zq_device {
    int group; /* fd, -1 once the group fd is closed */
    int container;
    struct zv_vfu_client *client;
    char mdev[64];
    uint32_t flags, num_regions, num_irqs;
    struct zq_region regions[ZQ_MAX_REGIONS];
    bool live;        /* a start function of ours runs */
    uint64_t ssch_ns; /* when it was written (zq_now_ns), for stats */
    struct zq_start start;
};

struct zq_obj {
    enum zq_kind kind;
    int fd;
    union {
        struct zq_container ct;
        struct zq_group grp;
        struct zq_device dev;
    } u;
};

/* operations timed with ZVFIO_QEMU_STATS (stats.c) */
enum zq_stat_op {
    ZQ_ST_SSCH,        /* I/O region write of a start function */
    ZQ_ST_IO_WRITE,    /* any other I/O region write */
    ZQ_ST_IRB,         /* I/O region read (the IRB) */
    ZQ_ST_SSCH_TO_IRB, /* SSCH written -> its final IRB read begins */
    ZQ_ST_COHERENCE,   /* TB invalidation of a program's input areas */
    ZQ_ST_SCHIB,       /* SCHIB region read (every STSCH) */
    ZQ_ST_CRW,         /* CRW region read */
    ZQ_ST_ASYNC,       /* async (HSCH/CSCH) region write */
    ZQ_ST_PLAIN,       /* a plain region access */
    ZQ_ST_COUNT,
};

struct zq_stats;

struct zq {
    char *root;
    struct zq_hooks hooks;
    bool trace;
    struct zq_stats *stats; /* NULL unless zq_set_stats */
    struct zq_obj objs[ZQ_MAX_OBJS];
};

/* A free slot with a new fd of ours; NULL and errno when none. */
struct zq_obj *zq_obj_new(struct zq *q, enum zq_kind kind);
/* kind ZQ_FREE matches any kind */
struct zq_obj *zq_lookup(const struct zq *q, int fd, enum zq_kind kind);
int zq_dma_map(struct zq *q, struct zq_obj *ct,
               const struct vfio_iommu_type1_dma_map *dm);
int zq_dma_unmap(struct zq *q, struct zq_obj *ct,
                 struct vfio_iommu_type1_dma_unmap *du);
int zq_guest_read(struct zq_obj *ct, uint64_t addr, void *buf, size_t len);
void zq_guest_written(struct zq *q, struct zq_obj *ct, uint64_t addr,
                      uint64_t len);
int zq_device_open(struct zq *q, struct zq_obj *grp, const char *name);
void zq_map_release(struct zq_map *m);
int zq_dma_forward(struct zq *q, struct zq_obj *d, const struct zq_map *m);

uint64_t zq_now_ns(void);
void zq_stats_note(struct zq *q, enum zq_stat_op op, uint64_t ns);
void zq_stats_free(struct zq *q);

#define zq_trace(q, ...)                                                       \
    do {                                                                       \
        if ((q)->trace) {                                                      \
            fprintf(stderr, "zvfio-qemu: " __VA_ARGS__);                       \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#endif
