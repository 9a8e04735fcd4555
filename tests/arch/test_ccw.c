/* SPDX-License-Identifier: MIT */
/* CCW formats 0/1, MIDAWs and command-code classes (css-pop.md §2.4-2.5). */
#include "arch_test.h"

#include "arch/ccw.h"

static void
ccw1_read_bytes(void **state)
{
    struct ccw1 c = {
        .cmd = 0x02, .flags = 0x60, .count = 0x1000, .cda = 0x12345678};
    const uint8_t want[CCW_SIZE] = {0x02, 0x60, 0x10, 0x00,
                                    0x12, 0x34, 0x56, 0x78};
    uint8_t got[CCW_SIZE];
    struct ccw1 d;

    ccw1_encode(&c, got);
    assert_bytes_equal(got, want, CCW_SIZE);
    ccw1_decode(&d, want);
    assert_int_equal(d.cmd, 0x02);
    assert_int_equal(d.flags, CCW_FLAG_CC | CCW_FLAG_SLI);
    assert_int_equal(d.count, 0x1000);
    assert_int_equal(d.cda, 0x12345678);
}

/* Format 0: cmd, 24-bit address, flags, unused byte, count. */
static void
ccw0_read_bytes_24bit_address(void **state)
{
    struct ccw1 c = {.cmd = 0x02,
                     .flags = 0x60,
                     .count = 0x1000,
                     .cda = 0xFF123456}; /* high byte cannot be encoded */
    const uint8_t want[CCW_SIZE] = {0x02, 0x12, 0x34, 0x56,
                                    0x60, 0x00, 0x10, 0x00};
    const uint8_t in[CCW_SIZE] = {0xE4, 0xAB, 0xCD, 0xEF,
                                  0x24, 0x99, 0x01, 0x00};
    uint8_t got[CCW_SIZE];
    struct ccw1 d;

    ccw0_encode(&c, got);
    assert_bytes_equal(got, want, CCW_SIZE);
    ccw0_decode(&d, in); /* byte 5 is unused and ignored */
    assert_int_equal(d.cmd, CCW_CMD_SENSE_ID);
    assert_int_equal(d.cda, 0x00ABCDEF);
    assert_int_equal(d.flags, CCW_FLAG_SLI | CCW_FLAG_IDA);
    assert_int_equal(d.count, 0x0100);
}

/* A format-0 TIC ignores the high nibble, flags and count. */
static void
ccw0_tic_normalised(void **state)
{
    const uint8_t in[CCW_SIZE] = {0xF8, 0x00, 0x10, 0x00,
                                  0xFF, 0x00, 0x12, 0x34};
    struct ccw1 d;

    ccw0_decode(&d, in);
    assert_int_equal(d.cmd, CCW_CMD_TIC);
    assert_int_equal(d.cda, 0x001000);
    assert_int_equal(d.flags, 0);
    assert_int_equal(d.count, 0);
}

/* Format 1 keeps everything: the TIC checks happen in the engine. */
static void
ccw1_tic_kept_verbatim(void **state)
{
    const uint8_t in[CCW_SIZE] = {0x18, 0x40, 0x00, 0x08, 0, 0, 0x10, 0};
    struct ccw1 d;

    ccw1_decode(&d, in);
    assert_int_equal(d.cmd, 0x18);
    assert_int_equal(d.flags, 0x40);
    assert_int_equal(d.count, 8);
}

static void
ccw1_bytes_round_trip_random(void **state)
{
    uint64_t r = 0xCC11ull;

    for (int i = 0; i < ROUNDS; i++) {
        uint8_t in[CCW_SIZE], out[CCW_SIZE];
        struct ccw1 c;

        t_fill(&r, in, sizeof(in));
        ccw1_decode(&c, in);
        ccw1_encode(&c, out);
        assert_bytes_equal(out, in, CCW_SIZE);
    }
}

static void
ccw0_struct_round_trip_random(void **state)
{
    uint64_t r = 0xCC00ull;

    for (int i = 0; i < ROUNDS; i++) {
        struct ccw1 a, b;
        uint8_t buf[CCW_SIZE];

        a.cmd = (uint8_t)t_bits(&r, 8);
        if ((a.cmd & 0x0F) == 0x8)
            continue; /* TIC: normalised, covered above */
        a.flags = (uint8_t)t_bits(&r, 8);
        a.count = (uint16_t)t_bits(&r, 16);
        a.cda = t_bits(&r, 24);
        ccw0_encode(&a, buf);
        assert_int_equal(buf[5], 0);
        ccw0_decode(&b, buf);
        assert_int_equal(a.cmd, b.cmd);
        assert_int_equal(a.flags, b.flags);
        assert_int_equal(a.count, b.count);
        assert_int_equal(a.cda, b.cda);
    }
}

/* Expected class of each low nibble, straight from the PoP table. */
static const enum ccw_class nibble_class[16] = {
    CCW_CLASS_INVALID,   CCW_CLASS_WRITE, CCW_CLASS_READ, CCW_CLASS_CONTROL,
    CCW_CLASS_SENSE,     CCW_CLASS_WRITE, CCW_CLASS_READ, CCW_CLASS_CONTROL,
    CCW_CLASS_TIC,       CCW_CLASS_WRITE, CCW_CLASS_READ, CCW_CLASS_CONTROL,
    CCW_CLASS_READ_BACK, CCW_CLASS_WRITE, CCW_CLASS_READ, CCW_CLASS_CONTROL,
};

static void
ccw_cmd_class_every_code(void **state)
{
    for (unsigned cmd = 0; cmd < 256; cmd++)
        if (ccw_cmd_class((uint8_t)cmd) != nibble_class[cmd & 0xF])
            fail_msg("cmd 0x%02x: class %d, want %d", cmd,
                     ccw_cmd_class((uint8_t)cmd), nibble_class[cmd & 0xF]);
}

static void
ccw_cmd_class_named_commands(void **state)
{
    assert_int_equal(ccw_cmd_class(CCW_CMD_BASIC_SENSE), CCW_CLASS_SENSE);
    assert_int_equal(ccw_cmd_class(CCW_CMD_SENSE_ID), CCW_CLASS_SENSE);
    assert_int_equal(ccw_cmd_class(CCW_CMD_TIC), CCW_CLASS_TIC);
    assert_int_equal(ccw_cmd_class(CCW_CMD_NOOP), CCW_CLASS_CONTROL);
    assert_int_equal(ccw_cmd_class(0x0C), CCW_CLASS_READ_BACK);
    assert_int_equal(ccw_cmd_class(0x00), CCW_CLASS_INVALID);
    assert_int_equal(ccw_cmd_class(0xF0), CCW_CLASS_INVALID);
    assert_int_equal(ccw_cmd_class(0x86), CCW_CLASS_READ);    /* ECKD read */
    assert_int_equal(ccw_cmd_class(0x05), CCW_CLASS_WRITE);   /* write data */
    assert_int_equal(ccw_cmd_class(0x63), CCW_CLASS_CONTROL); /* DX */
}

static void
ccw_cmd_is_input_by_class(void **state)
{
    for (unsigned cmd = 0; cmd < 256; cmd++) {
        enum ccw_class k = nibble_class[cmd & 0xF];
        bool want = k == CCW_CLASS_READ || k == CCW_CLASS_READ_BACK ||
                    k == CCW_CLASS_SENSE;

        if (ccw_cmd_is_input((uint8_t)cmd) != want)
            fail_msg("cmd 0x%02x: input %d", cmd,
                     ccw_cmd_is_input((uint8_t)cmd));
    }
}

static void
midaw_bytes(void **state)
{
    struct midaw m = {.flags = MIDAW_FLAG_LAST,
                      .count = 0x0800,
                      .data = 0x0000000123456000ull};
    const uint8_t want[MIDAW_SIZE] = {0, 0, 0, 0,    0,    0x80, 8,    0,
                                      0, 0, 0, 0x01, 0x23, 0x45, 0x60, 0x00};
    const uint8_t rsvd[MIDAW_SIZE] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x40};
    uint8_t got[MIDAW_SIZE];
    struct midaw d;

    midaw_encode(&m, got);
    assert_bytes_equal(got, want, MIDAW_SIZE);
    midaw_decode(&d, rsvd);
    assert_true(d.rsvd == 0x0102030405ull);
    assert_int_equal(d.flags, MIDAW_FLAG_SKIP);
    assert_int_equal(d.count, 0);
    assert_true(d.data == 0);
}

static void
midaw_bytes_round_trip_random(void **state)
{
    uint64_t r = 0x31DA3ull;

    for (int i = 0; i < ROUNDS; i++) {
        uint8_t in[MIDAW_SIZE], out[MIDAW_SIZE];
        struct midaw m;

        t_fill(&r, in, sizeof(in));
        midaw_decode(&m, in);
        midaw_encode(&m, out);
        assert_bytes_equal(out, in, MIDAW_SIZE);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ccw1_read_bytes),
        cmocka_unit_test(ccw0_read_bytes_24bit_address),
        cmocka_unit_test(ccw0_tic_normalised),
        cmocka_unit_test(ccw1_tic_kept_verbatim),
        cmocka_unit_test(ccw1_bytes_round_trip_random),
        cmocka_unit_test(ccw0_struct_round_trip_random),
        cmocka_unit_test(ccw_cmd_class_every_code),
        cmocka_unit_test(ccw_cmd_class_named_commands),
        cmocka_unit_test(ccw_cmd_is_input_by_class),
        cmocka_unit_test(midaw_bytes),
        cmocka_unit_test(midaw_bytes_round_trip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
