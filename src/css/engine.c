/* SPDX-License-Identifier: MIT */
/*
 * The channel-program engine: performs the start, resume, halt, clear and
 * cancel functions of a subchannel asynchronously on the loop
 * (css-pop.md §3-§6).  The subchannel side (insn.c) accepts an instruction
 * with cc 0, sets FC/AC, and calls css_engine_*(); everything after that
 * is here: path selection, command chaining, device calls, and the
 * ending SCSW/ESW/ECW.  CCW fetch and checks and the data stream are in
 * stream.c.
 *
 * Function-level events go through one [state][event] table (run_fsm).
 * Per-CCW work is a loop (run_drive) that allocates nothing and traces
 * nothing: one trace record at each start and one at each ending.
 *
 * Choices where the references are unsure or the emulators differ (each
 * is also commented where it is made):
 *  - no usable path: deferred cc 3 with N/PNOM (QEMU, PoP §4.12), never an
 *    immediate cc 3;
 *  - halt completion: status pending alone, DE when the device got the
 *    halt signal, CPA = current CCW + 8 only when a program was active or
 *    suspended, FC keeps start (QEMU clears it: a deviation);
 *  - suspended SCSW: intermediate + pending, no alert (as Hercules stores
 *    it), nothing with ORB U;
 *  - incorrect length is an alert condition only when it suppressed
 *    command chaining; a channel-program check on a chained CCW carries
 *    no device status;
 *  - initial status (Z) at the first non-immediate command; a command
 *    ended inside start() without data is immediate;
 *  - a device's command ends with one status (CE and DE together); DE
 *    presented separately later is not modelled;
 *  - unsolicited status on a busy or suspended subchannel is dropped (as
 *    Hercules refuses it); on pending unsolicited status it is merged;
 *  - concurrent sense uses a format-1 ESW (QEMU also sets L).
 *
 * Not modelled: storage keys (no protection check; the ORB key is carried
 * into the SCSW only), address-limit checking (ORB A), channel-data and
 * channel-control checks, streaming/FICON controls, MIDAWs with read
 * backward (program check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "css/engine_priv.h"

enum halt_kind {
    HALT_IDLE,      /* no start function at the channel: DE from device */
    HALT_START_PND, /* start pending: withdrawn, no device signal */
    HALT_SUSPENDED, /* suspended program ended */
    HALT_ACTIVE,    /* program stopped by the halt signal */
};

enum run_fn {
    FN_START,
    FN_RESUME,
    FN_HALT,
    FN_CLEAR,
    FN_CANCEL,
    FN_ABORT,
    FN_PATH_LOST,
    FN_NEVENTS
};

static void run_event(void *arg);
static void run_drive(struct css_run *run);

/* ---- small helpers ---- */

static struct scsw *
run_scsw(struct css_run *run)
{
    return &run->sch->schib.scsw;
}

static struct pmcw *
run_pmcw(struct css_run *run)
{
    return &run->sch->schib.pmcw;
}

static void
run_unschedule(struct css_run *run)
{
    if (run->ev_id)
        zv_loop_cancel(run->loop, run->ev_id);
    run->ev_id = 0;
    run->ev = RUN_EV_NONE;
}

static void
run_schedule(struct css_run *run, enum run_ev ev, uint64_t ns)
{
    run_unschedule(run);
    run->ev = (uint8_t)ev;
    run->ev_at = zv_loop_now(run->loop) + ns;
    run->ev_id = ns ? zv_loop_after(run->loop, ns, run_event, run)
                    : zv_loop_post(run->loop, run_event, run);
}

/*
 * Trace: one binary record per start/resume and one per ending, none per
 * CCW.  The loop hashes the operands; text (the same lines as before the
 * records existed) is made only when a trace sink is set.
 *
 * Operand a of both kinds: bits 0-15 subchannel number, 16-19 ssid.
 */
static uint64_t
trace_sch_bits(const struct subchannel *sch)
{
    return (uint64_t)(sch->ssid & 0xF) << 16 | sch->sch_no;
}

/* "css <ssid>.<sch> start|resume cpa=<8 hex> lpm=<2 hex>"
 * a: sch bits, bit 20 resume, bits 24-31 LPM; b: CPA */
static void
trace_fmt_start(char *buf, size_t size, uint64_t a, uint64_t b)
{
    snprintf(buf, size, "css %x.%04x %s cpa=%08x lpm=%02x",
             (unsigned)(a >> 16) & 0xF, (unsigned)a & 0xFFFF,
             (a >> 20) & 1 ? "resume" : "start", (uint32_t)b,
             (unsigned)(a >> 24) & 0xFF);
}

/* "css <ssid>.<sch> end fc/ac/sc ccN dscs cpa count"
 * a: sch bits, 20-23 FC, 24-31 AC, 32-39 SC, 40-43 CC, 44-51 DS,
 * 52-59 CS; b: bits 0-31 CPA, 32-47 count */
static void
trace_fmt_end(char *buf, size_t size, uint64_t a, uint64_t b)
{
    snprintf(buf, size, "css %x.%04x end %x/%02x/%02x cc%x %02x%02x %08x %04x",
             (unsigned)(a >> 16) & 0xF, (unsigned)a & 0xFFFF,
             (unsigned)(a >> 20) & 0xF, (unsigned)(a >> 24) & 0xFF,
             (unsigned)(a >> 32) & 0xFF, (unsigned)(a >> 40) & 0xF,
             (unsigned)(a >> 44) & 0xFF, (unsigned)(a >> 52) & 0xFF,
             (uint32_t)b, (unsigned)(b >> 32) & 0xFFFF);
}

static const struct zv_trace_event trace_ev_start = {
    .id = ZV_TRACE_ID(ZV_TRACE_CSS, 1),
    .name = "css start",
    .format = trace_fmt_start,
};

static const struct zv_trace_event trace_ev_end = {
    .id = ZV_TRACE_ID(ZV_TRACE_CSS, 2),
    .name = "css end",
    .format = trace_fmt_end,
};

static void
run_trace_start(struct css_run *run, bool resume)
{
    const struct subchannel *sch = run->sch;
    uint64_t a = trace_sch_bits(sch) | (uint64_t)resume << 20 |
                 (uint64_t)sch->schib.pmcw.lpm << 24;

    zv_trace_rec(run->loop, &trace_ev_start, a, (uint32_t)run->next_addr);
}

static void
run_trace_end(struct css_run *run)
{
    const struct scsw *s = &run->sch->schib.scsw;
    uint64_t a = trace_sch_bits(run->sch) | (uint64_t)(s->fctl & 0xF) << 20 |
                 (uint64_t)s->actl << 24 | (uint64_t)s->stctl << 32 |
                 (uint64_t)(s->cc & 0xF) << 40 | (uint64_t)s->dstat << 44 |
                 (uint64_t)s->cstat << 52;

    zv_trace_rec(run->loop, &trace_ev_end, a,
                 (uint64_t)s->count << 32 | s->cpa);
}

/* Send a halt/clear signal; the device may call css_io_done() inside.
 * Returns in how many ns the device answers it. */
static uint64_t
run_signal(struct css_run *run, enum css_signal sig)
{
    struct css_dev *dev = run->sch ? run->sch->dev : NULL;
    uint64_t ns = 0;

    if (!dev)
        return 0;
    run->nest++;
    if (dev->ops->signal_timed)
        ns = dev->ops->signal_timed(dev, sig);
    else if (dev->ops->signal)
        dev->ops->signal(dev, sig);
    run->nest--;
    return ns;
}

/* The outstanding command's status will be void; without a signal to
 * say so, the device is told to stop moving its data. */
static void
run_abandon(struct css_run *run)
{
    struct css_dev *dev = run->sch ? run->sch->dev : NULL;

    run->discard = true;
    if (!dev || !dev->ops->abandon)
        return;
    run->nest++;
    dev->ops->abandon(dev);
    run->nest--;
}

static void
run_free(struct css_run *run)
{
    run_unschedule(run);
    free(run);
}

static struct css_run *
run_get(struct subchannel *sch)
{
    struct css_run *run = sch->run;

    if (run)
        return run;
    run = calloc(1, sizeof(*run));
    if (!run)
        return NULL;
    run->sch = sch;
    run->loop = css_sch_loop(sch);
    run->io.run = run;
    run->io.as = css_storage(sch->css);
    sch->run = run;
    return run;
}

/* ---- status ---- */

static void
run_make_pending(struct css_run *run)
{
    run_scsw(run)->stctl |= SCSW_STCTL_PENDING;
    css_sch_make_pending(run->sch);
}

/*
 * Intermediate status while the program goes on (PCI, initial status):
 * a later one replaces an earlier one that TSCH has not cleared yet
 * (css-pop.md §5.6), so only CPA moves.
 */
static void
run_intermediate(struct css_run *run, uint64_t ccw_addr, uint8_t cstat,
                 bool zcc)
{
    struct scsw *s = run_scsw(run);

    if (!(s->stctl & SCSW_STCTL_PENDING)) {
        s->cstat = 0;
        s->dstat = 0;
    }
    s->cstat |= cstat;
    if (zcc)
        s->zcc = true;
    s->cpa = (uint32_t)(ccw_addr + 8);
    s->stctl |= SCSW_STCTL_INTER;
    run_make_pending(run);
}

void
run_ccw_control(struct css_run *run, const struct run_ccw *c)
{
    run->ccw_addr = c->addr;
    if (c->ccw.flags & CCW_FLAG_PCI)
        run_intermediate(run, c->addr, SCHN_STAT_PCI, false);
}

static void
run_clear_ac(struct css_run *run)
{
    run_scsw(run)->actl &= (uint8_t) ~(
        SCSW_ACTL_START_PEND | SCSW_ACTL_RESUME_PEND | SCSW_ACTL_SCH_ACTIVE |
        SCSW_ACTL_DEV_ACTIVE | SCSW_ACTL_SUSPENDED);
}

/* Concurrent sense (PMCW S): sense bytes go into the ECW (§5.9). */
static void
run_store_sense(struct css_run *run, uint8_t dstat)
{
    struct subchannel *sch = run->sch;
    const struct css_io *io = &run->io;

    memset(sch->ecw, 0, sizeof(sch->ecw));
    sch->schib.scsw.ectl = false;
    if (!(dstat & DEV_STAT_UNIT_CHECK) || !sch->schib.pmcw.csense ||
        !io->sense_len)
        return;
    memcpy(sch->ecw, io->sense, io->sense_len);
    sch->schib.scsw.ectl = true;
    sch->esw.erw.s = true;
    sch->esw.erw.scnt = io->sense_len;
}

struct run_end {
    uint8_t dstat;
    uint8_t cstat;
    uint8_t sc; /* primary/secondary/alert bits */
    uint32_t cpa;
    uint16_t count;
    uint8_t cc; /* deferred cc */
    bool zcc;   /* initial status goes with the final status */
};

/*
 * Final status of the start function.  An intermediate condition that
 * TSCH has not cleared yet (PCI, Z) is shown with it (§5.6).
 */
static void
run_end(struct css_run *run, const struct run_end *e)
{
    struct subchannel *sch = run->sch;
    struct scsw *s = &sch->schib.scsw;
    bool inter = (s->stctl & SCSW_STCTL_PENDING) != 0;

    s->cstat = (uint8_t)((inter ? s->cstat & SCHN_STAT_PCI : 0) | e->cstat);
    s->zcc = (inter && s->zcc) || e->zcc;
    s->stctl = (uint8_t)(e->sc | (inter ? SCSW_STCTL_INTER : 0));
    s->dstat = e->dstat;
    s->cpa = e->cpa;
    s->count = e->count;
    s->cc = e->cc;
    s->eswf = false;
    s->pno = sch->schib.pmcw.pnom != 0;
    run_clear_ac(run);
    memset(&sch->esw, 0, sizeof(sch->esw));
    sch->esw.lpum = run->path;
    run_store_sense(run, e->dstat);
    /* The start function ends: its measurement sample, if it began. */
    if (run->accepted)
        css_meas_sample(sch);
    run->state = RUN_IDLE;
    run_make_pending(run);
    run_trace_end(run);
}

/* Deferred condition code 1 or 3: the start function was not begun
 * (css-pop.md §4.12): alert status, no primary. */
static void
run_end_deferred(struct css_run *run, uint8_t cc, uint8_t dstat)
{
    /* CPA and count are not meaningful: zero, so no stale address of an
     * earlier program shows. */
    struct run_end e = {
        .dstat = dstat,
        .sc = SCSW_STCTL_ALERT,
        .cc = cc,
    };

    run_end(run, &e);
}

/* A channel-detected error ends the program before (or instead of) the
 * device command: primary, secondary and alert (§5.3, §5.8). */
static void
run_end_channel(struct css_run *run, uint8_t cstat, uint32_t cpa)
{
    struct run_end e = {
        .cstat = cstat,
        .sc = SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_ALERT,
        .cpa = cpa,
    };

    run_end(run, &e);
}

/* ---- selection and execution ---- */

/* Path selection among PIM & PAM & LPM (css-pop.md §6.1). */
static uint8_t
run_select_path(struct css_run *run)
{
    struct subchannel *sch = run->sch;
    struct pmcw *p = &sch->schib.pmcw;
    uint8_t cand = p->pim & p->pam & p->lpm;

    for (unsigned i = 0; i < 8; i++) {
        uint8_t m = (uint8_t)(0x80u >> i);

        if (!(cand & m))
            continue;
        if (sch->dev && css_chp_usable(sch->css, p->chpid[i])) {
            p->pom |= m;
            p->lpum = m;
            return m;
        }
        /* Not operational on this path: PNOM on, POM off, try the next. */
        p->pnom |= m;
        p->pom &= (uint8_t)~m;
    }
    return 0;
}

static void
run_select(struct css_run *run)
{
    if (run->io.outstanding) {
        /* The device still owes the end of a halted/cleared command: the
         * start stays pending until it is free. */
        run->wait_dev = true;
        return;
    }
    run->path = run_select_path(run);
    if (!run->path) {
        run_end_deferred(run, ZV_CC3, 0);
        return;
    }
    run->state = RUN_ACTIVE;
    run->accepted = false;
    run->burst = 0;
    run_drive(run);
}

/*
 * Initial status (ORB I, css-pop.md §5.6): intermediate status with Z when
 * the first non-immediate command is accepted.  A command the device ends
 * inside start() without moving data is taken as immediate (it ended at
 * initial selection); the reference's "non-immediate" is followed here.
 */
static bool
run_take_z(struct css_run *run)
{
    const struct css_io *io = &run->io;

    if (!run->z_due || (io->done_sync && !io->xferred))
        return false;
    run->z_due = false;
    return true;
}

/* The device accepted a command after selection: the subchannel and the
 * device are active now (§3). */
static void
run_accept(struct css_run *run, const struct run_ccw *c)
{
    struct scsw *s = run_scsw(run);
    bool pci = (c->ccw.flags & CCW_FLAG_PCI) && !run->pci_reported;
    bool z = run_take_z(run);

    run->accepted = true;
    css_meas_accept(run->sch);
    run_clear_ac(run);
    s->actl |= SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;
    if (z || pci)
        run_intermediate(run, c->addr, pci ? SCHN_STAT_PCI : 0, z);
    run->pci_reported = false;
}

/* Suspend before c when both ORB S and the CCW's S flag ask (§5.7). */
static bool
run_suspend_point(struct css_run *run, const struct run_ccw *c)
{
    struct subchannel *sch = run->sch;
    struct scsw *s = &sch->schib.scsw;

    if (!(c->ccw.flags & CCW_FLAG_SUSPEND) || !sch->orb.spnd)
        return false;
    if (run->resume_early) {
        /* RSCH before the suspend point makes this S flag ineffective
         * (css-pop.md §4.2, [Arch*]). */
        run->resume_early = false;
        s->actl &= (uint8_t)~SCSW_ACTL_RESUME_PEND;
        return false;
    }
    run_clear_ac(run);
    s->actl |= SCSW_ACTL_SUSPENDED;
    s->cpa = (uint32_t)(c->addr + 8);
    s->count = c->ccw.count;
    run->state = RUN_SUSPENDED;
    run->pci_reported = false;
    if (!sch->orb.ssic) {
        bool pci = (c->ccw.flags & CCW_FLAG_PCI) != 0;

        run->pci_reported = pci;
        run_intermediate(run, c->addr, pci ? SCHN_STAT_PCI : 0, false);
    }
    return true;
}

enum cmd_result {
    CMD_WAIT,  /* status comes later (or the run went away): stop */
    CMD_APPLY, /* status is here: apply it now */
};

static enum cmd_result
run_command(struct css_run *run, const struct run_ccw *c)
{
    struct css_io *io = &run->io;
    struct css_dev *dev = run->sch->dev;

    stream_begin(io, c, run->first_cmd);
    io->outstanding = true;
    io->done_sync = false;
    css_meas_cmd_begin(run->sch);
    run->nest++;
    dev->ops->start(dev, io);
    run->nest--;
    if (run->orphan) {
        if (!io->outstanding && !run->nest)
            run_free(run);
        return CMD_WAIT;
    }
    if (run->state != RUN_ACTIVE)
        return CMD_WAIT; /* halted, cleared or path lost inside start() */
    if (!run->accepted && !(io->done_sync && (io->dstat & DEV_STAT_BUSY))) {
        run_accept(run, c);
    } else if (run->accepted) {
        bool pci = (c->ccw.flags & CCW_FLAG_PCI) != 0;
        bool z = run_take_z(run);

        if (pci || z)
            run_intermediate(run, c->addr, pci ? SCHN_STAT_PCI : 0, z);
    }
    if (run->state != RUN_ACTIVE || io->outstanding)
        return CMD_WAIT;
    if (io->latency) {
        run_schedule(run, RUN_EV_STATUS, io->latency);
        return CMD_WAIT;
    }
    return CMD_APPLY;
}

/* Incorrect length (css-pop.md §5.5). */
static bool
run_incorrect_length(const struct css_run *run)
{
    const struct css_io *io = &run->io;
    bool immediate =
        ccw_cmd_class(io->cmd) == CCW_CLASS_CONTROL && !io->xferred;
    bool il = io->short_xfer || io->left || (io->ccw_flags & CCW_FLAG_CD);

    if (!il)
        return false;
    /*
     * Unit check at initial status, before any data transfer: the device
     * did not execute the command (css-pop.md §5.9: command reject,
     * equipment check found before acting).  IL compares the CCW count
     * with the bytes the device asked for or offered (§5.5); a command
     * that was never executed asked for and offered none, so there is
     * no length to be incorrect: no IL, and the residual is the full
     * count.  Whatever the cause in sense byte 0, the answer is the same
     * (an equipment check and a command reject used to differ here).
     */
    if ((io->dstat & DEV_STAT_UNIT_CHECK) && !io->xferred)
        return false;
    /* SLI counts only on a CCW without CD. */
    if ((io->ccw_flags & (CCW_FLAG_SLI | CCW_FLAG_CD)) == CCW_FLAG_SLI)
        return false;
    /* Immediate command with a non-zero count: format 0 never indicates
     * IL; format 1 does unless ORB L (ILS mode) suppresses it. */
    if (immediate && (!run->fmt1 || run->sch->orb.ils))
        return false;
    return true;
}

static bool
run_dstat_unusual(uint8_t dstat)
{
    return (dstat & (DEV_STAT_ATTENTION | DEV_STAT_BUSY | DEV_STAT_UNIT_CHECK |
                     DEV_STAT_UNIT_EXCEP)) != 0;
}

/* End of one command: chain to the next, or end the program.  Returns
 * true when command chaining goes on (next_addr is set). */
static bool
run_status_apply(struct css_run *run)
{
    struct css_io *io = &run->io;
    uint8_t dstat = io->dstat;
    uint8_t cstat = io->pc_cstat;
    bool chain = (io->ccw_flags & (CCW_FLAG_CC | CCW_FLAG_CD)) == CCW_FLAG_CC;
    struct run_end e = {.dstat = dstat, .cpa = (uint32_t)(io->ccw_addr + 8)};

    if (io->moved)
        run->tics = 0;
    css_meas_cmd_end(run->sch);
    run->ccw_addr = io->ccw_addr;
    if (!run->accepted && run->first_cmd && (dstat & DEV_STAT_BUSY)) {
        /* Busy at initial selection: status present at initiation, the
         * start function was not begun (deferred cc 1, §4.12). */
        run_end_deferred(run, ZV_CC1, dstat);
        return false;
    }
    if (cstat) {
        e.cpa = io->err_cpa;
    } else if (run_incorrect_length(run)) {
        cstat = SCHN_STAT_INCORR_LEN;
    }
    if (chain && !cstat &&
        (dstat & (uint8_t)~DEV_STAT_STAT_MOD) ==
            (DEV_STAT_CHN_END | DEV_STAT_DEV_END)) {
        /* Status modifier with device end skips one CCW (§5.3). */
        run->next_addr = io->ccw_addr + ((dstat & DEV_STAT_STAT_MOD) ? 16 : 8);
        run->first_cmd = false;
        return true;
    }
    e.cstat = cstat;
    e.count = stream_residual(io);
    e.sc = SCSW_STCTL_PRIMARY;
    if (dstat & DEV_STAT_DEV_END)
        e.sc |= SCSW_STCTL_SECOND;
    /* Alert: any subchannel status but PCI/IL, unusual device status, or
     * incorrect length that suppressed command chaining. */
    if ((cstat & (uint8_t) ~(SCHN_STAT_PCI | SCHN_STAT_INCORR_LEN)) ||
        run_dstat_unusual(dstat) || ((cstat & SCHN_STAT_INCORR_LEN) && chain))
        e.sc |= SCSW_STCTL_ALERT;
    /* Ended unusually at the first command before initial status was
     * made: Z goes with the final status (as Hercules does). */
    e.zcc = run->z_due && run->first_cmd && (e.sc & SCSW_STCTL_ALERT);
    run->first_cmd = false;
    run_end(run, &e);
    return false;
}

/* Run CCWs until the program ends, suspends, or waits for the device. */
static void
run_drive(struct css_run *run)
{
    while (run->state == RUN_ACTIVE) {
        struct run_ccw c;
        uint32_t cpa;
        uint8_t cs;

        if (++run->burst > RUN_BURST) {
            run->burst = 0;
            run_schedule(run, RUN_EV_CONTINUE, 0);
            return;
        }
        cs = run_fetch_ccw(run, run->next_addr, false, &c, &cpa);
        if (cs) {
            run->ccw_addr = cpa - 8;
            run_end_channel(run, cs, cpa);
            return;
        }
        run->ccw_addr = c.addr;
        if (run_suspend_point(run, &c))
            return;
        if (run_command(run, &c) != CMD_APPLY)
            return;
        if (!run_status_apply(run))
            return;
    }
}

/* Device latency elapsed, or a device answered from a later event. */
static void
run_status(struct css_run *run)
{
    if (run->state == RUN_ACTIVE && run_status_apply(run))
        run_drive(run);
}

/* ---- halt and clear completion ---- */

static void
run_halt_done(struct css_run *run)
{
    struct subchannel *sch = run->sch;
    struct scsw *s = &sch->schib.scsw;
    uint8_t kind = run->halt_kind;

    /*
     * Halt completion (css-pop.md §4.3): status pending alone; device end
     * when the device got the halt signal; CPA = current CCW + 8 when a
     * program was active or suspended.  FC keeps start with halt.
     */
    s->actl = 0;
    s->stctl = SCSW_STCTL_PENDING;
    s->dstat =
        (kind == HALT_ACTIVE || kind == HALT_IDLE) ? DEV_STAT_DEV_END : 0;
    s->cstat = 0;
    s->count = 0;
    s->cc = 0;
    s->zcc = false;
    s->ectl = false;
    s->eswf = false;
    /* Otherwise CPA means nothing; zero keeps a stale program address
     * from leaking out. */
    s->cpa = (kind == HALT_ACTIVE || kind == HALT_SUSPENDED)
                 ? (uint32_t)(run->ccw_addr + 8)
                 : 0;
    s->pno = sch->schib.pmcw.pnom != 0;
    memset(&sch->esw, 0, sizeof(sch->esw));
    sch->esw.lpum = sch->schib.pmcw.lpum;
    if ((kind == HALT_ACTIVE || kind == HALT_SUSPENDED) && run->accepted)
        css_meas_sample(sch);
    run->state = RUN_IDLE;
    run_make_pending(run);
    run_trace_end(run);
}

static void
run_clear_done(struct css_run *run)
{
    struct subchannel *sch = run->sch;
    struct scsw *s = &sch->schib.scsw;

    /* Clear completion (css-pop.md §4.4): word 0 flags zero, FC clear
     * alone, AC 0, status pending alone, CPA/status/count zero. */
    memset(s, 0, sizeof(*s));
    s->fctl = SCSW_FCTL_CLEAR;
    s->stctl = SCSW_STCTL_PENDING;
    memset(&sch->esw, 0, sizeof(sch->esw));
    sch->esw.lpum = sch->schib.pmcw.lpum;
    memset(sch->ecw, 0, sizeof(sch->ecw));
    run->state = RUN_IDLE;
    css_sch_make_pending(sch);
    run_trace_end(run);
}

static void
run_event(void *arg)
{
    struct css_run *run = arg;
    enum run_ev ev = (enum run_ev)run->ev;

    run->ev = RUN_EV_NONE;
    run->ev_id = 0;
    switch (ev) {
    case RUN_EV_SELECT:
        run_select(run);
        break;
    case RUN_EV_STATUS:
        run_status(run);
        break;
    case RUN_EV_CONTINUE:
        run_drive(run);
        break;
    case RUN_EV_HALT_DONE:
        run_halt_done(run);
        break;
    case RUN_EV_CLEAR_DONE:
        run_clear_done(run);
        break;
    case RUN_EV_NONE:
        break;
    }
}

/* ---- FSM actions ---- */

static void
act_nop(struct css_run *run, uint8_t arg)
{
}

/* Carry the ORB controls into the SCSW (css-pop.md §2.1 word 0). */
static void
run_scsw_from_orb(struct css_run *run)
{
    struct subchannel *sch = run->sch;
    struct scsw *s = &sch->schib.scsw;
    const struct orb *o = &sch->orb;

    s->key = o->key;
    s->sctl = o->spnd;
    s->fmt = o->fmt;
    s->pfch = o->pfch;
    s->isic = o->isic;
    s->alcc = o->alcc;
    s->ssi = o->ssic;
    s->zcc = false;
    s->ectl = false;
    s->eswf = false;
    s->cc = 0;
    s->pno = false;
    /* CPA is left alone: it means nothing until status is stored. */
}

static void
act_start(struct css_run *run, uint8_t arg)
{
    struct subchannel *sch = run->sch;

    run_scsw_from_orb(run);
    /* PNOM describes the current function's selection only (§6.1). */
    sch->schib.pmcw.pnom = 0;
    memset(&sch->esw, 0, sizeof(sch->esw));
    run->fmt1 = sch->orb.fmt;
    run->first_cmd = true;
    run->z_due = sch->orb.isic;
    run->resume_early = false;
    run->pci_reported = false;
    run->tics = 0;
    run->next_addr = sch->orb.cpa;
    run->ccw_addr = sch->orb.cpa;
    run->path = 0;
    run->state = RUN_PENDING;
    run_trace_start(run, false);
    run_schedule(run, RUN_EV_SELECT, 0);
}

static void
act_resume(struct css_run *run, uint8_t arg)
{
    /* The suspended CCW is fetched again (§4.2); selection is redone. */
    run->sch->schib.pmcw.pnom = 0;
    run->next_addr = run->ccw_addr;
    run->state = RUN_PENDING;
    run_trace_start(run, true);
    run_schedule(run, RUN_EV_SELECT, 0);
}

static void
act_resume_early(struct css_run *run, uint8_t arg)
{
    run->resume_early = true;
}

/*
 * Is the device still working on a halt or clear signal (its answer lies
 * in the future)?
 */
static bool
run_answer_awaited(const struct css_run *run)
{
    bool sig = run->ev == RUN_EV_HALT_DONE || run->ev == RUN_EV_CLEAR_DONE;

    return run->sig_wait_io || (sig && run->ev_at > zv_loop_now(run->loop));
}

/*
 * Complete the halt or clear function (ev) once the device has answered
 * the signal (css-pop.md §4.3, §4.4): not before the time the device says
 * it takes (signal_timed).  The engine never cuts the device short: until
 * then the function stays in progress, so HSCH answers cc 2 and TSCH
 * cc 1.  For a halt (ev HALT_DONE) the device's answer also includes
 * ending the command it holds (its css_io_done() and latency) and the
 * ending status of a command already on its way (a status event still
 * scheduled): the status is void, but the halt completes no earlier.  A
 * device that never answers leaves the halt in progress; CSCH is the
 * program's remedy (as Linux escalates HSCH to CSCH), so the clear
 * function waits only for the signal's answer time: the clear signal
 * resets the device, and a late css_io_done() is discarded (a following
 * start waits for it, run_select).  signal false: the device is not
 * signalled (start pending, suspended).
 */
static void
run_await_answer(struct css_run *run, enum run_ev ev, bool signal,
                 enum css_signal sig)
{
    uint64_t now = zv_loop_now(run->loop);
    bool halt = ev == RUN_EV_HALT_DONE;

    run->sig_due = now;
    if (halt && run->ev == RUN_EV_STATUS && run->ev_at > now)
        run->sig_due = run->ev_at;
    run_unschedule(run);
    run->state = RUN_IDLE;
    run->wait_dev = false;
    run->sig_ev = (uint8_t)ev;
    run->sig_wait_io = halt && run->io.outstanding;
    if (run->io.outstanding)
        run->discard = true;
    if (signal) {
        /* The device may end its held command inside the call. */
        uint64_t ns = run_signal(run, sig);

        if (now + ns > run->sig_due)
            run->sig_due = now + ns;
    }
    if (!run->sig_wait_io)
        run_schedule(run, ev, run->sig_due - now);
}

/* The command held at the signal has ended: its status is void, but the
 * function completes no earlier than it (run_await_answer). */
static void
run_answered(struct css_run *run, uint64_t latency_ns)
{
    uint64_t now = zv_loop_now(run->loop);

    run->sig_wait_io = false;
    if (now + latency_ns > run->sig_due)
        run->sig_due = now + latency_ns;
    run_schedule(run, (enum run_ev)run->sig_ev, run->sig_due - now);
}

static void
run_halt(struct css_run *run, enum halt_kind kind, bool signal)
{
    run->halt_kind = (uint8_t)kind;
    run_await_answer(run, RUN_EV_HALT_DONE, signal, CSS_SIGNAL_HALT);
}

static void
act_halt_idle(struct css_run *run, uint8_t arg)
{
    run_halt(run, HALT_IDLE, true);
}

static void
act_halt_pending(struct css_run *run, uint8_t arg)
{
    /* Start pending: withdrawn without a device signal.  A resume that
     * is pending halts the suspended program. */
    bool resuming = run_scsw(run)->actl & SCSW_ACTL_RESUME_PEND;

    run_halt(run, resuming ? HALT_SUSPENDED : HALT_START_PND, false);
}

static void
act_halt_active(struct css_run *run, uint8_t arg)
{
    run_halt(run, HALT_ACTIVE, true);
}

static void
act_halt_suspended(struct css_run *run, uint8_t arg)
{
    run_halt(run, HALT_SUSPENDED, false);
}

static void
act_clear(struct css_run *run, uint8_t arg)
{
    struct pmcw *p = run_pmcw(run);
    bool connected = run->state == RUN_ACTIVE || run->state == RUN_SUSPENDED ||
                     run->io.outstanding || run_answer_awaited(run);

    /* Path management of the clear function (§4.4, §6.1). */
    p->pom = 0xFF;
    p->pnom = 0;
    p->lpum = 0;
    if (connected)
        p->lpum = run->path;
    run_await_answer(run, RUN_EV_CLEAR_DONE, connected, CSS_SIGNAL_CLEAR);
}

static void
act_cancel(struct css_run *run, uint8_t arg)
{
    struct scsw *s = run_scsw(run);

    /* XSCH: the start is withdrawn with no interruption (§4.5). */
    run_unschedule(run);
    run->state = RUN_IDLE;
    run->wait_dev = false;
    s->fctl &= (uint8_t)~SCSW_FCTL_START;
    s->actl &= (uint8_t) ~(SCSW_ACTL_START_PEND | SCSW_ACTL_RESUME_PEND |
                           SCSW_ACTL_SUSPENDED);
    s->dstat = 0;
    s->cstat = 0;
    zv_trace(run->loop, "css %x.%04x cancel", run->sch->ssid, run->sch->sch_no);
}

/*
 * XSCH while the engine is active but the device has not accepted the
 * command: busy at initial selection, its status held for a later event.
 * The subchannel still shows start pending (or resume pending), so XSCH
 * applies (css-pop.md §4.5) and the start is withdrawn with no
 * interruption; act_cancel drops the held status event.  Once a command
 * was accepted the subchannel is active and XSCH answers cc 2 first.
 */
static void
act_cancel_active(struct css_run *run, uint8_t arg)
{
    if (run->accepted)
        return;
    if (run->io.outstanding)
        run_abandon(run);
    act_cancel(run, arg);
}

static void
act_abort(struct css_run *run, uint8_t arg)
{
    struct subchannel *sch = run->sch;

    run_unschedule(run);
    run->sig_wait_io = false;
    if (run->state == RUN_ACTIVE || run->io.outstanding) {
        run->discard = true;
        run_signal(run, CSS_SIGNAL_CLEAR);
    }
    run->state = RUN_IDLE;
    sch->run = NULL;
    run->sch = NULL;
    run->orphan = true;
    if (!run->io.outstanding && !run->nest)
        run_free(run);
}

/* Interface-control check on the path in use (§5.8): the program ends,
 * with a format-0 ESW naming the path. */
static void
act_path_lost(struct css_run *run, uint8_t mask)
{
    struct subchannel *sch = run->sch;

    if (!(run->path & mask))
        return;
    run_unschedule(run);
    if (run->io.outstanding)
        run_abandon(run);
    run_end_channel(run, SCHN_STAT_INTF_CTRL_CHK,
                    (uint32_t)(run->ccw_addr + 8));
    sch->schib.scsw.eswf = true;
    sch->esw.sublog.lpum = run->path;
    sch->esw.sublog.fvf = 0x10; /* LPUM valid */
}

typedef void (*run_action)(struct css_run *run, uint8_t arg);

/*
 * [state][event].  Cells the subchannel side never reaches (it answers
 * cc 1/2 first) are explicit no-ops.
 */
static const run_action run_fsm[RUN_NSTATES][FN_NEVENTS] = {
    [RUN_IDLE] =
        {
            [FN_START] = act_start,
            [FN_RESUME] = act_nop,
            [FN_HALT] = act_halt_idle,
            [FN_CLEAR] = act_clear,
            [FN_CANCEL] = act_nop,
            [FN_ABORT] = act_abort,
            [FN_PATH_LOST] = act_nop,
        },
    [RUN_PENDING] =
        {
            [FN_START] = act_nop,
            [FN_RESUME] = act_resume_early,
            [FN_HALT] = act_halt_pending,
            [FN_CLEAR] = act_clear,
            [FN_CANCEL] = act_cancel,
            [FN_ABORT] = act_abort,
            [FN_PATH_LOST] = act_nop, /* selection checks the paths */
        },
    [RUN_ACTIVE] =
        {
            [FN_START] = act_nop,
            [FN_RESUME] = act_resume_early,
            [FN_HALT] = act_halt_active,
            [FN_CLEAR] = act_clear,
            [FN_CANCEL] = act_cancel_active,
            [FN_ABORT] = act_abort,
            [FN_PATH_LOST] = act_path_lost,
        },
    [RUN_SUSPENDED] =
        {
            [FN_START] = act_nop,
            [FN_RESUME] = act_resume,
            [FN_HALT] = act_halt_suspended,
            [FN_CLEAR] = act_clear,
            [FN_CANCEL] = act_cancel,
            [FN_ABORT] = act_abort,
            [FN_PATH_LOST] = act_nop, /* the resume selects again */
        },
};

/*
 * No memory for the engine state: a start ends at once as not operational
 * (deferred cc 3), so the subchannel never hangs start pending; halt and
 * clear complete without a device signal.
 */
static void
run_no_memory(struct subchannel *sch, enum run_fn fn)
{
    struct scsw *s = &sch->schib.scsw;

    s->actl = 0;
    s->cstat = 0;
    s->dstat = 0;
    if (fn == FN_START) {
        s->cc = ZV_CC3;
        s->stctl = SCSW_STCTL_ALERT;
    } else {
        s->stctl = 0;
    }
    s->stctl |= SCSW_STCTL_PENDING;
    css_sch_make_pending(sch);
}

static void
run_dispatch(struct subchannel *sch, enum run_fn fn, uint8_t arg)
{
    struct css_run *run = sch->run;

    if (!run) {
        /* Only these need engine state; the rest is a no-op without. */
        if (fn == FN_ABORT || fn == FN_CANCEL || fn == FN_PATH_LOST ||
            fn == FN_RESUME)
            return;
        run = run_get(sch);
        if (!run) {
            run_no_memory(sch, fn);
            return;
        }
    }
    run_fsm[run->state][fn](run, arg);
}

/* ---- entry points (css_priv.h) ---- */

void
css_engine_start(struct subchannel *sch)
{
    run_dispatch(sch, FN_START, 0);
}

void
css_engine_resume(struct subchannel *sch)
{
    run_dispatch(sch, FN_RESUME, 0);
}

void
css_engine_halt(struct subchannel *sch)
{
    run_dispatch(sch, FN_HALT, 0);
}

void
css_engine_clear(struct subchannel *sch)
{
    run_dispatch(sch, FN_CLEAR, 0);
}

void
css_engine_cancel(struct subchannel *sch)
{
    run_dispatch(sch, FN_CANCEL, 0);
}

void
css_engine_abort(struct subchannel *sch)
{
    run_dispatch(sch, FN_ABORT, 0);
}

void
css_engine_path_lost(struct subchannel *sch, uint8_t mask)
{
    run_dispatch(sch, FN_PATH_LOST, mask);
}

/*
 * Unsolicited status (css-pop.md §3): alert status alone, FC 0, and only
 * on an enabled subchannel that is idle.  A device presenting status to a
 * busy or suspended subchannel is refused (as Hercules does) and the
 * status is dropped; status presented while an earlier unsolicited status
 * is still pending is merged into it.
 */
void
css_engine_unsolicited(struct subchannel *sch, uint8_t dstat)
{
    struct scsw *s = &sch->schib.scsw;

    if (!sch->schib.pmcw.ena || sch->gone || s->fctl || s->actl)
        return;
    if (s->stctl & SCSW_STCTL_PENDING) {
        s->dstat |= dstat;
        return;
    }
    memset(s, 0, sizeof(*s));
    s->stctl = SCSW_STCTL_ALERT | SCSW_STCTL_PENDING;
    s->dstat = dstat;
    memset(&sch->esw, 0, sizeof(sch->esw));
    memset(sch->ecw, 0, sizeof(sch->ecw));
    css_sch_make_pending(sch);
    zv_trace(css_sch_loop(sch), "css %x.%04x unsolicited ds=%02x", sch->ssid,
             sch->sch_no, dstat);
}

/* ---- device completion ---- */

void
css_io_done(struct css_io *io, uint8_t dstat, uint64_t latency_ns)
{
    struct css_run *run = io->run;

    if (!io->outstanding)
        return; /* a second done for one command: ignored */
    io->outstanding = false;
    io->dstat = dstat;
    io->latency = latency_ns;
    if (run->orphan) {
        if (!run->nest)
            run_free(run);
        return;
    }
    if (run->discard) {
        /* The command was halted, cleared or lost: its status is void. */
        run->discard = false;
        if (run->sig_wait_io) {
            run_answered(run, latency_ns);
            return;
        }
        if (run->wait_dev && run->state == RUN_PENDING) {
            run->wait_dev = false;
            run_schedule(run, RUN_EV_SELECT, 0);
        }
        return;
    }
    if (run->nest) {
        io->done_sync = true; /* run_command picks it up */
        return;
    }
    if (latency_ns)
        run_schedule(run, RUN_EV_STATUS, latency_ns);
    else
        run_status(run);
}
