/* SPDX-License-Identifier: MIT */
/* Address spaces: map/unmap/split, overlap, crossing reads, holes,
 * permissions, wrap-around, big-endian field reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include <cmocka.h>

#include "base/mem.h"

struct fixture {
    struct zv_as *as;
    uint8_t a[0x1000];
    uint8_t b[0x1000];
    uint8_t c[0x1000];
};

static struct fixture fx;

static int
setup(void **state)
{
    memset(&fx, 0, sizeof(fx));
    fx.as = zv_as_new("test");
    *state = &fx;
    return fx.as ? 0 : -1;
}

static int
teardown(void **state)
{
    zv_as_free(fx.as);
    return 0;
}

struct visit {
    uint64_t addr[8];
    uint64_t len[8];
    void *host[8];
    unsigned prot[8];
    size_t n;
};

static void
visit_cb(void *arg, uint64_t addr, uint64_t len, void *host, unsigned prot)
{
    struct visit *v = arg;

    assert_true(v->n < 8);
    v->addr[v->n] = addr;
    v->len[v->n] = len;
    v->host[v->n] = host;
    v->prot[v->n] = prot;
    v->n++;
}

static void
new_space_is_empty_and_named(void **state)
{
    uint8_t x;

    assert_string_equal(zv_as_name(fx.as), "test");
    assert_int_equal(zv_as_count(fx.as), 0);
    assert_int_equal(zv_as_read(fx.as, 0, &x, 1), -EFAULT);
    assert_null(zv_as_ptr(fx.as, 0, 1, ZV_MEM_READ));
}

static void
map_rejects_bad_ranges(void **state)
{
    assert_int_equal(zv_as_map(fx.as, 0x1000, 0, fx.a, ZV_MEM_RW), -EINVAL);
    /* addr + len past 2^64 */
    assert_int_equal(zv_as_map(fx.as, UINT64_MAX - 0xf, 0x20, fx.a, ZV_MEM_RW),
                     -EINVAL);
    /* ending exactly at the top of the space is fine */
    assert_int_equal(zv_as_map(fx.as, UINT64_MAX - 0xf, 0x10, fx.a, ZV_MEM_RW),
                     0);
    assert_int_equal(zv_as_count(fx.as), 1);
}

static void
map_overlap_is_eexist(void **state)
{
    assert_int_equal(zv_as_map(fx.as, 0x2000, 0x1000, fx.a, ZV_MEM_RW), 0);
    assert_int_equal(zv_as_map(fx.as, 0x2fff, 0x10, fx.b, ZV_MEM_RW), -EEXIST);
    assert_int_equal(zv_as_map(fx.as, 0x1ff0, 0x11, fx.b, ZV_MEM_RW), -EEXIST);
    assert_int_equal(zv_as_map(fx.as, 0x1000, 0x3000, fx.b, ZV_MEM_RW),
                     -EEXIST);
    assert_int_equal(zv_as_map(fx.as, 0x2100, 0x10, fx.b, ZV_MEM_RW), -EEXIST);
    /* touching on either side is not an overlap */
    assert_int_equal(zv_as_map(fx.as, 0x1000, 0x1000, fx.b, ZV_MEM_RW), 0);
    assert_int_equal(zv_as_map(fx.as, 0x3000, 0x1000, fx.c, ZV_MEM_RW), 0);
    assert_int_equal(zv_as_count(fx.as), 3);
}

static void
mappings_are_kept_sorted(void **state)
{
    struct visit v = {0};

    zv_as_map(fx.as, 0x9000, 0x100, fx.c, ZV_MEM_READ);
    zv_as_map(fx.as, 0x1000, 0x100, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x5000, 0x100, fx.b, ZV_MEM_WRITE);
    zv_as_foreach(fx.as, visit_cb, &v);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.addr[0], 0x1000);
    assert_ptr_equal(v.host[0], fx.a);
    assert_int_equal(v.prot[0], ZV_MEM_RW);
    assert_int_equal(v.addr[1], 0x5000);
    assert_int_equal(v.prot[1], ZV_MEM_WRITE);
    assert_int_equal(v.addr[2], 0x9000);
    assert_int_equal(v.len[2], 0x100);
}

static void
read_write_within_one_mapping(void **state)
{
    uint8_t buf[16];

    zv_as_map(fx.as, 0x10000, 0x1000, fx.a, ZV_MEM_RW);
    assert_int_equal(zv_as_write(fx.as, 0x10010, "hello", 5), 0);
    assert_memory_equal(fx.a + 0x10, "hello", 5);
    fx.a[0xfff] = 0x5a;
    assert_int_equal(zv_as_read(fx.as, 0x10fff, buf, 1), 0);
    assert_int_equal(buf[0], 0x5a);
    assert_int_equal(zv_as_read(fx.as, 0x10010, buf, 5), 0);
    assert_memory_equal(buf, "hello", 5);
    /* zero-length accesses move nothing and succeed */
    assert_int_equal(zv_as_read(fx.as, 0xdead0000, buf, 0), 0);
}

static void
access_crosses_adjacent_mappings(void **state)
{
    uint8_t out[0x20], in[0x20];

    /* three separate host buffers laid out back to back in the space */
    zv_as_map(fx.as, 0x1000, 0x10, fx.a + 0x100, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1010, 0x8, fx.b + 0x200, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1018, 0x10, fx.c + 0x300, ZV_MEM_RW);
    for (int i = 0; i < 0x20; i++)
        out[i] = (uint8_t)(0xa0 + i);
    assert_int_equal(zv_as_write(fx.as, 0x1008, out, 0x18), 0);
    assert_memory_equal(fx.a + 0x108, out, 8);
    assert_memory_equal(fx.b + 0x200, out + 8, 8);
    assert_memory_equal(fx.c + 0x300, out + 16, 8);
    memset(in, 0, sizeof(in));
    assert_int_equal(zv_as_read(fx.as, 0x1008, in, 0x18), 0);
    assert_memory_equal(in, out, 0x18);
    assert_true(zv_as_check(fx.as, 0x1000, 0x28, ZV_MEM_RW));
    /* a pointer is only handed out within one mapping */
    assert_null(zv_as_ptr(fx.as, 0x100c, 8, ZV_MEM_READ));
    assert_ptr_equal(zv_as_ptr(fx.as, 0x1010, 8, ZV_MEM_READ), fx.b + 0x200);
}

static void
hole_fails_whole_access_untouched(void **state)
{
    uint8_t buf[0x20];

    zv_as_map(fx.as, 0x1000, 0x10, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1011, 0x10, fx.b, ZV_MEM_RW); /* one-byte hole */
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(zv_as_write(fx.as, 0x1008, buf, 0x10), -EFAULT);
    for (int i = 0; i < 0x10; i++) {
        assert_int_equal(fx.a[i], 0);
        assert_int_equal(fx.b[i], 0);
    }
    assert_int_equal(zv_as_read(fx.as, 0x1008, buf, 0x10), -EFAULT);
    assert_int_equal(zv_as_read(fx.as, 0x1010, buf, 1), -EFAULT);
    assert_int_equal(zv_as_read(fx.as, 0xfff, buf, 2), -EFAULT);
    assert_int_equal(zv_as_read(fx.as, 0x1020, buf, 2), -EFAULT);
    assert_false(zv_as_check(fx.as, 0x1000, 0x21, ZV_MEM_READ));
    assert_true(zv_as_check(fx.as, 0x1000, 0x10, ZV_MEM_READ));
    assert_true(zv_as_check(fx.as, 0x1011, 0x10, ZV_MEM_READ));
}

static void
permissions_are_enforced(void **state)
{
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    zv_as_map(fx.as, 0x1000, 0x100, fx.a, ZV_MEM_READ);
    zv_as_map(fx.as, 0x1100, 0x100, fx.b, ZV_MEM_WRITE);
    assert_int_equal(zv_as_write(fx.as, 0x1000, buf, 8), -EFAULT);
    assert_int_equal(zv_as_read(fx.as, 0x1000, buf, 8), 0);
    assert_int_equal(zv_as_read(fx.as, 0x1100, buf, 8), -EFAULT);
    assert_int_equal(zv_as_write(fx.as, 0x1100, buf, 8), 0);
    /* crossing from read-only into write-only: neither direction works */
    assert_int_equal(zv_as_read(fx.as, 0x10fc, buf, 8), -EFAULT);
    assert_int_equal(zv_as_write(fx.as, 0x10fc, buf, 8), -EFAULT);
    assert_false(zv_as_check(fx.as, 0x1000, 8, ZV_MEM_RW));
    assert_true(zv_as_check(fx.as, 0x1000, 8, ZV_MEM_READ));
    assert_null(zv_as_ptr(fx.as, 0x1000, 8, ZV_MEM_WRITE));
    assert_ptr_equal(zv_as_ptr(fx.as, 0x1004, 8, ZV_MEM_READ), fx.a + 4);
    assert_ptr_equal(zv_as_ptr(fx.as, 0x1100, 8, ZV_MEM_WRITE), fx.b);
}

static void
wrap_around_is_efault(void **state)
{
    uint8_t buf[0x20];

    zv_as_map(fx.as, UINT64_MAX - 0xf, 0x10, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0, 0x10, fx.b, ZV_MEM_RW);
    /* the last byte of the space is reachable ... */
    assert_int_equal(zv_as_read(fx.as, UINT64_MAX, buf, 1), 0);
    assert_int_equal(zv_as_read(fx.as, UINT64_MAX - 0xf, buf, 0x10), 0);
    /* ... but an access never wraps to address 0 */
    assert_int_equal(zv_as_read(fx.as, UINT64_MAX - 0x7, buf, 0x10), -EFAULT);
    assert_int_equal(zv_as_write(fx.as, UINT64_MAX, buf, 2), -EFAULT);
    assert_false(zv_as_check(fx.as, UINT64_MAX, 2, ZV_MEM_READ));
    assert_null(zv_as_ptr(fx.as, UINT64_MAX, 2, ZV_MEM_READ));
    assert_int_equal(zv_as_unmap(fx.as, UINT64_MAX, 2), -EINVAL);
}

static void
unmap_whole_and_missing(void **state)
{
    zv_as_map(fx.as, 0x1000, 0x100, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x2000, 0x100, fx.b, ZV_MEM_RW);
    assert_int_equal(zv_as_unmap(fx.as, 0x1100, 0xf00), -ENOENT);
    assert_int_equal(zv_as_unmap(fx.as, 0x1000, 0), -EINVAL);
    /* one range covering both removes both */
    assert_int_equal(zv_as_unmap(fx.as, 0x0, 0x10000), 0);
    assert_int_equal(zv_as_count(fx.as), 0);
    assert_int_equal(zv_as_unmap(fx.as, 0x1000, 0x100), -ENOENT);
}

static void
unmap_middle_splits_mapping(void **state)
{
    struct visit v = {0};
    uint8_t x = 0x77;

    zv_as_map(fx.as, 0x4000, 0x1000, fx.a, ZV_MEM_READ);
    assert_int_equal(zv_as_unmap(fx.as, 0x4400, 0x200), 0);
    zv_as_foreach(fx.as, visit_cb, &v);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.addr[0], 0x4000);
    assert_int_equal(v.len[0], 0x400);
    assert_ptr_equal(v.host[0], fx.a);
    assert_int_equal(v.addr[1], 0x4600);
    assert_int_equal(v.len[1], 0xa00);
    assert_ptr_equal(v.host[1], fx.a + 0x600);
    assert_int_equal(v.prot[1], ZV_MEM_READ);
    fx.a[0x600] = x;
    assert_int_equal(zv_as_read(fx.as, 0x4600, &x, 1), 0);
    assert_int_equal(x, 0x77);
    assert_int_equal(zv_as_read(fx.as, 0x45ff, &x, 1), -EFAULT);
    assert_int_equal(zv_as_read(fx.as, 0x4400, &x, 1), -EFAULT);
}

static void
unmap_trims_partial_overlaps(void **state)
{
    struct visit v = {0};

    zv_as_map(fx.as, 0x1000, 0x100, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1100, 0x100, fx.b, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1200, 0x100, fx.c, ZV_MEM_RW);
    /* tail of a, all of b, head of c */
    assert_int_equal(zv_as_unmap(fx.as, 0x10f0, 0x120), 0);
    zv_as_foreach(fx.as, visit_cb, &v);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.addr[0], 0x1000);
    assert_int_equal(v.len[0], 0xf0);
    assert_ptr_equal(v.host[0], fx.a);
    assert_int_equal(v.addr[1], 0x1210);
    assert_int_equal(v.len[1], 0xf0);
    assert_ptr_equal(v.host[1], fx.c + 0x10);
    /* the freed range can be mapped again */
    assert_int_equal(zv_as_map(fx.as, 0x10f0, 0x120, fx.b, ZV_MEM_RW), 0);
    assert_true(zv_as_check(fx.as, 0x1000, 0x300, ZV_MEM_RW));
}

static void
be_field_reads(void **state)
{
    uint32_t v32 = 0;
    uint64_t v64 = 0;
    static const uint8_t word[] = {0x12, 0x34, 0x56, 0x78,
                                   0x9a, 0xbc, 0xde, 0xf0};

    zv_as_map(fx.as, 0x2000, 0x8, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x2008, 0x8, fx.b, ZV_MEM_RW);
    assert_int_equal(zv_as_write(fx.as, 0x2004, word, 8), 0);
    assert_int_equal(zv_as_read_be32(fx.as, 0x2004, &v32), 0);
    assert_int_equal(v32, 0x12345678);
    /* a doubleword spanning two mappings */
    assert_int_equal(zv_as_read_be64(fx.as, 0x2004, &v64), 0);
    assert_int_equal(v64, 0x123456789abcdef0ull);
    v32 = 0xdeadbeef;
    assert_int_equal(zv_as_read_be32(fx.as, 0x200e, &v32), -EFAULT);
    assert_int_equal(v32, 0xdeadbeef);
    assert_int_equal(zv_as_read_be64(fx.as, 0x1ffc, &v64), -EFAULT);
}

static void
two_spaces_are_independent(void **state)
{
    struct zv_as *other = zv_as_new(NULL);
    uint8_t x;

    assert_non_null(other);
    zv_as_map(fx.as, 0x1000, 0x10, fx.a, ZV_MEM_RW);
    assert_int_equal(zv_as_read(other, 0x1000, &x, 1), -EFAULT);
    assert_int_equal(zv_as_map(other, 0x1000, 0x10, fx.b, ZV_MEM_RW), 0);
    fx.b[0] = 9;
    assert_int_equal(zv_as_read(other, 0x1000, &x, 1), 0);
    assert_int_equal(x, 9);
    zv_as_free(other);
    zv_as_free(NULL);
}

static void
many_mappings_lookup(void **state)
{
    static uint8_t page[16];
    uint8_t x;

    /* every other 16-byte slot mapped, inserted in a scrambled order */
    for (unsigned i = 0; i < 1000; i++) {
        unsigned slot = (i * 389) % 1000;

        assert_int_equal(
            zv_as_map(fx.as, (uint64_t)slot * 32, 16, page, ZV_MEM_RW), 0);
    }
    assert_int_equal(zv_as_count(fx.as), 1000);
    for (unsigned slot = 0; slot < 1000; slot++) {
        assert_int_equal(zv_as_read(fx.as, slot * 32ull + 15, &x, 1), 0);
        assert_int_equal(zv_as_read(fx.as, slot * 32ull + 16, &x, 1), -EFAULT);
    }
}

/* ---- zv_as_iov: host iovecs for a range, each inside its mapping ---- */

static void
iov_within_one_mapping_is_one_segment_in_bounds(void **state)
{
    struct iovec v[4];

    zv_as_map(fx.as, 0x1000, 0x100, fx.a, ZV_MEM_RW);
    assert_int_equal(zv_as_iov(fx.as, 0x1010, 0x20, ZV_MEM_WRITE, v, 4), 1);
    assert_ptr_equal(v[0].iov_base, fx.a + 0x10);
    assert_int_equal(v[0].iov_len, 0x20);
    /* the last byte of the mapping, and one past it */
    assert_int_equal(zv_as_iov(fx.as, 0x10ff, 1, ZV_MEM_READ, v, 4), 1);
    assert_ptr_equal(v[0].iov_base, fx.a + 0xff);
    assert_int_equal(zv_as_iov(fx.as, 0x10ff, 2, ZV_MEM_READ, v, 4), -EFAULT);
    assert_int_equal(zv_as_iov(fx.as, 0xfff, 2, ZV_MEM_READ, v, 4), -EFAULT);
}

static void
iov_spanning_two_mappings_gives_two_bounded_segments(void **state)
{
    struct iovec v[4];

    zv_as_map(fx.as, 0x1000, 0x10, fx.a + 0x100, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1010, 0x10, fx.b + 0x200, ZV_MEM_RW);
    assert_int_equal(zv_as_iov(fx.as, 0x1008, 0x10, ZV_MEM_READ, v, 4), 2);
    assert_ptr_equal(v[0].iov_base, fx.a + 0x108);
    assert_int_equal(v[0].iov_len, 8); /* ends where its mapping ends */
    assert_ptr_equal(v[1].iov_base, fx.b + 0x200);
    assert_int_equal(v[1].iov_len, 8);
    /* room for one segment only */
    assert_int_equal(zv_as_iov(fx.as, 0x1008, 0x10, ZV_MEM_READ, v, 1), -E2BIG);
    assert_int_equal(zv_as_iov(fx.as, 0x1008, 0x10, ZV_MEM_READ, v, 0), -E2BIG);
}

static void
iov_mappings_adjacent_in_host_memory_share_a_segment(void **state)
{
    struct iovec v[2];

    /* two mappings of one host buffer, back to back on both sides */
    zv_as_map(fx.as, 0x1000, 0x80, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1080, 0x80, fx.a + 0x80, ZV_MEM_RW);
    assert_int_equal(zv_as_iov(fx.as, 0x1040, 0x80, ZV_MEM_RW, v, 1), 1);
    assert_ptr_equal(v[0].iov_base, fx.a + 0x40);
    assert_int_equal(v[0].iov_len, 0x80);
}

static void
iov_hole_permission_and_bad_ranges_are_efault(void **state)
{
    struct iovec v[4];

    zv_as_map(fx.as, 0x1000, 0x10, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1011, 0x10, fx.b, ZV_MEM_RW); /* one-byte hole */
    zv_as_map(fx.as, 0x2000, 0x10, fx.c, ZV_MEM_READ);
    assert_int_equal(zv_as_iov(fx.as, 0x1008, 0x10, ZV_MEM_READ, v, 4),
                     -EFAULT);
    assert_int_equal(zv_as_iov(fx.as, 0x1010, 1, ZV_MEM_READ, v, 4), -EFAULT);
    /* read-only mapping: no iovec to store into */
    assert_int_equal(zv_as_iov(fx.as, 0x2000, 8, ZV_MEM_WRITE, v, 4), -EFAULT);
    assert_int_equal(zv_as_iov(fx.as, 0x2000, 8, ZV_MEM_READ, v, 4), 1);
    assert_int_equal(zv_as_iov(fx.as, 0x1000, 0, ZV_MEM_READ, v, 4), -EFAULT);
    assert_int_equal(zv_as_iov(fx.as, UINT64_MAX, 2, ZV_MEM_READ, v, 4),
                     -EFAULT);
}

static void
iov_counts_a_trip_per_tripwire_segment(void **state)
{
    struct iovec v[4];

    zv_as_map(fx.as, 0x1000, 0x10, fx.a, ZV_MEM_RW);
    zv_as_map(fx.as, 0x1010, 0x10, fx.b, ZV_MEM_RW | ZV_MEM_TRIP);
    assert_int_equal(zv_as_iov(fx.as, 0x1000, 0x10, ZV_MEM_RW, v, 4), 1);
    assert_int_equal(zv_as_trips(fx.as), 0);
    assert_int_equal(zv_as_iov(fx.as, 0x1008, 0x10, ZV_MEM_RW, v, 4), 2);
    assert_int_equal(zv_as_trips(fx.as), 1);
    /* a refused range reaches nothing and counts nothing */
    assert_int_equal(zv_as_iov(fx.as, 0x1018, 0x10, ZV_MEM_RW, v, 4), -EFAULT);
    assert_int_equal(zv_as_trips(fx.as), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(new_space_is_empty_and_named),
        T(map_rejects_bad_ranges),
        T(map_overlap_is_eexist),
        T(mappings_are_kept_sorted),
        T(read_write_within_one_mapping),
        T(access_crosses_adjacent_mappings),
        T(hole_fails_whole_access_untouched),
        T(permissions_are_enforced),
        T(wrap_around_is_efault),
        T(unmap_whole_and_missing),
        T(unmap_middle_splits_mapping),
        T(unmap_trims_partial_overlaps),
        T(be_field_reads),
        T(two_spaces_are_independent),
        T(many_mappings_lookup),
        T(iov_within_one_mapping_is_one_segment_in_bounds),
        T(iov_spanning_two_mappings_gives_two_bounded_segments),
        T(iov_mappings_adjacent_in_host_memory_share_a_segment),
        T(iov_hole_permission_and_bad_ranges_are_efault),
        T(iov_counts_a_trip_per_tripwire_segment),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
