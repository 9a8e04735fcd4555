/* SPDX-License-Identifier: MIT */
/*
 * css private declarations shared by the css/ files.
 *
 * Division of labour:
 *  - css.c, insn.c, chp.c, crw.c, chsc.c, intr.c (the "subchannel side"):
 *    subchannel sets, the instructions' operand checks and condition codes,
 *    the FC/AC bits set when an instruction is accepted, TSCH clearing
 *    (Figure 14-2), interruption queues per ISC, the driver model, channel
 *    paths, CRWs, CHSC.
 *  - engine.c, stream.c (the "channel side"): performs the start, resume,
 *    halt, clear and cancel functions asynchronously on the loop: path
 *    selection, CCW fetch and checks, data streams (IDAW/MIDAW, data
 *    chaining, skip), device calls, ending status (SCSW fields, ESW, ECW).
 *
 * The subchannel side calls css_engine_*() after it accepted an
 * instruction with cc 0; the engine calls css_sch_make_pending() after it
 * has written the SCSW (including SC status pending) for an interruption
 * condition.
 */
#ifndef ZV_CSS_CSS_PRIV_H
#define ZV_CSS_CSS_PRIV_H

#include "css/css.h"

struct css_run; /* engine state of one start function; NULL when none */

/* Channel measurement of the current start function (cmf.c). */
struct css_meas {
    uint64_t t_pending;         /* start/resume accepted at */
    uint64_t t_cmd;             /* current command started at */
    uint64_t acc[CMB_NTIMES];   /* this start function, ns */
    uint64_t carry[CMB_NTIMES]; /* ns below one unit not yet stored */
    uint32_t mb_errors;         /* updates the storage refused */
    bool pending;               /* function-pending time runs */
    bool in_cmd;                /* device-connect time runs */
};

struct subchannel {
    struct css *css;
    struct schib schib;    /* PMCW + SCSW as the architecture sees it */
    struct orb orb;        /* ORB of the current start function */
    struct esw esw;        /* ESW to present with the pending status */
    uint8_t ecw[ECW_SIZE]; /* concurrent sense for the pending status */
    struct css_dev *dev;
    const struct css_driver *drv;
    void *drvdata;
    struct css_run *run;
    struct css_meas meas;
    /* bytes the channel moved for the programs of this subchannel: into
     * storage (input commands) and out of it (output commands) */
    uint64_t bytes_read, bytes_written;
    uint64_t bytes_direct;       /* of those, moved by css_io_iov (no copy) */
    struct subchannel *isc_next; /* link in the per-ISC queue */
    uint32_t refs;
    uint16_t sch_no;
    uint8_t ssid;
    uint8_t isc_queued; /* on an ISC queue */
    uint8_t gone : 1;
    uint8_t irq_posted : 1; /* an irq delivery event is queued */
    uint8_t qdio : 1;
};

/* ---- engine entry points (engine.c) ---- */

/* SSCH accepted: FC start + AC start-pending are set, ORB is in sch->orb,
 * PMCW intparm/LPM updated.  Schedules path selection and execution. */
void css_engine_start(struct subchannel *sch);
/* RSCH accepted: AC resume-pending set. */
void css_engine_resume(struct subchannel *sch);
/* HSCH accepted: FC halt + AC halt-pending set. */
void css_engine_halt(struct subchannel *sch);
/* CSCH accepted: FC clear + AC clear-pending set; pending status already
 * withdrawn by the subchannel side.  Path fields are the engine's. */
void css_engine_clear(struct subchannel *sch);
/* XSCH accepted: withdraw the start synchronously (no interruption). */
void css_engine_cancel(struct subchannel *sch);
/* Subchannel gone or reset by RCHP: stop everything, no status. */
void css_engine_abort(struct subchannel *sch);
/* A path was configured off / failed while the subchannel may be using it. */
void css_engine_path_lost(struct subchannel *sch, uint8_t mask);
/* Unsolicited status from the device (css_dev_unsolicited). */
void css_engine_unsolicited(struct subchannel *sch, uint8_t dstat);
/* Is a path usable right now (installed, configured, not failed)? */
bool css_chp_usable(const struct css *css, uint8_t chpid);

/* ---- channel monitoring (cmf.c), called by both sides ---- */

/* SSCH/RSCH accepted: SSCH+RSCH count; function-pending time starts
 * (a start also begins a new sample). */
void css_meas_start(struct subchannel *sch, bool resume);
/* The device accepted the first command: function pending ends. */
void css_meas_accept(struct subchannel *sch);
/* A command goes to the device / its status is applied. */
void css_meas_cmd_begin(struct subchannel *sch);
void css_meas_cmd_end(struct subchannel *sch);
/* The start function ended (final or halt status): store the sample in
 * the measurement block, and the DCTI in the ESW with DCTM. */
void css_meas_sample(struct subchannel *sch);

/* ---- subchannel side entry points used by the engine ---- */

/* The SCSW now has SC status pending: queue the I/O interruption on the
 * subchannel's ISC and, if a driver is bound, post its irq delivery. */
void css_sch_make_pending(struct subchannel *sch);
/* Remove any queued interruption request (TSCH, CSCH, RCHP). */
void css_sch_dequeue_irq(struct subchannel *sch);
/* Queue a CRW (overflow handled here). */
void css_crw_queue(struct css *css, const struct crw *crw);
struct zv_loop *css_sch_loop(const struct subchannel *sch);

#endif
