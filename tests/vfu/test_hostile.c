/* SPDX-License-Identifier: MIT */
/*
 * vfio-user as an attacker speaks it: raw messages over the socket with
 * wrong sizes, counts, fds and offsets.  Each case expects the specified
 * error reply (errno) or a clean disconnect, and after each the server
 * holds exactly the descriptors it held before (every fd a client passed
 * was closed) and serves a fresh client.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfio/uapi.h"
#include "vfu_host.h"
#include "wire.h"
#include "zvfio/client.h"

struct fx {
    struct vfu_host h;
    int baseline;
    int fd; /* the raw connection */
    char tmpfile[128];
};

static uint8_t reply[ZV_VFU_SERVER_MAX_DATA_XFER + 64];

static int
setup(void **state)
{
    static struct fx f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(vfu_host_new(&f.h, true), 0);
    assert_int_equal(vfu_host_start(&f.h), 0);
    f.baseline = vfu_fd_count();
    f.fd = wire_connect(f.h.path);
    assert_true(f.fd >= 0);
    *state = &f;
    return 0;
}

/* The server is back where it started and serves a new client. */
static void
check_recovered(struct fx *f)
{
    struct zv_vfu_client *c;
    struct zv_vfu_device_info di;
    int n = -1;

    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    for (int i = 0; i < 3000 && (n = vfu_fd_count()) != f->baseline; i++)
        usleep(1000);
    assert_int_equal(n, f->baseline);
    n = zv_vfu_client_connect(f->h.path, &c);
    assert_int_equal(n, 0);
    assert_int_equal(zv_vfu_client_device_info(c, &di), 0);
    assert_true(di.flags & ZV_VFIO_DEVICE_FLAGS_CCW);
    zv_vfu_client_close(c);
    for (int i = 0; i < 3000 && (n = vfu_fd_count()) != f->baseline; i++)
        usleep(1000);
    assert_int_equal(n, f->baseline);
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    check_recovered(f);
    if (f->tmpfile[0])
        unlink(f->tmpfile);
    vfu_host_free(&f->h);
    return 0;
}

static int
call(struct fx *f, uint16_t cmd, const void *p, size_t len, const int *fds,
     size_t nfds)
{
    return wire_call(f->fd, cmd, p, len, fds, nfds, reply, sizeof(reply));
}

static void
put_dma_map(uint8_t *b, uint32_t flags, uint64_t off, uint64_t addr,
            uint64_t size)
{
    struct vfu_dma_map m = {.argsz = ZV_VFU_DMA_MAP_SIZE,
                            .flags = flags,
                            .offset = off,
                            .addr = addr,
                            .size = size};

    vfu_dma_map_encode(b, &m);
}

static int
sealed_memfd(size_t size)
{
    int fd = zv_vfu_memfd_create("t", size);

    assert_true(fd >= 0);
    return fd;
}

/* ---- before and around VERSION ---- */

static void
commands_before_version_are_refused(void **state)
{
    struct fx *f = *state;
    uint8_t di[16] = {16};

    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_INFO, di, 16, NULL, 0),
                     -EINVAL);
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_RESET, NULL, 0, NULL, 0),
                     -EINVAL);
    assert_int_equal(wire_negotiate(f->fd), 0);
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_INFO, di, 16, NULL, 0), 16);
    /* only once */
    assert_int_equal(wire_negotiate(f->fd), -EINVAL);
}

static void
version_refuses_bad_major_json_and_fds(void **state)
{
    struct fx *f = *state;
    uint8_t v[64] = {1, 0, 0, 0};
    int efd = eventfd(0, EFD_CLOEXEC);

    /* major 1 */
    assert_int_equal(call(f, ZV_VFU_CMD_VERSION, v, 4, NULL, 0), -EINVAL);
    v[0] = 0;
    /* JSON not terminated; malformed; wrong types; no 4K pages */
    memcpy(v + 4, "{}", 2);
    assert_int_equal(call(f, ZV_VFU_CMD_VERSION, v, 6, NULL, 0), -EINVAL);
    memcpy(v + 4, "{,}", 4);
    assert_int_equal(call(f, ZV_VFU_CMD_VERSION, v, 8, NULL, 0), -EINVAL);
    strcpy((char *)v + 4, "{\"capabilities\":{\"max_msg_fds\":\"x\"}}");
    assert_int_equal(
        call(f, ZV_VFU_CMD_VERSION, v, 4 + strlen((char *)v + 4) + 1, NULL, 0),
        -EINVAL);
    strcpy((char *)v + 4, "{\"capabilities\":{\"pgsizes\":8192}}");
    assert_int_equal(
        call(f, ZV_VFU_CMD_VERSION, v, 4 + strlen((char *)v + 4) + 1, NULL, 0),
        -EINVAL);
    /* too short */
    assert_int_equal(call(f, ZV_VFU_CMD_VERSION, v, 3, NULL, 0), -EINVAL);
    /* an fd on VERSION (closed by the server, see teardown) */
    assert_int_equal(call(f, ZV_VFU_CMD_VERSION, v, 4, &efd, 1), -EINVAL);
    close(efd);
    /* and still negotiable */
    assert_int_equal(wire_negotiate(f->fd), 0);
}

/* ---- framing ---- */

static void
unknown_and_unsupported_commands(void **state)
{
    struct fx *f = *state;
    static const uint16_t unsupported[] = {ZV_VFU_CMD_DEVICE_GET_REGION_IO_FDS,
                                           ZV_VFU_CMD_DMA_READ,
                                           ZV_VFU_CMD_DMA_WRITE,
                                           ZV_VFU_CMD_DIRTY_PAGES,
                                           ZV_VFU_CMD_REGION_WRITE_MULTI,
                                           ZV_VFU_CMD_DEVICE_FEATURE,
                                           ZV_VFU_CMD_MIG_DATA_READ,
                                           ZV_VFU_CMD_MIG_DATA_WRITE};
    uint8_t junk[8] = {0};

    assert_int_equal(wire_negotiate(f->fd), 0);
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        assert_int_equal(call(f, unsupported[i], junk, 8, NULL, 0), -ENOTSUP);
    assert_int_equal(call(f, 0, junk, 8, NULL, 0), -EINVAL);
    assert_int_equal(call(f, 19, junk, 8, NULL, 0), -EINVAL);
    assert_int_equal(call(f, 0xffff, NULL, 0, NULL, 0), -EINVAL);
}

static void
size_below_header_is_an_error_then_a_hangup(void **state)
{
    struct fx *f = *state;
    uint8_t b[16];
    struct vfu_hdr h = {.id = 7, .cmd = ZV_VFU_CMD_DEVICE_RESET, .size = 8};
    struct vfu_hdr r;

    vfu_hdr_encode(b, &h);
    assert_int_equal(wire_send_raw(f->fd, b, 16, NULL, 0), 0);
    assert_int_equal(wire_recv(f->fd, &r, reply, sizeof(reply), 5000), 0);
    assert_true(r.flags & ZV_VFU_F_ERROR);
    assert_int_equal(r.error, EINVAL);
    assert_int_equal(r.id, 7);
    assert_true(wire_closed(f->fd, 5000));
}

static void
huge_size_is_refused_without_allocating(void **state)
{
    struct fx *f = *state;
    uint8_t b[16];
    struct vfu_hdr h = {
        .id = 8, .cmd = ZV_VFU_CMD_REGION_WRITE, .size = 0xffffffff};

    assert_int_equal(wire_negotiate(f->fd), 0);
    vfu_hdr_encode(b, &h);
    assert_int_equal(wire_send_raw(f->fd, b, 16, NULL, 0), 0);
    assert_true(wire_closed(f->fd, 5000));
}

static void
truncated_message_then_gone(void **state)
{
    struct fx *f = *state;
    uint8_t b[20];
    struct vfu_hdr h = {.id = 9, .cmd = ZV_VFU_CMD_DMA_MAP, .size = 48};
    int mfd = sealed_memfd(4096);

    assert_int_equal(wire_negotiate(f->fd), 0);
    vfu_hdr_encode(b, &h);
    memset(b + 16, 0, 4);
    /* half a DMA_MAP with its fd, then the client vanishes */
    assert_int_equal(wire_send_raw(f->fd, b, sizeof(b), &mfd, 1), 0);
    close(mfd);
    /* check_recovered (teardown) proves the fd was closed */
}

static void
truncated_header_then_gone(void **state)
{
    struct fx *f = *state;
    uint8_t b[7] = {1, 0, 1, 0, 40, 0, 0};

    assert_int_equal(wire_send_raw(f->fd, b, sizeof(b), NULL, 0), 0);
}

static void
unsolicited_replies_are_dropped_and_framing_survives(void **state)
{
    struct fx *f = *state;
    uint8_t junk[24] = {0};
    uint8_t di[16] = {16};

    assert_int_equal(wire_negotiate(f->fd), 0);
    assert_int_equal(wire_send(f->fd, 55, ZV_VFU_CMD_DMA_READ,
                               ZV_VFU_F_TYPE_REPLY, junk, sizeof(junk), NULL,
                               0),
                     0);
    assert_int_equal(wire_send(f->fd, 56, ZV_VFU_CMD_DEVICE_GET_INFO,
                               ZV_VFU_F_TYPE_REPLY | ZV_VFU_F_ERROR, NULL, 0,
                               NULL, 0),
                     0);
    /* the next answer is the next request's */
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_INFO, di, 16, NULL, 0), 16);
}

static void
no_reply_flag_suppresses_the_reply(void **state)
{
    struct fx *f = *state;
    uint8_t di[16] = {16};
    struct vfu_hdr h;

    assert_int_equal(wire_negotiate(f->fd), 0);
    /* one good and one bad command, neither wants a reply */
    assert_int_equal(wire_send(f->fd, 60, ZV_VFU_CMD_DEVICE_RESET,
                               ZV_VFU_F_NO_REPLY, NULL, 0, NULL, 0),
                     0);
    assert_int_equal(
        wire_send(f->fd, 61, 99, ZV_VFU_F_NO_REPLY, NULL, 0, NULL, 0), 0);
    assert_int_equal(
        wire_send(f->fd, 62, ZV_VFU_CMD_DEVICE_GET_INFO, 0, di, 16, NULL, 0),
        0);
    assert_int_equal(wire_recv(f->fd, &h, reply, sizeof(reply), 5000), 16);
    assert_int_equal(h.id, 62);
}

static void
other_message_types_are_refused(void **state)
{
    struct fx *f = *state;
    struct vfu_hdr h;

    assert_int_equal(wire_negotiate(f->fd), 0);
    assert_int_equal(
        wire_send(f->fd, 70, ZV_VFU_CMD_DEVICE_RESET, 0x7, NULL, 0, NULL, 0),
        0);
    assert_int_equal(wire_recv(f->fd, &h, reply, sizeof(reply), 5000), 0);
    assert_int_equal(h.id, 70);
    assert_int_equal(h.error, EINVAL);
}

/* ---- DMA_MAP ---- */

static void
dma_map_refuses_bad_fds(void **state)
{
    struct fx *f = *state;
    uint8_t m[ZV_VFU_DMA_MAP_SIZE];
    int pfd[2], mfd = sealed_memfd(8192), efd = eventfd(0, EFD_CLOEXEC);
    int two[2] = {mfd, mfd};
    int small, unsealed;

    assert_int_equal(wire_negotiate(f->fd), 0);
    assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
    put_dma_map(m, 3, 0, 0x100000, 8192);
    /* a pipe, an eventfd: not mappable files */
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &pfd[0], 1), -EINVAL);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &efd, 1), -EINVAL);
    /* a regular file too small for offset + size */
    snprintf(f->tmpfile, sizeof(f->tmpfile), "%s.img", f->h.dir);
    small = open(f->tmpfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(small >= 0);
    assert_int_equal(ftruncate(small, 4096), 0);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &small, 1), -EINVAL);
    put_dma_map(m, 3, 4096, 0x100000, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &small, 1), -EINVAL);
    /* a memfd that could still shrink under the mapping */
    unsealed = memfd_create("u", MFD_CLOEXEC);
    assert_int_equal(ftruncate(unsealed, 8192), 0);
    put_dma_map(m, 3, 0, 0x100000, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &unsealed, 1), -EINVAL);
    /* fd counts: none (message DMA is not served), two */
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, NULL, 0), -ENOTSUP);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, two, 2), -EINVAL);
    /* sizes, alignment, flags, wrap-around */
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 31, &mfd, 1), -EINVAL);
    put_dma_map(m, 3, 0, 0x100800, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EINVAL);
    put_dma_map(m, 0, 0, 0x100000, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EINVAL);
    put_dma_map(m, 0x13, 0, 0x100000, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EINVAL);
    put_dma_map(m, 3, 0, 0xfffffffffffff000ull, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EINVAL);
    put_dma_map(m, 3, 0, 0x100000, 0);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EINVAL);
    /* the good one, then an overlap */
    put_dma_map(m, 3, 0, 0x100000, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), 0);
    put_dma_map(m, 1, 4096, 0x101000, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), -EEXIST);
    close(pfd[0]);
    close(pfd[1]);
    close(efd);
    close(mfd);
    close(small);
    close(unsealed);
}

static void
dma_map_of_a_read_only_file_for_writing_is_refused(void **state)
{
    struct fx *f = *state;
    uint8_t m[ZV_VFU_DMA_MAP_SIZE];
    int rw, ro;

    assert_int_equal(wire_negotiate(f->fd), 0);
    snprintf(f->tmpfile, sizeof(f->tmpfile), "%s.ro", f->h.dir);
    rw = open(f->tmpfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(rw >= 0);
    assert_int_equal(ftruncate(rw, 8192), 0);
    ro = open(f->tmpfile, O_RDONLY | O_CLOEXEC);
    put_dma_map(m, ZV_VFU_DMA_FLAG_READ | ZV_VFU_DMA_FLAG_WRITE, 0, 0x200000,
                8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &ro, 1), -EACCES);
    put_dma_map(m, ZV_VFU_DMA_FLAG_READ, 0, 0x200000, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &ro, 1), 0);
    close(rw);
    close(ro);
}

static void
dma_unmap_must_match_exactly(void **state)
{
    struct fx *f = *state;
    uint8_t m[ZV_VFU_DMA_MAP_SIZE], u[ZV_VFU_DMA_UNMAP_SIZE];
    struct vfu_dma_unmap um = {.argsz = 24, .addr = 0x100000, .size = 4096};
    int mfd = sealed_memfd(8192);
    struct vfu_dma_unmap echo;

    assert_int_equal(wire_negotiate(f->fd), 0);
    put_dma_map(m, 3, 0, 0x100000, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, &mfd, 1), 0);
    close(mfd);
    /* part of a map, a wrong flag, a short argsz, an fd attached */
    vfu_dma_unmap_encode(u, &um);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), -ENOENT);
    um.size = 8192;
    um.flags = 1;
    vfu_dma_unmap_encode(u, &um);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), -EINVAL);
    um.flags = ZV_VFU_DMA_UNMAP_FLAG_ALL;
    vfu_dma_unmap_encode(u, &um);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), -EINVAL);
    um.flags = 0;
    um.argsz = 16;
    vfu_dma_unmap_encode(u, &um);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), -EINVAL);
    um.argsz = 24;
    vfu_dma_unmap_encode(u, &um);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 23, NULL, 0), -EINVAL);
    /* the exact one: the reply echoes the entry */
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), 24);
    assert_int_equal(vfu_dma_unmap_decode(reply, 24, &echo), 0);
    assert_int_equal(echo.addr, 0x100000);
    assert_int_equal(echo.size, 8192);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_UNMAP, u, 24, NULL, 0), -ENOENT);
}

/* ---- SET_IRQS ---- */

static int
set_irqs(struct fx *f, uint32_t flags, uint32_t index, uint32_t count,
         const uint8_t *data, size_t dlen, const int *fds, size_t nfds)
{
    uint8_t b[64];
    struct vfu_irq_set s = {.argsz = (uint32_t)(ZV_VFU_IRQ_SET_SIZE + dlen),
                            .flags = flags,
                            .index = index,
                            .count = count};

    vfu_irq_set_encode(b, &s);
    if (dlen)
        memcpy(b + ZV_VFU_IRQ_SET_SIZE, data, dlen);
    return call(f, ZV_VFU_CMD_DEVICE_SET_IRQS, b, ZV_VFU_IRQ_SET_SIZE + dlen,
                fds, nfds);
}

static void
set_irqs_accepts_only_eventfds_and_owns_them(void **state)
{
    struct fx *f = *state;
    const uint32_t efd_trig =
        ZV_VFIO_IRQ_SET_DATA_EVENTFD | ZV_VFIO_IRQ_SET_ACTION_TRIGGER;
    int pfd[2], e1 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
                e2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int two[2] = {e1, e2};
    int base, with_one;
    uint8_t yes = 1;
    uint64_t v;

    assert_int_equal(wire_negotiate(f->fd), 0);
    assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
    base = vfu_fd_count();
    /* a pipe is not an eventfd; two fds for count 1; fds with DATA_BOOL;
     * an index past the device's */
    assert_int_equal(set_irqs(f, efd_trig, 0, 1, NULL, 0, &pfd[0], 1), -EINVAL);
    assert_int_equal(set_irqs(f, efd_trig, 0, 1, NULL, 0, two, 2), -EINVAL);
    assert_int_equal(
        set_irqs(f, ZV_VFIO_IRQ_SET_DATA_BOOL | ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                 0, 1, &yes, 1, &e1, 1),
        -EINVAL);
    assert_int_equal(set_irqs(f, efd_trig, 7, 1, NULL, 0, &e1, 1), -EINVAL);
    assert_int_equal(vfu_fd_count(), base);
    /* e1 on IO: the server holds one duplicate */
    assert_int_equal(set_irqs(f, efd_trig, 0, 1, NULL, 0, &e1, 1), 0);
    with_one = vfu_fd_count();
    assert_int_equal(with_one, base + 1);
    /* the client's own e1 may go: the server's copy still signals it
     * (loopback through DATA_BOOL) */
    assert_int_equal(
        set_irqs(f, ZV_VFIO_IRQ_SET_DATA_BOOL | ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                 0, 1, &yes, 1, NULL, 0),
        0);
    assert_int_equal(read(e1, &v, 8), 8);
    /* replaced by e2: still one */
    assert_int_equal(set_irqs(f, efd_trig, 0, 1, NULL, 0, &e2, 1), 0);
    assert_int_equal(vfu_fd_count(), with_one);
    /* de-assigned (no fds): none */
    assert_int_equal(set_irqs(f, efd_trig, 0, 1, NULL, 0, NULL, 0), 0);
    assert_int_equal(vfu_fd_count(), base);
    /* mask is not supported by vfio-ccw */
    assert_int_equal(
        set_irqs(f, ZV_VFIO_IRQ_SET_DATA_NONE | ZV_VFIO_IRQ_SET_ACTION_MASK, 0,
                 1, NULL, 0, NULL, 0),
        -EINVAL);
    /* set again and leave it to the disconnect (teardown counts) */
    assert_int_equal(set_irqs(f, efd_trig, 2, 1, NULL, 0, &e2, 1), 0);
    close(pfd[0]);
    close(pfd[1]);
    close(e1);
    close(e2);
}

static void
too_many_fds_are_all_closed(void **state)
{
    struct fx *f = *state;
    int fds[12];
    uint8_t m[ZV_VFU_DMA_MAP_SIZE];

    assert_int_equal(wire_negotiate(f->fd), 0);
    for (int i = 0; i < 12; i++)
        fds[i] = eventfd(0, EFD_CLOEXEC);
    put_dma_map(m, 3, 0, 0x100000, 4096);
    assert_int_equal(call(f, ZV_VFU_CMD_DMA_MAP, m, 32, fds, 12), -EINVAL);
    /* fds on a command that takes none */
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_RESET, NULL, 0, fds, 3),
                     -EINVAL);
    for (int i = 0; i < 12; i++)
        close(fds[i]);
}

/* ---- regions ---- */

static void
region_access_out_of_range(void **state)
{
    struct fx *f = *state;
    uint8_t b[ZV_VFU_REGION_RW_SIZE + 200];
    struct vfu_region_rw rw = {.offset = 0, .region = 0xdeadbeef, .count = 4};

    assert_int_equal(wire_negotiate(f->fd), 0);
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), -EINVAL);
    rw.region = 0;
    rw.offset = ZV_CCW_IO_REGION_SIZE - 2; /* straddles the end */
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), -EINVAL);
    rw.offset = 0xffffffffffffffffull;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), -EINVAL);
    rw.offset = 0;
    rw.count = 0;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), -EINVAL);
    rw.count = ZV_VFU_SERVER_MAX_DATA_XFER + 1;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), -EINVAL);
    /* a read with data, a write whose count is not its data */
    rw.count = 4;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 20, NULL, 0), -EINVAL);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_WRITE, b, 19, NULL, 0), -EINVAL);
    /* the SCHIB region is read-only */
    rw.region = 2;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_WRITE, b, 20, NULL, 0), -EINVAL);
    /* a good read of 4 bytes */
    rw.region = 0;
    vfu_region_rw_encode(b, &rw);
    assert_int_equal(call(f, ZV_VFU_CMD_REGION_READ, b, 16, NULL, 0), 20);
    /* reset with a payload */
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_RESET, b, 4, NULL, 0), -EINVAL);
}

static void
info_requests_with_wrong_sizes(void **state)
{
    struct fx *f = *state;
    uint8_t b[64] = {0};

    assert_int_equal(wire_negotiate(f->fd), 0);
    b[0] = 16;
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_INFO, b, 12, NULL, 0),
                     -EINVAL);
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_IRQ_INFO, b, 20, NULL, 0),
                     -EINVAL);
    b[0] = 32;
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_REGION_INFO, b, 31, NULL, 0),
                     -EINVAL);
    b[0] = 8; /* argsz below the fixed part */
    assert_int_equal(call(f, ZV_VFU_CMD_DEVICE_GET_REGION_INFO, b, 32, NULL, 0),
                     -EINVAL);
}

/* ---- a client that does not read its replies ---- */

static void
unread_replies_stall_the_client_not_the_server(void **state)
{
    struct fx *f = *state;
    uint8_t msg[ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE];
    struct vfu_region_rw rw = {.region = 0, .count = ZV_CCW_IO_REGION_SIZE};
    struct vfu_hdr h = {.cmd = ZV_VFU_CMD_REGION_READ, .size = sizeof(msg)};
    unsigned sent = 0, got = 0;
    struct vfu_hdr r;

    assert_int_equal(wire_negotiate(f->fd), 0);
    fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
    vfu_region_rw_encode(msg + ZV_VFU_HDR_SIZE, &rw);
    /* requests until the socket pushes back (the server stopped reading
     * because its replies do not drain) */
    for (;;) {
        h.id = (uint16_t)sent;
        vfu_hdr_encode(msg, &h);
        if (send(f->fd, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg))
            break;
        sent++;
        assert_true(sent < 1000000);
    }
    fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
    assert_true(sent > 100);
    /* every request is answered, in order, once we read */
    while (got < sent) {
        assert_int_equal(wire_recv(f->fd, &r, reply, sizeof(reply), 5000),
                         ZV_VFU_REGION_RW_SIZE + ZV_CCW_IO_REGION_SIZE);
        assert_int_equal(r.id, (uint16_t)got);
        got++;
    }
}

/* The server reads whatever the socket holds; the fds of each sendmsg
 * must still go to the message they came with, and only to it. */
static void
pipelined_messages_keep_their_fds(void **state)
{
    struct fx *f = *state;
    uint8_t m[ZV_VFU_DMA_MAP_SIZE], two[2 * (ZV_VFU_HDR_SIZE + 32)];
    uint8_t rw[ZV_VFU_REGION_RW_SIZE];
    struct vfu_region_rw r = {.region = 0, .count = 4};
    struct vfu_hdr h = {.cmd = ZV_VFU_CMD_DMA_MAP,
                        .size = ZV_VFU_HDR_SIZE + 32};
    int mfd = sealed_memfd(3 * 4096);

    assert_int_equal(wire_negotiate(f->fd), 0);
    vfu_region_rw_encode(rw, &r);
    /* a region read, then a map with its fd, without waiting: the map's
     * read may hold both; the read must not take the fd */
    put_dma_map(m, 3, 0, 0x100000, 4096);
    assert_int_equal(
        wire_send(f->fd, 1, ZV_VFU_CMD_REGION_READ, 0, rw, sizeof(rw), NULL, 0),
        0);
    assert_int_equal(wire_send(f->fd, 2, ZV_VFU_CMD_DMA_MAP, 0, m, 32, &mfd, 1),
                     0);
    /* a map with an fd, then one without: the fd is the first one's */
    put_dma_map(m, 3, 4096, 0x101000, 4096);
    assert_int_equal(wire_send(f->fd, 3, ZV_VFU_CMD_DMA_MAP, 0, m, 32, &mfd, 1),
                     0);
    put_dma_map(m, 3, 8192, 0x102000, 4096);
    assert_int_equal(wire_send(f->fd, 4, ZV_VFU_CMD_DMA_MAP, 0, m, 32, NULL, 0),
                     0);
    for (uint16_t id = 1; id <= 4; id++) {
        struct vfu_hdr rh;
        int n = wire_recv(f->fd, &rh, reply, sizeof(reply), 5000);

        assert_int_equal(rh.id, id);
        if (id == 1)
            assert_int_equal(n, ZV_VFU_REGION_RW_SIZE + 4);
        else if (id == 4)
            assert_int_equal(rh.error, ENOTSUP); /* no fd: message DMA */
        else
            assert_int_equal(rh.flags & ZV_VFU_F_ERROR, 0);
    }
    /* two maps in one sendmsg with one fd (not the protocol's way): the
     * fd goes to one of them, the other has none; nothing leaks (the
     * teardown counts the server's fds) */
    put_dma_map(m, 3, 8192, 0x102000, 4096);
    h.id = 5;
    vfu_hdr_encode(two, &h);
    memcpy(two + ZV_VFU_HDR_SIZE, m, 32);
    put_dma_map(m, 3, 8192, 0x103000, 4096);
    h.id = 6;
    vfu_hdr_encode(two + ZV_VFU_HDR_SIZE + 32, &h);
    memcpy(two + 2 * ZV_VFU_HDR_SIZE + 32, m, 32);
    assert_int_equal(wire_send_raw(f->fd, two, sizeof(two), &mfd, 1), 0);
    {
        struct vfu_hdr r5, r6;

        wire_recv(f->fd, &r5, reply, sizeof(reply), 5000);
        wire_recv(f->fd, &r6, reply, sizeof(reply), 5000);
        assert_int_equal(r5.id, 5);
        assert_int_equal(r6.id, 6);
        assert_int_equal(
            !!(r5.flags & ZV_VFU_F_ERROR) + !!(r6.flags & ZV_VFU_F_ERROR), 1);
    }
    close(mfd);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(commands_before_version_are_refused),
        T(version_refuses_bad_major_json_and_fds),
        T(unknown_and_unsupported_commands),
        T(size_below_header_is_an_error_then_a_hangup),
        T(huge_size_is_refused_without_allocating),
        T(truncated_message_then_gone),
        T(truncated_header_then_gone),
        T(unsolicited_replies_are_dropped_and_framing_survives),
        T(no_reply_flag_suppresses_the_reply),
        T(other_message_types_are_refused),
        T(dma_map_refuses_bad_fds),
        T(dma_map_of_a_read_only_file_for_writing_is_refused),
        T(dma_unmap_must_match_exactly),
        T(set_irqs_accepts_only_eventfds_and_owns_them),
        T(too_many_fds_are_all_closed),
        T(region_access_out_of_range),
        T(info_requests_with_wrong_sizes),
        T(unread_replies_stall_the_client_not_the_server),
        T(pipelined_messages_keep_their_fds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
