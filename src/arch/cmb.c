/* SPDX-License-Identifier: MIT */
/*
 * Channel-measurement blocks, format 0 and 1 (cmb.h).  Format 0: two
 * halfword counts, then five word times, then two reserved words.
 * Format 1: two word counts, seven word times, seven reserved words.
 */
#include "arch/cmb.h"

#include <string.h>

#include "base/bytes.h"

void
cmb_encode(const struct cmb *m, bool fmt1, uint8_t *out)
{
    unsigned n = fmt1 ? CMB_NTIMES : CMB_FMT0_NTIMES;
    uint8_t *t;

    if (fmt1) {
        zv_put_be32(out, m->ssch_rsch_count);
        zv_put_be32(out + 4, m->sample_count);
        t = out + 8;
    } else {
        zv_put_be16(out, (uint16_t)m->ssch_rsch_count);
        zv_put_be16(out + 2, (uint16_t)m->sample_count);
        t = out + 4;
    }
    for (unsigned i = 0; i < n; i++)
        zv_put_be32(t + 4 * i, m->time[i]);
}

void
cmb_decode(struct cmb *m, bool fmt1, const uint8_t *in)
{
    unsigned n = fmt1 ? CMB_NTIMES : CMB_FMT0_NTIMES;
    const uint8_t *t;

    memset(m, 0, sizeof(*m));
    if (fmt1) {
        m->ssch_rsch_count = zv_be32(in);
        m->sample_count = zv_be32(in + 4);
        t = in + 8;
    } else {
        m->ssch_rsch_count = zv_be16(in);
        m->sample_count = zv_be16(in + 2);
        t = in + 4;
    }
    for (unsigned i = 0; i < n; i++)
        m->time[i] = zv_be32(t + 4 * i);
}
