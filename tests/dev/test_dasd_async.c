/* SPDX-License-Identifier: MIT */
/*
 * A command held while its image transfer runs (io_uring in zvfiod; here
 * the sync backend deferring its reports to the virtual loop, so every
 * step is deterministic): it ends when the transfer reports, and whatever
 * stops the program first (halt, clear, the path lost, the subchannel
 * going away) stops the transfer before the program's end is visible:
 * no transfer may still be running, nor report into a finished program,
 * once the guest can see the status.  Each case runs on the host CSS
 * directly and through a vfio-ccw mediated device.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_harness.h"

#define BLOCKS 256
#define P_DE   0
#define P_LO   16
#define P_DATA 4096
#define NBLK   8 /* 4 KiB read */
#define BLK    40

static struct dh *
fx_new(bool vfio)
{
    struct dh_opts o = {.seed = 7, .csense = true, .defer = true, .vfio = vfio};
    struct dh *h = dh_new_fba(BLOCKS, &o);
    uint8_t blk[FBA_BLKSIZE];

    assert_non_null(h);
    for (uint32_t b = 0; b < BLOCKS; b++) {
        for (size_t i = 0; i < sizeof(blk); i++)
            blk[i] = (uint8_t)(b * 31 + i);
        assert_int_equal(fba_img_write(h->fimg, b, 1, blk), 0);
    }
    return h;
}

/* DE over the device, Locate for NBLK blocks at BLK, Read into P_DATA. */
static void
build_read(struct dh *h)
{
    uint8_t *de = h->buf + P_DE, *lo = h->buf + P_LO;

    memset(de, 0, 16);
    de[0] = 0x40; /* inhibit all writes */
    zv_put_be16(de + 2, FBA_BLKSIZE);
    zv_put_be32(de + 12, BLOCKS - 1);
    memset(lo, 0, 8);
    lo[0] = 0x06; /* read */
    zv_put_be16(lo + 2, NBLK);
    zv_put_be32(lo + 4, BLK);
    memset(h->buf + P_DATA, 0xEE, NBLK * FBA_BLKSIZE);
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, P_DE);
    dh_ccw(h, 0x43, CCW_FLAG_CC, 8, P_LO);
    dh_ccw(h, 0x42, 0, NBLK * FBA_BLKSIZE, P_DATA);
}

/* Start the read on the paths in lpm and run the loop until the device
 * holds the Read for its transfer. */
static void
start_held_read(struct dh *h, uint8_t lpm)
{
    struct orb orb = {.fmt = true, .pfch = true, .c64 = true, .lpm = lpm};
    int steps = 0;

    build_read(h);
    orb.cpa = dh_ccw_addr(h, 0);
    assert_int_equal(h->ch->ops->ssch(h->ch, &orb), 0);
    while (!dev_dasd_transfer_running(h->dev) && steps++ < 1000)
        assert_int_equal(zv_loop_run_once(h->loop, 0), 1);
    assert_true(dev_dasd_transfer_running(h->dev));
}

static bool
status_pending(struct dh *h)
{
    struct schib s;

    assert_int_equal(h->ch->ops->stsch(h->ch, &s), 0);
    return s.scsw.stctl & SCSW_STCTL_PENDING;
}

/* The final IRB of the program (intermediate ones skipped). */
static void
wait_final(struct dh *h)
{
    do
        assert_int_equal(h->ch->ops->wait_irb(h->ch, &h->irb, ZV_NSEC_PER_SEC),
                         0);
    while (h->irb.scsw.actl & (SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE));
}

static void
assert_read_data(struct dh *h)
{
    for (uint32_t b = 0; b < NBLK; b++)
        for (size_t i = 0; i < FBA_BLKSIZE; i++)
            if (h->buf[P_DATA + b * FBA_BLKSIZE + i] !=
                (uint8_t)((BLK + b) * 31 + i))
                fail_msg("block %u byte %zu", BLK + b, i);
}

/* After whatever stopped it: the device is idle, the loop has nothing of
 * the old transfer left, and the next program reads what it should. */
static void
assert_next_read_works(struct dh *h)
{
    zv_loop_run(h->loop);
    assert_false(dev_dasd_transfer_running(h->dev));
    guest_prog_reset(&h->prog);
    start_held_read(h, 0xFF);
    wait_final(h);
    guest_prog_reset(&h->prog);
    assert_true(guest_irb_ok(&h->irb));
    assert_read_data(h);
}

static void
held_read_ends_when_its_transfer_reports(bool vfio)
{
    struct dh *h = fx_new(vfio);

    start_held_read(h, 0xFF);
    /* nothing to see while the transfer runs */
    assert_false(status_pending(h));
    wait_final(h);
    guest_prog_reset(&h->prog);
    assert_true(guest_irb_ok(&h->irb));
    assert_int_equal(h->irb.scsw.count, 0);
    assert_read_data(h);
    assert_int_equal(dev_dasd_held(h->dev), 1);
    dh_free(h);
}

static void
halt_or_clear_stops_the_transfer(bool vfio, bool clear)
{
    struct dh *h = fx_new(vfio);

    start_held_read(h, 0xFF);
    assert_int_equal(clear ? h->ch->ops->csch(h->ch) : h->ch->ops->hsch(h->ch),
                     0);
    /* the device answered the signal by stopping the transfer at once */
    assert_false(dev_dasd_transfer_running(h->dev));
    wait_final(h);
    guest_prog_reset(&h->prog);
    assert_true(h->irb.scsw.fctl & (clear ? SCSW_FCTL_CLEAR : SCSW_FCTL_HALT));
    assert_next_read_works(h);
    assert_int_equal(dev_dasd_held(h->dev), 2);
    dh_free(h);
}

static void
lost_path_stops_the_transfer(bool vfio)
{
    struct dh *h = fx_new(vfio);

    start_held_read(h, 0x80); /* DH_CHP0 only */
    assert_int_equal(css_chp_set_failed(h->css, DH_CHP0, true), 0);
    /* the program ends with an interface-control check: the device was
     * told to stop before that status could be seen */
    assert_false(dev_dasd_transfer_running(h->dev));
    wait_final(h);
    guest_prog_reset(&h->prog);
    assert_true(h->irb.scsw.cstat & SCHN_STAT_INTF_CTRL_CHK);
    assert_int_equal(css_chp_set_failed(h->css, DH_CHP0, false), 0);
    assert_next_read_works(h);
    dh_free(h);
}

/* Torn down with the transfer running: the sanitizers see a completion
 * that would run into freed memory. */
static void
teardown_with_the_transfer_running(bool vfio)
{
    struct dh *h = fx_new(vfio);

    start_held_read(h, 0xFF);
    dh_free(h);
}

static void
css_held_read(void **state)
{
    held_read_ends_when_its_transfer_reports(false);
}
static void
vfio_held_read(void **state)
{
    held_read_ends_when_its_transfer_reports(true);
}
static void
css_halt(void **state)
{
    halt_or_clear_stops_the_transfer(false, false);
}
static void
vfio_halt(void **state)
{
    halt_or_clear_stops_the_transfer(true, false);
}
static void
css_clear(void **state)
{
    halt_or_clear_stops_the_transfer(false, true);
}
static void
vfio_clear(void **state)
{
    halt_or_clear_stops_the_transfer(true, true);
}
static void
css_lost_path(void **state)
{
    lost_path_stops_the_transfer(false);
}
static void
vfio_lost_path(void **state)
{
    lost_path_stops_the_transfer(true);
}
static void
css_teardown(void **state)
{
    teardown_with_the_transfer_running(false);
}
static void
vfio_teardown(void **state)
{
    teardown_with_the_transfer_running(true);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(css_held_read), cmocka_unit_test(vfio_held_read),
        cmocka_unit_test(css_halt),      cmocka_unit_test(vfio_halt),
        cmocka_unit_test(css_clear),     cmocka_unit_test(vfio_clear),
        cmocka_unit_test(css_lost_path), cmocka_unit_test(vfio_lost_path),
        cmocka_unit_test(css_teardown),  cmocka_unit_test(vfio_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
