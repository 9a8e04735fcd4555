/* SPDX-License-Identifier: MIT */
/*
 * One regression test per upstream translation-path fix listed in
 * vfio-ccw.md §4.8, named after the fix.  (The region-index, workqueue,
 * not-operational cleanup and locking fixes of that table are FSM/region
 * matters and live with the vfio_ccw driver tests.)
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

/*
 * CVE-2026-80550 "Fix out of bounds check on CCW array": the length loop
 * looked at a 257th CCW.  256 chaining CCWs that end exactly at the end of
 * the DMA map must give -E2BIG (limit), not -EFAULT (a read past them).
 */
static void
cve_2026_80550_oob_ccw_array_never_reads_ccw_257(void **state)
{
    struct harness *h = *state;
    uint64_t start = G(H_GSIZE - 8 * CP_MAX_CCWS_PER_SEG);
    struct orb o = h_orb((uint32_t)start), host;
    struct cp *cp;

    for (unsigned i = 0; i < CP_MAX_CCWS_PER_SEG; i++)
        h_ccw1(h, start + 8 * i, 0x03, CCW_FLAG_CC, 0, 0);
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), -E2BIG);
    /* The same program ending on CCW 256 fits exactly. */
    h_ccw1(h, start + 8 * (CP_MAX_CCWS_PER_SEG - 1), 0x03, 0, 0, 0);
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), CP_MAX_CCWS_PER_SEG);
    cp_free(cp);
}

/*
 * CVE-2026-80554 "Limit the number of channel program segments": TIC
 * chains made the kernel recurse without bound.  A program whose every
 * CCW TICs to a new segment is cut at CP_MAX_SEGS, whatever its length.
 */
static void
cve_2026_80554_segment_limit_bounds_tic_chains(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct cp *cp;

    /* 1000 TIC hops, each target a fresh segment (TIC, not TIC to TIC:
     * the targets are NOPs that chain to the next TIC). */
    for (unsigned i = 0; i < 1000; i++) {
        h_ccw1(h, G(0x10 * i), 0x03, CCW_FLAG_CC, 0, 0);
        h_ccw1(h, G(0x10 * i + 8), CCW_CMD_TIC, 0, 0,
               (uint32_t)G(0x10 * (i + 1) + 0x8000));
        h_ccw1(h, G(0x10 * (i + 1) + 0x8000), 0x03, CCW_FLAG_CC, 0, 0);
        h_ccw1(h, G(0x10 * (i + 1) + 0x8008), CCW_CMD_TIC, 0, 0,
               (uint32_t)G(0x10 * (i + 1)));
    }
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), -E2BIG);
    assert_null(cp);
}

/*
 * CVE-2026-80555 "Free all memory if cp_init() fails": earlier segments
 * leaked when a later one failed.  Fail in the 6th segment (after five
 * segments with pinned-to-be data) and at the last pin: nothing left.
 */
static void
cve_2026_80555_failure_in_late_segment_frees_all(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct cp *cp;

    for (unsigned s = 0; s < 6; s++) {
        uint64_t a = G(0x1000 * s);
        uint32_t next = s < 5 ? (uint32_t)G(0x1000 * (s + 1)) : 0x01000000u;

        h_ccw1(h, a, 0x01, CCW_FLAG_CC, 100, (uint32_t)G(0x20000 + s));
        h_ccw1(h, a + 8, CCW_CMD_TIC, 0, 0, next); /* last: unmapped */
    }
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), -EFAULT);
    assert_null(cp);
    /* Now make it valid and fail the very last pin instead. */
    h_ccw1(h, G(0x5008), 0x03, 0, 0, 0);
    h->fail_pin_at = 6;
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), -ENOMEM);
    assert_null(cp);
    h_assert_clean(h);
}

/* A guest vCPU rewriting its program while the translator runs. */
static void
rewrite_idal_and_ccws(struct harness *h, uint64_t iova)
{
    h_idaw2(h, G(0x100), G(0x9000));
    h_idaw2(h, G(0x108), G(0xA000));
    h_ccw1(h, G(0), 0x02, CCW_FLAG_IDA, 0xFFFF, G(0x100));
}

/*
 * CVE-2026-80551 "Ensure first IDAW remains constant": the first IDAW was
 * read once to size the IDAL and again to copy it.  Here the guest
 * changes the IDAL (and the CCW) as soon as the first pin happens; the
 * host program must be built entirely from the one snapshot: IDAW count,
 * addresses and the CCW count all from the first read.
 */
static void
cve_2026_80551_first_idaw_constant_single_snapshot(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct ccw1 c;
    struct cp *cp;

    h_ccw1(h, G(0), 0x02, CCW_FLAG_IDA, 7000, G(0x100));
    h_idaw2(h, G(0x100), G(0x2800)); /* 0x800 bytes, then 4096, then 856 */
    h_idaw2(h, G(0x108), G(0x5000));
    h_idaw2(h, G(0x110), G(0x7000));
    h->hook = rewrite_idal_and_ccws;
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    c = h_host_ccw(h, host.cpa);
    assert_int_equal(c.count, 7000);
    assert_int_equal(h_host_idaw(h, c.cda), H_HBASE + 0x2800);
    assert_int_equal(h_host_idaw(h, c.cda + 8), H_HBASE + 0x5000);
    assert_int_equal(h_host_idaw(h, c.cda + 16), H_HBASE + 0x7000);
    assert_int_equal(h->pin_calls, 3);
    assert_false(cp_iova_pinned(cp, G(0x9000), 0x2000));
    cp_free(cp);
}

/*
 * "Calculate idal length based on idaw type": format-1 IDALs were read as
 * 8-byte entries.  A two-entry format-1 IDAL that ends exactly at the end
 * of the DMA map must translate (8 bytes read, not 16).
 */
static void
idal_length_by_idaw_type_format1_at_map_end(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    uint64_t idal = G(H_GSIZE - 8);
    struct ccw1 c;
    struct cp *cp;

    o.c64 = false;
    h_ccw1(h, G(0), 0x01, CCW_FLAG_IDA, 3000, (uint32_t)idal);
    h_idaw1(h, idal, (uint32_t)G(0x3000));
    h_idaw1(h, idal + 4, (uint32_t)G(0x3800));
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    c = h_host_ccw(h, host.cpa);
    assert_true(host.i2k);
    assert_int_equal(h_host_idaw(h, c.cda), H_HBASE + 0x3000);
    assert_int_equal(h_host_idaw(h, c.cda + 8), H_HBASE + 0x3800);
    cp_free(cp);
}

/*
 * 2024 "Fix target addresses of TIC CCWs": a TIC's host CDA and the CPA
 * mapping used a truncated address.  With the host program just under
 * 2G, every host TIC must name the host CCW of its target exactly, with
 * bit 0 clear, and the round trip through cp_update_scsw gives the guest
 * address back.
 */
static void
tic_target_addresses_2024_are_exact_31bit_host_addresses(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0x100)), host;
    struct scsw s;
    struct ccw1 c;
    struct cp *cp;

    h_ccw1(h, G(0x100), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(h, G(0x108), CCW_CMD_TIC, 0, 0, G(0xF000));
    h_ccw1(h, G(0xF000), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(h, G(0xF008), CCW_CMD_TIC, 0, 0, G(0x100));
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    assert_true(host.cpa >= H_ARENA && host.cpa < 0x80000000u);
    c = h_host_ccw(h, host.cpa + 8);
    assert_int_equal(c.cda, host.cpa + 24); /* slot 3: segment 2 */
    assert_int_equal(c.cda & 0x80000000u, 0);
    c = h_host_ccw(h, c.cda + 8);
    assert_int_equal(c.cda, host.cpa);
    s = (struct scsw){.cpa = host.cpa + 24 + 16};
    cp_update_scsw(cp, &s);
    assert_int_equal(s.cpa, G(0xF010));
    cp_free(cp);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, h_setup, h_teardown)
    const struct CMUnitTest tests[] = {
        T(cve_2026_80550_oob_ccw_array_never_reads_ccw_257),
        T(cve_2026_80554_segment_limit_bounds_tic_chains),
        T(cve_2026_80555_failure_in_late_segment_frees_all),
        T(cve_2026_80551_first_idaw_constant_single_snapshot),
        T(idal_length_by_idaw_type_format1_at_map_end),
        T(tic_target_addresses_2024_are_exact_31bit_host_addresses),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
