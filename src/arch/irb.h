/* SPDX-License-Identifier: MIT */
/* Interruption-response block: SCSW + ESW + ECW + EMW (css-pop.md §2.3). */
#ifndef ZV_ARCH_IRB_H
#define ZV_ARCH_IRB_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/schib.h"

#define IRB_SIZE      96
#define IRB_BASE_SIZE 64 /* without EMW */
#define ECW_SIZE      32
#define EMW_SIZE      32
#define ESW_SIZE      20

/* Extended-report word (ESW word 1) */
struct erw {
    bool r;       /* bit 1: request logging only */
    bool l;       /* bit 2: extended logout pending */
    bool a;       /* bit 3: authorization check */
    bool p;       /* bit 4: path verification required */
    bool t;       /* bit 5: channel-path timeout */
    bool f;       /* bit 6: failing-storage address valid */
    bool s;       /* bit 7: concurrent sense */
    bool c;       /* bit 8: secondary-CCW address valid */
    bool fsaf;    /* bit 9: failing-storage-address format */
    uint8_t scnt; /* bits 10-15: sense count */
};

/* Subchannel logout (format-0 ESW word 0) */
struct sublog {
    uint8_t esf;   /* bits 1-7 */
    uint8_t lpum;  /* bits 8-15 */
    bool arep;     /* bit 16 */
    uint8_t fvf;   /* bits 17-21 */
    uint8_t sacc;  /* bits 22-23 */
    uint8_t termc; /* bits 24-25 */
    bool devsc;    /* bit 26 */
    bool serr;     /* bit 27 */
    bool ioerr;    /* bit 28 */
    uint8_t seqc;  /* bits 29-31 */
};

/*
 * The ESW, decoded.  Which fields mean something depends on the format
 * (SCSW L selects format 0).  Formats 1-3 use lpum (byte 1), erw and, for
 * format 2, dcti.  Format 0 uses sublog, erw, faddr and saddr.
 */
struct esw {
    struct sublog sublog; /* format 0 word 0 */
    uint8_t lpum;         /* formats 1-3: byte 1 */
    uint16_t dcti;        /* format 2: bytes 2-3 */
    struct erw erw;       /* word 1 */
    uint64_t faddr;       /* format 0: words 2-3 */
    uint32_t saddr;       /* format 0: word 4 */
};

struct irb {
    struct scsw scsw;
    struct esw esw;
    uint8_t ecw[ECW_SIZE];
    uint8_t emw[EMW_SIZE];
};

void erw_encode(const struct erw *e, uint8_t out[4]);
void erw_decode(struct erw *e, const uint8_t in[4]);
/* ESW is 20 bytes; eswf selects format 0 (sublog) vs 1-3 (lpum/dcti). */
void esw_encode(const struct esw *e, bool eswf, uint8_t out[20]);
void esw_decode(struct esw *e, bool eswf, const uint8_t in[20]);
/* Always IRB_SIZE bytes (the EMW is zero unless the caller filled it). */
void irb_encode(const struct irb *irb, uint8_t out[IRB_SIZE]);
void irb_decode(struct irb *irb, const uint8_t in[IRB_SIZE]);

#endif
