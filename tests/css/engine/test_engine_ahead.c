/* SPDX-License-Identifier: MIT */
/*
 * Engine: the look-ahead over command chaining (css_io_iov_chain,
 * css_io_advance) against CCW-by-CCW execution, as a differential test
 * over seeds.  Two worlds run the same random channel programs on the
 * same device model; in one css_config.copy_data refuses every look-ahead,
 * so each command is started, moves its data through css_io_read/write
 * and ends on its own; in the other the device asks at every command for
 * up to eight more of the same code and moves the data of as many of them
 * as it likes (a random number, sometimes none, sometimes undoing it all)
 * through the iovecs in one go.  After every program, and after every
 * intervention (TSCH, RSCH, HSCH, CSCH on the same schedule in both), the
 * condition codes, the whole IRB as stored, all of storage, the data the
 * device took from storage, its command count, and the channel's byte
 * counts must be the same.
 *
 * The programs are built to reach what the look-ahead must stop at: TICs
 * (forward, backward, loops that run past the burst limit), data
 * chaining, PCI, skip, suspend with and without ORB S, IDAWs (format 1
 * and 2, 2K and 4K, misaligned, invalid, unmapped), MIDAWs, counts that
 * do not match, invalid command codes, unmapped and out-of-range data
 * addresses, format-0 CCWs, and device status that is not plain channel
 * end and device end (status modifier, unit exception): the device
 * advances only over commands it ends with CE|DE.
 */
#include "eh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define AH_SEEDS   160 /* ~25 s under qemu-user s390x */
#define AH_PROGS   12
#define AH_CCW     0x1000u
#define AH_NCCW    40
#define AH_IDAL    0x3000u
#define AH_MIDAL   0x4000u
#define AH_DATA    0x10000u
#define AH_DATALEN 0x20000u
#define AH_MAXEV   3
#define AH_READ    0x02
#define AH_WRITE   0x01
#define AH_NOP     0x03

/* The device: a read stores a pattern of its command number, a write
 * hashes what it takes.  want bytes per command; its own choices come
 * from its own generator (the same sequence in both worlds as long as
 * both worlds behave the same). */
struct adev {
    struct css_dev dev;
    struct eh_rng r;
    uint32_t want;
    uint64_t seq;  /* commands ended */
    uint64_t hash; /* of every byte taken, with its command number */
    uint64_t advanced;
};

static uint8_t
ad_status(uint64_t seq)
{
    if (seq % 13 == 7)
        return CEDE | DEV_STAT_UNIT_EXCEP;
    if (seq % 11 == 3)
        return CEDE | DEV_STAT_STAT_MOD;
    return CEDE;
}

static void
ad_fill(uint8_t *p, size_t n, uint64_t seq, size_t from)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seq * 37 + (from + i) * 7 + 1);
}

/* A command's bytes start with its number (ad_hash_cmd), then come in
 * pieces however the transfer split them. */
static void
ad_hash_cmd(struct adev *d, uint64_t seq)
{
    d->hash = (d->hash ^ seq) * 0x100000001B3ull;
}

static void
ad_hash(struct adev *d, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->hash = (d->hash ^ p[i]) * 0x100000001B3ull;
}

/* The data of the command seq through its iovecs. */
static void
ad_iov_data(struct adev *d, bool read, const struct iovec *iov, int n,
            uint64_t seq)
{
    size_t from = 0;

    if (!read)
        ad_hash_cmd(d, seq);
    for (int i = 0; i < n; i++) {
        if (read)
            ad_fill(iov[i].iov_base, iov[i].iov_len, seq, from);
        else
            ad_hash(d, iov[i].iov_base, iov[i].iov_len);
        from += iov[i].iov_len;
    }
}

/* Through the look-ahead: true when the command went that way. */
static bool
ad_chain(struct adev *d, struct css_io *io, bool read)
{
    struct css_io_next cmds[9];
    struct iovec iov[64];
    int n = 1 + (int)eh_pick(&d->r, 9), max = 1 + (int)eh_pick(&d->r, 64);
    int k, j, used = 0;

    for (int i = 0; i < n; i++) {
        cmds[i].cmd = css_io_cmd(io);
        cmds[i].len = d->want;
    }
    k = css_io_iov_chain(io, read, cmds, n, iov, max);
    if (k == 0)
        return false;
    assert_true(k <= n);
    if (eh_pick(&d->r, 8) == 0) {
        css_io_iov_undo(io);
        return false;
    }
    /* advance only over commands that end with CE|DE: each one before
     * the last must, and chain with CC */
    j = (int)eh_pick(&d->r, (unsigned)k);
    for (int i = 0; i < j; i++) {
        if (ad_status(d->seq + (uint64_t)i) != CEDE) {
            j = i;
            break;
        }
    }
    for (int i = 0; i <= j; i++) {
        assert_true(i == 0 || (cmds[i - 1].flags & CCW_FLAG_CC));
        ad_iov_data(d, read, iov + used, cmds[i].niov, d->seq + (uint64_t)i);
        used += cmds[i].niov;
    }
    assert_int_equal(css_io_advance(io, k), k > 0 ? -1 : 0);
    assert_int_equal(css_io_advance(io, j), 0);
    d->seq += (uint64_t)j;
    d->advanced += (uint64_t)j;
    return true;
}

static void
ad_start(struct css_dev *dev, struct css_io *io)
{
    struct adev *d = (struct adev *)dev;
    uint8_t cmd = css_io_cmd(io);
    uint8_t buf[4096];

    if (cmd == AH_READ || cmd == AH_WRITE) {
        bool read = cmd == AH_READ;

        if (!ad_chain(d, io, read)) {
            if (read) {
                ad_fill(buf, d->want, d->seq, 0);
                (void)css_io_write(io, buf, d->want);
            } else {
                int n = css_io_read(io, buf, d->want);

                ad_hash_cmd(d, d->seq);
                ad_hash(d, buf, n > 0 ? (size_t)n : 0);
            }
        }
    }
    css_io_done(io, ad_status(d->seq), 0);
    d->seq++;
}

static const struct css_dev_ops ad_ops = {.start = ad_start};

struct world {
    struct zv_loop *loop;
    struct zv_as *as;
    uint8_t *mem;
    struct css *css;
    struct adev dev;
    struct subchannel *sch;
};

static void
w_new(struct world *w, bool copy, uint64_t seed)
{
    struct css_config cfg = {.midaw = true, .ils = true, .copy_data = copy};
    struct css_sch_desc d = {
        .devno = 0x1234,
        .st = PMCW_ST_IO,
        .pim = 0x80,
        .chpid = {EH_CHP0},
    };
    struct schib s;

    memset(w, 0, sizeof(*w));
    w->loop = zv_loop_new_virtual(seed);
    w->as = zv_as_new("storage");
    w->mem = calloc(1, EH_MEM_SIZE);
    assert_non_null(w->mem);
    assert_int_equal(zv_as_map(w->as, 0, EH_MEM_SIZE, w->mem, ZV_MEM_RW), 0);
    w->css = css_new(w->loop, w->as, &cfg);
    assert_non_null(w->css);
    assert_int_equal(css_chp_define(w->css, EH_CHP0, CHP_TYPE_FICON), 0);
    w->dev.dev.ops = &ad_ops;
    w->dev.r.s = seed * 977;
    assert_int_equal(css_sch_define(w->css, &d, &w->dev.dev, false, &w->sch),
                     0);
    assert_int_equal(css_sch_stsch(w->sch, &s).cc, ZV_CC0);
    s.pmcw.ena = true;
    s.pmcw.lpm = 0xFF;
    assert_int_equal(css_sch_msch(w->sch, &s).cc, ZV_CC0);
}

static void
w_free(struct world *w)
{
    css_free(w->css);
    zv_loop_free(w->loop);
    zv_as_free(w->as);
    free(w->mem);
}

/* Both worlds: the same program and lists in storage. */
static void
put_ccw(struct world *w, bool fmt1, unsigned i, const struct ccw1 *c)
{
    uint8_t *p = w->mem + AH_CCW + 8 * i;

    if (fmt1)
        ccw1_encode(c, p);
    else
        ccw0_encode(c, p);
}

static uint32_t
rand_data_addr(struct eh_rng *r, uint32_t count)
{
    switch (eh_pick(r, 24)) {
    case 0:
        return EH_HOLE + eh_pick(r, 64); /* not there */
    case 1:
        return EH_MEM_SIZE - eh_pick(r, 2 * count + 1); /* runs off the end */
    case 2:
        return AH_IDAL + 8 * eh_pick(r, 16); /* over the lists */
    default:
        return AH_DATA + eh_pick(r, AH_DATALEN - count);
    }
}

static void
rand_ccw(struct eh_rng *r, struct ccw1 *c, unsigned i, unsigned n,
         uint32_t want, uint8_t main_cmd)
{
    unsigned p = eh_pick(r, 40);

    memset(c, 0, sizeof(*c));
    c->cmd = main_cmd;
    c->count = (uint16_t)want;
    c->flags = i + 1 < n ? CCW_FLAG_CC : (eh_pick(r, 3) ? 0 : CCW_FLAG_CC);
    if (p == 0)
        c->cmd = AH_NOP;
    else if (p == 1)
        c->cmd = main_cmd == AH_READ ? AH_WRITE : AH_READ;
    else if (p == 2)
        c->cmd = 0x00; /* invalid */
    else if (p == 3)
        c->count = (uint16_t)(1 + eh_pick(r, want + 100));
    else if (p == 4)
        c->flags |= CCW_FLAG_CD;
    else if (p == 5)
        c->flags |= CCW_FLAG_PCI;
    else if (p == 6)
        c->flags |= CCW_FLAG_SKIP;
    else if (p == 7)
        c->flags |= CCW_FLAG_SUSPEND;
    else if (p == 8)
        c->flags |= CCW_FLAG_SLI;
    else if (p == 9)
        c->count = 0;
    c->cda = rand_data_addr(r, c->count);
    if (p == 10 || p == 11 || p == 12) {
        c->flags |= CCW_FLAG_IDA;
        c->cda = AH_IDAL + 8 * eh_pick(r, 24) + (p == 12 ? 2 : 0);
    } else if (p == 13) {
        c->flags |= CCW_FLAG_MIDA;
        c->cda = AH_MIDAL + 16 * eh_pick(r, 4);
    } else if (p == 14 || p == 15) {
        /* TIC: forward one, to anywhere in the program, or a loop */
        c->cmd = CCW_CMD_TIC;
        c->flags = 0;
        c->count = 0;
        c->cda = AH_CCW + 8 * (p == 14 ? i + 1 : eh_pick(r, n + 1));
    }
}

static void
rand_lists(struct world *a, struct world *b, struct eh_rng *r)
{
    for (unsigned i = 0; i < 40; i++) {
        uint64_t blk =
            AH_DATA + 0x800 * eh_pick(r, 32) + (eh_pick(r, 8) ? 0 : 100);
        uint8_t v[8];

        switch (eh_pick(r, 12)) {
        case 0:
            blk = EH_HOLE;
            break;
        case 1:
            blk = eh_rnd(r);
            break;
        case 2:
            blk = AH_IDAL; /* data stored over the list itself */
            break;
        default:
            break;
        }
        zv_put_be64(v, blk);
        memcpy(a->mem + AH_IDAL + 8 * i, v, 8);
        memcpy(b->mem + AH_IDAL + 8 * i, v, 8);
    }
    for (unsigned i = 0; i < 4; i++) {
        struct midaw m = {
            .flags = (uint8_t)(i == 3 || !eh_pick(r, 3) ? MIDAW_FLAG_LAST : 0),
            .count = (uint16_t)(1 + eh_pick(r, 600)),
            .data = AH_DATA + 0x1000 * i,
        };

        midaw_encode(&m, a->mem + AH_MIDAL + 16 * i);
        midaw_encode(&m, b->mem + AH_MIDAL + 16 * i);
    }
}

static void
rand_orb(struct eh_rng *r, struct orb *o)
{
    uint64_t b = eh_rnd(r);

    memset(o, 0, sizeof(*o));
    o->intparm = 0xCAFE;
    o->lpm = 0xFF;
    o->cpa = AH_CCW;
    o->fmt = (b & 7) != 0;
    o->pfch = b & 8;
    o->spnd = b & 16;
    o->isic = b & 32;
    o->c64 = (b & 64) || (b & 128);
    o->i2k = b & 256;
    o->midaw = b & 512;
    o->ils = b & 1024;
    o->ssic = b & 2048;
}

/* The same cc, and the same storage, device and channel state. */
static void
same(struct world *a, struct world *b, int cca, int ccb, const char *what,
     uint64_t seed)
{
    uint64_t ra, wa, rb, wb;

    if (cca != ccb)
        fail_msg("seed %llu %s: cc %d vs %d", (unsigned long long)seed, what,
                 cca, ccb);
    css_sch_bytes(a->sch, &ra, &wa);
    css_sch_bytes(b->sch, &rb, &wb);
    assert_int_equal(ra, rb);
    assert_int_equal(wa, wb);
    assert_int_equal(a->dev.seq, b->dev.seq);
    assert_int_equal(a->dev.hash, b->dev.hash);
    assert_memory_equal(a->mem, b->mem, EH_MEM_SIZE);
}

static bool
run_bounded(struct world *w)
{
    for (unsigned i = 0; i < AH_MAXEV; i++)
        if (!zv_loop_run_once(w->loop, 0))
            return true;
    return false;
}

/* TSCH in both: the cc and the IRB as stored must agree. */
static int
tsch_both(struct world *a, struct world *b, uint64_t seed)
{
    struct irb ia, ib;
    uint8_t ea[IRB_SIZE], eb[IRB_SIZE];
    int cca = (int)css_sch_tsch(a->sch, &ia).cc;
    int ccb = (int)css_sch_tsch(b->sch, &ib).cc;

    if (cca != ccb)
        fail_msg("seed %llu: tsch cc %d vs %d", (unsigned long long)seed, cca,
                 ccb);
    if (cca == 0) {
        irb_encode(&ia, ea);
        irb_encode(&ib, eb);
        if (memcmp(ea, eb, sizeof(ea)))
            fail_msg("seed %llu: IRB differs (cpa %08x/%08x count %u/%u "
                     "cs %02x/%02x ds %02x/%02x)",
                     (unsigned long long)seed, ia.scsw.cpa, ib.scsw.cpa,
                     ia.scsw.count, ib.scsw.count, ia.scsw.cstat, ib.scsw.cstat,
                     ia.scsw.dstat, ib.scsw.dstat);
    }
    return cca;
}

/* Drive both back to idle with the same interventions. */
static void
settle(struct world *a, struct world *b, struct eh_rng *r, uint64_t seed)
{
    for (unsigned round = 0; round < 24; round++) {
        bool qa = run_bounded(a), qb = run_bounded(b);
        struct schib s;
        unsigned act = eh_pick(r, 4);

        assert_int_equal(qa, qb);
        same(a, b, 0, 0, "run", seed);
        while (tsch_both(a, b, seed) == 0)
            ;
        css_sch_stsch(a->sch, &s);
        if (qa && s.scsw.fctl == 0)
            return;
        if ((s.scsw.actl & SCSW_ACTL_SUSPENDED) && act < 3) {
            same(a, b, (int)css_sch_rsch(a->sch).cc,
                 (int)css_sch_rsch(b->sch).cc, "rsch", seed);
        } else if (!qa && act == 0) {
            continue; /* let a long program go on */
        } else if (round < 6 && act < 3) {
            same(a, b, (int)css_sch_hsch(a->sch).cc,
                 (int)css_sch_hsch(b->sch).cc, "hsch", seed);
        } else {
            same(a, b, (int)css_sch_csch(a->sch).cc,
                 (int)css_sch_csch(b->sch).cc, "csch", seed);
        }
    }
    fail_msg("seed %llu: subchannel did not settle", (unsigned long long)seed);
}

static void
one_program(struct world *a, struct world *b, struct eh_rng *r, uint64_t seed)
{
    unsigned n = 1 + eh_pick(r, AH_NCCW);
    uint32_t want = eh_pick(r, 4) ? 4096 : 1 + eh_pick(r, 4096);
    uint8_t main_cmd = eh_pick(r, 2) ? AH_READ : AH_WRITE;
    struct orb o;

    rand_orb(r, &o);
    for (unsigned i = 0; i < n; i++) {
        struct ccw1 c;

        rand_ccw(r, &c, i, n, want, main_cmd);
        if (!o.fmt)
            c.cda &= 0xFFFFFF;
        put_ccw(a, o.fmt, i, &c);
        put_ccw(b, o.fmt, i, &c);
    }
    if (eh_pick(r, 4) == 0) {
        /* a loop back to the start: runs until halted or cleared */
        struct ccw1 t = {.cmd = CCW_CMD_TIC, .cda = AH_CCW};

        put_ccw(a, o.fmt, n, &t);
        put_ccw(b, o.fmt, n, &t);
    }
    rand_lists(a, b, r);
    a->dev.want = want;
    b->dev.want = want;
    same(a, b, (int)css_sch_ssch(a->sch, &o).cc,
         (int)css_sch_ssch(b->sch, &o).cc, "ssch", seed);
    settle(a, b, r, seed);
    same(a, b, 0, 0, "end", seed);
}

static uint64_t total_advanced, total_direct;

static void
ahead_matches_ccw_by_ccw(void **state)
{
    uint64_t seed = (uint64_t)(uintptr_t)*state;
    struct world a, b;
    struct eh_rng r = {seed};

    w_new(&a, true, seed);
    w_new(&b, false, seed);
    for (unsigned p = 0; p < AH_PROGS; p++)
        one_program(&a, &b, &r, seed);
    assert_int_equal(a.dev.advanced, 0);
    assert_int_equal(css_sch_bytes_direct(a.sch), 0);
    total_advanced += b.dev.advanced;
    total_direct += css_sch_bytes_direct(b.sch);
    w_free(&a);
    w_free(&b);
}

/* The generator reaches what it is about: commands taken by advance. */
static void
ahead_is_used(void **state)
{
    (void)state;
    print_message("%llu commands advanced, %llu bytes without a copy\n",
                  (unsigned long long)total_advanced,
                  (unsigned long long)total_direct);
    assert_true(total_advanced > AH_SEEDS);
}

int
main(void)
{
    static struct CMUnitTest tests[AH_SEEDS + 1];
    static char names[AH_SEEDS][40];
    const char *only = getenv("ENGINE_AHEAD_SEED");
    size_t n = 0;

    for (uint64_t seed = 1; seed <= AH_SEEDS; seed++) {
        if (only && strtoull(only, NULL, 0) != seed)
            continue;
        snprintf(names[n], sizeof(names[n]), "ahead_matches_seed_%llu",
                 (unsigned long long)seed);
        tests[n].name = names[n];
        tests[n].test_func = ahead_matches_ccw_by_ccw;
        tests[n].initial_state = (void *)(uintptr_t)seed;
        n++;
    }
    if (!only) {
        tests[n].name = "ahead_is_used";
        tests[n].test_func = ahead_is_used;
        n++;
    }
    return _cmocka_run_group_tests("engine_ahead", tests, n, NULL, NULL);
}
