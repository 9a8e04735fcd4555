/* SPDX-License-Identifier: MIT */
/*
 * Queue reset (reference §4.1): ZAPQ, then TAPQ every 20 ms until the
 * reset completes; every cell of the decision table; every trigger
 * (release, VFIO_DEVICE_RESET, unbind, unassignment, filtering); the
 * bounded wait and its error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch/ap_msg.h"
#include "vfio_ap/vfio_ap_priv.h"
#include "vh.h"

#define UA "11111111-2222-3333-4444-555555555555"

enum { A_POLL, A_REZAP, A_DONE, A_END, A_FAIL };

static const uint8_t cards[] = {5, 6};

static struct vh *
setup(const struct ap_bus_config *cfg, struct zv_vdev **vd)
{
    struct vh *h = vh_new(cfg, cards, 2, 4, 5);

    vh_apmask(h, "-5,-6", 0);
    vh_aqmask(h, "-4,-5", 0);
    *vd = vh_mdev(h, UA);
    assert_int_equal(vh_store(h, *vd, "ap_config", "0x06,0x0c,0x00"), 14);
    return h;
}

static struct zv_vfio_ap_counters
cnt(struct zv_vdev *vd)
{
    struct zv_vfio_ap_counters c;

    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    return c;
}

static struct ap_queue_stats
qst(struct vh *h, unsigned apid, unsigned apqi)
{
    struct ap_queue_stats st;

    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(apid, apqi)), &st);
    return st;
}

static void
enqueue(struct vh *h, unsigned apid, unsigned apqi)
{
    uint8_t msg[16] = {0, AP_T50_TYPE, 0, 16};

    assert_int_equal(
        ap_nqap(h->bus, AP_MKQN(apid, apqi), 1, msg, sizeof(msg)).st.rc, 0);
}

/* The table against §4.1, for every response code. */
static void
test_table_every_cell(void **state)
{
    for (unsigned rc = 0; rc < 256; rc++) {
        int z = vap_reset_table_action(0, (uint8_t)rc);
        int t = vap_reset_table_action(1, (uint8_t)rc);

        switch (rc) {
        case 0x00:
            assert_int_equal(z, A_POLL); /* accepted: verify */
            assert_int_equal(t, A_DONE);
            break;
        case 0x02:
        case 0x05:
            assert_int_equal(z, A_REZAP); /* refused: issue again */
            assert_int_equal(t, A_POLL);  /* still going: wait */
            break;
        case 0x03:
            assert_int_equal(z, A_DONE); /* deconfigured = reset */
            assert_int_equal(t, A_DONE);
            break;
        case 0x01:
        case 0x04:
            assert_int_equal(z, A_END);
            assert_int_equal(t, A_END);
            break;
        default:
            assert_int_equal(z, A_FAIL);
            assert_int_equal(t, A_FAIL);
            break;
        }
    }
    assert_int_equal(vap_reset_table_action(2, 0), -1);
}

/* close (unset_kvm): every queue of the mdev is zeroized; work the guest
 * left behind is discarded. */
static void
test_reset_on_release(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);
    struct vh_guest g;

    vh_guest_open(h, &g, vd);
    enqueue(h, 5, 4);
    enqueue(h, 6, 5);
    vh_guest_close(&g);
    assert_int_equal(cnt(vd).resets, 4);
    assert_true(qst(h, 5, 4).resetting);
    assert_int_equal(qst(h, 5, 4).discarded, 1);
    assert_int_equal(qst(h, 6, 5).discarded, 1);
    assert_int_equal(cnt(vd).resets_active, 4);
    vh_run(h);
    assert_int_equal(cnt(vd).resets_active, 0);
    assert_int_equal(cnt(vd).resets_failed, 0);
    assert_false(qst(h, 5, 4).resetting);
    vh_free(h);
}

static void
test_reset_on_device_reset(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);
    struct vh_guest g;

    vh_guest_open(h, &g, vd);
    enqueue(h, 5, 5);
    assert_int_equal(zv_vdev_reset(vd), 0);
    assert_int_equal(cnt(vd).resets, 4);
    assert_int_equal(qst(h, 5, 5).discarded, 1);
    vh_run(h);
    assert_int_equal(cnt(vd).resets_failed, 0);
    /* a queue that refuses outright (checkstopped adapter answers RC 04:
     * passable) vs. one gone from the machine (RC 01): -EIO */
    assert_int_equal(ap_config_adapter(h->bus, 6, false), 0);
    assert_int_equal(zv_vdev_reset(vd), -EIO);
    vh_run(h);
    vh_guest_close(&g);
    vh_free(h);
}

/* ZAPQ refused as busy (RC 05): wait, then ZAPQ again; the work queued
 * before is discarded only by the second, accepted ZAPQ. */
static void
test_rezap_after_busy(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);

    enqueue(h, 5, 4);
    assert_int_equal(ap_queue_inject_busy(h->bus, AP_MKQN(5, 4), 1), 0);
    /* the queues of domain 4 were in the shadow: both are reset */
    assert_int_equal(vh_store(h, vd, "unassign_domain", "4"), 1);
    assert_int_equal(cnt(vd).resets, 2);
    /* 05.0004: ZAPQ answered RC 05, nothing discarded yet */
    assert_int_equal(qst(h, 5, 4).discarded, 0);
    assert_false(qst(h, 5, 4).resetting);
    assert_true(qst(h, 6, 4).resetting);
    vh_run(h);
    assert_int_equal(qst(h, 5, 4).discarded, 1);
    assert_int_equal(cnt(vd).resets_failed, 0);
    assert_int_equal(cnt(vd).resets_active, 0);
    vh_free(h);
}

/* ZAPQ while the guest's own reset runs (RC 02): issued again after. */
static void
test_rezap_in_progress(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);
    struct vh_guest g;
    struct vh_insn r;

    vh_guest_open(h, &g, vd);
    r = vh_pqap(&g, (uint64_t)AP_FC_ZAPQ << 24 | AP_MKQN(6, 5), 0, 0);
    assert_int_equal(r.cc, 0);
    assert_true(qst(h, 6, 5).resetting);
    assert_int_equal(zv_vdev_reset(vd), 0);
    vh_run(h);
    assert_int_equal(cnt(vd).resets_failed, 0);
    assert_int_equal(cnt(vd).resets_active, 0);
    assert_true(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 5)));
    vh_guest_close(&g);
    vh_free(h);
}

/* RC 03 counts as reset at once; RC 04 ends it and stays passable. */
static void
test_deconfigured_checkstopped(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);
    struct vh_guest g;

    vh_guest_open(h, &g, vd);
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_DECONFIGURED),
                     0);
    assert_int_equal(ap_adapter_set_state(h->bus, 6, AP_ADAPTER_CHECKSTOPPED),
                     0);
    assert_int_equal(zv_vdev_reset(vd), 0);
    /* nothing to wait for */
    assert_int_equal(cnt(vd).resets_active, 0);
    assert_int_equal(cnt(vd).resets_failed, 0);
    assert_true(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(5, 4)));
    assert_true(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 4)));
    assert_string_equal(vh_show(h, vd, "guest_matrix"),
                        "05.0004\n05.0005\n06.0004\n06.0005\n");
    /* TAPQ answering 03 / 04 while verifying ends the same way */
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_OPERATIONAL),
                     0);
    assert_int_equal(ap_adapter_set_state(h->bus, 6, AP_ADAPTER_OPERATIONAL),
                     0);
    assert_int_equal(zv_vdev_reset(vd), 0);
    assert_int_equal(cnt(vd).resets_active, 4);
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_DECONFIGURED),
                     0);
    assert_int_equal(ap_adapter_set_state(h->bus, 6, AP_ADAPTER_CHECKSTOPPED),
                     0);
    vh_run(h);
    assert_int_equal(cnt(vd).resets_active, 0);
    assert_int_equal(cnt(vd).resets_failed, 0);
    assert_true(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 5)));
    vh_guest_close(&g);
    vh_free(h);
}

/* TAPQ answering 01 (the APQN left the machine's configuration before
 * the bus noticed): the reset ends failed and the adapter is filtered;
 * the scan then removes the queues without another reset. */
static void
test_gone_while_verifying(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);
    struct vh_guest g;

    vh_guest_open(h, &g, vd);
    assert_int_equal(zv_vdev_reset(vd), 0);
    assert_int_equal(ap_config_adapter(h->bus, 6, false), 0);
    vh_run(h);
    assert_int_equal(cnt(vd).resets_active, 0);
    assert_int_equal(cnt(vd).resets_failed, 2);
    assert_string_equal(vh_show(h, vd, "guest_matrix"), "05.0004\n05.0005\n");
    vh_guest_close(&g);
    vh_free(h);
}

/* A reset that never completes: after the bounded wait the queue gets a
 * failed status, its adapter leaves the guest (CFG_CHG); a rebind gives
 * a fresh queue and the adapter comes back. */
static void
test_bounded_wait(void **state)
{
    struct ap_bus_config slow = {.apxa = true,
                                 .apft = true,
                                 .qci = true,
                                 .aqic = true,
                                 .na = 255,
                                 .nd = 255,
                                 .reset_ns = 5ull * 1000 * 1000 * 1000};
    struct zv_vdev *vd;
    struct vh *h = setup(&slow, &vd);
    struct vh_guest g;
    uint64_t t0;

    vh_guest_open(h, &g, vd);
    /* the guest zeroizes 06.0005 itself; then our reset of the mdev */
    vh_pqap(&g, (uint64_t)AP_FC_ZAPQ << 24 | AP_MKQN(6, 5), 0, 0);
    t0 = zv_loop_now(h->loop);
    assert_int_equal(vh_store(h, vd, "unassign_adapter", "6"), 1);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "6"), 1);
    zv_loop_run_until(h->loop, t0 + 1500ull * 1000 * 1000);
    assert_true(cnt(vd).resets_failed >= 1);
    assert_false(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 5)));
    assert_string_equal(vh_show(h, vd, "guest_matrix"), "05.0004\n05.0005\n");
    assert_true(g.cfg_chg >= 2);
    vh_run(h);
    assert_false(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 4)));
    vh_unbind(h, 6, 5);
    assert_int_equal(vh_bind(h, 6, 5), 0);
    assert_true(zv_vfio_ap_queue_usable(h->drv, AP_MKQN(6, 5)));
    assert_string_equal(vh_show(h, vd, "guest_matrix"), "05.0004\n05.0005\n");
    vh_unbind(h, 6, 4);
    assert_int_equal(vh_bind(h, 6, 4), 0);
    assert_string_equal(vh_show(h, vd, "guest_matrix"),
                        "05.0004\n05.0005\n06.0004\n06.0005\n");
    vh_guest_close(&g);
    vh_free(h);
}

/* mdev removal resets its queues and unlinks them. */
static void
test_reset_on_remove(void **state)
{
    struct zv_vdev *vd;
    struct vh *h = setup(NULL, &vd);

    enqueue(h, 6, 4);
    assert_int_equal(zv_mdev_remove(h->mbus, UA), 0);
    assert_int_equal(qst(h, 6, 4).discarded, 1);
    assert_true(qst(h, 6, 4).resetting);
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(6, 4)),
                        "unassigned");
    vh_run(h);
    vh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_every_cell),
        cmocka_unit_test(test_reset_on_release),
        cmocka_unit_test(test_reset_on_device_reset),
        cmocka_unit_test(test_rezap_after_busy),
        cmocka_unit_test(test_rezap_in_progress),
        cmocka_unit_test(test_deconfigured_checkstopped),
        cmocka_unit_test(test_gone_while_verifying),
        cmocka_unit_test(test_bounded_wait),
        cmocka_unit_test(test_reset_on_remove),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
