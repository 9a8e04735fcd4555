/* SPDX-License-Identifier: MIT */
/*
 * Sense ID data (css-pop.md §2.4; dasd.md §1): 0xFF, CU type(16), CU
 * model, device type(16), device model, reserved, then 4-byte CIWs
 * ET(2) rsvd(2) CT(4) | command | count(16).
 */
#include "arch/sense.h"

#include <errno.h>
#include <string.h>

#include "base/bytes.h"

#define SENSE_ID_MARK 0xFF
#define CIW_SIZE      4
#define SENSE_ID_MIN  7 /* through the device model */

_Static_assert(SENSE_ID_BASE_SIZE + SENSE_ID_MAX_CIWS * CIW_SIZE <= 256,
               "sense ID fits a 256-byte sense ID CCW");

static void
ciw_encode(const struct ciw *c, uint8_t out[CIW_SIZE])
{
    out[0] = (uint8_t)((c->et & 3) << 6 | (c->ct & 0xF));
    out[1] = c->cmd;
    zv_put_be16(out + 2, c->count);
}

static void
ciw_decode(struct ciw *c, const uint8_t in[CIW_SIZE])
{
    c->et = in[0] >> 6;
    c->ct = in[0] & 0xF;
    c->cmd = in[1];
    c->count = zv_be16(in + 2);
}

/* The device transfers as much as the CCW count allows: truncate at cap. */
size_t
senseid_encode(const struct senseid *s, uint8_t *out, size_t cap)
{
    uint8_t buf[SENSE_ID_BASE_SIZE + SENSE_ID_MAX_CIWS * CIW_SIZE];
    unsigned n = s->nciw < SENSE_ID_MAX_CIWS ? s->nciw : SENSE_ID_MAX_CIWS;
    size_t len = SENSE_ID_BASE_SIZE + (size_t)n * CIW_SIZE;

    memset(buf, 0, sizeof(buf));
    buf[0] = SENSE_ID_MARK;
    zv_put_be16(buf + 1, s->cu_type);
    buf[3] = s->cu_model;
    zv_put_be16(buf + 4, s->dev_type);
    buf[6] = s->dev_model;
    for (unsigned i = 0; i < n; i++)
        ciw_encode(&s->ciw[i], buf + SENSE_ID_BASE_SIZE + i * CIW_SIZE);
    if (len > cap)
        len = cap;
    memcpy(out, buf, len);
    return len;
}

/*
 * CIWs are read from whole 4-byte entries after byte 8 and end at the
 * first entry whose entry type is not 01 (dasd.md §1.1), which also
 * stops at the zero padding of a short list.
 */
int
senseid_decode(struct senseid *s, const uint8_t *in, size_t len)
{
    memset(s, 0, sizeof(*s));
    if (len < SENSE_ID_MIN || in[0] != SENSE_ID_MARK)
        return -EINVAL;
    s->cu_type = zv_be16(in + 1);
    s->cu_model = in[3];
    s->dev_type = zv_be16(in + 4);
    s->dev_model = in[6];
    for (size_t off = SENSE_ID_BASE_SIZE;
         off + CIW_SIZE <= len && s->nciw < SENSE_ID_MAX_CIWS;
         off += CIW_SIZE) {
        if ((in[off] >> 6) != CIW_ET_CIW)
            break;
        ciw_decode(&s->ciw[s->nciw++], in + off);
    }
    return 0;
}
