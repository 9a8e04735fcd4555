/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw/fsm: the composite subchannel (DESIGN.md principle 3).
 *
 * One [state][event] table, every cell an explicit action; only actions
 * write p->state; one dispatcher traces every event.  The open states are
 * the function control of the composite subchannel (host subchannel +
 * mediator) as the PoP defines it (css-pop.md §3, §4.1-4.4):
 *  - SSCH gets cc 2 (-EBUSY) while a start, halt or clear function is in
 *    progress and cc 1 (-EBUSY) while status is pending, without touching
 *    the host;
 *  - HSCH gets cc 2 while a halt or clear is in progress and cc 1 while
 *    final or alert status is pending;
 *  - CSCH is always accepted and supersedes start and halt;
 *  - the program is freed exactly once: at the final status of its start
 *    (or of the halt that ended it), when the clear completed, when SSCH
 *    failed, on quiesce, or when the subchannel vanished.  Because no SSCH
 *    is accepted while any function is in progress, the program freed is
 *    always the one whose function ended (the 2020 race of threads/000
 *    cannot happen).
 * Built with ZV_REGRESS_2020 the table of 2020 is used instead (see the
 * end of this file).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfio_ccw/vfio_ccw_priv.h"

typedef int (*vccw_action)(struct vccw_private *p,
                           const struct vccw_ev_arg *arg);

/* Actions only the architected table uses (the 2020 table has its own). */
#ifdef ZV_REGRESS_2020
#define VCCW_ARCH_ONLY __attribute__((unused))
#else
#define VCCW_ARCH_ONLY
#endif

static const char *const state_names[VCCW_NR_STATES] = {
    [VCCW_NOT_OPER] = "not-oper", [VCCW_CLOSED] = "closed",
    [VCCW_IDLE] = "idle",         [VCCW_STATUS_PENDING] = "status-pending",
    [VCCW_START] = "start",       [VCCW_HALT] = "halt",
    [VCCW_CLEAR] = "clear",
};

static const char *const event_names[VCCW_NR_EVENTS] = {
    [VCCW_EV_OPEN] = "open",
    [VCCW_EV_CLOSE] = "close",
    [VCCW_EV_NOT_OPER] = "not-oper",
    [VCCW_EV_SSCH] = "ssch",
    [VCCW_EV_HSCH] = "hsch",
    [VCCW_EV_CSCH] = "csch",
    [VCCW_EV_IRQ_UNSOL] = "irq-unsolicited",
    [VCCW_EV_IRQ_INTERM] = "irq-intermediate",
    [VCCW_EV_IRQ_FINAL] = "irq-final",
    [VCCW_EV_IRQ_QUIESCED] = "irq-quiesced",
    [VCCW_EV_IRQ_STALE] = "irq-stale",
    [VCCW_EV_IRB_READ] = "irb-read",
};

const char *
vccw_state_name(enum vccw_state s)
{
    return s < VCCW_NR_STATES ? state_names[s] : "?";
}

const char *
vccw_event_name(enum vccw_event e)
{
    return e < VCCW_NR_EVENTS ? event_names[e] : "?";
}

/* ---- host helpers ---- */

static bool
host_start_active(struct vccw_private *p)
{
    struct schib schib;

    if (!p->sch || css_sch_stsch(p->sch, &schib).cc != ZV_CC0)
        return false;
    return schib.scsw.fctl & SCSW_FCTL_START;
}

/* MSCH with E set or reset (PoP: Modify Subchannel; ISC and interruption
 * parameter are set with E).  Returns the cc, or cc 3 when gone. */
static enum zv_cc
host_enable(struct vccw_private *p, bool ena)
{
    struct schib schib;
    struct zv_insn_rc rc;

    if (!p->sch)
        return ZV_CC3;
    rc = css_sch_stsch(p->sch, &schib);
    if (rc.pic != ZV_PIC_NONE || rc.cc != ZV_CC0)
        return ZV_CC3;
    schib.pmcw.ena = ena;
    schib.pmcw.isc = ZV_VFIO_CCW_ISC;
    schib.pmcw.intparm = css_sch_no(p->sch);
    /* Concurrent sense (PMCW S), as Linux sets for I/O subchannels: the
     * sense bytes arrive in the IRB's ECW for the client.  Without the
     * facility MSCH has an operand exception: go on without. */
    schib.pmcw.csense = true;
    rc = css_sch_msch(p->sch, &schib);
    if (rc.pic == ZV_PIC_OPERAND) {
        schib.pmcw.csense = false;
        rc = css_sch_msch(p->sch, &schib);
    }
    if (rc.pic != ZV_PIC_NONE)
        return ZV_CC3;
    if (rc.cc == ZV_CC0)
        p->host_enabled = ena;
    return rc.cc;
}

void
vccw_free_cp(struct vccw_private *p, enum zv_vfio_ccw_free_reason reason)
{
    struct zv_vfio_ccw_cp_event ev;

    if (!p->cp)
        return;
    ev.sch_no = p->sch ? css_sch_no(p->sch) : 0;
    ev.serial = p->cp_serial;
    ev.reason = reason;
    /* The extra STSCH is for the observer's invariant only. */
    ev.host_start_active = p->drv->obs.cp_freed && host_start_active(p);
    cp_free(p->cp);
    p->cp = NULL;
    p->cnt.cp_freed++;
    p->cnt.cp_live = 0;
    /* Traced with the event that freed it (one line per event). */
    p->freed_serial = ev.serial;
    p->freed_reason = reason;
    if (p->drv->obs.cp_freed)
        p->drv->obs.cp_freed(p->drv->obs.arg, &ev);
}

/*
 * Stop whatever the host runs for us: CLEAR SUBCHANNEL supersedes start
 * and halt (PoP CSCH; css-pop.md §4.4); after cc 0 the program is ended
 * and no longer fetched, so it is freed now.  The completion interruption
 * is ours (quiesce_pending) and never reaches the client.
 */
void
vccw_quiesce(struct vccw_private *p)
{
    if (p->sch && css_sch_csch(p->sch).cc == ZV_CC0)
        p->quiesce_pending = true;
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_QUIESCE);
    vccw_irbq_flush(p);
}

static bool
function_in_progress(enum vccw_state s)
{
    return s == VCCW_START || s == VCCW_HALT || s == VCCW_CLEAR;
}

/* ---- classification of host interruptions ---- */

enum vccw_event
vccw_irq_classify(const struct vccw_private *p, const struct irb *irb)
{
    const struct scsw *s = &irb->scsw;
    const uint8_t busy =
        SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE | SCSW_ACTL_SUSPENDED;

    if (p->quiesce_pending && (s->fctl & SCSW_FCTL_CLEAR))
        return VCCW_EV_IRQ_QUIESCED;
    /* Unsolicited: no function (alert status alone, PoP "Status
     * Control"). */
    if (s->fctl == 0 || !scsw_is_solicited(s))
        return VCCW_EV_IRQ_UNSOL;
    /* Still subchannel- or device-active, or suspended: the function goes
     * on (intermediate status, e.g. PCI, or CE before DE). */
    if (s->actl & busy)
        return VCCW_EV_IRQ_INTERM;
    if (s->stctl & (SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_ALERT))
        return VCCW_EV_IRQ_FINAL;
    /* Halt and clear complete with status pending alone (§4.3, §4.4). */
    if (s->fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR))
        return VCCW_EV_IRQ_FINAL;
    return VCCW_EV_IRQ_INTERM;
}

/* ---- actions ---- */

static int
a_nop(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    return 0;
}

static int
a_nodev(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    return -ENODEV;
}

/* A request on a device nobody opened (not reachable through the vdev,
 * which answers -EBADF first; kept for the explorer). */
static int
a_not_open(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    return -EIO;
}

static int
a_busy(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    return -EBUSY;
}

static int
a_open(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    enum zv_cc cc;

    /* What the host handed over before this session (e.g. the completion
     * of a previous instance's quiesce) is not the client's. */
    vccw_hirb_mark_stale(p);

    /* A disable that never completed (quiesce still running): the host
     * subchannel is still ours and enabled. */
    if (p->host_enabled) {
        p->state = VCCW_IDLE;
        return 0;
    }
    cc = host_enable(p, true);
    if (cc == ZV_CC1 && p->sch) {
        /* Status left pending from before this instance (a previous
         * binding): not the client's; TSCH discards it (PoP: TSCH clears
         * status pending), then MSCH again. */
        struct irb stale;

        css_sch_tsch(p->sch, &stale);
        cc = host_enable(p, true);
    }
    if (cc == ZV_CC0) {
        p->state = VCCW_IDLE;
        return 0;
    }
    if (cc == ZV_CC3) {
        p->state = VCCW_NOT_OPER;
        return -ENODEV;
    }
    /* cc 2: a function still runs, e.g. the quiesce of a removed previous
     * instance; its completion goes to nobody.  The client retries. */
    return cc == ZV_CC2 ? -EBUSY : -EIO;
}

static void
close_common(struct vccw_private *p)
{
    /* Nothing the host reported for this session reaches the next one. */
    vccw_hirb_mark_stale(p);
    if (function_in_progress(p->state))
        vccw_quiesce(p);
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_QUIESCE);
    vccw_irbq_flush(p);
    vccw_crwq_flush(p);
    /* cc 1/2 (status or our clear still pending): retried when the
     * interruption comes (a_irq_closed). */
    host_enable(p, false);
    p->state = VCCW_CLOSED;
}

static int
a_close(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    close_common(p);
    return 0;
}

/* The subchannel is gone (vfio-ccw.md §6.3): running I/O was ended by the
 * host; the program dies here, the client is asked to let go (REQ) and
 * told to look (IO: its read answers -ENODEV, QEMU's deferred cc 3). */
static int
a_notoper(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_NOT_OPER);
    vccw_irbq_flush(p);
    p->host_enabled = false;
    p->state = VCCW_NOT_OPER;
    vccw_kick(p, ZV_VFIO_CCW_IO_IRQ_INDEX);
    vccw_kick(p, ZV_VFIO_CCW_REQ_IRQ_INDEX);
    return 0;
}

static int
a_notoper_closed(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    p->host_enabled = false;
    p->state = VCCW_NOT_OPER;
    return 0;
}

static int
ssch_cc3(struct vccw_private *p, uint8_t tried)
{
    struct schib schib;

    /* Like Linux cio_start_key (css-pop.md §4.1): forget the paths tried;
     * remember them for the client's SCHIB view (POM/PNOM, N). */
    p->pno |= tried;
    p->pnom = tried;
    if (!p->sch || css_sch_stsch(p->sch, &schib).cc != ZV_CC0)
        return -ENODEV;
    return (vccw_lpm(p) & schib.pmcw.pim) ? -EACCES : -ENODEV;
}

static int
a_ssch(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct cp_env env;
    struct orb horb;
    struct cp *cp;
    struct zv_insn_rc rc;
    uint8_t lpm;
    int ret;

    if (arg->orb->b)
        return -EOPNOTSUPP; /* transport mode (vfio-ccw.md §2.4.1) */
    /* Guest LPM 0 means "the paths the host allows" (kernel cp_get_orb);
     * no usable path: nothing to translate. */
    lpm = (arg->orb->lpm ? arg->orb->lpm : 0xFF) & vccw_lpm(p);
    if (!lpm)
        return -EACCES;
    if (!p->arena)
        return -ENODEV;
    vccw_cp_env(p, &env);
    /* Built in the device's own share of the arena (drv.c). */
    env.host = p->arena;
    ret = cp_translate(&env, arg->orb, &cp, &horb);
    if (ret)
        return ret;
    p->cp = cp;
    p->cp_serial = ++p->next_serial;
    p->cnt.cp_translated++;
    p->cnt.cp_live = 1;
    horb.lpm = lpm;
    rc = css_sch_ssch(p->sch, &horb);
    if (rc.pic == ZV_PIC_NONE && rc.cc == ZV_CC0) {
        p->ssch_ns = zv_loop_now(p->loop);
        p->pnom = 0; /* PNOM is reset when a start begins (§6.1) */
        p->state = VCCW_START;
        return 0;
    }
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_SSCH_FAILED);
    if (rc.pic != ZV_PIC_NONE)
        return -EIO;
    if (rc.cc == ZV_CC3)
        return ssch_cc3(p, horb.lpm);
    return -EBUSY; /* cc 1 status pending, cc 2 busy at the host */
}

static int
a_hsch(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct zv_insn_rc rc = css_sch_hsch(p->sch);

    if (rc.pic != ZV_PIC_NONE)
        return -EIO;
    switch (rc.cc) {
    case ZV_CC0:
        p->state = VCCW_HALT;
        return 0;
    case ZV_CC3:
        return -ENODEV;
    default:
        return -EBUSY;
    }
}

VCCW_ARCH_ONLY static int
a_csch(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct zv_insn_rc rc = css_sch_csch(p->sch);

    if (rc.pic != ZV_PIC_NONE)
        return -EIO;
    if (rc.cc == ZV_CC3)
        return -ENODEV;
    if (rc.cc != ZV_CC0)
        return -EIO; /* CSCH has no cc 1 or 2 (§4.4) */
    /* The clear discards pending status (§4.4 step 1): what we queued
     * and what the host handed over but we did not process yet; its
     * completion now belongs to the client, even if we had one
     * outstanding. */
    vccw_irbq_flush(p);
    vccw_hirb_mark_stale(p);
    p->quiesce_pending = false;
    p->state = VCCW_CLEAR;
    return 0;
}

/* Not open: nothing to forward to; finish a pending disable. */
static int
a_irq_closed(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    if (p->host_enabled)
        host_enable(p, false);
    return 0;
}

static int
a_irq_drop(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    return 0;
}

static int
a_irq_quiesced(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    p->quiesce_pending = false;
    if (p->state == VCCW_CLOSED && p->host_enabled)
        host_enable(p, false);
    return 0;
}

static void
queue_status(struct vccw_private *p, const struct irb *irb)
{
    vccw_irbq_push(p, irb);
    vccw_kick(p, ZV_VFIO_CCW_IO_IRQ_INDEX);
}

/* Unsolicited or intermediate status: forwarded, function state unchanged
 * (vfio-ccw.md §2.6); an idle composite becomes status pending. */
static int
a_irq_queue(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb = *arg->irb;

    if (p->cp && scsw_is_solicited(&irb.scsw))
        cp_update_scsw(p->cp, &irb.scsw);
    queue_status(p, &irb);
    if (p->state == VCCW_IDLE)
        p->state = VCCW_STATUS_PENDING;
    return 0;
}

static struct irb
final_irb(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb = *arg->irb;

    if (p->cp)
        cp_update_scsw(p->cp, &irb.scsw);
    return irb;
}

/* Final status with no function of ours in progress (e.g. a halt the
 * host issued on its own): forwarded. */
VCCW_ARCH_ONLY static int
a_final_stray(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    queue_status(p, arg->irb);
    p->state = VCCW_STATUS_PENDING;
    return 0;
}

unsigned
zv_vfio_ccw_lat_bucket(uint64_t ns)
{
    uint64_t us = ns / 1000;
    unsigned k = 0;

    while (us && k < ZV_VFIO_CCW_LAT_BUCKETS - 1) {
        us >>= 1;
        k++;
    }
    return k;
}

VCCW_ARCH_ONLY static void
lat_record(struct vccw_private *p)
{
    struct zv_vfio_ccw_latency *l = &p->cnt.lat;
    uint64_t ns = zv_loop_now(p->loop) - p->ssch_ns;

    l->count++;
    l->sum_ns += ns;
    l->max_ns = ns > l->max_ns ? ns : l->max_ns;
    l->bucket[zv_vfio_ccw_lat_bucket(ns)]++;
}

VCCW_ARCH_ONLY static int
a_final_start(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb = final_irb(p, arg);

    if (p->cp)
        lat_record(p);
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_START_ENDED);
    queue_status(p, &irb);
    p->state = VCCW_STATUS_PENDING;
    return 0;
}

/* In HALT: status with FC halt ends the halt and the start it stopped;
 * a start's final status that crossed our HSCH ends only the start. */
VCCW_ARCH_ONLY static int
a_final_halt(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb = final_irb(p, arg);

    vccw_free_cp(p, ZV_VFIO_CCW_FREE_START_ENDED);
    queue_status(p, &irb);
    if (arg->irb->scsw.fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR))
        p->state = VCCW_STATUS_PENDING;
    return 0;
}

/* In CLEAR: only the clear's completion ends the state; a start's status
 * that crossed our CSCH is discarded as the clear discards pending status
 * (§4.4), but its program is freed since its start ended. */
VCCW_ARCH_ONLY static int
a_final_clear(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    if (!(arg->irb->scsw.fctl & SCSW_FCTL_CLEAR)) {
        vccw_free_cp(p, ZV_VFIO_CCW_FREE_START_ENDED);
        return 0;
    }
    vccw_free_cp(p, ZV_VFIO_CCW_FREE_CLEARED);
    queue_status(p, arg->irb);
    p->state = VCCW_STATUS_PENDING;
    return 0;
}

/* Status older than the client's latest CSCH: discarded.  If it is the
 * final status of the start the clear superseded, that start did end:
 * its program goes (only in CLEAR: in any later state the live program
 * is a newer one). */
VCCW_ARCH_ONLY static int
a_irq_stale(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    if (p->state == VCCW_CLEAR &&
        vccw_irq_classify(p, arg->irb) == VCCW_EV_IRQ_FINAL &&
        !(arg->irb->scsw.fctl & SCSW_FCTL_CLEAR))
        vccw_free_cp(p, ZV_VFIO_CCW_FREE_START_ENDED);
    return 0;
}

/* The client read the IRB area: the head of the queue is stored there
 * (TSCH-like: consumed), the IO IRQ re-signalled if more is queued. */
static int
a_irb_read(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb;
    uint8_t *area = p->io + ZV_CCW_IO_IRB_OFF;

    /* A status is signalled before a read takes it: an IO kick still
     * posted goes out now.  So every status a read returns had its own
     * interrupt first, and one left queued gets another after the read,
     * a client that reads ahead of the eventfd (chan_vfu's SSCH) can
     * count interrupts against the statuses it took. */
    if (p->irbq_len)
        vccw_kick_now(p, ZV_VFIO_CCW_IO_IRQ_INDEX);
    if (vccw_irbq_pop(p, &irb))
        irb_encode(&irb, area);
    else
        memset(area, 0, ZV_CCW_IO_IRB_SIZE);
    if (p->irbq_len)
        vccw_kick(p, ZV_VFIO_CCW_IO_IRQ_INDEX);
    else if (p->state == VCCW_STATUS_PENDING)
        p->state = VCCW_IDLE;
    return 0;
}

#ifndef ZV_REGRESS_2020

/* clang-format off */
static const vccw_action vccw_fsm[VCCW_NR_STATES][VCCW_NR_EVENTS] = {
    [VCCW_NOT_OPER] = {
        [VCCW_EV_OPEN] = a_nodev,       [VCCW_EV_CLOSE] = a_nop,
        [VCCW_EV_NOT_OPER] = a_nop,     [VCCW_EV_SSCH] = a_nodev,
        [VCCW_EV_HSCH] = a_nodev,       [VCCW_EV_CSCH] = a_nodev,
        [VCCW_EV_IRQ_UNSOL] = a_irq_drop,
        [VCCW_EV_IRQ_INTERM] = a_irq_drop,
        [VCCW_EV_IRQ_FINAL] = a_irq_drop,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_drop,
        [VCCW_EV_IRB_READ] = a_nodev,
    },
    [VCCW_CLOSED] = {
        [VCCW_EV_OPEN] = a_open,        [VCCW_EV_CLOSE] = a_nop,
        [VCCW_EV_NOT_OPER] = a_notoper_closed,
        [VCCW_EV_SSCH] = a_not_open,    [VCCW_EV_HSCH] = a_not_open,
        [VCCW_EV_CSCH] = a_not_open,
        [VCCW_EV_IRQ_UNSOL] = a_irq_closed,
        [VCCW_EV_IRQ_INTERM] = a_irq_closed,
        [VCCW_EV_IRQ_FINAL] = a_irq_closed,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_closed,
        [VCCW_EV_IRB_READ] = a_not_open,
    },
    [VCCW_IDLE] = {
        [VCCW_EV_OPEN] = a_busy,        [VCCW_EV_CLOSE] = a_close,
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = a_ssch,
        [VCCW_EV_HSCH] = a_hsch,        [VCCW_EV_CSCH] = a_csch,
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue,
        [VCCW_EV_IRQ_INTERM] = a_irq_queue,
        [VCCW_EV_IRQ_FINAL] = a_final_stray,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_stale,
        [VCCW_EV_IRB_READ] = a_irb_read,
    },
    [VCCW_STATUS_PENDING] = {
        [VCCW_EV_OPEN] = a_busy,        [VCCW_EV_CLOSE] = a_close,
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = a_busy,
        [VCCW_EV_HSCH] = a_busy,        [VCCW_EV_CSCH] = a_csch,
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue,
        [VCCW_EV_IRQ_INTERM] = a_irq_queue,
        [VCCW_EV_IRQ_FINAL] = a_final_stray,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_stale,
        [VCCW_EV_IRB_READ] = a_irb_read,
    },
    [VCCW_START] = {
        [VCCW_EV_OPEN] = a_busy,        [VCCW_EV_CLOSE] = a_close,
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = a_busy,
        [VCCW_EV_HSCH] = a_hsch,        [VCCW_EV_CSCH] = a_csch,
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue,
        [VCCW_EV_IRQ_INTERM] = a_irq_queue,
        [VCCW_EV_IRQ_FINAL] = a_final_start,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_stale,
        [VCCW_EV_IRB_READ] = a_irb_read,
    },
    [VCCW_HALT] = {
        [VCCW_EV_OPEN] = a_busy,        [VCCW_EV_CLOSE] = a_close,
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = a_busy,
        [VCCW_EV_HSCH] = a_busy,        [VCCW_EV_CSCH] = a_csch,
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue,
        [VCCW_EV_IRQ_INTERM] = a_irq_queue,
        [VCCW_EV_IRQ_FINAL] = a_final_halt,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_stale,
        [VCCW_EV_IRB_READ] = a_irb_read,
    },
    [VCCW_CLEAR] = {
        [VCCW_EV_OPEN] = a_busy,        [VCCW_EV_CLOSE] = a_close,
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = a_busy,
        [VCCW_EV_HSCH] = a_busy,        [VCCW_EV_CSCH] = a_csch,
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue,
        [VCCW_EV_IRQ_INTERM] = a_irq_queue,
        [VCCW_EV_IRQ_FINAL] = a_final_clear,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_stale,
        [VCCW_EV_IRB_READ] = a_irb_read,
    },
};
/* clang-format on */

#else /* ZV_REGRESS_2020 */

/*
 * The 2020 behaviour (vfio-ccw.md §2.7, threads/000), kept so the
 * explorer can prove it finds the bug: no halt/clear tracking (HSCH and
 * CSCH leave the state alone), SSCH accepted whenever no program is
 * live, and ANY final interruption frees the live program, whichever
 * function it belongs to.
 */
static int
r_hsch(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    enum vccw_state s = p->state;
    int rc = a_hsch(p, arg);

    p->state = s;
    return rc;
}

static int
r_csch(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    enum vccw_state s = p->state;
    struct zv_insn_rc rc = css_sch_csch(p->sch);

    p->state = s;
    if (rc.pic != ZV_PIC_NONE)
        return -EIO;
    return rc.cc == ZV_CC3 ? -ENODEV : 0;
}

static int
r_final_any(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    struct irb irb = final_irb(p, arg);

    vccw_free_cp(p, ZV_VFIO_CCW_FREE_START_ENDED);
    queue_status(p, &irb);
    p->state = VCCW_STATUS_PENDING;
    return 0;
}

/* 2020 had no notion of stale status: it is handled as it comes. */
static int
r_irq_stale(struct vccw_private *p, const struct vccw_ev_arg *arg)
{
    if (vccw_irq_classify(p, arg->irb) == VCCW_EV_IRQ_FINAL)
        return r_final_any(p, arg);
    return a_irq_queue(p, arg);
}

#define R_OPEN_ROW(ssch_action)                                                \
    {                                                                          \
        [VCCW_EV_OPEN] = a_busy, [VCCW_EV_CLOSE] = a_close,                    \
        [VCCW_EV_NOT_OPER] = a_notoper, [VCCW_EV_SSCH] = ssch_action,          \
        [VCCW_EV_HSCH] = r_hsch, [VCCW_EV_CSCH] = r_csch,                      \
        [VCCW_EV_IRQ_UNSOL] = a_irq_queue, [VCCW_EV_IRQ_INTERM] = a_irq_queue, \
        [VCCW_EV_IRQ_FINAL] = r_final_any,                                     \
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,                               \
        [VCCW_EV_IRQ_STALE] = r_irq_stale, [VCCW_EV_IRB_READ] = a_irb_read,    \
    }

/* clang-format off */
static const vccw_action vccw_fsm[VCCW_NR_STATES][VCCW_NR_EVENTS] = {
    [VCCW_NOT_OPER] = {
        [VCCW_EV_OPEN] = a_nodev,       [VCCW_EV_CLOSE] = a_nop,
        [VCCW_EV_NOT_OPER] = a_nop,     [VCCW_EV_SSCH] = a_nodev,
        [VCCW_EV_HSCH] = a_nodev,       [VCCW_EV_CSCH] = a_nodev,
        [VCCW_EV_IRQ_UNSOL] = a_irq_drop,
        [VCCW_EV_IRQ_INTERM] = a_irq_drop,
        [VCCW_EV_IRQ_FINAL] = a_irq_drop,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_drop,
        [VCCW_EV_IRB_READ] = a_nodev,
    },
    [VCCW_CLOSED] = {
        [VCCW_EV_OPEN] = a_open,        [VCCW_EV_CLOSE] = a_nop,
        [VCCW_EV_NOT_OPER] = a_notoper_closed,
        [VCCW_EV_SSCH] = a_not_open,    [VCCW_EV_HSCH] = a_not_open,
        [VCCW_EV_CSCH] = a_not_open,
        [VCCW_EV_IRQ_UNSOL] = a_irq_closed,
        [VCCW_EV_IRQ_INTERM] = a_irq_closed,
        [VCCW_EV_IRQ_FINAL] = a_irq_closed,
        [VCCW_EV_IRQ_QUIESCED] = a_irq_quiesced,
        [VCCW_EV_IRQ_STALE] = a_irq_closed,
        [VCCW_EV_IRB_READ] = a_not_open,
    },
    [VCCW_IDLE] = R_OPEN_ROW(a_ssch),
    [VCCW_STATUS_PENDING] = R_OPEN_ROW(a_ssch),
    [VCCW_START] = R_OPEN_ROW(a_busy),
    [VCCW_HALT] = R_OPEN_ROW(a_ssch),
    [VCCW_CLEAR] = R_OPEN_ROW(a_ssch),
};
/* clang-format on */

#endif /* ZV_REGRESS_2020 */

/*
 * One binary trace record per event (the loop hashes the operands; text
 * is made only for a trace sink), so tracing every event stays cheap on
 * the I/O path (bench/vfio_ccw).
 *  a: bits 0-15 subchannel number, 16-23 state before, 24-31 event,
 *     32-63 the action's return code (two's complement);
 *  b: bits 0-47 serial of the program freed by the event (0: none),
 *     48-55 free reason, 56-63 state after.
 * Text: "vccw 0100 idle ssch -> start 0", with ", cp 7 freed 0" appended
 * when the event freed a program.
 */
#define TRACE_SERIAL_MASK ((1ull << 48) - 1)

static void
trace_fmt_event(char *buf, size_t size, uint64_t a, uint64_t b)
{
    int rc = (int)(int32_t)(uint32_t)(a >> 32);
    int n;

    n = snprintf(buf, size, "vccw %04x %s %s -> %s %d", (unsigned)a & 0xFFFF,
                 vccw_state_name((a >> 16) & 0xFF),
                 vccw_event_name((a >> 24) & 0xFF),
                 vccw_state_name((b >> 56) & 0xFF), rc);
    if (n < 0 || (size_t)n >= size || !(b & TRACE_SERIAL_MASK))
        return;
    snprintf(buf + n, size - (size_t)n, ", cp %llu freed %u",
             (unsigned long long)(b & TRACE_SERIAL_MASK),
             (unsigned)(b >> 48) & 0xFF);
}

static const struct zv_trace_event trace_ev_event = {
    .id = ZV_TRACE_ID(ZV_TRACE_VFIO_CCW, 1),
    .name = "vccw event",
    .format = trace_fmt_event,
};

static void
trace_event(struct vccw_private *p, enum vccw_state from, enum vccw_event ev,
            int rc)
{
    uint64_t sch_no = p->sch ? css_sch_no(p->sch) : 0;
    uint64_t a = sch_no | (uint64_t)(from & 0xFF) << 16 |
                 (uint64_t)(ev & 0xFF) << 24 | (uint64_t)(uint32_t)rc << 32;
    uint64_t b = (p->freed_serial & TRACE_SERIAL_MASK) |
                 (uint64_t)(p->freed_reason & 0xFF) << 48 |
                 (uint64_t)(p->state & 0xFF) << 56;

    if (!p->freed_serial)
        b &= ~(0xFFull << 48); /* the reason of an earlier free */
    zv_trace_rec(p->loop, &trace_ev_event, a, b);
}

int
vccw_fsm_event(struct vccw_private *p, enum vccw_event ev,
               const struct vccw_ev_arg *arg)
{
    static const struct vccw_ev_arg none;
    enum vccw_state from = p->state;
    int rc;

    if (from >= VCCW_NR_STATES || ev >= VCCW_NR_EVENTS)
        return -EINVAL;
    vccw_private_get(p); /* an action may drop the last other reference */
    p->freed_serial = 0;
    rc = vccw_fsm[from][ev](p, arg ? arg : &none);
    p->cnt.events++;
    trace_event(p, from, ev, rc);
    vccw_private_put(p);
    return rc;
}
