/* SPDX-License-Identifier: MIT */
/*
 * qemu/sysfs: which /sys paths the adapter sends into the launcher's
 * tree, and that nothing else (and no path escaping the tree) is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapter.h"

static void
css_and_chp_paths(void **state)
{
    char buf[256];

    assert_string_equal(zq_redirect("/r",
                                    "/sys/bus/css/devices/0.0.0313/pimpampom",
                                    buf, sizeof(buf)),
                        "/r/css/devices/0.0.0313/pimpampom");
    assert_string_equal(
        zq_redirect("/r", "/sys/bus/css/devices/0.0.0313/u-u/iommu_group", buf,
                    sizeof(buf)),
        "/r/css/devices/0.0.0313/u-u/iommu_group");
    assert_string_equal(
        zq_redirect("/r", "/sys/devices/css0/chp0.40/type", buf, sizeof(buf)),
        "/r/chp/chp0.40/type");
}

static void
other_paths_untouched(void **state)
{
    char buf[256];

    assert_null(zq_redirect("/r", "/sys/bus/pci/devices/x", buf, sizeof(buf)));
    assert_null(zq_redirect("/r", "/sys/bus/css/devicesX", buf, sizeof(buf)));
    assert_null(
        zq_redirect("/r", "/sys/devices/css0/defunct", buf, sizeof(buf)));
    assert_null(zq_redirect("/r", "sys/bus/css/devices/0.0.0313/chpids", buf,
                            sizeof(buf)));
    assert_null(zq_redirect("/r", "/dev/vfio/vfio", buf, sizeof(buf)));
    assert_null(zq_redirect(NULL, "/sys/bus/css/devices/a", buf, sizeof(buf)));
}

static void
no_escape_no_truncation(void **state)
{
    char buf[40];

    assert_null(zq_redirect("/r", "/sys/bus/css/devices/../../../etc/passwd",
                            buf, sizeof(buf)));
    assert_null(zq_redirect("/r", "/sys/bus/css/devices/0.0.0313/..", buf,
                            sizeof(buf)));
    assert_null(zq_redirect("/r", "/sys/devices/css0/chp0.40/../../x", buf,
                            sizeof(buf)));
    /* dots inside a name are fine */
    assert_non_null(
        zq_redirect("/r", "/sys/bus/css/devices/a..b/c", buf, sizeof(buf)));
    /* a result that does not fit is refused, not cut */
    assert_null(zq_redirect("/a/long/root/directory/name",
                            "/sys/bus/css/devices/0.0.0313/pimpampom", buf,
                            sizeof(buf)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(css_and_chp_paths),
        cmocka_unit_test(other_paths_untouched),
        cmocka_unit_test(no_escape_no_truncation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
