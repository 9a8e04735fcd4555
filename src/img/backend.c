/* SPDX-License-Identifier: MIT */
/*
 * img/backend: how image bytes reach the file.  The synchronous backend
 * uses pread/pwrite; its async calls do the I/O at once and post the
 * completion to the loop, so callers see the same ordering contract as
 * with io_uring (the callback never runs inside the submitting call).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "img/img_priv.h"

int
img_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int
img_fd_pread(int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO; /* the file ended inside the requested range */
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int
img_fd_pwrite(int fd, const void *buf, size_t len, uint64_t off,
              enum img_sync sync)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    if (sync == IMG_SYNC_FSYNC && fdatasync(fd) < 0)
        return -errno;
    return 0;
}

/* ---- synchronous backend ---- */

struct sync_done {
    img_io_cb cb;
    void *arg;
    int res;
};

static void
sync_done_run(void *p)
{
    struct sync_done *d = p;

    d->cb(d->arg, d->res);
    free(d);
}

static int
sync_pread(struct img_backend *be, void *buf, size_t len, uint64_t off)
{
    return img_fd_pread(be->fd, buf, len, off);
}

static int
sync_pwrite(struct img_backend *be, const void *buf, size_t len, uint64_t off)
{
    return img_fd_pwrite(be->fd, buf, len, off, be->sync);
}

static int
sync_submit(struct img_backend *be, bool write, void *buf, size_t len,
            uint64_t off, img_io_cb cb, void *arg)
{
    struct sync_done *d;
    int rc;

    if (!be->loop)
        return -EINVAL;
    d = malloc(sizeof(*d));
    if (!d)
        return -ENOMEM;
    rc = write ? sync_pwrite(be, buf, len, off) : sync_pread(be, buf, len, off);
    d->cb = cb;
    d->arg = arg;
    d->res = rc < 0 ? rc : (int)len;
    if (!zv_loop_post(be->loop, sync_done_run, d)) {
        free(d);
        return -ENOMEM;
    }
    return 0;
}

static void
sync_destroy(struct img_backend *be)
{
    free(be);
}

static const struct img_backend_ops sync_ops = {
    .pread = sync_pread,
    .pwrite = sync_pwrite,
    .submit = sync_submit,
    .destroy = sync_destroy,
};

struct img_backend *
img_backend_sync(int fd, enum img_sync sync)
{
    struct img_backend *be = calloc(1, sizeof(*be));

    if (!be)
        return NULL;
    be->ops = &sync_ops;
    be->fd = fd;
    be->sync = sync;
    return be;
}

void
img_backend_set_loop(struct img_backend *be, struct zv_loop *loop)
{
    be->loop = loop;
}

void
img_backend_free(struct img_backend *be)
{
    if (be)
        be->ops->destroy(be);
}

/* Transfers are bounded to INT_MAX so the byte count fits the result. */
static bool
img_len_ok(size_t len)
{
    return len > 0 && len <= 0x7fffffffu;
}

int
img_pread(struct img_backend *be, void *buf, size_t len, uint64_t off)
{
    if (!img_len_ok(len))
        return -EINVAL;
    return be->ops->pread(be, buf, len, off);
}

int
img_pwrite(struct img_backend *be, const void *buf, size_t len, uint64_t off)
{
    if (!img_len_ok(len))
        return -EINVAL;
    return be->ops->pwrite(be, buf, len, off);
}

int
img_flush(struct img_backend *be)
{
    return fdatasync(be->fd) < 0 ? -errno : 0;
}

int
img_pread_async(struct img_backend *be, void *buf, size_t len, uint64_t off,
                img_io_cb cb, void *arg)
{
    if (!img_len_ok(len) || !cb)
        return -EINVAL;
    return be->ops->submit(be, false, buf, len, off, cb, arg);
}

int
img_pwrite_async(struct img_backend *be, const void *buf, size_t len,
                 uint64_t off, img_io_cb cb, void *arg)
{
    if (!img_len_ok(len) || !cb)
        return -EINVAL;
    /* The submit op does not write through buf; the cast keeps one op
     * signature for both directions. */
    return be->ops->submit(be, true, (void *)buf, len, off, cb, arg);
}

/*
 * Vectored I/O straight into or out of the caller's memory (guest storage
 * reached through base/mem iovecs): on the backend's fd whatever the
 * backend, synchronously, like img_pread/img_pwrite.  Short transfers go
 * on where they stopped; the end of the file inside the range is -EIO.
 */
static int
img_fd_iov(const struct img_backend *be, bool write, const struct iovec *iov,
           int n, uint64_t off)
{
    struct iovec v[IMG_IOV_MAX];
    size_t total = 0;
    int i = 0;

    if (n <= 0 || n > IMG_IOV_MAX)
        return -EINVAL;
    memcpy(v, iov, (size_t)n * sizeof(v[0]));
    for (int k = 0; k < n; k++) {
        if (v[k].iov_len > 0x7fffffffu - total)
            return -EINVAL;
        total += v[k].iov_len;
    }
    if (!img_len_ok(total))
        return -EINVAL;
    while (i < n) {
        ssize_t r = write ? pwritev(be->fd, &v[i], n - i, (off_t)off)
                          : preadv(be->fd, &v[i], n - i, (off_t)off);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EIO;
        off += (uint64_t)r;
        for (size_t left = (size_t)r; left;) {
            size_t take = left < v[i].iov_len ? left : v[i].iov_len;

            v[i].iov_base = (uint8_t *)v[i].iov_base + take;
            v[i].iov_len -= take;
            left -= take;
            if (v[i].iov_len == 0)
                i++;
        }
        while (i < n && v[i].iov_len == 0)
            i++;
    }
    if (write && be->sync == IMG_SYNC_FSYNC && fdatasync(be->fd) < 0)
        return -errno;
    return 0;
}

int
img_preadv(struct img_backend *be, const struct iovec *iov, int n, uint64_t off)
{
    return img_fd_iov(be, false, iov, n, off);
}

int
img_pwritev(struct img_backend *be, const struct iovec *iov, int n,
            uint64_t off)
{
    return img_fd_iov(be, true, iov, n, off);
}
