/* SPDX-License-Identifier: MIT */
/*
 * I/O interruptions (css-pop.md §3, §4.9): one FIFO per interruption
 * subclass, ISC 0 first; TEST PENDING INTERRUPTION; and the posted events
 * that deliver interrupts, subchannel events and channel-path events to
 * bound drivers.
 *
 * Delivery never happens inside an instruction call: every callback into
 * a driver runs from its own loop event, and each event holds a reference
 * on its subchannel, so the memory stays valid until the event is gone.
 */
#include <errno.h>
#include <stdlib.h>

#include "css/sub_priv.h"

#define CSS_EV_POOL_MAX 64

/* TPI with operand address 0 stores the I/O-interruption code in the
 * lowcore: SID word at 0xB8, intparm at 0xBC, identification at 0xC0. */
#define LC_IO_INT_CODE 0xB8
#define TPI_CODE_LEN   8
#define TPI_LC_LEN     12

/* ---- per-ISC queues ---- */

static void
css_isc_push_tail(struct subchannel *sch)
{
    struct css_iscq *q = &sch->css->iscq[sch->schib.pmcw.isc];

    sch->isc_next = NULL;
    if (q->tail)
        q->tail->isc_next = sch;
    else
        q->head = sch;
    q->tail = sch;
    /* isc_queued holds ISC + 1 so that 0 means "not queued". */
    sch->isc_queued = (uint8_t)(sch->schib.pmcw.isc + 1);
}

void
css_isc_push_front(struct subchannel *sch)
{
    struct css_iscq *q = &sch->css->iscq[sch->schib.pmcw.isc];

    if (sch->isc_queued)
        return;
    sch->isc_next = q->head;
    q->head = sch;
    if (!q->tail)
        q->tail = sch;
    sch->isc_queued = (uint8_t)(sch->schib.pmcw.isc + 1);
}

void
css_sch_dequeue_irq(struct subchannel *sch)
{
    struct css_iscq *q;
    struct subchannel *prev = NULL, *cur;

    if (!sch->isc_queued)
        return;
    q = &sch->css->iscq[sch->isc_queued - 1];
    for (cur = q->head; cur && cur != sch; cur = cur->isc_next)
        prev = cur;
    if (cur) {
        if (prev)
            prev->isc_next = sch->isc_next;
        else
            q->head = sch->isc_next;
        if (q->tail == sch)
            q->tail = prev;
    }
    sch->isc_next = NULL;
    sch->isc_queued = 0;
}

struct subchannel *
css_isc_pop(struct css *css)
{
    for (unsigned isc = 0; isc < CSS_NR_ISC; isc++) {
        struct css_iscq *q = &css->iscq[isc];
        struct subchannel *sch = q->head;

        if (!(css->isc_mask & (0x80u >> isc)) || !sch)
            continue;
        q->head = sch->isc_next;
        if (!q->head)
            q->tail = NULL;
        sch->isc_next = NULL;
        sch->isc_queued = 0;
        return sch;
    }
    return NULL;
}

void
css_sch_make_pending(struct subchannel *sch)
{
    if (sch->gone)
        return;
    if (!sch->isc_queued)
        css_isc_push_tail(sch);
    if (sch->drv && !sch->irq_posted)
        css_ev_post(sch->css, sch, CSS_EV_IRQ);
}

/* ---- TEST PENDING INTERRUPTION (B236) ---- */

static void
css_tpi_encode(const struct subchannel *sch, uint8_t out[TPI_LC_LEN])
{
    struct schid id = css_sch_schid(sch);

    /* SID halfword + subchannel number, intparm, then the interruption-
     * identification word: bits 2-4 ISC, bit 0 (adapter) zero. */
    zv_put_be16(out, schid_intcode_hw(&id, false));
    zv_put_be16(out + 2, sch->sch_no);
    zv_put_be32(out + 4, sch->schib.pmcw.intparm);
    zv_put_be32(out + 8, (uint32_t)sch->schib.pmcw.isc << 27);
}

/*
 * css-pop.md §4.9: word-aligned operand (specification); the store must
 * be possible before the interruption is taken (as Hercules checks first,
 * so nothing is lost on an access exception); cc 0 when no interruption
 * is pending for an ISC enabled in CR6, cc 1 when one was taken.  The
 * subchannel stays status pending: only TSCH clears it.
 */
struct zv_insn_rc
css_insn_tpi(struct css *css, uint64_t addr)
{
    uint8_t code[TPI_LC_LEN];
    uint64_t where = addr ? addr : LC_IO_INT_CODE;
    size_t len = addr ? TPI_CODE_LEN : TPI_LC_LEN;
    struct subchannel *sch;
    enum zv_pic pic;

    if (addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_access_pic(css->storage, where, len, ZV_MEM_WRITE);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    sch = css_isc_pop(css);
    if (!sch)
        return zv_rc_cc(ZV_CC0);
    css_tpi_encode(sch, code);
    if (zv_as_write(css->storage, where, code, len) < 0) {
        css_isc_push_front(sch);
        return zv_rc_pic(ZV_PIC_ADDRESSING);
    }
    return zv_rc_cc(ZV_CC1);
}

/* ---- posted events ---- */

static void
css_ev_unlink(struct css_event *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->next = e->prev = e;
}

static void
css_ev_release(struct css *css, struct css_event *e)
{
    struct subchannel *sch = e->sch;

    if (css->nr_free_evs < CSS_EV_POOL_MAX) {
        e->next = css->free_evs;
        css->free_evs = e;
        css->nr_free_evs++;
    } else {
        free(e);
    }
    if (sch)
        css_sch_put(sch);
}

static void
css_ev_cb(void *arg)
{
    struct css_event *e = arg;
    struct css *css = e->css;

    css_ev_unlink(e);
    css_ev_dispatch(e);
    css_ev_release(css, e);
}

static struct css_event *
css_ev_alloc(struct css *css)
{
    struct css_event *e = css->free_evs;

    if (e) {
        css->free_evs = e->next;
        css->nr_free_evs--;
        return e;
    }
    return malloc(sizeof(*e));
}

struct css_event *
css_ev_post(struct css *css, struct subchannel *sch, enum css_ev_kind kind)
{
    struct css_event *e = css_ev_alloc(css);

    if (!e)
        return NULL;
    e->css = css;
    e->sch = sch;
    e->kind = (uint8_t)kind;
    e->chpid = e->mask = e->ev = 0;
    e->id = zv_loop_post(css->loop, css_ev_cb, e);
    if (!e->id) {
        e->sch = NULL;
        css_ev_release(css, e);
        return NULL;
    }
    if (sch)
        css_sch_get(sch);
    if (kind == CSS_EV_IRQ)
        sch->irq_posted = 1;
    e->next = &css->events;
    e->prev = css->events.prev;
    css->events.prev->next = e;
    css->events.prev = e;
    return e;
}

static void
css_ev_cancel(struct css *css, struct css_event *e)
{
    zv_loop_cancel(css->loop, e->id);
    if (e->kind == CSS_EV_IRQ)
        e->sch->irq_posted = 0;
    if (e->kind == CSS_EV_CRW_NOTIFY)
        css->crw_notify_posted = false;
    css_ev_unlink(e);
    css_ev_release(css, e);
}

void
css_ev_cancel_sch(struct css *css, struct subchannel *sch)
{
    struct css_event *e = css->events.next, *next;

    for (; e != &css->events; e = next) {
        next = e->next;
        if (e->sch == sch && e->kind != CSS_EV_IRQ)
            css_ev_cancel(css, e);
    }
}

/* css_free: a subchannel undefined whose driver has not yet heard GONE
 * still gets remove() now (unbinding cancels the GONE event). */
void
css_ev_unbind_gone(struct css *css)
{
    struct css_event *e = css->events.next;

    while (e != &css->events) {
        if (e->kind == CSS_EV_GONE && e->sch->drv) {
            css_sch_unbind(e->sch);
            e = css->events.next;
            continue;
        }
        e = e->next;
    }
}

void
css_ev_cancel_all(struct css *css)
{
    while (css->events.next != &css->events)
        css_ev_cancel(css, css->events.next);
}

void
css_ev_free_pool(struct css *css)
{
    while (css->free_evs) {
        struct css_event *e = css->free_evs;

        css->free_evs = e->next;
        free(e);
    }
    css->nr_free_evs = 0;
}

void
css_post_sch_event(struct subchannel *sch, enum css_sch_event ev)
{
    struct css_event *e;

    if (!sch->drv || !sch->drv->sch_event)
        return;
    e = css_ev_post(sch->css, sch, CSS_EV_SCH);
    if (e)
        e->ev = (uint8_t)ev;
}

void
css_post_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
                   enum css_chp_event ev)
{
    struct css_event *e;

    if (!sch->drv || !sch->drv->chp_event)
        return;
    e = css_ev_post(sch->css, sch, CSS_EV_CHP);
    if (e) {
        e->chpid = chpid;
        e->mask = mask;
        e->ev = (uint8_t)ev;
    }
}

/*
 * The host interrupt handler: the interruption is taken and TSCH clears
 * it, as Linux's cio does, and the driver gets the IRB.  If a TSCH got
 * there first there is nothing to deliver; an interruption already taken
 * by TPI still leaves the status pending, and the handler clears it.
 */
static void
css_deliver_irq(struct subchannel *sch)
{
    struct irb irb;
    struct zv_insn_rc rc;

    sch->irq_posted = 0;
    if (sch->gone || !sch->drv || !(sch->schib.scsw.stctl & SCSW_STCTL_PENDING))
        return;
    rc = css_sch_tsch(sch, &irb);
    if (rc.pic == ZV_PIC_NONE && rc.cc == ZV_CC0 && sch->drv && sch->drv->irq)
        sch->drv->irq(sch, &irb);
}

static void
css_deliver_gone(struct subchannel *sch)
{
    if (!sch->drv)
        return;
    if (sch->drv->sch_event)
        sch->drv->sch_event(sch, CSS_SCH_GONE);
    css_sch_unbind(sch);
}

void
css_ev_dispatch(struct css_event *e)
{
    struct subchannel *sch = e->sch;

    switch ((enum css_ev_kind)e->kind) {
    case CSS_EV_IRQ:
        css_deliver_irq(sch);
        break;
    case CSS_EV_SCH:
        if (sch->drv && sch->drv->sch_event)
            sch->drv->sch_event(sch, (enum css_sch_event)e->ev);
        break;
    case CSS_EV_CHP:
        if (sch->drv && sch->drv->chp_event)
            sch->drv->chp_event(sch, e->chpid, e->mask,
                                (enum css_chp_event)e->ev);
        break;
    case CSS_EV_GONE:
        css_deliver_gone(sch);
        break;
    case CSS_EV_RCHP:
        css_rchp_complete(e->css, e->chpid);
        break;
    case CSS_EV_CRW_NOTIFY:
        css_crw_notify_run(e->css);
        break;
    }
}
