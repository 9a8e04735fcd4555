/* SPDX-License-Identifier: MIT */
/*
 * ECKD data fields straight between image and storage (eckd_track.c,
 * css_io_iov) against the track-buffer path, as a differential test over
 * seeds: two worlds, the same random ECKD channel programs, one with
 * css_config.copy_data (every byte through the track buffer), the other
 * free to move Read Data / Write Data fields with preadv/pwritev.  After
 * every program the SSCH result, the whole IRB as stored (SCSW, ESW and
 * the concurrent sense in the ECW), and the whole guest data area must be
 * the same in both; at the end, after a flush, the two image files must
 * be byte for byte the same.
 *
 * The programs mix Read Data, Read Key and Data, Read Count, Read CKD,
 * Read R0, Write Data, Write Key and Data, Write CKD (format writes that
 * change record sizes and put keys and odd lengths on the tracks), Read
 * Track, multitrack commands, runs of plain Read Data with one command
 * that is not plain somewhere in them (where the look-ahead over command
 * chaining must stop), Locate Record and Locate Record Extended
 * domains with wrong counts, orientations and transfer-length factors,
 * CCW counts that do not match the record (incorrect length, short
 * writes that zero-fill), SLI, skip, PCI, data chaining, IDALs whose IDAWs
 * are consecutive, scattered, misaligned or name storage that is not
 * there, stray command codes, and unit checks injected mid-chain.
 *
 * A second group checks buffer coherence directly: a record written on
 * one path and read on the other, in separate programs and in one chain
 * (while the buffer holds the only copy of new data), must read back the
 * new data.  ZV_DEV_SEEDS=n for more seeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_harness.h"

#define EZ_CYLS   2u
#define EZ_TRACKS (EZ_CYLS * 15u)
#define EZ_OPS    60
#define EZ_PARM   0xF8000u /* DE at +0, LR/LRE at +32 */
#define EZ_MAXCCW 24

#define CMD_DE   0x63
#define CMD_LR   0x47
#define CMD_LRE  0x4B
#define CMD_RD   0x06
#define CMD_WD   0x05
#define CMD_RKD  0x0E
#define CMD_WKD  0x0D
#define CMD_RC   0x12
#define CMD_RCKD 0x1E
#define CMD_RR0  0x16
#define CMD_WCKD 0x1D
#define CMD_RTRK 0xDE
#define CMD_NOP  0x03
#define CMD_MT   0x80
#define REC_4K   4096u
#define EQ_CHECK 0x10

static void
ez_trk(uint8_t *p, uint32_t trk)
{
    dh_put_cchh(p, trk / 15, trk % 15);
}

static void
ez_de(struct dh *h, uint8_t mask, uint32_t beg, uint32_t end)
{
    uint8_t *p = h->buf + EZ_PARM;

    memset(p, 0, 16);
    p[0] = mask;
    p[1] = 0xC0;
    ez_trk(p + 8, beg);
    ez_trk(p + 12, end);
}

/* Locate Record (16 bytes) or Extended (20) at EZ_PARM + 32. */
static void
ez_lr(struct dh *h, uint8_t op, uint8_t aux, uint8_t count, uint32_t trk,
      uint8_t rec, uint16_t tlf, uint8_t ext)
{
    uint8_t *p = h->buf + EZ_PARM + 32;

    memset(p, 0, 20);
    p[0] = op;
    p[1] = aux;
    p[3] = count;
    ez_trk(p + 4, trk);
    ez_trk(p + 8, trk);
    p[12] = rec;
    zv_put_be16(p + 14, tlf);
    p[17] = ext;
}

/* Data address of a CCW: a direct area or an IDAL. */
static void
ez_data_ccw(struct dh *h, struct dh_rng *r, unsigned *slot, uint8_t cmd,
            uint8_t flags, uint32_t count)
{
    uint32_t off;

    if (count == 0)
        count = 1;
    if (count > 0xffff)
        count = 0xffff;
    if (*slot < 32 && dh_rand(r, 2)) {
        flags |= CCW_FLAG_IDA;
        off = dh_zc_idal(h, r, (*slot)++, count, 24);
    } else {
        off = dh_rand(r, DH_ZC_DATA - count);
    }
    dh_ccw(h, cmd, flags, (uint16_t)count, off);
}

/* A count near what the record needs: mostly exact, sometimes off. */
static uint32_t
ez_count(struct dh_rng *r, uint32_t want)
{
    switch (dh_rand(r, 10)) {
    case 0:
        return 1 + dh_rand(r, want + 64);
    case 1:
        return want + 1 + dh_rand(r, 600);
    case 2:
        return 1 + dh_rand(r, 9000);
    default:
        return want;
    }
}

/* Random CCW flags of a data transfer (not chaining). */
static uint8_t
ez_flags(struct dh_rng *r, bool read)
{
    uint8_t f = 0;

    if (dh_rand(r, 6) == 0)
        f |= CCW_FLAG_SLI;
    if (read && dh_rand(r, 8) == 0)
        f |= CCW_FLAG_SKIP;
    if (dh_rand(r, 12) == 0)
        f |= CCW_FLAG_PCI;
    return f;
}

/* One read-type command, maybe split over data-chained CCWs. */
static void
ez_read_cmd(struct dh *h, struct dh_rng *r, unsigned *slot, uint8_t cmd,
            uint32_t total, bool chain)
{
    unsigned pieces = dh_rand(r, 5) == 0 ? 2 + dh_rand(r, 3) : 1;

    for (unsigned i = 0; i < pieces; i++) {
        bool last = i + 1 == pieces;
        uint32_t c = last ? total : 1 + dh_rand(r, total);
        uint8_t flags = ez_flags(r, true);

        if (c > total)
            c = total;
        total = total > c ? total - c : 1;
        if (!last)
            flags |= CCW_FLAG_CD;
        else if (chain)
            flags |= CCW_FLAG_CC;
        ez_data_ccw(h, r, slot, cmd, flags, c);
    }
}

static uint8_t
ez_mt(struct dh_rng *r, uint8_t cmd)
{
    return dh_rand(r, 3) == 0 ? cmd | CMD_MT : cmd;
}

static uint8_t
ez_read_op(struct dh_rng *r, uint32_t *want)
{
    switch (dh_rand(r, 12)) {
    case 0:
        *want = REC_4K + 4;
        return ez_mt(r, CMD_RKD);
    case 1:
        *want = 8;
        return ez_mt(r, CMD_RC);
    case 2:
        *want = REC_4K + 8;
        return ez_mt(r, CMD_RCKD);
    case 3:
        *want = 16;
        return CMD_RR0;
    default:
        *want = REC_4K;
        return ez_mt(r, CMD_RD);
    }
}

static void
ez_domain_lr(struct dh *h, struct dh_rng *r, uint8_t op, uint8_t count,
             uint32_t trk, uint8_t rec)
{
    bool tlf = dh_rand(r, 2);
    uint16_t tlfv = dh_rand(r, 5) ? REC_4K : (uint16_t)dh_rand(r, 6000);
    uint8_t ext = 0;
    uint8_t cmd = CMD_LR;

    /* Locate Record Extended: the extended operation codes for read
     * any / write any map onto the basic ones. */
    if (dh_rand(r, 5) == 0) {
        cmd = CMD_LRE;
        if (dh_rand(r, 2)) {
            ext = (op & 0x3F) == 0x01 ? 0x09 : 0x0A;
            op = (uint8_t)((op & 0xC0) | 0x3F);
        }
    }
    ez_lr(h, op, tlf ? 0x80 : 0, count, trk, rec, tlf ? tlfv : 0, ext);
    dh_ccw(h, cmd, CCW_FLAG_CC, cmd == CMD_LRE ? 20 : 16, EZ_PARM + 32);
}

static uint8_t
ez_orient(struct dh_rng *r)
{
    static const uint8_t o[] = {0x00, 0x00, 0x00, 0x80, 0xC0, 0x40};

    return o[dh_rand(r, sizeof(o))];
}

static void
ez_prog_read(struct dh *h, struct dh_rng *r, uint32_t trk)
{
    /* one record alone goes straight, runs through the buffer */
    uint8_t k = (uint8_t)(dh_rand(r, 3) ? 1 + dh_rand(r, 6) : 1);
    unsigned ncmd = dh_rand(r, 6) ? k : 1 + dh_rand(r, k + 1), slot = 0;
    uint8_t op = dh_rand(r, 4) ? 0x06 : 0x16;
    uint32_t end = trk + dh_rand(r, 3);

    ez_de(h, dh_rand(r, 2) ? 0x40 : 0x80, trk, end < EZ_TRACKS ? end : trk);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_domain_lr(h, r, (uint8_t)(ez_orient(r) | op), k, trk,
                 (uint8_t)dh_rand(r, 14));
    for (unsigned i = 0; i < ncmd; i++) {
        uint32_t want;
        uint8_t cmd = ez_read_op(r, &want);

        ez_read_cmd(h, r, &slot, cmd, ez_count(r, want), i + 1 < ncmd);
    }
}

/* A run of plain Read Data (what Linux sends), the whole domain or part
 * of it, with now and then one command that is not plain somewhere in
 * it (a count off, a flag, another command), so the look-ahead meets
 * its stops at every place of a run. */
static void
ez_prog_read_run(struct dh *h, struct dh_rng *r, uint32_t trk)
{
    uint8_t k = (uint8_t)(2 + dh_rand(r, 13));
    unsigned ncmd = dh_rand(r, 4) ? k : 1 + dh_rand(r, k + 1), slot = 0;
    unsigned odd = dh_rand(r, 2) ? dh_rand(r, ncmd) : ncmd;
    uint8_t rd = dh_rand(r, 3) ? CMD_RD : CMD_RD | CMD_MT;
    uint32_t end = trk + dh_rand(r, 2);

    ez_de(h, 0x40, trk, end < EZ_TRACKS ? end : trk);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_domain_lr(h, r, 0x06, k, trk, (uint8_t)(1 + dh_rand(r, 12)));
    for (unsigned i = 0; i < ncmd; i++) {
        bool more = i + 1 < ncmd;

        if (i == odd) {
            uint32_t want;
            uint8_t cmd = ez_read_op(r, &want);

            ez_read_cmd(h, r, &slot, cmd, ez_count(r, want), more);
        } else {
            ez_data_ccw(h, r, &slot, rd, more ? CCW_FLAG_CC : 0, REC_4K);
        }
    }
}

static void
ez_prog_write(struct dh *h, struct dh_rng *r, uint32_t trk)
{
    static const uint8_t masks[] = {0x80, 0x80, 0x00, 0x00, 0x40};
    /* one record alone goes straight, runs through the buffer */
    uint8_t k = (uint8_t)(dh_rand(r, 3) ? 1 + dh_rand(r, 6) : 1);
    unsigned ncmd = dh_rand(r, 6) ? k : 1 + dh_rand(r, k + 1), slot = 0;
    uint32_t end = trk + dh_rand(r, 3);

    ez_de(h, masks[dh_rand(r, sizeof(masks))], trk,
          end < EZ_TRACKS ? end : trk);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_domain_lr(h, r, (uint8_t)(ez_orient(r) | 0x01), k, trk,
                 (uint8_t)dh_rand(r, 14));
    for (unsigned i = 0; i < ncmd; i++) {
        bool kd = dh_rand(r, 6) == 0;
        uint8_t cmd = ez_mt(r, kd ? CMD_WKD : CMD_WD);
        uint8_t flags = ez_flags(r, false);

        if (i + 1 < ncmd)
            flags |= CCW_FLAG_CC;
        if (dh_rand(r, 25) == 0)
            flags |= CCW_FLAG_CD; /* a write may not data-chain */
        ez_data_ccw(h, r, &slot, cmd, flags,
                    ez_count(r, kd ? REC_4K + 4 : REC_4K));
    }
}

/* Format writes: R1..Rk of a track with random key and data lengths (the
 * counts are put in the data area, identically in both worlds). */
static void
ez_prog_format(struct dh *h, struct dh_rng *r, uint32_t trk)
{
    uint8_t k = (uint8_t)(1 + dh_rand(r, 5));

    ez_de(h, dh_rand(r, 8) ? 0x00 : 0x80, trk, trk);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_lr(h, 0x43, 0, k, trk, 0, 0, 0);
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
    for (unsigned i = 0; i < k; i++) {
        uint8_t kl = (uint8_t)(dh_rand(r, 3) * 4);
        uint16_t dl = (uint16_t)(dh_rand(r, 4) ? REC_4K : dh_rand(r, 7000));
        uint32_t len = 8u + kl + dl;
        uint32_t off = dh_rand(r, DH_ZC_DATA - len - 1);
        uint8_t *c = h->buf + off;

        ez_trk(c, trk);
        c[4] = (uint8_t)(i + 1);
        c[5] = kl;
        zv_put_be16(c + 6, dl);
        if (dh_rand(r, 10) == 0)
            len = ez_count(r, len);
        dh_ccw(h, CMD_WCKD, i + 1 < k ? CCW_FLAG_CC : 0, (uint16_t)len, off);
    }
}

static void
ez_prog_track(struct dh *h, struct dh_rng *r, uint32_t trk)
{
    uint8_t k = (uint8_t)(1 + dh_rand(r, 2));
    unsigned slot = 0;

    ez_de(h, 0x40, trk, trk + 1 < EZ_TRACKS ? trk + 1 : trk);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_lr(h, 0xCC, 0, k, trk, 0, 0, 0);
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
    for (unsigned i = 0; i < k; i++)
        ez_read_cmd(h, r, &slot, CMD_RTRK,
                    dh_rand(r, 2) ? 0xffff : ez_count(r, 13 * 4200), i + 1 < k);
}

/* One random program: reads, writes, format writes or Read Track. */
static void
ez_program(struct dh *h, struct dh_rng *r)
{
    /* mostly three tracks, so programs meet what the one before left in
     * the track buffer */
    uint32_t trk = dh_rand(r, 4) ? 2 + dh_rand(r, 3) : dh_rand(r, EZ_TRACKS);
    uint32_t pick = dh_rand(r, 20);

    if (pick < 5)
        ez_prog_read(h, r, trk);
    else if (pick < 9)
        ez_prog_read_run(h, r, trk);
    else if (pick < 16)
        ez_prog_write(h, r, trk);
    else if (pick < 18)
        ez_prog_format(h, r, trk);
    else
        ez_prog_track(h, r, trk);
    /* a stray command code after the rest (if the chain gets there) */
    if (dh_rand(r, 15) == 0) {
        guest_prog_add(&h->prog, (uint8_t)dh_rand(r, 256), 0, 16,
                       (uint32_t)(h->buf_addr + EZ_PARM));
    }
}

static void
ez_fill(struct dh *h, uint64_t seed)
{
    struct dh_rng r = {seed * 7919u};

    for (uint32_t i = 0; i < DH_ZC_DATA; i++)
        h->buf[i] = (uint8_t)dh_rand(&r, 256);
}

static uint8_t *
ez_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
    uint8_t *p = size > 0 ? malloc((size_t)size) : NULL;

    assert_non_null(p);
    assert_int_equal(pread(fd, p, (size_t)size, 0), size);
    close(fd);
    *len = (size_t)size;
    return p;
}

static void
ez_same_image(struct dh *a, struct dh *b)
{
    size_t la, lb;
    uint8_t *x, *y;

    assert_int_equal(dev_dasd_flush(a->dev), 0);
    assert_int_equal(dev_dasd_flush(b->dev), 0);
    x = ez_file(a->path, &la);
    y = ez_file(b->path, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

/* A failing seed prints its program. */
static void
ez_dump(const struct dh *h, unsigned n, const uint8_t *irb)
{
    for (unsigned i = 0; i < n; i++) {
        struct ccw1 c;

        ccw1_decode(&c, h->prog.host + (size_t)i * CCW_SIZE);
        fprintf(stderr, "  ccw %u: %02x flags %02x count %u cda %08x\n", i,
                c.cmd, c.flags, c.count, c.cda);
    }
    for (unsigned i = 0; i < 16; i++)
        fprintf(stderr, "%02x%s", irb[i], i == 15 ? "\n" : " ");
}

static void
ez_compare(struct dh *a, struct dh *b, int cca, int ccb, unsigned n,
           uint64_t seed, unsigned op)
{
    uint8_t ia[IRB_SIZE], ib[IRB_SIZE];

    if (b->deferred) {
        dh_irb_pci_neutral(&a->irb);
        dh_irb_pci_neutral(&b->irb);
    }
    irb_encode(&a->irb, ia);
    irb_encode(&b->irb, ib);
    if (cca != ccb || memcmp(ia, ib, sizeof(ia)) ||
        memcmp(a->buf, b->buf, DH_BUF_SZ)) {
        fprintf(stderr, "eckd zero-copy: seed %" PRIu64 " op %u differs\n",
                seed, op);
        ez_dump(a, n, ia);
        ez_dump(b, 0, ib);
    }
    assert_int_equal(cca, ccb);
    assert_memory_equal(ia, ib, sizeof(ia));
    assert_memory_equal(a->buf, b->buf, DH_BUF_SZ);
}

struct ez_totals {
    uint64_t direct, uc, il, progs, held;
};

static void
ez_seed(uint64_t seed, struct ez_totals *t)
{
    struct dh_opts oa = {.seed = seed, .csense = true, .copy_data = true};
    /* Even seeds: the direct world's image transfers report back through
     * the loop (as on io_uring), so its commands are held until then. */
    struct dh_opts ob = {.seed = seed, .csense = true, .defer = seed % 2 == 0};
    struct dh *a = dh_new_eckd(0, EZ_CYLS, true, &oa);
    struct dh *b = dh_new_eckd(0, EZ_CYLS, true, &ob);
    struct dh_rng ra = {seed}, rb = {seed};
    uint64_t rd_a, wr_a, rd_b, wr_b;

    assert_non_null(a);
    assert_non_null(b);
    assert_false(zv_as_check(a->as, DH_ZC_NOWHERE, 1, ZV_MEM_READ));
    ez_fill(a, seed);
    ez_fill(b, seed);
    for (unsigned op = 0; op < EZ_OPS; op++) {
        int cca, ccb;
        unsigned n;

        ez_program(a, &ra);
        ez_program(b, &rb);
        /* a unit check injected mid-chain, the same in both */
        if (dh_rand(&ra, 10) == 0) {
            uint32_t after = dh_rand(&ra, 6);

            dev_dasd_inject_uc(a->dev, after, EQ_CHECK);
            dev_dasd_inject_uc(b->dev, after, EQ_CHECK);
        }
        rb = ra;
        n = a->prog.n;
        cca = dh_run(a);
        ccb = dh_run(b);
        ez_compare(a, b, cca, ccb, n, seed, op);
        t->progs++;
        t->uc += (a->irb.scsw.dstat & DEV_STAT_UNIT_CHECK) != 0;
        t->il += (a->irb.scsw.cstat & SCHN_STAT_INCORR_LEN) != 0;
        /* no injected fault left over for the next program */
        dev_dasd_inject_uc(a->dev, UINT32_MAX, EQ_CHECK);
        dev_dasd_inject_uc(b->dev, UINT32_MAX, EQ_CHECK);
    }
    ez_same_image(a, b);
    css_sch_bytes(a->sch, &rd_a, &wr_a);
    css_sch_bytes(b->sch, &rd_b, &wr_b);
    assert_int_equal(rd_a, rd_b);
    assert_int_equal(wr_a, wr_b);
    assert_int_equal(css_sch_bytes_direct(a->sch), 0);
    assert_true(css_sch_bytes_direct(b->sch) <= rd_b + wr_b);
    t->direct += css_sch_bytes_direct(b->sch);
    t->held += dev_dasd_held(b->dev);
    assert_int_equal(dev_dasd_held(a->dev), 0);
    dh_free(a);
    dh_free(b);
}

static void
eckd_fast_and_copying_paths_agree_on_random_programs(void **state)
{
    const char *env = getenv("ZV_DEV_SEEDS");
    unsigned seeds = env ? (unsigned)atoi(env) : 30;
    struct ez_totals t = {0};

    (void)state;
    for (uint64_t s = 1; s <= seeds; s++)
        ez_seed(s, &t);
    print_message("%" PRIu64 " programs, %" PRIu64 " unit checks, %" PRIu64
                  " incorrect length, %" PRIu64
                  " bytes without a copy, %" PRIu64
                  " commands held for their transfer\n",
                  t.progs, t.uc, t.il, t.direct, t.held);
    /* the generator reaches the cases it is about */
    assert_true(t.direct > 0);
    assert_true(t.held > 0);
    assert_true(t.uc > t.progs / 20);
    assert_true(t.il > t.progs / 20);
}

/* ---- coherence of the track buffer with direct transfers ---- */

#define CO_TRK  5u
#define CO_REC  7u
#define CO_SRC  0x10000u /* new data */
#define CO_DST  0x20000u /* where reads land */
#define CO_DST2 0x30000u

static void
co_pattern(struct dh *h, uint32_t off, uint8_t salt)
{
    for (uint32_t i = 0; i < REC_4K; i++)
        h->buf[off + i] = (uint8_t)(i * 7 + salt);
}

/* DE allowing every write over CO_TRK. */
static void
co_de(struct dh *h)
{
    ez_de(h, 0x00, CO_TRK, CO_TRK);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
}

/* A Locate Record for one record of CO_TRK at parameter slot n. */
static void
co_lr(struct dh *h, unsigned n, uint8_t op)
{
    uint8_t *p = h->buf + EZ_PARM + 32 + 16 * n;

    memset(p, 0, 16);
    p[0] = op;
    p[3] = 1;
    ez_trk(p + 4, CO_TRK);
    ez_trk(p + 8, CO_TRK);
    p[12] = CO_REC;
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32 + 16 * n);
}

static void
co_read_kd(struct dh *h, uint32_t dst)
{
    co_de(h);
    co_lr(h, 0, 0x06);
    dh_ccw(h, CMD_RKD, 0, REC_4K, dst); /* key length 0 on 4K records */
    dh_run_ok(h);
}

static void
co_read_data(struct dh *h, uint32_t dst)
{
    co_de(h);
    co_lr(h, 0, 0x06);
    dh_ccw(h, CMD_RD, 0, REC_4K, dst);
    dh_run_ok(h);
}

/* Read Count then Read Data of the same record in one domain: the
 * count goes through the buffer, the data straight.  Count orientation
 * on the record before: Read Count passes the next count, CO_REC's. */
static void
co_read_count_data_prog(struct dh *h, uint32_t dst)
{
    co_de(h);
    co_lr(h, 0, 0x06);
    h->buf[EZ_PARM + 32 + 3] = 2;
    h->buf[EZ_PARM + 32 + 12] = CO_REC - 1;
    dh_ccw(h, CMD_RC, CCW_FLAG_CC, 8, dst + REC_4K);
    dh_ccw(h, CMD_RD, 0, REC_4K, dst);
}

static void
co_read_count_data(struct dh *h, uint32_t dst)
{
    co_read_count_data_prog(h, dst);
    dh_run_ok(h);
    assert_int_equal(h->buf[dst + REC_4K + 4], CO_REC);
    assert_int_equal(zv_be16(h->buf + dst + REC_4K + 6), REC_4K);
}

static void
co_write(struct dh *h, uint8_t cmd, uint32_t src)
{
    co_de(h);
    co_lr(h, 0, 0x01);
    dh_ccw(h, cmd, 0, REC_4K, src);
    dh_run_ok(h);
}

static uint64_t
co_direct(const struct dh *h)
{
    return css_sch_bytes_direct(h->sch);
}

/* A direct write lands where the buffer held the old record: reads on
 * both paths see the new data. */
static void
direct_write_then_buffered_and_direct_read(void **state)
{
    struct dh_opts o = {.seed = 1, .csense = true};
    struct dh *h = dh_new_eckd(0, EZ_CYLS, true, &o);
    uint64_t d0;

    (void)state;
    assert_non_null(h);
    co_read_kd(h, CO_DST); /* old record now in the track buffer */
    co_pattern(h, CO_SRC, 0x31);
    d0 = co_direct(h);
    co_write(h, CMD_WD, CO_SRC);
    assert_int_equal(co_direct(h) - d0, REC_4K); /* it did go direct */
    co_read_kd(h, CO_DST);
    assert_memory_equal(h->buf + CO_DST, h->buf + CO_SRC, REC_4K);
    co_read_count_data(h, CO_DST2);
    assert_memory_equal(h->buf + CO_DST2, h->buf + CO_SRC, REC_4K);
    dh_free(h);
}

/* A buffered write (Write Key and Data) then a direct Read Data, and the
 * other way round, alternating, each in its own program. */
static void
buffered_and_direct_writes_alternate_with_reads(void **state)
{
    struct dh_opts o = {.seed = 2, .csense = true};
    struct dh *h = dh_new_eckd(0, EZ_CYLS, true, &o);

    (void)state;
    assert_non_null(h);
    for (uint8_t i = 0; i < 6; i++) {
        uint64_t d0 = co_direct(h);

        co_pattern(h, CO_SRC, (uint8_t)(0x40 + i));
        co_write(h, i % 2 ? CMD_WKD : CMD_WD, CO_SRC);
        /* Write Key and Data stays buffered; Write Data goes direct */
        assert_int_equal(co_direct(h) - d0, i % 2 ? 0 : REC_4K);
        memset(h->buf + CO_DST, 0, REC_4K);
        if (i % 3 == 0)
            co_read_data(h, CO_DST);
        else if (i % 3 == 1)
            co_read_kd(h, CO_DST);
        else
            co_read_count_data(h, CO_DST);
        assert_memory_equal(h->buf + CO_DST, h->buf + CO_SRC, REC_4K);
    }
    dh_free(h);
}

/* In one chain: Write Key and Data leaves new data only in the buffer
 * (it is written back when the chain ends); a Read Data of the record in
 * a second domain of the same chain must take it from there. */
static void
read_data_after_buffered_write_in_one_chain(void **state)
{
    struct dh_opts o = {.seed = 3, .csense = true};
    struct dh *h = dh_new_eckd(0, EZ_CYLS, true, &o);

    (void)state;
    assert_non_null(h);
    co_read_data(h, CO_DST);
    co_pattern(h, CO_SRC, 0x77);
    co_de(h);
    co_lr(h, 0, 0x01);
    dh_ccw(h, CMD_WKD, CCW_FLAG_CC, REC_4K, CO_SRC);
    co_lr(h, 1, 0x06);
    dh_ccw(h, CMD_RD, 0, REC_4K, CO_DST);
    dh_run_ok(h);
    assert_memory_equal(h->buf + CO_DST, h->buf + CO_SRC, REC_4K);
    /* and a direct write then a buffered read in one chain */
    co_pattern(h, CO_SRC, 0x78);
    co_de(h);
    co_lr(h, 0, 0x01);
    dh_ccw(h, CMD_WD, CCW_FLAG_CC, REC_4K, CO_SRC);
    co_lr(h, 1, 0x06);
    dh_ccw(h, CMD_RKD, 0, REC_4K, CO_DST2);
    dh_run_ok(h);
    assert_memory_equal(h->buf + CO_DST2, h->buf + CO_SRC, REC_4K);
    dh_free(h);
}

/* The image file itself holds a directly written record at once (no
 * write-back pending), at the record's place in its track slot. */
static void
direct_write_reaches_the_image_slot(void **state)
{
    struct dh_opts o = {.seed = 4, .csense = true};
    struct dh *h = dh_new_eckd(0, EZ_CYLS, true, &o);
    const struct ckd_geom *g;
    struct ckd_record recs[16];
    uint8_t *trk;
    int n;

    (void)state;
    assert_non_null(h);
    g = ckd_img_geom(h->cimg);
    trk = malloc(g->trksize);
    assert_non_null(trk);
    co_pattern(h, CO_SRC, 0x99);
    co_write(h, CMD_WD, CO_SRC);
    assert_int_equal(ckd_img_read_track(h->cimg, CO_TRK / 15, CO_TRK % 15, trk),
                     0);
    n = ckd_track_parse(trk, g->trksize, recs, 16);
    assert_int_equal(n, 13);
    assert_int_equal(recs[CO_REC].rec, CO_REC);
    assert_memory_equal(trk + recs[CO_REC].offset + 8, h->buf + CO_SRC, REC_4K);
    free(trk);
    dh_free(h);
}

/*
 * A run of Read Data in one domain (records 1..12 of a track seen before,
 * so its record table is known): one image read puts every data field
 * straight into storage, and each lands where its own CCW says, the count
 * fields between them nowhere.  Records written first with a pattern
 * each, one program per record.  Then the same run with the eleventh CCW
 * wrong (count one short): the commands before it go in one read, it
 * ends the program with incorrect length, as CCW by CCW.
 */
#define RUN_RECS 12u
#define RUN_DST  0x40000u

static void
run_lr(struct dh *h, uint8_t count, uint8_t rec)
{
    co_de(h);
    ez_lr(h, 0x06, 0, count, CO_TRK, rec, 0, 0);
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
}

static void
read_run_goes_straight_in_one_read(void **state)
{
    struct dh_opts o = {.seed = 5, .csense = true};
    struct dh *h = dh_new_eckd(0, EZ_CYLS, true, &o);
    uint64_t d0, rd0, wr0, rd1, wr1;

    (void)state;
    assert_non_null(h);
    for (uint8_t r = 1; r <= RUN_RECS; r++) {
        co_pattern(h, CO_SRC, (uint8_t)(0x10 * r + 3));
        co_de(h);
        ez_lr(h, 0x01, 0, 1, CO_TRK, r, 0, 0);
        dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
        dh_ccw(h, CMD_WD, 0, REC_4K, CO_SRC);
        dh_run_ok(h);
    }
    memset(h->buf + RUN_DST, 0xEE, RUN_RECS * REC_4K + 64);
    d0 = co_direct(h);
    css_sch_bytes(h->sch, &rd0, &wr0);
    run_lr(h, RUN_RECS, 1);
    /* the fields far apart and out of order in storage */
    for (unsigned i = 0; i < RUN_RECS; i++)
        dh_ccw(h, CMD_RD, i + 1 < RUN_RECS ? CCW_FLAG_CC : 0, REC_4K,
               RUN_DST + (RUN_RECS - 1 - i) * REC_4K);
    dh_run_ok(h);
    css_sch_bytes(h->sch, &rd1, &wr1);
    assert_int_equal(rd1 - rd0, RUN_RECS * REC_4K);
    assert_int_equal(co_direct(h) - d0, RUN_RECS * REC_4K);
    for (unsigned i = 0; i < RUN_RECS; i++) {
        co_pattern(h, CO_SRC, (uint8_t)(0x10 * (i + 1) + 3));
        assert_memory_equal(h->buf + RUN_DST + (RUN_RECS - 1 - i) * REC_4K,
                            h->buf + CO_SRC, REC_4K);
    }
    assert_int_equal(h->buf[RUN_DST + RUN_RECS * REC_4K], 0xEE);

    /* CCW 10 of the run one byte short: nine go in one read, the tenth
     * stores its count and ends with incorrect length there */
    memset(h->buf + RUN_DST, 0xEE, RUN_RECS * REC_4K);
    run_lr(h, RUN_RECS, 1);
    for (unsigned i = 0; i < RUN_RECS; i++)
        dh_ccw(h, CMD_RD, i + 1 < RUN_RECS ? CCW_FLAG_CC : 0,
               i == 9 ? REC_4K - 1 : REC_4K, RUN_DST + i * REC_4K);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.cstat, SCHN_STAT_INCORR_LEN);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 2 + 9) + 8);
    assert_int_equal(h->irb.scsw.count, 0);
    co_pattern(h, CO_SRC, 0x10 * 10 + 3);
    assert_memory_equal(h->buf + RUN_DST + 9 * REC_4K, h->buf + CO_SRC,
                        REC_4K - 1);
    assert_int_equal(h->buf[RUN_DST + 10 * REC_4K], 0xEE);
    dh_free(h);
}

/* Two worlds on the same seed: a copies every byte through the track
 * buffer, b may go straight between image and storage. */
static void
two_worlds(uint64_t seed, struct dh **a, struct dh **b)
{
    struct dh_opts oa = {.seed = seed, .csense = true, .copy_data = true};
    struct dh_opts ob = {.seed = seed, .csense = true};

    *a = dh_new_eckd(0, EZ_CYLS, true, &oa);
    *b = dh_new_eckd(0, EZ_CYLS, true, &ob);
    assert_non_null(*a);
    assert_non_null(*b);
}

/*
 * Runs of Write Data on a track whose records the buffer knows go to the
 * image in one pwritev (eckd_write_chain), in a world free to go direct,
 * side by side with one that copies every byte through the buffer: after
 * every program the IRB and the whole guest area, at the end both images,
 * must be the same.  The programs: read R1..R12 (the track becomes
 * known), write a run R2..R7, read everything back, a run whose fourth CCW
 * is one byte short (the chain must stop before it: incorrect length
 * there, as CCW by CCW), a run with a transfer-length factor one record
 * does not match (invalid track format at that record), a run right after
 * another (the buffer forgot the first one's span), and reads of single
 * records and count fields between runs.
 */
static void
wr_run(struct dh *h, uint8_t first, uint8_t n, uint32_t src, int short_at,
       uint16_t tlf)
{
    co_de(h);
    ez_lr(h, 0x01, tlf ? 0x80 : 0, n, CO_TRK, first, tlf, 0);
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
    for (int i = 0; i < n; i++)
        dh_ccw(h, CMD_WD, i + 1 < n ? CCW_FLAG_CC : 0,
               i == short_at ? REC_4K - 1 : REC_4K, src + (uint32_t)i * REC_4K);
}

static void
rd_run(struct dh *h, uint8_t first, uint8_t n, uint32_t dst)
{
    run_lr(h, n, first);
    for (int i = 0; i < n; i++)
        dh_ccw(h, CMD_RD, i + 1 < n ? CCW_FLAG_CC : 0, REC_4K,
               dst + (uint32_t)i * REC_4K);
}

static void
wr_step(struct dh *a, struct dh *b, unsigned step,
        void (*build)(struct dh *h, unsigned step))
{
    unsigned n;
    int cca, ccb;

    build(a, step);
    build(b, step);
    n = a->prog.n;
    cca = dh_run(a);
    ccb = dh_run(b);
    ez_compare(a, b, cca, ccb, n, 0, step);
}

static void
wr_build(struct dh *h, unsigned step)
{
    for (uint32_t i = 0; i < 12; i++)
        co_pattern(h, CO_SRC + i * REC_4K, (uint8_t)(0x21 * step + i));
    switch (step % 6) {
    case 0:
        rd_run(h, 1, 12, RUN_DST);
        break;
    case 1:
        wr_run(h, 2, 6, CO_SRC, -1, 0);
        break;
    case 2:
        wr_run(h, 1, 9, CO_SRC, 3, 0);
        break;
    case 3:
        wr_run(h, 3, 8, CO_SRC, -1, REC_4K);
        break;
    case 4:
        wr_run(h, 6, 7, CO_SRC, -1, 0);
        break;
    default:
        co_read_count_data_prog(h, CO_DST);
        break;
    }
}

/* Record 1 of the next track: the device leaves CO_TRK (its layout stays
 * known, its bytes are no longer loaded). */
static void
other_track_build(struct dh *h, unsigned step)
{
    (void)step;
    ez_de(h, 0x00, CO_TRK + 1, CO_TRK + 1);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
    ez_lr(h, 0x06, 0, 1, CO_TRK + 1, 1, 0, 0);
    dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
    dh_ccw(h, CMD_RD, 0, REC_4K, CO_DST2);
}

static void
write_runs_agree_with_the_buffered_path(void **state)
{
    struct dh *a, *b;
    uint64_t d0;

    (void)state;
    two_worlds(6, &a, &b);
    wr_step(a, b, 0, wr_build); /* the track becomes known */
    d0 = co_direct(b);
    wr_step(a, b, 1, wr_build); /* R2..R7 in one write */
    assert_int_equal(co_direct(b) - d0, 6 * REC_4K);
    for (unsigned step = 2; step < 36; step++)
        wr_step(a, b, step, wr_build);
    /* back on CO_TRK after another track: the count fields between the
     * data fields are made from the record table, the run goes direct */
    wr_step(a, b, 0, other_track_build);
    d0 = co_direct(b);
    wr_step(a, b, 37, wr_build);
    assert_int_equal(co_direct(b) - d0, 6 * REC_4K);
    wr_step(a, b, 36, wr_build);
    ez_same_image(a, b);
    assert_int_equal(css_sch_bytes_direct(a->sch), 0);
    dh_free(a);
    dh_free(b);
}

/* Records of different lengths, and a domain whose transfer-length
 * factor is the first one's: a run of Write Data whose CCW counts match
 * each record must stop before the record the factor does not match (the
 * command there ends with invalid track format), not write it in the
 * run. */
static const uint16_t tlf_dl[5] = {2048, 2048, 1024, 2048, 2048};

static void
tlf_build(struct dh *h, unsigned step)
{
    uint32_t off = 0;

    for (uint32_t i = 0; i < 5 * REC_4K; i++)
        h->buf[CO_SRC + i] = (uint8_t)(i * 13 + step);
    switch (step) {
    case 0: /* format R1..R5 */
        ez_de(h, 0x00, CO_TRK, CO_TRK);
        dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, EZ_PARM);
        ez_lr(h, 0x43, 0, 5, CO_TRK, 0, 0, 0);
        dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
        for (unsigned i = 0; i < 5; i++) {
            uint8_t *c = h->buf + CO_DST2 + 16 * i;

            ez_trk(c, CO_TRK);
            c[4] = (uint8_t)(i + 1);
            c[5] = 0;
            zv_put_be16(c + 6, tlf_dl[i]);
            /* the count field alone, zero-filled (SLI), as Linux does */
            dh_ccw(h, CMD_WCKD, CCW_FLAG_SLI | (i + 1 < 5 ? CCW_FLAG_CC : 0), 8,
                   CO_DST2 + 16 * i);
        }
        break;
    case 1: /* read them: the track becomes known */
    case 3:
        run_lr(h, 5, 1);
        for (unsigned i = 0; i < 5; i++) {
            dh_ccw(h, CMD_RD, i + 1 < 5 ? CCW_FLAG_CC : 0, tlf_dl[i],
                   RUN_DST + off);
            off += tlf_dl[i];
        }
        break;
    default: /* R2..R4 with TLF 2048 */
        co_de(h);
        ez_lr(h, 0x01, 0x80, 3, CO_TRK, 2, 2048, 0);
        dh_ccw(h, CMD_LR, CCW_FLAG_CC, 16, EZ_PARM + 32);
        for (unsigned i = 1; i < 4; i++) {
            dh_ccw(h, CMD_WD, i < 3 ? CCW_FLAG_CC : 0, tlf_dl[i], CO_SRC + off);
            off += tlf_dl[i];
        }
        break;
    }
}

static void
write_run_stops_where_the_tlf_does_not_match(void **state)
{
    struct dh *a, *b;

    (void)state;
    two_worlds(7, &a, &b);
    for (unsigned step = 0; step < 4; step++) {
        wr_step(a, b, step, tlf_build);
        if (step != 2)
            assert_int_equal(b->irb.scsw.dstat, DH_OK);
        /* the write ends at R3 with a unit check (invalid track format),
         * R2 written: the CPA names R3's CCW */
        if (step == 2) {
            assert_true(b->irb.scsw.dstat & DEV_STAT_UNIT_CHECK);
            assert_int_equal(b->irb.scsw.cpa, dh_ccw_addr(b, 3) + 8);
        }
    }
    ez_same_image(a, b);
    dh_free(a);
    dh_free(b);
}

/* The image refuses writes from here on: its fd is made read-only under
 * the device (the same file, opened O_RDONLY, put in its place). */
static void
refuse_writes(struct dh *h)
{
    int ro = open(h->path, O_RDONLY | O_CLOEXEC);

    assert_true(ro >= 0);
    assert_true(dup2(ro, ckd_img_fd(h->cimg)) >= 0);
    close(ro);
}

/*
 * An image that refuses a write run: the run is undone and its commands
 * go one by one, so the failure surfaces where the buffered path reports
 * it (the new data kept in the track buffer, an equipment check when it
 * is written back).  Both worlds must end every program the same way, and
 * neither image may change.
 */
static void
write_run_into_an_image_that_refuses(void **state)
{
    struct dh *a, *b;
    size_t la, lb, la2, lb2;
    uint8_t *fa, *fb, *fa2, *fb2;

    (void)state;
    two_worlds(8, &a, &b);
    wr_step(a, b, 0, wr_build); /* the track becomes known */
    assert_int_equal(dev_dasd_flush(a->dev), 0);
    assert_int_equal(dev_dasd_flush(b->dev), 0);
    fa = ez_file(a->path, &la);
    fb = ez_file(b->path, &lb);
    refuse_writes(a);
    refuse_writes(b);
    wr_step(a, b, 1, wr_build);          /* a write run */
    wr_step(a, b, 0, wr_build);          /* read back (from the buffer) */
    wr_step(a, b, 0, other_track_build); /* written back: refused */
    wr_step(a, b, 37, wr_build); /* and again, on a track come back to */
    wr_step(a, b, 0, other_track_build);
    /* a format write of the track (the whole slot written back): refused,
     * and the track read with the new layout's lengths and the old one's */
    wr_step(a, b, 0, tlf_build);
    wr_step(a, b, 0, other_track_build);
    wr_step(a, b, 1, tlf_build);
    wr_step(a, b, 0, wr_build);
    /* what the image holds, twelve 4 KiB records, reads back whole */
    assert_int_equal(b->irb.scsw.dstat, DH_OK);
    assert_int_equal(b->irb.scsw.cstat, 0);
    fa2 = ez_file(a->path, &la2);
    fb2 = ez_file(b->path, &lb2);
    assert_int_equal(la, la2);
    assert_int_equal(lb, lb2);
    assert_memory_equal(fa, fa2, la);
    assert_memory_equal(fb, fb2, lb);
    free(fa);
    free(fb);
    free(fa2);
    free(fb2);
    dh_free(a);
    dh_free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(direct_write_then_buffered_and_direct_read),
        cmocka_unit_test(buffered_and_direct_writes_alternate_with_reads),
        cmocka_unit_test(read_data_after_buffered_write_in_one_chain),
        cmocka_unit_test(direct_write_reaches_the_image_slot),
        cmocka_unit_test(read_run_goes_straight_in_one_read),
        cmocka_unit_test(write_runs_agree_with_the_buffered_path),
        cmocka_unit_test(write_run_stops_where_the_tlf_does_not_match),
        cmocka_unit_test(write_run_into_an_image_that_refuses),
        cmocka_unit_test(eckd_fast_and_copying_paths_agree_on_random_programs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
