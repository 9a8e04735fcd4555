/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 formatting through the host CSS (dasd.md §3): Write CKD and
 * Write R0 as dasdfmt issues them, the end-of-file record of its
 * invalidate pass, and I/O to the high cylinders of an extended-address
 * volume.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eckd_util.h"

/* dasdfmt: DE(format) + LR(format write, R0) + Write CKD count only. */
static void
write_ckd_formats_track_and_read_back(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    ek_put_de(h, 0x00, 0xC4, 4, 5);
    ek_put_lr(h, EK_LR, 0x03, 0, 4, 4, 0, 512);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    for (int i = 0; i < 4; i++) {
        uint32_t trk = i < 2 ? 4 : 5;

        ek_put_count(c + 8 * i, trk, (uint8_t)(i % 2 + 1), 0, 512);
        dh_ccw(h, 0x1D, (i < 3 ? CCW_FLAG_CC : 0) | CCW_FLAG_SLI, 8,
               EK_DATA + 8 * i);
    }
    dh_run_ok(h);
    /* the counts read back, then a third record is not there */
    ek_de_lr(h, 0x40, 0x06, 3, 5, 0, 0);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, EK_DATA + 64);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, EK_DATA + 72);
    dh_ccw(h, 0x12, 0, 8, EK_DATA + 80);
    ek_run_uc(h, 4, 0x00, 0x08, 0x00);
    assert_memory_equal(h->buf + EK_DATA + 64, c + 16, 16);
}

static void
write_ckd_beyond_track_capacity_is_invalid_track_format(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;
    int i;

    ek_put_de(h, 0x00, 0xC4, 4, 4);
    ek_put_lr(h, EK_LR, 0x03, 0, 13, 4, 0, 4096);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    for (i = 0; i < 13; i++) {
        ek_put_count(c + 8 * i, 4, (uint8_t)(i + 1), 0, 4096);
        dh_ccw(h, 0x1D, (i < 12 ? CCW_FLAG_CC : 0) | CCW_FLAG_SLI, 8,
               EK_DATA + 8 * i);
    }
    ek_run_uc(h, 14, 0x00, 0x40, 0x00);
}

static void
write_ckd_under_update_mask_is_file_protected(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    ek_put_de(h, 0x80, 0xC0, 4, 4);
    ek_put_lr(h, EK_LR, 0x03, 0, 1, 4, 0, 512);
    ek_put_count(c, 4, 1, 0, 512);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, EK_DATA);
    ek_run_uc(h, 2, 0x00, 0x04, 0x00);
}

static void
write_r0_with_home_address_orientation(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    ek_put_de(h, 0xC0, 0xC4, 6, 6);
    ek_put_lr(h, EK_LR, 0x43, 0, 2, 6, 0, 512);
    ek_put_count(c, 6, 0, 0, 8);
    ek_put_count(c + 8, 6, 1, 0, 512);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x15, CCW_FLAG_CC | CCW_FLAG_SLI, 8, EK_DATA);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, EK_DATA + 8);
    dh_run_ok(h);
    ek_de_lr(h, 0x40, 0x06, 1, 6, 1, 512);
    dh_ccw(h, 0x86, 0, 512, EK_DATA + 64);
    dh_run_ok(h);
}

/* dasdfmt's invalidate: R1 with data length 0 -- reading it is an
 * end-of-file record: unit exception, no unit check. */
static void
read_of_eof_record_is_unit_exception(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    ek_put_de(h, 0x00, 0xC4, 7, 7);
    ek_put_lr(h, EK_LR, 0x03, 0, 1, 7, 0, 0);
    ek_put_count(c, 7, 1, 0, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, EK_DATA);
    dh_run_ok(h);
    ek_de_lr(h, 0x40, 0x06, 2, 7, 1, 0);
    dh_ccw(h, 0x86, CCW_FLAG_CC | CCW_FLAG_SLI, 4096, EK_DATA + 64);
    dh_ccw(h, 0x86, CCW_FLAG_SLI, 4096, EK_DATA + 64);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK | DEV_STAT_UNIT_EXCEP);
    assert_int_equal(h->irb.scsw.cstat, 0);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 2) + 8);
    assert_false(h->irb.scsw.ectl);
}

/* An extended-address volume: more than 65,520 cylinders (the image is
 * grown sparse).  RDC says 0xFFFE and carries the count in bytes 60-63;
 * cylinders above 65,535 put their high bits in the upper 12 bits of HH. */

static void
eav_volume_rdc_and_high_cylinder_io(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);
    uint8_t *c = h->buf + EK_DATA;
    uint32_t trk = 65538 * 15 + 3;
    uint8_t *slot = malloc(g->trksize);

    assert_non_null(slot);
    dh_ccw(h, 0x64, 0, 64, 0);
    dh_run_ok(h);
    assert_int_equal(zv_be16(h->buf + 12), 0xFFFE);
    assert_int_equal(zv_be32(h->buf + 60), EK_EAV_CYLS);
    assert_int_equal(h->buf[5], 0x0C);
    /* format the track (R0 + one 4 KiB record) and read it back */
    ek_put_de(h, 0xC0, 0xC4, trk, trk);
    ek_put_lr(h, EK_LR, 0x43, 0, 2, trk, 0, 4096);
    ek_put_count(c, trk, 0, 0, 8);
    ek_put_count(c + 8, trk, 1, 0, 4096);
    assert_int_equal(zv_be16(c + 10), (((65538 >> 16) << 4) | 3));
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x15, CCW_FLAG_CC | CCW_FLAG_SLI, 8, EK_DATA);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, EK_DATA + 8);
    dh_run_ok(h);
    memset(h->buf + EK_DATA + 64, 0x6B, 4096);
    ek_de_lr(h, 0x80, 0x01, 1, trk, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA + 64);
    dh_run_ok(h);
    assert_int_equal(ckd_img_read_track(h->cimg, 65538, 3, slot), 0);
    struct ckd_record recs[4];
    assert_int_equal(ckd_track_parse(slot, g->trksize, recs, 4), 2);
    assert_int_equal(zv_be16(slot + 1), 65538 & 0xFFFF);
    assert_int_equal(slot[5 + 16 + 8], 0x6B);
    free(slot);
}

int
main(void)
{
#define E(f) cmocka_unit_test_setup_teardown(f, ek_setup_empty, ek_teardown)
#define X(f) cmocka_unit_test_setup_teardown(f, ek_setup_eav, ek_teardown)
    const struct CMUnitTest tests[] = {
        E(write_ckd_formats_track_and_read_back),
        E(write_ckd_beyond_track_capacity_is_invalid_track_format),
        E(write_ckd_under_update_mask_is_file_protected),
        E(write_r0_with_home_address_orientation),
        E(read_of_eof_record_is_unit_exception),
        X(eav_volume_rdc_and_high_cylinder_io),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
