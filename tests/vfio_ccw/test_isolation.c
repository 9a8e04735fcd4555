/* SPDX-License-Identifier: MIT */
/*
 * Isolation and format-0 rules through the mediated device, side by side
 * with the same program run straight on the host CSS.
 *
 * Isolation (issue 7): data chaining passes through a TIC, so a CCW can
 * be entered under a command other than the one its storage predecessor
 * implies.  A translator that judged such a CCW "moves no data" once
 * emitted it with host address 0, and the host channel moved count bytes
 * at host absolute 0.  Every test here runs with canary storage at host
 * [0, 64K) and around the program arena (the harness checks it after
 * every loop run: any access fails the test), and compares what the
 * guest sees — status, residual, CPA, guest memory, the bytes the device
 * received — with the direct run, where the guest's addresses are host
 * addresses and the architecture decides.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "base/bytes.h"
#include "harness.h"

#define D1 (VH_GUEST_IOVA + 0x8000)
#define D2 (VH_GUEST_IOVA + 0xA000)
#define S2 (VH_GUEST_IOVA + 0x3000) /* a second segment */
#define IL (VH_GUEST_IOVA + 0x5000) /* an IDAL */

struct prog {
    bool fmt0;
    bool idaw1; /* guest IDAWs format 1 (ORB H = 0) */
    void (*build)(struct vh *h, const struct prog *p);
};

struct outcome {
    int ssch;
    struct scsw scsw;
    uint8_t guest[VH_GUEST_SIZE];
    uint8_t rx[sizeof(((struct vh_dev *)0)->rx)];
    uint32_t rx_len;
};

static void
put_ccw(struct vh *h, const struct prog *p, uint64_t at, uint8_t cmd,
        uint8_t flags, uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    if (p->fmt0)
        ccw0_encode(&c, h->guest + (at - VH_GUEST_IOVA));
    else
        ccw1_encode(&c, h->guest + (at - VH_GUEST_IOVA));
}

/* An IDAL at IL naming addr (one IDAW: the areas here stay in a block). */
static uint32_t
put_idal(struct vh *h, const struct prog *p, uint64_t addr)
{
    uint8_t *at = h->guest + (IL - VH_GUEST_IOVA);

    if (p->idaw1)
        zv_put_be32(at, (uint32_t)addr);
    else
        zv_put_be64(at, addr);
    return (uint32_t)IL;
}

static void
fill_guest(struct vh *h)
{
    for (uint32_t i = 0; i < 0x4000; i++)
        h->guest[D1 - VH_GUEST_IOVA + i] = (uint8_t)(i * 7 + 3);
}

static void
orb_for(const struct prog *p, struct orb *o)
{
    vh_orb(o);
    o->fmt = !p->fmt0;
    o->c64 = !p->idaw1;
}

/* Run p through the mdev, or (direct) straight on the host CSS. */
static void
run_prog(const struct prog *p, struct outcome *out, bool direct)
{
    struct vh h;
    struct irb irb;
    struct orb o;

    if (direct)
        vh_setup_direct(&h);
    else
        vh_setup(&h);
    fill_guest(&h);
    p->build(&h, p);
    orb_for(p, &o);
    if (direct) {
        assert_int_equal(vh_direct_run(&h, &o, &irb), 0);
        out->ssch = 0;
    } else {
        out->ssch = vh_ssch_orb(&h, &o);
        vh_run(&h);
        if (out->ssch == 0)
            assert_int_equal(vh_read_irb(&h, &irb), 0);
    }
    if (out->ssch == 0)
        out->scsw = irb.scsw;
    vh_assert_isolated(&h);
    memcpy(out->guest, h.guest, VH_GUEST_SIZE);
    memcpy(out->rx, h.dev.rx, h.dev.rx_len);
    out->rx_len = h.dev.rx_len;
    vh_teardown(&h);
}

static void
run_mdev(const struct prog *p, struct outcome *out)
{
    run_prog(p, out, false);
}

static void
run_direct(const struct prog *p, struct outcome *out)
{
    run_prog(p, out, true);
}

/* Run p both ways; the guest must not be able to tell them apart. */
static struct outcome *
side_by_side(const struct prog *p)
{
    struct outcome *m = calloc(2, sizeof(*m)), *d = m + 1;

    run_mdev(p, m);
    run_direct(p, d);
    assert_int_equal(m->ssch, 0);
    assert_int_equal(m->scsw.dstat, d->scsw.dstat);
    assert_int_equal(m->scsw.cstat, d->scsw.cstat);
    assert_int_equal(m->scsw.count, d->scsw.count);
    assert_int_equal(m->scsw.cpa, d->scsw.cpa);
    assert_int_equal(m->scsw.fctl, d->scsw.fctl);
    assert_int_equal(m->rx_len, d->rx_len);
    assert_memory_equal(m->rx, d->rx, m->rx_len);
    assert_memory_equal(m->guest, d->guest, VH_GUEST_SIZE);
    return m;
}

static bool
rx_is(const struct outcome *o, uint32_t off, uint64_t guest_addr, uint32_t n)
{
    return o->rx_len >= off + n &&
           memcmp(o->rx + off, o->guest + (guest_addr - VH_GUEST_IOVA), n) == 0;
}

/* ---- the reproducers ---------------------------------------------------- */

/* READ(CD) -> TIC -> [NOP, SLI, 256]: the NOP's area receives the second
 * half of the data (the READ stays in force). */
static void
build_read_tic_nop(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CD, 256, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, CCW_CMD_TIC, 0, 0, (uint32_t)S2);
    put_ccw(h, p, S2, CCW_CMD_NOOP, CCW_FLAG_SLI, 256, (uint32_t)D2);
}

static void
build_read_tic_nop_ida(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CD, 256, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, CCW_CMD_TIC, 0, 0, (uint32_t)S2);
    put_ccw(h, p, S2, CCW_CMD_NOOP, CCW_FLAG_SLI | CCW_FLAG_IDA, 256,
            put_idal(h, p, D2));
}

/* WRITE(CD) -> TIC -> [READ + SKIP, 128]: skip means nothing for output,
 * so the device gets the READ CCW's area. */
static void
build_write_tic_read_skip(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x01, CCW_FLAG_CD, 128, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, CCW_CMD_TIC, 0, 0, (uint32_t)S2);
    put_ccw(h, p, S2, 0x02, CCW_FLAG_SKIP | CCW_FLAG_SLI, 128, (uint32_t)D2);
}

static void
build_write_tic_read_skip_ida(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x01, CCW_FLAG_CD, 128, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, CCW_CMD_TIC, 0, 0, (uint32_t)S2);
    put_ccw(h, p, S2, 0x02, CCW_FLAG_SKIP | CCW_FLAG_SLI | CCW_FLAG_IDA, 128,
            put_idal(h, p, D2));
}

/* One segment: READ(CD); [WRITE + SKIP, CC]; TIC *-8.  First entered
 * under the READ (skip: nothing stored), then by the TIC as a WRITE that
 * sends its area — until the device ends the loop with unit exception. */
static void
build_loop_one_segment(struct vh *h, const struct prog *p)
{
    h->dev.stop_after = 4; /* the loop moves data: the device ends it */
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CD, 64, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, 0x01, CCW_FLAG_SKIP | CCW_FLAG_CC, 64,
            (uint32_t)D2);
    put_ccw(h, p, VH_CCW_ADDR + 16, CCW_CMD_TIC, 0, 0,
            (uint32_t)VH_CCW_ADDR + 8);
}

static void
iso_read_cd_tic_into_nop(void **state)
{
    static const struct prog ps[] = {
        {.build = build_read_tic_nop},
        {.build = build_read_tic_nop, .fmt0 = true},
        {.build = build_read_tic_nop_ida},
        {.build = build_read_tic_nop_ida, .idaw1 = true},
        {.build = build_read_tic_nop_ida, .fmt0 = true, .idaw1 = true},
    };

    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        struct outcome *o = side_by_side(&ps[i]);

        assert_int_equal(o->scsw.cstat, 0);
        /* the device's 512 bytes: 256 at D1, 256 at the NOP's area */
        for (uint32_t j = 0; j < 256; j++) {
            assert_int_equal(o->guest[D1 - VH_GUEST_IOVA + j], 0xA5 ^ j);
            assert_int_equal(o->guest[D2 - VH_GUEST_IOVA + j],
                             (uint8_t)(0xA5 ^ (256 + j)));
        }
        free(o);
    }
}

static void
iso_write_cd_tic_into_read_skip(void **state)
{
    static const struct prog ps[] = {
        {.build = build_write_tic_read_skip},
        {.build = build_write_tic_read_skip, .fmt0 = true},
        {.build = build_write_tic_read_skip_ida},
        {.build = build_write_tic_read_skip_ida, .idaw1 = true},
        {.build = build_write_tic_read_skip_ida, .fmt0 = true},
    };

    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        struct outcome *o = side_by_side(&ps[i]);

        assert_int_equal(o->scsw.cstat, 0);
        assert_int_equal(o->rx_len, 256);
        assert_true(rx_is(o, 0, D1, 128));
        assert_true(rx_is(o, 128, D2, 128));
        free(o);
    }
}

static void
iso_one_segment_loop_write_skip(void **state)
{
    static const struct prog ps[] = {
        {.build = build_loop_one_segment},
        {.build = build_loop_one_segment, .fmt0 = true},
    };

    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        struct outcome *o = side_by_side(&ps[i]);

        /* every WRITE sent the guest's D2 bytes */
        assert_int_equal(o->rx_len, 3 * 64);
        for (uint32_t off = 0; off + 64 <= o->rx_len; off += 64)
            assert_true(rx_is(o, off, D2, 64));
        free(o);
    }
}

/* The NOP's area outside the DMA map: the channel would move data there,
 * so the mdev refuses the program and nothing moves. */
static void
build_read_tic_nop_unmapped(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CD, 256, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, CCW_CMD_TIC, 0, 0, (uint32_t)S2);
    put_ccw(h, p, S2, CCW_CMD_NOOP, CCW_FLAG_SLI, 256, 0x100);
}

static void
iso_reentered_area_outside_map_refused(void **state)
{
    const struct prog p = {.build = build_read_tic_nop_unmapped};
    struct outcome *o = calloc(1, sizeof(*o));

    run_mdev(&p, o);
    assert_int_equal(o->ssch, -EFAULT);
    assert_int_equal(o->rx_len, 0);
    for (uint32_t j = 0; j < 256; j++)
        assert_int_equal(o->guest[D1 - VH_GUEST_IOVA + j],
                         (uint8_t)(j * 7 + 3));
    free(o);
}

/* ---- format-0 rules through the mdev ------------------------------------ */

/* Format 0: count 0 is a program check (css-pop.md §5.1 step 4). */
static void
build_f0_count0(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 16,
            (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, 0x01, 0, 0, (uint32_t)D2);
}

static void
build_f0_count0_data_chained(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CD, 16, (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, 0x02, 0, 0, (uint32_t)D2);
}

static void
format0_count0_is_program_check(void **state)
{
    const struct prog f0 = {.build = build_f0_count0, .fmt0 = true};
    const struct prog f0dc = {.build = build_f0_count0_data_chained,
                              .fmt0 = true};
    struct outcome *o = side_by_side(&f0);

    assert_int_equal(o->scsw.cstat & SCHN_STAT_PROG_CHECK,
                     SCHN_STAT_PROG_CHECK);
    assert_int_equal(o->scsw.cpa, VH_CCW_ADDR + 16);
    free(o);
    /* The device takes exactly the first CCW's count and ends: the count-0
     * CCW is never needed; whatever the engine makes of it, the mdev must
     * agree (side_by_side). */
    free(side_by_side(&f0dc));
    /* format 1, command chained: count 0 is valid */
    {
        const struct prog f1 = {.build = build_f0_count0};

        o = side_by_side(&f1);
        assert_int_equal(o->scsw.cstat & SCHN_STAT_PROG_CHECK, 0);
        free(o);
    }
}

/* An immediate command with a non-zero count: format 0 never indicates
 * incorrect length, format 1 does without SLI (css-pop.md §5.5). */
static void
build_nop8(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, CCW_CMD_NOOP, 0, 8, (uint32_t)D1);
}

static void
format0_immediate_command_no_incorrect_length(void **state)
{
    const struct prog f0 = {.build = build_nop8, .fmt0 = true};
    const struct prog f1 = {.build = build_nop8};
    struct outcome *o;

    o = side_by_side(&f0);
    assert_int_equal(o->scsw.cstat, 0);
    assert_int_equal(o->scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    free(o);
    o = side_by_side(&f1);
    assert_int_equal(o->scsw.cstat, SCHN_STAT_INCORR_LEN);
    free(o);
}

/* A format-0 TIC ignores its high nibble, flags and count. */
static void
build_f0_junk_tic(struct vh *h, const struct prog *p)
{
    put_ccw(h, p, VH_CCW_ADDR, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 16,
            (uint32_t)D1);
    put_ccw(h, p, VH_CCW_ADDR + 8, 0xF8, 0xFF, 0xFFFF, (uint32_t)S2);
    put_ccw(h, p, S2, 0x02, CCW_FLAG_SLI, 16, (uint32_t)D2);
}

static void
format0_tic_with_junk_flags_and_count(void **state)
{
    const struct prog p = {.build = build_f0_junk_tic, .fmt0 = true};
    struct outcome *o = side_by_side(&p);

    assert_int_equal(o->scsw.cstat, 0);
    assert_int_equal(o->scsw.cpa, S2 + 8);
    assert_int_equal(o->guest[D2 - VH_GUEST_IOVA], 0xA5);
    free(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iso_read_cd_tic_into_nop),
        cmocka_unit_test(iso_write_cd_tic_into_read_skip),
        cmocka_unit_test(iso_one_segment_loop_write_skip),
        cmocka_unit_test(iso_reentered_area_outside_map_refused),
        cmocka_unit_test(format0_count0_is_program_check),
        cmocka_unit_test(format0_immediate_command_no_incorrect_length),
        cmocka_unit_test(format0_tic_with_junk_flags_and_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
