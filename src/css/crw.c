/* SPDX-License-Identifier: MIT */
/*
 * Channel reports (css-pop.md §2.6, §4.10, §6.4): a bounded FIFO of CRWs,
 * STORE CHANNEL REPORT WORD, and the channel-report-pending notification.
 *
 * When the queue is full a new report is dropped and the overflow is not
 * silent: the next CRW stored by STCRW carries R = 1 ("at least one CRW
 * was lost"), so the program re-evaluates everything (Linux calls every
 * handler with overflow set).  A chain (C = 1 on all but the last) is
 * queued as a unit, so a chain is never cut in half.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "css/sub_priv.h"

#define CRW_LEN 4

int
css_crwq_init(struct css_crwq *q, unsigned cap)
{
    /* A two-CRW chain (subchannel report with MSS) must always fit. */
    if (cap < 2)
        cap = 2;
    memset(q, 0, sizeof(*q));
    q->ring = calloc(cap, sizeof(*q->ring));
    if (!q->ring)
        return -ENOMEM;
    q->cap = cap;
    return 0;
}

void
css_crwq_fini(struct css_crwq *q)
{
    free(q->ring);
    q->ring = NULL;
    q->cap = q->count = q->head = 0;
}

static void
css_crw_notify_post(struct css *css)
{
    struct css_event *e;

    if (!css->crw_notify || css->crw_notify_posted)
        return;
    e = css_ev_post(css, NULL, CSS_EV_CRW_NOTIFY);
    if (e)
        css->crw_notify_posted = true;
}

void
css_crw_queue_chain(struct css *css, const struct crw *crws, unsigned n)
{
    struct css_crwq *q = &css->crwq;
    bool was_empty = q->count == 0;

    if (n == 0)
        return;
    if (q->count + n > q->cap) {
        q->lost = true;
        zv_trace(css->loop, "css: crw overflow, %u dropped", n);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        struct crw *slot = &q->ring[(q->head + q->count) % q->cap];

        *slot = crws[i];
        slot->oflw = false;
        slot->chn = i + 1 < n;
        q->count++;
    }
    /* Channel-report-pending is raised on empty -> non-empty only. */
    if (was_empty)
        css_crw_notify_post(css);
}

void
css_crw_queue(struct css *css, const struct crw *crw)
{
    css_crw_queue_chain(css, crw, 1);
}

/*
 * Subchannel report: RSC 3, RSID = subchannel number; with MSS a chained
 * second CRW carries (CSSID << 8) | (SSID << 4) (css-pop.md §2.6).
 */
void
css_crw_report_sch(struct css *css, uint8_t ssid, uint16_t sch_no, uint8_t erc)
{
    struct crw crws[2] = {
        {.rsc = CRW_RSC_SCH, .erc = erc, .rsid = sch_no},
        {.rsc = CRW_RSC_SCH, .erc = erc, .rsid = (uint16_t)(ssid << 4)},
    };

    css_crw_queue_chain(css, crws, css->cfg.mss ? 2 : 1);
}

size_t
css_crw_pending(const struct css *css)
{
    return css->crwq.count;
}

void
css_set_crw_notify(struct css *css, css_crw_notify_fn fn, void *arg)
{
    css->crw_notify = fn;
    css->crw_notify_arg = arg;
    /* Reports already queued are a pending condition for the new
     * handler. */
    if (fn && css->crwq.count)
        css_crw_notify_post(css);
}

void
css_crw_notify_run(struct css *css)
{
    css->crw_notify_posted = false;
    /* Drained by STCRW before the event ran: nothing is pending. */
    if (css->crw_notify && css->crwq.count)
        css->crw_notify(css->crw_notify_arg);
}

/* STCRW into a decoded CRW: cc 0 stored, cc 1 none pending (zeros). */
struct zv_insn_rc
css_stcrw(struct css *css, struct crw *crw)
{
    struct css_crwq *q = &css->crwq;

    memset(crw, 0, sizeof(*crw));
    if (!q->count)
        return zv_rc_cc(ZV_CC1);
    *crw = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    if (q->lost) {
        crw->oflw = true;
        q->lost = false;
    }
    return zv_rc_cc(ZV_CC0);
}

/*
 * STORE CHANNEL REPORT WORD (B239), css-pop.md §4.10: word-aligned
 * operand (specification); the operand is checked before a CRW is taken
 * off the queue so an access exception loses nothing; cc 1 stores zeros.
 */
struct zv_insn_rc
css_insn_stcrw(struct css *css, uint64_t addr)
{
    uint8_t buf[CRW_LEN];
    struct crw crw;
    struct zv_insn_rc rc;
    enum zv_pic pic;

    if (addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_access_pic(css->storage, addr, CRW_LEN, ZV_MEM_WRITE);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    rc = css_stcrw(css, &crw);
    crw_encode(&crw, buf);
    if (zv_as_write(css->storage, addr, buf, CRW_LEN) < 0)
        return zv_rc_pic(ZV_PIC_ADDRESSING);
    return rc;
}
