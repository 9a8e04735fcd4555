/* SPDX-License-Identifier: MIT */
/*
 * CDL formatting (dasd.md §3.2): what Linux's dasd_eckd expects on a
 * compatible-disk-layout volume.  Track 0: R1 IPL1 (key 4, 24), R2 IPL2
 * (key 4, 144), R3 VOL1 (key 4, 80) with the volume serial and the VTOC
 * pointer, R4-R12 4 KiB.  Track 1: the VTOC, 12 DSCB records (key 44,
 * data 96) starting with the format-4 and format-5 DSCBs.  Every other
 * track: 12 x 4 KiB without keys, so block b sits on track b/12,
 * record b%12+1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "img/img.h"
#include "img_test.h"

#define TRK  56832u
#define CYLS 4u

static uint8_t trk[TRK];

struct fx {
    struct tdir *t;
    struct ckd_img *img;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];
    const char *p;

    f->t = tdir_new();
    p = tdir_file(f->t, "cdl.3390");
    assert_int_equal(ckd_img_create(p, 0, CYLS, err, sizeof(err)), 0);
    assert_int_equal(ckd_img_open(p, false, IMG_SYNC_WRITE_THROUGH, &f->img,
                                  err, sizeof(err)),
                     0);
    assert_int_equal(ckd_img_format_cdl(f->img, "lnx001", err, sizeof(err)), 0);
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

static const uint8_t *
key_of(const struct ckd_record *r)
{
    return trk + r->offset + 8;
}

static const uint8_t *
data_of(const struct ckd_record *r)
{
    return trk + r->offset + 8 + r->kl;
}

static void
track0_ipl_and_volume_label(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[16];
    static const uint8_t ipl1[4] = {0xc9, 0xd7, 0xd3, 0xf1};
    static const uint8_t ipl2[4] = {0xc9, 0xd7, 0xd3, 0xf2};
    static const uint8_t vol1[4] = {0xe5, 0xd6, 0xd3, 0xf1};
    /* "VOL1" "LNX001" (upper-cased), security 0x40, VTOC at 0000 0001 01 */
    static const uint8_t label[16] = {0xe5, 0xd6, 0xd3, 0xf1, 0xd3, 0xd5,
                                      0xe7, 0xf0, 0xf0, 0xf1, 0x40, 0x00,
                                      0x00, 0x00, 0x01, 0x01};

    assert_int_equal(ckd_img_read_track(f->img, 0, 0, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    assert_int_equal(r[1].rec, 1);
    assert_int_equal(r[1].kl, 4);
    assert_int_equal(r[1].dl, 24);
    assert_memory_equal(key_of(&r[1]), ipl1, 4);
    assert_int_equal(r[2].rec, 2);
    assert_int_equal(r[2].kl, 4);
    assert_int_equal(r[2].dl, 144);
    assert_memory_equal(key_of(&r[2]), ipl2, 4);
    assert_int_equal(r[3].rec, 3);
    assert_int_equal(r[3].kl, 4);
    assert_int_equal(r[3].dl, 80);
    assert_memory_equal(key_of(&r[3]), vol1, 4);
    assert_memory_equal(data_of(&r[3]), label, sizeof(label));
    for (int i = 4; i <= 12; i++) {
        assert_int_equal(r[i].rec, i);
        assert_int_equal(r[i].kl, 0);
        assert_int_equal(r[i].dl, 4096);
    }
    /* The IPL record stops IPL: CCW1 is an unchained NOP. */
    assert_int_equal(data_of(&r[1])[8], 0x03);
    assert_int_equal(data_of(&r[1])[12] & 0x40, 0);
}

static void
track1_vtoc_dscbs(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[16];
    uint8_t k4[44];

    memset(k4, 0x04, sizeof(k4));
    assert_int_equal(ckd_img_read_track(f->img, 0, 1, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    for (int i = 1; i <= 12; i++) {
        assert_int_equal(r[i].rec, i);
        assert_int_equal(r[i].kl, 44);
        assert_int_equal(r[i].dl, 96);
    }
    /* Format-4 DSCB: key of 0x04, id F4, 10 free DSCBs, device size
     * (CYLS cylinders, 15 tracks), track length 58786, VTOC extent on
     * cyl 0 head 1. */
    assert_memory_equal(key_of(&r[1]), k4, 44);
    const uint8_t *d4 = data_of(&r[1]);
    assert_int_equal(d4[0], 0xf4);
    assert_int_equal(d4[6] << 8 | d4[7], 10);
    assert_int_equal(d4[18] << 8 | d4[19], CYLS);
    assert_int_equal(d4[20] << 8 | d4[21], 15);
    assert_int_equal(d4[22] << 8 | d4[23], 58786);
    assert_int_equal(d4[30], 12);
    static const uint8_t vtoce[10] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 1};
    assert_memory_equal(d4 + 61, vtoce, sizeof(vtoce));
    /* Format-5 DSCB: free space from relative track 2 to the end. */
    const uint8_t *k5 = key_of(&r[2]);
    static const uint8_t f5[9] = {5, 5, 5, 5, 0, 2, 0, CYLS - 1, 13};
    assert_memory_equal(k5, f5, sizeof(f5));
    assert_int_equal(data_of(&r[2])[0], 0xf5);
    /* Empty DSCBs after them. */
    for (int i = 3; i <= 12; i++)
        assert_int_equal(data_of(&r[i])[0], 0);
}

static void
data_tracks_hold_twelve_4k_records(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[16];

    for (uint32_t c = 0; c < CYLS; c++)
        for (uint32_t h = (c == 0 ? 2 : 0); h < 15; h++) {
            assert_int_equal(ckd_img_read_track(f->img, c, h, trk), 0);
            assert_int_equal(ckd_track_check_ha(trk, c, h), 0);
            assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
            for (int i = 1; i <= 12; i++) {
                assert_int_equal(r[i].cyl, c);
                assert_int_equal(r[i].head, h);
                assert_int_equal(r[i].rec, i);
                assert_int_equal(r[i].kl, 0);
                assert_int_equal(r[i].dl, 4096);
            }
        }
}

static void
label_reads_back(void **state)
{
    struct fx *f = *state;
    struct img_label l;

    assert_int_equal(ckd_img_read_label(f->img, &l), 0);
    assert_string_equal(l.volser, "LNX001");
    assert_int_equal(l.vtoc_cyl, 0);
    assert_int_equal(l.vtoc_head, 1);
    assert_int_equal(l.vtoc_rec, 1);
    assert_true(l.cdl);
}

static void
short_volser_padded_with_blanks(void **state)
{
    struct fx *f = *state;
    struct img_label l;
    char err[256];
    struct ckd_record r[16];
    static const uint8_t vs[6] = {0xc1, 0xc2, 0x40, 0x40, 0x40, 0x40};

    assert_int_equal(ckd_img_format_cdl(f->img, "AB", err, sizeof(err)), 0);
    assert_int_equal(ckd_img_read_label(f->img, &l), 0);
    assert_string_equal(l.volser, "AB");
    assert_int_equal(ckd_img_read_track(f->img, 0, 0, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    assert_memory_equal(data_of(&r[3]) + 4, vs, sizeof(vs));
}

static void
bad_volser_refused(void **state)
{
    struct fx *f = *state;
    char err[256] = "";

    assert_int_equal(ckd_img_format_cdl(f->img, "", err, sizeof(err)), -EINVAL);
    assert_int_equal(ckd_img_format_cdl(f->img, "TOOLONG", err, sizeof(err)),
                     -EINVAL);
    assert_int_equal(ckd_img_format_cdl(f->img, "A B", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "volume serial"));
}

static void
empty_image_has_no_label(void **state)
{
    struct fx *f = *state;
    struct ckd_img *img;
    struct img_label l;
    char err[256];
    const char *p = tdir_file(f->t, "empty.3390");

    assert_int_equal(ckd_img_create(p, 0, 1, err, sizeof(err)), 0);
    assert_int_equal(
        ckd_img_open(p, true, IMG_SYNC_WRITE_THROUGH, &img, err, sizeof(err)),
        0);
    assert_int_equal(ckd_img_read_label(img, &l), -ENOENT);
    ckd_img_close(img);
}

/* A valid image with 512-byte track slots (Hercules accepts any slot
 * size in the header) cannot hold 4 KiB records: CDL is refused. */
static void
small_slots_refuse_cdl(void **state)
{
    struct fx *f = *state;
    const char *p = tdir_file(f->t, "small.3390");
    uint8_t hdr[512] = "CKD_P370";
    struct ckd_img *img;
    char err[256] = "";
    int fd;

    hdr[8] = 15; /* heads */
    hdr[13] = 2; /* trksize 512 */
    hdr[16] = 0x90;
    fd = open(p, O_RDWR | O_CREAT, 0644);
    assert_int_equal(pwrite(fd, hdr, 512, 0), 512);
    for (uint32_t h = 0; h < 15; h++) {
        assert_int_equal(ckd_track_build(trk, 512, 0, h, NULL, 0), 29);
        assert_int_equal(pwrite(fd, trk, 512, 512 + h * 512), 512);
    }
    close(fd);
    assert_int_equal(
        ckd_img_open(p, false, IMG_SYNC_WRITE_THROUGH, &img, err, sizeof(err)),
        0);
    assert_int_equal(ckd_img_geom(img)->trksize, 512);
    assert_int_equal(ckd_img_geom(img)->max_dl, 512 - 37);
    assert_int_equal(ckd_img_format_cdl(img, "SMALL", err, sizeof(err)),
                     -ENOSPC);
    assert_non_null(strstr(err, "too small"));
    ckd_img_close(img);
}

/* ---- one partition (format-1 DSCB), as fdasd -a ---- */

static void
format_partitioned(struct fx *f)
{
    char err[256] = "";

    assert_int_equal(
        ckd_img_format_cdl_partition(f->img, "lnx001", err, sizeof(err)), 0);
}

static uint32_t
be16_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static void
partition_vtoc_f4_f5_f1(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[16];
    uint8_t name[44];
    char ds[IMG_CDL_DSNAME_MAX];
    /* "LNX001" in EBCDIC */
    static const uint8_t vs[6] = {0xd3, 0xd5, 0xe7, 0xf0, 0xf0, 0xf1};

    format_partitioned(f);
    ckd_img_cdl_dsname(ds, "LNX001");
    assert_string_equal(ds, "LINUX.VLNX001.PART0001.NATIVE");
    assert_int_equal(ckd_img_read_track(f->img, 0, 1, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    /* F4: the highest F1 is at CCHHR 0000 0001 03; 9 DSCBs left */
    const uint8_t *d4 = data_of(&r[1]);
    static const uint8_t hpchr[5] = {0, 0, 0, 1, 3};
    assert_int_equal(d4[0], 0xf4);
    assert_memory_equal(d4 + 1, hpchr, sizeof(hpchr));
    assert_int_equal(be16_at(d4 + 6), 9);
    /* F5: no free extent left */
    static const uint8_t k5[9] = {5, 5, 5, 5, 0, 0, 0, 0, 0};
    assert_memory_equal(key_of(&r[2]), k5, sizeof(k5));
    assert_int_equal(data_of(&r[2])[0], 0xf5);
    /* F1: name (EBCDIC, blank-padded), serial, one extent tracks 2..end */
    memset(name, 0x40, sizeof(name));
    static const uint8_t ebc_name[29] = {
        0xd3, 0xc9, 0xd5, 0xe4, 0xe7, 0x4b, 0xe5, 0xd3, 0xd5, 0xe7,
        0xf0, 0xf0, 0xf1, 0x4b, 0xd7, 0xc1, 0xd9, 0xe3, 0xf0, 0xf0,
        0xf0, 0xf1, 0x4b, 0xd5, 0xc1, 0xe3, 0xc9, 0xe5, 0xc5};
    memcpy(name, ebc_name, sizeof(ebc_name));
    assert_memory_equal(key_of(&r[3]), name, sizeof(name));
    const uint8_t *d1 = data_of(&r[3]);
    assert_int_equal(d1[0], 0xf1);
    assert_memory_equal(d1 + 1, vs, sizeof(vs));
    assert_int_equal(be16_at(d1 + 7), 1); /* volume sequence */
    assert_true(d1[9] >= 120);            /* created this century */
    assert_int_equal(d1[15], 1);          /* one extent */
    assert_int_equal(be16_at(d1 + 42), 4096);
    static const uint8_t ext1[10] = {1, 0, 0, 0, 0, 2, 0, CYLS - 1, 0, 14};
    assert_memory_equal(d1 + 61, ext1, sizeof(ext1));
    static const uint8_t no_ext[20] = {0};
    assert_memory_equal(d1 + 71, no_ext, sizeof(no_ext));
    /* last used block: relative track CYLS*15-3, record 12 */
    assert_int_equal(be16_at(d1 + 54), CYLS * 15 - 3);
    assert_int_equal(d1[56], 12);
    for (int i = 4; i <= 12; i++)
        assert_int_equal(data_of(&r[i])[0], 0);
}

/*
 * What Linux's partition code does with the volume (block/partitions/
 * ibm.c, described in the file comment of img/cdl.c), done here on the
 * records: the VTOC pointer in VOL1 names a record, the scan starts at
 * the block after it, skips F4/F5/F7/F9 DSCBs and takes the first extent
 * of each F1 DSCB.  The one partition must start at block 24 (track 2)
 * and end at the volume's last block: not one block of the labels or the
 * VTOC inside it, none of the volume outside.
 */
static void
partition_as_linux_finds_it(void **state)
{
    struct fx *f = *state;
    struct ckd_record r[16];
    struct img_label l;
    uint32_t blk, n = 0, start = 0, end = 0;

    format_partitioned(f);
    assert_int_equal(ckd_img_read_label(f->img, &l), 0);
    blk = (l.vtoc_cyl * 15 + l.vtoc_head) * 12 + l.vtoc_rec + 1;
    assert_int_equal(ckd_img_read_track(f->img, 0, 1, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    for (; blk / 12 == 1; blk++) {
        const uint8_t *key = key_of(&r[blk % 12 + 1]);
        uint8_t id = key[44]; /* the data's first byte: format id */

        if (id == 0xf4 || id == 0xf5 || id == 0xf7 || id == 0xf9)
            continue;
        if (id != 0xf1 && id != 0xf8)
            break;
        start = (be16_at(key + 44 + 63) * 15 + be16_at(key + 44 + 65)) * 12;
        end = (be16_at(key + 44 + 67) * 15 + be16_at(key + 44 + 69)) * 12 + 11;
        n++;
    }
    assert_int_equal(n, 1);
    assert_int_equal(start, 24);
    assert_int_equal(end, CYLS * 15 * 12 - 1);
}

static void
partitioned_data_tracks_unchanged(void **state)
{
    format_partitioned(*state);
    data_tracks_hold_twelve_4k_records(state);
}

static void
partition_refuses_a_bad_volser(void **state)
{
    struct fx *f = *state;
    char err[256] = "";

    assert_int_equal(
        ckd_img_format_cdl_partition(f->img, "A B", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "volume serial"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(track0_ipl_and_volume_label),
        T(track1_vtoc_dscbs),
        T(data_tracks_hold_twelve_4k_records),
        T(label_reads_back),
        T(short_volser_padded_with_blanks),
        T(bad_volser_refused),
        T(empty_image_has_no_label),
        T(small_slots_refuse_cdl),
        T(partition_vtoc_f4_f5_f1),
        T(partition_as_linux_finds_it),
        T(partitioned_data_tracks_unchanged),
        T(partition_refuses_a_bad_volser),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
