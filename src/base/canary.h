/* SPDX-License-Identifier: MIT */
/*
 * base/canary: storage nobody was granted, mapped so that a breach shows.
 *
 * Each region is mapped into an address space as a tripwire (ZV_MEM_TRIP:
 * readable and writable, so the world behaves as if memory were there)
 * and filled with a pattern derived from its addresses.  zv_canary_check
 * reports a breach when anything read or wrote there since the last
 * check (the space's trip count moved) or a byte differs from the
 * pattern.  Used by the tests, the simulation explorer and the fuzzers
 * around everything a client did not map: low host storage, the pages
 * around the channel-program arena.
 */
#ifndef ZV_BASE_CANARY_H
#define ZV_BASE_CANARY_H

#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"

struct zv_canary;

struct zv_canary *zv_canary_new(struct zv_as *as);
/* Unmaps every region and frees. NULL is a no-op. */
void zv_canary_free(struct zv_canary *c);
/* Map [addr, addr+len) as a canary region: -EEXIST if something is
 * mapped there, -ENOMEM, -EINVAL. */
int zv_canary_add(struct zv_canary *c, uint64_t addr, uint64_t len);
/* One page below and one above [base, base+size), where free. */
int zv_canary_around(struct zv_canary *c, uint64_t base, uint64_t size);
/* The pattern byte at addr (what a device must never receive). */
uint8_t zv_canary_byte(uint64_t addr);
/*
 * 0 when untouched since the last check; else -1 and why (if non-NULL,
 * up to n bytes) names the first breach.  A breach found is reported
 * once: the trip count is re-based and the pattern restored.
 */
int zv_canary_check(struct zv_canary *c, char *why, size_t n);
/*
 * The per-event form: every read, write and pointer lookup through the
 * space moves its trip count, so while the count is where the last check
 * left it nothing can have touched a canary and the byte compare is
 * skipped.  Otherwise as zv_canary_check.
 */
int zv_canary_check_quick(struct zv_canary *c, char *why, size_t n);

#endif
