/* SPDX-License-Identifier: MIT */
/* Shared helpers of the arch tests: a seeded PRNG for round trips and a
 * byte-buffer check that prints both buffers on mismatch. */
#ifndef ZV_TESTS_ARCH_TEST_H
#define ZV_TESTS_ARCH_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define ROUNDS 20000

/* xorshift64*: deterministic, so a failure replays. */
static inline uint64_t
t_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static inline uint32_t
t_bits(uint64_t *s, unsigned width)
{
    uint64_t v = t_rand(s) >> 32;
    return width >= 32 ? (uint32_t)v : (uint32_t)(v & ((1u << width) - 1));
}

static inline void
t_fill(uint64_t *s, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(t_rand(s) >> 56);
}

static inline void
t_dump(const char *what, const uint8_t *b, size_t len)
{
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < len; i++)
        fprintf(stderr, "%s%02x", (i % 4) ? "" : " ", b[i]);
    fprintf(stderr, "\n");
}

#define assert_bytes_equal(got, want, len)                                     \
    do {                                                                       \
        if (memcmp((got), (want), (len)) != 0) {                               \
            t_dump("got ", (got), (len));                                      \
            t_dump("want", (want), (len));                                     \
            fail_msg("byte image differs");                                    \
        }                                                                      \
    } while (0)

#endif
