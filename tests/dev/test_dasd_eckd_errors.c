/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 error paths through the host CSS (dasd.md §3): no record
 * found, file protected, invalid track format, command reject (with its
 * format 0 messages), incomplete domain and equipment check, with the
 * sense bytes Linux's ERP reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eckd_util.h"

static void
read_count_on_empty_track_is_no_record_found(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 4, 0, 0, 0);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, EK_DATA);
    dh_ccw(h, 0x12, 0, 8, EK_DATA + 8);
    ek_run_uc(h, 2, 0x00, 0x08, 0x00);
    assert_int_equal(zv_be16(h->irb.ecw + 29), 0);
}

static void
read_data_non_mt_off_track_end_is_no_record_found(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 2, 2, 12, 4096);
    dh_ccw(h, 0x06, CCW_FLAG_CC, 4096, EK_DATA);
    dh_ccw(h, 0x06, 0, 4096, EK_DATA + 4096);
    ek_run_uc(h, 3, 0x00, 0x08, 0x00);
    assert_int_equal(h->irb.ecw[31], 2); /* head */
}

static void
read_data_mt_past_extent_is_file_protected(void **state)
{
    struct dh *h = *state;

    ek_put_de(h, 0x40, 0xC0, 2, 2);
    ek_put_lr(h, EK_LR, 0x06, 0x80, 2, 2, 12, 4096);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x86, CCW_FLAG_CC, 4096, EK_DATA);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA + 4096);
    ek_run_uc(h, 3, 0x00, 0x04, 0x00);
}

static void
locate_outside_extent_is_file_protected(void **state)
{
    struct dh *h = *state;

    ek_put_de(h, 0x40, 0xC0, 2, 3);
    ek_put_lr(h, EK_LR, 0x06, 0x80, 1, 5, 1, 4096);
    ek_ccw_de_lr(h, 0);
    ek_run_uc(h, 1, 0x00, 0x04, 0x00);
}

static void
locate_record_not_on_track_is_no_record_found(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 1, 2, 13, 4096);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA);
    ek_run_uc(h, 1, 0x00, 0x08, 0x00);
}

static void
locate_without_define_extent_is_reject(void **state)
{
    struct dh *h = *state;

    ek_put_lr(h, EK_LR, 0x06, 0x80, 1, 2, 1, 4096);
    dh_ccw(h, 0x47, 0, 16, EK_LR);
    ek_run_uc(h, 0, 0x80, 0x00, 0x02);
}

static void
locate_inside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x47, 0, 16, EK_LR);
    ek_run_uc(h, 2, 0x80, 0x00, 0x02);
}

static void
define_extent_inside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x63, 0, 16, EK_DE);
    ek_run_uc(h, 2, 0x80, 0x00, 0x02);
}

static void
define_extent_bad_parameters_are_reject(void **state)
{
    static const struct {
        uint8_t mask, attr;
        uint32_t beg, end;
    } t[] = {
        {0x40, 0x00, 0, 1},            /* not ECKD mode */
        {0x40, 0xC0, 5, 4},            /* begin after end */
        {0x40, 0xC0, 0, EK_CYLS * 15}, /* beyond the device */
        {0x60, 0xC0, 0, 1},            /* reserved mask bit */
    };
    struct dh *h = *state;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ek_put_de(h, t[i].mask, t[i].attr, t[i].beg, t[i].end);
        dh_ccw(h, 0x63, 0, 16, EK_DE);
        ek_run_uc(h, 0, 0x80, 0x00, 0x04);
    }
}

static void
locate_count_zero_is_reject(void **state)
{
    struct dh *h = *state;

    ek_put_de(h, 0x40, 0xC0, 0, 1);
    ek_put_lr(h, EK_LR, 0x06, 0x80, 0, 0, 1, 4096);
    ek_ccw_de_lr(h, 0);
    ek_run_uc(h, 1, 0x80, 0x00, 0x04);
}

static void
write_under_read_mask_is_file_protected(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x01, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
    ek_run_uc(h, 2, 0x00, 0x04, 0x00);
}

static void
write_data_length_mismatch_is_invalid_track_format(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x80, 0x01, 1, 2, 1, 512);
    dh_ccw(h, 0x85, 0, 512, EK_DATA);
    ek_run_uc(h, 2, 0x00, 0x40, 0x00);
}

static void
write_data_chained_is_reject(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x80, 0x01, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, CCW_FLAG_CD, 2048, EK_DATA);
    dh_ccw(h, 0x85, 0, 2048, EK_DATA + 2048);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[7], 0x01);
}

static void
domain_ended_early_is_incomplete_domain(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA);
    ek_run_uc(h, 2, 0x81, 0x00, 0x02);
}

static void
wrong_command_for_domain_is_reject(void **state)
{
    struct dh *h = *state;

    ek_de_lr(h, 0x40, 0x06, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.ecw[0], 0x80);
}

static void
unknown_command_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0xF3, 0, 0, 0);
    ek_run_uc(h, 0, 0x80, 0x00, 0x01);
}

static void
read_track_outside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0xDE, CCW_FLAG_SLI, 60000, EK_DATA);
    ek_run_uc(h, 0, 0x80, 0x00, 0x02);
}

static void
search_for_missing_record_ends_no_record_found(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + EK_ARG;

    memset(a, 0, 16);
    ek_put_trk(a + 2, 2);
    ek_put_trk(a + 8, 2);
    a[12] = 99;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, EK_ARG);
    dh_ccw(h, 0x31, CCW_FLAG_CC, 5, EK_ARG + 8);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 1));
    dh_ccw(h, 0x06, 0, 4096, EK_DATA);
    ek_run_uc(h, 1, 0x00, 0x08, 0x00);
}

static void
seek_beyond_device_is_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + EK_ARG;

    memset(a, 0, 8);
    dh_put_cchh(a + 2, EK_CYLS, 0);
    dh_ccw(h, 0x07, 0, 6, EK_ARG);
    ek_run_uc(h, 0, 0x80, 0x00, 0x04);
}

static void
psf_volume_query_is_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_ARG;

    ek_put_psf(p, 0x18, 0x52);
    dh_ccw(h, 0x27, 0, 12, EK_ARG);
    ek_run_uc(h, 0, 0x80, 0x00, 0x04);
}

static void
rssd_without_psf_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x3E, 0, 256, EK_DATA);
    ek_run_uc(h, 0, 0x80, 0x00, 0x02);
}

static void
image_read_error_is_equipment_check(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);

    /* the file now ends in the middle of track 20 */
    assert_int_equal(
        truncate(h->path, CKD_DEVHDR_SIZE + 20 * (off_t)g->trksize + 1000), 0);
    ek_de_lr(h, 0x40, 0x06, 1, 20, 5, 4096);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA);
    ek_run_uc(h, 1, 0x10, 0x00, 0x00);
}

/* Parameter lists shorter than the command needs: command reject,
 * format 0 message 3 (CCW count less than required). */
static void
short_parameters_are_reject_count(void **state)
{
    static const struct {
        uint8_t cmd;
        uint16_t count;
        bool after_de;
    } t[] = {
        {0x63, 8, false}, /* Define Extent */
        {0x47, 12, true}, /* Locate Record */
        {0x4B, 16, true}, /* Locate Record Extended */
        {0x27, 8, false}, /* Perform Subsystem Function */
        {0x07, 4, false}, /* Seek */
    };
    struct dh *h = *state;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        unsigned at = 0;

        ek_put_de(h, 0x40, 0xC0, 0, 1);
        ek_put_lr(h, EK_LR, 0x06, 0x80, 1, 2, 1, 4096);
        if (t[i].after_de) {
            dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
            at = 1;
        }
        dh_ccw(h, t[i].cmd, CCW_FLAG_SLI, t[i].count,
               t[i].cmd == 0x63 ? EK_DE : EK_LR);
        ek_run_uc(h, at, 0x80, 0x00, 0x03);
    }
}

/* Invalid parameters: command reject, format 0 message 4. */
static void
invalid_parameters_are_reject_param(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_ARG;

    /* LR: operation 0x0B (write track) is not offered */
    ek_de_lr(h, 0x40, 0x0B, 1, 2, 1, 4096);
    ek_run_uc(h, 1, 0x80, 0x00, 0x04);
    /* LR: format write needs count or home-address orientation */
    ek_de_lr(h, 0x00, 0x83, 1, 2, 1, 4096);
    ek_run_uc(h, 1, 0x80, 0x00, 0x04);
    /* LRE: extended operation 0x11 (write full track) is not offered */
    ek_put_de(h, 0x40, 0xC0, 2, 2);
    ek_put_lr(h, EK_LR, 0x3F, 0x80, 1, 2, 1, 4096);
    h->buf[EK_LR + 17] = 0x11;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x4B, 0, 20, EK_LR);
    ek_run_uc(h, 1, 0x80, 0x00, 0x04);
    /* PSF: unknown order */
    memset(p, 0, 12);
    p[0] = 0x99;
    dh_ccw(h, 0x27, 0, 12, EK_ARG);
    ek_run_uc(h, 0, 0x80, 0x00, 0x04);
    /* a second Define Extent with another file mask */
    ek_put_de(h, 0x40, 0xC0, 2, 2);
    memcpy(h->buf + EK_LR2, h->buf + EK_DE, 16);
    h->buf[EK_LR2] = 0x80;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x63, 0, 16, EK_LR2);
    ek_run_uc(h, 1, 0x80, 0x00, 0x02);
}

/* Track commands out of order: command reject, message 2. */
static void
out_of_sequence_track_commands_are_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    /* Search ID without a Seek: the heads are nowhere */
    dh_ccw(h, 0x31, 0, 5, EK_ARG);
    ek_run_uc(h, 0, 0x80, 0x00, 0x02);
    /* Write Data outside a Locate Record domain */
    ek_put_de(h, 0x80, 0xC0, 2, 2);
    memset(h->buf + EK_ARG, 0, 8);
    ek_put_trk(h->buf + EK_ARG + 2, 2);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, EK_ARG);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
    ek_run_uc(h, 2, 0x80, 0x00, 0x02);
    /* Write R0 when not oriented to the home address */
    ek_put_de(h, 0xC0, 0xC4, 2, 2);
    ek_put_lr(h, EK_LR, 0x03, 0, 1, 2, 0, 8);
    ek_put_count(c, 2, 0, 0, 8);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x15, CCW_FLAG_SLI, 8, EK_DATA);
    ek_run_uc(h, 2, 0x80, 0x00, 0x02);
}

int
main(void)
{
#define C(f) cmocka_unit_test_setup_teardown(f, ek_setup_cdl, ek_teardown)
#define E(f) cmocka_unit_test_setup_teardown(f, ek_setup_empty, ek_teardown)
    const struct CMUnitTest tests[] = {
        E(read_count_on_empty_track_is_no_record_found),
        C(read_data_non_mt_off_track_end_is_no_record_found),
        C(read_data_mt_past_extent_is_file_protected),
        C(locate_outside_extent_is_file_protected),
        C(locate_record_not_on_track_is_no_record_found),
        C(locate_without_define_extent_is_reject),
        C(locate_inside_domain_is_reject),
        C(define_extent_inside_domain_is_reject),
        C(define_extent_bad_parameters_are_reject),
        C(locate_count_zero_is_reject),
        C(write_under_read_mask_is_file_protected),
        C(write_data_length_mismatch_is_invalid_track_format),
        C(write_data_chained_is_reject),
        C(domain_ended_early_is_incomplete_domain),
        C(wrong_command_for_domain_is_reject),
        C(unknown_command_is_reject),
        C(read_track_outside_domain_is_reject),
        C(search_for_missing_record_ends_no_record_found),
        C(seek_beyond_device_is_reject),
        C(psf_volume_query_is_reject),
        C(rssd_without_psf_is_reject),
        C(image_read_error_is_equipment_check),
        C(short_parameters_are_reject_count),
        C(invalid_parameters_are_reject_param),
        C(out_of_sequence_track_commands_are_reject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
