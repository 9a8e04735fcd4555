/* SPDX-License-Identifier: MIT */
#ifndef ZV_BASE_BYTES_H
#define ZV_BASE_BYTES_H

/* Big-endian load/store: the only byte-order primitives in the tree.
 * Used by arch/ codecs and by base/mem for architected memory fields. */
#include <stdint.h>

static inline uint16_t
zv_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t
zv_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t
zv_be64(const uint8_t *p)
{
    return ((uint64_t)zv_be32(p) << 32) | zv_be32(p + 4);
}
static inline void
zv_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void
zv_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void
zv_put_be64(uint8_t *p, uint64_t v)
{
    zv_put_be32(p, (uint32_t)(v >> 32));
    zv_put_be32(p + 4, (uint32_t)v);
}

#endif
