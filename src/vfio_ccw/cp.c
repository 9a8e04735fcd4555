/* SPDX-License-Identifier: MIT */
/*
 * Channel-program translation for vfio-ccw (vfio-ccw.md §4).
 *
 * cp_translate() runs three passes, none recursive, each bounded:
 *   1. scan: fetch every guest CCW exactly once into cp->ccw, segment by
 *      segment, classifying each (command in force, moves data or not)
 *      and resolving TICs as it goes (a new segment per TIC target
 *      outside the known ones; CP_MAX_SEGS segments, CP_MAX_CCWS_PER_SEG
 *      CCWs each, like the kernel after CVE-2026-80554);
 *   2. plan and pin, CCW by CCW: cut the data area into pieces that never
 *      cross a block, reading each guest IDAW exactly once (CVE-2026-
 *      80551), and pin them through env->pin (the DMA-map check);
 *   3. emit: one arena block with the host CCWs, tail slots and IDAWs.
 * Any error unwinds everything done so far (CVE-2026-80555).
 *
 * Limits (documented in cp.h): 16 segments of at most 256 guest CCWs, so
 * at most 4096 CCWs; at most 33 IDAWs per CCW follow from the 16-bit count.
 *
 * Decisions (architecture first, css-pop.md; kernel behaviour in
 * vfio-ccw.md §4.4 where it differs):
 *  - The program is always prefetched (snapshotted); ORB P is passed on.
 *    Self-modifying programs see their first version, as with the kernel.
 *  - Format-0 CCWs become format-1; every data-moving CCW gets a format-2
 *    IDAL (2K blocks if the guest's IDAWs are 2K ones, else 4K).
 *  - TIC to TIC is a channel-program check: -EINVAL here.  TIC loops are
 *    legal and cost nothing to translate (each CCW is fetched once).
 *  - Transport mode and ORB D (MIDAW): -EOPNOTSUPP.  A MIDA flag without
 *    ORB D is a program check: -EINVAL.  A suspend flag under ORB S needs
 *    RSCH, which vfio-ccw cannot pass: -EOPNOTSUPP; without ORB S the flag
 *    goes to the host, whose program check is the architected answer.
 *  - CCWs that move no data (count 0, NOP, skipped input) are not pinned
 *    and get data address 0 without IDA: the channel never looks at it.
 *  - Other invalid commands, counts and flag combinations are passed
 *    through unchanged, so the host channel reports the architected
 *    program check with a CPA that maps back to the guest CCW.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_ccw/cp_priv.h"

#define CP_PAGE          4096u
#define CP_LIMIT_FMT1    0x80000000ull /* 31-bit CCW/data addresses */
#define CP_LIMIT_FMT0    0x01000000ull /* 24-bit */
#define CP_IDAWS_PER_CCW (UINT16_MAX / IDA_2K + 2)

/*
 * A window of guest CCWs, decoded in place: each CCW is read from guest
 * storage exactly once, by its decode in cp_fetch_ccw (no double fetch;
 * segments never overlap, so no address is decoded twice), into cp->ccw
 * before anything is pinned.  buf holds a single CCW when the window
 * cannot be mapped directly.
 */
struct cp_fetch {
    uint64_t base;
    uint32_t len;
    const uint8_t *p;
    uint8_t buf[CCW_SIZE];
};

/*
 * ORB checks that the host would not make for us: transport mode and
 * MIDAWs are not translated (vfio-ccw.md §4.4); the reserved bits and the
 * CPA rules are SSCH operand / program-check conditions (css-pop.md §2.2,
 * §5.1).
 */
static int
cp_check_orb(const struct orb *o)
{
    uint64_t limit = o->fmt ? CP_LIMIT_FMT1 : CP_LIMIT_FMT0;

    if (o->b || o->midaw)
        return -EOPNOTSUPP;
    if (o->rsvd || (o->x && o->ext_rsvd))
        return -EINVAL;
    if ((o->cpa & 7) || o->cpa >= limit)
        return -EINVAL;
    return 0;
}

/*
 * Map the guest CCWs from addr to the end of its 4K page with one lookup
 * (valid for the whole translation: nothing is unmapped meanwhile).
 */
static int
cp_fetch_refill(const struct cp *cp, struct cp_fetch *f, uint64_t addr)
{
    uint32_t n = CP_PAGE - (uint32_t)(addr & (CP_PAGE - 1));
    const uint8_t *p = zv_as_ptr(cp->env.iova, addr, n, ZV_MEM_READ);

    if (!p) {
        /* The rest of the page spans mappings or a hole: this CCW only. */
        n = CCW_SIZE;
        if (zv_as_read(cp->env.iova, addr, f->buf, n))
            return -EFAULT;
        p = f->buf;
    }
    f->base = addr;
    f->len = n;
    f->p = p;
    return 0;
}

static int
cp_fetch_ccw(const struct cp *cp, struct cp_fetch *f, uint64_t addr,
             struct ccw1 *c)
{
    const uint8_t *raw;
    int rc;

    if (addr < f->base || addr + CCW_SIZE > f->base + f->len) {
        rc = cp_fetch_refill(cp, f, addr);
        if (rc)
            return rc;
    }
    raw = f->p + (addr - f->base);
    if (cp->fmt0)
        ccw0_decode(c, raw);
    else
        ccw1_decode(c, raw);
    return 0;
}

/*
 * Per-CCW checks the translator depends on.  TIC: format-0 ignores the
 * high nibble, flags and count; format-1 accepts only 0x08 with zero
 * flags and count; the target must be doubleword-aligned and addressable
 * (css-pop.md §5.2).  MIDA can only be valid with ORB D, which is
 * rejected, so it is a program check (§5.1.6).  A suspend flag under
 * ORB S would need RSCH, which vfio-ccw has no way to pass (§4.4).
 */
static int
cp_check_ccw(const struct cp *cp, const struct orb *o, struct ccw1 *c, bool tic)
{
    if (tic) {
        if (cp->fmt0) {
            c->cmd = CCW_CMD_TIC;
            c->flags = 0;
            c->count = 0;
        } else if (c->cmd != CCW_CMD_TIC || c->flags || c->count) {
            return -EINVAL;
        }
        if ((c->cda & 7) || c->cda >= cp->limit)
            return -EINVAL;
        return 0;
    }
    if (c->flags & CCW_FLAG_MIDA)
        return -EINVAL;
    if ((c->flags & CCW_FLAG_SUSPEND) && o->spnd)
        return -EOPNOTSUPP;
    return 0;
}

/*
 * Double an array whose first storage is inside struct cp (inline): the
 * first growth moves it to the heap.  Returns the new storage or NULL.
 */
static void *
cp_grow(void *cur, const void *inline_buf, uint32_t *cap, size_t elem)
{
    size_t ncap = (size_t)*cap * 2;
    void *n;

    if (cur != inline_buf)
        n = realloc(cur, ncap * elem);
    else if ((n = malloc(ncap * elem)))
        memcpy(n, cur, *cap * elem);
    if (n)
        *cap = (uint32_t)ncap;
    return n;
}

/* Global CCW index of the guest CCW at addr, or -1. */
static int
cp_find_ccw(const struct cp *cp, uint64_t addr)
{
    for (uint32_t i = 0; i < cp->nsegs; i++) {
        const struct cp_seg *s = &cp->seg[i];

        if (addr >= s->iova && addr - s->iova < (uint64_t)s->len * CCW_SIZE)
            return (int)(s->first + (addr - s->iova) / CCW_SIZE);
    }
    return -1;
}

static int
cp_seg_starting_at(const struct cp *cp, uint64_t addr)
{
    for (uint32_t i = 0; i < cp->nsegs; i++)
        if (cp->seg[i].iova == addr)
            return (int)i;
    return -1;
}

/*
 * Can the CCW after c (in storage, at addr + 8) be executed?  Yes when c
 * chains (CD or CC).  After a TIC only through a status-modifier skip
 * (css-pop.md §5.3: device end with status modifier under command
 * chaining skips one CCW).  Every TIC is reached by chaining, so taking
 * that literally would drag whatever follows each TIC into the program;
 * like the kernel (vfio-ccw.md §4.2) we keep the CCW after a TIC only
 * for the loop shape that uses the skip, a backward TIC inside the run
 * ("SEARCH (CC), TIC *-8, READ").  Elsewhere a skip past a TIC reaches
 * the guard slot and ends in a program check.
 */
static bool
cp_run_continues(const struct ccw1 *c, bool tic, uint8_t prev_flags,
                 uint64_t start, uint64_t addr)
{
    if (!tic)
        return c->flags & (CCW_FLAG_CD | CCW_FLAG_CC);
    if (!(prev_flags & CCW_FLAG_CC) || (prev_flags & CCW_FLAG_CD))
        return false;
    return c->cda >= start && c->cda < addr;
}

/*
 * The TIC command class (ccw_cmd_class, inline: it runs for every CCW):
 * low four bits 1000 (css-pop.md §5.2); format 1 wants exactly 0x08,
 * which cp_check_ccw enforces.
 */
static inline bool
cp_is_tic(uint8_t cmd)
{
    return (cmd & 0x0F) == (CCW_CMD_TIC & 0x0F);
}

/* Append the CCW just fetched; cp_flow decides later what it moves. */
static int
cp_ccw_append(struct cp *cp, const struct ccw1 *c, bool tic)
{
    struct cp_ccw *k;

    if (cp->nccw == cp->ccw_cap) {
        struct cp_ccw *n =
            cp_grow(cp->ccw, cp->ccw_inline, &cp->ccw_cap, sizeof(*n));

        if (!n)
            return -ENOMEM;
        cp->ccw = n;
    }
    k = &cp->ccw[cp->nccw];
    k->c = *c;
    k->tic = tic;
    k->in = 0;
    k->queued = 0;
    k->seg = (uint8_t)cp->nsegs; /* the segment being scanned */
    /* xfer, backward and idaw0 are set by cp_flow / cp_plan for every
     * CCW, tic_target by cp_scan for every TIC, before anything reads
     * them. */
    cp->ntic += tic;
    cp->nccw++;
    return 0;
}

/*
 * Snapshot one segment starting at start (not inside a known segment).
 * The run stops at the end of chaining, or where it reaches the start of
 * a known segment: then the tail slot becomes a host TIC to it, so no
 * guest CCW is fetched twice.
 */
static int
cp_scan_seg(struct cp *cp, const struct orb *o, struct cp_fetch *f,
            uint64_t start)
{
    struct cp_seg *s = &cp->seg[cp->nsegs];
    uint64_t addr = start;
    uint8_t prev_flags = 0;
    struct ccw1 c;
    int rc, other;
    bool tic;

    *s = (struct cp_seg){.iova = start, .first = cp->nccw};
    for (;;) {
        other = cp_seg_starting_at(cp, addr);
        if (other >= 0) {
            s->tail = CP_TAIL_TIC;
            s->tail_seg = (uint32_t)other;
            break;
        }
        if (s->len == CP_MAX_CCWS_PER_SEG)
            return -E2BIG;
        if (addr + CCW_SIZE > cp->limit)
            return -EINVAL;
        rc = cp_fetch_ccw(cp, f, addr, &c);
        if (rc)
            return rc;
        tic = cp_is_tic(c.cmd);
        rc = cp_check_ccw(cp, o, &c, tic);
        if (!rc)
            rc = cp_ccw_append(cp, &c, tic);
        if (rc)
            return rc;
        s->len++;
        if (!cp_run_continues(&c, tic, prev_flags, start, addr))
            break;
        prev_flags = c.flags;
        addr += CCW_SIZE;
    }
    cp->nsegs++;
    return 0;
}

/*
 * Phase 1.  Walks the CCW array while it grows: every TIC is resolved to
 * a CCW index, scanning a new segment when its target is outside all
 * known ones.  Segments never overlap, so a resolution stays valid.
 */
static int
cp_scan(struct cp *cp, const struct orb *o)
{
    struct cp_fetch fetch, *f = &fetch;
    uint32_t seen = 0;
    int rc, idx;

    f->base = 0;
    f->len = 0;
    f->p = NULL;
    rc = cp_scan_seg(cp, o, f, o->cpa);
    /* Stop at the last TIC known so far, not at the last CCW: a program
     * without TICs is not walked again. */
    for (uint32_t i = 0; !rc && seen < cp->ntic; i++) {
        struct ccw1 *c = &cp->ccw[i].c;

        if (!cp->ccw[i].tic)
            continue;
        seen++;
        idx = cp_find_ccw(cp, c->cda);
        if (idx < 0) {
            if (cp->nsegs == CP_MAX_SEGS)
                return -E2BIG;
            rc = cp_scan_seg(cp, o, f, c->cda);
            if (rc)
                return rc;
            idx = (int)cp->seg[cp->nsegs - 1].first;
        }
        /* TIC to TIC is a channel-program check (css-pop.md §5.2). */
        if (cp->ccw[idx].tic)
            return -EINVAL;
        cp->ccw[i].tic_target = (uint32_t)idx;
    }
    return rc;
}

static uint32_t
cp_seg_of(const struct cp *cp, uint32_t idx)
{
    uint32_t s = 0;

    while (s + 1 < cp->nsegs && idx >= cp->seg[s + 1].first)
        s++;
    return s;
}

/*
 * Phase 1b: what each CCW can move, from every way the channel can enter
 * it (the isolation rule, docs/vfio-ccw.md "Chaining through a TIC").
 *
 * A data-chained CCW runs under the command in force, not its own, and
 * data chaining passes through a TIC (css-pop.md §5.1.3, §5.2).  So a CCW
 * can be entered under several commands: its own (command chaining, the
 * ORB, a status-modifier skip) and whatever its storage predecessor or
 * any TIC aiming at it carries.  "Moves no data" can only be decided from
 * all of them: cp_flow computes the set of entries of every CCW as a
 * fixed point over the program graph (successor, skip target, TIC
 * target), then a CCW is translated as moving data if ANY entry moves
 * data.  Its data area is then pinned (and must be in the DMA map), which
 * is exactly what the guest's own channel would use in that entry.  Read
 * backward addresses its area from the other end, so a CCW that would
 * move data backward in one entry and forward in another has no single
 * host translation: such a program is refused (-EINVAL), as no real
 * program needs it.
 */

/*
 * The kind of command in force when a CCW runs under cmd (CP_IN_*), by
 * the command-code classes of ccw_cmd_class (css-pop.md §5.1), inline:
 * it runs for every CCW.
 */
static inline uint8_t
cp_kind(uint8_t cmd)
{
    switch (cmd & 0x0F) {
    case 0x0: /* invalid */
    case 0x8: /* TIC */
        return 0;
    case 0x4:
        return CP_IN_FWD; /* sense */
    case 0xC:
        return CP_IN_BACK; /* read backward */
    }
    switch (cmd & 0x3) {
    case 0x1:
        return CP_IN_OUT; /* write */
    case 0x2:
        return CP_IN_FWD; /* read */
    default:
        return cmd == CCW_CMD_NOOP ? CP_IN_NOP : CP_IN_OUT; /* control */
    }
}

/*
 * The directions in which a CCW entered by k->in moves data.  Skip
 * suppresses storing for input (css-pop.md §5.6); count 0 moves nothing
 * (format 1) or is a program check (format 0, or data chained).  A NOP
 * run by command chaining moves nothing; data chaining under a NOP is not
 * something the architecture describes, so it is taken as moving data
 * (pinned: the conservative side).
 */
static inline uint8_t
cp_moving(const struct cp_ccw *k)
{
    uint8_t m = k->in & (CP_IN_FWD | CP_IN_BACK | CP_IN_OUT);

    if (k->tic || k->c.count == 0)
        return 0;
    if (k->in & CP_IN_CMD)
        m |= cp_kind(k->c.cmd) & (uint8_t)~CP_IN_NOP;
    if (k->in & CP_IN_NOP)
        m |= CP_IN_OUT;
    if (k->c.flags & CCW_FLAG_SKIP)
        m &= (uint8_t) ~(CP_IN_FWD | CP_IN_BACK);
    return m;
}

#ifndef ZV_REGRESS_ISOLATION
/* Global index of the CCW the host reaches from the slot after idx (its
 * storage successor, or through the segment's tail TIC), or -1. */
static inline int
cp_next(const struct cp *cp, uint32_t idx)
{
    const struct cp_seg *s = &cp->seg[cp->ccw[idx].seg];

    if (idx + 1 < s->first + s->len)
        return (int)idx + 1;
    if (s->tail == CP_TAIL_TIC)
        return (int)cp->seg[s->tail_seg].first;
    return -1;
}

/*
 * Global index of the CCW in the host slot two after idx's (a status-
 * modifier skip), or -1 for a guard or the IDAL area.  Past a tail TIC
 * that is the first CCW of the next segment in host order.
 */
static inline int
cp_skip_target(const struct cp *cp, uint32_t idx)
{
    uint32_t s = cp->ccw[idx].seg;
    const struct cp_seg *seg = &cp->seg[s];

    if (idx + 1 < seg->first + seg->len)
        return cp_next(cp, idx + 1);
    if (seg->tail == CP_TAIL_TIC && s + 1 < cp->nsegs)
        return (int)cp->seg[s + 1].first;
    return -1;
}

static inline void
cp_enter(struct cp *cp, int idx, uint8_t in, uint32_t cur, uint32_t *nwork)
{
    struct cp_ccw *t;

    if (idx < 0)
        return;
    t = &cp->ccw[idx];
    if ((t->in | in) == t->in)
        return;
    t->in |= in;
    /* The in-order pass visits idx later anyway; behind it, queue. */
    if ((uint32_t)idx <= cur && !t->queued) {
        t->queued = 1;
        cp->work[(*nwork)++] = (uint16_t)idx;
    }
}

static inline void
cp_flow_from(struct cp *cp, uint32_t i, uint32_t cur, uint32_t *nwork)
{
    const struct cp_ccw *k = &cp->ccw[i];
    uint8_t out;

    if (k->tic) {
        cp_enter(cp, (int)k->tic_target, k->in, cur, nwork);
    } else if (k->c.flags & CCW_FLAG_CD) {
        out = k->in & CP_IN_DATA;
        if (k->in & CP_IN_CMD)
            out |= cp_kind(k->c.cmd);
        cp_enter(cp, cp_next(cp, i), out, cur, nwork);
    } else if (k->c.flags & CCW_FLAG_CC) {
        cp_enter(cp, cp_next(cp, i), CP_IN_CMD, cur, nwork);
        /* Status modifier: the host slot after the next (css-pop.md
         * §5.3), wherever the host layout puts it. */
        cp_enter(cp, cp_skip_target(cp, i), CP_IN_CMD, cur, nwork);
    }
}

/* What k moves, once its entry set is complete. */
static inline int
cp_classify(struct cp *cp, struct cp_ccw *k)
{
    uint8_t m = cp_moving(k);

    if ((m & CP_IN_BACK) && (m & (CP_IN_FWD | CP_IN_OUT)))
        return -EINVAL; /* no single host IDAL serves both */
    k->xfer = m != 0;
    k->backward = (m & CP_IN_BACK) != 0;
    if (k->xfer && (k->c.flags & CCW_FLAG_IDA))
        cp->any_ida = true;
    if (!k->tic && !k->xfer && k->c.count > cp->sink_count)
        cp->sink_count = k->c.count;
    return 0;
}

static int
cp_flow(struct cp *cp)
{
    uint32_t nwork = 0;
    int rc = 0;

    cp->ccw[0].in = CP_IN_CMD;
    if (cp->nsegs == 1 && cp->ntic == 0 && cp->seg[0].tail != CP_TAIL_TIC) {
        /* One straight run ending in a guard: every edge goes forward
         * (successor i + 1, skip target i + 2), so a CCW's entries are
         * complete when the pass reaches it. */
        struct cp_ccw *k = cp->ccw;
        uint32_t n = cp->nccw;

        for (uint32_t i = 0; !rc && i < n; i++, k++) {
            if (k->c.flags & CCW_FLAG_CD) {
                uint8_t out = k->in & CP_IN_DATA;

                if (k->in & CP_IN_CMD)
                    out |= cp_kind(k->c.cmd);
                if (i + 1 < n)
                    k[1].in |= out;
            } else if (k->c.flags & CCW_FLAG_CC) {
                if (i + 1 < n)
                    k[1].in |= CP_IN_CMD;
                if (i + 2 < n)
                    k[2].in |= CP_IN_CMD;
            }
            rc = cp_classify(cp, k);
        }
        return rc;
    }
    /* Forward edges in one pass; back edges (TICs, a tail TIC, a skip
     * into an earlier segment) through the work list.  Each CCW's entry
     * set only grows, five bits at most: bounded. */
    for (uint32_t i = 0; i < cp->nccw; i++)
        if (cp->ccw[i].in)
            cp_flow_from(cp, i, i, &nwork);
    while (nwork) {
        uint32_t i = cp->work[--nwork];

        cp->ccw[i].queued = 0;
        cp_flow_from(cp, i, UINT32_MAX, &nwork);
    }
    for (uint32_t i = 0; !rc && i < cp->nccw; i++)
        rc = cp_classify(cp, &cp->ccw[i]);
    return rc;
}
#else
/*
 * ZV_REGRESS_ISOLATION: the translation before the fix, kept so the gate
 * can show the explorer and the fuzzers catch it.  The command in force
 * was taken from the storage predecessor only, so a CCW entered through
 * a TIC under data chaining was judged by its own command.
 */
static int
cp_flow(struct cp *cp)
{
    for (uint32_t i = 0; i < cp->nccw; i++) {
        struct cp_ccw *k = &cp->ccw[i];
        bool chained = i > 0 && cp_seg_of(cp, i) == cp_seg_of(cp, i - 1) &&
                       (cp->ccw[i - 1].c.flags & CCW_FLAG_CD);

        k->in = chained ? (uint8_t)(cp->ccw[i - 1].in & CP_IN_DATA) : CP_IN_CMD;
        if (chained && (cp->ccw[i - 1].in & CP_IN_CMD))
            k->in = cp_kind(cp->ccw[i - 1].c.cmd);
        k->xfer = cp_moving(k) != 0;
        k->backward = (cp_moving(k) & CP_IN_BACK) != 0;
        if (k->xfer && (k->c.flags & CCW_FLAG_IDA))
            cp->any_ida = true;
    }
    return 0;
}
#endif

/*
 * Format-1 IDAWs always address 2K blocks; format-2 ones 2K with ORB T,
 * else 4K (css-pop.md §2.5).  The host keeps the guest's block size so
 * every guest IDAW maps to one host IDAW; with no guest IDAL, 4K.
 */
static void
cp_block_sizes(struct cp *cp)
{
    cp->guest_bs = (cp->idaw2 && !cp->i2k) ? IDA_4K : IDA_2K;
    cp->host_bs = cp->any_ida ? cp->guest_bs : IDA_4K;
}

static inline int
cp_piece_add(struct cp *cp, uint64_t lo, uint32_t len, uint32_t off)
{
    if (cp->npieces == cp->pieces_cap) {
        struct cp_piece *n =
            cp_grow(cp->pieces, cp->pieces_inline, &cp->pieces_cap, sizeof(*n));

        if (!n)
            return -ENOMEM;
        cp->pieces = n;
    }
    cp->pieces[cp->npieces++] =
        (struct cp_piece){.iova = lo, .len = len, .idaw_off = (uint16_t)off};
    cp->nidaws++;
    return 0;
}

/*
 * Length of the piece addressed by a (an IDAW, or the running direct
 * address): up to the end of its block going forward, down to its start
 * for read backward, where the address names the rightmost byte.
 */
static uint32_t
cp_piece_len(uint64_t a, uint32_t left, uint32_t bs, bool backward)
{
    uint32_t in_block = (uint32_t)(a & (bs - 1));
    uint32_t room = backward ? in_block + 1 : bs - in_block;

    return left < room ? left : room;
}

static int
cp_piece_add_at(struct cp *cp, uint64_t a, uint32_t len, bool backward)
{
    if (backward)
        return cp_piece_add(cp, a - (len - 1), len, len - 1);
    return cp_piece_add(cp, a, len, 0);
}

/* A direct data address becomes an IDAL in host-block pieces. */
static int
cp_direct_pieces(struct cp *cp, const struct cp_ccw *k, bool backward)
{
    uint64_t a = k->c.cda, limit = cp->limit;
    uint32_t left = k->c.count, len;
    int rc;

    /* The data area must be addressable (css-pop.md §5.1.5). */
    if (backward ? (a >= limit || a + 1 < left) : (a + left > limit))
        return -EINVAL;
    while (left) {
        len = cp_piece_len(a, left, cp->host_bs, backward);
        rc = cp_piece_add_at(cp, a, len, backward);
        if (rc)
            return rc;
        a = backward ? a - len : a + len;
        left -= len;
    }
    return 0;
}

static inline uint64_t
cp_idaw_at(const struct cp *cp, const uint8_t *buf, uint32_t i)
{
    if (cp->idaw2)
        return zv_be64(buf + (size_t)i * IDAW2_SIZE);
    return zv_be32(buf + (size_t)i * IDAW1_SIZE);
}

static unsigned
cp_log2_bs(uint32_t bs)
{
    return bs == IDA_2K ? 11 : 12;
}

static uint32_t
cp_idaw_count(uint64_t first, uint32_t count, uint32_t bs, bool backward)
{
    uint32_t len0 = cp_piece_len(first, count, bs, backward);

    /* bs is 2K or 4K: a shift, not a division */
    return 1 + ((count - len0 + bs - 1) >> cp_log2_bs(bs));
}

/*
 * Snapshot the guest IDAL into idaw[], each IDAW read from guest storage
 * exactly once; the first one decides how many follow (so the TOCTOU of
 * CVE-2026-80551 cannot arise: the count and the list come from the same
 * single read of each entry).
 */
/*
 * Host pointer to [addr, addr+len) of the guest DMA space.  IDALs tend to
 * sit together, so the rest of the page around the last lookup is kept
 * (valid for the whole translation: nothing is unmapped meanwhile).
 */
static const uint8_t *
cp_idal_ptr(struct cp *cp, uint64_t addr, uint32_t len)
{
    struct cp_window *w = &cp->idal_win;
    uint64_t page_left = CP_PAGE - (addr & (CP_PAGE - 1));
    const uint8_t *p;

    if (w->p && addr >= w->base && addr - w->base + len <= w->len)
        return w->p + (addr - w->base);
    if (page_left > len) {
        p = zv_as_ptr(cp->env.iova, addr, page_left, ZV_MEM_READ);
        if (p) {
            *w = (struct cp_window){.base = addr, .len = page_left, .p = p};
            return p;
        }
    }
    return zv_as_ptr(cp->env.iova, addr, len, ZV_MEM_READ);
}

/*
 * Where to decode the guest IDAL from: in place when the longest list
 * the count allows is mapped (each IDAW is then read exactly once, by the
 * loop in cp_idal_pieces, and the first one both sizes and starts the
 * list, so the TOCTOU of CVE-2026-80551 cannot arise), else a private
 * copy of exactly the entries the first IDAW says are needed.
 */
static const uint8_t *
cp_idal_src(struct cp *cp, const struct cp_ccw *k, bool backward, uint8_t *buf)
{
    uint32_t sz = cp->idaw_sz, bs = cp->guest_bs, count = k->c.count, n;
    const uint8_t *p;

    p = cp_idal_ptr(cp, k->c.cda, ((count >> cp_log2_bs(bs)) + 2) * sz);
    if (p)
        return p;
    if (zv_as_read(cp->env.iova, k->c.cda, buf, sz))
        return NULL;
    n = cp_idaw_count(cp_idaw_at(cp, buf, 0), count, bs, backward);
    if (n > 1 &&
        zv_as_read(cp->env.iova, k->c.cda + sz, buf + sz, (size_t)(n - 1) * sz))
        return NULL;
    return buf;
}

/*
 * IDAW rules (css-pop.md §2.5): the list is word- (format-1) or
 * doubleword- (format-2) aligned; a format-1 IDAW has bit 0 zero; every
 * IDAW after the first names a block boundary (the last byte of a block
 * for read backward).
 */
static int
cp_check_idaw(const struct cp *cp, uint64_t a, uint32_t i, uint32_t len,
              bool backward)
{
    uint32_t bs = cp->guest_bs;

    if (!cp->idaw2 && (a & IDAW1_INVALID_BIT))
        return -EINVAL;
    if (i > 0 && (a & (bs - 1)) != (backward ? bs - 1 : 0))
        return -EINVAL;
    if (!backward && a > UINT64_MAX - len)
        return -EINVAL;
    return 0;
}

/* Room for n more pieces in cp->pieces. */
static int
cp_piece_reserve(struct cp *cp, uint32_t n)
{
    while (cp->pieces_cap - cp->npieces < n) {
        struct cp_piece *p =
            cp_grow(cp->pieces, cp->pieces_inline, &cp->pieces_cap, sizeof(*p));

        if (!p)
            return -ENOMEM;
        cp->pieces = p;
    }
    return 0;
}

/*
 * Forward through a list of several IDAWs (large transfers): the rules of
 * cp_check_idaw in one pass over the snapshot, each IDAW read once (into
 * idaw[] when it will be needed again).  Same pieces, same errors as the
 * general loop of cp_idal_pieces.  When every IDAW names the block right
 * after the previous piece and pins are lookups, one pin_run() serves the
 * whole count and the area is kept as one piece spanning several host
 * blocks (cp_emit writes one IDAW per block of it); otherwise the pieces
 * are cut block by block and pinned as cp_plan pins them.
 */
static int cp_pin_new_pieces(struct cp *cp, bool runs);
static int cp_pin_pending(struct cp *cp);

/*
 * One piece per IDAW.  idaw[1..fast) were found consecutive and not
 * stored (the fast path need not): they follow the first's block.
 */
static int
cp_idal_fwd_blocks(struct cp *cp, uint64_t *idaw, uint32_t fast, uint32_t n,
                   uint32_t count)
{
    uint32_t bs = cp->guest_bs, left = count, len;

    for (uint32_t j = 1; j < fast; j++)
        idaw[j] = (idaw[0] | (bs - 1)) + 1 + (uint64_t)(j - 1) * bs;
    if (cp_piece_reserve(cp, n))
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        len = i ? (left < bs ? left : bs) : cp_piece_len(idaw[0], left, bs, 0);
        cp->pieces[cp->npieces++] =
            (struct cp_piece){.iova = idaw[i], .len = len};
        left -= len;
    }
    cp->nidaws += n;
    return 0;
}

/*
 * How many format-2 IDAWs from i on name the blocks that follow next
 * (next block-aligned, the area known not to wrap): the common large
 * transfer, checked with one compare per IDAW (such an IDAW passes every
 * rule of cp_check_idaw by construction).
 */
static inline uint32_t
cp_idal_consecutive(const uint8_t *p, uint32_t i, uint32_t n, uint64_t next,
                    uint32_t bs)
{
    /* Two at a time: the loop is most of a 64 KiB CCW's cut. */
    for (; i + 1 < n; i += 2, next += 2 * (uint64_t)bs)
        if (zv_be64(p + (size_t)i * IDAW2_SIZE) != next ||
            zv_be64(p + (size_t)(i + 1) * IDAW2_SIZE) != next + bs)
            break;
    while (i < n && zv_be64(p + (size_t)i * IDAW2_SIZE) == next) {
        next += bs;
        i++;
    }
    return i;
}

/* Kept out of line: the one-piece CCW's path stays short. */
__attribute__((noinline)) static int
cp_idal_fwd(struct cp *cp, const uint8_t *p, uint32_t count)
{
    uint64_t idaw[CP_IDAWS_PER_CCW], a, next, habs;
    uint32_t bs = cp->guest_bs, left = count, len, n, i = 1, fast = 1;
    bool contig = true;
    int rc;

    idaw[0] = cp_idaw_at(cp, p, 0);
    len = cp_piece_len(idaw[0], left, bs, false);
    rc = cp_check_idaw(cp, idaw[0], 0, len, false);
    if (rc)
        return rc;
    n = cp_idaw_count(idaw[0], count, bs, false);
    next = idaw[0] + len;
    left -= len;
    if (cp->idaw2 && idaw[0] <= UINT64_MAX - count) {
        i = cp_idal_consecutive(p, 1, n, next, bs);
        fast = i;
        left -= (i - 1) * bs;
        next += (uint64_t)(i - 1) * bs;
    }
    for (; i < n; i++) {
        a = cp_idaw_at(cp, p, i);
        len = left < bs ? left : bs;
        if ((!cp->idaw2 && (a & IDAW1_INVALID_BIT)) || (a & (bs - 1)) ||
            a > UINT64_MAX - len)
            return -EINVAL;
        contig &= a == next;
        idaw[i] = a;
        next = a + len;
        left -= len;
    }
    if (!contig || !cp->runs)
        return cp_idal_fwd_blocks(cp, idaw, fast, n, count);
    /* Earlier CCWs' pieces first: their pin errors come before ours. */
    rc = cp->npinned < cp->npieces ? cp_pin_pending(cp) : 0;
    if (rc)
        return rc;
    if (cp->env.pin_run(cp->env.ctx, idaw[0], count, &habs)) {
        /* Not inside one mapping: block by block, as per-piece pins. */
        rc = cp_idal_fwd_blocks(cp, idaw, fast, n, count);
        return rc ? rc : cp_pin_new_pieces(cp, true);
    }
    rc = cp_piece_add(cp, idaw[0], count, 0);
    if (rc)
        return rc;
    cp->nidaws += n - 1; /* cp_piece_add counted the first */
    cp->pieces[cp->npinned].more = (uint16_t)(n - 1);
    cp->pieces[cp->npinned].habs = habs;
    cp->npinned = cp->npieces;
    /* Every block of the area shares the first one's offset. */
    if ((habs ^ idaw[0]) & (bs - 1))
        return -EFAULT;
    return 0;
}

static int
cp_idal_pieces(struct cp *cp, const struct cp_ccw *k, bool backward)
{
    uint8_t buf[CP_IDAWS_PER_CCW * IDAW2_SIZE];
    uint32_t left = k->c.count, len;
    const uint8_t *p;
    uint64_t a;
    int rc = 0;

    if ((k->c.cda & (cp->idaw_sz - 1)) || k->c.cda >= cp->limit)
        return -EINVAL;
    p = cp_idal_src(cp, k, backward, buf);
    if (!p)
        return -EFAULT;
    if (!backward && left > cp->guest_bs)
        return cp_idal_fwd(cp, p, left);
    for (uint32_t i = 0; !rc && left; i++) {
        a = cp_idaw_at(cp, p, i);
        len = cp_piece_len(a, left, cp->guest_bs, backward);
        rc = cp_check_idaw(cp, a, i, len, backward);
        if (!rc)
            rc = cp_piece_add_at(cp, a, len, backward);
        left -= len;
    }
    return rc;
}

/*
 * pin() is the DMA-map check for data.  The host block walk must cut the
 * data where the guest's does, so a piece's host address must sit at the
 * same offset within a host IDAW block.
 */
static int
cp_pin_piece(struct cp *cp)
{
    struct cp_piece *p = &cp->pieces[cp->npinned];
    int rc;

    rc = cp->env.pin(cp->env.ctx, p->iova, p->len, &p->habs);
    if (rc)
        return rc < 0 ? rc : -EFAULT;
    cp->npinned++;
    if ((p->habs ^ p->iova) & (cp->host_bs - 1))
        return -EFAULT;
    return 0;
}

/*
 * The pieces from npinned on that follow one another upwards in guest
 * storage (a forward transfer through IDAWs naming consecutive blocks, or
 * a direct area): one lookup can serve them all.  Returns the end of the
 * run and its length in *len.
 */
static uint32_t
cp_run_end(const struct cp *cp, uint64_t *len)
{
    const struct cp_piece *p = cp->pieces;
    uint32_t j = cp->npinned;

    *len = p[j].len;
    for (j++; j < cp->npieces && p[j].iova == p[j - 1].iova + p[j - 1].len; j++)
        *len += p[j].len;
    return j;
}

/*
 * A run pinned by one pin_run() call: every piece gets its host address
 * at the same distance as in the guest, which is what per-piece pins of a
 * range inside one DMA map give.  When the run is not inside one mapping
 * (it spans two, or a hole) the pieces are pinned one by one, so the
 * result, and the error, are exactly those of the per-piece path.
 */
static int
cp_pin_run(struct cp *cp)
{
    uint64_t len, habs, lo = cp->pieces[cp->npinned].iova;
    uint32_t end = cp_run_end(cp, &len);

    if (end - cp->npinned < 2 || len > UINT32_MAX ||
        cp->env.pin_run(cp->env.ctx, lo, (uint32_t)len, &habs))
        return cp_pin_piece(cp);
    for (uint32_t i = cp->npinned; i < end; i++)
        cp->pieces[i].habs = habs + (cp->pieces[i].iova - lo);
    /* All pieces share the offset: the first one's check is everyone's. */
    cp->npinned = end;
    if ((habs ^ lo) & (cp->host_bs - 1))
        return -EFAULT;
    return 0;
}

__attribute__((noinline)) static int
cp_pin_new_pieces(struct cp *cp, bool runs)
{
    int rc = 0;

    while (!rc && cp->npinned < cp->npieces) {
        const struct cp_piece *p = &cp->pieces[cp->npinned];

        /* A run needs the next piece to follow this one. */
        rc = runs && cp->npieces - cp->npinned > 1 &&
                     p[1].iova == p[0].iova + p[0].len
                 ? cp_pin_run(cp)
                 : cp_pin_piece(cp);
    }
    return rc;
}

/* Pin the pieces cut so far and not pinned yet. */
static int
cp_pin_pending(struct cp *cp)
{
    /* The common CCW has one piece: no run to look for. */
    if (cp->npieces - cp->npinned == 1)
        return cp_pin_piece(cp);
    if (cp->npinned < cp->npieces)
        return cp_pin_new_pieces(cp, cp->runs);
    return 0;
}

/*
 * Phases 2 and 3, CCW by CCW: cut the data area into pieces, pin them.
 * Where pins are lookups (runs), the pins wait until the whole program
 * is cut, so consecutive pieces of several CCWs (a data-chained transfer
 * into one buffer) share one pin_run() call.  The errors stay those of
 * pinning CCW by CCW: a CCW whose cut fails drops its pieces, and its
 * error is reported only once the CCWs before it are pinned (a pin error
 * of theirs comes first).
 */
static int
cp_plan(struct cp *cp)
{
    uint32_t mark;
    int rc;

    for (uint32_t i = 0; i < cp->nccw; i++) {
        struct cp_ccw *k = &cp->ccw[i];

        k->idaw0 = cp->nidaws;
        if (!k->xfer)
            continue;
        mark = cp->npieces;
        if (k->c.flags & CCW_FLAG_IDA)
            rc = cp_idal_pieces(cp, k, k->backward);
        else
            rc = cp_direct_pieces(cp, k, k->backward);
        if (rc) {
            if (cp->npinned <= mark) {
                int pin_rc;

                cp->npieces = mark;
                pin_rc = cp_pin_pending(cp);
                rc = pin_rc ? pin_rc : rc;
            }
            return rc;
        }
        if (!cp->runs) {
            rc = cp_pin_pending(cp);
            if (rc)
                return rc;
        }
    }
    return cp->npinned < cp->npieces ? cp_pin_pending(cp) : 0;
}

static uint64_t
cp_host_ccw_addr(const struct cp *cp, uint32_t idx)
{
    const struct cp_seg *s = &cp->seg[cp_seg_of(cp, idx)];

    return s->host + (uint64_t)(idx - s->first) * CCW_SIZE;
}

static void
cp_emit_ccw(const struct cp *cp, const struct cp_ccw *k, uint64_t idal,
            uint8_t *out)
{
    struct ccw1 h = k->c;

    if (k->tic) {
        h.cda = (uint32_t)cp_host_ccw_addr(cp, k->tic_target);
    } else if (k->xfer) {
        /* Direct addresses become IDALs too: guest data may sit above
         * 2G in host storage (vfio-ccw.md §4.4). */
        h.flags |= CCW_FLAG_IDA;
        h.cda = (uint32_t)(idal + (uint64_t)k->idaw0 * IDAW2_SIZE);
    } else if (k->c.count && cp->sink_count) {
        /* Moves no data in any entry cp_flow found.  The channel still
         * gets an area it may touch: the program's own sink block, never
         * an address of nobody's choosing (the isolation rule holds even
         * if an entry were missed). */
        h.flags |= CCW_FLAG_IDA;
        h.cda = (uint32_t)cp->sink_idal;
    } else {
        /* Count 0 (or the ZV_REGRESS_ISOLATION build). */
        h.flags &= (uint8_t)~CCW_FLAG_IDA;
        h.cda = 0;
    }
    /* Format 0: count 0 is a program check wherever the CCW is entered
     * (css-pop.md §5.1 step 4); in format 1 count 0 with CD is. */
    if (cp->fmt0 && !k->tic && k->c.count == 0)
        h.flags |= CCW_FLAG_CD;
    ccw1_encode(&h, out);
}

/*
 * Tail slot: a TIC to the segment the guest run falls into (through a
 * TIC there, since TIC to TIC is a program check the guest never asked
 * for), else a zero CCW: invalid command code, a program check.
 */
static void
cp_emit_tail(const struct cp *cp, const struct cp_seg *s, uint8_t *out)
{
    struct ccw1 t = {0};
    uint32_t idx;

    if (s->tail == CP_TAIL_TIC) {
        idx = cp->seg[s->tail_seg].first;
        if (cp->ccw[idx].tic)
            idx = cp->ccw[idx].tic_target;
        t.cmd = CCW_CMD_TIC;
        t.cda = (uint32_t)cp_host_ccw_addr(cp, idx);
    }
    ccw1_encode(&t, out);
}

static uint64_t
cp_round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/*
 * The sink: an IDAL whose every IDAW names the same host_bs block inside
 * this program's arena block, long enough for the largest count of a CCW
 * that moves no data.  Zeroed, so nothing of an earlier program shows.
 */
static void
cp_emit_sink(struct cp *cp, uint64_t idal_end)
{
    uint64_t bs = cp->host_bs;

    cp->sink_idal = idal_end;
    cp->sink_blk =
        cp_round_up(idal_end + (uint64_t)cp->sink_idaws * IDAW2_SIZE, bs);
    for (uint32_t i = 0; i < cp->sink_idaws; i++)
        zv_put_be64(cp->host_ptr + (idal_end - cp->host_addr) +
                        (size_t)i * IDAW2_SIZE,
                    cp->sink_blk);
    memset(cp->host_ptr + (cp->sink_blk - cp->host_addr), 0, bs);
}

/*
 * One host IDAW per block of each piece.  A forward piece (IDAW at its
 * start) may span several host blocks (cp_idal_fwd): its IDAWs after the
 * first name the following block boundaries, as the guest's did.
 */
static void
cp_emit_idaws(const struct cp *cp, uint8_t *out)
{
    const struct cp_piece *p = cp->pieces, *end = p + cp->npieces;
    uint64_t bs = cp->host_bs, h;
    uint8_t *stop;

    for (; p < end; p++) {
        h = p->habs + p->idaw_off;
        zv_put_be64(out, h);
        out += IDAW2_SIZE;
        if (!p->more)
            continue;
        stop = out + (size_t)p->more * IDAW2_SIZE;
        for (h = (h | (bs - 1)) + 1; out < stop; h += bs, out += IDAW2_SIZE)
            zv_put_be64(out, h);
    }
}

/* Phase 4. */
static int
cp_emit(struct cp *cp)
{
    uint64_t slots = cp->nccw + (uint64_t)cp->nsegs * 1;
    uint64_t len = (slots + cp->nidaws) * CCW_SIZE, idal, off = 0;
    void *ptr;
    int rc;

    if (cp->sink_count) {
        cp->sink_idaws = (cp->sink_count + cp->host_bs - 1) / cp->host_bs;
        /* room for the IDAL and one aligned block wherever it lands */
        len += (uint64_t)cp->sink_idaws * IDAW2_SIZE + 2ull * cp->host_bs;
    }
    rc = zv_arena_alloc(cp->env.host, len, 8, &cp->host_addr, &ptr);
    if (rc)
        return rc;
    cp->host_ptr = ptr;
    cp->host_len = len;
    /* CCW and IDAL addresses in a format-1 CCW are 31-bit. */
    if (cp->host_addr + len > CP_LIMIT_FMT1)
        return -ENOMEM;
    for (uint32_t s = 0; s < cp->nsegs; s++) {
        cp->seg[s].host = cp->host_addr + off;
        off += ((uint64_t)cp->seg[s].len + 1) * CCW_SIZE;
    }
    idal = cp->host_addr + slots * CCW_SIZE;
    if (cp->sink_count)
        cp_emit_sink(cp, idal + (uint64_t)cp->nidaws * IDAW2_SIZE);
    for (uint32_t s = 0; s < cp->nsegs; s++) {
        const struct cp_seg *seg = &cp->seg[s];
        uint8_t *out = cp->host_ptr + (seg->host - cp->host_addr);

        for (uint32_t i = 0; i < seg->len; i++, out += CCW_SIZE)
            cp_emit_ccw(cp, &cp->ccw[seg->first + i], idal, out);
        cp_emit_tail(cp, seg, out);
    }
    cp_emit_idaws(cp, cp->host_ptr + slots * CCW_SIZE);
    return 0;
}

/*
 * Host ORB (vfio-ccw.md §4.5): format-1 CCWs, format-2 IDAWs with the
 * block size chosen in cp_classify, CPA in host storage; key, suspend,
 * prefetch, LPM, intparm and the rest as the guest gave them.
 */
static void
cp_host_orb(const struct cp *cp, const struct orb *guest, struct orb *host)
{
    *host = *guest;
    host->fmt = true;
    host->c64 = true;
    host->i2k = cp->host_bs == IDA_2K;
    host->cpa = (uint32_t)cp->seg[0].host;
    /* Format 0 never indicates incorrect length for an immediate command
     * (css-pop.md §5.5); in format 1 that is ILS mode, ORB L.  Without the
     * facility on the host the format-1 rule shows (docs/vfio-ccw.md). */
    if (cp->fmt0)
        host->ils = cp->env.host_ils;
}

static struct cp *
cp_new(const struct cp_env *env)
{
    struct cp *cp;

    if (env->spare && *env->spare) {
        cp = *env->spare;
        *env->spare = NULL;
    } else {
        cp = malloc(sizeof(*cp));
        if (!cp)
            return NULL;
    }
    /* seg[] is written as segments are scanned and read only below
     * nsegs: zero from nsegs on, not the 16 segment slots. */
    memset((char *)cp + offsetof(struct cp, nsegs), 0,
           offsetof(struct cp, ccw_inline) - offsetof(struct cp, nsegs));
    cp->env = *env;
    cp->ccw = cp->ccw_inline;
    cp->ccw_cap = CP_INLINE;
    cp->pieces = cp->pieces_inline;
    cp->pieces_cap = CP_INLINE;
    return cp;
}

int
cp_translate(const struct cp_env *env, const struct orb *guest_orb,
             struct cp **out, struct orb *host_orb)
{
    struct cp *cp;
    int rc;

    *out = NULL;
    rc = cp_check_orb(guest_orb);
    if (rc)
        return rc;
    cp = cp_new(env);
    if (!cp)
        return -ENOMEM;
    cp->fmt0 = !guest_orb->fmt;
    cp->limit = cp->fmt0 ? CP_LIMIT_FMT0 : CP_LIMIT_FMT1;
    cp->idaw2 = guest_orb->c64;
    cp->idaw_sz = cp->idaw2 ? IDAW2_SIZE : IDAW1_SIZE;
    cp->i2k = guest_orb->i2k;
    /* pin_run only where pins are lookups: unpin is per piece. */
    cp->runs = env->pin_run && !env->unpin;

    rc = cp_scan(cp, guest_orb);
    if (!rc)
        rc = cp_flow(cp);
    if (rc)
        goto err_free;
    cp_block_sizes(cp);
    rc = cp_plan(cp);
    if (!rc)
        rc = cp_emit(cp);
    if (rc)
        goto err_free;
    cp_host_orb(cp, guest_orb, host_orb);
    *out = cp;
    return 0;

err_free:
    cp_free(cp);
    return rc;
}

void
cp_free(struct cp *cp)
{
    if (!cp)
        return;
    for (uint32_t i = 0; i < cp->npinned && cp->env.unpin; i++)
        cp->env.unpin(cp->env.ctx, cp->pieces[i].iova, cp->pieces[i].len);
    if (cp->host_ptr)
        zv_arena_release(cp->env.host, cp->host_addr);
    if (cp->pieces != cp->pieces_inline)
        free(cp->pieces);
    if (cp->ccw != cp->ccw_inline)
        free(cp->ccw);
    if (cp->env.spare && !*cp->env.spare)
        *cp->env.spare = cp; /* everything it pointed to is released */
    else
        free(cp);
}

void
cp_spare_free(struct cp **spare)
{
    if (!spare)
        return;
    free(*spare);
    *spare = NULL;
}

/*
 * The host CPA names the host slot after the last one used (css-pop.md
 * §5.4).  Slots map 1:1 onto the guest CCWs of their segment (the tail
 * onto the guest address after the run), so the guest CPA is the same
 * offset from the segment's guest address.  Looking up cpa - 8 first
 * settles a CPA equal to the next segment's start.  No match: 0, never a
 * host address.
 */
static const struct cp_seg *
cp_seg_by_host(const struct cp *cp, uint64_t addr)
{
    for (uint32_t i = 0; i < cp->nsegs; i++) {
        const struct cp_seg *s = &cp->seg[i];
        uint64_t span = ((uint64_t)s->len + 1) * CCW_SIZE;

        if (addr >= s->host && addr - s->host < span)
            return s;
    }
    return NULL;
}

void
cp_update_scsw(const struct cp *cp, struct scsw *scsw)
{
    uint64_t cpa = scsw->cpa;
    const struct cp_seg *s = NULL;

    if (!cp) {
        scsw->cpa = 0;
        return;
    }
    if (cpa >= CCW_SIZE)
        s = cp_seg_by_host(cp, cpa - CCW_SIZE);
    if (!s)
        s = cp_seg_by_host(cp, cpa);
    scsw->cpa = s ? (uint32_t)(s->iova + (cpa - s->host)) : 0;
}

bool
cp_iova_pinned(const struct cp *cp, uint64_t iova, uint64_t len)
{
    uint64_t end = iova + len;

    if (!cp || len == 0 || end < iova)
        return false;
    for (uint32_t i = 0; i < cp->npinned; i++) {
        const struct cp_piece *p = &cp->pieces[i];
        uint64_t lo = p->iova & ~(uint64_t)(CP_PAGE - 1);
        uint64_t hi =
            (p->iova + p->len + CP_PAGE - 1) & ~(uint64_t)(CP_PAGE - 1);

        if (iova < hi && end > lo)
            return true;
    }
    return false;
}

size_t
cp_ccw_count(const struct cp *cp)
{
    return cp ? cp->nccw : 0;
}

void
cp_host_block(const struct cp *cp, uint64_t *addr, uint64_t *len)
{
    *addr = cp ? cp->host_addr : 0;
    *len = cp ? cp->host_len : 0;
}

/* ---- the isolation rule, checked on the emitted host program ---------- */

struct cp_vrange {
    uint64_t lo, hi;
};

static int
cp_vrange_cmp(const void *a, const void *b)
{
    const struct cp_vrange *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Is [lo, hi) inside one allowed range (sorted by lo)? */
static bool
cp_vrange_has(const struct cp_vrange *r, uint32_t n, uint64_t lo, uint64_t hi)
{
    uint32_t a = 0, b = n;

    while (a < b) {
        uint32_t m = a + (b - a) / 2;

        if (r[m].lo <= lo)
            a = m + 1;
        else
            b = m;
    }
    /* candidates: the ranges starting at or below lo; pieces may touch,
     * so walk back while they still cover lo */
    for (uint32_t i = a; i-- > 0;)
        if (r[i].lo <= lo && hi <= r[i].hi)
            return true;
    return false;
}

static bool
cp_in_block(const struct cp *cp, uint64_t addr, uint64_t len)
{
    return addr >= cp->host_addr && len <= cp->host_len &&
           addr - cp->host_addr <= cp->host_len - len;
}

/* Walk the IDAWs a host CCW uses for its count, as the channel would. */
static const char *
cp_verify_idal(const struct cp *cp, const struct ccw1 *h, bool backward,
               const struct cp_vrange *r, uint32_t n)
{
    uint32_t left = h->count, bs = cp->host_bs, len;
    uint64_t list = h->cda, a;

    if (list & (IDAW2_SIZE - 1))
        return "IDAL not doubleword-aligned";
    for (uint32_t i = 0; left; i++) {
        if (!cp_in_block(cp, list + (uint64_t)i * IDAW2_SIZE, IDAW2_SIZE))
            return "IDAW outside the program's block";
        a = zv_be64(cp->host_ptr + (list - cp->host_addr) +
                    (size_t)i * IDAW2_SIZE);
        len = cp_piece_len(a, left, bs, backward);
        if (backward)
            a -= len - 1;
        if (!cp_vrange_has(r, n, a, a + len))
            return "IDAW names storage neither pinned nor the sink";
        left -= len;
    }
    return NULL;
}

int
cp_verify(const struct cp *cp, const char **why)
{
    uint32_t n = cp->npinned + 1, k = 0;
    struct cp_vrange *r = malloc(n * sizeof(*r));
    uint64_t slots = cp->nccw + cp->nsegs;
    const char *bad = NULL;

    if (!r) {
        bad = "out of memory";
        goto out;
    }
    for (uint32_t i = 0; i < cp->npinned; i++)
        r[k++] = (struct cp_vrange){cp->pieces[i].habs,
                                    cp->pieces[i].habs + cp->pieces[i].len};
    if (cp->sink_count)
        r[k++] = (struct cp_vrange){cp->sink_blk, cp->sink_blk + cp->host_bs};
    qsort(r, k, sizeof(*r), cp_vrange_cmp);
    for (uint32_t s = 0; !bad && s < cp->nsegs; s++) {
        const struct cp_seg *seg = &cp->seg[s];

        for (uint32_t i = 0; !bad && i <= seg->len; i++) {
            uint64_t at = seg->host + (uint64_t)i * CCW_SIZE;
            bool tail = i == seg->len;
            struct ccw1 h;

            ccw1_decode(&h, cp->host_ptr + (at - cp->host_addr));
            if (h.cmd == CCW_CMD_TIC) {
                if ((h.cda & 7) || h.cda < cp->host_addr ||
                    h.cda >= cp->host_addr + slots * CCW_SIZE)
                    bad = "TIC leaves the program";
            } else if (tail) {
                if (h.cmd || h.flags || h.count || h.cda)
                    bad = "tail slot is neither a TIC nor a guard";
            } else if (h.count == 0) {
                continue; /* nothing moves */
            } else if (!(h.flags & CCW_FLAG_IDA)) {
                bad = "CCW with a count but no IDAL";
            } else {
                bad = cp_verify_idal(cp, &h, cp->ccw[seg->first + i].backward,
                                     r, k);
            }
        }
    }
out:
    free(r);
    if (why)
        *why = bad;
    return bad ? -EPERM : 0;
}
