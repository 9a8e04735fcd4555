/* SPDX-License-Identifier: MIT */
/*
 * guest/dasd: what the common I/O layer does before a DASD discipline
 * runs (Sense ID, path grouping and verification), the request runner
 * with Linux-like error recovery, and the block API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/dasd_priv.h"

#define GD_ATTEMPTS_DEFAULT 8
#define GD_SENSE_ID_COUNT   40 /* what Linux's cio asks for */
#define GD_PG_LEN           12

/* ---- running programs ---- */

uint32_t
gd_moved(const struct guest_dasd *g, uint16_t count)
{
    uint16_t resid = g->irb.scsw.count;

    return resid > count ? 0 : (uint32_t)(count - resid);
}

static int
gd_basic_sense(struct guest_dasd *g)
{
    struct irb irb;
    int rc;

    /* Without concurrent sense: Sense (0x04) right after the unit check,
     * before any other command resets it. */
    guest_prog_reset(&g->sprog);
    guest_prog_add(&g->sprog, GD_SENSE, CCW_FLAG_SLI, 32,
                   gd_parm(g, GD_SENSE_OFF));
    rc = guest_prog_run(&g->sprog, 0, &irb);
    if (rc)
        return rc < 0 ? rc : -EIO;
    memcpy(g->sense, g->parm + GD_SENSE_OFF, sizeof(g->sense));
    return 0;
}

static int
gd_fetch_sense(struct guest_dasd *g)
{
    memset(g->sense, 0, sizeof(g->sense));
    if (g->irb.scsw.ectl && g->irb.esw.erw.s) {
        memcpy(g->sense, g->irb.ecw, sizeof(g->sense));
        return 0;
    }
    return gd_basic_sense(g);
}

/* Linux's 3990 ERP and the default ERP retry these (dasd.md §1.4). */
static bool
gd_sense_retryable(const uint8_t *s)
{
    return s[0] & (SNS0_EQUIPMENT_CHECK | SNS0_DATA_CHECK | SNS0_OVERRUN |
                   SNS0_INTERVENTION_REQ);
}

enum gd_verdict {
    GD_DONE,
    GD_RETRY,
    GD_FAIL,
};

static enum gd_verdict
gd_judge(struct guest_dasd *g)
{
    const struct scsw *s = &g->irb.scsw;

    if (s->cc == 3 ||
        (s->cstat & (SCHN_STAT_INTF_CTRL_CHK | SCHN_STAT_CHN_CTRL_CHK |
                     SCHN_STAT_CHN_DATA_CHK))) {
        g->stats.path_errors++;
        return GD_RETRY;
    }
    if (s->cc == 1 || (s->dstat & DEV_STAT_BUSY))
        return GD_RETRY;
    if (s->dstat & DEV_STAT_UNIT_CHECK) {
        g->stats.unit_checks++;
        if (gd_fetch_sense(g) < 0)
            return GD_FAIL;
        return gd_sense_retryable(g->sense) ? GD_RETRY : GD_FAIL;
    }
    if (s->cstat & ~SCHN_STAT_PCI)
        return GD_FAIL;
    return guest_irb_ok(&g->irb) ? GD_DONE : GD_FAIL;
}

int
gd_run(struct guest_dasd *g, uint8_t lpm)
{
    unsigned i;
    int rc;

    for (i = 0; i < g->attempts; i++) {
        if (i)
            g->stats.retries++;
        g->stats.programs++;
        rc = guest_prog_run(&g->prog, lpm, &g->irb);
        if (rc == 3 || rc == -ENODEV)
            return -ENODEV;
        if (rc < 0)
            return rc;
        if (rc > 0) /* cc 1 or 2: status pending / busy: try again */
            continue;
        switch (gd_judge(g)) {
        case GD_DONE:
            return 0;
        case GD_FAIL:
            return -EIO;
        case GD_RETRY:
            break;
        }
    }
    return -EIO;
}

/* ---- bring-up common to both disciplines ---- */

static int
gd_sense_id(struct guest_dasd *g)
{
    struct senseid sid;
    int rc;

    guest_prog_reset(&g->prog);
    memset(g->parm, 0, GD_SENSE_ID_COUNT);
    guest_prog_add(&g->prog, GD_SENSE_ID, CCW_FLAG_SLI, GD_SENSE_ID_COUNT,
                   gd_parm(g, 0));
    rc = gd_run(g, 0);
    if (rc)
        return rc;
    rc = senseid_decode(&sid, g->parm, gd_moved(g, GD_SENSE_ID_COUNT));
    if (rc)
        return -ENODEV;
    g->info.cu_type = sid.cu_type;
    g->info.cu_model = sid.cu_model;
    g->info.dev_type = sid.dev_type;
    g->info.dev_model = sid.dev_model;
    if (sid.dev_type == 0x3390 &&
        (sid.cu_type == 0x3990 || sid.cu_type == 0x2105 ||
         sid.cu_type == 0x2107 || sid.cu_type == 0x1750))
        g->info.type = GUEST_DASD_ECKD;
    else if (sid.dev_type == 0x9336 && sid.cu_type == 0x6310)
        g->info.type = GUEST_DASD_FBA;
    else
        return -ENODEV;
    return 0;
}

static int
gd_one_ccw(struct guest_dasd *g, uint8_t cmd, uint8_t flags, uint16_t count,
           uint8_t lpm)
{
    guest_prog_reset(&g->prog);
    guest_prog_add(&g->prog, cmd, flags, count, gd_parm(g, 0));
    return gd_run(g, lpm);
}

/* SPID data: establish, multipath mode, and a PGID made of a CPU address,
 * CPU id, model and a TOD-like stamp (dasd.md §5.1). */
static void
gd_pgid(struct guest_dasd *g, uint8_t *b)
{
    uint64_t now = zv_loop_now(g->ch->loop);

    memset(b, 0, GD_PG_LEN);
    b[0] = 0x80;
    zv_put_be16(b + 1, 0x0000);
    b[3] = 0x12;
    b[4] = 0x34;
    b[5] = 0x56;
    zv_put_be16(b + 6, 0x3906);
    zv_put_be32(b + 8, (uint32_t)(now >> 12));
}

/* Per path: Sense Path Group ID; ECKD also Set Path Group ID (dasd_eckd
 * refuses a device without a path group); then a No-op to verify. */
static int
gd_paths(struct guest_dasd *g)
{
    struct schib s;
    uint8_t paths, bit;
    int rc = g->ch->ops->stsch(g->ch, &s);
    bool grouped = true;

    if (rc)
        return rc;
    paths = s.pmcw.pim & s.pmcw.pam & s.pmcw.pom;
    for (bit = 0x80; bit; bit >>= 1) {
        if (!(paths & bit))
            continue;
        rc = gd_one_ccw(g, GD_SNID, 0, GD_PG_LEN, bit);
        if (!rc && g->info.type == GUEST_DASD_ECKD) {
            gd_pgid(g, g->parm);
            rc = gd_one_ccw(g, GD_SPID, 0, GD_PG_LEN, bit);
            if (!rc)
                rc = gd_one_ccw(g, GD_SNID, 0, GD_PG_LEN, bit);
            grouped = grouped && !rc && (g->parm[0] & 0xC0) == 0xC0;
        }
        if (!rc)
            rc = gd_one_ccw(g, GD_NOP, 0, 0, bit);
        if (rc == -ENODEV)
            continue; /* path not operational: try the others */
        if (rc)
            return rc;
    }
    g->info.grouped = g->info.type == GUEST_DASD_ECKD && grouped;
    return 0;
}

static int
gd_alloc(struct guest_dasd *g)
{
    void *host;
    int rc;

    rc = guest_prog_init(&g->prog, g->ch, GD_PROG_CAP);
    if (rc)
        return rc;
    rc = guest_prog_init(&g->sprog, g->ch, 1);
    if (rc)
        return rc;
    rc = zv_arena_alloc(g->ch->arena, GD_PARM_SIZE, 4096, &g->parm_addr, &host);
    if (rc)
        return rc;
    g->parm = host;
    rc = zv_arena_alloc(g->ch->arena, GD_DATA_MAX, 4096, &g->data_addr, &host);
    if (rc)
        return rc;
    g->data = host;
    return 0;
}

int
guest_dasd_online(struct guest_chan *ch, struct guest_dasd **out)
{
    struct guest_dasd *g;
    int rc;

    g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->ch = ch;
    g->attempts = GD_ATTEMPTS_DEFAULT;
    rc = gd_alloc(g);
    if (!rc)
        rc = ch->ops->enable(ch, (uint32_t)(uintptr_t)g, GD_ISC);
    if (!rc)
        rc = gd_sense_id(g);
    if (!rc)
        rc = gd_paths(g);
    if (!rc)
        rc = g->info.type == GUEST_DASD_FBA ? gd_fba_online(g)
                                            : gd_eckd_online(g);
    if (rc) {
        guest_dasd_offline(g);
        return rc;
    }
    *out = g;
    return 0;
}

void
guest_dasd_offline(struct guest_dasd *g)
{
    if (!g)
        return;
    if (g->data)
        (void)zv_arena_release(g->ch->arena, g->data_addr);
    if (g->parm)
        (void)zv_arena_release(g->ch->arena, g->parm_addr);
    guest_prog_fini(&g->sprog);
    guest_prog_fini(&g->prog);
    free(g);
}

const struct guest_dasd_info *
guest_dasd_info(const struct guest_dasd *g)
{
    return &g->info;
}

const struct guest_dasd_stats *
guest_dasd_stats(const struct guest_dasd *g)
{
    return &g->stats;
}

const uint8_t *
guest_dasd_last_sense(const struct guest_dasd *g)
{
    return g->sense;
}

void
guest_dasd_set_retries(struct guest_dasd *g, unsigned attempts)
{
    g->attempts = attempts ? attempts : 1;
}

/* ---- block API ---- */

static uint32_t
gd_max_blocks(const struct guest_dasd *g)
{
    uint32_t n;

    if (g->info.type != GUEST_DASD_FBA)
        return gd_eckd_max_blocks(g);
    /* DE + Locate + one CCW per block, or Locate + Read per block */
    n = g->info.data_chaining ? GD_MAX_CCWS - 2 : (GD_MAX_CCWS - 1) / 2;
    return n < GD_DATA_MAX / g->info.blksize ? n
                                             : GD_DATA_MAX / g->info.blksize;
}

void *
guest_dasd_buffer(struct guest_dasd *g, size_t *len)
{
    *len = GD_DATA_MAX;
    return g->data;
}

/* buf inside the data area (guest_dasd_buffer): the programs move the
 * data there, no copy; elsewhere: staged at the area's start. */
static int
gd_rw(struct guest_dasd *g, uint64_t blk, uint32_t n, uint8_t *buf, bool write)
{
    uint32_t bs = g->info.blksize;
    bool direct = (uintptr_t)buf >= (uintptr_t)g->data &&
                  (uintptr_t)buf - (uintptr_t)g->data < GD_DATA_MAX;
    uint32_t off = direct ? (uint32_t)(buf - g->data) : 0;
    int rc = 0;

    if (!bs || blk > g->info.blocks || n > g->info.blocks - blk ||
        (direct && n > (GD_DATA_MAX - off) / bs))
        return -EINVAL;
    while (n && !rc) {
        uint32_t k = n < gd_max_blocks(g) ? n : gd_max_blocks(g);

        g->xfer = off;
        if (write && !direct)
            memcpy(g->data, buf, (size_t)k * bs);
        rc = g->info.type == GUEST_DASD_FBA ? gd_fba_rw(g, blk, k, write)
                                            : gd_eckd_rw(g, blk, k, write);
        if (!rc && !write && !direct)
            memcpy(buf, g->data, (size_t)k * bs);
        if (direct)
            off += k * bs;
        blk += k;
        n -= k;
        buf += (size_t)k * bs;
    }
    g->xfer = 0;
    return rc;
}

int
guest_dasd_read(struct guest_dasd *g, uint64_t blk, uint32_t n, void *buf)
{
    return gd_rw(g, blk, n, buf, false);
}

int
guest_dasd_write(struct guest_dasd *g, uint64_t blk, uint32_t n,
                 const void *buf)
{
    /* gd_rw only reads from buf when writing */
    return gd_rw(g, blk, n, (uint8_t *)(uintptr_t)buf, true);
}

int
guest_dasd_discard(struct guest_dasd *g, uint64_t blk, uint32_t n)
{
    if (g->info.type != GUEST_DASD_FBA)
        return -EOPNOTSUPP;
    if (blk > g->info.blocks || n > g->info.blocks - blk || n == 0)
        return -EINVAL;
    return gd_fba_discard(g, blk, n);
}

int
guest_dasd_format(struct guest_dasd *g, uint32_t blksize,
                  enum guest_dasd_layout layout)
{
    if (g->info.type != GUEST_DASD_ECKD)
        return -EOPNOTSUPP;
    if ((blksize != 512 && blksize != 1024 && blksize != 2048 &&
         blksize != 4096) ||
        (layout != GUEST_LAYOUT_CDL && layout != GUEST_LAYOUT_LDL))
        return -EINVAL;
    return gd_eckd_format(g, blksize, layout);
}
