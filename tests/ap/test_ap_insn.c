/* SPDX-License-Identifier: MIT */
/*
 * AP instructions (reference §5): every response code the model gives
 * and the queue state transitions behind them.  A scripted "echo" card
 * (fixed latency, reply = request bytes) keeps timing exact; the
 * built-in models are exercised in test_ap_msg/test_ap_crypto.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ah.h"
#include "ap/ap_msg.h"

#define ECHO_LAT 1000u
#define RESET_NS 50000u
#define QN       AP_MKQN(5, 4)

struct it {
    struct ah *h;
    struct ah_drv drv;
    unsigned processed;
};

static size_t
echo_process(void *arg, uint16_t apqn, const uint8_t *req, size_t len,
             uint8_t *reply, size_t max)
{
    struct it *t = arg;

    t->processed++;
    if (len > max)
        len = max;
    memcpy(reply, req, len);
    return len;
}

static uint64_t
echo_latency(void *arg, const uint8_t *req, size_t len)
{
    return ECHO_LAT;
}

static const struct ap_card_ops echo_ops = {echo_process, echo_latency};

/* Adapter 05 (CEX7A, qd 1: two entries) with the echo card, domain 4;
 * adapter 06 (CEX8C, built-in model); one default driver bound. */
static int
setup(void **state)
{
    struct it *t = calloc(1, sizeof(*t));
    struct ap_bus_config cfg = {.apxa = true,
                                .apft = true,
                                .qci = true,
                                .aqic = true,
                                .na = 255,
                                .nd = 255,
                                .reset_ns = RESET_NS};
    struct ap_adapter_desc d = {.apid = 5,
                                .type = AP_TYPE_CEX7,
                                .mode = AP_MODE_ACCEL,
                                .qd = 1,
                                .configured = true,
                                .card = &echo_ops,
                                .card_arg = t};

    t->h = ah_new(&cfg);
    assert_int_equal(ap_adapter_add(t->h->bus, &d), 0);
    ah_card(t->h, 6, AP_TYPE_CEX8, AP_MODE_CCA, 7);
    ah_domains(t->h, 4, 4);
    ah_drv_init(t->h, &t->drv, "host", true);
    assert_int_equal(ap_driver_register(t->h->bus, &t->drv.drv), 0);
    ah_run(t->h);
    *state = t;
    return 0;
}

static int
teardown(void **state)
{
    struct it *t = *state;

    ah_free(t->h);
    free(t);
    return 0;
}

static void
assert_rc(struct ap_insn_rc r, uint8_t rc)
{
    assert_int_equal(r.pic, AP_PIC_NONE);
    assert_int_equal(r.st.rc, rc);
    assert_int_equal(r.cc, rc ? 3 : 0);
}

static struct ap_insn_rc
nq(struct it *t, uint64_t psmid)
{
    uint8_t msg[16];

    memset(msg, (int)(psmid & 0xff), sizeof(msg));
    return ap_nqap(t->h->bus, QN, psmid, msg, sizeof(msg));
}

static struct ap_insn_rc
dq(struct it *t, uint64_t *psmid)
{
    uint8_t buf[64];
    size_t stored;
    bool more;

    return ap_dqap(t->h->bus, QN, psmid, buf, sizeof(buf), &stored, &more);
}

/* tapq: RC 00 on an empty queue, E set; with T, the GR2 information */
static void
tapq_normal_with_info(void **state)
{
    struct it *t = *state;
    struct ap_tapq_info i;
    uint64_t info = 1;
    struct ap_insn_rc r = ap_tapq(t->h->bus, QN, false, &info);

    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.empty && !r.st.replies && !r.st.full && !r.st.irq);
    assert_true(info == 0); /* no T bit, no information */
    assert_rc(ap_tapq(t->h->bus, QN, true, &info), AP_RC_NORMAL);
    ap_tapq_info_decode(info, &i);
    assert_int_equal(i.at, AP_TYPE_CEX7);
    assert_true(i.accel && !i.cca && !i.ep11 && i.apxa && i.mex4k);
    assert_int_equal(i.nd, 255);
    assert_int_equal(i.qd, 1);
    assert_int_equal(i.ml, 3); /* 12 KiB */
    assert_rc(ap_tapq(t->h->bus, AP_MKQN(6, 4), true, &info), AP_RC_NORMAL);
    ap_tapq_info_decode(info, &i);
    assert_true(i.cca && !i.accel && !i.mex4k);
    assert_int_equal(i.at, AP_TYPE_CEX8);
}

/* tapq: T bit without facility 15 is a specification exception */
static void
tapq_t_without_apft_is_spec(void **state)
{
    struct ap_bus_config cfg = {.apxa = true, .na = 255, .nd = 255};
    struct ah *h = ah_new(&cfg);
    uint64_t info;

    assert_int_equal(ap_tapq(h->bus, QN, true, &info).pic,
                     AP_PIC_SPECIFICATION);
    assert_rc(ap_tapq(h->bus, QN, false, &info), AP_RC_Q_NOT_AVAIL);
    ah_free(h);
}

/* RC 01: adapter not installed, not in the configuration, domain not in
 * the configuration; no status flags, no information */
static void
rc01_not_available(void **state)
{
    struct it *t = *state;
    uint64_t info = 1;
    struct ap_insn_rc r = ap_tapq(t->h->bus, AP_MKQN(7, 4), true, &info);

    assert_rc(r, AP_RC_Q_NOT_AVAIL);
    assert_false(r.st.empty || r.st.replies || r.st.full || r.st.irq);
    assert_true(info == 0);
    assert_rc(ap_tapq(t->h->bus, AP_MKQN(5, 5), false, NULL),
              AP_RC_Q_NOT_AVAIL);
    assert_int_equal(ap_config_adapter(t->h->bus, 5, false), 0);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_Q_NOT_AVAIL);
    assert_rc(nq(t, 1), AP_RC_Q_NOT_AVAIL);
}

/* RC 11 for an APQI above Nd; specification beyond 63/15 without APXA */
static void
rc11_and_spec_ranges(void **state)
{
    struct ap_bus_config cfg = {
        .apxa = true, .apft = true, .na = 255, .nd = 15};
    struct ah *h = ah_new(&cfg);

    assert_rc(ap_tapq(h->bus, AP_MKQN(1, 16), false, NULL),
              AP_RC_INDEX_TOO_BIG);
    ah_free(h);
    cfg.apxa = false;
    h = ah_new(&cfg);
    assert_int_equal(ap_tapq(h->bus, AP_MKQN(64, 0), false, NULL).pic,
                     AP_PIC_SPECIFICATION);
    assert_int_equal(ap_tapq(h->bus, AP_MKQN(0, 16), false, NULL).pic,
                     AP_PIC_SPECIFICATION);
    assert_rc(ap_tapq(h->bus, AP_MKQN(63, 15), false, NULL), AP_RC_Q_NOT_AVAIL);
    ah_free(h);
}

/* RC 03 deconfigured / 04 checkstopped, with TAPQ information still
 * given (vfio_ap reads the type from them); pending work is lost */
static void
rc03_rc04_adapter_states(void **state)
{
    struct it *t = *state;
    struct ap_queue_stats s;
    uint64_t info = 0, psmid;

    assert_rc(nq(t, 1), AP_RC_NORMAL);
    assert_int_equal(
        ap_adapter_set_state(t->h->bus, 5, AP_ADAPTER_DECONFIGURED), 0);
    assert_rc(ap_tapq(t->h->bus, QN, true, &info), AP_RC_DECONFIGURED);
    assert_true(info != 0);
    assert_rc(nq(t, 2), AP_RC_DECONFIGURED);
    assert_rc(dq(t, &psmid), AP_RC_DECONFIGURED);
    assert_rc(ap_zapq(t->h->bus, QN, false), AP_RC_DECONFIGURED);
    ap_queue_stats(ap_queue_find(t->h->bus, QN), &s);
    assert_int_equal(s.requests, 0);
    assert_int_equal(s.discarded, 1);
    assert_int_equal(
        ap_adapter_set_state(t->h->bus, 5, AP_ADAPTER_CHECKSTOPPED), 0);
    assert_rc(ap_tapq(t->h->bus, QN, true, &info), AP_RC_CHECKSTOPPED);
    assert_true(info != 0);
    assert_int_equal(ap_adapter_set_state(t->h->bus, 5, AP_ADAPTER_OPERATIONAL),
                     0);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_NORMAL);
    ah_run(t->h);
    assert_int_equal(t->processed, 0);
}

/* RC 05: busy (injected), for exactly n instructions */
static void
rc05_busy_then_normal(void **state)
{
    struct it *t = *state;

    assert_int_equal(ap_queue_inject_busy(t->h->bus, QN, 2), 0);
    assert_rc(nq(t, 1), AP_RC_BUSY);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_BUSY);
    assert_rc(nq(t, 1), AP_RC_NORMAL);
    assert_int_equal(ap_queue_inject_busy(t->h->bus, AP_MKQN(9, 4), 1),
                     -ENODEV);
}

/* NQAP/DQAP: psmid kept, RC 10 while the request is in flight (E clear,
 * R clear), reply after the card latency (R set), then empty again */
static void
nqap_dqap_roundtrip(void **state)
{
    struct it *t = *state;
    uint8_t msg[5] = {1, 2, 3, 4, 5}, buf[16];
    uint64_t psmid = 0;
    size_t stored;
    bool more;
    struct ap_insn_rc r;

    r = ap_nqap(t->h->bus, QN, 0x1122334455667788ull, msg, sizeof(msg));
    assert_rc(r, AP_RC_NORMAL);
    assert_false(r.st.empty);
    r = dq(t, &psmid);
    assert_rc(r, AP_RC_NO_PENDING_REPLY);
    assert_false(r.st.empty);
    assert_false(r.st.replies);
    zv_loop_run_until(t->h->loop, zv_loop_now(t->h->loop) + ECHO_LAT - 1);
    assert_rc(dq(t, &psmid), AP_RC_NO_PENDING_REPLY);
    ah_run(t->h);
    r = ap_tapq(t->h->bus, QN, false, NULL);
    assert_true(r.st.replies && !r.st.empty);
    r = ap_dqap(t->h->bus, QN, &psmid, buf, sizeof(buf), &stored, &more);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(psmid == 0x1122334455667788ull);
    assert_int_equal(stored, 5);
    assert_false(more);
    assert_memory_equal(buf, msg, 5);
    assert_true(r.st.empty && !r.st.replies);
    r = dq(t, &psmid);
    assert_rc(r, AP_RC_NO_PENDING_REPLY);
    assert_true(r.st.empty);
}

/* Replies come back in request order, each with its own psmid */
static void
dqap_fifo_order(void **state)
{
    struct it *t = *state;
    uint64_t psmid;

    assert_rc(nq(t, 10), AP_RC_NORMAL);
    assert_rc(nq(t, 11), AP_RC_NORMAL);
    ah_run(t->h);
    assert_rc(dq(t, &psmid), AP_RC_NORMAL);
    assert_true(psmid == 10);
    assert_rc(dq(t, &psmid), AP_RC_NORMAL);
    assert_true(psmid == 11);
}

/* DQAP into a short buffer: partial, the rest stays for the next DQAP */
static void
dqap_partial(void **state)
{
    struct it *t = *state;
    uint8_t msg[16], buf[16];
    uint64_t psmid;
    size_t stored;
    bool more;
    struct ap_insn_rc r;

    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    assert_rc(ap_nqap(t->h->bus, QN, 7, msg, sizeof(msg)), AP_RC_NORMAL);
    ah_run(t->h);
    r = ap_dqap(t->h->bus, QN, &psmid, buf, 10, &stored, &more);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(more);
    assert_int_equal(stored, 10);
    assert_true(r.st.replies);
    r = ap_dqap(t->h->bus, QN, &psmid, buf + 10, 10, &stored, &more);
    assert_rc(r, AP_RC_NORMAL);
    assert_false(more);
    assert_int_equal(stored, 6);
    assert_true(psmid == 7);
    assert_memory_equal(buf, msg, sizeof(msg));
    assert_true(r.st.empty);
}

/* NQAP RC 10 with F set once qd + 1 entries are held; room comes back
 * when a reply is dequeued (replies count against the depth) */
static void
nqap_queue_full(void **state)
{
    struct it *t = *state;
    uint64_t psmid;
    struct ap_insn_rc r;

    assert_rc(nq(t, 1), AP_RC_NORMAL);
    r = nq(t, 2);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.full);
    r = nq(t, 3);
    assert_rc(r, AP_RC_Q_FULL);
    assert_true(r.st.full);
    ah_run(t->h);
    assert_rc(nq(t, 3), AP_RC_Q_FULL); /* two replies still held */
    assert_rc(dq(t, &psmid), AP_RC_NORMAL);
    r = nq(t, 3);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.full);
}

/* NQAP RC 15 for a message above the maximum */
static void
nqap_message_too_big(void **state)
{
    struct it *t = *state;
    static uint8_t big[12 * 1024 + 1];

    assert_rc(ap_nqap(t->h->bus, QN, 1, big, sizeof(big)),
              AP_RC_MESSAGE_TOO_BIG);
    assert_rc(ap_nqap(t->h->bus, QN, 1, big, sizeof(big) - 1), AP_RC_NORMAL);
}

/* ZAPQ with requests and replies pending: accepted (RC 0, E set, I off),
 * everything discarded, RC 02 for every instruction until reset_ns, the
 * card never answers the discarded request */
static void
zapq_discards_and_resets(void **state)
{
    struct it *t = *state;
    struct ap_aqic_ctl on = {.ir = true, .isc = 3};
    struct ap_queue_stats s;
    uint64_t psmid, info;
    struct ap_insn_rc r;

    assert_rc(nq(t, 1), AP_RC_NORMAL);
    ah_run(t->h); /* one reply held */
    assert_rc(nq(t, 2), AP_RC_NORMAL);
    assert_rc(ap_aqic(t->h->bus, QN, &on, 0x1000), AP_RC_NORMAL);
    r = ap_zapq(t->h->bus, QN, false);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.empty && !r.st.irq && !r.st.replies);
    r = ap_tapq(t->h->bus, QN, true, &info);
    assert_rc(r, AP_RC_RESET_IN_PROGRESS);
    assert_true(info != 0);
    assert_rc(nq(t, 3), AP_RC_RESET_IN_PROGRESS);
    assert_rc(dq(t, &psmid), AP_RC_RESET_IN_PROGRESS);
    assert_rc(ap_rapq(t->h->bus, QN, false), AP_RC_RESET_IN_PROGRESS);
    assert_rc(ap_aqic(t->h->bus, QN, &on, 0x1000), AP_RC_RESET_IN_PROGRESS);
    zv_loop_run_until(t->h->loop, zv_loop_now(t->h->loop) + RESET_NS - 1);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_RESET_IN_PROGRESS);
    ah_run(t->h);
    r = ap_tapq(t->h->bus, QN, false, NULL);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.empty && !r.st.irq);
    assert_rc(dq(t, &psmid), AP_RC_NO_PENDING_REPLY);
    ap_queue_stats(ap_queue_find(t->h->bus, QN), &s);
    assert_int_equal(s.discarded, 2);
    assert_int_equal(s.enqueued, 2);
    assert_int_equal(s.dequeued, 0);
    assert_int_equal(t->processed, 1);
    assert_int_equal(t->drv.irqs, 0);
}

/* RAPQ resets the same way */
static void
rapq_resets(void **state)
{
    struct it *t = *state;
    struct ap_queue_stats s;

    assert_rc(nq(t, 1), AP_RC_NORMAL);
    assert_rc(ap_rapq(t->h->bus, QN, true), AP_RC_NORMAL);
    ap_queue_stats(ap_queue_find(t->h->bus, QN), &s);
    assert_true(s.resetting);
    assert_int_equal(s.discarded, 1);
    ah_run(t->h);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_NORMAL);
    assert_int_equal(t->processed, 0);
}

/* AQIC: RC 06 for NIB 0, RC 07 when already in the requested state; the
 * I bit follows; a reply interrupts the bound driver once */
static void
aqic_states_and_irq(void **state)
{
    struct it *t = *state;
    struct ap_aqic_ctl on = {.ir = true, .isc = 2}, off = {.ir = false};
    uint64_t psmid;
    struct ap_insn_rc r;

    assert_rc(ap_aqic(t->h->bus, QN, &off, 0), AP_RC_OTHERWISE_CHANGED);
    assert_rc(ap_aqic(t->h->bus, QN, &on, 0), AP_RC_INVALID_ADDRESS);
    r = ap_aqic(t->h->bus, QN, &on, 0x2000);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(r.st.irq);
    assert_rc(ap_aqic(t->h->bus, QN, &on, 0x2000), AP_RC_OTHERWISE_CHANGED);
    assert_true(ap_tapq(t->h->bus, QN, false, NULL).st.irq);
    assert_rc(nq(t, 1), AP_RC_NORMAL);
    ah_run(t->h);
    assert_int_equal(t->drv.irqs, 1);
    assert_true(ah_find(t->h, "host irq 05.0004") >= 0);
    assert_rc(dq(t, &psmid), AP_RC_NORMAL);
    r = ap_aqic(t->h->bus, QN, &off, 0);
    assert_rc(r, AP_RC_NORMAL);
    assert_false(r.st.irq);
    assert_rc(nq(t, 2), AP_RC_NORMAL);
    ah_run(t->h);
    assert_int_equal(t->drv.irqs, 1); /* disabled: no interruption */
    /* enabling with a reply waiting interrupts at once */
    assert_rc(ap_aqic(t->h->bus, QN, &on, 0x2000), AP_RC_NORMAL);
    ah_run(t->h);
    assert_int_equal(t->drv.irqs, 2);
}

static void
aqic_not_installed_is_spec(void **state)
{
    struct ap_bus_config cfg = {.apxa = true, .na = 255, .nd = 255};
    struct ah *h = ah_new(&cfg);
    struct ap_aqic_ctl on = {.ir = true};

    assert_int_equal(ap_aqic(h->bus, QN, &on, 8).pic, AP_PIC_SPECIFICATION);
    assert_int_equal(ap_qci(h->bus, (uint8_t[AP_QCI_BLOCK_LEN]){0}).pic,
                     AP_PIC_SPECIFICATION);
    ah_free(h);
}

/* QCI: the block reflects configuration changes at once (before any
 * scan); cc 0 */
static void
qci_reflects_configuration(void **state)
{
    struct it *t = *state;
    uint8_t b[AP_QCI_BLOCK_LEN];
    struct ap_config c;
    struct ap_insn_rc r;

    r = ap_qci(t->h->bus, b);
    assert_int_equal(r.pic, 0);
    assert_int_equal(r.cc, 0);
    assert_int_equal(b[16], 0x06); /* APIDs 5, 6 */
    assert_int_equal(b[48], 0x08); /* APQI 4 */
    assert_int_equal(b[0] & 0x40, 0x40);
    assert_int_equal(b[4], 255);
    assert_int_equal(ap_config_adapter(t->h->bus, 6, false), 0);
    assert_int_equal(ap_config_control_domain(t->h->bus, 0, true), 0);
    ap_qci(t->h->bus, b);
    ap_config_decode(b, &c);
    assert_false(ap_mask_test(&c.apm, 6));
    assert_true(ap_mask_test(&c.apm, 5));
    assert_true(ap_mask_test(&c.adm, 0));
    assert_int_equal(b[80], 0x80);
}

/* A domain leaving the configuration takes its queues' work with it */
static void
domain_out_discards(void **state)
{
    struct it *t = *state;
    struct ap_queue_stats s;

    assert_rc(nq(t, 1), AP_RC_NORMAL);
    assert_int_equal(ap_config_domain(t->h->bus, 4, false), 0);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_Q_NOT_AVAIL);
    ah_run(t->h);
    ap_queue_stats(ap_queue_find(t->h->bus, QN), &s);
    assert_int_equal(s.discarded, 1);
    assert_int_equal(t->processed, 0);
    assert_int_equal(ap_config_domain(t->h->bus, 4, true), 0);
    assert_rc(ap_tapq(t->h->bus, QN, false, NULL), AP_RC_NORMAL);
}

/* PQAP register form: FC, T, F, APQN decoded from GR0; the APQSW lands in
 * GR1 bits 32-63 with bits 0-31 kept; GR2 gets TAPQ information */
static void
pqap_register_form(void **state)
{
    struct it *t = *state;
    uint64_t gr0 = (1ull << 23) | QN, gr1 = 0xdeadbeef00000000ull, gr2 = 0;
    uint8_t qci[AP_QCI_BLOCK_LEN];
    struct ap_insn_rc r;
    struct ap_tapq_info i;

    r = ap_insn_pqap(t->h->bus, gr0, &gr1, &gr2, NULL);
    assert_rc(r, AP_RC_NORMAL);
    assert_true(gr1 == 0xdeadbeef80000000ull); /* E bit */
    ap_tapq_info_decode(gr2, &i);
    assert_int_equal(i.at, AP_TYPE_CEX7);
    /* AQIC: GR1 bit 16 IR, ISC in bits 61-63, GR2 the NIB */
    gr0 = ((uint64_t)AP_FC_AQIC << 24) | QN;
    gr1 = (1ull << 47) | 5;
    gr2 = 0x3000;
    r = ap_insn_pqap(t->h->bus, gr0, &gr1, &gr2, NULL);
    assert_rc(r, AP_RC_NORMAL);
    assert_true((gr1 & 0xffffffffull) == 0x81000000ull); /* E, I */
    gr2 = 0x3000;
    r = ap_insn_pqap(t->h->bus, gr0, &gr1, &gr2, NULL);
    assert_int_equal(r.cc, 3);
    assert_true((gr1 & 0x00ff0000ull) == 0x00070000ull); /* RC 07 */
    /* ZAPQ with the F bit */
    gr0 = ((uint64_t)AP_FC_ZAPQ << 24) | (1ull << 22) | QN;
    assert_rc(ap_insn_pqap(t->h->bus, gr0, &gr1, &gr2, NULL), AP_RC_NORMAL);
    /* QCI */
    gr0 = (uint64_t)AP_FC_QCI << 24;
    r = ap_insn_pqap(t->h->bus, gr0, &gr1, &gr2, qci);
    assert_int_equal(r.pic, 0);
    assert_int_equal(qci[16], 0x06);
}

static void
pqap_specification_cases(void **state)
{
    struct it *t = *state;
    static const uint64_t bad[] = {
        0x00010000ull | QN,                               /* reserved bit 47 */
        0x00200000ull | QN,                               /* reserved bit 42 */
        ((uint64_t)AP_FC_RAPQ << 24) | (1ull << 23) | QN, /* T on RAPQ */
        ((uint64_t)AP_FC_AQIC << 24) | (1ull << 22) | QN, /* F on AQIC */
        (1ull << 22) | QN,                                /* F on TAPQ */
        (uint64_t)AP_FC_QACT << 24, /* QACT not installed */
        6ull << 24,                 /* no such function */
        0xffull << 24,
    };
    uint64_t gr1 = 0x1234, gr2 = 0;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ap_insn_pqap(t->h->bus, bad[i], &gr1, &gr2, NULL).pic,
                         AP_PIC_SPECIFICATION);
        assert_true(gr1 == 0x1234); /* nothing stored */
    }
    /* QCI with no block to store into */
    assert_int_equal(
        ap_insn_pqap(t->h->bus, (uint64_t)AP_FC_QCI << 24, &gr1, &gr2, NULL)
            .pic,
        AP_PIC_SPECIFICATION);
}

/* The built-in coprocessor model rejects a type-50 request (type 82,
 * reply code 0x20) */
static void
coprocessor_rejects_type50(void **state)
{
    struct it *t = *state;
    uint8_t req[AP_T50_MEB1_LEN], rep[64], one = 1, three = 3, mod = 0x0f;
    uint64_t psmid;
    size_t stored;
    bool more;
    uint8_t code = 0;

    assert_int_equal(
        ap_t50_build_mex(req, sizeof(req), &three, 1, &mod, 1, &one, 1),
        AP_T50_MEB1_LEN);
    assert_rc(ap_nqap(t->h->bus, AP_MKQN(6, 4), 9, req, sizeof(req)),
              AP_RC_NORMAL);
    ah_run(t->h);
    assert_rc(ap_dqap(t->h->bus, AP_MKQN(6, 4), &psmid, rep, sizeof(rep),
                      &stored, &more),
              AP_RC_NORMAL);
    assert_int_equal(ap_t80_parse(rep, stored, rep, 1, &code), -EIO);
    assert_int_equal(rep[1], AP_T82_TYPE);
    assert_int_equal(code, AP_REP82_MESSAGE_TYPE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(tapq_normal_with_info),
        cmocka_unit_test(tapq_t_without_apft_is_spec),
        T(rc01_not_available),
        cmocka_unit_test(rc11_and_spec_ranges),
        T(rc03_rc04_adapter_states),
        T(rc05_busy_then_normal),
        T(nqap_dqap_roundtrip),
        T(dqap_fifo_order),
        T(dqap_partial),
        T(nqap_queue_full),
        T(nqap_message_too_big),
        T(zapq_discards_and_resets),
        T(rapq_resets),
        T(aqic_states_and_irq),
        cmocka_unit_test(aqic_not_installed_is_spec),
        T(qci_reflects_configuration),
        T(domain_out_discards),
        T(pqap_register_form),
        T(pqap_specification_cases),
        T(coprocessor_rejects_type50),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
