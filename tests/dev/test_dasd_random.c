/* SPDX-License-Identifier: MIT */
/*
 * Randomized read/write/verify against a shadow copy, through the guest
 * DASD library and the host CSS on the virtual loop, across FBA and ECKD
 * (CDL as built by the image layer, and volumes formatted by the guest in
 * LDL and CDL with other block sizes), with faults: random equipment
 * checks, unit checks injected mid-chain, and channel paths failing and
 * coming back at random instants while I/O runs.  A failing seed prints
 * itself; ZV_DEV_SEEDS=n runs n seeds per configuration, ZV_DEV_SEED=s
 * only seed s.
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

#define OPS        120
#define MAX_BLOCKS 48

struct rcase {
    const char *name;
    bool eckd;
    bool img_cdl;    /* CDL made by the image layer */
    uint32_t fmt_bs; /* ECKD: format in the guest with this block size */
    enum guest_dasd_layout fmt_layout;
    bool vfio; /* through a vfio-ccw mdev instead of straight on the CSS */
};

struct rctx {
    struct dh *h;
    struct guest_dasd *g;
    uint8_t *shadow;
    uint8_t *buf;
    uint32_t bs, rpt;
    uint64_t blocks;
    bool cdl;
    int failed_chp; /* -1 none */
    uint64_t seed;
    const char *name;
};

static uint64_t
rnd(struct rctx *c, uint64_t n)
{
    return zv_loop_rand_below(c->h->loop, n);
}

static void
restore_path(void *arg)
{
    struct rctx *c = arg;

    if (c->failed_chp >= 0)
        css_chp_set_failed(c->h->css, (uint8_t)c->failed_chp, false);
    c->failed_chp = -1;
}

/* One path fails at a random instant, and comes back later: the other
 * path stays, so every request must still complete. */
static void
fail_path(void *arg)
{
    struct rctx *c = arg;

    if (c->failed_chp >= 0)
        return;
    c->failed_chp = rnd(c, 2) ? DH_CHP1 : DH_CHP0;
    css_chp_set_failed(c->h->css, (uint8_t)c->failed_chp, true);
    zv_loop_after(c->h->loop, 50000 + rnd(c, 500000), restore_path, c);
}

static void
shadow_write(struct rctx *c, uint64_t blk, uint32_t n, const uint8_t *src)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *d = c->shadow + (blk + i) * c->bs;
        uint32_t len =
            c->cdl ? guest_dasd_cdl_reclen(c->rpt, c->bs, blk + i) : c->bs;

        memcpy(d, src + (size_t)i * c->bs, len);
        memset(d + len, 0xE5, c->bs - len);
    }
}

static void
fail_seed(struct rctx *c, int op, const char *what, int rc)
{
    fprintf(stderr,
            "FAILING SEED: config=%s seed=%" PRIu64 " op=%d %s rc=%d "
            "(rerun with ZV_DEV_SEED=%" PRIu64 ")\n",
            c->name, c->seed, op, what, rc, c->seed);
    if (c->g) {
        const uint8_t *sn = guest_dasd_last_sense(c->g);
        const struct guest_dasd_stats *st = guest_dasd_stats(c->g);

        fprintf(stderr,
                "  sense %02x %02x .. %02x; programs %" PRIu64
                " retries %" PRIu64 " unit checks %" PRIu64
                " path errors %" PRIu64 "\n",
                sn[0], sn[1], sn[7], st->programs, st->retries, st->unit_checks,
                st->path_errors);
    }
    fail();
}

static void
random_faults(struct rctx *c)
{
    uint64_t r = rnd(c, 5);

    if (r == 0)
        dev_dasd_inject_uc(c->h->dev, (uint32_t)rnd(c, 6), 0x10);
    else if (r == 1)
        zv_loop_after(c->h->loop, rnd(c, 200000), fail_path, c);
}

static void
one_op(struct rctx *c, int op)
{
    uint32_t n = 1 + (uint32_t)rnd(c, MAX_BLOCKS);
    uint64_t blk = rnd(c, c->blocks - n + 1);
    uint64_t kind = rnd(c, 10);
    size_t len = (size_t)n * c->bs;
    int rc;

    random_faults(c);
    if (kind < 4) {
        for (size_t i = 0; i < len; i++)
            c->buf[i] = (uint8_t)rnd(c, 256);
        rc = guest_dasd_write(c->g, blk, n, c->buf);
        if (rc)
            fail_seed(c, op, "write", rc);
        shadow_write(c, blk, n, c->buf);
    } else if (kind == 4 && !c->h->cimg) {
        rc = guest_dasd_discard(c->g, blk, n);
        if (rc)
            fail_seed(c, op, "discard", rc);
        memset(c->shadow + blk * c->bs, 0, len);
    } else {
        rc = guest_dasd_read(c->g, blk, n, c->buf);
        if (rc)
            fail_seed(c, op, "read", rc);
        if (memcmp(c->buf, c->shadow + blk * c->bs, len) != 0)
            fail_seed(c, op, "verify", 0);
    }
}

static struct dh *
make(const struct rcase *rc, uint64_t seed)
{
    struct dh_opts o = {.seed = seed, .csense = seed & 1, .vfio = rc->vfio};

    o.cfg.latency_ns = 20000;
    o.cfg.jitter_ns = 30000;
    o.cfg.eq_check_ppm = 500;
    if (!rc->eckd)
        return dh_new_fba(8192, &o);
    return dh_new_eckd(0, 6, rc->img_cdl, &o);
}

struct rtotals {
    uint64_t retries, path_errors;
};

static void
run_seed(const struct rcase *rcase, uint64_t seed, struct rtotals *t)
{
    struct rctx c = {.failed_chp = -1, .seed = seed, .name = rcase->name};
    const struct guest_dasd_info *info;

    c.h = make(rcase, seed);
    assert_non_null(c.h);
    if (guest_dasd_online(c.h->ch, &c.g))
        fail_seed(&c, -1, "online", -1);
    if (rcase->fmt_bs &&
        guest_dasd_format(c.g, rcase->fmt_bs, rcase->fmt_layout))
        fail_seed(&c, -1, "format", -1);
    info = guest_dasd_info(c.g);
    c.bs = info->blksize;
    c.rpt = info->rpt;
    c.blocks = info->blocks;
    c.cdl = info->layout == GUEST_LAYOUT_CDL;
    assert_true(c.blocks > MAX_BLOCKS);
    c.shadow = malloc(c.blocks * c.bs);
    c.buf = malloc((size_t)MAX_BLOCKS * c.bs);
    assert_non_null(c.shadow);
    assert_non_null(c.buf);
    if (guest_dasd_read(c.g, 0, (uint32_t)c.blocks, c.shadow))
        fail_seed(&c, -1, "initial read", -1);
    for (int op = 0; op < OPS; op++)
        one_op(&c, op);
    restore_path(&c);
    free(c.buf);
    c.buf = malloc(c.blocks * c.bs);
    assert_non_null(c.buf);
    if (guest_dasd_read(c.g, 0, (uint32_t)c.blocks, c.buf) ||
        memcmp(c.buf, c.shadow, c.blocks * c.bs) != 0)
        fail_seed(&c, OPS, "final verify", 0);
    free(c.buf);
    free(c.shadow);
    t->retries += guest_dasd_stats(c.g)->retries;
    t->path_errors += guest_dasd_stats(c.g)->path_errors;
    guest_dasd_offline(c.g);
    dh_free(c.h);
}

static void
run_case(const struct rcase *rc)
{
    const char *one = getenv("ZV_DEV_SEED");
    const char *cnt = getenv("ZV_DEV_SEEDS");
    uint64_t n = cnt ? strtoull(cnt, NULL, 0) : 4;
    struct rtotals t = {0};

    if (one) {
        run_seed(rc, strtoull(one, NULL, 0), &t);
        return;
    }
    for (uint64_t s = 1; s <= n; s++)
        run_seed(rc, s * 0x9E3779B97F4A7C15ull + (uint64_t)rc->name[0], &t);
    /* the faults really happened and were recovered from */
    assert_true(t.retries > 0);
    assert_true(t.path_errors > 0);
}

static const struct rcase c_fba = {"fba-512",         false, false, 0,
                                   GUEST_LAYOUT_NONE, false};
static const struct rcase c_cdl = {"eckd-cdl-4096-img", true, true, 0,
                                   GUEST_LAYOUT_NONE,   false};
static const struct rcase c_ldl512 = {"eckd-ldl-512",   true, false, 512,
                                      GUEST_LAYOUT_LDL, false};
static const struct rcase c_cdl1024 = {"eckd-cdl-1024",  true, false, 1024,
                                       GUEST_LAYOUT_CDL, false};
static const struct rcase c_ldl2048 = {"eckd-ldl-2048",  true, false, 2048,
                                       GUEST_LAYOUT_LDL, false};

static const struct rcase c_fba_vfio = {"fba-512-vfio",    false, false, 0,
                                        GUEST_LAYOUT_NONE, true};
static const struct rcase c_cdl_vfio = {"eckd-cdl-4096-vfio", true, true, 0,
                                        GUEST_LAYOUT_NONE,    true};

static void
random_rw_fba_512_through_vfio_ccw(void **state)
{
    run_case(&c_fba_vfio);
}

static void
random_rw_eckd_cdl_4096_through_vfio_ccw(void **state)
{
    run_case(&c_cdl_vfio);
}

static void
random_rw_fba_512(void **state)
{
    run_case(&c_fba);
}

static void
random_rw_eckd_cdl_4096(void **state)
{
    run_case(&c_cdl);
}

static void
random_rw_eckd_ldl_512(void **state)
{
    run_case(&c_ldl512);
}

static void
random_rw_eckd_cdl_1024(void **state)
{
    run_case(&c_cdl1024);
}

static void
random_rw_eckd_ldl_2048(void **state)
{
    run_case(&c_ldl2048);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_rw_fba_512),
        cmocka_unit_test(random_rw_eckd_cdl_4096),
        cmocka_unit_test(random_rw_eckd_ldl_512),
        cmocka_unit_test(random_rw_eckd_cdl_1024),
        cmocka_unit_test(random_rw_eckd_ldl_2048),
        cmocka_unit_test(random_rw_fba_512_through_vfio_ccw),
        cmocka_unit_test(random_rw_eckd_cdl_4096_through_vfio_ccw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
