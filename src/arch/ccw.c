/* SPDX-License-Identifier: MIT */
/* Format-0 CCWs and MIDAWs (css-pop.md §2.4, §2.5); the format-1 codec and
 * the command-code classes are inline in ccw.h. */
#include "arch/ccw.h"

#include <string.h>

#include "base/bytes.h"

#define CCW0_ADDR_MASK  0x00FFFFFFu
#define MIDAW_RSVD_MASK 0xFFFFFFFFFFull /* bytes 0-4: 40 bits */
_Static_assert(CCW_SIZE == 8, "a CCW is a doubleword");
_Static_assert(MIDAW_SIZE == 16, "a MIDAW is a quadword");

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
