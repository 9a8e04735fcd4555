/* SPDX-License-Identifier: MIT */
/*
 * PMCW / SCSW / SCHIB codecs and field-validity predicates
 * (css-pop.md §2.1).  Bit numbers in comments follow the PoP: bit 0 is the
 * most significant bit of a word.  The codecs are byte-based: every word is
 * assembled in host order and stored with the big-endian helpers.
 */
#include "arch/schib.h"

#include <string.h>

#include "arch/arch_priv.h"
#include "base/bytes.h"

/* SCHIB words 0-6 PMCW, 7-9 SCSW, 10-11 MBA, 12 MDA (css-pop.md §2.1). */
#define SCHIB_MBA_OFF (PMCW_SIZE + SCSW_SIZE)
#define SCHIB_MDA_OFF (SCHIB_MBA_OFF + 8)
_Static_assert(PMCW_SIZE == 7 * 4, "PMCW is 7 words");
_Static_assert(SCSW_SIZE == 3 * 4, "SCSW is 3 words");
_Static_assert(SCHIB_MDA_OFF + 4 == SCHIB_SIZE, "SCHIB is 13 words");

/* PMCW word 1: Q W ISC(3) bit5 bits6-7 | E LM(2) MM(2) D T V | devno. */
static uint32_t
pmcw_word1(const struct pmcw *p)
{
    return arch_fld(p->qf, 1, 0) | arch_fld(p->w, 1, 1) |
           arch_fld(p->isc, 3, 4) | arch_fld(p->bit5, 1, 5) |
           arch_fld(p->bits67, 2, 7) | arch_fld(p->ena, 1, 8) |
           arch_fld(p->lm, 2, 10) | arch_fld(p->mme, 2, 12) |
           arch_fld(p->mp, 1, 13) | arch_fld(p->tf, 1, 14) |
           arch_fld(p->dnv, 1, 15) | arch_fld(p->dev, 16, 31);
}

static void
pmcw_set_word1(struct pmcw *p, uint32_t w)
{
    p->qf = arch_get(w, 1, 0);
    p->w = arch_get(w, 1, 1);
    p->isc = (uint8_t)arch_get(w, 3, 4);
    p->bit5 = arch_get(w, 1, 5);
    p->bits67 = (uint8_t)arch_get(w, 2, 7);
    p->ena = arch_get(w, 1, 8);
    p->lm = (uint8_t)arch_get(w, 2, 10);
    p->mme = (uint8_t)arch_get(w, 2, 12);
    p->mp = arch_get(w, 1, 13);
    p->tf = arch_get(w, 1, 14);
    p->dnv = arch_get(w, 1, 15);
    p->dev = (uint16_t)arch_get(w, 16, 31);
}

/* PMCW word 6: reserved byte | ST(3) reserved(18) F X S. */
static uint32_t
pmcw_word6(const struct pmcw *p)
{
    return arch_fld(p->w6_zone, 8, 7) | arch_fld(p->st, 3, 10) |
           arch_fld(p->w6_rsvd, 18, 28) | arch_fld(p->mbfc, 1, 29) |
           arch_fld(p->xmwme, 1, 30) | arch_fld(p->csense, 1, 31);
}

static void
pmcw_set_word6(struct pmcw *p, uint32_t w)
{
    p->w6_zone = (uint8_t)arch_get(w, 8, 7);
    p->st = (uint8_t)arch_get(w, 3, 10);
    p->w6_rsvd = arch_get(w, 18, 28);
    p->mbfc = arch_get(w, 1, 29);
    p->xmwme = arch_get(w, 1, 30);
    p->csense = arch_get(w, 1, 31);
}

void
pmcw_encode(const struct pmcw *p, uint8_t out[PMCW_SIZE])
{
    zv_put_be32(out + 0, p->intparm);
    zv_put_be32(out + 4, pmcw_word1(p));
    out[8] = p->lpm;
    out[9] = p->pnom;
    out[10] = p->lpum;
    out[11] = p->pim;
    zv_put_be16(out + 12, p->mbi);
    out[14] = p->pom;
    out[15] = p->pam;
    memcpy(out + 16, p->chpid, sizeof(p->chpid)); /* bytes, no order */
    zv_put_be32(out + 24, pmcw_word6(p));
}

void
pmcw_decode(struct pmcw *p, const uint8_t in[PMCW_SIZE])
{
    memset(p, 0, sizeof(*p));
    p->intparm = zv_be32(in + 0);
    pmcw_set_word1(p, zv_be32(in + 4));
    p->lpm = in[8];
    p->pnom = in[9];
    p->lpum = in[10];
    p->pim = in[11];
    p->mbi = zv_be16(in + 12);
    p->pom = in[14];
    p->pam = in[15];
    memcpy(p->chpid, in + 16, sizeof(p->chpid));
    pmcw_set_word6(p, zv_be32(in + 24));
}

/*
 * SCSW word 0: key(4) S L CC(2) | F P I A U Z E N | bit16 FC(3) AC(7)
 * SC(5).  AC spans bytes 2-3, hence the field arithmetic rather than bytes.
 */
static uint32_t
scsw_word0(const struct scsw *s)
{
    return arch_fld(s->key, 4, 3) | arch_fld(s->sctl, 1, 4) |
           arch_fld(s->eswf, 1, 5) | arch_fld(s->cc, 2, 7) |
           arch_fld(s->fmt, 1, 8) | arch_fld(s->pfch, 1, 9) |
           arch_fld(s->isic, 1, 10) | arch_fld(s->alcc, 1, 11) |
           arch_fld(s->ssi, 1, 12) | arch_fld(s->zcc, 1, 13) |
           arch_fld(s->ectl, 1, 14) | arch_fld(s->pno, 1, 15) |
           arch_fld(s->bit16, 1, 16) | arch_fld(s->fctl, 3, 19) |
           arch_fld(s->actl, 7, 26) | arch_fld(s->stctl, 5, 31);
}

static void
scsw_set_word0(struct scsw *s, uint32_t w)
{
    s->key = (uint8_t)arch_get(w, 4, 3);
    s->sctl = arch_get(w, 1, 4);
    s->eswf = arch_get(w, 1, 5);
    s->cc = (uint8_t)arch_get(w, 2, 7);
    s->fmt = arch_get(w, 1, 8);
    s->pfch = arch_get(w, 1, 9);
    s->isic = arch_get(w, 1, 10);
    s->alcc = arch_get(w, 1, 11);
    s->ssi = arch_get(w, 1, 12);
    s->zcc = arch_get(w, 1, 13);
    s->ectl = arch_get(w, 1, 14);
    s->pno = arch_get(w, 1, 15);
    s->bit16 = arch_get(w, 1, 16);
    s->fctl = (uint8_t)arch_get(w, 3, 19);
    s->actl = (uint8_t)arch_get(w, 7, 26);
    s->stctl = (uint8_t)arch_get(w, 5, 31);
}

void
scsw_encode(const struct scsw *s, uint8_t out[SCSW_SIZE])
{
    zv_put_be32(out + 0, scsw_word0(s));
    zv_put_be32(out + 4, s->cpa);
    out[8] = s->dstat;
    out[9] = s->cstat;
    zv_put_be16(out + 10, s->count);
}

void
scsw_decode(struct scsw *s, const uint8_t in[SCSW_SIZE])
{
    memset(s, 0, sizeof(*s));
    scsw_set_word0(s, zv_be32(in + 0));
    s->cpa = zv_be32(in + 4);
    s->dstat = in[8];
    s->cstat = in[9];
    s->count = zv_be16(in + 10);
}

void
schib_encode(const struct schib *s, uint8_t out[SCHIB_SIZE])
{
    pmcw_encode(&s->pmcw, out);
    scsw_encode(&s->scsw, out + PMCW_SIZE);
    zv_put_be64(out + SCHIB_MBA_OFF, s->mba);
    zv_put_be32(out + SCHIB_MDA_OFF, s->mda);
}

void
schib_decode(struct schib *s, const uint8_t in[SCHIB_SIZE])
{
    pmcw_decode(&s->pmcw, in);
    scsw_decode(&s->scsw, in + PMCW_SIZE);
    s->mba = zv_be64(in + SCHIB_MBA_OFF);
    s->mda = zv_be32(in + SCHIB_MDA_OFF);
}

/*
 * MSCH operand check, PoP "Modify Subchannel" (quoted in css-pop.md §2.1):
 * word 1 bits 0, 1, 6, 7 and word 6 bits 0-28 zero; LM (bits 9-10) not
 * both ones; with a format-1 measurement block, word 11 bits 26-31 zero,
 * i.e. the block is 64-byte aligned.  Bit 5 of word 1 is ignored.
 * Struct values wider than their field also count as set reserved bits,
 * so a caller cannot smuggle them past the check.
 * Unsure point: QEMU's mask lets the subchannel type (word 6 bits 8-10)
 * through; the quoted PoP text covers bits 0-28, so ST is checked too.
 * For I/O subchannels ST is 0, so STSCH-modify-MSCH still works.
 */
bool
schib_msch_valid(const struct schib *s)
{
    const struct pmcw *p = &s->pmcw;

    if (p->qf || p->w || p->bits67 != 0)
        return false;
    if (p->lm > 2)
        return false;
    if (p->w6_zone != 0 || p->st != 0 || p->w6_rsvd != 0)
        return false;
    if (p->isc > 7 || p->mme > 3)
        return false;
    if (p->mbfc && (s->mba & 0x3F) != 0)
        return false;
    return true;
}

bool
scsw_is_status_pending(const struct scsw *s)
{
    return (s->stctl & SCSW_STCTL_PENDING) != 0;
}

/*
 * Unsolicited status is alert + status pending and nothing else in SC,
 * with deferred cc 0 (Linux scsw_is_solicited; css-pop.md §3).
 */
bool
scsw_is_solicited(const struct scsw *s)
{
    return s->cc != 0 || s->stctl != (SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
}

/*
 * CCW address (css-pop.md §2.1 validity list, §5.4): meaningful with
 * primary status; with intermediate status pending while the subchannel
 * and device are active (PCI); or while the subchannel is suspended, which
 * STSCH can see without status pending when the program suppressed the
 * suspended interruption (ORB U).  Primary status is architecturally always
 * accompanied by status pending, so it is not tested again.
 */
bool
scsw_cpa_valid(const struct scsw *s)
{
    const uint8_t both = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;

    if (s->stctl & SCSW_STCTL_PRIMARY)
        return true;
    if ((s->stctl & SCSW_STCTL_INTER) && scsw_is_status_pending(s) &&
        (s->actl & both) == both)
        return true;
    return (s->actl & SCSW_ACTL_SUSPENDED) != 0;
}

/*
 * Residual count: primary status and no subchannel status other than PCI
 * and incorrect length (css-pop.md §5.4).
 */
bool
scsw_count_valid(const struct scsw *s)
{
    const uint8_t ok = SCHN_STAT_PCI | SCHN_STAT_INCORR_LEN;

    if (!(s->stctl & SCSW_STCTL_PRIMARY))
        return false;
    return (s->cstat & (uint8_t)~ok) == 0;
}

/* Device and subchannel status: status pending and deferred cc != 3. */
bool
scsw_dstat_valid(const struct scsw *s)
{
    return scsw_is_status_pending(s) && s->cc != 3;
}

/* Deferred cc: start function and status pending (css-pop.md §4.12). */
bool
scsw_cc_valid(const struct scsw *s)
{
    return (s->fctl & SCSW_FCTL_START) && scsw_is_status_pending(s);
}

/* Key, S, F, P, I, A, U come from the ORB: only with the start function. */
bool
scsw_orb_fields_valid(const struct scsw *s)
{
    return (s->fctl & SCSW_FCTL_START) != 0;
}

/* Z: start function with intermediate status. */
bool
scsw_zcc_valid(const struct scsw *s)
{
    return (s->fctl & SCSW_FCTL_START) && (s->stctl & SCSW_STCTL_INTER);
}

/* E: status pending with alert status and without intermediate status. */
bool
scsw_ectl_valid(const struct scsw *s)
{
    return scsw_is_status_pending(s) && (s->stctl & SCSW_STCTL_ALERT) &&
           !(s->stctl & SCSW_STCTL_INTER);
}

/*
 * N: a function is in progress and status is pending, and either the
 * status is not intermediate or the subchannel is suspended.
 */
bool
scsw_pno_valid(const struct scsw *s)
{
    if (s->fctl == 0 || !scsw_is_status_pending(s))
        return false;
    return !(s->stctl & SCSW_STCTL_INTER) ||
           (s->actl & SCSW_ACTL_SUSPENDED) != 0;
}
