/* SPDX-License-Identifier: MIT */
/*
 * img/cdl: format a 3390 image in Linux's compatible disk layout (CDL,
 * dasd.md §3.2), the layout `dasdfmt -d cdl` leaves and `dasdinit -linux`
 * writes, so Linux's DASD driver can use the volume without dasdfmt:
 *
 *   track 0: R1 "IPL1" (key 4, data 24), R2 "IPL2" (key 4, data 144),
 *            R3 "VOL1" (key 4, data 80: the volume label), R4-R12 4 KiB;
 *   track 1: the VTOC: twelve 44-byte-key/96-byte-data DSCB records, R1
 *            the format-4 DSCB (VTOC itself), R2 the format-5 DSCB (free
 *            space), with a partition R3 a format-1 DSCB (one data set
 *            over every track from 2 on, as `fdasd -a` writes), the rest
 *            empty;
 *   others:  R1-R12, 4 KiB each, no key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "img/img_priv.h"

#define CDL_BLKSIZE    4096
#define CDL_RECS       12 /* 4 KiB records per 3390 track */
#define CDL_DSCB_KL    44
#define CDL_DSCB_DL    96
#define CDL_VTOC_TRACK 1
#define CDL_IPL1_DL    24
#define CDL_IPL2_DL    144
#define CDL_VOL1_DL    80
#define CDL_OWNER      "ZVFIO"
#define CDL_FIRST_FREE 2 /* tracks 0 and 1 hold labels and the VTOC */
#define CDL_F1_REC     3 /* the format-1 DSCB follows the F4 and F5 */
/* A partition's extent is written in plain CCHH: no large-volume
 * (cylinder-in-HH) encoding, so volumes up to 65,520 cylinders. */
#define CDL_PART_MAX_CYLS 65520

/* ---- track 0 ---- */

/*
 * IPL1 data: an IPL PSW and two format-0 CCWs (dasd.md §3.8).  Until a
 * boot loader (zipl) replaces it, IPL must stop cleanly: CCW1 is a NOP
 * without chaining, so the IPL ends and loads the PSW, an ESA/390-format
 * (bit 12) disabled wait (bit 14) PSW with every interruption masked.
 */
static void
cdl_ipl1(uint8_t data[CDL_IPL1_DL])
{
    memset(data, 0, CDL_IPL1_DL);
    data[1] = 0x08 | 0x02; /* PSW bit 12 (ESA format) + bit 14 (wait) */
    data[8] = 0x03;        /* CCW1: NOP */
    data[12] = 0x20;       /* SLI */
    zv_put_be16(data + 14, 1);
}

/* The standard volume label (VOL1), 80 bytes, as dasdinit lays it out. */
static void
cdl_vol1(uint8_t data[CDL_VOL1_DL], const char *volser)
{
    memset(data, 0x40, CDL_VOL1_DL);
    img_ascii_to_ebcdic(data, 4, "VOL1");
    img_ascii_to_ebcdic(data + 4, 6, volser);
    data[10] = 0x40; /* volume security: none */
    /* Bytes 11-15: CCHHR of the VTOC's first record (cyl 0 head 1 R1). */
    ckd_put_cchh(data + 11, 0, CDL_VTOC_TRACK);
    data[15] = 1;
    img_ascii_to_ebcdic(data + 41, 10, CDL_OWNER);
}

static int
cdl_track0(uint8_t *buf, uint32_t trksize, const char *volser)
{
    static const uint8_t ipl1_key[4] = {0xc9, 0xd7, 0xd3, 0xf1};
    static const uint8_t ipl2_key[4] = {0xc9, 0xd7, 0xd3, 0xf2};
    static const uint8_t vol1_key[4] = {0xe5, 0xd6, 0xd3, 0xf1};
    uint8_t ipl1[CDL_IPL1_DL], vol1[CDL_VOL1_DL];
    struct ckd_rec_spec r[CDL_RECS];

    cdl_ipl1(ipl1);
    cdl_vol1(vol1, volser);
    r[0] = (struct ckd_rec_spec){1, 4, CDL_IPL1_DL, ipl1_key, ipl1};
    r[1] = (struct ckd_rec_spec){2, 4, CDL_IPL2_DL, ipl2_key, NULL};
    r[2] = (struct ckd_rec_spec){3, 4, CDL_VOL1_DL, vol1_key, vol1};
    for (unsigned i = 3; i < CDL_RECS; i++)
        r[i] =
            (struct ckd_rec_spec){(uint8_t)(i + 1), 0, CDL_BLKSIZE, NULL, NULL};
    return ckd_track_build(buf, trksize, 0, 0, r, CDL_RECS);
}

/* ---- track 1: the VTOC ---- */

/*
 * Format-4 DSCB (the VTOC's own descriptor), 140 bytes = 44-byte key of
 * 0x04 + 96 data bytes; offsets below are within the data (DSCB offset
 * minus 44).  Device constants are the 3390's (RDC, dasd.md §1.2).
 */
static void
cdl_dscb4(uint8_t key[CDL_DSCB_KL], uint8_t data[CDL_DSCB_DL], uint32_t cyls,
          bool part)
{
    memset(key, 0x04, CDL_DSCB_KL);
    memset(data, 0, CDL_DSCB_DL);
    data[0] = 0xf4; /* DS4IDFMT */
    if (part) {
        /* DS4HPCHR: CCHHR of the last format-1 DSCB in the VTOC */
        ckd_put_cchh(data + 1, 0, CDL_VTOC_TRACK);
        data[5] = CDL_F1_REC;
    }
    /* DS4DSREC: free DSCB records */
    zv_put_be16(data + 6, (uint16_t)(CDL_RECS - (part ? 3 : 2)));
    data[15] = 1; /* DS4NOEXT: VTOC extents */
    /* DS4DEVSZ: cylinders, tracks per cylinder.  Volumes above 65520
     * cylinders would need the large-volume fields: capped here. */
    zv_put_be16(data + 18, (uint16_t)(cyls > 0xfffe ? 0xfffe : cyls));
    zv_put_be16(data + 20, CKD_3390_HEADS);
    zv_put_be16(data + 22, CKD_3390_TRK_CAP); /* DS4DEVTK */
    data[27] = 0x30;                          /* DS4DEVFG, as dasdinit */
    data[30] = CDL_RECS;                      /* DS4DEVDT: DSCBs/track */
    /* DS4VTOCE: one extent, type 1, tracks 1..1. */
    data[61] = 0x01;
    ckd_put_cchh(data + 63, 0, CDL_VTOC_TRACK);
    ckd_put_cchh(data + 67, 0, CDL_VTOC_TRACK);
}

/* Format-5 DSCB (free space): one extent from track 2 to the end, as
 * relative track (2 bytes), whole cylinders (2) and extra tracks (1); no
 * extent when a partition has all of it. */
static void
cdl_dscb5(uint8_t key[CDL_DSCB_KL], uint8_t data[CDL_DSCB_DL], uint32_t cyls,
          bool part)
{
    uint64_t free_trks = (uint64_t)cyls * CKD_3390_HEADS - CDL_FIRST_FREE;
    uint64_t free_cyls = free_trks / CKD_3390_HEADS;

    memset(key, 0, CDL_DSCB_KL);
    memset(data, 0, CDL_DSCB_DL);
    memset(key, 0x05, 4); /* DS5KEYID */
    data[0] = 0xf5;       /* DS5FMTID */
    if (part)
        return;
    zv_put_be16(key + 4, CDL_FIRST_FREE);
    zv_put_be16(key + 6, (uint16_t)(free_cyls > 0xffff ? 0xffff : free_cyls));
    key[8] = (uint8_t)(free_trks % CKD_3390_HEADS);
}

/*
 * Format-1 DSCB (a data set), the partition `fdasd -a` makes: the name
 * LINUX.V<volser>.PART0001.NATIVE in the key, one extent from track 2
 * to the volume's last track.  Linux's partition code (ibm.c) reads the
 * VTOC from the record after the one VOL1 points at, skips F4/F5/F7/F9
 * DSCBs and makes one partition per F1/F8 DSCB from its first extent;
 * Hercules' dasdls/dasdcat find the data set by this name.  Offsets are
 * within the 96 data bytes (DSCB offset minus 44).
 */
void
ckd_img_cdl_dsname(char out[IMG_CDL_DSNAME_MAX], const char *volser)
{
    snprintf(out, IMG_CDL_DSNAME_MAX, "LINUX.V%s.PART0001.NATIVE", volser);
}

static void
cdl_dscb1(uint8_t key[CDL_DSCB_KL], uint8_t data[CDL_DSCB_DL],
          const char *volser, uint32_t cyls)
{
    char name[IMG_CDL_DSNAME_MAX];
    time_t now = time(NULL);
    struct tm tm;

    ckd_img_cdl_dsname(name, volser);
    img_ascii_to_ebcdic(key, CDL_DSCB_KL, name); /* DS1DSNAM, blank-padded */
    memset(data, 0, CDL_DSCB_DL);
    data[0] = 0xf1;                           /* DS1FMTID */
    img_ascii_to_ebcdic(data + 1, 6, volser); /* DS1DSSN */
    zv_put_be16(data + 7, 1);                 /* DS1VOLSQ */
    if (gmtime_r(&now, &tm)) {                /* DS1CREDT: year-1900, day */
        data[9] = (uint8_t)tm.tm_year;
        zv_put_be16(data + 10, (uint16_t)(tm.tm_yday + 1));
    }
    data[15] = 1;                                    /* DS1NOEPV: extents */
    img_ascii_to_ebcdic(data + 18, 13, "IBM LINUX"); /* DS1SYSCD */
    data[38] = 0x40;                                 /* DS1DSRG1: PS */
    data[40] = 0x88;                                 /* DS1RECFM: F, standard */
    zv_put_be16(data + 42, CDL_BLKSIZE);             /* DS1BLKL */
    zv_put_be16(data + 44, CDL_BLKSIZE);             /* DS1LRECL */
    data[49] = 0x80; /* DS1DSIND: last volume of the data set */
    /* DS1LSTAR: the data set is full, its last block is the last record
     * of its last track (relative track, record), so readers of the data
     * set (Hercules' dasdseq) stop there without an end-of-file record */
    zv_put_be16(data + 54,
                (uint16_t)(cyls * CKD_3390_HEADS - CDL_FIRST_FREE - 1));
    data[56] = CDL_RECS;
    /* DS1EXT1: type 1 (data), sequence 0, tracks 2 .. last */
    data[61] = 0x01;
    ckd_put_cchh(data + 63, 0, CDL_FIRST_FREE);
    ckd_put_cchh(data + 67, cyls - 1, CKD_3390_HEADS - 1);
}

static int
cdl_track1(uint8_t *buf, uint32_t trksize, uint32_t cyls, const char *volser,
           bool part)
{
    uint8_t k4[CDL_DSCB_KL], d4[CDL_DSCB_DL], k5[CDL_DSCB_KL], d5[CDL_DSCB_DL];
    uint8_t k1[CDL_DSCB_KL], d1[CDL_DSCB_DL];
    struct ckd_rec_spec r[CDL_RECS];

    cdl_dscb4(k4, d4, cyls, part);
    cdl_dscb5(k5, d5, cyls, part);
    for (unsigned i = 0; i < CDL_RECS; i++)
        r[i] = (struct ckd_rec_spec){(uint8_t)(i + 1), CDL_DSCB_KL, CDL_DSCB_DL,
                                     NULL, NULL};
    r[0].key = k4;
    r[0].data = d4;
    r[1].key = k5;
    r[1].data = d5;
    if (part) {
        cdl_dscb1(k1, d1, volser, cyls);
        r[CDL_F1_REC - 1].key = k1;
        r[CDL_F1_REC - 1].data = d1;
    }
    return ckd_track_build(buf, trksize, 0, CDL_VTOC_TRACK, r, CDL_RECS);
}

static int
cdl_data_track(uint8_t *buf, uint32_t trksize, uint32_t cyl, uint32_t head)
{
    struct ckd_rec_spec r[CDL_RECS];

    for (unsigned i = 0; i < CDL_RECS; i++)
        r[i] =
            (struct ckd_rec_spec){(uint8_t)(i + 1), 0, CDL_BLKSIZE, NULL, NULL};
    return ckd_track_build(buf, trksize, cyl, head, r, CDL_RECS);
}

/* ---- format ---- */

static int
cdl_build_track(uint8_t *buf, const struct ckd_geom *g, uint32_t cyl,
                uint32_t head, const char *volser, bool part)
{
    if (cyl == 0 && head == 0)
        return cdl_track0(buf, g->trksize, volser);
    if (cyl == 0 && head == CDL_VTOC_TRACK)
        return cdl_track1(buf, g->trksize, g->cyls, volser, part);
    return cdl_data_track(buf, g->trksize, cyl, head);
}

static int
cdl_format(struct ckd_img *img, const char *volser, bool part, char *err,
           size_t errlen)
{
    const struct ckd_geom *g = ckd_img_geom(img);
    char vs[7];
    uint8_t *buf;
    int rc;

    rc = img_volser_normalize(volser, vs, err, errlen);
    if (rc < 0)
        return rc;
    if (part && g->cyls > CDL_PART_MAX_CYLS)
        return img_fail(err, errlen, -EINVAL,
                        "a partition on more than 65520 cylinders needs the "
                        "large-volume extent format, not written here");
    buf = malloc(g->trksize);
    if (!buf)
        return img_fail(err, errlen, -ENOMEM, "out of memory");
    for (uint32_t cyl = 0; cyl < g->cyls && rc >= 0; cyl++)
        for (uint32_t head = 0; head < g->heads && rc >= 0; head++) {
            rc = cdl_build_track(buf, g, cyl, head, vs, part);
            if (rc >= 0)
                rc = ckd_img_write_track(img, cyl, head, buf);
        }
    free(buf);
    if (rc < 0)
        return img_fail(err, errlen, rc,
                        rc == -ENOSPC ? "track size too small for CDL"
                                      : "writing the image failed");
    return 0;
}

int
ckd_img_format_cdl(struct ckd_img *img, const char *volser, char *err,
                   size_t errlen)
{
    return cdl_format(img, volser, false, err, errlen);
}

int
ckd_img_format_cdl_partition(struct ckd_img *img, const char *volser, char *err,
                             size_t errlen)
{
    return cdl_format(img, volser, true, err, errlen);
}

/* ---- reading the label back ---- */

static bool
cdl_key_is(const uint8_t *trk, const struct ckd_record *r, const char *name)
{
    uint8_t want[4];

    img_ascii_to_ebcdic(want, 4, name);
    return r->kl == 4 && memcmp(trk + r->offset + CKD_COUNT_SIZE, want, 4) == 0;
}

static void
cdl_label_decode(const uint8_t *vol1, struct img_label *lbl)
{
    img_ebcdic_to_ascii(lbl->volser, vol1 + 4, 6);
    lbl->vtoc_cyl = zv_be16(vol1 + 11);
    lbl->vtoc_head = zv_be16(vol1 + 13);
    lbl->vtoc_rec = vol1[15];
}

int
ckd_img_read_label(struct ckd_img *img, struct img_label *lbl)
{
    const struct ckd_geom *g = ckd_img_geom(img);
    struct ckd_record r[4];
    uint8_t *trk = malloc(g->trksize);
    int n, rc = -ENOENT;

    if (!trk)
        return -ENOMEM;
    memset(lbl, 0, sizeof(*lbl));
    n = ckd_img_read_track(img, 0, 0, trk);
    if (n == 0)
        n = ckd_track_parse(trk, g->trksize, r, 4);
    if (n == -ENOSPC)
        n = 4; /* more records than the label needs: fine */
    if (n < 0) {
        rc = n;
    } else if (n >= 4 && r[3].rec == 3 && cdl_key_is(trk, &r[3], "VOL1") &&
               r[3].dl >= 16) {
        cdl_label_decode(trk + r[3].offset + CKD_COUNT_SIZE + 4, lbl);
        lbl->cdl =
            cdl_key_is(trk, &r[1], "IPL1") && cdl_key_is(trk, &r[2], "IPL2");
        rc = 0;
    }
    free(trk);
    return rc;
}

int
fba_img_read_label(struct fba_img *img, struct img_label *lbl)
{
    uint8_t blk[FBA_BLKSIZE], vol1[4];
    int rc;

    memset(lbl, 0, sizeof(*lbl));
    if (fba_img_blocks(img) < 2)
        return -ENOENT;
    rc = fba_img_read(img, 1, 1, blk);
    if (rc < 0)
        return rc;
    img_ascii_to_ebcdic(vol1, 4, "VOL1");
    if (memcmp(blk, vol1, 4) != 0)
        return -ENOENT;
    img_ebcdic_to_ascii(lbl->volser, blk + 4, 6);
    return 0;
}
