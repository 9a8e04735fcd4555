/* SPDX-License-Identifier: MIT */
/*
 * Engine: CCW fetch and checks in the architected order (css-pop.md §5.1,
 * §5.2).  Every channel-program check ends with primary, secondary and
 * alert status, no device status, and CPA = failing CCW + 8 (TIC + 8 for
 * a bad TIC target).
 */
#include "eh.h"

#include <string.h>

#define A EH_CCW

/* Run, TSCH, and expect a program check with cpa; the device got n
 * commands. */
static void
expect_pgm_check(struct eh *h, uint32_t cpa, size_t ncmds)
{
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, 0,
                  SCHN_STAT_PROG_CHECK, cpa, 0);
    assert_int_equal(testdev_log_count(h->td), ncmds);
}

static void
start_orb(struct eh *h, uint32_t cpa, bool fmt1)
{
    struct orb o;

    eh_orb(&o, cpa);
    o.fmt = fmt1;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
}

static void
ccw_address_not_doubleword_aligned(void **state)
{
    struct eh *h = *state;

    eh_start(h, A + 4);
    expect_pgm_check(h, A + 12, 0);
}

static void
ccw_address_unmapped(void **state)
{
    struct eh *h = *state;

    eh_start(h, EH_HOLE);
    expect_pgm_check(h, EH_HOLE + 8, 0);
}

static void
format0_ccw_above_16m_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw0(h, EH_HI24, CCW_CMD_NOOP, 0, 1, 0);
    start_orb(h, EH_HI24, false);
    expect_pgm_check(h, EH_HI24 + 8, 0);
}

static void
format1_ccw_above_16m_is_fetched(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, EH_HI24, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, EH_HI24);
    eh_expect_clean(h, EH_HI24 + 8);
}

static void
format0_nop_runs(void **state)
{
    struct eh *h = *state;

    /* Format-0 immediate command with a count: IL is never indicated. */
    eh_ccw0(h, A, CCW_CMD_NOOP, 0, 1, 0);
    start_orb(h, A, false);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, 0, A + 8, 1);
    assert_false(h->irb.scsw.fmt);
}

static void
invalid_command_code_low_nibble_zero(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x10, 0, 1, EH_DATA);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
invalid_command_code_in_chained_ccw(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, 0x00, 0, 1, EH_DATA);
    eh_start(h, A);
    expect_pgm_check(h, A + 16, 1);
}

static void
format0_count_zero_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw0(h, A, CCW_CMD_NOOP, 0, 0, 0);
    start_orb(h, A, false);
    expect_pgm_check(h, A + 8, 0);
}

static void
format1_count_zero_with_cd_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 0, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, 0, 4, EH_DATA);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
format1_count_zero_reached_by_data_chaining_is_invalid(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[8] = "abcdefgh";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, 0, 0, EH_DATA + 4);
    eh_start(h, A);
    /* Found when the transfer needs it: the device had the command. */
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, CEDE,
                  SCHN_STAT_PROG_CHECK, A + 16, 0);
    assert_int_equal(testdev_log(h->td, 0)->moved, -1);
    assert_memory_equal(h->mem + EH_DATA, "abcd", 4);
}

static void
data_address_unmapped(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x02, 0, 16, EH_HOLE - 8);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
format0_data_area_beyond_16m_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw0(h, A, 0x02, 0, 16, 0xFFFFF8);
    start_orb(h, A, false);
    expect_pgm_check(h, A + 8, 0);
}

static void
format1_data_area_above_2g_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x02, 0, 16, EH_HI31);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
skip_suppresses_data_address_check(void **state)
{
    struct eh *h = *state;
    static const uint8_t data[16] = "0123456789abcdef";

    eh_respond(h, 0x02, CEDE, data, sizeof(data), 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_SKIP, 16, EH_HOLE);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
}

static void
suspend_flag_without_orb_s(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
suspend_flag_with_chain_data(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, 0x02, CCW_FLAG_SUSPEND | CCW_FLAG_CD, 4, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, 0, 4, EH_DATA);
    eh_orb(&o, A);
    o.spnd = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    expect_pgm_check(h, A + 8, 0);
}

static void
mida_without_orb_d(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 16, EH_MIDAW);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
mida_with_ida(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA | CCW_FLAG_IDA, 16, EH_MIDAW);
    eh_orb(&o, A);
    o.midaw = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    expect_pgm_check(h, A + 8, 0);
}

static void
mida_with_skip(void **state)
{
    struct eh *h = *state;
    struct orb o;

    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA | CCW_FLAG_SKIP, 16, EH_MIDAW);
    eh_orb(&o, A);
    o.midaw = true;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    expect_pgm_check(h, A + 8, 0);
}

static void
tic_branches(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_TIC, 0, 0, A + 0x200);
    eh_ccw1(h, A + 0x200, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 0x208);
    assert_int_equal(testdev_log_count(h->td), 2);
}

static void
tic_as_first_ccw(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_TIC, 0, 0, A + 0x200);
    eh_ccw1(h, A + 0x200, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 0x208);
}

static void
tic_to_tic_reports_second_tic(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_TIC, 0, 0, A + 0x200);
    eh_ccw1(h, A + 0x200, CCW_CMD_TIC, 0, 0, A + 0x300);
    eh_ccw1(h, A + 0x300, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    expect_pgm_check(h, A + 0x208, 0);
}

static void
tic_target_misaligned_reports_tic(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_TIC, 0, 0, A + 0x204);
    eh_start(h, A);
    expect_pgm_check(h, A + 16, 1);
}

static void
tic_target_unmapped_reports_tic(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_TIC, 0, 0, EH_HOLE);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
format1_tic_with_flags_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_TIC, CCW_FLAG_CC, 0, A + 0x200);
    eh_ccw1(h, A + 0x200, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
format1_tic_high_nibble_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x18, 0, 0, A + 0x200);
    eh_ccw1(h, A + 0x200, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    expect_pgm_check(h, A + 8, 0);
}

static void
format0_tic_ignores_high_nibble_flags_count(void **state)
{
    struct eh *h = *state;

    eh_ccw0(h, A, 0xF8, CCW_FLAG_CC, 7, A + 0x200);
    eh_ccw0(h, A + 0x200, CCW_CMD_NOOP, 0, 1, 0);
    start_orb(h, A, false);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, 0, A + 0x208, 1);
}

static void
endless_tic_loop_is_stopped_after_256_tics(void **state)
{
    struct eh *h = *state;

    /* NOP, TIC back to the NOP: no data ever moves. */
    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    eh_ccw1(h, A + 8, CCW_CMD_TIC, 0, 0, A);
    eh_start(h, A);
    expect_pgm_check(h, A + 16, 257);
}

static void
forward_tics_never_count_toward_the_loop_guard(void **state)
{
    struct eh *h = *state;
    const unsigned n = 300;

    for (unsigned i = 0; i < n; i++) {
        eh_ccw1(h, A + 16 * i, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
        eh_ccw1(h, A + 16 * i + 8, CCW_CMD_TIC, 0, 0, A + 16 * (i + 1));
    }
    eh_ccw1(h, A + 16 * n, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 16 * n + 8);
    assert_int_equal(testdev_log_count(h->td), n + 1);
}

static void
tic_loop_that_moves_data_is_not_stopped(void **state)
{
    struct eh *h = *state;
    struct zv_insn_rc rc;

    memcpy(h->mem + EH_DATA, "ID", 2);
    eh_respond(h, 0x01, CEDE, NULL, 2, 0);
    eh_ccw1(h, A, 0x01, CCW_FLAG_CC, 2, EH_DATA);
    eh_ccw1(h, A + 8, CCW_CMD_TIC, 0, 0, A);
    eh_start(h, A);
    /* Zero latency: the engine yields to the loop between bursts. */
    for (unsigned i = 0; i < 8; i++)
        zv_loop_run_once(h->loop, 0);
    assert_true(testdev_cmd_count(h->td) > 1000);
    assert_int_equal(eh_tsch(h), 1);
    rc = css_sch_hsch(h->sch);
    assert_int_equal(rc.cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    assert_int_equal(h->irb.scsw.fctl, SCSW_FCTL_START | SCSW_FCTL_HALT);
    assert_int_equal(h->irb.scsw.stctl, SCSW_STCTL_PENDING);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(ccw_address_not_doubleword_aligned),
        T(ccw_address_unmapped),
        T(format0_ccw_above_16m_is_invalid),
        T(format1_ccw_above_16m_is_fetched),
        T(format0_nop_runs),
        T(invalid_command_code_low_nibble_zero),
        T(invalid_command_code_in_chained_ccw),
        T(format0_count_zero_is_invalid),
        T(format1_count_zero_with_cd_is_invalid),
        T(format1_count_zero_reached_by_data_chaining_is_invalid),
        T(data_address_unmapped),
        T(format0_data_area_beyond_16m_is_invalid),
        T(format1_data_area_above_2g_is_invalid),
        T(skip_suppresses_data_address_check),
        T(suspend_flag_without_orb_s),
        T(suspend_flag_with_chain_data),
        T(mida_without_orb_d),
        T(mida_with_ida),
        T(mida_with_skip),
        T(tic_branches),
        T(tic_as_first_ccw),
        T(tic_to_tic_reports_second_tic),
        T(tic_target_misaligned_reports_tic),
        T(tic_target_unmapped_reports_tic),
        T(format1_tic_with_flags_is_invalid),
        T(format1_tic_high_nibble_is_invalid),
        T(format0_tic_ignores_high_nibble_flags_count),
        T(endless_tic_loop_is_stopped_after_256_tics),
        T(forward_tics_never_count_toward_the_loop_guard),
        T(tic_loop_that_moves_data_is_not_stopped),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
