/* SPDX-License-Identifier: MIT */
/* Operation-request block, command mode (css-pop.md §2.2). */
#ifndef ZV_ARCH_ORB_H
#define ZV_ARCH_ORB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORB_SIZE     12 /* X = 0 */
#define ORB_EXT_SIZE 32 /* X = 1 */

struct orb {
    uint32_t intparm;
    uint8_t key; /* w1 bits 0-3 */
    bool spnd;   /* S: suspend control */
    bool str;    /* C: streaming mode */
    bool mod;    /* M */
    bool sync;   /* Y */
    bool fmt;    /* F: 1 = format-1 CCWs */
    bool pfch;   /* P: prefetch allowed */
    bool isic;   /* I: initial-status interruption */
    bool alcc;   /* A: address-limit checking */
    bool ssic;   /* U: suppress-suspended interruption */
    bool b;      /* B: transport mode (unsupported: operand exception) */
    bool c64;    /* H: format-2 IDAWs */
    bool i2k;    /* T: 2K format-2 IDAWs */
    uint8_t lpm;
    bool ils;     /* L: incorrect-length suppression mode */
    bool midaw;   /* D: MIDAW control */
    uint8_t rsvd; /* w1 bits 26-30, must be 0 */
    bool x;       /* ORB extension */
    uint32_t cpa; /* bit 0 must be 0 */
    /* X = 1 only */
    uint8_t css_prio;
    uint8_t cu_prio;
    uint32_t ext_rsvd; /* OR of all other reserved extension bits */
};

/* Encodes ORB_SIZE or, with x, ORB_EXT_SIZE bytes; returns the size. */
size_t orb_encode(const struct orb *o, uint8_t *out);
/* Decodes len (12 or 32) bytes; the extension only when x and len == 32. */
void orb_decode(struct orb *o, const uint8_t *in, size_t len);

/*
 * Operand check of SSCH (css-pop.md §2.2): B, reserved bits 26-30, CPA
 * bit 0, D without the MIDAW facility, L without the ILS facility, and
 * reserved extension bits.  false = operand exception.
 */
struct orb_facilities {
    bool midaw;
    bool ils;
};
bool orb_valid(const struct orb *o, const struct orb_facilities *fac);

#endif
