/* SPDX-License-Identifier: MIT */
/*
 * img/backend_uring: image I/O through io_uring.  The real loop watches
 * the ring's own fd, which polls readable while completions wait in the
 * CQ ring, so callbacks run on the loop thread like every other event.
 * (An eventfd registered with the ring would not do: in its async-only
 * mode it says nothing of a buffered read the kernel finished from task
 * work after waiting for the page, and in its normal mode it fires for
 * every read the page cache had too, a wasted wake-up per I/O.)
 *
 * A request may need more than one SQE: regular files can return short
 * transfers, which are resubmitted for the rest, and with IMG_SYNC_FSYNC a
 * write is followed by a data fsync before its callback runs.
 *
 * Started transfers (img_preadv_start): a read first takes what the page
 * cache has with preadv2(RWF_NOWAIT), as cheap as the synchronous
 * backend; the rest, and every write, go to the ring, and a completion
 * that came inside the submit is reported to the caller at once.  Any
 * other completion found on the way goes to its callback through a
 * posted loop event (uring_post_done).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "img/img_priv.h"

#ifdef ZV_HAVE_URING

#include <liburing.h>

struct uring_req {
    bool write;
    bool fsyncing;
    bool waiter; /* its caller looks for it: no callback when it finishes */
    bool finished;
    uint8_t *buf;
    size_t len;
    size_t done;
    uint64_t off;
    int res;
    img_io_cb cb;
    void *arg;
    struct uring_req *next;
    /* vectored (started) transfers: iov[vi..niov) is what is left */
    int niov, vi;
    struct iovec iov[];
};

struct uring_be {
    struct img_backend be;
    struct io_uring ring;
    bool watching;
    bool batching; /* inside the ring handler: submit once at its end */
    unsigned inflight;
    struct uring_req *done_head, *done_tail;
    zv_timer_id post_id; /* uring_post_done's event, 0 = none */
    /* finished requests kept for the next ones: an I/O costs no malloc */
    struct uring_req *spare;
    unsigned nspare;
};

#define URING_SPARE_MAX 16

static struct uring_be *
to_ub(struct img_backend *be)
{
    return (struct uring_be *)be;
}

/* A request with room for IMG_IOV_MAX iovecs, zeroed but for that room. */
static struct uring_req *
uring_req_get(struct uring_be *ub)
{
    struct uring_req *req = ub->spare;

    if (req) {
        ub->spare = req->next;
        ub->nspare--;
    } else {
        req = malloc(sizeof(*req) + IMG_IOV_MAX * sizeof(req->iov[0]));
        if (!req)
            return NULL;
    }
    memset(req, 0, sizeof(*req));
    return req;
}

static void
uring_req_put(struct uring_be *ub, struct uring_req *req)
{
    if (ub->nspare >= URING_SPARE_MAX) {
        free(req);
        return;
    }
    req->next = ub->spare;
    ub->spare = req;
    ub->nspare++;
}

static int
uring_queue(struct uring_be *ub, struct uring_req *req)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ub->ring);
    int rc;

    if (!sqe) {
        /* Flush what is queued and try once more: the ring is full. */
        io_uring_submit(&ub->ring);
        sqe = io_uring_get_sqe(&ub->ring);
        if (!sqe)
            return -EBUSY;
    }
    if (req->fsyncing)
        io_uring_prep_fsync(sqe, ub->be.fd, IORING_FSYNC_DATASYNC);
    else if (req->niov && req->write)
        io_uring_prep_writev(sqe, ub->be.fd, &req->iov[req->vi],
                             (unsigned)(req->niov - req->vi),
                             req->off + req->done);
    else if (req->niov)
        io_uring_prep_readv(sqe, ub->be.fd, &req->iov[req->vi],
                            (unsigned)(req->niov - req->vi),
                            req->off + req->done);
    else if (req->write)
        io_uring_prep_write(sqe, ub->be.fd, req->buf + req->done,
                            (unsigned)(req->len - req->done),
                            req->off + req->done);
    else
        io_uring_prep_read(sqe, ub->be.fd, req->buf + req->done,
                           (unsigned)(req->len - req->done),
                           req->off + req->done);
    io_uring_sqe_set_data(sqe, req);
    if (ub->be.defer)
        io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
    ub->inflight++;
    if (ub->batching)
        return 0;
    rc = io_uring_submit(&ub->ring);
    if (rc < 0) {
        /* The SQE stays in the ring and would go out with a later submit
         * after the caller dropped req: make it an orphan no-op. */
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data(sqe, NULL);
        return rc;
    }
    return 0;
}

static void
uring_finish(struct uring_be *ub, struct uring_req *req, int res)
{
    req->res = res;
    req->finished = true;
    if (req->waiter)
        return;
    req->next = NULL;
    if (ub->done_tail)
        ub->done_tail->next = req;
    else
        ub->done_head = req;
    ub->done_tail = req;
}

static void
uring_requeue(struct uring_be *ub, struct uring_req *req)
{
    int rc = uring_queue(ub, req);

    if (rc < 0)
        uring_finish(ub, req, rc);
}

/* A short vectored transfer of n bytes: step over them. */
static void
uring_iov_advance(struct uring_req *req, size_t n)
{
    while (n && req->vi < req->niov) {
        struct iovec *v = &req->iov[req->vi];
        size_t take = n < v->iov_len ? n : v->iov_len;

        v->iov_base = (uint8_t *)v->iov_base + take;
        v->iov_len -= take;
        n -= take;
        if (v->iov_len == 0)
            req->vi++;
    }
}

/* One CQE for req: finish it, or queue its next step. */
static void
uring_complete(struct uring_be *ub, struct uring_req *req, int res)
{
    ub->inflight--;
    if (req->fsyncing) {
        uring_finish(ub, req, res < 0 ? res : (int)req->len);
    } else if (res == -EAGAIN || res == -EINTR) {
        uring_requeue(ub, req);
    } else if (res < 0) {
        uring_finish(ub, req, res);
    } else if (res == 0) {
        uring_finish(ub, req, -EIO); /* end of file inside the range */
    } else if ((req->done += (size_t)res) < req->len) {
        if (req->niov)
            uring_iov_advance(req, (size_t)res);
        uring_requeue(ub, req);
    } else if (req->write && ub->be.sync == IMG_SYNC_FSYNC) {
        req->fsyncing = true;
        uring_requeue(ub, req);
    } else {
        uring_finish(ub, req, (int)req->len);
    }
}

static void
uring_reap(struct uring_be *ub)
{
    struct io_uring_cqe *cqe;

    while (io_uring_peek_cqe(&ub->ring, &cqe) == 0) {
        struct uring_req *req = io_uring_cqe_get_data(cqe);
        int res = cqe->res;

        io_uring_cqe_seen(&ub->ring, cqe);
        if (req)
            uring_complete(ub, req, res);
        else
            ub->inflight--; /* an orphaned no-op (see uring_queue) */
    }
}

/* Runs the callbacks of finished async requests, in completion order. */
static void
uring_run_done(struct uring_be *ub)
{
    struct uring_req *req;

    while ((req = ub->done_head)) {
        ub->done_head = req->next;
        if (!ub->done_head)
            ub->done_tail = NULL;
        req->cb(req->arg, req->res);
        uring_req_put(ub, req);
    }
}

static void uring_flush(struct uring_be *ub);

static void
uring_done_fn(void *arg)
{
    struct uring_be *ub = arg;

    ub->post_id = 0;
    ub->batching = true;
    uring_run_done(ub);
    ub->batching = false;
    uring_flush(ub);
}

/* Finished requests reaped outside the ring handler (inside a submit, or
 * while a synchronous call waited) run their callbacks from a loop
 * event: the CQ ring they left is empty, so the ring fd says nothing. */
static void
uring_post_done(struct uring_be *ub)
{
    if (ub->done_head && !ub->post_id && ub->be.loop)
        ub->post_id = zv_loop_post(ub->be.loop, uring_done_fn, ub);
}

/* Submit what callbacks queued, and take the completions that came
 * inside the submit. */
static void
uring_flush(struct uring_be *ub)
{
    if (!io_uring_sq_ready(&ub->ring))
        return;
    io_uring_submit(&ub->ring);
    uring_reap(ub);
    uring_post_done(ub);
}

static void
uring_on_ring(void *arg, int fd, unsigned events)
{
    struct uring_be *ub = arg;

    /* Requests queued by callbacks (and resubmissions) go to the kernel
     * in one io_uring_submit() at the end. */
    ub->batching = true;
    uring_reap(ub);
    uring_run_done(ub);
    ub->batching = false;
    uring_flush(ub);
}

/* The synchronous calls (an ECKD track load or write-back) are plain
 * pread/pwrite: through the ring they cost a submit and a wait, and a
 * buffered write a trip through io_uring's worker thread besides.  No
 * started transfer of the same device is in flight meanwhile: its
 * command is held, so the device runs nothing else. */
static int
uring_pread(struct img_backend *be, void *buf, size_t len, uint64_t off)
{
    return img_fd_pread(be->fd, buf, len, off);
}

static int
uring_pwrite(struct img_backend *be, const void *buf, size_t len, uint64_t off)
{
    return img_fd_pwrite(be->fd, buf, len, off, be->sync);
}

static int
uring_submit(struct img_backend *be, bool write, void *buf, size_t len,
             uint64_t off, img_io_cb cb, void *arg)
{
    struct uring_be *ub = to_ub(be);
    struct uring_req *req;
    int rc;

    if (!ub->watching)
        return -EINVAL;
    req = uring_req_get(ub);
    if (!req)
        return -ENOMEM;
    req->write = write;
    req->buf = buf;
    req->len = len;
    req->off = off;
    req->cb = cb;
    req->arg = arg;
    rc = uring_queue(ub, req);
    if (rc < 0) {
        uring_req_put(ub, req);
        return rc;
    }
    if (!ub->batching) {
        uring_reap(ub);
        uring_post_done(ub);
    }
    return 0;
}

/*
 * A read first tries the page cache alone (preadv2 RWF_NOWAIT on the
 * caller's iovecs, no request made): what it had is copied at the cost of
 * a plain preadv, and only the rest (a page not there yet) goes to the
 * ring.  True when the read is over (*res 0 or -errno); false with *got
 * bytes already read.
 */
static bool
uring_read_cached(struct uring_be *ub, const struct iovec *iov, int n,
                  uint64_t off, size_t total, size_t *got, int *res)
{
    ssize_t r = preadv2(ub->be.fd, iov, n, (off_t)off, RWF_NOWAIT);

    *got = 0;
    if (r < 0) {
        if (errno == EAGAIN || errno == EOPNOTSUPP || errno == EINTR)
            return false;
        *res = -errno;
        return true;
    }
    if (r == 0 || (size_t)r == total) {
        *res = r == 0 ? -EIO : 0; /* -EIO: the file ends inside the range */
        return true;
    }
    *got = (size_t)r;
    return false;
}

static int
uring_start(struct img_backend *be, bool write, const struct iovec *iov, int n,
            size_t total, uint64_t off, img_io_cb cb, void *arg, int *res)
{
    struct uring_be *ub = to_ub(be);
    struct uring_req *req;
    size_t got = 0;

    if (!ub->watching)
        goto now; /* no loop to call back on */
    if (!write && !ub->be.defer &&
        uring_read_cached(ub, iov, n, off, total, &got, res))
        return 1;
    req = uring_req_get(ub);
    if (!req)
        goto now;
    req->write = write;
    req->len = total;
    req->off = off;
    req->niov = n;
    memcpy(req->iov, iov, (size_t)n * sizeof(req->iov[0]));
    req->done = got;
    uring_iov_advance(req, got);
    /* A waiter while we look: if it finished inside the submit it is not
     * queued for a callback. */
    req->waiter = true;
    if (uring_queue(ub, req) < 0) {
        uring_req_put(ub, req);
        goto now;
    }
    /* Deferred (tests): the caller is to see it in flight, whenever the
     * worker thread finishes it. */
    if (!ub->batching && !ub->be.defer)
        uring_reap(ub);
    if (req->finished) {
        *res = req->res < 0 ? req->res : 0;
        uring_req_put(ub, req);
        uring_post_done(ub);
        return 1;
    }
    req->waiter = false;
    req->cb = cb;
    req->arg = arg;
    uring_post_done(ub);
    return 0;

now:
    /* not queued (no loop, no memory, the ring full): the bytes move now */
    *res = img_fd_iov(be, write, iov, n, off);
    return 1;
}

/* Wait until nothing is in flight: the kernel has let go of every buffer
 * (finished requests wait on the done list). */
static void
uring_drain(struct uring_be *ub)
{
    struct io_uring_cqe *cqe;

    while (ub->inflight) {
        if (io_uring_sq_ready(&ub->ring))
            io_uring_submit(&ub->ring);
        if (io_uring_wait_cqe(&ub->ring, &cqe) < 0)
            break;
        uring_reap(ub);
    }
}

/* Everything in flight is waited for (one image, one device: waiting for
 * arg's requests alone would buy nothing), then arg's callbacks go. */
static void
uring_forget(struct img_backend *be, void *arg)
{
    struct uring_be *ub = to_ub(be);
    struct uring_req **pp = &ub->done_head, *last = NULL;

    uring_drain(ub);
    while (*pp) {
        struct uring_req *req = *pp;

        if (req->arg == arg) {
            *pp = req->next;
            uring_req_put(ub, req);
        } else {
            last = req;
            pp = &req->next;
        }
    }
    ub->done_tail = last;
    uring_post_done(ub);
}

/* In-flight requests are waited for (the kernel may still be writing into
 * their buffers); their callbacks do not run. */
static void
uring_destroy(struct img_backend *be)
{
    struct uring_be *ub = to_ub(be);
    struct uring_req *req;

    uring_drain(ub);
    while ((req = ub->done_head)) {
        ub->done_head = req->next;
        free(req);
    }
    while ((req = ub->spare)) {
        ub->spare = req->next;
        free(req);
    }
    if (ub->post_id)
        zv_loop_cancel(ub->be.loop, ub->post_id);
    if (ub->watching)
        zv_loop_unwatch_fd(ub->be.loop, ub->ring.ring_fd);
    io_uring_queue_exit(&ub->ring);
    free(ub);
}

static const struct img_backend_ops uring_ops = {
    .pread = uring_pread,
    .pwrite = uring_pwrite,
    .submit = uring_submit,
    .start = uring_start,
    .forget = uring_forget,
    .destroy = uring_destroy,
};

static int
uring_setup(struct uring_be *ub, unsigned depth)
{
    int rc = io_uring_queue_init(depth ? depth : 64, &ub->ring, 0);

    if (rc < 0)
        return rc;
    if (ub->be.loop) {
        rc = zv_loop_watch_fd(ub->be.loop, ub->ring.ring_fd, ZV_LOOP_IN,
                              uring_on_ring, ub);
        if (rc < 0) {
            io_uring_queue_exit(&ub->ring);
            return rc;
        }
        ub->watching = true;
    }
    return 0;
}

struct img_backend *
img_backend_uring(int fd, enum img_sync sync, struct zv_loop *loop,
                  unsigned depth)
{
    struct uring_be *ub = calloc(1, sizeof(*ub));
    int rc;

    if (!ub) {
        errno = ENOMEM;
        return NULL;
    }
    ub->be = (struct img_backend){
        .ops = &uring_ops, .fd = fd, .sync = sync, .loop = loop};
    rc = uring_setup(ub, depth);
    if (rc < 0) {
        free(ub);
        errno = -rc;
        return NULL;
    }
    return &ub->be;
}

#else /* !ZV_HAVE_URING */

struct img_backend *
img_backend_uring(int fd, enum img_sync sync, struct zv_loop *loop,
                  unsigned depth)
{
    errno = ENOTSUP; /* built without liburing */
    return NULL;
}

#endif
