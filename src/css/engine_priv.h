/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the channel side of css/ (engine.c, stream.c).
 *
 * One struct css_run per subchannel, allocated at the first start and
 * reused by every later function on that subchannel (the per-CCW path
 * allocates nothing).  It is freed by css_engine_abort(), which the
 * subchannel side calls when the subchannel goes away, is reset or is
 * freed.  If the device still owes css_io_done() for a command at that
 * moment, the run lives on as an orphan (no subchannel) and is freed when
 * the device finally calls it: the device may hold the css_io pointer
 * until then.
 */
#ifndef ZV_CSS_ENGINE_PRIV_H
#define ZV_CSS_ENGINE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "css/css_priv.h"

/* Commands chained within one loop event before yielding, so a program
 * that runs at zero latency cannot starve the loop (HSCH must get in). */
#define RUN_BURST 1024

/* Function-level state of the run: the rows of the FSM table. */
enum run_state {
    RUN_IDLE,      /* no start function at the channel */
    RUN_PENDING,   /* start or resume pending: selection is posted */
    RUN_ACTIVE,    /* a command is at the device, or its status waits */
    RUN_SUSPENDED, /* suspended at a CCW with S (css-pop.md §5.7) */
    RUN_NSTATES
};

/* What the single scheduled loop event of a run does when it fires. */
enum run_ev {
    RUN_EV_NONE,
    RUN_EV_SELECT,     /* path and device selection (start or resume) */
    RUN_EV_STATUS,     /* device latency elapsed: apply the status */
    RUN_EV_CONTINUE,   /* go on chaining after a fairness yield */
    RUN_EV_HALT_DONE,  /* complete the halt function */
    RUN_EV_CLEAR_DONE, /* complete the clear function */
};

/* Checked, decoded CCW ready to be used (engine.c). */
struct run_ccw {
    uint64_t addr; /* where it was fetched (after any TIC) */
    struct ccw1 ccw;
};

/* Where a data transfer stands: the current CCW and its data segment. */
struct css_io {
    struct css_run *run;
    struct zv_as *as;
    uint8_t cmd;   /* command of the first CCW of the data chain */
    uint8_t flags; /* flags of the first CCW */
    bool initial;
    bool input;       /* read, read backward or sense: stores into storage */
    bool backward;    /* read backward: storage is filled right to left */
    bool xferred;     /* the device called read or write at least once */
    bool short_xfer;  /* the device wanted more than the channel had */
    bool outstanding; /* start() called, css_io_done() not yet */
    bool done_sync;   /* done arrived while start() was running */
    uint8_t pc_cstat; /* subchannel status of a transfer error */
    uint32_t err_cpa; /* CPA to report with pc_cstat */
    uint8_t dstat;    /* status handed to css_io_done() */
    uint8_t sense_len;
    /* current CCW */
    uint64_t ccw_addr;
    uint8_t ccw_flags;
    uint32_t left; /* count of the current CCW not yet transferred */
    /* current contiguous data segment (direct area, IDAW block, MIDAW) */
    uint64_t seg_addr; /* next byte (read backward: next byte, downwards) */
    uint32_t seg_left;
    bool seg_skip;    /* storing is suppressed in this segment */
    bool seg_started; /* the first IDAW/MIDAW of this CCW is fetched */
    bool midaw_last;  /* the current MIDAW had the last flag */
    uint64_t list;    /* next IDAW or MIDAW address */
    uint32_t moved;   /* bytes moved for the whole command */
    uint64_t latency;
    uint8_t sense[32];
};

struct css_run {
    struct subchannel *sch; /* NULL once orphaned */
    struct css_io io;
    struct zv_loop *loop;
    zv_timer_id ev_id; /* the run's one scheduled event, 0 if none */
    uint64_t ev_at;    /* loop time ev_id fires at */
    uint8_t ev;        /* enum run_ev of ev_id */
    uint8_t sig_ev;    /* RUN_EV_HALT_DONE/CLEAR_DONE awaiting the device */
    bool sig_wait_io;  /* ... and its css_io_done() for the signalled cmd */
    uint64_t sig_due;  /* earliest completion: the device's answer */
    uint8_t state;     /* enum run_state */
    uint8_t path;      /* path mask in use (LPUM) */
    bool fmt1;         /* ORB F */
    bool first_cmd;    /* the next command is the program's first */
    bool accepted;     /* the device accepted the first command */
    bool z_due;        /* ORB I: initial status not made yet */
    uint8_t nest;      /* inside dev->ops->start() or ->signal() */
    uint8_t halt_kind; /* what the halt found (engine.c) */
    bool wait_dev;     /* selection waits for a discarded command */
    bool discard;      /* the outstanding command's status is void */
    bool resume_early; /* RSCH came before the suspend point */
    bool pci_reported; /* PCI of the suspended CCW went with it */
    bool orphan;
    uint16_t tics;      /* TICs since the last data transfer */
    uint32_t burst;     /* commands run without yielding to the loop */
    uint64_t ccw_addr;  /* address of the last CCW used */
    uint64_t next_addr; /* where command chaining continues */
    /* CCWs css_io_iov_chain resolved after the current one. */
    uint8_t nahead;
    /* What css_io_iov changed, for css_io_iov_undo. */
    struct {
        struct css_io io;
        uint64_t ccw_addr, bytes;
        uint16_t tics;
    } undo;
    struct run_ccw ahead[CSS_IO_AHEAD_MAX];
};

/*
 * Fetch the CCW at addr, follow a TIC, and apply the checks of
 * css-pop.md §5.1-5.2 in the architected order.  data_chained: reached by
 * data chaining (command code ignored, count 0 invalid).  Returns 0, or
 * the subchannel status of the failure (SCHN_STAT_PROG_CHECK) with *cpa
 * set to the CCW address to report (the failing CCW + 8, TIC + 8).
 */
uint8_t run_fetch_ccw(struct css_run *run, uint64_t addr, bool data_chained,
                      struct run_ccw *out, uint32_t *cpa);

/* A CCW reached by data chaining takes control (PCI, last CCW used). */
void run_ccw_control(struct css_run *run, const struct run_ccw *c);

/* stream.c */
/* Prepare io for a command whose first CCW is c. */
void stream_begin(struct css_io *io, const struct run_ccw *c, bool initial);
/* Residual count of the current CCW. */
static inline uint16_t
stream_residual(const struct css_io *io)
{
    return (uint16_t)io->left;
}
/* Does the data chain go on after the current CCW? */
static inline bool
stream_chains_data(const struct css_io *io)
{
    return (io->ccw_flags & CCW_FLAG_CD) != 0;
}

#endif
