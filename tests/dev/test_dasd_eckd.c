/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 commands through the host CSS (dasd.md §3): RDC, DE, LR/LRE,
 * Read/Write Data, Read/Write Key and Data, Read Count, Read R0/HA,
 * Write CKD/R0, Read Track, Seek/Search/TIC, PSF/RSSD, and the error
 * paths (no record found, file protected, invalid track format, command
 * reject, incomplete domain) with the sense bytes Linux's ERP reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_harness.h"

#define CYLS     10
#define P_DE     0
#define P_LR     32
#define P_LR2    64
#define P_ARG    96
#define P_DATA   4096
#define EAV_CYLS 65540

static const struct dh_opts conc = {.seed = 3, .csense = true};

static int
setup_cdl(void **state)
{
    *state = dh_new_eckd(0, CYLS, true, &conc);
    return *state ? 0 : -1;
}

static int
setup_empty(void **state)
{
    *state = dh_new_eckd(0, CYLS, false, &conc);
    return *state ? 0 : -1;
}

static int
setup_eav(void **state)
{
    struct dh_opts o = conc;

    o.grow_cyls = EAV_CYLS;
    *state = dh_new_eckd(0, 1, false, &o);
    return *state ? 0 : -1;
}

static int
teardown(void **state)
{
    dh_free(*state);
    return 0;
}

static void
put_trk(uint8_t *p, uint32_t trk)
{
    dh_put_cchh(p, trk / 15, trk % 15);
}

static void
put_de(struct dh *h, uint8_t mask, uint8_t attr, uint32_t beg, uint32_t end)
{
    uint8_t *p = h->buf + P_DE;

    memset(p, 0, 16);
    p[0] = mask;
    p[1] = attr;
    put_trk(p + 8, beg);
    put_trk(p + 12, end);
}

static void
put_lr(struct dh *h, uint32_t off, uint8_t op, uint8_t aux, uint8_t count,
       uint32_t trk, uint8_t rec, uint16_t tlf)
{
    uint8_t *p = h->buf + off;

    memset(p, 0, 16);
    p[0] = op;
    p[1] = aux;
    p[3] = count;
    put_trk(p + 4, trk);
    put_trk(p + 8, trk);
    p[12] = rec;
    p[13] = 0xFF;
    zv_put_be16(p + 14, tlf);
}

/* DE(read) + LR(read, count) on track trk from record rec */
static void
de_lr(struct dh *h, uint8_t mask, uint8_t op, uint8_t count, uint32_t trk,
      uint8_t rec, uint16_t tlf)
{
    put_de(h, mask, 0xC0, trk, trk + 1 < CYLS * 15 ? trk + 1 : trk);
    put_lr(h, P_LR, op, tlf ? 0x80 : 0, count, trk, rec, tlf);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
}

static void
assert_ok(const struct dh *h)
{
    assert_int_equal(h->irb.scsw.cc, 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    assert_int_equal(h->irb.scsw.cstat, 0);
}

/* Unit check at CCW ccw with sense bytes 0, 1, 7 and the 32-byte
 * format's compatibility flag. */
static void
assert_uc(const struct dh *h, unsigned ccw, uint8_t s0, uint8_t s1, uint8_t s7)
{
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.scsw.cstat, dh_expected_il(h, ccw));
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, ccw) + 8);
    assert_true(h->irb.esw.erw.s);
    assert_int_equal(h->irb.esw.erw.scnt, 32);
    assert_int_equal(h->irb.ecw[0], s0);
    assert_int_equal(h->irb.ecw[1], s1);
    assert_int_equal(h->irb.ecw[7], s7);
    assert_int_equal(h->irb.ecw[27], 0x80);
}

static void
rdc_eckd_64_bytes(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x64, 0, 64, 0);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(zv_be16(h->buf), 0x3990);
    assert_int_equal(h->buf[2] & 0xC0, 0xC0);
    assert_int_equal(zv_be16(h->buf + 3), 0x3390);
    assert_int_equal(h->buf[6] & 0x40, 0); /* no RT_in_LR */
    assert_int_equal(h->buf[8] & 0x40, 0); /* no XRC */
    assert_int_equal(h->buf[10], 0x20);
    assert_int_equal(zv_be16(h->buf + 12), CYLS);
    assert_int_equal(zv_be16(h->buf + 14), 15);
    assert_int_equal(h->buf[16], 224);
    assert_int_equal(zv_be16(h->buf + 18), 58786);
    assert_int_equal(zv_be16(h->buf + 44), 57326);
    assert_int_equal(zv_be32(h->buf + 60), CYLS);
}

static void
analysis_program_sees_cdl(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    put_de(h, 0x40, 0xC0, 0, 1);
    put_lr(h, P_LR, 0x06, 0, 4, 0, 0, 0);
    put_lr(h, P_LR2, 0x06, 0, 1, 1, 0, 0);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    for (int i = 0; i < 4; i++)
        dh_ccw(h, 0x12, CCW_FLAG_CC, 8, P_DATA + 8 * i);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR2);
    dh_ccw(h, 0x12, 0, 8, P_DATA + 32);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    /* R1 IPL1 4+24, R2 IPL2 4+144, R3 VOL1 4+80, R4 4096, track 1 R1
     * key 44 data 96 */
    assert_int_equal(c[4], 1);
    assert_int_equal(c[5], 4);
    assert_int_equal(zv_be16(c + 6), 24);
    assert_int_equal(c[13], 4);
    assert_int_equal(zv_be16(c + 14), 144);
    assert_int_equal(c[21], 4);
    assert_int_equal(zv_be16(c + 22), 80);
    assert_int_equal(c[28], 4);
    assert_int_equal(c[29], 0);
    assert_int_equal(zv_be16(c + 30), 4096);
    assert_int_equal(zv_be16(c + 32 + 2), 1); /* head 1 */
    assert_int_equal(c[32 + 5], 44);
    assert_int_equal(zv_be16(c + 32 + 6), 96);
}

static void
read_count_on_empty_track_is_no_record_found(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 4, 0, 0, 0);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, P_DATA);
    dh_ccw(h, 0x12, 0, 8, P_DATA + 8);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x00, 0x08, 0x00);
    assert_int_equal(zv_be16(h->irb.ecw + 29), 0);
}

static void
read_key_and_data_of_vol1(void **state)
{
    struct dh *h = *state;
    /* "VOL1" in EBCDIC */
    static const uint8_t vol1[4] = {0xE5, 0xD6, 0xD3, 0xF1};

    de_lr(h, 0x40, 0x06, 1, 0, 3, 84);
    dh_ccw(h, 0x8E, 0, 84, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_memory_equal(h->buf + P_DATA, vol1, 4);     /* key */
    assert_memory_equal(h->buf + P_DATA + 4, vol1, 4); /* label id */
}

static void
write_data_then_read_data_multitrack(void **state)
{
    struct dh *h = *state;
    uint8_t pat[2 * 4096];

    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 13 + 1);
    memcpy(h->buf + P_DATA, pat, sizeof(pat));
    /* R12 of track 2 and R1 of track 3: one domain crossing the track */
    de_lr(h, 0x80, 0x01, 2, 2, 12, 4096);
    dh_ccw(h, 0x85, CCW_FLAG_CC, 4096, P_DATA);
    dh_ccw(h, 0x85, 0, 4096, P_DATA + 4096);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    memset(h->buf + P_DATA, 0, sizeof(pat));
    de_lr(h, 0x40, 0x06, 2, 2, 12, 4096);
    dh_ccw(h, 0x86, CCW_FLAG_CC, 4096, P_DATA);
    dh_ccw(h, 0x86, 0, 4096, P_DATA + 4096);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_memory_equal(h->buf + P_DATA, pat, sizeof(pat));
}

static void
read_data_non_mt_off_track_end_is_no_record_found(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 2, 2, 12, 4096);
    dh_ccw(h, 0x06, CCW_FLAG_CC, 4096, P_DATA);
    dh_ccw(h, 0x06, 0, 4096, P_DATA + 4096);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 3, 0x00, 0x08, 0x00);
    assert_int_equal(h->irb.ecw[31], 2); /* head */
}

static void
read_data_mt_past_extent_is_file_protected(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 0xC0, 2, 2);
    put_lr(h, P_LR, 0x06, 0x80, 2, 2, 12, 4096);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x86, CCW_FLAG_CC, 4096, P_DATA);
    dh_ccw(h, 0x86, 0, 4096, P_DATA + 4096);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 3, 0x00, 0x04, 0x00);
}

static void
locate_outside_extent_is_file_protected(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 0xC0, 2, 3);
    put_lr(h, P_LR, 0x06, 0x80, 1, 5, 1, 4096);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, 0, 16, P_LR);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x00, 0x04, 0x00);
}

static void
locate_record_not_on_track_is_no_record_found(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 1, 2, 13, 4096);
    dh_ccw(h, 0x86, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x00, 0x08, 0x00);
}

static void
locate_without_define_extent_is_reject(void **state)
{
    struct dh *h = *state;

    put_lr(h, P_LR, 0x06, 0x80, 1, 2, 1, 4096);
    dh_ccw(h, 0x47, 0, 16, P_LR);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x02);
}

static void
locate_inside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x47, 0, 16, P_LR);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x80, 0x00, 0x02);
}

static void
define_extent_inside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x63, 0, 16, P_DE);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x80, 0x00, 0x02);
}

static void
define_extent_bad_parameters_are_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 0x00, 0, 1); /* not ECKD mode */
    dh_ccw(h, 0x63, 0, 16, P_DE);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
    put_de(h, 0x40, 0xC0, 5, 4); /* begin after end */
    dh_ccw(h, 0x63, 0, 16, P_DE);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
    put_de(h, 0x40, 0xC0, 0, CYLS * 15); /* beyond the device */
    dh_ccw(h, 0x63, 0, 16, P_DE);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
    put_de(h, 0x60, 0xC0, 0, 1); /* reserved mask bit */
    dh_ccw(h, 0x63, 0, 16, P_DE);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
}

static void
locate_count_zero_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 0xC0, 0, 1);
    put_lr(h, P_LR, 0x06, 0x80, 0, 0, 1, 4096);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, 0, 16, P_LR);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x80, 0x00, 0x04);
}

static void
write_under_read_mask_is_file_protected(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x01, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x00, 0x04, 0x00);
}

static void
write_data_length_mismatch_is_invalid_track_format(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x80, 0x01, 1, 2, 1, 512);
    dh_ccw(h, 0x85, 0, 512, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x00, 0x40, 0x00);
}

static void
write_data_chained_is_reject(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x80, 0x01, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, CCW_FLAG_CD, 2048, P_DATA);
    dh_ccw(h, 0x85, 0, 2048, P_DATA + 2048);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[7], 0x01);
}

static void
domain_ended_early_is_incomplete_domain(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 2, 2, 1, 4096);
    dh_ccw(h, 0x86, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x81, 0x00, 0x02);
}

static void
wrong_command_for_domain_is_reject(void **state)
{
    struct dh *h = *state;

    de_lr(h, 0x40, 0x06, 1, 2, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.ecw[0], 0x80);
}

static void
unknown_command_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0xF3, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x01);
}

static void
read_r0_and_home_address(void **state)
{
    struct dh *h = *state;
    uint8_t *d = h->buf + P_DATA;

    de_lr(h, 0x40, 0xD6, 2, 17, 0, 0); /* index orientation, read any */
    dh_ccw(h, 0x1A, CCW_FLAG_CC, 5, P_DATA);
    dh_ccw(h, 0x16, 0, 16, P_DATA + 8);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(d[0], 0);
    assert_int_equal(zv_be16(d + 1), 1); /* cyl 1 */
    assert_int_equal(zv_be16(d + 3), 2); /* head 2 */
    assert_int_equal(zv_be16(d + 8), 1);
    assert_int_equal(zv_be16(d + 10), 2);
    assert_int_equal(d[12], 0); /* R0 */
    assert_int_equal(d[13], 0); /* KL */
    assert_int_equal(zv_be16(d + 14), 8);
}

/* dasdfmt: DE(format) + LR(format write, R0) + Write CKD count only. */
static void
write_ckd_formats_track_and_read_back(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    put_de(h, 0x00, 0xC4, 4, 5);
    put_lr(h, P_LR, 0x03, 0, 4, 4, 0, 512);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    for (int i = 0; i < 4; i++) {
        uint32_t trk = i < 2 ? 4 : 5;

        put_trk(c + 8 * i, trk);
        c[8 * i + 4] = (uint8_t)(i % 2 + 1);
        c[8 * i + 5] = 0;
        zv_put_be16(c + 8 * i + 6, 512);
        dh_ccw(h, 0x1D, (i < 3 ? CCW_FLAG_CC : 0) | CCW_FLAG_SLI, 8,
               P_DATA + 8 * i);
    }
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    /* the counts read back, then a third record is not there */
    de_lr(h, 0x40, 0x06, 3, 5, 0, 0);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, P_DATA + 64);
    dh_ccw(h, 0x12, CCW_FLAG_CC, 8, P_DATA + 72);
    dh_ccw(h, 0x12, 0, 8, P_DATA + 80);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 4, 0x00, 0x08, 0x00);
    assert_memory_equal(h->buf + P_DATA + 64, c + 16, 16);
}

static void
write_ckd_beyond_track_capacity_is_invalid_track_format(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;
    int i;

    put_de(h, 0x00, 0xC4, 4, 4);
    put_lr(h, P_LR, 0x03, 0, 13, 4, 0, 4096);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    for (i = 0; i < 13; i++) {
        put_trk(c + 8 * i, 4);
        c[8 * i + 4] = (uint8_t)(i + 1);
        c[8 * i + 5] = 0;
        zv_put_be16(c + 8 * i + 6, 4096);
        dh_ccw(h, 0x1D, (i < 12 ? CCW_FLAG_CC : 0) | CCW_FLAG_SLI, 8,
               P_DATA + 8 * i);
    }
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 14, 0x00, 0x40, 0x00);
}

static void
write_ckd_under_update_mask_is_file_protected(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    put_de(h, 0x80, 0xC0, 4, 4);
    put_lr(h, P_LR, 0x03, 0, 1, 4, 0, 512);
    put_trk(c, 4);
    c[4] = 1;
    zv_put_be16(c + 6, 512);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x00, 0x04, 0x00);
}

static void
write_r0_with_home_address_orientation(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    put_de(h, 0xC0, 0xC4, 6, 6);
    put_lr(h, P_LR, 0x43, 0, 2, 6, 0, 512);
    put_trk(c, 6);
    c[4] = 0;
    c[5] = 0;
    zv_put_be16(c + 6, 8);
    put_trk(c + 8, 6);
    c[12] = 1;
    c[13] = 0;
    zv_put_be16(c + 14, 512);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x15, CCW_FLAG_CC | CCW_FLAG_SLI, 8, P_DATA);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, P_DATA + 8);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    de_lr(h, 0x40, 0x06, 1, 6, 1, 512);
    dh_ccw(h, 0x86, 0, 512, P_DATA + 64);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
}

static void
read_track_returns_records_and_end_marker(void **state)
{
    struct dh *h = *state;
    static const uint8_t eot[8] = {0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF};
    uint32_t len = 16 + 12 * (8 + 4096) + 8;
    uint8_t *d = h->buf + P_DATA;

    de_lr(h, 0x40, 0xCC, 1, 2, 0, 0);
    dh_ccw(h, 0xDE, CCW_FLAG_SLI, 60000, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(h->irb.scsw.count, 60000 - len);
    assert_int_equal(d[4], 0); /* R0 count first */
    assert_int_equal(d[16 + 4], 1);
    assert_memory_equal(d + len - 8, eot, 8);
}

static void
read_track_outside_domain_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0xDE, CCW_FLAG_SLI, 60000, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x02);
}

/* zipl's stage-1 loop: Seek, Search ID Equal, TIC back to the search,
 * Read Data; status modifier skips the TIC when the record is found. */
static void
seek_search_tic_loop_reads_record(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + P_ARG;
    uint8_t rec[4096];

    memset(rec, 0x3C, sizeof(rec));
    de_lr(h, 0x80, 0x01, 1, 2, 3, 4096);
    memcpy(h->buf + P_DATA, rec, sizeof(rec));
    dh_ccw(h, 0x85, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    memset(h->buf + P_DATA, 0, sizeof(rec));
    memset(a, 0, 16);
    put_trk(a + 2, 2);
    put_trk(a + 8, 2);
    a[12] = 3;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, P_ARG);
    dh_ccw(h, 0x31, CCW_FLAG_CC, 5, P_ARG + 8);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 1));
    dh_ccw(h, 0x06, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 3) + 8);
    assert_int_equal(h->irb.scsw.count, 0);
    assert_memory_equal(h->buf + P_DATA, rec, sizeof(rec));
}

static void
search_for_missing_record_ends_no_record_found(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + P_ARG;

    memset(a, 0, 16);
    put_trk(a + 2, 2);
    put_trk(a + 8, 2);
    a[12] = 99;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, P_ARG);
    dh_ccw(h, 0x31, CCW_FLAG_CC, 5, P_ARG + 8);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 1));
    dh_ccw(h, 0x06, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x00, 0x08, 0x00);
}

static void
seek_beyond_device_is_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + P_ARG;

    memset(a, 0, 8);
    dh_put_cchh(a + 2, CYLS, 0);
    dh_ccw(h, 0x07, 0, 6, P_ARG);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
}

static void
read_ipl_reads_ipl1_record(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 24, P_DATA);
    dh_ccw(h, 0x06, CCW_FLAG_SLI, 144, P_DATA + 64);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(h->buf[P_DATA + 1], 0x0A); /* IPL PSW byte 1 */
    assert_int_equal(h->irb.scsw.count, 0);
}

static void
psf_rssd_feature_codes_are_zero(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_ARG;

    memset(p, 0, 12);
    p[0] = 0x18;
    p[6] = 0x41;
    memset(h->buf + P_DATA, 0xAA, 256);
    dh_ccw(h, 0x27, CCW_FLAG_CC, 12, P_ARG);
    dh_ccw(h, 0x3E, 0, 256, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    for (int i = 0; i < 256; i++)
        assert_int_equal(h->buf[P_DATA + i], 0);
}

static void
psf_unit_address_query_is_512_zero_bytes(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_ARG;

    memset(p, 0, 12);
    p[0] = 0x18;
    p[6] = 0x0E;
    dh_ccw(h, 0x27, CCW_FLAG_CC, 12, P_ARG);
    dh_ccw(h, 0x3E, 0, 512, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
}

static void
psf_volume_query_is_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_ARG;

    memset(p, 0, 12);
    p[0] = 0x18;
    p[6] = 0x52;
    dh_ccw(h, 0x27, 0, 12, P_ARG);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
}

static void
psf_set_subsystem_characteristics_accepted(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_DATA;

    memset(p, 0, 66);
    p[0] = 0x1D;
    p[1] = 0xC0;
    dh_ccw(h, 0x27, 0, 66, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
}

static void
rssd_without_psf_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x3E, 0, 256, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x02);
}

static void
locate_record_extended_read_any(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_LR;

    put_de(h, 0x40, 0xC0, 2, 2);
    put_lr(h, P_LR, 0x3F, 0x80, 1, 2, 5, 4096);
    p[16] = 0;
    p[17] = 0x0A;
    p[18] = 0;
    p[19] = 0;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x4B, CCW_FLAG_CC, 20, P_LR);
    dh_ccw(h, 0x86, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
}

static void
write_key_and_data_then_read_ckd(void **state)
{
    struct dh *h = *state;
    uint8_t *d = h->buf + P_DATA;
    uint8_t kd[140];

    for (size_t i = 0; i < sizeof(kd); i++)
        kd[i] = (uint8_t)(i + 100);
    memcpy(d, kd, sizeof(kd));
    /* a VTOC record of track 1: key 44 + data 96 */
    de_lr(h, 0x80, 0x01, 1, 1, 2, 140);
    dh_ccw(h, 0x8D, 0, 140, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    memset(d, 0, 256);
    put_de(h, 0x40, 0xC0, 1, 1);
    put_lr(h, P_LR, 0x16, 0, 1, 1, 1, 0);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x1E, 0, 8 + 140, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(d[4], 2);
    assert_int_equal(d[5], 44);
    assert_int_equal(zv_be16(d + 6), 96);
    assert_memory_equal(d + 8, kd, sizeof(kd));
}

static void
search_home_address_and_search_high(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + P_ARG;

    memset(a, 0, 32);
    put_trk(a + 2, 2);
    put_trk(a + 8, 2);  /* HA: CCHH */
    put_trk(a + 16, 2); /* search high than R5 */
    a[20] = 5;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, P_ARG);
    dh_ccw(h, 0x39, CCW_FLAG_CC, 4, P_ARG + 8);
    dh_ccw(h, 0x03, 0, 0, 0); /* skipped by status modifier */
    dh_ccw(h, 0x51, CCW_FLAG_CC, 5, P_ARG + 16);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 3));
    dh_ccw(h, 0x06, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    /* R0..R5 are not high, R6 is: its data was read */
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 5) + 8);
}

static void
image_read_error_is_equipment_check(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);

    /* the file now ends in the middle of track 20 */
    assert_int_equal(
        truncate(h->path, CKD_DEVHDR_SIZE + 20 * (off_t)g->trksize + 1000), 0);
    de_lr(h, 0x40, 0x06, 1, 20, 5, 4096);
    dh_ccw(h, 0x86, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x10, 0x00, 0x00);
}

/* dasdfmt's invalidate: R1 with data length 0 -- reading it is an
 * end-of-file record: unit exception, no unit check. */
static void
read_of_eof_record_is_unit_exception(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    put_de(h, 0x00, 0xC4, 7, 7);
    put_lr(h, P_LR, 0x03, 0, 1, 7, 0, 0);
    put_trk(c, 7);
    c[4] = 1;
    c[5] = 0;
    zv_put_be16(c + 6, 0);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    de_lr(h, 0x40, 0x06, 2, 7, 1, 0);
    dh_ccw(h, 0x86, CCW_FLAG_CC | CCW_FLAG_SLI, 4096, P_DATA + 64);
    dh_ccw(h, 0x86, CCW_FLAG_SLI, 4096, P_DATA + 64);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK | DEV_STAT_UNIT_EXCEP);
    assert_int_equal(h->irb.scsw.cstat, 0);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 2) + 8);
    assert_false(h->irb.scsw.ectl);
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

        put_de(h, 0x40, 0xC0, 0, 1);
        put_lr(h, P_LR, 0x06, 0x80, 1, 2, 1, 4096);
        if (t[i].after_de) {
            dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
            at = 1;
        }
        dh_ccw(h, t[i].cmd, CCW_FLAG_SLI, t[i].count,
               t[i].cmd == 0x63 ? P_DE : P_LR);
        assert_int_equal(dh_run(h), 0);
        assert_uc(h, at, 0x80, 0x00, 0x03);
    }
}

/* Invalid parameters: command reject, format 0 message 4. */
static void
invalid_parameters_are_reject_param(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + P_ARG;

    /* LR: operation 0x0B (write track) is not offered */
    de_lr(h, 0x40, 0x0B, 1, 2, 1, 4096);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x80, 0x00, 0x04);
    /* LR: format write needs count or home-address orientation */
    de_lr(h, 0x00, 0x83, 1, 2, 1, 4096);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x80, 0x00, 0x04);
    /* LRE: extended operation 0x11 (write full track) is not offered */
    put_de(h, 0x40, 0xC0, 2, 2);
    put_lr(h, P_LR, 0x3F, 0x80, 1, 2, 1, 4096);
    h->buf[P_LR + 17] = 0x11;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x4B, 0, 20, P_LR);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x80, 0x00, 0x04);
    /* PSF: unknown order */
    memset(p, 0, 12);
    p[0] = 0x99;
    dh_ccw(h, 0x27, 0, 12, P_ARG);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x04);
    /* a second Define Extent with another file mask */
    put_de(h, 0x40, 0xC0, 2, 2);
    memcpy(h->buf + P_LR2, h->buf + P_DE, 16);
    h->buf[P_LR2] = 0x80;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x63, 0, 16, P_LR2);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 1, 0x80, 0x00, 0x02);
}

/* Track commands out of order: command reject, message 2. */
static void
out_of_sequence_track_commands_are_reject(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + P_DATA;

    /* Search ID without a Seek: the heads are nowhere */
    dh_ccw(h, 0x31, 0, 5, P_ARG);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 0, 0x80, 0x00, 0x02);
    /* Write Data outside a Locate Record domain */
    put_de(h, 0x80, 0xC0, 2, 2);
    memset(h->buf + P_ARG, 0, 8);
    put_trk(h->buf + P_ARG + 2, 2);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, P_ARG);
    dh_ccw(h, 0x85, 0, 4096, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x80, 0x00, 0x02);
    /* Write R0 when not oriented to the home address */
    put_de(h, 0xC0, 0xC4, 2, 2);
    put_lr(h, P_LR, 0x03, 0, 1, 2, 0, 8);
    put_trk(c, 2);
    c[4] = 0;
    c[5] = 0;
    zv_put_be16(c + 6, 8);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x15, CCW_FLAG_SLI, 8, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_uc(h, 2, 0x80, 0x00, 0x02);
}

/* A write whose chain has not ended yet sits in the track buffer;
 * dev_dasd_flush() puts it into the image. */
static void
flush_writes_back_the_track_buffer(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);
    uint8_t *slot = malloc(g->trksize);
    struct ckd_record recs[16];
    struct orb orb = {.fmt = true, .pfch = true, .lpm = 0xFF};

    assert_non_null(slot);
    memset(h->buf + P_DATA, 0x4D, 4096);
    de_lr(h, 0x80, 0x01, 1, 3, 2, 4096);
    dh_ccw(h, 0x85, CCW_FLAG_CC, 4096, P_DATA);
    /* a long-latency NOP keeps the chain open */
    dh_ccw(h, 0x03, 0, 0, 0);
    orb.cpa = (uint32_t)guest_prog_ccw_addr(&h->prog, 0);
    assert_int_equal(h->ch->ops->ssch(h->ch, &orb), 0);
    while (dev_dasd_commands(h->dev) < 3)
        assert_int_equal(zv_loop_run_once(h->loop, 0), 1);
    assert_int_equal(ckd_img_read_track(h->cimg, 0, 3, slot), 0);
    assert_int_equal(ckd_track_parse(slot, g->trksize, recs, 16), 13);
    assert_int_not_equal(slot[recs[2].offset + 8], 0x4D); /* not yet */
    assert_int_equal(dev_dasd_flush(h->dev), 0);
    assert_int_equal(ckd_img_read_track(h->cimg, 0, 3, slot), 0);
    assert_int_equal(ckd_track_parse(slot, g->trksize, recs, 16), 13);
    assert_int_equal(slot[recs[2].offset + 8], 0x4D);
    assert_int_equal(h->ch->ops->wait_irb(h->ch, &h->irb, 1000000000), 0);
    guest_prog_reset(&h->prog);
    free(slot);
}

/* An extended-address volume: more than 65,520 cylinders (the image is
 * grown sparse).  RDC says 0xFFFE and carries the count in bytes 60-63;
 * cylinders above 65,535 put their high bits in the upper 12 bits of HH. */

static void
eav_volume_rdc_and_high_cylinder_io(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);
    uint8_t *c = h->buf + P_DATA;
    uint32_t trk = 65538 * 15 + 3;
    uint8_t *slot = malloc(g->trksize);

    assert_non_null(slot);
    dh_ccw(h, 0x64, 0, 64, 0);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    assert_int_equal(zv_be16(h->buf + 12), 0xFFFE);
    assert_int_equal(zv_be32(h->buf + 60), EAV_CYLS);
    assert_int_equal(h->buf[5], 0x0C);
    /* format the track (R0 + one 4 KiB record) and read it back */
    put_de(h, 0xC0, 0xC4, trk, trk);
    put_lr(h, P_LR, 0x43, 0, 2, trk, 0, 4096);
    put_trk(c, trk);
    c[4] = 0;
    zv_put_be16(c + 6, 8);
    put_trk(c + 8, trk);
    c[12] = 1;
    zv_put_be16(c + 14, 4096);
    assert_int_equal(zv_be16(c + 10), (((65538 >> 16) << 4) | 3));
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, P_LR);
    dh_ccw(h, 0x15, CCW_FLAG_CC | CCW_FLAG_SLI, 8, P_DATA);
    dh_ccw(h, 0x1D, CCW_FLAG_SLI, 8, P_DATA + 8);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
    memset(h->buf + P_DATA + 64, 0x6B, 4096);
    de_lr(h, 0x80, 0x01, 1, trk, 1, 4096);
    dh_ccw(h, 0x85, 0, 4096, P_DATA + 64);
    assert_int_equal(dh_run(h), 0);
    assert_ok(h);
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
#define C(f) cmocka_unit_test_setup_teardown(f, setup_cdl, teardown)
#define E(f) cmocka_unit_test_setup_teardown(f, setup_empty, teardown)
    const struct CMUnitTest tests[] = {
        C(rdc_eckd_64_bytes),
        C(analysis_program_sees_cdl),
        E(read_count_on_empty_track_is_no_record_found),
        C(read_key_and_data_of_vol1),
        C(write_data_then_read_data_multitrack),
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
        C(read_r0_and_home_address),
        E(write_ckd_formats_track_and_read_back),
        E(write_ckd_beyond_track_capacity_is_invalid_track_format),
        E(write_ckd_under_update_mask_is_file_protected),
        E(write_r0_with_home_address_orientation),
        E(read_of_eof_record_is_unit_exception),
        C(read_track_returns_records_and_end_marker),
        C(read_track_outside_domain_is_reject),
        C(seek_search_tic_loop_reads_record),
        C(search_for_missing_record_ends_no_record_found),
        C(seek_beyond_device_is_reject),
        C(read_ipl_reads_ipl1_record),
        C(psf_rssd_feature_codes_are_zero),
        C(psf_unit_address_query_is_512_zero_bytes),
        C(psf_volume_query_is_reject),
        C(psf_set_subsystem_characteristics_accepted),
        C(rssd_without_psf_is_reject),
        C(locate_record_extended_read_any),
        C(write_key_and_data_then_read_ckd),
        C(search_home_address_and_search_high),
        C(image_read_error_is_equipment_check),
        C(short_parameters_are_reject_count),
        C(flush_writes_back_the_track_buffer),
        C(invalid_parameters_are_reject_param),
        C(out_of_sequence_track_commands_are_reject),
        cmocka_unit_test_setup_teardown(eav_volume_rdc_and_high_cylinder_io,
                                        setup_eav, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
