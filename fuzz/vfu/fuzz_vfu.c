/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the vfio-user server (framing, decoder, dispatcher,
 * fd handling) as a hostile client drives it, over a socketpair, serving
 * a vfio-ccw device on a simulated host (built once per process).
 *
 * The input is a list of operations (fz_input.h, big-endian operands):
 *   0 RAW    u16 len, len bytes, u8 fds   bytes as they are
 *   1 MSG    u8 cmd, u8 flags, u16 len, len bytes, u8 fds
 *                                          a header with a correct size
 *   2 PUMP                                 let the server run
 *   3 FILL   u16 off, u8 len, len bytes   write guest memory (the memfd)
 *   4 CLOSE                                the client vanishes (ends)
 * u8 fds (mod 8) picks what rides along as SCM_RIGHTS: 0 nothing, 1 the
 * guest memfd (64 KiB, sealed), 2 an eventfd, 3 a pipe, 4 an unsealed
 * 4 KiB memfd, 5 a sealed 4 KiB memfd, 6 two eventfds, 7 ten eventfds.
 *
 * Invariants checked after every input: once the client is gone the
 * server is disconnected and holds exactly the descriptors it held before
 * (every fd passed was closed, every mapping and eventfd released); the
 * server never crashes, hangs or answers with a malformed reply.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fz_input.h"
#include "vfu/msg.h"
#include "vfu_host.h"
#include "zvfio/client.h"

#define FZ_MEM_SIZE  (64u * 1024)
#define FZ_MAX_PUMPS 2000
#define FZ_HANGUP_NS (5 * ZV_NSEC_PER_SEC)

/*
 * The descriptors the server could leak, by kind.  Not a plain count of
 * /proc/self/fd: libFuzzer starts a symbolizer (pipes, /dev/null) when it
 * first prints a new function, in the middle of a run.
 */
struct fz_census {
    int eventfd;
    int socket;
    int memfd;
    int our_pipes;
};

#define FZ_MAX_PIPES 4096

struct fz {
    struct vfu_host h;
    struct fz_census baseline;
    ino_t pipes[FZ_MAX_PIPES]; /* inodes of the pipes we made */
    size_t npipes;
};

struct fz_run {
    int cfd;
    int memfd;
    uint8_t *mem;
    uint8_t rbuf[1 << 16];
    uint8_t hdr[ZV_VFU_HDR_SIZE]; /* reply header being collected */
    size_t hdr_got;
    uint64_t skip; /* payload bytes of the current reply still to come */
};

static struct fz *fz_state;

static bool
fz_our_pipe(const struct fz *z, ino_t ino)
{
    for (size_t i = 0; i < z->npipes; i++)
        if (z->pipes[i] == ino)
            return true;
    return false;
}

static void
fz_census_one(const struct fz *z, int fd, struct fz_census *c)
{
    char path[64], t[128];
    struct stat st;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, t, sizeof(t) - 1);
    if (n < 0)
        return;
    t[n] = '\0';
    if (strcmp(t, "anon_inode:[eventfd]") == 0)
        c->eventfd++;
    else if (strncmp(t, "socket:", 7) == 0)
        c->socket++;
    else if (strncmp(t, "/memfd:", 7) == 0)
        c->memfd++;
    else if (strncmp(t, "pipe:", 5) == 0 && fstat(fd, &st) == 0 &&
             fz_our_pipe(z, st.st_ino))
        c->our_pipes++;
}

static void
fz_census(const struct fz *z, struct fz_census *c)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;

    if (!d)
        abort();
    memset(c, 0, sizeof(*c));
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
            fz_census_one(z, atoi(de->d_name), c);
    closedir(d);
}

static struct fz *
fz_get(void)
{
    if (fz_state)
        return fz_state;
    fz_state = calloc(1, sizeof(*fz_state));
    if (!fz_state || vfu_host_new(&fz_state->h, false) < 0)
        abort();
    fz_census(fz_state, &fz_state->baseline);
    return fz_state;
}

/* A reply header as the spec has it: a reply, a sane size, and an error
 * reply carries only the header. */
static void
fz_check_reply(const uint8_t *p)
{
    struct vfu_hdr h;

    if (vfu_hdr_decode(p, &h) < 0 || !vfu_hdr_is_reply(&h) ||
        h.size > ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE +
                     ZV_VFU_SERVER_MAX_DATA_XFER ||
        ((h.flags & ZV_VFU_F_ERROR) &&
         (h.size != ZV_VFU_HDR_SIZE || h.error == 0))) {
        fprintf(stderr, "fuzz_vfu: malformed reply\n");
        abort();
    }
}

/* Drain what the server sent, checking every reply's framing. */
static void
fz_drain(struct fz_run *r)
{
    for (;;) {
        ssize_t n = recv(r->cfd, r->rbuf, sizeof(r->rbuf), MSG_DONTWAIT);
        const uint8_t *p = r->rbuf;

        if (n <= 0)
            return;
        while (n > 0) {
            size_t take;

            if (r->skip) {
                take = r->skip < (uint64_t)n ? (size_t)r->skip : (size_t)n;
                r->skip -= take;
            } else {
                take = ZV_VFU_HDR_SIZE - r->hdr_got;
                if (take > (size_t)n)
                    take = (size_t)n;
                memcpy(r->hdr + r->hdr_got, p, take);
                r->hdr_got += take;
                if (r->hdr_got == ZV_VFU_HDR_SIZE) {
                    fz_check_reply(r->hdr);
                    r->skip = vfu_le32(r->hdr + ZV_VFU_HDR_OFF_SIZE) -
                              ZV_VFU_HDR_SIZE;
                    r->hdr_got = 0;
                }
            }
            p += take;
            n -= (ssize_t)take;
        }
    }
}

/* Run the server until it has nothing left to do (bounded). */
static void
fz_pump(struct fz *z, struct fz_run *r)
{
    for (unsigned i = 0; i < FZ_MAX_PUMPS; i++) {
        uint64_t wait = zv_loop_pending(z->h.loop) ? ZV_NSEC_PER_MSEC : 0;
        int ran = zv_loop_run_once(z->h.loop, wait);

        if (r->cfd >= 0)
            fz_drain(r);
        if (!ran && !zv_loop_pending(z->h.loop))
            return;
    }
}

static size_t
fz_fds(struct fz_run *r, uint8_t pick, int *fds)
{
    size_t n = 0;
    int p[2];

    switch (pick % 8) {
    case 1:
        fds[n++] = dup(r->memfd);
        break;
    case 2:
        fds[n++] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        break;
    case 3:
        if (pipe2(p, O_CLOEXEC) == 0) {
            struct stat st;

            if (fstat(p[0], &st) == 0 && fz_state->npipes < FZ_MAX_PIPES)
                fz_state->pipes[fz_state->npipes++] = st.st_ino;
            fds[n++] = p[0];
            close(p[1]);
        }
        break;
    case 4:
        fds[n] = memfd_create("fz-unsealed", MFD_CLOEXEC);
        if (fds[n] >= 0 && ftruncate(fds[n], 4096) == 0)
            n++;
        break;
    case 5:
        fds[n] = zv_vfu_memfd_create("fz-small", 4096);
        n += fds[n] >= 0;
        break;
    case 6:
        fds[n++] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        fds[n++] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        break;
    case 7:
        for (; n < 10; n++)
            fds[n] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        break;
    }
    for (size_t i = 0; i < n; i++)
        if (fds[i] < 0)
            abort();
    return n;
}

/* Send it all (the server keeps running in between when the socket is
 * full); our copies of the fds are closed afterwards. */
static void
fz_send(struct fz *z, struct fz_run *r, const uint8_t *buf, size_t len,
        uint8_t pick)
{
    union {
        char b[CMSG_SPACE(sizeof(int) * 10)];
        struct cmsghdr align;
    } ctl;
    int fds[10];
    size_t nfds = fz_fds(r, pick, fds), off = 0;
    struct iovec iov;
    struct msghdr mh;

    while (off < len || nfds) {
        ssize_t n;

        iov = (struct iovec){(void *)(uintptr_t)(buf + off), len - off};
        mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1};
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
        if (len == off) /* fds need a byte to ride on */
            break;
        n = sendmsg(r->cfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
            nfds = 0;
            continue;
        }
        if (n < 0 && errno != EAGAIN)
            break; /* the server hung up */
        fz_pump(z, r);
        if (!zv_vfu_server_connected(z->h.srv))
            break;
    }
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
}

static void
fz_op_msg(struct fz *z, struct fz_run *r, struct fz_input *in, bool raw)
{
    static uint8_t buf[ZV_VFU_HDR_SIZE + 4096];
    struct vfu_hdr h = {0};
    uint16_t len;
    size_t hdr = 0;

    if (!raw) {
        h.cmd = in_u8(in) % 20;
        h.flags = in_u8(in);
        h.id = 0x4242;
        hdr = ZV_VFU_HDR_SIZE;
    }
    len = in_u16(in) % 4096;
    h.size = (uint32_t)(hdr + len);
    if (!raw)
        vfu_hdr_encode(buf, &h);
    in_bytes(in, buf + hdr, len);
    fz_send(z, r, buf, hdr + len, in_u8(in));
}

static bool
fz_op(struct fz *z, struct fz_run *r, struct fz_input *in)
{
    uint8_t op = in_u8(in) % 5;
    uint16_t off;
    uint8_t n;

    switch (op) {
    case 0:
    case 1:
        fz_op_msg(z, r, in, op == 0);
        break;
    case 2:
        break;
    case 3:
        off = in_u16(in) % (FZ_MEM_SIZE - 256);
        n = in_u8(in);
        in_bytes(in, r->mem + off, n);
        break;
    case 4:
        return false;
    }
    fz_pump(z, r);
    return zv_vfu_server_connected(z->h.srv);
}

/* What is open, for the report of a leak. */
static void
fz_list_fds(void)
{
    for (int fd = 0; fd < 1024; fd++) {
        char path[64], target[128];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        fprintf(stderr, "fuzz_vfu:   fd %d -> %s\n", fd, target);
    }
}

static void
fz_check_clean(struct fz *z)
{
    struct fz_census now;

    fz_census(z, &now);
    if (getenv("FZ_VERBOSE")) {
        struct zv_vfu_server_stats st;

        zv_vfu_server_stats(z->h.srv, &st);
        fprintf(stderr,
                "fuzz_vfu: %llu messages, %llu errors, %llu ignored, "
                "%llu dropped\n",
                (unsigned long long)st.messages, (unsigned long long)st.errors,
                (unsigned long long)st.ignored,
                (unsigned long long)st.disconnects);
    }
    if (zv_vfu_server_connected(z->h.srv)) {
        fprintf(stderr, "fuzz_vfu: client gone, server still attached\n");
        abort();
    }
    if (memcmp(&now, &z->baseline, sizeof(now)) != 0) {
        fprintf(stderr,
                "fuzz_vfu: fd leak: eventfd %d/%d socket %d/%d memfd %d/%d "
                "pipe %d/%d (now/before)\n",
                now.eventfd, z->baseline.eventfd, now.socket,
                z->baseline.socket, now.memfd, z->baseline.memfd, now.our_pipes,
                z->baseline.our_pipes);
        fz_list_fds();
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz *z = fz_get();
    struct fz_input in = {.p = data, .n = size};
    struct fz_run *r = calloc(1, sizeof(*r));
    int sv[2];

    if (!r || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    r->cfd = sv[1];
    r->memfd = zv_vfu_memfd_create("fz-guest", FZ_MEM_SIZE);
    if (r->memfd < 0 || zv_vfu_server_attach(z->h.srv, sv[0]) < 0)
        abort();
    r->mem = mmap(NULL, FZ_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                  r->memfd, 0);
    if (r->mem == MAP_FAILED)
        abort();
    while (in.n && fz_op(z, r, &in))
        ;
    close(r->cfd);
    r->cfd = -1;
    fz_pump(z, r);
    /* A pump is bounded in events; the hang-up must be seen within
     * seconds of loop time, however busy the host still is. */
    for (uint64_t end = zv_loop_now(z->h.loop) + FZ_HANGUP_NS;
         zv_vfu_server_connected(z->h.srv) && zv_loop_now(z->h.loop) < end;)
        fz_pump(z, r);
    munmap(r->mem, FZ_MEM_SIZE);
    close(r->memfd);
    fz_check_clean(z);
    free(r);
    return 0;
}
