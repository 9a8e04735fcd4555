/* SPDX-License-Identifier: MIT */
/* Channel-report word (css-pop.md §2.6). */
#include "arch_test.h"

#include "arch/crw.h"

/* RCHP's report: S, RSC 4 (channel path), ERC 2, RSID = CHPID 0x40. */
static void
crw_solicited_chpath_bytes(void **state)
{
    struct crw c = {
        .slct = 1, .rsc = CRW_RSC_CPATH, .erc = CRW_ERC_INIT, .rsid = 0x40};
    const uint8_t want[4] = {0x44, 0x02, 0x00, 0x40};
    uint8_t got[4];

    assert_int_equal(crw_to_word(&c), 0x44020040);
    crw_encode(&c, got);
    assert_bytes_equal(got, want, 4);
}

static void
crw_single_field_words(void **state)
{
    static const struct {
        struct crw c;
        uint32_t w;
    } v[] = {
        {{.slct = 1}, 0x40000000},
        {{.oflw = 1}, 0x20000000},
        {{.chn = 1}, 0x10000000},
        {{.rsc = 0xF}, 0x0F000000},
        {{.rsc = CRW_RSC_CSS}, 0x0B000000},
        {{.anc = 1}, 0x00800000},
        {{.erc = 0x3F}, 0x003F0000},
        {{.erc = CRW_ERC_IPARM}, 0x00040000},
        {{.rsid = 0xFFFF}, 0x0000FFFF},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(crw_to_word(&v[i].c), v[i].w);
}

/* Subchannel event, as QEMU and Hercules queue it on attach. */
static void
crw_subchannel_event_decode(void **state)
{
    const uint8_t in[4] = {0x03, 0x84, 0x00, 0x2A};
    struct crw c;

    crw_decode(&c, in);
    assert_false(c.slct);
    assert_false(c.oflw);
    assert_false(c.chn);
    assert_int_equal(c.rsc, CRW_RSC_SCH);
    assert_true(c.anc);
    assert_int_equal(c.erc, CRW_ERC_IPARM);
    assert_int_equal(c.rsid, 0x2A);
}

/* Bits 0 and 9 are reserved: ignored on decode, zero on encode. */
static void
crw_reserved_bits_dropped(void **state)
{
    struct crw c;

    crw_from_word(&c, 0x80400000);
    assert_int_equal(crw_to_word(&c), 0);
    crw_from_word(&c, 0xFFFFFFFF);
    assert_int_equal(crw_to_word(&c), 0x7FBFFFFF);
}

static void
crw_struct_round_trip_random(void **state)
{
    uint64_t r = 0xC5Cull;

    for (int i = 0; i < ROUNDS; i++) {
        struct crw a = {0}, b;
        uint8_t buf[4];

        a.slct = t_bits(&r, 1);
        a.oflw = t_bits(&r, 1);
        a.chn = t_bits(&r, 1);
        a.rsc = (uint8_t)t_bits(&r, 4);
        a.anc = t_bits(&r, 1);
        a.erc = (uint8_t)t_bits(&r, 6);
        a.rsid = (uint16_t)t_bits(&r, 16);
        crw_encode(&a, buf);
        crw_decode(&b, buf);
        assert_int_equal(a.slct, b.slct);
        assert_int_equal(a.oflw, b.oflw);
        assert_int_equal(a.chn, b.chn);
        assert_int_equal(a.rsc, b.rsc);
        assert_int_equal(a.anc, b.anc);
        assert_int_equal(a.erc, b.erc);
        assert_int_equal(a.rsid, b.rsid);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crw_solicited_chpath_bytes),
        cmocka_unit_test(crw_single_field_words),
        cmocka_unit_test(crw_subchannel_event_decode),
        cmocka_unit_test(crw_reserved_bits_dropped),
        cmocka_unit_test(crw_struct_round_trip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
