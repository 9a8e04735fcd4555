/* SPDX-License-Identifier: MIT */
/*
 * base/mem arena: an allocator over a window of an address space.
 *
 * All bookkeeping lives outside the arena's memory: that memory is reachable
 * through the address space (by a channel program, a device, a guest), so
 * nothing stored there may steer the allocator.
 *
 *  - free extents: a sorted array of [off, off+len), coalesced on release;
 *    allocation is first-fit.
 *  - live blocks: an open-addressing hash keyed by offset, so release can
 *    validate its argument.
 *  - quick lists: released small blocks are parked per size class and
 *    handed out again without touching the extent array (O(1) for the
 *    alloc/free-per-I/O pattern of drivers).  They are flushed back into the
 *    extents when a first-fit search fails.
 *
 * A share (zv_arena_share_new) is a struct zv_arena too, so a user that
 * takes an arena (the channel-program translator) takes a share unchanged:
 * it owns a sub-arena over a block reserved from its parent (same
 * allocator, no mapping of its own) and borrows from the parent past it,
 * holding at most `limit` bytes in all.  The parent's in_use and live
 * count what its users hold, through shares too: a reserve block is set
 * aside, not in use, until something is allocated in it.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/mem.h"

#define ARENA_GRAIN      8u
#define ARENA_QUICK_MAX  4096u
#define ARENA_QUICK_NCLS (ARENA_QUICK_MAX / ARENA_GRAIN)

struct arena_ext {
    uint64_t off;
    uint64_t len;
};

enum arena_blk_state {
    ARENA_BLK_LIVE = 1,
    ARENA_BLK_PARKED, /* on a quick list */
};

struct arena_blk {
    uint64_t key; /* off + 1; 0 = empty slot */
    uint64_t len;
    uint8_t state;
};

struct arena_quick {
    uint64_t *offs;
    size_t n;
    size_t cap;
};

struct zv_arena {
    struct zv_as *as;
    uint64_t base;
    uint64_t size;
    uint8_t *buf;

    struct arena_ext *ext;
    size_t next;
    size_t capext;

    struct arena_blk *tab;
    size_t tabcap; /* power of two */
    size_t tabused;

    struct arena_quick quick[ARENA_QUICK_NCLS];

    uint64_t in_use;
    size_t live;

    bool sub; /* over a block of another arena: buf and mapping not ours */

    /* A share: parent is the pool, own the reserve (NULL if none). */
    struct zv_arena *parent;
    struct zv_arena *own;
    uint64_t own_addr; /* the reserve's block in parent */
    uint64_t limit;
    uint64_t *borrowed; /* blocks taken from parent, unordered */
    size_t nborrowed;
    size_t capborrowed;
};

/* ---- live-block hash ---------------------------------------------------- */

static size_t
blk_slot(const struct zv_arena *a, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (a->tabcap - 1);
}

static struct arena_blk *
blk_find(const struct zv_arena *a, uint64_t off)
{
    uint64_t key = off + 1;

    for (size_t i = blk_slot(a, key);; i = (i + 1) & (a->tabcap - 1)) {
        if (a->tab[i].key == key)
            return &a->tab[i];
        if (a->tab[i].key == 0)
            return NULL;
    }
}

static void
blk_place(struct zv_arena *a, const struct arena_blk *b)
{
    size_t i = blk_slot(a, b->key);

    while (a->tab[i].key != 0)
        i = (i + 1) & (a->tabcap - 1);
    a->tab[i] = *b;
}

static int
blk_grow(struct zv_arena *a)
{
    struct arena_blk *old = a->tab;
    size_t oldcap = a->tabcap;
    size_t cap = oldcap ? oldcap * 2 : 64;

    a->tab = calloc(cap, sizeof(*a->tab));
    if (!a->tab) {
        a->tab = old;
        return -ENOMEM;
    }
    a->tabcap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key)
            blk_place(a, &old[i]);
    }
    free(old);
    return 0;
}

static int
blk_insert(struct zv_arena *a, uint64_t off, uint64_t len)
{
    struct arena_blk b = {.key = off + 1, .len = len, .state = ARENA_BLK_LIVE};

    /* keep the load factor under 1/2 */
    if ((a->tabused + 1) * 2 > a->tabcap && blk_grow(a) < 0)
        return -ENOMEM;
    blk_place(a, &b);
    a->tabused++;
    return 0;
}

/* Backward-shift deletion: no tombstones, probe chains stay short. */
static void
blk_remove(struct zv_arena *a, struct arena_blk *b)
{
    size_t mask = a->tabcap - 1;
    size_t hole = (size_t)(b - a->tab);

    for (size_t i = (hole + 1) & mask; a->tab[i].key; i = (i + 1) & mask) {
        size_t home = blk_slot(a, a->tab[i].key);

        /* move entry i into the hole if its home is not in (hole, i] */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            a->tab[hole] = a->tab[i];
            hole = i;
        }
    }
    a->tab[hole].key = 0;
    a->tabused--;
}

/* ---- free extents ------------------------------------------------------ */

static int
ext_reserve(struct zv_arena *a, size_t extra)
{
    size_t cap = a->capext ? a->capext : 16;
    struct arena_ext *e;

    while (cap < a->next + extra)
        cap *= 2;
    if (cap == a->capext)
        return 0;
    e = realloc(a->ext, cap * sizeof(*e));
    if (!e)
        return -ENOMEM;
    a->ext = e;
    a->capext = cap;
    return 0;
}

static void
ext_insert_at(struct zv_arena *a, size_t i, uint64_t off, uint64_t len)
{
    memmove(&a->ext[i + 1], &a->ext[i], (a->next - i) * sizeof(a->ext[0]));
    a->ext[i] = (struct arena_ext){.off = off, .len = len};
    a->next++;
}

static void
ext_remove_at(struct zv_arena *a, size_t i)
{
    memmove(&a->ext[i], &a->ext[i + 1], (a->next - i - 1) * sizeof(a->ext[0]));
    a->next--;
}

/* Give [off, off+len) back, merging with its neighbours. */
static int
ext_free(struct zv_arena *a, uint64_t off, uint64_t len)
{
    size_t lo = 0, hi = a->next;
    bool merge_prev, merge_next;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (a->ext[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    merge_prev = lo > 0 && a->ext[lo - 1].off + a->ext[lo - 1].len == off;
    merge_next = lo < a->next && off + len == a->ext[lo].off;
    if (merge_prev && merge_next) {
        a->ext[lo - 1].len += len + a->ext[lo].len;
        ext_remove_at(a, lo);
    } else if (merge_prev) {
        a->ext[lo - 1].len += len;
    } else if (merge_next) {
        a->ext[lo].off = off;
        a->ext[lo].len += len;
    } else {
        if (ext_reserve(a, 1) < 0)
            return -ENOMEM;
        ext_insert_at(a, lo, off, len);
    }
    return 0;
}

/* First fit: carve len bytes at an address aligned to align. */
static int
ext_alloc(struct zv_arena *a, uint64_t len, uint64_t align, uint64_t *off)
{
    /* A carve from the middle of an extent leaves two pieces. */
    if (ext_reserve(a, 1) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < a->next; i++) {
        struct arena_ext *e = &a->ext[i];
        uint64_t addr = a->base + e->off;
        uint64_t pad = (align - (addr & (align - 1))) & (align - 1);
        uint64_t tail;

        if (pad > e->len || e->len - pad < len)
            continue;
        *off = e->off + pad;
        tail = e->len - pad - len;
        if (pad && tail) {
            e->len = pad;
            ext_insert_at(a, i + 1, *off + len, tail);
        } else if (pad) {
            e->len = pad;
        } else if (tail) {
            e->off += len;
            e->len = tail;
        } else {
            ext_remove_at(a, i);
        }
        return 0;
    }
    return -ENOMEM;
}

/* ---- quick lists ------------------------------------------------------- */

static struct arena_quick *
quick_class(struct zv_arena *a, uint64_t len)
{
    return len <= ARENA_QUICK_MAX ? &a->quick[len / ARENA_GRAIN - 1] : NULL;
}

static int
quick_push(struct arena_quick *q, uint64_t off)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        uint64_t *o = realloc(q->offs, cap * sizeof(*o));

        if (!o)
            return -ENOMEM;
        q->offs = o;
        q->cap = cap;
    }
    q->offs[q->n++] = off;
    return 0;
}

/* Take a parked block of exactly this class if the newest one is aligned. */
static bool
quick_take(struct zv_arena *a, uint64_t len, uint64_t align, uint64_t *off)
{
    struct arena_quick *q = quick_class(a, len);
    struct arena_blk *b;

    if (!q || q->n == 0 || ((a->base + q->offs[q->n - 1]) & (align - 1)))
        return false;
    *off = q->offs[--q->n];
    b = blk_find(a, *off);
    assert(b && b->state == ARENA_BLK_PARKED); /* parked blocks stay hashed */
    b->state = ARENA_BLK_LIVE;
    return true;
}

/* Return every parked block to the extents so first fit can coalesce. */
static void
quick_flush(struct zv_arena *a)
{
    for (size_t c = 0; c < ARENA_QUICK_NCLS; c++) {
        struct arena_quick *q = &a->quick[c];

        while (q->n > 0) {
            uint64_t off = q->offs[q->n - 1];
            struct arena_blk *b = blk_find(a, off);
            uint64_t len;

            assert(b && b->state == ARENA_BLK_PARKED);
            len = b->len;

            if (ext_free(a, off, len) < 0)
                return; /* keep it parked; still consistent */
            q->n--;
            blk_remove(a, b);
        }
    }
}

/* ---- public API -------------------------------------------------------- */

struct zv_arena *
zv_arena_new(struct zv_as *as, uint64_t base, uint64_t size)
{
    struct zv_arena *a;

    if (size == 0 || size - 1 > UINT64_MAX - base || size > SIZE_MAX)
        return NULL;
    a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->as = as;
    a->base = base;
    a->size = size;
    /* anonymous memory: zero-filled and only backed when touched */
    a->buf = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a->buf == MAP_FAILED)
        goto err_free;
    if (ext_reserve(a, 1) < 0 || blk_grow(a) < 0)
        goto err_unmap;
    ext_insert_at(a, 0, 0, size);
    if (zv_as_map(as, base, size, a->buf, ZV_MEM_RW) < 0)
        goto err_unmap;
    return a;

err_unmap:
    munmap(a->buf, (size_t)size);
err_free:
    free(a->ext);
    free(a->tab);
    free(a);
    return NULL;
}

static void share_free(struct zv_arena *share);

void
zv_arena_free(struct zv_arena *arena)
{
    if (!arena)
        return;
    if (arena->parent) {
        share_free(arena);
        return;
    }
    if (!arena->sub) {
        zv_as_unmap(arena->as, arena->base, arena->size);
        munmap(arena->buf, (size_t)arena->size);
    }
    for (size_t c = 0; c < ARENA_QUICK_NCLS; c++)
        free(arena->quick[c].offs);
    free(arena->ext);
    free(arena->tab);
    free(arena);
}

static int
arena_carve(struct zv_arena *a, uint64_t len, uint64_t align, uint64_t *off)
{
    int rc = ext_alloc(a, len, align, off);

    if (rc == -ENOMEM) {
        quick_flush(a);
        rc = ext_alloc(a, len, align, off);
    }
    if (rc < 0)
        return rc;
    rc = blk_insert(a, *off, len);
    if (rc < 0)
        ext_free(a, *off, len);
    return rc;
}

static int share_alloc(struct zv_arena *share, uint64_t len, uint64_t align,
                       uint64_t *addr, void **host);
static int share_release(struct zv_arena *share, uint64_t addr);

int
zv_arena_alloc(struct zv_arena *arena, uint64_t len, uint64_t align,
               uint64_t *addr, void **host)
{
    uint64_t off;
    int rc;

    if (len == 0 || align < ARENA_GRAIN || (align & (align - 1)))
        return -EINVAL;
    if (arena->parent)
        return share_alloc(arena, len, align, addr, host);
    if (len > arena->size)
        return -ENOMEM;
    len = (len + ARENA_GRAIN - 1) & ~(uint64_t)(ARENA_GRAIN - 1);
    if (!quick_take(arena, len, align, &off)) {
        rc = arena_carve(arena, len, align, &off);
        if (rc < 0)
            return rc;
    }
    memset(arena->buf + off, 0, (size_t)len);
    arena->in_use += len;
    arena->live++;
    *addr = arena->base + off;
    *host = arena->buf + off;
    return 0;
}

int
zv_arena_release(struct zv_arena *arena, uint64_t addr)
{
    struct arena_blk *b;
    struct arena_quick *q;
    uint64_t off = addr - arena->base;

    if (arena->parent)
        return share_release(arena, addr);
    if (addr < arena->base || off >= arena->size)
        return -EINVAL;
    b = blk_find(arena, off);
    if (!b || b->state != ARENA_BLK_LIVE)
        return -EINVAL;
    arena->in_use -= b->len;
    arena->live--;
    q = quick_class(arena, b->len);
    if (q && quick_push(q, off) == 0) {
        b->state = ARENA_BLK_PARKED;
        return 0;
    }
    if (ext_free(arena, off, b->len) < 0) {
        /* Cannot record the hole: leak it rather than corrupt the map. */
        b->state = ARENA_BLK_PARKED;
        return 0;
    }
    blk_remove(arena, b);
    return 0;
}

uint64_t
zv_arena_base(const struct zv_arena *arena)
{
    return arena->parent ? arena->parent->base : arena->base;
}

uint64_t
zv_arena_size(const struct zv_arena *arena)
{
    return arena->parent ? arena->limit : arena->size;
}

uint64_t
zv_arena_in_use(const struct zv_arena *arena)
{
    return arena->in_use;
}

size_t
zv_arena_live(const struct zv_arena *arena)
{
    return arena->live;
}

/* ---- shares ------------------------------------------------------------ */

/* An arena over [addr, addr+size) of parent's buffer: no mapping. */
static struct zv_arena *
sub_new(struct zv_arena *parent, uint64_t addr, void *host, uint64_t size)
{
    struct zv_arena *a = calloc(1, sizeof(*a));

    if (!a)
        return NULL;
    a->as = parent->as;
    a->base = addr;
    a->size = size;
    a->buf = host;
    a->sub = true;
    if (ext_reserve(a, 1) < 0 || blk_grow(a) < 0) {
        zv_arena_free(a);
        return NULL;
    }
    ext_insert_at(a, 0, 0, size);
    return a;
}

struct zv_arena *
zv_arena_share_new(struct zv_arena *parent, uint64_t reserve, uint64_t limit)
{
    struct zv_arena *s;
    void *host;

    if (!parent || parent->parent || limit < reserve || limit == 0)
        return NULL;
    reserve = (reserve + ARENA_GRAIN - 1) & ~(uint64_t)(ARENA_GRAIN - 1);
    s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->parent = parent;
    s->as = parent->as;
    s->limit = limit;
    if (reserve) {
        if (zv_arena_alloc(parent, reserve, ARENA_GRAIN, &s->own_addr, &host) <
            0)
            goto err_free;
        s->own = sub_new(parent, s->own_addr, host, reserve);
        if (!s->own)
            goto err_release;
        parent->in_use -= reserve;
        parent->live--;
    }
    return s;

err_release:
    zv_arena_release(parent, s->own_addr);
err_free:
    free(s);
    return NULL;
}

static void
share_free(struct zv_arena *share)
{
    /* Outstanding allocations die with it: give them back. */
    for (size_t i = 0; i < share->nborrowed; i++)
        zv_arena_release(share->parent, share->borrowed[i]);
    if (share->own) {
        share->parent->in_use += share->own->size - share->own->in_use;
        share->parent->live += 1 - share->own->live;
        zv_arena_free(share->own);
        zv_arena_release(share->parent, share->own_addr);
    }
    free(share->borrowed);
    free(share);
}

/* Room to record one more borrowed block (before borrowing it). */
static int
share_borrow_room(struct zv_arena *share)
{
    size_t cap = share->capborrowed ? share->capborrowed * 2 : 4;
    uint64_t *b;

    if (share->nborrowed < share->capborrowed)
        return 0;
    b = realloc(share->borrowed, cap * sizeof(*b));
    if (!b)
        return -ENOMEM;
    share->borrowed = b;
    share->capborrowed = cap;
    return 0;
}

/* The reserve first (always there for this share alone), then the
 * parent's free space, never past the limit. */
static int
share_alloc(struct zv_arena *share, uint64_t len, uint64_t align,
            uint64_t *addr, void **host)
{
    int rc = -ENOMEM;

    len = (len + ARENA_GRAIN - 1) & ~(uint64_t)(ARENA_GRAIN - 1);
    if (len > share->limit || share->in_use > share->limit - len)
        return -ENOMEM;
    if (share->own) {
        rc = zv_arena_alloc(share->own, len, align, addr, host);
        if (rc == 0) {
            share->parent->in_use += len;
            share->parent->live++;
        }
    }
    if (rc == -ENOMEM) {
        rc = share_borrow_room(share);
        if (rc == 0)
            rc = zv_arena_alloc(share->parent, len, align, addr, host);
        if (rc == 0)
            share->borrowed[share->nborrowed++] = *addr;
    }
    if (rc < 0)
        return rc;
    share->in_use += len;
    share->live++;
    return 0;
}

static int
share_release(struct zv_arena *share, uint64_t addr)
{
    struct zv_arena *own = share->own;
    uint64_t before;
    int rc;

    if (own && addr >= own->base && addr - own->base < own->size) {
        before = own->in_use;
        rc = zv_arena_release(own, addr);
        if (rc == 0) {
            share->in_use -= before - own->in_use;
            share->live--;
            share->parent->in_use -= before - own->in_use;
            share->parent->live--;
        }
        return rc;
    }
    for (size_t i = 0; i < share->nborrowed; i++) {
        if (share->borrowed[i] != addr)
            continue;
        before = share->parent->in_use;
        rc = zv_arena_release(share->parent, addr);
        if (rc == 0) {
            share->in_use -= before - share->parent->in_use;
            share->live--;
            share->borrowed[i] = share->borrowed[--share->nborrowed];
        }
        return rc;
    }
    return -EINVAL;
}

uint64_t
zv_arena_share_reserve(const struct zv_arena *share)
{
    return share->own ? share->own->size : 0;
}
