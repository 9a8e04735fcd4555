/* SPDX-License-Identifier: MIT */
/* ORB codec and the SSCH operand check (css-pop.md §2.2). */
#include "arch_test.h"

#include "arch/orb.h"

static void
orb_every_flag_bytes(void **state)
{
    struct orb o = {
        .intparm = 0x12345678,
        .key = 0xF,
        .spnd = 1,
        .str = 1,
        .mod = 1,
        .sync = 1,
        .fmt = 1,
        .pfch = 1,
        .isic = 1,
        .alcc = 1,
        .ssic = 1,
        .b = 1,
        .c64 = 1,
        .i2k = 1,
        .lpm = 0xFF,
        .ils = 1,
        .midaw = 1,
        .rsvd = 0x1F,
        .x = 0,
        .cpa = 0x7FFFF000,
    };
    const uint8_t want[ORB_SIZE] = {0x12, 0x34, 0x56, 0x78, 0xFF, 0xFF,
                                    0xFF, 0xFE, 0x7F, 0xFF, 0xF0, 0x00};
    uint8_t got[ORB_EXT_SIZE];

    memset(got, 0xEE, sizeof(got));
    assert_int_equal(orb_encode(&o, got), ORB_SIZE);
    assert_bytes_equal(got, want, ORB_SIZE);
    assert_int_equal(got[ORB_SIZE], 0xEE); /* nothing past 12 bytes */
}

/* Each flag alone lands on its PoP bit of word 1. */
static void
orb_single_flag_bytes(void **state)
{
    static const struct {
        struct orb o;
        uint32_t w1;
    } v[] = {
        {{.key = 0x9}, 0x90000000},   {{.spnd = 1}, 0x08000000},
        {{.str = 1}, 0x04000000},     {{.mod = 1}, 0x02000000},
        {{.sync = 1}, 0x01000000},    {{.fmt = 1}, 0x00800000},
        {{.pfch = 1}, 0x00400000},    {{.isic = 1}, 0x00200000},
        {{.alcc = 1}, 0x00100000},    {{.ssic = 1}, 0x00080000},
        {{.b = 1}, 0x00040000},       {{.c64 = 1}, 0x00020000},
        {{.i2k = 1}, 0x00010000},     {{.lpm = 0x81}, 0x00008100},
        {{.ils = 1}, 0x00000080},     {{.midaw = 1}, 0x00000040},
        {{.rsvd = 0x10}, 0x00000020}, {{.rsvd = 0x01}, 0x00000002},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t got[ORB_SIZE];
        const uint8_t want[4] = {(uint8_t)(v[i].w1 >> 24),
                                 (uint8_t)(v[i].w1 >> 16),
                                 (uint8_t)(v[i].w1 >> 8), (uint8_t)v[i].w1};

        orb_encode(&v[i].o, got);
        assert_bytes_equal(got + 4, want, 4);
    }
}

static void
orb_extension_bytes(void **state)
{
    struct orb o = {.x = 1, .cpa = 0x1000, .css_prio = 0xAB, .cu_prio = 0xCD};
    uint8_t want[ORB_EXT_SIZE] = {0, 0, 0,    0, 0,    0, 0,    0x01,
                                  0, 0, 0x10, 0, 0xAB, 0, 0xCD, 0};
    uint8_t got[ORB_EXT_SIZE];
    struct orb d;

    memset(got, 0xEE, sizeof(got));
    assert_int_equal(orb_encode(&o, got), ORB_EXT_SIZE);
    assert_bytes_equal(got, want, ORB_EXT_SIZE);

    orb_decode(&d, want, ORB_EXT_SIZE);
    assert_true(d.x);
    assert_int_equal(d.css_prio, 0xAB);
    assert_int_equal(d.cu_prio, 0xCD);
    assert_int_equal(d.ext_rsvd, 0);

    /* 12-byte fetch: the extension is not looked at */
    orb_decode(&d, want, ORB_SIZE);
    assert_true(d.x);
    assert_int_equal(d.css_prio, 0);
    assert_int_equal(d.cu_prio, 0);
}

/* Every extension bit outside the two priority bytes is reserved. */
static void
orb_extension_reserved_each_bit(void **state)
{
    struct orb_facilities fac = {.midaw = true, .ils = true};
    uint8_t base[ORB_EXT_SIZE] = {0};
    struct orb d;

    base[7] = 0x01; /* X */
    orb_decode(&d, base, sizeof(base));
    assert_true(orb_valid(&d, &fac));
    for (unsigned bit = 96; bit < ORB_EXT_SIZE * 8; bit++) {
        uint8_t img[ORB_EXT_SIZE];
        unsigned byte = bit / 8;
        bool prio = byte == 12 || byte == 14;

        memcpy(img, base, sizeof(img));
        img[byte] = (uint8_t)(0x80 >> (bit % 8));
        orb_decode(&d, img, sizeof(img));
        if (orb_valid(&d, &fac) != prio)
            fail_msg("extension bit %u: valid=%d", bit, orb_valid(&d, &fac));
        /* without X the same bytes are not part of the ORB */
        img[7] = 0;
        orb_decode(&d, img, sizeof(img));
        assert_true(orb_valid(&d, &fac));
    }
}

static void
orb_valid_accepts_plain_start(void **state)
{
    struct orb o = {.intparm = 1,
                    .key = 0xF,
                    .fmt = 1,
                    .pfch = 1,
                    .lpm = 0xFF,
                    .cpa = 0x7FFFFFF8,
                    .spnd = 1,
                    .isic = 1,
                    .alcc = 1,
                    .ssic = 1,
                    .c64 = 1,
                    .i2k = 1,
                    .str = 1,
                    .mod = 1,
                    .sync = 1};

    assert_true(orb_valid(&o, NULL));
}

static void
orb_valid_rejects_each_reserved_bit(void **state)
{
    struct orb_facilities all = {.midaw = true, .ils = true};

    for (unsigned b = 0; b < 5; b++) {
        struct orb o = {.rsvd = (uint8_t)(1u << b), .lpm = 0x80};

        assert_false(orb_valid(&o, &all));
    }
    struct orb tm = {.b = 1};
    assert_false(orb_valid(&tm, &all));
    struct orb cpa = {.cpa = 0x80000000};
    assert_false(orb_valid(&cpa, &all));
    struct orb wide = {.rsvd = 0x20}; /* wider than 5 bits */
    assert_false(orb_valid(&wide, &all));
}

static void
orb_valid_facility_bits(void **state)
{
    struct orb_facilities none = {0};
    struct orb_facilities midaw = {.midaw = true};
    struct orb_facilities ils = {.ils = true};
    struct orb d = {.midaw = 1};
    struct orb l = {.ils = 1};

    assert_false(orb_valid(&d, NULL));
    assert_false(orb_valid(&d, &none));
    assert_false(orb_valid(&d, &ils));
    assert_true(orb_valid(&d, &midaw));
    assert_false(orb_valid(&l, NULL));
    assert_false(orb_valid(&l, &midaw));
    assert_true(orb_valid(&l, &ils));
}

/* kvm-unit-tests: an ORB filled with 0xFF is an operand exception. */
static void
orb_valid_rejects_all_ones(void **state)
{
    struct orb_facilities all = {.midaw = true, .ils = true};
    uint8_t img[ORB_EXT_SIZE];
    struct orb o;

    memset(img, 0xFF, sizeof(img));
    orb_decode(&o, img, sizeof(img));
    assert_false(orb_valid(&o, &all));
    orb_decode(&o, img, ORB_SIZE);
    assert_false(orb_valid(&o, &all));
}

static void
orb_decode_short_buffer_is_zero(void **state)
{
    uint8_t img[ORB_SIZE];
    struct orb o;

    memset(img, 0xFF, sizeof(img));
    orb_decode(&o, img, 8);
    assert_int_equal(o.intparm, 0);
    assert_false(o.x);
    assert_int_equal(o.cpa, 0);
}

/* Word 0-2 bits all belong to fields: decode then encode is identity. */
static void
orb_bytes_round_trip_random(void **state)
{
    uint64_t r = 0x0B0B0B0Bull;

    for (int i = 0; i < ROUNDS; i++) {
        uint8_t in[ORB_EXT_SIZE], out[ORB_EXT_SIZE];
        struct orb o;

        t_fill(&r, in, ORB_SIZE);
        in[7] &= 0xFE; /* X = 0 */
        orb_decode(&o, in, ORB_SIZE);
        assert_int_equal(orb_encode(&o, out), ORB_SIZE);
        assert_bytes_equal(out, in, ORB_SIZE);
    }
}

static void
orb_struct_round_trip_random(void **state)
{
    uint64_t r = 0x0DDBA11ull;

    for (int i = 0; i < ROUNDS; i++) {
        struct orb a = {0}, b;
        uint8_t buf[ORB_EXT_SIZE];

        a.intparm = t_bits(&r, 32);
        a.key = (uint8_t)t_bits(&r, 4);
        a.spnd = t_bits(&r, 1);
        a.str = t_bits(&r, 1);
        a.mod = t_bits(&r, 1);
        a.sync = t_bits(&r, 1);
        a.fmt = t_bits(&r, 1);
        a.pfch = t_bits(&r, 1);
        a.isic = t_bits(&r, 1);
        a.alcc = t_bits(&r, 1);
        a.ssic = t_bits(&r, 1);
        a.b = t_bits(&r, 1);
        a.c64 = t_bits(&r, 1);
        a.i2k = t_bits(&r, 1);
        a.lpm = (uint8_t)t_bits(&r, 8);
        a.ils = t_bits(&r, 1);
        a.midaw = t_bits(&r, 1);
        a.rsvd = (uint8_t)t_bits(&r, 5);
        a.x = t_bits(&r, 1);
        a.cpa = t_bits(&r, 32);
        if (a.x) {
            a.css_prio = (uint8_t)t_bits(&r, 8);
            a.cu_prio = (uint8_t)t_bits(&r, 8);
            a.ext_rsvd = t_bits(&r, 2) ? 0 : t_bits(&r, 32);
        }
        orb_decode(&b, buf, orb_encode(&a, buf));
        assert_int_equal(a.intparm, b.intparm);
        assert_int_equal(a.key, b.key);
        assert_int_equal(a.spnd, b.spnd);
        assert_int_equal(a.str, b.str);
        assert_int_equal(a.mod, b.mod);
        assert_int_equal(a.sync, b.sync);
        assert_int_equal(a.fmt, b.fmt);
        assert_int_equal(a.pfch, b.pfch);
        assert_int_equal(a.isic, b.isic);
        assert_int_equal(a.alcc, b.alcc);
        assert_int_equal(a.ssic, b.ssic);
        assert_int_equal(a.b, b.b);
        assert_int_equal(a.c64, b.c64);
        assert_int_equal(a.i2k, b.i2k);
        assert_int_equal(a.lpm, b.lpm);
        assert_int_equal(a.ils, b.ils);
        assert_int_equal(a.midaw, b.midaw);
        assert_int_equal(a.rsvd, b.rsvd);
        assert_int_equal(a.x, b.x);
        assert_int_equal(a.cpa, b.cpa);
        assert_int_equal(a.css_prio, b.css_prio);
        assert_int_equal(a.cu_prio, b.cu_prio);
        assert_int_equal(a.ext_rsvd != 0, b.ext_rsvd != 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(orb_every_flag_bytes),
        cmocka_unit_test(orb_single_flag_bytes),
        cmocka_unit_test(orb_extension_bytes),
        cmocka_unit_test(orb_extension_reserved_each_bit),
        cmocka_unit_test(orb_valid_accepts_plain_start),
        cmocka_unit_test(orb_valid_rejects_each_reserved_bit),
        cmocka_unit_test(orb_valid_facility_bits),
        cmocka_unit_test(orb_valid_rejects_all_ones),
        cmocka_unit_test(orb_decode_short_buffer_is_zero),
        cmocka_unit_test(orb_bytes_round_trip_random),
        cmocka_unit_test(orb_struct_round_trip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
