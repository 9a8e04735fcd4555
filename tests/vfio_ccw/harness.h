/* SPDX-License-Identifier: MIT */
/*
 * Test harness for vfio-ccw: a host (virtual loop, storage, css, two
 * channel paths, one I/O subchannel with a scriptable device), the
 * vfio-ccw driver bound to it, one mdev instance opened in process with
 * callbacks counting IRQs, and guest memory DMA-mapped at VH_GUEST_IOVA.
 *
 * The device: every command ends with CE|DE after VH_DEV_LATENCY unless
 * hold is set; then it waits for vh_dev_release() or a halt/clear signal.
 * Input commands get a byte pattern (0xA5 ^ offset), output commands are
 * taken whole and recorded (dev.rx).
 */
#ifndef ZV_TESTS_VFIO_CCW_HARNESS_H
#define ZV_TESTS_VFIO_CCW_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/canary.h"
#include "css/css.h"
#include "vfio_ccw/vfio_ccw.h"

#define VH_GUEST_IOVA  0x100000ull
#define VH_GUEST_SIZE  (256u * 1024)
#define VH_SCH_NO      0x0100
#define VH_DEVNO       0x4711
#define VH_CHPID0      0x40
#define VH_CHPID1      0x41
#define VH_DEV_LATENCY 10000ull /* ns */
#define VH_UUID        "4b1b9bb5-56a4-4e5b-9a10-2f0f4f4c1a01"
#define VH_CCW_ADDR    (VH_GUEST_IOVA + 0x1000) /* where vh_ssch puts CCWs */
#define VH_DATA_ADDR   (VH_GUEST_IOVA + 0x8000) /* and the data */
#define VH_CANARY_LOW  0x10000ull /* host storage [0, 64K): canary */

/* Tests of the architected composite-subchannel behaviour are skipped in
 * the -Dregress_2020 build, which re-introduces the 2020 FSM on purpose
 * (only the simulation explorer has to catch it). */
#ifdef ZV_REGRESS_2020
#define VH_SKIP_IN_REGRESS() skip()
#else
#define VH_SKIP_IN_REGRESS() ((void)0)
#endif

struct vh_dev {
    struct css_dev base;
    struct css_io *held;
    bool hold;         /* next commands wait for release */
    unsigned commands; /* started */
    unsigned signals;  /* halt/clear signals received */
    uint8_t last_cmd;
    unsigned stop_after; /* the n-th command on ends with unit exception */
    uint8_t rx[16384];   /* what write commands sent the device, in order */
    uint32_t rx_len;
};

struct vh_cp_record {
    uint64_t serial;
    int reason;
    bool host_start_active;
};

struct vh {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_canary *canary; /* low storage, arena edges */
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct subchannel *sch;
    struct vh_dev dev;
    struct zv_vdev *vd; /* our reference; opened */
    uint8_t *guest;     /* VH_GUEST_SIZE bytes at VH_GUEST_IOVA */
    unsigned irqs[ZV_VFIO_CCW_NUM_IRQS];
    struct vh_cp_record freed[64];
    unsigned nfreed;
    unsigned bad_frees; /* freed while the host still ran the start */
};

/* Fails the test if anything touched canary storage since the last
 * check (vh_run checks after every run). */
void vh_assert_isolated(struct vh *h);
/* Everything up to an open device; asserts on failure. */
void vh_setup(struct vh *h);
/* vh_setup, then a 64-byte read (SSCH) that the device holds: the
 * composite is in the start state with the host subchannel busy. */
void vh_setup_busy(struct vh *h);
/* The same host with the subchannel NOT bound (enabled for direct I/O)
 * and the guest buffer mapped in host storage at VH_GUEST_IOVA: the
 * same program bytes run straight on the host CSS, for side-by-side
 * comparisons with the mdev. */
void vh_setup_direct(struct vh *h);
/* SSCH (direct form), run, TSCH into *irb: 0, or -1 if a cc was not 0. */
int vh_direct_run(struct vh *h, const struct orb *orb, struct irb *irb);
/* Build host + bound subchannel only (no mdev). */
void vh_setup_host(struct vh *h);
/* vh_setup_host with a program arena of arena_size bytes. */
void vh_setup_host_arena(struct vh *h, uint64_t arena_size);
/* Another I/O subchannel on the same host, with the scriptable device
 * *dev (initialised here), bound to the driver (no mdev yet). */
struct subchannel *vh_add_subchannel(struct vh *h, struct vh_dev *dev,
                                     uint16_t sch_no, uint16_t devno);
/* vh_setup with the virtual loop seeded with seed (vh_setup: seed 1). */
void vh_setup_seeded(struct vh *h, uint64_t seed);
void vh_create_open(struct vh *h);
/* zv_vdev_open, retried while it answers -EBUSY and the loop has events
 * (a previous instance's quiesce still running). */
int vh_open_retry(struct vh *h);
void vh_teardown(struct vh *h);
/* Run the loop until nothing is left to do. */
void vh_run(struct vh *h);

/* The composite's state name. */
const char *vh_state(struct vh *h);

/* Region helpers; they return the region write/read result. */
/* SSCH of one CCW (cmd, count) at VH_CCW_ADDR, data at VH_DATA_ADDR. */
int vh_ssch(struct vh *h, uint8_t cmd, uint16_t count);
int vh_ssch_orb(struct vh *h, const struct orb *orb);
int vh_async(struct vh *h, uint32_t command);
int vh_hsch(struct vh *h);
int vh_csch(struct vh *h);
/* Read the whole I/O region; decodes the IRB area into *irb. */
int vh_read_irb(struct vh *h, struct irb *irb);
/* Read one CRW from the CRW region (0 if none). */
uint32_t vh_read_crw(struct vh *h);
int vh_read_schib(struct vh *h, struct schib *schib);

/* Device control */
void vh_dev_release(struct vh *h, uint8_t dstat);
void vh_dev_unsolicited(struct vh *h, uint8_t dstat);

/* A guest ORB for the program at VH_CCW_ADDR. */
void vh_orb(struct orb *orb);

#endif
