/* SPDX-License-Identifier: MIT */
/*
 * Operation-request block, command mode (css-pop.md §2.2).
 * Word 1: key(4) S C M Y | F P I A U B H T | LPM(8) | L D rsvd(5) X.
 */
#include "arch/orb.h"

#include <string.h>

#include "arch/arch_priv.h"
#include "base/bytes.h"

#define ORB_CPA_BIT0 0x80000000u
_Static_assert(ORB_SIZE == 3 * 4 && ORB_EXT_SIZE == 8 * 4,
               "ORB is 3 words, 8 with the extension");
/* Extension word 3: CSS priority bits 0-7, CU priority bits 16-23. */
#define ORB_W3_RSVD 0x00FF00FFu

static uint32_t
orb_word1(const struct orb *o)
{
    return arch_fld(o->key, 4, 3) | arch_fld(o->spnd, 1, 4) |
           arch_fld(o->str, 1, 5) | arch_fld(o->mod, 1, 6) |
           arch_fld(o->sync, 1, 7) | arch_fld(o->fmt, 1, 8) |
           arch_fld(o->pfch, 1, 9) | arch_fld(o->isic, 1, 10) |
           arch_fld(o->alcc, 1, 11) | arch_fld(o->ssic, 1, 12) |
           arch_fld(o->b, 1, 13) | arch_fld(o->c64, 1, 14) |
           arch_fld(o->i2k, 1, 15) | arch_fld(o->lpm, 8, 23) |
           arch_fld(o->ils, 1, 24) | arch_fld(o->midaw, 1, 25) |
           arch_fld(o->rsvd, 5, 30) | arch_fld(o->x, 1, 31);
}

static void
orb_set_word1(struct orb *o, uint32_t w)
{
    o->key = (uint8_t)arch_get(w, 4, 3);
    o->spnd = arch_get(w, 1, 4);
    o->str = arch_get(w, 1, 5);
    o->mod = arch_get(w, 1, 6);
    o->sync = arch_get(w, 1, 7);
    o->fmt = arch_get(w, 1, 8);
    o->pfch = arch_get(w, 1, 9);
    o->isic = arch_get(w, 1, 10);
    o->alcc = arch_get(w, 1, 11);
    o->ssic = arch_get(w, 1, 12);
    o->b = arch_get(w, 1, 13);
    o->c64 = arch_get(w, 1, 14);
    o->i2k = arch_get(w, 1, 15);
    o->lpm = (uint8_t)arch_get(w, 8, 23);
    o->ils = arch_get(w, 1, 24);
    o->midaw = arch_get(w, 1, 25);
    o->rsvd = (uint8_t)arch_get(w, 5, 30);
    o->x = arch_get(w, 1, 31);
}

/*
 * The decoded form keeps reserved extension bits only as a non-zero
 * summary (ext_rsvd), so the encoder puts that value in word 4; decoding
 * the result yields the same struct.
 */
size_t
orb_encode(const struct orb *o, uint8_t *out)
{
    zv_put_be32(out + 0, o->intparm);
    zv_put_be32(out + 4, orb_word1(o));
    zv_put_be32(out + 8, o->cpa);
    if (!o->x)
        return ORB_SIZE;
    memset(out + ORB_SIZE, 0, ORB_EXT_SIZE - ORB_SIZE);
    out[12] = o->css_prio;
    out[14] = o->cu_prio;
    zv_put_be32(out + 16, o->ext_rsvd);
    return ORB_EXT_SIZE;
}

static uint32_t
orb_ext_rsvd(const uint8_t *in)
{
    uint32_t r = zv_be32(in + 12) & ORB_W3_RSVD;

    for (size_t off = 16; off < ORB_EXT_SIZE; off += 4)
        r |= zv_be32(in + off);
    return r;
}

/* A short buffer (len < ORB_SIZE) decodes as an all-zero ORB. */
void
orb_decode(struct orb *o, const uint8_t *in, size_t len)
{
    memset(o, 0, sizeof(*o));
    if (len < ORB_SIZE)
        return;
    o->intparm = zv_be32(in + 0);
    orb_set_word1(o, zv_be32(in + 4));
    o->cpa = zv_be32(in + 8);
    if (!o->x || len < ORB_EXT_SIZE)
        return;
    o->css_prio = in[12];
    o->cu_prio = in[14];
    o->ext_rsvd = orb_ext_rsvd(in);
}

/*
 * SSCH operand check (css-pop.md §2.2): transport mode (B) is not
 * provided; word 1 bits 26-30 are reserved; the CPA is a 31-bit address;
 * L and D need their facilities; reserved extension bits must be zero.
 * Struct values wider than their field count as reserved bits set.
 */
bool
orb_valid(const struct orb *o, const struct orb_facilities *fac)
{
    bool has_midaw = fac && fac->midaw;
    bool has_ils = fac && fac->ils;

    if (o->b || o->rsvd != 0 || (o->cpa & ORB_CPA_BIT0))
        return false;
    if (o->key > 0xF)
        return false;
    if (o->midaw && !has_midaw)
        return false;
    if (o->ils && !has_ils)
        return false;
    if (o->x && o->ext_rsvd != 0)
        return false;
    return true;
}
