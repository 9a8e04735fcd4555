/* SPDX-License-Identifier: MIT */
/*
 * Interop with Debian's Hercules utilities (dasd.md §4):
 *  - images made by dasdinit (3390-1 plain and -linux, custom sizes, FBA)
 *    open in zvfio with the right geometry, every track parses and the
 *    volume label reads back;
 *  - images zvfio creates and writes are read back by dasdls / dasdcat:
 *    the CDL volume lists, and a partitioned data set written track by
 *    track through ckd_img_write_track comes back byte for byte from
 *    dasdcat;
 *  - zvfio's CDL layout is byte-identical to `dasdinit -linux` on every
 *    track but track 0, whose records match except the IPL1 program and
 *    the owner field; zvfio's FBA image with a label is byte-identical to
 *    dasdinit's (Hercules 3.13's dasdls/dasdcat read CKD only, so for FBA
 *    the raw-format identity is the check).
 * Exit 77 (skip) only when the Hercules utilities are not installed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "img/img.h"
#include "../img/img_test.h"

#define TRK 56832u

static uint8_t trk[TRK], trk2[TRK];

/* ---- running the Hercules tools ---- */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static size_t
slurp(const char *path, uint8_t *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, max, f);
    fclose(f);
    return n;
}

struct fx {
    struct tdir *t;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    f->t = tdir_new();
    assert_non_null(f->t);
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
dasdinit(const char *args)
{
    if (run("dasdinit %s >/dev/null 2>&1", args) != 0)
        fail_msg("dasdinit %s failed", args);
}

static struct ckd_img *
open_ckd(const char *path)
{
    struct ckd_img *img = NULL;
    char err[256] = "";

    if (ckd_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        fail_msg("open %s: %s", path, err);
    return img;
}

/* Parse every track; returns the record count of each track type seen.
 * track0/track1/other must match for every track. */
static void
check_all_tracks(struct ckd_img *img, int track0, int track1, int other,
                 uint16_t other_dl)
{
    const struct ckd_geom *g = ckd_img_geom(img);
    struct ckd_record r[64];

    for (uint32_t c = 0; c < g->cyls; c++)
        for (uint32_t h = 0; h < g->heads; h++) {
            int want = (c == 0 && h == 0)   ? track0
                       : (c == 0 && h == 1) ? track1
                                            : other;
            int n;

            assert_int_equal(ckd_img_read_track(img, c, h, trk), 0);
            assert_int_equal(ckd_track_check_ha(trk, c, h), 0);
            n = ckd_track_parse(trk, g->trksize, r, 64);
            if (n != want)
                fail_msg("track %u/%u: %d records, want %d", c, h, n, want);
            assert_int_equal(r[0].rec, 0);
            if (want > 1 && !(c == 0 && h < 2))
                assert_int_equal(r[1].dl, other_dl);
        }
}

/* ---- dasdinit -> zvfio ---- */

static void
dasdinit_3390_1_plain_opens(void **state)
{
    struct fx *f = *state;
    const char *p = tdir_file(f->t, "plain.3390");
    char args[256];
    struct ckd_img *img;
    struct img_label l;

    snprintf(args, sizeof(args), "-lfs %s 3390-1 VOL001", p);
    dasdinit(args);
    img = open_ckd(tdir_file(f->t, "plain.3390"));
    assert_int_equal(ckd_img_geom(img)->devtype, 0x3390);
    assert_int_equal(ckd_img_geom(img)->model, 1);
    assert_int_equal(ckd_img_geom(img)->cyls, 1113);
    assert_int_equal(ckd_img_geom(img)->heads, 15);
    assert_int_equal(ckd_img_geom(img)->trksize, TRK);
    assert_int_equal(ckd_img_read_label(img, &l), 0);
    assert_string_equal(l.volser, "VOL001");
    assert_int_equal(l.vtoc_head, 1);
    assert_int_equal(l.vtoc_rec, 1);
    /* Track 0: R0 + IPL1 + IPL2 + VOL1; every other track: R0 only. */
    check_all_tracks(img, 4, 1, 1, 0);
    ckd_img_close(img);
}

static void
dasdinit_3390_1_linux_opens(void **state)
{
    struct fx *f = *state;
    char args[256];
    struct ckd_img *img;
    struct img_label l;
    struct ckd_record r[16];

    snprintf(args, sizeof(args), "-linux -lfs %s 3390-1 LNX001",
             tdir_file(f->t, "linux.3390"));
    dasdinit(args);
    img = open_ckd(tdir_file(f->t, "linux.3390"));
    assert_int_equal(ckd_img_geom(img)->model, 1);
    assert_int_equal(ckd_img_geom(img)->cyls, 1113);
    assert_int_equal(ckd_img_read_label(img, &l), 0);
    assert_string_equal(l.volser, "LNX001");
    assert_true(l.cdl);
    /* CDL: 12 records + R0 on every track (dasd.md §3.2) */
    check_all_tracks(img, 13, 13, 13, 4096);
    assert_int_equal(ckd_img_read_track(img, 0, 1, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    assert_int_equal(r[1].kl, 44);
    assert_int_equal(trk[r[1].offset + 8 + 44], 0xf4); /* format-4 DSCB */
    ckd_img_close(img);
}

static void
dasdinit_custom_cylinders_open(void **state)
{
    struct fx *f = *state;
    char args[256];
    struct ckd_img *img;

    snprintf(args, sizeof(args), "-lfs %s 3390 VOL002 20",
             tdir_file(f->t, "c20.3390"));
    dasdinit(args);
    img = open_ckd(tdir_file(f->t, "c20.3390"));
    assert_int_equal(ckd_img_geom(img)->model, 0);
    assert_int_equal(ckd_img_geom(img)->cyls, 20);
    check_all_tracks(img, 4, 1, 1, 0);
    ckd_img_close(img);
}

static void
dasdinit_fba_opens(void **state)
{
    struct fx *f = *state;
    char args[256], err[256];
    struct fba_img *img;
    struct img_label l;
    uint8_t blk[512];

    snprintf(args, sizeof(args), "-lfs %s 9336 FBA001 4096",
             tdir_file(f->t, "d.fba"));
    dasdinit(args);
    assert_int_equal(fba_img_open(tdir_file(f->t, "d.fba"), false,
                                  IMG_SYNC_WRITE_THROUGH, &img, err,
                                  sizeof(err)),
                     0);
    assert_int_equal(fba_img_blocks(img), 4096);
    assert_int_equal(fba_img_read_label(img, &l), 0);
    assert_string_equal(l.volser, "FBA001");
    memset(blk, 0xa5, sizeof(blk));
    assert_int_equal(fba_img_write(img, 4095, 1, blk), 0);
    assert_int_equal(fba_img_write(img, 4096, 1, blk), -EINVAL);
    fba_img_close(img);
    assert_int_equal(file_size(tdir_file(f->t, "d.fba")), 4096 * 512);
}

/* ---- zvfio -> Hercules ---- */

static struct ckd_img *
zvfio_cdl(struct fx *f, const char *name, uint32_t cyls, const char *volser)
{
    struct ckd_img *img;
    char err[256] = "";
    const char *p = tdir_file(f->t, name);

    assert_int_equal(ckd_img_create(p, 0, cyls, err, sizeof(err)), 0);
    assert_int_equal(
        ckd_img_open(p, false, IMG_SYNC_WRITE_THROUGH, &img, err, sizeof(err)),
        0);
    assert_int_equal(ckd_img_format_cdl(img, volser, err, sizeof(err)), 0);
    return img;
}

static void
zvfio_cdl_matches_dasdinit_linux(void **state)
{
    struct fx *f = *state;
    struct ckd_img *ours = zvfio_cdl(f, "z.3390", 10, "LNX001"), *theirs;
    char args[256];
    struct ckd_record a[16], b[16];
    uint8_t ha[512], hb[512];
    int fa, fb;

    snprintf(args, sizeof(args), "-linux -lfs %s 3390 LNX001 10",
             tdir_file(f->t, "h.3390"));
    dasdinit(args);
    theirs = open_ckd(tdir_file(f->t, "h.3390"));
    /* identical device headers */
    fa = open(tdir_file(f->t, "z.3390"), O_RDONLY);
    fb = open(tdir_file(f->t, "h.3390"), O_RDONLY);
    assert_int_equal(pread(fa, ha, 512, 0), 512);
    assert_int_equal(pread(fb, hb, 512, 0), 512);
    close(fa);
    close(fb);
    assert_memory_equal(ha, hb, 512);
    /* every track but 0 byte-identical, VTOC included */
    for (uint32_t t = 1; t < 150; t++) {
        assert_int_equal(ckd_img_read_track(ours, t / 15, t % 15, trk), 0);
        assert_int_equal(ckd_img_read_track(theirs, t / 15, t % 15, trk2), 0);
        if (memcmp(trk, trk2, TRK) != 0)
            fail_msg("track %u differs from dasdinit -linux", t);
    }
    /* track 0: same records; VOL1 label id, volser and VTOC pointer */
    assert_int_equal(ckd_img_read_track(ours, 0, 0, trk), 0);
    assert_int_equal(ckd_img_read_track(theirs, 0, 0, trk2), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, a, 16), 13);
    assert_int_equal(ckd_track_parse(trk2, TRK, b, 16), 13);
    for (int i = 0; i < 13; i++) {
        assert_int_equal(a[i].offset, b[i].offset);
        assert_memory_equal(trk + a[i].offset, trk2 + b[i].offset, 8 + a[i].kl);
    }
    assert_memory_equal(trk + a[3].offset + 12, trk2 + b[3].offset + 12, 16);
    ckd_img_close(ours);
    ckd_img_close(theirs);
}

/* A PDS "ZVFIO.TEST.PDS" on tracks 2-4 with member HELLO: directory on
 * track 2, member records on tracks 3 and 4 (crossing a track), EOF. */
#define PDS_NAME "ZVFIO.TEST.PDS"
#define MEM_BLK  800
#define MEM_T3   10
#define MEM_T4   5

static void
mem_block(uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < MEM_BLK; i++)
        b[i] = (uint8_t)(n * 37 + i * 11 + (i >> 8));
}

/* Format-1 DSCB (data set descriptor), key + 96 data bytes (offsets are
 * the DSCB's minus the 44-byte key). */
static void
dscb1(uint8_t key[44], uint8_t d[96], const uint8_t *volser)
{
    static const uint8_t ebc[] = "\xe9\xe5\xc6\xc9\xd6\x4b\xe3\xc5\xe2\xe3"
                                 "\x4b\xd7\xc4\xe2"; /* ZVFIO.TEST.PDS */

    memset(key, 0x40, 44);
    memcpy(key, ebc, sizeof(ebc) - 1);
    memset(d, 0, 96);
    d[0] = 0xf1;              /* DS1FMTID */
    memcpy(d + 1, volser, 6); /* DS1DSSN (EBCDIC) */
    d[8] = 1;                 /* DS1VOLSQ */
    d[15] = 1;                /* DS1NOEPV: one extent */
    d[38] = 0x02;             /* DS1DSORG: PO */
    d[40] = 0x90;             /* DS1RECFM: FB */
    d[42] = MEM_BLK >> 8;     /* DS1BLKL */
    d[43] = MEM_BLK & 0xff;
    d[45] = 80;   /* DS1LRECL */
    d[49] = 0x80; /* DS1DSIND: last volume */
    d[50] = 0x80; /* DS1SCALO: tracks */
    d[61] = 0x01; /* DS1EXT1: type */
    static const uint8_t ext[8] = {0, 0, 0, 2, 0, 0, 0, 4}; /* 0/2 .. 0/4 */
    memcpy(d + 63, ext, sizeof(ext));
}

static void
write_vtoc_entry(struct ckd_img *img)
{
    struct ckd_record r[16];
    uint8_t vol1_volser[6];

    assert_int_equal(ckd_img_read_track(img, 0, 0, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    memcpy(vol1_volser, trk + r[3].offset + 8 + 4 + 4, 6);
    assert_int_equal(ckd_img_read_track(img, 0, 1, trk), 0);
    assert_int_equal(ckd_track_parse(trk, TRK, r, 16), 13);
    /* F4: highest format-1 DSCB at 0000 0001 03, one free DSCB fewer */
    uint8_t *f4 = trk + r[1].offset + 8 + 44;
    static const uint8_t hp[5] = {0, 0, 0, 1, 3};
    memcpy(f4 + 1, hp, 5);
    f4[7] -= 1;
    /* F5: free space now starts at relative track 5 */
    uint8_t *k5 = trk + r[2].offset + 8;
    k5[5] = 5;
    k5[8] = 10;
    dscb1(trk + r[3].offset + 8, trk + r[3].offset + 8 + 44, vol1_volser);
    assert_int_equal(ckd_img_write_track(img, 0, 1, trk), 0);
}

static void
write_pds_tracks(struct ckd_img *img)
{
    static const uint8_t ff8[8] = {0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff};
    static const uint8_t hello[8] = {0xc8, 0xc5, 0xd3, 0xd3,
                                     0xd6, 0x40, 0x40, 0x40};
    static uint8_t blocks[MEM_T3 + MEM_T4][MEM_BLK];
    uint8_t dir[256] = {0};
    struct ckd_rec_spec s[MEM_T3 + 1];

    /* directory block: used bytes, HELLO at TTR 0001 01, end entry */
    dir[1] = 2 + 12 + 12;
    memcpy(dir + 2, hello, 8);
    dir[2 + 9] = 1;
    dir[2 + 10] = 1;
    memcpy(dir + 14, ff8, 8);
    s[0] = (struct ckd_rec_spec){1, 8, 256, ff8, dir};
    s[1] = (struct ckd_rec_spec){2, 0, 0, NULL, NULL}; /* EOF */
    assert_true(ckd_track_build(trk, TRK, 0, 2, s, 2) > 0);
    assert_int_equal(ckd_img_write_track(img, 0, 2, trk), 0);
    for (unsigned i = 0; i < MEM_T3 + MEM_T4; i++)
        mem_block(blocks[i], i);
    for (unsigned i = 0; i < MEM_T3; i++)
        s[i] = (struct ckd_rec_spec){(uint8_t)(i + 1), 0, MEM_BLK, NULL,
                                     blocks[i]};
    assert_true(ckd_track_build(trk, TRK, 0, 3, s, MEM_T3) > 0);
    assert_int_equal(ckd_img_write_track(img, 0, 3, trk), 0);
    for (unsigned i = 0; i < MEM_T4; i++)
        s[i] = (struct ckd_rec_spec){(uint8_t)(i + 1), 0, MEM_BLK, NULL,
                                     blocks[MEM_T3 + i]};
    s[MEM_T4] = (struct ckd_rec_spec){MEM_T4 + 1, 0, 0, NULL, NULL};
    assert_true(ckd_track_build(trk, TRK, 0, 4, s, MEM_T4 + 1) > 0);
    assert_int_equal(ckd_img_write_track(img, 0, 4, trk), 0);
}

static void
zvfio_pds_read_by_dasdls_and_dasdcat(void **state)
{
    struct fx *f = *state;
    struct ckd_img *img = zvfio_cdl(f, "pds.3390", 5, "ZVPDS1");
    char path[160], out[160], lst[160];
    static uint8_t got[(MEM_T3 + MEM_T4) * MEM_BLK + 64];
    uint8_t want[MEM_BLK];
    size_t n;
    int rc;

    write_vtoc_entry(img);
    write_pds_tracks(img);
    ckd_img_close(img);
    snprintf(path, sizeof(path), "%s", tdir_file(f->t, "pds.3390"));
    snprintf(out, sizeof(out), "%s", tdir_file(f->t, "dasdls.out"));
    assert_int_equal(run("dasdls %s >%s 2>&1", path, out), 0);
    n = slurp(out, got, sizeof(got) - 1);
    got[n] = 0;
    if (!strstr((char *)got, "VOLSER=ZVPDS1") || !strstr((char *)got, PDS_NAME))
        fail_msg("dasdls output lacks the volume or data set:\n%s", got);

    snprintf(lst, sizeof(lst), "%s", tdir_file(f->t, "list.out"));
    rc = run("dasdcat -i %s '" PDS_NAME "/?' >%s 2>&1", path, lst);
    n = slurp(lst, got, sizeof(got) - 1);
    got[n] = 0;
    /* dasdcat 3.13 exits 1 even on success when it meets the directory's
     * end entry (X'FF..' name), so the output is the check. */
    if (rc < 0 || rc > 1 || !strstr((char *)got, "hello"))
        fail_msg("dasdcat member list (exit %d) lacks hello:\n%s", rc, got);

    snprintf(out, sizeof(out), "%s", tdir_file(f->t, "cat.out"));
    rc = run("dasdcat -i %s '" PDS_NAME "/HELLO' >%s 2>/dev/null", path, out);
    assert_in_range(rc, 0, 1);
    n = slurp(out, got, sizeof(got));
    assert_int_equal(n, (MEM_T3 + MEM_T4) * MEM_BLK);
    for (unsigned i = 0; i < MEM_T3 + MEM_T4; i++) {
        mem_block(want, i);
        if (memcmp(got + i * MEM_BLK, want, MEM_BLK) != 0)
            fail_msg("dasdcat block %u differs from what zvfio wrote", i);
    }
}

static void
zvfio_fba_matches_dasdinit(void **state)
{
    struct fx *f = *state;
    struct fba_img *img;
    char args[256], err[256];
    uint64_t ours, theirs;

    assert_int_equal(
        fba_img_create(tdir_file(f->t, "z.fba"), 2048, err, sizeof(err)), 0);
    assert_int_equal(fba_img_open(tdir_file(f->t, "z.fba"), false,
                                  IMG_SYNC_WRITE_THROUGH, &img, err,
                                  sizeof(err)),
                     0);
    assert_int_equal(fba_img_write_label(img, "FBA002", err, sizeof(err)), 0);
    fba_img_close(img);
    snprintf(args, sizeof(args), "-lfs %s 9336 FBA002 2048",
             tdir_file(f->t, "h.fba"));
    dasdinit(args);
    ours = file_hash(tdir_file(f->t, "z.fba"));
    theirs = file_hash(tdir_file(f->t, "h.fba"));
    assert_int_equal(file_size(tdir_file(f->t, "z.fba")),
                     file_size(tdir_file(f->t, "h.fba")));
    assert_true(ours == theirs);
}

static bool
hercules_tools_present(void)
{
    return run("{ command -v dasdinit && command -v dasdls && "
               "command -v dasdcat; } >/dev/null 2>&1") == 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(dasdinit_3390_1_plain_opens),
        T(dasdinit_3390_1_linux_opens),
        T(dasdinit_custom_cylinders_open),
        T(dasdinit_fba_opens),
        T(zvfio_cdl_matches_dasdinit_linux),
        T(zvfio_pds_read_by_dasdls_and_dasdcat),
        T(zvfio_fba_matches_dasdinit),
    };

    if (!hercules_tools_present()) {
        printf("skipping: Hercules utilities dasdinit/dasdls/dasdcat not "
               "found (Debian package 'hercules')\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
