/* SPDX-License-Identifier: MIT */
/* base/canary: see canary.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/canary.h"

#define CANARY_PAGE 4096u

struct canary_region {
    uint64_t addr;
    uint64_t len;
    uint8_t *buf;
};

struct zv_canary {
    struct zv_as *as;
    struct canary_region *r;
    size_t n, cap;
    uint64_t trips; /* the space's count at the last check */
};

uint8_t
zv_canary_byte(uint64_t addr)
{
    /* Never 0 and not a short period: a zero-filled or repeated block
     * copied out of it is still recognisable. */
    uint64_t x = (addr >> 3) * 0x9e3779b97f4a7c15ull;

    return (uint8_t)(0x80u | ((x >> 56) ^ addr) | 1u);
}

struct zv_canary *
zv_canary_new(struct zv_as *as)
{
    struct zv_canary *c = calloc(1, sizeof(*c));

    if (c) {
        c->as = as;
        c->trips = zv_as_trips(as);
    }
    return c;
}

void
zv_canary_free(struct zv_canary *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        zv_as_unmap(c->as, c->r[i].addr, c->r[i].len);
        free(c->r[i].buf);
    }
    free(c->r);
    free(c);
}

static void
canary_fill(const struct canary_region *r)
{
    for (uint64_t i = 0; i < r->len; i++)
        r->buf[i] = zv_canary_byte(r->addr + i);
}

int
zv_canary_add(struct zv_canary *c, uint64_t addr, uint64_t len)
{
    struct canary_region r = {.addr = addr, .len = len};
    int rc;

    if (len == 0 || addr + len < addr)
        return -EINVAL;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 8;
        struct canary_region *n = realloc(c->r, ncap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        c->r = n;
        c->cap = ncap;
    }
    r.buf = malloc(len);
    if (!r.buf)
        return -ENOMEM;
    canary_fill(&r);
    rc = zv_as_map(c->as, addr, len, r.buf, ZV_MEM_RW | ZV_MEM_TRIP);
    if (rc) {
        free(r.buf);
        return rc;
    }
    c->r[c->n++] = r;
    return 0;
}

int
zv_canary_around(struct zv_canary *c, uint64_t base, uint64_t size)
{
    int rc = 0;

    if (base >= CANARY_PAGE && !zv_as_check(c->as, base - CANARY_PAGE, 1, 0) &&
        !zv_as_check(c->as, base - 1, 1, 0))
        rc = zv_canary_add(c, base - CANARY_PAGE, CANARY_PAGE);
    if (!rc && base + size + CANARY_PAGE > base + size &&
        !zv_as_check(c->as, base + size, 1, 0) &&
        !zv_as_check(c->as, base + size + CANARY_PAGE - 1, 1, 0))
        rc = zv_canary_add(c, base + size, CANARY_PAGE);
    return rc;
}

int
zv_canary_check_quick(struct zv_canary *c, char *why, size_t n)
{
    if (zv_as_trips(c->as) == c->trips)
        return 0;
    return zv_canary_check(c, why, n);
}

int
zv_canary_check(struct zv_canary *c, char *why, size_t n)
{
    uint64_t trips = zv_as_trips(c->as);
    int bad = 0;

    for (size_t i = 0; i < c->n && !bad; i++) {
        const struct canary_region *r = &c->r[i];

        for (uint64_t j = 0; j < r->len; j++) {
            if (r->buf[j] != zv_canary_byte(r->addr + j)) {
                if (why)
                    snprintf(why, n,
                             "canary at 0x%" PRIx64 " overwritten (0x%02x)",
                             r->addr + j, r->buf[j]);
                bad = -1;
                break;
            }
        }
    }
    if (!bad && trips != c->trips) {
        if (why)
            snprintf(why, n, "%" PRIu64 " access(es) to canary storage",
                     trips - c->trips);
        bad = -1;
    }
    if (bad) {
        for (size_t i = 0; i < c->n; i++)
            canary_fill(&c->r[i]);
    }
    c->trips = zv_as_trips(c->as);
    return bad;
}
