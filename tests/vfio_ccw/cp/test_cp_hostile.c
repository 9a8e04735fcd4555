/* SPDX-License-Identifier: MIT */
/*
 * Hostile channel programs: loops, fan-in, self-reference, programs that
 * rewrite themselves while being translated, address-space edges, and a
 * deterministic stream of random programs.  Each must end in a defined
 * result with nothing leaked.
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

static int
run(struct harness *h, const struct orb *o, struct cp **cp, struct orb *host)
{
    int rc = cp_translate(&h->env, o, cp, host);

    if (rc)
        assert_null(*cp);
    return rc;
}

static void
tic_ping_pong_between_segments_translates_once(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct ccw1 c;
    struct cp *cp;

    /* An endless loop for the channel; each CCW is translated once. */
    h_ccw1(h, G(0), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(h, G(8), CCW_CMD_TIC, 0, 0, G(0x800));
    h_ccw1(h, G(0x800), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(h, G(0x808), CCW_CMD_TIC, 0, 0, G(0));
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), 4);
    c = h_host_ccw(h, host.cpa + 8 * 4); /* B's TIC */
    assert_int_equal(c.cda, host.cpa);
    cp_free(cp);
}

/* Block i at 0x100 * i: NOP (CC), TIC to block i + 1; the last of n
 * TICs to "far" at 0x8000, a NOP (CC) that TICs back to block back. */
static void
block_chain(struct harness *h, unsigned n, unsigned back)
{
    for (unsigned i = 0; i < n; i++) {
        uint32_t next = (uint32_t)(i + 1 < n ? G(0x100 * (i + 1)) : G(0x8000));

        h_ccw1(h, G(0x100 * i), 0x03, CCW_FLAG_CC, 0, 0);
        h_ccw1(h, G(0x100 * i + 8), CCW_CMD_TIC, 0, 0, next);
    }
    h_ccw1(h, G(0x8000), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(h, G(0x8008), CCW_CMD_TIC, 0, 0, (uint32_t)G(0x100 * back));
}

static void
tic_fan_in_reuses_segments_up_to_the_limit(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct cp *cp;

    /* 15 blocks + far = 16 segments; far TICs back into block 3, which
     * two TICs now target. */
    block_chain(h, 15, 3);
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), 32);
    cp_free(cp);
    /* One block more is one segment too many. */
    block_chain(h, 16, 3);
    assert_int_equal(run(h, &o, &cp, &host), -E2BIG);
}

static void
idal_and_data_pointing_into_the_program_itself(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    uint8_t want[24], got[24];
    struct cp *cp;

    /* A WRITE whose data is its own CCW and IDAL: legal, it just sends
     * program bytes. */
    h_ccw1(h, G(0), 0x01, CCW_FLAG_IDA, 24, G(0x8));
    h_idaw2(h, G(0x8), G(0x0));
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(h_host_gather(h, host.cpa, IDA_4K, got), 1);
    h_guest_read(h, G(0), want, sizeof(want));
    assert_memory_equal(want, got, sizeof(want));
    assert_true(cp_iova_pinned(cp, G(0), 8));
    cp_free(cp);
}

static void
every_idaw_naming_the_same_page_pins_it_each_time(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct cp *cp;

    o.i2k = true;
    h_ccw1(h, G(0), 0x02, CCW_FLAG_IDA, 8192, G(0x100));
    for (unsigned i = 0; i < 4; i++)
        h_idaw2(h, G(0x100 + 8 * i), G(0x4000));
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(h->pins, 4);
    cp_free(cp);
}

static void
program_rewritten_after_translation_leaves_host_program(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    uint8_t before[64], after[64];
    struct cp *cp;

    h_ccw1(h, G(0), 0x01, CCW_FLAG_CC, 16, G(0x1000));
    h_ccw1(h, G(8), 0x02, CCW_FLAG_IDA, 16, G(0x100));
    h_idaw2(h, G(0x100), G(0x2000));
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(zv_as_read(h->host_as, host.cpa, before, 64), 0);
    /* Prefetch semantics (vfio-ccw.md §4.2): self-modification after
     * the start is not seen. */
    h_ccw1(h, G(0), CCW_CMD_TIC, 0, 0, G(0));
    h_ccw1(h, G(8), 0x01, CCW_FLAG_IDA, 0xFFFF, 0x7000000);
    h_idaw2(h, G(0x100), 0x12345678000ull);
    assert_int_equal(zv_as_read(h->host_as, host.cpa, after, 64), 0);
    assert_memory_equal(before, after, 64);
    cp_free(cp);
}

/* Inside pin(): turn the program into TIC-to-TIC and a wild IDAL. */
static void
corrupt_everything(struct harness *h, uint64_t iova)
{
    h_ccw1(h, G(0), CCW_CMD_TIC, 0, 0, G(8));
    h_ccw1(h, G(8), CCW_CMD_TIC, 0, 0, G(0));
    h_idaw2(h, G(0x100), UINT64_MAX - 7);
    h_idaw2(h, G(0x108), 0);
}

/*
 * All CCWs are snapshotted before the first pin, and a CCW's IDAL before
 * its own pins: a guest rewriting them from then on changes nothing.
 */
static void
program_rewritten_during_translation_uses_the_snapshot(void **state)
{
    struct harness *h = *state;
    struct orb o = h_orb(G(0)), host;
    struct ccw1 c;
    struct cp *cp;

    h_ccw1(h, G(0), 0x02, CCW_FLAG_CC | CCW_FLAG_IDA, 5000, G(0x100));
    h_ccw1(h, G(8), 0x01, 0, 16, G(0x1000));
    h_idaw2(h, G(0x100), G(0x2800));
    h_idaw2(h, G(0x108), G(0x3000));
    h->hook = corrupt_everything;
    assert_int_equal(run(h, &o, &cp, &host), 0);
    c = h_host_ccw(h, host.cpa);
    assert_int_equal(c.cmd, 0x02);
    assert_int_equal(c.count, 5000);
    assert_int_equal(h_host_idaw(h, c.cda), H_HBASE + 0x2800);
    assert_int_equal(h_host_idaw(h, c.cda + 8), H_HBASE + 0x3000);
    c = h_host_ccw(h, host.cpa + 8);
    assert_int_equal(c.cmd, 0x01);
    assert_int_equal(h_host_idaw(h, c.cda), H_HBASE + 0x1000);
    cp_free(cp);
}

static void
chain_crossing_2g_is_einval(void **state)
{
    struct harness *h = *state;
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(0x7ffffff8u), host;
    struct cp *cp;

    assert_int_equal(
        zv_as_map(h->iova, 0x7ffff000u, sizeof(page), page, ZV_MEM_RW), 0);
    h_ccw1(h, 0x7ffffff8u, 0x03, CCW_FLAG_CC, 0, 0);
    assert_int_equal(run(h, &o, &cp, &host), -EINVAL);
    h_ccw1(h, 0x7ffffff8u, 0x03, 0, 0, 0);
    assert_int_equal(run(h, &o, &cp, &host), 0);
    cp_free(cp);
}

static void
format0_chain_crossing_16m_is_einval(void **state)
{
    struct harness *h = *state;
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(0xfffff8u), host;
    struct cp *cp;

    o.fmt = false;
    assert_int_equal(
        zv_as_map(h->iova, 0xfff000u, sizeof(page), page, ZV_MEM_RW), 0);
    h_ccw0(h, 0xfffff8u, 0x03, CCW_FLAG_CC, 1, 0);
    assert_int_equal(run(h, &o, &cp, &host), -EINVAL);
}

static void
read_only_program_mapping_is_enough(void **state)
{
    struct harness *h = *state;
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(0x2000000u), host;
    struct ccw1 c = {.cmd = 0x03};
    struct cp *cp;

    ccw1_encode(&c, page);
    assert_int_equal(
        zv_as_map(h->iova, 0x2000000u, sizeof(page), page, ZV_MEM_READ), 0);
    assert_int_equal(run(h, &o, &cp, &host), 0);
    cp_free(cp);
}

static void
write_only_program_mapping_is_efault(void **state)
{
    struct harness *h = *state;
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(0x2000000u), host;
    struct cp *cp;

    assert_int_equal(
        zv_as_map(h->iova, 0x2000000u, sizeof(page), page, ZV_MEM_WRITE), 0);
    assert_int_equal(run(h, &o, &cp, &host), -EFAULT);
}

static void
program_split_across_two_mappings_translates(void **state)
{
    struct harness *h = *state;
    static uint8_t pages[2][4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(0x3000ff0u), host;
    struct cp *cp;

    /* Two separate mappings, adjacent in IOVA: the fetch window must
     * not assume one mapping. */
    assert_int_equal(zv_as_map(h->iova, 0x3000000u, 4096, pages[0], ZV_MEM_RW),
                     0);
    assert_int_equal(zv_as_map(h->iova, 0x3001000u, 4096, pages[1], ZV_MEM_RW),
                     0);
    for (unsigned i = 0; i < 4; i++)
        h_ccw1(h, 0x3000ff0u + 8 * i, 0x03, i < 3 ? CCW_FLAG_CC : 0, 0, 0);
    assert_int_equal(run(h, &o, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), 4);
    cp_free(cp);
}

static void
idal_spanning_two_mappings_is_read_in_pieces(void **state)
{
    struct harness *h = *state;
    static uint8_t pages[2][4096] __attribute__((aligned(4096)));
    struct orb o = h_orb(G(0)), host;
    struct ccw1 c;
    struct cp *cp;

    /* The IDAL's two entries sit on both sides of a mapping boundary. */
    assert_int_equal(zv_as_map(h->iova, 0x3000000u, 4096, pages[0], ZV_MEM_RW),
                     0);
    assert_int_equal(zv_as_map(h->iova, 0x3001000u, 4096, pages[1], ZV_MEM_RW),
                     0);
    h_ccw1(h, G(0), 0x01, CCW_FLAG_IDA, 5000, 0x3000ff8u);
    h_idaw2(h, 0x3000ff8u, G(0x2000));
    h_idaw2(h, 0x3001000u, G(0x5000));
    assert_int_equal(run(h, &o, &cp, &host), 0);
    c = h_host_ccw(h, host.cpa);
    assert_int_equal(h_host_idaw(h, c.cda), H_HBASE + 0x2000);
    assert_int_equal(h_host_idaw(h, c.cda + 8), H_HBASE + 0x5000);
    cp_free(cp);
}

/* xorshift: deterministic, no global state. */
static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*
 * Random programs biased to look like programs: CCWs with random flags,
 * counts and addresses mostly inside the buffer, TICs, IDALs.  Every
 * result is a defined one and nothing leaks.
 */
static void
random_programs_end_in_defined_results(void **state)
{
    struct harness *h = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned ok = 0;

    for (unsigned round = 0; round < 2000; round++) {
        struct orb o = h_orb(G(8 * (next_rand(&seed) % 64))), host;
        struct cp *cp;
        int rc;

        o.fmt = next_rand(&seed) % 8 != 0;
        o.c64 = next_rand(&seed) % 2;
        o.i2k = next_rand(&seed) % 2;
        for (unsigned i = 0; i < 128; i++) {
            uint64_t r = next_rand(&seed);
            uint8_t cmd = (r % 5 == 0) ? CCW_CMD_TIC : (uint8_t)(r >> 8);
            uint8_t flags = (uint8_t)(r >> 16) & ~CCW_FLAG_MIDA;
            uint32_t cda = (uint32_t)G(((r >> 24) % 0x2000) & ~7ull);

            if (cmd == CCW_CMD_TIC)
                flags = 0;
            h_ccw1(h, G(8 * i), cmd, flags, (uint16_t)(r >> 40), cda);
        }
        for (unsigned i = 0; i < 256; i++)
            h_idaw2(h, G(0x1000 + 8 * i), G((next_rand(&seed) % 0xF0) << 12));
        rc = run(h, &o, &cp, &host);
        assert_true(rc == 0 || rc == -EINVAL || rc == -EFAULT || rc == -E2BIG ||
                    rc == -EOPNOTSUPP);
        if (rc == 0) {
            ok++;
            cp_free(cp);
        }
        h_assert_clean(h);
    }
    /* The generator must reach the success path too. */
    assert_true(ok > 20);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, h_setup, h_teardown)
    const struct CMUnitTest tests[] = {
        T(tic_ping_pong_between_segments_translates_once),
        T(tic_fan_in_reuses_segments_up_to_the_limit),
        T(idal_and_data_pointing_into_the_program_itself),
        T(every_idaw_naming_the_same_page_pins_it_each_time),
        T(program_rewritten_after_translation_leaves_host_program),
        T(program_rewritten_during_translation_uses_the_snapshot),
        T(chain_crossing_2g_is_einval),
        T(format0_chain_crossing_16m_is_einval),
        T(read_only_program_mapping_is_enough),
        T(write_only_program_mapping_is_efault),
        T(program_split_across_two_mappings_translates),
        T(idal_spanning_two_mappings_is_read_in_pieces),
        T(random_programs_end_in_defined_results),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
