/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: the model of the composite subchannel and the invariants.
 *
 * The model is what the PoP says the guest-visible subchannel must do
 * (css-pop.md §3, §4.1-4.6; DESIGN.md principle 3), kept from the guest's
 * side only: the answers it got and the status it read.  After every
 * guest operation and every loop event the device's answers, its FSM
 * state name and its counters are compared against it, and the memory
 * the device may not touch is checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define CANARY 0xDB

void
sim_fail(struct sim *s, const char *fmt, ...)
{
    va_list ap;

    if (s->failed)
        return;
    s->failed = true;
    s->fail_step = s->step;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof(s->why), fmt, ap);
    va_end(ap);
    zv_trace(s->loop, "sim: VIOLATION: %s", s->why);
}

void
sim_canary_fill(uint8_t *p, size_t len)
{
    memset(p, CANARY, len);
}

static bool
canary_intact(const uint8_t *p, size_t len)
{
    static const uint8_t page[SIM_PAGE] = {[0 ... SIM_PAGE - 1] = CANARY};

    for (size_t off = 0; off < len; off += SIM_PAGE)
        if (memcmp(p + off, page, len - off < SIM_PAGE ? len - off : SIM_PAGE))
            return false;
    return true;
}

static uint8_t
ro_byte(size_t i)
{
    return (uint8_t)(0xC3 ^ (i * 7));
}

void
sim_ro_fill(struct sim *s)
{
    uint8_t *p = s->guest + SIM_RO_CHUNK * SIM_CHUNK_SIZE;

    for (size_t i = 0; i < SIM_CHUNK_SIZE; i++)
        s->ro_copy[i] = ro_byte(i);
    memcpy(p, s->ro_copy, SIM_CHUNK_SIZE);
}

static const char *
fc_name(uint8_t fc)
{
    static const char *const names[8] = {
        "none",  "clear",       "halt",       "halt+clear",
        "start", "start+clear", "start+halt", "start+halt+clear",
    };

    return names[fc & 7];
}

static bool
guest_addr(uint64_t a)
{
    return a >= SIM_GUEST_IOVA && a < SIM_GUEST_IOVA + SIM_GUEST_SIZE;
}

/* The model forgets every function: reset, close, quiesce.  Unsolicited
 * status not yet read may now be discarded (stated reason). */
static void
model_forget(struct sim_model *m)
{
    m->fc = 0;
    m->have_prog = false;
    m->unsol_may += m->unsol_must;
    m->unsol_must = 0;
}

/* ---- answers to guest operations ---- */

static bool
ssch_error_allowed(const struct sim *s, int rc, const struct sim_expect *ex)
{
    if (rc == -EBUSY) /* status pending: cc 1 (css-pop.md §4.1) */
        return true;
    if (ex->err == SIM_ANY_ERR && rc < 0)
        return true;
    if ((ex->err && rc == ex->err) || (ex->alt && rc == ex->alt))
        return true;
    /* cc 3 at the host: only when a path is failed, off or varied off. */
    return (rc == -EACCES || rc == -ENODEV) && (!s->paths_ok || ex->no_path);
}

void
sim_model_ssch(struct sim *s, int rc, const struct sim_expect *ex,
               const struct sim_prog *prog)
{
    struct sim_model *m = &s->m;

    if (m->lost) {
        if (rc == 0)
            sim_fail(s, "ssch: cc 0 on a subchannel that is gone");
        return;
    }
    if (!m->open) {
        if (rc != -EBADF)
            sim_fail(s, "ssch on a closed device answered %d", rc);
        return;
    }
    if (m->fc) {
        if (rc != -EBUSY)
            sim_fail(s,
                     "ssch answered %d while the %s function is in "
                     "progress (PoP: cc 2)",
                     rc, fc_name(m->fc));
        return;
    }
    if (rc == 0) {
        if (ex->err && !ex->may_accept)
            sim_fail(s, "ssch accepted a program that must fail with %d",
                     ex->err);
        m->fc = SCSW_FCTL_START;
        m->have_prog = true;
        m->prog = *prog;
        m->prog.clean =
            prog->clean && !ex->hostile && !ex->no_path && s->paths_ok;
        m->disturbed = false;
        return;
    }
    if (!ssch_error_allowed(s, rc, ex))
        sim_fail(s, "ssch answered %d, expected %d%s", rc, ex->err,
                 ex->err ? "" : " (valid program, all mapped)");
}

void
sim_model_hsch(struct sim *s, int rc)
{
    struct sim_model *m = &s->m;

    if (m->lost) {
        if (rc == 0)
            sim_fail(s, "hsch: cc 0 on a subchannel that is gone");
        return;
    }
    if (!m->open) {
        if (rc != -EBADF)
            sim_fail(s, "hsch on a closed device answered %d", rc);
        return;
    }
    if (m->fc & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)) {
        if (rc != -EBUSY)
            sim_fail(s,
                     "hsch answered %d while the %s function is in "
                     "progress (PoP: cc 2)",
                     rc, fc_name(m->fc));
        return;
    }
    if (rc == 0)
        m->fc |= SCSW_FCTL_HALT;
    else if (rc != -EBUSY)
        sim_fail(s, "hsch answered %d (PoP: cc 0, or cc 1 with status)", rc);
}

void
sim_model_csch(struct sim *s, int rc)
{
    struct sim_model *m = &s->m;

    if (m->lost) {
        if (rc == 0)
            sim_fail(s, "csch: cc 0 on a subchannel that is gone");
        return;
    }
    if (!m->open) {
        if (rc != -EBADF)
            sim_fail(s, "csch on a closed device answered %d", rc);
        return;
    }
    if (rc != 0) {
        sim_fail(s, "csch answered %d (PoP: always cc 0)", rc);
        return;
    }
    /* The clear supersedes start and halt and discards status (§4.4). */
    model_forget(m);
    m->fc = SCSW_FCTL_CLEAR;
}

void
sim_model_read_error(struct sim *s, int rc)
{
    if (s->m.lost && rc == -ENODEV)
        return;
    if (!s->m.open && rc == -EBADF)
        return;
    sim_fail(s, "region read failed with %d", rc);
}

void
sim_model_reset_op(struct sim *s, int rc)
{
    if (s->m.lost) /* may succeed until the driver hears of the loss */
        return;
    if (!s->m.open) {
        if (rc == 0)
            sim_fail(s, "reset succeeded on a closed device");
        return;
    }
    if (rc)
        sim_fail(s, "reset failed with %d", rc);
    model_forget(&s->m);
}

void
sim_model_close(struct sim *s)
{
    model_forget(&s->m);
    s->m.open = false;
}

void
sim_model_open(struct sim *s, int rc)
{
    /* The loss reaches the driver from a loop event (css.h): an open
     * before it may still succeed; everything after answers -ENODEV. */
    if (s->m.lost) {
        s->m.open = rc == 0 || s->m.open;
        return;
    }
    /* A function of an earlier instance still ending at the host (its
     * quiesce): the open may be refused for now (-EBUSY, retry). */
    if (rc == -EBUSY)
        return;
    if (rc) {
        sim_fail(s, "open failed with %d", rc);
        return;
    }
    model_forget(&s->m);
    s->m.open = true;
}

/* An unmap of pages the live program pinned must quiesce the device
 * first (vfio-ccw.md §2.4.7); any other unmap must leave it alone. */
void
sim_model_unmap(struct sim *s, unsigned chunk, int rc, bool cp_live,
                bool quiesced)
{
    uint32_t chunk_pages = ((1u << SIM_CHUNK_PAGES) - 1)
                           << (chunk * SIM_CHUNK_PAGES);
    bool pinned = cp_live && (s->m.prog.data_pages & chunk_pages);

    if (rc) {
        sim_fail(s, "dma unmap of mapped chunk %u failed: %d", chunk, rc);
        return;
    }
    if (s->m.lost || !s->m.open)
        return;
    if (pinned && !quiesced)
        sim_fail(s,
                 "dma unmap of chunk %u pinned by the live program did "
                 "not quiesce the device",
                 chunk);
    if (!pinned && quiesced)
        sim_fail(s, "dma unmap of chunk %u (not pinned) reset the device",
                 chunk);
    if (quiesced)
        model_forget(&s->m);
}

/* ---- status the guest reads ---- */

/* TSCH clears the function at status pending alone or with primary,
 * secondary or alert status; intermediate status alone keeps it
 * (css-pop.md §4.6). */
static bool
status_is_final(const struct scsw *sc)
{
    const uint8_t ends =
        SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_ALERT;

    return (sc->stctl & ends) || !(sc->stctl & SCSW_STCTL_INTER);
}

static void
check_addresses(struct sim *s, const struct irb *irb)
{
    const struct scsw *sc = &irb->scsw;

    if (sc->cpa && !guest_addr(sc->cpa))
        sim_fail(s, "host address %08x in a guest-visible SCSW (fc %x)",
                 sc->cpa, sc->fctl);
    if (sc->eswf && irb->esw.erw.f && !guest_addr(irb->esw.faddr))
        sim_fail(s, "host failing-storage address %llx in the ESW",
                 (unsigned long long)irb->esw.faddr);
    if (sc->eswf && irb->esw.erw.c && !guest_addr(irb->esw.saddr))
        sim_fail(s, "host secondary-CCW address %08x in the ESW",
                 irb->esw.saddr);
}

/* A start that ran reports the CCW after the last one executed: inside
 * (or just past) one of the program's segments, or 0 when unknown. */
static void
check_start_cpa(struct sim *s, const struct scsw *sc)
{
    const struct sim_prog *p = &s->m.prog;

    if (!sc->cpa || !(sc->dstat & (DEV_STAT_CHN_END | DEV_STAT_DEV_END)))
        return;
    for (unsigned i = 0; i < p->nseg; i++)
        if (sc->cpa >= p->seg_lo[i] && sc->cpa <= p->seg_hi[i] + 2 * CCW_SIZE)
            return;
    sim_fail(s, "start status CPA %08x is not in the program issued", sc->cpa);
}

static void
model_unsolicited(struct sim *s, const struct scsw *sc)
{
    struct sim_model *m = &s->m;

    if (!(sc->stctl & SCSW_STCTL_ALERT))
        sim_fail(s, "status with no function and no alert (sc %x)", sc->stctl);
    m->unsol_read++;
    if (m->unsol_must)
        m->unsol_must--;
    else if (m->unsol_may)
        m->unsol_may--;
    else
        sim_fail(s,
                 "unsolicited status (ds %02x) the host never presented "
                 "(duplicated or stale)",
                 sc->dstat);
}

static void
model_halt_status(struct sim *s, const struct scsw *sc)
{
    struct sim_model *m = &s->m;

    if (!(m->fc & SCSW_FCTL_HALT)) {
        sim_fail(s, "halt status while no halt is in progress (fc %s)",
                 fc_name(m->fc));
        return;
    }
    if ((m->fc & SCSW_FCTL_START) && !(sc->fctl & SCSW_FCTL_START))
        sim_fail(s, "the halt ended but the start it stopped never "
                    "reported its end");
    if (sc->fctl & SCSW_FCTL_START)
        check_start_cpa(s, sc);
    if (status_is_final(sc)) {
        m->fc = 0;
        m->have_prog = false;
    }
}

/*
 * Data: a READ's bytes landed where the guest asked (the device gives
 * 0x5A ^ offset), a WRITE's bytes are what the guest had there.
 */
static void
check_clean_data(struct sim *s)
{
    const struct sim_prog *p = &s->m.prog;
    const uint8_t *g;

    if (!p->xfer_cmd || p->xfer_addr < SIM_GUEST_IOVA ||
        p->xfer_addr + p->xfer_len > SIM_GUEST_IOVA + SIM_GUEST_SIZE)
        return;
    g = s->guest + (p->xfer_addr - SIM_GUEST_IOVA);
    if (p->xfer_cmd == SIM_CMD_READ) {
        for (uint32_t i = 0; i < p->xfer_len; i++)
            if (g[i] != (uint8_t)(0x5A ^ i)) {
                sim_fail(s, "READ data did not land at %llx + %u",
                         (unsigned long long)p->xfer_addr, i);
                return;
            }
    } else if (p->xfer_cmd == SIM_CMD_WRITE) {
        size_t n = testdev_log_count(s->td), len = 0;
        const uint8_t *d = NULL;

        for (size_t i = p->log_at; i < n; i++)
            if (testdev_log(s->td, i)->cmd == SIM_CMD_WRITE)
                d = testdev_log_data(s->td, i, &len);
        if (!d || len < p->xfer_len || memcmp(d, p->wdata, p->xfer_len) != 0)
            sim_fail(s, "WRITE data at %llx did not reach the device",
                     (unsigned long long)p->xfer_addr);
    }
}

/*
 * Liveness: a valid program of commands the device ends with CE|DE, with
 * nothing done to the device or its paths since it started, must end
 * normally (channel end and device end, no exceptional status, no channel
 * status but PCI): the mediation may not turn a good program into a
 * failed one.
 */
static void
check_clean_end(struct sim *s, const struct scsw *sc)
{
    const uint8_t bad_ds =
        DEV_STAT_UNIT_CHECK | DEV_STAT_UNIT_EXCEP | DEV_STAT_BUSY;
    const uint8_t ends = DEV_STAT_CHN_END | DEV_STAT_DEV_END;

    if ((sc->dstat & DEV_STAT_BUSY) && s->m.busy_armed) {
        s->m.busy_armed--; /* armed before this start began */
        return;
    }
    if (!s->m.prog.clean || s->m.disturbed || !s->paths_ok)
        return;
    if ((sc->dstat & ends) != ends || (sc->dstat & bad_ds) ||
        (sc->cstat & (uint8_t)~SCHN_STAT_PCI) || sc->cc) {
        sim_fail(s,
                 "a valid program ended abnormally: ds %02x cs %02x cc %u "
                 "cpa %08x",
                 sc->dstat, sc->cstat, sc->cc, sc->cpa);
        return;
    }
    check_clean_data(s);
}

static void
model_start_status(struct sim *s, const struct scsw *sc)
{
    struct sim_model *m = &s->m;

    if (!(m->fc & SCSW_FCTL_START)) {
        sim_fail(s,
                 "start status (sc %x ds %02x) while no start is in "
                 "progress: stale status",
                 sc->stctl, sc->dstat);
        return;
    }
    check_start_cpa(s, sc);
    if (status_is_final(sc)) {
        check_clean_end(s, sc);
        m->fc &= (uint8_t)~SCSW_FCTL_START;
        m->have_prog = false;
    }
}

void
sim_model_irb(struct sim *s, const struct irb *irb)
{
    const struct scsw *sc = &irb->scsw;
    struct sim_model *m = &s->m;

    if (!sc->stctl)
        return; /* nothing was pending */
    m->status_read++;
    check_addresses(s, irb);
    if (m->lost)
        return;
    if (!m->open) {
        sim_fail(s, "status read from a closed device");
        return;
    }
    if (!sc->fctl) {
        model_unsolicited(s, sc);
    } else if (sc->fctl & SCSW_FCTL_CLEAR) {
        if (!(m->fc & SCSW_FCTL_CLEAR))
            sim_fail(s,
                     "clear status while no clear is in progress (fc "
                     "%s)",
                     fc_name(m->fc));
        m->fc = 0;
        m->have_prog = false;
    } else if (m->fc & SCSW_FCTL_CLEAR) {
        sim_fail(s,
                 "status of a %s function delivered after CSCH "
                 "superseded it",
                 fc_name(sc->fctl));
    } else if (sc->fctl & SCSW_FCTL_HALT) {
        model_halt_status(s, sc);
    } else {
        model_start_status(s, sc);
    }
}

void
sim_model_crw(struct sim *s, uint32_t w)
{
    struct crw crw;

    if (!w)
        return;
    crw_from_word(&crw, w);
    if (crw.rsc == CRW_RSC_SCH)
        return;
    s->m.crw_read++;
    if (crw.rsc != CRW_RSC_CPATH ||
        (crw.rsid != SIM_CHPID0 && crw.rsid != SIM_CHPID1))
        sim_fail(s, "CRW %08x names nothing this device has", w);
    else if (s->m.crw_read > s->m.crw_events)
        sim_fail(s, "more channel-path CRWs (%llu) than path events (%llu)",
                 (unsigned long long)s->m.crw_read,
                 (unsigned long long)s->m.crw_events);
}

void
sim_model_schib(struct sim *s, const struct schib *schib)
{
    if (schib->scsw.cpa && !guest_addr(schib->scsw.cpa))
        sim_fail(s, "host address %08x in the SCSW of the SCHIB region",
                 schib->scsw.cpa);
}

/* ---- the channel-program observer ---- */

static void
note_free(struct sim *s, uint64_t serial)
{
    if (serial >= s->freed_cap) {
        uint64_t cap = (serial + 1) * 2;
        uint8_t *n = realloc(s->freed, cap);

        if (!n) {
            sim_fail(s, "out of memory");
            return;
        }
        memset(n + s->freed_cap, 0, cap - s->freed_cap);
        s->freed = n;
        s->freed_cap = cap;
    }
    if (s->freed[serial]++)
        sim_fail(s, "channel program %llu freed twice",
                 (unsigned long long)serial);
}

static const char *const reason_names[] = {
    [ZV_VFIO_CCW_FREE_START_ENDED] = "start ended",
    [ZV_VFIO_CCW_FREE_CLEARED] = "cleared",
    [ZV_VFIO_CCW_FREE_SSCH_FAILED] = "ssch failed",
    [ZV_VFIO_CCW_FREE_QUIESCE] = "quiesce",
    [ZV_VFIO_CCW_FREE_NOT_OPER] = "not operational",
};

/* Which context may free a program for which reason. */
static bool
reason_fits(const struct sim *s, enum zv_vfio_ccw_free_reason r)
{
    switch (r) {
    case ZV_VFIO_CCW_FREE_START_ENDED:
    case ZV_VFIO_CCW_FREE_CLEARED:
        return s->ctx == SIM_CTX_LOOP;
    case ZV_VFIO_CCW_FREE_SSCH_FAILED:
        return s->ctx == SIM_CTX_SSCH;
    case ZV_VFIO_CCW_FREE_QUIESCE:
        return s->ctx == SIM_CTX_QUIESCE;
    case ZV_VFIO_CCW_FREE_NOT_OPER:
    default:
        return s->m.lost;
    }
}

void
sim_cp_freed(void *arg, const struct zv_vfio_ccw_cp_event *ev)
{
    struct sim *s = arg;
    unsigned r = ev->reason;
    const char *name = r < 5 ? reason_names[r] : "?";

    if (ev->sch_no == SIM_NB_SCH_NO) {
        sim_nb_freed(s, ev);
        return;
    }
    if (r == ZV_VFIO_CCW_FREE_QUIESCE)
        s->quiesce_frees++;
    note_free(s, ev->serial);
    /* Principle 3: freed only once the host ended its start function. */
    if (ev->host_start_active && r != ZV_VFIO_CCW_FREE_NOT_OPER)
        sim_fail(s,
                 "channel program %llu freed (%s) while the host "
                 "subchannel still runs its start function",
                 (unsigned long long)ev->serial, name);
    if (!reason_fits(s, ev->reason))
        sim_fail(s,
                 "channel program %llu freed (%s) from the wrong "
                 "context (%d)",
                 (unsigned long long)ev->serial, name, (int)s->ctx);
}

/* ---- after every event ---- */

/*
 * No access outside the DMA map (principle 5): the guard pages around
 * guest memory, page 0 (mapped, named by no program), unmapped chunks and
 * the read-only chunk must keep their contents (a memcmp per page: cheap
 * enough for every event).
 */
void
sim_check_memory(struct sim *s)
{
    const uint8_t *ro = s->guest + SIM_RO_CHUNK * SIM_CHUNK_SIZE;

    if (s->failed)
        return;
    if (!canary_intact(s->mem, SIM_PAGE) ||
        !canary_intact(s->guest + SIM_GUEST_SIZE, SIM_PAGE))
        sim_fail(s, "memory next to the DMA map was written");
    if (!canary_intact(s->guest, SIM_PAGE))
        sim_fail(s, "guest page 0 (mapped, named by no program) was written");
    for (unsigned c = 0; c < SIM_CHUNKS; c++)
        if (!s->mapped[c] &&
            !canary_intact(s->guest + c * SIM_CHUNK_SIZE, SIM_CHUNK_SIZE))
            sim_fail(s, "unmapped chunk %u was written", c);
    if (s->mapped[SIM_RO_CHUNK] && memcmp(ro, s->ro_copy, SIM_CHUNK_SIZE))
        sim_fail(s, "the read-only DMA map was written");
    if (s->canary) {
        char why[128];

        if (zv_canary_check_quick(s->canary, why, sizeof(why)))
            sim_fail(s, "host storage outside every grant: %s", why);
    }
}

static void
check_counters(struct sim *s, const struct zv_vfio_ccw_counters *c)
{
    if (c->cp_live > 1)
        sim_fail(s, "%u live channel programs", c->cp_live);
    if (c->cp_translated - c->cp_freed != c->cp_live)
        sim_fail(s, "programs built %llu - freed %llu != live %u",
                 (unsigned long long)c->cp_translated,
                 (unsigned long long)c->cp_freed, c->cp_live);
    /* One arena for both devices. */
    if (zv_arena_live(s->arena) != c->cp_live + sim_nb_check(s))
        sim_fail(s, "%zu host program blocks for %u+%u live programs",
                 zv_arena_live(s->arena), c->cp_live, sim_nb_check(s));
}

static bool
is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* The FSM state the model allows; "status-pending" needs queued status. */
static void
check_state(struct sim *s, const struct zv_vfio_ccw_counters *c)
{
    const char *st = zv_vfio_ccw_state_name(s->vd);
    const struct sim_model *m = &s->m;
    const char *want;

    if (m->lost)
        return;
    if (!m->open) {
        if (!is(st, "closed"))
            sim_fail(s, "closed device in state %s", st);
        return;
    }
    if ((is(st, "status-pending") && !c->irb_queued) ||
        (is(st, "idle") && c->irb_queued))
        sim_fail(s, "state %s with %u status queued", st, c->irb_queued);
    if (is(st, "status-pending"))
        return;
    if (m->fc & SCSW_FCTL_CLEAR)
        want = "clear";
    else if (m->fc & SCSW_FCTL_HALT)
        want = "halt";
    else if (m->fc & SCSW_FCTL_START)
        want = "start";
    else
        want = "idle";
    if (!is(st, want))
        sim_fail(s,
                 "device in state %s, composite subchannel has function "
                 "%s (want %s)",
                 st, fc_name(m->fc), want);
}

void
sim_check(struct sim *s)
{
    struct zv_vfio_ccw_counters c;

    if (s->failed)
        return;
    sim_check_memory(s);
    if (zv_vfio_ccw_counters(s->vd, &c)) {
        sim_fail(s, "no counters for the device");
        return;
    }
    check_counters(s, &c);
    check_state(s, &c);
}

void
sim_check_quiescent(struct sim *s)
{
    struct zv_vfio_ccw_counters c;

    sim_check_memory(s);
    if (s->failed || s->m.lost || !s->m.open)
        return;
    if (zv_vfio_ccw_counters(s->vd, &c))
        return;
    if (s->m.fc)
        sim_fail(s, "quiescent, but the %s function never reported its end",
                 fc_name(s->m.fc));
    if (s->m.unsol_must > c.irb_dropped)
        sim_fail(s,
                 "%u unsolicited status presented by the host never "
                 "reached the guest (%llu dropped)",
                 s->m.unsol_must, (unsigned long long)c.irb_dropped);
    if (c.irb_queued)
        sim_fail(s, "quiescent with %u status still queued", c.irb_queued);
}

/* At rest: a guest that reads status only when the IO IRQ fires (QEMU)
 * must have been told about every status still queued. */
void
sim_check_signalled(struct sim *s)
{
    struct zv_vfio_ccw_counters c;

    if (s->failed || s->m.lost || !s->m.open || zv_vfio_ccw_counters(s->vd, &c))
        return;
    if (c.irb_queued && s->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] == s->io_irqs_at_read)
        sim_fail(s,
                 "%u status queued, but no IO IRQ since the guest last "
                 "read",
                 c.irb_queued);
}
