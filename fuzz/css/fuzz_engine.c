/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the host channel subsystem executing a hostile
 * channel program (DESIGN.md principles 1, 5, 6; css-pop.md §4, §5).
 *
 * One world per input: a virtual loop, host storage (64 KiB at 0, a
 * read-only page at 0x20000, the pages around 16 MiB, a page at 2 GiB,
 * holes elsewhere), a CSS whose facilities come from the input, two
 * channel paths and one I/O subchannel with the scriptable test device.
 * The input is a sequence of operations: storage writes (raw bytes or
 * CCWs, IDAWs and MIDAWs aimed at storage), device responses (status,
 * data, sense, latency, hold), MSCH with input PMCW bits (decoded or as
 * raw SCHIB bytes), SSCH with an input ORB (direct or from storage, any
 * GR1), HSCH/CSCH/RSCH/XSCH/TSCH/STSCH/TPI/STCRW in any order, loop
 * steps, and host events (unsolicited status, release of a held command,
 * busy, path failure, configure and vary).
 *
 * Every instruction must end in a condition code or an architected
 * program interruption; after every operation css_check_invariants()
 * holds and the read-only page is unchanged; TSCH with cc 0 stores a
 * status-pending SCSW.  At the end the loop must come to rest within a
 * bound (held commands released, a looping program cleared), the
 * subchannel must not sit "subchannel active" with nothing left to run,
 * and after a final CSCH and TSCH it is idle.  Everything is freed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "css/sub_priv.h"
#include "../fz_input.h"
#include "dev/testdev.h"

#define FE_MEM_SIZE  0x10000u
#define FE_RO_ADDR   0x20000u
#define FE_PAGE      4096u
#define FE_HI24      0x1000000u  /* the pages around 16 MiB */
#define FE_HI31      0x80000000u /* a page at 2 GiB */
#define FE_CHP0      0x40
#define FE_CHP1      0x41
#define FE_SCH_NO    0x0000
#define FE_MAX_OPS   512u
#define FE_STEP_MAX  64u
#define FE_DRAIN_MAX 40000u
#define FE_CLEAR_AT  10000u
#define FE_CEDE      (DEV_STAT_CHN_END | DEV_STAT_DEV_END)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fe {
    struct zv_loop *loop;
    struct zv_as *as;
    struct css *css;
    struct testdev *td;
    struct subchannel *sch;
    uint8_t *mem, *ro, *hi24, *hi31;
    uint8_t ro_copy[FE_PAGE];
};

static void
fe_die(const char *why)
{
    fprintf(stderr, "fuzz_engine: invariant broken: %s\n", why);
    abort();
}

/* ---- checks ---- */

/* PoP: an I/O instruction ends with a cc, or with one of the program
 * interruptions its operand checks may raise. */
static void
fe_check_rc(struct zv_insn_rc rc)
{
    switch (rc.pic) {
    case ZV_PIC_NONE:
        if (rc.cc > ZV_CC3)
            fe_die("condition code out of range");
        return;
    case ZV_PIC_OPERAND:
    case ZV_PIC_SPECIFICATION:
    case ZV_PIC_ADDRESSING:
    case ZV_PIC_PROTECTION:
        return;
    default:
        fe_die("program interruption no I/O instruction raises");
    }
}

static void
fe_check(struct fe *e)
{
    const char *why = css_check_invariants(e->css);

    if (why)
        fe_die(why);
    if (memcmp(e->ro, e->ro_copy, FE_PAGE))
        fe_die("the read-only page was written");
}

/* Completion of the clear function (css-pop.md §4.4): FC clear only, AC
 * 0, status pending alone, CPA, status and count 0. */
static void
fe_check_clear_status(const struct scsw *s)
{
    if (!(s->fctl & SCSW_FCTL_CLEAR) || s->stctl != SCSW_STCTL_PENDING)
        return;
    if (s->fctl != SCSW_FCTL_CLEAR || s->actl || s->cpa || s->dstat ||
        s->cstat || s->count)
        fe_die("clear completion with fields left from earlier status");
}

/* TSCH cc 0 stores the status that was pending (PoP: Test Subchannel). */
static void
fe_check_tsch(struct zv_insn_rc rc, const struct irb *irb)
{
    fe_check_rc(rc);
    if (rc.pic != ZV_PIC_NONE || rc.cc != ZV_CC0)
        return;
    if (!(irb->scsw.stctl & SCSW_STCTL_PENDING))
        fe_die("TSCH cc 0 without status pending in the SCSW");
    /* Status pending alone ends a halt or a clear (css-pop.md §4.3, §4.4). */
    if (irb->scsw.stctl == SCSW_STCTL_PENDING &&
        !(irb->scsw.fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)))
        fe_die("status pending alone, but no halt or clear function");
    /* Primary status: the subchannel's part of the program is over. */
    if ((irb->scsw.stctl & SCSW_STCTL_PRIMARY) &&
        (irb->scsw.actl & SCSW_ACTL_SCH_ACTIVE))
        fe_die("primary status while subchannel active");
    fe_check_clear_status(&irb->scsw);
}

/* ---- the world ---- */

static int
fe_map(struct fe *e, uint64_t addr, size_t len, unsigned prot, uint8_t **out)
{
    *out = calloc(1, len);
    if (!*out)
        return -ENOMEM;
    return zv_as_map(e->as, addr, len, *out, prot);
}

static int
fe_build(struct fe *e, uint8_t cfgbits)
{
    struct css_config cfg = {
        .concurrent_sense = cfgbits & 1,
        .midaw = cfgbits & 2,
        .ils = cfgbits & 4,
        .crw_queue_max = 1 + (cfgbits >> 4),
    };
    struct css_sch_desc d = {
        .sch_no = FE_SCH_NO,
        .devno = 0x1234,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {FE_CHP0, FE_CHP1},
    };

    e->loop = zv_loop_new_virtual(1 + (cfgbits & 8));
    e->as = zv_as_new("fe-storage");
    if (!e->loop || !e->as || fe_map(e, 0, FE_MEM_SIZE, ZV_MEM_RW, &e->mem) ||
        fe_map(e, FE_RO_ADDR, FE_PAGE, ZV_MEM_READ, &e->ro) ||
        fe_map(e, FE_HI24 - FE_PAGE, 2 * FE_PAGE, ZV_MEM_RW, &e->hi24) ||
        fe_map(e, FE_HI31, FE_PAGE, ZV_MEM_RW, &e->hi31))
        return -ENOMEM;
    e->css = css_new(e->loop, e->as, &cfg);
    e->td = testdev_new(e->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    if (!e->css || !e->td)
        return -ENOMEM;
    if (css_chp_define(e->css, FE_CHP0, CHP_TYPE_FICON) ||
        css_chp_define(e->css, FE_CHP1, CHP_TYPE_FICON) ||
        css_sch_define(e->css, &d, testdev_css_dev(e->td), false, &e->sch))
        return -EIO;
    return 0;
}

static void
fe_free(struct fe *e)
{
    css_free(e->css);
    while (e->loop && zv_loop_run_once(e->loop, 0))
        ;
    testdev_free(e->td);
    zv_as_free(e->as);
    zv_loop_free(e->loop);
    free(e->mem);
    free(e->ro);
    free(e->hi24);
    free(e->hi31);
}

static unsigned
fe_run(struct fe *e, unsigned max)
{
    unsigned n = 0;

    while (n < max && zv_loop_run_once(e->loop, 0)) {
        n++;
        fe_check(e);
    }
    return n;
}

/* Bring the loop to rest: release held commands, clear a program that
 * keeps going past FE_CLEAR_AT events (a TIC loop is a valid program). */
static void
fe_drain(struct fe *e)
{
    for (unsigned i = 0; i < FE_DRAIN_MAX; i++) {
        if (testdev_holding(e->td))
            testdev_release(e->td, FE_CEDE, 0);
        if (i == FE_CLEAR_AT)
            fe_check_rc(css_sch_csch(e->sch));
        if (!fe_run(e, 1) && !testdev_holding(e->td))
            return;
    }
    fe_die("the loop never came to rest");
}

/* Nothing left to run: the subchannel may wait for a resume (suspended),
 * for the device (device active) or for TSCH (status pending), but it
 * must not claim to be executing a program. */
static void
fe_check_rest(struct fe *e)
{
    struct schib s;

    const uint8_t busy = SCSW_ACTL_RESUME_PEND | SCSW_ACTL_START_PEND |
                         SCSW_ACTL_HALT_PEND | SCSW_ACTL_CLEAR_PEND |
                         SCSW_ACTL_SCH_ACTIVE;
    struct zv_insn_rc rc = css_sch_stsch(e->sch, &s);

    fe_check_rc(rc);
    if (rc.cc != ZV_CC0 || (s.scsw.stctl & SCSW_STCTL_PENDING))
        return;
    if ((s.scsw.actl & SCSW_ACTL_SUSPENDED) &&
        !(s.scsw.actl & SCSW_ACTL_RESUME_PEND))
        return;
    if (s.scsw.actl & busy)
        fe_die("a function pending or active with nothing left to run");
}

static void
fe_finish(struct fe *e)
{
    struct irb irb;
    struct schib s;
    struct zv_insn_rc rc;

    fe_drain(e);
    fe_check_rest(e);
    fe_check_rc(css_sch_csch(e->sch));
    fe_drain(e);
    for (unsigned i = 0; i < 64; i++) {
        rc = css_sch_tsch(e->sch, &irb);
        fe_check_tsch(rc, &irb);
        if (rc.pic != ZV_PIC_NONE || rc.cc != ZV_CC0)
            break;
        fe_drain(e);
    }
    rc = css_sch_stsch(e->sch, &s);
    fe_check_rc(rc);
    /* The clear function ended and its status was taken (PoP: Clear
     * Subchannel): no function, no activity, no status. */
    if (rc.cc == ZV_CC0 && (s.scsw.fctl || s.scsw.actl || s.scsw.stctl))
        fe_die("subchannel not idle after CSCH and TSCH");
    fe_check(e);
}

/* ---- operations ---- */

static uint32_t
fe_gr1(struct fz_input *in)
{
    struct schid id = {.ssid = 0, .sch_no = FE_SCH_NO};
    uint8_t how = in_u8(in);

    if (how < 0xF0)
        return schid_to_gr1(&id);
    return how & 1 ? in_u32(in) : schid_to_gr1(&id) | (uint32_t)how << 8;
}

/* An operand address: mostly in storage, sometimes anywhere. */
static uint64_t
fe_addr(struct fz_input *in)
{
    static const uint64_t bases[] = {0x100,       0x800,   FE_RO_ADDR,
                                     FE_HI24 - 8, FE_HI31, 0x200000};
    uint8_t how = in_u8(in);

    if (how & 0x80)
        return in_u32(in);
    return bases[how % 6] + ((how >> 3) & 0xF) * 4u;
}

static void
op_fill(struct fe *e, struct fz_input *in)
{
    uint32_t off = in_u16(in) % FE_MEM_SIZE;
    size_t len = in_u8(in) + 1u;

    if (len > FE_MEM_SIZE - off)
        len = FE_MEM_SIZE - off;
    in_bytes(in, e->mem + off, len);
}

/* A CCW (format 0 or 1), an IDAW (format 1 or 2) or a MIDAW at an
 * input storage offset. */
static void
op_block(struct fe *e, struct fz_input *in)
{
    uint32_t off = (in_u16(in) % FE_MEM_SIZE) & ~7u;
    uint8_t kind = in_u8(in);
    struct ccw1 c;
    struct midaw m;

    if (off + 16 > FE_MEM_SIZE)
        return;
    switch (kind & 7) {
    case 0:
    case 1:
        c.cmd = in_u8(in);
        c.flags = in_u8(in);
        c.count = in_u16(in);
        c.cda = kind & 0x80 ? in_u32(in) : in_u16(in);
        if (kind & 1)
            ccw1_encode(&c, e->mem + off);
        else
            ccw0_encode(&c, e->mem + off);
        break;
    case 2:
        zv_put_be32(e->mem + off, kind & 0x80 ? in_u32(in) : in_u16(in));
        break;
    case 3:
        zv_put_be64(e->mem + off,
                    kind & 0x80 ? (uint64_t)in_u32(in) << 8 : in_u16(in));
        break;
    default:
        m.flags = in_u8(in);
        m.count = in_u16(in);
        m.data = kind & 0x80 ? (uint64_t)in_u32(in) << 8 : in_u16(in);
        midaw_encode(&m, e->mem + off);
        break;
    }
}

static void
op_respond(struct fe *e, struct fz_input *in)
{
    uint8_t sense[32];
    uint8_t cmd = in_u8(in);
    uint8_t how = in_u8(in);
    struct testdev_resp r = {
        .dstat = in_u8(in),
        .len = in_u16(in) % 9000,
        .latency_ns = (uint64_t)in_u8(in) * 1000,
        .hold = how & 1,
    };

    if ((how & 2) && in->n >= r.len) {
        r.data = in->p;
        in->p += r.len;
        in->n -= r.len;
    }
    if (how & 4) {
        r.sense_len = in_u8(in) % (sizeof(sense) + 1);
        in_bytes(in, sense, r.sense_len);
        r.sense = sense;
    }
    if (how & 8)
        r.latency_max_ns = r.latency_ns + (uint64_t)in_u8(in) * 1000;
    if (how & 0x10)
        testdev_clear_response(e->td, cmd);
    else
        testdev_set_response(e->td, cmd, &r);
}

static void
op_msch(struct fe *e, struct fz_input *in)
{
    uint8_t how = in_u8(in);
    struct schib s;
    uint64_t at;

    if (how & 1) { /* raw SCHIB bytes from storage, any GR1 */
        at = fe_addr(in);
        if (at < FE_MEM_SIZE - SCHIB_SIZE)
            in_bytes(in, e->mem + at, SCHIB_SIZE);
        fe_check_rc(css_insn_msch(e->css, fe_gr1(in), at));
        return;
    }
    /* SET ADDRESS LIMIT and SET CHANNEL MONITOR ride along (any GR1,
     * any origin): LM below then makes ORB A programs limit-checked, and
     * MM makes them update measurement blocks anywhere in storage. */
    if (how & 0x20)
        fe_check_rc(css_insn_sal(e->css, in_u32(in)));
    if (how & 0x40) {
        uint32_t gr1 = in_u32(in);
        fe_check_rc(css_insn_schm(e->css, gr1, fe_addr(in)));
    }
    fe_check_rc(css_sch_stsch(e->sch, &s));
    s.pmcw.ena = !(how & 2);
    s.pmcw.csense = how & 4;
    s.pmcw.lm = (how >> 3) & 3; /* 3 is invalid: operand exception */
    s.pmcw.mme = (how >> 7) & 1 ? 3 : 0;
    s.pmcw.lpm = in_u8(in);
    s.pmcw.isc = in_u8(in) & 7;
    s.pmcw.intparm = in_u32(in);
    fe_check_rc(css_sch_msch(e->sch, &s));
}

static void
op_ssch(struct fe *e, struct fz_input *in)
{
    uint8_t raw[ORB_SIZE];
    uint8_t how = in_u8(in);
    struct orb o;
    uint64_t at;

    in_bytes(in, raw, sizeof(raw));
    orb_decode(&o, raw, sizeof(raw));
    if (how & 1)
        o.cpa = in_u16(in) % FE_MEM_SIZE;
    if (how & 2) { /* plausible: format 1, prefetch, all paths */
        o.fmt = o.pfch = true;
        o.lpm = 0xFF;
    }
    if (!(how & 4)) {
        fe_check_rc(css_sch_ssch(e->sch, &o));
        return;
    }
    at = fe_addr(in);
    /* orb_encode stores the 32-byte extended form when X is set. */
    if (at + (o.x ? ORB_EXT_SIZE : ORB_SIZE) <= FE_MEM_SIZE)
        orb_encode(&o, e->mem + at);
    fe_check_rc(css_insn_ssch(e->css, fe_gr1(in), at));
}

static void
op_function(struct fe *e, struct fz_input *in)
{
    uint8_t how = in_u8(in);
    uint32_t gr1 = how & 0x80 ? fe_gr1(in) : 0;
    bool direct = !(how & 0x80);

    switch (how % 4) {
    case 0:
        fe_check_rc(direct ? css_sch_hsch(e->sch) : css_insn_hsch(e->css, gr1));
        break;
    case 1:
        fe_check_rc(direct ? css_sch_csch(e->sch) : css_insn_csch(e->css, gr1));
        break;
    case 2:
        fe_check_rc(direct ? css_sch_rsch(e->sch) : css_insn_rsch(e->css, gr1));
        break;
    default:
        fe_check_rc(direct ? css_sch_xsch(e->sch) : css_insn_xsch(e->css, gr1));
        break;
    }
}

static void
op_store(struct fe *e, struct fz_input *in)
{
    uint8_t how = in_u8(in);
    struct irb irb;
    struct schib s;
    uint32_t gr1;

    switch (how % 5) {
    case 0:
        fe_check_tsch(css_sch_tsch(e->sch, &irb), &irb);
        break;
    case 1:
        gr1 = fe_gr1(in); /* operands in input order */
        fe_check_rc(css_insn_tsch(e->css, gr1, fe_addr(in)));
        break;
    case 2:
        fe_check_rc(css_sch_stsch(e->sch, &s));
        break;
    case 3:
        fe_check_rc(css_insn_tpi(e->css, how & 0x80 ? fe_addr(in) : 0));
        break;
    default:
        fe_check_rc(css_insn_stcrw(e->css, fe_addr(in)));
        break;
    }
}

static void
op_run(struct fe *e, struct fz_input *in)
{
    fe_run(e, 1 + in_u8(in) % FE_STEP_MAX);
}

static void
op_host(struct fe *e, struct fz_input *in)
{
    uint8_t what = in_u8(in);
    uint8_t arg = in_u8(in);
    uint8_t chpid = arg & 1 ? FE_CHP1 : FE_CHP0;

    switch (what % 7) {
    case 0:
        testdev_unsolicited(e->td, arg);
        break;
    case 1:
        testdev_release(e->td, arg, (arg & 0xF) * 1000u);
        break;
    case 2:
        css_chp_set_failed(e->css, chpid, arg & 2);
        break;
    case 3:
        css_chp_configure(e->css, chpid, arg & 2);
        break;
    case 4:
        css_chp_vary(e->css, chpid, arg & 2);
        break;
    case 5:
        testdev_busy_next(e->td, arg % 4);
        break;
    default:
        testdev_fail_path_after(e->td, 1 + arg % 4, e->css, chpid);
        break;
    }
}

typedef void (*fe_op_fn)(struct fe *e, struct fz_input *in);

static const fe_op_fn fe_ops[] = {
    op_fill,  op_block, op_block, op_block,    op_respond,
    op_msch,  op_ssch,  op_ssch,  op_function, op_function,
    op_store, op_store, op_run,   op_run,      op_host,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in = {data, size};
    struct fe *e = calloc(1, sizeof(*e));
    struct schib s;

    if (!e)
        return 0;
    if (fe_build(e, in_u8(&in)))
        fe_die("cannot build the world");
    for (unsigned i = 0; i < FE_PAGE; i++)
        e->ro[i] = (uint8_t)(0xC3 ^ (i * 7));
    memcpy(e->ro_copy, e->ro, FE_PAGE);
    /* Enabled, all paths, so short inputs already start programs. */
    fe_check_rc(css_sch_stsch(e->sch, &s));
    s.pmcw.ena = true;
    s.pmcw.lpm = 0xFF;
    fe_check_rc(css_sch_msch(e->sch, &s));
    fe_check(e);
    for (unsigned i = 0; i < FE_MAX_OPS && in.n; i++) {
        fe_ops[in_u8(&in) % (sizeof(fe_ops) / sizeof(fe_ops[0]))](e, &in);
        fe_check(e);
    }
    fe_finish(e);
    fe_free(e);
    free(e);
    return 0;
}
