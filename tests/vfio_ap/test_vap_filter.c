/* SPDX-License-Identifier: MIT */
/*
 * The guest matrix (shadow APCB) by the filtering rules of reference §3:
 * every worked example of §3.6, the apm-and-aqm unplug rule of
 * threads/003, host configuration changes (flows D, E), control domains,
 * and the configuration-change IRQ.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vh.h"

#define UA "11111111-2222-3333-4444-555555555555"

static const uint8_t cards[] = {5, 6, 0x14, 0x16};

/* Cards 05, 06, 14, 16; domains 4-6, 0x47, 0xab in the configuration and
 * given to vfio (reference §3.6: "all APQNs unreserved, in the QCI"). */
static struct vh *
setup(void)
{
    struct vh *h = vh_new(NULL, cards, 4, 4, 6);

    assert_int_equal(ap_config_domain(h->bus, 0x47, true), 0);
    assert_int_equal(ap_config_domain(h->bus, 0xab, true), 0);
    vh_run(h);
    vh_apmask(h, "-5,-6,-0x14,-0x16", 0);
    vh_aqmask(h, "-4-6,-0x47,-0xab", 0);
    return h;
}

static void
store(struct vh *h, struct zv_vdev *vd, const char *attr, const char *v)
{
    assert_int_equal(vh_store(h, vd, attr, v), (ssize_t)strlen(v));
}

/* The shadow must be exactly what a fresh filter gives. */
static void
check_exact(struct vh *h, struct zv_vdev *vd)
{
    struct zv_vfio_ap_matrix g, f;

    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &g), 0);
    assert_int_equal(zv_vfio_ap_filter_preview(vd, &f), 0);
    assert_memory_equal(&g, &f, sizeof(g));
}

static const char *
guest(struct vh *h, struct zv_vdev *vd)
{
    check_exact(h, vd);
    return vh_show(h, vd, "guest_matrix");
}

static uint64_t
resets(struct zv_vdev *vd)
{
    struct zv_vfio_ap_counters c;

    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    return c.resets;
}

static void
assign(struct vh *h, struct zv_vdev *vd, const char *apids, const char *apqis)
{
    char buf[64], *tok, *save;

    snprintf(buf, sizeof(buf), "%s", apids);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        store(h, vd, "assign_adapter", tok);
    snprintf(buf, sizeof(buf), "%s", apqis);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        store(h, vd, "assign_domain", tok);
}

/* Example 1: an adapter with an unbound queue is left out as a whole;
 * rebinding plugs it back. */
static void
test_example1_unbound_queue(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct vh_guest g;

    assign(h, vd, "5,6", "4,0xab");
    vh_guest_open(h, &g, vd);
    assert_string_equal(guest(h, vd), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    vh_unbind(h, 6, 0xab);
    assert_string_equal(vh_show(h, vd, "matrix"),
                        "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    assert_string_equal(guest(h, vd), "05.0004\n05.00ab\n");
    assert_int_equal(g.cfg_chg, 1);
    /* 06 was plugged: its queues were reset when it was dropped */
    assert_int_equal(resets(vd), 2);
    vh_run(h);
    assert_int_equal(vh_bind(h, 6, 0xab), 0);
    assert_string_equal(guest(h, vd), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    assert_int_equal(g.cfg_chg, 2);
    vh_guest_close(&g);
    vh_free(h);
}

/* Example 2: over-provisioning; a domain that joins the configuration is
 * plugged once the bus scan completes, with one notification. */
static void
test_example2_overprovisioning(void **state)
{
    struct vh *h = vh_new(NULL, cards, 2, 4, 4);
    struct zv_vdev *vd;
    struct vh_guest g;

    vh_apmask(h, "-5", 0);
    vh_aqmask(h, "-4,-0x47", 0);
    vd = vh_mdev(h, UA);
    assign(h, vd, "5", "4,0x47");
    vh_guest_open(h, &g, vd);
    assert_string_equal(guest(h, vd), "05.0004\n");
    assert_int_equal(ap_config_domain(h->bus, 0x47, true), 0);
    /* before the scan the bus (and so the driver) has not seen it */
    assert_string_equal(guest(h, vd), "05.0004\n");
    vh_run(h);
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0x47)),
                        "in use");
    assert_string_equal(guest(h, vd), "05.0004\n05.0047\n");
    assert_int_equal(g.cfg_chg, 1);
    vh_guest_close(&g);
    vh_free(h);
}

/* Example 3: the Jan-2024 fix; assigning a domain re-examines the whole
 * matrix, so an adapter with an unbound queue elsewhere stays out. */
static void
test_example3_whole_matrix(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);

    assign(h, vd, "0x14,0x16", "4,5,6");
    assert_string_equal(guest(h, vd), "14.0004\n14.0005\n14.0006\n"
                                      "16.0004\n16.0005\n16.0006\n");
    store(h, vd, "unassign_domain", "4");
    vh_unbind(h, 0x16, 5);
    assert_string_equal(guest(h, vd), "14.0005\n14.0006\n");
    store(h, vd, "assign_domain", "4");
    /* 16.0005 is unbound: adapter 16 must stay filtered */
    assert_string_equal(guest(h, vd), "14.0004\n14.0005\n14.0006\n");
    vh_free(h);
}

/* Example 4: unbind of a visible queue unplugs its adapter and resets
 * that adapter's visible queues; the guest keeps the other adapter. */
static void
test_example4_unbind_running(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct ap_queue_stats st;
    struct zv_vfio_ap_counters c;
    struct vh_guest g;

    assign(h, vd, "5,6", "4,0xab");
    vh_guest_open(h, &g, vd);
    vh_unbind(h, 5, 4);
    assert_string_equal(guest(h, vd), "06.0004\n06.00ab\n");
    assert_int_equal(g.cfg_chg, 1);
    assert_int_equal(resets(vd), 2);
    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(5, 0xab)), &st);
    assert_true(st.resetting);
    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(5, 4)), &st);
    assert_true(st.resetting);
    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(6, 4)), &st);
    assert_false(st.resetting);
    vh_run(h);
    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    assert_int_equal(c.resets_active, 0);
    assert_int_equal(c.resets_failed, 0);
    vh_guest_close(&g);
    vh_free(h);
}

/* Example 5 and threads/003: a queue leaving whose domain is not in the
 * guest's APCB (here: the domain left the configuration) does not unplug
 * its adapter; and a queue gone from the configuration is not reset. */
static void
test_example5_apm_and_aqm_rule(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct vh_guest g;

    assign(h, vd, "5,6", "4,0x47");
    vh_guest_open(h, &g, vd);
    assert_string_equal(guest(h, vd), "05.0004\n05.0047\n06.0004\n06.0047\n");
    assert_int_equal(ap_config_domain(h->bus, 0x47, false), 0);
    vh_run(h);
    /* 05.0047 and 06.0047 were removed from vfio_ap after 0x47 left the
     * shadow: both cards stay with the guest */
    assert_null(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0x47)));
    assert_string_equal(guest(h, vd), "05.0004\n06.0004\n");
    assert_int_equal(g.cfg_chg, 1);
    assert_int_equal(resets(vd), 0);
    vh_guest_close(&g);
    vh_free(h);
}

/* Example 6: unassign_domain while running: the visible queues of that
 * domain are reset and the domain leaves the guest. */
static void
test_example6_unassign_domain(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct ap_queue_stats st;
    struct vh_guest g;

    assign(h, vd, "5,6", "4,0xab");
    vh_guest_open(h, &g, vd);
    store(h, vd, "unassign_domain", "0xab");
    assert_string_equal(guest(h, vd), "05.0004\n06.0004\n");
    assert_int_equal(g.cfg_chg, 1);
    assert_int_equal(resets(vd), 2);
    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(5, 0xab)), &st);
    assert_true(st.resetting);
    ap_queue_stats(ap_queue_find(h->bus, AP_MKQN(6, 0xab)), &st);
    assert_true(st.resetting);
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0xab)),
                        "unassigned");
    /* unassigning an adapter likewise */
    store(h, vd, "unassign_adapter", "6");
    assert_string_equal(guest(h, vd), "05.0004\n");
    assert_int_equal(resets(vd), 3);
    vh_guest_close(&g);
    vh_free(h);
}

/* Removing the last bad queue's domain brings its adapter back (a full
 * re-filter; the kernel would wait for the next filter trigger). */
static void
test_unassign_refilters(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);

    assign(h, vd, "5,6", "4,5");
    vh_unbind(h, 6, 5);
    assert_string_equal(guest(h, vd), "05.0004\n05.0005\n");
    store(h, vd, "unassign_domain", "5");
    assert_string_equal(guest(h, vd), "05.0004\n06.0004\n");
    vh_free(h);
}

/* Flow D: an adapter deconfigured from the host: unplugged at the scan,
 * one notification, no reset of queues that are gone. */
static void
test_config_shrink_grow(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct vh_guest g;

    assign(h, vd, "5,6", "4,5");
    vh_guest_open(h, &g, vd);
    assert_int_equal(ap_config_adapter(h->bus, 6, false), 0);
    assert_int_equal(ap_config_domain(h->bus, 5, false), 0);
    vh_run(h);
    assert_string_equal(guest(h, vd), "05.0004\n");
    assert_int_equal(g.cfg_chg, 1);
    assert_int_equal(resets(vd), 0);
    assert_string_equal(vh_show(h, vd, "matrix"),
                        "05.0004\n05.0005\n06.0004\n06.0005\n");
    /* both come back in one scan: one notification */
    assert_int_equal(ap_config_adapter(h->bus, 6, true), 0);
    assert_int_equal(ap_config_domain(h->bus, 5, true), 0);
    vh_run(h);
    assert_string_equal(guest(h, vd), "05.0004\n05.0005\n06.0004\n06.0005\n");
    assert_int_equal(g.cfg_chg, 2);
    vh_guest_close(&g);
    vh_free(h);
}

/* §3.3: control domains are cut to the host's ADM only. */
static void
test_control_domains_filter(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct zv_vfio_ap_matrix gm;
    struct vh_guest g;

    assert_int_equal(ap_config_control_domain(h->bus, 4, true), 0);
    vh_run(h);
    vh_guest_open(h, &g, vd);
    store(h, vd, "assign_control_domain", "4");
    store(h, vd, "assign_control_domain", "0x50");
    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &gm), 0);
    assert_true(ap_mask_test(&gm.adm, 4));
    assert_false(ap_mask_test(&gm.adm, 0x50));
    assert_int_equal(g.cfg_chg, 1); /* 0x50 changed nothing */
    assert_int_equal(ap_config_control_domain(h->bus, 0x50, true), 0);
    vh_run(h);
    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &gm), 0);
    assert_true(ap_mask_test(&gm.adm, 0x50));
    assert_int_equal(g.cfg_chg, 2);
    store(h, vd, "unassign_control_domain", "4");
    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &gm), 0);
    assert_false(ap_mask_test(&gm.adm, 4));
    assert_int_equal(g.cfg_chg, 3);
    check_exact(h, vd);
    vh_guest_close(&g);
    vh_free(h);
}

/* The CFG_CHG IRQ: only for an attached guest, only on a change. */
static void
test_cfg_chg_irq(void **state)
{
    struct vh *h = setup();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct zv_vfio_ap_counters c;
    struct vh_guest g;

    assign(h, vd, "5", "4");
    vh_guest_open(h, &g, vd);
    assert_int_equal(g.cfg_chg, 0);        /* open pushes without a signal */
    store(h, vd, "assign_domain", "0x30"); /* not in the configuration */
    assert_int_equal(g.cfg_chg, 0);
    store(h, vd, "assign_domain", "5");
    assert_int_equal(g.cfg_chg, 1);
    store(h, vd, "assign_adapter", "0x14");
    assert_int_equal(g.cfg_chg, 2);
    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    assert_int_equal(c.apcb_updates, 2);
    assert_int_equal(c.cfg_chg_irqs, 2);
    vh_guest_close(&g);
    /* detached: the shadow follows, no one is told */
    store(h, vd, "unassign_adapter", "0x14");
    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    assert_int_equal(c.apcb_updates, 2);
    assert_string_equal(guest(h, vd), "05.0004\n05.0005\n");
    vh_free(h);
}

/* The filter at full size: 256 x 256, one queue unbound per adapter in
 * a different domain for even adapters. */
static void
test_full_matrix(void **state)
{
    uint8_t all[256];
    struct vh *h;
    struct zv_vdev *vd;
    char cfg[256], ones[65];
    struct zv_vfio_ap_matrix gm;

    for (unsigned i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    h = vh_new(NULL, all, 256, 0, 255);
    vh_apmask(h, "0x", 0);
    vd = vh_mdev(h, UA);
    memset(ones, 'f', 64);
    ones[64] = '\0';
    snprintf(cfg, sizeof(cfg), "0x%s,0x%s,0x\n", ones, ones);
    assert_int_equal(vh_store(h, vd, "ap_config", cfg), (ssize_t)strlen(cfg));
    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &gm), 0);
    assert_int_equal(ap_mask_weight(&gm.apm), 256);
    assert_int_equal(ap_mask_weight(&gm.aqm), 256);
    for (unsigned a = 0; a < 256; a += 2)
        vh_unbind(h, a, (a * 7) & 0xff);
    assert_int_equal(zv_vfio_ap_get_matrix(vd, NULL, &gm), 0);
    assert_int_equal(ap_mask_weight(&gm.apm), 128);
    for (unsigned a = 0; a < 256; a++)
        assert_int_equal(ap_mask_test(&gm.apm, a), a % 2 == 1);
    check_exact(h, vd);
    vh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example1_unbound_queue),
        cmocka_unit_test(test_example2_overprovisioning),
        cmocka_unit_test(test_example3_whole_matrix),
        cmocka_unit_test(test_example4_unbind_running),
        cmocka_unit_test(test_example5_apm_and_aqm_rule),
        cmocka_unit_test(test_example6_unassign_domain),
        cmocka_unit_test(test_unassign_refilters),
        cmocka_unit_test(test_config_shrink_grow),
        cmocka_unit_test(test_control_domains_filter),
        cmocka_unit_test(test_cfg_chg_irq),
        cmocka_unit_test(test_full_matrix),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
