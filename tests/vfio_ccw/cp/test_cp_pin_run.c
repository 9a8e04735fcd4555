/* SPDX-License-Identifier: MIT */
/*
 * pin_run (cp.h): one lookup per run of IDAWs that name consecutive guest
 * blocks.  It must change nothing but the number of lookups: the host
 * program (every byte of it) and every error are those of per-piece
 * pin() calls.  The DMA space here is two maps, like vfio-ccw's: the
 * guest buffer's low half and high half sit at host addresses that do
 * not follow one another, so a run across the seam cannot be one lookup.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off)   (H_GBASE + (off))
#define SEAM     0x80000u       /* offset of the second map */
#define HI_SHIFT 0x100000000ull /* the high half sits 4G further up */
#define HOLE     0x40000u       /* an unmapped page for the hole tests */
#define IDAL_AT  0x1000u        /* IDALs live in page 1 */
#define DATA_LO  0x10000u       /* data areas start here */

struct world {
    struct harness *h;
    long pins, runs; /* pin() and pin_run() calls */
    bool i2k;        /* ORB T: 2K format-2 IDAWs */
};

/* The two-map DMA space: any length inside one map, -EFAULT otherwise. */
static int
w_lookup(struct world *w, uint64_t iova, uint32_t len, uint64_t *habs)
{
    uint64_t off = iova - H_GBASE, end = off + len;

    if (iova < H_GBASE || len == 0 || end > H_GSIZE)
        return -EFAULT;
    if (off < HOLE + 0x1000 && end > HOLE)
        return -EFAULT;
    if (off < SEAM && end > SEAM)
        return -EFAULT;
    *habs = H_HBASE + off + (off >= SEAM ? HI_SHIFT : 0);
    return 0;
}

static int
w_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct world *w = ctx;

    w->pins++;
    /* The pin() contract is unchanged: never across a 4K page. */
    assert_true((iova >> 12) == ((iova + len - 1) >> 12));
    return w_lookup(w, iova, len, habs);
}

static int
w_pin_run(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct world *w = ctx;

    w->runs++;
    return w_lookup(w, iova, len, habs);
}

/* Translate with or without pin_run; copy the host block out. */
static int
w_translate(struct world *w, bool runs, uint8_t **block, uint64_t *len,
            uint64_t *addr)
{
    struct orb o = h_orb((uint32_t)G(0)), host;
    struct cp *cp;
    int rc;

    o.i2k = w->i2k;
    w->h->env.pin = w_pin;
    w->h->env.pin_run = runs ? w_pin_run : NULL;
    w->h->env.unpin = NULL;
    w->h->env.ctx = w;
    rc = cp_translate(&w->h->env, &o, &cp, &host);
    *block = NULL;
    if (rc)
        return rc;
    assert_int_equal(cp_verify(cp, NULL), 0);
    cp_host_block(cp, addr, len);
    *block = malloc(*len);
    assert_non_null(*block);
    assert_int_equal(zv_as_read(w->h->host_as, *addr, *block, *len), 0);
    cp_free(cp);
    return 0;
}

/* Both ways give the same rc and, on success, the same host program. */
static int
w_same(struct world *w, long *runs_used)
{
    uint8_t *a, *b;
    uint64_t alen, blen, aaddr, baddr;
    int ra, rb;

    w->pins = w->runs = 0;
    ra = w_translate(w, false, &a, &alen, &aaddr);
    assert_int_equal(w->runs, 0);
    w->pins = w->runs = 0;
    rb = w_translate(w, true, &b, &blen, &baddr);
    assert_int_equal(ra, rb);
    if (!ra) {
        /* The arena gives the freed block back: same address. */
        assert_int_equal(aaddr, baddr);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
    }
    if (runs_used)
        *runs_used = w->runs;
    free(a);
    free(b);
    return ra;
}

static struct world *
w_new(void)
{
    struct world *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    w->h = h_new();
    return w;
}

static void
w_free(struct world *w)
{
    h_free(w->h);
    free(w);
}

/* One 64 KiB-ish READ through 16 IDAWs naming pages in a row. */
static void
sixteen_consecutive_idaws_take_one_lookup(void **state)
{
    struct world *w = w_new();
    long runs;

    h_ccw1(w->h, G(0), 0x02, CCW_FLAG_IDA, 0xffff, (uint32_t)G(IDAL_AT));
    for (unsigned i = 0; i < 16; i++)
        h_idaw2(w->h, G(IDAL_AT) + 8 * i, G(DATA_LO) + 0x1000ull * i);
    w_same(w, &runs);
    assert_int_equal(runs, 1);
    assert_int_equal(w->pins, 0);
    w_free(w);
}

/* A run across the seam of two maps: pieces one by one, same program. */
static void
run_across_two_maps_falls_back_to_pieces(void **state)
{
    struct world *w = w_new();

    h_ccw1(w->h, G(0), 0x02, CCW_FLAG_IDA, 0x4000, (uint32_t)G(IDAL_AT));
    for (unsigned i = 0; i < 4; i++)
        h_idaw2(w->h, G(IDAL_AT) + 8 * i, G(SEAM - 0x2000) + 0x1000ull * i);
    w_same(w, NULL);
    assert_true(w->pins > 0);
    w_free(w);
}

/* A hole inside a run: the same -EFAULT as per-piece pins. */
static void
hole_inside_a_run_is_efault_either_way(void **state)
{
    struct world *w = w_new();
    uint8_t *blk;
    uint64_t len, addr;

    h_ccw1(w->h, G(0), 0x02, CCW_FLAG_IDA, 0x3000, (uint32_t)G(IDAL_AT));
    for (unsigned i = 0; i < 3; i++)
        h_idaw2(w->h, G(IDAL_AT) + 8 * i, G(HOLE - 0x1000) + 0x1000ull * i);
    w_same(w, NULL);
    assert_int_equal(w_translate(w, true, &blk, &len, &addr), -EFAULT);
    w_free(w);
}

/*
 * Random programs (a differential test over seeds): chains of READs and
 * WRITEs, direct or through IDALs whose IDAWs mostly follow one another
 * and sometimes jump, straddle the seam or the hole, with read backward
 * and 2K IDAWs in the mix.  Same result both ways, every seed.
 */
static uint32_t
w_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static void
w_random_program(struct world *w, uint64_t *s)
{
    static const uint8_t cmds[] = {0x02, 0x01, 0x0C, 0x02, 0x01};
    unsigned n = 1 + w_rand(s) % 6, idaw = 0;
    uint32_t bs;

    w->i2k = w_rand(s) % 4 == 0;
    bs = w->i2k ? 0x800u : 0x1000u;
    for (unsigned i = 0; i < n; i++) {
        uint8_t cmd = cmds[w_rand(s) % sizeof(cmds)];
        uint8_t flags = i + 1 < n ? CCW_FLAG_CC : 0;
        uint16_t count = (uint16_t)(1 + w_rand(s) % 0x6000);
        uint64_t a = G(DATA_LO) + (w_rand(s) % 0xe0) * (uint64_t)bs;

        if (w_rand(s) % 8 == 0) /* near the seam or the hole */
            a = G(w_rand(s) % 2 ? SEAM : HOLE) - bs * (1 + w_rand(s) % 3);
        a += cmd == 0x0C ? bs - 1 : w_rand(s) % bs;
        if (w_rand(s) % 3 == 0) {
            h_ccw1(w->h, G(8 * i), cmd, flags, count, (uint32_t)a);
            continue;
        }
        h_ccw1(w->h, G(8 * i), cmd, flags | CCW_FLAG_IDA, count,
               (uint32_t)G(IDAL_AT + 8 * idaw));
        for (unsigned k = 0; k < 34 && idaw < 500; k++, idaw++) {
            h_idaw2(w->h, G(IDAL_AT + 8 * idaw), a);
            a = cmd == 0x0C ? (a | (bs - 1)) - bs
                            : (a & ~(uint64_t)(bs - 1)) + bs;
            if (w_rand(s) % 10 == 0) /* a jump breaks the run */
                a += bs * (1 + w_rand(s) % 4);
        }
    }
}

static void
random_programs_same_result_both_ways(void **state)
{
    long ok = 0, failed = 0, runs = 0, used;

    for (uint64_t seed = 1; seed <= 400; seed++) {
        struct world *w = w_new();
        uint64_t s = seed;

        w_random_program(w, &s);
        if (w_same(w, &used))
            failed++;
        else
            ok++;
        runs += used;
        h_assert_clean(w->h);
        w_free(w);
    }
    /* The seeds reach both outcomes and the runs path really runs. */
    print_message("%ld translated, %ld refused, %ld runs\n", ok, failed, runs);
    assert_true(ok >= 100 && failed >= 20 && runs >= ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sixteen_consecutive_idaws_take_one_lookup),
        cmocka_unit_test(run_across_two_maps_falls_back_to_pieces),
        cmocka_unit_test(hole_inside_a_run_is_efault_either_way),
        cmocka_unit_test(random_programs_same_result_both_ways),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
