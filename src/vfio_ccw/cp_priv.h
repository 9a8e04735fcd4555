/* SPDX-License-Identifier: MIT */
/*
 * Private state of a translated channel program (cp.c).
 *
 * Guest program: up to CP_MAX_SEGS segments, each a run of consecutive
 * guest CCWs entered by the ORB or by a TIC.  Host program: one arena
 * block holding, per segment, its host CCWs (one per guest CCW, same
 * order) plus one tail slot, followed by all host IDAWs, then (when a
 * CCW moves no data) the sink IDAL and sink block.  The tail slot is
 * either a TIC to the segment the guest run falls into, or a zeroed guard
 * CCW (invalid command: channel-program check, css-pop.md §5.1) so that a
 * status-modifier skip past the end of a chain never runs into unrelated
 * host storage.  A skip from the CCW before a tail TIC lands on the next
 * segment's first host CCW (or, after the last segment, on the first
 * IDAW, whose zero command byte is a program check): cp_flow counts that
 * entry too.
 */
#ifndef ZV_VFIO_CCW_CP_PRIV_H
#define ZV_VFIO_CCW_CP_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "vfio_ccw/cp.h"

/*
 * How the channel can arrive at a CCW (cp_flow): by command chaining (or
 * the ORB, or a status-modifier skip), or by data chaining with a command
 * of some kind in force.  A CCW can be reached in several of these ways:
 * its storage predecessor and every TIC that targets it each bring their
 * own (css-pop.md §5.2: data chaining goes through a TIC).
 */
#define CP_IN_CMD  0x01u /* command chaining: its own command applies */
#define CP_IN_FWD  0x02u /* data chaining, input in force (read, sense) */
#define CP_IN_BACK 0x04u /* data chaining, read backward in force */
#define CP_IN_OUT  0x08u /* data chaining, output in force (write, control) */
#define CP_IN_NOP  0x10u /* data chaining, NOP in force */
#define CP_IN_DATA (CP_IN_FWD | CP_IN_BACK | CP_IN_OUT | CP_IN_NOP)

/* One guest CCW, snapshotted once, held in format-1 shape. */
struct cp_ccw {
    struct ccw1 c;
    bool tic;            /* transfer in channel */
    uint8_t in;          /* CP_IN_*: every way the channel can enter it */
    uint8_t xfer;        /* 1 = moves data in some entry: pinned pieces */
    uint8_t backward;    /* 1 = that data moves backward (read backward) */
    uint8_t queued;      /* cp_flow work list membership */
    uint8_t seg;         /* index of its segment in cp->seg */
    uint32_t idaw0;      /* index of its first host IDAW */
    uint32_t tic_target; /* TIC: global CCW index of the target */
};

/*
 * A guest data piece: never crosses a host IDAW block or a 4K page, but
 * for a forward IDAL area pinned whole by one pin_run() (cp_idal_fwd),
 * which spans the blocks its IDAWs name (one host IDAW each).
 */
struct cp_piece {
    uint64_t iova; /* lowest guest address of the piece */
    uint32_t len;
    uint16_t idaw_off; /* offset of the IDAW address inside the piece */
    uint16_t more;     /* host blocks after the first (cp_idal_fwd) */
    uint64_t habs;     /* host absolute address of iova once pinned */
};

#define CP_INLINE CP_MAX_CCWS_PER_SEG

#define CP_TAIL_GUARD 0u
#define CP_TAIL_TIC   1u

/* A window of guest storage found by one lookup (cp_idal_ptr). */
struct cp_window {
    uint64_t base;
    uint64_t len;
    const uint8_t *p;
};

struct cp_seg {
    uint64_t iova;     /* guest address of the first CCW */
    uint32_t first;    /* index of the first CCW in cp->ccw */
    uint32_t len;      /* guest CCWs; host slots are len + 1 */
    uint32_t tail;     /* CP_TAIL_* */
    uint32_t tail_seg; /* CP_TAIL_TIC: segment the run falls into */
    uint64_t host;     /* host absolute address of slot 0 */
};

struct cp {
    struct cp_env env;
    struct cp_seg seg[CP_MAX_SEGS];
    uint32_t nsegs;
    uint32_t ntic; /* TICs among ccw[]: cp_scan resolves this many */

    struct cp_ccw *ccw;
    uint32_t nccw, ccw_cap;

    struct cp_piece *pieces;
    uint32_t npieces, pieces_cap;
    uint32_t npinned; /* pieces[0..npinned) are pinned */
    uint32_t nidaws;  /* host IDAWs the pieces need (cp_emit_idaws) */

    uint32_t guest_bs; /* IDAW block of the guest's IDA CCWs, 0 if none */
    uint32_t host_bs;  /* block size of the host format-2 IDAWs */
    bool fmt0;         /* guest CCWs are format-0 */
    uint64_t limit;    /* CCW/data addresses end below: 16M or 2G */
    uint32_t idaw_sz;  /* guest IDAW size: 4 or 8 */
    bool idaw2;        /* guest IDAWs are format-2 (ORB H) */
    bool i2k;          /* ORB T: 2K format-2 IDAWs */
    bool any_ida;      /* some data-moving CCW uses a guest IDAL */
    bool runs;         /* pin runs of pieces with env.pin_run */
    struct cp_window idal_win;

    uint32_t sink_count; /* largest count among sink CCWs, 0 if none */
    uint32_t sink_idaws; /* IDAWs of the sink IDAL */
    uint64_t sink_idal;  /* host address of the sink IDAL */
    uint64_t sink_blk;   /* host address of the sink block (host_bs) */

    uint64_t host_addr; /* arena block, 0 if none */
    uint8_t *host_ptr;
    uint64_t host_len;

    /* First storage of ccw[] and pieces[]: one allocation serves the
     * common program; left uninitialised (cp_new zeroes only the above). */
    struct cp_ccw ccw_inline[CP_INLINE];
    struct cp_piece pieces_inline[CP_INLINE];
    uint16_t work[CP_MAX_CCWS]; /* cp_flow work list */
};

#endif
