/* SPDX-License-Identifier: MIT */
/*
 * CKD tracks: building and parsing track images (HA, R0, count/key/data
 * records, end marker; dasd.md §4.2), malformed tracks, and bounded track
 * I/O on an image (out-of-range or malformed writes change nothing).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "img/img.h"
#include "img_test.h"

#define TRK 56832u

static uint8_t trk[TRK], trk2[TRK];

static void
build_parse_round_trip(void **state)
{
    uint8_t key[3] = {0xaa, 0xbb, 0xcc}, data[100];
    struct ckd_rec_spec spec[2] = {{1, 3, 100, key, data},
                                   {2, 0, 4096, NULL, NULL}};
    struct ckd_record r[4];
    int len;

    for (int i = 0; i < 100; i++)
        data[i] = (uint8_t)i;
    len = ckd_track_build(trk, TRK, 5, 7, spec, 2);
    /* HA 5 + R0 16 + (8+3+100) + (8+4096) + end marker 8 */
    assert_int_equal(len, 5 + 16 + 111 + 4104 + 8);
    static const uint8_t ha_r0[21] = {0, 0, 5, 0, 7, 0, 5, 0, 7, 0, 0, 0, 8};
    assert_memory_equal(trk, ha_r0, sizeof(ha_r0));
    assert_int_equal(ckd_track_parse(trk, TRK, r, 4), 3);
    assert_int_equal(r[0].rec, 0);
    assert_int_equal(r[0].dl, 8);
    assert_int_equal(r[1].cyl, 5);
    assert_int_equal(r[1].head, 7);
    assert_int_equal(r[1].rec, 1);
    assert_int_equal(r[1].kl, 3);
    assert_int_equal(r[1].dl, 100);
    assert_int_equal(r[1].offset, 21);
    assert_memory_equal(trk + r[1].offset + 8, key, 3);
    assert_memory_equal(trk + r[1].offset + 11, data, 100);
    assert_int_equal(r[2].rec, 2);
    assert_int_equal(r[2].dl, 4096);
    assert_int_equal(r[2].offset, 21 + 111);
    /* end marker right after the last record, zeros after it */
    for (int i = 0; i < 8; i++)
        assert_int_equal(trk[len - 8 + i], 0xff);
    assert_int_equal(trk[len], 0);
}

static void
parse_counts_without_array(void **state)
{
    struct ckd_rec_spec spec[12];
    struct ckd_record r[2];

    for (unsigned i = 0; i < 12; i++)
        spec[i] = (struct ckd_rec_spec){(uint8_t)(i + 1), 0, 4096, 0, 0};
    assert_true(ckd_track_build(trk, TRK, 0, 2, spec, 12) > 0);
    assert_int_equal(ckd_track_parse(trk, TRK, NULL, 0), 13);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 2), -ENOSPC);
}

static void
large_cylinder_cchh_encoding(void **state)
{
    struct ckd_record r[1];

    /* cyl 0x12345: CC = 0x2345, HH = 0x1 << 4 | head (dasd.md §3.1) */
    assert_true(ckd_track_build(trk, TRK, 0x12345, 3, NULL, 0) > 0);
    static const uint8_t ha[5] = {0, 0x23, 0x45, 0x00, 0x13};
    assert_memory_equal(trk, ha, 5);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 1), 1);
    assert_int_equal(r[0].cyl, 0x2345);
    assert_int_equal(r[0].head, 0x13);
    assert_int_equal(ckd_track_check_ha(trk, 0x12345, 3), 0);
    assert_int_equal(ckd_track_check_ha(trk, 0x2345, 3), -EINVAL);
}

static void
build_too_big_is_enospc(void **state)
{
    struct ckd_rec_spec spec[14];

    for (unsigned i = 0; i < 14; i++)
        spec[i] = (struct ckd_rec_spec){(uint8_t)(i + 1), 0, 4096, 0, 0};
    assert_int_equal(ckd_track_build(trk, TRK, 0, 0, spec, 14), -ENOSPC);
    assert_int_equal(ckd_track_build(trk, 28, 0, 0, NULL, 0), -ENOSPC);
    assert_int_equal(ckd_track_build(trk, 29, 0, 0, NULL, 0), 29);
}

static void
malformed_tracks_rejected(void **state)
{
    struct ckd_record r[4];
    struct ckd_rec_spec spec = {1, 0, 100, NULL, NULL};
    int len = ckd_track_build(trk, TRK, 0, 0, &spec, 1);

    /* bad home address flag byte (CCKD compression byte set) */
    memcpy(trk2, trk, TRK);
    trk2[0] = 1;
    assert_int_equal(ckd_track_parse(trk2, TRK, r, 4), -EINVAL);
    /* record data length running past the slot */
    memcpy(trk2, trk, TRK);
    trk2[21 + 6] = 0xff;
    trk2[21 + 7] = 0xff;
    assert_int_equal(ckd_track_parse(trk2, TRK, r, 4), -EINVAL);
    /* end-of-track marker missing: the walk reaches zero counts and runs
     * out of the slot */
    memcpy(trk2, trk, TRK);
    memset(trk2 + len - 8, 0, 8);
    assert_int_equal(ckd_track_parse(trk2, TRK, r, 4), -EINVAL);
    /* slot smaller than HA + end marker */
    assert_int_equal(ckd_track_parse(trk, 12, r, 4), -EINVAL);
    /* end marker present but the record before it overlaps the end */
    assert_int_equal(ckd_track_parse(trk, (uint32_t)len - 1, r, 4), -EINVAL);
    assert_int_equal(ckd_track_parse(trk, (uint32_t)len, r, 4), 2);
}

struct fx {
    struct tdir *t;
    char path[128];
    struct ckd_img *img;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    f->t = tdir_new();
    snprintf(f->path, sizeof(f->path), "%s", tdir_file(f->t, "t.3390"));
    assert_int_equal(ckd_img_create(f->path, 0, 2, err, sizeof(err)), 0);
    assert_int_equal(ckd_img_open(f->path, false, IMG_SYNC_WRITE_THROUGH,
                                  &f->img, err, sizeof(err)),
                     0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    ckd_img_close(f->img);
    tdir_free(f->t);
    free(f);
    return 0;
}

static void
created_tracks_are_empty(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[2];

    for (uint32_t c = 0; c < 2; c++)
        for (uint32_t h = 0; h < 15; h++) {
            assert_int_equal(ckd_img_read_track(f->img, c, h, trk), 0);
            assert_int_equal(ckd_track_check_ha(trk, c, h), 0);
            assert_int_equal(ckd_track_parse(trk, TRK, r, 2), 1);
            assert_int_equal(r[0].rec, 0);
            assert_int_equal(r[0].dl, 8);
        }
}

static void
track_write_read_back(void **state)
{
    struct fx *f = *state;
    uint8_t data[4096];
    struct ckd_rec_spec spec = {1, 0, 4096, NULL, data};
    struct ckd_record r[2];

    memset(data, 0x5a, sizeof(data));
    assert_true(ckd_track_build(trk, TRK, 1, 14, &spec, 1) > 0);
    assert_int_equal(ckd_img_write_track(f->img, 1, 14, trk), 0);
    memset(trk2, 0, TRK);
    assert_int_equal(ckd_img_read_track(f->img, 1, 14, trk2), 0);
    assert_memory_equal(trk, trk2, TRK);
    assert_int_equal(ckd_track_parse(trk2, TRK, r, 2), 2);
    assert_memory_equal(trk2 + r[1].offset + 8, data, 4096);
    /* the slot before is untouched */
    assert_int_equal(ckd_img_read_track(f->img, 1, 13, trk2), 0);
    assert_int_equal(ckd_track_parse(trk2, TRK, NULL, 0), 1);
}

static void
out_of_range_tracks_einval_and_nothing_written(void **state)
{
    struct fx *f = *state;
    uint64_t size = file_size(f->path), h = file_hash(f->path);

    assert_true(ckd_track_build(trk, TRK, 2, 0, NULL, 0) > 0);
    assert_int_equal(ckd_img_write_track(f->img, 2, 0, trk), -EINVAL);
    assert_int_equal(ckd_img_write_track(f->img, 0, 15, trk), -EINVAL);
    assert_int_equal(ckd_img_write_track(f->img, UINT32_MAX, 0, trk), -EINVAL);
    assert_int_equal(ckd_img_read_track(f->img, 2, 0, trk), -EINVAL);
    assert_int_equal(ckd_img_read_track(f->img, 0, 15, trk), -EINVAL);
    assert_int_equal(ckd_img_read_track(f->img, 0, UINT32_MAX, trk), -EINVAL);
    assert_int_equal(file_size(f->path), size);
    assert_int_equal(file_hash(f->path), h);
}

static void
malformed_or_misplaced_track_write_refused(void **state)
{
    struct fx *f = *state;
    uint64_t h = file_hash(f->path);

    /* a track built for (0, 3) may not land in slot (0, 4) */
    assert_true(ckd_track_build(trk, TRK, 0, 3, NULL, 0) > 0);
    assert_int_equal(ckd_img_write_track(f->img, 0, 4, trk), -EINVAL);
    /* a track without end marker may not land anywhere */
    memset(trk + 21, 0, 8);
    assert_int_equal(ckd_img_write_track(f->img, 0, 3, trk), -EINVAL);
    assert_int_equal(file_hash(f->path), h);
}

static void
readonly_image_refuses_writes(void **state)
{
    struct fx *f = *state;
    struct ckd_img *ro;
    char err[256];

    assert_int_equal(
        ckd_img_open(f->path, true, IMG_SYNC_FSYNC, &ro, err, sizeof(err)), 0);
    assert_true(ckd_track_build(trk, TRK, 0, 0, NULL, 0) > 0);
    assert_int_equal(ckd_img_write_track(ro, 0, 0, trk), -EROFS);
    assert_int_equal(ckd_img_read_track(ro, 0, 0, trk2), 0);
    ckd_img_close(ro);
}

static void
fsync_mode_writes(void **state)
{
    struct fx *f = *state;
    struct ckd_img *img;
    char err[256];
    struct ckd_rec_spec spec = {1, 0, 10, NULL, (const uint8_t *)"fsyncdata!"};

    assert_int_equal(
        ckd_img_open(f->path, false, IMG_SYNC_FSYNC, &img, err, sizeof(err)),
        0);
    assert_true(ckd_track_build(trk, TRK, 1, 0, &spec, 1) > 0);
    assert_int_equal(ckd_img_write_track(img, 1, 0, trk), 0);
    ckd_img_close(img);
    assert_int_equal(ckd_img_read_track(f->img, 1, 0, trk2), 0);
    assert_memory_equal(trk2 + 21 + 8, "fsyncdata!", 10);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_parse_round_trip),
        cmocka_unit_test(parse_counts_without_array),
        cmocka_unit_test(large_cylinder_cchh_encoding),
        cmocka_unit_test(build_too_big_is_enospc),
        cmocka_unit_test(malformed_tracks_rejected),
        T(created_tracks_are_empty),
        T(track_write_read_back),
        T(out_of_range_tracks_einval_and_nothing_written),
        T(malformed_or_misplaced_track_write_refused),
        T(readonly_image_refuses_writes),
        T(fsync_mode_writes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
