/* SPDX-License-Identifier: MIT */
/* Channel-report word (css-pop.md §2.6): 0 S R C RSC(4) | A 0 ERC(6) |
 * RSID(16).  Reserved bits 0 and 9 are stored as zero. */
#include "arch/crw.h"

#include <string.h>

#include "arch/arch_priv.h"
#include "base/bytes.h"

uint32_t
crw_to_word(const struct crw *c)
{
    return arch_fld(c->slct, 1, 1) | arch_fld(c->oflw, 1, 2) |
           arch_fld(c->chn, 1, 3) | arch_fld(c->rsc, 4, 7) |
           arch_fld(c->anc, 1, 8) | arch_fld(c->erc, 6, 15) |
           arch_fld(c->rsid, 16, 31);
}

void
crw_from_word(struct crw *c, uint32_t w)
{
    memset(c, 0, sizeof(*c));
    c->slct = arch_get(w, 1, 1);
    c->oflw = arch_get(w, 1, 2);
    c->chn = arch_get(w, 1, 3);
    c->rsc = (uint8_t)arch_get(w, 4, 7);
    c->anc = arch_get(w, 1, 8);
    c->erc = (uint8_t)arch_get(w, 6, 15);
    c->rsid = (uint16_t)arch_get(w, 16, 31);
}

void
crw_encode(const struct crw *c, uint8_t out[4])
{
    zv_put_be32(out, crw_to_word(c));
}

void
crw_decode(struct crw *c, const uint8_t in[4])
{
    crw_from_word(c, zv_be32(in));
}
