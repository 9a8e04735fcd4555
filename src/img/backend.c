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

/* A completion posted to the loop; listed so img_backend_forget can take
 * it back. */
struct sync_done {
    img_io_cb cb;
    void *arg;
    int res;
    zv_timer_id id;
    struct sync_be *sb;
    struct sync_done *next;
};

struct sync_be {
    struct img_backend be;
    struct sync_done *posted;
};

static struct sync_be *
to_sb(struct img_backend *be)
{
    return (struct sync_be *)be;
}

static void
sync_unlink(struct sync_be *sb, struct sync_done *d)
{
    struct sync_done **pp = &sb->posted;

    while (*pp != d)
        pp = &(*pp)->next;
    *pp = d->next;
}

static void
sync_done_run(void *p)
{
    struct sync_done *d = p;

    sync_unlink(d->sb, d);
    d->cb(d->arg, d->res);
    free(d);
}

/* Call cb(arg, res) from the loop: 0, or -ENOMEM (nothing posted). */
static int
sync_post(struct sync_be *sb, img_io_cb cb, void *arg, int res)
{
    struct sync_done *d = malloc(sizeof(*d));

    if (!d)
        return -ENOMEM;
    *d = (struct sync_done){.cb = cb, .arg = arg, .res = res, .sb = sb};
    d->id = zv_loop_post(sb->be.loop, sync_done_run, d);
    if (!d->id) {
        free(d);
        return -ENOMEM;
    }
    d->next = sb->posted;
    sb->posted = d;
    return 0;
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
    int rc;

    if (!be->loop)
        return -EINVAL;
    rc = write ? sync_pwrite(be, buf, len, off) : sync_pread(be, buf, len, off);
    return sync_post(to_sb(be), cb, arg, rc < 0 ? rc : (int)len);
}

/* The bytes move now either way; only a deferring backend reports it
 * later (the transfer then looks in flight until the loop runs cb). */
static int
sync_start(struct img_backend *be, bool write, const struct iovec *iov, int n,
           size_t total, uint64_t off, img_io_cb cb, void *arg, int *res)
{
    int rc = img_fd_iov(be, write, iov, n, off);

    if (!be->defer || !be->loop) {
        *res = rc;
        return 1;
    }
    if (sync_post(to_sb(be), cb, arg, rc < 0 ? rc : (int)total) < 0) {
        *res = rc; /* no memory for the report: it is given now */
        return 1;
    }
    return 0;
}

static void
sync_forget(struct img_backend *be, void *arg)
{
    struct sync_be *sb = to_sb(be);
    struct sync_done **pp = &sb->posted;

    while (*pp) {
        struct sync_done *d = *pp;

        if (d->arg != arg) {
            pp = &d->next;
            continue;
        }
        *pp = d->next;
        zv_loop_cancel(be->loop, d->id);
        free(d);
    }
}

static void
sync_destroy(struct img_backend *be)
{
    struct sync_be *sb = to_sb(be);

    while (sb->posted) {
        struct sync_done *d = sb->posted;

        sb->posted = d->next;
        zv_loop_cancel(be->loop, d->id);
        free(d);
    }
    free(sb);
}

static const struct img_backend_ops sync_ops = {
    .pread = sync_pread,
    .pwrite = sync_pwrite,
    .submit = sync_submit,
    .start = sync_start,
    .forget = sync_forget,
    .destroy = sync_destroy,
};

struct img_backend *
img_backend_sync(int fd, enum img_sync sync)
{
    struct sync_be *sb = calloc(1, sizeof(*sb));

    if (!sb)
        return NULL;
    sb->be.ops = &sync_ops;
    sb->be.fd = fd;
    sb->be.sync = sync;
    return &sb->be;
}

void
img_backend_set_loop(struct img_backend *be, struct zv_loop *loop)
{
    be->loop = loop;
}

void
img_backend_set_defer(struct img_backend *be, bool defer)
{
    be->defer = defer;
}

void
img_backend_forget(struct img_backend *be, void *arg)
{
    be->ops->forget(be, arg);
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

/* Byte count of n iovecs (1..IMG_IOV_MAX, 1..INT_MAX bytes in all), or
 * -EINVAL. */
static int
img_iov_total(const struct iovec *iov, int n, size_t *total)
{
    size_t t = 0;

    if (n <= 0 || n > IMG_IOV_MAX)
        return -EINVAL;
    for (int k = 0; k < n; k++) {
        if (iov[k].iov_len > 0x7fffffffu - t)
            return -EINVAL;
        t += iov[k].iov_len;
    }
    if (!img_len_ok(t))
        return -EINVAL;
    *total = t;
    return 0;
}

/*
 * Vectored I/O straight into or out of the caller's memory (guest storage
 * reached through base/mem iovecs): on the backend's fd whatever the
 * backend, synchronously, like img_pread/img_pwrite.  Short transfers go
 * on where they stopped; the end of the file inside the range is -EIO.
 */
int
img_fd_iov(const struct img_backend *be, bool write, const struct iovec *iov,
           int n, uint64_t off)
{
    struct iovec v[IMG_IOV_MAX];
    int i = 0;

    memcpy(v, iov, (size_t)n * sizeof(v[0]));
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
    size_t total;

    if (img_iov_total(iov, n, &total))
        return -EINVAL;
    return img_fd_iov(be, false, iov, n, off);
}

int
img_pwritev(struct img_backend *be, const struct iovec *iov, int n,
            uint64_t off)
{
    size_t total;

    if (img_iov_total(iov, n, &total))
        return -EINVAL;
    return img_fd_iov(be, true, iov, n, off);
}

static int
img_iov_start(struct img_backend *be, bool write, const struct iovec *iov,
              int n, uint64_t off, img_io_cb cb, void *arg, int *res)
{
    size_t total;

    if (!cb || !res || img_iov_total(iov, n, &total))
        return -EINVAL;
    return be->ops->start(be, write, iov, n, total, off, cb, arg, res);
}

int
img_preadv_start(struct img_backend *be, const struct iovec *iov, int n,
                 uint64_t off, img_io_cb cb, void *arg, int *res)
{
    return img_iov_start(be, false, iov, n, off, cb, arg, res);
}

int
img_pwritev_start(struct img_backend *be, const struct iovec *iov, int n,
                  uint64_t off, img_io_cb cb, void *arg, int *res)
{
    return img_iov_start(be, true, iov, n, off, cb, arg, res);
}
