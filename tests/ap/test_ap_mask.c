/* SPDX-License-Identifier: MIT */
/*
 * ap masks and architected codecs: the sysfs mask syntax of the AP bus
 * (reference §2.2), MSB-first bit order (§1.2), the QCI block layout,
 * the APQSW (§5.2) and TAPQ GR2 bit positions.  Expected bytes are written
 * out by hand from the reference, not produced by the code under test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ap/ap.h"

/* mask: bit order is MSB first, ID 0 = 0x80 of byte 0 */
static void
mask_bit_order(void **state)
{
    struct ap_mask m;

    ap_mask_zero(&m);
    ap_mask_set(&m, 0);
    ap_mask_set(&m, 9);
    ap_mask_set(&m, 255);
    assert_int_equal(m.b[0], 0x80);
    assert_int_equal(m.b[1], 0x40);
    assert_int_equal(m.b[31], 0x01);
    assert_int_equal(ap_mask_weight(&m), 3);
    assert_int_equal(ap_mask_next(&m, 1), 9);
    assert_int_equal(ap_mask_next(&m, 10), 255);
    ap_mask_clear(&m, 255);
    assert_int_equal(ap_mask_next(&m, 10), -1);
    /* out of range IDs are ignored, never written past the mask */
    ap_mask_set(&m, 256);
    assert_false(ap_mask_test(&m, 256));
}

/* apmask write "0x41": absolute, padded on the right: IDs 1 and 7 */
static void
mask_parse_absolute_padded(void **state)
{
    struct ap_mask m;

    ap_mask_fill(&m);
    assert_int_equal(ap_mask_parse(&m, "0x41"), 0);
    assert_int_equal(m.b[0], 0x41);
    assert_int_equal(ap_mask_weight(&m), 2);
    assert_true(ap_mask_test(&m, 1));
    assert_true(ap_mask_test(&m, 7));
    /* no 0x prefix, a trailing newline (echo) */
    assert_int_equal(ap_mask_parse(&m, "f\n"), 0);
    assert_int_equal(m.b[0], 0xf0);
    assert_int_equal(ap_mask_weight(&m), 4);
    /* an odd digit count ends in the high nibble of a byte */
    assert_int_equal(ap_mask_parse(&m, "0x123"), 0);
    assert_int_equal(m.b[0], 0x12);
    assert_int_equal(m.b[1], 0x30);
}

static void
mask_parse_absolute_full_and_too_long(void **state)
{
    char s[80];
    struct ap_mask m;

    memset(s, 'f', sizeof(s));
    s[0] = '0';
    s[1] = 'x';
    s[66] = '\0'; /* 64 digits: exactly 256 bits */
    assert_int_equal(ap_mask_parse(&m, s), 0);
    assert_int_equal(ap_mask_weight(&m), 256);
    s[66] = 'f';
    s[67] = '\0'; /* 65 digits */
    ap_mask_zero(&m);
    assert_int_equal(ap_mask_parse(&m, s), -EINVAL);
    assert_true(ap_mask_empty(&m)); /* unchanged on error */
}

/* relative list: +N, -N, ranges, 0x and octal numbers, ',' and '\n' */
static void
mask_parse_relative(void **state)
{
    struct ap_mask m;

    ap_mask_zero(&m);
    ap_mask_set(&m, 6);
    assert_int_equal(ap_mask_parse(&m, "+0,-6,+0x47,+1-3\n"), 0);
    assert_true(ap_mask_test(&m, 0));
    assert_false(ap_mask_test(&m, 6));
    assert_true(ap_mask_test(&m, 0x47));
    assert_true(ap_mask_test(&m, 1) && ap_mask_test(&m, 2) &&
                ap_mask_test(&m, 3));
    assert_int_equal(ap_mask_weight(&m), 5);
    ap_mask_fill(&m);
    assert_int_equal(ap_mask_parse(&m, "-0-255"), 0);
    assert_true(ap_mask_empty(&m));
    assert_int_equal(ap_mask_parse(&m, "+010"), 0); /* octal 8 */
    assert_true(ap_mask_test(&m, 8));
}

static void
mask_parse_errors(void **state)
{
    static const char *bad[] = {
        "+",   "-",      "+256",   "+1-256", "+5-4",  "+1,2",
        "+1 ", "+x",     "0xg",    "0x1 ",   "+-1",   "+1-",
        "zz",  "+0x100", "+1,,+a", "- 1",    "+1;+2", "1,2",
    };
    struct ap_mask m, before;

    ap_mask_zero(&m);
    ap_mask_set(&m, 42);
    before = m;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ap_mask_parse(&m, bad[i]), -EINVAL);
        assert_true(ap_mask_equal(&m, &before));
    }
    assert_int_equal(ap_mask_parse(&m, NULL), -EINVAL);
}

static void
mask_format_roundtrip(void **state)
{
    char s[AP_MASK_STR_LEN];
    struct ap_mask m, n;

    ap_mask_zero(&m);
    ap_mask_set(&m, 4);
    ap_mask_set(&m, 0xab);
    ap_mask_format(&m, s);
    assert_int_equal(strlen(s), 66);
    assert_memory_equal(s, "0x08", 4);
    assert_int_equal(ap_mask_parse(&n, s), 0);
    assert_true(ap_mask_equal(&m, &n));
}

/* QCI block: S/N/C in byte 0, Na at 4, Nd at 5, masks at 16/48/80 */
static void
qci_block_layout(void **state)
{
    struct ap_config c = {0}, d;
    uint8_t b[AP_QCI_BLOCK_LEN];

    c.apxa = true;
    c.na = 0x3f;
    c.nd = 0x0f;
    ap_mask_set(&c.apm, 5);
    ap_mask_set(&c.aqm, 0x47);
    ap_mask_set(&c.adm, 255);
    ap_config_encode(&c, b);
    assert_int_equal(b[0], 0x40);
    assert_int_equal(b[4], 0x3f);
    assert_int_equal(b[5], 0x0f);
    assert_int_equal(b[16], 0x04);      /* APID 5 */
    assert_int_equal(b[48 + 8], 0x01);  /* APQI 0x47 = 71: byte 8 bit 7 */
    assert_int_equal(b[80 + 31], 0x01); /* control domain 255 */
    for (size_t i = 112; i < AP_QCI_BLOCK_LEN; i++)
        assert_int_equal(b[i], 0);
    ap_config_decode(b, &d);
    assert_true(d.apxa && !d.apsc && !d.qact);
    assert_true(ap_mask_equal(&d.apm, &c.apm));
    assert_true(ap_mask_equal(&d.aqm, &c.aqm));
    assert_true(ap_mask_equal(&d.adm, &c.adm));
}

/* APQSW: E bit 0, R bit 1, F bit 2, I bit 7, RC bits 8-15 */
static void
apqsw_bits(void **state)
{
    struct ap_qstatus st = {.empty = true, .irq = true, .rc = 0x10}, d;
    uint8_t b[4];

    assert_int_equal(ap_qstatus_encode(&st), 0x81100000u);
    ap_qstatus_put(b, &st);
    assert_int_equal(b[0], 0x81);
    assert_int_equal(b[1], 0x10);
    assert_int_equal(b[2], 0);
    assert_int_equal(b[3], 0);
    st = (struct ap_qstatus){.replies = true, .full = true, .rc = 2};
    assert_int_equal(ap_qstatus_encode(&st), 0x60020000u);
    b[0] = 0x40;
    b[1] = 0x05;
    ap_qstatus_get(b, &d);
    assert_true(d.replies && !d.empty && !d.full && !d.irq);
    assert_int_equal(d.rc, 5);
}

/* TAPQ GR2: A bit 4, APXA bit 6, type bits 32-39, Nd 40-47, ml 52-55,
 * qd 60-63 */
static void
tapq_info_bits(void **state)
{
    struct ap_tapq_info i = {.accel = true,
                             .apxa = true,
                             .at = 13,
                             .nd = 0xff,
                             .ml = 3,
                             .qd = 7},
                        d;
    uint64_t w = ap_tapq_info_encode(&i);

    assert_true(w == 0x0a0000000dff0307ull);
    i = (struct ap_tapq_info){.cca = true, .at = 14};
    assert_true(ap_tapq_info_encode(&i) == 0x100000000e000000ull);
    ap_tapq_info_decode(0x0400000000000000ull | (12ull << 24), &d);
    assert_true(d.ep11 && !d.accel && !d.cca);
    assert_int_equal(d.at, 12);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mask_bit_order),
        cmocka_unit_test(mask_parse_absolute_padded),
        cmocka_unit_test(mask_parse_absolute_full_and_too_long),
        cmocka_unit_test(mask_parse_relative),
        cmocka_unit_test(mask_parse_errors),
        cmocka_unit_test(mask_format_roundtrip),
        cmocka_unit_test(qci_block_layout),
        cmocka_unit_test(apqsw_bits),
        cmocka_unit_test(tapq_info_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
