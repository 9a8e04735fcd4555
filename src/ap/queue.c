/* SPDX-License-Identifier: MIT */
/*
 * ap/queue: the AP queue and the AP instructions (reference §5).
 *
 * A queue holds requests (the card works on the oldest, one at a time,
 * for the card model's latency) and replies (dequeued oldest first).
 * Together they may not exceed qd + 1 entries (NQAP RC 10 beyond, TAPQ
 * hwinfo qd is the depth minus one since Linux 3317785a8803).  A reset
 * (RAPQ/ZAPQ) discards both, disables interruptions and leaves the queue
 * answering RC 02 until cfg.reset_ns later, so a driver must poll with
 * TAPQ as vfio_ap does (reference §4.1).
 *
 * Every instruction checks the APQN in one function, ap_qcheck(), in the
 * order given in ap.h; only then does the function itself run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ap/ap_msg.h"
#include "ap/ap_priv.h"

static void ap_queue_work(void *arg);

struct ap_queue *
ap_queue_get_or_alloc(struct ap_bus *bus, uint16_t apqn)
{
    struct ap_adapter *ad = bus->adapters[AP_QN_APID(apqn)];
    struct ap_queue *q;

    if (!ad)
        return NULL;
    q = ad->q[AP_QN_APQI(apqn)];
    if (q)
        return q;
    q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->bus = bus;
    q->adapter = ad;
    q->apqn = apqn;
    ad->q[AP_QN_APQI(apqn)] = q;
    return q;
}

struct ap_queue *
ap_queue_find(const struct ap_bus *bus, uint16_t apqn)
{
    const struct ap_adapter *ad = bus->adapters[AP_QN_APID(apqn)];

    return ad ? ad->q[AP_QN_APQI(apqn)] : NULL;
}

uint16_t
ap_queue_apqn(const struct ap_queue *q)
{
    return q->apqn;
}

struct ap_bus *
ap_queue_bus(const struct ap_queue *q)
{
    return q->bus;
}

bool
ap_queue_present(const struct ap_queue *q)
{
    return q->present;
}

const struct ap_driver *
ap_queue_driver(const struct ap_queue *q)
{
    return q->drv;
}

enum ap_type
ap_queue_type(const struct ap_queue *q)
{
    return q->adapter->desc.type;
}

void
ap_queue_set_drvdata(struct ap_queue *q, void *data)
{
    q->drvdata = data;
}

void *
ap_queue_drvdata(const struct ap_queue *q)
{
    return q->drvdata;
}

/* ---- message lists ---- */

static void
ap_list_push(struct ap_msg_list *l, struct ap_msg *m)
{
    m->next = NULL;
    if (l->tail)
        l->tail->next = m;
    else
        l->head = m;
    l->tail = m;
    l->n++;
}

static struct ap_msg *
ap_list_pop(struct ap_msg_list *l)
{
    struct ap_msg *m = l->head;

    if (!m)
        return NULL;
    l->head = m->next;
    if (!l->head)
        l->tail = NULL;
    l->n--;
    return m;
}

static unsigned
ap_list_drop(struct ap_msg_list *l)
{
    unsigned n = 0;
    struct ap_msg *m;

    while ((m = ap_list_pop(l))) {
        free(m);
        n++;
    }
    return n;
}

void
ap_queue_flush(struct ap_queue *q)
{
    struct zv_loop *loop = q->bus->loop;

    zv_loop_cancel(loop, q->work_timer);
    zv_loop_cancel(loop, q->irq_timer);
    q->work_timer = q->irq_timer = 0;
    q->discarded += ap_list_drop(&q->reqs);
    q->discarded += ap_list_drop(&q->reps);
    q->irq_on = false;
    q->nib = 0;
    q->isc = 0;
}

void
ap_queue_destroy(struct ap_queue *q)
{
    if (!q)
        return;
    ap_queue_flush(q);
    zv_loop_cancel(q->bus->loop, q->reset_timer);
    free(q);
}

void
ap_queue_stats(const struct ap_queue *q, struct ap_queue_stats *out)
{
    out->requests = q->reqs.n;
    out->replies = q->reps.n;
    out->enqueued = q->enqueued;
    out->dequeued = q->dequeued;
    out->discarded = q->discarded;
    out->resetting = q->resetting;
}

int
ap_queue_inject_busy(struct ap_bus *bus, uint16_t apqn, unsigned n)
{
    struct ap_queue *q = ap_queue_get_or_alloc(bus, apqn);

    if (!q)
        return bus->adapters[AP_QN_APID(apqn)] ? -ENOMEM : -ENODEV;
    q->busy_inject = n;
    return 0;
}

/* ---- the card ---- */

static unsigned
ap_queue_depth(const struct ap_queue *q)
{
    return (unsigned)q->adapter->desc.qd + 1;
}

/* Built-in latency: modular exponentiation cost grows with the square of
 * the operand width; CRT works on halves.  +-1/8 jitter from the loop. */
static uint64_t
ap_builtin_latency(struct ap_queue *q, const struct ap_msg *m)
{
    uint64_t base = q->adapter->desc.lat_ns, lat = base;

    if (m->len >= AP_T50_HDR_LEN + 2) {
        switch (m->len) {
        case AP_T50_MEB2_LEN:
            lat = base * 4;
            break;
        case AP_T50_MEB3_LEN:
            lat = base * 16;
            break;
        case AP_T50_CRB1_LEN:
            lat = base / 2;
            break;
        case AP_T50_CRB2_LEN:
            lat = base * 2;
            break;
        case AP_T50_CRB3_LEN:
            lat = base * 6;
            break;
        default:
            break;
        }
    }
    return lat - lat / 8 + zv_loop_rand_below(q->bus->loop, lat / 4 + 1);
}

static void
ap_queue_kick(struct ap_queue *q)
{
    const struct ap_adapter_desc *d = &q->adapter->desc;
    const struct ap_msg *m = q->reqs.head;
    uint64_t lat;

    if (q->work_timer || !m)
        return;
    if (d->card && d->card->latency_ns)
        lat = d->card->latency_ns(d->card_arg, m->data, m->len);
    else
        lat = ap_builtin_latency(q, m);
    q->work_timer = zv_loop_after(q->bus->loop, lat, ap_queue_work, q);
}

/* What the built-in models answer: an accelerator computes; the
 * coprocessor modes are not modelled (their CPRB messages, types 6/86)
 * and reject every request as a wrong message type. */
static size_t
ap_builtin_process(const struct ap_adapter *ad, const struct ap_msg *m,
                   uint8_t *reply, size_t max)
{
    if (ad->desc.mode == AP_MODE_ACCEL)
        return ap_cex_accel_process(m->data, m->len, reply, max);
    return ap_err_reply(reply, AP_T82_TYPE, AP_REP82_MESSAGE_TYPE);
}

static void
ap_queue_irq_fire(void *arg)
{
    struct ap_queue *q = arg;

    q->irq_timer = 0;
    if (q->irq_on && q->reps.n && q->drv && q->drv->irq)
        q->drv->irq(q, q->drv->arg);
}

static void
ap_queue_work(void *arg)
{
    struct ap_queue *q = arg;
    const struct ap_adapter_desc *d = &q->adapter->desc;
    struct ap_msg *req = ap_list_pop(&q->reqs);
    size_t max = q->bus->cfg.max_msg, len;
    struct ap_msg *rep;

    q->work_timer = 0;
    if (!req)
        return;
    rep = malloc(sizeof(*rep) + max);
    if (!rep) {
        /* The request is lost without a reply; count it so the loss is
         * visible to the simulator's invariants. */
        q->discarded++;
        free(req);
        ap_queue_kick(q);
        return;
    }
    if (d->card)
        len = d->card->process(d->card_arg, q->apqn, req->data, req->len,
                               rep->data, max);
    else
        len = ap_builtin_process(q->adapter, req, rep->data, max);
    rep->psmid = req->psmid;
    rep->len = len > max ? max : len;
    rep->off = 0;
    free(req);
    ap_list_push(&q->reps, rep);
    if (q->irq_on && !q->irq_timer)
        q->irq_timer = zv_loop_post(q->bus->loop, ap_queue_irq_fire, q);
    ap_queue_kick(q);
}

/* ---- the common APQN checks ---- */

static struct ap_insn_rc
ap_rc_status(const struct ap_queue *q, uint8_t rc)
{
    struct ap_insn_rc r = {.cc = rc ? 3 : 0};

    r.st.rc = rc;
    /* The flags describe a queue that exists and works; for RCs 01, 03
     * and 04 there is no such queue to describe. */
    if (q && rc != AP_RC_Q_NOT_AVAIL && rc != AP_RC_DECONFIGURED &&
        rc != AP_RC_CHECKSTOPPED && rc != AP_RC_INDEX_TOO_BIG) {
        unsigned n = q->reqs.n + q->reps.n;

        r.st.empty = n == 0;
        r.st.replies = q->reps.n != 0;
        r.st.full = n >= ap_queue_depth(q);
        r.st.irq = q->irq_on;
    }
    return r;
}

static struct ap_insn_rc
ap_rc_spec(void)
{
    struct ap_insn_rc r = {.pic = AP_PIC_SPECIFICATION};
    return r;
}

/*
 * Returns true and sets *q when the queue may run the function; false
 * with *out set otherwise.  *q is also set for RCs 02/03/04/05, where
 * TAPQ still reports the adapter's information.
 */
static bool
ap_qcheck(struct ap_bus *bus, uint16_t apqn, struct ap_queue **qp,
          struct ap_insn_rc *out)
{
    uint8_t apid = AP_QN_APID(apqn), apqi = AP_QN_APQI(apqn);
    const struct ap_adapter *ad = bus->adapters[apid];
    struct ap_queue *q;

    *qp = NULL;
    /* Without APXA the APID is 6 and the APQI 4 bits wide: the other
     * bits must be zero (reference §4.4 KVM specification check). */
    if (!bus->cfg.apxa && (apid > 63 || apqi > 15)) {
        *out = ap_rc_spec();
        return false;
    }
    if (apqi > bus->cfg.nd) {
        *out = ap_rc_status(NULL, AP_RC_INDEX_TOO_BIG);
        return false;
    }
    if (apid > bus->cfg.na || !ad || !ap_mask_test(&bus->cur.apm, apid) ||
        !ap_mask_test(&bus->cur.aqm, apqi)) {
        *out = ap_rc_status(NULL, AP_RC_Q_NOT_AVAIL);
        return false;
    }
    q = ap_queue_get_or_alloc(bus, apqn);
    *qp = q;
    if (ad->state == AP_ADAPTER_DECONFIGURED) {
        *out = ap_rc_status(q, AP_RC_DECONFIGURED);
        return false;
    }
    if (ad->state == AP_ADAPTER_CHECKSTOPPED) {
        *out = ap_rc_status(q, AP_RC_CHECKSTOPPED);
        return false;
    }
    if (!q || q->busy_inject) {
        /* Out of memory is answered like a busy queue: retry later. */
        if (q)
            q->busy_inject--;
        *out = ap_rc_status(q, AP_RC_BUSY);
        return false;
    }
    if (q->resetting) {
        *out = ap_rc_status(q, AP_RC_RESET_IN_PROGRESS);
        return false;
    }
    return true;
}

/* ---- TAPQ ---- */

static uint64_t
ap_queue_info(const struct ap_bus *bus, const struct ap_adapter *ad)
{
    struct ap_tapq_info i = {0};

    i.accel = ad->desc.mode == AP_MODE_ACCEL;
    i.cca = ad->desc.mode == AP_MODE_CCA;
    i.ep11 = ad->desc.mode == AP_MODE_EP11;
    i.mex4k = i.crt4k = i.accel; /* every CEX4A+ does 4096-bit RSA */
    i.apxa = bus->cfg.apxa;
    i.at = (uint8_t)ad->desc.type;
    i.nd = bus->cfg.nd;
    i.ml = (uint8_t)((bus->cfg.max_msg / 4096) & 0xf);
    i.qd = ad->desc.qd;
    return ap_tapq_info_encode(&i);
}

struct ap_insn_rc
ap_tapq(struct ap_bus *bus, uint16_t apqn, bool t, uint64_t *info)
{
    struct ap_insn_rc r;
    struct ap_queue *q;

    if (info)
        *info = 0;
    if (t && !bus->cfg.apft)
        return ap_rc_spec();
    if (ap_qcheck(bus, apqn, &q, &r))
        r = ap_rc_status(q, AP_RC_NORMAL);
    if (t && info && r.pic == AP_PIC_NONE &&
        (r.st.rc == AP_RC_NORMAL || r.st.rc == AP_RC_RESET_IN_PROGRESS ||
         r.st.rc == AP_RC_DECONFIGURED || r.st.rc == AP_RC_CHECKSTOPPED ||
         r.st.rc == AP_RC_BUSY))
        *info = ap_queue_info(bus, bus->adapters[AP_QN_APID(apqn)]);
    return r;
}

/* ---- RAPQ / ZAPQ ---- */

static void
ap_queue_reset_done(void *arg)
{
    struct ap_queue *q = arg;

    q->reset_timer = 0;
    q->resetting = false;
}

static struct ap_insn_rc
ap_reset(struct ap_bus *bus, uint16_t apqn, const char *what)
{
    struct ap_insn_rc r;
    struct ap_queue *q;

    if (!ap_qcheck(bus, apqn, &q, &r))
        return r;
    ap_queue_flush(q);
    q->resetting = true;
    q->reset_timer =
        zv_loop_after(bus->loop, bus->cfg.reset_ns, ap_queue_reset_done, q);
    zv_trace(bus->loop, "ap: %02x.%04x %s", AP_QN_APID(apqn), AP_QN_APQI(apqn),
             what);
    /* The reset was accepted: RC 0, and the status shows the queue as it
     * is now, empty and with interruptions off. */
    return ap_rc_status(q, AP_RC_NORMAL);
}

struct ap_insn_rc
ap_rapq(struct ap_bus *bus, uint16_t apqn, bool f)
{
    return ap_reset(bus, apqn, "rapq");
}

struct ap_insn_rc
ap_zapq(struct ap_bus *bus, uint16_t apqn, bool f)
{
    return ap_reset(bus, apqn, "zapq");
}

/* ---- AQIC ---- */

struct ap_insn_rc
ap_aqic(struct ap_bus *bus, uint16_t apqn, const struct ap_aqic_ctl *ctl,
        uint64_t nib)
{
    struct ap_insn_rc r;
    struct ap_queue *q;

    if (!bus->cfg.aqic)
        return ap_rc_spec();
    if (!ap_qcheck(bus, apqn, &q, &r))
        return r;
    if (ctl->ir == q->irq_on)
        return ap_rc_status(q, AP_RC_OTHERWISE_CHANGED);
    if (ctl->ir && nib == 0)
        return ap_rc_status(q, AP_RC_INVALID_ADDRESS);
    q->irq_on = ctl->ir;
    q->isc = ctl->ir ? (ctl->isc & 7) : 0;
    q->nib = ctl->ir ? nib : 0;
    /* Replies already waiting interrupt at once once enabled. */
    if (q->irq_on && q->reps.n && !q->irq_timer)
        q->irq_timer = zv_loop_post(bus->loop, ap_queue_irq_fire, q);
    return ap_rc_status(q, AP_RC_NORMAL);
}

/* ---- QCI ---- */

struct ap_insn_rc
ap_qci(struct ap_bus *bus, uint8_t block[AP_QCI_BLOCK_LEN])
{
    struct ap_insn_rc r = {0};

    if (!bus->cfg.qci)
        return ap_rc_spec();
    ap_config_encode(&bus->cur, block);
    return r;
}

/* ---- NQAP / DQAP ---- */

struct ap_insn_rc
ap_nqap(struct ap_bus *bus, uint16_t apqn, uint64_t psmid, const void *msg,
        size_t len)
{
    struct ap_insn_rc r;
    struct ap_queue *q;
    struct ap_msg *m;

    if (!ap_qcheck(bus, apqn, &q, &r))
        return r;
    if (len > bus->cfg.max_msg || (len && !msg))
        return ap_rc_status(q, AP_RC_MESSAGE_TOO_BIG);
    if (q->reqs.n + q->reps.n >= ap_queue_depth(q))
        return ap_rc_status(q, AP_RC_Q_FULL);
    m = malloc(sizeof(*m) + len);
    if (!m)
        return ap_rc_status(q, AP_RC_BUSY);
    m->psmid = psmid;
    m->len = len;
    m->off = 0;
    if (len)
        memcpy(m->data, msg, len);
    ap_list_push(&q->reqs, m);
    q->enqueued++;
    ap_queue_kick(q);
    return ap_rc_status(q, AP_RC_NORMAL);
}

struct ap_insn_rc
ap_dqap(struct ap_bus *bus, uint16_t apqn, uint64_t *psmid, void *buf,
        size_t len, size_t *stored, bool *more)
{
    struct ap_insn_rc r;
    struct ap_queue *q;
    struct ap_msg *m;
    size_t n;

    *stored = 0;
    *more = false;
    if (!ap_qcheck(bus, apqn, &q, &r))
        return r;
    m = q->reps.head;
    if (!m)
        return ap_rc_status(q, AP_RC_NO_PENDING_REPLY);
    n = m->len - m->off;
    if (n > len)
        n = len;
    if (n && buf)
        memcpy(buf, m->data + m->off, n);
    else
        n = 0;
    m->off += n;
    *stored = n;
    *psmid = m->psmid;
    if (m->off < m->len) {
        *more = true;
    } else {
        free(ap_list_pop(&q->reps));
        q->dequeued++;
    }
    return ap_rc_status(q, AP_RC_NORMAL);
}

/* ---- PQAP in register form ---- */

static void
ap_gr1_put_status(uint64_t *gr1, const struct ap_insn_rc *r)
{
    *gr1 = (*gr1 & 0xffffffff00000000ull) | ap_qstatus_encode(&r->st);
}

struct ap_insn_rc
ap_insn_pqap(struct ap_bus *bus, uint64_t gr0, uint64_t *gr1, uint64_t *gr2,
             uint8_t *qci)
{
    struct ap_pqap_gr0 op;
    struct ap_insn_rc r;

    ap_pqap_gr0_decode(gr0, &op);
    /* The T bit belongs to TAPQ, the F bit to RAPQ/ZAPQ; anything else in
     * bits 40-47 is a specification exception.  QACT is not installed. */
    if (op.reserved || (op.t && op.fc != AP_FC_TAPQ) ||
        (op.f && op.fc != AP_FC_RAPQ && op.fc != AP_FC_ZAPQ) ||
        op.fc > AP_FC_QCI)
        return ap_rc_spec();
    switch (op.fc) {
    case AP_FC_TAPQ:
        r = ap_tapq(bus, op.apqn, op.t, gr2);
        break;
    case AP_FC_RAPQ:
        r = ap_rapq(bus, op.apqn, op.f);
        break;
    case AP_FC_ZAPQ:
        r = ap_zapq(bus, op.apqn, op.f);
        break;
    case AP_FC_AQIC: {
        struct ap_aqic_ctl ctl;

        ap_aqic_ctl_decode(*gr1, &ctl);
        r = ap_aqic(bus, op.apqn, &ctl, *gr2);
        break;
    }
    default: /* QCI */
        if (!qci)
            return ap_rc_spec();
        return ap_qci(bus, qci);
    }
    if (r.pic == AP_PIC_NONE)
        ap_gr1_put_status(gr1, &r);
    return r;
}
