/* SPDX-License-Identifier: MIT */
/*
 * Engine: the data stream where storage is made of several mappings
 * (base/mem).  The stream reuses one lookup for the rest of a page; these
 * cases put mapping ends, holes and read-only mappings inside a page, so
 * a reused lookup would move the wrong bytes or miss a program check
 * (css-pop.md §2.5, §5.1: an unavailable data or IDAW address is a
 * channel-program check).
 */
#include "eh.h"

#include <string.h>

#define A      EH_CCW
#define EXTRA  0x400000u /* above the harness's 1 MiB, below the hole */
#define HALF   0x800u
#define IDAL_X 0x500000u

static uint8_t pattern[8192];
static uint8_t lo_half[HALF], hi_half[HALF], ro_page[4096], idal[HALF];

static void
fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 5 + 1);
}

/* [EXTRA, +2K) and [EXTRA + 2K, +2K): one page, two mappings. */
static void
map_split_page(struct eh *h, unsigned hi_prot)
{
    memset(lo_half, 0, sizeof(lo_half));
    memset(hi_half, 0, sizeof(hi_half));
    assert_int_equal(zv_as_map(h->as, EXTRA, HALF, lo_half, ZV_MEM_RW), 0);
    assert_int_equal(zv_as_map(h->as, EXTRA + HALF, HALF, hi_half, hi_prot), 0);
}

static void
start_fmt2(struct eh *h, bool i2k)
{
    struct orb o;

    eh_orb(&o, A);
    o.c64 = true;
    o.i2k = i2k;
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
}

static void
expect_end(struct eh *h, uint8_t sc, uint8_t cstat, uint16_t count)
{
    eh_expect_end(h, SCSW_FCTL_START, 0, sc, CEDE, cstat, A + 8, count);
}

static void
direct_area_across_two_mappings_in_one_page(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    map_split_page(h, ZV_MEM_RW);
    eh_respond(h, 0x02, CEDE, pattern, 0x200, 0);
    eh_ccw1(h, A, 0x02, 0, 0x200, EXTRA + HALF - 0x100);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(lo_half + HALF - 0x100, pattern, 0x100);
    assert_memory_equal(hi_half, pattern + 0x100, 0x100);
}

/* One 4K IDAW block made of two mappings, then a block elsewhere. */
static void
idaw_block_across_two_mappings(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    map_split_page(h, ZV_MEM_RW);
    eh_respond(h, 0x02, CEDE, pattern, 0x1000, 0);
    eh_idaw2(h, EH_IDAW, EXTRA + 0x100);
    eh_idaw2(h, EH_IDAW + 8, EH_DATA);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 0x1000, EH_IDAW);
    start_fmt2(h, false);
    eh_expect_clean(h, A + 8);
    assert_memory_equal(lo_half + 0x100, pattern, HALF - 0x100);
    assert_memory_equal(hi_half, pattern + HALF - 0x100, HALF);
    assert_memory_equal(h->mem + EH_DATA, pattern + 0xF00, 0x100);
}

/* The IDAL runs off the end of its mapping in mid-page: the IDAW there
 * is unavailable, a program check after the blocks before it. */
static void
idal_running_into_a_hole_mid_page(void **state)
{
    struct eh *h = *state;

    fill_pattern();
    memset(idal, 0, sizeof(idal));
    assert_int_equal(zv_as_map(h->as, IDAL_X, HALF, idal, ZV_MEM_RW), 0);
    zv_put_be64(idal + HALF - 16, EH_DATA);
    zv_put_be64(idal + HALF - 8, EH_DATA + 0x800);
    eh_respond(h, 0x02, CEDE, pattern, 0x1800, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 0x1800, IDAL_X + HALF - 16);
    start_fmt2(h, true);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, 0x800);
    assert_memory_equal(h->mem + EH_DATA, pattern, 0x1000);
}

/* A block whose second half is read-only: the first half is stored, the
 * second is a program check (no key checks: only the mapping's
 * permission), and nothing reaches the read-only bytes. */
static void
store_into_read_only_half_of_a_page(void **state)
{
    struct eh *h = *state;
    uint8_t zero[HALF] = {0};

    fill_pattern();
    map_split_page(h, ZV_MEM_READ);
    eh_respond(h, 0x02, CEDE, pattern, 0x1000, 0);
    eh_idaw2(h, EH_IDAW, EXTRA);
    eh_idaw2(h, EH_IDAW + 8, EXTRA + HALF);
    eh_ccw1(h, A, 0x02, CCW_FLAG_IDA, 0x1000, EH_IDAW);
    start_fmt2(h, true);
    expect_end(h, SC_ALERT_FINAL, SCHN_STAT_PROG_CHECK, 0x800);
    assert_memory_equal(lo_half, pattern, HALF);
    assert_memory_equal(hi_half, zero, HALF);
}

/* Read-only storage serves a write command (the channel only fetches). */
static void
fetch_from_read_only_mapping(void **state)
{
    struct eh *h = *state;
    const uint8_t *got;
    size_t len;

    fill_pattern();
    memcpy(ro_page, pattern, sizeof(ro_page));
    assert_int_equal(
        zv_as_map(h->as, EXTRA, sizeof(ro_page), ro_page, ZV_MEM_READ), 0);
    eh_respond(h, 0x01, CEDE, NULL, 0x300, 0);
    eh_idaw2(h, EH_IDAW, EXTRA + 0x100);
    eh_ccw1(h, A, 0x01, CCW_FLAG_IDA, 0x300, EH_IDAW);
    start_fmt2(h, false);
    eh_expect_clean(h, A + 8);
    got = testdev_log_data(h->td, 0, &len);
    assert_int_equal(len, 0x300);
    assert_memory_equal(got, pattern + 0x100, 0x300);
}

/* Data-chained CCWs whose IDAWs sit side by side and name pieces of one
 * page in reverse order: each piece lands where its own IDAW says. */
static void
data_chain_pieces_of_one_page_out_of_order(void **state)
{
    struct eh *h = *state;
    uint8_t *page = h->mem + EH_DATA;

    fill_pattern();
    eh_respond(h, 0x02, CEDE, pattern, 4 * 0x100, 0);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t flags = CCW_FLAG_IDA | (i < 3 ? CCW_FLAG_CD : 0);

        eh_idaw2(h, EH_IDAW + 8 * i, EH_DATA + 0x300 - 0x100 * i);
        eh_ccw1(h, A + 8 * i, i ? 0 : 0x02, flags, 0x100, EH_IDAW + 8 * i);
    }
    start_fmt2(h, false);
    eh_expect_clean(h, A + 32);
    for (unsigned i = 0; i < 4; i++)
        assert_memory_equal(page + 0x300 - 0x100 * i, pattern + 0x100 * i,
                            0x100);
}

/* A data-chained CCW whose direct area runs from writable into
 * read-only storage: its area is checked whole before any of its data
 * moves (css-pop.md §5.1 step 5), so the program check names it, its whole
 * count is left and none of it is stored; the CCW before it is done. */
static void
data_chained_area_into_read_only_storage(void **state)
{
    struct eh *h = *state;
    uint8_t zero[HALF] = {0};

    fill_pattern();
    map_split_page(h, ZV_MEM_READ);
    eh_respond(h, 0x02, CEDE, pattern, 0x300, 0);
    eh_ccw1(h, A, 0x02, CCW_FLAG_CD, 0x100, EXTRA + HALF - 0x300);
    eh_ccw1(h, A + 8, 0, 0, 0x200, EXTRA + HALF - 0x100);
    eh_start(h, A);
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_ALERT_FINAL, CEDE,
                  SCHN_STAT_PROG_CHECK, A + 16, 0x200);
    assert_memory_equal(lo_half + HALF - 0x300, pattern, 0x100);
    assert_memory_equal(lo_half + HALF - 0x200, zero, 0x200);
    assert_memory_equal(hi_half, zero, HALF);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, eh_setup, eh_teardown)
    const struct CMUnitTest tests[] = {
        T(direct_area_across_two_mappings_in_one_page),
        T(idaw_block_across_two_mappings),
        T(idal_running_into_a_hole_mid_page),
        T(store_into_read_only_half_of_a_page),
        T(fetch_from_read_only_mapping),
        T(data_chain_pieces_of_one_page_out_of_order),
        T(data_chained_area_into_read_only_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
