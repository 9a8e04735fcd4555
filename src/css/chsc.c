/* SPDX-License-Identifier: MIT */
/*
 * CHANNEL SUBSYSTEM CALL (B25F), css-pop.md §4.11: store subchannel
 * description (0x0004), store channel-path description (0x0002) and store
 * channel-subsystem characteristics (0x0010).
 *
 * The command-request block is a 4 KB-aligned page: a request (halfword
 * length, halfword command code, parameters) followed in the same page by
 * the response (halfword length, halfword response code, data).  Blocks
 * are built with the big-endian helpers of base/bytes.h.
 */
#include <string.h>

#include "css/sub_priv.h"

#define CHSC_PAGE        4096u
#define CHSC_REQ_MIN     16u
#define CHSC_REQ_MAX     4088u
#define CHSC_RESP_HDR    8u /* length, code, reserved word */
#define CHSC_REQ_LEN_STD 16u

#define CHSC_CMD_SCPD 0x0002
#define CHSC_CMD_SSD  0x0004
#define CHSC_CMD_SCSC 0x0010

/* Response codes */
#define CHSC_RC_OK       0x0001
#define CHSC_RC_REQERR   0x0003
#define CHSC_RC_NOTINST  0x0004
#define CHSC_RC_FMT      0x0007
#define CHSC_RC_CSSID    0x0008
#define CHSC_RC_RESP_FMT 0x0009
#define CHSC_RC_SSID     0x000A

#define SSD_ENTRY_LEN  32u
#define SCPD_FMT0_LEN  8u
#define SCPD_FMT1_LEN  32u
#define SCSC_RESP_LEN  4080u /* header + 510 + 508 characteristic words */
#define CHP_DESC_VALID 0x80

struct chsc_block {
    uint8_t page[CHSC_PAGE];
    uint16_t req_len;
    uint8_t *resp;     /* page + req_len */
    uint16_t resp_len; /* filled in by the command */
    uint16_t code;     /* response code */
};

static uint32_t
chsc_word(const struct chsc_block *b, unsigned n)
{
    return zv_be32(b->page + 4 * n);
}

static void
chsc_fail(struct chsc_block *b, uint16_t code)
{
    b->code = code;
    b->resp_len = CHSC_RESP_HDR;
}

static uint16_t
chsc_room(const struct chsc_block *b)
{
    return (uint16_t)(CHSC_PAGE - b->req_len);
}

/* ---- 0x0004 store subchannel description ---- */

static void
chsc_ssd_entry(const struct subchannel *sch, uint16_t no, uint8_t *e)
{
    const struct pmcw *p;

    memset(e, 0, SSD_ENTRY_LEN);
    zv_put_be16(e + 6, no);
    if (!sch)
        return;
    p = &sch->schib.pmcw;
    /* byte 0: SV, DV, ST (bits 2-4) */
    e[0] = (uint8_t)(0x80 | (p->dnv ? 0x40 : 0) | ((p->st & 7) << 3));
    if (p->st != PMCW_ST_IO)
        return;             /* only SV, ST and the number mean anything */
    e[1] = (uint8_t)p->dev; /* unit address: low byte of the devno */
    zv_put_be16(e + 2, p->dev);
    e[4] = p->pim; /* path mask */
    e[5] = 0;      /* no full link addresses */
    memcpy(e + 8, p->chpid, 8);
}

/*
 * Word 1: bits 10-11 SSID, 16-31 first subchannel; word 2: bits 16-31
 * last subchannel; everything else reserved.  One 32-byte entry per
 * number in the range; a range that does not fit in the page is a
 * request-block error.
 */
static void
chsc_ssd(struct css *css, struct chsc_block *b)
{
    uint32_t w1 = chsc_word(b, 1), w2 = chsc_word(b, 2);
    uint8_t ssid = (uint8_t)((w1 >> 20) & 3);
    uint16_t first = (uint16_t)w1, last = (uint16_t)w2;
    unsigned n;

    if (b->req_len != CHSC_REQ_LEN_STD || (w1 & 0xFFCF0000u) ||
        (w2 & 0xFFFF0000u) || chsc_word(b, 3) || last < first)
        return chsc_fail(b, CHSC_RC_REQERR);
    if (ssid > css->cfg.max_ssid || (ssid && !css->cfg.mss))
        return chsc_fail(b, CHSC_RC_SSID);
    n = (unsigned)(last - first) + 1;
    if (CHSC_RESP_HDR + n * SSD_ENTRY_LEN > chsc_room(b))
        return chsc_fail(b, CHSC_RC_REQERR);
    for (unsigned i = 0; i < n; i++) {
        uint16_t no = (uint16_t)(first + i);
        uint8_t *e = b->resp + CHSC_RESP_HDR + i * SSD_ENTRY_LEN;

        chsc_ssd_entry(css_sch_lookup(css, ssid, no), no, e);
    }
    b->code = CHSC_RC_OK;
    b->resp_len = (uint16_t)(CHSC_RESP_HDR + n * SSD_ENTRY_LEN);
}

/* ---- 0x0002 store channel-path description ---- */

struct scpd_req {
    bool m, c;
    uint8_t fmt, cssid, rfmt, first, last;
};

static void
scpd_parse(const struct chsc_block *b, struct scpd_req *r)
{
    uint32_t w1 = chsc_word(b, 1), w2 = chsc_word(b, 2);

    r->m = w1 & 0x20000000u;
    r->c = w1 & 0x10000000u;
    r->fmt = (uint8_t)((w1 >> 24) & 0xF);
    r->cssid = (uint8_t)(w1 >> 16);
    r->rfmt = (uint8_t)((w1 >> 8) & 0xF);
    r->first = (uint8_t)w1;
    r->last = (uint8_t)w2;
}

static bool
scpd_reserved_ok(const struct chsc_block *b)
{
    return !(chsc_word(b, 1) & 0xC000F000u) &&
           !(chsc_word(b, 2) & 0xFFFFFF00u) && !chsc_word(b, 3);
}

static uint16_t
scpd_check(const struct css *css, const struct chsc_block *b,
           const struct scpd_req *r)
{
    if (b->req_len != CHSC_REQ_LEN_STD || !scpd_reserved_ok(b))
        return CHSC_RC_REQERR;
    if (r->fmt != 0)
        return CHSC_RC_FMT;
    /* Only CSS 0 exists: a CSSID other than 0 is invalid with or without
     * M. */
    if (r->cssid != 0)
        return CHSC_RC_CSSID;
    if (r->last < r->first)
        return CHSC_RC_REQERR;
    if (r->rfmt > 1)
        return CHSC_RC_RESP_FMT;
    return CHSC_RC_OK;
}

/* Format 0 (8 bytes): flags, LSN, type, CHPID, SWLA, -, CHLA, CHPP.
 * Format 1 (32 bytes, C = 1) starts the same way; the rest is zero. */
static void
scpd_desc(const struct css_chp *chp, uint8_t chpid, uint8_t *d, unsigned len)
{
    memset(d, 0, len);
    d[0] = CHP_DESC_VALID;
    d[2] = chp->type;
    d[3] = chpid;
}

static void
chsc_scpd(struct css *css, struct chsc_block *b)
{
    struct scpd_req r;
    unsigned len, off = CHSC_RESP_HDR;
    uint16_t code;

    scpd_parse(b, &r);
    code = scpd_check(css, b, &r);
    if (code != CHSC_RC_OK)
        return chsc_fail(b, code);
    len = r.c ? SCPD_FMT1_LEN : SCPD_FMT0_LEN;
    for (unsigned id = r.first; id <= r.last; id++) {
        if (!css->chp[id].installed)
            continue;
        if (off + len > chsc_room(b))
            return chsc_fail(b, CHSC_RC_REQERR);
        scpd_desc(&css->chp[id], (uint8_t)id, b->resp + off, len);
        off += len;
    }
    b->code = CHSC_RC_OK;
    b->resp_len = (uint16_t)off;
}

/* ---- 0x0010 store channel-subsystem characteristics ---- */

/*
 * The general and CHSC characteristics are bit maps of optional
 * facilities.  This CSS installs none of the ones they describe (no
 * dynamic I/O, no MCSS-E, no extended measurement blocks, no FCX), so
 * both maps are stored as zeros.
 */
static void
chsc_scsc(struct css *css, struct chsc_block *b)
{
    (void)css;
    if (b->req_len != CHSC_REQ_LEN_STD || chsc_word(b, 1) || chsc_word(b, 2) ||
        chsc_word(b, 3))
        return chsc_fail(b, CHSC_RC_REQERR);
    if (SCSC_RESP_LEN > chsc_room(b))
        return chsc_fail(b, CHSC_RC_REQERR);
    memset(b->resp, 0, SCSC_RESP_LEN);
    b->code = CHSC_RC_OK;
    b->resp_len = SCSC_RESP_LEN;
}

static void
chsc_dispatch(struct css *css, struct chsc_block *b, uint16_t cmd)
{
    switch (cmd) {
    case CHSC_CMD_SSD:
        chsc_ssd(css, b);
        break;
    case CHSC_CMD_SCPD:
        chsc_scpd(css, b);
        break;
    case CHSC_CMD_SCSC:
        chsc_scsc(css, b);
        break;
    default:
        chsc_fail(b, CHSC_RC_NOTINST);
        break;
    }
}

/*
 * The block must be 4 KB-aligned (specification) and the page accessible
 * (access exceptions).  A request length below 16, above 4088 or not a
 * multiple of 8 is an operand exception (QEMU).  Everything else is cc 0
 * with the outcome in the response code.
 */
struct zv_insn_rc
css_chsc_run(struct css *css, uint64_t req)
{
    static const unsigned rw = ZV_MEM_READ | ZV_MEM_WRITE;
    struct chsc_block b;
    enum zv_pic pic;

    if (req & (CHSC_PAGE - 1))
        return zv_rc_pic(ZV_PIC_SPECIFICATION);
    pic = css_access_pic(css->storage, req, CHSC_PAGE, rw);
    if (pic != ZV_PIC_NONE)
        return zv_rc_pic(pic);
    if (zv_as_read(css->storage, req, b.page, CHSC_PAGE) < 0)
        return zv_rc_pic(ZV_PIC_ADDRESSING);
    b.req_len = zv_be16(b.page);
    if (b.req_len < CHSC_REQ_MIN || b.req_len > CHSC_REQ_MAX || (b.req_len & 7))
        return zv_rc_pic(ZV_PIC_OPERAND);
    b.resp = b.page + b.req_len;
    memset(b.resp, 0, chsc_room(&b));
    chsc_dispatch(css, &b, zv_be16(b.page + 2));
    zv_put_be16(b.resp, b.resp_len);
    zv_put_be16(b.resp + 2, b.code);
    if (zv_as_write(css->storage, req + b.req_len, b.resp, b.resp_len) < 0)
        return zv_rc_pic(ZV_PIC_ADDRESSING);
    return zv_rc_cc(ZV_CC0);
}
