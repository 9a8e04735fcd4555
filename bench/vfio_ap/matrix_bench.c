/* SPDX-License-Identifier: MIT */
/*
 * matrix_bench: guest-matrix recomputation for a full 256 x 256 matrix
 * (target < 100 us).  One host with 256 adapters and 256 domains, all
 * given to vfio_ap, one mdev assigned everything (ap_config), one queue
 * per even adapter unbound so half the adapters are filtered out.
 *
 *  filter:  the filter of reference §3.2/§3.3 alone (zv_vfio_ap_filter_
 *           preview), the work every flow ends with;
 *  unbind:  a queue unbound from vfio_ap, flow C: unplug, the reset of the
 *           adapter's visible queues issued, filter, guest told;
 *  bind:    the queue bound again, flow A: link, filter, guest told.
 *
 * Medians of the samples, each timed alone (CLOCK_MONOTONIC).
 * Usage: matrix_bench [samples]   (default 201)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfio_ap/vfio_ap.h"

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static double
median_us(uint64_t *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    return (double)v[n / 2] / 1000.0;
}

int
main(int argc, char **argv)
{
    unsigned samples = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 201;
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct ap_bus *bus = ap_bus_new(loop, NULL);
    struct zv_mdev_bus *mbus = zv_mdev_bus_new();
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd = NULL;
    struct zv_vfio_ap_matrix gm;
    char cfg[256], ones[65];
    uint64_t *t_f, *t_u, *t_b;

    if (!samples || !loop || !bus || !mbus)
        return 1;
    for (unsigned a = 0; a < 256; a++) {
        struct ap_adapter_desc d = {.apid = (uint8_t)a,
                                    .type = AP_TYPE_CEX8,
                                    .mode = AP_MODE_ACCEL,
                                    .configured = true};

        if (ap_adapter_add(bus, &d))
            return 1;
    }
    for (unsigned d = 0; d < 256; d++)
        ap_config_domain(bus, (uint8_t)d, true);
    zv_loop_run(loop);
    ap_bus_apmask_store(bus, "0x");
    drv = zv_vfio_ap_new(bus, mbus);
    if (!drv || zv_mdev_create(zv_vfio_ap_parent(drv), ZV_VFIO_AP_TYPE_ID,
                               "00000000-0000-0000-0000-000000000001", &vd))
        return 1;
    memset(ones, 'f', 64);
    ones[64] = '\0';
    snprintf(cfg, sizeof(cfg), "0x%s,0x%s,0x%s\n", ones, ones, ones);
    if (zv_vfio_ap_attr_store(vd, "ap_config", cfg, strlen(cfg)) < 0 ||
        zv_vdev_open(vd))
        return 1;
    for (unsigned a = 0; a < 256; a += 2)
        ap_queue_unbind(ap_queue_find(bus, AP_MKQN(a, (a * 7) & 0xff)));
    zv_loop_run(loop);
    t_f = calloc(samples, sizeof(*t_f));
    t_u = calloc(samples, sizeof(*t_u));
    t_b = calloc(samples, sizeof(*t_b));
    if (!t_f || !t_u || !t_b)
        return 1;
    for (unsigned i = 0; i < samples; i++) {
        struct ap_queue *q = ap_queue_find(bus, AP_MKQN(1, i & 0xff));
        uint64_t t0 = now_ns();

        zv_vfio_ap_filter_preview(vd, &gm);
        t_f[i] = now_ns() - t0;
        t0 = now_ns();
        ap_queue_unbind(q);
        t_u[i] = now_ns() - t0;
        zv_loop_run(loop); /* the resets complete, outside the clock */
        t0 = now_ns();
        ap_queue_bind(q, zv_vfio_ap_ap_driver(drv));
        t_b[i] = now_ns() - t0;
    }
    zv_vfio_ap_filter_preview(vd, &gm);
    printf("vfio_ap 256x256 (%u adapters plugged, %u samples): filter %.2f us, "
           "unbind (flow C) %.2f us, bind (flow A) %.2f us  (target filter "
           "< 100 us)\n",
           ap_mask_weight(&gm.apm), samples, median_us(t_f, samples),
           median_us(t_u, samples), median_us(t_b, samples));
    zv_vdev_close(vd);
    free(t_f);
    free(t_u);
    free(t_b);
    zv_vfio_ap_free(drv);
    zv_mdev_bus_free(mbus);
    ap_bus_free(bus);
    zv_loop_free(loop);
    return 0;
}
