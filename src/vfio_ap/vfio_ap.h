/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap: the vfio-ap mediated-device driver over the host AP bus
 * (reference/vfio-ap.md §2-§4, docs/ap.md; DESIGN.md principles 2, 7).
 *
 * One struct zv_vfio_ap per host AP bus is the "module": it registers the
 * AP queue driver "vfio_ap" (bound to the queues apmask/aqmask give away
 * from the host), the matrix device "matrix" as the mdev parent with its
 * one type "vfio_ap-passthrough", and keeps every matrix mdev's assigned
 * matrix and its guest matrix (shadow APCB, §3).
 *
 * The sysfs attributes of an mdev are served by name with the kernel's
 * text formats and errnos (zv_vfio_ap_attr_store/show).  The guest reaches
 * its queues through the instruction region (docs/ap.md), which
 * plays the firmware: every AP instruction is checked against the guest
 * APCB before it reaches the bus.
 */
#ifndef ZV_VFIO_AP_VFIO_AP_H
#define ZV_VFIO_AP_VFIO_AP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ap/ap.h"
#include "vfio/mdev.h"
#include "vfio/vdev.h"

struct zv_vfio_ap;

#define ZV_VFIO_AP_DRIVER  "vfio_ap"
#define ZV_VFIO_AP_PARENT  "matrix"
#define ZV_VFIO_AP_TYPE_ID "vfio_ap-passthrough"
/* asm/zcrypt.h MAX_ZDEV_ENTRIES_EXT: 256 cards x 256 domains */
#define ZV_VFIO_AP_MAX_INSTANCES 65536u

/* Reset verification (reference §4.1): TAPQ every 20 ms; our bound on the
 * wait (the kernel has none since dd174833e44e): after this many polls
 * the reset is declared failed and the queue's adapter filtered. */
#define ZV_VFIO_AP_RESET_INTERVAL_NS (20ull * 1000 * 1000)
#define ZV_VFIO_AP_RESET_MAX_POLLS   50u

/* bus: the host AP bus (not owned); mbus: where "matrix" is registered
 * (not owned).  Registers the AP driver: every unreserved queue of a
 * CEX4+ adapter is probed at once.  NULL on failure. */
struct zv_vfio_ap *zv_vfio_ap_new(struct ap_bus *bus, struct zv_mdev_bus *mbus);
/* Removes every mdev, unregisters the driver and the parent. */
void zv_vfio_ap_free(struct zv_vfio_ap *drv);
struct zv_mdev_parent *zv_vfio_ap_parent(const struct zv_vfio_ap *drv);
/* The AP driver, for ap_queue_bind() (the driver's sysfs bind file). */
const struct ap_driver *zv_vfio_ap_ap_driver(const struct zv_vfio_ap *drv);

/*
 * Matrix mdev attributes by name (reference §2.4, §2.5):
 *  store: assign_adapter, unassign_adapter, assign_domain,
 *         unassign_domain, assign_control_domain, unassign_control_domain,
 *         ap_config.  Returns count or -EINVAL (not a number / bad
 *         ap_config), -ERANGE (number overflows, as kstrtoul), -ENODEV (ID
 *         above its maximum), -EADDRNOTAVAIL (an APQN of the new matrix is
 *         reserved for the host), -EADDRINUSE (an APQN of the new matrix is
 *         assigned to another mdev), -ENOENT (no such attribute), -EACCES
 *         (a read-only attribute).  On error nothing changes.
 *  show:  matrix, guest_matrix, control_domains, ap_config.  Writes at
 *         most size bytes (NUL-terminated if size > 0) and returns the
 *         full length, like snprintf; -ENOENT, -EACCES (write-only).
 */
ssize_t zv_vfio_ap_attr_store(struct zv_vdev *vd, const char *name,
                              const char *buf, size_t count);
ssize_t zv_vfio_ap_attr_show(const struct zv_vdev *vd, const char *name,
                             char *buf, size_t size);

/* The per-queue sysfs "status": "in use" (in an mdev whose guest is
 * attached, and in its guest matrix), "assigned", "unassigned"; NULL if
 * the queue is not bound to vfio_ap. */
const char *zv_vfio_ap_queue_status(const struct zv_vfio_ap *drv,
                                    uint16_t apqn);

/*
 * The device (docs/ap.md "The guest AP path"): flags AP | RESET, device
 * API "vfio-ap", the kernel's IRQs plus our NIB IRQ and the instruction
 * region; their indices and the region's layout are in vfio/uapi.h
 * (ZV_VFIO_AP_*, ZV_AP_INSN_*), where a guest-side client finds them.
 */

/* ---- test and simulator hooks ---- */

struct zv_vfio_ap_matrix {
    struct ap_mask apm, aqm, adm;
};
/* assigned: the mdev's matrix; guest: its shadow APCB.  -EINVAL if vd is
 * not a vfio_ap device.  Either pointer may be NULL. */
int zv_vfio_ap_get_matrix(const struct zv_vdev *vd,
                          struct zv_vfio_ap_matrix *assigned,
                          struct zv_vfio_ap_matrix *guest);
/* Is apqn bound to vfio_ap with a passable reset status? */
bool zv_vfio_ap_queue_usable(const struct zv_vfio_ap *drv, uint16_t apqn);
/* The driver's copy of the host configuration (last notification). */
void zv_vfio_ap_host_config(const struct zv_vfio_ap *drv,
                            struct ap_config *out);

struct zv_vfio_ap_counters {
    uint64_t apcb_updates;   /* guest matrix changes while attached */
    uint64_t cfg_chg_irqs;   /* configuration-change IRQs signalled */
    uint64_t resets;         /* queue resets started */
    uint64_t resets_failed;  /* ended with an error or timed out */
    uint64_t guest_insns;    /* instructions interpreted */
    uint64_t guest_rejected; /* answered RC 01: outside the guest APCB */
    unsigned resets_active;  /* resets not yet verified */
};
int zv_vfio_ap_counters(const struct zv_vdev *vd,
                        struct zv_vfio_ap_counters *out);

/* Recompute the guest matrix of vd from scratch (the filter of §3.2)
 * without changing anything; for the benchmark and the invariants. */
int zv_vfio_ap_filter_preview(const struct zv_vdev *vd,
                              struct zv_vfio_ap_matrix *out);

#endif
