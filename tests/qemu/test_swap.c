/* SPDX-License-Identifier: MIT */
/*
 * qemu/swap: each block QEMU's vfio-ccw exchanges in host order, built
 * the way QEMU builds it (its structs, hw/s390x/ioinst.h layout, filled
 * field by field), against the architected bytes src/arch encodes.  On a
 * big-endian host the same assertions prove the conversions are the
 * identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapter.h"
#include "arch/crw.h"
#include "arch/orb.h"
#include "arch/schib.h"
#include "base/bytes.h"

/* QEMU's host-order structs, as hw/s390x/ioinst.h declares them */
struct q_orb {
    uint32_t intparm;
    uint16_t ctrl0;
    uint8_t lpm;
    uint8_t ctrl1;
    uint32_t cpa;
} __attribute__((packed));
struct q_scsw {
    uint16_t flags;
    uint16_t ctrl;
    uint32_t cpa;
    uint8_t dstat;
    uint8_t cstat;
    uint16_t count;
} __attribute__((packed));
struct q_pmcw {
    uint32_t intparm;
    uint16_t flags;
    uint16_t devno;
    uint8_t lpm, pnom, lpum, pim;
    uint16_t mbi;
    uint8_t pom, pam;
    uint8_t chpid[8];
    uint32_t chars;
} __attribute__((packed));
struct q_schib {
    struct q_pmcw pmcw;
    struct q_scsw scsw;
    uint64_t mba;
    uint8_t mda[4];
} __attribute__((packed));
struct q_crw {
    uint16_t flags;
    uint16_t rsid;
} __attribute__((packed));
_Static_assert(sizeof(struct q_orb) == 12, "QEMU ORB");
_Static_assert(sizeof(struct q_scsw) == 12, "QEMU SCSW");
_Static_assert(sizeof(struct q_schib) == ZQ_SCHIB_REGION_SIZE, "QEMU SCHIB");

/* QEMU's ORB ctrl0 = word 1 bits 0-15, SCSW flags/ctrl = word 0 halves */
#define Q_ORB_FMT         0x0080
#define Q_ORB_PFCH        0x0040
#define Q_ORB_C64         0x0002
#define Q_ORB_L           0x80 /* ctrl1 */
#define Q_SCSW_PNO        0x0001
#define Q_SCSW_FMT        0x0080
#define Q_FCTL_START      0x4000
#define Q_ACTL_START_PEND 0x0400

static void
ssch_region_is_architected(void **state)
{
    uint8_t r[ZQ_IO_REGION_SIZE], want[ORB_SIZE], wscsw[SCSW_SIZE];
    struct q_orb qo = {.intparm = 0x01af4800,
                       .ctrl0 = 0x3000 | Q_ORB_FMT | Q_ORB_PFCH | Q_ORB_C64,
                       .lpm = 0x80,
                       .ctrl1 = Q_ORB_L,
                       .cpa = 0x01ba8028};
    struct q_scsw qs = {.flags = 0x3000 | Q_SCSW_FMT,
                        .ctrl = Q_FCTL_START | Q_ACTL_START_PEND,
                        .cpa = 0x01ba8028,
                        .count = 0x1234};
    struct orb o = {.intparm = 0x01af4800,
                    .key = 3,
                    .fmt = true,
                    .pfch = true,
                    .c64 = true,
                    .lpm = 0x80,
                    .ils = true,
                    .cpa = 0x01ba8028};
    struct scsw s = {.key = 3,
                     .fmt = true,
                     .fctl = SCSW_FCTL_START,
                     .actl = SCSW_ACTL_START_PEND,
                     .cpa = 0x01ba8028,
                     .count = 0x1234};
    uint32_t ret = 0x01020304;

    memset(r, 0xA5, sizeof(r)); /* the IRB area must stay as it is */
    memcpy(r + ZQ_IO_ORB_OFF, &qo, sizeof(qo));
    memcpy(r + ZQ_IO_SCSW_OFF, &qs, sizeof(qs));
    memcpy(r + ZQ_IO_RET_OFF, &ret, sizeof(ret));
    zq_swap_io_write(r);
    orb_encode(&o, want);
    scsw_encode(&s, wscsw);
    assert_memory_equal(r + ZQ_IO_ORB_OFF, want, ORB_SIZE);
    assert_memory_equal(r + ZQ_IO_SCSW_OFF, wscsw, SCSW_SIZE);
    for (int i = ZQ_IO_IRB_OFF; i < ZQ_IO_RET_OFF; i++)
        assert_int_equal(r[i], 0xA5);
    assert_int_equal(zv_be32(r + ZQ_IO_RET_OFF), 0x01020304);
}

/* The bytes the feasibility probe saw in orb_area on x86-64
 * (shared/reference/qemu-adapter.md §2.4). */
static void
probe_orb_bytes(void **state)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint8_t r[ZQ_IO_REGION_SIZE] = {0x00, 0x48, 0xaf, 0x01, 0xc2, 0x00,
                                    0x80, 0x00, 0x28, 0x80, 0xba, 0x01};
    struct orb o;

    zq_swap_io_write(r);
    orb_decode(&o, r, ORB_SIZE);
    assert_int_equal(o.intparm, 0x01af4800);
    assert_true(o.fmt && o.pfch && o.c64);
    assert_false(o.isic || o.i2k || o.midaw || o.x);
    assert_int_equal(o.lpm, 0x80);
    assert_int_equal(o.cpa, 0x01ba8028);
#else
    skip();
#endif
}

static void
async_command_is_architected(void **state)
{
    uint32_t host[2] = {2 /* CSCH */, 0xdeadbeef};
    uint8_t r[ZQ_ASYNC_REGION_SIZE];

    memcpy(r, host, sizeof(r));
    zq_swap_async_write(r);
    assert_int_equal(zv_be32(r), 2);
    assert_int_equal(zv_be32(r + 4), 0xdeadbeef);
}

static void
schib_reads_as_qemu_struct(void **state)
{
    struct schib s = {.pmcw = {.intparm = 0x11223344,
                               .isc = 3,
                               .ena = true,
                               .dnv = true,
                               .dev = 0x0200,
                               .lpm = 0xc0,
                               .pnom = 0x40,
                               .lpum = 0x80,
                               .pim = 0xc0,
                               .mbi = 0x0102,
                               .pom = 0xff,
                               .pam = 0xc0,
                               .chpid = {0x40, 0x41},
                               .st = PMCW_ST_IO,
                               .csense = true},
                      .scsw = {.pno = true,
                               .fctl = SCSW_FCTL_START,
                               .stctl = SCSW_STCTL_PRIMARY | SCSW_STCTL_PENDING,
                               .cpa = 0x00fe0008,
                               .dstat = 0x0c,
                               .count = 0x77},
                      .mba = 0x0102030405060708ull,
                      .mda = 0xa0b0c0d0};
    uint8_t r[ZQ_SCHIB_REGION_SIZE], enc[PMCW_SIZE];
    struct q_schib q;

    schib_encode(&s, r);
    pmcw_encode(&s.pmcw, enc);
    zq_swap_schib_read(r);
    memcpy(&q, r, sizeof(q));
    assert_int_equal(q.pmcw.intparm, 0x11223344);
    assert_int_equal(q.pmcw.flags, zv_be16(enc + 4));
    assert_int_equal(q.pmcw.devno, 0x0200);
    assert_int_equal(q.pmcw.pnom, 0x40);
    assert_int_equal(q.pmcw.lpum, 0x80);
    assert_int_equal(q.pmcw.pim, 0xc0);
    assert_int_equal(q.pmcw.pam, 0xc0);
    assert_int_equal(q.pmcw.pom, 0xff);
    assert_int_equal(q.pmcw.mbi, 0x0102);
    assert_int_equal(q.pmcw.chpid[0], 0x40);
    assert_int_equal(q.pmcw.chpid[1], 0x41);
    assert_int_equal(q.pmcw.chars, zv_be32(enc + 24));
    /* what QEMU tests: scsw.flags & SCSW_FLAGS_MASK_PNO */
    assert_int_equal(q.scsw.flags & Q_SCSW_PNO, Q_SCSW_PNO);
    assert_int_equal(q.scsw.ctrl, Q_FCTL_START | 0x0005);
    assert_int_equal(q.scsw.cpa, 0x00fe0008);
    assert_int_equal(q.scsw.dstat, 0x0c);
    assert_int_equal(q.scsw.count, 0x77);
    assert_true(q.mba == 0x0102030405060708ull);
    assert_memory_equal(q.mda, "\xa0\xb0\xc0\xd0", 4);

    /* and a SCHIB without PNO does not show it */
    s.scsw.pno = false;
    schib_encode(&s, r);
    zq_swap_schib_read(r);
    memcpy(&q, r, sizeof(q));
    assert_int_equal(q.scsw.flags & Q_SCSW_PNO, 0);
}

static void
crw_reads_as_qemu_struct(void **state)
{
    struct crw c = {.slct = true,
                    .chn = true,
                    .rsc = CRW_RSC_CPATH,
                    .erc = CRW_ERC_INIT,
                    .rsid = 0x0041};
    uint8_t r[ZQ_CRW_REGION_SIZE] = {0};
    struct q_crw q;

    crw_encode(&c, r);
    zq_swap_crw_read(r);
    memcpy(&q, r, sizeof(q));
    assert_int_equal(q.flags, crw_to_word(&c) >> 16);
    assert_int_equal(q.rsid, 0x0041);
    /* no CRW reads as zero, which ends QEMU's read loop */
    memset(r, 0, sizeof(r));
    zq_swap_crw_read(r);
    memcpy(&q, r, sizeof(q));
    assert_int_equal(q.flags | q.rsid, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ssch_region_is_architected),
        cmocka_unit_test(probe_orb_bytes),
        cmocka_unit_test(async_command_is_architected),
        cmocka_unit_test(schib_reads_as_qemu_struct),
        cmocka_unit_test(crw_reads_as_qemu_struct),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
