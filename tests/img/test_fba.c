/* SPDX-License-Identifier: MIT */
/*
 * FBA raw images (dasd.md §4.1): create, open, block read/write/zero,
 * range checks (out-of-range access is -EINVAL and writes nothing), size
 * validation and the dasdinit-style VOL1 label in block 1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "img/img.h"
#include "img_test.h"

#define BLOCKS 100u

struct fx {
    struct tdir *t;
    char path[128];
    struct fba_img *img;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    f->t = tdir_new();
    snprintf(f->path, sizeof(f->path), "%s", tdir_file(f->t, "d.fba"));
    assert_int_equal(fba_img_create(f->path, BLOCKS, err, sizeof(err)), 0);
    assert_int_equal(fba_img_open(f->path, false, IMG_SYNC_WRITE_THROUGH,
                                  &f->img, err, sizeof(err)),
                     0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    fba_img_close(f->img);
    tdir_free(f->t);
    free(f);
    return 0;
}

static void
fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seed * 31 + i * 7);
}

static void
created_image_geometry_and_zeros(void **state)
{
    struct fx *f = *state;
    uint8_t buf[BLOCKS * 512], zero[BLOCKS * 512] = {0};

    assert_int_equal(fba_img_blocks(f->img), BLOCKS);
    assert_int_equal(file_size(f->path), BLOCKS * 512);
    assert_int_equal(fba_img_read(f->img, 0, BLOCKS, buf), 0);
    assert_memory_equal(buf, zero, sizeof(buf));
}

static void
write_read_round_trip(void **state)
{
    struct fx *f = *state;
    uint8_t w[3 * 512], r[5 * 512];

    fill(w, sizeof(w), 1);
    assert_int_equal(fba_img_write(f->img, 10, 3, w), 0);
    assert_int_equal(fba_img_read(f->img, 9, 5, r), 0);
    for (int i = 0; i < 512; i++) {
        assert_int_equal(r[i], 0);
        assert_int_equal(r[4 * 512 + i], 0);
    }
    assert_memory_equal(r + 512, w, sizeof(w));
    /* the bytes sit at block * 512 in the file: raw format */
    int fd = open(f->path, O_RDONLY);
    assert_int_equal(pread(fd, r, 512, 11 * 512), 512);
    close(fd);
    assert_memory_equal(r, w + 512, 512);
}

static void
last_block_accessible(void **state)
{
    struct fx *f = *state;
    uint8_t w[512], r[512];

    fill(w, sizeof(w), 9);
    assert_int_equal(fba_img_write(f->img, BLOCKS - 1, 1, w), 0);
    assert_int_equal(fba_img_read(f->img, BLOCKS - 1, 1, r), 0);
    assert_memory_equal(w, r, 512);
}

static void
zero_clears_blocks(void **state)
{
    struct fx *f = *state;
    uint8_t w[BLOCKS * 512], r[BLOCKS * 512];

    fill(w, sizeof(w), 3);
    assert_int_equal(fba_img_write(f->img, 0, BLOCKS, w), 0);
    assert_int_equal(fba_img_zero(f->img, 20, 70), 0);
    assert_int_equal(fba_img_read(f->img, 0, BLOCKS, r), 0);
    assert_memory_equal(r, w, 20 * 512);
    for (size_t i = 20 * 512; i < 90 * 512; i++)
        assert_int_equal(r[i], 0);
    assert_memory_equal(r + 90 * 512, w + 90 * 512, 10 * 512);
}

static void
out_of_range_einval_and_nothing_written(void **state)
{
    struct fx *f = *state;
    uint8_t buf[4 * 512];
    uint64_t h;

    fill(buf, sizeof(buf), 5);
    h = file_hash(f->path);
    assert_int_equal(fba_img_write(f->img, BLOCKS, 1, buf), -EINVAL);
    assert_int_equal(fba_img_write(f->img, BLOCKS - 2, 4, buf), -EINVAL);
    assert_int_equal(fba_img_write(f->img, UINT64_MAX, 2, buf), -EINVAL);
    assert_int_equal(fba_img_write(f->img, 0, 0, buf), -EINVAL);
    assert_int_equal(fba_img_zero(f->img, BLOCKS - 1, 2), -EINVAL);
    assert_int_equal(fba_img_zero(f->img, UINT64_MAX - 1, 4), -EINVAL);
    assert_int_equal(fba_img_read(f->img, BLOCKS, 1, buf), -EINVAL);
    assert_int_equal(fba_img_read(f->img, 1, UINT32_MAX, buf), -EINVAL);
    assert_int_equal(file_hash(f->path), h);
    assert_int_equal(file_size(f->path), BLOCKS * 512);
}

static void
readonly_refuses_writes(void **state)
{
    struct fx *f = *state;
    struct fba_img *ro;
    uint8_t buf[512] = {1};
    char err[256];

    assert_int_equal(fba_img_open(f->path, true, IMG_SYNC_WRITE_THROUGH, &ro,
                                  err, sizeof(err)),
                     0);
    assert_int_equal(fba_img_write(ro, 0, 1, buf), -EROFS);
    assert_int_equal(fba_img_zero(ro, 0, 1), -EROFS);
    assert_int_equal(fba_img_read(ro, 0, 1, buf), 0);
    fba_img_close(ro);
}

static void
expect_refused(const char *path, const char *want)
{
    struct fba_img *img = NULL;
    char err[256] = "";

    assert_int_equal(fba_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                                  sizeof(err)),
                     -EINVAL);
    assert_null(img);
    if (!strstr(err, want))
        fail_msg("error '%s' does not mention '%s'", err, want);
}

static void
bad_sizes_and_formats_refused(void **state)
{
    struct fx *f = *state;
    char err[256];

    assert_int_equal(truncate_to(f->path, BLOCKS * 512 - 1), 0);
    expect_refused(f->path, "multiple of 512");
    assert_int_equal(truncate_to(f->path, 0), 0);
    expect_refused(f->path, "empty");
    assert_int_equal(truncate_to(f->path, 4096), 0);
    assert_int_equal(write_at(f->path, "FBA_C370", 8, 0), 0);
    expect_refused(f->path, "compressed");
    assert_int_equal(write_at(f->path, "CKD_P370", 8, 0), 0);
    expect_refused(f->path, "CKD");
    assert_int_equal(fba_img_create(tdir_file(f->t, "z"), 0, err, sizeof(err)),
                     -EINVAL);
    assert_int_equal(fba_img_create(f->path, 1, err, sizeof(err)), -EEXIST);
}

static void
label_like_dasdinit(void **state)
{
    struct fx *f = *state;
    struct img_label l;
    uint8_t blk[512];
    char err[256];
    static const uint8_t want[10] = {0xe5, 0xd6, 0xd3, 0xf1, 0xc6,
                                     0xc2, 0xc1, 0xf0, 0xf0, 0xf1};

    assert_int_equal(fba_img_read_label(f->img, &l), -ENOENT);
    assert_int_equal(fba_img_write_label(f->img, "FBA001", err, sizeof(err)),
                     0);
    assert_int_equal(fba_img_read(f->img, 1, 1, blk), 0);
    assert_memory_equal(blk, want, sizeof(want));
    for (int i = 10; i < 512; i++)
        assert_int_equal(blk[i], 0);
    assert_int_equal(fba_img_read_label(f->img, &l), 0);
    assert_string_equal(l.volser, "FBA001");
    assert_int_equal(fba_img_write_label(f->img, "TOOLONG", err, sizeof(err)),
                     -EINVAL);
    assert_int_equal(fba_img_write_label(f->img, "A.B", err, sizeof(err)),
                     -EINVAL);
    /* serials are upper-cased, as for CKD labels */
    assert_int_equal(fba_img_write_label(f->img, "fba1", err, sizeof(err)), 0);
    assert_int_equal(fba_img_read_label(f->img, &l), 0);
    assert_string_equal(l.volser, "FBA1");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(created_image_geometry_and_zeros),
        T(write_read_round_trip),
        T(last_block_accessible),
        T(zero_clears_blocks),
        T(out_of_range_einval_and_nothing_written),
        T(readonly_refuses_writes),
        T(bad_sizes_and_formats_refused),
        T(label_like_dasdinit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
