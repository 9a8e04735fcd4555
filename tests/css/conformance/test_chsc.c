/* SPDX-License-Identifier: MIT */
/* CHANNEL SUBSYSTEM CALL: SSD, SCPD, SCSC (css-pop.md §4.11). */
#include "harness.h"

#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

#define RESP(h, len) ((h)->mem + H_CHSC + (len))

/* Build a request: length, code, words 1-3. */
static void
chsc_req(struct h *h, uint16_t len, uint16_t code, uint32_t w1, uint32_t w2,
         uint32_t w3)
{
    uint8_t *p = h->mem + H_CHSC;

    memset(p, 0xEE, 4096);
    zv_put_be16(p, len);
    zv_put_be16(p + 2, code);
    zv_put_be32(p + 4, w1);
    zv_put_be32(p + 8, w2);
    zv_put_be32(p + 12, w3);
}

static uint16_t
resp_code(struct h *h)
{
    return zv_be16(RESP(h, 16) + 2);
}

static uint16_t
resp_len(struct h *h)
{
    return zv_be16(RESP(h, 16));
}

static void
chsc_specification_when_not_page_aligned(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_chsc(h->css, H_CHSC + 8), ZV_PIC_SPECIFICATION);
    assert_pic(css_insn_chsc(h->css, H_CHSC + 0x800), ZV_PIC_SPECIFICATION);
}

static void
chsc_access_exceptions(void **state)
{
    struct h *h = *state;

    assert_pic(css_insn_chsc(h->css, H_HOLE), ZV_PIC_ADDRESSING);
    assert_pic(css_insn_chsc(h->css, H_RO_ADDR), ZV_PIC_PROTECTION);
}

static void
chsc_operand_when_request_length_invalid(void **state)
{
    struct h *h = *state;

    chsc_req(h, 8, 0x0004, 0, 0, 0);
    assert_pic(css_insn_chsc(h->css, H_CHSC), ZV_PIC_OPERAND);
    chsc_req(h, 4096, 0x0004, 0, 0, 0);
    assert_pic(css_insn_chsc(h->css, H_CHSC), ZV_PIC_OPERAND);
    chsc_req(h, 20, 0x0004, 0, 0, 0);
    assert_pic(css_insn_chsc(h->css, H_CHSC), ZV_PIC_OPERAND);
}

static void
chsc_ssd_describes_io_subchannel(void **state)
{
    struct h *h = *state;
    uint8_t *e;

    chsc_req(h, 16, 0x0004, 3, 3, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0001);
    assert_int_equal(resp_len(h), 8 + 32);
    e = RESP(h, 16) + 8;
    assert_int_equal(e[0], 0xC0); /* SV, DV, ST 0 */
    assert_int_equal(zv_be16(e + 2), H_DEVNO + 3);
    assert_int_equal(e[4], 0xC0); /* path mask */
    assert_int_equal(zv_be16(e + 6), 3);
    assert_int_equal(e[8], H_CHP0);
    assert_int_equal(e[9], H_CHP1);
    assert_int_equal(e[10], 0);
}

static void
chsc_ssd_range_marks_missing_subchannels_invalid(void **state)
{
    struct h *h = *state;
    uint8_t *e;

    chsc_req(h, 16, 0x0004, H_NODEV_SCH, H_NODEV_SCH + 1, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0001);
    assert_int_equal(resp_len(h), 8 + 2 * 32);
    e = RESP(h, 16) + 8;
    assert_int_equal(e[0], 0x80);  /* valid, no device */
    assert_int_equal(e[32], 0x00); /* not provided */
    assert_int_equal(zv_be16(e + 32 + 6), H_NODEV_SCH + 1);
}

static void
chsc_ssd_request_error_when_last_before_first(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0004, 5, 4, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0003);
}

static void
chsc_ssd_request_error_when_reserved_bits_set(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0004, 0x80000000, 0, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0003);
    chsc_req(h, 16, 0x0004, 0, 0, 1);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0003);
}

static void
chsc_ssd_invalid_ssid_without_mss(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0004, 1u << 20, 0, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x000A);
}

static void
chsc_ssd_request_error_when_range_too_large(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0004, 0, 0xFFFF, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0003);
}

static void
chsc_scpd_fmt0_lists_installed_chpids(void **state)
{
    struct h *h = *state;
    uint8_t *d;

    chsc_req(h, 16, 0x0002, 0x00, 0xFF, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0001);
    assert_int_equal(resp_len(h), 8 + 2 * 8);
    d = RESP(h, 16) + 8;
    assert_int_equal(d[0], 0x80);
    assert_int_equal(d[2], CHP_TYPE_FICON);
    assert_int_equal(d[3], H_CHP0);
    assert_int_equal(d[8 + 3], H_CHP1);
}

static void
chsc_scpd_fmt1_when_c_set(void **state)
{
    struct h *h = *state;
    uint8_t *d;

    chsc_req(h, 16, 0x0002, 0x10000100u | H_CHP1, H_CHP1, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0001);
    assert_int_equal(resp_len(h), 8 + 32);
    d = RESP(h, 16) + 8;
    assert_int_equal(d[3], H_CHP1);
}

static void
chsc_scpd_invalid_format(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0002, 0x01000000, 0xFF, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0007);
}

static void
chsc_scpd_invalid_cssid(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0002, 0x00010000, 0xFF, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0008);
}

static void
chsc_scpd_request_error_when_last_before_first(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0002, 0x41, 0x40, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0003);
}

static void
chsc_scpd_request_error_when_length_not_16(void **state)
{
    struct h *h = *state;

    chsc_req(h, 24, 0x0002, 0, 0xFF, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(zv_be16(RESP(h, 24) + 2), 0x0003);
}

static void
chsc_scsc_stores_characteristics(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0010, 0, 0, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0001);
    assert_int_equal(resp_len(h), 4080);
    assert_int_equal(RESP(h, 16)[4079], 0);
}

static void
chsc_unknown_command_not_installed(void **state)
{
    struct h *h = *state;

    chsc_req(h, 16, 0x0777, 0, 0, 0);
    assert_cc(css_insn_chsc(h->css, H_CHSC), ZV_CC0);
    assert_int_equal(resp_code(h), 0x0004);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(chsc_specification_when_not_page_aligned),
        T(chsc_access_exceptions),
        T(chsc_operand_when_request_length_invalid),
        T(chsc_ssd_describes_io_subchannel),
        T(chsc_ssd_range_marks_missing_subchannels_invalid),
        T(chsc_ssd_request_error_when_last_before_first),
        T(chsc_ssd_request_error_when_reserved_bits_set),
        T(chsc_ssd_invalid_ssid_without_mss),
        T(chsc_ssd_request_error_when_range_too_large),
        T(chsc_scpd_fmt0_lists_installed_chpids),
        T(chsc_scpd_fmt1_when_c_set),
        T(chsc_scpd_invalid_format),
        T(chsc_scpd_invalid_cssid),
        T(chsc_scpd_request_error_when_last_before_first),
        T(chsc_scpd_request_error_when_length_not_16),
        T(chsc_scsc_stores_characteristics),
        T(chsc_unknown_command_not_installed),
    };

    return cmocka_run_group_tests_name("chsc", tests, NULL, NULL);
}
