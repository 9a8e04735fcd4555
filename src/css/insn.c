/* SPDX-License-Identifier: MIT */
/*
 * The subchannel I/O instructions (css-pop.md §4): operand checks in the
 * architected order, condition codes in every state, and the function /
 * activity / status control bits set when an instruction is accepted.
 * The functions themselves run asynchronously in the engine (engine.c).
 *
 * Each instruction has two forms: css_insn_* fetches and stores its
 * operands through the storage address space; css_sch_* (direct form,
 * for host drivers) takes decoded blocks.  Both end in the same static
 * *_do function, so they cannot drift apart.  Operand checks come first;
 * the condition code then comes from one [instruction][state class] table
 * (css_cc_table), and only an accepted instruction's action writes state.
 */
#include <string.h>

#include "css/sub_priv.h"

/* ---- operand access ---- */

enum zv_pic
css_access_pic(const struct zv_as *as, uint64_t addr, uint64_t len,
               unsigned prot)
{
    if (zv_as_check(as, addr, len, prot))
        return ZV_PIC_NONE;
    /* Mapped but without the permission: protection; otherwise the
     * location is not available in the configuration: addressing. */
    if (zv_as_check(as, addr, len, 0))
        return ZV_PIC_PROTECTION;
    return ZV_PIC_ADDRESSING;
}

static enum zv_pic
css_fetch(const struct css *css, uint64_t addr, void *buf, size_t len)
{
    enum zv_pic pic = css_access_pic(css->storage, addr, len, ZV_MEM_READ);

    if (pic != ZV_PIC_NONE)
        return pic;
    if (zv_as_read(css->storage, addr, buf, len) < 0)
        return ZV_PIC_ADDRESSING;
    return ZV_PIC_NONE;
}

static enum zv_pic
css_store(struct css *css, uint64_t addr, const void *buf, size_t len)
{
    if (zv_as_write(css->storage, addr, buf, len) < 0)
        return css_access_pic(css->storage, addr, len, ZV_MEM_WRITE);
    return ZV_PIC_NONE;
}

/* ---- subsystem-identification word (css-pop.md §1) ---- */

/*
 * Operand exception for a malformed SID.  Without the multiple-subchannel-
 * set facility bits 45-46 are part of the must-be-zero field, so a non-zero
 * SSID is an operand exception there (as Hercules does); with MSS a set
 * above the highest one provided is "not provided" (cc 3, as QEMU does).
 */
static bool
css_sid_decode(const struct css *css, uint32_t gr1, struct schid *id)
{
    if (!schid_from_gr1(gr1, id))
        return false;
    return css->cfg.mss || id->ssid == 0;
}

/* NULL = not provided (cc 3).  Only CSS 0 exists: with M = 1 another
 * CSSID names a channel subsystem that is not provided. */
static struct subchannel *
css_sid_sch(const struct css *css, const struct schid *id)
{
    if (id->m && id->cssid != 0)
        return NULL;
    if (id->ssid > css->cfg.max_ssid)
        return NULL;
    return css_sch_lookup(css, id->ssid, id->sch_no);
}

static bool
scsw_pending(const struct scsw *s)
{
    return s->stctl & SCSW_STCTL_PENDING;
}

/* Status pending with intermediate status and nothing else. */
static bool
scsw_intermediate_only(const struct scsw *s)
{
    return s->stctl == (SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
}

/* XSCH applies to a start function that has not reached the subchannel
 * yet, or waits at a suspension: start pending, resume pending or
 * suspended, and not subchannel active (css-pop.md §4.5). */
static bool
css_start_waiting(const struct scsw *s)
{
    const uint8_t waiting =
        SCSW_ACTL_START_PEND | SCSW_ACTL_RESUME_PEND | SCSW_ACTL_SUSPENDED;

    return (s->actl & waiting) && !(s->actl & SCSW_ACTL_SCH_ACTIVE);
}

/* ---- the condition-code table ----
 *
 * What the function instructions and MSCH answer depends only on the
 * class of the subchannel's state below.  Each [instruction][class] cell
 * is spelled out: the cc, or ACCEPT (cc 0 and the instruction acts), or
 * NOP (cc 0 and nothing changes).  test_matrix.c walks every cell.
 */
enum sch_class {
    SCL_NOT_PROVIDED, /* no such subchannel (or gone) */
    SCL_NO_DEVICE,    /* V = 0 */
    SCL_DISABLED,     /* E = 0 (and therefore idle) */
    SCL_PENDING,      /* status pending, not intermediate alone */
    SCL_INTER,        /* intermediate status alone, start function only */
    SCL_INTER_HALT,   /* intermediate status alone, halt in progress */
    SCL_HALT_CLEAR,   /* halt or clear function in progress */
    SCL_IDLE,
    SCL_WAIT_RESUME, /* start waiting (XSCH applies), RSCH applies */
    SCL_WAIT,        /* start waiting, RSCH does not apply */
    SCL_RUN_RESUME,  /* start running, RSCH applies (early resume) */
    SCL_RUN,         /* start running */
    SCL_N
};

enum css_insn_id {
    INSN_SSCH,
    INSN_RSCH,
    INSN_HSCH,
    INSN_CSCH,
    INSN_XSCH,
    INSN_TSCH,
    INSN_MSCH,
    INSN_N
};

enum verdict { V_CC0_NOP, V_CC1, V_CC2, V_CC3, V_ACCEPT };

#define A  V_ACCEPT
#define N  V_CC0_NOP
#define C1 V_CC1
#define C2 V_CC2
#define C3 V_CC3
/* clang-format off */
static const uint8_t css_cc_table[INSN_N][SCL_N] = {
    /*             not  no  dis- pend inter inter halt/ idle wait wait run  run
                   prov dev abled     alone +halt clear      +rs       +rs     */
    [INSN_SSCH] = {C3,  C3, C3,  C1,  C1,   C1,   C2,   A,   C2,  C2,  C2, C2},
    /* RSCH: start function only, with suspend control, not yet resume
     * pending; running or not (an early RSCH is accepted, §4.2). */
    [INSN_RSCH] = {C3,  C3, C3,  C1,  C1,   C1,   C2,   C2,  A,   C2,  A,  C2},
    /* HSCH: intermediate status alone does not block it (§4.3). */
    [INSN_HSCH] = {C3,  C3, C3,  C1,  A,    C2,   C2,   A,   A,   A,   A,  A },
    [INSN_CSCH] = {C3,  C3, C3,  A,   A,    A,    A,    A,   A,   A,   A,  A },
    [INSN_XSCH] = {C3,  C3, C3,  C1,  C1,   C1,   C2,   C2,  A,   A,   C2, C2},
    /* TSCH: ACCEPT stores the IRB and clears; cc 1 stores it too. */
    [INSN_TSCH] = {C3,  C3, C3,  A,   A,    A,    C1,   C1,  C1,  C1,  C1, C1},
    /* MSCH: no device, cc 0 and no action (§4.8). */
    [INSN_MSCH] = {C3,  N,  A,   C1,  C1,   C1,   C2,   A,   C2,  C2,  C2, C2},
};
/* clang-format on */
#undef A
#undef N
#undef C1
#undef C2
#undef C3

static enum sch_class
css_classify_start(const struct scsw *s)
{
    bool resumable = s->sctl && !(s->actl & SCSW_ACTL_RESUME_PEND);

    if (css_start_waiting(s))
        return resumable ? SCL_WAIT_RESUME : SCL_WAIT;
    return resumable ? SCL_RUN_RESUME : SCL_RUN;
}

static enum sch_class
css_classify(const struct subchannel *sch)
{
    const struct scsw *s;

    if (!sch || sch->gone)
        return SCL_NOT_PROVIDED;
    if (!sch->schib.pmcw.dnv)
        return SCL_NO_DEVICE;
    if (!sch->schib.pmcw.ena)
        return SCL_DISABLED;
    s = &sch->schib.scsw;
    if (scsw_pending(s) && !scsw_intermediate_only(s))
        return SCL_PENDING;
    if (scsw_pending(s))
        return s->fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR) ? SCL_INTER_HALT
                                                            : SCL_INTER;
    if (s->fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR))
        return SCL_HALT_CLEAR;
    if (!s->fctl)
        return SCL_IDLE;
    return css_classify_start(s);
}

static enum verdict
css_verdict(enum css_insn_id insn, const struct subchannel *sch)
{
    return (enum verdict)css_cc_table[insn][css_classify(sch)];
}

static struct zv_insn_rc
css_verdict_rc(enum verdict v)
{
    static const enum zv_cc cc[] = {
        [V_CC0_NOP] = ZV_CC0, [V_CC1] = ZV_CC1,    [V_CC2] = ZV_CC2,
        [V_CC3] = ZV_CC3,     [V_ACCEPT] = ZV_CC0,
    };

    return zv_rc_cc(cc[v]);
}

/* ---- START SUBCHANNEL (B233), css-pop.md §4.1 ---- */

static void
css_ssch_accept(struct subchannel *sch, const struct orb *orb)
{
    struct scsw *s = &sch->schib.scsw;
    struct pmcw *p = &sch->schib.pmcw;

    /* FC start, AC start pending, N reset; the ORB's controls are shown
     * in SCSW word 0 while the start function is in progress. */
    memset(s, 0, sizeof(*s));
    s->fctl = SCSW_FCTL_START;
    s->actl = SCSW_ACTL_START_PEND;
    s->key = orb->key;
    s->sctl = orb->spnd;
    s->fmt = orb->fmt;
    s->pfch = orb->pfch;
    s->isic = orb->isic;
    s->alcc = orb->alcc;
    s->ssi = orb->ssic;
    p->intparm = orb->intparm;
    p->lpm = orb->lpm;
    p->pnom = 0;
    sch->orb = *orb;
    memset(&sch->esw, 0, sizeof(sch->esw));
    memset(sch->ecw, 0, sizeof(sch->ecw));
    css_meas_start(sch, false);
}

/*
 * A start whose LPM leaves no path (LPM & PIM & PAM == 0) is accepted
 * with cc 0: SSCH's cc 3 is defined only for a subchannel that is not
 * provided, has no valid device or is not enabled, and the architecture
 * reports "no path available for selection" as status pending with
 * deferred cc 3 (css-pop.md §4.12, §6.1).  Hercules' immediate cc 3 is an
 * emulator choice; the engine's path selection finds no path and ends the
 * start with deferred cc 3.
 */
static struct zv_insn_rc
css_ssch_do(struct css *css, struct subchannel *sch, const struct orb *orb)
{
    struct orb_facilities fac = {.midaw = css->cfg.midaw, .ils = css->cfg.ils};
    enum verdict v;

    if (!orb_valid(orb, &fac))
        return zv_rc_pic(ZV_PIC_OPERAND);
    v = css_verdict(INSN_SSCH, sch);
    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    css_ssch_accept(sch, orb);
    /* The engine traces the start (subchannel, CPA, LPM). */
    css_engine_start(sch);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_ssch(struct subchannel *sch, const struct orb *orb)
{
    return css_ssch_do(sch->css, sch, orb);
}

/* Fetch the ORB: 3 words, or 8 when the extension bit X is one. */
static enum zv_pic
css_fetch_orb(const struct css *css, uint64_t addr, struct orb *orb)
{
    uint8_t buf[ORB_EXT_SIZE];
    enum zv_pic pic = css_fetch(css, addr, buf, ORB_SIZE);

    if (pic != ZV_PIC_NONE)
        return pic;
    orb_decode(orb, buf, ORB_SIZE);
    if (!orb->x)
        return ZV_PIC_NONE;
    pic = css_fetch(css, addr, buf, ORB_EXT_SIZE);
    if (pic == ZV_PIC_NONE)
        orb_decode(orb, buf, ORB_EXT_SIZE);
    return pic;
}

/* Order (QEMU ioinst.c): alignment, ORB fetch, SID and ORB validity,
 * then the subchannel. */
struct zv_insn_rc
css_insn_ssch(struct css *css, uint32_t gr1, uint64_t orb_addr)
{
    struct orb orb;
    struct schid id;
    enum zv_pic pic;

    if (orb_addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_fetch_orb(css, orb_addr, &orb);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    if (!css_sid_decode(css, gr1, &id))
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_ssch_do(css, css_sid_sch(css, &id), &orb);
}

/* ---- RESUME SUBCHANNEL (B238), css-pop.md §4.2 ---- */

/*
 * cc 2 when the function is not start-only, the start was issued without
 * suspend control, or resume is already pending.  Following the
 * architecture (not QEMU/Hercules, which also demand that the program has
 * actually suspended), a RSCH issued before the program reaches its
 * suspend point is accepted: resume pending then makes the next suspend
 * flag ineffective.
 */
static struct zv_insn_rc
css_rsch_do(struct subchannel *sch)
{
    enum verdict v = css_verdict(INSN_RSCH, sch);

    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    css_meas_start(sch, true);
    sch->schib.scsw.actl |= SCSW_ACTL_RESUME_PEND;
    css_engine_resume(sch);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_rsch(struct subchannel *sch)
{
    return css_rsch_do(sch);
}

static bool
css_sid_gr1(struct css *css, uint32_t gr1, struct subchannel **sch)
{
    struct schid id;

    if (!css_sid_decode(css, gr1, &id))
        return false;
    *sch = css_sid_sch(css, &id);
    return true;
}

struct zv_insn_rc
css_insn_rsch(struct css *css, uint32_t gr1)
{
    struct subchannel *sch;

    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_rsch_do(sch);
}

/* ---- HALT SUBCHANNEL (B231), css-pop.md §4.3 ---- */

/*
 * Intermediate status alone pending while the subchannel and device are
 * active (a PCI) is withdrawn: the halt's own completion status will be
 * presented instead (PoP HSCH, as Hercules cites it).  The PCI bit goes
 * with it; Z belongs to intermediate status.
 */
static void
css_hsch_discard_intermediate(struct subchannel *sch)
{
    struct scsw *s = &sch->schib.scsw;
    const uint8_t active = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;

    if (!scsw_intermediate_only(s) || (s->actl & active) != active)
        return;
    css_sch_dequeue_irq(sch);
    s->stctl = 0;
    s->zcc = false;
    s->cstat &= (uint8_t)~SCHN_STAT_PCI;
}

static struct zv_insn_rc
css_hsch_do(struct subchannel *sch)
{
    enum verdict v = css_verdict(INSN_HSCH, sch);
    struct scsw *s;

    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    s = &sch->schib.scsw;
    css_hsch_discard_intermediate(sch);
    /* Start stays in FC if it was in progress (QEMU clears it: a
     * deviation). */
    s->fctl |= SCSW_FCTL_HALT;
    s->actl |= SCSW_ACTL_HALT_PEND;
    css_engine_halt(sch);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_hsch(struct subchannel *sch)
{
    return css_hsch_do(sch);
}

struct zv_insn_rc
css_insn_hsch(struct css *css, uint32_t gr1)
{
    struct subchannel *sch;

    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_hsch_do(sch);
}

/* ---- CLEAR SUBCHANNEL (B230), css-pop.md §4.4 ---- */

/*
 * cc 0 in every state of an operational subchannel: the interruption
 * request is withdrawn and pending status discarded, FC shows the clear
 * function alone, AC clear pending.  The engine ends any start or halt,
 * resets the path fields and makes the completion status (FC clear, SC
 * status pending alone, other SCSW fields zero).
 */
static struct zv_insn_rc
css_csch_do(struct subchannel *sch)
{
    enum verdict v = css_verdict(INSN_CSCH, sch);
    struct scsw *s;

    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    s = &sch->schib.scsw;
    css_sch_dequeue_irq(sch);
    s->stctl = 0;
    s->fctl = SCSW_FCTL_CLEAR;
    s->actl |= SCSW_ACTL_CLEAR_PEND;
    css_engine_clear(sch);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_csch(struct subchannel *sch)
{
    return css_csch_do(sch);
}

struct zv_insn_rc
css_insn_csch(struct css *css, uint32_t gr1)
{
    struct subchannel *sch;

    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_csch_do(sch);
}

/* ---- CANCEL SUBCHANNEL (B276), css-pop.md §4.5 ---- */

/*
 * cc 2 when cancel does not apply (Hercules' cc 1 there is a deviation).
 * cc 0 withdraws a start that is still start pending, resume pending or
 * suspended: the subchannel is idle again and no interruption is made.
 */
static struct zv_insn_rc
css_xsch_do(struct subchannel *sch)
{
    enum verdict v = css_verdict(INSN_XSCH, sch);
    struct scsw *s;

    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    s = &sch->schib.scsw;
    css_engine_cancel(sch);
    s->fctl = 0;
    s->actl = 0;
    s->stctl = 0;
    s->dstat = 0;
    s->cstat = 0;
    css_sch_dequeue_irq(sch);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_xsch(struct subchannel *sch)
{
    return css_xsch_do(sch);
}

struct zv_insn_rc
css_insn_xsch(struct css *css, uint32_t gr1)
{
    struct subchannel *sch;

    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_xsch_do(sch);
}

/* ---- TEST SUBCHANNEL (B235), css-pop.md §4.6 ---- */

/*
 * Intermediate status alone: only the status goes (and Z).  The special
 * rows of Figure 14-2 for a suspended program: once a halt function has
 * been performed on it (FC halt, halt pending reset), FC, the pending AC
 * bits and suspended are reset too; a start alone loses resume pending
 * and N.  While the halt is still pending, the function is left alone: it
 * completes with its own interruption, so the subchannel must not look
 * idle (and be disabled by MSCH) before that status arrives.
 */
static void
css_tsch_clear_intermediate(struct scsw *s)
{
    const uint8_t fc = s->fctl, ac = s->actl;
    const uint8_t pend = SCSW_ACTL_RESUME_PEND | SCSW_ACTL_START_PEND |
                         SCSW_ACTL_HALT_PEND | SCSW_ACTL_CLEAR_PEND;
    const bool halted = (fc & SCSW_FCTL_HALT) && !(ac & SCSW_ACTL_HALT_PEND);

    s->stctl = 0;
    s->zcc = false;
    if (!(ac & SCSW_ACTL_SUSPENDED))
        return;
    if (halted) {
        s->fctl = 0;
        s->actl &= (uint8_t) ~(pend | SCSW_ACTL_SUSPENDED);
    } else if (fc == SCSW_FCTL_START) {
        s->actl &= (uint8_t)~SCSW_ACTL_RESUME_PEND;
        s->pno = false;
    }
}

/*
 * Figure 14-2: with final status (status pending alone or with alert,
 * primary or secondary) the function ends: FC, the pending AC bits,
 * suspended, SC and N are reset.  With intermediate status alone only
 * the status is cleared and a running program goes on (subchannel and
 * device active stay).
 */
static void
css_tsch_clear(struct scsw *s)
{
    if (scsw_intermediate_only(s)) {
        css_tsch_clear_intermediate(s);
        return;
    }
    s->fctl = 0;
    s->actl &= (uint8_t) ~(SCSW_ACTL_RESUME_PEND | SCSW_ACTL_START_PEND |
                           SCSW_ACTL_HALT_PEND | SCSW_ACTL_CLEAR_PEND |
                           SCSW_ACTL_SUSPENDED);
    s->stctl = 0;
    s->pno = false;
}

/* The IRB holds the SCSW as it was before clearing.  cc 1 (not status
 * pending) still stores the IRB with the current SCSW and clears
 * nothing; cc 3 stores nothing. */
static struct zv_insn_rc
css_tsch_do(struct subchannel *sch, struct irb *irb)
{
    enum verdict v = css_verdict(INSN_TSCH, sch);
    struct scsw *s;

    if (v == V_CC3)
        return zv_rc_cc(ZV_CC3);
    s = &sch->schib.scsw;
    memset(irb, 0, sizeof(*irb));
    irb->scsw = *s;
    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    irb->esw = sch->esw;
    memcpy(irb->ecw, sch->ecw, sizeof(irb->ecw));
    css_tsch_clear(s);
    css_sch_dequeue_irq(sch);
    /* ESW/ECW belonged to the status just presented. */
    memset(&sch->esw, 0, sizeof(sch->esw));
    memset(sch->ecw, 0, sizeof(sch->ecw));
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_tsch(struct subchannel *sch, struct irb *irb)
{
    return css_tsch_do(sch, irb);
}

/* Order (QEMU): SID (operand) before alignment (specification), and the
 * IRB must be storable before cc 3 is given.  The EMW is stored only
 * when the subchannel has extended-measurement-word mode on. */
struct zv_insn_rc
css_insn_tsch(struct css *css, uint32_t gr1, uint64_t irb_addr)
{
    uint8_t buf[IRB_SIZE];
    struct subchannel *sch;
    struct irb irb;
    struct zv_insn_rc rc;
    size_t len;
    enum zv_pic pic;

    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    if (irb_addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    len = sch && sch->schib.pmcw.xmwme ? IRB_SIZE : IRB_BASE_SIZE;
    pic = css_access_pic(css->storage, irb_addr, len, ZV_MEM_WRITE);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    rc = css_tsch_do(sch, &irb);
    if (rc.cc == ZV_CC3)
        return rc;
    irb_encode(&irb, buf);
    pic = css_store(css, irb_addr, buf, len);
    return pic == ZV_PIC_NONE ? rc : zv_rc_pic(pic);
}

/* ---- STORE SUBCHANNEL (B234), css-pop.md §4.7 ---- */

/* cc 0 for any provided subchannel, device or not, enabled or not;
 * word 1 bit 5 is stored as zero. */
struct zv_insn_rc
css_sch_stsch(struct subchannel *sch, struct schib *schib)
{
    if (!sch || sch->gone)
        return zv_rc_cc(ZV_CC3);
    *schib = sch->schib;
    schib->pmcw.bit5 = false;
    return zv_rc_cc(ZV_CC0);
}

/* Order (QEMU): alignment; a bad SID is an access exception if the
 * operand cannot be stored, otherwise an operand exception. */
struct zv_insn_rc
css_insn_stsch(struct css *css, uint32_t gr1, uint64_t addr)
{
    uint8_t buf[SCHIB_SIZE];
    struct subchannel *sch;
    struct schib schib;
    struct zv_insn_rc rc;
    enum zv_pic pic;

    if (addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_access_pic(css->storage, addr, SCHIB_SIZE, ZV_MEM_WRITE);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    rc = css_sch_stsch(sch, &schib);
    if (rc.cc != ZV_CC0)
        return rc;
    schib_encode(&schib, buf);
    pic = css_store(css, addr, buf, SCHIB_SIZE);
    return pic == ZV_PIC_NONE ? rc : zv_rc_pic(pic);
}

/* ---- MODIFY SUBCHANNEL (B232), css-pop.md §4.8 ---- */

/*
 * The program-settable fields.  POM is not one of them: the PoP's list
 * (intparm, ISC, E, LM, MM, D, LPM, MBI, F, X, S, MBA) does not name it;
 * QEMU and Hercules copying it is their choice.
 */
static void
css_msch_copy(struct schib *dst, const struct schib *src)
{
    struct pmcw *d = &dst->pmcw;
    const struct pmcw *s = &src->pmcw;

    d->intparm = s->intparm;
    d->isc = s->isc;
    d->ena = s->ena;
    d->lm = s->lm;
    d->mme = s->mme;
    d->mp = s->mp;
    d->lpm = s->lpm;
    d->mbi = s->mbi;
    d->mbfc = s->mbfc;
    d->xmwme = s->xmwme;
    d->csense = s->csense;
    /* Words 10-11 are the measurement-block address only with format-1
     * measurement blocks; otherwise they are model dependent. */
    if (s->mbfc)
        dst->mba = src->mba;
}

static struct zv_insn_rc
css_msch_do(struct css *css, struct subchannel *sch, const struct schib *schib)
{
    enum verdict v;

    if (!schib_msch_valid(schib))
        return zv_rc_pic(ZV_PIC_OPERAND);
    /* S (concurrent sense) without the facility: operand exception. */
    if (schib->pmcw.csense && !css->cfg.concurrent_sense)
        return zv_rc_pic(ZV_PIC_OPERAND);
    v = css_verdict(INSN_MSCH, sch);
    if (v != V_ACCEPT)
        return css_verdict_rc(v);
    css_msch_copy(&sch->schib, schib);
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_sch_msch(struct subchannel *sch, const struct schib *schib)
{
    return css_msch_do(sch->css, sch, schib);
}

/* Order (QEMU): alignment, SCHIB fetch (a protection exception leaves the
 * subchannel unchanged), SID and SCHIB validity, then the subchannel. */
struct zv_insn_rc
css_insn_msch(struct css *css, uint32_t gr1, uint64_t addr)
{
    uint8_t buf[SCHIB_SIZE];
    struct subchannel *sch;
    struct schib schib;
    enum zv_pic pic;

    if (addr & 3)
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_fetch(css, addr, buf, SCHIB_SIZE);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    if (!css_sid_gr1(css, gr1, &sch))
        return zv_rc_pic(ZV_PIC_OPERAND);
    schib_decode(&schib, buf);
    return css_msch_do(css, sch, &schib);
}

/* ---- RESET CHANNEL PATH (B23B), css-pop.md §4.10 ---- */

/* GR1 bits 56-63 hold the CHPID; without MCSS bits 32-55 are reserved
 * and must be zero (operand exception, as Hercules). */
struct zv_insn_rc
css_insn_rchp(struct css *css, uint32_t gr1)
{
    if (gr1 & 0xFFFFFF00u)
        return zv_rc_pic(ZV_PIC_OPERAND);
    return css_rchp_start(css, (uint8_t)gr1);
}

/* ---- SET ADDRESS LIMIT (B237), css-pop.md §4.10 ---- */

/* Only GR1 bits 33-47 may be one: bit 32 and bits 48-63 must be zero, so
 * the limit is a 31-bit address on a 64K boundary (Hercules checks the
 * same 0x8000FFFF). */
#define SAL_LIMIT_BITS 0x7FFF0000u

static struct zv_insn_rc
css_sal_do(struct css *css, uint64_t limit)
{
    if (limit & ~(uint64_t)SAL_LIMIT_BITS)
        return zv_rc_pic(ZV_PIC_OPERAND);
    css->addr_limit = (uint32_t)limit;
    zv_trace(css->loop, "css sal limit=%08x", css->addr_limit);
    /* SAL leaves the condition code unchanged. */
    return zv_rc_cc(ZV_CC0);
}

struct zv_insn_rc
css_insn_sal(struct css *css, uint32_t gr1)
{
    return css_sal_do(css, gr1);
}

struct zv_insn_rc
css_sal(struct css *css, uint64_t limit)
{
    return css_sal_do(css, limit);
}

uint32_t
css_addr_limit(const struct css *css)
{
    return css->addr_limit;
}

/* ---- CHANNEL SUBSYSTEM CALL (B25F), css-pop.md §4.11 ---- */

struct zv_insn_rc
css_insn_chsc(struct css *css, uint64_t req)
{
    return css_chsc_run(css, req);
}
