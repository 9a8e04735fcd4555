/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw DMA: nothing outside the DMA map is reachable (principle 5);
 * the map is visible to the host CSS in the DMA window; unmapping a range
 * a live program pins quiesces first.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void
program_or_data_outside_the_map_is_efault(void **st)
{
    struct ccw1 ccw = {.cmd = 0x02, .flags = CCW_FLAG_SLI, .count = 16};
    struct orb orb;
    struct vh h;

    vh_setup(&h);
    vh_orb(&orb);
    orb.cpa = (uint32_t)(VH_GUEST_IOVA + VH_GUEST_SIZE);
    assert_int_equal(vh_ssch_orb(&h, &orb), -EFAULT);
    ccw.cda = (uint32_t)(VH_GUEST_IOVA + VH_GUEST_SIZE - 8); /* straddles */
    ccw1_encode(&ccw, h.guest + (VH_CCW_ADDR - VH_GUEST_IOVA));
    vh_orb(&orb);
    assert_int_equal(vh_ssch_orb(&h, &orb), -EFAULT);
    assert_int_equal(h.dev.commands, 0);
    assert_string_equal(vh_state(&h), "idle");
    vh_teardown(&h);
}

static void
map_is_visible_to_the_host_in_the_dma_window(void **st)
{
    struct vh h;
    uint8_t b = 0;

    vh_setup(&h);
    h.guest[0x123] = 0x77;
    assert_int_equal(
        zv_as_read(h.storage, ZV_VFIO_CCW_DMA_WINDOW + 0x123, &b, 1), 0);
    assert_int_equal(b, 0x77);
    assert_int_equal(zv_vdev_dma_unmap(h.vd, VH_GUEST_IOVA, 0x1000), 0);
    assert_int_equal(
        zv_as_read(h.storage, ZV_VFIO_CCW_DMA_WINDOW + 0x123, &b, 1), -EFAULT);
    /* the rest of the map is still there on both sides */
    assert_int_equal(
        zv_as_read(h.storage, ZV_VFIO_CCW_DMA_WINDOW + 0x1000, &b, 1), 0);
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "status-pending");
    vh_teardown(&h);
}

static void
unmap_of_pinned_range_quiesces_first(void **st)
{
    struct zv_vfio_ccw_counters cnt;
    struct irb irb;
    struct vh h;

    vh_setup_busy(&h);
    /* an unrelated range: the I/O goes on */
    assert_int_equal(
        zv_vdev_dma_unmap(h.vd, VH_GUEST_IOVA + VH_GUEST_SIZE - 0x1000, 0x1000),
        0);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(h.nfreed, 0);
    /* the data page: quiesced (host CSCH), program freed, then unmapped */
    assert_int_equal(zv_vdev_dma_unmap(h.vd, VH_DATA_ADDR & ~0xFFFull, 0x1000),
                     0);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_QUIESCE);
    assert_false(h.freed[0].host_start_active);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &cnt), 0);
    assert_int_equal(cnt.cp_live, 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.stctl, 0);
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EFAULT); /* data unmapped */
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(program_or_data_outside_the_map_is_efault),
        cmocka_unit_test(map_is_visible_to_the_host_in_the_dma_window),
        cmocka_unit_test(unmap_of_pinned_range_quiesces_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
