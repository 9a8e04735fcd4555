/* SPDX-License-Identifier: MIT */
/*
 * qemu/interpose: the libc functions libzvfio-qemu.so exports in place of
 * glibc's (LD_PRELOAD), the only symbols it exports (libzvfio-qemu.map).
 *
 * The set is what Debian's qemu-system-s390x 7.2 binds on the vfio-ccw
 * path (shared/reference/qemu-adapter.md §2.1, pinned by
 * tests/qemu/symbols.sh), plus the non-64/non-fortified spellings of the
 * same calls for other builds.  Each one passes straight through to the
 * next definition (glibc) unless the adapter is active: in a program
 * named qemu-system-* with ZVFIO_QEMU_ROOT set.  LD_PRELOAD is inherited
 * by whatever a launcher or QEMU spawns, which must see plain libc.
 *
 * An LD_PRELOAD library is process-global by nature: its one context is
 * the static `zq_g` below.  vCPU threads and the main loop both call in,
 * so every call into the context holds zq_g.lock; calls the adapter
 * itself makes to these functions (zq_depth) go straight to libc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "adapter.h"

#define ZV_INTERPOSE __attribute__((visibility("default")))

/* glibc's fortify entry points, declared only under _FORTIFY_SOURCE */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
void __chk_fail(void) __attribute__((noreturn));

/* QEMU 7.2 internals Debian's binary exports (docs/qemu.md) */
typedef uintptr_t zq_ram_addr_t;
#define ZQ_RAM_ADDR_INVALID (~(zq_ram_addr_t)0)

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    struct zq *q; /* NULL: inert */
    char root[PATH_MAX];
    int (*open)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    FILE *(*fopen)(const char *, const char *);
    ssize_t (*readlink)(const char *, char *, size_t);
    ssize_t (*readlinkat)(int, const char *, char *, size_t);
    int (*ioctl)(int, unsigned long, ...);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    int (*close)(int);
    zq_ram_addr_t (*ram_addr_from_host)(void *);
    void (*tb_invalidate_phys_range)(zq_ram_addr_t, zq_ram_addr_t);
    bool warned;
    bool trace;
} zq_g = {.once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER};

/* initial-exec: the library is preloaded, so its TLS is static (and no
 * dynamic TLS block exists for LeakSanitizer to misread when a test
 * dlopen()s it) */
static __thread int zq_depth __attribute__((tls_model("initial-exec")));

static void *
next_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);

    if (!p) {
        fprintf(stderr, "zvfio-qemu: no libc %s: %s\n", name, dlerror());
        abort();
    }
    return p;
}

/* The device wrote guest memory behind TCG's back: drop translated code
 * for it (docs/qemu.md "TCG coherence"). */
static void
zq_invalidate(void *opaque, void *host, uint64_t len)
{
    zq_ram_addr_t a;

    if (!zq_g.ram_addr_from_host || !zq_g.tb_invalidate_phys_range) {
        if (!zq_g.warned)
            fprintf(stderr, "zvfio-qemu: this QEMU exports no "
                            "tb_invalidate_phys_range: code read from a "
                            "device may run stale translations\n");
        zq_g.warned = true;
        return;
    }
    a = zq_g.ram_addr_from_host(host);
    if (a == ZQ_RAM_ADDR_INVALID)
        return;
    zq_g.tb_invalidate_phys_range(a, a + len);
    if (zq_g.trace)
        fprintf(stderr,
                "zvfio-qemu: tb_invalidate_phys_range(0x%llx, 0x%llx)\n",
                (unsigned long long)a, (unsigned long long)(a + len));
}

static bool
is_qemu_system(void)
{
    char exe[PATH_MAX];
    ssize_t n = zq_g.readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *base;

    if (n <= 0)
        return false;
    exe[n] = '\0';
    base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    return strncmp(base, "qemu-system-", 12) == 0;
}

/* ZVFIO_QEMU_STATS: the timings table to stderr when QEMU exits */
static void
zq_stats_at_exit(void)
{
    pthread_mutex_lock(&zq_g.lock);
    zq_stats_dump(zq_g.q, stderr);
    pthread_mutex_unlock(&zq_g.lock);
}

static void
zq_init(void)
{
    const char *root = getenv("ZVFIO_QEMU_ROOT");
    const char *trace = getenv("ZVFIO_QEMU_TRACE");
    const char *stats = getenv("ZVFIO_QEMU_STATS");
    struct zq_hooks hooks = {.invalidate = zq_invalidate};

    zq_g.open = next_sym("open64");
    zq_g.openat = next_sym("openat64");
    zq_g.fopen = next_sym("fopen64");
    zq_g.readlink = next_sym("readlink");
    zq_g.readlinkat = next_sym("readlinkat");
    zq_g.ioctl = next_sym("ioctl");
    zq_g.pread = next_sym("pread64");
    zq_g.pwrite = next_sym("pwrite64");
    zq_g.close = next_sym("close");
    if (!root || !*root || strlen(root) >= sizeof(zq_g.root) ||
        !is_qemu_system())
        return;
    snprintf(zq_g.root, sizeof(zq_g.root), "%s", root);
    zq_g.ram_addr_from_host = dlsym(RTLD_DEFAULT, "qemu_ram_addr_from_host");
    zq_g.tb_invalidate_phys_range =
        dlsym(RTLD_DEFAULT, "tb_invalidate_phys_range");
    zq_depth++;
    zq_g.q = zq_new(zq_g.root, &hooks);
    zq_depth--;
    if (!zq_g.q) {
        fprintf(stderr, "zvfio-qemu: out of memory: adapter inactive\n");
        return;
    }
    zq_g.trace = trace && *trace && strcmp(trace, "0") != 0;
    zq_set_trace(zq_g.q, zq_g.trace);
    if (stats && *stats && strcmp(stats, "0") != 0) {
        if (zq_set_stats(zq_g.q, true) == 0)
            atexit(zq_stats_at_exit);
        else
            fprintf(stderr, "zvfio-qemu: out of memory: no stats\n");
    }
    if (zq_g.trace)
        fprintf(stderr, "zvfio-qemu: active, root %s%s\n", zq_g.root,
                zq_g.tb_invalidate_phys_range ? "" : " (no TB invalidation)");
}

/* true when the call is for the adapter: the lock is then held */
static bool
enter(void)
{
    pthread_once(&zq_g.once, zq_init);
    if (!zq_g.q || zq_depth)
        return false;
    zq_depth++;
    pthread_mutex_lock(&zq_g.lock);
    return true;
}

static void
leave(void)
{
    pthread_mutex_unlock(&zq_g.lock);
    zq_depth--;
}

static long
ret_errno(long rc)
{
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

/* A path QEMU reads under /sys, or /dev/vfio/... */
static int
do_open(int dirfd, const char *path, int flags, mode_t mode, bool at)
{
    char buf[PATH_MAX];
    const char *p = path;
    int rc = 1;

    if (path && path[0] == '/' && enter()) {
        rc = zq_open(zq_g.q, path);
        leave();
        if (rc != 1)
            return (int)ret_errno(rc);
        p = zq_redirect(zq_g.root, path, buf, sizeof(buf));
        if (!p)
            p = path;
    }
    return at ? zq_g.openat(dirfd, p, flags, mode) : zq_g.open(p, flags, mode);
}

static mode_t
open_mode(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
               ? (mode_t)va_arg(ap, int)
               : 0;
}

ZV_INTERPOSE int
open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return do_open(AT_FDCWD, path, flags, mode, false);
}

ZV_INTERPOSE int
open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return do_open(AT_FDCWD, path, flags, mode, false);
}

ZV_INTERPOSE int
__open64_2(const char *path, int flags)
{
    return do_open(AT_FDCWD, path, flags, 0, false);
}

ZV_INTERPOSE int
__open_2(const char *path, int flags)
{
    return do_open(AT_FDCWD, path, flags, 0, false);
}

ZV_INTERPOSE int
openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return do_open(dirfd, path, flags, mode, true);
}

ZV_INTERPOSE int
openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return do_open(dirfd, path, flags, mode, true);
}

/* glibc's fopen opens internally, past open64: redirect here too */
static FILE *
do_fopen(const char *path, const char *mode)
{
    char buf[PATH_MAX];
    const char *p = NULL;

    if (path && enter()) {
        p = zq_redirect(zq_g.root, path, buf, sizeof(buf));
        leave();
    }
    return zq_g.fopen(p ? p : path, mode);
}

ZV_INTERPOSE FILE *
fopen64(const char *path, const char *mode)
{
    return do_fopen(path, mode);
}

ZV_INTERPOSE FILE *
fopen(const char *path, const char *mode)
{
    return do_fopen(path, mode);
}

ZV_INTERPOSE ssize_t
readlink(const char *path, char *out, size_t size)
{
    char buf[PATH_MAX];
    const char *p = NULL;

    if (enter()) {
        p = zq_redirect(zq_g.root, path, buf, sizeof(buf));
        leave();
    }
    return zq_g.readlink(p ? p : path, out, size);
}

ZV_INTERPOSE ssize_t
readlinkat(int dirfd, const char *path, char *out, size_t size)
{
    char buf[PATH_MAX];
    const char *p = NULL;

    if (path[0] == '/' && enter()) {
        p = zq_redirect(zq_g.root, path, buf, sizeof(buf));
        leave();
    }
    return zq_g.readlinkat(dirfd, p ? p : path, out, size);
}

ZV_INTERPOSE int
ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;
    int rc;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!enter())
        return zq_g.ioctl(fd, req, arg);
    if (!zq_owns(zq_g.q, fd)) {
        leave();
        return zq_g.ioctl(fd, req, arg);
    }
    rc = zq_ioctl(zq_g.q, fd, req, arg);
    leave();
    return (int)ret_errno(rc);
}

static ssize_t
do_pread(int fd, void *buf, size_t n, off_t off)
{
    ssize_t rc;

    if (!enter())
        return zq_g.pread(fd, buf, n, off);
    if (!zq_owns(zq_g.q, fd)) {
        leave();
        return zq_g.pread(fd, buf, n, off);
    }
    rc = zq_pread(zq_g.q, fd, buf, n, off);
    leave();
    return ret_errno(rc);
}

static ssize_t
do_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t rc;

    if (!enter())
        return zq_g.pwrite(fd, buf, n, off);
    if (!zq_owns(zq_g.q, fd)) {
        leave();
        return zq_g.pwrite(fd, buf, n, off);
    }
    rc = zq_pwrite(zq_g.q, fd, buf, n, off);
    leave();
    return ret_errno(rc);
}

ZV_INTERPOSE ssize_t
pread64(int fd, void *buf, size_t n, off_t off)
{
    return do_pread(fd, buf, n, off);
}

ZV_INTERPOSE ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
    return do_pread(fd, buf, n, off);
}

ZV_INTERPOSE ssize_t
__pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    if (n > buflen)
        __chk_fail();
    return do_pread(fd, buf, n, off);
}

ZV_INTERPOSE ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return do_pwrite(fd, buf, n, off);
}

ZV_INTERPOSE ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return do_pwrite(fd, buf, n, off);
}

ZV_INTERPOSE int
close(int fd)
{
    int rc;

    if (!enter())
        return zq_g.close(fd);
    if (!zq_owns(zq_g.q, fd)) {
        leave();
        return zq_g.close(fd);
    }
    rc = zq_close(zq_g.q, fd);
    leave();
    return (int)ret_errno(rc);
}
