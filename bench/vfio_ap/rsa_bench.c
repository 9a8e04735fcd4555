/* SPDX-License-Identifier: MIT */
/*
 * rsa_bench: RSA-2048 private-key operations per second through the guest
 * AP path (the vfio_ap instruction region: NQAP of a type-50 CRB2 request
 * from DMA-mapped guest memory, the card model computing with libcrypto,
 * DQAP of the type-80 reply, parse) against OpenSSL's raw RSA private
 * operation called directly, side by side in the same run (target: the
 * guest path at >= 90 % of direct).  In process, virtual loop: the card's
 * modelled latency is virtual time, so the figure is the CPU cost.
 *
 * Usage: rsa_bench [ops [rounds]]   (default 400 ops, 5 rounds; medians)
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ap/ap_msg.h"
#include "base/bytes.h"
#include "vfio_ap/vfio_ap.h"

#define IOVA    0x100000ull
#define MEMSZ   (64u * 1024)
#define REP_OFF 0x8000

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
bn(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *b = NULL;
    int n;

    if (EVP_PKEY_get_bn_param(k, name, &b) != 1)
        exit(1);
    n = BN_bn2bin(b, out);
    BN_free(b);
    return (size_t)n;
}

static void
insn(struct zv_vdev *vd, uint8_t op, uint16_t apqn, uint64_t psmid,
     uint64_t addr, uint64_t len, uint8_t *b)
{
    memset(b, 0, ZV_AP_INSN_SIZE);
    b[ZV_AP_INSN_OFF_OP] = op;
    zv_put_be64(b + ZV_AP_INSN_OFF_GR0, apqn);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_ADDR, addr);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, len);
    if (zv_vdev_region_write(vd, 0, 0, b, ZV_AP_INSN_SIZE) != ZV_AP_INSN_SIZE ||
        zv_vdev_region_read(vd, 0, 0, b, ZV_AP_INSN_SIZE) != ZV_AP_INSN_SIZE)
        exit(1);
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    unsigned ops = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 400;
    unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 5;
    uint8_t n_[256], p[128], q[128], dp[128], dq[128], u[128], msg[256],
        res[256], want[256], b[ZV_AP_INSN_SIZE], code;
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct ap_bus *bus = ap_bus_new(loop, NULL);
    struct zv_mdev_bus *mbus = zv_mdev_bus_new();
    struct ap_adapter_desc d = {.apid = 3,
                                .type = AP_TYPE_CEX8,
                                .mode = AP_MODE_ACCEL,
                                .qd = 7,
                                .configured = true};
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd = NULL;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    EVP_PKEY_CTX *c;
    double *gr, *dr;
    uint8_t *mem = aligned_alloc(4096, MEMSZ);
    size_t nl, olen;
    int len;

    if (!k || !mem || !ops || !rounds || ap_adapter_add(bus, &d) ||
        ap_config_domain(bus, 1, true))
        return 1;
    zv_loop_run(loop);
    ap_bus_apmask_store(bus, "-3");
    drv = zv_vfio_ap_new(bus, mbus);
    if (!drv ||
        zv_mdev_create(zv_vfio_ap_parent(drv), ZV_VFIO_AP_TYPE_ID,
                       "00000000-0000-0000-0000-0000000000aa", &vd) ||
        zv_vfio_ap_attr_store(vd, "ap_config", "0x10,0x40,0", 11) != 11 ||
        zv_vdev_open(vd) || zv_vdev_dma_map(vd, IOVA, MEMSZ, mem, ZV_MEM_RW))
        return 1;
    nl = bn(k, OSSL_PKEY_PARAM_RSA_N, n_);
    struct ap_crt_key ck = {
        .p = p,
        .p_len = bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1, p),
        .q = q,
        .q_len = bn(k, OSSL_PKEY_PARAM_RSA_FACTOR2, q),
        .dp = dp,
        .dp_len = bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp),
        .dq = dq,
        .dq_len = bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq),
        .u = u,
        .u_len = bn(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, u),
    };
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    msg[0] = 0x1f; /* below the modulus */
    len = ap_t50_build_crt(mem, REP_OFF, &ck, nl, msg, sizeof(msg));
    c = EVP_PKEY_CTX_new(k, NULL);
    if (len <= 0 || !c || EVP_PKEY_decrypt_init(c) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) <= 0)
        return 1;
    olen = sizeof(want);
    if (EVP_PKEY_decrypt(c, want, &olen, msg, sizeof(msg)) != 1)
        return 1;
    gr = calloc(rounds, sizeof(*gr));
    dr = calloc(rounds, sizeof(*dr));
    if (!gr || !dr)
        return 1;
    for (unsigned r = 0; r < rounds; r++) {
        double t0 = now_s();

        for (unsigned i = 0; i < ops; i++) {
            insn(vd, ZV_AP_INSN_NQAP, AP_MKQN(3, 1), i, IOVA, (uint64_t)len, b);
            if (b[ZV_AP_INSN_OFF_CC])
                return 1;
            zv_loop_run(loop);
            insn(vd, ZV_AP_INSN_DQAP, AP_MKQN(3, 1), 0, IOVA + REP_OFF, 1024,
                 b);
            if (b[ZV_AP_INSN_OFF_CC] ||
                ap_t80_parse(mem + REP_OFF, zv_be64(b + ZV_AP_INSN_OFF_LEN),
                             res, sizeof(res), &code) ||
                memcmp(res, want, sizeof(res)))
                return 2; /* the card's answer must be OpenSSL's */
        }
        gr[r] = ops / (now_s() - t0);
        t0 = now_s();
        for (unsigned i = 0; i < ops; i++) {
            olen = sizeof(res);
            if (EVP_PKEY_decrypt(c, res, &olen, msg, sizeof(msg)) != 1)
                return 1;
        }
        dr[r] = ops / (now_s() - t0);
    }
    qsort(gr, rounds, sizeof(*gr), cmp_d);
    qsort(dr, rounds, sizeof(*dr), cmp_d);
    printf("RSA-2048 CRT: guest path %.0f ops/s, OpenSSL direct %.0f ops/s: "
           "%.1f %% (medians of %u rounds x %u ops; target >= 90 %%)\n",
           gr[rounds / 2], dr[rounds / 2],
           100.0 * gr[rounds / 2] / dr[rounds / 2], rounds, ops);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(k);
    zv_vdev_close(vd);
    zv_vfio_ap_free(drv);
    zv_mdev_bus_free(mbus);
    ap_bus_free(bus);
    zv_loop_free(loop);
    free(mem);
    free(gr);
    free(dr);
    return 0;
}
