/* SPDX-License-Identifier: MIT */
/*
 * Type-50 requests and type-80/82/88 replies: field offsets of zcrypt's
 * msgtype50 layouts checked byte by byte, and the card model's answers to
 * malformed requests (docs/ap.md lists the codes).  None of this needs
 * libcrypto; the arithmetic is in test_ap_crypto.
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

static const uint8_t three = 3, fifteen = 0x0f, one = 1;

/* MEB1: header (0x50, length 0x0190), key block 0x0001, then exponent,
 * modulus and message right-aligned in 128-byte fields */
static void
t50_meb1_layout(void **state)
{
    uint8_t m[AP_T50_MEB1_LEN + 8];
    uint8_t exp[2] = {0x00, 0x03}; /* a leading zero does not count */

    assert_int_equal(AP_T50_MEB1_LEN, 0x190);
    assert_int_equal(
        ap_t50_build_mex(m, sizeof(m), exp, 2, &fifteen, 1, &one, 1), 0x190);
    assert_int_equal(m[0], 0);
    assert_int_equal(m[1], 0x50);
    assert_int_equal(m[2], 0x01);
    assert_int_equal(m[3], 0x90);
    assert_int_equal(m[8], 0x00);
    assert_int_equal(m[9], 0x01);
    assert_int_equal(m[16 + 127], 3);
    assert_int_equal(m[16 + 128 + 127], 0x0f);
    assert_int_equal(m[16 + 256 + 127], 1);
    for (size_t i = 16; i < 16 + 127; i++)
        assert_int_equal(m[i], 0);
}

/* CRB2 (0x390) and CRB3 (0x710) sizes as zcrypt defines them; CRB2
 * fields: p, q, dp, dq, u at 128-byte strides from 16, message 256 */
static void
t50_crb_layout(void **state)
{
    uint8_t m[AP_T50_CRB3_LEN];
    uint8_t p = 0xb, q = 0x7, dp = 0x3, dq = 0x5, u = 0x2;
    struct ap_crt_key k = {&p, &q, &dp, &dq, &u, 1, 1, 1, 1, 1};

    assert_int_equal(AP_T50_CRB2_LEN, 0x390);
    assert_int_equal(AP_T50_CRB3_LEN, 0x710);
    assert_int_equal(AP_T50_CRB1_LEN, 0x1d0);
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 200, &one, 1), 0x390);
    assert_int_equal(m[2], 0x03);
    assert_int_equal(m[3], 0x90);
    assert_int_equal(m[9], 0x12);
    assert_int_equal(m[16 + 127], 0xb);
    assert_int_equal(m[16 + 255], 0x7);
    assert_int_equal(m[16 + 383], 0x3);
    assert_int_equal(m[16 + 511], 0x5);
    assert_int_equal(m[16 + 639], 0x2);
    assert_int_equal(m[16 + 640 + 255], 1);
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 300, &one, 1), 0x710);
    assert_int_equal(m[9], 0x13);
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 128, &one, 1), 0x1d0);
    assert_int_equal(m[9], 0x11);
}

static void
t50_build_errors(void **state)
{
    uint8_t m[AP_T50_MEB3_LEN], big[129];

    memset(big, 0xff, sizeof(big));
    assert_int_equal(ap_t50_build_mex(m, sizeof(m), &three, 1, big, 0, &one, 1),
                     -EINVAL);
    assert_int_equal(
        ap_t50_build_mex(m, sizeof(m), &three, 1, big, 513, &one, 1), -EINVAL);
    /* message wider than the MEB1 field */
    assert_int_equal(
        ap_t50_build_mex(m, sizeof(m), &three, 1, big, 128, big, 129), -EINVAL);
    assert_int_equal(ap_t50_build_mex(m, 100, &three, 1, big, 128, &one, 1),
                     -ENOSPC);
}

static uint8_t
reply_code_of(const uint8_t *req, size_t len, uint8_t *type)
{
    uint8_t rep[AP_T80_MAX_LEN];
    size_t n = ap_cex_accel_process(req, len, rep, sizeof(rep));

    assert_int_equal(n, AP_ERR_HDR_LEN);
    *type = rep[1];
    assert_int_equal(rep[0], 0);
    return rep[4];
}

static void
expect_82(const uint8_t *req, size_t len, uint8_t code)
{
    uint8_t type;

    assert_int_equal(reply_code_of(req, len, &type), code);
    assert_int_equal(type, AP_T82_TYPE);
}

/* Malformed requests: each defect alone gives its documented code */
static void
t50_malformed_replies(void **state)
{
    uint8_t m[AP_T50_MEB2_LEN + 4], x[AP_T50_MEB2_LEN + 4];
    int n = ap_t50_build_mex(m, sizeof(m), &three, 1, &fifteen, 1, &one, 1);

    assert_int_equal(n, AP_T50_MEB1_LEN);
    memcpy(x, m, sizeof(x));
    x[1] = 0x06; /* a CPRB type: not ours */
    expect_82(x, (size_t)n, AP_REP82_MESSAGE_TYPE);
    expect_82(m, 1, AP_REP82_MESSAGE_TYPE);
    expect_82(m, 0, AP_REP82_MESSAGE_TYPE);
    expect_82(m, 10, AP_REP82_INVALID_MSG_LEN); /* truncated */
    expect_82(m, (size_t)n - 1, AP_REP82_INVALID_MSG_LEN);
    memcpy(x, m, sizeof(x));
    x[3] ^= 1; /* length field disagrees */
    expect_82(x, (size_t)n, AP_REP82_INVALID_MSG_LEN);
    memcpy(x, m, sizeof(x));
    x[12] = 1; /* reserved after the key-block type */
    expect_82(x, (size_t)n, AP_REP82_RESERVED_FIELD);
    memcpy(x, m, sizeof(x));
    x[0] = 1;
    expect_82(x, (size_t)n, AP_REP82_RESERVED_FIELD);
    memcpy(x, m, sizeof(x));
    x[9] = 0x04; /* no such key block */
    expect_82(x, (size_t)n, AP_REP82_FORMAT_FIELD);
    memcpy(x, m, sizeof(x));
    x[9] = 0x02; /* MEB2 key block in an MEB1-sized message */
    expect_82(x, (size_t)n, AP_REP82_INVALID_MSG_LEN);
    memcpy(x, m, sizeof(x));
    x[5] = 0xaa; /* zcrypt's "ignored" byte is ignored */
    if (!ap_cex_accel_available()) {
        uint8_t type;

        assert_int_equal(reply_code_of(x, (size_t)n, &type),
                         AP_REP88_MODULE_FAILURE);
        assert_int_equal(type, AP_T88_TYPE);
    } else {
        uint8_t rep[AP_T80_MAX_LEN];

        assert_int_equal(ap_cex_accel_process(x, (size_t)n, rep, sizeof(rep)),
                         AP_T80_HDR_LEN + 128);
    }
    /* no room even for an error header: nothing written */
    assert_int_equal(ap_cex_accel_process(m, (size_t)n, x, 7), 0);
}

/* The reply parser: zcrypt's length checks */
static void
t80_parse_checks(void **state)
{
    uint8_t r[AP_T80_HDR_LEN + 4] = {0}, out[4], code = 0;

    r[1] = AP_T80_TYPE;
    r[3] = sizeof(r);
    r[19] = 0x42;
    assert_int_equal(ap_t80_parse(r, sizeof(r), out, 4, &code), 0);
    assert_int_equal(out[3], 0x42);
    assert_int_equal(ap_t80_parse(r, sizeof(r) - 1, out, 4, &code), -EINVAL);
    assert_int_equal(ap_t80_parse(r, sizeof(r), out, 5, &code), -EINVAL);
    r[1] = 0x86;
    assert_int_equal(ap_t80_parse(r, sizeof(r), out, 4, &code), -EINVAL);
    r[1] = AP_T88_TYPE;
    r[4] = 0x10;
    assert_int_equal(ap_t80_parse(r, 8, out, 4, &code), -EIO);
    assert_int_equal(code, 0x10);
    assert_int_equal(ap_t80_parse(r, 7, out, 4, &code), -EINVAL);
}

/* Through the bus: a malformed request on a CEX8A queue comes back as a
 * type-82 reply with the request's psmid, and the queue keeps working */
static void
bus_malformed_request(void **state)
{
    struct ah *h = ah_new(NULL);
    uint8_t bad[40] = {0, 0x50, 0, 40}, rep[64];
    uint64_t psmid = 0;
    size_t stored;
    bool more;
    uint8_t code = 0;

    ah_card(h, 1, AP_TYPE_CEX8, AP_MODE_ACCEL, 7);
    ah_domains(h, 0, 0);
    assert_int_equal(ap_nqap(h->bus, AP_MKQN(1, 0), 77, bad, sizeof(bad)).cc,
                     0);
    ah_run(h);
    assert_int_equal(
        ap_dqap(h->bus, AP_MKQN(1, 0), &psmid, rep, sizeof(rep), &stored, &more)
            .cc,
        0);
    assert_true(psmid == 77);
    assert_int_equal(stored, AP_ERR_HDR_LEN);
    assert_int_equal(ap_t80_parse(rep, stored, rep, 1, &code), -EIO);
    assert_int_equal(code, AP_REP82_FORMAT_FIELD);
    assert_int_equal(ap_tapq(h->bus, AP_MKQN(1, 0), false, NULL).st.rc, 0);
    ah_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t50_meb1_layout),
        cmocka_unit_test(t50_crb_layout),
        cmocka_unit_test(t50_build_errors),
        cmocka_unit_test(t50_malformed_replies),
        cmocka_unit_test(t80_parse_checks),
        cmocka_unit_test(bus_malformed_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
