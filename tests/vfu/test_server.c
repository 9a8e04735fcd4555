/* SPDX-License-Identifier: MIT */
/*
 * vfio-user end to end: the client library against a real server on a
 * real loop (its own thread), over a UNIX socket in a temp dir, serving a
 * vfio-ccw mediated device on a simulated host.  Guest memory is a memfd
 * the client maps; a channel program written there runs on the host, its
 * data lands in the memfd, the IO IRQ arrives on an eventfd, the IRB is
 * read from the I/O region.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "base/bytes.h"
#include "vfu_host.h"
#include "wire.h"
#include "zvfio/client.h"

#define GUEST_IOVA 0x100000ull
#define GUEST_SIZE (64u * 1024)
#define CCW_ADDR   (GUEST_IOVA + 0x1000)
#define DATA_ADDR  (GUEST_IOVA + 0x8000)

struct fx {
    struct vfu_host h;
    int baseline;
    struct zv_vfu_client *c;
    int memfd;
    uint8_t *guest; /* our mapping of the memfd */
    int efd[ZV_VFIO_CCW_NUM_IRQS];
};

static void
wait_fds(int baseline)
{
    int n = -1;

    /* the server drops a client on its own thread: give it a moment */
    for (int i = 0; i < 3000 && (n = vfu_fd_count()) != baseline; i++)
        usleep(1000);
    assert_int_equal(n, baseline);
}

static int
setup(void **state)
{
    static struct fx f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(vfu_host_new(&f.h, true), 0);
    assert_int_equal(vfu_host_start(&f.h), 0);
    f.baseline = vfu_fd_count();
    f.memfd = -1;
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        f.efd[i] = -1;
    *state = &f;
    return 0;
}

static void
fx_client_close(struct fx *f)
{
    zv_vfu_client_close(f->c);
    f->c = NULL;
    if (f->guest)
        munmap(f->guest, GUEST_SIZE);
    f->guest = NULL;
    if (f->memfd >= 0)
        close(f->memfd);
    f->memfd = -1;
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++) {
        if (f->efd[i] >= 0)
            close(f->efd[i]);
        f->efd[i] = -1;
    }
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    fx_client_close(f);
    vfu_host_free(&f->h);
    return 0;
}

/* Connect, map guest memory, one eventfd per IRQ. */
static void
fx_attach(struct fx *f)
{
    assert_int_equal(zv_vfu_client_connect(f->h.path, &f->c), 0);
    f->memfd = zv_vfu_memfd_create("guest", GUEST_SIZE);
    assert_true(f->memfd >= 0);
    f->guest =
        mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
    assert_true(f->guest != MAP_FAILED);
    assert_int_equal(
        zv_vfu_client_dma_map(f->c, f->memfd, 0, GUEST_IOVA, GUEST_SIZE,
                              ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE),
        0);
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++) {
        f->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        assert_true(f->efd[i] >= 0);
        assert_int_equal(zv_vfu_client_set_irq_eventfd(f->c, i, f->efd[i]), 0);
    }
}

/* Wait for an eventfd to count; returns the count (0: timed out). */
static uint64_t
wait_irq(int efd, int timeout_ms)
{
    struct pollfd p = {.fd = efd, .events = POLLIN};
    uint64_t v = 0;

    if (poll(&p, 1, timeout_ms) != 1 || read(efd, &v, sizeof(v)) != 8)
        return 0;
    return v;
}

/* The I/O region of an SSCH of one CCW (cmd, count) at CCW_ADDR, data at
 * DATA_ADDR; the CCW is written to guest memory. */
static void
fx_ssch_region(struct fx *f, uint8_t cmd, uint16_t count,
               uint8_t region[ZV_CCW_IO_REGION_SIZE])
{
    struct ccw1 ccw = {.cmd = cmd,
                       .flags = CCW_FLAG_SLI,
                       .count = count,
                       .cda = (uint32_t)DATA_ADDR};
    struct orb orb = {.intparm = 0xfeedf00d,
                      .fmt = true,
                      .pfch = true,
                      .c64 = true,
                      .lpm = 0xC0,
                      .cpa = (uint32_t)CCW_ADDR};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};

    memset(region, 0, ZV_CCW_IO_REGION_SIZE);
    ccw1_encode(&ccw, f->guest + (CCW_ADDR - GUEST_IOVA));
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
}

/* SSCH of one CCW at CCW_ADDR, data at DATA_ADDR, through the client. */
static ssize_t
fx_ssch(struct fx *f, uint8_t cmd, uint16_t count)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];

    fx_ssch_region(f, cmd, count, region);
    return zv_vfu_client_region_write(f->c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                      region, sizeof(region));
}

/* fx_ssch and a read of the whole I/O region into back, in one batch:
 * the write's result (the read must have been answered in full). */
static ssize_t
fx_ssch_batch(struct fx *f, uint8_t cmd, uint16_t count, uint8_t *back)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    struct zv_vfu_region_io ops[2] = {
        {.write = 1,
         .index = ZV_VFIO_CCW_CONFIG_REGION_INDEX,
         .buf = region,
         .len = sizeof(region)},
        {.write = 0,
         .index = ZV_VFIO_CCW_CONFIG_REGION_INDEX,
         .buf = back,
         .len = ZV_CCW_IO_REGION_SIZE},
    };

    fx_ssch_region(f, cmd, count, region);
    assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 2), 0);
    assert_int_equal(ops[1].result, ZV_CCW_IO_REGION_SIZE);
    return ops[0].result;
}

static void
fx_read_irb(struct fx *f, struct irb *irb, uint32_t *ret_code)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];

    assert_int_equal(zv_vfu_client_region_read(f->c,
                                               ZV_VFIO_CCW_CONFIG_REGION_INDEX,
                                               0, region, sizeof(region)),
                     sizeof(region));
    irb_decode(irb, region + ZV_CCW_IO_IRB_OFF);
    /* ret_code is u32 in host order on the kernel's s390x: big-endian */
    *ret_code = zv_be32(region + ZV_CCW_IO_RET_OFF);
}

static void
negotiation_and_device_layout_are_the_kernel_uapi(void **state)
{
    struct fx *f = *state;
    struct zv_vfu_caps caps;
    struct zv_vfu_device_info di;
    struct zv_vfu_region_info ri;
    struct zv_vfu_irq_info ii;
    uint8_t chain[64];
    uint32_t type, subtype;

    assert_int_equal(zv_vfu_client_connect(f->h.path, &f->c), 0);
    zv_vfu_client_caps(f->c, &caps);
    assert_int_equal(caps.max_msg_fds, ZV_VFU_SERVER_MAX_MSG_FDS);
    assert_int_equal(caps.max_data_xfer_size, ZV_VFU_SERVER_MAX_DATA_XFER);
    assert_int_equal(caps.max_dma_maps, 65535);
    assert_int_equal(caps.pgsizes, 4096);
    assert_int_equal(zv_vfu_client_device_info(f->c, &di), 0);
    assert_true(di.flags & ZV_VFIO_DEVICE_FLAGS_CCW);
    assert_true(di.flags & ZV_VFIO_DEVICE_FLAGS_RESET);
    assert_false(di.flags & ZV_VFIO_DEVICE_FLAGS_PCI);
    assert_int_equal(di.num_regions, 4);
    assert_int_equal(di.num_irqs, ZV_VFIO_CCW_NUM_IRQS);
    /* the I/O region: 124 bytes, read/write, no capability */
    assert_int_equal(
        zv_vfu_client_region_info(f->c, 0, &ri, chain, sizeof(chain)), 0);
    assert_int_equal(ri.size, ZV_CCW_IO_REGION_SIZE);
    assert_int_equal(ri.flags & 3, 3);
    assert_int_equal(ri.cap_len, 0);
    /* the capability regions say what they are by type/subtype */
    static const uint32_t sub[] = {0, ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD,
                                   ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB,
                                   ZV_VFIO_REGION_SUBTYPE_CCW_CRW};
    for (unsigned i = 1; i < 4; i++) {
        memset(chain, 0xee, sizeof(chain));
        assert_int_equal(
            zv_vfu_client_region_info(f->c, i, &ri, chain, sizeof(chain)), 0);
        assert_true(ri.flags & ZV_VFIO_REGION_INFO_FLAG_CAPS);
        assert_int_equal(ri.cap_len, ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE);
        assert_int_equal(
            zv_vfu_caps_find_type(chain, ri.cap_len, &type, &subtype), 0);
        assert_int_equal(type, ZV_VFIO_REGION_TYPE_CCW);
        assert_int_equal(subtype, sub[i]);
    }
    /* too small a buffer: told the size, given no chain */
    memset(chain, 0xee, sizeof(chain));
    assert_int_equal(zv_vfu_client_region_info(f->c, 2, &ri, chain, 4), 0);
    assert_int_equal(ri.cap_len, ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE);
    assert_int_equal(chain[0], 0xee);
    assert_int_equal(zv_vfu_client_region_info(f->c, 9, &ri, NULL, 0), -EINVAL);
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++) {
        assert_int_equal(zv_vfu_client_irq_info(f->c, i, &ii), 0);
        assert_int_equal(ii.index, i);
        assert_int_equal(ii.count, 1);
        assert_true(ii.flags & ZV_VFIO_IRQ_INFO_EVENTFD);
    }
    assert_int_equal(zv_vfu_client_irq_info(f->c, 3, &ii), -EINVAL);
    fx_client_close(f);
    wait_fds(f->baseline);
}

static void
ssch_runs_on_the_host_and_the_io_eventfd_fires(void **state)
{
    struct fx *f = *state;
    struct irb irb;
    uint32_t ret;
    static const uint8_t sense_id[7] = {0xFF, 0x39, 0x90, 0xE9,
                                        0x33, 0x90, 0x0C};

    fx_attach(f);
    memset(f->guest + (DATA_ADDR - GUEST_IOVA), 0x5a, 16);
    assert_int_equal(fx_ssch(f, 0xE4, 7), ZV_CCW_IO_REGION_SIZE);
    assert_true(wait_irq(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX], 5000) >= 1);
    fx_read_irb(f, &irb, &ret);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(irb.scsw.cstat, 0);
    /* the device's bytes are in the client's memfd, nothing past them */
    assert_memory_equal(f->guest + (DATA_ADDR - GUEST_IOVA), sense_id, 7);
    assert_int_equal(f->guest[DATA_ADDR - GUEST_IOVA + 7], 0x5a);
    /* the CPA in the status is a guest address: after the CCW */
    assert_int_equal(irb.scsw.cpa, (uint32_t)CCW_ADDR + 8);
    /* again, after a reset */
    assert_int_equal(zv_vfu_client_reset(f->c), 0);
    assert_int_equal(fx_ssch(f, 0x03, 0), ZV_CCW_IO_REGION_SIZE);
    assert_true(wait_irq(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX], 5000) >= 1);
    fx_read_irb(f, &irb, &ret);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    fx_client_close(f);
    wait_fds(f->baseline);
}

static void
unmapped_guest_memory_is_a_program_check_not_a_crash(void **state)
{
    struct fx *f = *state;
    struct irb irb;
    uint32_t ret;
    ssize_t rc;

    fx_attach(f);
    assert_int_equal(zv_vfu_client_dma_unmap(f->c, GUEST_IOVA, GUEST_SIZE), 0);
    assert_int_equal(zv_vfu_client_dma_unmap(f->c, GUEST_IOVA, GUEST_SIZE),
                     -ENOENT);
    /* the channel program cannot be fetched: the mediator says so (the
     * kernel's vfio-ccw fails the write with -EFAULT/-EINVAL or presents a
     * program check); either way no byte of the old memory moves */
    memset(f->guest, 0, GUEST_SIZE);
    rc = fx_ssch(f, 0xE4, 7);
    if (rc == ZV_CCW_IO_REGION_SIZE) {
        assert_true(wait_irq(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX], 5000) >= 1);
        fx_read_irb(f, &irb, &ret);
        assert_true(irb.scsw.cstat & SCHN_STAT_PROG_CHECK);
    } else {
        assert_true(rc < 0);
    }
    /* (fx_ssch itself wrote the CCW at CCW_ADDR) */
    for (size_t i = 0; i < GUEST_SIZE; i++)
        if (f->guest[i] != 0 && (i < CCW_ADDR - GUEST_IOVA ||
                                 i >= CCW_ADDR - GUEST_IOVA + CCW_SIZE))
            fail_msg("byte %zu written after unmap", i);
    /* map again: works; overlapping: EEXIST */
    assert_int_equal(zv_vfu_client_dma_map(f->c, f->memfd, 0, GUEST_IOVA,
                                           GUEST_SIZE, ZV_VFU_PROT_READ),
                     0);
    assert_int_equal(zv_vfu_client_dma_map(f->c, f->memfd, 0,
                                           GUEST_IOVA + 0x1000, 0x1000,
                                           ZV_VFU_PROT_READ),
                     -EEXIST);
    fx_client_close(f);
    wait_fds(f->baseline);
}

static void
each_client_gets_a_fresh_device_and_leaves_nothing_behind(void **state)
{
    struct fx *f = *state;
    struct zv_vfu_server_stats st;
    struct irb irb;
    uint32_t ret;

    for (unsigned round = 0; round < 5; round++) {
        struct vfu_hdr h;
        uint8_t buf[512];
        int second;

        fx_attach(f);
        /* one client at a time: a second one waits unanswered */
        second = wire_connect(f->h.path);
        assert_true(second >= 0);
        assert_int_equal(
            wire_send(second, 1, ZV_VFU_CMD_VERSION, 0, "\0\0\2\0", 4, NULL, 0),
            0);
        assert_int_equal(wire_recv(second, &h, buf, sizeof(buf), 200),
                         -ETIMEDOUT);
        assert_int_equal(fx_ssch(f, 0xE4, 7), ZV_CCW_IO_REGION_SIZE);
        assert_true(wait_irq(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX], 5000) >= 1);
        fx_read_irb(f, &irb, &ret);
        assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        /* the server holds the mapping and its own eventfds */
        assert_true(vfu_fd_count() > f->baseline);
        vfu_host_stats(&f->h, &st);
        assert_int_equal(st.dma_maps, 1);
        fx_client_close(f);
        /* now the second is served */
        assert_true(wire_recv(second, &h, buf, sizeof(buf), 5000) > 4);
        assert_int_equal(h.id, 1);
        assert_false(h.flags & ZV_VFU_F_ERROR);
        close(second);
        wait_fds(f->baseline);
    }
    vfu_host_stats(&f->h, &st);
    assert_int_equal(st.dma_maps, 0);
    assert_int_equal(st.clients, 10);
}

static void
client_vanishing_mid_io_leaves_a_quiesced_device(void **state)
{
    struct fx *f = *state;
    static const struct testdev_resp hold = {
        .dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END, .len = 64, .hold = true};
    struct irb irb;
    uint32_t ret;

    fx_attach(f);
    vfu_host_stop(&f->h); /* the device is the loop thread's */
    assert_int_equal(testdev_set_response(f->h.td, 0x02, &hold), 0);
    assert_int_equal(vfu_host_start(&f->h), 0);
    assert_int_equal(fx_ssch(f, 0x02, 64), ZV_CCW_IO_REGION_SIZE);
    /* gone while the device holds the read */
    fx_client_close(f);
    wait_fds(f->baseline);
    vfu_host_stop(&f->h);
    testdev_clear_response(f->h.td, 0x02);
    assert_int_equal(vfu_host_start(&f->h), 0);
    /* the next client finds a usable device */
    fx_attach(f);
    assert_int_equal(fx_ssch(f, 0xE4, 7), ZV_CCW_IO_REGION_SIZE);
    assert_true(wait_irq(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX], 5000) >= 1);
    fx_read_irb(f, &irb, &ret);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    fx_client_close(f);
    wait_fds(f->baseline);
}

struct signals {
    struct fx *f;
    unsigned clear, halt;
    bool holding;
};

static void
read_signals(void *arg)
{
    struct signals *sg = arg;

    sg->clear = testdev_signal_count(sg->f->h.td, CSS_SIGNAL_CLEAR);
    sg->halt = testdev_signal_count(sg->f->h.td, CSS_SIGNAL_HALT);
    sg->holding = testdev_holding(sg->f->h.td);
}

static void
dma_unmap_terminates_the_program_using_the_range(void **state)
{
    struct fx *f = *state;
    static const struct testdev_resp hold = {
        .dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END, .len = 64, .hold = true};
    struct signals before = {.f = f}, after = {.f = f};
    struct zv_vfu_server_stats st;

    fx_attach(f);
    vfu_host_stop(&f->h);
    assert_int_equal(testdev_set_response(f->h.td, 0x02, &hold), 0);
    assert_int_equal(vfu_host_start(&f->h), 0);
    assert_int_equal(fx_ssch(f, 0x02, 64), ZV_CCW_IO_REGION_SIZE);
    for (int i = 0; i < 5000 && !before.holding; i++) {
        vfu_host_call(&f->h, read_signals, &before);
        usleep(100);
    }
    assert_true(before.holding);
    /* the reply comes once nothing can reach the range any more: the
     * held program was cleared on the host */
    assert_int_equal(zv_vfu_client_dma_unmap(f->c, GUEST_IOVA, GUEST_SIZE), 0);
    vfu_host_call(&f->h, read_signals, &after);
    assert_int_equal(after.clear, before.clear + 1);
    assert_false(after.holding);
    vfu_host_stats(&f->h, &st);
    assert_int_equal(st.dma_maps, 0);
    vfu_host_stop(&f->h);
    testdev_clear_response(f->h.td, 0x02);
    assert_int_equal(vfu_host_start(&f->h), 0);
    fx_client_close(f);
    wait_fds(f->baseline);
}

struct release {
    struct fx *f;
    int rc;
};

/* On the loop thread: end the held command (-EINVAL: none held yet). */
static void
release_hold(void *arg)
{
    struct release *r = arg;

    r->rc = testdev_release(r->f->h.td, DEV_STAT_CHN_END | DEV_STAT_DEV_END, 0);
}

/* Read an eventfd without waiting: its count, 0 if it had none.  (Only
 * "none" vs "some" is asserted: under qemu-user an eventfd that reached
 * the server through SCM_RIGHTS is written untranslated, so a big-endian
 * run reads 1 << 56 for one signal.) */
static uint64_t
take_irq_now(int efd)
{
    uint64_t v = 0;

    if (read(efd, &v, sizeof(v)) != 8)
        return 0;
    return v;
}

/* SSCH + a region batch: the write starts a program on a device that
 * answers at once (the test device), and its reply and the read behind
 * it are held back until the program ran, so the read finds the status
 * and the IO eventfd already counts its interrupt (read without a poll).
 * A program that waits (a held command, a device with latency) does not
 * hold anything, and a write alone is answered at once. */
static void
ssch_batch_read_sees_the_status_of_a_program_that_ends_at_once(void **state)
{
    struct fx *f = *state;
    static const struct testdev_resp hold = {
        .dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END, .len = 64, .hold = true};
    struct release rel = {.f = f, .rc = -EINVAL};
    uint8_t back[ZV_CCW_IO_REGION_SIZE];
    int io;
    struct irb irb;
    uint32_t ret;

    fx_attach(f);
    io = f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX];
    for (unsigned i = 0; i < 200; i++) {
        assert_int_equal(fx_ssch_batch(f, 0xE4, 7, back),
                         ZV_CCW_IO_REGION_SIZE);
        irb_decode(&irb, back + ZV_CCW_IO_IRB_OFF);
        assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        assert_int_equal(irb.scsw.cstat, 0);
        assert_true(take_irq_now(io) > 0);
    }
    /* nothing left: the batch's read took the status */
    fx_read_irb(f, &irb, &ret);
    assert_int_equal(irb.scsw.stctl, 0);

    /* a held command: the reply does not wait for it */
    vfu_host_stop(&f->h);
    assert_int_equal(testdev_set_response(f->h.td, 0x02, &hold), 0);
    assert_int_equal(vfu_host_start(&f->h), 0);
    assert_int_equal(fx_ssch_batch(f, 0x02, 64, back), ZV_CCW_IO_REGION_SIZE);
    irb_decode(&irb, back + ZV_CCW_IO_IRB_OFF);
    assert_int_equal(irb.scsw.stctl, 0);
    assert_int_equal(take_irq_now(io), 0);
    for (int i = 0; i < 5000 && rel.rc; i++) {
        vfu_host_call(&f->h, release_hold, &rel);
        if (rel.rc)
            usleep(100);
    }
    assert_int_equal(rel.rc, 0);
    assert_true(wait_irq(io, 5000) > 0);
    fx_read_irb(f, &irb, &ret);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);

    /* a device with latency: the replies come before the timer, for a
     * batch and for a write alone */
    vfu_host_stop(&f->h);
    testdev_clear_response(f->h.td, 0x02);
    testdev_set_default_latency(f->h.td, 300000000ull, 300000000ull);
    assert_int_equal(vfu_host_start(&f->h), 0);
    for (int lone = 0; lone < 2; lone++) {
        if (lone) {
            assert_int_equal(fx_ssch(f, 0xE4, 7), ZV_CCW_IO_REGION_SIZE);
        } else {
            assert_int_equal(fx_ssch_batch(f, 0xE4, 7, back),
                             ZV_CCW_IO_REGION_SIZE);
            irb_decode(&irb, back + ZV_CCW_IO_IRB_OFF);
            assert_int_equal(irb.scsw.stctl, 0);
        }
        assert_int_equal(take_irq_now(io), 0);
        assert_true(wait_irq(io, 5000) > 0);
        fx_read_irb(f, &irb, &ret);
        assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    }
    vfu_host_stop(&f->h);
    testdev_set_default_latency(f->h.td, 0, 0);
    assert_int_equal(vfu_host_start(&f->h), 0);
    fx_client_close(f);
    wait_fds(f->baseline);
}

/* Region accesses in one exchange: each answered, in order, with its own
 * result; a refused one in the middle does not disturb the others; bad
 * batches are refused before anything is sent (the handle stays usable). */
static void
region_batch_answers_each_access_in_order(void **state)
{
    struct fx *f = *state;
    uint8_t io[ZV_CCW_IO_REGION_SIZE], back[ZV_CCW_IO_REGION_SIZE];
    uint8_t schib[ZV_CCW_SCHIB_REGION_SIZE], crw[ZV_CCW_CRW_REGION_SIZE];
    uint8_t junk[8] = {0};
    struct zv_vfu_region_io ops[ZV_VFU_REGION_BATCH_MAX + 1];
    struct irb irb;

    fx_attach(f);
    fx_ssch_region(f, 0xE4, 7, io);

    /* SSCH + the I/O region: the read sees the status of the program the
     * write started (it ends at once), its interrupt already counted */
    for (unsigned round = 0; round < 50; round++) {
        memset(back, 0xee, sizeof(back));
        ops[0] = (struct zv_vfu_region_io){
            .write = 1, .index = 0, .buf = io, .len = sizeof(io)};
        ops[1] = (struct zv_vfu_region_io){
            .write = 0, .index = 0, .buf = back, .len = sizeof(back)};
        assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 2), 0);
        assert_int_equal(ops[0].result, ZV_CCW_IO_REGION_SIZE);
        assert_int_equal(ops[1].result, ZV_CCW_IO_REGION_SIZE);
        irb_decode(&irb, back + ZV_CCW_IO_IRB_OFF);
        assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        assert_int_equal(irb.scsw.cpa, (uint32_t)CCW_ADDR + 8);
        assert_int_equal(zv_be32(back + ZV_CCW_IO_RET_OFF), 0);
        assert_true(take_irq_now(f->efd[ZV_VFIO_CCW_IO_IRQ_INDEX]) > 0);
    }
    /* the status was consumed by the batch's read: none left */
    fx_read_irb(f, &irb, &(uint32_t){0});
    assert_int_equal(irb.scsw.stctl, 0);

    /* a refused access in the middle: a write to the read-only CRW
     * region; the reads around it are answered */
    ops[0] = (struct zv_vfu_region_io){
        .write = 0, .index = 2, .buf = schib, .len = sizeof(schib)};
    ops[1] = (struct zv_vfu_region_io){
        .write = 1, .index = 3, .buf = junk, .len = sizeof(junk)};
    ops[2] = (struct zv_vfu_region_io){
        .write = 0, .index = 3, .buf = crw, .len = sizeof(crw)};
    ops[3] = (struct zv_vfu_region_io){
        .write = 0, .index = 9, .buf = junk, .len = sizeof(junk)};
    ops[4] = (struct zv_vfu_region_io){
        .write = 0, .index = 0, .buf = back, .len = 4096};
    assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 5), 0);
    assert_int_equal(ops[0].result, sizeof(schib));
    assert_true(ops[1].result < 0);
    assert_int_equal(ops[2].result, sizeof(crw));
    assert_true(ops[3].result < 0);
    assert_true(ops[4].result < 0);
    /* the SCHIB is the test device's: device number in the PMCW */
    assert_int_equal(zv_be16(schib + 6), VFU_HOST_DEVNO);

    /* bad batches: nothing sent, the handle still works */
    assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 0), -EINVAL);
    for (unsigned i = 0; i <= ZV_VFU_REGION_BATCH_MAX; i++)
        ops[i] = (struct zv_vfu_region_io){
            .write = 0, .index = 2, .buf = schib, .len = sizeof(schib)};
    assert_int_equal(
        zv_vfu_client_region_batch(f->c, ops, ZV_VFU_REGION_BATCH_MAX + 1),
        -EINVAL);
    ops[3].len = 0;
    assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 4), -EINVAL);
    ops[3].len = sizeof(schib);
    ops[3].buf = NULL;
    assert_int_equal(zv_vfu_client_region_batch(f->c, ops, 4), -EINVAL);
    ops[3].buf = schib;
    /* the most a batch holds */
    assert_int_equal(
        zv_vfu_client_region_batch(f->c, ops, ZV_VFU_REGION_BATCH_MAX), 0);
    for (unsigned i = 0; i < ZV_VFU_REGION_BATCH_MAX; i++)
        assert_int_equal(ops[i].result, sizeof(schib));
    fx_client_close(f);
    wait_fds(f->baseline);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            negotiation_and_device_layout_are_the_kernel_uapi, setup, teardown),
        cmocka_unit_test_setup_teardown(
            ssch_runs_on_the_host_and_the_io_eventfd_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(
            unmapped_guest_memory_is_a_program_check_not_a_crash, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            each_client_gets_a_fresh_device_and_leaves_nothing_behind, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            client_vanishing_mid_io_leaves_a_quiesced_device, setup, teardown),
        cmocka_unit_test_setup_teardown(
            dma_unmap_terminates_the_program_using_the_range, setup, teardown),
        cmocka_unit_test_setup_teardown(
            ssch_batch_read_sees_the_status_of_a_program_that_ends_at_once,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            region_batch_answers_each_access_in_order, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
