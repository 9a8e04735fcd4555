/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw lifecycle under random orderings (seeded): I/O requests, host
 * completions and partial loop runs interleaved with close/open, reset,
 * mdev remove/re-create, subchannel unbind/rebind and, at the end of some
 * seeds, the subchannel vanishing.  No host callback may reach freed or
 * half-built state whatever the order (threads/004; ASan in CI), no
 * program may be freed under a running host start, and every program
 * translated is freed by the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define SEEDS 150
#define STEPS 250

static uint64_t
rnd(struct vh *h, uint64_t n)
{
    return zv_loop_rand_below(h->loop, n);
}

struct totals {
    uint64_t translated, freed;
};

static void
irq_count(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct vh *h = arg;

    h->irqs[index]++;
}

static void
install_callbacks(struct vh *h)
{
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        zv_vdev_set_irq_callback(h->vd, i, irq_count, h);
}

/* Drop our device (its counters go to the totals first). */
static void
drop_device(struct vh *h, struct totals *t)
{
    struct zv_vfio_ccw_counters c;

    if (!h->vd)
        return;
    zv_vdev_close(h->vd);
    zv_vdev_dma_unmap(h->vd, VH_GUEST_IOVA, VH_GUEST_SIZE);
    assert_int_equal(zv_vfio_ccw_counters(h->vd, &c), 0);
    t->translated += c.cp_translated;
    t->freed += c.cp_freed;
    zv_vdev_put(h->vd);
    h->vd = NULL;
}

/* A fresh instance (binding first if needed). */
static void
new_device(struct vh *h, struct totals *t)
{
    drop_device(h, t);
    zv_mdev_remove(h->bus, VH_UUID);
    if (!zv_vfio_ccw_parent(h->drv, h->sch))
        assert_int_equal(zv_vfio_ccw_bind(h->drv, h->sch), 0);
    vh_create_open(h);
}

static void
lifecycle_step(struct vh *h, struct totals *t)
{
    switch (rnd(h, 7)) {
    case 0:
        zv_vdev_close(h->vd);
        break;
    case 1:
        if (vh_open_retry(h) == 0)
            install_callbacks(h);
        break;
    case 2:
        zv_vdev_reset(h->vd);
        break;
    case 3:
        zv_mdev_remove(h->bus, VH_UUID);
        break;
    case 4:
        zv_vfio_ccw_unbind(h->drv, h->sch);
        break;
    default:
        new_device(h, t);
        break;
    }
}

static void
step(struct vh *h, struct totals *t)
{
    struct irb irb;

    switch (rnd(h, 12)) {
    case 0:
    case 1:
        h->dev.hold = rnd(h, 2);
        vh_ssch(h, 0x02, (uint16_t)(1 + rnd(h, 2048)));
        break;
    case 2:
        vh_hsch(h);
        break;
    case 3:
        vh_csch(h);
        break;
    case 4:
    case 5:
        vh_read_irb(h, &irb);
        break;
    case 6:
        if (h->dev.held)
            vh_dev_release(h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        break;
    case 7:
        lifecycle_step(h, t);
        break;
    default:
        for (uint64_t n = rnd(h, 5); n; n--)
            zv_loop_run_once(h->loop, 0);
        break;
    }
    assert_int_equal(h->bad_frees, 0);
}

static void
random_lifecycle_orderings_stay_safe(void **state)
{
    VH_SKIP_IN_REGRESS();
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        struct totals t = {0};
        struct vh h;
        bool vanish;

        vh_setup_seeded(&h, seed);
        vanish = rnd(&h, 4) == 0;
        for (unsigned i = 0; i < STEPS; i++)
            step(&h, &t);
        if (vanish) {
            css_sch_undefine(h.css, h.sch);
        }
        if (h.dev.held)
            vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        vh_run(&h);
        drop_device(&h, &t);
        if (t.translated != t.freed)
            print_error("seed %llu: translated %llu freed %llu\n",
                        (unsigned long long)seed,
                        (unsigned long long)t.translated,
                        (unsigned long long)t.freed);
        assert_int_equal(t.translated, t.freed);
        vh_teardown(&h);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_lifecycle_orderings_stay_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
