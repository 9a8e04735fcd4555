/* SPDX-License-Identifier: MIT */
/*
 * arch/ap: 256-bit AP masks and the codecs of the architected AP words
 * and blocks (see ap.h).  Masks are bytes in architected order (MSB
 * first), so only registers need packing here; register bit n of a
 * 64-bit GR is 1 << (63 - n), of the 32-bit APQSW 1 << (31 - n).
 */
#include "arch/ap.h"

#include <string.h>

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

/* ---- QCI block (reference §1.2) ---- */

#define QCI_BYTE0_APSC 0x80 /* bit 0, S */
#define QCI_BYTE0_APXA 0x40 /* bit 1, N */
#define QCI_BYTE0_QACT 0x20 /* bit 2, C */
#define QCI_OFF_NA     4
#define QCI_OFF_ND     5
#define QCI_OFF_APM    16
#define QCI_OFF_AQM    48
#define QCI_OFF_ADM    80

_Static_assert(QCI_OFF_ADM + AP_MASK_BYTES <= AP_QCI_BLOCK_LEN,
               "QCI masks fit the block");

void
ap_config_encode(const struct ap_config *c, uint8_t out[AP_QCI_BLOCK_LEN])
{
    memset(out, 0, AP_QCI_BLOCK_LEN);
    out[0] = (uint8_t)((c->apsc ? QCI_BYTE0_APSC : 0) |
                       (c->apxa ? QCI_BYTE0_APXA : 0) |
                       (c->qact ? QCI_BYTE0_QACT : 0));
    out[QCI_OFF_NA] = c->na;
    out[QCI_OFF_ND] = c->nd;
    /* masks are already bytes in architected (MSB-first) order */
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

/* ---- AP queue status word (reference §5.2) ---- */

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

/* ---- PQAP GR0 (reference §5.1) ---- */

#define GR0_FC_SHIFT 24            /* bits 32-39 */
#define GR0_T        (1ull << 23)  /* bit 40 */
#define GR0_F        (1ull << 22)  /* bit 41 */
#define GR0_RESERVED 0x003f0000ull /* bits 42-47 */

uint64_t
ap_pqap_gr0_encode(const struct ap_pqap_gr0 *g)
{
    return (uint64_t)g->fc << GR0_FC_SHIFT | (g->t ? GR0_T : 0) |
           (g->f ? GR0_F : 0) | g->apqn;
}

void
ap_pqap_gr0_decode(uint64_t gr0, struct ap_pqap_gr0 *g)
{
    g->fc = (uint8_t)(gr0 >> GR0_FC_SHIFT);
    g->t = gr0 & GR0_T;
    g->f = gr0 & GR0_F;
    g->reserved = gr0 & GR0_RESERVED;
    g->apqn = (uint16_t)gr0;
}

/* ---- TAPQ GR2 (APH struct ap_tapq_hwinfo) ---- */

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

/* ---- AQIC GR1 ---- */

#define GR1_AQIC_IR  (1ull << 47) /* bit 16 */
#define GR1_AQIC_ISC 0x7ull       /* bits 61-63 */

uint64_t
ap_aqic_ctl_encode(const struct ap_aqic_ctl *c)
{
    return (c->ir ? GR1_AQIC_IR : 0) | (c->isc & GR1_AQIC_ISC);
}

void
ap_aqic_ctl_decode(uint64_t gr1, struct ap_aqic_ctl *c)
{
    c->ir = gr1 & GR1_AQIC_IR;
    c->isc = (uint8_t)(gr1 & GR1_AQIC_ISC);
}
