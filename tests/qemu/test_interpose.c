/* SPDX-License-Identifier: MIT */
/*
 * libzvfio-qemu.so itself, dlopen()ed: its exported libc functions
 * redirect the /sys paths, serve /dev/vfio and pass everything else to
 * glibc -- when the program is named qemu-system-* (this test is built
 * twice: as qemu-system-zvfio-test, ZQ_EXPECT_ACTIVE=1, and under another
 * name, where the library must be inert although ZVFIO_QEMU_ROOT is set).
 * The library comes from $ZQ_LIB.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef ZQ_EXPECT_ACTIVE
#error ZQ_EXPECT_ACTIVE
#endif

#define UUID "6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"

static char root[64];
static void *lib;
static FILE *(*l_fopen64)(const char *, const char *);
static int (*l_open64)(const char *, int, ...);
static ssize_t (*l_readlink)(const char *, char *, size_t);
static int (*l_ioctl)(int, unsigned long, ...);
static ssize_t (*l_pread64)(int, void *, size_t, off_t);
static int (*l_close)(int);

static void
put(const char *rel, const char *text)
{
    char p[PATH_MAX];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
setup(void **state)
{
    char cmd[PATH_MAX], p[PATH_MAX];
    const char *path = getenv("ZQ_LIB");

    snprintf(root, sizeof(root), "/tmp/zq-interpose.XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/css/devices/0.0.0313/%s %s/chp/chp0.40 %s/groups",
             root, UUID, root, root);
    assert_int_equal(system(cmd), 0);
    put("css/devices/0.0.0313/pimpampom", "80 80 ff\n");
    put("chp/chp0.40/type", "1b\n");
    snprintf(p, sizeof(p), "%s/css/devices/0.0.0313/%s/iommu_group", root,
             UUID);
    assert_int_equal(symlink("../../../../groups/7", p), 0);
    snprintf(p, sizeof(p), "%s/groups/7", root);
    assert_int_equal(symlink("../css/devices/0.0.0313/" UUID, p), 0);
    setenv("ZVFIO_QEMU_ROOT", root, 1);
    assert_non_null(path);
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(lib);
    l_fopen64 = (FILE * (*)(const char *, const char *)) dlsym(lib, "fopen64");
    l_open64 = (int (*)(const char *, int, ...))dlsym(lib, "open64");
    l_readlink =
        (ssize_t(*)(const char *, char *, size_t))dlsym(lib, "readlink");
    l_ioctl = (int (*)(int, unsigned long, ...))dlsym(lib, "ioctl");
    l_pread64 = (ssize_t(*)(int, void *, size_t, off_t))dlsym(lib, "pread64");
    l_close = (int (*)(int))dlsym(lib, "close");
    assert_true(l_fopen64 && l_open64 && l_readlink && l_ioctl && l_pread64 &&
                l_close);
    /* nothing of zvfio is visible */
    assert_null(dlsym(lib, "zq_new"));
    assert_null(dlsym(lib, "zq_cp_walk"));
    return 0;
}

static int
teardown(void **state)
{
    char cmd[PATH_MAX];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void
sysfs_redirect(void **state)
{
    FILE *f = l_fopen64("/sys/bus/css/devices/0.0.0313/pimpampom", "r");
    char link[PATH_MAX];
    ssize_t n;

#if ZQ_EXPECT_ACTIVE
    unsigned pim, pam, pom, type;

    assert_non_null(f);
    assert_int_equal(fscanf(f, "%x %x %x", &pim, &pam, &pom), 3);
    assert_int_equal(pim, 0x80);
    assert_int_equal(pom, 0xff);
    fclose(f);
    f = l_fopen64("/sys/devices/css0/chp0.40/type", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%x", &type), 1);
    assert_int_equal(type, 0x1b);
    fclose(f);
    n = l_readlink("/sys/bus/css/devices/0.0.0313/" UUID "/iommu_group", link,
                   sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    assert_string_equal(link, "../../../../groups/7");
#else
    assert_null(f);
    assert_int_equal(errno, ENOENT);
    n = l_readlink("/sys/bus/css/devices/0.0.0313/" UUID "/iommu_group", link,
                   sizeof(link));
    assert_int_equal(n, -1);
#endif
}

static void
dev_vfio(void **state)
{
    int g = l_open64("/dev/vfio/7", O_RDWR | O_CLOEXEC);

#if ZQ_EXPECT_ACTIVE
    struct vfio_group_status st = {.argsz = sizeof(st)};
    int c;

    assert_true(g >= 0);
    assert_int_equal(l_ioctl(g, VFIO_GROUP_GET_STATUS, &st), 0);
    assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
    c = l_open64("/dev/vfio/vfio", O_RDWR);
    assert_true(c >= 0);
    assert_int_equal(l_ioctl(c, VFIO_GET_API_VERSION), VFIO_API_VERSION);
    assert_int_equal(l_ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
    errno = 0;
    assert_int_equal(l_ioctl(c, VFIO_DEVICE_RESET), -1);
    assert_int_equal(errno, ENOTTY);
    assert_int_equal(l_ioctl(g, VFIO_GROUP_SET_CONTAINER, &c), 0);
    /* a second open of the group is refused as the kernel does */
    assert_int_equal(l_open64("/dev/vfio/7", O_RDWR), -1);
    assert_int_equal(errno, EBUSY);
    assert_int_equal(l_close(c), 0);
    assert_int_equal(l_close(g), 0);
    /* really closed: the descriptors are gone */
    assert_int_equal(fcntl(g, F_GETFD), -1);
    assert_int_equal(l_close(c), -1);
    assert_int_equal(errno, EBADF);
#else
    assert_int_equal(g, -1);
    assert_int_equal(errno, ENOENT);
#endif
}

static void
other_fds_pass_through(void **state)
{
    char p[PATH_MAX], b[8] = {0};
    int fd;

    put("data", "abcdefgh");
    snprintf(p, sizeof(p), "%s/data", root);
    fd = l_open64(p, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(l_pread64(fd, b, 4, 2), 4);
    assert_memory_equal(b, "cdef", 4);
    errno = 0;
    assert_int_equal(l_ioctl(fd, VFIO_GET_API_VERSION), -1);
    assert_int_equal(errno, ENOTTY);
    assert_int_equal(l_close(fd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sysfs_redirect),
        cmocka_unit_test(dev_vfio),
        cmocka_unit_test(other_fds_pass_through),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
