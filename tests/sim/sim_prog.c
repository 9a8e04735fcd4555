/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: guest channel programs, valid and hostile, written into guest
 * memory with the arch codecs, and what the model expects of each
 * (css-pop.md §2.2, §2.4, §2.5, §5; vfio-ccw.md §2.5, §4).
 */
#include <errno.h>
#include <string.h>

#include "sim.h"

#define MAX_CCWS                6
#define TOO_LONG                (CP_MAX_CCWS_PER_SEG_SIM + 1)
#define CP_MAX_CCWS_PER_SEG_SIM 256 /* cp.h CP_MAX_CCWS_PER_SEG */

struct pgen {
    struct sim *s;
    struct orb orb;
    struct sim_prog prog;
    struct sim_expect ex;
    uint64_t next; /* bump pointer for CCW and IDAW areas */
    bool fmt0;
    unsigned bs;      /* IDAW block: 4K format-2, 2K format-1 */
    uint8_t last_cmd; /* the last command CCW gen_ccw made, its data */
    uint64_t last_addr;
    uint32_t last_len;
};

static uint64_t
rnd(struct pgen *g, uint64_t n)
{
    return zv_loop_rand_below(g->s->loop, n);
}

static uint64_t
page_iova(unsigned page)
{
    return SIM_GUEST_IOVA + (uint64_t)page * SIM_PAGE;
}

static uint8_t *
gptr(struct pgen *g, uint64_t iova)
{
    return g->s->guest + (iova - SIM_GUEST_IOVA);
}

static bool
in_guest(uint64_t iova, uint64_t len)
{
    return iova >= SIM_GUEST_IOVA && len <= SIM_GUEST_SIZE &&
           iova - SIM_GUEST_IOVA <= SIM_GUEST_SIZE - len;
}

/* Pages of [iova, iova+len) that lie in guest memory. */
static uint32_t
pages_of(uint64_t iova, uint64_t len)
{
    uint32_t m = 0;

    for (uint64_t a = iova & ~(uint64_t)(SIM_PAGE - 1); a < iova + len;
         a += SIM_PAGE)
        if (in_guest(a, 1))
            m |= 1u << ((a - SIM_GUEST_IOVA) / SIM_PAGE);
    return m;
}

/* n bytes for CCWs or IDAWs, doubleword-aligned, after a small gap. */
static uint64_t
area(struct pgen *g, unsigned n)
{
    uint64_t a = ((g->next + 7) & ~7ull) + 8 * rnd(g, 4);

    g->next = a + n;
    g->prog.all_pages |= pages_of(a, n);
    return a;
}

static uint64_t
data_area(struct pgen *g, uint32_t len, bool ro)
{
    unsigned first = ro ? SIM_RO_CHUNK * SIM_CHUNK_PAGES : SIM_DATA_FIRST_PAGE;
    unsigned pages = ro ? SIM_CHUNK_PAGES : SIM_DATA_PAGES;

    return page_iova(first) + rnd(g, (uint64_t)pages * SIM_PAGE - len + 1);
}

/* The guest writes its program only where it is mapped: an unmapped
 * chunk holds the canary (the program then faults at translation). */
static bool
writable(const struct pgen *g, uint64_t iova, unsigned len)
{
    for (uint64_t a = iova; a < iova + len; a++)
        if (!in_guest(a, 1) ||
            !g->s->mapped[(a - SIM_GUEST_IOVA) / SIM_CHUNK_SIZE])
            return false;
    return true;
}

static void
put_ccw(struct pgen *g, uint64_t at, uint8_t cmd, uint8_t flags, uint16_t count,
        uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    if (!writable(g, at, CCW_SIZE))
        return;
    if (g->fmt0)
        ccw0_encode(&c, gptr(g, at));
    else
        ccw1_encode(&c, gptr(g, at));
}

/* An IDAW list for [data, data+len): the first IDAW names the data, the
 * others the following block boundaries (css-pop.md §2.5). */
static uint64_t
idal(struct pgen *g, uint64_t data, uint32_t len)
{
    unsigned sz = g->orb.c64 ? IDAW2_SIZE : IDAW1_SIZE;
    unsigned n = (unsigned)(((data % g->bs) + len + g->bs - 1) / g->bs);
    uint64_t list = area(g, n * sz);

    for (unsigned i = 0; i < n; i++) {
        uint64_t a =
            i ? (data & ~(uint64_t)(g->bs - 1)) + (uint64_t)i * g->bs : data;

        if (!writable(g, list + i * sz, sz))
            continue;
        if (sz == IDAW2_SIZE)
            zv_put_be64(gptr(g, list + i * sz), a);
        else
            zv_put_be32(gptr(g, list + i * sz), (uint32_t)a);
    }
    return list;
}

static const uint8_t cmds[] = {
    CCW_CMD_NOOP,        SIM_CMD_WRITE, SIM_CMD_READ,
    CCW_CMD_BASIC_SENSE, SIM_CMD_HOLD,  SIM_CMD_UC,
    CCW_CMD_SENSE_ID,    SIM_CMD_WRITE, SIM_CMD_READ,
};

/* One command CCW at `at`; data, IDAWs and page marks as needed. */
static void
gen_ccw(struct pgen *g, uint64_t at, uint8_t cmd, uint8_t flags)
{
    bool data = cmd == SIM_CMD_WRITE || cmd == SIM_CMD_READ ||
                cmd == CCW_CMD_BASIC_SENSE || cmd == CCW_CMD_SENSE_ID;
    uint32_t len = 0;
    uint64_t a = 0;

    if (cmd == CCW_CMD_BASIC_SENSE || cmd == CCW_CMD_SENSE_ID)
        len = 32;
    else if (data)
        len = 1 + (uint32_t)rnd(g, rnd(g, 4) ? 256 : 2 * SIM_PAGE);
    else if (g->fmt0)
        len = 1; /* format 0: count 0 is a program check (§5.1) */
    if (len)
        a = data_area(g, len, cmd == SIM_CMD_WRITE && !rnd(g, 3));
    if (data || g->fmt0)
        flags |= CCW_FLAG_SLI;
    if (cmd == SIM_CMD_HOLD || cmd == SIM_CMD_UC)
        g->prog.clean = false;
    g->last_cmd = cmd;
    g->last_addr = a;
    g->last_len = len;
    if (!rnd(g, 6))
        flags |= CCW_FLAG_PCI;
    /* cp pins what moves data (NOP never does). */
    if (len && cmd != CCW_CMD_NOOP) {
        g->prog.data_pages |= pages_of(a, len);
        g->prog.all_pages |= pages_of(a, len);
    }
    if (data && !g->fmt0 && g->bs && !rnd(g, 3)) {
        flags |= CCW_FLAG_IDA;
        a = idal(g, a, len);
    }
    put_ccw(g, at, cmd, flags, (uint16_t)len, (uint32_t)a);
}

/* 0 = the paths the host allows; 0x80/0x40 one path; 0x20 not installed */
static const uint8_t lpms[] = {0xFF, 0, 0xFF, 0, 0x80, 0x40, 0x20};

static void
gen_start(struct pgen *g)
{
    memset(&g->orb, 0, sizeof(g->orb));
    memset(&g->prog, 0, sizeof(g->prog));
    memset(&g->ex, 0, sizeof(g->ex));
    g->fmt0 = !rnd(g, 5);
    g->orb.fmt = !g->fmt0;
    g->orb.intparm = (uint32_t)rnd(g, 1ull << 32);
    g->orb.pfch = rnd(g, 2);
    g->orb.isic = !rnd(g, 8);
    g->orb.lpm = lpms[rnd(g, sizeof(lpms))];
    /* LPM bits of paths not installed are no paths (css-pop.md §6.1). */
    g->ex.no_path = g->orb.lpm && !(g->orb.lpm & 0xC0);
    g->orb.c64 = rnd(g, 2);
    g->bs = g->fmt0 ? 0 : (g->orb.c64 ? IDA_4K : IDA_2K);
    g->next = page_iova(SIM_CCW_FIRST_PAGE + (unsigned)rnd(g, 4));
    g->next += 8 * rnd(g, 64);
}

/* A program of one data command: what the data invariant checks. */
static void
note_xfer(struct pgen *g, uint8_t cmd, uint64_t data, uint32_t len)
{
    if ((cmd != SIM_CMD_READ && cmd != SIM_CMD_WRITE) || !len ||
        len > sizeof(g->prog.wdata) || !in_guest(data, len))
        return;
    g->prog.xfer_cmd = cmd;
    g->prog.xfer_addr = data;
    g->prog.xfer_len = len;
    if (cmd == SIM_CMD_WRITE)
        memcpy(g->prog.wdata, gptr(g, data), len);
    g->prog.log_at = testdev_log_count(g->s->td);
}

/* A chain of n commands in one or two segments joined by a TIC. */
static void
gen_valid(struct pgen *g, unsigned n)
{
    unsigned split = n > 1 && !rnd(g, 4) ? 1 + (unsigned)rnd(g, n - 1) : n;
    uint64_t seg = area(g, split * CCW_SIZE + (split < n ? CCW_SIZE : 0));

    g->orb.cpa = (uint32_t)seg;
    g->prog.nseg = 1;
    g->prog.seg_lo[0] = seg;
    g->prog.clean = true; /* gen_ccw clears it for HOLD and UC */
    for (unsigned i = 0; i < split; i++)
        gen_ccw(g, seg + i * CCW_SIZE, cmds[rnd(g, sizeof(cmds))],
                i + 1 < n ? CCW_FLAG_CC : 0);
    g->prog.seg_hi[0] = seg + (split - 1) * CCW_SIZE;
    if (n == 1)
        note_xfer(g, g->last_cmd, g->last_addr, g->last_len);
    if (split == n)
        return;
    /* The TIC after the last CCW of the first segment. */
    uint64_t seg2 = area(g, (n - split) * CCW_SIZE);

    put_ccw(g, seg + split * CCW_SIZE, CCW_CMD_TIC, 0, 0, (uint32_t)seg2);
    g->prog.seg_hi[0] += CCW_SIZE;
    g->prog.nseg = 2;
    g->prog.seg_lo[1] = seg2;
    g->prog.seg_hi[1] = seg2 + (n - split - 1) * CCW_SIZE;
    for (unsigned i = split; i < n; i++)
        gen_ccw(g, seg2 + (i - split) * CCW_SIZE, cmds[rnd(g, sizeof(cmds))],
                i + 1 < n ? CCW_FLAG_CC : 0);
}

/* An address that is not in any DMA map: a guard page. */
static uint64_t
outside(struct pgen *g)
{
    return rnd(g, 2) ? SIM_GUEST_IOVA - SIM_PAGE + 8 * rnd(g, 256)
                     : SIM_GUEST_IOVA + SIM_GUEST_SIZE + 8 * rnd(g, 256);
}

enum hostile {
    H_CPA_UNMAPPED = 1,
    H_DATA_OUTSIDE,
    H_TIC_TO_TIC,
    H_TOO_LONG,
    H_TRANSPORT,
    H_ORB_RESERVED,
    H_BAD_COMMAND,
    H_READ_INTO_RO,
    H_IDAW_OUTSIDE,
    H_CPA_MISALIGNED,
    H_MIDA,
    H_SUSPEND,
    H_DATA_STRADDLE,
    H_TIC_DC_NOP,
    H_TIC_DC_SKIP,
    H_NR,
};

static void
expect(struct pgen *g, int err, bool may_accept)
{
    g->ex.err = err;
    g->ex.may_accept = may_accept;
}

/*
 * Data chaining through a TIC into a CCW that, by its own command, moves
 * no data (issue 7, the isolation hole): READ(CD) -> TIC -> [NOP], or
 * WRITE(CD) -> TIC -> [READ + SKIP].  The channel runs it under the
 * command in force, so it moves its count at its own data address; the
 * program is valid and both areas are the program's data.  A translator
 * that judges the CCW by its own command hands the host an address
 * nobody mapped: the canaries around host storage see it.
 */
static void
gen_tic_data_chain(struct pgen *g, bool write)
{
    uint64_t a = area(g, 2 * CCW_SIZE), b = area(g, CCW_SIZE);
    uint32_t n1 = 1 + (uint32_t)rnd(g, 256), n2 = 1 + (uint32_t)rnd(g, 256);
    uint64_t d1 = data_area(g, n1, false), d2 = data_area(g, n2, false);
    uint8_t f2 = CCW_FLAG_SLI | (write ? CCW_FLAG_SKIP : 0);
    uint32_t cda2 = (uint32_t)d2;

    g->orb.cpa = (uint32_t)a;
    g->prog.nseg = 2;
    g->prog.seg_lo[0] = a;
    g->prog.seg_hi[0] = a + CCW_SIZE;
    g->prog.seg_lo[1] = g->prog.seg_hi[1] = b;
    g->prog.data_pages |= pages_of(d1, n1) | pages_of(d2, n2);
    g->prog.all_pages |= pages_of(d1, n1) | pages_of(d2, n2);
    if (!g->fmt0 && g->bs && rnd(g, 2)) {
        f2 |= CCW_FLAG_IDA;
        cda2 = (uint32_t)idal(g, d2, n2);
    }
    put_ccw(g, a, write ? SIM_CMD_WRITE : SIM_CMD_READ, CCW_FLAG_CD,
            (uint16_t)n1, (uint32_t)d1);
    put_ccw(g, a + CCW_SIZE, CCW_CMD_TIC, 0, 0, (uint32_t)b);
    put_ccw(g, b, write ? SIM_CMD_READ : CCW_CMD_NOOP, f2, (uint16_t)n2, cda2);
}

static void
gen_tic_to_tic(struct pgen *g)
{
    uint64_t a = area(g, 2 * CCW_SIZE), b = area(g, CCW_SIZE),
             c = area(g, CCW_SIZE);

    g->orb.cpa = (uint32_t)a;
    put_ccw(g, a, CCW_CMD_NOOP, CCW_FLAG_CC | (g->fmt0 ? CCW_FLAG_SLI : 0),
            g->fmt0, 0);
    put_ccw(g, a + CCW_SIZE, CCW_CMD_TIC, 0, 0, (uint32_t)b);
    put_ccw(g, b, CCW_CMD_TIC, 0, 0, (uint32_t)c);
    put_ccw(g, c, CCW_CMD_NOOP, g->fmt0 ? CCW_FLAG_SLI : 0, g->fmt0, 0);
    expect(g, -EINVAL, false);
}

static void
gen_too_long(struct pgen *g)
{
    uint64_t a;

    g->next = page_iova(SIM_CCW_FIRST_PAGE);
    a = area(g, TOO_LONG * CCW_SIZE);
    g->orb.cpa = (uint32_t)a;
    for (unsigned i = 0; i < TOO_LONG; i++)
        put_ccw(g, a + i * CCW_SIZE, CCW_CMD_NOOP,
                (i + 1 < TOO_LONG ? CCW_FLAG_CC : 0) |
                    (g->fmt0 ? CCW_FLAG_SLI : 0),
                g->fmt0, 0);
    expect(g, -E2BIG, false);
}

/* A single command CCW whose data is at data (no IDAW unless ida). */
static void
gen_one(struct pgen *g, uint8_t cmd, uint8_t flags, uint64_t data,
        uint16_t count)
{
    uint64_t a = area(g, CCW_SIZE);

    g->orb.cpa = (uint32_t)a;
    g->prog.nseg = 1;
    g->prog.seg_lo[0] = g->prog.seg_hi[0] = a;
    put_ccw(g, a, cmd, flags | CCW_FLAG_SLI, count, (uint32_t)data);
    if (count && in_guest(data, count) && !(flags & CCW_FLAG_IDA)) {
        g->prog.all_pages |= pages_of(data, count);
        /* cp pins it unless no entry moves data (a NOP, or an invalid
         * command: a program check before any transfer) */
        if (cmd != CCW_CMD_NOOP && ccw_cmd_class(cmd) != CCW_CLASS_INVALID)
            g->prog.data_pages |= pages_of(data, count);
    }
}

/* Class "invalid" (xxxx0000): refused, or a program check at run time.
 * (Every draw is its own statement: argument order is unspecified.) */
static void
gen_bad_command(struct pgen *g)
{
    uint8_t cmd = (uint8_t)(rnd(g, 16) << 4);
    uint64_t data = data_area(g, 1, false);

    gen_one(g, cmd, 0, data, 1);
    expect(g, -EINVAL, true);
}

static void
gen_hostile(struct pgen *g, unsigned kind)
{
    switch (kind) {
    case H_CPA_UNMAPPED:
        g->orb.cpa = (uint32_t)outside(g);
        expect(g, -EFAULT, false);
        break;
    case H_DATA_OUTSIDE:
        gen_one(g, SIM_CMD_WRITE, 0, outside(g), 64);
        expect(g, -EFAULT, false);
        break;
    case H_TIC_TO_TIC:
        gen_tic_to_tic(g);
        break;
    case H_TOO_LONG:
        gen_too_long(g);
        break;
    case H_TRANSPORT:
        gen_valid(g, 1);
        g->orb.b = true;
        expect(g, -EOPNOTSUPP, false);
        break;
    case H_ORB_RESERVED:
        gen_valid(g, 1);
        g->orb.rsvd = (uint8_t)(1 + rnd(g, 31));
        expect(g, SIM_ANY_ERR, false);
        break;
    case H_BAD_COMMAND:
        gen_bad_command(g);
        break;
    case H_READ_INTO_RO: {
        uint64_t d = data_area(g, 256, true);

        gen_one(g, SIM_CMD_READ, 0, d, 256);
        g->prog.data_pages |= pages_of(d, 256);
        g->prog.all_pages |= pages_of(d, 256);
        /* Refused, or a protection check when the channel stores: either
         * way the read-only chunk must not change (sim_check). */
        expect(g, -EFAULT, true);
        break;
    }
    case H_IDAW_OUTSIDE: {
        uint64_t list;

        if (g->fmt0) {
            g->fmt0 = false;
            g->orb.fmt = true;
        }
        g->bs = g->orb.c64 ? IDA_4K : IDA_2K;
        list = idal(g, outside(g), 64);
        gen_one(g, SIM_CMD_WRITE, CCW_FLAG_IDA, list, 64);
        expect(g, -EFAULT, false);
        break;
    }
    case H_CPA_MISALIGNED:
        gen_valid(g, 1);
        g->orb.cpa += 4;
        expect(g, -EINVAL, false);
        break;
    case H_MIDA:
        gen_one(g, SIM_CMD_WRITE, CCW_FLAG_MIDA, data_area(g, 64, false), 64);
        expect(g, -EINVAL, true);
        break;
    case H_SUSPEND:
        gen_one(g, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 1);
        g->orb.spnd = true;
        expect(g, -EOPNOTSUPP, false);
        break;
    case H_TIC_DC_NOP:
        gen_tic_data_chain(g, false);
        break;
    case H_TIC_DC_SKIP:
        gen_tic_data_chain(g, true);
        break;
    case H_DATA_STRADDLE:
    default:
        gen_one(g, SIM_CMD_WRITE, 0, SIM_GUEST_IOVA + SIM_GUEST_SIZE - 32, 64);
        expect(g, -EFAULT, false);
        break;
    }
}

unsigned
sim_hostile_kinds(void)
{
    return H_NR - 1;
}

/* Does the program name a page that is not mapped now? */
static bool
touches_unmapped(const struct sim *s, uint32_t pages)
{
    for (unsigned c = 0; c < SIM_CHUNKS; c++)
        if (!s->mapped[c] &&
            (pages >> (c * SIM_CHUNK_PAGES)) & ((1u << SIM_CHUNK_PAGES) - 1))
            return true;
    return false;
}

int
sim_ssch_random(struct sim *s, unsigned hostile)
{
    struct pgen g = {.s = s};
    int rc;

    gen_start(&g);
    if (hostile)
        gen_hostile(&g, 1 + (hostile - 1) % (H_NR - 1));
    else
        gen_valid(&g, 1 + (unsigned)rnd(&g, MAX_CCWS));
    g.ex.hostile = hostile != 0;
    if (hostile)
        g.prog.clean = false;
    if (touches_unmapped(s, g.prog.all_pages)) {
        if (!hostile)
            expect(&g, -EFAULT, false);
        g.ex.alt = -EFAULT;
    }
    zv_trace(s->loop, "sim: guest ssch %s%u cpa %08x fmt%d c64 %d",
             hostile ? "hostile " : "valid ", hostile, g.orb.cpa,
             g.orb.fmt ? 1 : 0, g.orb.c64 ? 1 : 0);
    rc = sim_issue(s, &g.orb);
    sim_model_ssch(s, rc, &g.ex, &g.prog);
    sim_check(s);
    return rc;
}

int
sim_ssch_simple(struct sim *s, uint8_t cmd, bool pci)
{
    struct pgen g = {.s = s};
    uint32_t len = cmd == SIM_CMD_READ || cmd == SIM_CMD_WRITE ? 64 : 0;
    uint64_t ccw = page_iova(SIM_CCW_FIRST_PAGE);
    uint64_t data = page_iova(SIM_DATA_FIRST_PAGE);
    int rc;

    memset(&g.orb, 0, sizeof(g.orb));
    g.orb.fmt = true;
    g.orb.lpm = 0xFF;
    g.orb.cpa = (uint32_t)ccw;
    put_ccw(&g, ccw, cmd, (pci ? CCW_FLAG_PCI : 0) | CCW_FLAG_SLI,
            (uint16_t)len, len ? (uint32_t)data : 0);
    g.prog.nseg = 1;
    g.prog.seg_lo[0] = g.prog.seg_hi[0] = ccw;
    g.prog.all_pages = pages_of(ccw, CCW_SIZE);
    if (len) {
        g.prog.data_pages = pages_of(data, len);
        g.prog.all_pages |= g.prog.data_pages;
    }
    if (touches_unmapped(s, g.prog.all_pages))
        expect(&g, -EFAULT, false);
    g.prog.clean = cmd != SIM_CMD_HOLD && cmd != SIM_CMD_UC;
    note_xfer(&g, cmd, data, len);
    zv_trace(s->loop, "sim: guest ssch cmd %02x%s", cmd, pci ? " pci" : "");
    rc = sim_issue(s, &g.orb);
    sim_model_ssch(s, rc, &g.ex, &g.prog);
    sim_check(s);
    return rc;
}
