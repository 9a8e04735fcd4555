/* SPDX-License-Identifier: MIT */
/*
 * SET CHANNEL MONITOR and the measurement blocks (css-pop.md §4.1,
 * §4.10; PoP chapter 17).  The sequence is the one Linux's cmf uses
 * (drivers/s390/cio/cmf.c): SCHM with GR1 = 2 (M) and the block area in
 * GR2 for format 0, or GR2 = 0 for format 1; MSCH with MM = 2 and the
 * block index (MBI) or address (MBA, F = 1); STSCH to check; then the
 * block is read from storage.  Blocks are checked byte by byte in
 * architecture (big-endian) order, so the suite means the same on both
 * endians.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

#define MS      1000000ull
#define US      1000ull
#define MBO     0x8000u /* format-0 area, 32-byte aligned */
#define MBA     0x9040u /* a format-1 block, 64-byte aligned */
#define MBI     3
#define GR1_M   0x2u
#define GR1_D   0x1u
#define MM_MBU  0x2 /* PMCW MM bit 11 */
#define MM_DCTM 0x1 /* PMCW MM bit 12 */

static struct zv_insn_rc
schm(struct h *h, uint32_t gr1, uint64_t gr2)
{
    return css_insn_schm(h->css, gr1, gr2);
}

/* MSCH as Linux's set_schib: MM, F and MBI or MBA; enabled, ISC 3. */
static void
msch_measure(struct h *h, unsigned no, uint8_t mm, bool fmt1, uint64_t addr)
{
    struct schib s;

    h_stsch(h, no, &s);
    s.pmcw.ena = true;
    s.pmcw.isc = 3;
    s.pmcw.mme = mm;
    s.pmcw.mbfc = fmt1;
    if (fmt1)
        s.mba = addr;
    else
        s.pmcw.mbi = (uint16_t)addr;
    h_enable_schib(h, no, &s);
    /* Linux's cio_commit_config reads it back. */
    h_stsch(h, no, &s);
    assert_int_equal(s.pmcw.mme, mm);
    assert_int_equal(s.pmcw.mbfc, fmt1);
    if (fmt1)
        assert_int_equal(s.mba, addr);
    else
        assert_int_equal(s.pmcw.mbi, addr);
}

/* One NOP with the given device latency, to its final status. */
static void
run_nop(struct h *h, unsigned no, uint64_t latency)
{
    struct irb irb;

    h->dev[no].rule[CCW_CMD_NOOP].latency = latency;
    h_start_nop(h, no);
    h_run(h);
    assert_cc(h_tsch(h, no, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
}

static uint32_t
be32_at(struct h *h, uint64_t addr)
{
    const uint8_t *p = h->mem + addr;

    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint16_t
be16_at(struct h *h, uint64_t addr)
{
    return (uint16_t)(h->mem[addr] << 8 | h->mem[addr + 1]);
}

static void
schm_operand_when_gr1_reserved_bit_set(void **state)
{
    struct h *h = *state;

    /* kvm-unit-tests: GR1 = 0xFFFFFFFC; then each of bits 36-61. */
    assert_pic(schm(h, 0xFFFFFFFCu, MBO), ZV_PIC_OPERAND);
    for (unsigned bit = 36; bit <= 61; bit++) {
        uint32_t gr1 = GR1_M | 1u << (63 - bit);

        assert_pic(schm(h, gr1, MBO), ZV_PIC_OPERAND);
    }
    assert_false(css_sch_cmf_read(h->sch[0], &(struct css_cmf){0}) == 0);
}

static void
schm_operand_when_mbo_not_32_byte_aligned(void **state)
{
    struct h *h = *state;

    assert_pic(schm(h, GR1_M, 1), ZV_PIC_OPERAND);
    assert_pic(schm(h, GR1_M, MBO + 16), ZV_PIC_OPERAND);
    assert_pic(schm(h, GR1_M, MBO + 31), ZV_PIC_OPERAND);
    /* With M = 0 GR2 is not used. */
    assert_cc(schm(h, 0, 1), ZV_CC0);
    /* The key and D bits are not reserved. */
    assert_cc(schm(h, 0xF0000000u | GR1_M | GR1_D, MBO), ZV_CC0);
}

/*
 * Format 0 with Linux's sequence: two NOPs of 1 ms each.  Block MBI at
 * MBO + MBI x 32: SSCH+RSCH count and sample count are halfwords, the
 * connect time in 128 us units (7 for 1 ms, then 15: the 0.8125-unit
 * remainders add up), the other times zero, the neighbours and the
 * reserved words untouched.
 */
static void
schm_format0_block_linux_sequence(void **state)
{
    struct h *h = *state;
    const uint64_t mb = MBO + MBI * CMB_SIZE;
    struct css_cmf c;

    memset(h->mem + MBO, 0, 8 * CMB_SIZE);
    memset(h->mem + mb + 24, 0xAA, 8); /* reserved words */
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, MBI);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(be16_at(h, mb), 1);     /* SSCH+RSCH count */
    assert_int_equal(be16_at(h, mb + 2), 1); /* sample count */
    assert_int_equal(be32_at(h, mb + 4), 7); /* device connect */
    for (unsigned off = 8; off < 24; off += 4)
        assert_int_equal(be32_at(h, mb + off), 0);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(be16_at(h, mb), 2);
    assert_int_equal(be16_at(h, mb + 2), 2);
    assert_int_equal(be32_at(h, mb + 4), 15);
    assert_int_equal(be32_at(h, mb + 24), 0xAAAAAAAAu);
    assert_int_equal(be32_at(h, mb + 28), 0xAAAAAAAAu);
    for (unsigned i = 0; i < CMB_SIZE; i++) {
        assert_int_equal(h->mem[mb - CMB_SIZE + i], 0);
        assert_int_equal(h->mem[mb + CMB_SIZE + i], 0);
    }
    /* The statistics API reads the same block. */
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), 0);
    assert_false(c.fmt1);
    assert_int_equal(c.addr, mb);
    assert_int_equal(c.ssch_rsch_count, 2);
    assert_int_equal(c.sample_count, 2);
    assert_int_equal(c.time_ns[CMB_CONNECT], 15 * CMB_TIME_NS);
    assert_int_equal(c.time_ns[CMB_PENDING], 0);
}

/* Format 1: 64 bytes at MBA, all fields words; SCHM with GR2 = 0 as
 * Linux's alloc_cmbe. */
static void
schm_format1_block_at_mba(void **state)
{
    struct h *h = *state;
    struct css_cmf c;

    memset(h->mem + MBA, 0, CMBE_SIZE);
    memset(h->mem + MBA + 36, 0x55, 28); /* reserved words */
    assert_cc(schm(h, GR1_M, 0), ZV_CC0);
    msch_measure(h, 1, MM_MBU, true, MBA);
    run_nop(h, 1, 2 * MS);
    assert_int_equal(be32_at(h, MBA), 1);
    assert_int_equal(be32_at(h, MBA + 4), 1);
    assert_int_equal(be32_at(h, MBA + 8), 15); /* 2 ms / 128 us */
    for (unsigned off = 12; off < 36; off += 4)
        assert_int_equal(be32_at(h, MBA + off), 0);
    assert_int_equal(be32_at(h, MBA + 60), 0x55555555u);
    assert_int_equal(css_sch_cmf_read(h->sch[1], &c), 0);
    assert_true(c.fmt1);
    assert_int_equal(c.addr, MBA);
    assert_int_equal(c.sample_count, 1);
}

static void
schm_no_update_without_mm_bit_11_or_m(void **state)
{
    struct h *h = *state;
    struct css_cmf c;

    memset(h->mem + MBO, 0, 8 * CMB_SIZE);
    /* MM bit 11 off (only DCTM): nothing is stored. */
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    msch_measure(h, 0, MM_DCTM, false, MBI);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), -ENODATA);
    /* MM on but SCHM M off: nothing either. */
    msch_measure(h, 0, MM_MBU, false, MBI);
    assert_cc(schm(h, 0, 0), ZV_CC0);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), -ENODATA);
    for (unsigned i = 0; i < 8 * CMB_SIZE; i++)
        assert_int_equal(h->mem[MBO + i], 0);
    /* On again: counting resumes in the same block. */
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), 0);
    assert_int_equal(c.ssch_rsch_count, 1);
}

/* RSCH counts with SSCH; the resumed program is the same sample. */
static void
schm_rsch_counts_with_ssch(void **state)
{
    struct h *h = *state;
    const uint64_t mb = MBO + MBI * CMB_SIZE;
    struct irb irb;

    memset(h->mem + MBO, 0, 8 * CMB_SIZE);
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, MBI);
    h_ssch_suspending(h, 0, true);
    h_run(h);
    assert_true(h_scsw(h, 0)->actl & SCSW_ACTL_SUSPENDED);
    h_put_ccw(h, H_CCW + 8, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(css_insn_rsch(h->css, h_gr1(0)), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(be16_at(h, mb), 2);
    assert_int_equal(be16_at(h, mb + 2), 1);
}

/* Function pending: the start waits 3 ms for the device to end a
 * command it held through a clear (23 units of 128 us). */
static void
schm_function_pending_time(void **state)
{
    struct h *h = *state;
    const uint64_t mb = MBO + MBI * CMB_SIZE;
    struct irb irb;

    memset(h->mem + MBO, 0, 8 * CMB_SIZE);
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, MBI);
    h->dev[0].rule[CCW_CMD_NOOP].hold = true;
    h->dev[0].held_end_ns = 3 * MS;
    h_start_nop(h, 0);
    h_run_for(h, 10 * US);
    assert_cc(css_insn_csch(h->css, h_gr1(0)), ZV_CC0);
    h_run_for(h, 1 * US);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    h->dev[0].rule[CCW_CMD_NOOP].hold = false;
    run_nop(h, 0, 0);
    assert_int_equal(be16_at(h, mb), 2);
    assert_int_equal(be16_at(h, mb + 2), 1); /* the cleared one: none */
    assert_int_equal(be32_at(h, mb + 8), 3 * MS / CMB_TIME_NS);
}

/* A halted program is a sample too, timed up to the halt's end. */
static void
schm_sample_at_halt_completion(void **state)
{
    struct h *h = *state;
    const uint64_t mb = MBO + MBI * CMB_SIZE;
    struct irb irb;

    memset(h->mem + MBO, 0, 8 * CMB_SIZE);
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, MBI);
    h->dev[0].rule[CCW_CMD_NOOP].hold = true;
    h->dev[0].answer_ns = 1 * MS;
    h_start_nop(h, 0);
    h_run_for(h, 1 * MS);
    assert_cc(css_insn_hsch(h->css, h_gr1(0)), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_true(irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_int_equal(be16_at(h, mb + 2), 1);
    assert_int_equal(be32_at(h, mb + 4), 2 * MS / CMB_TIME_NS);
}

/* DCTM (SCHM D and MM bit 12): the DCTI of the start function in the
 * ESW (format 2, bytes 2-3 of the IRB's ESW). */
static void
schm_dcti_in_esw_with_dctm(void **state)
{
    struct h *h = *state;
    struct irb irb;

    assert_cc(schm(h, GR1_M | GR1_D, MBO), ZV_CC0);
    msch_measure(h, 0, MM_MBU | MM_DCTM, false, MBI);
    h->dev[0].rule[CCW_CMD_NOOP].latency = 1 * MS;
    h_start_nop(h, 0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(be16_at(h, H_IRB + 12 + 2), 7);
    assert_int_equal(irb.esw.dcti, 7);
    /* Without D the interval is not stored. */
    assert_cc(schm(h, GR1_M, MBO), ZV_CC0);
    h_start_nop(h, 0);
    h_run(h);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    assert_int_equal(irb.esw.dcti, 0);
}

/* A block outside storage: the I/O is unaffected, the update is lost and
 * counted, the statistics read reports the fault. */
static void
schm_block_outside_storage_is_an_error_not_a_crash(void **state)
{
    struct h *h = *state;
    struct css_cmf c;

    assert_cc(schm(h, GR1_M, H_HOLE), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, MBI);
    run_nop(h, 0, 1 * MS);
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), -EFAULT);
    assert_true(c.mb_errors >= 2);
    /* MBI 0xFFFF from an origin near the top: MBO + MBI x 32 would wrap
     * to 0x5000; nothing is stored there. */
    memset(h->mem + 0x5000, 0, CMB_SIZE);
    assert_cc(schm(h, GR1_M, 0 - (uint64_t)0x1FAFE0), ZV_CC0);
    msch_measure(h, 0, MM_MBU, false, 0xFFFF);
    run_nop(h, 0, 0);
    for (unsigned i = 0; i < CMB_SIZE; i++)
        assert_int_equal(h->mem[0x5000 + i], 0);
    assert_int_equal(css_sch_cmf_read(h->sch[0], &c), -EFAULT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(schm_operand_when_gr1_reserved_bit_set),
        T(schm_operand_when_mbo_not_32_byte_aligned),
        T(schm_format0_block_linux_sequence),
        T(schm_format1_block_at_mba),
        T(schm_no_update_without_mm_bit_11_or_m),
        T(schm_rsch_counts_with_ssch),
        T(schm_function_pending_time),
        T(schm_sample_at_halt_completion),
        T(schm_dcti_in_esw_with_dctm),
        T(schm_block_outside_storage_is_an_error_not_a_crash),
    };

    return cmocka_run_group_tests_name("schm", tests, NULL, NULL);
}
