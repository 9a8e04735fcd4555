/* SPDX-License-Identifier: MIT */
/*
 * guest/dasd_fba: the programs of Linux's dasd_fba (dasd.md §2.3, §5.3).
 */
#include <errno.h>
#include <string.h>

#include "guest/dasd_priv.h"

#define FBA_RDC_LEN 32
#define FBA_DE_OFF  0
#define FBA_LO_OFF  16   /* Locates follow, 8 bytes each */
#define FBA_RDC_DC  0x10 /* RDC byte 0: data chaining allowed */

int
gd_fba_online(struct guest_dasd *g)
{
    int rc;

    guest_prog_reset(&g->prog);
    guest_prog_add(&g->prog, GD_RDC, CCW_FLAG_SLI, FBA_RDC_LEN, gd_parm(g, 0));
    rc = gd_run(g, 0);
    if (rc)
        return rc;
    g->info.layout = GUEST_LAYOUT_FBA;
    g->info.data_chaining = g->parm[0] & FBA_RDC_DC;
    g->info.blksize = zv_be16(g->parm + 4);
    g->info.blocks = zv_be32(g->parm + 14);
    if (g->info.blksize != 512 && g->info.blksize != 1024 &&
        g->info.blksize != 2048 && g->info.blksize != 4096)
        return -EIO;
    return 0;
}

/* Define Extent: mask 0x40 read (inhibit writes) / 0x00 write, block size,
 * extent located at the first block, logical blocks 0..n-1. */
static void
fba_de(struct guest_dasd *g, uint8_t *p, uint64_t blk, uint32_t n, bool wr)
{
    memset(p, 0, 16);
    p[0] = wr ? 0x00 : 0x40;
    zv_put_be16(p + 2, (uint16_t)g->info.blksize);
    zv_put_be32(p + 4, (uint32_t)blk);
    zv_put_be32(p + 8, 0);
    zv_put_be32(p + 12, n - 1);
}

static void
fba_lo(uint8_t *p, uint8_t op, uint32_t count, uint32_t blk)
{
    memset(p, 0, 8);
    p[0] = op;
    zv_put_be16(p + 2, (uint16_t)count);
    zv_put_be32(p + 4, blk);
}

/* One data transfer over n data-chained CCWs, one block each. */
static void
fba_chained(struct guest_dasd *g, uint32_t n, bool wr)
{
    uint32_t bs = g->info.blksize, i;

    fba_lo(g->parm + FBA_LO_OFF, wr ? 0x05 : 0x06, n, 0);
    guest_prog_add(&g->prog, GD_FBA_LO, CCW_FLAG_CC, 8, gd_parm(g, FBA_LO_OFF));
    for (i = 0; i < n; i++)
        guest_prog_add(&g->prog, wr ? GD_FBA_WR : GD_FBA_RD,
                       i + 1 < n ? CCW_FLAG_CD : 0, (uint16_t)bs,
                       gd_data(g, g->xfer + i * bs));
}

/* Without data chaining: Locate(count 1) + Read/Write per block. */
static void
fba_unchained(struct guest_dasd *g, uint32_t n, bool wr)
{
    uint32_t bs = g->info.blksize, i;

    for (i = 0; i < n; i++) {
        uint32_t off = FBA_LO_OFF + 8 * i;

        fba_lo(g->parm + off, wr ? 0x05 : 0x06, 1, i);
        guest_prog_add(&g->prog, GD_FBA_LO, CCW_FLAG_CC, 8, gd_parm(g, off));
        guest_prog_add(&g->prog, wr ? GD_FBA_WR : GD_FBA_RD,
                       i + 1 < n ? CCW_FLAG_CC : 0, (uint16_t)bs,
                       gd_data(g, g->xfer + i * bs));
    }
}

int
gd_fba_rw(struct guest_dasd *g, uint64_t blk, uint32_t n, bool write)
{
    guest_prog_reset(&g->prog);
    fba_de(g, g->parm + FBA_DE_OFF, blk, n, write);
    guest_prog_add(&g->prog, GD_DE, CCW_FLAG_CC, 16, gd_parm(g, FBA_DE_OFF));
    if (g->info.data_chaining)
        fba_chained(g, n, write);
    else
        fba_unchained(g, n, write);
    return gd_run(g, 0);
}

/* Linux's discard: DE for the range, Locate + Write with count 0 and SLI
 * (the device zero-fills the located blocks), per 64 Ki-block piece. */
int
gd_fba_discard(struct guest_dasd *g, uint64_t blk, uint32_t n)
{
    int rc;

    while (n) {
        uint32_t k = n < 0xFFFF ? n : 0xFFFF;

        guest_prog_reset(&g->prog);
        fba_de(g, g->parm + FBA_DE_OFF, blk, k, true);
        guest_prog_add(&g->prog, GD_DE, CCW_FLAG_CC, 16,
                       gd_parm(g, FBA_DE_OFF));
        fba_lo(g->parm + FBA_LO_OFF, 0x05, k, 0);
        guest_prog_add(&g->prog, GD_FBA_LO, CCW_FLAG_CC, 8,
                       gd_parm(g, FBA_LO_OFF));
        guest_prog_add(&g->prog, GD_FBA_WR, CCW_FLAG_SLI, 0, gd_data(g, 0));
        rc = gd_run(g, 0);
        if (rc)
            return rc;
        blk += k;
        n -= k;
    }
    return 0;
}
