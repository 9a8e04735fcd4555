/* SPDX-License-Identifier: MIT */
/*
 * vfu/server: connection handling, framing and fd ownership.  The
 * commands themselves are in server_cmd.c.
 *
 * Framing: one recvmsg takes whatever the socket holds (up to the buffer,
 * which fits the largest message), so a request usually costs one read
 * for its header and payload.  fds: the kernel hands the fds of a
 * sendmsg over with the first bytes of that sendmsg and ends the read
 * right after the piece that carried them, so the fds of a read belong to
 * the message that holds the read's last byte.  For a client that sends
 * each message with one sendmsg (the protocol's way) that is the message
 * they came with; one that packs several messages into one sendmsg with
 * fds gets them on the last message that starts in the read.  Either way
 * each fd goes to exactly one message and is closed exactly once.  One
 * reply is in flight at a time: while it cannot be sent whole the server
 * stops reading, so a client that never reads its replies costs one
 * buffer, not a queue.
 */
#include "vfu/server_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"

/* Messages served per wakeup: pipelined messages that one read brought
 * are served in bursts, the rest from a posted event, so that one client
 * cannot hold the loop (other devices, the control socket) for long. */
#define SRV_BURST 8

static void srv_conn_io(void *arg, int fd, unsigned events);
static void srv_listen_again(struct zv_vfu_server *s);

static void
srv_close_fds(struct vfu_conn *c)
{
    for (size_t i = 0; i < c->nfds; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    c->nfds = 0;
    c->fd_overflow = false;
}

/* The fds received for messages not dispatched yet (hang-up). */
static void
srv_close_pending(struct vfu_conn *c)
{
    for (unsigned k = 0; k < c->npend; k++)
        for (size_t i = 0; i < c->pend[k].n; i++)
            close(c->pend[k].fds[i]);
    c->npend = 0;
}

static void
srv_release_dma(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    /* The vdev first (its dma_unmap hook stops every use of the range),
     * then the pages. */
    for (size_t i = 0; i < c->ndma; i++) {
        zv_vdev_dma_unmap(s->vd, c->dma[i].iova, c->dma[i].len);
        munmap(c->dma[i].host, c->dma[i].len);
    }
    c->ndma = 0;
}

void
vfu_srv_drop(struct zv_vfu_server *s, const char *why)
{
    struct vfu_conn *c = &s->conn;

    if (c->fd < 0)
        return;
    zv_log(ZV_LOG_DEBUG, "vfu: client dropped: %s", why);
    if (c->open_timer)
        zv_loop_cancel(s->loop, c->open_timer);
    if (c->rx_more)
        zv_loop_cancel(s->loop, c->rx_more);
    if (c->tx_later)
        zv_loop_cancel(s->loop, c->tx_later);
    zv_loop_unwatch_fd(s->loop, c->fd);
    close(c->fd);
    srv_close_fds(c);
    srv_close_pending(c);
    /* Quiesce before the memory goes: close terminates I/O in flight and
     * drops the IRQ eventfds. */
    if (c->opened)
        zv_vdev_close(s->vd);
    srv_release_dma(s);
    *c = (struct vfu_conn){.fd = -1, .dma = c->dma, .dma_cap = c->dma_cap};
    srv_listen_again(s);
}

/* ---- output ---------------------------------------------------------- */

int
vfu_srv_watch(struct zv_vfu_server *s, unsigned events)
{
    return zv_loop_watch_fd(s->loop, s->conn.fd, events, srv_conn_io, s);
}

static void
srv_flush(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, s->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->out_blocked = true;
            if (vfu_srv_watch(s, ZV_LOOP_OUT) < 0) {
                s->stats.disconnects++;
                vfu_srv_drop(s, "cannot watch for output");
            }
            return;
        }
        if (n <= 0) {
            s->stats.disconnects++;
            vfu_srv_drop(s, "send failed");
            return;
        }
        c->out_off += (size_t)n;
    }
    c->out_len = c->out_off = 0;
    c->out_blocked = false;
}

/* A reply is queued at out: send it now unless it is corked (more
 * buffered messages are being served; srv_serve sends them together) or
 * held back (srv_flush_later). */
static void
srv_push(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    if (c->tx_later || c->out_blocked)
        return;
    if (c->cork && c->out_len <= VFU_SRV_CORK_ROOM)
        return;
    srv_flush(s);
}

static void srv_serve_from(struct zv_vfu_server *s, bool may_read);

/* Turns a held-back reply waits at most for the loop's due work: a zero
 * latency read is a handful of posted events; the loop's other work
 * (other devices) or a write that starts nothing does not hold the reply
 * for long. */
#define SRV_DEFER_TURNS 8

/* Hold the reply back one more turn? */
static bool
srv_hold(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    return c->tx_turns++ < SRV_DEFER_TURNS &&
           zv_vdev_signals(s->vd) == c->tx_signals && zv_loop_due(s->loop);
}

static void
srv_flush_later(void *arg)
{
    struct zv_vfu_server *s = arg;
    struct vfu_conn *c = &s->conn;

    c->tx_later = 0;
    if (srv_hold(s)) {
        c->tx_later = zv_loop_post(s->loop, srv_flush_later, s);
        if (c->tx_later)
            return;
    }
    c->tx_turns = 0;
    /* Messages already buffered are served now and their replies leave
     * with this one (srv_serve_from sends what is queued, also when
     * nothing was buffered); the socket itself is level-triggered, so one
     * that is still to come wakes the loop (a read here would mostly find
     * nothing: a syscall for EAGAIN). */
    srv_serve_from(s, false);
}

bool
vfu_srv_read_follows(const struct zv_vfu_server *s)
{
    const struct vfu_conn *c = &s->conn;
    struct vfu_hdr h;

    if (c->rx_len < (size_t)c->h.size + ZV_VFU_HDR_SIZE ||
        vfu_hdr_decode(s->in + c->rx_off + c->h.size, &h) < 0)
        return false;
    return h.cmd == ZV_VFU_CMD_REGION_READ && !vfu_hdr_is_reply(&h);
}

bool
vfu_srv_busy(const struct zv_vfu_server *s)
{
    const struct vfu_conn *c = &s->conn;

    return c->out_blocked || (c->out_len > 0 && !c->cork) || c->open_timer ||
           c->tx_later;
}

void
vfu_srv_reply(struct zv_vfu_server *s, const struct vfu_hdr *req,
              size_t payload)
{
    struct vfu_hdr h = {
        .id = req->id,
        .cmd = req->cmd,
        .size = (uint32_t)(ZV_VFU_HDR_SIZE + payload),
        .flags = ZV_VFU_F_TYPE_REPLY,
    };

    /* The command is done with its fds: a client that has the reply
     * finds them closed. */
    srv_close_fds(&s->conn);
    if (req->flags & ZV_VFU_F_NO_REPLY)
        return;
    vfu_hdr_encode(s->out + s->conn.out_len, &h);
    s->conn.out_len += h.size;
    s->conn.tx_turns = 0;
    s->conn.tx_signals = zv_vdev_signals(s->vd);
    if (s->conn.defer && srv_hold(s)) {
        s->conn.tx_later = zv_loop_post(s->loop, srv_flush_later, s);
        if (s->conn.tx_later)
            return;
    }
    srv_push(s);
}

void
vfu_srv_reply_err(struct zv_vfu_server *s, const struct vfu_hdr *req, int err)
{
    struct vfu_hdr h = {
        .id = req->id,
        .cmd = req->cmd,
        .size = ZV_VFU_HDR_SIZE,
        .flags = ZV_VFU_F_TYPE_REPLY | ZV_VFU_F_ERROR,
        .error = (uint32_t)(err < 0 ? -err : err),
    };

    s->stats.errors++;
    srv_close_fds(&s->conn);
    if (req->flags & ZV_VFU_F_NO_REPLY)
        return;
    vfu_hdr_encode(s->out + s->conn.out_len, &h);
    s->conn.out_len += h.size;
    srv_push(s);
}

/* ---- input ----------------------------------------------------------- */

/* Add fd to set, or close it when the set is full (the message is then
 * refused). */
static void
srv_fdset_add(struct vfu_fdset *set, int fd)
{
    if (set->n < VFU_SRV_MAX_FDS) {
        set->fds[set->n++] = fd;
    } else {
        close(fd);
        set->overflow = true;
    }
}

static void
srv_take_fds(struct vfu_fdset *set, struct msghdr *mh)
{
    struct cmsghdr *cm;

    if (mh->msg_flags & MSG_CTRUNC)
        set->overflow = true; /* the kernel closed what did not fit */
    for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        size_t n;
        int fd;

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            srv_fdset_add(set, fd);
        }
    }
}

/* Read up to len bytes into buf, collecting fds into set.  >0 bytes, 0 on
 * EOF, -EAGAIN, or -errno. */
static ssize_t
srv_recv(struct vfu_conn *c, uint8_t *buf, size_t len, struct vfu_fdset *set)
{
    /* Room for as many fds as one message can carry (the kernel's
     * SCM_MAX_FD), so none is ever left to the truncation path: extras
     * are closed here (srv_take_fds).  qemu-user, our big-endian test
     * bed, leaks the fds it truncates itself. */
    union {
        char b[CMSG_SPACE(sizeof(int) * VFU_SRV_RECV_FDS)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.b,
                        .msg_controllen = sizeof(ctl.b)};
    ssize_t n;

    do {
        n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    srv_take_fds(set, &mh);
    return n;
}

/* Stream offset of the message that holds stream byte last: walk the
 * headers from the first buffered message (a header that is not whole,
 * or not valid, ends the walk: that message holds the rest). */
static uint64_t
srv_msg_of(struct zv_vfu_server *s, uint64_t last)
{
    struct vfu_conn *c = &s->conn;
    uint64_t start = c->rx_pos;
    struct vfu_hdr h;

    for (;;) {
        size_t off = c->rx_off + (size_t)(start - c->rx_pos);

        if (start + ZV_VFU_HDR_SIZE > c->rx_pos + c->rx_len ||
            vfu_hdr_decode(s->in + off, &h) < 0 || start + h.size > last)
            return start;
        start += h.size;
    }
}

/* Give the fds of a read to their message (see the top of the file). */
static void
srv_pend_fds(struct zv_vfu_server *s, struct vfu_fdset *got)
{
    struct vfu_conn *c = &s->conn;
    uint64_t owner = srv_msg_of(s, c->rx_pos + c->rx_len - 1);
    struct vfu_fdset *set = c->npend ? &c->pend[c->npend - 1] : NULL;

    if (!got->n && !got->overflow)
        return;
    if (!set || set->owner != owner) {
        /* Cannot happen (two owners at most, see vfu_conn); refuse the
         * fds rather than give them to the wrong message. */
        if (c->npend == 2) {
            for (size_t i = 0; i < got->n; i++)
                close(got->fds[i]);
            return;
        }
        set = &c->pend[c->npend++];
        *set = (struct vfu_fdset){.owner = owner};
    }
    for (size_t i = 0; i < got->n; i++)
        srv_fdset_add(set, got->fds[i]);
    set->overflow |= got->overflow;
}

/* One read into the buffer.  1: bytes came; 0: none yet; -1: dropped. */
static int
srv_fill(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;
    struct vfu_fdset got = {.n = 0};
    ssize_t n;

    if (c->rx_off) {
        memmove(s->in, s->in + c->rx_off, c->rx_len);
        c->rx_off = 0;
    }
    n = srv_recv(c, s->in + c->rx_len, VFU_SRV_MAX_MSG - c->rx_len, &got);
    if (n > 0) {
        c->rx_len += (size_t)n;
        srv_pend_fds(s, &got);
        return 1;
    }
    for (size_t i = 0; i < got.n; i++)
        close(got.fds[i]);
    if (n == -EAGAIN)
        return 0;
    vfu_srv_drop(
        s, n == 0 ? (c->rx_len ? "end of stream in a message" : "end of stream")
                  : "receive failed");
    return -1;
}

/* The header is complete: check what the framing needs.  false: the
 * connection was dropped. */
static bool
srv_header(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    if (vfu_hdr_decode(s->in + c->rx_off, &c->h) < 0 ||
        c->h.size > VFU_SRV_MAX_MSG) {
        /* The stream cannot be resynchronised: say why, then hang up.
         * The reply goes out best effort (the socket is non-blocking). */
        c->h.flags &= ~ZV_VFU_F_NO_REPLY;
        vfu_srv_reply_err(s, &c->h, EINVAL);
        if (c->out_len && !c->out_blocked)
            srv_flush(s);
        s->stats.disconnects++;
        if (c->fd >= 0)
            vfu_srv_drop(s, "message size out of range");
        return false;
    }
    return true;
}

/* Is a whole message at the front of the buffer?  1: yes (header in
 * c->h); 0: not yet; -1: the connection was dropped. */
static int
srv_front(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;

    if (c->rx_len < ZV_VFU_HDR_SIZE)
        return 0;
    if (!srv_header(s))
        return -1;
    return c->rx_len >= c->h.size;
}

/* Dispatch the message at the front with its fds, then consume it. */
static void
srv_dispatch_front(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;
    uint32_t size = c->h.size;

    if (c->npend && c->pend[0].owner == c->rx_pos) {
        memcpy(c->fds, c->pend[0].fds, c->pend[0].n * sizeof(int));
        c->nfds = c->pend[0].n;
        c->fd_overflow = c->pend[0].overflow;
        c->pend[0] = c->pend[1];
        c->npend--;
    }
    vfu_srv_dispatch(s, &c->h, s->in + c->rx_off + ZV_VFU_HDR_SIZE,
                     size - ZV_VFU_HDR_SIZE);
    /* Whatever the command did not hand on is closed now. */
    srv_close_fds(c);
    if (c->fd < 0)
        return; /* dropped: the connection state is gone */
    c->rx_off += size;
    c->rx_len -= size;
    c->rx_pos += size;
    if (!c->rx_len)
        c->rx_off = 0;
}

static void srv_more(void *arg);

/* Serve the buffered messages; read the socket once when none is whole
 * if may_read. */
static void
srv_serve_from(struct zv_vfu_server *s, bool may_read)
{
    struct vfu_conn *c = &s->conn;
    bool have_read = !may_read, corked = c->cork;
    unsigned served = 0;

    /* the replies to the messages served here leave together */
    c->cork = true;
    while (c->fd >= 0 && !vfu_srv_busy(s)) {
        int rc = srv_front(s);

        if (rc < 0)
            break;
        if (rc == 0) {
            if (have_read)
                break;
            /* what is queued goes before we read on */
            if (c->out_len)
                srv_flush(s);
            if (c->fd < 0 || c->out_blocked || srv_fill(s) <= 0)
                break;
            have_read = true;
            continue;
        }
        if (served++ == SRV_BURST) {
            if (!c->rx_more)
                c->rx_more = zv_loop_post(s->loop, srv_more, s);
            if (c->rx_more)
                break;
            served = 0; /* cannot post: serve on rather than stall */
        }
        srv_dispatch_front(s);
    }
    if (c->fd < 0)
        return;
    c->cork = corked;
    if (!corked && c->out_len && !c->tx_later && !c->out_blocked)
        srv_flush(s);
}

static void
srv_serve(struct zv_vfu_server *s)
{
    srv_serve_from(s, true);
}

static void
srv_more(void *arg)
{
    struct zv_vfu_server *s = arg;

    s->conn.rx_more = 0;
    srv_serve(s);
}

static void
srv_conn_io(void *arg, int fd, unsigned events)
{
    struct zv_vfu_server *s = arg;
    struct vfu_conn *c = &s->conn;

    if (fd != c->fd)
        return; /* stale event for a closed connection's number */
    if (c->out_blocked) {
        if (!(events & (ZV_LOOP_OUT | ZV_LOOP_ERR)))
            return;
        srv_flush(s);
        if (c->fd < 0 || c->out_len)
            return;
        if (vfu_srv_watch(s, ZV_LOOP_IN) < 0) {
            s->stats.disconnects++;
            vfu_srv_drop(s, "cannot watch for input");
            return;
        }
    }
    if (c->open_timer) {
        /* Waiting for the device: only a hang-up is of interest. */
        if (events & ZV_LOOP_ERR)
            vfu_srv_drop(s, "hang-up while opening");
        return;
    }
    srv_serve(s);
}

/* After a deferred reply (VERSION waiting for the device): read on. */
void
vfu_srv_resume(struct zv_vfu_server *s)
{
    if (s->conn.fd < 0 || s->conn.out_len)
        return;
    if (vfu_srv_watch(s, ZV_LOOP_IN) < 0) {
        s->stats.disconnects++;
        vfu_srv_drop(s, "cannot watch for input");
        return;
    }
    srv_serve(s);
}

/* ---- connections ----------------------------------------------------- */

int
zv_vfu_server_attach(struct zv_vfu_server *s, int fd)
{
    int rc, fl;

    if (s->conn.fd >= 0) {
        close(fd);
        s->stats.rejected++;
        return -EBUSY;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    s->conn.fd = fd;
    rc = vfu_srv_watch(s, ZV_LOOP_IN);
    if (rc < 0) {
        s->conn.fd = -1;
        close(fd);
        return rc;
    }
    s->stats.clients++;
    if (s->lfd >= 0)
        zv_loop_unwatch_fd(s->loop, s->lfd); /* the backlog holds the next */
    return 0;
}

static void
srv_accept(void *arg, int lfd, unsigned events)
{
    struct zv_vfu_server *s = arg;
    int fd;

    if (s->conn.fd >= 0)
        return; /* not watched while a client is attached */
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return; /* EAGAIN, ECONNABORTED, EMFILE: try at the next event */
    zv_vfu_server_attach(s, fd);
}

/* Take the next client from the backlog once the current one is gone. */
static void
srv_listen_again(struct zv_vfu_server *s)
{
    if (s->lfd >= 0 && s->conn.fd < 0 &&
        zv_loop_watch_fd(s->loop, s->lfd, ZV_LOOP_IN, srv_accept, s) < 0)
        zv_log(ZV_LOG_ERR, "vfu: cannot listen again on %s", s->path);
}

static int
srv_listen(struct zv_vfu_server *s, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int rc;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->lfd < 0)
        return -errno;
    if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -errno;
    s->path = strdup(path);
    if (!s->path)
        return -ENOMEM;
    if (listen(s->lfd, 4) < 0)
        return -errno;
    rc = zv_loop_watch_fd(s->loop, s->lfd, ZV_LOOP_IN, srv_accept, s);
    return rc;
}

int
zv_vfu_server_new(struct zv_loop *loop, struct zv_vdev *vd, const char *path,
                  struct zv_vfu_server **out)
{
    struct zv_vfu_server *s = calloc(1, sizeof(*s));
    int rc = -ENOMEM;

    if (!s)
        return -ENOMEM;
    s->loop = loop;
    s->vd = vd;
    s->lfd = -1;
    s->conn.fd = -1;
    zv_vdev_get(vd);
    s->in = malloc(VFU_SRV_MAX_MSG);
    s->out = malloc(VFU_SRV_OUT_CAP);
    if (!s->in || !s->out)
        goto err_free;
    if (path) {
        rc = srv_listen(s, path);
        if (rc < 0)
            goto err_free;
    }
    *out = s;
    return 0;

err_free:
    zv_vfu_server_free(s);
    return rc;
}

void
zv_vfu_server_free(struct zv_vfu_server *s)
{
    if (!s)
        return;
    vfu_srv_drop(s, "server freed");
    if (s->lfd >= 0) {
        zv_loop_unwatch_fd(s->loop, s->lfd);
        close(s->lfd);
    }
    if (s->path)
        unlink(s->path);
    free(s->path);
    free(s->conn.dma);
    free(s->in);
    free(s->out);
    zv_vdev_put(s->vd);
    free(s);
}

bool
zv_vfu_server_connected(const struct zv_vfu_server *s)
{
    return s->conn.fd >= 0;
}

void
zv_vfu_server_stats(const struct zv_vfu_server *s,
                    struct zv_vfu_server_stats *st)
{
    *st = s->stats;
    st->dma_maps = (uint32_t)s->conn.ndma;
}
