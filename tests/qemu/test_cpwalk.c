/* SPDX-License-Identifier: MIT */
/*
 * qemu/cpwalk: the ranges a channel program may have stored into (TCG
 * coherence, docs/qemu.md), on programs laid out in a fake guest memory
 * with src/arch's encoders: direction by command class, data chaining
 * keeping the first command's direction, command chaining, TIC, IDAWs of
 * both formats and block sizes, read backward, skip, and the walk's
 * bounds on faults and loops.
 */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapter.h"
#include "arch/ccw.h"
#include "base/bytes.h"

#define MEM_SIZE  0x20000u
#define MAX_RANGE 64

static uint8_t mem[MEM_SIZE];
static struct {
    uint64_t addr, len;
} got[MAX_RANGE];
static unsigned ngot;

static int
mem_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    if (addr >= MEM_SIZE || len > MEM_SIZE - addr)
        return -EFAULT;
    memcpy(buf, mem + addr, len);
    return 0;
}

static void
mem_range(void *opaque, uint64_t addr, uint64_t len)
{
    assert_true(ngot < MAX_RANGE);
    got[ngot].addr = addr;
    got[ngot].len = len;
    ngot++;
}

static const struct zq_cp_ops ops = {mem_read, mem_range, NULL};

static int
reset(void **state)
{
    memset(mem, 0, sizeof(mem));
    memset(got, 0, sizeof(got));
    ngot = 0;
    return 0;
}

static void
ccw(uint32_t at, uint8_t cmd, uint8_t flags, uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw1_encode(&c, mem + at);
}

static void
ccw0(uint32_t at, uint8_t cmd, uint8_t flags, uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw0_encode(&c, mem + at);
}

static void
expect(unsigned i, uint64_t addr, uint64_t len)
{
    assert_true(i < ngot);
    assert_int_equal(got[i].addr, addr);
    assert_int_equal(got[i].len, len);
}

static struct orb
fmt1(uint32_t cpa)
{
    return (struct orb){.fmt = true, .pfch = true, .c64 = true, .cpa = cpa};
}

static void
input_commands_only(void **state)
{
    struct orb o = fmt1(0x100);

    ccw(0x100, 0x01, CCW_FLAG_CC, 100, 0x1000); /* write */
    ccw(0x108, 0x02, CCW_FLAG_CC, 512, 0x2000); /* read */
    ccw(0x110, 0x03, CCW_FLAG_CC, 16, 0x3000);  /* control */
    ccw(0x118, CCW_CMD_BASIC_SENSE, CCW_FLAG_CC, 32, 0x4000);
    ccw(0x120, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 40, 0x5000);
    assert_int_equal(zq_cp_walk(&o, &ops), 5);
    assert_int_equal(ngot, 3);
    expect(0, 0x2000, 512);
    expect(1, 0x4000, 32);
    expect(2, 0x5000, 40);
}

static void
data_chaining_keeps_direction(void **state)
{
    struct orb o = fmt1(0x100);

    /* a read data-chained into a CCW whose command says write: still a
     * read (the command code of a data-chained CCW is ignored) */
    ccw(0x100, 0x02, CCW_FLAG_CD, 100, 0x1000);
    ccw(0x108, 0x01, CCW_FLAG_CC, 200, 0x2000);
    /* and a write data-chained into "read": no storage written */
    ccw(0x110, 0x01, CCW_FLAG_CD, 10, 0x3000);
    ccw(0x118, 0x02, 0, 20, 0x4000);
    assert_int_equal(zq_cp_walk(&o, &ops), 4);
    assert_int_equal(ngot, 2);
    expect(0, 0x1000, 100);
    expect(1, 0x2000, 200);
}

static void
tic_followed_and_tic_to_tic_ends(void **state)
{
    struct orb o = fmt1(0x100);

    ccw(0x100, 0x02, CCW_FLAG_CC, 8, 0x1000);
    ccw(0x108, CCW_CMD_TIC, 0, 0, 0x800);
    ccw(0x800, 0x06, CCW_FLAG_CC, 16, 0x2000); /* a read, modifier bits */
    ccw(0x808, CCW_CMD_TIC, 0, 0, 0x900);
    ccw(0x900, CCW_CMD_TIC, 0, 0, 0xa00); /* TIC to TIC: program check */
    ccw(0xa00, 0x02, 0, 16, 0x3000);
    assert_int_equal(zq_cp_walk(&o, &ops), 4);
    assert_int_equal(ngot, 2);
    expect(0, 0x1000, 8);
    expect(1, 0x2000, 16);
}

static void
idaw_format1_2k(void **state)
{
    struct orb o = fmt1(0x100);

    o.c64 = false;
    ccw(0x100, 0x02, CCW_FLAG_IDA, 5000, 0x4000);
    zv_put_be32(mem + 0x4000, 0x8100);
    zv_put_be32(mem + 0x4004, 0x9000);
    zv_put_be32(mem + 0x4008, 0xa000);
    zq_cp_walk(&o, &ops);
    assert_int_equal(ngot, 3);
    expect(0, 0x8100, 0x700);
    expect(1, 0x9000, 0x800);
    expect(2, 0xa000, 5000 - 0x700 - 0x800);
}

static void
idaw_format2_4k_and_2k(void **state)
{
    struct orb o = fmt1(0x100);

    ccw(0x100, 0x02, CCW_FLAG_IDA, 6000, 0x4000);
    zv_put_be64(mem + 0x4000, 0x8100);
    zv_put_be64(mem + 0x4008, 0xa000);
    zq_cp_walk(&o, &ops);
    assert_int_equal(ngot, 2);
    expect(0, 0x8100, 0xf00);
    expect(1, 0xa000, 6000 - 0xf00);

    reset(NULL);
    o.i2k = true;
    ccw(0x100, 0x02, CCW_FLAG_IDA, 3000, 0x4000);
    zv_put_be64(mem + 0x4000, 0x8100);
    zv_put_be64(mem + 0x4008, 0x9000);
    zq_cp_walk(&o, &ops);
    assert_int_equal(ngot, 2);
    expect(0, 0x8100, 0x700);
    expect(1, 0x9000, 3000 - 0x700);
}

static void
read_backward_and_skip(void **state)
{
    struct orb o = fmt1(0x100);

    ccw(0x100, 0x0c, CCW_FLAG_CC, 0x100, 0x5fff); /* data ends at cda */
    ccw(0x108, 0x02, CCW_FLAG_SKIP | CCW_FLAG_CC, 0x100, 0x6000);
    ccw(0x110, 0x02, 0, 0, 0x7000); /* count 0: nothing */
    assert_int_equal(zq_cp_walk(&o, &ops), 3);
    assert_int_equal(ngot, 1);
    expect(0, 0x5f00, 0x100);
}

static void
format0_program(void **state)
{
    struct orb o = {.cpa = 0x100}; /* format 0: the firmware's IPL */

    ccw0(0x100, 0x02, CCW_FLAG_CC, 24, 0x000000);
    ccw0(0x108, CCW_CMD_TIC, 0, 0, 0x200);
    ccw0(0x200, 0x02, 0, 0x40, 0x012345);
    assert_int_equal(zq_cp_walk(&o, &ops), 3);
    assert_int_equal(ngot, 2);
    expect(0, 0, 24);
    expect(1, 0x012345, 0x40);
}

static void
bounded_on_faults_and_loops(void **state)
{
    struct orb o = fmt1(MEM_SIZE); /* CPA outside guest memory */

    assert_int_equal(zq_cp_walk(&o, &ops), 0);
    o.cpa = 0x104; /* not doubleword aligned */
    assert_int_equal(zq_cp_walk(&o, &ops), 0);
    /* a chain running off the end of memory stops there */
    o.cpa = MEM_SIZE - 8;
    ccw(MEM_SIZE - 8, 0x02, CCW_FLAG_CC, 4, 0x1000);
    assert_int_equal(zq_cp_walk(&o, &ops), 1);
    /* an invalid command ends the program */
    o.cpa = 0x100;
    ccw(0x100, 0x00, CCW_FLAG_CC, 4, 0x1000);
    assert_int_equal(zq_cp_walk(&o, &ops), 0);
    /* an IDAW list outside memory reports nothing past it */
    ngot = 0;
    ccw(0x100, 0x02, CCW_FLAG_IDA, 100, MEM_SIZE - 4);
    o.c64 = true;
    assert_int_equal(zq_cp_walk(&o, &ops), 1);
    assert_int_equal(ngot, 0);
    /* a program that loops for ever (legal: the guest halts it) */
    ccw(0x100, 0x03, CCW_FLAG_CC, 1, 0x1000);
    ccw(0x108, CCW_CMD_TIC, 0, 0, 0x100);
    assert_int_equal(zq_cp_walk(&o, &ops), ZQ_CP_MAX_CCWS);
}

static void
ranges_merge_touching_and_overlapping(void **state)
{
    static struct zq_ranges rs;

    rs.n = 0;
    /* consecutive 4K IDAW blocks become one range */
    for (uint64_t a = 0x10000; a < 0x20000; a += 0x1000)
        zq_ranges_add(&rs, a, 0x1000);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].addr, 0x10000);
    assert_int_equal(rs.r[0].len, 0x10000);
    /* the same area again, and one inside it, add nothing */
    zq_ranges_add(&rs, 0x10000, 0x10000);
    zq_ranges_add(&rs, 0x11000, 0x10);
    assert_int_equal(rs.n, 1);
    /* an overlap from below extends it; a distant area is its own */
    zq_ranges_add(&rs, 0xf000, 0x1800);
    zq_ranges_add(&rs, 0x900000, 7);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.r[0].addr, 0xf000);
    assert_int_equal(rs.r[0].len, 0x11000);
    assert_int_equal(rs.r[1].addr, 0x900000);
}

static void
ranges_full_widens_the_nearest(void **state)
{
    static struct zq_ranges rs;
    uint64_t covered = 0;

    rs.n = 0;
    /* scattered pages, more than the set holds: none is lost */
    for (unsigned i = 0; i < ZQ_MAX_RANGES + 10; i++)
        zq_ranges_add(&rs, (uint64_t)i * 0x10000, 0x1000);
    assert_int_equal(rs.n, ZQ_MAX_RANGES);
    for (unsigned i = 0; i < ZQ_MAX_RANGES + 10; i++) {
        uint64_t a = (uint64_t)i * 0x10000;
        bool in = false;

        for (unsigned k = 0; k < rs.n && !in; k++)
            in = a >= rs.r[k].addr && a + 0x1000 <= rs.r[k].addr + rs.r[k].len;
        assert_true(in);
    }
    /* and the widening stayed local: far less than the hull */
    for (unsigned k = 0; k < rs.n; k++)
        covered += rs.r[k].len;
    assert_true(covered < 0x1000ull * (ZQ_MAX_RANGES + 10) + 11 * 0x10000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(input_commands_only, reset),
        cmocka_unit_test_setup(data_chaining_keeps_direction, reset),
        cmocka_unit_test_setup(tic_followed_and_tic_to_tic_ends, reset),
        cmocka_unit_test_setup(idaw_format1_2k, reset),
        cmocka_unit_test_setup(idaw_format2_4k_and_2k, reset),
        cmocka_unit_test_setup(read_backward_and_skip, reset),
        cmocka_unit_test_setup(format0_program, reset),
        cmocka_unit_test_setup(bounded_on_faults_and_loops, reset),
        cmocka_unit_test(ranges_merge_touching_and_overlapping),
        cmocka_unit_test(ranges_full_widens_the_nearest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
