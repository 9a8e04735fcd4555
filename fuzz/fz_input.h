/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fz_input.h: the fuzz targets' input reader.  A fuzzer input is read
 * front to back as big-endian numbers and byte strings; once it runs out
 * every read yields zeros, so any input decodes to a complete run.
 */
#ifndef ZV_FUZZ_FZ_INPUT_H
#define ZV_FUZZ_FZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz_input {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t
in_u8(struct fz_input *in)
{
    uint8_t v = 0;

    if (in->n) {
        v = *in->p++;
        in->n--;
    }
    return v;
}

/* Big-endian; the two reads are sequenced so every compiler decodes an
 * input alike. */
static inline uint16_t
in_u16(struct fz_input *in)
{
    uint16_t hi = in_u8(in);

    return (uint16_t)(hi << 8 | in_u8(in));
}

static inline uint32_t
in_u32(struct fz_input *in)
{
    uint32_t hi = in_u16(in);

    return hi << 16 | in_u16(in);
}

/* len bytes of input, zeros once it runs out. */
static inline void
in_bytes(struct fz_input *in, uint8_t *buf, size_t len)
{
    size_t n = len < in->n ? len : in->n;

    memcpy(buf, in->p, n);
    memset(buf + n, 0, len - n);
    in->p += n;
    in->n -= n;
}

#endif
