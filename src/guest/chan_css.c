/* SPDX-License-Identifier: MIT */
/*
 * guest_chan over the host CSS: the direct instruction forms, IRBs taken
 * from the host driver model (the CSS has already done TSCH, as Linux's
 * interrupt handler does).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/chan_css.h"

#define CHAN_CSS_IRBQ   16
#define GUEST_MEM_LIMIT (1ull << 31) /* format-1 CCW addresses: 31 bits */

struct chan_css {
    struct guest_chan ch;
    struct css *css;
    struct subchannel *sch;
    struct irb irbq[CHAN_CSS_IRBQ];
    unsigned head, len;
    uint64_t dropped;
    bool gone;
};

static struct chan_css *
cc_of(struct guest_chan *ch)
{
    return (struct chan_css *)ch;
}

/* ---- host driver side ---- */

static int
chan_css_probe(struct subchannel *sch)
{
    (void)sch;
    return 0;
}

static void
chan_css_remove(struct subchannel *sch)
{
    struct chan_css *c = css_sch_drvdata(sch);

    if (c)
        c->gone = true;
}

static void
chan_css_irq(struct subchannel *sch, const struct irb *irb)
{
    struct chan_css *c = css_sch_drvdata(sch);

    if (!c)
        return;
    if (c->len == CHAN_CSS_IRBQ) {
        c->dropped++; /* a guest that never waits loses the oldest */
        c->head = (c->head + 1) % CHAN_CSS_IRBQ;
        c->len--;
    }
    c->irbq[(c->head + c->len) % CHAN_CSS_IRBQ] = *irb;
    c->len++;
}

static void
chan_css_sch_event(struct subchannel *sch, enum css_sch_event ev)
{
    struct chan_css *c = css_sch_drvdata(sch);

    if (c && ev == CSS_SCH_GONE)
        c->gone = true;
    if (c && ev == CSS_SCH_BACK)
        c->gone = false;
}

static void
chan_css_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
                   enum css_chp_event ev)
{
    /* Path changes show in the SCHIB; the DASD library re-reads it. */
    (void)sch;
    (void)chpid;
    (void)mask;
    (void)ev;
}

static const struct css_driver chan_css_driver = {
    .name = "guest-chan-css",
    .probe = chan_css_probe,
    .remove = chan_css_remove,
    .irq = chan_css_irq,
    .sch_event = chan_css_sch_event,
    .chp_event = chan_css_chp_event,
};

/* ---- guest_chan ops ---- */

static int
rc_to_int(struct zv_insn_rc rc)
{
    return rc.pic != ZV_PIC_NONE ? -EINVAL : (int)rc.cc;
}

static int
chan_css_ssch(struct guest_chan *ch, const struct orb *orb)
{
    return rc_to_int(css_sch_ssch(cc_of(ch)->sch, orb));
}

static int
chan_css_hsch(struct guest_chan *ch)
{
    return rc_to_int(css_sch_hsch(cc_of(ch)->sch));
}

static int
chan_css_csch(struct guest_chan *ch)
{
    return rc_to_int(css_sch_csch(cc_of(ch)->sch));
}

static int
chan_css_stsch(struct guest_chan *ch, struct schib *schib)
{
    int rc = rc_to_int(css_sch_stsch(cc_of(ch)->sch, schib));

    return rc == 0 ? 0 : (rc == 3 ? -ENODEV : -EIO);
}

static int
chan_css_msch(struct chan_css *c, const struct schib *s)
{
    int rc = rc_to_int(css_sch_msch(c->sch, s));

    if (rc == 0)
        return 0;
    return rc == 3 ? -ENODEV : (rc == 1 || rc == 2 ? -EBUSY : -EINVAL);
}

static int
chan_css_enable(struct guest_chan *ch, uint32_t intparm, uint8_t isc)
{
    struct chan_css *c = cc_of(ch);
    struct schib s;
    int rc = chan_css_stsch(ch, &s);

    if (rc)
        return rc;
    s.pmcw.ena = true;
    s.pmcw.isc = isc;
    s.pmcw.intparm = intparm;
    s.pmcw.mp = true;
    /* Ask for concurrent sense; without the facility MSCH may refuse
     * it, and the DASD library falls back to basic Sense. */
    s.pmcw.csense = true;
    rc = chan_css_msch(c, &s);
    if (rc == -EINVAL) {
        s.pmcw.csense = false;
        rc = chan_css_msch(c, &s);
    }
    return rc;
}

static int
chan_css_wait_irb(struct guest_chan *ch, struct irb *irb, uint64_t timeout_ns)
{
    struct chan_css *c = cc_of(ch);
    uint64_t deadline = zv_loop_now(ch->loop) + timeout_ns;

    while (c->len == 0) {
        uint64_t now = zv_loop_now(ch->loop);

        if (c->gone)
            return -ENODEV;
        if (now >= deadline)
            return -ETIMEDOUT;
        if (zv_loop_run_once(ch->loop, deadline - now) == 0 &&
            zv_loop_is_virtual(ch->loop))
            return -ETIMEDOUT; /* nothing left that could interrupt */
    }
    *irb = c->irbq[c->head];
    c->head = (c->head + 1) % CHAN_CSS_IRBQ;
    c->len--;
    return 0;
}

static void
chan_css_destroy(struct guest_chan *ch)
{
    struct chan_css *c = cc_of(ch);

    if (css_sch_driver(c->sch) == &chan_css_driver)
        css_sch_unbind(c->sch);
    css_sch_set_drvdata(c->sch, NULL);
    css_sch_put(c->sch);
    zv_arena_free(ch->arena);
    free(c);
}

static const struct guest_chan_ops chan_css_ops = {
    .ssch = chan_css_ssch,
    .hsch = chan_css_hsch,
    .csch = chan_css_csch,
    .stsch = chan_css_stsch,
    .enable = chan_css_enable,
    .wait_irb = chan_css_wait_irb,
    .destroy = chan_css_destroy,
};

int
guest_chan_css_new(struct css *css, struct subchannel *sch, uint64_t mem_base,
                   uint64_t mem_size, struct guest_chan **out)
{
    struct chan_css *c;
    int rc;

    if (!css || !sch || !out || mem_size == 0 ||
        mem_base + mem_size > GUEST_MEM_LIMIT || mem_base + mem_size < mem_base)
        return -EINVAL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->css = css;
    c->sch = sch;
    c->ch.ops = &chan_css_ops;
    c->ch.loop = css_loop(css);
    c->ch.mem = css_storage(css);
    c->ch.arena = zv_arena_new(c->ch.mem, mem_base, mem_size);
    if (!c->ch.arena) {
        rc = -ENOMEM;
        goto err_arena;
    }
    css_sch_set_drvdata(sch, c);
    rc = css_sch_bind(sch, &chan_css_driver);
    if (rc)
        goto err_bind;
    css_sch_set_drvdata(sch, c);
    css_sch_get(sch);
    *out = &c->ch;
    return 0;
err_bind:
    css_sch_set_drvdata(sch, NULL);
    zv_arena_free(c->ch.arena);
err_arena:
    free(c);
    return rc;
}
