/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

static int
h_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct harness *h = ctx;
    uint8_t *p;

    h->pin_calls++;
    if (h->hook)
        h->hook(h, iova);
    if (h->fail_pin_at && h->pin_calls == h->fail_pin_at)
        return -ENOMEM;
    /* The contract: never across a 4K page. */
    assert_true(len > 0);
    assert_true((iova & ~0xfffull) == ((iova + len - 1) & ~0xfffull));
    p = zv_as_ptr(h->iova, iova, len, ZV_MEM_READ);
    if (!p || p < h->gbuf || p + len > h->gbuf + H_GSIZE)
        return -EFAULT;
    *habs = H_HBASE + (uint64_t)(p - h->gbuf);
    h->pins++;
    return 0;
}

static void
h_unpin(void *ctx, uint64_t iova, uint32_t len)
{
    struct harness *h = ctx;

    assert_true(len > 0);
    assert_true(h->pins > 0);
    h->pins--;
}

struct harness *
h_new_sized(uint64_t arena_size)
{
    struct harness *h = calloc(1, sizeof(*h));

    assert_non_null(h);
    h->gbuf = aligned_alloc(4096, H_GSIZE);
    assert_non_null(h->gbuf);
    memset(h->gbuf, 0, H_GSIZE);
    h->iova = zv_as_new("iova");
    h->host_as = zv_as_new("host");
    assert_non_null(h->iova);
    assert_non_null(h->host_as);
    assert_int_equal(zv_as_map(h->iova, H_GBASE, H_GSIZE, h->gbuf, ZV_MEM_RW),
                     0);
    assert_int_equal(
        zv_as_map(h->host_as, H_HBASE, H_GSIZE, h->gbuf, ZV_MEM_RW), 0);
    h->arena = zv_arena_new(h->host_as, H_ARENA, arena_size);
    assert_non_null(h->arena);
    h->env = (struct cp_env){.iova = h->iova,
                             .host = h->arena,
                             .pin = h_pin,
                             .unpin = h_unpin,
                             .ctx = h};
    return h;
}

struct harness *
h_new(void)
{
    return h_new_sized(H_ARENA_SZ);
}

void
h_free(struct harness *h)
{
    zv_arena_free(h->arena);
    zv_as_free(h->host_as);
    zv_as_free(h->iova);
    free(h->gbuf);
    free(h);
}

void
h_ccw1(struct harness *h, uint64_t addr, uint8_t cmd, uint8_t flags,
       uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};
    uint8_t raw[CCW_SIZE];

    ccw1_encode(&c, raw);
    assert_int_equal(zv_as_write(h->iova, addr, raw, sizeof(raw)), 0);
}

void
h_ccw0(struct harness *h, uint64_t addr, uint8_t cmd, uint8_t flags,
       uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};
    uint8_t raw[CCW_SIZE];

    ccw0_encode(&c, raw);
    assert_int_equal(zv_as_write(h->iova, addr, raw, sizeof(raw)), 0);
}

void
h_idaw1(struct harness *h, uint64_t addr, uint32_t val)
{
    uint8_t raw[4];

    zv_put_be32(raw, val);
    assert_int_equal(zv_as_write(h->iova, addr, raw, sizeof(raw)), 0);
}

void
h_idaw2(struct harness *h, uint64_t addr, uint64_t val)
{
    uint8_t raw[8];

    zv_put_be64(raw, val);
    assert_int_equal(zv_as_write(h->iova, addr, raw, sizeof(raw)), 0);
}

void
h_pattern(struct harness *h, uint64_t addr, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)((addr + i) * 131u + ((addr + i) >> 8));

        assert_int_equal(zv_as_write(h->iova, addr + i, &b, 1), 0);
    }
}

struct orb
h_orb(uint32_t cpa)
{
    return (struct orb){.intparm = 0x12345678,
                        .key = 0,
                        .fmt = true,
                        .pfch = true,
                        .c64 = true,
                        .lpm = 0x80,
                        .cpa = cpa};
}

struct ccw1
h_host_ccw(const struct harness *h, uint64_t haddr)
{
    uint8_t raw[CCW_SIZE];
    struct ccw1 c;

    assert_int_equal(zv_as_read(h->host_as, haddr, raw, sizeof(raw)), 0);
    ccw1_decode(&c, raw);
    return c;
}

uint64_t
h_host_idaw(const struct harness *h, uint64_t haddr)
{
    uint64_t v;

    assert_int_equal(zv_as_read_be64(h->host_as, haddr, &v), 0);
    return v;
}

int
h_host_gather(const struct harness *h, uint64_t haddr, uint32_t bs,
              uint8_t *out)
{
    struct ccw1 c = h_host_ccw(h, haddr);
    uint32_t left = c.count, done = 0;
    int n = 0;

    if (!(c.flags & CCW_FLAG_IDA))
        return -1;
    while (left) {
        uint64_t a = h_host_idaw(h, c.cda + (uint64_t)n * 8);
        uint32_t room = bs - (uint32_t)(a & (bs - 1)), len;

        if (n > 0 && (a & (bs - 1)))
            return -1;
        len = left < room ? left : room;
        if (zv_as_read(h->host_as, a, out + done, len))
            return -1;
        done += len;
        left -= len;
        n++;
    }
    return n;
}

void
h_guest_read(const struct harness *h, uint64_t iova, void *out, uint32_t len)
{
    assert_int_equal(zv_as_read(h->iova, iova, out, len), 0);
}

void
h_assert_clean(const struct harness *h)
{
    assert_int_equal(h->pins, 0);
    assert_int_equal(zv_arena_live(h->arena), 0);
}

int
h_setup(void **state)
{
    *state = h_new();
    return 0;
}

int
h_teardown(void **state)
{
    struct harness *h = *state;

    h_assert_clean(h);
    h_free(h);
    return 0;
}

int
h_tx_teardown(void **state)
{
    struct h_tx *f = *state;

    cp_free(f->cp);
    /* No leak: every pin undone, every arena block back. */
    h_assert_clean(f->h);
    h_free(f->h);
    free(f);
    return 0;
}
