/* SPDX-License-Identifier: MIT */
/*
 * Channel paths (css-pop.md §6): the CHPID table, configure on/off (the
 * machine configuration: PAM and channel-path CRWs), vary on/off (an OS
 * software state: events only), fault injection, and the channel-path
 * reset function of RCHP.
 */
#include <errno.h>
#include <string.h>

#include "css/sub_priv.h"

static bool
css_pim_has(uint8_t pim, unsigned i)
{
    return pim & (0x80u >> i);
}

int
css_chp_check_pim(const struct css *css, uint8_t pim, const uint8_t chpid[8])
{
    for (unsigned i = 0; i < 8; i++) {
        if (css_pim_has(pim, i) && !css->chp[chpid[i]].installed)
            return -EINVAL;
    }
    return 0;
}

/* PAM: the installed paths that are configured to this image. */
uint8_t
css_chp_pam_for(const struct css *css, uint8_t pim, const uint8_t chpid[8])
{
    uint8_t pam = 0;

    for (unsigned i = 0; i < 8; i++) {
        if (css_pim_has(pim, i) && css->chp[chpid[i]].configured)
            pam |= (uint8_t)(0x80u >> i);
    }
    return pam;
}

/* Mask bits of this subchannel's installed paths that use chpid. */
static uint8_t
css_sch_chp_mask(const struct subchannel *sch, uint8_t chpid)
{
    const struct pmcw *p = &sch->schib.pmcw;
    uint8_t mask = 0;

    for (unsigned i = 0; i < 8; i++) {
        if (css_pim_has(p->pim, i) && p->chpid[i] == chpid)
            mask |= (uint8_t)(0x80u >> i);
    }
    return mask;
}

int
css_chp_define(struct css *css, uint8_t chpid, uint8_t type)
{
    struct css_chp *chp = &css->chp[chpid];

    if (chp->installed)
        return -EEXIST;
    memset(chp, 0, sizeof(*chp));
    chp->installed = 1;
    chp->configured = 1;
    chp->type = type;
    return 0;
}

bool
css_chp_installed(const struct css *css, uint8_t chpid)
{
    return css->chp[chpid].installed;
}

bool
css_chp_usable(const struct css *css, uint8_t chpid)
{
    const struct css_chp *chp = &css->chp[chpid];

    return chp->installed && chp->configured && !chp->failed;
}

/* ---- per-subchannel effects of a path change ---- */

struct css_chp_change {
    uint8_t chpid;
    enum css_chp_event ev;
};

static bool
css_sch_busy(const struct subchannel *sch)
{
    return sch->run || sch->schib.scsw.fctl;
}

static void
css_chp_apply(struct subchannel *sch, void *arg)
{
    const struct css_chp_change *c = arg;
    uint8_t mask = css_sch_chp_mask(sch, c->chpid);
    struct pmcw *p = &sch->schib.pmcw;

    if (!mask)
        return;
    switch (c->ev) {
    case CSS_CHP_CONFIG_ON:
        p->pam |= mask;
        break;
    case CSS_CHP_CONFIG_OFF:
        p->pam &= (uint8_t)~mask;
        if (css_sch_busy(sch))
            css_engine_path_lost(sch, mask);
        break;
    case CSS_CHP_FAILED:
        if (css_sch_busy(sch))
            css_engine_path_lost(sch, mask);
        break;
    case CSS_CHP_VARY_ON:
    case CSS_CHP_VARY_OFF:
    case CSS_CHP_RESTORED:
        break;
    }
    css_post_chp_event(sch, c->chpid, mask, c->ev);
}

static void
css_chp_change(struct css *css, uint8_t chpid, enum css_chp_event ev)
{
    struct css_chp_change c = {.chpid = chpid, .ev = ev};

    css_foreach_sch(css, css_chp_apply, &c);
}

/*
 * Configure on/off changes the machine configuration: PAM on every
 * subchannel with the CHPID, then a channel-path CRW (RSC 4, RSID =
 * CHPID): ERC 2 "initialized" when the path came, ERC 7 "permanent error,
 * facility initialized" when it went (css-pop.md §2.6, §6.2; Linux takes
 * ERC 6/7 as "path gone", 2/4 as "path came").
 */
int
css_chp_configure(struct css *css, uint8_t chpid, bool on)
{
    struct css_chp *chp = &css->chp[chpid];
    struct crw crw = {.rsc = CRW_RSC_CPATH, .rsid = chpid};

    if (!chp->installed)
        return -ENODEV;
    if (chp->configured == on)
        return 0;
    chp->configured = on;
    zv_trace(css->loop, "css: chp %02x configure %s", chpid, on ? "on" : "off");
    css_chp_change(css, chpid, on ? CSS_CHP_CONFIG_ON : CSS_CHP_CONFIG_OFF);
    crw.erc = on ? CRW_ERC_INIT : CRW_ERC_PERRI;
    css_crw_queue(css, &crw);
    return 0;
}

/* Vary is the OS's own bookkeeping: nothing architected changes. */
int
css_chp_vary(struct css *css, uint8_t chpid, bool on)
{
    struct css_chp *chp = &css->chp[chpid];

    if (!chp->installed)
        return -ENODEV;
    chp->varied_off = !on;
    css_chp_change(css, chpid, on ? CSS_CHP_VARY_ON : CSS_CHP_VARY_OFF);
    return 0;
}

int
css_chp_set_failed(struct css *css, uint8_t chpid, bool failed)
{
    struct css_chp *chp = &css->chp[chpid];

    if (!chp->installed)
        return -ENODEV;
    if (chp->failed == failed)
        return 0;
    chp->failed = failed;
    zv_trace(css->loop, "css: chp %02x %s", chpid,
             failed ? "failed" : "restored");
    css_chp_change(css, chpid, failed ? CSS_CHP_FAILED : CSS_CHP_RESTORED);
    return 0;
}

/* ---- RESET CHANNEL PATH ---- */

/* cc 3 for a CHPID that is not installed, cc 2 while a reset of it is
 * still in progress, else cc 0: the reset runs as a loop event. */
struct zv_insn_rc
css_rchp_start(struct css *css, uint8_t chpid)
{
    struct css_chp *chp = &css->chp[chpid];
    struct css_event *e;

    if (!chp->installed)
        return zv_rc_cc(ZV_CC3);
    if (chp->reset_busy)
        return zv_rc_cc(ZV_CC2);
    e = css_ev_post(css, NULL, CSS_EV_RCHP);
    if (!e)
        return zv_rc_cc(ZV_CC2); /* no memory: busy, try again */
    e->chpid = chpid;
    chp->reset_busy = 1;
    return zv_rc_cc(ZV_CC0);
}

/*
 * The subchannel back to its initial state (css-pop.md §6.3): the program
 * is ended without status, the interruption request withdrawn, intparm,
 * ISC, E, LM, MM, D, MBI, LPUM and PNOM cleared, the SCSW zeroed.
 */
void
css_sch_reset(struct subchannel *sch)
{
    struct pmcw *p = &sch->schib.pmcw;

    if (css_sch_busy(sch))
        css_engine_abort(sch);
    css_sch_dequeue_irq(sch);
    p->intparm = 0;
    p->isc = 0;
    p->ena = false;
    p->lm = 0;
    p->mme = 0;
    p->mp = false;
    p->mbi = 0;
    p->lpum = 0;
    p->pnom = 0;
    memset(&sch->schib.scsw, 0, sizeof(sch->schib.scsw));
    memset(&sch->esw, 0, sizeof(sch->esw));
    memset(sch->ecw, 0, sizeof(sch->ecw));
}

static void
css_rchp_reset_sch(struct subchannel *sch, void *arg)
{
    const uint8_t *chpid = arg;
    const struct pmcw *p = &sch->schib.pmcw;
    uint8_t mask = css_sch_chp_mask(sch, *chpid);

    /* Devices reachable through the path: installed, available and
     * last found operational on it. */
    if (mask & p->pam & p->pom)
        css_sch_reset(sch);
}

/* Completion: a solicited channel-path CRW, ERC 2 (initialized). */
void
css_rchp_complete(struct css *css, uint8_t chpid)
{
    struct crw crw = {
        .slct = true, .rsc = CRW_RSC_CPATH, .erc = CRW_ERC_INIT, .rsid = chpid};

    css->chp[chpid].reset_busy = 0;
    css_foreach_sch(css, css_rchp_reset_sch, &chpid);
    css_crw_queue(css, &crw);
}
