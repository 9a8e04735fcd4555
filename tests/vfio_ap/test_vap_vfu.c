/* SPDX-License-Identifier: MIT */
/*
 * A vfio_ap mdev served over vfio-user: a client on another thread sees
 * the device as the kernel presents vfio-ap (flags AP | RESET, REQ and
 * CFG_CHG IRQs, plus the NIB extension) and drives the guest AP path
 * through the instruction region with its memory DMA-mapped from a memfd:
 * a request reaches the card and its reply comes back; an APQN outside
 * the guest matrix answers RC 01; a hot unplug on the host raises the
 * CFG_CHG eventfd.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ap/ap_msg.h"
#include "base/bytes.h"
#include "loop_thread.h"
#include "vfio_ap/vfio_ap.h"
#include "vfu/server.h"
#include "zvfio/client.h"

#define UUID    "0b6f1e28-7c1c-4a57-8e35-6d1f1f2aa0a0"
#define IOVA    0x100000ull
#define MEMSZ   (64u * 1024)
#define REP_OFF 0x4000

struct host {
    struct zv_loop *loop;
    struct ap_bus *bus;
    struct zv_mdev_bus *mbus;
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd;
    struct zv_vfu_server *srv;
    pthread_t thread;
    bool running;
};

static void
host_setup(struct host *h, int fd)
{
    static const uint8_t cards[] = {5, 6};
    struct zv_vdev *vd = NULL;

    memset(h, 0, sizeof(*h));
    h->loop = zv_loop_new_real();
    h->bus = ap_bus_new(h->loop, NULL);
    h->mbus = zv_mdev_bus_new();
    assert_non_null(h->loop);
    assert_non_null(h->bus);
    for (unsigned i = 0; i < 2; i++) {
        struct ap_adapter_desc d = {.apid = cards[i],
                                    .type = AP_TYPE_CEX7,
                                    .mode = AP_MODE_ACCEL,
                                    .configured = true};

        assert_int_equal(ap_adapter_add(h->bus, &d), 0);
    }
    assert_int_equal(ap_config_domain(h->bus, 4, true), 0);
    /* the scan, before the loop thread exists */
    while (zv_loop_run_once(h->loop, 0) > 0)
        ;
    assert_int_equal(ap_bus_apmask_store(h->bus, "-5,-6"), 0);
    assert_int_equal(ap_bus_aqmask_store(h->bus, "-4"), 0);
    h->drv = zv_vfio_ap_new(h->bus, h->mbus);
    assert_non_null(h->drv);
    assert_int_equal(zv_mdev_create(zv_vfio_ap_parent(h->drv),
                                    ZV_VFIO_AP_TYPE_ID, UUID, &vd),
                     0);
    h->vd = vd;
    assert_int_equal(zv_vfio_ap_attr_store(vd, "ap_config", "0x06,0x08,0", 11),
                     11);
    assert_int_equal(zv_vfu_server_new(h->loop, vd, NULL, &h->srv), 0);
    assert_int_equal(zv_vfu_server_attach(h->srv, fd), 0);
    assert_int_equal(loop_thread_start(h->loop, &h->thread, &h->running), 0);
}

static void
host_free(struct host *h)
{
    loop_thread_stop(h->loop, &h->thread, &h->running);
    zv_vfu_server_free(h->srv);
    zv_vfio_ap_free(h->drv);
    zv_mdev_bus_free(h->mbus);
    ap_bus_free(h->bus);
    zv_loop_free(h->loop);
}

struct insn {
    uint8_t cc;
    uint16_t pic;
    struct ap_qstatus st;
    uint64_t psmid, len;
};

static struct insn
exec(struct zv_vfu_client *c, uint8_t op, uint64_t gr0, uint64_t psmid,
     uint64_t addr, uint64_t len)
{
    uint8_t b[ZV_AP_INSN_SIZE] = {0};
    struct insn r;

    b[ZV_AP_INSN_OFF_OP] = op;
    zv_put_be64(b + ZV_AP_INSN_OFF_GR0, gr0);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_ADDR, addr);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, len);
    assert_int_equal(zv_vfu_client_region_write(c, 0, 0, b, sizeof(b)),
                     sizeof(b));
    assert_int_equal(zv_vfu_client_region_read(c, 0, 0, b, sizeof(b)),
                     sizeof(b));
    r.cc = b[ZV_AP_INSN_OFF_CC];
    r.pic = zv_be16(b + ZV_AP_INSN_OFF_PIC);
    ap_qstatus_decode((uint32_t)zv_be64(b + ZV_AP_INSN_OFF_GR1), &r.st);
    r.psmid = zv_be64(b + ZV_AP_INSN_OFF_PSMID);
    r.len = zv_be64(b + ZV_AP_INSN_OFF_LEN);
    return r;
}

static void
unbind_06(void *arg)
{
    struct host *h = arg;

    ap_queue_unbind(ap_queue_find(h->bus, AP_MKQN(6, 4)));
}

static void
test_served(void **state)
{
    struct zv_vfu_device_info di;
    struct zv_vfu_region_info ri;
    struct zv_vfu_irq_info ii;
    struct zv_vfu_client *c;
    struct host h;
    uint8_t e = 1, mod[128], msg[128], res[128], code;
    struct pollfd pfd;
    int sv[2], memfd, efd, n;
    uint64_t cnt;
    uint8_t *mem;
    struct insn r;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    host_setup(&h, sv[0]);
    assert_int_equal(zv_vfu_client_from_fd(sv[1], &c), 0);
    assert_int_equal(zv_vfu_client_device_info(c, &di), 0);
    assert_int_equal(di.flags,
                     ZV_VFIO_DEVICE_FLAGS_AP | ZV_VFIO_DEVICE_FLAGS_RESET);
    assert_int_equal(di.num_regions, 1);
    assert_int_equal(di.num_irqs, 3);
    assert_int_equal(zv_vfu_client_region_info(c, 0, &ri, NULL, 0), 0);
    assert_int_equal(ri.size, ZV_AP_INSN_SIZE);
    assert_int_equal(
        zv_vfu_client_irq_info(c, ZV_VFIO_AP_CFG_CHG_IRQ_INDEX, &ii), 0);
    assert_int_equal(ii.count, 1);
    memfd = zv_vfu_memfd_create("vap", MEMSZ);
    assert_true(memfd >= 0);
    mem = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    assert_true(mem != MAP_FAILED);
    assert_int_equal(
        zv_vfu_client_dma_map(c, memfd, 0, IOVA, MEMSZ,
                              ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE),
        0);
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    assert_true(efd >= 0);
    assert_int_equal(
        zv_vfu_client_set_irq_eventfd(c, ZV_VFIO_AP_CFG_CHG_IRQ_INDEX, efd), 0);
    /* an ME request with exponent 1 through the card */
    memset(mod, 0xff, sizeof(mod));
    memset(msg, 0x61, sizeof(msg));
    n = ap_t50_build_mex(mem, REP_OFF, &e, 1, mod, sizeof(mod), msg,
                         sizeof(msg));
    assert_true(n > 0);
    r = exec(c, ZV_AP_INSN_NQAP, AP_MKQN(5, 4), 42, IOVA, (uint64_t)n);
    assert_int_equal(r.cc, 0);
    for (unsigned i = 0; i < 2000; i++) {
        r = exec(c, ZV_AP_INSN_DQAP, AP_MKQN(5, 4), 0, IOVA + REP_OFF, 1024);
        if (r.st.rc != AP_RC_NO_PENDING_REPLY)
            break;
        usleep(1000);
    }
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(r.psmid, 42);
    n = ap_t80_parse(mem + REP_OFF, r.len, res, sizeof(res), &code);
    if (ap_cex_accel_available()) {
        assert_int_equal(n, 0);
        assert_memory_equal(res, msg, sizeof(msg));
    } else {
        assert_int_equal(n, -EIO);
    }
    /* outside the guest matrix */
    r = exec(c, ZV_AP_INSN_PQAP, AP_MKQN(7, 4), 0, 0, 0);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
    /* a hot unplug on the host: the CFG_CHG eventfd fires */
    loop_thread_call(h.loop, unbind_06, &h);
    pfd = (struct pollfd){.fd = efd, .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));
    assert_int_equal(cnt, 1);
    r = exec(c, ZV_AP_INSN_PQAP, AP_MKQN(6, 4), 0, 0, 0);
    assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
    zv_vfu_client_close(c);
    host_free(&h);
    close(efd);
    munmap(mem, MEMSZ);
    close(memfd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_served),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
