/* SPDX-License-Identifier: MIT */
/*
 * AP messages (arch/ap_msg.h): the type-50 request and type-80/82/88
 * reply layouts of zcrypt's msgtype50, as whole byte images, round trips
 * through builder and checker, and the checker as an attacker meets it.
 */
#include <errno.h>

#include "arch_test.h"

#include "arch/ap_msg.h"

/* The layout of each format: key-block type, total, field width, and
 * whether it is CRT (five key fields and a double-width message). */
static const struct {
    uint16_t kb;
    size_t total, w, mod_len;
    bool crt;
} fmts[] = {
    {0x0001, 0x190, 128, 128, false}, {0x0002, 0x310, 256, 256, false},
    {0x0003, 0x610, 512, 512, false}, {0x0011, 0x1d0, 64, 128, true},
    {0x0012, 0x390, 128, 256, true},  {0x0013, 0x710, 256, 512, true},
};
#define NFMTS (sizeof(fmts) / sizeof(fmts[0]))

/* zcrypt picks the format by modulus length: 1..128, 129..256, 257..512. */
static void
t50_fmt_for_mod_bounds(void **state)
{
    static const struct {
        size_t mod_len;
        uint16_t me, crt;
    } v[] = {{1, 1, 0x11},   {128, 1, 0x11}, {129, 2, 0x12},
             {256, 2, 0x12}, {257, 3, 0x13}, {512, 3, 0x13}};

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const struct ap_t50_fmt *me = ap_t50_fmt_for_mod(v[i].mod_len, false);
        const struct ap_t50_fmt *crt = ap_t50_fmt_for_mod(v[i].mod_len, true);

        assert_non_null(me);
        assert_non_null(crt);
        assert_int_equal(me->kb, v[i].me);
        assert_int_equal(crt->kb, v[i].crt);
        assert_false(me->crt);
        assert_true(crt->crt);
        assert_int_equal(ap_t50_msg_width(me), me->w);
        assert_int_equal(ap_t50_msg_width(crt), 2 * crt->w);
    }
    assert_null(ap_t50_fmt_for_mod(0, false));
    assert_null(ap_t50_fmt_for_mod(513, false));
    assert_null(ap_t50_fmt_for_mod(0, true));
    assert_null(ap_t50_fmt_for_mod(513, true));
}

/* MEB2 as a whole image: 00 50 03 10 00 00 00 00 | 00 02 00*6 | exponent
 * 0x010001 ending at 16+255, modulus 0xc5 ... ending at 16+511, message
 * 0x2a ending at 16+767; every other byte zero. */
static void
t50_meb2_bytes(void **state)
{
    static const uint8_t e[] = {0x00, 0x01, 0x00, 0x01}, msg[] = {0x2a};
    uint8_t mod[200], got[0x310 + 4], want[0x310];

    for (size_t i = 0; i < sizeof(mod); i++)
        mod[i] = (uint8_t)(0xc5 + i);
    memset(want, 0, sizeof(want));
    want[1] = 0x50;
    want[2] = 0x03;
    want[3] = 0x10;
    want[9] = 0x02;
    want[16 + 253] = 0x01;
    want[16 + 255] = 0x01;
    memcpy(want + 16 + 512 - sizeof(mod), mod, sizeof(mod));
    want[16 + 767] = 0x2a;
    memset(got, 0xee, sizeof(got));
    assert_int_equal(ap_t50_build_mex(got, sizeof(got), e, sizeof(e), mod,
                                      sizeof(mod), msg, sizeof(msg)),
                     0x310);
    assert_bytes_equal(got, want, sizeof(want));
    /* the builder stops at the message's end */
    assert_int_equal(got[0x310], 0xee);
}

/* CRB1 as a whole image: 00 50 01 d0 ... | 00 11 | p q dp dq u right-
 * aligned in 64-byte fields from 16, the message in 128 bytes from 336. */
static void
t50_crb1_bytes(void **state)
{
    static const uint8_t p[] = {0x0b}, q[] = {0x07}, dp[] = {0x03},
                         dq[] = {0x05}, u[] = {0x02, 0x01},
                         msg[] = {0x12, 0x34};
    struct ap_crt_key k = {p, q, dp, dq, u, 1, 1, 1, 1, 2};
    uint8_t got[0x1d0], want[0x1d0];

    memset(want, 0, sizeof(want));
    want[1] = 0x50;
    want[2] = 0x01;
    want[3] = 0xd0;
    want[9] = 0x11;
    want[16 + 63] = 0x0b;
    want[16 + 127] = 0x07;
    want[16 + 191] = 0x03;
    want[16 + 255] = 0x05;
    want[16 + 318] = 0x02;
    want[16 + 319] = 0x01;
    want[16 + 320 + 126] = 0x12;
    want[16 + 320 + 127] = 0x34;
    memset(got, 0xee, sizeof(got));
    assert_int_equal(ap_t50_build_crt(got, sizeof(got), &k, 77, msg, 2), 0x1d0);
    assert_bytes_equal(got, want, sizeof(want));
}

static void
t50_build_errors(void **state)
{
    static const uint8_t one = 1;
    uint8_t m[AP_T50_MAX_LEN], big[257];
    struct ap_crt_key k = {&one, &one, &one, &one, big, 1, 1, 1, 1, 65};

    memset(big, 0xff, sizeof(big));
    assert_int_equal(ap_t50_build_mex(m, sizeof(m), &one, 1, big, 0, &one, 1),
                     -EINVAL);
    assert_int_equal(ap_t50_build_mex(m, sizeof(m), &one, 1, big, 513, &one, 1),
                     -EINVAL);
    /* message wider than its field */
    assert_int_equal(
        ap_t50_build_mex(m, sizeof(m), &one, 1, big, 128, big, 129), -EINVAL);
    /* out shorter than the format */
    assert_int_equal(ap_t50_build_mex(m, 0x18f, &one, 1, big, 128, &one, 1),
                     -ENOSPC);
    assert_int_equal(ap_t50_build_crt(m, 0x1cf, &k, 128, &one, 1), -ENOSPC);
    /* u of 65 bytes in a 64-byte CRB1 field; message of 129 */
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 128, &one, 1), -EINVAL);
    k.u_len = 64;
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 128, big, 129),
                     -EINVAL);
    assert_int_equal(ap_t50_build_crt(m, sizeof(m), &k, 128, big, 128), 0x1d0);
}

/* Right-aligned big-endian: the last len bytes of the field are num, the
 * rest zero. */
static void
check_field(const uint8_t *f, size_t w, const uint8_t *num, size_t len)
{
    for (size_t i = 0; i < w - len; i++)
        assert_int_equal(f[i], 0);
    assert_bytes_equal(f + w - len, num, len);
}

/* Random numbers (nonzero first byte) of random lengths in every format:
 * the checker accepts what the builder made, names the same format, and
 * each field reads back as the number put in. */
static void
t50_round_trip(void **state)
{
    static uint8_t m[AP_T50_MAX_LEN], n[6][512];
    uint64_t s = 0x5a5a0050;

    for (unsigned r = 0; r < 600; r++) {
        size_t fi = r % NFMTS, w = fmts[fi].w, len[6], nf;
        const struct ap_t50_fmt *f;
        uint8_t code = 0;
        int total;

        nf = fmts[fi].crt ? 6 : 3;
        for (size_t i = 0; i < nf; i++) {
            size_t fw = (fmts[fi].crt && i == 5) ? 2 * w : w;

            /* ME: the modulus length picks the format, so it is the
             * format's own; everything else any length that fits */
            len[i] = (!fmts[fi].crt && i == 1) ? fmts[fi].mod_len
                                               : 1 + t_rand(&s) % fw;
            t_fill(&s, n[i], len[i]);
            n[i][0] |= 1;
        }
        if (fmts[fi].crt) {
            struct ap_crt_key k = {n[0],   n[1],   n[2],   n[3],   n[4],
                                   len[0], len[1], len[2], len[3], len[4]};

            total = ap_t50_build_crt(m, sizeof(m), &k, fmts[fi].mod_len, n[5],
                                     len[5]);
        } else {
            total = ap_t50_build_mex(m, sizeof(m), n[0], len[0], n[1], len[1],
                                     n[2], len[2]);
        }
        assert_int_equal(total, (int)fmts[fi].total);
        f = ap_t50_check(m, (size_t)total, &code);
        assert_non_null(f);
        assert_int_equal(f->kb, fmts[fi].kb);
        assert_int_equal(f->total, fmts[fi].total);
        assert_int_equal(f->w, w);
        assert_true(f->crt == fmts[fi].crt);
        for (size_t i = 0; i < nf; i++) {
            size_t fw = (fmts[fi].crt && i == 5) ? 2 * w : w;

            check_field(ap_t50_fields(m) + i * w, fw, n[i], len[i]);
        }
    }
}

/* 1^1 mod 15 as MEB1, which the checker accepts. */
static void
meb1_valid(uint8_t m[AP_T50_MEB1_LEN])
{
    static const uint8_t one = 1, mod = 0x0f;
    uint8_t code = 0;

    assert_int_equal(
        ap_t50_build_mex(m, AP_T50_MEB1_LEN, &one, 1, &mod, 1, &one, 1), 0x190);
    assert_non_null(ap_t50_check(m, 0x190, &code));
}

/* The checker's codes in its documented order, each from a valid MEB1
 * with one thing wrong. */
static void
t50_check_codes(void **state)
{
    uint8_t m[AP_T50_MEB1_LEN], code;

    meb1_valid(m);
    assert_null(ap_t50_check(m, 1, &code));
    assert_int_equal(code, AP_REP82_MESSAGE_TYPE);
    m[1] = 0x51;
    assert_null(ap_t50_check(m, 0x190, &code));
    assert_int_equal(code, AP_REP82_MESSAGE_TYPE);
    m[1] = 0x50;
    assert_null(ap_t50_check(m, 15, &code));
    assert_int_equal(code, AP_REP82_INVALID_MSG_LEN);
    /* header length 0x190, 0x18f bytes received */
    assert_null(ap_t50_check(m, 0x18f, &code));
    assert_int_equal(code, AP_REP82_INVALID_MSG_LEN);
    m[12] = 1;
    assert_null(ap_t50_check(m, 0x190, &code));
    assert_int_equal(code, AP_REP82_RESERVED_FIELD);
    m[12] = 0;
    m[9] = 0x04;
    assert_null(ap_t50_check(m, 0x190, &code));
    assert_int_equal(code, AP_REP82_FORMAT_FIELD);
    /* MEB2's key-block type on a message of MEB1's size */
    m[9] = 0x02;
    assert_null(ap_t50_check(m, 0x190, &code));
    assert_int_equal(code, AP_REP82_INVALID_MSG_LEN);
    m[9] = 0x01;
    assert_non_null(ap_t50_check(m, 0x190, &code));
}

/* An attacker flips one bit of the 16 bytes of header and key block:
 * every flip is refused, except in byte 5 (zcrypt's "ignored" byte); a
 * flip in the fields is never the checker's business. */
static void
t50_check_header_flips(void **state)
{
    uint8_t m[AP_T50_MEB1_LEN], code;

    meb1_valid(m);
    for (size_t i = 0; i < 16; i++) {
        for (unsigned b = 0; b < 8; b++) {
            m[i] ^= (uint8_t)(1u << b);
            if (i == 5)
                assert_non_null(ap_t50_check(m, 0x190, &code));
            else
                assert_null(ap_t50_check(m, 0x190, &code));
            m[i] ^= (uint8_t)(1u << b);
        }
    }
    m[16 + 200] ^= 0x80;
    assert_non_null(ap_t50_check(m, 0x190, &code));
}

/* Type 80: 00 80 00 14 00 ... (16 bytes) then the result; parsed back. */
static void
t80_round_trip(void **state)
{
    static const uint8_t res[4] = {0xde, 0xad, 0xbe, 0xef};
    uint8_t r[20], want[20], out[4] = {0}, code = 0x77;

    memset(r, 0xee, sizeof(r));
    ap_t80_put_header(r, sizeof(r));
    memcpy(r + 16, res, 4);
    memset(want, 0, sizeof(want));
    want[1] = 0x80;
    want[3] = 0x14;
    memcpy(want + 16, res, 4);
    assert_bytes_equal(r, want, sizeof(want));
    assert_int_equal(ap_t80_parse(r, sizeof(r), out, 4, &code), 0);
    assert_bytes_equal(out, res, 4);
    assert_int_equal(code, 0x77);
    /* the last res_len bytes are the result: a shorter read is its tail */
    assert_int_equal(ap_t80_parse(r, sizeof(r), out, 2, &code), 0);
    assert_int_equal(out[0], 0xbe);
    assert_int_equal(out[1], 0xef);
}

/* Type 82/88: 00 82 00 00 code 00 00 00; parsed as -EIO with the code. */
static void
err_reply_round_trip(void **state)
{
    static const uint8_t want[8] = {0, 0x82, 0, 0, 0x85, 0, 0, 0};
    uint8_t r[8], out[1], code = 0;

    memset(r, 0xee, sizeof(r));
    assert_int_equal(ap_err_reply(r, AP_T82_TYPE, AP_REP82_EVEN_MOD_IN_OPND),
                     8);
    assert_bytes_equal(r, want, 8);
    assert_int_equal(ap_t80_parse(r, 8, out, 1, &code), -EIO);
    assert_int_equal(code, 0x85);
    assert_int_equal(ap_err_reply(r, AP_T88_TYPE, AP_REP88_MODULE_FAILURE), 8);
    assert_int_equal(r[1], 0x88);
    assert_int_equal(ap_t80_parse(r, 8, out, 1, NULL), -EIO);
    assert_int_equal(ap_t80_parse(r, 8, out, 1, &code), -EIO);
    assert_int_equal(code, 0x10);
}

/* A reply is untrusted too: a length field that disagrees with what
 * arrived, or cannot hold the result, or an unknown type, is -EINVAL and
 * nothing is copied. */
static void
t80_parse_hostile(void **state)
{
    uint8_t r[24], out[8], code = 0;

    ap_t80_put_header(r, sizeof(r));
    memset(r + 16, 0xab, 8);
    memset(out, 0, sizeof(out));
    assert_int_equal(ap_t80_parse(r, 23, out, 8, &code), -EINVAL);
    assert_int_equal(ap_t80_parse(r, 24, out, 9, &code), -EINVAL);
    r[3] = 0xff;
    assert_int_equal(ap_t80_parse(r, 24, out, 8, &code), -EINVAL);
    r[3] = 24;
    r[1] = 0x86;
    assert_int_equal(ap_t80_parse(r, 24, out, 8, &code), -EINVAL);
    r[1] = 0x80;
    assert_int_equal(ap_t80_parse(r, 15, out, 0, &code), -EINVAL);
    assert_int_equal(ap_t80_parse(r, 7, out, 0, &code), -EINVAL);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(ap_t80_parse(r, 24, out, 8, &code), 0);
    assert_int_equal(out[7], 0xab);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t50_fmt_for_mod_bounds),
        cmocka_unit_test(t50_meb2_bytes),
        cmocka_unit_test(t50_crb1_bytes),
        cmocka_unit_test(t50_build_errors),
        cmocka_unit_test(t50_round_trip),
        cmocka_unit_test(t50_check_codes),
        cmocka_unit_test(t50_check_header_flips),
        cmocka_unit_test(t80_round_trip),
        cmocka_unit_test(err_reply_round_trip),
        cmocka_unit_test(t80_parse_hostile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
