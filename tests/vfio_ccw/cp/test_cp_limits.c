/* SPDX-License-Identifier: MIT */
/*
 * Translation limits (cp.h): CP_MAX_CCWS_PER_SEG guest CCWs per segment,
 * CP_MAX_SEGS segments, the largest IDAL a 16-bit count needs, and no
 * leak over many translate/free rounds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off) (H_GBASE + (off))

/* n NOPs chained at addr; the last one ends the chain unless chain_last. */
static void
nops(struct harness *h, uint64_t addr, unsigned n, bool chain_last)
{
    for (unsigned i = 0; i < n; i++) {
        bool last = i + 1 == n;

        h_ccw1(h, addr + 8ull * i, 0x03,
               (!last || chain_last) ? CCW_FLAG_CC : 0, 0, 0);
    }
}

static int
run(struct harness *h, uint32_t cpa, size_t *nccw)
{
    struct orb o = h_orb(cpa), host;
    struct cp *cp;
    int rc;

    rc = cp_translate(&h->env, &o, &cp, &host);
    if (rc == 0) {
        *nccw = cp_ccw_count(cp);
        cp_free(cp);
    }
    return rc;
}

static void
segment_of_256_ccws_is_accepted(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    nops(h, G(0), CP_MAX_CCWS_PER_SEG, false);
    assert_int_equal(run(h, G(0), &n), 0);
    assert_int_equal(n, CP_MAX_CCWS_PER_SEG);
}

static void
segment_of_257_ccws_is_e2big(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    nops(h, G(0), CP_MAX_CCWS_PER_SEG + 1, false);
    assert_int_equal(run(h, G(0), &n), -E2BIG);
}

/*
 * k segments: each 0x1000 apart, a NOP (CC) then a TIC to the next; the
 * last segment is one NOP.
 */
static void
segments(struct harness *h, unsigned k, unsigned per_seg)
{
    for (unsigned s = 0; s < k; s++) {
        uint64_t a = G(0x1000ull * s);
        bool last = s + 1 == k;

        nops(h, a, per_seg - (last ? 0 : 1), !last);
        if (!last)
            h_ccw1(h, a + 8ull * (per_seg - 1), CCW_CMD_TIC, 0, 0,
                   (uint32_t)G(0x1000ull * (s + 1)));
    }
}

static void
sixteen_segments_are_accepted(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    segments(h, CP_MAX_SEGS, 2);
    assert_int_equal(run(h, G(0), &n), 0);
    assert_int_equal(n, 2 * CP_MAX_SEGS);
}

static void
seventeen_segments_are_e2big(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    segments(h, CP_MAX_SEGS + 1, 2);
    assert_int_equal(run(h, G(0), &n), -E2BIG);
}

static void
largest_program_4096_ccws_is_accepted(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    segments(h, CP_MAX_SEGS, CP_MAX_CCWS_PER_SEG);
    assert_int_equal(run(h, G(0), &n), 0);
    assert_int_equal(n, CP_MAX_CCWS);
}

static void
count_65535_with_2k_idaws_uses_33(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    uint8_t *want = malloc(65535), *got = malloc(65535);
    uint32_t done = 0;
    struct cp *cp;

    o.i2k = true;
    h_ccw1(h, G(0), 0x02, CCW_FLAG_IDA, 65535, G(0x100));
    /* First IDAW one byte before a block end: 1 + 31 full + 1 left. */
    h_idaw2(h, G(0x100), G(0x107ff));
    for (unsigned i = 1; i < 33; i++)
        h_idaw2(h, G(0x100 + 8 * i), G(0x10800 + 0x800ull * (i - 1)));
    h_pattern(h, G(0x107ff), 65535);
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    assert_int_equal(h_host_gather(h, host.cpa, IDA_2K, got), 33);
    assert_int_equal(h->pins, 33);
    while (done < 65535) {
        uint32_t n = 65535 - done > 4096 ? 4096 : 65535 - done;

        h_guest_read(h, G(0x107ff) + done, want + done, n);
        done += n;
    }
    assert_memory_equal(want, got, 65535);
    cp_free(cp);
    free(want);
    free(got);
}

/*
 * The largest program the limits allow, every CCW moving 65535 bytes
 * through a shared 33-entry 2K IDAL: bounded work, exact pin count, and
 * all of it undone by cp_free.
 */
static void
largest_program_with_largest_idals_is_bounded(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    unsigned data_ccws = 0;
    struct cp *cp;

    o.i2k = true;
    h_idaw2(h, G(0xF0000), G(0x807ff));
    for (unsigned i = 1; i < 33; i++)
        h_idaw2(h, G(0xF0000 + 8 * i), G(0x80800 + 0x800ull * (i - 1)));
    for (unsigned s = 0; s < CP_MAX_SEGS; s++) {
        uint64_t a = G(0x1000ull * s);

        for (unsigned i = 0; i < CP_MAX_CCWS_PER_SEG - 1; i++, data_ccws++)
            h_ccw1(h, a + 8ull * i, 0x02, CCW_FLAG_IDA | CCW_FLAG_CC, 65535,
                   (uint32_t)G(0xF0000));
        if (s + 1 < CP_MAX_SEGS) {
            h_ccw1(h, a + 8ull * (CP_MAX_CCWS_PER_SEG - 1), CCW_CMD_TIC, 0, 0,
                   (uint32_t)G(0x1000ull * (s + 1)));
        } else {
            h_ccw1(h, a + 8ull * (CP_MAX_CCWS_PER_SEG - 1), 0x02, CCW_FLAG_IDA,
                   65535, (uint32_t)G(0xF0000));
            data_ccws++;
        }
    }
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), CP_MAX_CCWS);
    assert_int_equal(h->pins, 33 * data_ccws);
    cp_free(cp);
}

static void
thousand_rounds_leave_no_leak(void **state)
{
    struct harness *h = *state;
    size_t n = 0;

    segments(h, 4, 8);
    for (unsigned i = 0; i < 1000; i++)
        assert_int_equal(run(h, G(0), &n), 0);
    assert_int_equal(zv_arena_in_use(h->arena), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, h_setup, h_teardown)
    const struct CMUnitTest tests[] = {
        T(segment_of_256_ccws_is_accepted),
        T(segment_of_257_ccws_is_e2big),
        T(sixteen_segments_are_accepted),
        T(seventeen_segments_are_e2big),
        T(largest_program_4096_ccws_is_accepted),
        T(count_65535_with_2k_idaws_uses_33),
        T(largest_program_with_largest_idals_is_bounded),
        T(thousand_rounds_leave_no_leak),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
