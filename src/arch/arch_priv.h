/* SPDX-License-Identifier: MIT */
/*
 * Private helpers of the arch codecs: place and extract a bit field of a
 * 32-bit architected word named the PoP way (bit 0 = most significant).
 * Words are converted to and from bytes only with base/bytes.h.
 */
#ifndef ZV_ARCH_ARCH_PRIV_H
#define ZV_ARCH_ARCH_PRIV_H

#include <stdint.h>

/* Mask of the low `width` bits (1..32). */
static inline uint32_t
arch_mask(unsigned width)
{
    return width >= 32 ? 0xFFFFFFFFu : ((1u << width) - 1);
}

/* v, masked to `width` bits, placed so that its last bit is PoP bit
 * `end_bit` of the word. */
static inline uint32_t
arch_fld(uint32_t v, unsigned width, unsigned end_bit)
{
    return (v & arch_mask(width)) << (31 - end_bit);
}

/* The `width`-bit field whose last bit is PoP bit `end_bit`. */
static inline uint32_t
arch_get(uint32_t word, unsigned width, unsigned end_bit)
{
    return (word >> (31 - end_bit)) & arch_mask(width);
}

#endif
