/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 on a 3990 control unit (dasd.md §1, §3, §5): identification,
 * Read Device Characteristics, Read Configuration Data, Perform Subsystem
 * Function / Read Subsystem Data, Define Extent, Locate Record (and
 * Extended), and the Locate Record domain rules.  Track-level commands
 * live in eckd_track.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/eckd_priv.h"

#define ECKD_CMD_LR   0x47
#define ECKD_CMD_LRE  0x4B
#define ECKD_CMD_PSF  0x27
#define ECKD_CMD_RSSD 0x3E

#define ECKD_DE_LEN    16
#define ECKD_LR_LEN    16
#define ECKD_LRE_LEN   20
#define ECKD_RDC_LEN   64
#define ECKD_PSF_MIN   12
#define ECKD_PSF_MAX   128
#define ECKD_RSSD_MAX  512
#define ECKD_EAV_MARK  0xFFFE /* RDC no_cyl: see bytes 60-63 */
#define ECKD_MAX_NOEAV 65520

#define PSF_ORDER_PRSSD 0x18
#define PSF_ORDER_SSC   0x1D
#define PRSSD_FEATURES  0x41
#define PRSSD_UNIT_ADDR 0x0E

/* LRE extended operations (byte 17) mapped onto the basic ones */
#define LRE_EXT_WRITE_ANY 0x09
#define LRE_EXT_READ_ANY  0x0A

/* ---- addressing ---- */

void
eckd_cchh_put(uint8_t *p, uint32_t cyl, uint32_t head)
{
    zv_put_be16(p, (uint16_t)cyl);
    zv_put_be16(p + 2, (uint16_t)(((cyl >> 16) << 4) | (head & 0xF)));
}

uint32_t
eckd_cchh_track(const struct eckd *e, const uint8_t *p, bool *ok)
{
    uint16_t hh = zv_be16(p + 2);
    uint32_t cyl = zv_be16(p) | ((uint32_t)(hh >> 4) << 16);
    uint32_t head = hh & 0xF;

    *ok = cyl < e->geom.cyls && head < e->geom.heads;
    return *ok ? cyl * e->geom.heads + head : 0;
}

/* ---- sense ---- */

uint8_t
eckd_fail(struct eckd *e, struct css_io *io, enum eckd_err err)
{
    struct dasd *d = &e->d;

    switch (err) {
    case EE_OK:
    case EE_CHANNEL:
        return DASD_OK;
    case EE_NRF:
        return dasd_unit_check(d, io, 0, SNS1_NO_REC_FOUND, 0);
    case EE_FP:
        return dasd_unit_check(d, io, 0, SNS1_FILE_PROTECTED, 0);
    case EE_ITF:
        return dasd_unit_check(d, io, 0, SNS1_INV_TRACK_FORMAT, 0);
    case EE_EQUIPMENT:
        return dasd_unit_check(d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
    case EE_CR_CMD:
        return dasd_reject(d, io, SNS7_INVALID_CMD);
    case EE_CR_SEQ:
        return dasd_reject(d, io, SNS7_INVALID_SEQUENCE);
    case EE_CR_COUNT:
        return dasd_reject(d, io, SNS7_COUNT_TOO_SMALL);
    case EE_CR_PARAM:
        return dasd_reject(d, io, SNS7_INVALID_PARAM);
    case EE_EOF:
        /* End-of-file record (data length 0): unit exception, no sense
         * (dasd.md §0). */
        return DASD_OK | DEV_STAT_UNIT_EXCEP;
    case EE_CR_DOMAIN:
        return dasd_unit_check(d, io, SNS0_CMD_REJECT | SNS0_INCOMPLETE_DOMAIN,
                               0, SNS7_INVALID_SEQUENCE);
    }
    return dasd_reject(d, io, SNS7_INVALID_CMD);
}

/* 24-byte compatibility sense inside the 32-byte format: byte 27 bit 0
 * says so, which keeps Linux's 3990 ERP on the byte 0/1 path (dasd.md
 * §1.4); cylinder and head of the current track in 5-6 and 29-31. */
static void
eckd_sense_extra(struct dasd *d, uint8_t *s)
{
    struct eckd *e = eckd_of(d);
    uint32_t cyl = e->trk_valid ? e->trk_no / e->geom.heads : 0;
    uint32_t head = e->trk_valid ? e->trk_no % e->geom.heads : 0;

    if (cyl > 0xFFF) {
        s[5] = 0xFF;
        s[6] = 0xFF;
    } else {
        zv_put_be16(s + 5, (uint16_t)(cyl << 4 | head));
    }
    s[27] = 0x80;
    zv_put_be16(s + 29, (uint16_t)cyl);
    s[31] = (uint8_t)head;
}

/* ---- identification ---- */

static uint8_t
eckd_model_unit(uint8_t model)
{
    switch (model) {
    case 0x02:
        return 0x26;
    case 0x06:
        return 0x27;
    case 0x0A:
        return 0x24;
    default:
        return 0x32;
    }
}

static uint8_t
eckd_model_byte(const struct ckd_geom *g)
{
    static const struct {
        uint8_t model;
        uint32_t cyls;
        uint8_t byte;
    } models[] = {{1, 1113, 0x02}, {2, 2226, 0x06}, {3, 3339, 0x0A}};
    size_t i;

    for (i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (g->model == models[i].model ||
            (g->model == 0 && g->cyls <= models[i].cyls))
            return models[i].byte;
    return 0x0C; /* 3390-9 and every larger volume */
}

static uint8_t
eckd_rdc(struct eckd *e, struct css_io *io)
{
    static const uint8_t factors[] = {0x22, 0x13, 0x09, 0x06, 0x74};
    uint8_t b[ECKD_RDC_LEN] = {0};
    uint32_t cyls = e->geom.cyls;

    zv_put_be16(b, 0x3990);
    b[2] = 0xEC; /* bits 0-1 = 11: ECKD command set */
    zv_put_be16(b + 3, 0x3390);
    b[5] = e->d.id.dev_model;
    /* Facilities: multiple burst, Read Data in LR; no Read Tracks in LR
     * and no XRC, so Linux stays on DE + LR (dasd.md §1.2). */
    b[6] = 0x90;
    b[7] = 0x80;
    b[8] = 0x10;
    b[9] = 0x94;
    b[10] = 0x20; /* device class: CKD DASD */
    b[11] = e->unit_type;
    zv_put_be16(b + 12, cyls > ECKD_MAX_NOEAV ? ECKD_EAV_MARK : cyls);
    zv_put_be16(b + 14, (uint16_t)e->geom.heads);
    b[16] = 224; /* sectors per track */
    b[17] = 0;
    zv_put_be16(b + 18, 58786); /* track capacity */
    zv_put_be16(b + 20, 1428);  /* home address + R0 overhead */
    b[22] = 0x02;               /* capacity formula 2 */
    memcpy(b + 23, factors, sizeof(factors));
    b[40] = 0x24; /* MDR and OBR record ids */
    b[41] = 0x24;
    b[42] = 0x06;
    b[43] = 0x02;
    zv_put_be16(b + 44, 57326); /* max R0 data length */
    b[47] = 0x01;
    b[48] = 0x06;
    b[49] = 0x77;
    b[50] = 0x08;
    zv_put_be32(b + 60, cyls);
    return dasd_give(io, b, sizeof(b));
}

static uint8_t
ebcdic(char c)
{
    if (c >= '0' && c <= '9')
        return (uint8_t)(0xF0 + (c - '0'));
    if (c >= 'A' && c <= 'I')
        return (uint8_t)(0xC1 + (c - 'A'));
    if (c >= 'J' && c <= 'R')
        return (uint8_t)(0xD1 + (c - 'J'));
    if (c >= 'S' && c <= 'Z')
        return (uint8_t)(0xE2 + (c - 'S'));
    return 0x40; /* blank */
}

static void
put_ebcdic(uint8_t *p, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        p[i] = ebcdic(s[i]);
}

static uint16_t
eckd_devno(const struct eckd *e)
{
    return e->d.cdev.sch ? css_sch_devno(e->d.cdev.sch) : 0;
}

/* One node-element descriptor: type/model/manufacturer/serial in EBCDIC
 * (dasd.md §5.2). */
static void
eckd_ned(uint8_t *p, uint8_t flags, uint8_t kind, const char *type,
         const char *model, uint16_t devno)
{
    static const char hex[] = "0123456789ABCDEF";
    char serial[15] = "01000000000000";
    int i;

    for (i = 0; i < 4; i++)
        serial[10 + i] = hex[(devno >> (12 - 4 * i)) & 0xF];
    p[0] = flags;
    p[1] = kind;
    p[2] = 0x01;
    put_ebcdic(p + 4, type, 6);
    put_ebcdic(p + 10, model, 3);
    put_ebcdic(p + 13, "ZVF", 3);
    put_ebcdic(p + 16, serial, 14);
}

static void
eckd_rcd(struct dasd *d, uint8_t out[DASD_RCD_LEN])
{
    struct eckd *e = eckd_of(d);
    uint16_t devno = eckd_devno(e);
    static const char hex[] = "0123456789ABCDEF";
    char model[4] = {'A', hex[d->id.dev_model >> 4], hex[d->id.dev_model & 0xF],
                     0};

    /* Device NED (byte 1 = 1): Linux takes vendor, serial, LSS (30) and
     * unit address (31) from it. */
    eckd_ned(out, 0xDC, 0x01, "003390", model, devno);
    out[30] = 0x00;
    out[31] = (uint8_t)devno;
    /* Control-unit NED and token NED: present, ignored by Linux. */
    eckd_ned(out + 32, 0xD8, 0x02, "003990", "EC0", devno);
    eckd_ned(out + 64, 0xF0, 0x00, "003990", "EC0", 0);
    out[64 + 3] = 0x01;
    /* General NEQ: missing-interrupt timeout 30 s, subsystem id 1, no
     * zHPF (byte 17), no path-access preference (byte 18). */
    out[224] = 0x80;
    out[224 + 6] = 0x1E;
    zv_put_be16(out + 224 + 8, 0x0001);
}

/* ---- Define Extent, Locate Record ---- */

static enum eckd_err
eckd_define_extent(struct eckd *e, struct css_io *io)
{
    uint8_t b[ECKD_DE_LEN];
    uint32_t beg, end;
    bool ok1, ok2;
    int n = css_io_read(io, b, sizeof(b));

    if (n < 0)
        return EE_CHANNEL;
    if (n < ECKD_DE_LEN)
        return EE_CR_COUNT;
    /* A second Define Extent in the chain must repeat the file mask and
     * attributes (Hercules, dasd.md §3.3). */
    if (e->extent && (b[0] != e->de_mask || b[1] != e->de_attr))
        return EE_CR_SEQ;
    beg = eckd_cchh_track(e, b + 8, &ok1);
    end = eckd_cchh_track(e, b + 12, &ok2);
    if ((b[0] & DE_MASK_RESERVED) || (b[1] & DE_ATTR_ECKD) != DE_ATTR_ECKD ||
        !ok1 || !ok2 || beg > end)
        return EE_CR_PARAM;
    e->extent = true;
    e->de_mask = b[0];
    e->de_attr = b[1];
    e->beg_trk = beg;
    e->end_trk = end;
    return EE_OK;
}

static bool
lr_op_valid(uint8_t op, uint8_t orient)
{
    switch (op) {
    case LR_OP_ORIENT:
    case LR_OP_WRITE_DATA:
    case LR_OP_READ_DATA:
    case LR_OP_READ_TRKS:
    case LR_OP_READ_ANY:
        return true;
    case LR_OP_FORMAT:
        return orient == LR_ORIENT_COUNT || orient == LR_ORIENT_HA;
    default:
        return false;
    }
}

/* b: the 16 basic bytes; op: the operation in force (LRE maps its
 * extended operation). */
static enum eckd_err
eckd_locate(struct eckd *e, const uint8_t *b, uint8_t op)
{
    uint8_t orient = b[0] & LR_ORIENT_MASK;
    uint32_t t;
    bool ok;
    enum eckd_err err;

    if (!lr_op_valid(op, orient) || (b[3] == 0 && op != LR_OP_ORIENT))
        return EE_CR_PARAM;
    t = eckd_cchh_track(e, b + 4, &ok);
    if (!ok)
        return EE_CR_PARAM;
    /* Seek address outside the extent: file protected, not a reject. */
    if (t < e->beg_trk || t > e->end_trk)
        return EE_FP;
    err = eckd_load(e, t);
    if (!err && op != LR_OP_READ_TRKS)
        err = eckd_orient_lr(e, orient, b + 8);
    if (err)
        return err;
    e->lr_op = op;
    e->lr_aux = b[1];
    e->lr_left = b[3];
    e->tlf = zv_be16(b + 14);
    e->domain = e->lr_left > 0;
    e->trk_started = false;
    return EE_OK;
}

static enum eckd_err
eckd_lr(struct eckd *e, struct css_io *io, bool extended)
{
    uint8_t b[ECKD_PSF_MAX];
    size_t want = extended ? ECKD_LRE_LEN : ECKD_LR_LEN;
    size_t avail = css_io_available(io);
    uint8_t op;
    int n;

    if (!e->extent)
        return EE_CR_SEQ;
    /* LRE carries extended parameters after byte 20: take them along. */
    if (extended && avail > want)
        want = avail < sizeof(b) ? avail : sizeof(b);
    n = css_io_read(io, b, want);
    if (n < 0)
        return EE_CHANNEL;
    if ((size_t)n < (extended ? ECKD_LRE_LEN : ECKD_LR_LEN))
        return EE_CR_COUNT;
    op = b[0] & LR_OP_MASK;
    if (extended && op == LR_OP_EXTENDED) {
        if (b[17] == LRE_EXT_READ_ANY)
            op = LR_OP_READ_ANY;
        else if (b[17] == LRE_EXT_WRITE_ANY)
            op = LR_OP_WRITE_DATA;
        else
            return EE_CR_PARAM;
    }
    return eckd_locate(e, b, op);
}

/* ---- Perform Subsystem Function / Read Subsystem Data ---- */

static enum eckd_err
eckd_psf(struct eckd *e, struct css_io *io)
{
    uint8_t b[ECKD_PSF_MAX];
    size_t avail = css_io_available(io);
    int n = css_io_read(io, b, avail < sizeof(b) ? avail : sizeof(b));

    if (n < 0)
        return EE_CHANNEL;
    if (n < ECKD_PSF_MIN)
        return EE_CR_COUNT;
    e->rssd_len = 0;
    switch (b[0]) {
    case PSF_ORDER_SSC:
        /* Set Subsystem Characteristics: accepted, nothing changes (no
         * PAV here). */
        return EE_OK;
    case PSF_ORDER_PRSSD:
        /* Feature codes all zero and no alias unit addresses keep Linux
         * on plain DE + LR; the volume/extent-pool queries (0x52, 0x53)
         * are rejected, which Linux tolerates (dasd.md §5.2). */
        if (b[6] == PRSSD_FEATURES)
            e->rssd_len = 256;
        else if (b[6] == PRSSD_UNIT_ADDR)
            e->rssd_len = 512;
        else
            return EE_CR_PARAM;
        return EE_OK;
    default:
        return EE_CR_PARAM;
    }
}

static enum eckd_err
eckd_rssd(struct eckd *e, struct css_io *io, bool prepared)
{
    uint8_t b[ECKD_RSSD_MAX] = {0};
    uint16_t len = e->rssd_len;

    /* Only directly after the PSF that prepared the data. */
    e->rssd_len = 0;
    if (!prepared || !len)
        return EE_CR_SEQ;
    return css_io_write(io, b, len) < 0 ? EE_CHANNEL : EE_OK;
}

/* ---- domain rules and dispatch ---- */

static unsigned
domain_classes(uint8_t op)
{
    switch (op) {
    case LR_OP_READ_DATA:
        return ECKD_CLS_READ;
    case LR_OP_READ_ANY:
        return ECKD_CLS_READ | ECKD_CLS_READ0;
    case LR_OP_WRITE_DATA:
        return ECKD_CLS_WRITE;
    case LR_OP_FORMAT:
        return ECKD_CLS_FORMAT;
    case LR_OP_READ_TRKS:
        return ECKD_CLS_TRACK;
    default:
        return 0;
    }
}

/* May a track command of class cls run now? */
static enum eckd_err
eckd_admit(struct eckd *e, struct css_io *io, unsigned cls)
{
    uint8_t perm = e->de_mask & DE_PERM_MASK;
    bool writes = cls & (ECKD_CLS_WRITE | ECKD_CLS_FORMAT);

    if (e->domain && !(domain_classes(e->lr_op) & cls))
        return EE_CR_SEQ;
    if (!e->domain && (writes || (cls & ECKD_CLS_TRACK)))
        return EE_CR_SEQ;
    /* Data chaining is for reads only (Hercules). */
    if (writes && (css_io_flags(io) & CCW_FLAG_CD))
        return EE_CR_CMD;
    /* File mask (Define Extent byte 0): a write it forbids is file
     * protected. */
    if (writes && perm == DE_PERM_INHIBIT)
        return EE_FP;
    if ((cls & ECKD_CLS_FORMAT) && perm == DE_PERM_UPDATE)
        return EE_FP;
    return EE_OK;
}

/* A command inside the domain used one of its count; the domain must
 * not end its chain early (incomplete domain, dasd.md §3.6). */
static enum eckd_err
eckd_domain_step(struct eckd *e, struct css_io *io)
{
    if (!e->domain)
        return EE_OK;
    if (--e->lr_left == 0) {
        e->domain = false;
        return EE_OK;
    }
    return (css_io_flags(io) & CCW_FLAG_CC) ? EE_OK : EE_CR_DOMAIN;
}

static enum eckd_err
eckd_track(struct eckd *e, struct css_io *io, uint8_t cmd, bool *sm)
{
    unsigned cls;
    enum eckd_err err;

    if (!eckd_track_cmd_known(cmd, &cls))
        return EE_CR_CMD;
    err = eckd_admit(e, io, cls);
    if (!err)
        err = eckd_track_cmd(e, io, cmd, sm);
    if (!err)
        err = eckd_domain_step(e, io);
    return err;
}

static enum eckd_err
eckd_control(struct eckd *e, struct css_io *io, uint8_t cmd, bool prepared)
{
    /* Control commands never run inside a Locate Record domain. */
    if (e->domain)
        return EE_CR_SEQ;
    switch (cmd) {
    case ECKD_CMD_LR:
        return eckd_lr(e, io, false);
    case ECKD_CMD_LRE:
        return eckd_lr(e, io, true);
    case DASD_CMD_DE:
        return eckd_define_extent(e, io);
    case ECKD_CMD_PSF:
        return eckd_psf(e, io);
    default:
        return eckd_rssd(e, io, prepared);
    }
}

static uint8_t
eckd_exec(struct dasd *d, struct css_io *io)
{
    struct eckd *e = eckd_of(d);
    uint8_t cmd = css_io_cmd(io);
    bool prepared = e->rssd_ready;
    bool sm = false;
    enum eckd_err err, ferr;
    uint8_t dstat;

    e->rssd_ready = false;
    switch (cmd) {
    case DASD_CMD_RDC:
        return e->domain ? eckd_fail(e, io, EE_CR_SEQ) : eckd_rdc(e, io);
    case ECKD_CMD_LR:
    case ECKD_CMD_LRE:
    case DASD_CMD_DE:
    case ECKD_CMD_PSF:
    case ECKD_CMD_RSSD:
        err = eckd_control(e, io, cmd, prepared);
        e->rssd_ready = cmd == ECKD_CMD_PSF && !err && e->rssd_len;
        break;
    default:
        err = eckd_track(e, io, cmd, &sm);
        break;
    }
    dstat = err ? eckd_fail(e, io, err)
                : (uint8_t)(DASD_OK | (sm ? DEV_STAT_STAT_MOD : 0));
    /* Write the track back when the chain is about to end. */
    if (e->trk_dirty &&
        (!(css_io_flags(io) & CCW_FLAG_CC) ||
         (css_io_flags(io) & CCW_FLAG_CD) || (dstat & DEV_STAT_UNIT_CHECK))) {
        ferr = eckd_flush(e);
        if (ferr && !(dstat & DEV_STAT_UNIT_CHECK))
            dstat = eckd_fail(e, io, ferr);
    }
    return dstat;
}

static void
eckd_chain_reset(struct dasd *d)
{
    struct eckd *e = eckd_of(d);

    e->extent = false;
    e->de_mask = 0;
    e->de_attr = 0;
    e->beg_trk = 0;
    e->end_trk = 0;
    e->domain = false;
    e->lr_left = 0;
    e->lr_aux = 0;
    e->rssd_len = 0;
    e->rssd_ready = false;
    e->cur = 0;
    e->after_count = false;
    e->index_passes = 0;
}

static void
eckd_quiesce(struct dasd *d)
{
    (void)eckd_flush(eckd_of(d));
}

static int
eckd_sync(struct dasd *d)
{
    struct eckd *e = eckd_of(d);

    if (eckd_flush(e))
        return -EIO;
    return img_flush(ckd_img_backend(e->img));
}

static void
eckd_destroy(struct dasd *d)
{
    struct eckd *e = eckd_of(d);

    eckd_track_buffers_free(e);
    free(e);
}

static const struct dasd_kind eckd_kind = {
    .name = "eckd3390",
    .sense_len = 32,
    .id_len = SENSE_ID_BASE_SIZE + 4, /* one CIW: Read Configuration Data */
    .chain_reset = eckd_chain_reset,
    .exec = eckd_exec,
    .sense_extra = eckd_sense_extra,
    .rcd = eckd_rcd,
    .destroy = eckd_destroy,
    .quiesce = eckd_quiesce,
    .sync = eckd_sync,
};

static void
eckd_identity(struct eckd *e, const struct dasd_config *cfg)
{
    struct senseid *id = &e->d.id;

    id->cu_type = 0x3990;
    id->cu_model = 0xEC;
    id->dev_type = 0x3390;
    id->dev_model = cfg && cfg->model ? cfg->model : eckd_model_byte(&e->geom);
    /* The RCD CIW: Linux issues RCD only when it is advertised. */
    id->nciw = 1;
    id->ciw[0].et = 1;
    id->ciw[0].ct = CIW_TYPE_RCD;
    id->ciw[0].cmd = DASD_CMD_RCD;
    id->ciw[0].count = DASD_RCD_LEN;
    e->unit_type = eckd_model_unit(id->dev_model);
}

int
dev_eckd_new(struct zv_loop *loop, struct ckd_img *img,
             const struct dasd_config *cfg, struct css_dev **out)
{
    const struct ckd_geom *g;
    struct eckd *e;

    if (!loop || !img || !out)
        return -EINVAL;
    g = ckd_img_geom(img);
    if (g->devtype != 0x3390 || g->heads == 0 || g->heads > 15 ||
        g->cyls == 0 || g->trksize < CKD_HA_SIZE + 2 * CKD_COUNT_SIZE)
        return -EINVAL;
    e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->geom = *g;
    if (eckd_track_buffers(e))
        goto err_trk;
    dasd_init(&e->d, loop, cfg, &eckd_kind);
    e->img = img;
    e->tracks = g->cyls * g->heads;
    eckd_identity(e, cfg);
    *out = &e->d.cdev;
    return 0;
err_trk:
    eckd_track_buffers_free(e);
    free(e);
    return -ENOMEM;
}
