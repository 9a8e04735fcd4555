/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw: the vfio-ccw mediated-device driver (vfio-ccw.md, DESIGN.md
 * principles 2, 3, 5, 7).
 *
 * One struct zv_vfio_ccw per host channel subsystem: it is the "module":
 * it owns the host arena in which translated channel programs live, the
 * window of host absolute storage at which DMA-mapped client memory is
 * made reachable by the host channel subsystem, and it registers one mdev
 * parent (one type "vfio_ccw-io", one instance) per bound subchannel.
 *
 * Explorer hooks (tests/sim): zv_vfio_ccw_counters() and the observer
 * below expose the invariants of principle 3: how many translated channel
 * programs are live and how many were freed, which program was freed and
 * whether the host still ran its start function at that moment, and how
 * much status is queued for the client.
 */
#ifndef ZV_VFIO_CCW_VFIO_CCW_H
#define ZV_VFIO_CCW_VFIO_CCW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/loop.h"
#include "base/mem.h"
#include "css/css.h"
#include "vfio/mdev.h"
#include "vfio/vdev.h"

struct zv_vfio_ccw;

#define ZV_VFIO_CCW_DRIVER   "vfio_ccw"
#define ZV_VFIO_CCW_TYPE_ID  "vfio_ccw-io"
#define ZV_VFIO_CCW_ISC      6  /* host ISC of passthrough subchannels */
#define ZV_VFIO_CCW_IRBQ_MAX 16 /* status queued per device */
#define ZV_VFIO_CCW_CRWQ_MAX 16 /* CRWs queued per device */
/* Host absolute address at which DMA maps become visible to the host CSS
 * (above every address a 31-bit CCW can hold: format-2 IDAWs reach it). */
#define ZV_VFIO_CCW_DMA_WINDOW (1ull << 40)

/* DMA maps per device, as the kernel's vfio_iommu_type1 dma_entry_limit:
 * one more is refused with -ENOSPC. */
#define ZV_VFIO_CCW_DMA_MAX 65535u
/* Arena bytes kept for each device whatever the others do (a program up
 * to this size always translates), unless the arena is small: then 1/16
 * of it.  See zv_vfio_ccw_set_arena_share. */
#define ZV_VFIO_CCW_ARENA_RESERVE (64u << 10)

/* Suggested arena for translated programs: below 2 GiB (31-bit CCW and
 * format-1 IDAW addresses), out of the way of low guest-like storage. */
#define ZV_VFIO_CCW_ARENA_BASE 0x60000000ull
#define ZV_VFIO_CCW_ARENA_SIZE (64ull << 20)

/* Helper for whoever builds the host: an arena for host CCWs/IDAWs in
 * css_storage(css) at [base, base+size); base + size <= 2 GiB. */
struct zv_arena *zv_vfio_ccw_arena_new(struct css *css, uint64_t base,
                                       uint64_t size);

/* arena: where translated programs go (not owned); bus: where the mdev
 * parents are registered (not owned). */
struct zv_vfio_ccw *zv_vfio_ccw_new(struct css *css, struct zv_arena *arena,
                                    struct zv_mdev_bus *bus);
/* Unbinds every subchannel still bound, then frees. */
void zv_vfio_ccw_free(struct zv_vfio_ccw *drv);

/*
 * Driver override + bind (like writing "vfio_ccw" to driver_override and
 * binding): -EBUSY if another driver has the subchannel, -ENODEV if it is
 * gone or not an I/O subchannel, -EOPNOTSUPP for QDIO.  The parent is
 * named "<cssid>.<ssid>.<sch_no>" as in sysfs ("0.0.0100").
 */
int zv_vfio_ccw_bind(struct zv_vfio_ccw *drv, struct subchannel *sch);
void zv_vfio_ccw_unbind(struct zv_vfio_ccw *drv, struct subchannel *sch);
struct zv_mdev_parent *zv_vfio_ccw_parent(struct zv_vfio_ccw *drv,
                                          struct subchannel *sch);

/*
 * The per-device share of the program arena (docs/vfio-ccw.md,
 * "Resource bounds"): every instance created from now on gets `reserve`
 * bytes carved from the arena for itself alone, and may hold at most
 * `limit` bytes of the arena in all (reserve first, then the common
 * free space).  A program that does not fit gets ret_code -ENOMEM; an
 * instance whose reserve cannot be carved is not created (-ENOMEM).
 * Defaults: reserve min(ZV_VFIO_CCW_ARENA_RESERVE, arena / 16), limit
 * max(reserve, arena / 4).  -EINVAL unless reserve <= limit <= arena
 * size and limit > 0.
 */
int zv_vfio_ccw_set_arena_share(struct zv_vfio_ccw *drv, uint64_t reserve,
                                uint64_t limit);

/* ---- explorer / test hooks ---- */

enum zv_vfio_ccw_free_reason {
    ZV_VFIO_CCW_FREE_START_ENDED, /* final status of the start (or halt) */
    ZV_VFIO_CCW_FREE_CLEARED,     /* the clear function completed */
    ZV_VFIO_CCW_FREE_SSCH_FAILED, /* host SSCH did not take it */
    ZV_VFIO_CCW_FREE_QUIESCE,     /* close/reset/unmap: host CSCH done */
    ZV_VFIO_CCW_FREE_NOT_OPER,    /* subchannel gone */
};

struct zv_vfio_ccw_cp_event {
    uint16_t sch_no;
    uint64_t serial; /* 1, 2, ... per device, in translation order */
    enum zv_vfio_ccw_free_reason reason;
    /* At the moment of the free: did the host subchannel still have the
     * start function (SCSW FC start) in progress?  Must be false except
     * after the subchannel vanished. */
    bool host_start_active;
};

struct zv_vfio_ccw_observer {
    void (*cp_freed)(void *arg, const struct zv_vfio_ccw_cp_event *ev);
    void *arg;
};
void zv_vfio_ccw_set_observer(struct zv_vfio_ccw *drv,
                              const struct zv_vfio_ccw_observer *obs);

/*
 * SSCH-to-status latency: from the I/O-region write whose SSCH the host
 * accepted to the final status of that start queued for the client (the IO
 * IRQ is signalled right after, from the same loop turn).  Only starts
 * that end with their own final status count (not halted or cleared ones).
 * log2 buckets of microseconds: bucket 0 holds [0, 1) us, bucket k
 * [2^(k-1), 2^k) us, the last bucket everything from 2^(N-2) us up.
 */
#define ZV_VFIO_CCW_LAT_BUCKETS 24

struct zv_vfio_ccw_latency {
    uint64_t count;
    uint64_t sum_ns;
    uint64_t max_ns;
    uint64_t bucket[ZV_VFIO_CCW_LAT_BUCKETS];
};
/* The bucket that holds ns. */
unsigned zv_vfio_ccw_lat_bucket(uint64_t ns);

struct zv_vfio_ccw_counters {
    uint64_t cp_translated; /* programs built */
    uint64_t cp_freed;      /* programs freed */
    unsigned cp_live;       /* 0 or 1 */
    unsigned irb_queued;    /* status waiting for the client */
    uint64_t irb_dropped;   /* intermediate status lost to a full queue */
    unsigned crw_queued;
    uint64_t crw_lost;              /* CRWs lost to a full queue (R bit sent) */
    uint64_t events;                /* FSM events dispatched */
    uint64_t arena_in_use;          /* bytes of the arena this device holds */
    unsigned dma_maps;              /* DMA map entries (ZV_VFIO_CCW_DMA_MAX) */
    struct zv_vfio_ccw_latency lat; /* since the mdev was created */
};
/* -EINVAL if vd is not a vfio-ccw device. */
int zv_vfio_ccw_counters(const struct zv_vdev *vd,
                         struct zv_vfio_ccw_counters *out);
/* The FSM state name ("idle", "start", ...), for traces and tests. */
const char *zv_vfio_ccw_state_name(const struct zv_vdev *vd);

#endif
