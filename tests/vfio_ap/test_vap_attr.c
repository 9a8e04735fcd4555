/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap matrix mdev: create/remove by UUID, every attribute's text
 * format, and every validation errno (reference §2.4, §2.5, §7.1).
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
#define UB "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

static const uint8_t cards[] = {5, 6, 7};

/* §7.1: adapters 5, 6 and domains 4, 0x47, 0xab, 0xff go to vfio. */
static struct vh *
setup71(void)
{
    struct vh *h = vh_new(NULL, cards, 3, 1, 8);

    assert_int_equal(ap_config_domain(h->bus, 0x47, true), 0);
    assert_int_equal(ap_config_domain(h->bus, 0xab, true), 0);
    assert_int_equal(ap_config_domain(h->bus, 0xff, true), 0);
    vh_run(h);
    vh_apmask(h, "-5,-6", 0);
    vh_aqmask(h, "-4,-0x47,-0xab,-0xff", 0);
    return h;
}

static void
test_create_remove(void **state)
{
    struct vh *h = vh_new(NULL, cards, 3, 1, 8);
    struct zv_mdev_parent *p = zv_vfio_ap_parent(h->drv);
    struct zv_vdev *vd = NULL, *found;
    struct zv_vdev_info info;
    struct zv_vdev_irq_info irq;

    assert_string_equal(zv_mdev_parent_name(p), "matrix");
    assert_int_equal(zv_mdev_available(p, "vfio_ap-passthrough"), 65536);
    assert_int_equal(zv_mdev_create(p, "vfio_ap-passthrough", "nope", &vd),
                     -EINVAL);
    assert_int_equal(zv_mdev_create(p, "vfio_ap-other", UA, &vd), -ENOENT);
    vd = vh_mdev(h, UA);
    assert_int_equal(zv_mdev_create(p, "vfio_ap-passthrough", UA, NULL),
                     -EEXIST);
    assert_int_equal(zv_mdev_available(p, "vfio_ap-passthrough"), 65535);
    assert_string_equal(zv_vdev_api(vd), "vfio-ap");
    zv_vdev_get_info(vd, &info);
    assert_int_equal(info.flags,
                     ZV_VFIO_DEVICE_FLAGS_AP | ZV_VFIO_DEVICE_FLAGS_RESET);
    assert_int_equal(info.num_irqs, 3);
    assert_int_equal(info.num_regions, 1);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(zv_vdev_get_irq_info(vd, i, &irq), 0);
        assert_int_equal(irq.count, 1);
        assert_int_equal(irq.flags, ZV_VFIO_IRQ_INFO_EVENTFD);
    }
    found = zv_mdev_find(h->mbus, UA);
    assert_ptr_equal(found, vd);
    zv_vdev_put(found);
    assert_int_equal(zv_mdev_remove(h->mbus, UA), 0);
    assert_int_equal(zv_mdev_remove(h->mbus, UA), -ENOENT);
    assert_null(zv_mdev_find(h->mbus, UA));
    vh_free(h);
}

/* kstrtoul(buf, 0) as the kernel's assign/unassign stores parse. */
static const struct {
    const char *in;
    int rc; /* 0: accepted (count returned) */
    int id; /* the APID assigned when accepted */
} parse_cases[] = {
    {"5", 0, 5},
    {"5\n", 0, 5},
    {"+5", 0, 5},
    {"0x5", 0, 5},
    {"0X1f", 0, 0x1f},
    {"017", 0, 15},
    {"0", 0, 0},
    {"255", 0, 255},
    {"0xff\n", 0, 255},
    {"", -EINVAL, 0},
    {"\n", -EINVAL, 0},
    {"5\n\n", -EINVAL, 0},
    {" 5", -EINVAL, 0},
    {"5 ", -EINVAL, 0},
    {"-1", -EINVAL, 0},
    {"+", -EINVAL, 0},
    {"0x", -EINVAL, 0},
    {"0xg", -EINVAL, 0},
    {"08", -EINVAL, 0},
    {"five", -EINVAL, 0},
    {"256", -ENODEV, 0},
    {"0x100", -ENODEV, 0},
    {"18446744073709551615", -ENODEV, 0},
    {"18446744073709551616", -ERANGE, 0},
    {"0x10000000000000000", -ERANGE, 0},
};

static void
test_parse_numbers(void **state)
{
    struct vh *h = vh_new(NULL, cards, 3, 1, 8);
    struct zv_vdev *vd = vh_mdev(h, UA);
    char want[16];

    vh_apmask(h, "0x", 0); /* nothing reserved: only parsing matters */
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        ssize_t rc = vh_store(h, vd, "assign_adapter", parse_cases[i].in);

        if (parse_cases[i].rc) {
            assert_int_equal(rc, parse_cases[i].rc);
            assert_string_equal(vh_show(h, vd, "matrix"), "");
            continue;
        }
        assert_int_equal(rc, (ssize_t)strlen(parse_cases[i].in));
        snprintf(want, sizeof(want), "%02x.\n", parse_cases[i].id);
        assert_string_equal(vh_show(h, vd, "matrix"), want);
        assert_int_equal(vh_store(h, vd, "unassign_adapter", parse_cases[i].in),
                         (ssize_t)strlen(parse_cases[i].in));
        assert_string_equal(vh_show(h, vd, "matrix"), "");
    }
    /* the same parser for every assign/unassign attribute */
    assert_int_equal(vh_store(h, vd, "assign_domain", "x"), -EINVAL);
    assert_int_equal(vh_store(h, vd, "unassign_domain", "0x100"), -ENODEV);
    assert_int_equal(vh_store(h, vd, "assign_control_domain", "256"), -ENODEV);
    assert_int_equal(vh_store(h, vd, "unassign_control_domain", ""), -EINVAL);
    assert_int_equal(vh_store(h, vd, "unassign_adapter", "0x100"), -ENODEV);
    /* a sysfs buffer ends at its NUL */
    assert_int_equal(zv_vfio_ap_attr_store(vd, "assign_adapter", "7\0junk", 6),
                     6);
    assert_string_equal(vh_show(h, vd, "matrix"), "07.\n");
    vh_free(h);
}

static void
test_matrix_formats(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *vd = vh_mdev(h, UA);

    assert_string_equal(vh_show(h, vd, "matrix"), "");
    assert_int_equal(vh_store(h, vd, "assign_domain", "0xab"), 4);
    assert_string_equal(vh_show(h, vd, "matrix"), ".00ab\n");
    assert_int_equal(vh_store(h, vd, "assign_domain", "4"), 1);
    assert_string_equal(vh_show(h, vd, "matrix"), ".0004\n.00ab\n");
    assert_int_equal(vh_store(h, vd, "assign_adapter", "6"), 1);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    /* §7.1 step 5 */
    assert_string_equal(vh_show(h, vd, "matrix"),
                        "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    assert_int_equal(vh_store(h, vd, "unassign_domain", "4"), 1);
    assert_int_equal(vh_store(h, vd, "unassign_domain", "0xab"), 4);
    assert_string_equal(vh_show(h, vd, "matrix"), "05.\n06.\n");
    /* unassigning what is not assigned succeeds and changes nothing */
    assert_int_equal(vh_store(h, vd, "unassign_adapter", "7"), 1);
    assert_string_equal(vh_show(h, vd, "matrix"), "05.\n06.\n");
    /* assigning twice is one assignment */
    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    assert_string_equal(vh_show(h, vd, "matrix"), "05.\n06.\n");
    vh_free(h);
}

static void
test_control_domains(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *a = vh_mdev(h, UA), *b = vh_mdev(h, UB);

    assert_string_equal(vh_show(h, a, "control_domains"), "");
    assert_int_equal(vh_store(h, a, "assign_control_domain", "0xab"), 4);
    assert_int_equal(vh_store(h, a, "assign_control_domain", "2"), 1);
    assert_string_equal(vh_show(h, a, "control_domains"), "0002\n00ab\n");
    /* control domains may be shared, and host-reserved ones are fine */
    assert_int_equal(vh_store(h, b, "assign_control_domain", "0xab"), 4);
    assert_int_equal(vh_store(h, b, "assign_control_domain", "1"), 1);
    assert_string_equal(vh_show(h, b, "control_domains"), "0001\n00ab\n");
    assert_int_equal(vh_store(h, a, "unassign_control_domain", "2"), 1);
    assert_string_equal(vh_show(h, a, "control_domains"), "00ab\n");
    /* the matrix shows usage domains only */
    assert_string_equal(vh_show(h, a, "matrix"), "");
    vh_free(h);
}

static void
test_eaddrnotavail(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *vd = vh_mdev(h, UA);

    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, vd, "assign_domain", "4"), 1);
    /* 07.0004 is not reserved: apmask has 7 but aqmask lacks 4 */
    assert_int_equal(vh_store(h, vd, "assign_adapter", "7"), 1);
    /* 07.0001 is reserved (both bits set): refused, rolled back */
    assert_int_equal(vh_store(h, vd, "assign_domain", "1"), -EADDRNOTAVAIL);
    assert_string_equal(vh_show(h, vd, "matrix"), "05.0004\n07.0004\n");
    assert_int_equal(vh_store(h, vd, "unassign_adapter", "7"), 1);
    /* 05.0001 is not reserved (apmask lacks 5) */
    assert_int_equal(vh_store(h, vd, "assign_domain", "1"), 1);
    /* adding adapter 7 would now bring 07.0001 (reserved) */
    assert_int_equal(vh_store(h, vd, "assign_adapter", "7"), -EADDRNOTAVAIL);
    assert_string_equal(vh_show(h, vd, "matrix"), "05.0001\n05.0004\n");
    vh_free(h);
}

/* §3.6 example 7 and DOC's sharing table (§1.1). */
static void
test_eaddrinuse(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *a = vh_mdev(h, UA), *b = vh_mdev(h, UB);

    assert_int_equal(vh_store(h, a, "assign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, a, "assign_adapter", "6"), 1);
    assert_int_equal(vh_store(h, a, "assign_domain", "4"), 1);
    assert_int_equal(vh_store(h, a, "assign_domain", "0xab"), 4);
    /* case 1: same adapters, disjoint domains: valid */
    assert_int_equal(vh_store(h, b, "assign_domain", "0x47"), 4);
    assert_int_equal(vh_store(h, b, "assign_adapter", "5"), 1);
    /* example 7 / case 3: b holding 0004 too would share 05.0004 */
    assert_int_equal(vh_store(h, b, "assign_domain", "4"), -EADDRINUSE);
    assert_string_equal(vh_show(h, b, "matrix"), "05.0047\n");
    assert_int_equal(vh_store(h, b, "unassign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, b, "assign_domain", "4"), 1);
    assert_int_equal(vh_store(h, b, "assign_adapter", "6"), -EADDRINUSE);
    assert_string_equal(vh_show(h, b, "matrix"), ".0004\n.0047\n");
    /* a's matrix untouched throughout */
    assert_string_equal(vh_show(h, a, "matrix"),
                        "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    /* once a lets go, b may have it */
    assert_int_equal(zv_mdev_remove(h->mbus, UA), 0);
    assert_int_equal(vh_store(h, b, "assign_adapter", "6"), 1);
    vh_free(h);
}

/* Giving assigned queues back to the host: EBUSY, nothing changes. */
static void
test_mask_ebusy(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct ap_mask apm, aqm;

    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, vd, "assign_domain", "0x47"), 4);
    /* adapter 5 back: only 5 x aqmask is reserved, and aqmask lacks
     * 0x47, so nothing assigned is taken */
    vh_apmask(h, "+5", 0);
    vh_apmask(h, "-5", 0);
    /* 0x47 back reserves nothing while apmask lacks 5 */
    vh_aqmask(h, "+0x47", 0);
    /* ... but now apmask +5 would reserve 05.0047: refused */
    vh_apmask(h, "+5", -EBUSY);
    vh_apmask(h, "0xffff", -EBUSY); /* absolute form: same rule */
    ap_bus_masks(h->bus, &apm, &aqm);
    assert_false(ap_mask_test(&apm, 5));
    assert_false(ap_mask_test(&apm, 6));
    vh_aqmask(h, "-0x47", 0);
    vh_apmask(h, "+5", 0);
    vh_aqmask(h, "+0x47", -EBUSY);
    ap_bus_masks(h->bus, &apm, &aqm);
    assert_true(ap_mask_test(&apm, 5));
    assert_false(ap_mask_test(&aqm, 0x47));
    /* bits whose APQNs are not assigned go back freely */
    vh_apmask(h, "+6", 0);
    vh_aqmask(h, "+4", 0);
    /* after unassignment the write succeeds and the queue goes home */
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0x47)),
                        "assigned");
    assert_int_equal(vh_store(h, vd, "unassign_domain", "0x47"), 4);
    vh_aqmask(h, "+0x47", 0);
    assert_null(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0x47)));
    vh_free(h);
}

static void
test_limits(void **state)
{
    struct ap_bus_config small = {.apxa = true,
                                  .apft = true,
                                  .qci = true,
                                  .aqic = true,
                                  .na = 15,
                                  .nd = 31,
                                  .reset_ns = 1000000};
    struct ap_bus_config noapxa = small;
    const uint8_t c[] = {1};
    struct vh *h = vh_new(&small, c, 1, 0, 3);
    struct zv_vdev *vd = vh_mdev(h, UA);

    vh_apmask(h, "0x", 0);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "15"), 2);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "16"), -ENODEV);
    assert_int_equal(vh_store(h, vd, "assign_domain", "31"), 2);
    assert_int_equal(vh_store(h, vd, "assign_domain", "32"), -ENODEV);
    assert_int_equal(vh_store(h, vd, "assign_control_domain", "32"), -ENODEV);
    vh_free(h);
    /* without APXA: 64 adapters, 16 domains (vfio_ap_matrix_init) */
    noapxa.apxa = false;
    noapxa.na = noapxa.nd = 255;
    h = vh_new(&noapxa, c, 1, 0, 3);
    vd = vh_mdev(h, UA);
    vh_apmask(h, "0x", 0);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "63"), 2);
    assert_int_equal(vh_store(h, vd, "assign_adapter", "64"), -ENODEV);
    assert_int_equal(vh_store(h, vd, "assign_domain", "15"), 2);
    assert_int_equal(vh_store(h, vd, "assign_domain", "16"), -ENODEV);
    vh_free(h);
}

static void
test_ap_config(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *a = vh_mdev(h, UA), *b = vh_mdev(h, UB);
    char cfg[256];
    const char *z =
        "0000000000000000000000000000000000000000000000000000000000000000";

    snprintf(cfg, sizeof(cfg), "0x%s,0x%s,0x%s\n", z, z, z);
    assert_string_equal(vh_show(h, a, "ap_config"), cfg);
    /* adapters 5, 6; domains 4, 0xab; control domain 0xab */
    {
        const char *in = "0x06,0x0800000000000000000000000000000000000000001,"
                         "0x0000000000000000000000000000000000000000001\n";

        assert_int_equal(vh_store(h, a, "ap_config", in), (ssize_t)strlen(in));
    }
    assert_string_equal(vh_show(h, a, "matrix"),
                        "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    assert_string_equal(vh_show(h, a, "control_domains"), "00ab\n");
    assert_string_equal(
        vh_show(h, a, "ap_config"),
        "0x0600000000000000000000000000000000000000000000000000000000000000,"
        "0x0800000000000000000000000000000000000000001000000000000000000000,"
        "0x0000000000000000000000000000000000000000001000000000000000000000\n");
    /* round trip: what it shows it accepts */
    strcpy(cfg, h->out);
    assert_int_equal(vh_store(h, a, "ap_config", cfg), (ssize_t)strlen(cfg));
    assert_string_equal(vh_show(h, a, "ap_config"), cfg);
    /* errors leave everything as it was */
    static const struct {
        const char *in;
        int rc;
    } bad[] = {
        {"", -EINVAL},
        {"0x06", -EINVAL},
        {"0x06,0x08", -EINVAL},
        {"0x06,0x08,0x00,", -EINVAL},
        {"0x06,0x08,0x00\nx", -EINVAL},
        {"0x0g,0x08,0x00", -EINVAL},
        {"+5,0x08,0x00", -EINVAL},
        {"0x06,0x08,"
         "0x00000000000000000000000000000000000000000000000000000000000000000",
         -EINVAL},
        /* adapter 7 with domain 1: 07.0001 reserved for the host */
        {"0x01,0x40,0x00", -EADDRNOTAVAIL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(vh_store(h, a, "ap_config", bad[i].in), bad[i].rc);
        assert_string_equal(vh_show(h, a, "ap_config"), cfg);
    }
    /* b may not take a's APQNs */
    assert_int_equal(vh_store(h, b, "ap_config", "0x04,0x08,0x00"),
                     -EADDRINUSE);
    assert_string_equal(vh_show(h, b, "matrix"), "");
    /* replacing a's matrix frees 06.x for b */
    assert_int_equal(vh_store(h, a, "ap_config", "0x04,0x08,"), 10);
    assert_string_equal(vh_show(h, a, "matrix"), "05.0004\n");
    assert_string_equal(vh_show(h, a, "control_domains"), "");
    assert_int_equal(vh_store(h, b, "ap_config", "0x02,0x08,0"), 11);
    assert_string_equal(vh_show(h, b, "matrix"), "06.0004\n");
    vh_free(h);
}

static void
test_ap_config_enodev(void **state)
{
    struct ap_bus_config small = {.apxa = true,
                                  .apft = true,
                                  .qci = true,
                                  .aqic = true,
                                  .na = 15,
                                  .nd = 15,
                                  .reset_ns = 1000000};
    const uint8_t c[] = {1};
    struct vh *h = vh_new(&small, c, 1, 0, 3);
    struct zv_vdev *vd = vh_mdev(h, UA);

    vh_apmask(h, "0x", 0);
    assert_int_equal(vh_store(h, vd, "ap_config", "0x0001,0x8000,0x00"), 18);
    assert_int_equal(vh_store(h, vd, "ap_config", "0x00008,0x8000,0x00"),
                     -ENODEV);
    assert_int_equal(vh_store(h, vd, "ap_config", "0x8000,0x8000,0x00008"),
                     -ENODEV);
    assert_string_equal(vh_show(h, vd, "matrix"), "0f.0000\n");
    vh_free(h);
}

static void
test_attr_names(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *vd = vh_mdev(h, UA);
    char buf[8];

    assert_int_equal(vh_store(h, vd, "matrix", "1"), -EACCES);
    assert_int_equal(vh_store(h, vd, "guest_matrix", "1"), -EACCES);
    assert_int_equal(vh_store(h, vd, "control_domains", "1"), -EACCES);
    assert_int_equal(vh_store(h, vd, "nonsense", "1"), -ENOENT);
    assert_int_equal(zv_vfio_ap_attr_show(vd, "assign_adapter", buf, 8),
                     -EACCES);
    assert_int_equal(zv_vfio_ap_attr_show(vd, "unassign_domain", buf, 8),
                     -EACCES);
    assert_int_equal(zv_vfio_ap_attr_show(vd, "nonsense", buf, 8), -ENOENT);
    /* snprintf semantics: truncated output, full length returned */
    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, vd, "assign_domain", "4"), 1);
    assert_int_equal(zv_vfio_ap_attr_show(vd, "matrix", buf, 4), 8);
    assert_string_equal(buf, "05.");
    vh_free(h);
}

static void
test_queue_status(void **state)
{
    struct vh *h = setup71();
    struct zv_vdev *vd = vh_mdev(h, UA);
    struct vh_guest g;

    /* host-owned queues are not vfio_ap's */
    assert_null(zv_vfio_ap_queue_status(h->drv, AP_MKQN(7, 1)));
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 4)),
                        "unassigned");
    assert_int_equal(vh_store(h, vd, "assign_adapter", "5"), 1);
    assert_int_equal(vh_store(h, vd, "assign_domain", "4"), 1);
    assert_int_equal(vh_store(h, vd, "assign_domain", "0x47"), 4);
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 4)),
                        "assigned");
    vh_guest_open(h, &g, vd);
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 4)),
                        "in use");
    /* assigned and attached but not in the guest matrix: "assigned" */
    vh_unbind(h, 5, 0x47);
    assert_null(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 0x47)));
    assert_string_equal(zv_vfio_ap_queue_status(h->drv, AP_MKQN(5, 4)),
                        "assigned");
    vh_guest_close(&g);
    vh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_remove),
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_matrix_formats),
        cmocka_unit_test(test_control_domains),
        cmocka_unit_test(test_eaddrnotavail),
        cmocka_unit_test(test_eaddrinuse),
        cmocka_unit_test(test_mask_ebusy),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_ap_config),
        cmocka_unit_test(test_ap_config_enodev),
        cmocka_unit_test(test_attr_names),
        cmocka_unit_test(test_queue_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
