/* SPDX-License-Identifier: MIT */
/*
 * Zero-copy image I/O (css_io_iov, the FBA model's direct path) against
 * the copying path, as a differential test over seeds: two worlds, the
 * same random FBA channel programs, one world with css_config.copy_data
 * (every byte through the bounce buffer), the other free to go straight
 * between image and storage.  After every program the SSCH result, the
 * whole SCSW (residual count, CPA, status), the whole guest data area and
 * the image must be the same in both.  The programs mix reads and writes,
 * data chaining, counts that do not match the located blocks (incorrect
 * length, short transfers), skip, SLI, PCI, and IDALs whose IDAWs are
 * consecutive, scattered, misaligned or name storage that is not there
 * (a channel-program check after part of the data moved), and reads whose
 * area ends on their own next CCW: everything the fast path must either
 * do exactly or refuse.  ZV_DEV_SEEDS=n for more.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev_harness.h"

#define ZC_BLOCKS 4096u
#define ZC_OPS    40
#define ZC_DE_OFF 0xF8000u /* DE and Locate parameters */

#define CMD_DE   0x63
#define CMD_LO   0x43
#define CMD_READ 0x42
#define CMD_WRT  0x41

/* Define Extent over [blk, blk+n) and Locate of `lo_n` blocks at 0. */
static void
zc_params(struct dh *h, bool wr, uint32_t blk, uint32_t n, uint32_t lo_n)
{
    uint8_t *p = h->buf + ZC_DE_OFF;

    memset(p, 0, 24);
    p[0] = wr ? 0x00 : 0x40;
    zv_put_be16(p + 2, 512);
    zv_put_be32(p + 4, blk);
    zv_put_be32(p + 12, n - 1);
    p[16] = wr ? 0x01 : 0x06;
    zv_put_be16(p + 18, (uint16_t)lo_n);
}

static void
zc_program(struct dh *h, struct dh_rng *r)
{
    bool wr = dh_rand(r, 2);
    uint32_t n = 1 + dh_rand(r, 24);
    uint32_t blk = dh_rand(r, ZC_BLOCKS - n);
    uint32_t lo_n = dh_rand(r, 8) ? n : 1 + dh_rand(r, n + 2);
    uint32_t total = n * 512u, nccw = 1 + dh_rand(r, 6);

    if (dh_rand(r, 5) == 0)
        total = 1 + dh_rand(r, n * 512u + 1024u);
    zc_params(h, wr, blk, n, lo_n);
    dh_ccw(h, CMD_DE, CCW_FLAG_CC, 16, ZC_DE_OFF);
    dh_ccw(h, CMD_LO, CCW_FLAG_CC, 8, ZC_DE_OFF + 16);
    for (unsigned i = 0; i < nccw; i++) {
        bool last = i + 1 == nccw;
        uint32_t c = last ? total : 1 + dh_rand(r, total);
        uint8_t flags = last ? 0 : CCW_FLAG_CD;
        uint32_t off;

        if (c > total)
            c = total;
        if (c > 0xffff)
            c = 0xffff;
        if (c == 0)
            c = 1;
        total = total > c ? total - c : 1;
        if (dh_rand(r, 6) == 0)
            flags |= CCW_FLAG_SLI;
        if (!wr && dh_rand(r, 8) == 0)
            flags |= CCW_FLAG_SKIP;
        if (dh_rand(r, 10) == 0)
            flags |= CCW_FLAG_PCI;
        if (!wr && !last && c >= CCW_SIZE && dh_rand(r, 8) == 0) {
            /* a read into its own program: the area ends on the next
             * CCW, which the channel then fetches as the image made it
             * (both worlds must see the stored bytes: the fast path
             * refuses, the windows on the CCWs read live storage) */
            uint64_t next = dh_ccw_addr(h, 2 + i + 1);

            guest_prog_add(&h->prog, CMD_READ, flags, (uint16_t)c,
                           (uint32_t)(next + CCW_SIZE - c));
            continue;
        }
        if (dh_rand(r, 2)) {
            flags |= CCW_FLAG_IDA;
            off = dh_zc_idal(h, r, i, c, 20);
        } else {
            off = dh_rand(r, DH_ZC_DATA);
        }
        /* data chaining keeps the command of the first CCW */
        dh_ccw(h, wr ? CMD_WRT : CMD_READ, flags, (uint16_t)c, off);
    }
}

static void
zc_fill(struct dh *h, uint64_t seed)
{
    struct dh_rng r = {seed * 7919u};

    for (uint32_t i = 0; i < DH_ZC_DATA; i++)
        h->buf[i] = (uint8_t)dh_rand(&r, 256);
}

static void
zc_same_image(struct dh *a, struct dh *b)
{
    static uint8_t x[64 * 512], y[64 * 512];

    for (uint32_t blk = 0; blk < ZC_BLOCKS; blk += 64) {
        assert_int_equal(fba_img_read(a->fimg, blk, 64, x), 0);
        assert_int_equal(fba_img_read(b->fimg, blk, 64, y), 0);
        assert_memory_equal(x, y, sizeof(x));
    }
}

static void
zc_seed(uint64_t seed, uint64_t *direct)
{
    struct dh_opts oa = {.seed = seed, .csense = true, .copy_data = true};
    /* Even seeds: the direct world's image transfers report back through
     * the loop (as on io_uring), so its commands are held until then. */
    struct dh_opts ob = {.seed = seed, .csense = true, .defer = seed % 2 == 0};
    struct dh *a = dh_new_fba(ZC_BLOCKS, &oa), *b = dh_new_fba(ZC_BLOCKS, &ob);
    struct dh_rng ra = {seed}, rb = {seed};
    uint64_t rd_a, wr_a, rd_b, wr_b;

    assert_non_null(a);
    assert_non_null(b);
    assert_false(zv_as_check(a->as, DH_ZC_NOWHERE, 1, ZV_MEM_READ));
    zc_fill(a, seed);
    zc_fill(b, seed);
    for (unsigned op = 0; op < ZC_OPS; op++) {
        int cca, ccb;

        zc_program(a, &ra);
        zc_program(b, &rb);
        cca = dh_run(a);
        ccb = dh_run(b);
        if (b->deferred) {
            dh_irb_pci_neutral(&a->irb);
            dh_irb_pci_neutral(&b->irb);
        }
        if (cca != ccb ||
            memcmp(&a->irb.scsw, &b->irb.scsw, sizeof(a->irb.scsw)) ||
            memcmp(a->buf, b->buf, DH_BUF_SZ))
            fprintf(stderr, "zero-copy: seed %" PRIu64 " op %u differs\n", seed,
                    op);
        assert_int_equal(cca, ccb);
        assert_memory_equal(&a->irb.scsw, &b->irb.scsw, sizeof(a->irb.scsw));
        assert_memory_equal(a->buf, b->buf, DH_BUF_SZ);
    }
    zc_same_image(a, b);
    css_sch_bytes(a->sch, &rd_a, &wr_a);
    css_sch_bytes(b->sch, &rd_b, &wr_b);
    assert_int_equal(rd_a, rd_b);
    assert_int_equal(wr_a, wr_b);
    /* The copying world never went direct; the other one did, some. */
    assert_int_equal(css_sch_bytes_direct(a->sch), 0);
    assert_true(css_sch_bytes_direct(b->sch) <= rd_b + wr_b);
    *direct += css_sch_bytes_direct(b->sch);
    /* a deferred world held commands (their transfers ran on) */
    assert_true(!b->deferred || dev_dasd_held(b->dev) > 0);
    assert_int_equal(dev_dasd_held(a->dev), 0);
    dh_free(a);
    dh_free(b);
}

static void
fast_and_copying_paths_agree_on_random_programs(void **state)
{
    const char *env = getenv("ZV_DEV_SEEDS");
    unsigned seeds = env ? (unsigned)atoi(env) : 40;
    uint64_t direct = 0;

    for (uint64_t s = 1; s <= seeds; s++)
        zc_seed(s, &direct);
    print_message("%" PRIu64 " bytes moved without a copy\n", direct);
    assert_true(direct > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_and_copying_paths_agree_on_random_programs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
