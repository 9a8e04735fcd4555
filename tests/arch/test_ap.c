/* SPDX-License-Identifier: MIT */
/*
 * AP architected formats (reference/vfio-ap.md §1.2, §5): APQNs, the
 * MSB-first 256-bit masks, the QCI block, the AP queue status word, the
 * PQAP GR0 operand, the TAPQ GR2 information and the AQIC GR1 control.
 * Known answers are written from the reference's bit tables, not from
 * the codec.
 */
#include "arch_test.h"

#include "arch/ap.h"

/* ---- APQNs and masks ---- */

static void
ap_apqn_layout(void **state)
{
    assert_int_equal(AP_MKQN(0x0a, 0x05), 0x0a05);
    assert_int_equal(AP_MKQN(0xff, 0x00), 0xff00);
    assert_int_equal(AP_QN_APID(0x3c2d), 0x3c);
    assert_int_equal(AP_QN_APQI(0x3c2d), 0x2d);
    /* IDs are 8 bits: a wider argument does not bleed into the other */
    assert_int_equal(AP_MKQN(0x1ff, 0x1ff), 0xffff);
}

/* Bit 0 is the leftmost bit of byte 0 and stands for ID 0. */
static void
ap_mask_bit_order(void **state)
{
    struct ap_mask m;
    uint8_t want[AP_MASK_BYTES] = {0};

    ap_mask_zero(&m);
    ap_mask_set(&m, 0);
    ap_mask_set(&m, 7);
    ap_mask_set(&m, 9);
    ap_mask_set(&m, 255);
    ap_mask_set(&m, 256); /* out of range: ignored */
    want[0] = 0x81;
    want[1] = 0x40;
    want[31] = 0x01;
    assert_bytes_equal(m.b, want, AP_MASK_BYTES);
    assert_true(ap_mask_test(&m, 0));
    assert_true(ap_mask_test(&m, 255));
    assert_false(ap_mask_test(&m, 1));
    assert_false(ap_mask_test(&m, 256));
    assert_int_equal(ap_mask_weight(&m), 4);
    ap_mask_clear(&m, 7);
    ap_mask_clear(&m, 256);
    want[0] = 0x80;
    assert_bytes_equal(m.b, want, AP_MASK_BYTES);
}

static void
ap_mask_iteration(void **state)
{
    static const unsigned ids[] = {3, 8, 63, 64, 200, 255};
    struct ap_mask m;
    size_t n = 0;
    int id;

    ap_mask_zero(&m);
    assert_true(ap_mask_empty(&m));
    assert_int_equal(ap_mask_next(&m, 0), -1);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        ap_mask_set(&m, ids[i]);
    assert_false(ap_mask_empty(&m));
    ap_mask_for_each(id, &m)
    {
        assert_true(n < sizeof(ids) / sizeof(ids[0]));
        assert_int_equal(id, ids[n++]);
    }
    assert_int_equal(n, sizeof(ids) / sizeof(ids[0]));
    assert_int_equal(ap_mask_next(&m, 9), 63);
    assert_int_equal(ap_mask_next(&m, 256), -1);
    ap_mask_fill(&m);
    assert_int_equal(ap_mask_weight(&m), 256);
    assert_int_equal(ap_mask_next(&m, 255), 255);
}

static void
ap_mask_set_algebra(void **state)
{
    struct ap_mask a, b, r;

    ap_mask_zero(&a);
    ap_mask_zero(&b);
    ap_mask_set(&a, 1);
    ap_mask_set(&a, 100);
    ap_mask_set(&b, 100);
    ap_mask_set(&b, 254);
    assert_true(ap_mask_intersects(&a, &b));
    ap_mask_and(&r, &a, &b);
    assert_int_equal(ap_mask_weight(&r), 1);
    assert_true(ap_mask_test(&r, 100));
    ap_mask_andnot(&r, &a, &b);
    assert_int_equal(ap_mask_weight(&r), 1);
    assert_true(ap_mask_test(&r, 1));
    assert_false(ap_mask_intersects(&r, &b));
    assert_false(ap_mask_equal(&a, &b));
    /* r may alias an operand */
    ap_mask_andnot(&a, &a, &a);
    assert_true(ap_mask_empty(&a));
    r = b;
    ap_mask_and(&r, &r, &b);
    assert_true(ap_mask_equal(&r, &b));
}

/* ---- QCI block (reference §1.2) ---- */

static void
ap_qci_block_bytes(void **state)
{
    struct ap_config c = {.apsc = true, .apxa = true, .na = 0xff, .nd = 0x55};
    uint8_t want[AP_QCI_BLOCK_LEN] = {0};
    uint8_t got[AP_QCI_BLOCK_LEN];

    ap_mask_zero(&c.apm);
    ap_mask_zero(&c.aqm);
    ap_mask_zero(&c.adm);
    ap_mask_set(&c.apm, 0);
    ap_mask_set(&c.apm, 255);
    ap_mask_set(&c.aqm, 1);
    ap_mask_set(&c.aqm, 7);
    ap_mask_set(&c.adm, 8);
    want[0] = 0xc0; /* S (bit 0), N (bit 1) */
    want[4] = 0xff; /* Na */
    want[5] = 0x55; /* Nd */
    want[16] = 0x80;
    want[47] = 0x01; /* APM: IDs 0 and 255 */
    want[48] = 0x41; /* AQM: IDs 1 and 7 */
    want[81] = 0x80; /* ADM: ID 8 */
    memset(got, 0xee, sizeof(got));
    ap_config_encode(&c, got);
    assert_bytes_equal(got, want, AP_QCI_BLOCK_LEN);

    c = (struct ap_config){.qact = true};
    ap_config_encode(&c, got);
    assert_int_equal(got[0], 0x20); /* C: bit 2 */
}

static void
ap_qci_decode_fields(void **state)
{
    uint8_t b[AP_QCI_BLOCK_LEN] = {0};
    struct ap_config c;

    b[0] = 0x40;
    b[4] = 0x3f;
    b[5] = 0x0f;
    b[16 + 1] = 0x20;  /* APM ID 10 */
    b[48 + 31] = 0x02; /* AQM ID 254 */
    b[80] = 0x01;      /* ADM ID 7 */
    ap_config_decode(b, &c);
    assert_false(c.apsc);
    assert_true(c.apxa);
    assert_false(c.qact);
    assert_int_equal(c.na, 0x3f);
    assert_int_equal(c.nd, 0x0f);
    assert_int_equal(ap_mask_weight(&c.apm), 1);
    assert_true(ap_mask_test(&c.apm, 10));
    assert_int_equal(ap_mask_weight(&c.aqm), 1);
    assert_true(ap_mask_test(&c.aqm, 254));
    assert_int_equal(ap_mask_weight(&c.adm), 1);
    assert_true(ap_mask_test(&c.adm, 7));
}

/* Decoding an arbitrary (untrusted) block and encoding it again keeps
 * every defined field and zeroes exactly the reserved ones. */
static void
ap_qci_block_reserved_dropped(void **state)
{
    uint64_t r = 0xA9C1ull;

    for (int i = 0; i < ROUNDS / 10; i++) {
        uint8_t in[AP_QCI_BLOCK_LEN], out[AP_QCI_BLOCK_LEN];
        uint8_t want[AP_QCI_BLOCK_LEN] = {0};
        struct ap_config c;

        t_fill(&r, in, sizeof(in));
        ap_config_decode(in, &c);
        ap_config_encode(&c, out);
        want[0] = in[0] & 0xe0;
        want[4] = in[4];
        want[5] = in[5];
        memcpy(want + 16, in + 16, 3 * AP_MASK_BYTES);
        assert_bytes_equal(out, want, AP_QCI_BLOCK_LEN);
    }
}

static void
ap_qci_round_trip_random(void **state)
{
    uint64_t r = 0x9C1ull;

    for (int i = 0; i < ROUNDS / 10; i++) {
        struct ap_config a, b;
        uint8_t blk[AP_QCI_BLOCK_LEN];

        a.apsc = t_bits(&r, 1);
        a.apxa = t_bits(&r, 1);
        a.qact = t_bits(&r, 1);
        a.na = (uint8_t)t_bits(&r, 8);
        a.nd = (uint8_t)t_bits(&r, 8);
        t_fill(&r, a.apm.b, AP_MASK_BYTES);
        t_fill(&r, a.aqm.b, AP_MASK_BYTES);
        t_fill(&r, a.adm.b, AP_MASK_BYTES);
        ap_config_encode(&a, blk);
        memset(&b, 0xa5, sizeof(b));
        ap_config_decode(blk, &b);
        assert_int_equal(a.apsc, b.apsc);
        assert_int_equal(a.apxa, b.apxa);
        assert_int_equal(a.qact, b.qact);
        assert_int_equal(a.na, b.na);
        assert_int_equal(a.nd, b.nd);
        assert_true(ap_mask_equal(&a.apm, &b.apm));
        assert_true(ap_mask_equal(&a.aqm, &b.aqm));
        assert_true(ap_mask_equal(&a.adm, &b.adm));
    }
}

/* ---- AP queue status word (reference §5.2, §5.3) ---- */

static void
ap_qstatus_words(void **state)
{
    static const struct {
        struct ap_qstatus st;
        uint32_t w;
    } v[] = {
        {{.empty = true}, 0x80000000u},
        {{.replies = true}, 0x40000000u},
        {{.full = true}, 0x20000000u},
        {{.irq = true}, 0x01000000u},
        {{.rc = AP_RC_Q_NOT_AVAIL}, 0x00010000u},
        {{.rc = 0xff}, 0x00ff0000u},
        {{.empty = true, .irq = true, .rc = AP_RC_NO_PENDING_REPLY},
         0x81100000u},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(ap_qstatus_encode(&v[i].st), v[i].w);
}

static void
ap_qstatus_bytes(void **state)
{
    struct ap_qstatus st = {.replies = true, .rc = AP_RC_MESSAGE_TOO_BIG};
    const uint8_t want[4] = {0x40, 0x15, 0x00, 0x00};
    const uint8_t in[4] = {0x21, 0x05, 0xff, 0xff};
    uint8_t got[4];

    ap_qstatus_put(got, &st);
    assert_bytes_equal(got, want, 4);
    /* F, I, RC 05 with reserved bits 16-31 set: those are ignored */
    ap_qstatus_get(in, &st);
    assert_false(st.empty);
    assert_false(st.replies);
    assert_true(st.full);
    assert_true(st.irq);
    assert_int_equal(st.rc, AP_RC_BUSY);
}

/* Any word decodes; encoding it again keeps E, R, F, I and the RC and
 * drops reserved bits 3-6 and 16-31. */
static void
ap_qstatus_round_trip_random(void **state)
{
    uint64_t r = 0xA95Bull;

    for (int i = 0; i < ROUNDS; i++) {
        uint32_t w = t_bits(&r, 32);
        struct ap_qstatus st;
        uint8_t b[4];

        ap_qstatus_decode(w, &st);
        assert_int_equal(ap_qstatus_encode(&st), w & 0xe1ff0000u);
        /* big-endian bytes: the flags byte first, then the RC */
        ap_qstatus_put(b, &st);
        assert_int_equal(b[0], (w >> 24) & 0xe1);
        assert_int_equal(b[1], (uint8_t)(w >> 16));
        assert_int_equal(b[2], 0);
        assert_int_equal(b[3], 0);
    }
}

/* The response-code table of reference §5.3 (BUSH AP_RESPONSE_*). */
static void
ap_response_codes(void **state)
{
    assert_int_equal(AP_RC_NORMAL, 0x00);
    assert_int_equal(AP_RC_Q_NOT_AVAIL, 0x01);
    assert_int_equal(AP_RC_RESET_IN_PROGRESS, 0x02);
    assert_int_equal(AP_RC_DECONFIGURED, 0x03);
    assert_int_equal(AP_RC_CHECKSTOPPED, 0x04);
    assert_int_equal(AP_RC_BUSY, 0x05);
    assert_int_equal(AP_RC_INVALID_ADDRESS, 0x06);
    assert_int_equal(AP_RC_OTHERWISE_CHANGED, 0x07);
    assert_int_equal(AP_RC_Q_FULL, 0x10);
    assert_int_equal(AP_RC_NO_PENDING_REPLY, 0x10);
    assert_int_equal(AP_RC_INDEX_TOO_BIG, 0x11);
    assert_int_equal(AP_RC_NO_FIRST_PART, 0x13);
    assert_int_equal(AP_RC_MESSAGE_TOO_BIG, 0x15);
    /* adapter types (reference §5.5) */
    assert_int_equal(AP_TYPE_CEX4, 10);
    assert_int_equal(AP_TYPE_CEX8, 14);
}

/* ---- PQAP operands (reference §5.1) ---- */

static void
ap_pqap_function_codes(void **state)
{
    assert_int_equal(AP_FC_TAPQ, 0);
    assert_int_equal(AP_FC_RAPQ, 1);
    assert_int_equal(AP_FC_ZAPQ, 2);
    assert_int_equal(AP_FC_AQIC, 3);
    assert_int_equal(AP_FC_QCI, 4);
    assert_int_equal(AP_FC_QACT, 5);
}

static void
ap_pqap_gr0_words(void **state)
{
    static const struct {
        struct ap_pqap_gr0 op;
        uint64_t gr0;
    } v[] = {
        /* TAPQ with T: FC in bits 32-39, T = bit 40 (1 << 23) */
        {{.fc = AP_FC_TAPQ, .t = true, .apqn = 0x0a05}, 0x00800a05ull},
        /* RAPQ with F = bit 41 (1 << 22) */
        {{.fc = AP_FC_RAPQ, .f = true, .apqn = 0x1234}, 0x01401234ull},
        {{.fc = AP_FC_ZAPQ, .apqn = 0xffff}, 0x0200ffffull},
        {{.fc = AP_FC_QCI}, 0x04000000ull},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct ap_pqap_gr0 d;

        assert_true(ap_pqap_gr0_encode(&v[i].op) == v[i].gr0);
        /* bits 0-31 of the register are not part of the operand */
        ap_pqap_gr0_decode(v[i].gr0 | 0xffffffff00000000ull, &d);
        assert_int_equal(d.fc, v[i].op.fc);
        assert_int_equal(d.t, v[i].op.t);
        assert_int_equal(d.f, v[i].op.f);
        assert_false(d.reserved);
        assert_int_equal(d.apqn, v[i].op.apqn);
    }
}

static void
ap_pqap_gr0_reserved_bits(void **state)
{
    struct ap_pqap_gr0 d;

    for (unsigned bit = 42; bit <= 47; bit++) {
        ap_pqap_gr0_decode(1ull << (63 - bit), &d);
        assert_true(d.reserved);
        assert_false(d.t);
        assert_false(d.f);
        assert_int_equal(d.fc, 0);
        assert_int_equal(d.apqn, 0);
    }
    ap_pqap_gr0_decode(0xffffffffffffffffull, &d);
    assert_true(d.reserved && d.t && d.f);
    assert_int_equal(d.fc, 0xff);
    assert_int_equal(d.apqn, 0xffff);
}

static void
ap_pqap_gr0_round_trip_random(void **state)
{
    uint64_t r = 0x6A0ull;

    for (int i = 0; i < ROUNDS; i++) {
        struct ap_pqap_gr0 a = {0}, b;

        a.fc = (uint8_t)t_bits(&r, 8);
        a.t = t_bits(&r, 1);
        a.f = t_bits(&r, 1);
        a.apqn = (uint16_t)t_bits(&r, 16);
        ap_pqap_gr0_decode(ap_pqap_gr0_encode(&a), &b);
        assert_int_equal(a.fc, b.fc);
        assert_int_equal(a.t, b.t);
        assert_int_equal(a.f, b.f);
        assert_false(b.reserved);
        assert_int_equal(a.apqn, b.apqn);
    }
}

/* TAPQ GR2 (APH struct ap_tapq_hwinfo): bits 0-6 flags, 32-39 type,
 * 40-47 Nd, 52-55 ML, 60-63 QD. */
static void
ap_tapq_info_words(void **state)
{
    struct ap_tapq_info i = {.accel = true,
                             .apxa = true,
                             .at = AP_TYPE_CEX8,
                             .nd = 0xff,
                             .ml = 3,
                             .qd = 7};
    struct ap_tapq_info d;

    assert_true(ap_tapq_info_encode(&i) == 0x0a0000000eff0307ull);
    i = (struct ap_tapq_info){.apsc = true, .mex4k = true, .crt4k = true};
    assert_true(ap_tapq_info_encode(&i) == 0xe000000000000000ull);
    i = (struct ap_tapq_info){.cca = true, .ep11 = true};
    assert_true(ap_tapq_info_encode(&i) == 0x1400000000000000ull);
    /* ML and QD are 4-bit fields: wider values do not spill */
    i = (struct ap_tapq_info){.ml = 0xff, .qd = 0xff};
    assert_true(ap_tapq_info_encode(&i) == 0x0000000000000f0full);

    ap_tapq_info_decode(0x0800000000ff0f0full | (12ull << 24), &d);
    assert_true(d.accel);
    assert_false(d.cca || d.ep11 || d.apsc || d.apxa || d.mex4k || d.crt4k);
    assert_int_equal(d.at, AP_TYPE_CEX6);
    assert_int_equal(d.nd, 0xff);
    assert_int_equal(d.ml, 0xf);
    assert_int_equal(d.qd, 0xf);
}

/* Defined TAPQ bits: 0-6, 32-47, 52-55, 60-63. */
#define TAPQ_DEFINED 0xfe000000ffff0f0full

static void
ap_tapq_info_round_trip_random(void **state)
{
    uint64_t r = 0x7A9Full;

    for (int n = 0; n < ROUNDS; n++) {
        uint64_t w = t_rand(&r);
        struct ap_tapq_info i;

        ap_tapq_info_decode(w, &i);
        assert_true(ap_tapq_info_encode(&i) == (w & TAPQ_DEFINED));
    }
}

/* AQIC GR1: IR = bit 16, ISC = bits 61-63. */
static void
ap_aqic_ctl_words(void **state)
{
    struct ap_aqic_ctl c = {.ir = true, .isc = 3}, d;

    assert_true(ap_aqic_ctl_encode(&c) == 0x0000800000000003ull);
    c = (struct ap_aqic_ctl){.isc = 0xff};
    assert_true(ap_aqic_ctl_encode(&c) == 0x7ull);
    ap_aqic_ctl_decode(0xffff7ffffffffff8ull, &d);
    assert_false(d.ir);
    assert_int_equal(d.isc, 0);
    ap_aqic_ctl_decode(0x0000800000000005ull, &d);
    assert_true(d.ir);
    assert_int_equal(d.isc, 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ap_apqn_layout),
        cmocka_unit_test(ap_mask_bit_order),
        cmocka_unit_test(ap_mask_iteration),
        cmocka_unit_test(ap_mask_set_algebra),
        cmocka_unit_test(ap_qci_block_bytes),
        cmocka_unit_test(ap_qci_decode_fields),
        cmocka_unit_test(ap_qci_block_reserved_dropped),
        cmocka_unit_test(ap_qci_round_trip_random),
        cmocka_unit_test(ap_qstatus_words),
        cmocka_unit_test(ap_qstatus_bytes),
        cmocka_unit_test(ap_qstatus_round_trip_random),
        cmocka_unit_test(ap_response_codes),
        cmocka_unit_test(ap_pqap_function_codes),
        cmocka_unit_test(ap_pqap_gr0_words),
        cmocka_unit_test(ap_pqap_gr0_reserved_bits),
        cmocka_unit_test(ap_pqap_gr0_round_trip_random),
        cmocka_unit_test(ap_tapq_info_words),
        cmocka_unit_test(ap_tapq_info_round_trip_random),
        cmocka_unit_test(ap_aqic_ctl_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
