/* SPDX-License-Identifier: MIT */
/*
 * ap/cex_accel: the CEX accelerator card model (CEXnA).  It parses a
 * type-50 request (untrusted bytes), computes the RSA modular
 * exponentiation with OpenSSL's libcrypto, and answers with a type-80
 * reply, or a type-82 error reply for a malformed request.
 *
 * Which reply code a real card gives for which malformed request is not
 * documented (reference §8); Linux only tells "invalid request" from
 * "retry elsewhere".  The codes here are chosen deliberately, checked in
 * this order, and listed in docs/ap.md:
 *   byte 1 is not 0x50                         -> 82 / 0x20 message type
 *   shorter than header + key block, or the
 *   header length differs from the bytes sent,
 *   or the format's size differs               -> 82 / 0x23 message length
 *   a reserved header / key-block byte is set  -> 82 / 0x24 reserved field
 *   unknown key-block type                     -> 82 / 0x29 format field
 *   even modulus or prime                      -> 82 / 0x85
 *   zero or one modulus or prime, or the
 *   message not below the modulus              -> 82 / 0x82 operand invalid
 *   the computation itself fails (libcrypto)   -> 88 / 0x10 module failure
 */
#include "ap/ap_msg.h"

#ifdef ZV_HAVE_LIBCRYPTO
#include <openssl/bn.h>

bool
ap_cex_accel_available(void)
{
    return true;
}

/* A modulus or prime must be odd and > 1: 0x85 for even, 0x82 for 0/1. */
static uint8_t
t50_check_modulus(const BIGNUM *n)
{
    if (BN_is_zero(n) || BN_is_one(n))
        return AP_REP82_OPERAND_INVALID;
    if (!BN_is_odd(n))
        return AP_REP82_EVEN_MOD_IN_OPND;
    return 0;
}

/* r = m^e mod n.  Returns a type-82 reply code, 0 on success, 0xff when
 * libcrypto failed. */
static uint8_t
t50_mex(const uint8_t *f, size_t w, BIGNUM *r, BN_CTX *ctx)
{
    BIGNUM *e = BN_CTX_get(ctx), *n = BN_CTX_get(ctx), *m = BN_CTX_get(ctx);
    uint8_t code;

    if (!m || !BN_bin2bn(f, (int)w, e) || !BN_bin2bn(f + w, (int)w, n) ||
        !BN_bin2bn(f + 2 * w, (int)w, m))
        return 0xff;
    code = t50_check_modulus(n);
    if (code)
        return code;
    if (BN_cmp(m, n) >= 0)
        return AP_REP82_OPERAND_INVALID;
    return BN_mod_exp(r, m, e, n, ctx) ? 0 : 0xff;
}

/* Garner's recombination: m1 = c^dp mod p, m2 = c^dq mod q,
 * h = u (m1 - m2) mod p, r = m2 + h q. */
static uint8_t
t50_crt(const uint8_t *f, size_t w, BIGNUM *r, BN_CTX *ctx)
{
    BIGNUM *p = BN_CTX_get(ctx), *q = BN_CTX_get(ctx), *dp = BN_CTX_get(ctx);
    BIGNUM *dq = BN_CTX_get(ctx), *u = BN_CTX_get(ctx), *c = BN_CTX_get(ctx);
    BIGNUM *m1 = BN_CTX_get(ctx), *m2 = BN_CTX_get(ctx), *t = BN_CTX_get(ctx);
    BIGNUM *c1 = BN_CTX_get(ctx);
    uint8_t code;

    if (!c1 || !BN_bin2bn(f, (int)w, p) || !BN_bin2bn(f + w, (int)w, q) ||
        !BN_bin2bn(f + 2 * w, (int)w, dp) ||
        !BN_bin2bn(f + 3 * w, (int)w, dq) || !BN_bin2bn(f + 4 * w, (int)w, u) ||
        !BN_bin2bn(f + 5 * w, (int)(2 * w), c))
        return 0xff;
    code = t50_check_modulus(p);
    if (!code)
        code = t50_check_modulus(q);
    if (code)
        return code;
    if (!BN_mul(t, p, q, ctx))
        return 0xff;
    if (BN_cmp(c, t) >= 0)
        return AP_REP82_OPERAND_INVALID;
    /* Private exponents: constant-time exponentiation, both halves in one
     * call as OpenSSL's own RSA does (declared in <openssl/bn.h> since
     * 3.0; it interleaves the two exponentiations where the CPU allows,
     * else it makes the two single calls).  Both bases reduced first:
     * the function wants a < m. */
    if (!BN_nnmod(c1, c, p, ctx) || !BN_nnmod(t, c, q, ctx) ||
        !BN_mod_exp_mont_consttime_x2(m1, c1, dp, p, NULL, m2, t, dq, q, NULL,
                                      ctx) ||
        !BN_mod_sub(t, m1, m2, p, ctx) || !BN_mod_mul(t, t, u, p, ctx) ||
        !BN_mul(t, t, q, ctx) || !BN_add(r, t, m2))
        return 0xff;
    return 0;
}

static size_t
t50_compute(const struct ap_t50_fmt *fmt, const uint8_t *req, uint8_t *reply,
            size_t reply_max)
{
    const uint8_t *f = ap_t50_fields(req);
    size_t rw = ap_t50_msg_width(fmt), total = AP_T80_HDR_LEN + rw;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *r;
    uint8_t code = 0xff;

    if (!ctx)
        return ap_err_reply(reply, AP_T88_TYPE, AP_REP88_MODULE_FAILURE);
    BN_CTX_start(ctx);
    r = BN_CTX_get(ctx);
    if (r)
        code =
            fmt->crt ? t50_crt(f, fmt->w, r, ctx) : t50_mex(f, fmt->w, r, ctx);
    if (code == 0 && (reply_max < total ||
                      BN_bn2binpad(r, reply + AP_T80_HDR_LEN, (int)rw) < 0))
        code = 0xff;
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    if (code == 0xff)
        return ap_err_reply(reply, AP_T88_TYPE, AP_REP88_MODULE_FAILURE);
    if (code)
        return ap_err_reply(reply, AP_T82_TYPE, code);
    ap_t80_put_header(reply, total);
    return total;
}

#else /* !ZV_HAVE_LIBCRYPTO */

bool
ap_cex_accel_available(void)
{
    return false;
}

static size_t
t50_compute(const struct ap_t50_fmt *fmt, const uint8_t *req, uint8_t *reply,
            size_t reply_max)
{
    return ap_err_reply(reply, AP_T88_TYPE, AP_REP88_MODULE_FAILURE);
}

#endif

size_t
ap_cex_accel_process(const uint8_t *req, size_t len, uint8_t *reply,
                     size_t reply_max)
{
    const struct ap_t50_fmt *fmt;
    uint8_t code;

    if (reply_max < AP_ERR_HDR_LEN)
        return 0;
    fmt = ap_t50_check(req, len, &code);
    if (!fmt)
        return ap_err_reply(reply, AP_T82_TYPE, code);
    return t50_compute(fmt, req, reply, reply_max);
}
