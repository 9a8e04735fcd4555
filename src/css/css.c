/* SPDX-License-Identifier: MIT */
/*
 * css: the channel subsystem object, subchannel sets and the lifetime of
 * struct subchannel (css-pop.md §1, §3).
 *
 * A set is a table of 65,536 subchannel pointers, allocated on the first
 * define in that set, so an unused set costs one pointer.  A subchannel
 * is refcounted: the set table holds one reference, each posted event and
 * each driver that keeps the pointer past remove() holds one more.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "css/sub_priv.h"

#define CSS_CRW_QUEUE_DEFAULT 256

static void
css_config_defaults(struct css_config *dst, const struct css_config *src)
{
    if (src)
        *dst = *src;
    else
        memset(dst, 0, sizeof(*dst));
    if (dst->max_ssid > CSS_MAX_SSID)
        dst->max_ssid = CSS_MAX_SSID;
    if (!dst->crw_queue_max)
        dst->crw_queue_max = CSS_CRW_QUEUE_DEFAULT;
}

struct css *
css_new(struct zv_loop *loop, struct zv_as *storage,
        const struct css_config *cfg)
{
    struct css *css;

    if (!loop || !storage)
        return NULL;
    css = calloc(1, sizeof(*css));
    if (!css)
        return NULL;
    css->loop = loop;
    css->storage = storage;
    css_config_defaults(&css->cfg, cfg);
    css->isc_mask = 0xFF;
    css->events.next = css->events.prev = &css->events;
    if (css_crwq_init(&css->crwq, css->cfg.crw_queue_max) < 0)
        goto free_css;
    return css;

free_css:
    free(css);
    return NULL;
}

static void
css_sch_free(struct subchannel *sch)
{
    /* The engine keeps its run state between functions; it goes with the
     * subchannel. */
    if (sch->run)
        css_engine_abort(sch);
    free(sch);
}

/* Take sch out of its set: the number answers cc 3 from now on. */
static void
css_sch_unlink(struct css *css, struct subchannel *sch)
{
    struct subchannel **set = css->sets[sch->ssid];

    if (set && set[sch->sch_no] == sch) {
        set[sch->sch_no] = NULL;
        css->nr_sch--;
    }
}

/* Stop whatever the subchannel is doing, without status, and detach the
 * device: its back pointer must not outlive the subchannel. */
static void
css_sch_quiesce(struct subchannel *sch)
{
    if (sch->run || sch->schib.scsw.fctl)
        css_engine_abort(sch);
    css_sch_dequeue_irq(sch);
    if (sch->dev && sch->dev->sch == sch)
        sch->dev->sch = NULL;
}

static void
css_free_set(struct css *css, unsigned ssid)
{
    struct subchannel **set = css->sets[ssid];

    for (unsigned no = 0; set && no < css->set_end[ssid]; no++) {
        struct subchannel *sch = set[no];

        if (!sch)
            continue;
        css_sch_unbind(sch);
        css_sch_quiesce(sch);
        sch->gone = 1;
        css_sch_unlink(css, sch);
        css_sch_put(sch);
    }
    free(set);
    css->sets[ssid] = NULL;
}

void
css_free(struct css *css)
{
    if (!css)
        return;
    for (unsigned ssid = 0; ssid < CSS_NR_SSID; ssid++)
        css_free_set(css, ssid);
    css_ev_unbind_gone(css);
    /* Posted events hold references; cancelling drops them. */
    css_ev_cancel_all(css);
    css_ev_free_pool(css);
    css_crwq_fini(&css->crwq);
    free(css);
}

struct zv_loop *
css_loop(const struct css *css)
{
    return css->loop;
}

const struct css_config *
css_get_config(const struct css *css)
{
    return &css->cfg;
}

struct zv_as *
css_storage(const struct css *css)
{
    return css->storage;
}

void
css_set_isc_mask(struct css *css, uint8_t mask)
{
    css->isc_mask = mask;
}

/* ---- subchannel sets ---- */

struct subchannel *
css_sch_lookup(const struct css *css, uint8_t ssid, uint16_t sch_no)
{
    if (ssid >= CSS_NR_SSID || !css->sets[ssid])
        return NULL;
    return css->sets[ssid][sch_no];
}

struct subchannel *
css_sch_find(const struct css *css, uint8_t ssid, uint16_t sch_no)
{
    return css_sch_lookup(css, ssid, sch_no);
}

void
css_foreach_sch(struct css *css, void (*fn)(struct subchannel *sch, void *arg),
                void *arg)
{
    for (unsigned ssid = 0; ssid < CSS_NR_SSID; ssid++) {
        struct subchannel **set = css->sets[ssid];

        for (unsigned no = 0; set && no < css->set_end[ssid]; no++) {
            if (set[no])
                fn(set[no], arg);
        }
    }
}

size_t
css_sch_count(const struct css *css)
{
    return css->nr_sch;
}

static int
css_sch_desc_check(const struct css *css, const struct css_sch_desc *d)
{
    if (d->ssid > css->cfg.max_ssid)
        return -EINVAL;
    if (d->st > PMCW_ST_ADM)
        return -EINVAL;
    return css_chp_check_pim(css, d->pim, d->chpid);
}

static struct subchannel **
css_set_get(struct css *css, uint8_t ssid)
{
    if (!css->sets[ssid])
        css->sets[ssid] = calloc(CSS_SET_SLOTS, sizeof(*css->sets[ssid]));
    return css->sets[ssid];
}

/*
 * The initial PMCW: disabled, ISC 0, intparm 0, LPM = PIM, POM all ones;
 * PAM holds the installed paths that are configured to this image
 * (css-pop.md §6.1).
 */
static void
css_sch_init_pmcw(const struct css *css, struct pmcw *p,
                  const struct css_sch_desc *d, bool has_dev)
{
    memset(p, 0, sizeof(*p));
    p->qf = d->qdio;
    p->dnv = has_dev;
    p->dev = d->devno;
    p->st = d->st;
    p->pim = d->pim;
    p->lpm = d->pim;
    p->pom = 0xFF;
    memcpy(p->chpid, d->chpid, sizeof(p->chpid));
    p->pam = css_chp_pam_for(css, d->pim, d->chpid);
}

int
css_sch_define(struct css *css, const struct css_sch_desc *d,
               struct css_dev *dev, bool report, struct subchannel **out)
{
    struct subchannel **set, *sch;
    int rc;

    if (!css || !d)
        return -EINVAL;
    rc = css_sch_desc_check(css, d);
    if (rc < 0)
        return rc;
    set = css_set_get(css, d->ssid);
    if (!set)
        return -ENOMEM;
    if (set[d->sch_no])
        return -EEXIST;
    sch = calloc(1, sizeof(*sch));
    if (!sch)
        return -ENOMEM;
    sch->css = css;
    sch->ssid = d->ssid;
    sch->sch_no = d->sch_no;
    sch->qdio = d->qdio;
    sch->refs = 1; /* the set's reference */
    sch->dev = dev;
    css_sch_init_pmcw(css, &sch->schib.pmcw, d, dev != NULL);
    if (dev)
        dev->sch = sch;
    set[d->sch_no] = sch;
    css->nr_sch++;
    if (d->sch_no >= css->set_end[d->ssid])
        css->set_end[d->ssid] = (unsigned)d->sch_no + 1;
    if (report)
        css_crw_report_sch(css, d->ssid, d->sch_no, CRW_ERC_IPARM);
    if (out)
        *out = sch;
    return 0;
}

int
css_sch_undefine(struct css *css, struct subchannel *sch)
{
    if (!css || !sch || sch->css != css)
        return -EINVAL;
    if (sch->gone)
        return -ENODEV;
    sch->gone = 1;
    css_sch_unlink(css, sch);
    css_sch_quiesce(sch);
    /* Path and parameter events still queued are moot now: the driver
     * hears GONE and then remove(), from a loop event. */
    css_ev_cancel_sch(css, sch);
    if (sch->drv)
        css_ev_post(css, sch, CSS_EV_GONE);
    /* Linux answers RSC 3 / ERC 4 with STSCH and finds cc 3: gone. */
    css_crw_report_sch(css, sch->ssid, sch->sch_no, CRW_ERC_IPARM);
    css_sch_put(sch);
    return 0;
}

void
css_sch_get(struct subchannel *sch)
{
    assert(sch->refs > 0);
    sch->refs++;
}

void
css_sch_put(struct subchannel *sch)
{
    assert(sch->refs > 0);
    if (--sch->refs == 0)
        css_sch_free(sch);
}

bool
css_sch_gone(const struct subchannel *sch)
{
    return sch->gone;
}

uint8_t
css_sch_ssid(const struct subchannel *sch)
{
    return sch->ssid;
}

uint16_t
css_sch_no(const struct subchannel *sch)
{
    return sch->sch_no;
}

struct schid
css_sch_schid(const struct subchannel *sch)
{
    struct schid id = {
        .cssid = 0, .m = false, .ssid = sch->ssid, .sch_no = sch->sch_no};
    return id;
}

uint16_t
css_sch_devno(const struct subchannel *sch)
{
    return sch->schib.pmcw.dev;
}

bool
css_sch_is_qdio(const struct subchannel *sch)
{
    return sch->qdio;
}

struct css *
css_sch_css(const struct subchannel *sch)
{
    return sch->css;
}

struct zv_loop *
css_sch_loop(const struct subchannel *sch)
{
    return sch->css->loop;
}

/*
 * Function instructions (SSCH RSCH HSCH CSCH XSCH TSCH) answer cc 3 unless
 * the subchannel is provided, has a valid device (V) and is enabled (E)
 * (css-pop.md §3, §4.1-4.6).
 */
bool
css_sch_operational(const struct subchannel *sch)
{
    return !sch->gone && sch->schib.pmcw.dnv && sch->schib.pmcw.ena;
}

/* ---- driver model ---- */

int
css_sch_bind(struct subchannel *sch, const struct css_driver *drv)
{
    int rc = 0;

    if (!sch || !drv)
        return -EINVAL;
    if (sch->gone)
        return -ENODEV;
    if (sch->drv)
        return -EBUSY;
    sch->drv = drv;
    if (drv->probe)
        rc = drv->probe(sch);
    if (rc < 0) {
        sch->drv = NULL;
        sch->drvdata = NULL;
        return rc;
    }
    /* Status that was already pending goes to the new handler. */
    if ((sch->schib.scsw.stctl & SCSW_STCTL_PENDING) && !sch->irq_posted)
        css_ev_post(sch->css, sch, CSS_EV_IRQ);
    return 0;
}

void
css_sch_unbind(struct subchannel *sch)
{
    const struct css_driver *drv = sch->drv;

    if (!drv)
        return;
    /* Cancelling the posted events may drop the last reference but one
     * (a subchannel undefined before its GONE event ran): hold one until
     * remove() has returned. */
    css_sch_get(sch);
    /* Nothing posted for the old binding may reach it (or a new one). */
    sch->drv = NULL;
    css_ev_cancel_sch(sch->css, sch);
    if (drv->remove)
        drv->remove(sch);
    sch->drvdata = NULL;
    css_sch_put(sch);
}

const struct css_driver *
css_sch_driver(const struct subchannel *sch)
{
    return sch->drv;
}

void
css_sch_set_drvdata(struct subchannel *sch, void *data)
{
    sch->drvdata = data;
}

void *
css_sch_drvdata(const struct subchannel *sch)
{
    return sch->drvdata;
}

/*
 * Unsolicited device status: only an enabled subchannel with a valid
 * device can become status pending (css-pop.md §3, PoP "Status Control");
 * otherwise the status is lost, as on a disabled real subchannel.
 */
void
css_dev_unsolicited(struct css_dev *dev, uint8_t dstat)
{
    struct subchannel *sch = dev ? dev->sch : NULL;

    if (!sch || !css_sch_operational(sch))
        return;
    css_engine_unsolicited(sch, dstat);
}

/* ---- invariants (for tests and the simulation explorer) ---- */

static const char *
css_sch_invariant(const struct css *css, const struct subchannel *sch)
{
    const struct scsw *s = &sch->schib.scsw;

    if (sch->refs == 0 || sch->gone)
        return "defined subchannel dead or gone";
    if (sch->css != css)
        return "subchannel of another css";
    if (s->stctl && !(s->stctl & SCSW_STCTL_PENDING))
        return "status bits without status pending";
    if ((s->stctl & SCSW_STCTL_PENDING) &&
        !(sch->schib.pmcw.ena && sch->schib.pmcw.dnv))
        return "status pending on a disabled subchannel";
    if (s->fctl && !sch->schib.pmcw.ena)
        return "function in progress on a disabled subchannel";
    /* A pending start, resume, halt or clear belongs to a function
     * (device active alone may outlive it: channel end before device
     * end). */
    if (!s->fctl && (s->actl & ~(SCSW_ACTL_DEV_ACTIVE)))
        return "activity without a function";
    if ((s->fctl & SCSW_FCTL_CLEAR) && s->fctl != SCSW_FCTL_CLEAR)
        return "clear function together with another";
    if (sch->isc_queued && !(s->stctl & SCSW_STCTL_PENDING))
        return "interruption queued without status pending";
    if (sch->isc_queued && sch->isc_queued != sch->schib.pmcw.isc + 1)
        return "queued on another ISC than the PMCW's";
    return NULL;
}

static const char *
css_iscq_invariant(const struct css *css)
{
    for (unsigned isc = 0; isc < CSS_NR_ISC; isc++) {
        const struct css_iscq *q = &css->iscq[isc];
        const struct subchannel *last = NULL;

        for (const struct subchannel *p = q->head; p; p = p->isc_next) {
            if (p->isc_queued != isc + 1)
                return "ISC queue member not marked queued";
            last = p;
        }
        if (last != q->tail)
            return "ISC queue tail wrong";
    }
    return NULL;
}

/*
 * Check what must hold between any two events; returns NULL or the first
 * broken invariant.  Costs a walk over every defined subchannel.
 */
const char *
css_check_invariants(const struct css *css)
{
    size_t n = 0;
    const char *why;

    for (unsigned ssid = 0; ssid < CSS_NR_SSID; ssid++) {
        struct subchannel *const *set = css->sets[ssid];

        for (unsigned no = 0; set && no < css->set_end[ssid]; no++) {
            if (!set[no])
                continue;
            n++;
            if (set[no]->ssid != ssid || set[no]->sch_no != no)
                return "subchannel in the wrong slot";
            why = css_sch_invariant(css, set[no]);
            if (why)
                return why;
        }
    }
    if (n != css->nr_sch)
        return "subchannel count wrong";
    if (css->crwq.count > css->crwq.cap)
        return "CRW queue over its bound";
    return css_iscq_invariant(css);
}
