/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 bounds through the host CSS, written as an attacker would
 * probe them (issue 7): each test sits exactly on an edge, one byte or
 * one track on either side, so an off-by-one in the device fails it.
 *
 *  - Records against the track slot.  A Hercules image may declare small
 *    track slots (CKD_P370 header dh_trksize, dasd.md §4.2); then the
 *    slot, not the 3390 track capacity, is what a record must fit, and
 *    the byte check is all that stands between a format write and a
 *    write past the track buffer.  A record that does not fit is unit
 *    check with sense byte 1 = invalid track format (0x40): the error a
 *    3990 reports for a record that does not fit the track's remaining
 *    capacity (Hercules does the same; Linux's 3990 ERP fails the
 *    request on it, dasd.md §1.4), rather than "no record found" (the
 *    record exists nowhere to be found) or a command reject (the count
 *    field itself is well-formed).
 *  - Locate Record against the Define Extent range: the first and the
 *    last track of the extent are accepted, one track before or after is
 *    file protected (sense byte 1 = 0x04), for reads and for writes, and
 *    a refused write leaves the image untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eckd_util.h"

/* Small slot: three 512-byte pieces.  HA (5) + R0 (8 + 8) + R1 count (8)
 * + end marker (8) leave SLOT_R1 bytes for the key and data of R1 alone;
 * an R0 alone can carry SLOT_R0 bytes. */
#define SLOT    1536u
#define SLOT_R1 (SLOT - 5 - 16 - 8 - 8)
#define SLOT_R0 (SLOT - 5 - 8 - 8)
#define TRK     4 /* the track formatted; TRK + 1 is its neighbour */

static int
setup_small(void **state)
{
    struct dh_opts o = {.seed = 11, .csense = true, .trksize = SLOT};

    *state = dh_new_eckd(0, EK_CYLS, false, &o);
    return *state ? 0 : -1;
}

/* The image bytes of track slot trk (malloc'd). */
static uint8_t *
slot_copy(struct dh *h, uint32_t trk)
{
    uint8_t *s = malloc(ckd_img_geom(h->cimg)->trksize);

    assert_non_null(s);
    assert_int_equal(ckd_img_read_track(h->cimg, trk / 15, trk % 15, s), 0);
    return s;
}

static void
assert_slot_is(struct dh *h, uint32_t trk, const uint8_t *before)
{
    uint8_t *now = slot_copy(h, trk);

    assert_memory_equal(now, before, ckd_img_geom(h->cimg)->trksize);
    free(now);
}

/* Records of track trk as the image layer parses them (-EINVAL when
 * malformed). */
static int
slot_records(struct dh *h, uint32_t trk, struct ckd_record *recs, unsigned n)
{
    uint8_t *s = slot_copy(h, trk);
    int rc = ckd_track_parse(s, ckd_img_geom(h->cimg)->trksize, recs, n);

    free(s);
    return rc;
}

static void
fill(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 13);
}

/* DE(format, TRK..TRK) + LR(format write, count orientation on R0,
 * count records) + one Write CKD per record (count + key + data). */
static void
format_program(struct dh *h, unsigned n, const uint8_t *kl, const uint16_t *dl)
{
    uint32_t off = EK_DATA;

    ek_put_de(h, 0x00, 0xC4, TRK, TRK);
    ek_put_lr(h, EK_LR, 0x03, 0, (uint8_t)n, TRK, 0, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = 8u + kl[i] + dl[i];

        ek_put_count(h->buf + off, TRK, (uint8_t)(i + 1), kl[i], dl[i]);
        fill(h->buf + off + 8, len - 8, (uint8_t)(0x31 + i));
        dh_ccw(h, 0x1D, i + 1 < n ? CCW_FLAG_CC : 0, (uint16_t)len, off);
        off += (len + 7) & ~7u;
    }
}

static void
small_slot_largest_record_fits_and_reads_back(void **state)
{
    struct dh *h = *state;
    const uint8_t kl = 0;
    const uint16_t dl = SLOT_R1;
    uint8_t want[SLOT_R1];
    struct ckd_record recs[4];

    format_program(h, 1, &kl, &dl);
    memcpy(want, h->buf + EK_DATA + 8, sizeof(want));
    dh_run_ok(h);
    /* R1 ends exactly where the end marker fills the slot */
    assert_int_equal(slot_records(h, TRK, recs, 4), 2);
    assert_int_equal(recs[1].dl, SLOT_R1);
    assert_int_equal(recs[1].offset + 8 + SLOT_R1 + 8, SLOT);
    memset(h->buf + EK_DATA, 0, SLOT);
    ek_de_lr(h, 0x40, 0x06, 1, TRK, 1, SLOT_R1);
    dh_ccw(h, 0x86, 0, SLOT_R1, EK_DATA);
    dh_run_ok(h);
    assert_memory_equal(h->buf + EK_DATA, want, sizeof(want));
}

static void
small_slot_record_one_byte_too_large_is_invalid_track_format(void **state)
{
    /* the data alone, and key + data, one byte over */
    static const uint8_t kl[] = {0, 12};
    static const uint16_t dl[] = {SLOT_R1 + 1, SLOT_R1 + 1 - 12};
    struct dh *h = *state;

    for (size_t i = 0; i < sizeof(kl); i++) {
        uint8_t *trk = slot_copy(h, TRK);
        uint8_t *next = slot_copy(h, TRK + 1);

        format_program(h, 1, &kl[i], &dl[i]);
        ek_run_uc(h, 2, 0x00, 0x40, 0x00);
        /* refused before anything moved: the slot and its neighbour
         * are what they were, and the track still parses */
        assert_slot_is(h, TRK, trk);
        assert_slot_is(h, TRK + 1, next);
        assert_int_equal(slot_records(h, TRK, NULL, 0), 1);
        free(trk);
        free(next);
    }
}

/* The second record gets what the first left: exactly that fits, one
 * byte more does not. */
static void
small_slot_second_record_bound(void **state)
{
    struct dh *h = *state;
    const uint8_t kl[] = {0, 0};
    uint16_t dl[] = {512, SLOT_R1 - 8 - 512 + 1};
    struct ckd_record recs[4];
    uint8_t *next = slot_copy(h, TRK + 1);

    format_program(h, 2, kl, dl);
    ek_run_uc(h, 3, 0x00, 0x40, 0x00);
    assert_slot_is(h, TRK + 1, next);
    dl[1]--;
    format_program(h, 2, kl, dl);
    dh_run_ok(h);
    assert_int_equal(slot_records(h, TRK, recs, 4), 3);
    assert_int_equal(recs[2].offset + 8 + dl[1] + 8, SLOT);
    assert_slot_is(h, TRK + 1, next);
    free(next);
}

/* Write R0 (home-address orientation): R0 alone on the track. */
static void
write_r0_program(struct dh *h, uint16_t dl)
{
    ek_put_de(h, 0xC0, 0xC4, TRK, TRK);
    ek_put_lr(h, EK_LR, 0x43, 0, 1, TRK, 0, 0);
    ek_put_count(h->buf + EK_DATA, TRK, 0, 0, dl);
    fill(h->buf + EK_DATA + 8, dl, 0x52);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x15, 0, (uint16_t)(8 + dl), EK_DATA);
}

static void
small_slot_write_r0_bound(void **state)
{
    struct dh *h = *state;
    uint8_t *trk = slot_copy(h, TRK);
    uint8_t *next = slot_copy(h, TRK + 1);
    uint8_t want[SLOT_R0];
    struct ckd_record recs[2];

    write_r0_program(h, SLOT_R0 + 1);
    ek_run_uc(h, 2, 0x00, 0x40, 0x00);
    assert_slot_is(h, TRK, trk);
    assert_slot_is(h, TRK + 1, next);
    write_r0_program(h, SLOT_R0);
    memcpy(want, h->buf + EK_DATA + 8, sizeof(want));
    dh_run_ok(h);
    assert_int_equal(slot_records(h, TRK, recs, 2), 1);
    assert_int_equal(recs[0].dl, SLOT_R0);
    assert_slot_is(h, TRK + 1, next);
    /* Read R0 gives count + data back */
    ek_put_de(h, 0x40, 0xC0, TRK, TRK);
    ek_put_lr(h, EK_LR, 0x16, 0, 1, TRK, 0, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x16, 0, 8 + SLOT_R0, EK_DATA + 4096);
    dh_run_ok(h);
    assert_memory_equal(h->buf + EK_DATA + 4096 + 8, want, sizeof(want));
    free(trk);
    free(next);
}

/* An update write whose CCW count is larger than the record writes the
 * record's data length and no byte more: the next record and the slot
 * after the end marker keep their bytes (the residual is the channel's to
 * report, here suppressed by SLI). */
static void
small_slot_update_write_longer_than_record_stays_in_it(void **state)
{
    struct dh *h = *state;
    const uint8_t kl[] = {0, 0};
    const uint16_t dl[] = {100, 200};
    uint8_t *before;
    struct ckd_record recs[4];

    format_program(h, 2, kl, dl);
    dh_run_ok(h);
    before = slot_copy(h, TRK);
    assert_int_equal(slot_records(h, TRK, recs, 4), 3);
    memset(h->buf + EK_DATA, 0xEE, SLOT);
    ek_put_de(h, 0x80, 0xC0, TRK, TRK);
    ek_put_lr(h, EK_LR, 0x01, 0, 1, TRK, 1, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x85, CCW_FLAG_SLI, SLOT, EK_DATA);
    dh_run_ok(h);
    assert_int_equal(h->irb.scsw.count, SLOT - 100);
    memset(before + recs[1].offset + 8, 0xEE, 100);
    assert_slot_is(h, TRK, before);
    free(before);
}

/* ---- Locate Record against the extent (CDL volume: 12 x 4 KiB records
 * on every track from 2 on) ---- */

#define EXT_BEG 3
#define EXT_END 5

static void
locate_read(struct dh *h, uint32_t trk)
{
    ek_put_de(h, 0x40, 0xC0, EXT_BEG, EXT_END);
    ek_put_lr(h, EK_LR, 0x06, 0x80, 1, trk, 1, 4096);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA);
}

static void
locate_write(struct dh *h, uint32_t trk)
{
    ek_put_de(h, 0x80, 0xC0, EXT_BEG, EXT_END);
    ek_put_lr(h, EK_LR, 0x01, 0x80, 1, trk, 1, 4096);
    memset(h->buf + EK_DATA, 0xA5, 4096);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
}

static void
locate_first_and_last_track_of_extent_accepted(void **state)
{
    static const uint32_t ok[] = {EXT_BEG, EXT_END};
    struct dh *h = *state;
    struct ckd_record recs[2];
    uint8_t *s;

    for (size_t i = 0; i < 2; i++) {
        locate_read(h, ok[i]);
        dh_run_ok(h);
        locate_write(h, ok[i]);
        dh_run_ok(h);
        /* the write landed: R1's data is the pattern */
        s = slot_copy(h, ok[i]);
        assert_true(ckd_track_parse(s, ckd_img_geom(h->cimg)->trksize, recs,
                                    2) == -ENOSPC);
        assert_int_equal(s[recs[1].offset + 8], 0xA5);
        assert_int_equal(s[recs[1].offset + 8 + 4095], 0xA5);
        free(s);
    }
}

static void
locate_read_one_track_outside_extent_is_file_protected(void **state)
{
    static const uint32_t out[] = {EXT_END + 1, EXT_BEG - 1};
    struct dh *h = *state;

    for (size_t i = 0; i < 2; i++) {
        memset(h->buf + EK_DATA, 0x77, 4096);
        locate_read(h, out[i]);
        ek_run_uc(h, 1, 0x00, 0x04, 0x00);
        /* nothing was read */
        assert_int_equal(h->buf[EK_DATA], 0x77);
        assert_int_equal(h->buf[EK_DATA + 4095], 0x77);
    }
}

static void
locate_write_one_track_outside_extent_is_file_protected(void **state)
{
    static const uint32_t out[] = {EXT_END + 1, EXT_BEG - 1};
    struct dh *h = *state;

    for (size_t i = 0; i < 2; i++) {
        uint8_t *before = slot_copy(h, out[i]);

        locate_write(h, out[i]);
        ek_run_uc(h, 1, 0x00, 0x04, 0x00);
        assert_slot_is(h, out[i], before);
        free(before);
    }
}

/* Locate Record Extended (write any) goes through the same check. */
static void
locate_extended_one_track_past_extent_is_file_protected(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_LR;
    uint8_t *before = slot_copy(h, EXT_END + 1);

    ek_put_de(h, 0x80, 0xC0, EXT_BEG, EXT_END);
    ek_put_lr(h, EK_LR, 0x3F, 0x00, 1, EXT_END + 1, 1, 0);
    memset(p + 16, 0, 4);
    p[17] = 0x09; /* write any */
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x4B, CCW_FLAG_CC, 20, EK_LR);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
    ek_run_uc(h, 1, 0x00, 0x04, 0x00);
    assert_slot_is(h, EXT_END + 1, before);
    free(before);
}

/* A format write whose count names the track after the extent does not
 * get there (the device moves to the track a format write names). */
static void
format_write_naming_track_past_extent_is_file_protected(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;
    uint8_t *before = slot_copy(h, EXT_END + 1);

    ek_put_de(h, 0x00, 0xC4, EXT_BEG, EXT_END);
    ek_put_lr(h, EK_LR, 0x03, 0, 2, EXT_END, 0, 512);
    ek_put_count(c, EXT_END, 1, 0, 512);
    ek_put_count(c + 8, EXT_END + 1, 1, 0, 512);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x1D, CCW_FLAG_CC | CCW_FLAG_SLI, 8, EK_DATA);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, EK_DATA + 8);
    ek_run_uc(h, 3, 0x00, 0x04, 0x00);
    assert_slot_is(h, EXT_END + 1, before);
    free(before);
}

int
main(void)
{
#define S(f) cmocka_unit_test_setup_teardown(f, setup_small, ek_teardown)
#define C(f) cmocka_unit_test_setup_teardown(f, ek_setup_cdl, ek_teardown)
    const struct CMUnitTest tests[] = {
        S(small_slot_largest_record_fits_and_reads_back),
        S(small_slot_record_one_byte_too_large_is_invalid_track_format),
        S(small_slot_second_record_bound),
        S(small_slot_write_r0_bound),
        S(small_slot_update_write_longer_than_record_stays_in_it),
        C(locate_first_and_last_track_of_extent_accepted),
        C(locate_read_one_track_outside_extent_is_file_protected),
        C(locate_write_one_track_outside_extent_is_file_protected),
        C(locate_extended_one_track_past_extent_is_file_protected),
        C(format_write_naming_track_past_extent_is_file_protected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
