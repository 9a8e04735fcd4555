/* SPDX-License-Identifier: MIT */
/*
 * base/mem: address spaces (DESIGN.md, principle 5: no address without a
 * lookup).
 *
 * A zv_as maps non-overlapping ranges [addr, addr+len) of a 64-bit address
 * space to host memory, each with read/write permission.  The host's
 * absolute storage (what the channel subsystem may touch) is one; each
 * mediated device's DMA (IOVA) space is another.  Every access by address
 * goes through one: a miss or a permission failure returns -EFAULT and
 * touches nothing (an access that straddles a hole fails whole).
 *
 * Accesses may cross from one mapping into an adjacent one.
 */
#ifndef ZV_BASE_MEM_H
#define ZV_BASE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZV_MEM_READ  0x1u
#define ZV_MEM_WRITE 0x2u
#define ZV_MEM_RW    (ZV_MEM_READ | ZV_MEM_WRITE)
/*
 * A tripwire mapping (tests, explorer, fuzzers): accessible as its R/W
 * bits say, so the world behaves as if memory were there, but every
 * read, write or pointer lookup that touches it is counted
 * (zv_as_trips).  Canary storage that nobody was granted is mapped so;
 * a count above zero is a breach of isolation, whatever the bytes say.
 */
#define ZV_MEM_TRIP 0x4u

struct zv_as;

struct zv_as *zv_as_new(const char *name);
void zv_as_free(struct zv_as *as);
const char *zv_as_name(const struct zv_as *as);

/* -EINVAL on len 0 or wrap-around, -EEXIST on overlap, -ENOMEM. */
int zv_as_map(struct zv_as *as, uint64_t addr, uint64_t len, void *host,
              unsigned prot);
/* Removes exactly the mappings fully inside [addr, addr+len); a mapping
 * that only partly overlaps is split.  Returns 0, or -ENOENT if nothing was
 * mapped there. */
int zv_as_unmap(struct zv_as *as, uint64_t addr, uint64_t len);

/* 0 or -EFAULT (unmapped, no permission, or wrap-around). */
int zv_as_read(const struct zv_as *as, uint64_t addr, void *buf, size_t len);
int zv_as_write(struct zv_as *as, uint64_t addr, const void *buf, size_t len);
/* Is every byte of the range mapped with at least prot? */
bool zv_as_check(const struct zv_as *as, uint64_t addr, uint64_t len,
                 unsigned prot);
/*
 * Host pointer to a range that lies within ONE mapping with prot, or NULL.
 * Valid until that range is unmapped.  For hot paths that copy a block.
 */
void *zv_as_ptr(const struct zv_as *as, uint64_t addr, uint64_t len,
                unsigned prot);

/*
 * Host memory of [addr, addr+len) as iovecs for preadv/pwritev, each
 * segment inside one mapping (so no pointer reaches past a mapping's
 * bounds, principle 5); mappings that follow one another in host memory
 * too share a segment.  Every byte must be mapped with at least prot.
 * Returns the number of segments (1..max), -EFAULT (a hole, no
 * permission, len 0 or wrap-around: nothing is filled that may be used),
 * or -E2BIG when more than max segments would be needed.  A segment in a
 * ZV_MEM_TRIP mapping counts one trip, as a pointer lookup does.
 */
struct iovec;
int zv_as_iov(const struct zv_as *as, uint64_t addr, uint64_t len,
              unsigned prot, struct iovec *iov, int max);

/* Big-endian helpers for architected fields in memory. 0 or -EFAULT. */
int zv_as_read_be32(const struct zv_as *as, uint64_t addr, uint32_t *val);
int zv_as_read_be64(const struct zv_as *as, uint64_t addr, uint64_t *val);

/* Accesses so far that touched a ZV_MEM_TRIP mapping. */
uint64_t zv_as_trips(const struct zv_as *as);

/* Visit every mapping in address order (for dumps and tests). */
typedef void (*zv_as_visit_fn)(void *arg, uint64_t addr, uint64_t len,
                               void *host, unsigned prot);
void zv_as_foreach(const struct zv_as *as, zv_as_visit_fn fn, void *arg);
size_t zv_as_count(const struct zv_as *as);

/*
 * An arena: a window [base, base+size) of an address space backed by host
 * memory the arena owns, with an allocator.  Used for host absolute storage
 * (channel programs built by drivers must live below 2 GiB) and for test
 * guest memory.
 */
struct zv_arena;

/* Maps a zero-filled buffer of size bytes at base in as, read/write. */
struct zv_arena *zv_arena_new(struct zv_as *as, uint64_t base, uint64_t size);
/* Unmaps and frees; outstanding allocations die with it. */
void zv_arena_free(struct zv_arena *arena);
/*
 * Allocate len bytes aligned to align (power of two, >= 8).  Returns 0 and
 * sets *addr (address in the space) and *host (pointer), zero-filled;
 * -ENOMEM when full.
 */
int zv_arena_alloc(struct zv_arena *arena, uint64_t len, uint64_t align,
                   uint64_t *addr, void **host);
/* addr must be one returned by zv_arena_alloc; -EINVAL otherwise. */
int zv_arena_release(struct zv_arena *arena, uint64_t addr);
/* For a share: the parent's base, and its limit as the size. */
uint64_t zv_arena_base(const struct zv_arena *arena);
uint64_t zv_arena_size(const struct zv_arena *arena);
uint64_t zv_arena_in_use(const struct zv_arena *arena);
size_t zv_arena_live(const struct zv_arena *arena);

/*
 * A share of an arena for one user (a device): an arena whose
 * allocations come first from `reserve` bytes carved from parent now and
 * kept for this share alone, then from parent's free space, and which
 * holds at most `limit` bytes in all (-ENOMEM past it).  in_use and live
 * count the share's own allocations; zv_arena_free gives back the reserve
 * and anything still allocated.  NULL if parent cannot give the reserve
 * (or parent is a share, or limit < reserve, or limit is 0).
 */
struct zv_arena *zv_arena_share_new(struct zv_arena *parent, uint64_t reserve,
                                    uint64_t limit);
uint64_t zv_arena_share_reserve(const struct zv_arena *share);

#endif
