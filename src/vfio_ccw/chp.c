/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw/chp: channel-path events, the CRW queue and the SCHIB region
 * (vfio-ccw.md §5; css-pop.md §2.6, §6).
 *
 * Unlike the kernel (CRWs only for configure on/off, no cap, no overflow
 * indication: vfio-ccw.md §7 item 7), every path event kind queues a
 * channel-path CRW, the queue is bounded, and a CRW lost to a full queue
 * is reported: the next CRW the client reads after the gap carries R = 1
 * (PoP: "at least one CRW was lost before this one").
 */
#include <errno.h>
#include <string.h>

#include "vfio_ccw/vfio_ccw_priv.h"

static bool
is_open(const struct vccw_private *p)
{
    return p->state >= VCCW_IDLE && p->state < VCCW_NR_STATES;
}

static void
crwq_push(struct vccw_private *p, uint32_t w)
{
    unsigned tail = (p->crwq_head + p->crwq_len++) % ZV_VFIO_CCW_CRWQ_MAX;

    p->crwq[tail] = w;
    p->cnt.crw_queued = p->crwq_len;
}

void
vccw_crw_queue(struct vccw_private *p, uint8_t rsc, uint8_t erc, uint16_t rsid)
{
    struct crw crw = {.rsc = rsc, .erc = erc, .rsid = rsid};
    uint32_t w = crw_to_word(&crw);

    if (!is_open(p))
        return;
    zv_trace(p->loop, "vfio_ccw: crw rsc %x erc %x rsid %04x%s", rsc, erc, rsid,
             p->crwq_len == ZV_VFIO_CCW_CRWQ_MAX ? " (lost)" : "");
    if (p->crwq_len == ZV_VFIO_CCW_CRWQ_MAX) {
        p->crw_lost = true;
        p->crw_last_lost = w;
        p->cnt.crw_lost++;
        return;
    }
    crwq_push(p, w);
    vccw_kick(p, ZV_VFIO_CCW_CRW_IRQ_INDEX);
}

void
vccw_crwq_flush(struct vccw_private *p)
{
    p->crwq_head = 0;
    p->crwq_len = 0;
    p->crw_lost = false;
    p->cnt.crw_queued = 0;
}

static uint32_t
crwq_pop(struct vccw_private *p)
{
    uint32_t w;

    if (!p->crwq_len)
        return 0;
    w = p->crwq[p->crwq_head];
    p->crwq_head = (p->crwq_head + 1) % ZV_VFIO_CCW_CRWQ_MAX;
    p->crwq_len--;
    /* Room again: the newest lost report goes in flagged R = 1. */
    if (p->crw_lost) {
        struct crw crw;

        crw_from_word(&crw, p->crw_last_lost);
        crw.oflw = true;
        crwq_push(p, crw_to_word(&crw));
        p->crw_lost = false;
    }
    p->cnt.crw_queued = p->crwq_len;
    return w;
}

/* struct ccw_crw_region: u32 crw, u32 pad.  A read that covers the crw
 * word pops one CRW (0 when none); the CRW IRQ is signalled again while
 * more are queued (vfio-ccw.md §3.2, §3.3). */
ssize_t
vccw_crw_region_read(struct vccw_private *p, uint64_t off, void *buf,
                     size_t len)
{
    uint8_t region[ZV_CCW_CRW_REGION_SIZE] = {0};

    if (off < ZV_CCW_CRW_CRW_OFF + 4)
        zv_put_be32(region + ZV_CCW_CRW_CRW_OFF, crwq_pop(p));
    memcpy(buf, region + off, len);
    if (p->crwq_len)
        vccw_kick(p, ZV_VFIO_CCW_CRW_IRQ_INDEX);
    return (ssize_t)len;
}

/*
 * The SCHIB region: a host STSCH (the kernel's cio_update_schib), seen
 * through the mediator: paths varied off are not available to the client
 * (PAM), paths found not operational stay out of POM until they come
 * back, and the PNOM/N of the client's last failed SSCH are kept
 * (css-pop.md §6.1) -- the guest's view of which paths are gone.  The
 * SCSW's CPA is a guest address or 0, never a host one.
 */
ssize_t
vccw_schib_region_read(struct vccw_private *p, uint64_t off, void *buf,
                       size_t len)
{
    uint8_t region[ZV_CCW_SCHIB_REGION_SIZE];
    struct schib schib;
    struct zv_insn_rc rc;

    if (!p->sch)
        return -ENODEV;
    rc = css_sch_stsch(p->sch, &schib);
    if (rc.pic != ZV_PIC_NONE || rc.cc != ZV_CC0)
        return -ENODEV;
    /* CPA in returned status is always a guest address (DESIGN.md): the
     * live program's, translated; none when no program lives. */
    if (p->cp)
        cp_update_scsw(p->cp, &schib.scsw);
    else
        schib.scsw.cpa = 0;
    schib.pmcw.pam &= (uint8_t)~p->varied_off;
    schib.pmcw.pom &= (uint8_t)~p->pno;
    schib.pmcw.pnom |= p->pnom;
    if (p->pnom)
        schib.scsw.pno = true;
    schib_encode(&schib, region);
    memcpy(buf, region + off, len);
    return (ssize_t)len;
}

/*
 * A host path event (vfio-ccw.md §5.1).  The masks the client's SSCH uses
 * change at once; running I/O is left to the host, which ends it itself
 * when a configured-off or failed path carried it (css.h).  A vary off
 * changes no architected state (css-pop.md §6.2), so a program running on
 * that path may finish; later starts avoid it.
 */
void
vccw_chp_event(struct vccw_private *p, uint8_t chpid, uint8_t mask,
               enum css_chp_event ev)
{
    uint8_t erc;

    switch (ev) {
    case CSS_CHP_VARY_ON:
        p->varied_off &= (uint8_t)~mask;
        p->pno &= (uint8_t)~mask;
        erc = CRW_ERC_INIT; /* ERC 2: the path came */
        break;
    case CSS_CHP_VARY_OFF:
        p->varied_off |= mask;
        erc = CRW_ERC_PERRN; /* ERC 6: the path went */
        break;
    case CSS_CHP_CONFIG_ON:
    case CSS_CHP_RESTORED:
        p->pno &= (uint8_t)~mask;
        erc = CRW_ERC_INIT;
        break;
    case CSS_CHP_CONFIG_OFF:
        erc = CRW_ERC_PERRN;
        break;
    case CSS_CHP_FAILED:
    default:
        p->pno |= mask;
        erc = CRW_ERC_PERRI; /* ERC 7: permanent error, initialized */
        break;
    }
    zv_trace(p->loop, "vfio_ccw: chp %02x mask %02x event %d", chpid, mask,
             (int)ev);
    vccw_crw_queue(p, CRW_RSC_CPATH, erc, chpid);
}
