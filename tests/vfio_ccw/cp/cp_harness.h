/* SPDX-License-Identifier: MIT */
/*
 * Test world for channel-program translation: a guest DMA (IOVA) space
 * holding a guest buffer, a host absolute space that maps the same buffer
 * above 4G (so only format-2 IDAWs reach it) and a host arena just below
 * 2G for the host programs.  pin() is a fake that counts.
 */
#ifndef ZV_TEST_CP_HARNESS_H
#define ZV_TEST_CP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio_ccw/cp.h"

#define H_GBASE    0x00400000ull  /* guest buffer IOVA (< 16M: format-0) */
#define H_GSIZE    0x00100000ull  /* 1 MiB */
#define H_HBASE    0x200000000ull /* the same buffer in host storage */
#define H_ARENA    0x7fe00000ull  /* host program arena, below 2G */
#define H_ARENA_SZ 0x00200000ull

struct harness;
typedef void (*h_pin_hook)(struct harness *h, uint64_t iova);

struct harness {
    struct zv_as *iova;
    struct zv_as *host_as;
    struct zv_arena *arena;
    uint8_t *gbuf;
    struct cp_env env;
    long pins;        /* outstanding pins */
    long pin_calls;   /* total pin() calls */
    long fail_pin_at; /* fail the n-th pin call (1-based), 0 = never */
    h_pin_hook hook;  /* runs inside pin(): a guest racing the translator */
    void *hook_arg;
};

struct harness *h_new(void);
/* Like h_new with a host arena of arena_size bytes. */
struct harness *h_new_sized(uint64_t arena_size);
void h_free(struct harness *h);
/* Nothing the translator took is still held: no pin, no arena block. */
void h_assert_clean(const struct harness *h);
/* cmocka fixtures: *state is a fresh harness; teardown asserts it is
 * clean before freeing it. */
int h_setup(void **state);
int h_teardown(void **state);
/* A harness with one translated program and its host ORB. */
struct h_tx {
    struct harness *h;
    struct cp *cp;
    struct orb host;
};
/* cmocka teardown for a struct h_tx: frees the program, asserts the
 * harness is clean, frees both. */
int h_tx_teardown(void **state);

/* Guest-side builders (all through the IOVA space, big-endian). */
void h_ccw1(struct harness *h, uint64_t addr, uint8_t cmd, uint8_t flags,
            uint16_t count, uint32_t cda);
void h_ccw0(struct harness *h, uint64_t addr, uint8_t cmd, uint8_t flags,
            uint16_t count, uint32_t cda);
void h_idaw1(struct harness *h, uint64_t addr, uint32_t val);
void h_idaw2(struct harness *h, uint64_t addr, uint64_t val);
/* Fill [addr, addr+len) with a pattern derived from addr. */
void h_pattern(struct harness *h, uint64_t addr, uint32_t len);

/* A format-1 ORB with prefetch, format-2 4K IDAWs unless changed. */
struct orb h_orb(uint32_t cpa);

/* Host side: decode the host CCW at host address haddr. */
struct ccw1 h_host_ccw(const struct harness *h, uint64_t haddr);
uint64_t h_host_idaw(const struct harness *h, uint64_t haddr);
/*
 * Walk the host CCW at haddr (format-2 IDAWs of block bs) the way the
 * host channel would, forward, and copy its count bytes from host
 * storage.  Checks every IDAW after the first sits on a block boundary.
 * Returns the number of IDAWs used, -1 on a violation.
 */
int h_host_gather(const struct harness *h, uint64_t haddr, uint32_t bs,
                  uint8_t *out);
/* The guest's bytes at iova. */
void h_guest_read(const struct harness *h, uint64_t iova, void *out,
                  uint32_t len);

#endif
