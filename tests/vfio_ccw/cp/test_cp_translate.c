/* SPDX-License-Identifier: MIT */
/* cp_translate: host program shape and data reach for valid programs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off) (H_GBASE + (off))

static int
setup(void **state)
{
    struct h_tx *f = calloc(1, sizeof(*f));

    f->h = h_new();
    *state = f;
    return 0;
}

static void
translate(struct h_tx *f, const struct orb *o)
{
    assert_int_equal(cp_translate(&f->h->env, o, &f->cp, &f->host), 0);
    assert_non_null(f->cp);
    assert_true(f->host.cpa >= H_ARENA && f->host.cpa < H_ARENA + H_ARENA_SZ);
    assert_true(f->host.fmt);
    assert_true(f->host.c64);
}

/* The host CCW that stands for guest CCW number i of the first segment. */
static uint64_t
hslot(const struct h_tx *f, unsigned i)
{
    return f->host.cpa + (uint64_t)i * CCW_SIZE;
}

/*
 * A CCW that moves no data points at the program's sink: an IDAL inside
 * the program's own arena block whose IDAWs all name one block of it.
 */
static void
assert_sink(struct h_tx *f, struct ccw1 c)
{
    uint64_t addr, len, idaw;

    cp_host_block(f->cp, &addr, &len);
    assert_true(c.flags & CCW_FLAG_IDA);
    assert_true(c.cda >= addr && c.cda < addr + len);
    idaw = h_host_idaw(f->h, c.cda);
    assert_true(idaw >= addr && idaw + IDA_4K <= addr + len);
    assert_int_equal(idaw % IDA_4K, 0);
    assert_int_equal(cp_verify(f->cp, NULL), 0);
}

/* Host walk of slot i gives exactly the guest bytes at iova. */
static int
check_data(struct h_tx *f, uint64_t slot, uint64_t iova, uint32_t len)
{
    uint8_t *want = malloc(len), *got = malloc(len);
    uint32_t bs = f->host.i2k ? IDA_2K : IDA_4K;
    int n;

    h_guest_read(f->h, iova, want, len);
    n = h_host_gather(f->h, slot, bs, got);
    assert_true(n > 0);
    assert_memory_equal(want, got, len);
    free(want);
    free(got);
    return n;
}

static void
direct_write_becomes_format2_idal(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_SLI, 100, G(0x1010));
    h_pattern(f->h, G(0x1010), 100);
    o.c64 = false; /* a direct program carries no IDAW format */
    translate(f, &o);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_int_equal(c.cmd, 0x01);
    assert_int_equal(c.flags, CCW_FLAG_SLI | CCW_FLAG_IDA);
    assert_int_equal(c.count, 100);
    assert_false(f->host.i2k); /* no guest IDAL: 4K host blocks */
    assert_int_equal(check_data(f, hslot(f, 0), G(0x1010), 100), 1);
    assert_int_equal(h_host_idaw(f->h, c.cda), H_HBASE + 0x1010);
    assert_int_equal(f->h->pins, 1);
    assert_int_equal(cp_ccw_count(f->cp), 1);
    /* Everything else of the ORB as the guest gave it. */
    assert_int_equal(f->host.intparm, o.intparm);
    assert_int_equal(f->host.lpm, o.lpm);
    assert_int_equal(f->host.key, o.key);
    assert_true(f->host.pfch);
}

static void
direct_area_across_pages_gets_one_idaw_per_page(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));

    h_ccw1(f->h, G(0), 0x02, 0, 7000, G(0x1800));
    h_pattern(f->h, G(0x1800), 7000);
    translate(f, &o);
    /* 0x800 to the first page end, 4096, then 856. */
    assert_int_equal(check_data(f, hslot(f, 0), G(0x1800), 7000), 3);
    assert_int_equal(f->h->pins, 3);
    assert_true(cp_iova_pinned(f->cp, G(0x2000), 1));
    assert_true(cp_iova_pinned(f->cp, G(0x1000), 0x800)); /* same page */
    assert_false(cp_iova_pinned(f->cp, G(0x4000), 0x1000));
    assert_false(cp_iova_pinned(f->cp, G(0x0), 0x1000));
}

static void
format2_4k_idal_keeps_guest_pieces(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    uint8_t want[8000], got[8000];
    struct ccw1 c;

    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_IDA, 8000, G(0x100));
    /* Scattered, out of order pages; the first starts mid-block. */
    h_idaw2(f->h, G(0x100), G(0x5f00));
    h_idaw2(f->h, G(0x108), G(0x3000));
    h_idaw2(f->h, G(0x110), G(0x9000));
    h_pattern(f->h, G(0x5f00), 0x100);
    h_pattern(f->h, G(0x3000), 4096);
    h_pattern(f->h, G(0x9000), 4096);
    translate(f, &o);
    assert_false(f->host.i2k);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_int_equal(c.flags, CCW_FLAG_IDA);
    assert_int_equal(h_host_gather(f->h, hslot(f, 0), IDA_4K, got), 3);
    h_guest_read(f->h, G(0x5f00), want, 0x100);
    h_guest_read(f->h, G(0x3000), want + 0x100, 4096);
    h_guest_read(f->h, G(0x9000), want + 0x1100, 8000 - 0x1100);
    assert_memory_equal(want, got, sizeof(want));
    assert_int_equal(h_host_idaw(f->h, c.cda), H_HBASE + 0x5f00);
}

static void
format2_2k_idal_sets_host_i2k(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    uint8_t want[3000], got[3000];

    o.i2k = true;
    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 3000, G(0x200));
    h_idaw2(f->h, G(0x200), G(0x4400));
    h_idaw2(f->h, G(0x208), G(0x7800));
    h_pattern(f->h, G(0x4400), 0x400);
    h_pattern(f->h, G(0x7800), 2048);
    translate(f, &o);
    assert_true(f->host.i2k);
    assert_int_equal(h_host_gather(f->h, hslot(f, 0), IDA_2K, got), 2);
    h_guest_read(f->h, G(0x4400), want, 0x400);
    h_guest_read(f->h, G(0x7800), want + 0x400, 3000 - 0x400);
    assert_memory_equal(want, got, sizeof(want));
}

static void
format1_idal_becomes_2k_format2(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    uint8_t want[2500], got[2500];

    o.c64 = false;
    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_IDA, 2500, G(0x204));
    h_idaw1(f->h, G(0x204), (uint32_t)G(0x6100));
    h_idaw1(f->h, G(0x208), (uint32_t)G(0x8800));
    h_pattern(f->h, G(0x6100), 0x700);
    h_pattern(f->h, G(0x8800), 2048);
    translate(f, &o);
    assert_true(f->host.c64);
    assert_true(f->host.i2k);
    assert_int_equal(h_host_gather(f->h, hslot(f, 0), IDA_2K, got), 2);
    h_guest_read(f->h, G(0x6100), want, 0x700);
    h_guest_read(f->h, G(0x8800), want + 0x700, 2500 - 0x700);
    assert_memory_equal(want, got, sizeof(want));
}

static void
format0_program_becomes_format1(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0x100));
    struct ccw1 c;

    o.fmt = false;
    h_ccw0(f->h, G(0x100), 0x01, CCW_FLAG_CC, 16, G(0x3000));
    h_ccw0(f->h, G(0x108), 0xF8, 0xFF, 0xFFFF, G(0x200)); /* TIC */
    h_ccw0(f->h, G(0x200), 0x02, CCW_FLAG_SLI, 32, G(0x3100));
    translate(f, &o);
    assert_true(f->host.fmt);
    assert_int_equal(cp_ccw_count(f->cp), 3);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_int_equal(c.cmd, 0x01);
    assert_int_equal(c.flags, CCW_FLAG_CC | CCW_FLAG_IDA);
    assert_int_equal(c.count, 16);
    check_data(f, hslot(f, 0), G(0x3000), 16);
    /* Format-0 TIC normalised: 0x08, no flags, no count. */
    c = h_host_ccw(f->h, hslot(f, 1));
    assert_int_equal(c.cmd, CCW_CMD_TIC);
    assert_int_equal(c.flags, 0);
    assert_int_equal(c.count, 0);
    /* Target: the second segment (after segment 1's tail slot). */
    assert_int_equal(c.cda, hslot(f, 3));
    c = h_host_ccw(f->h, c.cda);
    assert_int_equal(c.cmd, 0x02);
    assert_int_equal(c.count, 32);
    check_data(f, hslot(f, 3), G(0x3100), 32);
}

static void
data_chain_keeps_counts_one_to_one(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_CD, 10, G(0x2000));
    h_ccw1(f->h, G(8), 0x00, CCW_FLAG_CD, 20, G(0x2800));
    h_ccw1(f->h, G(16), 0x00, CCW_FLAG_CC, 30, G(0x3000));
    h_ccw1(f->h, G(24), 0x03, CCW_FLAG_SLI, 1, 0); /* NOP */
    translate(f, &o);
    assert_int_equal(cp_ccw_count(f->cp), 4);
    for (unsigned i = 0; i < 3; i++) {
        c = h_host_ccw(f->h, hslot(f, i));
        assert_int_equal(c.count, 10 * (i + 1));
    }
    check_data(f, hslot(f, 1), G(0x2800), 20);
    /* NOP moves nothing: no pin, and its address is the sink. */
    c = h_host_ccw(f->h, hslot(f, 3));
    assert_int_equal(c.cmd, 0x03);
    assert_int_equal(c.flags, CCW_FLAG_SLI | CCW_FLAG_IDA);
    assert_sink(f, c);
    assert_int_equal(f->h->pins, 3);
    /* Tail guard after the last CCW: invalid command 0. */
    c = h_host_ccw(f->h, hslot(f, 4));
    assert_int_equal(c.cmd, 0);
}

static void
skip_on_input_and_count0_pin_nothing(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    /* The data addresses are not even mapped: nothing may look. */
    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_SKIP | CCW_FLAG_CC, 100, 0x7000000);
    h_ccw1(f->h, G(8), 0x01, CCW_FLAG_CC, 0, 0x7000000);
    h_ccw1(f->h, G(16), 0x02, CCW_FLAG_CD, 10, G(0x2000));
    /* data-chained: the READ stays in force, so SKIP applies; a status
     * modifier at G(8) enters it by command chaining: a READ too */
    h_ccw1(f->h, G(24), 0x02, CCW_FLAG_SKIP | CCW_FLAG_IDA, 10, 0x7000000);
    translate(f, &o);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_int_equal(c.flags, CCW_FLAG_SKIP | CCW_FLAG_CC | CCW_FLAG_IDA);
    assert_sink(f, c);
    c = h_host_ccw(f->h, hslot(f, 1));
    assert_int_equal(c.count, 0);
    assert_int_equal(c.cda, 0);
    c = h_host_ccw(f->h, hslot(f, 3));
    assert_int_equal(c.flags, CCW_FLAG_SKIP | CCW_FLAG_IDA);
    assert_sink(f, c);
    assert_int_equal(f->h->pins, 1);
}

/*
 * A status modifier at a command-chained CCW makes the channel skip the
 * next one (css-pop.md §5.3): the CCW after it is then entered by command
 * chaining and runs its own command.  A WRITE with SKIP data-chained
 * under a READ moves nothing, but entered that way it sends its area to
 * the device: the translation must cover it (pinned, so outside the DMA
 * map the program is refused).
 */
static void
status_modifier_entry_is_translated_too(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(8), 0x02, CCW_FLAG_CD, 10, G(0x2000));
    h_ccw1(f->h, G(16), 0x01, CCW_FLAG_SKIP, 10, 0x7000000);
    assert_int_equal(cp_translate(&f->h->env, &o, &f->cp, &f->host), -EFAULT);
    assert_null(f->cp);
    h_ccw1(f->h, G(16), 0x01, CCW_FLAG_SKIP, 10, G(0x3000));
    translate(f, &o);
    c = h_host_ccw(f->h, hslot(f, 2));
    assert_int_equal(c.flags, CCW_FLAG_SKIP | CCW_FLAG_IDA);
    check_data(f, hslot(f, 2), G(0x3000), 10);
    assert_int_equal(cp_verify(f->cp, NULL), 0);
}

static void
skip_on_write_is_ignored_and_pins(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_SKIP, 64, G(0x2000));
    translate(f, &o);
    check_data(f, hslot(f, 0), G(0x2000), 64);
    assert_int_equal(f->h->pins, 1);
}

static void
tic_backward_loop_stays_in_segment(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0x100));
    struct ccw1 c;

    /* Search loop: SEARCH (CC), TIC *-8, READ reached by a status-
     * modifier skip over the TIC. */
    h_ccw1(f->h, G(0x100), 0x31, CCW_FLAG_CC, 5, G(0x2000));
    h_ccw1(f->h, G(0x108), CCW_CMD_TIC, 0, 0, G(0x100));
    h_ccw1(f->h, G(0x110), 0x06, 0, 512, G(0x3000));
    translate(f, &o);
    assert_int_equal(cp_ccw_count(f->cp), 3);
    c = h_host_ccw(f->h, hslot(f, 1));
    assert_int_equal(c.cmd, CCW_CMD_TIC);
    assert_int_equal(c.cda, hslot(f, 0));
    c = h_host_ccw(f->h, hslot(f, 2));
    assert_int_equal(c.cmd, 0x06);
    check_data(f, hslot(f, 2), G(0x3000), 512);
}

static void
tic_across_segments_and_into_middle(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0x100));
    struct ccw1 c;

    h_ccw1(f->h, G(0x100), 0x01, CCW_FLAG_CC, 1, G(0x2000));
    h_ccw1(f->h, G(0x108), 0x01, CCW_FLAG_CC, 1, G(0x2001));
    h_ccw1(f->h, G(0x110), CCW_CMD_TIC, 0, 0, G(0x800));
    h_ccw1(f->h, G(0x800), 0x01, CCW_FLAG_CC, 1, G(0x2002));
    h_ccw1(f->h, G(0x808), CCW_CMD_TIC, 0, 0, G(0x108)); /* middle */
    translate(f, &o);
    assert_int_equal(cp_ccw_count(f->cp), 5);
    /* Segment 0: 3 CCWs + tail; segment 1 starts at slot 4. */
    c = h_host_ccw(f->h, hslot(f, 2));
    assert_int_equal(c.cda, hslot(f, 4));
    c = h_host_ccw(f->h, hslot(f, 5));
    assert_int_equal(c.cmd, CCW_CMD_TIC);
    assert_int_equal(c.cda, hslot(f, 1));
    check_data(f, hslot(f, 4), G(0x2002), 1);
}

static void
run_into_known_segment_gets_host_tic(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0x100));
    struct ccw1 c;

    /* A = 0x100: NOP (CC), TIC to 0xF0.  B = 0xF0, 0xF8 run into A. */
    h_ccw1(f->h, G(0x100), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(0x108), CCW_CMD_TIC, 0, 0, G(0xF0));
    h_ccw1(f->h, G(0xF0), 0x01, CCW_FLAG_CC, 4, G(0x2000));
    h_ccw1(f->h, G(0xF8), 0x01, CCW_FLAG_CC, 4, G(0x2004));
    translate(f, &o);
    /* Each guest CCW once: 2 + 2. */
    assert_int_equal(cp_ccw_count(f->cp), 4);
    c = h_host_ccw(f->h, hslot(f, 1));
    assert_int_equal(c.cda, hslot(f, 3));
    c = h_host_ccw(f->h, hslot(f, 5)); /* B's tail */
    assert_int_equal(c.cmd, CCW_CMD_TIC);
    assert_int_equal(c.cda, hslot(f, 0));
}

static void
run_into_segment_starting_with_tic_skips_it(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0x100));
    struct ccw1 c;

    /* A = 0x100: TIC to 0x400.  B = 0x400: WRITE (CC), TIC 0xF8.
     * C = 0xF8: WRITE (CC) runs into A's TIC: the host tail goes
     * straight to B, never TIC to TIC. */
    h_ccw1(f->h, G(0x100), CCW_CMD_TIC, 0, 0, G(0x400));
    h_ccw1(f->h, G(0x400), 0x01, CCW_FLAG_CC, 4, G(0x2000));
    h_ccw1(f->h, G(0x408), CCW_CMD_TIC, 0, 0, G(0xF8));
    h_ccw1(f->h, G(0xF8), 0x01, CCW_FLAG_CC, 4, G(0x2004));
    translate(f, &o);
    assert_int_equal(cp_ccw_count(f->cp), 4);
    /* slots: A[0] tail[1], B[2..3] tail[4], C[5] tail[6] */
    c = h_host_ccw(f->h, hslot(f, 6));
    assert_int_equal(c.cmd, CCW_CMD_TIC);
    assert_int_equal(c.cda, hslot(f, 2));
}

static void
read_backward_direct_and_idal(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    /* Direct: address names the rightmost byte; 0x1100 bytes ending at
     * G(0x30ff) cover [0x2000, 0x30ff]: two pieces. */
    h_ccw1(f->h, G(0), 0x0C, CCW_FLAG_CC, 0x1100, G(0x30ff));
    /* IDAL: first IDAW mid-block, next at the last byte of a block. */
    h_ccw1(f->h, G(8), 0x0C, CCW_FLAG_IDA, 0x300, G(0x500));
    h_idaw2(f->h, G(0x500), G(0x60ff));
    h_idaw2(f->h, G(0x508), G(0x8fff));
    translate(f, &o);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_int_equal(h_host_idaw(f->h, c.cda), H_HBASE + 0x30ff);
    assert_int_equal(h_host_idaw(f->h, c.cda + 8), H_HBASE + 0x2fff);
    c = h_host_ccw(f->h, hslot(f, 1));
    assert_int_equal(h_host_idaw(f->h, c.cda), H_HBASE + 0x60ff);
    assert_int_equal(h_host_idaw(f->h, c.cda + 8), H_HBASE + 0x8fff);
    assert_true(cp_iova_pinned(f->cp, G(0x6000), 1));
    assert_true(cp_iova_pinned(f->cp, G(0x8000), 1));
    assert_int_equal(f->h->pins, 4);
}

static void
suspend_flag_without_orb_s_passes_to_host(void **state)
{
    struct h_tx *f = *state;
    struct orb o = h_orb(G(0));
    struct ccw1 c;

    /* Without ORB S the flag is a program check the host reports. */
    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_SUSPEND, 4, G(0x2000));
    translate(f, &o);
    c = h_host_ccw(f->h, hslot(f, 0));
    assert_true(c.flags & CCW_FLAG_SUSPEND);
    assert_false(f->host.spnd);
}

static void
null_program_is_harmless(void **state)
{
    struct scsw s = {.cpa = H_ARENA};

    cp_free(NULL);
    assert_int_equal(cp_ccw_count(NULL), 0);
    assert_false(cp_iova_pinned(NULL, 0, 1));
    /* No program: no host address may pass through either. */
    cp_update_scsw(NULL, &s);
    assert_int_equal(s.cpa, 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, h_tx_teardown)
    const struct CMUnitTest tests[] = {
        T(direct_write_becomes_format2_idal),
        T(direct_area_across_pages_gets_one_idaw_per_page),
        T(format2_4k_idal_keeps_guest_pieces),
        T(format2_2k_idal_sets_host_i2k),
        T(format1_idal_becomes_2k_format2),
        T(format0_program_becomes_format1),
        T(data_chain_keeps_counts_one_to_one),
        T(skip_on_input_and_count0_pin_nothing),
        T(skip_on_write_is_ignored_and_pins),
        T(status_modifier_entry_is_translated_too),
        T(tic_backward_loop_stays_in_segment),
        T(tic_across_segments_and_into_middle),
        T(run_into_known_segment_gets_host_tic),
        T(run_into_segment_starting_with_tic_skips_it),
        T(read_backward_direct_and_idal),
        T(suspend_flag_without_orb_s_passes_to_host),
        cmocka_unit_test(null_program_is_harmless),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
