/* SPDX-License-Identifier: MIT */
/*
 * cp_translate errors: every one is a defined -errno, leaves *out NULL,
 * nothing pinned, nothing allocated and guest storage untouched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off)   (H_GBASE + (off))
#define UNMAPPED 0x01000000u /* above the guest buffer, below 2G */

struct fx {
    struct harness *h;
    struct orb o;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    f->h = h_new();
    f->o = h_orb(G(0));
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    h_free(f->h);
    free(f);
    return 0;
}

static void
expect(struct fx *f, int err)
{
    uint8_t *before = malloc(H_GSIZE);
    struct cp *cp = (struct cp *)&before; /* must be overwritten */
    struct orb host;

    memcpy(before, f->h->gbuf, H_GSIZE);
    assert_int_equal(cp_translate(&f->h->env, &f->o, &cp, &host), err);
    assert_null(cp);
    h_assert_clean(f->h);
    assert_memory_equal(before, f->h->gbuf, H_GSIZE);
    free(before);
}

static void
orb_transport_mode_is_eopnotsupp(void **state)
{
    struct fx *f = *state;

    f->o.b = true;
    expect(f, -EOPNOTSUPP);
}

static void
orb_midaw_control_is_eopnotsupp(void **state)
{
    struct fx *f = *state;

    f->o.midaw = true;
    expect(f, -EOPNOTSUPP);
}

static void
orb_reserved_bits_are_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x03, 0, 0, 0);
    f->o.rsvd = 0x04;
    expect(f, -EINVAL);
    f->o.rsvd = 0;
    f->o.x = true;
    f->o.ext_rsvd = 1;
    expect(f, -EINVAL);
}

static void
orb_cpa_misaligned_or_31bit_is_einval(void **state)
{
    struct fx *f = *state;

    f->o.cpa = G(4);
    expect(f, -EINVAL);
    f->o.cpa = 0x80000000u;
    expect(f, -EINVAL);
    /* Format-0 programs must sit below 16M (css-pop.md §5.1). */
    f->o.fmt = false;
    f->o.cpa = 0x01000000u;
    expect(f, -EINVAL);
}

static void
cpa_outside_dma_map_is_efault(void **state)
{
    struct fx *f = *state;

    f->o.cpa = UNMAPPED;
    expect(f, -EFAULT);
}

static void
chain_running_off_the_map_is_efault(void **state)
{
    struct fx *f = *state;
    uint64_t last = G(H_GSIZE - 8);

    f->o.cpa = (uint32_t)last;
    h_ccw1(f->h, last, 0x03, CCW_FLAG_CC, 0, 0);
    expect(f, -EFAULT);
}

static void
tic_to_tic_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(8), CCW_CMD_TIC, 0, 0, G(0x100));
    h_ccw1(f->h, G(0x100), CCW_CMD_TIC, 0, 0, G(0x200));
    h_ccw1(f->h, G(0x200), 0x03, 0, 0, 0);
    expect(f, -EINVAL);
}

static void
tic_to_itself_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), CCW_CMD_TIC, 0, 0, G(0));
    expect(f, -EINVAL);
}

static void
tic_as_first_ccw_to_tic_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), CCW_CMD_TIC, 0, 0, G(0x100));
    h_ccw1(f->h, G(0x100), CCW_CMD_TIC, 0, 0, G(0));
    expect(f, -EINVAL);
}

static void
tic_misaligned_target_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(8), CCW_CMD_TIC, 0, 0, G(0x104));
    expect(f, -EINVAL);
}

static void
tic_format1_with_flags_count_or_high_nibble_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0x100), 0x03, 0, 0, 0);
    h_ccw1(f->h, G(0), CCW_CMD_TIC, CCW_FLAG_CC, 0, G(0x100));
    expect(f, -EINVAL);
    h_ccw1(f->h, G(0), CCW_CMD_TIC, 0, 8, G(0x100));
    expect(f, -EINVAL);
    h_ccw1(f->h, G(0), 0x18, 0, 0, G(0x100));
    expect(f, -EINVAL);
}

static void
tic_target_outside_dma_map_is_efault(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(8), CCW_CMD_TIC, 0, 0, UNMAPPED);
    expect(f, -EFAULT);
}

static void
mida_flag_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_MIDA, 16, G(0x100));
    expect(f, -EINVAL);
}

static void
suspend_flag_under_orb_s_is_eopnotsupp(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_CC, 16, G(0x1000));
    h_ccw1(f->h, G(8), 0x01, CCW_FLAG_SUSPEND, 16, G(0x1000));
    f->o.spnd = true;
    expect(f, -EOPNOTSUPP);
}

static void
idal_misaligned_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 16, G(0x104)); /* format-2 */
    expect(f, -EINVAL);
    f->o.c64 = false;
    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 16, G(0x102)); /* format-1 */
    expect(f, -EINVAL);
}

static void
idal_outside_dma_map_is_efault(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 16, UNMAPPED);
    expect(f, -EFAULT);
}

static void
later_idaw_off_block_boundary_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 5000, G(0x100));
    h_idaw2(f->h, G(0x100), G(0x2000));
    h_idaw2(f->h, G(0x108), G(0x4010));
    expect(f, -EINVAL);
}

static void
read_backward_later_idaw_not_at_block_end_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x0C, CCW_FLAG_IDA, 0x300, G(0x100));
    h_idaw2(f->h, G(0x100), G(0x20ff));
    h_idaw2(f->h, G(0x108), G(0x4000));
    expect(f, -EINVAL);
}

static void
format1_idaw_bit0_is_einval(void **state)
{
    struct fx *f = *state;

    f->o.c64 = false;
    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_IDA, 16, G(0x100));
    h_idaw1(f->h, G(0x100), 0x80000000u | (uint32_t)G(0x2000));
    expect(f, -EINVAL);
}

static void
idaw_data_outside_dma_map_is_efault(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_IDA, 5000, G(0x100));
    h_idaw2(f->h, G(0x100), G(0x2000));
    h_idaw2(f->h, G(0x108), 0x40000000ull); /* not mapped */
    expect(f, -EFAULT);
}

static void
idaw_wrapping_the_64bit_space_is_einval(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x02, CCW_FLAG_IDA, 16, G(0x100));
    h_idaw2(f->h, G(0x100), UINT64_MAX - 7);
    expect(f, -EINVAL);
}

static void
direct_data_outside_dma_map_is_efault(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x03, CCW_FLAG_CC, 0, 0);
    h_ccw1(f->h, G(8), 0x02, 0, 100, UNMAPPED);
    expect(f, -EFAULT);
}

static void
direct_data_straddling_the_map_end_is_efault(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x02, 0, 100, (uint32_t)G(H_GSIZE - 50));
    expect(f, -EFAULT);
}

static void
direct_data_beyond_addressing_limit_is_einval(void **state)
{
    struct fx *f = *state;

    /* Format-1: the area must end below 2G. */
    h_ccw1(f->h, G(0), 0x02, 0, 0x200, 0x7fffff00u);
    expect(f, -EINVAL);
    /* Format-0: below 16M. */
    f->o.fmt = false;
    h_ccw0(f->h, G(0), 0x02, 0, 0x200, 0xffff00u);
    expect(f, -EINVAL);
    /* Read backward: the area may not start below 0. */
    f->o.fmt = true;
    h_ccw1(f->h, G(0), 0x0C, 0, 0x200, 0x10);
    expect(f, -EINVAL);
}

static void
pin_failure_midway_unpins_everything(void **state)
{
    struct fx *f = *state;

    h_ccw1(f->h, G(0), 0x01, CCW_FLAG_CC, 0x3000, G(0x1000));
    h_ccw1(f->h, G(8), 0x01, 0, 0x3000, G(0x8000));
    f->h->fail_pin_at = 5;
    expect(f, -ENOMEM);
    assert_int_equal(f->h->pin_calls, 5);
}

static void
host_arena_full_is_enomem(void **state)
{
    struct fx *f = *state;
    struct harness *small = h_new_sized(64);
    struct harness *keep = f->h;

    f->h = small;
    for (unsigned i = 0; i < 8; i++)
        h_ccw1(f->h, G(8 * i), 0x01, i < 7 ? CCW_FLAG_CC : 0, 8, G(0x1000));
    expect(f, -ENOMEM);
    f->h = keep;
    h_free(small);
}

static int
skewed_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct harness *h = ctx;
    uint8_t *p = zv_as_ptr(h->iova, iova, len, ZV_MEM_READ);

    if (!p)
        return -EFAULT;
    /* Same bytes, but 16 bytes off the guest's page offset. */
    *habs = H_HBASE + 0x10 + (uint64_t)(p - h->gbuf);
    h->pins++;
    return 0;
}

static void
pin_address_off_the_guest_page_offset_is_efault(void **state)
{
    struct fx *f = *state;

    /* The host channel would cut the data at other boundaries than the
     * guest's IDAWs: refuse rather than move the wrong bytes. */
    f->h->env.pin = skewed_pin;
    h_ccw1(f->h, G(0), 0x02, 0, 100, G(0x2000));
    expect(f, -EFAULT);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(orb_transport_mode_is_eopnotsupp),
        T(orb_midaw_control_is_eopnotsupp),
        T(orb_reserved_bits_are_einval),
        T(orb_cpa_misaligned_or_31bit_is_einval),
        T(cpa_outside_dma_map_is_efault),
        T(chain_running_off_the_map_is_efault),
        T(tic_to_tic_is_einval),
        T(tic_to_itself_is_einval),
        T(tic_as_first_ccw_to_tic_is_einval),
        T(tic_misaligned_target_is_einval),
        T(tic_format1_with_flags_count_or_high_nibble_is_einval),
        T(tic_target_outside_dma_map_is_efault),
        T(mida_flag_is_einval),
        T(suspend_flag_under_orb_s_is_eopnotsupp),
        T(idal_misaligned_is_einval),
        T(idal_outside_dma_map_is_efault),
        T(later_idaw_off_block_boundary_is_einval),
        T(read_backward_later_idaw_not_at_block_end_is_einval),
        T(format1_idaw_bit0_is_einval),
        T(idaw_data_outside_dma_map_is_efault),
        T(idaw_wrapping_the_64bit_space_is_einval),
        T(direct_data_outside_dma_map_is_efault),
        T(direct_data_straddling_the_map_end_is_efault),
        T(direct_data_beyond_addressing_limit_is_einval),
        T(pin_failure_midway_unpins_everything),
        T(host_arena_full_is_enomem),
        T(pin_address_off_the_guest_page_offset_is_efault),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
