/* SPDX-License-Identifier: MIT */
/* Arena allocator: alignment, exhaustion, release, reuse, accounting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"

#define BASE 0x10000ull
#define SIZE 0x10000ull

struct fixture {
    struct zv_as *as;
    struct zv_arena *ar;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->as = zv_as_new("host");
    f->ar = f->as ? zv_arena_new(f->as, BASE, SIZE) : NULL;
    *state = f;
    return f->ar ? 0 : -1;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    zv_arena_free(f->ar);
    zv_as_free(f->as);
    free(f);
    return 0;
}

static void
arena_maps_zeroed_window(void **state)
{
    struct fixture *f = *state;
    uint8_t buf[64], zero[64] = {0};

    assert_int_equal(zv_arena_base(f->ar), BASE);
    assert_int_equal(zv_arena_size(f->ar), SIZE);
    assert_int_equal(zv_arena_in_use(f->ar), 0);
    assert_int_equal(zv_arena_live(f->ar), 0);
    assert_int_equal(zv_as_count(f->as), 1);
    assert_true(zv_as_check(f->as, BASE, SIZE, ZV_MEM_RW));
    assert_false(zv_as_check(f->as, BASE - 1, 1, ZV_MEM_READ));
    assert_int_equal(zv_as_read(f->as, BASE + SIZE - 64, buf, 64), 0);
    assert_memory_equal(buf, zero, 64);
}

static void
alloc_respects_alignment_and_bounds(void **state)
{
    struct fixture *f = *state;
    const uint64_t aligns[] = {8, 16, 64, 256, 4096, 8, 2048, 32};
    uint64_t addr;
    void *host;

    for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        uint64_t len = 3 + i * 40;

        assert_int_equal(zv_arena_alloc(f->ar, len, aligns[i], &addr, &host),
                         0);
        assert_int_equal(addr % aligns[i], 0);
        assert_true(addr >= BASE && addr + len <= BASE + SIZE);
        /* the host pointer is the space's view of the same bytes */
        assert_ptr_equal(zv_as_ptr(f->as, addr, len, ZV_MEM_RW), host);
    }
    assert_int_equal(zv_arena_live(f->ar), 8);
}

static void
alloc_rejects_bad_arguments(void **state)
{
    struct fixture *f = *state;
    uint64_t addr;
    void *host;

    assert_int_equal(zv_arena_alloc(f->ar, 0, 8, &addr, &host), -EINVAL);
    assert_int_equal(zv_arena_alloc(f->ar, 8, 4, &addr, &host), -EINVAL);
    assert_int_equal(zv_arena_alloc(f->ar, 8, 24, &addr, &host), -EINVAL);
    assert_int_equal(zv_arena_alloc(f->ar, SIZE + 1, 8, &addr, &host), -ENOMEM);
    assert_int_equal(zv_arena_alloc(f->ar, UINT64_MAX, 8, &addr, &host),
                     -ENOMEM);
    assert_int_equal(zv_arena_live(f->ar), 0);
}

static bool
overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static void
allocations_never_overlap(void **state)
{
    struct fixture *f = *state;
    enum { N = 200 };
    uint64_t addr[N], len[N];
    void *host;

    for (int i = 0; i < N; i++) {
        len[i] = 1 + (uint64_t)(i * 37) % 200;
        assert_int_equal(
            zv_arena_alloc(f->ar, len[i], 8u << (i % 4), &addr[i], &host), 0);
        memset(host, 0xff, len[i]);
    }
    for (int i = 0; i < N; i++) {
        for (int j = i + 1; j < N; j++)
            assert_false(overlaps(addr[i], len[i], addr[j], len[j]));
    }
}

/*
 * Fill the arena with chunk-sized blocks, release them evens first then
 * odds (so each hole merges with the free space on both sides), and check
 * the whole window is one free block again.
 */
static void
fill_release_coalesce(struct fixture *f, uint64_t chunk)
{
    uint64_t addr[SIZE / 0x1000 + 1], a;
    void *host;
    size_t n = 0;

    while (zv_arena_alloc(f->ar, chunk, 8, &addr[n], &host) == 0)
        n++;
    assert_int_equal(n, SIZE / chunk);
    assert_int_equal(zv_arena_in_use(f->ar), SIZE);
    assert_int_equal(zv_arena_alloc(f->ar, 8, 8, &a, &host), -ENOMEM);
    for (size_t start = 0; start < 2; start++) {
        for (size_t i = start; i < n; i += 2)
            assert_int_equal(zv_arena_release(f->ar, addr[i]), 0);
    }
    assert_int_equal(zv_arena_in_use(f->ar), 0);
    assert_int_equal(zv_arena_live(f->ar), 0);
    assert_int_equal(zv_arena_alloc(f->ar, SIZE, 8, &a, &host), 0);
    assert_int_equal(a, BASE);
    assert_int_equal(zv_arena_release(f->ar, a), 0);
}

static void
exhaustion_then_release_restores_small(void **state)
{
    /* small blocks are parked on quick lists and flushed on demand */
    fill_release_coalesce(*state, 0x1000);
}

static void
exhaustion_then_release_restores_large(void **state)
{
    /* large blocks go straight back to the extents */
    fill_release_coalesce(*state, 0x2000);
    fill_release_coalesce(*state, 0x1000);
}

static void
release_validates_address(void **state)
{
    struct fixture *f = *state;
    uint64_t a;
    void *host;

    assert_int_equal(zv_arena_alloc(f->ar, 64, 8, &a, &host), 0);
    assert_int_equal(zv_arena_release(f->ar, a + 8), -EINVAL);
    assert_int_equal(zv_arena_release(f->ar, BASE - 8), -EINVAL);
    assert_int_equal(zv_arena_release(f->ar, BASE + SIZE), -EINVAL);
    assert_int_equal(zv_arena_release(f->ar, a), 0);
    assert_int_equal(zv_arena_release(f->ar, a), -EINVAL); /* double */
    assert_int_equal(zv_arena_live(f->ar), 0);
}

static void
reused_block_is_zeroed(void **state)
{
    struct fixture *f = *state;
    uint64_t a, b;
    void *h, *h2;

    assert_int_equal(zv_arena_alloc(f->ar, 96, 8, &a, &h), 0);
    memset(h, 0xab, 96);
    assert_int_equal(zv_arena_release(f->ar, a), 0);
    assert_int_equal(zv_arena_alloc(f->ar, 96, 8, &b, &h2), 0);
    /* the freed block is handed out again (LIFO reuse), cleared */
    assert_int_equal(b, a);
    for (int i = 0; i < 96; i++)
        assert_int_equal(((uint8_t *)h2)[i], 0);
}

static void
live_and_in_use_counts(void **state)
{
    struct fixture *f = *state;
    uint64_t a, b, c;
    void *h;

    zv_arena_alloc(f->ar, 10, 8, &a, &h);  /* rounds to 16 */
    zv_arena_alloc(f->ar, 100, 8, &b, &h); /* rounds to 104 */
    zv_arena_alloc(f->ar, 5000, 8, &c, &h);
    assert_int_equal(zv_arena_live(f->ar), 3);
    assert_int_equal(zv_arena_in_use(f->ar), 16 + 104 + 5000);
    zv_arena_release(f->ar, b);
    assert_int_equal(zv_arena_live(f->ar), 2);
    assert_int_equal(zv_arena_in_use(f->ar), 16 + 5000);
    zv_arena_release(f->ar, c);
    zv_arena_release(f->ar, a);
    assert_int_equal(zv_arena_live(f->ar), 0);
    assert_int_equal(zv_arena_in_use(f->ar), 0);
}

static void
aligned_request_skips_misaligned_parked_block(void **state)
{
    struct fixture *f = *state;
    uint64_t a, b, c;
    void *h;

    /* park a 64-byte block at an address that is 8- but not 4096-aligned */
    zv_arena_alloc(f->ar, 8, 8, &a, &h);
    zv_arena_alloc(f->ar, 64, 8, &b, &h);
    assert_true(b % 4096 != 0);
    zv_arena_release(f->ar, b);
    assert_int_equal(zv_arena_alloc(f->ar, 64, 4096, &c, &h), 0);
    assert_int_equal(c % 4096, 0);
    assert_true(c != b);
}

/* Random alloc/free churn against a shadow model. */
static void
random_churn_keeps_blocks_disjoint(void **state)
{
    struct fixture *f = *state;
    enum { SLOTS = 128 };
    uint64_t addr[SLOTS] = {0}, len[SLOTS] = {0};
    uint8_t *host[SLOTS] = {0};
    uint64_t expect_use = 0;
    unsigned x = 12345;

    for (int step = 0; step < 20000; step++) {
        unsigned s;
        void *h;

        x = x * 1103515245u + 12345u;
        s = (x >> 8) % SLOTS;
        if (len[s]) {
            /* the block still holds its fill pattern: nobody overlapped it */
            for (uint64_t i = 0; i < len[s]; i++)
                assert_int_equal(host[s][i], (uint8_t)s);
            assert_int_equal(zv_arena_release(f->ar, addr[s]), 0);
            expect_use -= (len[s] + 7) & ~7ull;
            len[s] = 0;
            continue;
        }
        len[s] = 1 + (x >> 16) % ((x & 1) ? 64 : 3000);
        if (zv_arena_alloc(f->ar, len[s], 8u << ((x >> 4) % 4), &addr[s], &h) <
            0) {
            len[s] = 0;
            continue;
        }
        host[s] = h;
        memset(h, s, len[s]);
        expect_use += (len[s] + 7) & ~7ull;
        assert_int_equal(zv_arena_in_use(f->ar), expect_use);
    }
}

static void
free_removes_mapping(void **state)
{
    struct zv_as *as = zv_as_new("x");
    struct zv_arena *ar = zv_arena_new(as, 0x1000, 0x2000);
    uint64_t a;
    void *h;

    assert_non_null(ar);
    /* a second arena may not overlap the first */
    assert_null(zv_arena_new(as, 0x2000, 0x1000));
    assert_null(zv_arena_new(as, 0x9000, 0));
    assert_int_equal(zv_arena_alloc(ar, 16, 8, &a, &h), 0);
    zv_arena_free(ar); /* with a live allocation */
    assert_int_equal(zv_as_count(as), 0);
    zv_arena_free(NULL);
    zv_as_free(as);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(arena_maps_zeroed_window),
        T(alloc_respects_alignment_and_bounds),
        T(alloc_rejects_bad_arguments),
        T(allocations_never_overlap),
        T(exhaustion_then_release_restores_small),
        T(exhaustion_then_release_restores_large),
        T(release_validates_address),
        T(reused_block_is_zeroed),
        T(live_and_in_use_counts),
        T(aligned_request_skips_misaligned_parked_block),
        T(random_churn_keeps_blocks_disjoint),
        cmocka_unit_test(free_removes_mapping),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
