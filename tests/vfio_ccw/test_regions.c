/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw regions and IRQs as <linux/vfio_ccw.h> defines them: layout,
 * capability types, bad offsets and sizes, and the ret_code table of
 * docs/vfio-ccw.md (0, -EBUSY, -EOPNOTSUPP, -EINVAL, -EFAULT, -EACCES,
 * -ENODEV; -EAGAIN never).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static uint32_t
cap_word(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void
device_regions_and_irqs_match_the_uapi(void **st)
{
    static const struct {
        unsigned index;
        uint64_t size;
        uint32_t flags;
        uint32_t subtype;
    } want[] = {
        {0, 124, ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_WRITE,
         0},
        {1, 8,
         ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_WRITE |
             ZV_VFIO_REGION_INFO_FLAG_CAPS,
         ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD},
        {2, 52, ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_CAPS,
         ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB},
        {3, 8, ZV_VFIO_REGION_INFO_FLAG_READ | ZV_VFIO_REGION_INFO_FLAG_CAPS,
         ZV_VFIO_REGION_SUBTYPE_CCW_CRW},
    };
    struct zv_vdev_info info;
    struct zv_vdev_region_info ri;
    struct zv_vdev_irq_info ii;
    uint8_t cap[64];
    struct vh h;

    vh_setup(&h);
    assert_string_equal(zv_vdev_api(h.vd), "vfio-ccw");
    zv_vdev_get_info(h.vd, &info);
    assert_int_equal(info.flags,
                     ZV_VFIO_DEVICE_FLAGS_CCW | ZV_VFIO_DEVICE_FLAGS_RESET);
    assert_int_equal(info.num_regions, 4);
    assert_int_equal(info.num_irqs, 3);
    for (unsigned i = 0; i < 4; i++) {
        memset(cap, 0, sizeof(cap));
        assert_int_equal(
            zv_vdev_get_region_info(h.vd, want[i].index, &ri, cap, 64), 0);
        assert_int_equal(ri.size, want[i].size);
        assert_int_equal(ri.flags, want[i].flags);
        if (!want[i].subtype) {
            assert_int_equal(ri.cap_len, 0);
            continue;
        }
        assert_int_equal(cap_word(cap) & 0xFFFF, ZV_VFIO_REGION_INFO_CAP_TYPE);
        assert_int_equal(cap_word(cap + 8), ZV_VFIO_REGION_TYPE_CCW);
        assert_int_equal(cap_word(cap + 12), want[i].subtype);
    }
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(zv_vdev_get_irq_info(h.vd, i, &ii), 0);
        assert_int_equal(ii.count, 1);
        assert_int_equal(ii.flags, ZV_VFIO_IRQ_INFO_EVENTFD);
    }
    /* capability regions exist only while open (kernel open_device) */
    zv_vdev_close(h.vd);
    assert_int_equal(zv_vdev_get_region_info(h.vd, 1, &ri, NULL, 0), -EINVAL);
    assert_int_equal(zv_vdev_open(h.vd), 0);
    vh_teardown(&h);
}

static void
bad_offsets_and_sizes_are_einval(void **st)
{
    uint8_t buf[256] = {0};
    struct vh h;

    vh_setup(&h);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 124, buf, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 0, buf, 125), -EINVAL);
    assert_int_equal(zv_vdev_region_write(h.vd, 0, 120, buf, 8), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 0, buf, 0), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 1, 4, buf, 8), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 2, 52, buf, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_write(h.vd, 2, 0, buf, 4), -EINVAL);
    assert_int_equal(zv_vdev_region_write(h.vd, 3, 0, buf, 4), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 4, 0, buf, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, UINT64_MAX - 1, buf, 4),
                     -EINVAL);
    /* in-range reads of part of a region work */
    assert_int_equal(zv_vdev_region_read(h.vd, 2, 10, buf, 4), 4);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 120, buf, 4), 4);
    vh_teardown(&h);
}

static int32_t
io_ret_code(struct vh *h)
{
    uint8_t b[4];

    assert_int_equal(zv_vdev_region_read(h->vd, 0, ZV_CCW_IO_RET_OFF, b, 4), 4);
    return (int32_t)zv_be32(b);
}

static int32_t
cmd_ret_code(struct vh *h)
{
    uint8_t b[4];

    assert_int_equal(zv_vdev_region_read(h->vd, 1, ZV_CCW_CMD_RET_OFF, b, 4),
                     4);
    return (int32_t)zv_be32(b);
}

static void
io_region_write_function(struct vh *h, uint8_t fctl, int want)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct scsw scsw = {.fctl = fctl};

    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    assert_int_equal(zv_vdev_region_write(h->vd, 0, 0, region, sizeof(region)),
                     want);
    assert_int_equal(io_ret_code(h), want);
}

static void
ret_code_table(void **st)
{
    struct orb orb;
    struct vh h;
    struct irb irb;

    VH_SKIP_IN_REGRESS();

    vh_setup(&h);
    /* 0: started (ret_code 0, the write returns its length) */
    assert_int_equal(vh_ssch(&h, 0x02, 16), 0);
    assert_int_equal(io_ret_code(&h), 0);
    /* -EBUSY: a function in progress (cc 2) */
    assert_int_equal(vh_ssch(&h, 0x02, 16), -EBUSY);
    assert_int_equal(io_ret_code(&h), -EBUSY);
    vh_run(&h);
    /* -EBUSY: status pending (cc 1) */
    assert_int_equal(vh_ssch(&h, 0x02, 16), -EBUSY);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    /* -EOPNOTSUPP: transport mode; halt/clear through the I/O region */
    vh_orb(&orb);
    orb.b = true;
    assert_int_equal(vh_ssch_orb(&h, &orb), -EOPNOTSUPP);
    io_region_write_function(&h, SCSW_FCTL_HALT, -EOPNOTSUPP);
    io_region_write_function(&h, SCSW_FCTL_CLEAR, -EOPNOTSUPP);
    /* -EINVAL: no function at all */
    io_region_write_function(&h, 0, -EINVAL);
    /* -EFAULT: the program is outside the DMA map */
    vh_orb(&orb);
    orb.cpa = 0x10;
    assert_int_equal(vh_ssch_orb(&h, &orb), -EFAULT);
    /* -EACCES: no path the host allows is in the guest's LPM */
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, false), 0);
    vh_run(&h);
    vh_orb(&orb);
    orb.lpm = 0x80;
    assert_int_equal(vh_ssch_orb(&h, &orb), -EACCES);
    /* async region: unknown command -EINVAL, HSCH busy -EBUSY */
    assert_int_equal(vh_async(&h, 0x4), -EINVAL);
    assert_int_equal(cmd_ret_code(&h), -EINVAL);
    assert_int_equal(vh_async(&h, 0x3), -EINVAL);
    assert_int_equal(vh_hsch(&h), 0);
    assert_int_equal(cmd_ret_code(&h), 0);
    assert_int_equal(vh_hsch(&h), -EBUSY);
    assert_int_equal(cmd_ret_code(&h), -EBUSY);
    vh_run(&h);
    /* only the first start ever got a program: refusals build none */
    assert_int_equal(h.nfreed, 1);
    /* -ENODEV: the subchannel vanished */
    assert_int_equal(css_sch_undefine(h.css, h.sch), 0);
    vh_run(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 16), -ENODEV);
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(device_regions_and_irqs_match_the_uapi),
        cmocka_unit_test(bad_offsets_and_sizes_are_einval),
        cmocka_unit_test(ret_code_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
