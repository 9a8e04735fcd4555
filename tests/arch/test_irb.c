/* SPDX-License-Identifier: MIT */
/* IRB, ESW formats 0-3 and the ERW (css-pop.md §2.3). */
#include "arch_test.h"

#include "arch/irb.h"

static void
erw_single_field_bytes(void **state)
{
    static const struct {
        struct erw e;
        uint32_t w;
    } v[] = {
        {{.r = 1}, 0x40000000},    {{.l = 1}, 0x20000000},
        {{.a = 1}, 0x10000000},    {{.p = 1}, 0x08000000},
        {{.t = 1}, 0x04000000},    {{.f = 1}, 0x02000000},
        {{.s = 1}, 0x01000000},    {{.c = 1}, 0x00800000},
        {{.fsaf = 1}, 0x00400000}, {{.scnt = 0x3F}, 0x003F0000},
        {{.scnt = 1}, 0x00010000},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t got[4];
        const uint8_t want[4] = {(uint8_t)(v[i].w >> 24),
                                 (uint8_t)(v[i].w >> 16),
                                 (uint8_t)(v[i].w >> 8), (uint8_t)v[i].w};

        erw_encode(&v[i].e, got);
        assert_bytes_equal(got, want, 4);
    }
}

/* ERW bits 0 and 16-31 are reserved: decoding ignores them. */
static void
erw_decode_ignores_reserved(void **state)
{
    const uint8_t in[4] = {0x81, 0x20, 0xFF, 0xFF};
    uint8_t out[4];
    struct erw e;

    erw_decode(&e, in);
    assert_true(e.s);
    assert_false(e.r);
    assert_int_equal(e.scnt, 32);
    erw_encode(&e, out);
    assert_int_equal(out[0], 0x01);
    assert_int_equal(out[1], 0x20);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 0);
}

/* Usual completion: format-1 ESW with LPUM 0x80, empty ERW. */
static void
irb_format1_esw_bytes(void **state)
{
    struct irb irb = {0};
    uint8_t got[IRB_SIZE];
    uint8_t want[IRB_SIZE] = {0x00, 0x00, 0x40, 0x07, 0x00, 0x00, 0x20,
                              0x08, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x80};

    irb.scsw.fctl = SCSW_FCTL_START;
    irb.scsw.stctl =
        SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING;
    irb.scsw.cpa = 0x2008;
    irb.scsw.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END;
    irb.esw.lpum = 0x80;
    irb_encode(&irb, got);
    assert_bytes_equal(got, want, IRB_SIZE);
}

/* Format 2: DCTI in ESW bytes 2-3. */
static void
irb_format2_esw_dcti_bytes(void **state)
{
    struct esw e = {.lpum = 0x40, .dcti = 0x1234, .erw = {.p = 1}};
    const uint8_t want[ESW_SIZE] = {0x00, 0x40, 0x12, 0x34, 0x08};
    uint8_t got[ESW_SIZE];
    struct esw d;

    esw_encode(&e, false, got);
    assert_bytes_equal(got, want, ESW_SIZE);
    esw_decode(&d, false, want);
    assert_int_equal(d.lpum, 0x40);
    assert_int_equal(d.dcti, 0x1234);
    assert_true(d.erw.p);
}

/* Concurrent sense as QEMU builds it: L and E set, ERW S with count 32,
 * 32 sense bytes in the ECW. */
static void
irb_concurrent_sense_format0_bytes(void **state)
{
    struct irb irb = {0};
    uint8_t got[IRB_SIZE];
    uint8_t want[IRB_SIZE] = {0};

    irb.scsw.eswf = 1;
    irb.scsw.ectl = 1;
    irb.scsw.fctl = SCSW_FCTL_START;
    irb.scsw.stctl = SCSW_STCTL_ALERT | SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                     SCSW_STCTL_PENDING;
    irb.scsw.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK;
    irb.esw.sublog.lpum = 0x80;
    irb.esw.erw.s = 1;
    irb.esw.erw.scnt = 32;
    for (int i = 0; i < ECW_SIZE; i++)
        irb.ecw[i] = (uint8_t)(0xA0 + i);

    want[0] = 0x04; /* L */
    want[1] = 0x02; /* E */
    want[2] = 0x40;
    want[3] = 0x17;
    want[8] = 0x0E;
    want[13] = 0x80; /* logout LPUM */
    want[16] = 0x01; /* ERW S */
    want[17] = 0x20; /* SCNT 32 */
    for (int i = 0; i < ECW_SIZE; i++)
        want[32 + i] = (uint8_t)(0xA0 + i);
    irb_encode(&irb, got);
    assert_bytes_equal(got, want, IRB_SIZE);

    struct irb d;
    irb_decode(&d, want);
    assert_true(d.scsw.eswf);
    assert_true(d.esw.erw.s);
    assert_int_equal(d.esw.erw.scnt, 32);
    assert_int_equal(d.esw.sublog.lpum, 0x80);
    assert_memory_equal(d.ecw, irb.ecw, ECW_SIZE);
}

/* QEMU's channel-check logout word 0x04804000. */
static void
esw_format0_sublog_decode_qemu_word(void **state)
{
    const uint8_t in[ESW_SIZE] = {0x04, 0x80, 0x40, 0x00};
    struct esw e;

    esw_decode(&e, true, in);
    assert_int_equal(e.sublog.esf, 0x04);
    assert_int_equal(e.sublog.lpum, 0x80);
    assert_false(e.sublog.arep);
    assert_int_equal(e.sublog.fvf, 0x10);
    assert_int_equal(e.sublog.sacc, 0);
    assert_int_equal(e.sublog.termc, 0);
    assert_int_equal(e.sublog.seqc, 0);
}

static void
esw_format0_fields_bytes(void **state)
{
    static const struct {
        struct sublog l;
        uint32_t w;
    } v[] = {
        {{.esf = 0x7F}, 0x7F000000}, {{.lpum = 0x21}, 0x00210000},
        {{.arep = 1}, 0x00008000},   {{.fvf = 0x1F}, 0x00007C00},
        {{.fvf = 0x01}, 0x00000400}, {{.sacc = 3}, 0x00000300},
        {{.termc = 2}, 0x00000080},  {{.devsc = 1}, 0x00000020},
        {{.serr = 1}, 0x00000010},   {{.ioerr = 1}, 0x00000008},
        {{.seqc = 5}, 0x00000005},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct esw e = {.sublog = v[i].l};
        uint8_t got[ESW_SIZE];
        const uint8_t want[4] = {(uint8_t)(v[i].w >> 24),
                                 (uint8_t)(v[i].w >> 16),
                                 (uint8_t)(v[i].w >> 8), (uint8_t)v[i].w};

        esw_encode(&e, true, got);
        assert_bytes_equal(got, want, 4);
    }

    struct esw e = {.faddr = 0x0011223344556677ull, .saddr = 0x8899AABB};
    const uint8_t want[ESW_SIZE] = {0,    0,    0,    0,    0,    0,    0,
                                    0,    0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                    0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB};
    uint8_t got[ESW_SIZE];

    esw_encode(&e, true, got);
    assert_bytes_equal(got, want, ESW_SIZE);
}

/* Formats 1-3 carry nothing in words 2-4 nor in byte 0. */
static void
esw_format1_zeroes_unused(void **state)
{
    struct esw e;
    uint8_t in[ESW_SIZE], out[ESW_SIZE];

    memset(in, 0xFF, sizeof(in));
    esw_decode(&e, false, in);
    esw_encode(&e, false, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0xFF);
    for (int i = 8; i < ESW_SIZE; i++)
        assert_int_equal(out[i], 0);
}

static void
irb_emw_position(void **state)
{
    struct irb irb = {0};
    uint8_t got[IRB_SIZE];

    irb.emw[0] = 0x5A;
    irb.emw[EMW_SIZE - 1] = 0xA5;
    irb_encode(&irb, got);
    assert_int_equal(got[IRB_BASE_SIZE], 0x5A);
    assert_int_equal(got[IRB_SIZE - 1], 0xA5);
}

/* Random images with the reserved bits masked survive decode/encode. */
static void
irb_bytes_round_trip_random(void **state)
{
    uint64_t r = 0x1AB1AB1ABull;

    for (int i = 0; i < ROUNDS; i++) {
        uint8_t in[IRB_SIZE], out[IRB_SIZE];
        struct irb irb;
        bool eswf;

        t_fill(&r, in, sizeof(in));
        eswf = (in[0] & 0x04) != 0;
        in[16] &= 0x7F;      /* ERW bit 0 */
        in[18] = in[19] = 0; /* ERW bits 16-31 */
        if (eswf) {
            in[12] &= 0x7F; /* logout bit 0 */
        } else {
            in[12] = 0;
            memset(in + 20, 0, 12);
        }
        irb_decode(&irb, in);
        irb_encode(&irb, out);
        assert_bytes_equal(out, in, IRB_SIZE);
    }
}

static void
erw_struct_round_trip_random(void **state)
{
    uint64_t r = 0xE5E5ull;

    for (int i = 0; i < ROUNDS; i++) {
        struct erw a = {0}, b;
        uint8_t buf[4];

        a.r = t_bits(&r, 1);
        a.l = t_bits(&r, 1);
        a.a = t_bits(&r, 1);
        a.p = t_bits(&r, 1);
        a.t = t_bits(&r, 1);
        a.f = t_bits(&r, 1);
        a.s = t_bits(&r, 1);
        a.c = t_bits(&r, 1);
        a.fsaf = t_bits(&r, 1);
        a.scnt = (uint8_t)t_bits(&r, 6);
        erw_encode(&a, buf);
        erw_decode(&b, buf);
        assert_int_equal(a.r, b.r);
        assert_int_equal(a.l, b.l);
        assert_int_equal(a.a, b.a);
        assert_int_equal(a.p, b.p);
        assert_int_equal(a.t, b.t);
        assert_int_equal(a.f, b.f);
        assert_int_equal(a.s, b.s);
        assert_int_equal(a.c, b.c);
        assert_int_equal(a.fsaf, b.fsaf);
        assert_int_equal(a.scnt, b.scnt);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(erw_single_field_bytes),
        cmocka_unit_test(erw_decode_ignores_reserved),
        cmocka_unit_test(irb_format1_esw_bytes),
        cmocka_unit_test(irb_format2_esw_dcti_bytes),
        cmocka_unit_test(irb_concurrent_sense_format0_bytes),
        cmocka_unit_test(esw_format0_sublog_decode_qemu_word),
        cmocka_unit_test(esw_format0_fields_bytes),
        cmocka_unit_test(esw_format1_zeroes_unused),
        cmocka_unit_test(irb_emw_position),
        cmocka_unit_test(irb_bytes_round_trip_random),
        cmocka_unit_test(erw_struct_round_trip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
