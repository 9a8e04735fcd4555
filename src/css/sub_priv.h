/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the subchannel side of css/ (css.c, insn.c,
 * intr.c, chp.c, crw.c, chsc.c).  The engine sees only css_priv.h.
 */
#ifndef ZV_CSS_SUB_PRIV_H
#define ZV_CSS_SUB_PRIV_H

#include "css/css_priv.h"

#define CSS_NR_SSID   (CSS_MAX_SSID + 1)
#define CSS_SET_SLOTS (CSS_MAX_SCH_NO + 1)
#define CSS_NR_ISC    8
#define CSS_NR_CHPID  (CSS_MAX_CHPID + 1)

/* Channel-path state (css-pop.md §6). */
struct css_chp {
    uint8_t installed : 1;
    uint8_t configured : 1; /* configure on/off: drives PAM */
    uint8_t failed : 1;     /* fault injection: link down */
    uint8_t varied_off : 1; /* OS software state only */
    uint8_t reset_busy : 1; /* RCHP reset function in progress */
    uint8_t type;
};

/* Work posted to the loop on behalf of a subchannel or the CSS. */
enum css_ev_kind {
    CSS_EV_IRQ,       /* TSCH + drv->irq */
    CSS_EV_SCH,       /* drv->sch_event */
    CSS_EV_CHP,       /* drv->chp_event */
    CSS_EV_GONE,      /* drv->sch_event(GONE), then remove() */
    CSS_EV_RCHP,      /* complete a channel-path reset */
    CSS_EV_CRW_NOTIFY /* channel-report-pending notification */
};

struct css_event {
    struct css_event *next, *prev; /* css->events, or the free list */
    struct css *css;
    struct subchannel *sch; /* holds a reference; NULL for CSS-wide */
    zv_timer_id id;
    uint8_t kind;
    uint8_t chpid;
    uint8_t mask;
    uint8_t ev;
};

struct css_crwq {
    struct crw *ring;
    unsigned cap, head, count;
    bool lost; /* a CRW was dropped: R on the next one stored */
};

struct css_iscq {
    struct subchannel *head, *tail;
};

/* SET CHANNEL MONITOR state (css-pop.md §4.10). */
struct css_chm {
    bool mbu;     /* GR1 M: measurement-block update */
    bool dctm;    /* GR1 D: device-connect-time measurement */
    uint8_t key;  /* measurement-block key (keys are not modelled) */
    uint64_t mbo; /* format-0 measurement-block origin */
};

struct css {
    struct zv_loop *loop;
    struct css_chm chm;
    uint32_t addr_limit; /* SET ADDRESS LIMIT; 0 after reset */
    struct zv_as *storage;
    struct css_config cfg;
    /* Per set: CSS_SET_SLOTS pointers, allocated on the first define. */
    struct subchannel **sets[CSS_NR_SSID];
    /* One past the highest number ever defined per set: scans stop there. */
    unsigned set_end[CSS_NR_SSID];
    size_t nr_sch;
    struct css_chp chp[CSS_NR_CHPID];
    struct css_iscq iscq[CSS_NR_ISC];
    uint8_t isc_mask; /* CR6 I/O-interruption subclass mask */
    struct css_crwq crwq;
    css_crw_notify_fn crw_notify;
    void *crw_notify_arg;
    bool crw_notify_posted;
    struct css_event events;    /* list head of posted events */
    struct css_event *free_evs; /* recycled event records */
    unsigned nr_free_evs;
};

/* css.c */
struct subchannel *css_sch_lookup(const struct css *css, uint8_t ssid,
                                  uint16_t sch_no);
/* Call fn for every defined subchannel (in SID order). */
void css_foreach_sch(struct css *css,
                     void (*fn)(struct subchannel *sch, void *arg), void *arg);
/* NULL when every subchannel-side invariant holds, else what broke.  For
 * tests and the simulation explorer: call it after every event. */
const char *css_check_invariants(const struct css *css);
/* Is the subchannel operational for the function instructions (provided,
 * device valid, enabled)? */
bool css_sch_operational(const struct subchannel *sch);

/* intr.c: posted events */
struct css_event *css_ev_post(struct css *css, struct subchannel *sch,
                              enum css_ev_kind kind);
/* Drop posted events for sch other than irq delivery (unbind). */
void css_ev_cancel_sch(struct css *css, struct subchannel *sch);
void css_ev_unbind_gone(struct css *css);
void css_ev_cancel_all(struct css *css);
void css_ev_free_pool(struct css *css);
void css_post_sch_event(struct subchannel *sch, enum css_sch_event ev);
void css_post_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
                        enum css_chp_event ev);
/* Run a posted event (the loop callback for every kind). */
void css_ev_dispatch(struct css_event *e);
void css_rchp_complete(struct css *css, uint8_t chpid);
/* Pop the highest-priority interruption enabled by the CR6 mask. */
struct subchannel *css_isc_pop(struct css *css);
void css_isc_push_front(struct subchannel *sch);

/* crw.c */
int css_crwq_init(struct css_crwq *q, unsigned cap);
void css_crwq_fini(struct css_crwq *q);
/* Queue a chain of n CRWs as a unit: all or none (overflow). */
void css_crw_queue_chain(struct css *css, const struct crw *crws, unsigned n);
/* Subchannel report (RSC 3), chained with the SSID when MSS is on. */
void css_crw_report_sch(struct css *css, uint8_t ssid, uint16_t sch_no,
                        uint8_t erc);
void css_crw_notify_run(struct css *css);

/* chp.c */
int css_chp_check_pim(const struct css *css, uint8_t pim,
                      const uint8_t chpid[8]);
uint8_t css_chp_pam_for(const struct css *css, uint8_t pim,
                        const uint8_t chpid[8]);
/* insn.c */
/* Access check of an operand: none, protection (mapped without the
 * permission) or addressing (not mapped). */
enum zv_pic css_access_pic(const struct zv_as *as, uint64_t addr, uint64_t len,
                           unsigned prot);
struct zv_insn_rc css_rchp_start(struct css *css, uint8_t chpid);
/* chp.c: reset a subchannel to its initial state (RCHP, §6.3). */
void css_sch_reset(struct subchannel *sch);

/* chsc.c */
struct zv_insn_rc css_chsc_run(struct css *css, uint64_t req);

#endif
