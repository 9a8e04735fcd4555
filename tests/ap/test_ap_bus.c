/* SPDX-License-Identifier: MIT */
/*
 * ap bus: apmask/aqmask ownership and EBUSY (reference §2.2), probe and
 * remove (§2.3), configuration changes and their notifications in the
 * kernel's order (§3.5 flows D/E): config_changed, remove/probe,
 * scan_complete.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ah.h"

struct bt {
    struct ah *h;
    struct ah_drv host, vfio;
};

/* Adapters 05 and 06 (CEX7A, CEX8C), domains 0004 and 00ab in the
 * configuration; a default "host" driver and a "vfio" driver. */
static int
setup(void **state)
{
    struct bt *t = calloc(1, sizeof(*t));

    t->h = ah_new(NULL);
    ah_card(t->h, 5, AP_TYPE_CEX7, AP_MODE_ACCEL, 7);
    ah_card(t->h, 6, AP_TYPE_CEX8, AP_MODE_CCA, 7);
    ah_domains(t->h, 4, 4);
    ah_domains(t->h, 0xab, 0xab);
    ah_drv_init(t->h, &t->host, "host", true);
    ah_drv_init(t->h, &t->vfio, "vfio", false);
    assert_int_equal(ap_driver_register(t->h->bus, &t->host.drv), 0);
    assert_int_equal(ap_driver_register(t->h->bus, &t->vfio.drv), 0);
    ah_run(t->h);
    ah_log_clear(t->h);
    *state = t;
    return 0;
}

static int
teardown(void **state)
{
    struct bt *t = *state;

    ah_free(t->h);
    free(t);
    return 0;
}

static const struct ap_driver *
drv_of(struct bt *t, uint16_t apqn)
{
    struct ap_queue *q = ap_queue_find(t->h->bus, apqn);

    assert_non_null(q);
    return ap_queue_driver(q);
}

/* default masks: everything belongs to the host */
static void
bus_default_host_owns_all(void **state)
{
    struct bt *t = *state;
    unsigned bound, total;

    ap_bus_bindings(t->h->bus, &bound, &total);
    assert_int_equal(total, 4);
    assert_int_equal(bound, 4);
    assert_int_equal(t->host.bound, 4);
    assert_int_equal(t->vfio.bound, 0);
    assert_ptr_equal(drv_of(t, AP_MKQN(5, 0xab)), &t->host.drv);
    assert_true(ap_apqn_reserved(t->h->bus, AP_MKQN(6, 4)));
}

/* apmask "-5": 05.xxxx leave the host (remove) and go to vfio (probe),
 * in that order per queue; no in_use is asked when taking from the host */
static void
apmask_clear_moves_queues_to_vfio(void **state)
{
    struct bt *t = *state;

    assert_int_equal(ap_bus_apmask_store(t->h->bus, "-5"), 0);
    assert_false(t->vfio.in_use_called);
    assert_true(ah_find(t->h, "host remove 05.0004") <
                ah_find(t->h, "vfio probe 05.0004"));
    assert_true(ah_find(t->h, "host remove 05.0004") >= 0);
    assert_true(ah_find(t->h, "vfio probe 05.00ab") >= 0);
    assert_int_equal(ah_count_prefix(t->h, "host remove 06"), 0);
    assert_ptr_equal(drv_of(t, AP_MKQN(5, 4)), &t->vfio.drv);
    assert_ptr_equal(drv_of(t, AP_MKQN(6, 4)), &t->host.drv);
    assert_int_equal(t->vfio.bound, 2);
    assert_int_equal(t->host.bound, 2);
}

/* An APQN is vfio's iff APID clear in apmask OR APQI clear in aqmask
 * (reserved = both set): aqmask "-0xab" moves 05.00ab and 06.00ab */
static void
aqmask_clear_moves_column(void **state)
{
    struct bt *t = *state;

    assert_int_equal(ap_bus_aqmask_store(t->h->bus, "-0xab"), 0);
    assert_ptr_equal(drv_of(t, AP_MKQN(5, 0xab)), &t->vfio.drv);
    assert_ptr_equal(drv_of(t, AP_MKQN(6, 0xab)), &t->vfio.drv);
    assert_ptr_equal(drv_of(t, AP_MKQN(6, 4)), &t->host.drv);
    assert_false(ap_apqn_reserved(t->h->bus, AP_MKQN(6, 0xab)));
}

/* Giving queues back to the host while in use: EBUSY, nothing changes;
 * in_use gets (bits given back, current aqmask) */
static void
apmask_giveback_in_use_is_ebusy(void **state)
{
    struct bt *t = *state;
    struct ap_mask apm, aqm, apm2;

    assert_int_equal(ap_bus_apmask_store(t->h->bus, "-5,-6"), 0);
    ap_bus_masks(t->h->bus, &apm, &aqm);
    ah_log_clear(t->h);
    t->vfio.in_use_rc = -EADDRINUSE;
    assert_int_equal(ap_bus_apmask_store(t->h->bus, "+6"), -EBUSY);
    assert_true(t->vfio.in_use_called);
    assert_int_equal(ap_mask_weight(&t->vfio.in_use_apm), 1);
    assert_true(ap_mask_test(&t->vfio.in_use_apm, 6));
    assert_true(ap_mask_equal(&t->vfio.in_use_aqm, &aqm));
    ap_bus_masks(t->h->bus, &apm2, NULL);
    assert_true(ap_mask_equal(&apm, &apm2));
    assert_int_equal(ah_count_prefix(t->h, "vfio remove"), 0);
    assert_ptr_equal(drv_of(t, AP_MKQN(6, 4)), &t->vfio.drv);
    /* the host's own in_use is asked too, and it says no */
    assert_true(t->host.in_use_called);
}

/* Not in use: the queues go back to the host (vfio remove, host probe) */
static void
apmask_giveback_not_in_use(void **state)
{
    struct bt *t = *state;

    assert_int_equal(ap_bus_apmask_store(t->h->bus, "-6"), 0);
    ah_log_clear(t->h);
    assert_int_equal(ap_bus_apmask_store(t->h->bus, "0xffff"), 0);
    assert_true(ah_find(t->h, "vfio remove 06.0004") <
                ah_find(t->h, "host probe 06.0004"));
    assert_true(ah_find(t->h, "vfio remove 06.0004") >= 0);
    assert_ptr_equal(drv_of(t, AP_MKQN(6, 0xab)), &t->host.drv);
    /* 0xffff sets only IDs 0-15: 0x10.. went to non-default drivers */
    assert_false(ap_apqn_reserved(t->h->bus, AP_MKQN(0x10, 4)));
}

/* aqmask give-back: in_use gets (current apmask, bits given back) */
static void
aqmask_giveback_in_use_args(void **state)
{
    struct bt *t = *state;
    struct ap_mask apm;

    assert_int_equal(ap_bus_aqmask_store(t->h->bus, "-4,-0xab"), 0);
    ap_bus_masks(t->h->bus, &apm, NULL);
    t->vfio.in_use_rc = 1;
    assert_int_equal(ap_bus_aqmask_store(t->h->bus, "+4"), -EBUSY);
    assert_true(ap_mask_equal(&t->vfio.in_use_apm, &apm));
    assert_int_equal(ap_mask_weight(&t->vfio.in_use_aqm), 1);
    assert_true(ap_mask_test(&t->vfio.in_use_aqm, 4));
    assert_ptr_equal(drv_of(t, AP_MKQN(5, 4)), &t->vfio.drv);
}

static void
mask_store_syntax_and_no_change(void **state)
{
    struct bt *t = *state;

    assert_int_equal(ap_bus_apmask_store(t->h->bus, "+5 "), -EINVAL);
    assert_int_equal(ap_bus_aqmask_store(t->h->bus, "0x1g"), -EINVAL);
    /* writing the current value: success, no callbacks */
    assert_int_equal(ap_bus_apmask_store(t->h->bus, "+5"), 0);
    assert_int_equal(t->h->log.n, 0);
}

/* Adapter out of the configuration: QCI at once, devices at the scan:
 * config_changed (every driver) < remove < scan_complete */
static void
config_adapter_out_order(void **state)
{
    struct bt *t = *state;
    struct ap_config c;
    int cc, rm, sc;

    assert_int_equal(ap_config_adapter(t->h->bus, 5, false), 0);
    ap_bus_qci_info(t->h->bus, &c);
    assert_false(ap_mask_test(&c.apm, 5));
    assert_true(ap_queue_present(ap_queue_find(t->h->bus, AP_MKQN(5, 4))));
    assert_int_equal(t->h->log.n, 0);
    ah_run(t->h);
    cc = ah_find(t->h, "vfio config_changed");
    rm = ah_find(t->h, "host remove 05.0004");
    sc = ah_find(t->h, "host scan_complete");
    assert_true(ah_find(t->h, "host config_changed") >= 0);
    assert_true(cc >= 0 && rm > cc && sc > rm);
    assert_true(ah_find(t->h, "host remove 05.00ab") < sc);
    assert_int_equal(ah_count_prefix(t->h, "host remove"), 2);
    assert_false(ap_queue_present(ap_queue_find(t->h->bus, AP_MKQN(5, 4))));
    assert_true(ap_mask_test(&t->vfio.last_prev.apm, 5));
    assert_false(ap_mask_test(&t->vfio.last_cur.apm, 5));
}

/* Adapter and domain into the configuration: probes after config_changed,
 * before scan_complete; several changes before a scan make one event */
static void
config_grow_one_scan(void **state)
{
    struct bt *t = *state;
    struct ap_adapter_desc d = {
        .apid = 7, .type = AP_TYPE_CEX6, .mode = AP_MODE_ACCEL};
    int cc, sc;

    assert_int_equal(ap_adapter_add(t->h->bus, &d), 0);
    assert_int_equal(ap_config_adapter(t->h->bus, 7, true), 0);
    assert_int_equal(ap_config_domain(t->h->bus, 0x47, true), 0);
    assert_int_equal(ap_config_control_domain(t->h->bus, 0x47, true), 0);
    ah_run(t->h);
    assert_int_equal(ah_count_prefix(t->h, "host config_changed"), 1);
    assert_int_equal(ah_count_prefix(t->h, "host scan_complete"), 1);
    cc = ah_find(t->h, "host config_changed");
    sc = ah_find(t->h, "host scan_complete");
    /* 07 x {04, 47, ab} and {05, 06} x 47: five new queues */
    assert_int_equal(ah_count_prefix(t->h, "host probe"), 5);
    assert_true(ah_find(t->h, "host probe 07.0047") > cc);
    assert_true(ah_find(t->h, "host probe 05.0047") < sc);
    assert_true(ap_mask_test(&t->host.last_cur.adm, 0x47));
    assert_false(ap_mask_test(&t->host.last_prev.aqm, 0x47));
}

/* A scan that finds nothing new notifies nobody */
static void
rescan_without_change_is_silent(void **state)
{
    struct bt *t = *state;
    uint64_t n = ap_bus_scans(t->h->bus);

    ap_bus_rescan(t->h->bus);
    ah_run(t->h);
    assert_int_equal(ap_bus_scans(t->h->bus), n + 1);
    assert_int_equal(t->h->log.n, 0);
}

/* Domain out: every adapter's queue of that domain is removed */
static void
config_domain_out(void **state)
{
    struct bt *t = *state;
    unsigned bound, total;

    assert_int_equal(ap_config_domain(t->h->bus, 0xab, false), 0);
    ah_run(t->h);
    assert_true(ah_find(t->h, "host remove 05.00ab") >= 0);
    assert_true(ah_find(t->h, "host remove 06.00ab") >= 0);
    ap_bus_bindings(t->h->bus, &bound, &total);
    assert_int_equal(total, 2);
}

/* Deconfigured or checkstopped adapters keep their queue devices */
static void
adapter_state_keeps_devices(void **state)
{
    struct bt *t = *state;

    assert_int_equal(
        ap_adapter_set_state(t->h->bus, 5, AP_ADAPTER_DECONFIGURED), 0);
    ap_bus_rescan(t->h->bus);
    ah_run(t->h);
    assert_int_equal(ah_count_prefix(t->h, "host remove"), 0);
    assert_int_equal(ap_adapter_set_state(t->h->bus, 9, AP_ADAPTER_OPERATIONAL),
                     -ENODEV);
}

static void
config_errors(void **state)
{
    struct bt *t = *state;
    struct ap_adapter_desc d = {.apid = 5, .type = AP_TYPE_CEX7};

    assert_int_equal(ap_config_adapter(t->h->bus, 9, true), -ENODEV);
    assert_int_equal(ap_adapter_add(t->h->bus, &d), -EEXIST);
    d.apid = 9;
    d.type = (enum ap_type)9; /* below CEX4 */
    assert_int_equal(ap_adapter_add(t->h->bus, &d), -EINVAL);
    d.type = AP_TYPE_CEX4;
    d.qd = 16;
    assert_int_equal(ap_adapter_add(t->h->bus, &d), -EINVAL);
}

static void
config_errors_without_apxa(void **state)
{
    struct ap_bus_config cfg = {
        .apft = true, .qci = true, .na = 255, .nd = 255, .reset_ns = 1000};
    struct ah *h = ah_new(&cfg);
    struct ap_adapter_desc d = {.apid = 64, .type = AP_TYPE_CEX7};
    struct ap_config c;

    /* without APXA: Na <= 63, Nd <= 15 */
    assert_int_equal(ap_adapter_add(h->bus, &d), -EINVAL);
    assert_int_equal(ap_config_domain(h->bus, 16, true), -EINVAL);
    ap_bus_qci_info(h->bus, &c);
    assert_int_equal(c.na, 63);
    assert_int_equal(c.nd, 15);
    assert_false(c.apxa);
    ah_free(h);
}

/* Manual unbind/bind (sysfs unbind and bind files) */
static void
manual_unbind_bind(void **state)
{
    struct bt *t = *state;
    struct ap_queue *q = ap_queue_find(t->h->bus, AP_MKQN(6, 0xab));

    ap_queue_unbind(q);
    assert_null(ap_queue_driver(q));
    assert_true(ah_find(t->h, "host remove 06.00ab") == 0);
    /* reserved for the host: vfio may not bind it */
    assert_int_equal(ap_queue_bind(q, &t->vfio.drv), -ENODEV);
    assert_int_equal(ap_queue_bind(q, &t->host.drv), 0);
    assert_int_equal(ap_queue_bind(q, &t->host.drv), -EBUSY);
    /* a refused probe leaves the queue unbound */
    ap_queue_unbind(q);
    t->host.probe_rc = -ENODEV;
    assert_int_equal(ap_queue_bind(q, &t->host.drv), -ENODEV);
    assert_null(ap_queue_driver(q));
}

/* A driver's probe refusal is final for that probe: the queue stays
 * unbound, the bindings count shows it */
static void
probe_refused_stays_unbound(void **state)
{
    struct bt *t = *state;
    unsigned bound, total;

    t->vfio.probe_rc = -ENODEV;
    assert_int_equal(ap_bus_apmask_store(t->h->bus, "-6"), 0);
    ap_bus_bindings(t->h->bus, &bound, &total);
    assert_int_equal(total, 4);
    assert_int_equal(bound, 2);
    assert_null(drv_of(t, AP_MKQN(6, 4)));
}

/* Unregister removes the driver from all its queues; a second register
 * of the same driver is refused */
static void
driver_unregister_removes(void **state)
{
    struct bt *t = *state;

    assert_int_equal(ap_driver_register(t->h->bus, &t->host.drv), -EEXIST);
    ap_driver_unregister(t->h->bus, &t->host.drv);
    assert_int_equal(ah_count_prefix(t->h, "host remove"), 4);
    assert_int_equal(t->host.bound, 0);
    assert_null(drv_of(t, AP_MKQN(5, 4)));
    /* re-register probes them again */
    assert_int_equal(ap_driver_register(t->h->bus, &t->host.drv), 0);
    assert_int_equal(t->host.bound, 4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(bus_default_host_owns_all),
        T(apmask_clear_moves_queues_to_vfio),
        T(aqmask_clear_moves_column),
        T(apmask_giveback_in_use_is_ebusy),
        T(apmask_giveback_not_in_use),
        T(aqmask_giveback_in_use_args),
        T(mask_store_syntax_and_no_change),
        T(config_adapter_out_order),
        T(config_grow_one_scan),
        T(rescan_without_change_is_silent),
        T(config_domain_out),
        T(adapter_state_keeps_devices),
        T(config_errors),
        cmocka_unit_test(config_errors_without_apxa),
        T(manual_unbind_bind),
        T(probe_refused_stays_unbound),
        T(driver_unregister_removes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
