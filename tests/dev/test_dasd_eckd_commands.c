/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 commands through the host CSS that end normally (dasd.md §3):
 * RDC, DE, LR/LRE, Read/Write Data, Read/Write Key and Data, Read Count,
 * Read R0/HA, Read Track, Seek/Search/TIC, Read IPL, PSF/RSSD, and the
 * write-back of the track buffer.
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
rdc_eckd_64_bytes(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x64, 0, 64, 0);
    dh_run_ok(h);
    assert_int_equal(zv_be16(h->buf), 0x3990);
    assert_int_equal(h->buf[2] & 0xC0, 0xC0);
    assert_int_equal(zv_be16(h->buf + 3), 0x3390);
    assert_int_equal(h->buf[6] & 0x40, 0); /* no RT_in_LR */
    assert_int_equal(h->buf[8] & 0x40, 0); /* no XRC */
    assert_int_equal(h->buf[10], 0x20);
    assert_int_equal(zv_be16(h->buf + 12), EK_CYLS);
    assert_int_equal(zv_be16(h->buf + 14), 15);
    assert_int_equal(h->buf[16], 224);
    assert_int_equal(zv_be16(h->buf + 18), 58786);
    assert_int_equal(zv_be16(h->buf + 44), 57326);
    assert_int_equal(zv_be32(h->buf + 60), EK_CYLS);
}

static void
analysis_program_sees_cdl(void **state)
{
    struct dh *h = *state;
    uint8_t *c = h->buf + EK_DATA;

    ek_put_de(h, 0x40, 0xC0, 0, 1);
    ek_put_lr(h, EK_LR, 0x06, 0, 4, 0, 0, 0);
    ek_put_lr(h, EK_LR2, 0x06, 0, 1, 1, 0, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    for (int i = 0; i < 4; i++)
        dh_ccw(h, 0x12, CCW_FLAG_CC, 8, EK_DATA + 8 * i);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, EK_LR2);
    dh_ccw(h, 0x12, 0, 8, EK_DATA + 32);
    dh_run_ok(h);
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
read_key_and_data_of_vol1(void **state)
{
    struct dh *h = *state;
    /* "VOL1" in EBCDIC */
    static const uint8_t vol1[4] = {0xE5, 0xD6, 0xD3, 0xF1};

    ek_de_lr(h, 0x40, 0x06, 1, 0, 3, 84);
    dh_ccw(h, 0x8E, 0, 84, EK_DATA);
    dh_run_ok(h);
    assert_memory_equal(h->buf + EK_DATA, vol1, 4);     /* key */
    assert_memory_equal(h->buf + EK_DATA + 4, vol1, 4); /* label id */
}

static void
write_data_then_read_data_multitrack(void **state)
{
    struct dh *h = *state;
    uint8_t pat[2 * 4096];

    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 13 + 1);
    memcpy(h->buf + EK_DATA, pat, sizeof(pat));
    /* R12 of track 2 and R1 of track 3: one domain crossing the track */
    ek_de_lr(h, 0x80, 0x01, 2, 2, 12, 4096);
    dh_ccw(h, 0x85, CCW_FLAG_CC, 4096, EK_DATA);
    dh_ccw(h, 0x85, 0, 4096, EK_DATA + 4096);
    dh_run_ok(h);
    memset(h->buf + EK_DATA, 0, sizeof(pat));
    ek_de_lr(h, 0x40, 0x06, 2, 2, 12, 4096);
    dh_ccw(h, 0x86, CCW_FLAG_CC, 4096, EK_DATA);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA + 4096);
    dh_run_ok(h);
    assert_memory_equal(h->buf + EK_DATA, pat, sizeof(pat));
}

static void
read_r0_and_home_address(void **state)
{
    struct dh *h = *state;
    uint8_t *d = h->buf + EK_DATA;

    ek_de_lr(h, 0x40, 0xD6, 2, 17, 0, 0); /* index orientation, read any */
    dh_ccw(h, 0x1A, CCW_FLAG_CC, 5, EK_DATA);
    dh_ccw(h, 0x16, 0, 16, EK_DATA + 8);
    dh_run_ok(h);
    assert_int_equal(d[0], 0);
    assert_int_equal(zv_be16(d + 1), 1); /* cyl 1 */
    assert_int_equal(zv_be16(d + 3), 2); /* head 2 */
    assert_int_equal(zv_be16(d + 8), 1);
    assert_int_equal(zv_be16(d + 10), 2);
    assert_int_equal(d[12], 0); /* R0 */
    assert_int_equal(d[13], 0); /* KL */
    assert_int_equal(zv_be16(d + 14), 8);
}

static void
read_track_returns_records_and_end_marker(void **state)
{
    struct dh *h = *state;
    static const uint8_t eot[8] = {0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF};
    uint32_t len = 16 + 12 * (8 + 4096) + 8;
    uint8_t *d = h->buf + EK_DATA;

    ek_de_lr(h, 0x40, 0xCC, 1, 2, 0, 0);
    dh_ccw(h, 0xDE, CCW_FLAG_SLI, 60000, EK_DATA);
    dh_run_ok(h);
    assert_int_equal(h->irb.scsw.count, 60000 - len);
    assert_int_equal(d[4], 0); /* R0 count first */
    assert_int_equal(d[16 + 4], 1);
    assert_memory_equal(d + len - 8, eot, 8);
}

/* zipl's stage-1 loop: Seek, Search ID Equal, TIC back to the search,
 * Read Data; status modifier skips the TIC when the record is found. */
static void
seek_search_tic_loop_reads_record(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + EK_ARG;
    uint8_t rec[4096];

    memset(rec, 0x3C, sizeof(rec));
    ek_de_lr(h, 0x80, 0x01, 1, 2, 3, 4096);
    memcpy(h->buf + EK_DATA, rec, sizeof(rec));
    dh_ccw(h, 0x85, 0, 4096, EK_DATA);
    dh_run_ok(h);
    memset(h->buf + EK_DATA, 0, sizeof(rec));
    memset(a, 0, 16);
    ek_put_trk(a + 2, 2);
    ek_put_trk(a + 8, 2);
    a[12] = 3;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, EK_ARG);
    dh_ccw(h, 0x31, CCW_FLAG_CC, 5, EK_ARG + 8);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 1));
    dh_ccw(h, 0x06, 0, 4096, EK_DATA);
    dh_run_ok(h);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 3) + 8);
    assert_int_equal(h->irb.scsw.count, 0);
    assert_memory_equal(h->buf + EK_DATA, rec, sizeof(rec));
}

static void
read_ipl_reads_ipl1_record(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 24, EK_DATA);
    dh_ccw(h, 0x06, CCW_FLAG_SLI, 144, EK_DATA + 64);
    dh_run_ok(h);
    assert_int_equal(h->buf[EK_DATA + 1], 0x0A); /* IPL PSW byte 1 */
    assert_int_equal(h->irb.scsw.count, 0);
}

static void
psf_rssd_feature_codes_are_zero(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_ARG;

    ek_put_psf(p, 0x18, 0x41);
    memset(h->buf + EK_DATA, 0xAA, 256);
    dh_ccw(h, 0x27, CCW_FLAG_CC, 12, EK_ARG);
    dh_ccw(h, 0x3E, 0, 256, EK_DATA);
    dh_run_ok(h);
    for (int i = 0; i < 256; i++)
        assert_int_equal(h->buf[EK_DATA + i], 0);
}

static void
psf_unit_address_query_is_512_zero_bytes(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_ARG;

    ek_put_psf(p, 0x18, 0x0E);
    dh_ccw(h, 0x27, CCW_FLAG_CC, 12, EK_ARG);
    dh_ccw(h, 0x3E, 0, 512, EK_DATA);
    dh_run_ok(h);
}

static void
psf_set_subsystem_characteristics_accepted(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_DATA;

    memset(p, 0, 66);
    p[0] = 0x1D;
    p[1] = 0xC0;
    dh_ccw(h, 0x27, 0, 66, EK_DATA);
    dh_run_ok(h);
}

static void
locate_record_extended_read_any(void **state)
{
    struct dh *h = *state;
    uint8_t *p = h->buf + EK_LR;

    ek_put_de(h, 0x40, 0xC0, 2, 2);
    ek_put_lr(h, EK_LR, 0x3F, 0x80, 1, 2, 5, 4096);
    p[16] = 0;
    p[17] = 0x0A;
    p[18] = 0;
    p[19] = 0;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x4B, CCW_FLAG_CC, 20, EK_LR);
    dh_ccw(h, 0x86, 0, 4096, EK_DATA);
    dh_run_ok(h);
}

static void
write_key_and_data_then_read_ckd(void **state)
{
    struct dh *h = *state;
    uint8_t *d = h->buf + EK_DATA;
    uint8_t kd[140];

    for (size_t i = 0; i < sizeof(kd); i++)
        kd[i] = (uint8_t)(i + 100);
    memcpy(d, kd, sizeof(kd));
    /* a VTOC record of track 1: key 44 + data 96 */
    ek_de_lr(h, 0x80, 0x01, 1, 1, 2, 140);
    dh_ccw(h, 0x8D, 0, 140, EK_DATA);
    dh_run_ok(h);
    memset(d, 0, 256);
    ek_put_de(h, 0x40, 0xC0, 1, 1);
    ek_put_lr(h, EK_LR, 0x16, 0, 1, 1, 1, 0);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
    dh_ccw(h, 0x1E, 0, 8 + 140, EK_DATA);
    dh_run_ok(h);
    assert_int_equal(d[4], 2);
    assert_int_equal(d[5], 44);
    assert_int_equal(zv_be16(d + 6), 96);
    assert_memory_equal(d + 8, kd, sizeof(kd));
}

static void
search_home_address_and_search_high(void **state)
{
    struct dh *h = *state;
    uint8_t *a = h->buf + EK_ARG;

    memset(a, 0, 32);
    ek_put_trk(a + 2, 2);
    ek_put_trk(a + 8, 2);  /* HA: CCHH */
    ek_put_trk(a + 16, 2); /* search high than R5 */
    a[20] = 5;
    dh_ccw(h, 0x07, CCW_FLAG_CC, 6, EK_ARG);
    dh_ccw(h, 0x39, CCW_FLAG_CC, 4, EK_ARG + 8);
    dh_ccw(h, 0x03, 0, 0, 0); /* skipped by status modifier */
    dh_ccw(h, 0x51, CCW_FLAG_CC, 5, EK_ARG + 16);
    guest_prog_add(&h->prog, 0x08, 0, 0, dh_ccw_addr(h, 3));
    dh_ccw(h, 0x06, 0, 4096, EK_DATA);
    dh_run_ok(h);
    /* R0..R5 are not high, R6 is: its data was read */
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 5) + 8);
}

/* A buffered write whose chain has not ended yet sits in the track
 * buffer; dev_dasd_flush() puts it into the image.  Write Key and Data
 * (key length 0 here) always goes through the buffer; a plain Write Data
 * may go straight to the image (test_dasd_eckd_zero_copy). */
static void
flush_writes_back_the_track_buffer(void **state)
{
    struct dh *h = *state;
    const struct ckd_geom *g = ckd_img_geom(h->cimg);
    uint8_t *slot = malloc(g->trksize);
    struct ckd_record recs[16];
    struct orb orb = {.fmt = true, .pfch = true, .lpm = 0xFF};

    assert_non_null(slot);
    memset(h->buf + EK_DATA, 0x4D, 4096);
    ek_de_lr(h, 0x80, 0x01, 1, 3, 2, 4096);
    dh_ccw(h, 0x8D, CCW_FLAG_CC, 4096, EK_DATA);
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

int
main(void)
{
#define C(f) cmocka_unit_test_setup_teardown(f, ek_setup_cdl, ek_teardown)
    const struct CMUnitTest tests[] = {
        C(rdc_eckd_64_bytes),
        C(analysis_program_sees_cdl),
        C(read_key_and_data_of_vol1),
        C(write_data_then_read_data_multitrack),
        C(read_r0_and_home_address),
        C(read_track_returns_records_and_end_marker),
        C(seek_search_tic_loop_reads_record),
        C(read_ipl_reads_ipl1_record),
        C(psf_rssd_feature_codes_are_zero),
        C(psf_unit_address_query_is_512_zero_bytes),
        C(psf_set_subsystem_characteristics_accepted),
        C(locate_record_extended_read_any),
        C(write_key_and_data_then_read_ckd),
        C(search_home_address_and_search_high),
        C(flush_writes_back_the_track_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
