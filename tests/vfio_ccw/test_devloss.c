/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw device loss: the subchannel vanishes while the device is open
 * (vfio-ccw.md §6.3): not-operational, running I/O ended, REQ IRQ, every
 * later region access -ENODEV, close and release still clean.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void
subchannel_gone_while_open_with_io_running(void **st)
{
    uint8_t buf[ZV_CCW_IO_REGION_SIZE];
    struct zv_vfio_ccw_counters cnt;
    struct schib schib;
    struct vh h;

    vh_setup_busy(&h);
    css_sch_get(h.sch); /* the test keeps looking at it */
    assert_int_equal(css_sch_undefine(h.css, h.sch), 0);
    vh_run(&h);
    assert_true(h.irqs[ZV_VFIO_CCW_REQ_IRQ_INDEX] >= 1);
    assert_true(h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] >= 1);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.bad_frees, 0);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &cnt), 0);
    assert_int_equal(cnt.cp_live, 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(zv_vdev_region_read(h.vd, i, 0, buf, 4), -ENODEV);
    assert_int_equal(zv_vdev_region_write(h.vd, 0, 0, buf, 4), -ENODEV);
    assert_int_equal(vh_hsch(&h), -ENODEV);
    assert_int_equal(vh_csch(&h), -ENODEV);
    assert_int_equal(zv_vdev_reset(h.vd), -ENODEV);
    assert_null(zv_mdev_find(h.bus, VH_UUID));
    assert_int_equal(css_sch_stsch(h.sch, &schib).cc, ZV_CC3);
    css_sch_put(h.sch);
    /* the device the host still had: let it finish into nothing */
    if (h.dev.held)
        vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    vh_teardown(&h); /* close, unmap, put: clean under ASan */
}

static void
subchannel_gone_while_closed(void **st)
{
    struct zv_mdev_parent *mp;
    struct zv_vdev *vd;
    struct vh h;

    vh_setup_host(&h);
    mp = zv_vfio_ccw_parent(h.drv, h.sch);
    assert_int_equal(zv_mdev_create(mp, ZV_VFIO_CCW_TYPE_ID, VH_UUID, &vd), 0);
    h.vd = zv_mdev_find(h.bus, VH_UUID);
    css_sch_get(h.sch);
    assert_int_equal(css_sch_undefine(h.css, h.sch), 0);
    vh_run(&h);
    assert_int_equal(zv_vdev_open(h.vd), -ENODEV);
    assert_null(zv_vfio_ccw_parent(h.drv, h.sch));
    css_sch_put(h.sch);
    zv_vdev_put(h.vd);
    h.vd = NULL;
    vh_teardown(&h);
}

static void
bind_refuses_qdio_and_busy_subchannels(void **st)
{
    struct css_sch_desc d = {.sch_no = 0x200,
                             .devno = 0x200,
                             .st = PMCW_ST_IO,
                             .qdio = true,
                             .pim = 0x80,
                             .chpid = {VH_CHPID0}};
    struct subchannel *q;
    struct vh h;

    vh_setup_host(&h);
    assert_int_equal(css_sch_define(h.css, &d, NULL, false, &q), 0);
    assert_int_equal(zv_vfio_ccw_bind(h.drv, q), -EOPNOTSUPP);
    assert_null(css_sch_driver(q));
    assert_int_equal(zv_vfio_ccw_bind(h.drv, h.sch), -EBUSY);
    vh_teardown(&h);
}

/* The driver goes first (module unload) while a user still holds the
 * open device with I/O running: the user is asked to let go, its accesses
 * get -ENODEV, and its late close/unmap/put touch nothing freed. */
static void
driver_freed_under_open_user(void **st)
{
    uint8_t buf[8];
    struct vh h;

    vh_setup_busy(&h);
    zv_vfio_ccw_free(h.drv);
    h.drv = NULL;
    vh_run(&h);
    assert_true(h.irqs[ZV_VFIO_CCW_REQ_IRQ_INDEX] >= 1);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(zv_vdev_region_read(h.vd, 0, 0, buf, sizeof(buf)),
                     -ENODEV);
    assert_null(css_sch_driver(h.sch));
    if (h.dev.held)
        vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    vh_teardown(&h); /* close, unmap, put after the driver is gone */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subchannel_gone_while_open_with_io_running),
        cmocka_unit_test(subchannel_gone_while_closed),
        cmocka_unit_test(bind_refuses_qdio_and_busy_subchannels),
        cmocka_unit_test(driver_freed_under_open_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
