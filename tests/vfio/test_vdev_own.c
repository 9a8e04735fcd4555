/* SPDX-License-Identifier: MIT */
/*
 * zv_vdev resource rules a daemon depends on: an IRQ trigger is the
 * vdev's own duplicate of an eventfd (the caller's number may be closed
 * and reused for an image file the next moment), closed exactly once; a
 * non-eventfd is refused; DMA maps are capped like the kernel's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfio/vdev.h"

static const uint32_t efd_trig =
    ZV_VFIO_IRQ_SET_DATA_EVENTFD | ZV_VFIO_IRQ_SET_ACTION_TRIGGER;

static int
fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

static ssize_t
toy_rw(struct zv_vdev *vd, unsigned index, uint64_t off, void *buf, size_t len)
{
    return (ssize_t)len;
}

static const struct zv_vdev_ops toy_ops = {
    .region_read = toy_rw,
};

static struct zv_vdev *
toy_new(void)
{
    struct zv_vdev_desc d = {.api = "toy", .num_irqs = 2};
    struct zv_vdev *vd = zv_vdev_new(&d, &toy_ops, NULL);

    assert_non_null(vd);
    assert_int_equal(zv_vdev_set_irq_info(vd, 0, 1, ZV_VFIO_IRQ_INFO_EVENTFD),
                     0);
    assert_int_equal(zv_vdev_set_irq_info(vd, 1, 1, ZV_VFIO_IRQ_INFO_EVENTFD),
                     0);
    assert_int_equal(zv_vdev_open(vd), 0);
    return vd;
}

static int
set_fd(struct zv_vdev *vd, unsigned index, int32_t fd)
{
    return zv_vdev_set_irqs(vd, efd_trig, index, 0, 1, &fd);
}

static void
trigger_survives_the_callers_close_and_is_closed_once(void **state)
{
    struct zv_vdev *vd = toy_new();
    int base = fd_count();
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), keep;
    uint64_t v = 0;

    keep = dup(efd); /* to read the counter after the caller's close */
    assert_int_equal(set_fd(vd, 0, efd), 0);
    assert_int_equal(fd_count(), base + 3); /* efd, keep, the vdev's */
    close(efd);
    /* the number is reused by something else: the vdev does not care */
    efd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(zv_vdev_signal(vd, 0));
    assert_int_equal(read(keep, &v, 8), 8);
    assert_int_equal(v, 1);
    /* replacing closes the old duplicate */
    assert_int_equal(set_fd(vd, 0, keep), 0);
    assert_int_equal(fd_count(), base + 3);
    /* removing (-1), and count 0 + DATA_NONE, close it */
    assert_int_equal(set_fd(vd, 0, -1), 0);
    assert_int_equal(fd_count(), base + 2);
    assert_int_equal(set_fd(vd, 1, keep), 0);
    assert_int_equal(zv_vdev_set_irqs(vd,
                                      ZV_VFIO_IRQ_SET_DATA_NONE |
                                          ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                                      1, 0, 0, NULL),
                     0);
    assert_int_equal(fd_count(), base + 2);
    assert_false(zv_vdev_signal(vd, 1));
    /* close drops them, put too (nothing twice: counts stay exact) */
    assert_int_equal(set_fd(vd, 0, keep), 0);
    assert_int_equal(set_fd(vd, 1, keep), 0);
    assert_int_equal(fd_count(), base + 4);
    zv_vdev_close(vd);
    assert_int_equal(fd_count(), base + 2);
    assert_int_equal(zv_vdev_open(vd), 0);
    assert_int_equal(set_fd(vd, 1, keep), 0);
    zv_vdev_put(vd);
    assert_int_equal(fd_count(), base + 2);
    close(efd);
    close(keep);
}

static void
only_eventfds_are_triggers(void **state)
{
    struct zv_vdev *vd = toy_new();
    int p[2], base;
    int32_t closed;

    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    base = fd_count();
    assert_int_equal(set_fd(vd, 0, p[0]), -EINVAL);
    assert_int_equal(set_fd(vd, 0, 0x7fff0000), -EBADF);
    closed = dup(p[1]);
    close(closed);
    assert_int_equal(set_fd(vd, 0, closed), -EBADF);
    assert_int_equal(set_fd(vd, 0, -2), -EINVAL);
    assert_int_equal(fd_count(), base);
    assert_false(zv_vdev_fd_is_eventfd(p[1]));
    close(p[0]);
    close(p[1]);
    zv_vdev_put(vd);
}

static void
dma_maps_are_capped_like_the_kernels(void **state)
{
    struct zv_vdev *vd = toy_new();
    uint8_t *page = aligned_alloc(4096, 4096);
    uint64_t i;

    /* every other page, so no two maps touch */
    for (i = 0; i < ZV_VDEV_MAX_DMA_MAPS; i++)
        assert_int_equal(zv_vdev_dma_map(vd, i * 8192, 4096, page, ZV_MEM_RW),
                         0);
    assert_int_equal(zv_vdev_dma_map(vd, i * 8192, 4096, page, ZV_MEM_RW),
                     -ENOSPC);
    assert_int_equal(zv_vdev_dma_unmap(vd, 0, 4096), 0);
    assert_int_equal(zv_vdev_dma_map(vd, i * 8192, 4096, page, ZV_MEM_RW), 0);
    zv_vdev_put(vd);
    free(page);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trigger_survives_the_callers_close_and_is_closed_once),
        cmocka_unit_test(only_eventfds_are_triggers),
        cmocka_unit_test(dma_maps_are_capped_like_the_kernels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
