/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap private declarations shared by the vfio_ap/ files.
 *
 * Division of labour (like Linux's vfio_ap_drv.c / vfio_ap_ops.c, split
 * by concern):
 *  - drv.c: the AP queue driver (probe, remove, in_use, config changed,
 *    scan complete, irq), the matrix parent and mdev create/remove;
 *  - matrix.c: the attributes (parse, format, validate), the filter that
 *    makes the guest matrix (shadow APCB, reference §3) and the hot
 *    plug/unplug flows;
 *  - reset.c: queue reset (ZAPQ, then TAPQ until done) as a table;
 *  - ops.c: the zv_vdev ops and the guest's instruction region.
 *
 * Everything runs on the bus's loop (DESIGN.md principle 2): there is no
 * lock; the kernel's lock order (§6.1) becomes "one event at a time".
 */
#ifndef ZV_VFIO_AP_VFIO_AP_PRIV_H
#define ZV_VFIO_AP_VFIO_AP_PRIV_H

#include "vfio_ap/vfio_ap.h"

#define VAP_NQUEUES 65536u
/* Largest guest message moved through the region (the bus default,
 * TAPQ ml 3 x 4 KiB); a longer NQAP answers RC 15. */
#define VAP_MSG_MAX (12u * 1024)

struct vap_mdev;

enum vap_reset_state {
    VAP_RS_IDLE, /* no reset running */
    VAP_RS_WAIT, /* ZAPQ issued; polling TAPQ every interval */
};

/* A queue as vfio_ap sees it (kernel struct vfio_ap_queue).  Allocated on
 * the first probe of its APQN and kept until the driver is freed, so a
 * reset started at unbind can finish after the queue left the driver. */
struct vap_queue {
    struct zv_vfio_ap *drv;
    struct ap_queue *hq;
    struct vap_mdev *mdev; /* linked: assigned to it and bound */
    uint16_t apqn;
    bool bound;
    /* the outcome of the last reset (§4.1): 0, or the RC that ended it;
     * a queue whose rc is not 00/03/04 is filtered (§8 errata) */
    uint8_t reset_rc;
    /* reset verification */
    enum vap_reset_state rstate;
    bool rezap; /* the ZAPQ was refused (02/05): issue it again */
    unsigned polls;
    zv_timer_id rtimer;
    /* AQIC on behalf of the guest (§4.3) */
    bool irq_on;
    uint64_t saved_nib; /* guest (IOVA) address of the indicator byte */
    uint8_t saved_isc;
};

struct vap_mdev {
    struct vap_mdev *next;
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd;
    char uuid[ZV_MDEV_UUID_LEN + 1];
    struct zv_vfio_ap_matrix matrix; /* assigned */
    struct zv_vfio_ap_matrix shadow; /* guest matrix (shadow APCB) */
    struct zv_vfio_ap_matrix pushed; /* what the attached guest was told */
    struct zv_vfio_ap_matrix add;    /* config adds waiting for the scan */
    unsigned apm_max, aqm_max, adm_max;
    bool attached; /* open: a guest uses the shadow APCB */
    struct zv_vfio_ap_counters cnt;
    uint8_t insn[ZV_AP_INSN_SIZE]; /* the instruction region */
    uint8_t msg[VAP_MSG_MAX];      /* NQAP/DQAP bounce buffer */
};

struct zv_vfio_ap {
    struct ap_bus *bus;
    struct zv_loop *loop;
    struct zv_mdev_bus *mbus;
    struct zv_mdev_parent *parent;
    struct ap_driver apdrv;
    struct ap_config info; /* QCI as of the last notification */
    struct vap_mdev *mdevs;
    uint64_t resets, resets_failed;
    unsigned resets_active;
    /* Per APID, the APQIs whose queue is bound to vfio_ap and whose last
     * reset left it passable: the filter reads 32 bytes per adapter. */
    struct ap_mask usable[AP_MAX_ID + 1];
    struct vap_queue *q[VAP_NQUEUES];
};

/* drv.c */
struct vap_queue *vap_queue_get(const struct zv_vfio_ap *drv, uint16_t apqn);
void vap_queue_update_usable(struct vap_queue *q);
struct vap_mdev *vap_mdev_of(const struct zv_vdev *vd);
/* The mdev whose assigned matrix holds apqn, or NULL. */
struct vap_mdev *vap_mdev_by_apqn(const struct zv_vfio_ap *drv, uint16_t apqn);
void vap_mdev_destroy(struct vap_mdev *m);

/* matrix.c */
void vap_matrix_init(struct vap_mdev *m);
/* Recompute the shadow APCB (§3.2, §3.3).  *filtered gets the APIDs that
 * were plugged before and are dropped now.  Returns whether it changed. */
bool vap_filter(struct vap_mdev *m, struct ap_mask *filtered);
void vap_filter_into(const struct vap_mdev *m, struct zv_vfio_ap_matrix *out);
/* Tell an attached guest about a new shadow (CFG_CHG IRQ). */
void vap_update_guest(struct vap_mdev *m);
/* Filter, update, reset what was dropped: the end of every flow. */
void vap_refresh(struct vap_mdev *m);
/* Link every bound queue of the mdev's assigned matrix. */
void vap_link_all(struct vap_mdev *m);
void vap_unlink_all(struct vap_mdev *m);
/* Flow C (§3.5): a queue is leaving vfio_ap. */
void vap_queue_removed(struct vap_queue *q);
/* Flow A: a queue came to vfio_ap. */
void vap_queue_probed(struct vap_queue *q);
/* Flows D/E */
void vap_cfg_changed(struct zv_vfio_ap *drv, const struct ap_config *cur,
                     const struct ap_config *prev);
void vap_scan_complete(struct zv_vfio_ap *drv);
int vap_in_use(const struct zv_vfio_ap *drv, const struct ap_mask *apm,
               const struct ap_mask *aqm);

/* reset.c */
/* ZAPQ now, verify with TAPQ from loop timers.  A queue already being
 * reset gets one more ZAPQ when that verification ends. */
void vap_reset_queue(struct vap_queue *q);
/* Every linked queue of m; -EIO if any ZAPQ was refused outright. */
int vap_reset_mdev(struct vap_mdev *m);
void vap_reset_cancel(struct vap_queue *q);
/* For the table walk in tests: the action after phase 0 (ZAPQ) or 1
 * (TAPQ) answered rc: 0 poll, 1 poll then ZAPQ again, 2 done (status 00),
 * 3 end keeping rc, 4 fail. */
int vap_reset_table_action(unsigned phase, uint8_t rc);
static inline bool
vap_rc_passable(uint8_t rc)
{
    return rc == AP_RC_NORMAL || rc == AP_RC_DECONFIGURED ||
           rc == AP_RC_CHECKSTOPPED;
}

/* ops.c */
extern const struct zv_vdev_ops vap_vdev_ops;
void vap_queue_irq(struct vap_queue *q);
void vap_aqic_drop(struct vap_queue *q);

#endif
