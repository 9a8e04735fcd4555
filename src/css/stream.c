/* SPDX-License-Identifier: MIT */
/*
 * What the channel reads from storage: CCWs (fetched and checked in the
 * architected order, css-pop.md §5.1-5.2) and the css_io data stream,
 * what a device sees of a command's data area.
 *
 * One command may span several CCWs (data chaining, css-pop.md §5.3), and
 * each CCW's area may be direct, or scattered by IDAWs (format 1: 4-byte,
 * 2K blocks; format 2: 8-byte, 2K or 4K blocks) or MIDAWs (css-pop.md
 * §2.5).  The stream walks them lazily, one contiguous segment at a time,
 * fetching each IDAW/MIDAW when the transfer reaches it, so a device that
 * ends early never makes the channel touch the rest.  Every access goes
 * through the storage address space; a miss ends the transfer with a
 * channel-program check (-1 to the device), and so does a data address
 * on the wrong side of the SET ADDRESS LIMIT limit when the ORB asks for
 * address-limit checking (run_limit_ok).
 *
 * Protection checks are not modelled: the storage has no keys, so the ORB
 * key is carried in the SCSW but never compared.
 */
#include <string.h>
#include <sys/uio.h>

#include "css/engine_priv.h"

#define FMT0_LIMIT     (1ull << 24) /* format-0 CCWs address 24 bits */
#define FMT1_LIMIT     (1ull << 31) /* format-1 CCWs and IDAWs: 31 bits */
#define MIDAW_PAGE     4096u
#define WIN_PAGE       4096u
#define AVAIL_PEEK_MAX 64 /* data-chained CCWs css_io_available looks at */
/*
 * Endless-loop guard (not architecture; Hercules has a similar one): more
 * than RUN_TIC_LIMIT backward TICs (target at or before the TIC) with no
 * data moved in between end the program with a channel-program check,
 * CPA = the offending TIC + 8.  A real channel would loop until halted; a
 * loop that moves data (Search ID Equal + TIC) is never stopped, and
 * forward TICs never count.
 */
#define RUN_TIC_LIMIT 256

/*
 * A window of storage found by one address-space lookup: the rest of the
 * 4K page (of one mapping) around an access.  IDAWs of one program sit
 * together, and so do the blocks of one buffer, so one lookup serves the
 * next accesses too.  A window lives for ONE css_io_read/write call only:
 * nothing runs on the loop during a call (interruptions are posted, not
 * delivered), so no mapping can change under it.
 */
struct stream_win {
    uint64_t base;
    uint64_t len; /* 0: empty */
    uint8_t *p;
    unsigned prot;
};

/* A new window at addr (the window missed); NULL as stream_win_ptr.  Out
 * of line: the hit below is the common case on every IDAW and segment. */
static __attribute__((noinline)) uint8_t *
stream_win_fill(const struct zv_as *as, struct stream_win *w, uint64_t addr,
                uint64_t n, unsigned prot)
{
    uint64_t page_left = WIN_PAGE - (addr & (WIN_PAGE - 1));
    uint8_t *p;

    if (n > page_left)
        return NULL;
    p = zv_as_ptr(as, addr, page_left, prot);
    if (!p)
        return NULL;
    *w = (struct stream_win){
        .base = addr, .len = page_left, .p = p, .prot = prot};
    return p;
}

/* Host pointer to [addr, addr+n) with prot through w, or NULL when the
 * range is not inside one mapping (the caller then goes byte-exact). */
static inline uint8_t *
stream_win_ptr(const struct zv_as *as, struct stream_win *w, uint64_t addr,
               uint64_t n, unsigned prot)
{
    if (w->len && (w->prot & prot) == prot && addr >= w->base &&
        addr - w->base < w->len && n <= w->len - (addr - w->base))
        return w->p + (addr - w->base);
    return stream_win_fill(as, w, addr, n, prot);
}

/* ---- CCW fetch and checks (css-pop.md §5.1, §5.2) ---- */

static bool
run_is_tic(const struct css_run *run, uint8_t cmd)
{
    return (cmd & 0x0F) == CCW_CMD_TIC;
}

static bool
run_ccw_addr_ok(const struct css_run *run, uint64_t addr)
{
    uint64_t limit = run->fmt1 ? FMT1_LIMIT : FMT0_LIMIT;

    return (addr & 7) == 0 && addr + CCW_SIZE <= limit;
}

/*
 * Address-limit checking (SET ADDRESS LIMIT, css-pop.md §2.1 PMCW LM,
 * §2.2 ORB A): only when the ORB of the start function has A = 1, and
 * then as PMCW LM says: 01, every data byte at or above the limit; 10,
 * every data byte below it.  It applies to data addresses (the area of a
 * CCW, or the blocks its IDAWs or MIDAWs designate), not to the fetch of
 * CCWs, IDAWs or MIDAWs: LM speaks of data addresses only.  (Hercules
 * checks CCW and IDAW addresses too; we follow the PMCW definition.)
 * A violation is an invalid data address: channel-program check.
 */
static bool
run_limit_ok(const struct css_run *run, uint64_t lo, uint64_t n)
{
    const struct subchannel *sch = run->sch;
    uint64_t limit;

    if (!sch->orb.alcc)
        return true;
    limit = css_addr_limit(sch->css);
    switch (sch->schib.pmcw.lm) {
    case PMCW_LM_LOWER:
        return lo >= limit;
    case PMCW_LM_UPPER:
        return lo + n <= limit;
    default:
        return true;
    }
}

/* Data address of a CCW with a non-zero count (§5.1 step 5).  dw, when
 * not NULL: a data window of the transfer that may already cover the area
 * (a data-chained buffer goes on where the last CCW's ended). */
static bool
run_data_ok(const struct css_run *run, uint8_t cmd, const struct ccw1 *c,
            struct stream_win *dw)
{
    uint64_t limit = run->fmt1 ? FMT1_LIMIT : FMT0_LIMIT;
    bool input = ccw_cmd_is_input(cmd);
    uint64_t lo = c->cda;

    if (c->flags & CCW_FLAG_IDA) {
        /* The IDAW list: word-aligned (format 1), doubleword (format 2). */
        uint64_t align = run->sch->orb.c64 ? IDAW2_SIZE : IDAW1_SIZE;
        return (c->cda & (align - 1)) == 0 && c->cda < limit;
    }
    if (c->flags & CCW_FLAG_MIDA)
        return c->cda % MIDAW_SIZE == 0 && c->cda < limit;
    /* Skip: the data are not stored, so the area is not checked. */
    if ((c->flags & CCW_FLAG_SKIP) && input)
        return true;
    if (ccw_cmd_class(cmd) == CCW_CLASS_READ_BACK) {
        /* Read backward names the rightmost byte of the area. */
        if (c->cda + 1 < c->count)
            return false;
        lo = c->cda + 1 - c->count;
    }
    /* A direct area is checked whole before it is used, as its storage
     * is (so a command is never sent with an area it may not touch). */
    if (lo + c->count > limit || !run_limit_ok(run, lo, c->count))
        return false;
    return (dw && stream_win_ptr(run->io.as, dw, lo, c->count,
                                 input ? ZV_MEM_WRITE : ZV_MEM_READ)) ||
           zv_as_check(run->io.as, lo, c->count,
                       input ? ZV_MEM_WRITE : ZV_MEM_READ);
}

/* Fetch one CCW; 0, or -1 when its address is invalid or unmapped.  cw,
 * when not NULL: a window on the CCWs (data chaining walks them in
 * order, so one lookup serves a page of them). */
static int
run_read_ccw(struct css_run *run, uint64_t addr, struct ccw1 *c,
             struct stream_win *cw)
{
    uint8_t buf[CCW_SIZE];
    const uint8_t *raw = buf;

    if (!run_ccw_addr_ok(run, addr))
        return -1;
    if (!cw ||
        !(raw = stream_win_ptr(run->io.as, cw, addr, CCW_SIZE, ZV_MEM_READ))) {
        raw = buf;
        if (zv_as_read(run->io.as, addr, buf, sizeof(buf)))
            return -1;
    }
    if (run->fmt1)
        ccw1_decode(c, raw);
    else
        ccw0_decode(c, raw);
    return 0;
}

/* Follow TICs (one at most: TIC to TIC is a program check). */
static uint8_t
run_follow_tic(struct css_run *run, uint64_t *addr, struct ccw1 *c,
               uint32_t *cpa)
{
    uint64_t tic_addr = *addr;

    /* Format-1 TIC: the command byte must be exactly 0x08 and flags and
     * count zero.  QEMU and Hercules agree; css-pop.md §5.2 could not
     * confirm it in the PoP, so we follow them. */
    if (run->fmt1 && (c->cmd != CCW_CMD_TIC || c->flags || c->count))
        goto bad_tic;
    if (c->cda <= tic_addr && ++run->tics > RUN_TIC_LIMIT)
        goto bad_tic;
    *addr = c->cda;
    if (run_read_ccw(run, *addr, c, NULL) < 0)
        goto bad_tic; /* invalid TIC target: CPA = TIC + 8 */
    if (run_is_tic(run, c->cmd)) {
        *cpa = (uint32_t)(*addr + 8); /* TIC to TIC: second TIC + 8 */
        return SCHN_STAT_PROG_CHECK;
    }
    return 0;
bad_tic:
    *cpa = (uint32_t)(tic_addr + 8);
    return SCHN_STAT_PROG_CHECK;
}

/* Command, count, data address and flags checks, in that order. */
static bool
run_ccw_valid(struct css_run *run, const struct ccw1 *c, bool dc,
              struct stream_win *dw)
{
    const struct orb *orb = &run->sch->orb;
    uint8_t cmd = dc ? run->io.cmd : c->cmd;

    /* A data-chained CCW's command code is ignored (§5.1 step 3). */
    if (!dc && ccw_cmd_class(c->cmd) == CCW_CLASS_INVALID)
        return false;
    /* Invalid count, format 0 / format 1 (§5.1 step 4). */
    if (c->count == 0 && (!run->fmt1 || dc || (c->flags & CCW_FLAG_CD)))
        return false;
    if (c->count && !run_data_ok(run, cmd, c, dw))
        return false;
    if ((c->flags & CCW_FLAG_SUSPEND) &&
        (!orb->spnd || dc || (c->flags & CCW_FLAG_CD)))
        return false;
    if ((c->flags & CCW_FLAG_MIDA) &&
        (!orb->midaw || (c->flags & (CCW_FLAG_IDA | CCW_FLAG_SKIP)) ||
         ccw_cmd_class(cmd) == CCW_CLASS_READ_BACK))
        return false; /* MIDAW read backward: not modelled */
    return true;
}

/* run_fetch_ccw through the windows of a transfer (either may be NULL):
 * cw on the CCWs, dw on the data. */
static uint8_t
run_fetch_ccw_win(struct css_run *run, uint64_t addr, bool data_chained,
                  struct run_ccw *out, uint32_t *cpa, struct stream_win *cw,
                  struct stream_win *dw)
{
    struct ccw1 c;
    uint8_t cs;

    *cpa = (uint32_t)(addr + 8);
    if (run_read_ccw(run, addr, &c, cw) < 0)
        return SCHN_STAT_PROG_CHECK;
    if (run_is_tic(run, c.cmd)) {
        cs = run_follow_tic(run, &addr, &c, cpa);
        if (cs)
            return cs;
        *cpa = (uint32_t)(addr + 8);
    }
    out->addr = addr;
    out->ccw = c;
    return run_ccw_valid(run, &c, data_chained, dw) ? 0 : SCHN_STAT_PROG_CHECK;
}

uint8_t
run_fetch_ccw(struct css_run *run, uint64_t addr, bool data_chained,
              struct run_ccw *out, uint32_t *cpa)
{
    return run_fetch_ccw_win(run, addr, data_chained, out, cpa, NULL, NULL);
}

static const struct orb *
io_orb(const struct css_io *io)
{
    return &io->run->sch->orb;
}

static void
stream_load_ccw(struct css_io *io, const struct run_ccw *c)
{
    io->ccw_addr = c->addr;
    io->ccw_flags = c->ccw.flags;
    io->left = c->ccw.count;
    io->seg_started = false;
    io->midaw_last = false;
    /* Skip suppresses storing only for input commands (css-pop.md §5.6). */
    io->seg_skip = (c->ccw.flags & CCW_FLAG_SKIP) && io->input;
    if (c->ccw.flags & (CCW_FLAG_IDA | CCW_FLAG_MIDA)) {
        io->list = c->ccw.cda;
        io->seg_left = 0;
    } else {
        io->seg_addr = c->ccw.cda;
        io->seg_left = c->ccw.count;
    }
}

void
stream_begin(struct css_io *io, const struct run_ccw *c, bool initial)
{
    io->cmd = c->ccw.cmd;
    io->flags = c->ccw.flags;
    io->initial = initial;
    io->input = ccw_cmd_is_input(c->ccw.cmd);
    io->backward = ccw_cmd_class(c->ccw.cmd) == CCW_CLASS_READ_BACK;
    io->xferred = false;
    io->short_xfer = false;
    io->pc_cstat = 0;
    io->err_cpa = 0;
    io->dstat = 0;
    io->latency = 0;
    io->sense_len = 0;
    io->moved = 0;
    stream_load_ccw(io, c);
}

/* A channel-program check ends the transfer; CPA = the CCW + 8 unless the
 * caller already chose (a failing data-chained fetch). */
static int
stream_fail(struct css_io *io, uint32_t cpa)
{
    io->pc_cstat = SCHN_STAT_PROG_CHECK;
    io->err_cpa = cpa;
    return -1;
}

static int
stream_fail_here(struct css_io *io)
{
    return stream_fail(io, (uint32_t)(io->ccw_addr + 8));
}

static uint32_t
ida_block(const struct orb *orb)
{
    /* Format-1 IDAWs always use 2K blocks; format-2 use 2K with T. */
    return (!orb->c64 || orb->i2k) ? IDA_2K : IDA_4K;
}

/*
 * The block an IDAW or MIDAW designates, checked against the address
 * limit when the transfer reaches it: the data of earlier blocks have
 * moved, this block moves nothing.  Blocks (2K/4K, and MIDAW areas within
 * a 4K page) never straddle the 64K-aligned limit, so the check is exact.
 * Skipped input stores nothing, so it cannot violate the limit.
 */
static bool
stream_seg_limit_ok(const struct css_io *io)
{
    uint64_t lo = io->seg_addr;

    if (io->seg_skip)
        return true;
    if (io->backward)
        lo = io->seg_addr + 1 - io->seg_left;
    return run_limit_ok(io->run, lo, io->seg_left);
}

/* Fetch the next IDAW (css-pop.md §2.5).  The first may point anywhere in
 * a block; later ones must start a block (read backward: end one). */
/* Read one IDAW (format-2: 8 bytes, format-1: 4) at io->list. */
static int
stream_read_idaw(struct css_io *io, struct stream_win *lw, bool c64,
                 uint64_t *addr)
{
    uint32_t size = c64 ? IDAW2_SIZE : IDAW1_SIZE;
    const uint8_t *p = stream_win_ptr(io->as, lw, io->list, size, ZV_MEM_READ);
    uint32_t w;

    if (c64) {
        if (p)
            *addr = zv_be64(p);
        else if (zv_as_read_be64(io->as, io->list, addr))
            return -1;
        return 0;
    }
    if (p)
        w = zv_be32(p);
    else if (zv_as_read_be32(io->as, io->list, &w))
        return -1;
    if (w & IDAW1_INVALID_BIT)
        return -1;
    *addr = w;
    return 0;
}

static int
stream_next_idaw(struct css_io *io, struct stream_win *lw)
{
    const struct orb *orb = io_orb(io);
    uint64_t limit = io->run->fmt1 ? FMT1_LIMIT : FMT0_LIMIT;
    uint32_t size = orb->c64 ? IDAW2_SIZE : IDAW1_SIZE;
    uint32_t bs = ida_block(orb);
    uint32_t in_block;
    uint64_t addr;

    if (io->list + size > limit || stream_read_idaw(io, lw, orb->c64, &addr))
        return stream_fail_here(io);
    /* bs is 2K or 4K: a mask, not a 64-bit division per IDAW */
    in_block = (uint32_t)(addr & (bs - 1));
    if (io->seg_started && in_block != (io->backward ? bs - 1 : 0))
        return stream_fail_here(io);
    io->seg_addr = addr;
    io->seg_left = io->backward ? in_block + 1 : bs - in_block;
    if (io->seg_left > io->left)
        io->seg_left = io->left;
    if (!stream_seg_limit_ok(io))
        return stream_fail_here(io);
    io->list += size;
    io->seg_started = true;
    return 0;
}

/* Fetch the next MIDAW (css-pop.md §2.5, rules as Hercules applies them). */
static int
stream_next_midaw(struct css_io *io)
{
    uint8_t raw[MIDAW_SIZE];
    struct midaw m;

    /* The CCW count is not used up but the list has ended; or the list
     * would run into the next 4K page. */
    if (io->seg_started && (io->midaw_last || io->list % MIDAW_PAGE == 0))
        return stream_fail_here(io);
    if (zv_as_read(io->as, io->list, raw, sizeof(raw)))
        return stream_fail_here(io);
    midaw_decode(&m, raw);
    if (m.rsvd || (m.flags & MIDAW_FLAG_DTI) || m.count == 0 ||
        m.count > io->left)
        return stream_fail_here(io);
    if (!(m.flags & MIDAW_FLAG_SKIP) &&
        (m.data % MIDAW_PAGE) + m.count > MIDAW_PAGE)
        return stream_fail_here(io);
    io->seg_addr = m.data;
    io->seg_left = m.count;
    io->seg_skip = (m.flags & MIDAW_FLAG_SKIP) && io->input;
    if (!stream_seg_limit_ok(io))
        return stream_fail_here(io);
    io->midaw_last = (m.flags & MIDAW_FLAG_LAST) != 0;
    io->list += MIDAW_SIZE;
    io->seg_started = true;
    return 0;
}

/*
 * Where css_io_iov puts the segments instead of copying (NULL: copy).
 * Anything but a plain transfer refuses: stream_xfer returns
 * STREAM_REFUSE and css_io_iov puts everything back.
 */
struct stream_sink {
    struct iovec *iov;
    int max, n;
};

#define STREAM_REFUSE (-2)

/*
 * Storage that resolving iovecs reads ([addr, addr + len): a CCW, IDAWs)
 * must not be among the storage the transfer before it stores into
 * (iov[0..n)): moving the data piece by piece, the channel would fetch
 * it after those stores and find what they put there (a program that
 * reads its own next CCWs or IDAWs).  Compared as host memory, so two
 * guest addresses of one byte are one.
 */
static bool
stream_apart(const uint8_t *p, uint64_t len, const struct iovec *iov, int n)
{
    for (int i = 0; i < n; i++) {
        const uint8_t *b = iov[i].iov_base;

        if (p < b + iov[i].iov_len && b < p + len)
            return false;
    }
    return true;
}

static bool
stream_unstored(const struct css_io *io, uint64_t addr, uint64_t len,
                const struct iovec *iov, int n)
{
    const uint8_t *p = zv_as_ptr(io->as, addr, len, ZV_MEM_READ);

    return p && stream_apart(p, len, iov, n);
}

/* The current CCW's count ran out and it has CD: go to the next one,
 * through the transfer's CCW window cw and data window dw. */
static int
stream_chain(struct css_io *io, const struct stream_sink *sink,
             struct stream_win *cw, struct stream_win *dw)
{
    struct run_ccw c = {.addr = UINT64_MAX};
    uint32_t cpa;

    if (sink && io->input) {
        const uint8_t *p =
            stream_win_ptr(io->as, cw, io->ccw_addr + 8, CCW_SIZE, ZV_MEM_READ);

        if (p ? !stream_apart(p, CCW_SIZE, sink->iov, sink->n)
              : !stream_unstored(io, io->ccw_addr + 8, CCW_SIZE, sink->iov,
                                 sink->n))
            return STREAM_REFUSE;
    }
    if (run_fetch_ccw_win(io->run, io->ccw_addr + 8, true, &c, &cpa, cw, dw)) {
        if (sink)
            return STREAM_REFUSE;
        /* Fetched but failed its checks (data address, count, flags): the
         * CPA names it, so the count reported is its own, none of which
         * moved.  (The count is not meaningful with a program check; this
         * keeps it about the same CCW as the CPA.) */
        if (c.addr != UINT64_MAX)
            io->left = c.ccw.count;
        return stream_fail(io, cpa);
    }
    /* A PCI is made at once (run_ccw_control): nothing to take back. */
    if (sink && (c.ccw.flags & CCW_FLAG_PCI))
        return STREAM_REFUSE;
    /* reached through a TIC: its target too */
    if (sink && io->input && c.addr != io->ccw_addr + 8 &&
        !stream_unstored(io, c.addr, CCW_SIZE, sink->iov, sink->n))
        return STREAM_REFUSE;
    stream_load_ccw(io, &c);
    run_ccw_control(io->run, &c);
    return 0;
}

static int
stream_next_segment(struct css_io *io, struct stream_win *lw)
{
    if (io->ccw_flags & CCW_FLAG_IDA)
        return stream_next_idaw(io, lw);
    if (io->ccw_flags & CCW_FLAG_MIDA)
        return stream_next_midaw(io);
    /* A direct area is one segment: nothing more in this CCW. */
    return stream_fail_here(io);
}

/* Read backward stores the first byte received at the highest address. */
static int
stream_copy_backward(struct css_io *io, uint8_t *buf, size_t n, bool store)
{
    uint64_t lo = io->seg_addr - (n - 1);
    uint8_t *p = zv_as_ptr(io->as, lo, n, store ? ZV_MEM_WRITE : ZV_MEM_READ);

    for (size_t i = 0; i < n; i++) {
        uint64_t a = io->seg_addr - i;

        if (p) {
            if (store)
                p[n - 1 - i] = buf[i];
            else
                buf[i] = p[n - 1 - i];
        } else if (store ? zv_as_write(io->as, a, &buf[i], 1)
                         : zv_as_read(io->as, a, &buf[i], 1)) {
            return -1;
        }
    }
    return 0;
}

static int
stream_copy(struct css_io *io, uint8_t *buf, size_t n, bool store,
            struct stream_win *dw)
{
    uint8_t *p;

    if (store && io->seg_skip)
        return 0;
    if (io->backward)
        return stream_copy_backward(io, buf, n, store);
    p = stream_win_ptr(io->as, dw, io->seg_addr, n,
                       store ? ZV_MEM_WRITE : ZV_MEM_READ);
    if (p) {
        memcpy(store ? p : buf, store ? buf : p, n);
        return 0;
    }
    if (store)
        return zv_as_write(io->as, io->seg_addr, buf, n);
    return zv_as_read(io->as, io->seg_addr, buf, n);
}

static void
stream_advance(struct css_io *io, uint32_t n)
{
    io->seg_addr = io->backward ? io->seg_addr - n : io->seg_addr + n;
    io->seg_left -= n;
    io->left -= n;
    io->moved += n;
}

/*
 * k new iovecs sit at iov[n]: join the first onto iov[n-1] when it follows
 * it in host memory.  Returns the new count.
 */
static int
stream_iov_join(struct iovec *iov, int n, int k)
{
    if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len ==
                     iov[n].iov_base) {
        iov[n - 1].iov_len += iov[n].iov_len;
        if (k > 1)
            memmove(&iov[n], &iov[n + 1], (size_t)(k - 1) * sizeof(iov[0]));
        return n + k - 1;
    }
    return n + k;
}

/*
 * The segment's next n bytes into the sink: 0 or STREAM_REFUSE.  Through
 * the data window when the bytes sit in its page of one mapping (as
 * stream_copy would touch them), else through zv_as_iov; either way each
 * iovec lies inside one mapping.
 */
static int
stream_sink_add(struct css_io *io, struct stream_sink *sink, uint32_t n,
                bool store, struct stream_win *dw)
{
    unsigned prot = store ? ZV_MEM_WRITE : ZV_MEM_READ;
    uint8_t *p;
    int k;

    if ((store && io->seg_skip) || (io->ccw_flags & CCW_FLAG_MIDA) ||
        sink->n == sink->max)
        return STREAM_REFUSE;
    p = stream_win_ptr(io->as, dw, io->seg_addr, n, prot);
    if (p) {
        sink->iov[sink->n] = (struct iovec){.iov_base = p, .iov_len = n};
        k = 1;
    } else {
        k = zv_as_iov(io->as, io->seg_addr, n, prot, &sink->iov[sink->n],
                      sink->max - sink->n);
        if (k <= 0)
            return STREAM_REFUSE;
    }
    sink->n = stream_iov_join(sink->iov, sink->n, k);
    return 0;
}

/* The next IDAW, not stored into by the transfer so far.  Its host
 * address comes through the IDAL window lw, which the fetch of that IDAW
 * then finds filled. */
static bool
stream_list_unstored(const struct css_io *io, const struct stream_sink *sink,
                     struct stream_win *lw)
{
    uint32_t size = io_orb(io)->c64 ? IDAW2_SIZE : IDAW1_SIZE;
    const uint8_t *p;

    if (!(io->ccw_flags & CCW_FLAG_IDA))
        return true; /* MIDAWs refuse anyway; a direct area has no list */
    p = stream_win_ptr(io->as, lw, io->list, size, ZV_MEM_READ);
    if (!p) /* across a page: byte-exact */
        return stream_unstored(io, io->list, size, sink->iov, sink->n);
    return stream_apart(p, size, sink->iov, sink->n);
}

/* Move up to len bytes; store = into storage (the device gives data). */
static int
stream_xfer(struct css_io *io, uint8_t *buf, size_t len, bool store,
            struct stream_sink *sink)
{
    struct stream_win lw = {0}, dw = {0}, cw = {0};
    size_t done = 0;
    int rc;

    if (!io->outstanding || io->pc_cstat || io->run->discard || io->run->orphan)
        return -1;
    io->xferred = true;
    while (done < len) {
        uint32_t n;

        if (io->left == 0) {
            if (!(io->ccw_flags & CCW_FLAG_CD)) {
                if (sink)
                    return STREAM_REFUSE;
                io->short_xfer = true;
                break;
            }
            rc = stream_chain(io, sink, &cw, &dw);
            if (rc < 0)
                return rc;
            continue;
        }
        if (io->seg_left == 0) {
            if (sink && io->input && !stream_list_unstored(io, sink, &lw))
                return STREAM_REFUSE;
            if (stream_next_segment(io, &lw) < 0)
                return sink ? STREAM_REFUSE : -1;
            continue;
        }
        n = io->seg_left;
        if (n > len - done)
            n = (uint32_t)(len - done);
        if (sink) {
            if (stream_sink_add(io, sink, n, store, &dw))
                return STREAM_REFUSE;
        } else if (stream_copy(io, buf + done, n, store, &dw) < 0) {
            return stream_fail_here(io);
        }
        stream_advance(io, n);
        done += n;
        if (store)
            io->run->sch->bytes_read += n;
        else
            io->run->sch->bytes_written += n;
    }
    return (int)done;
}

void
css_sch_bytes(const struct subchannel *sch, uint64_t *read, uint64_t *written)
{
    *read = sch->bytes_read;
    *written = sch->bytes_written;
}

uint64_t
css_sch_bytes_direct(const struct subchannel *sch)
{
    return sch->bytes_direct;
}

int
css_io_read(struct css_io *io, void *buf, size_t len)
{
    return stream_xfer(io, buf, len, false, NULL);
}

int
css_io_write(struct css_io *io, const void *buf, size_t len)
{
    /* Storing never writes into buf; the cast only shares stream_xfer. */
    return stream_xfer(io, (uint8_t *)(uintptr_t)buf, len, true, NULL);
}

static uint64_t *
stream_bytes(struct css_io *io, bool write)
{
    struct subchannel *sch = io->run->sch;

    return write ? &sch->bytes_read : &sch->bytes_written;
}

/* Back to where css_io_iov found the stream. */
static void
stream_restore(struct css_io *io)
{
    struct css_run *run = io->run;

    *stream_bytes(io, io->input) = run->undo.bytes;
    *io = run->undo.io;
    run->ccw_addr = run->undo.ccw_addr;
    run->tics = run->undo.tics;
}

int
css_io_iov(struct css_io *io, size_t len, bool write, struct iovec *iov,
           int max)
{
    struct css_run *run = io->run;
    struct stream_sink sink = {.iov = iov, .max = max};
    int rc;

    run->nahead = 0;
    if (!run->sch || css_get_config(run->sch->css)->copy_data || len == 0 ||
        len > INT32_MAX || max <= 0 || write != io->input || io->backward)
        return 0;
    /* Everything the walk may change, so a refusal changes nothing. */
    run->undo.io = *io;
    run->undo.ccw_addr = run->ccw_addr;
    run->undo.tics = run->tics;
    run->undo.bytes = *stream_bytes(io, write);
    rc = stream_xfer(io, NULL, len, write, &sink);
    if (rc == (int)len) {
        run->sch->bytes_direct += len;
        return sink.n;
    }
    stream_restore(io);
    return 0;
}

void
css_io_iov_undo(struct css_io *io)
{
    struct subchannel *sch = io->run->sch;

    io->run->nahead = 0;
    sch->bytes_direct -= *stream_bytes(io, io->input) - io->run->undo.bytes;
    stream_restore(io);
}

/* ---- look-ahead over command chaining ---- */

/*
 * The CCW at addr, when the engine would reach it by command chaining and
 * start it as a plain command cmd of count len: fetched and checked as
 * run_fetch_ccw does (a CCW that would fail its checks is simply not
 * taken: the engine finds the failure itself when it gets there), and
 * nothing about it that the CCW-by-CCW path treats specially.
 */
static bool
ahead_fetch(struct css_run *run, uint64_t addr, uint8_t cmd, uint32_t len,
            bool write, struct run_ccw *out)
{
    const uint8_t special = CCW_FLAG_CD | CCW_FLAG_PCI | CCW_FLAG_SKIP |
                            CCW_FLAG_SUSPEND | CCW_FLAG_MIDA;
    struct ccw1 c;

    if (run_read_ccw(run, addr, &c, NULL) < 0 || run_is_tic(run, c.cmd))
        return false;
    if (c.cmd != cmd || c.count != len || len == 0 || (c.flags & special) ||
        ccw_cmd_is_input(c.cmd) != write ||
        ccw_cmd_class(c.cmd) == CCW_CLASS_READ_BACK ||
        !run_ccw_valid(run, &c, false, NULL))
        return false;
    out->addr = addr;
    out->ccw = c;
    return true;
}

/* The data area of c as iovecs, walked by a copy of the stream (so the
 * real one stays at the current command): 0, or -1.  *list_end: where
 * its IDAW list ended (its first byte not read). */
static int
ahead_resolve(const struct css_io *io, const struct run_ccw *c, bool write,
              struct stream_sink *sink, uint64_t *list_end)
{
    struct css_io s = *io;
    int rc;

    stream_begin(&s, c, false);
    rc = stream_xfer(&s, NULL, c->ccw.count, write, sink);
    *list_end = s.list;
    return rc == (int)c->ccw.count ? 0 : -1;
}

/* The later commands of css_io_iov_chain, whose iovecs go after the
 * current command's used ones; the number resolved. */
static int
ahead_walk(struct css_io *io, bool write, struct css_io_next *cmds, int n,
           struct iovec *iov, int used, int max)
{
    struct css_run *run = io->run;
    uint64_t addr = io->ccw_addr;
    uint8_t flags = io->ccw_flags;
    int k = 0;

    /* The channel yields to the loop after RUN_BURST commands: stop
     * where it would, so no event can see a different order. */
    if (n - 1 > (int)(RUN_BURST - run->burst))
        n = (int)(RUN_BURST - run->burst) + 1;
    if (n - 1 > CSS_IO_AHEAD_MAX)
        n = CSS_IO_AHEAD_MAX + 1;
    while (k + 1 < n && (flags & CCW_FLAG_CC) && used < max) {
        struct css_io_next *x = &cmds[k + 1];
        struct run_ccw *c = &run->ahead[k];
        struct stream_sink sink = {.iov = iov + used, .max = max - used};
        uint64_t list_end;

        if (!ahead_fetch(run, addr + 8, x->cmd, x->len, write, c) ||
            (write && !stream_unstored(io, c->addr, CCW_SIZE, iov, used)))
            break;
        if (ahead_resolve(io, c, write, &sink, &list_end) < 0)
            break;
        if (write && (c->ccw.flags & CCW_FLAG_IDA) &&
            !stream_unstored(io, c->ccw.cda, list_end - c->ccw.cda, iov, used))
            break;
        x->flags = c->ccw.flags;
        x->niov = sink.n;
        used += sink.n;
        addr = c->addr;
        flags = c->ccw.flags;
        k++;
    }
    return k;
}

int
css_io_iov_chain(struct css_io *io, bool write, struct css_io_next *cmds, int n,
                 struct iovec *iov, int max)
{
    struct css_run *run = io->run;
    uint64_t rd, wr;
    int n0, k;

    if (n <= 0 || io->left != cmds[0].len || (io->ccw_flags & CCW_FLAG_CD))
        return 0;
    n0 = css_io_iov(io, cmds[0].len, write, iov, max);
    if (n0 <= 0)
        return 0;
    cmds[0].flags = io->ccw_flags;
    cmds[0].niov = n0;
    /* The walk counts bytes as if they moved: they move at advance. */
    rd = run->sch->bytes_read;
    wr = run->sch->bytes_written;
    k = ahead_walk(io, write, cmds, n, iov, n0, max);
    run->sch->bytes_read = rd;
    run->sch->bytes_written = wr;
    run->nahead = (uint8_t)k;
    return k + 1;
}

int
css_io_advance(struct css_io *io, int j)
{
    struct css_run *run = io->run;

    if (j < 0 || j > run->nahead || !io->outstanding || !run->sch)
        return -1;
    /* What run_status_apply and run_drive do between two commands that
     * end with channel end and device end and move their whole count. */
    for (int i = 0; i < j; i++) {
        const struct run_ccw *c = &run->ahead[i];
        uint32_t count = c->ccw.count;

        run->burst++;
        run->ccw_addr = c->addr;
        run->first_cmd = false;
        run->tics = 0;
        stream_begin(io, c, false);
        io->xferred = true;
        io->left = 0;
        io->seg_left = 0;
        io->moved = count;
        *stream_bytes(io, io->input) += count;
        run->sch->bytes_direct += count;
    }
    run->nahead = 0;
    return 0;
}

uint8_t
css_io_cmd(const struct css_io *io)
{
    return io->cmd;
}

uint8_t
css_io_flags(const struct css_io *io)
{
    return io->flags;
}

bool
css_io_initial(const struct css_io *io)
{
    return io->initial;
}

/* Counts of the data-chained CCWs after the current one (prefetch). */
static uint32_t
stream_peek_chain(const struct css_io *io)
{
    uint64_t addr = io->ccw_addr;
    uint8_t flags = io->ccw_flags;
    uint32_t sum = 0;

    for (unsigned i = 0; i < AVAIL_PEEK_MAX && (flags & CCW_FLAG_CD); i++) {
        uint8_t raw[CCW_SIZE];
        struct ccw1 c;

        addr += 8;
        if (zv_as_read(io->as, addr, raw, sizeof(raw)))
            break;
        if (io->run->fmt1)
            ccw1_decode(&c, raw);
        else
            ccw0_decode(&c, raw);
        if (ccw_cmd_class(c.cmd) == CCW_CLASS_TIC) {
            addr = (uint64_t)c.cda - 8;
            continue;
        }
        sum += c.count;
        flags = c.flags;
    }
    return sum;
}

uint32_t
css_io_available(const struct css_io *io)
{
    uint32_t n = io->left;

    if (!io->outstanding || !io->run->sch)
        return 0;
    if (io_orb(io)->pfch)
        n += stream_peek_chain(io);
    return n;
}

void
css_io_set_sense(struct css_io *io, const uint8_t *sense, size_t len)
{
    if (len > sizeof(io->sense))
        len = sizeof(io->sense);
    memcpy(io->sense, sense, len);
    io->sense_len = (uint8_t)len;
}
