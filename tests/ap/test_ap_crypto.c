/* SPDX-License-Identifier: MIT */
/*
 * The accelerator card model computes RSA: for fresh keys of 1024, 1536,
 * 2048 and 4096 bits, ME with d, CRT, and ME with e sent through
 * NQAP/DQAP on a CEX7A queue must equal OpenSSL's own raw RSA private and
 * public operations (EVP, no padding), computed independently here; and
 * operand errors get their type-82 codes.  Skips (exit 77) when built
 * without libcrypto.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ah.h"
#include "ap/ap_msg.h"

#ifdef ZV_HAVE_LIBCRYPTO

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#define QN AP_MKQN(2, 9)

struct key {
    EVP_PKEY *pkey;
    size_t mod_len;
    uint8_t n[512], e[512], d[512], p[256], q[256], dp[256], dq[256], u[256];
    size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, u_len;
};

static size_t
get_bn(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *bn = NULL;
    int n;

    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    n = BN_bn2bin(bn, out);
    BN_free(bn);
    assert_true(n > 0);
    return (size_t)n;
}

static void
key_new(struct key *k, unsigned bits)
{
    k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    assert_non_null(k->pkey);
    k->mod_len = (bits + 7) / 8;
    k->n_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_N, k->n);
    assert_int_equal(k->n_len, k->mod_len);
    k->e_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_E, k->e);
    k->d_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_D, k->d);
    k->p_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p);
    k->q_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q);
    k->dp_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dp);
    k->dq_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dq);
    k->u_len = get_bn(k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->u);
}

/* OpenSSL's own raw RSA: private (m^d mod n) or public (m^e mod n). */
static void
evp_raw(EVP_PKEY *pkey, bool priv, const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
    size_t olen = len;

    assert_non_null(c);
    assert_int_equal(priv ? EVP_PKEY_decrypt_init(c) : EVP_PKEY_encrypt_init(c),
                     1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0);
    if (priv)
        assert_int_equal(EVP_PKEY_decrypt(c, out, &olen, in, len), 1);
    else
        assert_int_equal(EVP_PKEY_encrypt(c, out, &olen, in, len), 1);
    assert_int_equal(olen, len);
    EVP_PKEY_CTX_free(c);
}

static struct ah *
card_bus(void)
{
    struct ah *h = ah_new(NULL);

    ah_card(h, 2, AP_TYPE_CEX7, AP_MODE_ACCEL, 7);
    ah_domains(h, 9, 9);
    ah_run(h);
    return h;
}

/* NQAP the request, run the card, DQAP and parse; returns the type-82
 * reply code (0 = a type-80 result was stored in res). */
static uint8_t
run_request(struct ah *h, const uint8_t *req, int len, uint8_t *res,
            size_t res_len)
{
    static uint8_t rep[AP_T80_MAX_LEN];
    static uint64_t next_psmid = 0x5000;
    uint64_t psmid = 0, want = next_psmid++;
    size_t stored;
    bool more;
    uint8_t code = 0;
    int rc;

    assert_true(len > 0);
    assert_int_equal(ap_nqap(h->bus, QN, want, req, (size_t)len).cc, 0);
    ah_run(h);
    assert_int_equal(
        ap_dqap(h->bus, QN, &psmid, rep, sizeof(rep), &stored, &more).cc, 0);
    assert_false(more);
    assert_true(psmid == want);
    rc = ap_t80_parse(rep, stored, res, res_len, &code);
    if (rc == -EIO)
        return code;
    assert_int_equal(rc, 0);
    /* the result fills the request's message field exactly */
    assert_int_equal(stored, AP_T80_HDR_LEN + ((res_len <= 128)   ? 128
                                               : (res_len <= 256) ? 256
                                                                  : 512));
    return 0;
}

static void
rsa_vs_openssl(unsigned bits)
{
    struct ah *h = card_bus();
    struct key k;
    uint8_t m[512], want[512], got[512], req[AP_T50_MAX_LEN];
    struct ap_crt_key ck;
    int len;

    key_new(&k, bits);
    ck = (struct ap_crt_key){k.p,     k.q,     k.dp,     k.dq,     k.u,
                             k.p_len, k.q_len, k.dp_len, k.dq_len, k.u_len};
    for (int round = 0; round < 3; round++) {
        assert_int_equal(RAND_bytes(m, (int)k.mod_len), 1);
        m[0] &= 0x7f; /* below n: n has its top bit set */
        /* private: ME with d, CRT, both equal to OpenSSL's */
        evp_raw(k.pkey, true, m, k.mod_len, want);
        len = ap_t50_build_mex(req, sizeof(req), k.d, k.d_len, k.n, k.n_len, m,
                               k.mod_len);
        assert_int_equal(run_request(h, req, len, got, k.mod_len), 0);
        assert_memory_equal(got, want, k.mod_len);
        len = ap_t50_build_crt(req, sizeof(req), &ck, k.mod_len, m, k.mod_len);
        assert_int_equal(run_request(h, req, len, got, k.mod_len), 0);
        assert_memory_equal(got, want, k.mod_len);
        /* public: ME with e; and it inverts the private result */
        evp_raw(k.pkey, false, m, k.mod_len, want);
        len = ap_t50_build_mex(req, sizeof(req), k.e, k.e_len, k.n, k.n_len, m,
                               k.mod_len);
        assert_int_equal(run_request(h, req, len, got, k.mod_len), 0);
        assert_memory_equal(got, want, k.mod_len);
        len =
            ap_t50_build_crt(req, sizeof(req), &ck, k.mod_len, got, k.mod_len);
        assert_int_equal(run_request(h, req, len, got, k.mod_len), 0);
        assert_memory_equal(got, m, k.mod_len);
    }
    EVP_PKEY_free(k.pkey);
    ah_free(h);
}

static void
rsa_1024(void **state)
{
    rsa_vs_openssl(1024);
}

static void
rsa_1536(void **state)
{
    rsa_vs_openssl(1536); /* 192 bytes in MEB2/CRB2: right alignment */
}

static void
rsa_2048(void **state)
{
    rsa_vs_openssl(2048);
}

static void
rsa_4096(void **state)
{
    rsa_vs_openssl(4096);
}

/* Operand errors: even modulus 0x85, zero modulus 0x82, message not below
 * the modulus 0x82; the same for CRT primes and p*q */
static void
operand_errors(void **state)
{
    struct ah *h = card_bus();
    uint8_t req[AP_T50_MAX_LEN], res[128], three = 3, one = 1;
    uint8_t even = 0x10, zero = 0, odd = 0x0f, big = 0x20;
    uint8_t p = 11, q = 7, dp = 3, dq = 5, u = 8, pq = 77;
    struct ap_crt_key ck = {&p, &q, &dp, &dq, &u, 1, 1, 1, 1, 1};
    int len;

    len = ap_t50_build_mex(req, sizeof(req), &three, 1, &even, 1, &one, 1);
    assert_int_equal(run_request(h, req, len, res, 128),
                     AP_REP82_EVEN_MOD_IN_OPND);
    len = ap_t50_build_mex(req, sizeof(req), &three, 1, &zero, 1, &one, 1);
    assert_int_equal(run_request(h, req, len, res, 128),
                     AP_REP82_OPERAND_INVALID);
    len = ap_t50_build_mex(req, sizeof(req), &three, 1, &odd, 1, &big, 1);
    assert_int_equal(run_request(h, req, len, res, 128),
                     AP_REP82_OPERAND_INVALID);
    /* a small good one: 2^3 mod 15 = 8 */
    big = 2;
    len = ap_t50_build_mex(req, sizeof(req), &three, 1, &odd, 1, &big, 1);
    assert_int_equal(run_request(h, req, len, res, 128), 0);
    assert_int_equal(res[127], 8);
    /* CRT: u = 7^-1 mod 11 = 8; 2^d mod 77 with d = 23: dp 3, dq 5 */
    len = ap_t50_build_crt(req, sizeof(req), &ck, 128, &big, 1);
    assert_int_equal(run_request(h, req, len, res, 128), 0);
    assert_int_equal(res[127], 74); /* 2^23 mod 77 = 74 */
    len = ap_t50_build_crt(req, sizeof(req), &ck, 128, &pq, 1);
    assert_int_equal(run_request(h, req, len, res, 128),
                     AP_REP82_OPERAND_INVALID);
    p = 12;
    len = ap_t50_build_crt(req, sizeof(req), &ck, 128, &big, 1);
    assert_int_equal(run_request(h, req, len, res, 128),
                     AP_REP82_EVEN_MOD_IN_OPND);
    ah_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsa_1024),       cmocka_unit_test(rsa_1536),
        cmocka_unit_test(rsa_2048),       cmocka_unit_test(rsa_4096),
        cmocka_unit_test(operand_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int
main(void)
{
    printf("ap_crypto: built without libcrypto, the RSA card model tests "
           "are skipped\n");
    return 77;
}

#endif
