/* SPDX-License-Identifier: MIT */
/* vfio/vdev and vfio/mdev: the generic mediated-device layer alone, with a
 * toy driver (no css). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfio/mdev.h"
#include "vfio/vdev.h"

struct toy {
    uint8_t reg[16];
    unsigned opens, closes, resets, removes, releases, requests;
    unsigned maps, unmaps;
    int open_rc;
};

static int
toy_open(struct zv_vdev *vd)
{
    struct toy *t = zv_vdev_drvdata(vd);

    t->opens++;
    return t->open_rc;
}

static void
toy_close(struct zv_vdev *vd)
{
    ((struct toy *)zv_vdev_drvdata(vd))->closes++;
}

static int
toy_reset(struct zv_vdev *vd)
{
    ((struct toy *)zv_vdev_drvdata(vd))->resets++;
    return 0;
}

static ssize_t
toy_read(struct zv_vdev *vd, unsigned index, uint64_t off, void *buf,
         size_t len)
{
    memcpy(buf, ((struct toy *)zv_vdev_drvdata(vd))->reg + off, len);
    return (ssize_t)len;
}

static ssize_t
toy_write(struct zv_vdev *vd, unsigned index, uint64_t off, const void *buf,
          size_t len)
{
    memcpy(((struct toy *)zv_vdev_drvdata(vd))->reg + off, buf, len);
    return (ssize_t)len;
}

static int
toy_map(struct zv_vdev *vd, uint64_t iova, uint64_t len, void *host,
        unsigned prot)
{
    ((struct toy *)zv_vdev_drvdata(vd))->maps++;
    return 0;
}

static void
toy_unmap(struct zv_vdev *vd, uint64_t iova, uint64_t len)
{
    ((struct toy *)zv_vdev_drvdata(vd))->unmaps++;
}

static void
toy_request(struct zv_vdev *vd, unsigned count)
{
    ((struct toy *)zv_vdev_drvdata(vd))->requests++;
}

static void
toy_remove(struct zv_vdev *vd)
{
    ((struct toy *)zv_vdev_drvdata(vd))->removes++;
}

static void
toy_release(struct zv_vdev *vd)
{
    ((struct toy *)zv_vdev_drvdata(vd))->releases++;
}

static const struct zv_vdev_ops toy_ops = {
    .open = toy_open,
    .close = toy_close,
    .reset = toy_reset,
    .region_read = toy_read,
    .region_write = toy_write,
    .dma_map = toy_map,
    .dma_unmap = toy_unmap,
    .request = toy_request,
    .remove = toy_remove,
    .release = toy_release,
};

static const struct zv_vdev_desc toy_desc = {
    .api = "toy", .flags = ZV_VFIO_DEVICE_FLAGS_RESET, .num_irqs = 2};

static struct zv_vdev *
toy_new(struct toy *t)
{
    struct zv_vdev *vd = zv_vdev_new(&toy_desc, &toy_ops, t);

    assert_non_null(vd);
    assert_int_equal(zv_vdev_add_region(vd, 0, sizeof(t->reg),
                                        ZV_VFIO_REGION_INFO_FLAG_READ |
                                            ZV_VFIO_REGION_INFO_FLAG_WRITE,
                                        NULL, 0),
                     0);
    assert_int_equal(zv_vdev_set_irq_info(vd, 0, 1, ZV_VFIO_IRQ_INFO_EVENTFD),
                     0);
    return vd;
}

static void
region_access_is_bounded_and_needs_open(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    uint8_t buf[32] = {1, 2, 3, 4};

    assert_int_equal(zv_vdev_region_read(vd, 0, 0, buf, 4), -EBADF);
    assert_int_equal(zv_vdev_open(vd), 0);
    assert_int_equal(zv_vdev_open(vd), -EBUSY);
    assert_int_equal(zv_vdev_region_write(vd, 0, 12, buf, 4), 4);
    assert_int_equal(t.reg[12], 1);
    assert_int_equal(zv_vdev_region_write(vd, 0, 13, buf, 4), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 0, 16, buf, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 0, UINT64_MAX, buf, 2), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 0, 0, buf, 0), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 1, 0, buf, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 99, 0, buf, 1), -EINVAL);
    zv_vdev_close(vd);
    assert_int_equal(t.closes, 1);
    zv_vdev_put(vd);
    assert_int_equal(t.releases, 1);
}

static void
read_only_region_refuses_writes(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    uint8_t b = 0;

    assert_int_equal(
        zv_vdev_add_region(vd, 2, 8, ZV_VFIO_REGION_INFO_FLAG_READ, NULL, 0),
        0);
    assert_int_equal(
        zv_vdev_add_region(vd, 2, 8, ZV_VFIO_REGION_INFO_FLAG_READ, NULL, 0),
        -EEXIST);
    assert_int_equal(zv_vdev_open(vd), 0);
    assert_int_equal(zv_vdev_region_write(vd, 2, 0, &b, 1), -EINVAL);
    assert_int_equal(zv_vdev_region_read(vd, 2, 0, &b, 1), 1);
    zv_vdev_put(vd);
    assert_int_equal(t.closes, 1); /* the last put closes an open device */
}

static void
region_info_carries_type_capability_bytes(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    struct zv_vdev_region_info ri;
    struct zv_vdev_info info;
    uint8_t cap[ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE], got[32];

    zv_vdev_cap_type(cap, 2, 3);
    assert_int_equal(zv_vdev_add_region(vd, 3, 8, ZV_VFIO_REGION_INFO_FLAG_READ,
                                        cap, sizeof(cap)),
                     0);
    assert_int_equal(zv_vdev_get_region_info(vd, 3, &ri, got, sizeof(got)), 0);
    assert_int_equal(ri.size, 8);
    assert_int_equal(ri.cap_len, 16);
    assert_true(ri.flags & ZV_VFIO_REGION_INFO_FLAG_CAPS);
    /* struct vfio_info_cap_header {id 2, version 1, next 0}, type, subtype
     * (little endian, as vfio-user carries it) */
    static const uint8_t want[16] = {2, 0, 1, 0, 0, 0, 0, 0,
                                     2, 0, 0, 0, 3, 0, 0, 0};
    assert_memory_equal(got, want, 16);
    assert_int_equal(zv_vdev_get_region_info(vd, 1, &ri, NULL, 0), -EINVAL);
    zv_vdev_get_info(vd, &info);
    assert_int_equal(info.num_regions, 4);
    assert_int_equal(info.num_irqs, 2);
    assert_int_equal(info.flags, ZV_VFIO_DEVICE_FLAGS_RESET);
    zv_vdev_del_region(vd, 3);
    zv_vdev_get_info(vd, &info);
    assert_int_equal(info.num_regions, 1);
    zv_vdev_put(vd);
}

static void
irq_eventfd_and_callback_are_signalled(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    int32_t fd = eventfd(0, EFD_NONBLOCK), sfd = fd;
    uint64_t v = 0;
    uint8_t yes = 1;
    struct zv_vdev_irq_info ii;

    assert_true(fd >= 0);
    assert_int_equal(zv_vdev_open(vd), 0);
    assert_int_equal(zv_vdev_get_irq_info(vd, 0, &ii), 0);
    assert_int_equal(ii.count, 1);
    assert_int_equal(ii.flags, ZV_VFIO_IRQ_INFO_EVENTFD);
    assert_int_equal(zv_vdev_get_irq_info(vd, 2, &ii), -EINVAL);
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_EVENTFD |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 1, &fd),
                     0);
    assert_true(zv_vdev_signal(vd, 0));
    assert_int_equal(read(fd, &v, sizeof(v)), 8);
    assert_int_equal(v, 1);
    /* loopback: DATA_BOOL(true) signals now */
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_BOOL |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 1, &yes),
                     0);
    assert_int_equal(read(fd, &v, sizeof(v)), 8);
    /* MASK is not supported; bad index; two data types */
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_NONE |
                                          ZV_VFIO_IRQ_SET_ACTION_MASK,
                                      0, 0, 1, NULL),
                     -EINVAL);
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_NONE |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      5, 0, 1, NULL),
                     -EINVAL);
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_NONE |
                                          ZV_VFIO_IRQ_SET_DATA_BOOL |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 1, &yes),
                     -EINVAL);
    /* count 0 + DATA_NONE tears the trigger down */
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_NONE |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 0, NULL),
                     0);
    assert_false(zv_vdev_signal(vd, 0));
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_EVENTFD |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 0, &fd),
                     -EINVAL);
    fd = -1;
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_EVENTFD |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      0, 0, 1, &fd),
                     0);
    assert_false(zv_vdev_signal(vd, 0));
    close(sfd);
    zv_vdev_put(vd);
}

static void
dma_map_is_page_aligned_and_unmap_tells_driver_first(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    uint8_t *mem = aligned_alloc(4096, 8192);
    uint8_t w = 0;

    assert_int_equal(zv_vdev_dma_map(vd, 0x1001, 4096, mem, ZV_MEM_RW),
                     -EINVAL);
    assert_int_equal(zv_vdev_dma_map(vd, 0x1000, 100, mem, ZV_MEM_RW), -EINVAL);
    assert_int_equal(zv_vdev_dma_map(vd, 0x1000, 8192, mem, ZV_MEM_RW), 0);
    assert_int_equal(zv_vdev_dma_map(vd, 0x2000, 4096, mem, ZV_MEM_RW),
                     -EEXIST);
    assert_int_equal(t.maps, 1);
    mem[4] = 0x42;
    assert_int_equal(zv_as_read(zv_vdev_iova(vd), 0x1004, &w, 1), 0);
    assert_int_equal(w, 0x42);
    assert_int_equal(zv_vdev_dma_unmap(vd, 0x1000, 8192), 0);
    assert_int_equal(t.unmaps, 1);
    assert_int_equal(zv_as_read(zv_vdev_iova(vd), 0x1004, &w, 1), -EFAULT);
    assert_int_equal(zv_vdev_dma_unmap(vd, 0x1000, 8192), -ENOENT);
    zv_vdev_put(vd);
    free(mem);
}

static void
unregister_detaches_driver_while_user_holds_reference(void **state)
{
    struct toy t = {0};
    struct zv_vdev *vd = toy_new(&t);
    uint8_t b;

    assert_int_equal(zv_vdev_open(vd), 0);
    zv_vdev_get(vd); /* the user */
    zv_vdev_unregister(vd);
    assert_int_equal(t.requests, 1);
    assert_int_equal(t.closes, 1);
    assert_int_equal(t.removes, 1);
    zv_vdev_put(vd); /* the creator */
    assert_int_equal(t.releases, 0);
    assert_int_equal(zv_vdev_region_read(vd, 0, 0, &b, 1), -ENODEV);
    assert_int_equal(zv_vdev_reset(vd), -ENODEV);
    zv_vdev_close(vd);
    assert_int_equal(t.closes, 1); /* no driver call after remove */
    zv_vdev_put(vd);
    assert_int_equal(t.releases, 1);
}

static int
toy_create(struct zv_mdev_parent *parent, unsigned type, const char *uuid,
           struct zv_vdev **out)
{
    *out = toy_new(zv_mdev_parent_data(parent));
    return 0;
}

static const struct zv_mdev_parent_ops toy_parent_ops = {.create = toy_create};
static const struct zv_mdev_type toy_types[] = {
    {.name = "io", .description = "toy", .max_instances = 1},
};

#define U1 "11111111-2222-3333-4444-555555555555"
#define U2 "11111111-2222-3333-4444-666666666666"

static void
mdev_create_by_uuid_counts_available_instances(void **state)
{
    struct toy t = {0};
    struct zv_mdev_bus *bus = zv_mdev_bus_new();
    struct zv_mdev_parent *p = zv_mdev_parent_register(
        bus, "toy", "0.0.0001", toy_types, 1, &toy_parent_ops, &t);
    struct zv_vdev *vd;

    assert_non_null(p);
    assert_null(zv_mdev_parent_register(bus, "toy", "0.0.0001", toy_types, 1,
                                        &toy_parent_ops, &t));
    assert_ptr_equal(zv_mdev_parent_find(bus, "0.0.0001"), p);
    assert_int_equal(zv_mdev_available(p, "toy-io"), 1);
    assert_int_equal(zv_mdev_available(p, "toy-xx"), -ENOENT);
    assert_int_equal(zv_mdev_create(p, "toy-io", "not-a-uuid", NULL), -EINVAL);
    assert_int_equal(zv_mdev_create(p, "toy-io", U1, &vd), 0);
    assert_int_equal(zv_mdev_available(p, "toy-io"), 0);
    assert_int_equal(zv_mdev_create(p, "toy-io", U1, NULL), -EEXIST);
    assert_int_equal(zv_mdev_create(p, "toy-io", U2, NULL), -ENOSPC);
    assert_int_equal(zv_mdev_count(bus), 1);
    vd = zv_mdev_find(bus, U1);
    assert_non_null(vd);
    assert_int_equal(zv_mdev_remove(bus, U1), 0);
    assert_int_equal(zv_mdev_remove(bus, U1), -ENOENT);
    assert_int_equal(t.removes, 1);
    assert_int_equal(t.releases, 0); /* we still hold it */
    zv_vdev_put(vd);
    assert_int_equal(t.releases, 1);
    assert_int_equal(zv_mdev_available(p, "toy-io"), 1);
    assert_int_equal(zv_mdev_create(p, "toy-io", U2, NULL), 0);
    zv_mdev_bus_free(bus); /* unregisters the parent and its instance */
    assert_int_equal(t.releases, 2);
}

static void
uuid_validation(void **state)
{
    assert_true(zv_mdev_uuid_valid(U1));
    assert_true(zv_mdev_uuid_valid("ABCDEF01-2222-3333-4444-555555555555"));
    assert_false(zv_mdev_uuid_valid("11111111-2222-3333-4444-55555555555"));
    assert_false(zv_mdev_uuid_valid("11111111x2222-3333-4444-555555555555"));
    assert_false(zv_mdev_uuid_valid("g1111111-2222-3333-4444-555555555555"));
    assert_false(zv_mdev_uuid_valid(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(region_access_is_bounded_and_needs_open),
        cmocka_unit_test(read_only_region_refuses_writes),
        cmocka_unit_test(region_info_carries_type_capability_bytes),
        cmocka_unit_test(irq_eventfd_and_callback_are_signalled),
        cmocka_unit_test(dma_map_is_page_aligned_and_unmap_tells_driver_first),
        cmocka_unit_test(unregister_detaches_driver_while_user_holds_reference),
        cmocka_unit_test(mdev_create_by_uuid_counts_available_instances),
        cmocka_unit_test(uuid_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
