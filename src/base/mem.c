/* SPDX-License-Identifier: MIT */
/*
 * base/mem: address spaces.  A zv_as is an array of mappings sorted by
 * address; lookups are a binary search.  Ranges are kept as inclusive
 * [addr, last] so a mapping may end at the top of the 64-bit space without
 * its end overflowing.
 *
 * An access is validated in full before any byte moves, so a failing
 * access touches nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "base/bytes.h"
#include "base/mem.h"

struct as_map {
    uint64_t addr;
    uint64_t last; /* inclusive */
    uint8_t *host;
    unsigned prot;
};

struct zv_as {
    char *name;
    struct as_map *maps;
    size_t nmaps;
    size_t cap;
    uint64_t trips; /* accesses that touched a ZV_MEM_TRIP mapping */
};

struct zv_as *
zv_as_new(const char *name)
{
    struct zv_as *as = calloc(1, sizeof(*as));

    if (!as)
        return NULL;
    as->name = strdup(name ? name : "");
    if (!as->name) {
        free(as);
        return NULL;
    }
    return as;
}

void
zv_as_free(struct zv_as *as)
{
    if (!as)
        return;
    free(as->maps);
    free(as->name);
    free(as);
}

const char *
zv_as_name(const struct zv_as *as)
{
    return as->name;
}

size_t
zv_as_count(const struct zv_as *as)
{
    return as->nmaps;
}

/* [addr, addr+len) as an inclusive range; false on len 0 or wrap. */
static bool
range_last(uint64_t addr, uint64_t len, uint64_t *last)
{
    if (len == 0 || len - 1 > UINT64_MAX - addr)
        return false;
    *last = addr + len - 1;
    return true;
}

/* Index of the first mapping whose last byte is >= addr (nmaps if none). */
static size_t
as_lower_bound(const struct zv_as *as, uint64_t addr)
{
    size_t lo = 0, hi = as->nmaps;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (as->maps[mid].last < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The mapping containing addr, or NULL. */
static const struct as_map *
as_find(const struct zv_as *as, uint64_t addr)
{
    size_t i = as_lower_bound(as, addr);

    if (i < as->nmaps && as->maps[i].addr <= addr)
        return &as->maps[i];
    return NULL;
}

static int
as_reserve(struct zv_as *as, size_t extra)
{
    size_t cap = as->cap ? as->cap : 8;
    struct as_map *m;

    while (cap < as->nmaps + extra)
        cap *= 2;
    if (cap == as->cap)
        return 0;
    m = realloc(as->maps, cap * sizeof(*m));
    if (!m)
        return -ENOMEM;
    as->maps = m;
    as->cap = cap;
    return 0;
}

static void
as_insert_at(struct zv_as *as, size_t i, const struct as_map *m)
{
    memmove(&as->maps[i + 1], &as->maps[i],
            (as->nmaps - i) * sizeof(as->maps[0]));
    as->maps[i] = *m;
    as->nmaps++;
}

int
zv_as_map(struct zv_as *as, uint64_t addr, uint64_t len, void *host,
          unsigned prot)
{
    struct as_map m = {
        .addr = addr, .host = host, .prot = prot & (ZV_MEM_RW | ZV_MEM_TRIP)};
    size_t i;

    if (!host || !range_last(addr, len, &m.last))
        return -EINVAL;
    i = as_lower_bound(as, addr);
    if (i < as->nmaps && as->maps[i].addr <= m.last)
        return -EEXIST;
    if (as_reserve(as, 1) < 0)
        return -ENOMEM;
    as_insert_at(as, i, &m);
    return 0;
}

/* Cut [addr, last] out of mapping i.  Returns how many mappings now stand
 * where it was (0, 1 or 2). */
static size_t
as_cut(struct zv_as *as, size_t i, uint64_t addr, uint64_t last)
{
    struct as_map *m = &as->maps[i];
    bool keep_lo = m->addr<addr, keep_hi = m->last> last;

    if (keep_lo && keep_hi) {
        struct as_map hi = *m;

        hi.host += last + 1 - m->addr;
        hi.addr = last + 1;
        m->last = addr - 1;
        as_insert_at(as, i + 1, &hi);
        return 2;
    }
    if (keep_lo) {
        m->last = addr - 1;
        return 1;
    }
    if (keep_hi) {
        m->host += last + 1 - m->addr;
        m->addr = last + 1;
        return 1;
    }
    memmove(m, m + 1, (as->nmaps - i - 1) * sizeof(*m));
    as->nmaps--;
    return 0;
}

int
zv_as_unmap(struct zv_as *as, uint64_t addr, uint64_t len)
{
    uint64_t last;
    size_t i;
    bool hit = false;

    if (!range_last(addr, len, &last))
        return -EINVAL;
    /* A split adds one mapping; reserve first so the cut cannot fail. */
    if (as_reserve(as, 1) < 0)
        return -ENOMEM;
    i = as_lower_bound(as, addr);
    while (i < as->nmaps && as->maps[i].addr <= last) {
        i += as_cut(as, i, addr, last);
        hit = true;
    }
    return hit ? 0 : -ENOENT;
}

/*
 * Is [addr, addr+len) covered by adjacent mappings that all allow prot?
 * On success *first is the index of the mapping holding addr.
 */
static bool
as_span_ok(const struct zv_as *as, uint64_t addr, uint64_t len, unsigned prot,
           size_t *first)
{
    uint64_t last, pos = addr;
    size_t i;

    if (!range_last(addr, len, &last))
        return false;
    i = as_lower_bound(as, addr);
    *first = i;
    for (; i < as->nmaps; i++) {
        const struct as_map *m = &as->maps[i];

        if (m->addr > pos || (m->prot & prot) != prot)
            return false;
        if (m->last >= last)
            return true;
        pos = m->last + 1;
    }
    return false;
}

bool
zv_as_check(const struct zv_as *as, uint64_t addr, uint64_t len, unsigned prot)
{
    size_t first;

    return len == 0 || as_span_ok(as, addr, len, prot, &first);
}

/* The counter is bookkeeping of the space, not of what it maps: reads
 * through a const space still count. */
static void
as_trip(const struct zv_as *as)
{
    ((struct zv_as *)(uintptr_t)as)->trips++;
}

uint64_t
zv_as_trips(const struct zv_as *as)
{
    return as->trips;
}

/* Copy between buf and a validated span; to_host selects the direction. */
static void
as_copy(const struct zv_as *as, size_t i, uint64_t addr, uint8_t *buf,
        size_t len, bool to_host)
{
    while (len > 0) {
        const struct as_map *m = &as->maps[i++];
        uint64_t off = addr - m->addr;

        if (m->prot & ZV_MEM_TRIP)
            as_trip(as);
        uint64_t room = m->last - addr + 1; /* 0 means all 2^64 bytes */
        size_t n = (room == 0 || room > len) ? len : (size_t)room;

        if (to_host)
            memcpy(m->host + off, buf, n);
        else
            memcpy(buf, m->host + off, n);
        buf += n;
        addr += n;
        len -= n;
    }
}

int
zv_as_read(const struct zv_as *as, uint64_t addr, void *buf, size_t len)
{
    size_t first;

    if (len == 0)
        return 0;
    if (!as_span_ok(as, addr, len, ZV_MEM_READ, &first))
        return -EFAULT;
    as_copy(as, first, addr, buf, len, false);
    return 0;
}

int
zv_as_write(struct zv_as *as, uint64_t addr, const void *buf, size_t len)
{
    size_t first;

    if (len == 0)
        return 0;
    if (!as_span_ok(as, addr, len, ZV_MEM_WRITE, &first))
        return -EFAULT;
    /* as_copy only reads buf in this direction */
    as_copy(as, first, addr, (uint8_t *)(uintptr_t)buf, len, true);
    return 0;
}

void *
zv_as_ptr(const struct zv_as *as, uint64_t addr, uint64_t len, unsigned prot)
{
    const struct as_map *m = as_find(as, addr);
    uint64_t last;

    if (!m || (m->prot & prot) != prot)
        return NULL;
    if (len > 0 && (!range_last(addr, len, &last) || last > m->last))
        return NULL;
    if (m->prot & ZV_MEM_TRIP)
        as_trip(as);
    return m->host + (addr - m->addr);
}

/* Segments of a validated span into iov (at most max): count or -E2BIG. */
static int
as_fill_iov(const struct zv_as *as, size_t i, uint64_t addr, uint64_t len,
            struct iovec *iov, int max)
{
    int n = 0;

    while (len > 0) {
        const struct as_map *m = &as->maps[i++];
        uint64_t room = m->last - addr + 1; /* 0 means all 2^64 bytes */
        uint64_t take = (room == 0 || room > len) ? len : room;
        uint8_t *p = m->host + (addr - m->addr);

        if (m->prot & ZV_MEM_TRIP)
            as_trip(as);
        if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == p &&
            take <= SIZE_MAX - iov[n - 1].iov_len) {
            iov[n - 1].iov_len += (size_t)take;
        } else {
            if (n == max || take > SIZE_MAX)
                return -E2BIG;
            iov[n++] = (struct iovec){.iov_base = p, .iov_len = (size_t)take};
        }
        addr += take;
        len -= take;
    }
    return n;
}

int
zv_as_iov(const struct zv_as *as, uint64_t addr, uint64_t len, unsigned prot,
          struct iovec *iov, int max)
{
    size_t first;

    if (max <= 0)
        return -E2BIG;
    if (!as_span_ok(as, addr, len, prot, &first))
        return -EFAULT;
    return as_fill_iov(as, first, addr, len, iov, max);
}

int
zv_as_read_be32(const struct zv_as *as, uint64_t addr, uint32_t *val)
{
    uint8_t b[4];
    int rc = zv_as_read(as, addr, b, sizeof(b));

    if (rc == 0)
        *val = zv_be32(b);
    return rc;
}

int
zv_as_read_be64(const struct zv_as *as, uint64_t addr, uint64_t *val)
{
    uint8_t b[8];
    int rc = zv_as_read(as, addr, b, sizeof(b));

    if (rc == 0)
        *val = zv_be64(b);
    return rc;
}

void
zv_as_foreach(const struct zv_as *as, zv_as_visit_fn fn, void *arg)
{
    for (size_t i = 0; i < as->nmaps; i++) {
        const struct as_map *m = &as->maps[i];

        fn(arg, m->addr, m->last - m->addr + 1, m->host, m->prot);
    }
}
