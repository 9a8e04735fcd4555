/* SPDX-License-Identifier: MIT */
/*
 * zvfio-guest ap: the guest side of a vfio_ap mdev.  "list" prints the
 * guest's AP configuration (PQAP(QCI) through the instruction region)
 * and each queue's TAPQ; "run" sends RSA requests in the layouts zcrypt
 * uses for a CEX accelerator (type 50 ME and CRT, type 80 replies) to
 * every queue of the guest matrix, checks every result with OpenSSL, and
 * reports, per queue, what came back: a hot unplug made from zvfioctl
 * during the run shows as the configuration-change interrupt and as AP
 * response codes on the queues that left, the others going on.
 */
#include <errno.h>
#include <getopt.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/ap.h"
#include "arch/ap_msg.h"
#include "guest/ap_vfu.h"
#include "zvfio-guest.h"

#define ZG_AP_MAX_Q 64
#define ZG_AP_BASE  0x100000ull
#define ZG_AP_SIZE  0x10000ull

struct zg_apq {
    uint16_t apqn;
    uint64_t ok, err, wrong;
    uint8_t first_rc, last_rc;
    uint64_t first_err_at; /* request number of the first error */
};

struct zg_key {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *pub, *priv; /* no padding */
    size_t mod_len;
    uint8_t n[512], e[512], p[256], q[256], dp[256], dq[256], u[256];
    size_t n_len, e_len, p_len, q_len, dp_len, dq_len, u_len;
};

static const char *
rc_name(uint8_t rc)
{
    switch (rc) {
    case AP_RC_Q_NOT_AVAIL:
        return "queue not available";
    case AP_RC_RESET_IN_PROGRESS:
        return "reset in progress";
    case AP_RC_DECONFIGURED:
        return "adapter deconfigured";
    case AP_RC_CHECKSTOPPED:
        return "adapter checkstopped";
    case AP_RC_BUSY:
        return "busy";
    case AP_RC_INVALID_ADDRESS:
        return "invalid address";
    case AP_RC_Q_FULL:
        return "queue full / no reply";
    }
    return "error";
}

static void
print_apqns(const struct ap_config *c)
{
    int a, d;
    bool any = false;

    ap_mask_for_each(a, &c->apm)
    {
        ap_mask_for_each(d, &c->aqm)
        {
            printf(" %02x.%04x", a, d);
            any = true;
        }
    }
    printf("%s\n", any ? "" : " (none)");
}

static int
ap_list(struct guest_ap *g)
{
    struct ap_config c;
    int a, d, rc = guest_ap_qci(g, &c);

    if (rc)
        return zg_fail("ap", "PQAP(QCI)", rc);
    printf("adapters:");
    ap_mask_for_each(a, &c.apm) printf(" %02x", a);
    printf("\ndomains:");
    ap_mask_for_each(d, &c.aqm) printf(" %04x", d);
    printf("\ncontrol domains:");
    ap_mask_for_each(d, &c.adm) printf(" %04x", d);
    printf("\nAPQN     TYPE   MODE   QD  RC\n");
    ap_mask_for_each(a, &c.apm)
    {
        ap_mask_for_each(d, &c.aqm)
        {
            struct ap_qstatus st;
            struct ap_tapq_info i;

            rc = guest_ap_tapq(g, AP_MKQN(a, d), &st, &i);
            if (rc)
                return zg_fail("ap", "PQAP(TAPQ)", rc);
            printf("%02x.%04x  CEX%u%c  %-6s %-3u %02x%s%s\n", a, d,
                   i.at >= AP_TYPE_CEX4 ? i.at - AP_TYPE_CEX4 + 4u : 0,
                   i.accel  ? 'A'
                   : i.ep11 ? 'P'
                            : 'C',
                   i.accel  ? "accel"
                   : i.ep11 ? "ep11"
                            : "cca",
                   i.qd + 1u, st.rc, st.rc ? " " : "",
                   st.rc ? rc_name(st.rc) : "");
        }
    }
    return ZG_OK;
}

static size_t
key_bn(EVP_PKEY *k, const char *name, uint8_t *out, size_t max)
{
    BIGNUM *b = NULL;
    int n = -1;

    if (EVP_PKEY_get_bn_param(k, name, &b) == 1 &&
        (size_t)BN_num_bytes(b) <= max)
        n = BN_bn2bin(b, out);
    BN_free(b);
    return n < 0 ? 0 : (size_t)n;
}

static EVP_PKEY_CTX *
key_ctx(EVP_PKEY *k, bool pub)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);

    if (!c ||
        (pub ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) != 1) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

static int
key_new(struct zg_key *k, unsigned bits)
{
    memset(k, 0, sizeof(*k));
    k->pkey = EVP_RSA_gen(bits);
    if (!k->pkey)
        return -ENOMEM;
    k->mod_len = bits / 8;
    k->n_len = key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_N, k->n, sizeof(k->n));
    k->e_len = key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_E, k->e, sizeof(k->e));
    k->p_len = key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p, sizeof(k->p));
    k->q_len = key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q, sizeof(k->q));
    k->dp_len =
        key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dp, sizeof(k->dp));
    k->dq_len =
        key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dq, sizeof(k->dq));
    k->u_len =
        key_bn(k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->u, sizeof(k->u));
    k->pub = key_ctx(k->pkey, true);
    k->priv = key_ctx(k->pkey, false);
    if (!k->n_len || !k->e_len || !k->p_len || !k->q_len || !k->dp_len ||
        !k->dq_len || !k->u_len || !k->pub || !k->priv)
        return -EINVAL;
    return 0;
}

static void
key_free(struct zg_key *k)
{
    EVP_PKEY_CTX_free(k->pub);
    EVP_PKEY_CTX_free(k->priv);
    EVP_PKEY_free(k->pkey);
}

/* The card's result, checked with OpenSSL's RSA: an ME result (m^e) must
 * decrypt to m with the private key, a CRT result (m^d) must encrypt to
 * m with the public key. */
static bool
verify(struct zg_key *k, bool crt, const uint8_t *res, const uint8_t *msg)
{
    uint8_t back[512];
    size_t n = sizeof(back);
    int ok = crt ? EVP_PKEY_encrypt(k->pub, back, &n, res, k->mod_len)
                 : EVP_PKEY_decrypt(k->priv, back, &n, res, k->mod_len);

    return ok == 1 && n == k->mod_len && memcmp(back, msg, n) == 0;
}

static int
build(struct zg_key *k, bool crt, const uint8_t *msg, uint8_t *req)
{
    struct ap_crt_key ck = {k->p,     k->q,     k->dp,     k->dq,     k->u,
                            k->p_len, k->q_len, k->dp_len, k->dq_len, k->u_len};

    return crt ? ap_t50_build_crt(req, AP_T50_MAX_LEN, &ck, k->mod_len, msg,
                                  k->mod_len)
               : ap_t50_build_mex(req, AP_T50_MAX_LEN, k->e, k->e_len, k->n,
                                  k->n_len, msg, k->mod_len);
}

struct run_opts {
    double seconds;
    uint64_t count;
    unsigned bits;
};

static bool
in_matrix(const struct ap_config *c, uint16_t apqn)
{
    return ap_mask_test(&c->apm, AP_QN_APID(apqn)) &&
           ap_mask_test(&c->aqm, AP_QN_APQI(apqn));
}

/* One request on q; false only for a wrong result. */
static bool
one(struct guest_ap *g, struct zg_key *k, struct zg_apq *q, bool crt,
    uint64_t seq)
{
    uint8_t msg[512], req[AP_T50_MAX_LEN], rep[AP_T80_MAX_LEN], res[512],
        aprc = 0, code = 0;
    size_t rlen = 0;
    int n, rc;

    if (RAND_bytes(msg, (int)k->mod_len) != 1)
        return false;
    msg[0] &= 0x3f; /* below the modulus, whose top bit is set */
    n = build(k, crt, msg, req);
    if (n < 0)
        return false;
    rc = guest_ap_request(g, q->apqn, req, (size_t)n, rep, sizeof(rep), &rlen,
                          &aprc, 10000);
    if (rc == -EIO && aprc) {
        if (!q->err++) {
            q->first_rc = aprc;
            q->first_err_at = seq;
            printf("queue %02x.%04x: RC %02x (%s) from request %llu on\n",
                   AP_QN_APID(q->apqn), AP_QN_APQI(q->apqn), aprc,
                   rc_name(aprc), (unsigned long long)seq);
            fflush(stdout);
        }
        q->last_rc = aprc;
        return true;
    }
    if (rc || ap_t80_parse(rep, rlen, res, k->mod_len, &code) ||
        !verify(k, crt, res, msg)) {
        q->wrong++;
        fprintf(stderr,
                "zvfio-guest: queue %02x.%04x: %s request %llu: wrong or no "
                "result (%s, reply code %02x)\n",
                AP_QN_APID(q->apqn), AP_QN_APQI(q->apqn), crt ? "CRT" : "ME",
                (unsigned long long)seq, rc ? strerror(-rc) : "mismatch", code);
        return false;
    }
    q->ok++;
    return true;
}

static int
ap_run(struct guest_ap *g, const struct run_opts *o)
{
    struct zg_apq qs[ZG_AP_MAX_Q];
    struct ap_config c, end;
    unsigned nq = 0, seen = 0;
    uint64_t seq = 0, me = 0, crt = 0, wrong = 0, t0;
    struct zg_key k;
    int a, d, rc, bad = 0;

    if ((rc = guest_ap_qci(g, &c)))
        return zg_fail("ap", "PQAP(QCI)", rc);
    ap_mask_for_each(a, &c.apm)
    {
        ap_mask_for_each(d, &c.aqm)
        {
            if (nq < ZG_AP_MAX_Q)
                qs[nq++] = (struct zg_apq){.apqn = AP_MKQN(a, d)};
        }
    }
    if (!nq) {
        fprintf(stderr, "zvfio-guest: ap run: the guest matrix is empty "
                        "(assign adapters and domains to the mdev)\n");
        return ZG_FAIL;
    }
    if ((rc = key_new(&k, o->bits))) {
        key_free(&k);
        return zg_fail("ap", "RSA key generation (OpenSSL)", rc);
    }
    printf("running RSA-%u ME and CRT on %u queues\n", o->bits, nq);
    fflush(stdout);
    t0 = zg_now_ns();
    while ((!o->count || seq < o->count) &&
           (o->count || zg_now_ns() - t0 < (uint64_t)(o->seconds * 1e9))) {
        struct zg_apq *q = &qs[seq % nq];
        bool is_crt = (seq / nq) & 1;

        if (guest_ap_cfg_changes(g) != seen) {
            seen = guest_ap_cfg_changes(g);
            if (guest_ap_qci(g, &c) == 0) {
                printf("configuration change (CFG_CHG interrupt %u): guest "
                       "matrix now",
                       seen);
                print_apqns(&c);
                fflush(stdout);
            }
        }
        if (guest_ap_requests(g)) {
            /* the host removes the device: let go, as QEMU unplugs */
            printf("request interrupt: the host removes the device; "
                   "stopping\n");
            break;
        }
        if (!one(g, &k, q, is_crt, seq))
            wrong++;
        seq++;
        *(is_crt ? &crt : &me) += 1;
    }
    if ((rc = guest_ap_qci(g, &end)))
        end = c;
    for (unsigned i = 0; i < nq; i++) {
        struct zg_apq *q = &qs[i];
        bool still = in_matrix(&end, q->apqn);

        printf("queue %02x.%04x: %llu ok, %llu errors", AP_QN_APID(q->apqn),
               AP_QN_APQI(q->apqn), (unsigned long long)q->ok,
               (unsigned long long)q->err);
        if (q->err)
            printf(" (RC %02x %s, from request %llu)", q->first_rc,
                   rc_name(q->first_rc), (unsigned long long)q->first_err_at);
        printf("%s\n", still ? "" : ", left the guest matrix");
        /* errors are expected only on queues that were unplugged */
        if (q->err && still)
            bad = 1;
    }
    printf("configuration changes: %u; guest matrix at the end:",
           guest_ap_cfg_changes(g));
    print_apqns(&end);
    printf("verified with OpenSSL: %llu ME, %llu CRT requests, %llu wrong\n",
           (unsigned long long)me, (unsigned long long)crt,
           (unsigned long long)wrong);
    key_free(&k);
    if (wrong)
        fprintf(stderr, "zvfio-guest: %llu results were wrong\n",
                (unsigned long long)wrong);
    if (bad)
        fprintf(stderr, "zvfio-guest: errors on a queue still in the guest "
                        "matrix\n");
    return wrong || bad ? ZG_FAIL : ZG_OK;
}

static const struct option ap_opts[] = {
    {"time", required_argument, NULL, 't'},
    {"count", required_argument, NULL, 'n'},
    {"bits", required_argument, NULL, 'b'},
    {NULL, 0, NULL, 0},
};

int
zg_ap_main(const char *sock, int argc, char **argv)
{
    struct run_opts o = {.seconds = 3, .bits = 2048};
    struct zv_vfu_client *c;
    struct guest_ap *g;
    char *end;
    int opt, rc;

    if (argc < 1 || (strcmp(argv[0], "list") && strcmp(argv[0], "run"))) {
        fprintf(stderr, "zvfio-guest: ap list | ap run [--time S] "
                        "[--count N] [--bits 1024..4096]\n");
        return ZG_USAGE;
    }
    optind = 0; /* GNU getopt: start again (argv[0] is the subcommand) */
    while ((opt = getopt_long(argc, argv, "", ap_opts, NULL)) != -1) {
        errno = 0;
        switch (opt) {
        case 't':
            o.seconds = strtod(optarg, &end);
            if (*end || o.seconds <= 0 || o.seconds > 86400)
                return zg_usage("--time: seconds, > 0");
            break;
        case 'n':
            o.count = strtoull(optarg, &end, 0);
            if (*end || errno || !o.count)
                return zg_usage("--count: a positive number");
            break;
        case 'b':
            o.bits = (unsigned)strtoul(optarg, &end, 0);
            if (*end || o.bits < 1024 || o.bits > 4096 || o.bits % 64)
                return zg_usage("--bits: 1024..4096, a multiple of 64");
            break;
        default:
            return zg_usage("ap: unknown option");
        }
    }
    if (optind < argc)
        return zg_usage("ap: unexpected argument");
    rc = zv_vfu_client_connect(sock, &c);
    if (rc)
        return zg_fail(sock, "connect", rc);
    rc = guest_ap_new(c, ZG_AP_BASE, ZG_AP_SIZE, &g);
    if (rc)
        return zg_fail(sock, rc == -ENODEV ? "not a vfio-ap device" : "open",
                       rc);
    rc = !strcmp(argv[0], "list") ? ap_list(g) : ap_run(g, &o);
    guest_ap_free(g);
    return rc;
}
