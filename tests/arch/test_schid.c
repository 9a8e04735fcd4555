/* SPDX-License-Identifier: MIT */
/* Subsystem-identification word in GR1 (css-pop.md §1). */
#include "arch_test.h"

#include "arch/schid.h"

static void
schid_to_gr1_words(void **state)
{
    struct schid a = {.sch_no = 0x0005};
    struct schid b = {.ssid = 3, .sch_no = 0xFFFF};
    struct schid c = {.cssid = 0xFE, .m = true, .ssid = 1, .sch_no = 0x0102};
    struct schid d = {.cssid = 0xFE, .m = false, .sch_no = 1};

    assert_int_equal(schid_to_gr1(&a), 0x00010005);
    assert_int_equal(schid_to_gr1(&b), 0x0007FFFF);
    assert_int_equal(schid_to_gr1(&c), 0xFE0B0102);
    /* CSSID without M is not meaningful and is not encoded */
    assert_int_equal(schid_to_gr1(&d), 0x00010001);
}

static void
schid_from_gr1_accepts(void **state)
{
    struct schid id;

    assert_true(schid_from_gr1(0x00010000, &id));
    assert_int_equal(id.sch_no, 0);
    assert_int_equal(id.ssid, 0);
    assert_false(id.m);
    assert_true(schid_from_gr1(0x0007ABCD, &id)); /* SSID 3 */
    assert_int_equal(id.ssid, 3);
    assert_int_equal(id.sch_no, 0xABCD);
    assert_true(schid_from_gr1(0x01090000, &id)); /* CSSID 1 with M */
    assert_true(id.m);
    assert_int_equal(id.cssid, 1);
    assert_true(schid_from_gr1(0x00090000, &id)); /* M with CSSID 0 */
    assert_true(id.m);
    assert_int_equal(id.cssid, 0);
}

/* kvm-unit-tests uses 0x0000FFFF: the one bit (47) is zero. */
static void
schid_from_gr1_rejects_bit47_zero(void **state)
{
    struct schid id = {.sch_no = 0x7777};

    assert_false(schid_from_gr1(0x0000FFFF, &id));
    assert_false(schid_from_gr1(0x00000000, &id));
    assert_false(schid_from_gr1(0x000E0001, &id));
    assert_int_equal(id.sch_no, 0x7777); /* untouched */
}

static void
schid_from_gr1_rejects_bits_40_43(void **state)
{
    struct schid id;

    for (unsigned b = 40; b <= 43; b++) {
        uint32_t w = 0x00010000 | (1u << (63 - b));

        if (schid_from_gr1(w, &id))
            fail_msg("bit %u set accepted (0x%08x)", b, w);
    }
}

/* M = 0 with a non-zero CSSID (QEMU). */
static void
schid_from_gr1_rejects_cssid_without_m(void **state)
{
    struct schid id;

    for (unsigned b = 0; b < 8; b++)
        assert_false(schid_from_gr1(0x00010000 | (1u << (24 + b)), &id));
}

static void
schid_round_trip_random(void **state)
{
    uint64_t r = 0x51D51Dull;

    for (int i = 0; i < ROUNDS; i++) {
        struct schid a = {0}, b;

        a.m = t_bits(&r, 1);
        a.cssid = a.m ? (uint8_t)t_bits(&r, 8) : 0;
        a.ssid = (uint8_t)t_bits(&r, 2);
        a.sch_no = (uint16_t)t_bits(&r, 16);
        assert_true(schid_from_gr1(schid_to_gr1(&a), &b));
        assert_int_equal(a.m, b.m);
        assert_int_equal(a.cssid, b.cssid);
        assert_int_equal(a.ssid, b.ssid);
        assert_int_equal(a.sch_no, b.sch_no);
    }
}

static void
schid_intcode_halfword(void **state)
{
    struct schid a = {.ssid = 1, .sch_no = 9};
    struct schid b = {.cssid = 0xFE, .ssid = 2, .sch_no = 9};

    assert_int_equal(schid_intcode_hw(&a, false), 0x0003);
    assert_int_equal(schid_intcode_hw(&b, false), 0x0005);
    assert_int_equal(schid_intcode_hw(&b, true), 0xFE0D);
    /* with MCSS-E the halfword is the high half of the GR1 word */
    b.m = true;
    assert_int_equal(schid_intcode_hw(&b, true), schid_to_gr1(&b) >> 16);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schid_to_gr1_words),
        cmocka_unit_test(schid_from_gr1_accepts),
        cmocka_unit_test(schid_from_gr1_rejects_bit47_zero),
        cmocka_unit_test(schid_from_gr1_rejects_bits_40_43),
        cmocka_unit_test(schid_from_gr1_rejects_cssid_without_m),
        cmocka_unit_test(schid_round_trip_random),
        cmocka_unit_test(schid_intcode_halfword),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
