/* SPDX-License-Identifier: MIT */
/* Helpers shared by the img tests: a private temp dir per test and small
 * file utilities.  Header-only so each test stays one executable. */
#ifndef ZV_TESTS_IMG_TEST_H
#define ZV_TESTS_IMG_TEST_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

struct tdir {
    char dir[64];
    char path[128];
};

/*
 * Image creation ends with fdatasync(), which costs seconds on a busy
 * disk: tests prefer tmpfs (/dev/shm) when it has room for the largest
 * image they make (two dasdinit 3390-1 volumes, ~1.9 GB), else /tmp.
 */
static inline const char *
tdir_base(void)
{
    struct statvfs vfs;

    if (statvfs("/dev/shm", &vfs) == 0 &&
        (uint64_t)vfs.f_bavail * vfs.f_frsize >= (4ull << 30))
        return "/dev/shm";
    return "/tmp";
}

static inline struct tdir *
tdir_new(void)
{
    struct tdir *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    snprintf(t->dir, sizeof(t->dir), "%s/zv-img-XXXXXX", tdir_base());
    if (!mkdtemp(t->dir)) {
        free(t);
        return NULL;
    }
    return t;
}

/* Path of a file inside the test dir (valid until the next call). */
static inline const char *
tdir_file(struct tdir *t, const char *name)
{
    snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
    return t->path;
}

static inline void
tdir_free(struct tdir *t)
{
    char cmd[160];

    if (!t)
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", t->dir);
    free(t);
}

static inline uint64_t
file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* FNV-1a over the whole file: "nothing was written" checks. */
static inline uint64_t
file_hash(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    uint8_t buf[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    close(fd);
    return h;
}

static inline int
write_at(const char *path, const void *buf, size_t len, off_t off)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = pwrite(fd, buf, len, off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static inline int
truncate_to(const char *path, uint64_t size)
{
    return truncate(path, (off_t)size);
}

#endif
