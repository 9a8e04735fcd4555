/* SPDX-License-Identifier: MIT */
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
wire_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int rc = -errno;

        close(fd);
        return rc;
    }
    return fd;
}

int
wire_send_raw(int fd, const void *buf, size_t len, const int *fds, size_t nfds)
{
    union {
        char b[CMSG_SPACE(sizeof(int) * 16)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {(void *)(uintptr_t)buf, len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;

    if (nfds > 16)
        return -EINVAL;
    if (nfds) {
        struct cmsghdr *cm;

        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.b;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
    }
    n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (n < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

int
wire_send(int fd, uint16_t id, uint16_t cmd, uint32_t flags,
          const void *payload, size_t len, const int *fds, size_t nfds)
{
    uint8_t buf[ZV_VFU_HDR_SIZE + 4096];
    struct vfu_hdr h = {.id = id,
                        .cmd = cmd,
                        .size = (uint32_t)(ZV_VFU_HDR_SIZE + len),
                        .flags = flags};

    if (len > sizeof(buf) - ZV_VFU_HDR_SIZE)
        return -EINVAL;
    vfu_hdr_encode(buf, &h);
    if (len)
        memcpy(buf + ZV_VFU_HDR_SIZE, payload, len);
    return wire_send_raw(fd, buf, ZV_VFU_HDR_SIZE + len, fds, nfds);
}

static int
wire_read_all(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
    while (len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, timeout_ms) == 0)
            return -ETIMEDOUT;
        n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ECONNRESET;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int
wire_recv(int fd, struct vfu_hdr *h, uint8_t *payload, size_t max,
          int timeout_ms)
{
    uint8_t hb[ZV_VFU_HDR_SIZE];
    int rc = wire_read_all(fd, hb, sizeof(hb), timeout_ms);

    if (rc < 0)
        return rc;
    if (vfu_hdr_decode(hb, h) < 0 || h->size - ZV_VFU_HDR_SIZE > max)
        return -EPROTO;
    rc = wire_read_all(fd, payload, h->size - ZV_VFU_HDR_SIZE, timeout_ms);
    return rc < 0 ? rc : (int)(h->size - ZV_VFU_HDR_SIZE);
}

int
wire_call(int fd, uint16_t cmd, const void *payload, size_t len, const int *fds,
          size_t nfds, uint8_t *reply, size_t max)
{
    static uint16_t id = 100;
    struct vfu_hdr h;
    int rc;

    id++;
    rc = wire_send(fd, id, cmd, ZV_VFU_F_TYPE_COMMAND, payload, len, fds, nfds);
    if (rc < 0)
        return rc;
    rc = wire_recv(fd, &h, reply, max, 5000);
    if (rc < 0)
        return rc;
    if (h.id != id || h.cmd != cmd || !vfu_hdr_is_reply(&h))
        return -EPROTO;
    if (h.flags & ZV_VFU_F_ERROR)
        return rc == 0 ? -(int)h.error : -EPROTO; /* no payload on errors */
    return rc;
}

int
wire_negotiate(int fd)
{
    static const char json[] =
        "{\"capabilities\":{\"max_msg_fds\":8,\"pgsizes\":4096}}";
    uint8_t req[4 + sizeof(json)] = {0, 0, 2, 0};
    uint8_t reply[512];
    int rc;

    memcpy(req + 4, json, sizeof(json));
    rc = wire_call(fd, ZV_VFU_CMD_VERSION, req, sizeof(req), NULL, 0, reply,
                   sizeof(reply));
    return rc < 0 ? rc : 0;
}

bool
wire_closed(int fd, int timeout_ms)
{
    uint8_t b[256];

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, timeout_ms) <= 0)
            return false;
        n = recv(fd, b, sizeof(b), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0)
            return false;
        /* an error reply may come first: skip it */
    }
}
