/* SPDX-License-Identifier: MIT */
/*
 * ap/mask: 256-bit AP masks, the AP bus's sysfs mask syntax, and the
 * codecs of the architected words and blocks: the QCI block, the AP queue
 * status word and the TAPQ GR2 information.  Masks are bytes in
 * architected order (MSB first), so only registers need packing here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ap/ap_priv.h"
#include "base/bytes.h"

void
ap_mask_zero(struct ap_mask *m)
{
    memset(m->b, 0, sizeof(m->b));
}

void
ap_mask_fill(struct ap_mask *m)
{
    memset(m->b, 0xff, sizeof(m->b));
}

bool
ap_mask_empty(const struct ap_mask *m)
{
    for (size_t i = 0; i < AP_MASK_BYTES; i++)
        if (m->b[i])
            return false;
    return true;
}

bool
ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b)
{
    return memcmp(a->b, b->b, AP_MASK_BYTES) == 0;
}

bool
ap_mask_intersects(const struct ap_mask *a, const struct ap_mask *b)
{
    for (size_t i = 0; i < AP_MASK_BYTES; i++)
        if (a->b[i] & b->b[i])
            return true;
    return false;
}

void
ap_mask_and(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b)
{
    for (size_t i = 0; i < AP_MASK_BYTES; i++)
        r->b[i] = a->b[i] & b->b[i];
}

void
ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a,
               const struct ap_mask *b)
{
    for (size_t i = 0; i < AP_MASK_BYTES; i++)
        r->b[i] = a->b[i] & (uint8_t)~b->b[i];
}

unsigned
ap_mask_weight(const struct ap_mask *m)
{
    unsigned n = 0;

    for (size_t i = 0; i < AP_MASK_BYTES; i++)
        n += (unsigned)__builtin_popcount(m->b[i]);
    return n;
}

int
ap_mask_next(const struct ap_mask *m, unsigned from)
{
    for (unsigned id = from; id <= AP_MAX_ID; id++) {
        if (!(id & 7) && !m->b[id >> 3]) {
            id += 7; /* skip an empty byte */
            continue;
        }
        if (ap_mask_test(m, id))
            return (int)id;
    }
    return -1;
}

/* ---- sysfs syntax (reference §2.2; BUSH ap_parse_mask_str) ---- */

/* Absolute form: hex digits from ID 0 on, 4 IDs per digit; a string
 * longer than the mask is refused rather than truncated. */
static int
ap_mask_parse_hex(struct ap_mask *m, const char *s)
{
    unsigned id = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    ap_mask_zero(m);
    for (; isxdigit((unsigned char)*s); s++) {
        unsigned v;

        if (id > AP_MAX_ID)
            return -EINVAL;
        v = isdigit((unsigned char)*s)
                ? (unsigned)(*s - '0')
                : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        m->b[id >> 3] |= (uint8_t)(v << ((id & 4) ? 0 : 4));
        id += 4;
    }
    if (*s == '\n')
        s++;
    return *s ? -EINVAL : 0;
}

/* One number as kstrtoul-like base 0 (decimal, 0x hex, 0 octal). */
static int
ap_mask_parse_id(const char **sp, unsigned *out)
{
    char *end;
    unsigned long v;

    if (!isdigit((unsigned char)**sp))
        return -EINVAL;
    errno = 0;
    v = strtoul(*sp, &end, 0);
    if (end == *sp || errno || v > AP_MAX_ID)
        return -EINVAL;
    *sp = end;
    *out = (unsigned)v;
    return 0;
}

/* Relative form: "+a", "-a", "+a-b" items separated by ',' or '\n'. */
static int
ap_mask_parse_rel(struct ap_mask *m, const char *s)
{
    while (*s) {
        char sign = *s++;
        unsigned a, z;

        if (sign != '+' && sign != '-')
            return -EINVAL;
        if (ap_mask_parse_id(&s, &a))
            return -EINVAL;
        z = a;
        if (*s == '-') {
            s++;
            if (ap_mask_parse_id(&s, &z) || z < a)
                return -EINVAL;
        }
        for (unsigned id = a; id <= z; id++) {
            if (sign == '+')
                ap_mask_set(m, id);
            else
                ap_mask_clear(m, id);
        }
        while (*s == ',' || *s == '\n')
            s++;
    }
    return 0;
}

int
ap_mask_parse(struct ap_mask *m, const char *str)
{
    struct ap_mask n = *m;
    int rc;

    if (!str)
        return -EINVAL;
    if (str[0] == '+' || str[0] == '-')
        rc = ap_mask_parse_rel(&n, str);
    else
        rc = ap_mask_parse_hex(&n, str);
    if (rc)
        return rc;
    *m = n;
    return 0;
}

void
ap_mask_format(const struct ap_mask *m, char out[AP_MASK_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";

    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < AP_MASK_BYTES; i++) {
        out[2 + 2 * i] = hex[m->b[i] >> 4];
        out[3 + 2 * i] = hex[m->b[i] & 0xf];
    }
    out[AP_MASK_STR_LEN - 1] = '\0';
}

/* ---- QCI block (reference §1.2) ---- */

#define QCI_BYTE0_APSC 0x80 /* S */
#define QCI_BYTE0_APXA 0x40 /* N */
#define QCI_BYTE0_QACT 0x20 /* C */
#define QCI_OFF_NA     4
#define QCI_OFF_ND     5
#define QCI_OFF_APM    16
#define QCI_OFF_AQM    48
#define QCI_OFF_ADM    80

void
ap_config_encode(const struct ap_config *c, uint8_t out[AP_QCI_BLOCK_LEN])
{
    memset(out, 0, AP_QCI_BLOCK_LEN);
    out[0] = (uint8_t)((c->apsc ? QCI_BYTE0_APSC : 0) |
                       (c->apxa ? QCI_BYTE0_APXA : 0) |
                       (c->qact ? QCI_BYTE0_QACT : 0));
    out[QCI_OFF_NA] = c->na;
    out[QCI_OFF_ND] = c->nd;
    memcpy(out + QCI_OFF_APM, c->apm.b, AP_MASK_BYTES);
    memcpy(out + QCI_OFF_AQM, c->aqm.b, AP_MASK_BYTES);
    memcpy(out + QCI_OFF_ADM, c->adm.b, AP_MASK_BYTES);
}

void
ap_config_decode(const uint8_t in[AP_QCI_BLOCK_LEN], struct ap_config *c)
{
    c->apsc = in[0] & QCI_BYTE0_APSC;
    c->apxa = in[0] & QCI_BYTE0_APXA;
    c->qact = in[0] & QCI_BYTE0_QACT;
    c->na = in[QCI_OFF_NA];
    c->nd = in[QCI_OFF_ND];
    memcpy(c->apm.b, in + QCI_OFF_APM, AP_MASK_BYTES);
    memcpy(c->aqm.b, in + QCI_OFF_AQM, AP_MASK_BYTES);
    memcpy(c->adm.b, in + QCI_OFF_ADM, AP_MASK_BYTES);
}

/* ---- AP queue status word (reference §5.2): bit n = 1 << (31 - n) ---- */

#define APQSW_E        (1u << 31) /* bit 0: queue empty */
#define APQSW_R        (1u << 30) /* bit 1: replies waiting */
#define APQSW_F        (1u << 29) /* bit 2: queue full */
#define APQSW_I        (1u << 24) /* bit 7: interruptions enabled */
#define APQSW_RC_SHIFT 16         /* bits 8-15 */

uint32_t
ap_qstatus_encode(const struct ap_qstatus *st)
{
    return (st->empty ? APQSW_E : 0) | (st->replies ? APQSW_R : 0) |
           (st->full ? APQSW_F : 0) | (st->irq ? APQSW_I : 0) |
           ((uint32_t)st->rc << APQSW_RC_SHIFT);
}

void
ap_qstatus_decode(uint32_t w, struct ap_qstatus *st)
{
    st->empty = w & APQSW_E;
    st->replies = w & APQSW_R;
    st->full = w & APQSW_F;
    st->irq = w & APQSW_I;
    st->rc = (uint8_t)(w >> APQSW_RC_SHIFT);
}

void
ap_qstatus_put(uint8_t out[4], const struct ap_qstatus *st)
{
    zv_put_be32(out, ap_qstatus_encode(st));
}

void
ap_qstatus_get(const uint8_t in[4], struct ap_qstatus *st)
{
    ap_qstatus_decode(zv_be32(in), st);
}

/* ---- TAPQ GR2 (APH struct ap_tapq_hwinfo): bit n = 1 << (63 - n) ---- */

#define TAPQ_APSC     (1ull << 63) /* bit 0 */
#define TAPQ_MEX4K    (1ull << 62) /* bit 1: 4096-bit ME */
#define TAPQ_CRT4K    (1ull << 61) /* bit 2: 4096-bit CRT */
#define TAPQ_CCA      (1ull << 60) /* bit 3: D, CCA coprocessor */
#define TAPQ_ACCEL    (1ull << 59) /* bit 4: A, accelerator */
#define TAPQ_EP11     (1ull << 58) /* bit 5: X, EP11 coprocessor */
#define TAPQ_APXA     (1ull << 57) /* bit 6 */
#define TAPQ_AT_SHIFT 24           /* bits 32-39: AP type */
#define TAPQ_ND_SHIFT 16           /* bits 40-47: Nd */
#define TAPQ_ML_SHIFT 8            /* bits 52-55: max message length */
#define TAPQ_QD_SHIFT 0            /* bits 60-63: queue depth - 1 */

uint64_t
ap_tapq_info_encode(const struct ap_tapq_info *i)
{
    return (i->apsc ? TAPQ_APSC : 0) | (i->mex4k ? TAPQ_MEX4K : 0) |
           (i->crt4k ? TAPQ_CRT4K : 0) | (i->cca ? TAPQ_CCA : 0) |
           (i->accel ? TAPQ_ACCEL : 0) | (i->ep11 ? TAPQ_EP11 : 0) |
           (i->apxa ? TAPQ_APXA : 0) | ((uint64_t)i->at << TAPQ_AT_SHIFT) |
           ((uint64_t)i->nd << TAPQ_ND_SHIFT) |
           ((uint64_t)(i->ml & 0xf) << TAPQ_ML_SHIFT) |
           ((uint64_t)(i->qd & 0xf) << TAPQ_QD_SHIFT);
}

void
ap_tapq_info_decode(uint64_t gr2, struct ap_tapq_info *i)
{
    i->apsc = gr2 & TAPQ_APSC;
    i->mex4k = gr2 & TAPQ_MEX4K;
    i->crt4k = gr2 & TAPQ_CRT4K;
    i->cca = gr2 & TAPQ_CCA;
    i->accel = gr2 & TAPQ_ACCEL;
    i->ep11 = gr2 & TAPQ_EP11;
    i->apxa = gr2 & TAPQ_APXA;
    i->at = (uint8_t)(gr2 >> TAPQ_AT_SHIFT);
    i->nd = (uint8_t)(gr2 >> TAPQ_ND_SHIFT);
    i->ml = (uint8_t)((gr2 >> TAPQ_ML_SHIFT) & 0xf);
    i->qd = (uint8_t)((gr2 >> TAPQ_QD_SHIFT) & 0xf);
}
