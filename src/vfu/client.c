/* SPDX-License-Identifier: MIT */
/*
 * vfu/client: the vfio-user client library (include/zvfio/client.h).
 *
 * A request is one sendmsg (header, payload and any fds); its reply is
 * read as a header and then exactly the announced payload.  A reply that
 * does not match the request (id, command, type) or announces more than
 * the request allows means the stream is no longer understood: the
 * handle goes dead rather than guess.
 */
#include "zvfio/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vfio/uapi.h"
#include "vfu/msg.h"

#define CLIENT_DEFAULT_TIMEOUT_MS 10000
#define CLIENT_MAX_FDS            8
/* the largest reply we accept: a REGION_READ of max_data_xfer_size */
#define CLIENT_MAX_REPLY                                                       \
    (ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE +                                 \
     ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE)

struct zv_vfu_client {
    int fd;
    bool dead;
    unsigned spin_ns; /* poll for a reply this long before sleeping */
    int timeout_ms;   /* for a reply; -1: forever */
    uint16_t next_id;
    struct vfu_caps caps; /* the server's */
    uint8_t *buf;         /* requests and replies, CLIENT_MAX_REPLY bytes */
};

struct client_req {
    uint16_t cmd;
    const uint8_t *payload; /* in c->buf + 16 when NULL */
    size_t len;
    const int *fds;
    size_t nfds;
};

static int
client_fail(struct zv_vfu_client *c, int rc)
{
    c->dead = true;
    return rc;
}

/* All of mh (total bytes); any fds go with the first part. */
static int
client_sendmsg(struct zv_vfu_client *c, struct msghdr *mhp, size_t total)
{
    struct msghdr mh = *mhp;
    size_t sent = 0;
    ssize_t n;

    while (sent < total) {
        n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return client_fail(c, n < 0 ? -errno : -EPIPE);
        sent += (size_t)n;
        /* a short send: the rest goes without the fds, which went */
        mh.msg_control = NULL;
        mh.msg_controllen = 0;
        while (mh.msg_iovlen && (size_t)n >= mh.msg_iov[0].iov_len) {
            n -= (ssize_t)mh.msg_iov[0].iov_len;
            mh.msg_iov++;
            mh.msg_iovlen--;
        }
        if (mh.msg_iovlen) {
            mh.msg_iov[0].iov_base = (uint8_t *)mh.msg_iov[0].iov_base + n;
            mh.msg_iov[0].iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int
client_send(struct zv_vfu_client *c, const struct client_req *r, uint16_t id)
{
    union {
        char b[CMSG_SPACE(sizeof(int) * CLIENT_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct vfu_hdr h = {.id = id,
                        .cmd = r->cmd,
                        .size = (uint32_t)(ZV_VFU_HDR_SIZE + r->len),
                        .flags = ZV_VFU_F_TYPE_COMMAND};
    uint8_t hdr[ZV_VFU_HDR_SIZE];
    struct iovec iov[2] = {{hdr, sizeof(hdr)},
                           {(void *)(uintptr_t)r->payload, r->len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = r->len ? 2 : 1};
    size_t total = h.size;

    vfu_hdr_encode(hdr, &h);
    if (r->nfds) {
        struct cmsghdr *cm;

        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.b;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * r->nfds);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * r->nfds);
        memcpy(CMSG_DATA(cm), r->fds, sizeof(int) * r->nfds);
    }
    return client_sendmsg(c, &mh, total);
}

static int
client_send_bytes(struct zv_vfu_client *c, const void *buf, size_t len)
{
    struct iovec iov = {(void *)(uintptr_t)buf, len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

    return client_sendmsg(c, &mh, len);
}

/* Close any fds the server sent: it never should. */
static void
client_close_fds(struct msghdr *mh)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
             i++) {
            int fd;

            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
            close(fd);
        }
    }
}

static uint64_t
client_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * recvmsg, first trying without sleeping for spin_ns (set_spin).  The
 * sleep is a poll for POLLIN, not a blocking recvmsg: a reader asleep in
 * recvmsg on a UNIX stream socket is woken by every wake-up of its
 * socket's wait queue, and the server's reading of our request is one (it
 * frees our bytes, which reports write space to our socket).  That woke
 * this thread once more per call for nothing; poll's wait entry looks at
 * the events and sleeps on.
 */
static ssize_t
client_recvmsg(struct zv_vfu_client *c, struct msghdr *mh)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    ssize_t n;

    if (c->spin_ns) {
        uint64_t end = client_now_ns() + c->spin_ns;

        do {
            n = recvmsg(c->fd, mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
            if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                return n;
        } while (client_now_ns() < end);
    }
    for (;;) {
        int rc = poll(&p, 1, c->timeout_ms);

        if (rc == 0) {
            errno = EAGAIN;
            return -1;
        }
        if (rc < 0)
            return -1;
        n = recvmsg(c->fd, mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
    }
}

/* At least min and at most max bytes.  The server sends nothing but the
 * reply to our one outstanding request, so reading ahead up to the
 * largest reply we accept cannot take bytes of another message. */
static ssize_t
client_recv(struct zv_vfu_client *c, uint8_t *buf, size_t min, size_t max)
{
    size_t got = 0;

    while (got < min) {
        union {
            char b[CMSG_SPACE(sizeof(int) * CLIENT_MAX_FDS)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {buf + got, max - got};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.b,
                            .msg_controllen = sizeof(ctl.b)};
        ssize_t n = client_recvmsg(c, &mh);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return client_fail(c, errno == EAGAIN ? -ETIMEDOUT : -errno);
        if (n == 0)
            return client_fail(c, -ECONNRESET);
        client_close_fds(&mh);
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/*
 * Send r and read its reply's payload into c->buf + 16 (at most max
 * bytes).  Returns the payload length or -errno.
 */
static ssize_t
client_call(struct zv_vfu_client *c, const struct client_req *r, size_t max)
{
    uint16_t id = c->next_id++;
    struct vfu_hdr h;
    ssize_t got;
    int rc;

    if (c->dead)
        return -ENOTCONN;
    rc = client_send(c, r, id);
    if (rc < 0)
        return rc;
    got = client_recv(c, c->buf, ZV_VFU_HDR_SIZE, ZV_VFU_HDR_SIZE + max);
    if (got < 0)
        return got;
    if (vfu_hdr_decode(c->buf, &h) < 0 || !vfu_hdr_is_reply(&h) || h.id != id ||
        h.cmd != r->cmd || h.size - ZV_VFU_HDR_SIZE > max ||
        (size_t)got > h.size)
        return client_fail(c, -EPROTO);
    if ((size_t)got < h.size) {
        got = client_recv(c, c->buf + got, h.size - (size_t)got,
                          h.size - (size_t)got);
        if (got < 0)
            return got;
    }
    if (h.flags & ZV_VFU_F_ERROR)
        return h.error && h.error < 4096 ? -(int)h.error : -EIO;
    return (ssize_t)(h.size - ZV_VFU_HDR_SIZE);
}

static uint8_t *
client_payload(struct zv_vfu_client *c)
{
    return c->buf + ZV_VFU_HDR_SIZE;
}

/* ---- connection ------------------------------------------------------- */

static int
client_negotiate(struct zv_vfu_client *c)
{
    struct vfu_caps ours = {.max_msg_fds = CLIENT_MAX_FDS,
                            .max_data_xfer_size =
                                ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE,
                            .max_dma_maps = ZV_VFU_DEFAULT_MAX_DMA_MAPS,
                            .pgsizes = 4096};
    uint8_t req[256];
    char json[200];
    struct vfu_version v = {.major = ZV_VFU_VERSION_MAJOR,
                            .minor = ZV_VFU_VERSION_MINOR,
                            .json = json};
    struct client_req r = {.cmd = ZV_VFU_CMD_VERSION, .payload = req};
    ssize_t n;
    int len;

    if (vfu_caps_format(&ours, json, sizeof(json)) < 0)
        return -EINVAL;
    len = vfu_version_encode(req, sizeof(req), &v);
    if (len < 0)
        return len;
    r.len = (size_t)len;
    n = client_call(c, &r, 4096);
    if (n < 0)
        return (int)n;
    if (vfu_version_decode(client_payload(c), (size_t)n, &v) < 0 ||
        v.major != ZV_VFU_VERSION_MAJOR || v.minor > ZV_VFU_VERSION_MINOR)
        return client_fail(c, -EPROTO);
    vfu_caps_default(&c->caps);
    if (v.json && vfu_caps_parse(v.json, &c->caps) < 0)
        return client_fail(c, -EPROTO);
    return 0;
}

int
zv_vfu_client_from_fd(int fd, struct zv_vfu_client **out)
{
    struct zv_vfu_client *c = calloc(1, sizeof(*c));
    int rc;

    if (!c || !(c->buf = malloc(CLIENT_MAX_REPLY))) {
        free(c);
        close(fd);
        return -ENOMEM;
    }
    c->fd = fd;
    c->next_id = 1;
    rc = zv_vfu_client_set_timeout(c, CLIENT_DEFAULT_TIMEOUT_MS);
    if (rc == 0)
        rc = client_negotiate(c);
    if (rc < 0) {
        zv_vfu_client_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int
zv_vfu_client_connect(const char *path, struct zv_vfu_client **out)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return zv_vfu_client_from_fd(fd, out);
}

void
zv_vfu_client_close(struct zv_vfu_client *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->buf);
    free(c);
}

int
zv_vfu_client_set_spin(struct zv_vfu_client *c, unsigned usec)
{
    if (usec > 1000)
        return -EINVAL;
    c->spin_ns = usec * 1000u;
    return 0;
}

int
zv_vfu_client_set_timeout(struct zv_vfu_client *c, unsigned msec)
{
    struct timeval tv = {.tv_sec = msec / 1000,
                         .tv_usec = (suseconds_t)(msec % 1000) * 1000};

    if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
        return -errno;
    c->timeout_ms = msec ? (int)msec : -1;
    return 0;
}

void
zv_vfu_client_caps(const struct zv_vfu_client *c, struct zv_vfu_caps *caps)
{
    caps->max_msg_fds = c->caps.max_msg_fds;
    caps->max_data_xfer_size = c->caps.max_data_xfer_size;
    caps->max_dma_maps = c->caps.max_dma_maps;
    caps->pgsizes = c->caps.pgsizes;
}

/* ---- device ----------------------------------------------------------- */

int
zv_vfu_client_device_info(struct zv_vfu_client *c,
                          struct zv_vfu_device_info *info)
{
    uint8_t req[ZV_VFU_DEVICE_INFO_SIZE];
    struct vfu_device_info d = {.argsz = ZV_VFU_DEVICE_INFO_SIZE};
    struct client_req r = {
        .cmd = ZV_VFU_CMD_DEVICE_GET_INFO, .payload = req, .len = sizeof(req)};
    ssize_t n;

    vfu_device_info_encode(req, &d);
    n = client_call(c, &r, ZV_VFU_DEVICE_INFO_SIZE);
    if (n < 0)
        return (int)n;
    if (vfu_device_info_decode(client_payload(c), (size_t)n, &d) < 0)
        return client_fail(c, -EPROTO);
    info->flags = d.flags;
    info->num_regions = d.num_regions;
    info->num_irqs = d.num_irqs;
    return 0;
}

int
zv_vfu_client_region_info(struct zv_vfu_client *c, unsigned index,
                          struct zv_vfu_region_info *info, void *caps,
                          size_t caps_size)
{
    uint8_t req[ZV_VFU_REGION_INFO_SIZE];
    struct vfu_region_info ri = {
        .argsz = (uint32_t)(ZV_VFU_REGION_INFO_SIZE +
                            (caps_size < 65536 ? caps_size : 65536)),
        .index = index};
    struct client_req r = {.cmd = ZV_VFU_CMD_DEVICE_GET_REGION_INFO,
                           .payload = req,
                           .len = sizeof(req)};
    ssize_t n;

    vfu_region_info_encode(req, &ri);
    n = client_call(c, &r, ri.argsz);
    if (n < 0)
        return (int)n;
    if (vfu_region_info_decode(client_payload(c), (size_t)n, false, &ri) < 0)
        return client_fail(c, -EPROTO);
    info->index = ri.index;
    info->flags = ri.flags;
    info->size = ri.size;
    info->cap_len = ri.argsz - ZV_VFU_REGION_INFO_SIZE;
    if (ri.cap_offset == ZV_VFU_REGION_INFO_SIZE && caps)
        memcpy(caps, client_payload(c) + ZV_VFU_REGION_INFO_SIZE,
               (size_t)n - ZV_VFU_REGION_INFO_SIZE);
    return 0;
}

int
zv_vfu_caps_find_type(const void *caps, size_t cap_len, uint32_t *type,
                      uint32_t *subtype)
{
    const uint8_t *p = caps;
    uint32_t off = ZV_VFU_REGION_INFO_SIZE;

    /* offsets count from the region info; each must move forward, so a
     * looping chain ends */
    for (unsigned hops = 0; off && hops < 64; hops++) {
        size_t at = off - ZV_VFU_REGION_INFO_SIZE;
        uint32_t next;

        if (off < ZV_VFU_REGION_INFO_SIZE || at + ZV_VFU_CAP_HDR_SIZE > cap_len)
            return -EINVAL;
        next = vfu_le32(p + at + ZV_VFU_CAP_OFF_NEXT);
        if (vfu_le16(p + at + ZV_VFU_CAP_OFF_ID) ==
            ZV_VFIO_REGION_INFO_CAP_TYPE) {
            if (at + ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE > cap_len)
                return -EINVAL;
            *type = vfu_le32(p + at + 8);
            *subtype = vfu_le32(p + at + 12);
            return 0;
        }
        if (next && next <= off)
            return -EINVAL;
        off = next;
    }
    return -ENOENT;
}

int
zv_vfu_client_irq_info(struct zv_vfu_client *c, unsigned index,
                       struct zv_vfu_irq_info *info)
{
    uint8_t req[ZV_VFU_IRQ_INFO_SIZE];
    struct vfu_irq_info ii = {.argsz = ZV_VFU_IRQ_INFO_SIZE, .index = index};
    struct client_req r = {.cmd = ZV_VFU_CMD_DEVICE_GET_IRQ_INFO,
                           .payload = req,
                           .len = sizeof(req)};
    ssize_t n;

    vfu_irq_info_encode(req, &ii);
    n = client_call(c, &r, ZV_VFU_IRQ_INFO_SIZE);
    if (n < 0)
        return (int)n;
    if (vfu_irq_info_decode(client_payload(c), (size_t)n, &ii) < 0)
        return client_fail(c, -EPROTO);
    info->index = ii.index;
    info->flags = ii.flags;
    info->count = ii.count;
    return 0;
}

int
zv_vfu_client_set_irq_eventfd(struct zv_vfu_client *c, unsigned index, int fd)
{
    uint8_t req[ZV_VFU_IRQ_SET_SIZE];
    struct vfu_irq_set is = {.argsz = ZV_VFU_IRQ_SET_SIZE,
                             .flags = ZV_VFIO_IRQ_SET_DATA_EVENTFD |
                                      ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                             .index = index,
                             .count = 1};
    struct client_req r = {.cmd = ZV_VFU_CMD_DEVICE_SET_IRQS,
                           .payload = req,
                           .len = sizeof(req),
                           .fds = &fd,
                           .nfds = fd >= 0};
    ssize_t n;

    vfu_irq_set_encode(req, &is);
    n = client_call(c, &r, 0);
    return n < 0 ? (int)n : 0;
}

/* ---- DMA -------------------------------------------------------------- */

int
zv_vfu_client_dma_map(struct zv_vfu_client *c, int fd, uint64_t offset,
                      uint64_t iova, uint64_t size, unsigned prot)
{
    uint8_t req[ZV_VFU_DMA_MAP_SIZE];
    struct vfu_dma_map m = {.argsz = ZV_VFU_DMA_MAP_SIZE,
                            .flags = prot,
                            .offset = offset,
                            .addr = iova,
                            .size = size};
    struct client_req r = {.cmd = ZV_VFU_CMD_DMA_MAP,
                           .payload = req,
                           .len = sizeof(req),
                           .fds = &fd,
                           .nfds = 1};
    ssize_t n;

    if (fd < 0)
        return -EBADF;
    vfu_dma_map_encode(req, &m);
    n = client_call(c, &r, 0);
    return n < 0 ? (int)n : 0;
}

int
zv_vfu_client_dma_unmap(struct zv_vfu_client *c, uint64_t iova, uint64_t size)
{
    uint8_t req[ZV_VFU_DMA_UNMAP_SIZE];
    struct vfu_dma_unmap m = {
        .argsz = ZV_VFU_DMA_UNMAP_SIZE, .addr = iova, .size = size};
    struct client_req r = {
        .cmd = ZV_VFU_CMD_DMA_UNMAP, .payload = req, .len = sizeof(req)};
    ssize_t n;

    vfu_dma_unmap_encode(req, &m);
    n = client_call(c, &r, ZV_VFU_DMA_UNMAP_SIZE);
    return n < 0 ? (int)n : 0;
}

int
zv_vfu_memfd_create(const char *name, uint64_t size)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING), rc;

    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

/* ---- regions and reset ------------------------------------------------ */

/* One region access: a batch of one (the same encoding, the same checks
 * of the reply). */
static ssize_t
client_region_rw(struct zv_vfu_client *c, int write, unsigned index,
                 uint64_t off, void *buf, size_t len)
{
    struct zv_vfu_region_io op = {
        .write = write, .index = index, .offset = off, .buf = buf, .len = len};
    int rc = zv_vfu_client_region_batch(c, &op, 1);

    return rc < 0 ? rc : op.result;
}

ssize_t
zv_vfu_client_region_read(struct zv_vfu_client *c, unsigned index, uint64_t off,
                          void *buf, size_t len)
{
    return client_region_rw(c, 0, index, off, buf, len);
}

ssize_t
zv_vfu_client_region_write(struct zv_vfu_client *c, unsigned index,
                           uint64_t off, const void *buf, size_t len)
{
    /* a batch only reads the buffer of a write */
    return client_region_rw(c, 1, index, off, (void *)(uintptr_t)buf, len);
}

/* Room a batch op takes in the request stream and at most in the reply
 * stream. */
static size_t
batch_req_size(const struct zv_vfu_region_io *op)
{
    return ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE + (op->write ? op->len : 0);
}

static size_t
batch_reply_max(const struct zv_vfu_region_io *op)
{
    return ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE + (op->write ? 0 : op->len);
}

/* The reply to op (header decoded into h, h->size bytes at p): its
 * result, or -EPROTO for a reply that does not answer it. */
static int
batch_take(const struct zv_vfu_region_io *op, const struct vfu_hdr *h,
           const uint8_t *p, ssize_t *result)
{
    struct vfu_region_rw rw;
    size_t n = h->size - ZV_VFU_HDR_SIZE;

    if (h->flags & ZV_VFU_F_ERROR) {
        *result = h->error && h->error < 4096 ? -(int)h->error : -EIO;
        return 0;
    }
    if (vfu_region_rw_decode(p + ZV_VFU_HDR_SIZE, n, !op->write, &rw) < 0 ||
        rw.count > op->len)
        return -EPROTO;
    if (!op->write)
        memcpy(op->buf, rw.data, rw.count);
    *result = rw.count;
    return 0;
}

int
zv_vfu_client_region_batch(struct zv_vfu_client *c,
                           struct zv_vfu_region_io *ops, size_t n)
{
    size_t req = 0, rep = 0, have = 0;
    uint16_t id0 = c->next_id;
    uint8_t *p;
    int rc;

    if (!ops || n == 0 || n > ZV_VFU_REGION_BATCH_MAX)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (ops[i].len == 0 || ops[i].len > c->caps.max_data_xfer_size ||
            ops[i].len > ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE || !ops[i].buf)
            return -EINVAL;
        req += batch_req_size(&ops[i]);
        rep += batch_reply_max(&ops[i]);
    }
    if (req > CLIENT_MAX_REPLY || rep > CLIENT_MAX_REPLY)
        return -EINVAL;
    if (c->dead)
        return -ENOTCONN;

    /* the requests, back to back in the buffer, go in one send */
    p = c->buf;
    for (size_t i = 0; i < n; i++) {
        const struct zv_vfu_region_io *op = &ops[i];
        struct vfu_hdr h = {.id = c->next_id++,
                            .cmd = op->write ? ZV_VFU_CMD_REGION_WRITE
                                             : ZV_VFU_CMD_REGION_READ,
                            .size = (uint32_t)batch_req_size(op),
                            .flags = ZV_VFU_F_TYPE_COMMAND};
        struct vfu_region_rw rw = {.offset = op->offset,
                                   .region = op->index,
                                   .count = (uint32_t)op->len};

        vfu_hdr_encode(p, &h);
        vfu_region_rw_encode(p + ZV_VFU_HDR_SIZE, &rw);
        if (op->write)
            memcpy(p + ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE, op->buf,
                   op->len);
        p += h.size;
    }
    rc = client_send_bytes(c, c->buf, req);
    if (rc < 0)
        return rc;

    /* the replies, in order; reading ahead stays within what the
     * remaining ones may hold (the server sends nothing else) */
    for (size_t i = 0; i < n; i++) {
        struct zv_vfu_region_io *op = &ops[i];
        uint16_t cmd =
            op->write ? ZV_VFU_CMD_REGION_WRITE : ZV_VFU_CMD_REGION_READ;
        struct vfu_hdr h;
        ssize_t got;

        if (have < ZV_VFU_HDR_SIZE) {
            got = client_recv(c, c->buf + have, ZV_VFU_HDR_SIZE - have,
                              rep - have);
            if (got < 0)
                return (int)got;
            have += (size_t)got;
        }
        if (vfu_hdr_decode(c->buf, &h) < 0 || !vfu_hdr_is_reply(&h) ||
            h.id != (uint16_t)(id0 + i) || h.cmd != cmd ||
            h.size > batch_reply_max(op))
            return client_fail(c, -EPROTO);
        if (have < h.size) {
            got = client_recv(c, c->buf + have, h.size - have, rep - have);
            if (got < 0)
                return (int)got;
            have += (size_t)got;
        }
        if (batch_take(op, &h, c->buf, &op->result) < 0)
            return client_fail(c, -EPROTO);
        /* what is left belongs to the next replies */
        memmove(c->buf, c->buf + h.size, have - h.size);
        have -= h.size;
        rep -= batch_reply_max(op);
    }
    if (have)
        return client_fail(c, -EPROTO);
    return 0;
}

int
zv_vfu_client_reset(struct zv_vfu_client *c)
{
    struct client_req r = {.cmd = ZV_VFU_CMD_DEVICE_RESET};
    ssize_t n = client_call(c, &r, 0);

    return n < 0 ? (int)n : 0;
}
