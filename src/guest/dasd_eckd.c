/* SPDX-License-Identifier: MIT */
/*
 * guest/dasd_eckd: the programs of Linux's dasd_eckd (dasd.md §3.2,
 * §3.7, §5.2): RCD, Read Feature Codes, RDC, the volume analysis, block
 * I/O with the CDL special records, and a dasdfmt-like format.
 */
#include <errno.h>
#include <string.h>

#include "guest/dasd_priv.h"

#define ECKD_RDC_LEN   64
#define ECKD_RCD_LEN   256
#define ECKD_DE_LEN    16
#define ECKD_LR_LEN    16
#define ECKD_PRSSD_LEN 12
#define ECKD_RSSD_LEN  256

/* parm area layout */
#define P_DE     0
#define P_COUNT  32  /* analysis: five 8-byte counts */
#define P_LR     128 /* Locate Records, 16 bytes each */
#define P_LR_MAX ((GD_SENSE_OFF - P_LR) / ECKD_LR_LEN)

/* DE mask / attributes (dasd.md §3.3) */
#define DE_READ        0x40 /* inhibit writes */
#define DE_UPDATE      0x80 /* update writes only */
#define DE_FORMAT      0x00 /* all writes except home address / R0 */
#define DE_ATTR_NORMAL 0xC0
#define DE_ATTR_BYPASS 0xC4 /* ECKD mode, bypass cache */

/* LR operations */
#define LR_WRITE   0x01
#define LR_FORMAT  0x03
#define LR_READ    0x06
#define LR_AUX_TLF 0x80

/* CDL record lengths (key + data) of blocks 0-2, and of track 1 */
static const uint16_t cdl_trk0[3] = {28, 148, 84};
#define CDL_LABEL_LEN 140
#define CDL_FILL      0xE5

static uint32_t
cells(uint32_t dl)
{
    return (dl + 6 * ((dl + 6 + 231) / 232 + 1) + 33) / 34;
}

uint32_t
guest_eckd_rpt(uint32_t dl)
{
    return 1729 / (10 + 9 + cells(dl));
}

/* Sector for record r of length dl (3390): Linux's formula. */
static uint8_t
eckd_sector(uint32_t r, uint32_t dl)
{
    uint32_t d = 9 + cells(dl);

    return r == 0 ? 0 : (uint8_t)((49 + (r - 1) * (10 + d)) / 8);
}

uint32_t
guest_dasd_cdl_reclen(uint32_t rpt, uint32_t blksize, uint64_t blk)
{
    if (blk < 3)
        return cdl_trk0[blk];
    if (blk < rpt)
        return blksize;
    if (blk < 2ull * rpt)
        return CDL_LABEL_LEN;
    return blksize;
}

static bool
cdl_special(const struct guest_dasd *g, uint64_t blk)
{
    return g->info.layout == GUEST_LAYOUT_CDL &&
           (blk < 3 || (blk >= g->info.rpt && blk < 2ull * g->info.rpt));
}

static void
put_cchh(const struct guest_dasd *g, uint8_t *p, uint64_t trk)
{
    uint32_t cyl = (uint32_t)(trk / g->info.heads);
    uint32_t head = (uint32_t)(trk % g->info.heads);

    zv_put_be16(p, (uint16_t)cyl);
    zv_put_be16(p + 2, (uint16_t)(((cyl >> 16) << 4) | head));
}

static void
eckd_de(const struct guest_dasd *g, uint8_t mask, uint8_t attr, uint64_t beg,
        uint64_t end)
{
    uint8_t *p = g->parm + P_DE;

    memset(p, 0, ECKD_DE_LEN);
    p[0] = mask;
    p[1] = attr;
    /* byte 7 0x40 "regular data format" only on 2105/2107/1750 */
    if (g->info.cu_type != 0x3990 && mask != DE_FORMAT)
        p[7] = 0x40;
    put_cchh(g, p + 8, beg);
    put_cchh(g, p + 12, end);
}

static uint32_t
eckd_lr(struct guest_dasd *g, unsigned slot, uint8_t op, uint8_t aux,
        uint8_t count, uint64_t trk, uint8_t rec, uint16_t tlf)
{
    uint32_t off = P_LR + slot * ECKD_LR_LEN;
    uint8_t *p = g->parm + off;

    memset(p, 0, ECKD_LR_LEN);
    p[0] = op;
    p[1] = aux;
    p[3] = count;
    put_cchh(g, p + 4, trk);
    put_cchh(g, p + 8, trk);
    p[12] = rec;
    p[13] = eckd_sector(rec, tlf);
    zv_put_be16(p + 14, tlf);
    return gd_parm(g, off);
}

/* ---- online ---- */

static int
eckd_rcd(struct guest_dasd *g)
{
    int i, rc;

    /* Linux issues RCD only when Sense ID advertised it; our device
     * does, and dasd_eckd needs the NED (dasd.md §5.2). */
    guest_prog_reset(&g->prog);
    guest_prog_add(&g->prog, 0xFA, CCW_FLAG_SLI, ECKD_RCD_LEN, gd_data(g, 0));
    rc = gd_run(g, 0);
    if (rc)
        return rc;
    for (i = 0; i < 8; i++) {
        const uint8_t *e = g->data + 32 * i;

        if ((e[0] & 0xC0) == 0xC0 && e[1] == 0x01) {
            memcpy(g->info.ned, e, sizeof(g->info.ned));
            return 0;
        }
    }
    return -EIO;
}

static int
eckd_features(struct guest_dasd *g)
{
    uint8_t *p = g->parm + P_LR;

    guest_prog_reset(&g->prog);
    memset(p, 0, ECKD_PRSSD_LEN);
    p[0] = 0x18; /* PRSSD */
    p[6] = 0x41; /* Read Feature Codes */
    guest_prog_add(&g->prog, GD_PSF, CCW_FLAG_CC, ECKD_PRSSD_LEN,
                   gd_parm(g, P_LR));
    guest_prog_add(&g->prog, GD_RSSD, CCW_FLAG_SLI, ECKD_RSSD_LEN,
                   gd_data(g, 0));
    if (gd_run(g, 0))
        return 0; /* Linux warns and treats the features as zero */
    memcpy(g->info.features, g->data, sizeof(g->info.features));
    return 0;
}

static int
eckd_rdc(struct guest_dasd *g)
{
    const uint8_t *b = g->parm;
    int rc;

    guest_prog_reset(&g->prog);
    guest_prog_add(&g->prog, GD_RDC, CCW_FLAG_SLI, ECKD_RDC_LEN, gd_parm(g, 0));
    rc = gd_run(g, 0);
    if (rc)
        return rc;
    g->info.cyls = zv_be16(b + 12);
    if (g->info.cyls == 0xFFFE)
        g->info.cyls = zv_be32(b + 60);
    g->info.heads = zv_be16(b + 14);
    return g->info.cyls && g->info.heads ? 0 : -EIO;
}

/* Volume analysis (dasd.md §3.7): counts of R1-R4 on track 0 and R1 on
 * track 1 tell CDL, LDL or unformatted. */
int
gd_eckd_analyse(struct guest_dasd *g)
{
    const uint8_t *c = g->parm + P_COUNT;
    unsigned i;
    int rc;

    guest_prog_reset(&g->prog);
    eckd_de(g, DE_READ, DE_ATTR_NORMAL, 0, 1);
    guest_prog_add(&g->prog, GD_DE, CCW_FLAG_CC, ECKD_DE_LEN, gd_parm(g, 0));
    guest_prog_add(&g->prog, GD_LR, CCW_FLAG_CC, ECKD_LR_LEN,
                   eckd_lr(g, 0, LR_READ, 0, 4, 0, 0, 0));
    for (i = 0; i < 4; i++)
        guest_prog_add(&g->prog, GD_RD_COUNT, CCW_FLAG_CC, 8,
                       gd_parm(g, P_COUNT + 8 * i));
    guest_prog_add(&g->prog, GD_LR, CCW_FLAG_CC, ECKD_LR_LEN,
                   eckd_lr(g, 1, LR_READ, 0, 1, 1, 0, 0));
    guest_prog_add(&g->prog, GD_RD_COUNT, 0, 8, gd_parm(g, P_COUNT + 32));
    memset(g->parm + P_COUNT, 0, 40);
    g->info.layout = GUEST_LAYOUT_NONE;
    g->info.blksize = 0;
    g->info.blocks = 0;
    g->info.rpt = 0;
    rc = gd_run(g, 0);
    if (rc == -EIO && (g->sense[1] & 0x08))
        return 0; /* no record found: not formatted */
    if (rc)
        return rc;
    if (c[5] == 4 && zv_be16(c + 6) == 24 && c[13] == 4 &&
        zv_be16(c + 14) == 144 && c[21] == 4 && zv_be16(c + 22) == 80) {
        g->info.layout = GUEST_LAYOUT_CDL;
        g->info.blksize = zv_be16(c + 30);
    } else {
        for (i = 0; i < 5; i++)
            if (c[8 * i + 5] != 0 || zv_be16(c + 8 * i + 6) != zv_be16(c + 6) ||
                c[8 * i + 4] != (i < 4 ? i + 1 : 1))
                return 0; /* neither layout: leave it unformatted */
        g->info.layout = GUEST_LAYOUT_LDL;
        g->info.blksize = zv_be16(c + 6);
    }
    if (g->info.blksize != 512 && g->info.blksize != 1024 &&
        g->info.blksize != 2048 && g->info.blksize != 4096) {
        g->info.layout = GUEST_LAYOUT_NONE;
        g->info.blksize = 0;
        return 0; /* "disk layout not supported" */
    }
    g->info.rpt = guest_eckd_rpt(g->info.blksize);
    g->info.blocks = (uint64_t)g->info.cyls * g->info.heads * g->info.rpt;
    return 0;
}

int
gd_eckd_online(struct guest_dasd *g)
{
    int rc = eckd_rcd(g);

    if (!rc)
        rc = eckd_features(g);
    if (!rc)
        rc = eckd_rdc(g);
    if (!rc)
        rc = gd_eckd_analyse(g);
    return rc;
}

/* ---- block I/O ---- */

uint32_t
gd_eckd_max_blocks(const struct guest_dasd *g)
{
    /* worst case (CDL tracks 0-1): DE + a Locate Record per block */
    uint32_t n = (GD_MAX_CCWS - 2) / 2;

    return n < GD_DATA_MAX / g->info.blksize ? n
                                             : GD_DATA_MAX / g->info.blksize;
}

/*
 * Blocks of the first two tracks of a CDL volume get a Locate Record each
 * (the special ones with their short length and Read/Write Key and Data);
 * from the first regular block on one Locate Record covers the rest.
 */
int
gd_eckd_rw(struct guest_dasd *g, uint64_t blk, uint32_t n, bool write)
{
    uint32_t rpt = g->info.rpt, bs = g->info.blksize, i;
    uint64_t last = blk + n - 1;
    unsigned slot = 0;
    int rc;

    if (g->info.layout == GUEST_LAYOUT_NONE)
        return -EIO;
    guest_prog_reset(&g->prog);
    eckd_de(g, write ? DE_UPDATE : DE_READ, DE_ATTR_NORMAL, blk / rpt,
            last / rpt);
    guest_prog_add(&g->prog, GD_DE, CCW_FLAG_CC, ECKD_DE_LEN, gd_parm(g, 0));
    for (i = 0; i < n; i++) {
        uint64_t b = blk + i;
        bool cdl_lr = g->info.layout == GUEST_LAYOUT_CDL && b < 2ull * rpt;
        bool special = cdl_special(g, b);
        uint16_t len = (uint16_t)guest_dasd_cdl_reclen(rpt, bs, b);
        uint8_t cmd;

        if (!special)
            len = (uint16_t)bs;
        if (cdl_lr || i == 0 ||
            (g->info.layout == GUEST_LAYOUT_CDL && b == 2ull * rpt)) {
            uint8_t cnt = cdl_lr ? 1 : (uint8_t)(last - b + 1);

            if (slot >= P_LR_MAX)
                return -EINVAL;
            guest_prog_add(&g->prog, GD_LR, CCW_FLAG_CC, ECKD_LR_LEN,
                           eckd_lr(g, slot++, write ? LR_WRITE : LR_READ,
                                   LR_AUX_TLF, cnt, b / rpt,
                                   (uint8_t)(b % rpt + 1), len));
        }
        cmd = write ? (special ? GD_WKD_MT : GD_WR_MT)
                    : (special ? GD_RKD_MT : GD_RD_MT);
        guest_prog_add(&g->prog, cmd, i + 1 < n ? CCW_FLAG_CC : 0, len,
                       gd_data(g, g->xfer + i * bs));
    }
    rc = gd_run(g, 0);
    if (rc || write)
        return rc;
    for (i = 0; i < n; i++) {
        uint32_t len = guest_dasd_cdl_reclen(rpt, bs, blk + i);

        if (cdl_special(g, blk + i))
            memset(g->data + g->xfer + (size_t)i * bs + len, CDL_FILL,
                   bs - len);
    }
    return 0;
}

/* ---- format (dasdfmt) ---- */

static void
fmt_count(const struct guest_dasd *g, uint8_t *p, uint64_t trk, uint32_t r,
          uint32_t bs, enum guest_dasd_layout layout)
{
    uint8_t kl = 0;
    uint16_t dl = (uint16_t)bs;

    if (layout == GUEST_LAYOUT_CDL && trk == 0 && r <= 3) {
        kl = 4;
        dl = (uint16_t)(cdl_trk0[r - 1] - 4);
    } else if (layout == GUEST_LAYOUT_CDL && trk == 1) {
        kl = 44;
        dl = 96;
    }
    put_cchh(g, p, trk);
    p[4] = (uint8_t)r;
    p[5] = kl;
    zv_put_be16(p + 6, dl);
}

/* Tracks [t0, t0 + nt): one Locate Record (format write, R0 search),
 * then Write CKD with the 8-byte count only (SLI: key and data zeros). */
static int
fmt_tracks(struct guest_dasd *g, uint64_t t0, uint32_t nt, uint32_t bs,
           enum guest_dasd_layout layout)
{
    uint32_t rpt = guest_eckd_rpt(bs), r, k = 0;
    uint64_t t;

    guest_prog_reset(&g->prog);
    eckd_de(g, DE_FORMAT, DE_ATTR_BYPASS, t0, t0 + nt - 1);
    guest_prog_add(&g->prog, GD_DE, CCW_FLAG_CC, ECKD_DE_LEN, gd_parm(g, 0));
    guest_prog_add(
        &g->prog, GD_LR, CCW_FLAG_CC, ECKD_LR_LEN,
        eckd_lr(g, 0, LR_FORMAT, 0, (uint8_t)(rpt * nt), t0, 0, (uint16_t)bs));
    for (t = t0; t < t0 + nt; t++) {
        for (r = 1; r <= rpt; r++, k++) {
            fmt_count(g, g->data + 8 * k, t, r, bs, layout);
            guest_prog_add(&g->prog, GD_WR_CKD,
                           (t + 1 < t0 + nt || r < rpt ? CCW_FLAG_CC : 0) |
                               CCW_FLAG_SLI,
                           8, gd_data(g, 8 * k));
        }
    }
    return gd_run(g, 0);
}

int
gd_eckd_format(struct guest_dasd *g, uint32_t blksize,
               enum guest_dasd_layout layout)
{
    uint64_t tracks = (uint64_t)g->info.cyls * g->info.heads, t;
    uint32_t per = (GD_MAX_CCWS - 2) / guest_eckd_rpt(blksize);
    int rc;

    for (t = 0; t < tracks; t += per) {
        uint32_t nt = tracks - t < per ? (uint32_t)(tracks - t) : per;

        rc = fmt_tracks(g, t, nt, blksize, layout);
        if (rc)
            return rc;
    }
    return gd_eckd_analyse(g);
}
