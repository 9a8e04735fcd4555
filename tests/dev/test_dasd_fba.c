/* SPDX-License-Identifier: MIT */
/*
 * FBA 9336 commands through the host CSS (dasd.md §2): RDC, Define
 * Extent, Locate, Read/Write with data chaining, count-0 write, Read IPL,
 * and every command-reject path with its sense.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_harness.h"

#define BLOCKS 256
#define P_DE   0
#define P_LO   16
#define P_DATA 4096

static const struct dh_opts conc = {.seed = 7, .csense = true};

static int
setup(void **state)
{
    *state = dh_new_fba(BLOCKS, &conc);
    return *state ? 0 : -1;
}

static int
teardown(void **state)
{
    dh_free(*state);
    return 0;
}

static void
put_de(struct dh *h, uint8_t mask, uint16_t bs, uint32_t loc, uint32_t first,
       uint32_t last)
{
    uint8_t *p = h->buf + P_DE;

    memset(p, 0, 16);
    p[0] = mask;
    zv_put_be16(p + 2, bs);
    zv_put_be32(p + 4, loc);
    zv_put_be32(p + 8, first);
    zv_put_be32(p + 12, last);
}

static void
put_lo(struct dh *h, uint32_t off, uint8_t op, uint16_t count, uint32_t blk)
{
    uint8_t *p = h->buf + off;

    memset(p, 0, 8);
    p[0] = op;
    zv_put_be16(p + 2, count);
    zv_put_be32(p + 4, blk);
}

static void
assert_reject(const struct dh *h, unsigned ccw, uint8_t msg)
{
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.scsw.cstat, dh_expected_il(h, ccw));
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, ccw) + 8);
    assert_true(h->irb.esw.erw.s);
    assert_int_equal(h->irb.esw.erw.scnt, 24);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[1], 0);
    assert_int_equal(h->irb.ecw[7], msg);
}

/* Run the program (SSCH cc 0); it ends in a command reject at ccw. */
static void
run_reject(struct dh *h, unsigned ccw, uint8_t msg)
{
    assert_int_equal(dh_run(h), 0);
    assert_reject(h, ccw, msg);
}

/* Append DE (command-chained) and LO (lo_flags) from P_DE and P_LO. */
static void
ccw_de_lo(struct dh *h, uint8_t lo_flags)
{
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x43, lo_flags, 8, P_LO);
}

/* A Define Extent alone, with parameters it must reject (message 4). */
static void
define_extent_alone_is_reject(struct dh *h, uint8_t mask, uint16_t bs,
                              uint32_t loc, uint32_t first, uint32_t last)
{
    put_de(h, mask, bs, loc, first, last);
    dh_ccw(h, 0x63, 0, 16, P_DE);
    run_reject(h, 0, 0x04);
}

/* DE + LO + n data-chained CCWs of `piece` bytes. */
static void
rw(struct dh *h, bool wr, uint32_t blk, uint16_t nblk, uint16_t piece)
{
    uint32_t total = nblk * 512u, off;

    put_de(h, wr ? 0x00 : 0x40, 512, blk, 0, nblk - 1);
    put_lo(h, P_LO, wr ? 0x05 : 0x06, nblk, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    for (off = 0; off < total; off += piece)
        dh_ccw(h, wr ? 0x41 : 0x42, off + piece < total ? CCW_FLAG_CD : 0,
               piece, P_DATA + off);
    assert_int_equal(dh_run(h), 0);
}

static void
rdc_fba_32_bytes(void **state)
{
    struct dh *h = *state;
    static const uint8_t head[] = {0x30, 0x08, 0x21, 0x11, 0x02, 0x00};

    dh_ccw(h, 0x64, 0, 32, 0);
    dh_run_ok(h);
    assert_memory_equal(h->buf, head, sizeof(head));
    assert_int_equal(zv_be32(h->buf + 6), 63);
    assert_int_equal(zv_be32(h->buf + 10), 315);
    assert_int_equal(zv_be32(h->buf + 14), BLOCKS);
}

static void
write_then_read_data_chained(void **state)
{
    struct dh *h = *state;
    uint8_t pat[4 * 512];

    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 7 + 3);
    memcpy(h->buf + P_DATA, pat, sizeof(pat));
    rw(h, true, 10, 4, 512);
    dh_assert_ok(h);
    memset(h->buf + P_DATA, 0, sizeof(pat));
    rw(h, false, 10, 4, 1024); /* other split: pieces of two blocks */
    dh_assert_ok(h);
    assert_int_equal(h->irb.scsw.count, 0);
    assert_memory_equal(h->buf + P_DATA, pat, sizeof(pat));
    /* the image holds it too */
    uint8_t img[512];
    assert_int_equal(fba_img_read(h->fimg, 11, 1, img), 0);
    assert_memory_equal(img, pat + 512, 512);
}

static void
write_piece_not_block_aligned_still_lands(void **state)
{
    struct dh *h = *state;
    uint8_t pat[2 * 512];

    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i ^ 0x5A);
    memcpy(h->buf + P_DATA, pat, sizeof(pat));
    rw(h, true, 30, 2, 256); /* four 256-byte pieces */
    dh_assert_ok(h);
    memset(h->buf + P_DATA, 0, sizeof(pat));
    rw(h, false, 30, 2, 1024);
    assert_memory_equal(h->buf + P_DATA, pat, sizeof(pat));
}

static void
write_count_zero_zero_fills_domain(void **state)
{
    struct dh *h = *state;
    uint8_t img[4 * 512], zero[4 * 512] = {0};

    memset(h->buf + P_DATA, 0xEE, sizeof(img));
    rw(h, true, 40, 4, 2048);
    dh_assert_ok(h);
    put_de(h, 0x00, 512, 40, 0, 3);
    put_lo(h, P_LO, 0x05, 4, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x41, CCW_FLAG_SLI, 0, P_DATA);
    dh_run_ok(h);
    assert_int_equal(fba_img_read(h->fimg, 40, 4, img), 0);
    assert_memory_equal(img, zero, sizeof(img));
}

static void
short_write_pads_block_with_zeros(void **state)
{
    struct dh *h = *state;
    uint8_t img[2 * 512];

    memset(h->buf + P_DATA, 0x11, 1024);
    rw(h, true, 50, 2, 1024);
    put_de(h, 0x00, 512, 50, 0, 1);
    put_lo(h, P_LO, 0x01, 2, 0);
    memset(h->buf + P_DATA, 0x22, 100);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x41, CCW_FLAG_SLI, 100, P_DATA);
    dh_run_ok(h);
    assert_int_equal(fba_img_read(h->fimg, 50, 2, img), 0);
    assert_int_equal(img[99], 0x22);
    assert_int_equal(img[100], 0);
    assert_int_equal(img[1023], 0);
}

static void
read_unchained_locate_per_block(void **state)
{
    struct dh *h = *state;
    uint8_t blk[512];

    memset(blk, 0x77, sizeof(blk));
    assert_int_equal(fba_img_write(h->fimg, 61, 1, blk), 0);
    put_de(h, 0x40, 512, 60, 0, 1);
    put_lo(h, P_LO, 0x06, 1, 0);
    put_lo(h, P_LO + 8, 0x06, 1, 1);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, CCW_FLAG_CC, 512, P_DATA);
    dh_ccw(h, 0x43, CCW_FLAG_CC, 8, P_LO + 8);
    dh_ccw(h, 0x42, 0, 512, P_DATA + 512);
    dh_run_ok(h);
    assert_memory_equal(h->buf + P_DATA + 512, blk, 512);
}

static void
read_replicated_op_reads(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x02, 1, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, 0, 512, P_DATA);
    dh_run_ok(h);
}

static void
read_ipl_reads_block0_and_allows_locate_without_de(void **state)
{
    struct dh *h = *state;
    uint8_t b0[512], b5[512];

    memset(b0, 0x12, sizeof(b0));
    memset(b5, 0x34, sizeof(b5));
    assert_int_equal(fba_img_write(h->fimg, 0, 1, b0), 0);
    assert_int_equal(fba_img_write(h->fimg, 5, 1, b5), 0);
    put_lo(h, P_LO, 0x06, 1, 5);
    dh_ccw(h, 0x02, CCW_FLAG_CC | CCW_FLAG_SLI, 24, P_DATA);
    dh_ccw(h, 0x43, CCW_FLAG_CC, 8, P_LO);
    dh_ccw(h, 0x42, 0, 512, P_DATA + 512);
    dh_run_ok(h);
    assert_memory_equal(h->buf + P_DATA, b0, 24);
    assert_memory_equal(h->buf + P_DATA + 512, b5, 512);
}

static void
locate_outside_extent_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 3);
    put_lo(h, P_LO, 0x06, 2, 3); /* blocks 3..4, extent ends at 3 */
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, 0, 1024, P_DATA);
    run_reject(h, 1, 0x04);
}

static void
extent_beyond_device_is_reject(void **state)
{
    struct dh *h = *state;

    define_extent_alone_is_reject(h, 0x40, 512, BLOCKS - 2, 0, 3);
}

static void
extent_last_before_first_is_reject(void **state)
{
    struct dh *h = *state;

    define_extent_alone_is_reject(h, 0x40, 512, 0, 5, 4);
}

static void
extent_wrong_block_size_is_reject(void **state)
{
    struct dh *h = *state;

    define_extent_alone_is_reject(h, 0x40, 4096, 0, 0, 0);
}

static void
extent_reserved_mask_bit_is_reject(void **state)
{
    struct dh *h = *state;

    define_extent_alone_is_reject(h, 0x20, 512, 0, 0, 0);
}

static void
define_extent_short_count_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    dh_ccw(h, 0x63, CCW_FLAG_SLI, 8, P_DE);
    run_reject(h, 0, 0x03);
}

static void
second_define_extent_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x63, 0, 16, P_DE);
    run_reject(h, 1, 0x02);
}

static void
locate_without_define_extent_is_reject(void **state)
{
    struct dh *h = *state;

    put_lo(h, P_LO, 0x06, 1, 0);
    dh_ccw(h, 0x43, 0, 8, P_LO);
    run_reject(h, 0, 0x02);
}

static void
locate_bad_operation_is_reject(void **state)
{
    static const uint8_t bad[] = {0x08, 0x00, 0x26, 0x04};
    struct dh *h = *state;

    for (size_t i = 0; i < sizeof(bad); i++) {
        put_de(h, 0x40, 512, 0, 0, 0);
        put_lo(h, P_LO, bad[i], 1, 0);
        ccw_de_lo(h, 0);
        run_reject(h, 1, 0x04);
    }
}

static void
locate_count_zero_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x06, 0, 0);
    ccw_de_lo(h, 0);
    run_reject(h, 1, 0x04);
}

static void
write_locate_under_inhibit_mask_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x05, 1, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x41, 0, 512, P_DATA);
    run_reject(h, 1, 0x04);
}

static void
read_after_write_locate_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x00, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x05, 1, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, 0, 512, P_DATA);
    run_reject(h, 2, 0x02);
}

static void
read_without_locate_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x42, 0, 512, P_DATA);
    run_reject(h, 0, 0x02);
}

static void
unknown_command_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x47, 0, 16, P_DATA); /* ECKD Locate Record */
    run_reject(h, 0, 0x01);
}

/* The image file lost its tail under the device: a read there is an
 * equipment check (sense byte 0 0x10), which Linux retries. */
static void
image_read_error_is_equipment_check(void **state)
{
    struct dh *h = *state;

    assert_int_equal(truncate(h->path, 100 * 512), 0);
    put_de(h, 0x40, 512, 200, 0, 0);
    put_lo(h, P_LO, 0x06, 1, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, 0, 512, P_DATA);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.scsw.cstat, dh_expected_il(h, 2));
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 2) + 8);
    assert_int_equal(h->irb.ecw[0], 0x10);
    assert_int_equal(h->irb.ecw[1], 0);
}

static void
locate_short_count_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x06, 1, 0);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x43, CCW_FLAG_SLI, 4, P_LO);
    run_reject(h, 1, 0x03);
}

static void
write_after_read_locate_is_reject(void **state)
{
    struct dh *h = *state;

    put_de(h, 0x40, 512, 0, 0, 0);
    put_lo(h, P_LO, 0x06, 1, 0);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x41, 0, 512, P_DATA);
    run_reject(h, 2, 0x02);
}

static void
read_ipl_chained_after_another_command_is_reject(void **state)
{
    struct dh *h = *state;

    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x02, CCW_FLAG_SLI, 512, P_DATA);
    run_reject(h, 1, 0x02);
}

/* A Locate of zero blocks is a command reject wherever it points: also
 * inside the extent, where "first + count - 1" stays in range (issue 7:
 * the count check must not lean on the extent check), for reads and for
 * Linux's discard shape (write locate + count-0 Write), which must then
 * leave the blocks alone. */
static void
locate_count_zero_inside_extent_is_reject(void **state)
{
    struct dh *h = *state;
    uint8_t before[8 * 512];

    for (unsigned i = 0; i < sizeof(before); i++)
        h->buf[P_DATA + i] = (uint8_t)(i * 7 + 1);
    memcpy(before, h->buf + P_DATA, sizeof(before));
    rw(h, true, 0, 8, 4096);
    dh_assert_ok(h);
    for (uint32_t blk = 1; blk < 8; blk += 3) {
        put_de(h, 0x40, 512, 0, 0, 7);
        put_lo(h, P_LO, 0x06, 0, blk);
        ccw_de_lo(h, CCW_FLAG_CC);
        dh_ccw(h, 0x42, 0, 512, P_DATA);
        run_reject(h, 1, 0x04);
        put_de(h, 0x00, 512, 0, 0, 7);
        put_lo(h, P_LO, 0x05, 0, blk);
        ccw_de_lo(h, CCW_FLAG_CC);
        dh_ccw(h, 0x41, 0, 0, P_DATA);
        run_reject(h, 1, 0x04);
    }
    memset(h->buf + P_DATA, 0, sizeof(before));
    rw(h, false, 0, 8, 4096);
    dh_assert_ok(h);
    assert_memory_equal(h->buf + P_DATA, before, sizeof(before));
}

/* An extent may end on the device's last block; one block further is a
 * command reject at the Define Extent itself (format 0 message 4: invalid
 * parameter), whatever the logical numbering of the extent. */
static void
extent_ending_one_past_device_is_reject(void **state)
{
    struct dh *h = *state;

    /* ends on the last block: accepted, the last block reads */
    put_de(h, 0x40, 512, BLOCKS - 4, 0, 3);
    put_lo(h, P_LO, 0x06, 1, 3);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x42, 0, 512, P_DATA);
    dh_run_ok(h);
    put_de(h, 0x00, 512, BLOCKS - 4, 10, 13);
    put_lo(h, P_LO, 0x05, 1, 13);
    ccw_de_lo(h, CCW_FLAG_CC);
    dh_ccw(h, 0x41, 0, 512, P_DATA);
    dh_run_ok(h);
    /* one block past the end, for reads and for writes */
    define_extent_alone_is_reject(h, 0x40, 512, BLOCKS - 4, 0, 4);
    define_extent_alone_is_reject(h, 0x00, 512, BLOCKS - 4, 10, 14);
    define_extent_alone_is_reject(h, 0x00, 512, BLOCKS, 0, 0);
    define_extent_alone_is_reject(h, 0x00, 512, BLOCKS - 1, 7, 8);
    /* and far past it, where 32-bit sums would wrap */
    define_extent_alone_is_reject(h, 0x00, 512, 0xFFFFFFFFu, 0, 1);
    define_extent_alone_is_reject(h, 0x00, 512, 1, 0, 0xFFFFFFFFu);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(rdc_fba_32_bytes),
        T(write_then_read_data_chained),
        T(write_piece_not_block_aligned_still_lands),
        T(write_count_zero_zero_fills_domain),
        T(short_write_pads_block_with_zeros),
        T(read_unchained_locate_per_block),
        T(read_replicated_op_reads),
        T(read_ipl_reads_block0_and_allows_locate_without_de),
        T(locate_outside_extent_is_reject),
        T(locate_count_zero_inside_extent_is_reject),
        T(extent_ending_one_past_device_is_reject),
        T(extent_beyond_device_is_reject),
        T(extent_last_before_first_is_reject),
        T(extent_wrong_block_size_is_reject),
        T(extent_reserved_mask_bit_is_reject),
        T(define_extent_short_count_is_reject),
        T(second_define_extent_is_reject),
        T(locate_without_define_extent_is_reject),
        T(locate_bad_operation_is_reject),
        T(locate_count_zero_is_reject),
        T(write_locate_under_inhibit_mask_is_reject),
        T(read_after_write_locate_is_reject),
        T(read_without_locate_is_reject),
        T(unknown_command_is_reject),
        T(image_read_error_is_equipment_check),
        T(locate_short_count_is_reject),
        T(write_after_read_locate_is_reject),
        T(read_ipl_chained_after_another_command_is_reject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
