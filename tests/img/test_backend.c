/* SPDX-License-Identifier: MIT */
/*
 * Image backends: the synchronous pread/pwrite backend (async calls post
 * their completion to the loop) and the io_uring backend whose
 * completions arrive through an eventfd watched by the real loop.  The
 * uring cases skip, saying why, when io_uring_setup is unavailable
 * (ENOSYS: old kernel; EPERM: disabled by sysctl/seccomp; ENOTSUP: built
 * without liburing).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <cmocka.h>

#include "base/loop.h"
#include "img/img.h"
#include "img_test.h"

#define FILE_BLOCKS 64u
#define BS          4096u

struct fx {
    struct tdir *t;
    char path[128];
    int fd;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    f->t = tdir_new();
    snprintf(f->path, sizeof(f->path), "%s", tdir_file(f->t, "b.img"));
    f->fd = open(f->path, O_RDWR | O_CREAT, 0644);
    assert_true(f->fd >= 0);
    assert_int_equal(ftruncate(f->fd, FILE_BLOCKS * BS), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    close(f->fd);
    tdir_free(f->t);
    free(f);
    return 0;
}

struct done {
    int calls;
    int res[FILE_BLOCKS];
    int order[FILE_BLOCKS];
};

struct op {
    struct done *d;
    int idx;
};

static void
on_done(void *arg, int res)
{
    struct op *op = arg;

    op->d->res[op->idx] = res;
    op->d->order[op->d->calls++] = op->idx;
}

static void
fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seed * 13 + i);
}

/* ---- sync backend ---- */

static void
sync_whole_buffer_io(void **state)
{
    struct fx *f = *state;
    struct img_backend *be = img_backend_sync(f->fd, IMG_SYNC_FSYNC);
    uint8_t w[BS], r[BS];

    fill(w, BS, 1);
    assert_int_equal(img_pwrite(be, w, BS, 3 * BS), 0);
    assert_int_equal(img_pread(be, r, BS, 3 * BS), 0);
    assert_memory_equal(w, r, BS);
    /* a read that runs past the end of the file is an I/O error */
    assert_int_equal(img_pread(be, r, BS, FILE_BLOCKS * BS - 100), -EIO);
    assert_int_equal(img_pread(be, r, 0, 0), -EINVAL);
    assert_int_equal(img_flush(be), 0);
    img_backend_free(be);
    /* flush reports the file's errors: a pipe cannot be fdatasync()ed */
    int p[2];
    assert_int_equal(pipe(p), 0);
    be = img_backend_sync(p[0], IMG_SYNC_WRITE_THROUGH);
    assert_int_equal(img_flush(be), -EINVAL);
    img_backend_free(be);
    close(p[0]);
    close(p[1]);
}

static void
sync_async_completes_later_on_loop(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct img_backend *be = img_backend_sync(f->fd, IMG_SYNC_WRITE_THROUGH);
    struct done d = {0};
    struct op ops[3] = {{&d, 0}, {&d, 1}, {&d, 2}};
    uint8_t w[BS], r[BS];

    fill(w, BS, 2);
    /* no loop yet: async is refused */
    assert_int_equal(img_pwrite_async(be, w, BS, 0, on_done, &ops[0]), -EINVAL);
    img_backend_set_loop(be, loop);
    assert_int_equal(img_pwrite_async(be, w, BS, 5 * BS, on_done, &ops[0]), 0);
    assert_int_equal(img_pread_async(be, r, BS, 5 * BS, on_done, &ops[1]), 0);
    assert_int_equal(
        img_pread_async(be, r, BS, FILE_BLOCKS * BS, on_done, &ops[2]), 0);
    /* never inside the submitting call */
    assert_int_equal(d.calls, 0);
    zv_loop_run(loop);
    assert_int_equal(d.calls, 3);
    assert_int_equal(d.order[0], 0);
    assert_int_equal(d.order[1], 1);
    assert_int_equal(d.res[0], BS);
    assert_int_equal(d.res[1], BS);
    assert_int_equal(d.res[2], -EIO);
    assert_memory_equal(w, r, BS);
    img_backend_free(be);
    zv_loop_free(loop);
}

/* Started (vectored) transfers on the sync backend: done inside the call
 * unless deferred; a deferred one calls back from the loop, and forget
 * takes the callback back. */
static void
sync_started_transfers(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct img_backend *be = img_backend_sync(f->fd, IMG_SYNC_WRITE_THROUGH);
    struct done d = {0};
    struct op ops[3] = {{&d, 0}, {&d, 1}, {&d, 2}};
    static uint8_t w[BS], r[BS + 64];
    struct iovec wv[2] = {{w, 1000}, {w + 1000, BS - 1000}};
    struct iovec rv[3] = {{r, 7}, {r + 7, 2000}, {r + 2007, BS - 2007}};
    int res = 1;

    fill(w, BS, 9);
    assert_int_equal(
        img_pwritev_start(be, wv, 2, 4 * BS, on_done, &ops[0], &res), 1);
    assert_int_equal(res, 0);
    assert_int_equal(
        img_preadv_start(be, rv, 3, 4 * BS, on_done, &ops[0], &res), 1);
    assert_int_equal(res, 0);
    assert_memory_equal(r, w, BS);
    /* the file ends inside the range */
    assert_int_equal(img_preadv_start(be, rv, 3, FILE_BLOCKS * BS - 100,
                                      on_done, &ops[0], &res),
                     1);
    assert_int_equal(res, -EIO);
    /* bad arrays are refused before anything moves */
    assert_int_equal(img_preadv_start(be, rv, 0, 0, on_done, &ops[0], &res),
                     -EINVAL);
    assert_int_equal(
        img_preadv_start(be, rv, IMG_IOV_MAX + 1, 0, on_done, &ops[0], &res),
        -EINVAL);
    assert_int_equal(img_preadv_start(be, rv, 3, 0, NULL, &ops[0], &res),
                     -EINVAL);
    assert_int_equal(d.calls, 0);
    /* deferred: the bytes move now, the report comes from the loop */
    img_backend_set_loop(be, loop);
    img_backend_set_defer(be, true);
    memset(r, 0, sizeof(r));
    assert_int_equal(
        img_preadv_start(be, rv, 3, 4 * BS, on_done, &ops[1], &res), 0);
    assert_int_equal(
        img_preadv_start(be, rv, 3, 4 * BS, on_done, &ops[2], &res), 0);
    assert_int_equal(d.calls, 0);
    img_backend_forget(be, &ops[2]);
    zv_loop_run(loop);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.order[0], 1);
    assert_int_equal(d.res[1], BS);
    assert_memory_equal(r, w, BS);
    /* freeing the backend drops what is still posted */
    assert_int_equal(img_preadv_start(be, rv, 3, 0, on_done, &ops[2], &res), 0);
    img_backend_free(be);
    zv_loop_run(loop);
    assert_int_equal(d.calls, 1);
    zv_loop_free(loop);
}

/* ---- io_uring backend ---- */

static struct img_backend *
uring_or_skip(int fd, enum img_sync sync, struct zv_loop *loop)
{
    struct img_backend *be = img_backend_uring(fd, sync, loop, 16);

    if (!be) {
        int e = errno;

        if (e == ENOSYS || e == EPERM || e == ENOTSUP) {
            print_message("skipping: io_uring unavailable: %s (%s)\n",
                          strerror(e),
                          e == ENOSYS  ? "kernel without io_uring"
                          : e == EPERM ? "io_uring disabled for this process"
                                       : "built without liburing");
            if (loop)
                zv_loop_free(loop);
            skip();
        }
        fail_msg("img_backend_uring: %s", strerror(e));
    }
    return be;
}

static void
uring_refuses_virtual_loop(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct img_backend *probe = uring_or_skip(f->fd, 0, NULL);

    img_backend_free(probe);
    errno = 0;
    assert_null(img_backend_uring(f->fd, IMG_SYNC_WRITE_THROUGH, loop, 8));
    assert_int_equal(errno, ENOTSUP);
    zv_loop_free(loop);
}

static void
uring_sync_calls(void **state)
{
    struct fx *f = *state;
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_FSYNC, NULL);
    uint8_t w[2 * BS], r[2 * BS];

    fill(w, sizeof(w), 3);
    assert_int_equal(img_pwrite(be, w, sizeof(w), 7 * BS), 0);
    assert_int_equal(img_pread(be, r, sizeof(r), 7 * BS), 0);
    assert_memory_equal(w, r, sizeof(w));
    assert_int_equal(pread(f->fd, r, BS, 8 * BS), BS);
    assert_memory_equal(w + BS, r, BS);
    assert_int_equal(img_pread(be, r, BS, FILE_BLOCKS * BS), -EIO);
    /* without a loop there is nowhere to deliver completions */
    assert_int_equal(img_pread_async(be, r, BS, 0, on_done, NULL), -EINVAL);
    img_backend_free(be);
}

static void
run_until_calls(struct zv_loop *loop, struct done *d, int want)
{
    for (int spins = 0; d->calls < want && spins < 10000; spins++)
        zv_loop_run_once(loop, 100 * ZV_NSEC_PER_MSEC);
    assert_int_equal(d->calls, want);
}

static void
uring_async_through_eventfd(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_WRITE_THROUGH, loop);
    static uint8_t w[FILE_BLOCKS][BS], r[FILE_BLOCKS][BS];
    struct done d = {0};
    struct op ops[FILE_BLOCKS];

    /* More requests than the ring has entries: the backend must flush
     * and keep going. */
    for (unsigned i = 0; i < FILE_BLOCKS; i++) {
        ops[i] = (struct op){&d, (int)i};
        fill(w[i], BS, i + 10);
        assert_int_equal(
            img_pwrite_async(be, w[i], BS, (uint64_t)i * BS, on_done, &ops[i]),
            0);
    }
    assert_int_equal(d.calls, 0);
    run_until_calls(loop, &d, FILE_BLOCKS);
    for (unsigned i = 0; i < FILE_BLOCKS; i++)
        assert_int_equal(d.res[i], BS);
    for (unsigned i = 0; i < FILE_BLOCKS; i++) {
        assert_int_equal(pread(f->fd, r[i], BS, (off_t)i * BS), BS);
        assert_memory_equal(r[i], w[i], BS);
    }
    memset(&d, 0, sizeof(d));
    memset(r, 0, sizeof(r));
    for (unsigned i = 0; i < FILE_BLOCKS; i++)
        assert_int_equal(
            img_pread_async(be, r[i], BS, (uint64_t)i * BS, on_done, &ops[i]),
            0);
    run_until_calls(loop, &d, FILE_BLOCKS);
    for (unsigned i = 0; i < FILE_BLOCKS; i++) {
        assert_int_equal(d.res[i], BS);
        assert_memory_equal(r[i], w[i], BS);
    }
    img_backend_free(be);
    zv_loop_free(loop);
}

static void
uring_async_fsync_and_eof(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_FSYNC, loop);
    uint8_t w[BS], r[BS];
    struct done d = {0};
    struct op ops[2] = {{&d, 0}, {&d, 1}};

    fill(w, BS, 77);
    assert_int_equal(img_pwrite_async(be, w, BS, 0, on_done, &ops[0]), 0);
    assert_int_equal(
        img_pread_async(be, r, BS, FILE_BLOCKS * BS + BS, on_done, &ops[1]), 0);
    run_until_calls(loop, &d, 2);
    assert_int_equal(d.res[0], BS);
    assert_int_equal(d.res[1], -EIO);
    assert_int_equal(pread(f->fd, r, BS, 0), BS);
    assert_memory_equal(w, r, BS);
    img_backend_free(be);
    zv_loop_free(loop);
}

static void
uring_free_with_requests_in_flight(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_FSYNC, loop);
    static uint8_t bufs[8][BS];
    struct done d = {0};
    struct op ops[8];

    for (int i = 0; i < 8; i++) {
        ops[i] = (struct op){&d, i};
        assert_int_equal(img_pwrite_async(be, bufs[i], BS, (uint64_t)i * BS,
                                          on_done, &ops[i]),
                         0);
    }
    /* waits for the kernel to let go of the buffers; no callback runs */
    img_backend_free(be);
    assert_int_equal(d.calls, 0);
    /* the loop no longer watches the backend's eventfd */
    zv_loop_run_once(loop, 10 * ZV_NSEC_PER_MSEC);
    assert_int_equal(d.calls, 0);
    zv_loop_free(loop);
}

struct nested {
    struct img_backend *be;
    uint8_t buf[BS];
    int async_res, sync_res, calls;
};

/* A completion callback that does a synchronous read on the same backend
 * (a device model may): it must not deadlock on the batched submission. */
static void
on_done_nested(void *arg, int res)
{
    struct nested *n = arg;

    n->async_res = res;
    n->sync_res = img_pread(n->be, n->buf, BS, 2 * BS);
    n->calls++;
}

static void
uring_sync_call_from_callback(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_WRITE_THROUGH, loop);
    struct nested n = {.be = be};
    uint8_t w[BS], r[BS];

    fill(w, BS, 42);
    assert_int_equal(pwrite(f->fd, w, BS, 2 * BS), BS);
    assert_int_equal(img_pread_async(be, r, BS, 0, on_done_nested, &n), 0);
    for (int spins = 0; n.calls == 0 && spins < 1000; spins++)
        zv_loop_run_once(loop, 100 * ZV_NSEC_PER_MSEC);
    assert_int_equal(n.calls, 1);
    assert_int_equal(n.async_res, BS);
    assert_int_equal(n.sync_res, 0);
    assert_memory_equal(n.buf, w, BS);
    img_backend_free(be);
    zv_loop_free(loop);
}

static void
uring_backend_under_ckd_image(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct ckd_img *img;
    struct img_backend *be;
    static uint8_t trk[56832];
    char err[256];
    const char *p = tdir_file(f->t, "u.3390");

    assert_int_equal(ckd_img_create(p, 0, 1, err, sizeof(err)), 0);
    assert_int_equal(
        ckd_img_open(p, false, IMG_SYNC_WRITE_THROUGH, &img, err, sizeof(err)),
        0);
    be = uring_or_skip(ckd_img_fd(img), IMG_SYNC_WRITE_THROUGH, loop);
    assert_int_equal(ckd_img_set_backend(img, be), 0);
    assert_ptr_equal(ckd_img_backend(img), be);
    assert_true(ckd_track_build(trk, sizeof(trk), 0, 9, NULL, 0) > 0);
    assert_int_equal(ckd_img_write_track(img, 0, 9, trk), 0);
    assert_int_equal(ckd_img_read_track(img, 0, 9, trk), 0);
    assert_int_equal(ckd_track_check_ha(trk, 0, 9), 0);
    /* a backend on another fd is refused */
    assert_int_equal(ckd_img_set_backend(img, NULL), -EINVAL);
    ckd_img_close(img);
    zv_loop_free(loop);
}

/* Started transfers on io_uring: a read the page cache has finishes
 * inside the call; deferred ones (every request to the worker threads)
 * call back through the eventfd, scattered over several iovecs. */
static void
uring_started_transfers(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_WRITE_THROUGH, loop);
    static uint8_t w[2 * BS], r[2 * BS];
    struct iovec rv[3] = {{r, 5}, {r + 5, BS}, {r + 5 + BS, BS - 5}};
    struct iovec wv[2] = {{w, 3}, {w + 3, 2 * BS - 3}};
    struct done d = {0};
    struct op ops[4] = {{&d, 0}, {&d, 1}, {&d, 2}, {&d, 3}};
    int res = 1, rc;

    fill(w, sizeof(w), 21);
    assert_int_equal(pwrite(f->fd, w, sizeof(w), 9 * BS), (ssize_t)sizeof(w));
    rc = img_preadv_start(be, rv, 3, 9 * BS, on_done, &ops[0], &res);
    assert_true(rc == 0 || rc == 1);
    if (rc == 0)
        run_until_calls(loop, &d, 1);
    else
        assert_int_equal(res, 0);
    assert_memory_equal(r, w, sizeof(w));

    img_backend_set_defer(be, true);
    fill(w, sizeof(w), 22);
    memset(r, 0, sizeof(r));
    assert_int_equal(
        img_pwritev_start(be, wv, 2, 20 * BS, on_done, &ops[1], &res), 0);
    assert_int_equal(img_preadv_start(be, rv, 3, FILE_BLOCKS * BS - BS, on_done,
                                      &ops[2], &res),
                     0);
    run_until_calls(loop, &d, (rc == 0) + 2);
    assert_int_equal(d.res[1], 2 * BS);
    assert_int_equal(d.res[2], -EIO);
    assert_int_equal(
        img_preadv_start(be, rv, 3, 20 * BS, on_done, &ops[3], &res), 0);
    run_until_calls(loop, &d, (rc == 0) + 3);
    assert_int_equal(d.res[3], 2 * BS);
    assert_memory_equal(r, w, sizeof(w));
    img_backend_free(be);
    zv_loop_free(loop);
}

/*
 * A read the page cache does not have: io_uring finishes it later, from
 * task work once the page is in or from a worker thread.  Either way the
 * loop must hear of it (an eventfd in async-only mode heard nothing of
 * the task-work completion: the read never called back).
 */
static void
uring_cold_read_calls_back(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_WRITE_THROUGH, loop);
    static uint8_t w[FILE_BLOCKS * BS], r[BS];
    struct iovec v = {r, BS};
    struct done d = {0};
    struct op ops[1] = {{&d, 0}};
    int inline_done = 0, res;

    fill(w, sizeof(w), 33);
    assert_int_equal(pwrite(f->fd, w, sizeof(w), 0), (ssize_t)sizeof(w));
    assert_int_equal(fdatasync(f->fd), 0);
    for (unsigned i = 0; i < 16; i++) {
        int rc;

        /* clean pages: dropped from the cache */
        assert_int_equal(posix_fadvise(f->fd, 0, 0, POSIX_FADV_DONTNEED), 0);
        memset(r, 0, sizeof(r));
        rc = img_preadv_start(be, &v, 1, (uint64_t)(i * 3 % FILE_BLOCKS) * BS,
                              on_done, &ops[0], &res);
        assert_true(rc == 0 || rc == 1);
        if (rc == 1) {
            inline_done++;
            assert_int_equal(res, 0);
        } else {
            run_until_calls(loop, &d, (int)(i + 1) - inline_done);
            assert_int_equal(d.res[0], BS);
        }
        assert_memory_equal(r, w + (size_t)(i * 3 % FILE_BLOCKS) * BS, BS);
    }
    print_message("%d of 16 cold reads finished inside the call\n",
                  inline_done);
    img_backend_free(be);
    zv_loop_free(loop);
}

/*
 * What forget promises a device that stops a command: when it returns,
 * the kernel has finished with the memory of the transfers in flight.
 * The memory is then unmapped and a canary mapped in its place (as a
 * guest's DMA unmap and a later map can do): no byte of the canary may
 * change afterwards.  Deferred requests run in io_uring's worker threads,
 * so without the wait a read still copying would land in the canary.
 */
static void
uring_forget_waits_for_the_memory(void **state)
{
    struct fx *f = *state;
    struct zv_loop *loop = zv_loop_new_real();
    struct img_backend *be = uring_or_skip(f->fd, IMG_SYNC_WRITE_THROUGH, loop);
    const size_t len = FILE_BLOCKS * BS;
    static uint8_t w[FILE_BLOCKS * BS];
    struct done d = {0};
    struct op ops[2] = {{&d, 0}, {&d, 1}};
    int res;

    fill(w, len, 5);
    assert_int_equal(pwrite(f->fd, w, len, 0), (ssize_t)len);
    img_backend_set_defer(be, true);
    for (int round = 0; round < 20; round++) {
        uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        struct iovec v[IMG_IOV_MAX];
        int n = 0;

        assert_true(m != MAP_FAILED);
        for (size_t o = 0; o < len; o += BS)
            v[n++] = (struct iovec){m + o, BS};
        assert_int_equal(img_preadv_start(be, v, n, 0, on_done, &ops[0], &res),
                         0);
        img_backend_forget(be, &ops[0]);
        /* the read is over: its bytes are all there */
        assert_memory_equal(m, w, len);
        assert_int_equal(munmap(m, len), 0);
        uint8_t *c =
            mmap(m, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        assert_true(c == m);
        memset(c, 0xA5, len);
        /* a late copy would land now */
        zv_loop_run_once(loop, 2 * ZV_NSEC_PER_MSEC);
        for (size_t i = 0; i < len; i++)
            if (c[i] != 0xA5)
                fail_msg("round %d: byte %zu of the canary changed", round, i);
        munmap(c, len);
    }
    /* another argument's callback is kept */
    uint8_t r[BS];
    struct iovec v1 = {r, BS};
    assert_int_equal(img_preadv_start(be, &v1, 1, 0, on_done, &ops[1], &res),
                     0);
    img_backend_forget(be, &ops[0]);
    run_until_calls(loop, &d, 1);
    assert_int_equal(d.order[0], 1);
    img_backend_free(be);
    zv_loop_free(loop);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(sync_whole_buffer_io),          T(sync_async_completes_later_on_loop),
        T(uring_refuses_virtual_loop),    T(uring_sync_calls),
        T(uring_async_through_eventfd),   T(uring_async_fsync_and_eof),
        T(uring_sync_call_from_callback), T(uring_free_with_requests_in_flight),
        T(uring_backend_under_ckd_image), T(sync_started_transfers),
        T(uring_started_transfers),       T(uring_forget_waits_for_the_memory),
        T(uring_cold_read_calls_back),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
