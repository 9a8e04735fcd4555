/* SPDX-License-Identifier: MIT */
/* CCWs, MIDAWs and command-code classes (css-pop.md §2.4, §2.5). */
#include "arch/ccw.h"

#include <string.h>

#include "base/bytes.h"

#define CCW0_ADDR_MASK  0x00FFFFFFu
#define MIDAW_RSVD_MASK 0xFFFFFFFFFFull /* bytes 0-4: 40 bits */
_Static_assert(CCW_SIZE == 8, "a CCW is a doubleword");
_Static_assert(MIDAW_SIZE == 16, "a MIDAW is a quadword");

/*
 * Class of a command code (PoP "Command Code", css-pop.md §2.4).  The
 * 4-bit patterns sense (0100), TIC (1000) and read backward (1100) share
 * their low two bits (00) with nothing else, so they are matched on the
 * low nibble first; only then does the 2-bit write/read/control rule apply.
 */
enum ccw_class
ccw_cmd_class(uint8_t cmd)
{
    switch (cmd & 0x0F) {
    case 0x0:
        return CCW_CLASS_INVALID;
    case 0x4:
        return CCW_CLASS_SENSE;
    case 0x8:
        return CCW_CLASS_TIC;
    case 0xC:
        return CCW_CLASS_READ_BACK;
    }
    switch (cmd & 0x03) {
    case 0x1:
        return CCW_CLASS_WRITE;
    case 0x2:
        return CCW_CLASS_READ;
    default:
        return CCW_CLASS_CONTROL;
    }
}

/* Read, read backward and sense store data; write and control fetch it. */
bool
ccw_cmd_is_input(uint8_t cmd)
{
    switch (ccw_cmd_class(cmd)) {
    case CCW_CLASS_READ:
    case CCW_CLASS_READ_BACK:
    case CCW_CLASS_SENSE:
        return true;
    default:
        return false;
    }
}

/* Format 1: cmd | flags | count(16) | address(32). */
void
ccw1_encode(const struct ccw1 *c, uint8_t out[CCW_SIZE])
{
    out[0] = c->cmd;
    out[1] = c->flags;
    zv_put_be16(out + 2, c->count);
    zv_put_be32(out + 4, c->cda);
}

void
ccw1_decode(struct ccw1 *c, const uint8_t in[CCW_SIZE])
{
    c->cmd = in[0];
    c->flags = in[1];
    c->count = zv_be16(in + 2);
    c->cda = zv_be32(in + 4);
}

/* Format 0: cmd | address(24) | flags | unused | count(16). */
void
ccw0_encode(const struct ccw1 *c, uint8_t out[CCW_SIZE])
{
    zv_put_be32(out, (uint32_t)c->cmd << 24 | (c->cda & CCW0_ADDR_MASK));
    out[4] = c->flags;
    out[5] = 0;
    zv_put_be16(out + 6, c->count);
}

/*
 * A format-0 TIC ignores the high nibble of its command code, its flags
 * and its count (PoP "Transfer in Channel"; css-pop.md §5.2).  They are
 * dropped here so that the format-1 shaped result is a clean TIC (0x08,
 * no flags, count 0) that the stricter format-1 TIC checks accept.
 */
void
ccw0_decode(struct ccw1 *c, const uint8_t in[CCW_SIZE])
{
    c->cmd = in[0];
    c->cda = zv_be32(in) & CCW0_ADDR_MASK;
    c->flags = in[4];
    c->count = zv_be16(in + 6);
    if (ccw_cmd_class(c->cmd) == CCW_CLASS_TIC) {
        c->cmd = CCW_CMD_TIC;
        c->flags = 0;
        c->count = 0;
    }
}

static uint64_t
be40(const uint8_t *p)
{
    return (uint64_t)p[0] << 32 | zv_be32(p + 1);
}

static void
put_be40(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)(v >> 32);
    zv_put_be32(p + 1, (uint32_t)v);
}

/* MIDAW: reserved(40) | flags | count(16) | address(64). */
void
midaw_encode(const struct midaw *m, uint8_t out[MIDAW_SIZE])
{
    put_be40(out, m->rsvd & MIDAW_RSVD_MASK);
    out[5] = m->flags;
    zv_put_be16(out + 6, m->count);
    zv_put_be64(out + 8, m->data);
}

void
midaw_decode(struct midaw *m, const uint8_t in[MIDAW_SIZE])
{
    memset(m, 0, sizeof(*m));
    m->rsvd = be40(in);
    m->flags = in[5];
    m->count = zv_be16(in + 6);
    m->data = zv_be64(in + 8);
}
