/* SPDX-License-Identifier: MIT */
/*
 * ap private declarations shared by the ap/ files.
 *
 * Division of labour:
 *  - mask.c: the sysfs mask syntax (masks and the architected codecs --
 *    QCI block, APQSW, PQAP operands, TAPQ info -- are arch/ap.c's);
 *  - bus.c: adapters, the machine's configuration and the bus's view of
 *    it (scan), drivers, apmask/aqmask ownership, probe/remove;
 *  - queue.c: the AP queue (requests, replies, reset, interruptions) and
 *    the AP instructions;
 *  - cex_accel.c: the accelerator card model (its type-50/80/82/88
 *    messages are arch/ap_msg.c's).
 *
 * Two configurations exist on purpose: bus->cur is the machine's (what
 * QCI and the instructions answer from, changed at once), bus->seen is
 * the bus's view as of its last scan (which queue devices exist).  The
 * gap between them is the window Linux's AP bus has between a change and
 * its next scan.
 */
#ifndef ZV_AP_AP_PRIV_H
#define ZV_AP_AP_PRIV_H

#include "ap/ap.h"

#define AP_MAX_DRIVERS     8
#define AP_DEFAULT_MAX_MSG (12 * 1024)
#define AP_DEFAULT_LAT_NS  (20 * ZV_NSEC_PER_USEC)

/* A request or a reply held by a queue. */
struct ap_msg {
    struct ap_msg *next;
    uint64_t psmid;
    size_t len;
    size_t off; /* reply bytes already dequeued (partial DQAP) */
    uint8_t data[];
};

struct ap_msg_list {
    struct ap_msg *head, *tail;
    unsigned n;
};

struct ap_adapter;

struct ap_queue {
    struct ap_bus *bus;
    struct ap_adapter *adapter;
    const struct ap_driver *drv;
    void *drvdata;
    struct ap_msg_list reqs; /* head is the one the card works on */
    struct ap_msg_list reps;
    zv_timer_id work_timer;
    zv_timer_id reset_timer;
    zv_timer_id irq_timer;
    uint64_t nib;
    uint64_t enqueued, dequeued, discarded;
    unsigned busy_inject;
    uint16_t apqn;
    uint8_t isc;
    bool present; /* a queue device (bus view) */
    bool resetting;
    bool irq_on;
};

struct ap_adapter {
    struct ap_bus *bus;
    struct ap_adapter_desc desc;
    enum ap_adapter_state state;
    struct ap_queue *q[AP_MAX_ID + 1]; /* allocated on first use */
};

struct ap_bus {
    struct zv_loop *loop;
    struct ap_bus_config cfg;
    struct ap_adapter *adapters[AP_MAX_ID + 1];
    struct ap_config cur;  /* the machine's configuration */
    struct ap_config seen; /* as of the last scan */
    struct ap_mask apmask, aqmask;
    const struct ap_driver *drivers[AP_MAX_DRIVERS];
    unsigned ndrivers;
    zv_timer_id scan_timer;
    uint64_t scans;
};

/* queue.c */
struct ap_queue *ap_queue_get_or_alloc(struct ap_bus *bus, uint16_t apqn);
/* Drop requests and replies, disable interruptions, cancel card work. */
void ap_queue_flush(struct ap_queue *q);
void ap_queue_destroy(struct ap_queue *q);

#endif
