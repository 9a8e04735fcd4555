/* SPDX-License-Identifier: MIT */
/*
 * CKD device header validation (dasd.md §4.2): a good image opens with
 * its geometry; every corrupt or unsupported header is refused at open
 * with -EINVAL and a message naming the problem.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "img/img.h"
#include "img_test.h"

#define TRK  56832u
#define CYLS 3u

struct fx {
    struct tdir *t;
    const char *img;
    char path[128];
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    f->t = tdir_new();
    assert_non_null(f->t);
    snprintf(f->path, sizeof(f->path), "%s", tdir_file(f->t, "v.3390"));
    assert_int_equal(ckd_img_create(f->path, 0, CYLS, err, sizeof(err)), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    tdir_free(f->t);
    free(f);
    return 0;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Open must fail with -EINVAL and an error containing `want`. */
static void
expect_refused(const char *path, const char *want)
{
    struct ckd_img *img = NULL;
    char err[256] = "";

    assert_int_equal(ckd_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                                  sizeof(err)),
                     -EINVAL);
    assert_null(img);
    if (!strstr(err, want))
        fail_msg("error '%s' does not mention '%s'", err, want);
}

static void
good_header_opens_with_geometry(void **state)
{
    struct fx *f = *state;
    struct ckd_img *img;
    char err[256];
    const struct ckd_geom *g;

    assert_int_equal(ckd_img_open(f->path, false, IMG_SYNC_WRITE_THROUGH, &img,
                                  err, sizeof(err)),
                     0);
    g = ckd_img_geom(img);
    assert_int_equal(g->devtype, 0x3390);
    assert_int_equal(g->model, 0);
    assert_int_equal(g->cyls, CYLS);
    assert_int_equal(g->heads, 15);
    assert_int_equal(g->trksize, TRK);
    assert_int_equal(g->max_dl, 56664);
    ckd_img_close(img);
    assert_int_equal(file_size(f->path), 512 + CYLS * 15 * TRK);
}

static void
header_fields_are_little_endian(void **state)
{
    struct fx *f = *state;
    uint8_t raw[512];
    int fd = open(f->path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(pread(fd, raw, sizeof(raw), 0), 512);
    close(fd);
    assert_memory_equal(raw, "CKD_P370", 8);
    /* heads 15, trksize 0xDE00, devtyp 0x90, fileseq 0, highcyl 0 */
    static const uint8_t want[12] = {0x0f, 0, 0,    0, 0x00, 0xde,
                                     0,    0, 0x90, 0, 0,    0};
    assert_memory_equal(raw + 8, want, sizeof(want));
}

static void
bad_magic_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(write_at(f->path, "XKD_P370", 8, 0), 0);
    expect_refused(f->path, "bad magic");
}

static void
compressed_magic_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(write_at(f->path, "CKD_C370", 8, 0), 0);
    expect_refused(f->path, "compressed");
}

static void
zero_heads_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v[4];

    put_le32(v, 0);
    assert_int_equal(write_at(f->path, v, 4, 8), 0);
    expect_refused(f->path, "zero heads");
}

static void
wrong_heads_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v[4];

    put_le32(v, 16);
    assert_int_equal(write_at(f->path, v, 4, 8), 0);
    expect_refused(f->path, "16 heads");
}

static void
trksize_too_small_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v[4];

    put_le32(v, 16);
    assert_int_equal(write_at(f->path, v, 4, 12), 0);
    expect_refused(f->path, "too small");
}

static void
trksize_too_large_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v[4];

    put_le32(v, TRK + 512);
    assert_int_equal(write_at(f->path, v, 4, 12), 0);
    expect_refused(f->path, "too large");
}

static void
other_device_type_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v = 0x80; /* 3380 */

    assert_int_equal(write_at(f->path, &v, 1, 16), 0);
    expect_refused(f->path, "0x80");
}

static void
multi_file_volume_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v = 1;

    assert_int_equal(write_at(f->path, &v, 1, 17), 0);
    expect_refused(f->path, "multi-file");
}

static void
truncated_mid_track_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(truncate_to(f->path, 512 + CYLS * 15 * TRK - 100), 0);
    expect_refused(f->path, "mid-track");
}

static void
truncated_mid_cylinder_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(truncate_to(f->path, 512 + (CYLS * 15 - 1) * TRK), 0);
    expect_refused(f->path, "mid-cylinder");
}

static void
highcyl_mismatch_refused(void **state)
{
    struct fx *f = *state;
    uint8_t v[2] = {7, 0}; /* highest cylinder 7, file holds 0..2 */

    assert_int_equal(write_at(f->path, v, 2, 18), 0);
    expect_refused(f->path, "mismatch");
}

static void
highcyl_matching_accepted(void **state)
{
    struct fx *f = *state;
    uint8_t v[2] = {CYLS - 1, 0};
    struct ckd_img *img;
    char err[256];

    assert_int_equal(write_at(f->path, v, 2, 18), 0);
    assert_int_equal(ckd_img_open(f->path, true, IMG_SYNC_WRITE_THROUGH, &img,
                                  err, sizeof(err)),
                     0);
    assert_int_equal(ckd_img_geom(img)->cyls, CYLS);
    ckd_img_close(img);
}

static void
header_only_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(truncate_to(f->path, 512), 0);
    expect_refused(f->path, "no complete cylinder");
}

static void
shorter_than_header_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(truncate_to(f->path, 100), 0);
    expect_refused(f->path, "shorter than");
}

static void
missing_file_is_enoent(void **state)
{
    struct fx *f = *state;
    struct ckd_img *img = NULL;
    char err[256] = "";

    assert_int_equal(ckd_img_open(tdir_file(f->t, "nope"), true,
                                  IMG_SYNC_WRITE_THROUGH, &img, err,
                                  sizeof(err)),
                     -ENOENT);
    assert_true(strlen(err) > 0);
}

static void
create_refuses_existing_file(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    uint64_t h = file_hash(f->path);

    assert_int_equal(ckd_img_create(f->path, 0, 1, err, sizeof(err)), -EEXIST);
    assert_int_equal(file_hash(f->path), h);
}

static void
create_model_sizes(void **state)
{
    struct fx *f = *state;
    char err[256];
    const char *p = tdir_file(f->t, "m1.3390");
    struct ckd_img *img;

    assert_int_equal(ckd_img_create(p, 1, 0, err, sizeof(err)), 0);
    assert_int_equal(file_size(p), 948810752ull); /* dasd.md §4.2 */
    assert_int_equal(
        ckd_img_open(p, true, IMG_SYNC_WRITE_THROUGH, &img, err, sizeof(err)),
        0);
    assert_int_equal(ckd_img_geom(img)->model, 1);
    assert_int_equal(ckd_img_geom(img)->cyls, 1113);
    ckd_img_close(img);
    assert_int_equal(
        ckd_img_create(tdir_file(f->t, "m5"), 5, 0, err, sizeof(err)), -EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(good_header_opens_with_geometry),
        T(header_fields_are_little_endian),
        T(bad_magic_refused),
        T(compressed_magic_refused),
        T(zero_heads_refused),
        T(wrong_heads_refused),
        T(trksize_too_small_refused),
        T(trksize_too_large_refused),
        T(other_device_type_refused),
        T(multi_file_volume_refused),
        T(truncated_mid_track_refused),
        T(truncated_mid_cylinder_refused),
        T(highcyl_mismatch_refused),
        T(highcyl_matching_accepted),
        T(header_only_refused),
        T(shorter_than_header_refused),
        T(missing_file_is_enoent),
        T(create_refuses_existing_file),
        T(create_model_sizes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
