/* SPDX-License-Identifier: MIT */
/* Sense ID data and CIWs (css-pop.md §2.4, dasd.md §1.1). */
#include "arch_test.h"

#include <errno.h>

#include "arch/sense.h"

/* 3390 on a 3990-3 as Hercules presents it (dasd.md §1.1 table). */
static const uint8_t senseid_3390[] = {
    0xFF, 0x39, 0x90, 0xEC, 0x33, 0x90, 0x0C, 0x00, 0x40, 0xFA,
    0x01, 0x00, 0x41, 0x27, 0x00, 0x04, 0x42, 0x3E, 0x00, 0x40,
};

static struct senseid
senseid_3390_struct(void)
{
    struct senseid s = {
        .cu_type = 0x3990,
        .cu_model = 0xEC,
        .dev_type = 0x3390,
        .dev_model = 0x0C,
        .nciw = 3,
        .ciw = {{CIW_ET_CIW, CIW_TYPE_RCD, 0xFA, 0x0100},
                {CIW_ET_CIW, CIW_TYPE_SII, 0x27, 0x0004},
                {CIW_ET_CIW, CIW_TYPE_RNI, 0x3E, 0x0040}},
    };
    return s;
}

static void
senseid_encode_3390(void **state)
{
    struct senseid s = senseid_3390_struct();
    uint8_t got[64];

    assert_int_equal(senseid_encode(&s, got, sizeof(got)),
                     sizeof(senseid_3390));
    assert_bytes_equal(got, senseid_3390, sizeof(senseid_3390));
}

static void
senseid_decode_3390(void **state)
{
    struct senseid s;

    assert_int_equal(senseid_decode(&s, senseid_3390, sizeof(senseid_3390)), 0);
    assert_int_equal(s.cu_type, 0x3990);
    assert_int_equal(s.cu_model, 0xEC);
    assert_int_equal(s.dev_type, 0x3390);
    assert_int_equal(s.dev_model, 0x0C);
    assert_int_equal(s.nciw, 3);
    assert_int_equal(s.ciw[0].et, CIW_ET_CIW);
    assert_int_equal(s.ciw[0].ct, CIW_TYPE_RCD);
    assert_int_equal(s.ciw[0].cmd, 0xFA);
    assert_int_equal(s.ciw[0].count, 0x0100);
    assert_int_equal(s.ciw[2].ct, CIW_TYPE_RNI);
    assert_int_equal(s.ciw[2].cmd, 0x3E);
    assert_int_equal(s.ciw[2].count, 0x0040);
}

/* Linux asks for 40 bytes; the zero padding after the CIWs is not a CIW. */
static void
senseid_decode_stops_at_non_ciw(void **state)
{
    uint8_t buf[40] = {0};
    struct senseid s;

    memcpy(buf, senseid_3390, sizeof(senseid_3390));
    assert_int_equal(senseid_decode(&s, buf, sizeof(buf)), 0);
    assert_int_equal(s.nciw, 3);
    /* a partial trailing entry is not read */
    assert_int_equal(senseid_decode(&s, senseid_3390, 18), 0);
    assert_int_equal(s.nciw, 2);
}

/* 9336 sends 7 bytes: no reserved byte 7, no CIWs. */
static void
senseid_decode_short_basic(void **state)
{
    const uint8_t fba[7] = {0xFF, 0x63, 0x10, 0x01, 0x93, 0x36, 0x00};
    struct senseid s;

    assert_int_equal(senseid_decode(&s, fba, sizeof(fba)), 0);
    assert_int_equal(s.cu_type, 0x6310);
    assert_int_equal(s.dev_type, 0x9336);
    assert_int_equal(s.nciw, 0);
}

static void
senseid_decode_rejects(void **state)
{
    uint8_t bad[8];
    struct senseid s;

    assert_int_equal(senseid_decode(&s, senseid_3390, 6), -EINVAL);
    memcpy(bad, senseid_3390, sizeof(bad));
    bad[0] = 0x00;
    assert_int_equal(senseid_decode(&s, bad, sizeof(bad)), -EINVAL);
}

static void
senseid_encode_truncates_at_cap(void **state)
{
    struct senseid s = senseid_3390_struct();
    uint8_t got[8];

    memset(got, 0xEE, sizeof(got));
    assert_int_equal(senseid_encode(&s, got, 4), 4);
    assert_bytes_equal(got, senseid_3390, 4);
    assert_int_equal(got[4], 0xEE);
}

static void
senseid_encode_clamps_ciw_count(void **state)
{
    struct senseid s = {.nciw = 100};
    uint8_t got[128];

    for (unsigned i = 0; i < SENSE_ID_MAX_CIWS; i++)
        s.ciw[i] = (struct ciw){CIW_ET_CIW, 3, (uint8_t)(0x10 + i), 1};
    assert_int_equal(senseid_encode(&s, got, sizeof(got)),
                     SENSE_ID_BASE_SIZE + 4 * SENSE_ID_MAX_CIWS);
    assert_int_equal(got[SENSE_ID_BASE_SIZE], 0x43);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(senseid_encode_3390),
        cmocka_unit_test(senseid_decode_3390),
        cmocka_unit_test(senseid_decode_stops_at_non_ciw),
        cmocka_unit_test(senseid_decode_short_basic),
        cmocka_unit_test(senseid_decode_rejects),
        cmocka_unit_test(senseid_encode_truncates_at_cap),
        cmocka_unit_test(senseid_encode_clamps_ciw_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
