/* SPDX-License-Identifier: MIT */
/*
 * The figures zvfioctl stats reports for a device: the SSCH-to-status
 * latency histogram of the mediator (vfio_ccw.h) and the data bytes the
 * host channel moved for the subchannel (css_sch_bytes).  On the virtual
 * loop time is exact, so each start lands in a known bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/loop.h"
#include "harness.h"

static struct zv_vfio_ccw_latency
lat(struct vh *h)
{
    struct zv_vfio_ccw_counters c;

    assert_int_equal(zv_vfio_ccw_counters(h->vd, &c), 0);
    return c.lat;
}

static uint64_t
bucket_sum(const struct zv_vfio_ccw_latency *l)
{
    uint64_t n = 0;

    for (unsigned k = 0; k < ZV_VFIO_CCW_LAT_BUCKETS; k++)
        n += l->bucket[k];
    return n;
}

static void
lat_bucket_bounds_are_log2_microseconds(void **state)
{
    (void)state;
    assert_int_equal(zv_vfio_ccw_lat_bucket(0), 0);
    assert_int_equal(zv_vfio_ccw_lat_bucket(999), 0);
    assert_int_equal(zv_vfio_ccw_lat_bucket(1000), 1);
    assert_int_equal(zv_vfio_ccw_lat_bucket(1999), 1);
    assert_int_equal(zv_vfio_ccw_lat_bucket(2000), 2);
    assert_int_equal(zv_vfio_ccw_lat_bucket(3999), 2);
    assert_int_equal(zv_vfio_ccw_lat_bucket(4000), 3);
    assert_int_equal(zv_vfio_ccw_lat_bucket(16383999), 14);
    assert_int_equal(zv_vfio_ccw_lat_bucket(16384000), 15);
    /* the top bucket is open */
    assert_int_equal(zv_vfio_ccw_lat_bucket(UINT64_MAX),
                     ZV_VFIO_CCW_LAT_BUCKETS - 1);
}

/* One start from the region write to its final status queued: the device
 * latency and nothing else passes in virtual time. */
static void
ssch_latency_is_the_time_to_final_status(void **state)
{
    struct vh h;
    struct irb irb;
    struct zv_vfio_ccw_latency l;
    uint64_t t0;

    (void)state;
    vh_setup(&h);
    l = lat(&h);
    assert_int_equal(l.count, 0);
    assert_int_equal(bucket_sum(&l), 0);
    t0 = zv_loop_now(h.loop);
    assert_int_equal(vh_ssch(&h, 0x02, 4096), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    l = lat(&h);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.sum_ns, zv_loop_now(h.loop) - t0);
    assert_true(l.sum_ns >= VH_DEV_LATENCY);
    assert_int_equal(l.max_ns, l.sum_ns);
    assert_int_equal(l.bucket[zv_vfio_ccw_lat_bucket(l.sum_ns)], 1);
    assert_int_equal(bucket_sum(&l), 1);
    /* a second start adds to the same bucket */
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    l = lat(&h);
    assert_int_equal(l.count, 2);
    assert_int_equal(bucket_sum(&l), 2);
    vh_teardown(&h);
}

/* A start the client cleared (or halted) did not end by its own final
 * status: it is not a latency sample. */
static void
cleared_and_refused_starts_are_not_samples(void **state)
{
    struct vh h;
    struct irb irb;
    struct zv_vfio_ccw_latency l;

    (void)state;
    VH_SKIP_IN_REGRESS();
    vh_setup_busy(&h);
    assert_int_equal(vh_csch(&h), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(lat(&h).count, 0);
    /* an SSCH the mediator refuses (status pending) is none either */
    vh_dev_unsolicited(&h, DEV_STAT_ATTENTION);
    vh_run(&h);
    assert_true(vh_ssch(&h, 0x02, 64) < 0);
    vh_run(&h);
    l = lat(&h);
    assert_int_equal(l.count, 0);
    assert_int_equal(bucket_sum(&l), 0);
    vh_teardown(&h);
}

/* The channel counts what it moved, by direction: into storage for an
 * input command, out of it for an output command. */
static void
css_bytes_count_each_direction(void **state)
{
    struct vh h;
    struct irb irb;
    uint64_t rd, wr;

    (void)state;
    vh_setup(&h);
    css_sch_bytes(h.sch, &rd, &wr);
    assert_int_equal(rd, 0);
    assert_int_equal(wr, 0);
    assert_int_equal(vh_ssch(&h, 0x02, 4096), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    css_sch_bytes(h.sch, &rd, &wr);
    assert_int_equal(rd, 4096);
    assert_int_equal(wr, 0);
    assert_int_equal(vh_ssch(&h, 0x01, 512), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    css_sch_bytes(h.sch, &rd, &wr);
    assert_int_equal(rd, 4096);
    assert_int_equal(wr, 512);
    /* a control command moves nothing */
    assert_int_equal(vh_ssch(&h, 0x03, 1), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    css_sch_bytes(h.sch, &rd, &wr);
    assert_int_equal(rd + wr, 4096 + 512);
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lat_bucket_bounds_are_log2_microseconds),
        cmocka_unit_test(ssch_latency_is_the_time_to_final_status),
        cmocka_unit_test(cleared_and_refused_starts_are_not_samples),
        cmocka_unit_test(css_bytes_count_each_direction),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
