/* SPDX-License-Identifier: MIT */
/*
 * SET ADDRESS LIMIT and address-limit checking (css-pop.md §4.10 SAL,
 * §2.1 PMCW LM, §2.2 ORB A, §5.8 channel-program check).
 *
 * SAL takes the limit from GR1 bits 33-47 (16 zeros appended); bit 32 and
 * bits 48-63 must be zero (operand exception).  A start function whose ORB
 * has A = 1 checks every data address against the limit as PMCW LM says:
 * LM 01, no data byte below the limit; LM 10, no data byte at or above
 * it.  A violation is an invalid data address: channel-program check,
 * primary + secondary + alert status, CPA = the CCW + 8.  A direct data
 * area is checked whole before the command uses it (as its storage is);
 * an IDAW's block is checked when the transfer reaches that IDAW, so the
 * blocks before it have moved.  CCW and IDAW fetches are not data
 * accesses and are not checked.  ORB A = 0, or LM 00, checks nothing.
 */
#include <string.h>

#include "harness.h"

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

#define LIMIT     0x40000u /* 256K: inside the harness storage (1M) */
#define CMD_WRITE 0x01
#define CMD_READ  0x02
#define CMD_RBACK 0x0C
#define NBLK      IDA_2K /* format-1 IDAW block */

static uint8_t pat[2 * NBLK];

static struct zv_insn_rc
sal(struct h *h, uint32_t gr1)
{
    return css_insn_sal(h->css, gr1);
}

static void
fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 7 + 1); /* never 0 */
}

/* Enable subchannel 0 with limit mode lm and set the limit with SAL. */
static void
setup_limit(struct h *h, uint8_t lm, uint32_t limit)
{
    struct schib s;

    h_stsch(h, 0, &s);
    s.pmcw.ena = true;
    s.pmcw.isc = 3;
    s.pmcw.lm = lm;
    h_enable_schib(h, 0, &s);
    h_stsch(h, 0, &s);
    assert_int_equal(s.pmcw.lm, lm);
    assert_cc(sal(h, limit), ZV_CC0);
    fill_pattern();
}

/* The device gives n pattern bytes for the input command cmd. */
static void
give(struct h *h, uint8_t cmd, size_t n)
{
    h->dev[0].rule[cmd].data = pat;
    h->dev[0].rule[cmd].len = n;
}

/* SSCH of the program at H_CCW with ORB A = alcc, run it, TSCH. */
static void
run_program(struct h *h, bool alcc, struct irb *irb)
{
    struct orb o;

    h_orb_default(&o);
    o.alcc = alcc;
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run(h);
    assert_cc(h_tsch(h, 0, irb), ZV_CC0);
}

static void
assert_clean_end(const struct irb *irb, uint32_t cpa)
{
    assert_int_equal(irb->scsw.cstat, 0);
    assert_int_equal(irb->scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(irb->scsw.stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                          SCSW_STCTL_PENDING);
    assert_int_equal(irb->scsw.cpa, cpa);
    assert_int_equal(irb->scsw.count, 0);
}

/* Channel-program check: the program ends, alert status, CPA. */
static void
assert_limit_check(const struct irb *irb, uint32_t cpa)
{
    assert_int_equal(irb->scsw.cstat, SCHN_STAT_PROG_CHECK);
    assert_int_equal(irb->scsw.stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                          SCSW_STCTL_ALERT |
                                          SCSW_STCTL_PENDING);
    assert_int_equal(irb->scsw.cpa, cpa);
    assert_int_equal(irb->scsw.fctl, SCSW_FCTL_START);
    assert_true(irb->scsw.alcc);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- the instruction ---- */

static void
sal_sets_limit_from_bits_33_47(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_addr_limit(h->css), 0);
    assert_cc(sal(h, 0x7FFF0000u), ZV_CC0);
    assert_int_equal(css_addr_limit(h->css), 0x7FFF0000u);
    assert_cc(sal(h, 0x00010000u), ZV_CC0);
    assert_int_equal(css_addr_limit(h->css), 0x00010000u);
    assert_cc(sal(h, 0), ZV_CC0);
    assert_int_equal(css_addr_limit(h->css), 0);
}

static void
sal_operand_exception_bit_32(void **state)
{
    struct h *h = *state;

    assert_cc(sal(h, LIMIT), ZV_CC0);
    assert_pic(sal(h, 0x80000000u), ZV_PIC_OPERAND);
    assert_pic(sal(h, 0x80000000u | 0x00020000u), ZV_PIC_OPERAND);
    assert_int_equal(css_addr_limit(h->css), LIMIT);
}

static void
sal_operand_exception_each_bit_48_63(void **state)
{
    struct h *h = *state;

    assert_cc(sal(h, LIMIT), ZV_CC0);
    for (unsigned b = 0; b < 16; b++) {
        assert_pic(sal(h, 0x00100000u | (1u << b)), ZV_PIC_OPERAND);
        assert_int_equal(css_addr_limit(h->css), LIMIT);
    }
}

static void
sal_direct_form_same_checks(void **state)
{
    struct h *h = *state;

    assert_cc(css_sal(h->css, 0x00050000u), ZV_CC0);
    assert_int_equal(css_addr_limit(h->css), 0x00050000u);
    assert_pic(css_sal(h->css, 0x00050800u), ZV_PIC_OPERAND);
    assert_pic(css_sal(h->css, 0x80000000u), ZV_PIC_OPERAND);
    assert_pic(css_sal(h->css, 1ull << 32), ZV_PIC_OPERAND);
    assert_pic(css_sal(h->css, (1ull << 40) | 0x10000u), ZV_PIC_OPERAND);
    assert_int_equal(css_addr_limit(h->css), 0x00050000u);
}

/* ---- LM 10: data addresses must be below the limit ---- */

static void
sal_upper_read_ending_at_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 64);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 64, LIMIT - 64);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_memory_equal(h->mem + LIMIT - 64, pat, 64);
}

static void
sal_upper_read_last_byte_at_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 64);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 64, LIMIT - 63);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    /* The area is checked before the command: nothing went to the
     * device, nothing was stored, not even below the limit. */
    assert_int_equal(h->dev[0].starts, 0);
    assert_true(all_zero(h->mem + LIMIT - 63, 64));
}

static void
sal_upper_read_above_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_int_equal(h->dev[0].starts, 0);
    assert_true(all_zero(h->mem + LIMIT, 16));
}

static void
sal_upper_write_above_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    memcpy(h->mem + LIMIT, pat, 32);
    h_put_ccw(h, H_CCW, CMD_WRITE, 0, 32, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    /* Fetching output data is a data access too. */
    assert_int_equal(h->dev[0].starts, 0);
    assert_int_equal(h->dev[0].last_written, 0);
}

static void
sal_upper_write_below_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    memcpy(h->mem + LIMIT - 32, pat, 32);
    h_put_ccw(h, H_CCW, CMD_WRITE, 0, 32, LIMIT - 32);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_int_equal(h->dev[0].last_written, 32);
}

/* Read backward names the rightmost byte: the area is [cda-count+1, cda]. */
static void
sal_upper_read_backward_area_below_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_RBACK, 16);
    h_put_ccw(h, H_CCW, CMD_RBACK, 0, 16, LIMIT - 1);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(h->mem[LIMIT - 1 - i], pat[i]);
}

static void
sal_upper_read_backward_from_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_RBACK, 16);
    /* Rightmost byte at the limit, the rest below it. */
    h_put_ccw(h, H_CCW, CMD_RBACK, 0, 16, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT - 15, 16));
}

/* ---- LM 01: data addresses must be at or above the limit ---- */

static void
sal_lower_read_at_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    give(h, CMD_READ, 16);
    /* The CCW (H_CCW) lies below the limit: its fetch is not checked. */
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, LIMIT);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_memory_equal(h->mem + LIMIT, pat, 16);
}

static void
sal_lower_read_first_byte_below_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, LIMIT - 1);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT - 1, 16));
}

static void
sal_lower_read_backward_reaching_below_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    give(h, CMD_RBACK, 16);
    /* [LIMIT, LIMIT + 15] is allowed ... */
    h_put_ccw(h, H_CCW, CMD_RBACK, 0, 16, LIMIT + 15);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    /* ... [LIMIT - 1, LIMIT + 14] is not. */
    memset(h->mem + LIMIT - 1, 0, 17);
    h_put_ccw(h, H_CCW, CMD_RBACK, 0, 16, LIMIT + 14);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT - 1, 17));
}

static void
sal_lower_write_below_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    h_put_ccw(h, H_CCW, CMD_WRITE, 0, 32, LIMIT - 32);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_int_equal(h->dev[0].starts, 0);
}

/* ---- no checking without ORB A, or with LM 00 ---- */

static void
sal_orb_a_clear_ignores_limit(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, LIMIT);
    run_program(h, false, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_false(irb.scsw.alcc);
    assert_memory_equal(h->mem + LIMIT, pat, 16);
}

static void
sal_lm_none_ignores_limit(void **state)
{
    struct h *h = *state;
    struct irb irb;

    /* Limit 0 with LM 10 would reject every address: LM 00 checks none. */
    setup_limit(h, PMCW_LM_NONE, 0);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, H_DATA);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_memory_equal(h->mem + H_DATA, pat, 16);
}

/* The limit in force when the data are accessed counts: SAL between two
 * programs moves it. */
static void
sal_new_limit_applies_to_next_program(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, 0, 16, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_cc(sal(h, LIMIT + 0x10000u), ZV_CC0);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_memory_equal(h->mem + LIMIT, pat, 16);
}

/* ---- IDAW-designated data ---- */

static void
put_idaws(struct h *h, uint32_t a0, uint32_t a1)
{
    zv_put_be32(h->mem + H_IDAW, a0);
    zv_put_be32(h->mem + H_IDAW + 4, a1);
}

static void
sal_upper_idaw_block_at_limit_stops_after_earlier_block(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 2 * NBLK);
    put_idaws(h, LIMIT - NBLK, LIMIT);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_IDA, 2 * NBLK, H_IDAW);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    /* The first block moved before the transfer reached the second
     * IDAW; nothing was stored at or above the limit. */
    assert_memory_equal(h->mem + LIMIT - NBLK, pat, NBLK);
    assert_true(all_zero(h->mem + LIMIT, NBLK));
    assert_int_equal(irb.scsw.count, NBLK);
}

static void
sal_upper_idaw_first_block_above_limit_stores_nothing(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    put_idaws(h, LIMIT + 0x100, 0);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_IDA, 16, H_IDAW);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT + 0x100, 16));
    assert_int_equal(irb.scsw.count, 16);
}

/* IDAW list (and CCW) below the limit, data above: LM 01 checks only the
 * data, so the program completes. */
static void
sal_lower_idaw_list_below_limit_not_checked(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    give(h, CMD_READ, 2 * NBLK);
    put_idaws(h, LIMIT + 0x800, LIMIT + 0x1000);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_IDA, 2 * NBLK, H_IDAW);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_memory_equal(h->mem + LIMIT + 0x800, pat, 2 * NBLK);
}

static void
sal_lower_idaw_read_backward_block_below_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_LOWER, LIMIT);
    give(h, CMD_RBACK, 2 * NBLK);
    /* Read backward: the first IDAW names the block's last byte, the
     * next one the last byte of the block below: the limit's side. */
    put_idaws(h, LIMIT + NBLK - 1, LIMIT - 1);
    h_put_ccw(h, H_CCW, CMD_RBACK, CCW_FLAG_IDA, 2 * NBLK, H_IDAW);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    for (unsigned i = 0; i < NBLK; i++)
        assert_int_equal(h->mem[LIMIT + NBLK - 1 - i], pat[i]);
    assert_true(all_zero(h->mem + LIMIT - NBLK, NBLK));
    assert_int_equal(irb.scsw.count, NBLK);
}

/* Read backward fills each block from its last byte down: a block that
 * ends just below the limit is entirely below it. */
static void
sal_upper_idaw_read_backward_below_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_RBACK, 2 * NBLK);
    put_idaws(h, LIMIT - 1, LIMIT - NBLK - 1);
    h_put_ccw(h, H_CCW, CMD_RBACK, CCW_FLAG_IDA, 2 * NBLK, H_IDAW);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    for (unsigned i = 0; i < 2 * NBLK; i++)
        assert_int_equal(h->mem[LIMIT - 1 - i], pat[i]);
}

static void
sal_upper_idaw_write_block_above_limit_program_check(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    memcpy(h->mem + LIMIT - NBLK, pat, 2 * NBLK);
    put_idaws(h, LIMIT - NBLK, LIMIT);
    h_put_ccw(h, H_CCW, CMD_WRITE, CCW_FLAG_IDA, 2 * NBLK, H_IDAW);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 8);
    assert_int_equal(h->dev[0].starts, 1);
    assert_int_equal(irb.scsw.count, NBLK);
}

/* Skip stores nothing, so a skipped area cannot violate the limit. */
static void
sal_upper_skip_above_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_SKIP, 16, LIMIT);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT, 16));
}

static void
sal_upper_idaw_skip_above_limit_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 16);
    put_idaws(h, LIMIT, 0);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_IDA | CCW_FLAG_SKIP, 16, H_IDAW);
    run_program(h, true, &irb);
    assert_clean_end(&irb, H_CCW + 8);
    assert_true(all_zero(h->mem + LIMIT, 16));
}

/* ---- data chaining across the limit ---- */

/*
 * Two data-chained CCWs, the first below the limit, the second at it:
 * the first CCW's data are stored, the second CCW fails its data-address
 * check when chaining reaches it.  CPA = the second CCW + 8.  The
 * residual count is not meaningful with a program check (css-pop.md
 * §2.1); this model reports the count of the CCW named by the CPA, of
 * which nothing moved.
 */
static void
sal_upper_data_chain_crossing_limit(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 48);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_CD, 16, LIMIT - 16);
    h_put_ccw(h, H_CCW + 8, CMD_READ, 0, 32, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 16);
    assert_memory_equal(h->mem + LIMIT - 16, pat, 16);
    assert_true(all_zero(h->mem + LIMIT, 32));
    assert_int_equal(irb.scsw.count, 32);
}

static void
sal_upper_data_chain_write_crossing_limit(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    memcpy(h->mem + LIMIT - 16, pat, 48);
    h_put_ccw(h, H_CCW, CMD_WRITE, CCW_FLAG_CD, 16, LIMIT - 16);
    h_put_ccw(h, H_CCW + 8, CMD_WRITE, 0, 32, LIMIT);
    run_program(h, true, &irb);
    assert_limit_check(&irb, H_CCW + 16);
    /* The device got the command; the channel gave it no byte of the
     * second area (the read that reached it failed). */
    assert_int_equal(h->dev[0].starts, 1);
    assert_int_equal(irb.scsw.count, 32);
}

/* The same chain without ORB A completes and stores all 48 bytes. */
static void
sal_data_chain_crossing_limit_without_a_completes(void **state)
{
    struct h *h = *state;
    struct irb irb;

    setup_limit(h, PMCW_LM_UPPER, LIMIT);
    give(h, CMD_READ, 48);
    h_put_ccw(h, H_CCW, CMD_READ, CCW_FLAG_CD, 16, LIMIT - 16);
    h_put_ccw(h, H_CCW + 8, CMD_READ, 0, 32, LIMIT);
    run_program(h, false, &irb);
    assert_clean_end(&irb, H_CCW + 16);
    assert_memory_equal(h->mem + LIMIT - 16, pat, 48);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(sal_sets_limit_from_bits_33_47),
        T(sal_operand_exception_bit_32),
        T(sal_operand_exception_each_bit_48_63),
        T(sal_direct_form_same_checks),
        T(sal_upper_read_ending_at_limit_completes),
        T(sal_upper_read_last_byte_at_limit_program_check),
        T(sal_upper_read_above_limit_program_check),
        T(sal_upper_write_above_limit_program_check),
        T(sal_upper_write_below_limit_completes),
        T(sal_upper_read_backward_area_below_limit_completes),
        T(sal_upper_read_backward_from_limit_program_check),
        T(sal_lower_read_at_limit_completes),
        T(sal_lower_read_first_byte_below_limit_program_check),
        T(sal_lower_read_backward_reaching_below_limit_program_check),
        T(sal_lower_write_below_limit_program_check),
        T(sal_orb_a_clear_ignores_limit),
        T(sal_lm_none_ignores_limit),
        T(sal_new_limit_applies_to_next_program),
        T(sal_upper_idaw_block_at_limit_stops_after_earlier_block),
        T(sal_upper_idaw_first_block_above_limit_stores_nothing),
        T(sal_lower_idaw_list_below_limit_not_checked),
        T(sal_lower_idaw_read_backward_block_below_limit_program_check),
        T(sal_upper_idaw_read_backward_below_limit_completes),
        T(sal_upper_idaw_write_block_above_limit_program_check),
        T(sal_upper_skip_above_limit_completes),
        T(sal_upper_idaw_skip_above_limit_completes),
        T(sal_upper_data_chain_crossing_limit),
        T(sal_upper_data_chain_write_crossing_limit),
        T(sal_data_chain_crossing_limit_without_a_completes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
