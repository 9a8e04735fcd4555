/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap/reset: queue reset as vfio_ap does it (reference §4.1): ZAPQ,
 * then TAPQ every ZV_VFIO_AP_RESET_INTERVAL_NS until the reset is no
 * longer in progress; a ZAPQ refused as busy or already resetting is
 * issued again once the queue settles; a deconfigured adapter's queue
 * counts as reset.  Unlike the kernel since dd174833e44e the wait is
 * bounded (ZV_VFIO_AP_RESET_MAX_POLLS): a queue that never finishes gets
 * a clear error in the log and a failed status, which filters its adapter
 * out of the guest until a later reset succeeds.
 *
 * The decision after each instruction is one table, [phase][rc class].
 */
#include <errno.h>

#include "base/log.h"
#include "vfio_ap/vfio_ap_priv.h"

enum vap_phase { PH_ZAPQ, PH_TAPQ, PH_N };

enum vap_rcc {
    RCC_OK,        /* 00 */
    RCC_BUSY,      /* 02 reset in progress, 05 busy */
    RCC_DECONF,    /* 03: a deconfigured adapter's queues are reset */
    RCC_CHECKSTOP, /* 04: passable (2025 code, §8), nothing to wait for */
    RCC_GONE,      /* 01: not in the configuration any more */
    RCC_OTHER,     /* anything else, or a program interruption */
    RCC_N
};

enum vap_ract {
    RA_POLL,  /* wait one interval, TAPQ again */
    RA_REZAP, /* wait, then ZAPQ again */
    RA_DONE,  /* reset complete: status 00 */
    RA_END,   /* over, keep the RC as the outcome */
    RA_FAIL,  /* over with an unexpected RC */
};

static const enum vap_ract vap_reset_table[PH_N][RCC_N] = {
    [PH_ZAPQ] =
        {
            [RCC_OK] = RA_POLL,
            [RCC_BUSY] = RA_REZAP,
            [RCC_DECONF] = RA_DONE,
            [RCC_CHECKSTOP] = RA_END,
            [RCC_GONE] = RA_END,
            [RCC_OTHER] = RA_FAIL,
        },
    [PH_TAPQ] =
        {
            [RCC_OK] = RA_DONE, /* or the pending re-ZAPQ */
            [RCC_BUSY] = RA_POLL,
            [RCC_DECONF] = RA_DONE,
            [RCC_CHECKSTOP] = RA_END,
            [RCC_GONE] = RA_END,
            [RCC_OTHER] = RA_FAIL,
        },
};

static enum vap_rcc
vap_classify(const struct ap_insn_rc *r)
{
    if (r->pic)
        return RCC_OTHER;
    switch (r->st.rc) {
    case AP_RC_NORMAL:
        return RCC_OK;
    case AP_RC_RESET_IN_PROGRESS:
    case AP_RC_BUSY:
        return RCC_BUSY;
    case AP_RC_DECONFIGURED:
        return RCC_DECONF;
    case AP_RC_CHECKSTOPPED:
        return RCC_CHECKSTOP;
    case AP_RC_Q_NOT_AVAIL:
        return RCC_GONE;
    default:
        return RCC_OTHER;
    }
}

int
vap_reset_table_action(unsigned phase, uint8_t rc)
{
    struct ap_insn_rc r = {.cc = rc ? 3 : 0};

    r.st.rc = rc;
    return phase < PH_N ? (int)vap_reset_table[phase][vap_classify(&r)] : -1;
}

static void vap_reset_tick(void *arg);

static void
vap_reset_finish(struct vap_queue *q, uint8_t rc, bool failed)
{
    struct zv_vfio_ap *drv = q->drv;

    q->rstate = VAP_RS_IDLE;
    q->rtimer = 0;
    q->rezap = false;
    drv->resets_active--;
    q->reset_rc = rc;
    if (failed)
        drv->resets_failed++;
    /* the host's reset disabled the queue's interruptions */
    vap_aqic_drop(q);
    zv_trace(drv->loop, "vfio_ap: %02x.%04x reset done rc %02x",
             AP_QN_APID(q->apqn), AP_QN_APQI(q->apqn), rc);
    vap_queue_update_usable(q);
    if (q->mdev)
        vap_refresh(q->mdev);
}

static void
vap_reset_step(struct vap_queue *q, enum vap_phase ph,
               const struct ap_insn_rc *r)
{
    enum vap_rcc c = vap_classify(r);
    uint8_t rc = r->pic ? 0xff : r->st.rc;

    switch (vap_reset_table[ph][c]) {
    case RA_REZAP:
        q->rezap = true;
        /* fall through */
    case RA_POLL:
        if (++q->polls > ZV_VFIO_AP_RESET_MAX_POLLS) {
            zv_log(ZV_LOG_ERR,
                   "vfio_ap: reset of queue %02x.%04x not complete after "
                   "%llu ms (rc %02x)",
                   AP_QN_APID(q->apqn), AP_QN_APQI(q->apqn),
                   (unsigned long long)(ZV_VFIO_AP_RESET_MAX_POLLS *
                                        ZV_VFIO_AP_RESET_INTERVAL_NS / 1000000),
                   rc);
            vap_reset_finish(q, rc, true);
            return;
        }
        q->rtimer = zv_loop_after(q->drv->loop, ZV_VFIO_AP_RESET_INTERVAL_NS,
                                  vap_reset_tick, q);
        return;
    case RA_DONE:
        if (ph == PH_TAPQ && q->rezap && c == RCC_OK) {
            struct ap_insn_rc z;

            q->rezap = false;
            z = ap_zapq(q->drv->bus, q->apqn, false);
            vap_reset_step(q, PH_ZAPQ, &z);
            return;
        }
        vap_reset_finish(q, AP_RC_NORMAL, false);
        return;
    case RA_END:
        vap_reset_finish(q, rc, !vap_rc_passable(rc));
        return;
    case RA_FAIL:
    default:
        zv_log(ZV_LOG_ERR, "vfio_ap: reset of queue %02x.%04x failed: rc %02x",
               AP_QN_APID(q->apqn), AP_QN_APQI(q->apqn), rc);
        vap_reset_finish(q, rc, true);
        return;
    }
}

static void
vap_reset_tick(void *arg)
{
    struct vap_queue *q = arg;
    struct ap_insn_rc r;

    q->rtimer = 0;
    r = ap_tapq(q->drv->bus, q->apqn, false, NULL);
    vap_reset_step(q, PH_TAPQ, &r);
}

void
vap_reset_queue(struct vap_queue *q)
{
    struct ap_insn_rc r;

    /* A reset asked for while one is being verified: the queue may have
     * taken work since the host finished the first one (the guest is
     * not stopped while we poll), so zeroize once more when it ends. */
    if (q->rstate != VAP_RS_IDLE) {
        q->rezap = true;
        return;
    }
    q->rstate = VAP_RS_WAIT;
    q->polls = 0;
    q->rezap = false;
    q->drv->resets++;
    q->drv->resets_active++;
    r = ap_zapq(q->drv->bus, q->apqn, false);
    /* While verifying, the outcome so far is the ZAPQ's: accepted (00)
     * keeps the queue passable, the guest sees RC 02 from the queue. */
    q->reset_rc = vap_classify(&r) == RCC_BUSY ? AP_RC_NORMAL : r.st.rc;
    vap_reset_step(q, PH_ZAPQ, &r);
}

int
vap_reset_mdev(struct vap_mdev *m)
{
    int apid, apqi, rc = 0;

    ap_mask_for_each(apid, &m->matrix.apm)
    {
        ap_mask_for_each(apqi, &m->matrix.aqm)
        {
            struct vap_queue *q =
                vap_queue_get(m->drv, AP_MKQN(apid, (unsigned)apqi));

            if (!q || q->mdev != m)
                continue;
            vap_reset_queue(q);
            if (!vap_rc_passable(q->reset_rc))
                rc = -EIO;
        }
    }
    return rc;
}

void
vap_reset_cancel(struct vap_queue *q)
{
    if (q->rstate == VAP_RS_IDLE)
        return;
    zv_loop_cancel(q->drv->loop, q->rtimer);
    q->rtimer = 0;
    q->rstate = VAP_RS_IDLE;
    q->drv->resets_active--;
}
