/* SPDX-License-Identifier: MIT */
/*
 * vfu/msg: the codec alone.  Encodings are checked byte by byte against
 * the spec's little-endian layout (so the test fails on a big-endian host
 * if a field were stored in host order), and every decoder refuses the
 * lengths and values the spec does not allow.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vfio/uapi.h"
#include "vfu/msg.h"

static void
header_is_little_endian_and_round_trips(void **state)
{
    struct vfu_hdr h = {.id = 0x1234,
                        .cmd = ZV_VFU_CMD_REGION_READ,
                        .size = 0x20,
                        .flags = ZV_VFU_F_TYPE_REPLY | ZV_VFU_F_ERROR,
                        .error = EINVAL};
    static const uint8_t want[16] = {0x34,   0x12, 0x09, 0x00, 0x20, 0x00,
                                     0x00,   0x00, 0x21, 0x00, 0x00, 0x00,
                                     EINVAL, 0x00, 0x00, 0x00};
    uint8_t b[16];
    struct vfu_hdr d;

    vfu_hdr_encode(b, &h);
    assert_memory_equal(b, want, sizeof(want));
    assert_int_equal(vfu_hdr_decode(b, &d), 0);
    assert_memory_equal(&d, &h, sizeof(h));
    assert_true(vfu_hdr_is_reply(&d));
    /* a message smaller than its own header */
    b[4] = 15;
    assert_int_equal(vfu_hdr_decode(b, &d), -EINVAL);
}

static void
version_json_must_end_in_its_only_nul(void **state)
{
    uint8_t b[64] = {0x00, 0x00, 0x02, 0x00};
    struct vfu_version v;

    assert_int_equal(vfu_version_decode(b, 3, &v), -EINVAL);
    assert_int_equal(vfu_version_decode(b, 4, &v), 0);
    assert_int_equal(v.minor, 2);
    assert_null(v.json);
    memcpy(b + 4, "{}", 3);
    assert_int_equal(vfu_version_decode(b, 7, &v), 0);
    assert_string_equal(v.json, "{}");
    /* not terminated */
    assert_int_equal(vfu_version_decode(b, 6, &v), -EINVAL);
    /* bytes hidden after the NUL */
    assert_int_equal(vfu_version_decode(b, 8, &v), -EINVAL);
}

static void
caps_defaults_values_and_refusals(void **state)
{
    struct vfu_caps c;
    char buf[256];

    assert_int_equal(vfu_caps_parse("{}", &c), 0);
    assert_int_equal(c.max_msg_fds, 1);
    assert_int_equal(c.max_data_xfer_size, 1048576);
    assert_int_equal(c.max_dma_maps, 65535);
    assert_int_equal(c.pgsizes, 4096);
    assert_int_equal(
        vfu_caps_parse("{\"capabilities\":{\"max_msg_fds\":8,"
                       "\"max_data_xfer_size\":65536,\"pgsizes\":12288,"
                       "\"migration\":{\"pgsize\":4096},\"unknown\":[1]}}",
                       &c),
        0);
    assert_int_equal(c.max_msg_fds, 8);
    assert_int_equal(c.max_data_xfer_size, 65536);
    assert_int_equal(c.pgsizes, 12288);
    assert_true(c.migration);
    /* wrong types, ranges, syntax, trailing bytes, nesting */
    static const char *const bad[] = {
        "",
        "[]",
        "{\"capabilities\":{\"max_msg_fds\":\"8\"}}",
        "{\"capabilities\":{\"max_msg_fds\":-1}}",
        "{\"capabilities\":{\"max_msg_fds\":254}}",
        "{\"capabilities\":{\"max_data_xfer_size\":0}}",
        "{\"capabilities\":{\"pgsizes\":1.5}}",
        "{\"capabilities\":{\"max_dma_maps\":99999999999999999999999}}",
        "{\"capabilities\":{\"migration\":true}}",
        "{\"capabilities\":7}",
        "{} x",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}", /* too deep */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(vfu_caps_parse(bad[i], &c), -EINVAL);
    /* what we format, we parse */
    c = (struct vfu_caps){.max_msg_fds = 8,
                          .max_data_xfer_size = 1 << 20,
                          .max_dma_maps = 65535,
                          .pgsizes = 4096};
    assert_true(vfu_caps_format(&c, buf, sizeof(buf)) > 0);
    c = (struct vfu_caps){0};
    assert_int_equal(vfu_caps_parse(buf, &c), 0);
    assert_int_equal(c.max_msg_fds, 8);
    assert_int_equal(c.max_data_xfer_size, 1 << 20);
    assert_int_equal(vfu_caps_format(&c, buf, 10), -ENOSPC);
}

static void
dma_map_layout_and_exact_size(void **state)
{
    struct vfu_dma_map m = {.argsz = 32,
                            .flags = 3,
                            .offset = 0x1000,
                            .addr = 0x0102030405060000ull,
                            .size = 0x2000};
    uint8_t b[33];
    struct vfu_dma_map d;

    vfu_dma_map_encode(b, &m);
    assert_int_equal(b[0], 32);
    assert_int_equal(b[4], 3);
    assert_int_equal(b[9], 0x10);
    assert_int_equal(b[18], 0x06);
    assert_int_equal(b[23], 0x01);
    assert_int_equal(b[25], 0x20);
    assert_int_equal(vfu_dma_map_decode(b, 32, &d), 0);
    assert_memory_equal(&d, &m, sizeof(m));
    assert_int_equal(vfu_dma_map_decode(b, 31, &d), -EINVAL);
    assert_int_equal(vfu_dma_map_decode(b, 33, &d), -EINVAL);
    b[0] = 40; /* argsz is the request's size for DMA_MAP */
    assert_int_equal(vfu_dma_map_decode(b, 32, &d), -EINVAL);
}

static void
fixed_requests_refuse_other_lengths(void **state)
{
    uint8_t b[64] = {0};
    struct vfu_dma_unmap u;
    struct vfu_device_info di;
    struct vfu_region_info ri;
    struct vfu_irq_info ii;

    b[0] = 24;
    assert_int_equal(vfu_dma_unmap_decode(b, 24, &u), 0);
    assert_int_equal(vfu_dma_unmap_decode(b, 25, &u), -EINVAL);
    b[0] = 23; /* argsz smaller than the echo */
    assert_int_equal(vfu_dma_unmap_decode(b, 24, &u), -EINVAL);
    b[0] = 16;
    assert_int_equal(vfu_device_info_decode(b, 16, &di), 0);
    assert_int_equal(vfu_device_info_decode(b, 20, &di), -EINVAL);
    assert_int_equal(vfu_irq_info_decode(b, 16, &ii), 0);
    assert_int_equal(vfu_irq_info_decode(b, 15, &ii), -EINVAL);
    b[0] = 8;
    assert_int_equal(vfu_device_info_decode(b, 16, &di), -EINVAL);
    b[0] = 32;
    assert_int_equal(vfu_region_info_decode(b, 32, true, &ri), 0);
    assert_int_equal(vfu_region_info_decode(b, 48, true, &ri), -EINVAL);
    assert_int_equal(vfu_region_info_decode(b, 48, false, &ri), 0);
    assert_int_equal(vfu_region_info_decode(b, 31, false, &ri), -EINVAL);
}

static void
set_irqs_data_must_match_type_and_argsz(void **state)
{
    uint8_t b[32] = {0};
    struct vfu_irq_set s = {.argsz = 21,
                            .flags = ZV_VFIO_IRQ_SET_DATA_BOOL |
                                     ZV_VFIO_IRQ_SET_ACTION_TRIGGER,
                            .index = 1,
                            .count = 1};
    struct vfu_irq_set d;

    vfu_irq_set_encode(b, &s);
    b[20] = 1;
    assert_int_equal(vfu_irq_set_decode(b, 21, &d), 0);
    assert_int_equal(d.index, 1);
    assert_int_equal(d.data_len, 1);
    assert_int_equal(d.data[0], 1);
    assert_int_equal(vfu_irq_set_decode(b, 22, &d), -EINVAL); /* argsz */
    assert_int_equal(vfu_irq_set_decode(b, 19, &d), -EINVAL);
    /* eventfds are ancillary data: no payload bytes */
    s.flags = ZV_VFIO_IRQ_SET_DATA_EVENTFD | ZV_VFIO_IRQ_SET_ACTION_TRIGGER;
    vfu_irq_set_encode(b, &s);
    assert_int_equal(vfu_irq_set_decode(b, 21, &d), -EINVAL);
    s.argsz = 20;
    vfu_irq_set_encode(b, &s);
    assert_int_equal(vfu_irq_set_decode(b, 20, &d), 0);
}

static void
region_rw_count_must_match_data(void **state)
{
    uint8_t b[32] = {0};
    struct vfu_region_rw rw = {.offset = 0x18, .region = 2, .count = 4};
    struct vfu_region_rw d;

    vfu_region_rw_encode(b, &rw);
    assert_int_equal(b[0], 0x18);
    assert_int_equal(b[8], 2);
    assert_int_equal(b[12], 4);
    assert_int_equal(vfu_region_rw_decode(b, 16, false, &d), 0);
    assert_int_equal(d.count, 4);
    assert_int_equal(vfu_region_rw_decode(b, 20, false, &d), -EINVAL);
    assert_int_equal(vfu_region_rw_decode(b, 20, true, &d), 0);
    assert_int_equal(d.data_len, 4);
    assert_int_equal(vfu_region_rw_decode(b, 19, true, &d), -EINVAL);
    assert_int_equal(vfu_region_rw_decode(b, 15, false, &d), -EINVAL);
}

static void
command_names(void **state)
{
    assert_string_equal(vfu_cmd_name(ZV_VFU_CMD_DEVICE_SET_IRQS),
                        "DEVICE_SET_IRQS");
    assert_string_equal(vfu_cmd_name(0), "?");
    assert_string_equal(vfu_cmd_name(19), "?");
    assert_string_equal(vfu_cmd_name(0xffff), "?");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_is_little_endian_and_round_trips),
        cmocka_unit_test(version_json_must_end_in_its_only_nul),
        cmocka_unit_test(caps_defaults_values_and_refusals),
        cmocka_unit_test(dma_map_layout_and_exact_size),
        cmocka_unit_test(fixed_requests_refuse_other_lengths),
        cmocka_unit_test(set_irqs_data_must_match_type_and_argsz),
        cmocka_unit_test(region_rw_count_must_match_data),
        cmocka_unit_test(command_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
