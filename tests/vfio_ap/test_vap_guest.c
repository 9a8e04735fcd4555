/* SPDX-License-Identifier: MIT */
/*
 * The guest's AP path through the instruction region: every instruction
 * checked against the guest APCB (reference §5.4: RC 01, cc 3 outside),
 * the request reaching the card inside, QCI answering the guest's
 * configuration, AQIC interception (§4.3), guest-address faults that
 * never cost a reply, hot unplug mid-run as errors on that queue only,
 * and the REQ IRQ on removal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ap/ap_msg.h"
#include "base/bytes.h"
#include "vh.h"

#define UA "11111111-2222-3333-4444-555555555555"

#define MSG_OFF 0x0000 /* request message in guest memory */
#define REP_OFF 0x4000 /* reply buffer */
#define QCI_OFF 0x8000
#define NIB_OFF 0x9000
#define FC(fc)  ((uint64_t)(fc) << 24)
#define T_BIT   (1ull << 23)
#define AQIC_IR (1ull << 47)

static const uint8_t cards[] = {5, 6, 7};

/* Cards 05-07, domains 4, 5 to vfio; the mdev holds 05, 06 x 4, 5 with
 * 06.0005 unbound, so the guest matrix is 05 x {4, 5}. */
static struct vh *
setup(struct zv_vdev **vd, struct vh_guest *g)
{
    struct vh *h = vh_new(NULL, cards, 3, 4, 5);

    vh_apmask(h, "-5-7", 0);
    vh_aqmask(h, "-4,-5", 0);
    *vd = vh_mdev(h, UA);
    assert_int_equal(vh_store(h, *vd, "ap_config", "0x06,0x0c,0x00"), 14);
    vh_unbind(h, 6, 5);
    assert_string_equal(vh_show(h, *vd, "guest_matrix"), "05.0004\n05.0005\n");
    vh_run(h); /* the resets of adapter 06, filtered out */
    vh_guest_open(h, g, *vd);
    return h;
}

static void
teardown(struct vh *h, struct vh_guest *g)
{
    vh_guest_close(g);
    vh_free(h);
}

static uint64_t
enqueued(struct vh *h, unsigned apid, unsigned apqi)
{
    struct ap_queue_stats st;
    struct ap_queue *q = ap_queue_find(h->bus, AP_MKQN(apid, apqi));

    if (!q)
        return 0;
    ap_queue_stats(q, &st);
    return st.enqueued;
}

/* An ME request with exponent 1: the result is the message itself, so
 * the test can check the card's work without a bignum library. */
static size_t
put_identity_request(struct vh_guest *g, uint8_t fill)
{
    uint8_t e[1] = {1}, mod[128], msg[128];
    int n;

    memset(mod, 0xff, sizeof(mod)); /* odd, large */
    memset(msg, fill, sizeof(msg));
    msg[0] = 0x12;
    n = ap_t50_build_mex(g->mem + MSG_OFF, 0x4000, e, 1, mod, sizeof(mod), msg,
                         sizeof(msg));
    assert_true(n > 0);
    return (size_t)n;
}

static void
check_identity_reply(struct vh_guest *g, size_t len, uint8_t fill)
{
    uint8_t res[128], code = 0, want[128];
    int rc = ap_t80_parse(g->mem + REP_OFF, len, res, sizeof(res), &code);

    if (!ap_cex_accel_available()) {
        /* built without libcrypto: a type-88 module failure */
        assert_int_equal(rc, -EIO);
        assert_int_equal(code, AP_REP88_MODULE_FAILURE);
        return;
    }
    memset(want, fill, sizeof(want));
    want[0] = 0x12;
    assert_int_equal(rc, 0);
    assert_memory_equal(res, want, sizeof(want));
}

static void
test_tapq_inside_outside(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    struct zv_vfio_ap_counters c;
    struct ap_tapq_info info;
    struct vh_insn r;
    uint64_t resets0;

    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    resets0 = c.resets;
    r = vh_pqap(&g, FC(AP_FC_TAPQ) | T_BIT | AP_MKQN(5, 4), 0, 0);
    assert_int_equal(r.ret, 0);
    assert_int_equal(r.pic, 0);
    assert_int_equal(r.cc, 0);
    assert_int_equal(r.st.rc, AP_RC_NORMAL);
    assert_true(r.st.empty);
    ap_tapq_info_decode(r.gr2, &info);
    assert_int_equal(info.at, AP_TYPE_CEX7);
    assert_true(info.accel);
    /* assigned but filtered (06.0005 unbound), assigned nowhere, not
     * installed, host-owned: all RC 01 with cc 3, flags clear */
    const uint16_t outside[] = {AP_MKQN(6, 4), AP_MKQN(6, 5), AP_MKQN(7, 4),
                                AP_MKQN(9, 4), AP_MKQN(5, 6), AP_MKQN(5, 1)};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        r = vh_pqap(&g, FC(AP_FC_TAPQ) | T_BIT | outside[i],
                    0xabcdef0100000000ull, 0);
        assert_int_equal(r.cc, 3);
        assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
        assert_false(r.st.empty);
        assert_int_equal(r.gr1 >> 32, 0xabcdef01); /* GR1 bits 0-31 kept */
        assert_int_equal(r.gr2, 0);
        r = vh_nqap(&g, AP_QN_APID(outside[i]), AP_QN_APQI(outside[i]), 7,
                    VH_IOVA + MSG_OFF, 16);
        assert_int_equal(r.cc, 3);
        assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
        r = vh_dqap(&g, AP_QN_APID(outside[i]), AP_QN_APQI(outside[i]),
                    VH_IOVA + REP_OFF, 512);
        assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
        r = vh_pqap(&g, FC(AP_FC_ZAPQ) | outside[i], 0, 0);
        assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
        r = vh_pqap(&g, FC(AP_FC_AQIC) | outside[i], AQIC_IR,
                    VH_IOVA + NIB_OFF);
        assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
    }
    /* nothing reached the host queues */
    assert_int_equal(enqueued(h, 6, 4), 0);
    assert_int_equal(enqueued(h, 7, 4), 0);
    assert_int_equal(zv_vfio_ap_counters(vd, &c), 0);
    assert_int_equal(c.guest_rejected, 6 * 5);
    assert_int_equal(c.resets, resets0); /* the guest's ZAPQs: refused */
    teardown(h, &g);
}

static void
test_specification(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    const uint64_t bad[] = {
        FC(AP_FC_TAPQ) | (1ull << 16) | AP_MKQN(5, 4), /* bit 47 */
        FC(AP_FC_RAPQ) | T_BIT | AP_MKQN(5, 4),        /* T not TAPQ */
        FC(AP_FC_TAPQ) | (1ull << 22) | AP_MKQN(5, 4), /* F with TAPQ */
        FC(AP_FC_QACT) | AP_MKQN(5, 4),                /* not installed */
        FC(0x42) | AP_MKQN(9, 9),                      /* before RC 01 */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vh_insn r = vh_pqap(&g, bad[i], 0, 0);

        assert_int_equal(r.pic, AP_PIC_SPECIFICATION);
        assert_int_equal(r.ret, 0);
    }
    teardown(h, &g);
}

/* QCI under interpretation answers the guest's APCB. */
static void
test_qci_guest_view(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    struct ap_config c;
    struct vh_insn r;

    assert_int_equal(vh_store(h, vd, "assign_control_domain", "0"), 1);
    r = vh_pqap(&g, FC(AP_FC_QCI), 0, VH_IOVA + QCI_OFF);
    assert_int_equal(r.pic, 0);
    assert_int_equal(r.cc, 0);
    ap_config_decode(g.mem + QCI_OFF, &c);
    assert_true(c.apxa);
    assert_int_equal(c.na, 255);
    assert_int_equal(c.apm.b[0], 0x04); /* adapter 5 only */
    assert_int_equal(c.aqm.b[0], 0x0c); /* domains 4, 5 */
    assert_true(ap_mask_empty(&c.adm)); /* 0 is not in the host's ADM */
    assert_int_equal(ap_mask_weight(&c.apm), 1);
    r = vh_pqap(&g, FC(AP_FC_QCI), 0, 0x7000000);
    assert_int_equal(r.pic, ZV_AP_PIC_ADDRESSING);
    teardown(h, &g);
}

/* NQAP/DQAP: the request reaches the card, the reply comes back with its
 * PSMID, a partial DQAP leaves the rest queued. */
static void
test_nqap_dqap(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    size_t len = put_identity_request(&g, 0x5a);
    struct vh_insn r;

    r = vh_nqap(&g, 5, 4, 0x1122334455667788ull, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.cc, 0);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(enqueued(h, 5, 4), 1);
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF, 512);
    assert_int_equal(r.st.rc, AP_RC_NO_PENDING_REPLY); /* still working */
    assert_false(r.st.empty);
    vh_run(h);
    /* a 10-byte buffer first: more to come */
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF, 10);
    assert_int_equal(r.st.rc, 0);
    assert_true(r.more);
    assert_int_equal(r.len, 10);
    assert_int_equal(r.psmid, 0x1122334455667788ull);
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF + 10, 1024);
    assert_int_equal(r.st.rc, 0);
    assert_false(r.more);
    assert_int_equal(r.psmid, 0x1122334455667788ull);
    check_identity_reply(&g, 10 + r.len, 0x5a);
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF, 512);
    assert_int_equal(r.st.rc, AP_RC_NO_PENDING_REPLY);
    assert_true(r.st.empty);
    /* too big for the queue: RC 15 without touching guest memory */
    r = vh_nqap(&g, 5, 4, 1, 0xdead0000, 12 * 1024 + 1);
    assert_int_equal(r.st.rc, AP_RC_MESSAGE_TOO_BIG);
    teardown(h, &g);
}

/* A bad guest address is a program check (addressing) and costs no
 * reply: the reply stays queued for the next, good DQAP. */
static void
test_bad_addresses(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    size_t len = put_identity_request(&g, 0x33);
    struct vh_insn r;

    r = vh_nqap(&g, 5, 5, 9, VH_IOVA + VH_MEM_SIZE - 8, len);
    assert_int_equal(r.pic, ZV_AP_PIC_ADDRESSING);
    assert_int_equal(enqueued(h, 5, 5), 0);
    r = vh_nqap(&g, 5, 5, 9, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.st.rc, 0);
    vh_run(h);
    r = vh_dqap(&g, 5, 5, 0x10, 512);
    assert_int_equal(r.pic, ZV_AP_PIC_ADDRESSING);
    r = vh_dqap(&g, 5, 5, VH_IOVA + REP_OFF, 1024);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(r.psmid, 9);
    check_identity_reply(&g, r.len, 0x33);
    teardown(h, &g);
}

/* AQIC interception: NIB checks (RC 06), RC 07, the indicator set and
 * the NIB IRQ on a reply, disable, and dma_unmap disabling first. */
static void
test_aqic(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    size_t len = put_identity_request(&g, 0x44);
    struct vh_insn r;

    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), AQIC_IR | 3, 0);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_INVALID_ADDRESS);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), AQIC_IR | 3, 0x5000);
    assert_int_equal(r.st.rc, AP_RC_INVALID_ADDRESS);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), AQIC_IR | 3,
                VH_IOVA + NIB_OFF);
    assert_int_equal(r.cc, 0);
    assert_int_equal(r.st.rc, 0);
    assert_true(r.st.irq);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), AQIC_IR | 3,
                VH_IOVA + NIB_OFF);
    assert_int_equal(r.st.rc, AP_RC_OTHERWISE_CHANGED);
    r = vh_nqap(&g, 5, 4, 1, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(g.mem[NIB_OFF], 0);
    vh_run(h);
    assert_int_equal(g.mem[NIB_OFF], 1);
    assert_int_equal(g.nib, 1);
    /* disable */
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), 0, 0);
    assert_int_equal(r.st.rc, 0);
    assert_false(r.st.irq);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 4), 0, 0);
    assert_int_equal(r.st.rc, AP_RC_OTHERWISE_CHANGED);
    /* re-enable, then unmap the NIB: the host queue's interruptions go */
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 5), AQIC_IR, VH_IOVA + NIB_OFF);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(zv_vdev_dma_unmap(vd, VH_IOVA, VH_MEM_SIZE), 0);
    assert_true(ap_tapq(h->bus, AP_MKQN(5, 5), false, NULL).st.irq == false);
    assert_int_equal(
        zv_vdev_dma_map(vd, VH_IOVA, VH_MEM_SIZE, g.mem, ZV_MEM_RW), 0);
    /* a reset drops the guest's enablement with the host's */
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 5), AQIC_IR, VH_IOVA + NIB_OFF);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(zv_vdev_reset(vd), 0);
    vh_run(h);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 5), AQIC_IR, VH_IOVA + NIB_OFF);
    assert_int_equal(r.st.rc, 0);
    teardown(h, &g);
}

/* Hot unplug mid-run: the unplugged adapter's queue answers RC 01, the
 * other adapter's request completes. */
static void
test_hot_unplug_mid_run(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    size_t len = put_identity_request(&g, 0x21);
    struct vh_insn r;

    assert_int_equal(vh_bind(h, 6, 5), 0);
    assert_string_equal(vh_show(h, vd, "guest_matrix"),
                        "05.0004\n05.0005\n06.0004\n06.0005\n");
    assert_int_equal(g.cfg_chg, 1);
    assert_int_equal(vh_nqap(&g, 5, 4, 1, VH_IOVA + MSG_OFF, len).st.rc, 0);
    assert_int_equal(vh_nqap(&g, 6, 4, 2, VH_IOVA + MSG_OFF, len).st.rc, 0);
    vh_unbind(h, 5, 5);
    assert_int_equal(g.cfg_chg, 2);
    vh_run(h);
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF, 1024);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
    r = vh_dqap(&g, 6, 4, VH_IOVA + REP_OFF, 1024);
    assert_int_equal(r.st.rc, 0);
    assert_int_equal(r.psmid, 2);
    check_identity_reply(&g, r.len, 0x21);
    teardown(h, &g);
}

/* Every response code a guest can meet through the region, each from the
 * condition that causes it (reference §5.3; docs/ap.md). */
static void
test_response_codes(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    size_t len = put_identity_request(&g, 0x10);
    struct vh_insn r;

    /* 00 and 10 (DQAP: no reply pending, queue empty) */
    r = vh_tapq(&g, 5, 4);
    assert_int_equal(r.cc, 0);
    assert_int_equal(r.st.rc, AP_RC_NORMAL);
    r = vh_dqap(&g, 5, 4, VH_IOVA + REP_OFF, 512);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_NO_PENDING_REPLY);
    /* 10 (NQAP: queue full after qd + 1 = 8 requests), F bit */
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(vh_nqap(&g, 5, 4, i, VH_IOVA + MSG_OFF, len).st.rc, 0);
    r = vh_nqap(&g, 5, 4, 9, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_Q_FULL);
    assert_true(r.st.full);
    /* 02: the guest's own ZAPQ, then anything until it completes */
    r = vh_pqap(&g, FC(AP_FC_ZAPQ) | AP_MKQN(5, 4), 0, 0);
    assert_int_equal(r.cc, 0);
    r = vh_tapq(&g, 5, 4);
    assert_int_equal(r.st.rc, AP_RC_RESET_IN_PROGRESS);
    r = vh_pqap(&g, FC(AP_FC_RAPQ) | AP_MKQN(5, 4), 0, 0);
    assert_int_equal(r.st.rc, AP_RC_RESET_IN_PROGRESS);
    vh_run(h);
    r = vh_tapq(&g, 5, 4);
    assert_int_equal(r.st.rc, AP_RC_NORMAL);
    assert_true(r.st.empty); /* the reset discarded all eight */
    /* 05: busy */
    assert_int_equal(ap_queue_inject_busy(h->bus, AP_MKQN(5, 5), 1), 0);
    r = vh_nqap(&g, 5, 5, 1, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.st.rc, AP_RC_BUSY);
    /* 15: message too big */
    r = vh_nqap(&g, 5, 5, 1, VH_IOVA + MSG_OFF, 13000);
    assert_int_equal(r.st.rc, AP_RC_MESSAGE_TOO_BIG);
    /* 06 and 07: AQIC */
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 5), AQIC_IR, 0);
    assert_int_equal(r.st.rc, AP_RC_INVALID_ADDRESS);
    r = vh_pqap(&g, FC(AP_FC_AQIC) | AP_MKQN(5, 5), 0, 0);
    assert_int_equal(r.st.rc, AP_RC_OTHERWISE_CHANGED);
    /* 03 and 04: the adapter deconfigured / checkstopped (still in the
     * configuration and in the guest matrix: RCs 03/04 pass, §8) */
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_DECONFIGURED),
                     0);
    r = vh_tapq(&g, 5, 4);
    assert_int_equal(r.cc, 3);
    assert_int_equal(r.st.rc, AP_RC_DECONFIGURED);
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_CHECKSTOPPED),
                     0);
    r = vh_nqap(&g, 5, 4, 1, VH_IOVA + MSG_OFF, len);
    assert_int_equal(r.st.rc, AP_RC_CHECKSTOPPED);
    assert_int_equal(ap_adapter_set_state(h->bus, 5, AP_ADAPTER_OPERATIONAL),
                     0);
    /* 01: the adapter left the machine's configuration; the bus has not
     * scanned yet (still in the guest matrix): the host queue says 01 */
    assert_int_equal(ap_config_adapter(h->bus, 5, false), 0);
    r = vh_tapq(&g, 5, 4);
    assert_int_equal(r.st.rc, AP_RC_Q_NOT_AVAIL);
    vh_run(h);
    /* no adapter left: the domains-only form */
    assert_string_equal(vh_show(h, vd, "guest_matrix"), ".0004\n.0005\n");
    teardown(h, &g);
}

static void
test_region_and_req(void **state)
{
    struct zv_vdev *vd;
    struct vh_guest g;
    struct vh *h = setup(&vd, &g);
    uint8_t b[ZV_AP_INSN_SIZE] = {0};
    struct zv_vdev_region_info ri;

    assert_int_equal(zv_vdev_get_region_info(vd, 0, &ri, NULL, 0), 0);
    assert_int_equal(ri.size, ZV_AP_INSN_SIZE);
    /* only whole-block writes execute */
    assert_int_equal(zv_vdev_region_write(vd, 0, 0, b, 8), -EINVAL);
    assert_int_equal(zv_vdev_region_write(vd, 0, 8, b, 8), -EINVAL);
    b[0] = 0x77; /* unknown instruction */
    assert_int_equal(zv_vdev_region_write(vd, 0, 0, b, sizeof(b)), sizeof(b));
    assert_int_equal(zv_vdev_region_read(vd, 0, 0, b, sizeof(b)), sizeof(b));
    assert_int_equal((int32_t)zv_be32(b + ZV_AP_INSN_OFF_RET), -EINVAL);
    /* removal while attached asks the user to let go (REQ IRQ); the
     * user's reference keeps the device, which answers -ENODEV */
    zv_vdev_get(vd);
    assert_int_equal(zv_mdev_remove(h->mbus, UA), 0);
    assert_int_equal(g.req, 1);
    assert_int_equal(zv_vdev_region_write(vd, 0, 0, b, sizeof(b)), -ENODEV);
    zv_vdev_close(vd);
    zv_vdev_put(vd);
    free(g.mem);
    vh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tapq_inside_outside),
        cmocka_unit_test(test_specification),
        cmocka_unit_test(test_qci_guest_view),
        cmocka_unit_test(test_nqap_dqap),
        cmocka_unit_test(test_bad_addresses),
        cmocka_unit_test(test_aqic),
        cmocka_unit_test(test_hot_unplug_mid_run),
        cmocka_unit_test(test_response_codes),
        cmocka_unit_test(test_region_and_req),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
