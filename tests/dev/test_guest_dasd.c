/* SPDX-License-Identifier: MIT */
/*
 * The guest DASD library over chan_css: bring-online sequence, block I/O,
 * CDL special blocks, discard, format, and its error recovery (retries on
 * equipment checks and path loss, failure on permanent errors).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev_harness.h"

#define CYLS 10

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed);
}

static void
fba_online_reads_geometry(void **state)
{
    struct dh_opts o = {.seed = 2, .csense = true};
    struct dh *h = dh_new_fba(2048, &o);
    struct guest_dasd *g;
    const struct guest_dasd_info *i;

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    i = guest_dasd_info(g);
    assert_int_equal(i->type, GUEST_DASD_FBA);
    assert_int_equal(i->layout, GUEST_LAYOUT_FBA);
    assert_int_equal(i->cu_type, 0x6310);
    assert_int_equal(i->dev_type, 0x9336);
    assert_int_equal(i->blksize, 512);
    assert_int_equal(i->blocks, 2048);
    assert_true(i->data_chaining);
    assert_false(i->grouped);
    guest_dasd_offline(g);
    dh_free(h);
}

static void
fba_write_read_discard(void **state)
{
    struct dh_opts o = {.seed = 2, .csense = false};
    struct dh *h = dh_new_fba(4096, &o);
    struct guest_dasd *g;
    static uint8_t out[3000 * 512], in[3000 * 512];

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    fill(out, sizeof(out), 5);
    /* several programs (at most 254 blocks each) */
    assert_int_equal(guest_dasd_write(g, 100, 3000, out), 0);
    assert_int_equal(guest_dasd_read(g, 100, 3000, in), 0);
    assert_memory_equal(in, out, sizeof(out));
    assert_int_equal(guest_dasd_discard(g, 200, 100), 0);
    assert_int_equal(guest_dasd_read(g, 199, 102, in), 0);
    assert_memory_equal(in, out + 99 * 512, 512);
    for (size_t k = 512; k < 101 * 512; k++)
        assert_int_equal(in[k], 0);
    assert_memory_equal(in + 101 * 512, out + 200 * 512, 512);
    assert_int_equal(guest_dasd_read(g, 4000, 97, in), -EINVAL);
    guest_dasd_offline(g);
    dh_free(h);
}

/* A buf inside guest_dasd_buffer() is the guest's own memory: the data
 * moves there and nowhere else (canaries around the range, the rest of
 * the area untouched), equal to what the staged path reads; a request
 * that would run past the area's end is refused before anything moves. */
static void
guest_buffer_is_read_and_written_in_place(void **state)
{
    struct dh_opts o = {.seed = 2, .csense = false};
    struct dh *h = dh_new_fba(4096, &o);
    struct guest_dasd *g;
    static uint8_t out[300 * 512], in[300 * 512], before[1 << 20];
    uint8_t *area;
    size_t len;

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    area = guest_dasd_buffer(g, &len);
    assert_non_null(area);
    assert_int_equal(len, 1u << 20);
    /* write 300 blocks (two programs) from an odd place in the area */
    fill(out, sizeof(out), 11);
    memcpy(area + 3 * 512, out, sizeof(out));
    assert_int_equal(guest_dasd_write(g, 50, 300, area + 3 * 512), 0);
    assert_int_equal(guest_dasd_read(g, 50, 300, in), 0);
    assert_memory_equal(in, out, sizeof(out));
    /* read them back in place, the rest of the area a canary */
    memset(area, 0xC3, len);
    memcpy(before, area, len);
    assert_int_equal(guest_dasd_read(g, 50, 300, area + 8192), 0);
    assert_memory_equal(area + 8192, out, sizeof(out));
    assert_memory_equal(area, before, 8192);
    assert_memory_equal(area + 8192 + sizeof(out), before,
                        len - 8192 - sizeof(out));
    /* past the end: refused, nothing moved */
    assert_int_equal(guest_dasd_read(g, 0, 2, area + len - 512), -EINVAL);
    assert_int_equal(guest_dasd_write(g, 0, 2049, area), -EINVAL);
    assert_int_equal(area[len - 1], 0xC3);
    assert_int_equal(guest_dasd_read(g, 0, 1, area + len - 512), 0);
    guest_dasd_offline(g);
    dh_free(h);

    /* ECKD, the CDL short records included: the fill lands in place */
    h = dh_new_eckd(0, CYLS, true, &o);
    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    area = guest_dasd_buffer(g, &len);
    assert_int_equal(guest_dasd_read(g, 0, 30, in), 0);
    memset(area, 0x3C, len);
    assert_int_equal(guest_dasd_read(g, 0, 30, area + 4096), 0);
    assert_memory_equal(area + 4096, in, 30 * 4096);
    for (size_t k = 0; k < 4096; k++)
        assert_int_equal(area[k], 0x3C);
    for (size_t k = 31 * 4096; k < len; k++)
        assert_int_equal(area[k], 0x3C);
    guest_dasd_offline(g);
    dh_free(h);
}

static void
eckd_online_cdl_volume(void **state)
{
    struct dh_opts o = {.seed = 4, .csense = true};
    struct dh *h = dh_new_eckd(0, CYLS, true, &o);
    struct guest_dasd *g;
    const struct guest_dasd_info *i;

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    i = guest_dasd_info(g);
    assert_int_equal(i->type, GUEST_DASD_ECKD);
    assert_int_equal(i->layout, GUEST_LAYOUT_CDL);
    assert_int_equal(i->cu_type, 0x3990);
    assert_int_equal(i->dev_type, 0x3390);
    assert_int_equal(i->blksize, 4096);
    assert_int_equal(i->rpt, 12);
    assert_int_equal(i->cyls, CYLS);
    assert_int_equal(i->heads, 15);
    assert_int_equal(i->blocks, CYLS * 15 * 12);
    assert_true(i->grouped);
    assert_int_equal(i->ned[1], 0x01);
    for (int k = 0; k < 256; k++)
        assert_int_equal(i->features[k], 0);
    guest_dasd_offline(g);
    dh_free(h);
}

static void
eckd_cdl_special_blocks_are_short_keyed_records(void **state)
{
    struct dh_opts o = {.seed = 4, .csense = true};
    struct dh *h = dh_new_eckd(0, CYLS, true, &o);
    struct guest_dasd *g;
    static const uint8_t vol1[4] = {0xE5, 0xD6, 0xD3, 0xF1};
    static uint8_t b[4096 * 30], w[4096 * 30];

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    assert_int_equal(guest_dasd_read(g, 2, 1, b), 0);
    assert_memory_equal(b, vol1, 4);
    for (int k = 84; k < 4096; k++)
        assert_int_equal(b[k], 0xE5);
    /* a request across the special blocks and into regular ones */
    fill(w, sizeof(w), 9);
    assert_int_equal(guest_dasd_write(g, 0, 30, w), 0);
    memset(b, 0, sizeof(b));
    assert_int_equal(guest_dasd_read(g, 0, 30, b), 0);
    for (uint64_t blk = 0; blk < 30; blk++) {
        uint32_t len = guest_dasd_cdl_reclen(12, 4096, blk);

        assert_memory_equal(b + blk * 4096, w + blk * 4096, len);
        for (uint32_t k = len; k < 4096; k++)
            assert_int_equal(b[blk * 4096 + k], 0xE5);
    }
    guest_dasd_offline(g);
    dh_free(h);
}

static void
eckd_unformatted_then_format_ldl(void **state)
{
    struct dh_opts o = {.seed = 5, .csense = true};
    struct dh *h = dh_new_eckd(0, 4, false, &o);
    struct guest_dasd *g;
    static uint8_t w[4096 * 13], r[4096 * 13];

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    assert_int_equal(guest_dasd_info(g)->layout, GUEST_LAYOUT_NONE);
    assert_int_equal(guest_dasd_read(g, 0, 1, r), -EINVAL);
    assert_int_equal(guest_dasd_format(g, 512, GUEST_LAYOUT_LDL), 0);
    assert_int_equal(guest_dasd_info(g)->layout, GUEST_LAYOUT_LDL);
    assert_int_equal(guest_dasd_info(g)->blksize, 512);
    assert_int_equal(guest_dasd_info(g)->rpt, 49);
    assert_int_equal(guest_dasd_info(g)->blocks, 4 * 15 * 49);
    fill(w, sizeof(w), 3);
    assert_int_equal(guest_dasd_write(g, 40, 100, w), 0);
    assert_int_equal(guest_dasd_read(g, 40, 100, r), 0);
    assert_memory_equal(r, w, 512 * 100);
    assert_int_equal(guest_dasd_format(g, 2048, GUEST_LAYOUT_CDL), 0);
    assert_int_equal(guest_dasd_info(g)->layout, GUEST_LAYOUT_CDL);
    assert_int_equal(guest_dasd_info(g)->blksize, 2048);
    assert_int_equal(guest_dasd_info(g)->rpt, 21);
    /* the device's knowledge of each track's records follows the
     * reformat: data lands in and comes back from the new records */
    fill(w, 2048 * 25, 7);
    assert_int_equal(guest_dasd_write(g, 50, 25, w), 0);
    memset(r, 0, sizeof(r));
    assert_int_equal(guest_dasd_read(g, 50, 25, r), 0);
    assert_memory_equal(r, w, 2048 * 25);
    assert_int_equal(guest_dasd_format(g, 4096, GUEST_LAYOUT_LDL), 0);
    assert_int_equal(guest_dasd_info(g)->rpt, 12);
    fill(w, 4096 * 12, 8);
    assert_int_equal(guest_dasd_write(g, 30, 12, w), 0);
    memset(r, 0, sizeof(r));
    assert_int_equal(guest_dasd_read(g, 30, 12, r), 0);
    assert_memory_equal(r, w, 4096 * 12);
    guest_dasd_offline(g);
    dh_free(h);
}

static void
equipment_checks_are_retried_then_fail(void **state)
{
    struct dh_opts o = {.seed = 6, .csense = true};
    struct dh *h = dh_new_fba(256, &o);
    struct guest_dasd *g;
    uint8_t b[512];
    const struct guest_dasd_stats *st;

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    st = guest_dasd_stats(g);
    /* one fault: retried, succeeds */
    dev_dasd_inject_uc(h->dev, 1, 0x10);
    assert_int_equal(guest_dasd_read(g, 0, 1, b), 0);
    assert_int_equal(st->retries, 1);
    assert_int_equal(st->unit_checks, 1);
    /* a command reject is not retried */
    dev_dasd_inject_uc(h->dev, 0, 0x80);
    assert_int_equal(guest_dasd_read(g, 0, 1, b), -EIO);
    assert_int_equal(st->retries, 1);
    assert_int_equal(guest_dasd_last_sense(g)[0], 0x80);
    guest_dasd_offline(g);
    dh_free(h);
}

/* Without concurrent sense the library reads it with a basic Sense. */
static void
basic_sense_path_recovers_equipment_check(void **state)
{
    struct dh_opts o = {.seed = 6, .csense = false};
    struct dh *h = dh_new_eckd(0, CYLS, true, &o);
    struct guest_dasd *g;
    uint8_t b[4096];
    uint64_t before;

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    before = guest_dasd_stats(g)->retries;
    dev_dasd_inject_uc(h->dev, 2, 0x10); /* the Read Data after DE, LR */
    assert_int_equal(guest_dasd_read(g, 30, 1, b), 0);
    assert_int_equal(guest_dasd_stats(g)->retries, before + 1);
    assert_int_equal(guest_dasd_last_sense(g)[0], 0x10);
    assert_int_equal(guest_dasd_last_sense(g)[27], 0x80);
    guest_dasd_offline(g);
    dh_free(h);
}

static void
always_failing_device_does_not_come_online(void **state)
{
    struct dh_opts o = {.seed = 8, .csense = true};
    struct guest_dasd *g = NULL;
    struct dh *h;

    o.cfg.eq_check_ppm = 1000000;
    h = dh_new_fba(256, &o);
    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), -EIO);
    assert_null(g);
    dh_free(h);
}

static void
path_failure_uses_the_other_path(void **state)
{
    struct dh_opts o = {.seed = 9, .csense = true};
    struct dh *h = dh_new_eckd(0, CYLS, true, &o);
    struct guest_dasd *g;
    static uint8_t w[4096 * 8], r[4096 * 8];

    assert_non_null(h);
    assert_int_equal(guest_dasd_online(h->ch, &g), 0);
    assert_int_equal(css_chp_set_failed(h->css, DH_CHP0, true), 0);
    fill(w, sizeof(w), 1);
    assert_int_equal(guest_dasd_write(g, 100, 8, w), 0);
    assert_int_equal(guest_dasd_read(g, 100, 8, r), 0);
    assert_memory_equal(r, w, sizeof(w));
    assert_int_equal(css_chp_set_failed(h->css, DH_CHP1, true), 0);
    assert_int_not_equal(guest_dasd_read(g, 100, 8, r), 0);
    assert_true(guest_dasd_stats(g)->path_errors > 0);
    assert_int_equal(css_chp_set_failed(h->css, DH_CHP0, false), 0);
    assert_int_equal(guest_dasd_read(g, 100, 8, r), 0);
    guest_dasd_offline(g);
    dh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fba_online_reads_geometry),
        cmocka_unit_test(fba_write_read_discard),
        cmocka_unit_test(guest_buffer_is_read_and_written_in_place),
        cmocka_unit_test(eckd_online_cdl_volume),
        cmocka_unit_test(eckd_cdl_special_blocks_are_short_keyed_records),
        cmocka_unit_test(eckd_unformatted_then_format_ldl),
        cmocka_unit_test(equipment_checks_are_retried_then_fail),
        cmocka_unit_test(basic_sense_path_recovers_equipment_check),
        cmocka_unit_test(always_failing_device_does_not_come_online),
        cmocka_unit_test(path_failure_uses_the_other_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
