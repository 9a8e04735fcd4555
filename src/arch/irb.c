/* SPDX-License-Identifier: MIT */
/*
 * Interruption-response block (css-pop.md §2.3): SCSW (words 0-2), ESW
 * (words 3-7), ECW (words 8-15), EMW (words 16-23).
 */
#include "arch/irb.h"

#include <string.h>

#include "arch/arch_priv.h"
#include "base/bytes.h"

#define IRB_ESW_OFF SCSW_SIZE
#define IRB_ECW_OFF (IRB_ESW_OFF + ESW_SIZE)
#define IRB_EMW_OFF (IRB_ECW_OFF + ECW_SIZE)

_Static_assert(IRB_EMW_OFF == IRB_BASE_SIZE, "EMW starts after 64 bytes");
_Static_assert(IRB_EMW_OFF + EMW_SIZE == IRB_SIZE, "IRB is 96 bytes");

/* ERW: rsvd R L A P T F S | C FSAF SCNT(6) | reserved(16). */
void
erw_encode(const struct erw *e, uint8_t out[4])
{
    uint32_t w = arch_fld(e->r, 1, 1) | arch_fld(e->l, 1, 2) |
                 arch_fld(e->a, 1, 3) | arch_fld(e->p, 1, 4) |
                 arch_fld(e->t, 1, 5) | arch_fld(e->f, 1, 6) |
                 arch_fld(e->s, 1, 7) | arch_fld(e->c, 1, 8) |
                 arch_fld(e->fsaf, 1, 9) | arch_fld(e->scnt, 6, 15);

    zv_put_be32(out, w);
}

void
erw_decode(struct erw *e, const uint8_t in[4])
{
    uint32_t w = zv_be32(in);

    memset(e, 0, sizeof(*e));
    e->r = arch_get(w, 1, 1);
    e->l = arch_get(w, 1, 2);
    e->a = arch_get(w, 1, 3);
    e->p = arch_get(w, 1, 4);
    e->t = arch_get(w, 1, 5);
    e->f = arch_get(w, 1, 6);
    e->s = arch_get(w, 1, 7);
    e->c = arch_get(w, 1, 8);
    e->fsaf = arch_get(w, 1, 9);
    e->scnt = (uint8_t)arch_get(w, 6, 15);
}

/* Subchannel logout: rsvd ESF(7) | LPUM | A FVF(5) SA(2) | TC(2) D E A
 * SC(3) (format-0 ESW word 0). */
static uint32_t
sublog_word(const struct sublog *l)
{
    return arch_fld(l->esf, 7, 7) | arch_fld(l->lpum, 8, 15) |
           arch_fld(l->arep, 1, 16) | arch_fld(l->fvf, 5, 21) |
           arch_fld(l->sacc, 2, 23) | arch_fld(l->termc, 2, 25) |
           arch_fld(l->devsc, 1, 26) | arch_fld(l->serr, 1, 27) |
           arch_fld(l->ioerr, 1, 28) | arch_fld(l->seqc, 3, 31);
}

static void
sublog_set_word(struct sublog *l, uint32_t w)
{
    l->esf = (uint8_t)arch_get(w, 7, 7);
    l->lpum = (uint8_t)arch_get(w, 8, 15);
    l->arep = arch_get(w, 1, 16);
    l->fvf = (uint8_t)arch_get(w, 5, 21);
    l->sacc = (uint8_t)arch_get(w, 2, 23);
    l->termc = (uint8_t)arch_get(w, 2, 25);
    l->devsc = arch_get(w, 1, 26);
    l->serr = arch_get(w, 1, 27);
    l->ioerr = arch_get(w, 1, 28);
    l->seqc = (uint8_t)arch_get(w, 3, 31);
}

/*
 * Format 0 (eswf): logout, ERW, failing-storage address, secondary CCW
 * address.  Formats 1-3: byte 1 LPUM, bytes 2-3 DCTI (zero except in
 * format 2), ERW, then zeros.
 */
void
esw_encode(const struct esw *e, bool eswf, uint8_t out[ESW_SIZE])
{
    memset(out, 0, ESW_SIZE);
    erw_encode(&e->erw, out + 4);
    if (eswf) {
        zv_put_be32(out, sublog_word(&e->sublog));
        zv_put_be64(out + 8, e->faddr);
        zv_put_be32(out + 16, e->saddr);
        return;
    }
    out[1] = e->lpum;
    zv_put_be16(out + 2, e->dcti);
}

void
esw_decode(struct esw *e, bool eswf, const uint8_t in[ESW_SIZE])
{
    memset(e, 0, sizeof(*e));
    erw_decode(&e->erw, in + 4);
    if (eswf) {
        sublog_set_word(&e->sublog, zv_be32(in));
        e->faddr = zv_be64(in + 8);
        e->saddr = zv_be32(in + 16);
        return;
    }
    e->lpum = in[1];
    e->dcti = zv_be16(in + 2);
}

void
irb_encode(const struct irb *irb, uint8_t out[IRB_SIZE])
{
    scsw_encode(&irb->scsw, out);
    esw_encode(&irb->esw, irb->scsw.eswf, out + IRB_ESW_OFF);
    memcpy(out + IRB_ECW_OFF, irb->ecw, ECW_SIZE); /* bytes, no order */
    memcpy(out + IRB_EMW_OFF, irb->emw, EMW_SIZE);
}

void
irb_decode(struct irb *irb, const uint8_t in[IRB_SIZE])
{
    scsw_decode(&irb->scsw, in);
    esw_decode(&irb->esw, irb->scsw.eswf, in + IRB_ESW_OFF);
    memcpy(irb->ecw, in + IRB_ECW_OFF, ECW_SIZE);
    memcpy(irb->emw, in + IRB_EMW_OFF, EMW_SIZE);
}
