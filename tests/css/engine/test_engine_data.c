/* SPDX-License-Identifier: MIT */
/*
 * Engine: the data stream (css-pop.md §2.5, §5.5, §5.6): IDAWs format 1
 * and 2 with 2K/4K blocks, MIDAWs, skip, incorrect length and its
 * suppression (SLI, ORB L, immediate commands), prefetch and
 * css_io_available.
 */
#include "eh.h"

#include <string.h>

#define A EH_CCW

static uint8_t pattern[8192];

static void
fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + 3);
}

static void
start_with(struct eh *h, void (*tweak)(struct orb *o))
{
    struct orb o;

    eh_orb(&o, A);
    tweak(&o);
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
}

static void
orb_fmt2_4k(struct orb *o)
{
    o->c64 = true;
}

static void
orb_fmt2_2k(struct orb *o)
{
    o->c64 = true;
    o->i2k = true;
}

static void
orb_midaw(struct orb *o)
{
    o->midaw = true;
}

static void
orb_ils(struct orb *o)
{
    o->ils = true;
}

static void
orb_no_prefetch(struct orb *o)
{
    o->pfch = false;
}

static void
expect_end(struct eh *h, uint8_t sc, uint8_t cstat, uint32_t cpa,
           uint16_t count)
{
    eh_expect_end(h, SCSW_FCTL_START, 0, sc, CEDE, cstat, cpa, count);
}

static void
idaw_format1_2k_blocks(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 3000, 0);
    /* First IDAW anywhere in a block: 0x100 bytes to its end. */
    eh_idaw1(h, EH_IDAW, EH_DATA + 0x700);
    eh_idaw1(h, EH_IDAW + 4, EH_DATA + 0x4000);
    eh_idaw1(h, EH_IDAW + 8, EH_DATA + 0x8000);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 3000, EH_IDAW);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA + 0x700, pattern, 0x100);
    assert_memory_equal(h->mem + EH_DATA + 0x4000, pattern + 0x100, 2048);
    assert_memory_equal(h->mem + EH_DATA + 0x8000, pattern + 0x900,
                        3000 - 0x900);
}

static void
idaw_format1_later_idaw_off_block_boundary(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 3000, 0);
    eh_idaw1(h, EH_IDAW, EH_DATA);
    eh_idaw1(h, EH_IDAW + 4, EH_DATA + 0x4010);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 3000, EH_IDAW);
    eh_start(h, A);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 3000 - 2048);
    /* The first block was stored before the bad IDAW was found. */
    assert_memory_equal(h->mem + EH_DATA, pattern, 2048);
}

static void
idaw_format1_bit0_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 16, 0);
    eh_idaw1(h, EH_IDAW, 0x80000000u | EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 16, EH_IDAW);
    eh_start(h, A);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 16);
}

static void
idaw_list_misaligned_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 16, EH_IDAW + 2);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, 0,
                  SCHN_STAT_PROG_CHECK, A + 8, 0);
    assert_int_equal(testdev_log_count(h->td), 0);
}

static void
idaw_format2_4k_blocks(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 6000, 0);
    eh_idaw2(h, EH_IDAW, EH_DATA + 0xF00);
    eh_idaw2(h, EH_IDAW + 8, EH_DATA + 0x4000);
    eh_idaw2(h, EH_IDAW + 16, EH_DATA + 0x9000);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 6000, EH_IDAW);
    start_with(h, orb_fmt2_4k);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA + 0xF00, pattern, 0x100);
    assert_memory_equal(h->mem + EH_DATA + 0x4000, pattern + 0x100, 4096);
    assert_memory_equal(h->mem + EH_DATA + 0x9000, pattern + 0x1100,
                        6000 - 0x1100);
}

static void
idaw_format2_2k_blocks_reject_4k_only_boundary(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 4096, 0);
    eh_idaw2(h, EH_IDAW, EH_DATA);
    eh_idaw2(h, EH_IDAW + 8, EH_DATA + 0x4800); /* a 2K boundary: fine */
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 4096, EH_IDAW);
    start_with(h, orb_fmt2_2k);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA + 0x4800, pattern + 2048, 2048);
}

static void
idaw_format2_4k_rejects_2k_boundary(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 6000, 0);
    eh_idaw2(h, EH_IDAW, EH_DATA);
    eh_idaw2(h, EH_IDAW + 8, EH_DATA + 0x4800);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 6000, EH_IDAW);
    start_with(h, orb_fmt2_4k);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 6000 - 4096);
}

static void
idaw_format2_reaches_above_2g(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 64, 0);
    eh_idaw2(h, EH_IDAW, EH_HI31 + 0x10);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 64, EH_IDAW);
    start_with(h, orb_fmt2_4k);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->hi31 + 0x10, pattern, 64);
}

static void
idaw_write_gathers_blocks(void **state)
{
    struct eh *h = *state;
    const uint8_t *got;
    size_t len;

    memset(h->mem + EH_DATA + 0x7F0, 'a', 16);
    memset(h->mem + EH_DATA + 0x2000, 'b', 16);
    eh_respond(h, 0x01, CEDE, NULL, 32, 0);
    eh_idaw1(h, EH_IDAW, EH_DATA + 0x7F0);
    eh_idaw1(h, EH_IDAW + 4, EH_DATA + 0x2000);
    eh_ccw1(h, A, 0x01, CCW_FLAG_IDA, 32, EH_IDAW);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    got = testdev_log_data(h->td, 0, &len);
    assert_int_equal(len, 32);
    assert_memory_equal(got, "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb", 32);
}

static void
midaw_scatter(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 300, 0);
    eh_midaw(h, EH_MIDAW, 0, 100, EH_DATA + 0xF9C);
    eh_midaw(h, EH_MIDAW + 16, MIDAW_FLAG_LAST, 200, EH_HI31);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 300, EH_MIDAW);
    start_with(h, orb_midaw);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA + 0xF9C, pattern, 100);
    assert_memory_equal(h->hi31, pattern + 100, 200);
}

static void
midaw_skip_flag_suppresses_store(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 200, 0);
    eh_midaw(h, EH_MIDAW, MIDAW_FLAG_SKIP, 100, EH_HOLE);
    eh_midaw(h, EH_MIDAW + 16, MIDAW_FLAG_LAST, 100, EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 200, EH_MIDAW);
    start_with(h, orb_midaw);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(h->mem + EH_DATA, pattern + 100, 100);
}

static void
midaw_crossing_page_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 100, 0);
    eh_midaw(h, EH_MIDAW, MIDAW_FLAG_LAST, 100, EH_DATA + 0xFF0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 100, EH_MIDAW);
    start_with(h, orb_midaw);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 100);
}

static void
midaw_count_zero_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 100, 0);
    eh_midaw(h, EH_MIDAW, MIDAW_FLAG_LAST, 0, EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 100, EH_MIDAW);
    start_with(h, orb_midaw);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 100);
}

static void
midaw_list_ending_before_count_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 100, 0);
    eh_midaw(h, EH_MIDAW, MIDAW_FLAG_LAST, 50, EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 100, EH_MIDAW);
    start_with(h, orb_midaw);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 50);
}

static void
midaw_dti_flag_is_invalid(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 100, 0);
    eh_midaw(h, EH_MIDAW, MIDAW_FLAG_LAST | MIDAW_FLAG_DTI, 100, EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_MIDA, 100, EH_MIDAW);
    start_with(h, orb_midaw);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, A + 8, 100);
}

static void
skip_flag_counts_without_storing(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 64, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_SKIP | CCW_FLAG_CD, 32, EH_DATA);
    eh_ccw1(h, A + 8, 0x02, 0, 32, EH_DATA + 0x100);
    eh_start(h, A);
    eh_expect_clean(h, A + 16);
    assert_int_equal(h->mem[EH_DATA], 0);
    assert_memory_equal(h->mem + EH_DATA + 0x100, pattern + 32, 32);
}

static void
short_read_is_incorrect_length(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 4, 0);
    eh_ccw1(h, A, 0x02, 0, 8, EH_DATA);
    eh_start(h, A);
    /* IL without chaining: not an alert condition. */
    expect_end(h, SC_FINAL, SCHN_STAT_INCORR_LEN, A + 8, 4);
}

static void
short_read_with_sli_is_clean(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 4, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_SLI, 8, EH_DATA);
    eh_start(h, A);
    expect_end(h, SC_FINAL, 0, A + 8, 4);
}

static void
device_wanting_more_is_incorrect_length(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 16, 0);
    eh_ccw1(h, A, 0x02, 0, 8, EH_DATA);
    eh_start(h, A);
    expect_end(h, SC_FINAL, SCHN_STAT_INCORR_LEN, A + 8, 0);
    assert_int_equal(testdev_log(h->td, 0)->moved, 8);
}

static void
incorrect_length_suppresses_command_chaining(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 4, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CC, 8, EH_DATA);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_INCORR_LEN, A + 8, 4);
    assert_int_equal(testdev_log_count(h->td), 1);
}

static void
sli_keeps_command_chaining(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 4, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 8, EH_DATA);
    eh_ccw1(h, A + 8, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 16);
    assert_int_equal(testdev_log_count(h->td), 2);
}

static void
immediate_format1_with_count_is_incorrect_length(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 8, EH_DATA);
    eh_start(h, A);
    expect_end(h, SC_FINAL, SCHN_STAT_INCORR_LEN, A + 8, 8);
}

static void
immediate_format1_with_count_and_orb_l_is_clean(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 8, EH_DATA);
    start_with(h, orb_ils);
    expect_end(h, SC_FINAL, 0, A + 8, 8);
}

static void
immediate_format1_with_count_and_sli_is_clean(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SLI, 8, EH_DATA);
    eh_start(h, A);
    expect_end(h, SC_FINAL, 0, A + 8, 8);
}

static void
orb_l_does_not_suppress_il_of_data_commands(void **state)
{
    struct eh *h = *state;

    eh_respond(h, 0x02, CEDE, pattern, 4, 0);
    eh_ccw1(h, A, 0x02, 0, 8, EH_DATA);
    start_with(h, orb_ils);
    expect_end(h, SC_FINAL, SCHN_STAT_INCORR_LEN, A + 8, 4);
}

static void
sense_id_with_sli_reports_residual(void **state)
{
    struct eh *h = *state;

    eh_ccw1(h, A, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 256, EH_DATA);
    eh_start(h, A);
    expect_end(h, SC_FINAL, 0, A + 8, 256 - 8);
    assert_int_equal(h->mem[EH_DATA], 0xFF);
    assert_int_equal(zv_be16(h->mem + EH_DATA + 1), 0x3990);
    assert_int_equal(zv_be16(h->mem + EH_DATA + 4), 0x3390);
}

/* A device that records what the channel offers (css_io_available). */
struct avail_dev {
    struct css_dev dev;
    uint32_t avail;
};

static void
avail_start(struct css_dev *dev, struct css_io *io)
{
    struct avail_dev *d = (struct avail_dev *)(void *)dev;
    uint8_t buf[64];

    d->avail = css_io_available(io);
    css_io_read(io, buf, d->avail);
    css_io_done(io, CEDE, 0);
}

static const struct css_dev_ops avail_ops = {.start = avail_start};

static struct avail_dev *
avail_define(struct eh *h, struct subchannel **sch)
{
    static struct avail_dev d;
    struct css_sch_desc desc = {
        .sch_no = 1, .devno = 0x2000, .pim = 0x80, .chpid = {EH_CHP0}};
    struct schib s;

    memset(&d, 0, sizeof(d));
    d.dev.ops = &avail_ops;
    assert_int_equal(css_sch_define(h->css, &desc, &d.dev, false, sch), 0);
    css_sch_stsch(*sch, &s);
    s.pmcw.ena = true;
    assert_int_equal(css_sch_msch(*sch, &s).cc, ZV_CC0);
    return &d;
}

static void
run_avail(struct eh *h, bool prefetch, uint32_t expect, uint8_t cstat)
{
    struct subchannel *sch;
    struct avail_dev *d = avail_define(h, &sch);
    struct orb o;

    eh_ccw1(h, A, 0x01, CCW_FLAG_CD, 8, EH_DATA);
    eh_ccw1(h, A + 8, 0x01, CCW_FLAG_CD, 16, EH_DATA);
    eh_ccw1(h, A + 16, 0x01, 0, 24, EH_DATA);
    eh_orb(&o, A);
    if (!prefetch)
        orb_no_prefetch(&o);
    assert_int_equal(css_sch_ssch(sch, &o).cc, ZV_CC0);
    eh_run(h);
    assert_int_equal(css_sch_tsch(sch, &h->irb).cc, ZV_CC0);
    assert_int_equal(d->avail, expect);
    assert_int_equal(h->irb.scsw.cstat, cstat);
}

static void
available_counts_data_chain_with_prefetch(void **state)
{
    run_avail(*state, true, 48, 0);
}

static void
available_is_current_ccw_without_prefetch(void **state)
{
    /* The device took only the 8 bytes offered and ended inside a data
     * chain: incorrect length. */
    run_avail(*state, false, 8, SCHN_STAT_INCORR_LEN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
        T(idaw_format1_2k_blocks),
        T(idaw_format1_later_idaw_off_block_boundary),
        T(idaw_format1_bit0_is_invalid),
        T(idaw_list_misaligned_is_invalid),
        T(idaw_format2_4k_blocks),
        T(idaw_format2_2k_blocks_reject_4k_only_boundary),
        T(idaw_format2_4k_rejects_2k_boundary),
        T(idaw_format2_reaches_above_2g),
        T(idaw_write_gathers_blocks),
        T(midaw_scatter),
        T(midaw_skip_flag_suppresses_store),
        T(midaw_crossing_page_is_invalid),
        T(midaw_count_zero_is_invalid),
        T(midaw_list_ending_before_count_is_invalid),
        T(midaw_dti_flag_is_invalid),
        T(skip_flag_counts_without_storing),
        T(short_read_is_incorrect_length),
        T(short_read_with_sli_is_clean),
        T(device_wanting_more_is_incorrect_length),
        T(incorrect_length_suppresses_command_chaining),
        T(sli_keeps_command_chaining),
        T(immediate_format1_with_count_is_incorrect_length),
        T(immediate_format1_with_count_and_orb_l_is_clean),
        T(immediate_format1_with_count_and_sli_is_clean),
        T(orb_l_does_not_suppress_il_of_data_commands),
        T(sense_id_with_sli_reports_residual),
        T(available_counts_data_chain_with_prefetch),
        T(available_is_current_ccw_without_prefetch),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
