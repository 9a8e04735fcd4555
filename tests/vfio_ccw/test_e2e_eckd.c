/* SPDX-License-Identifier: MIT */
/* End to end: the guest DASD library brings a CDL-formatted ECKD 3390
 * online (path grouping, RCD, RDC, volume analysis) and does
 * read/write/verify through the vfio-ccw mediated device, in process. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "e2e.h"
#include "guest/dasd.h"

static void
fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seed * 13 + i * 5 + (i >> 12));
}

static void
eckd_online_write_read_verify_through_mdev(void **state)
{
    const struct guest_dasd_info *info;
    struct guest_dasd *g;
    struct e2e e;
    uint32_t bs;
    uint8_t *wr, *rd;
    struct zv_vfio_ccw_counters cnt;

    assert_int_equal(e2e_new_eckd(&e, 30, E2E_VFIO), 0);
    assert_int_equal(guest_dasd_online(e.ch, &g), 0);
    info = guest_dasd_info(g);
    assert_int_equal(info->type, GUEST_DASD_ECKD);
    assert_int_equal(info->layout, GUEST_LAYOUT_CDL);
    assert_int_equal(info->dev_type, 0x3390);
    assert_true(info->grouped);
    bs = info->blksize;
    wr = malloc(16 * bs);
    rd = malloc(16 * bs);
    /* beyond the CDL special tracks, across a track boundary */
    for (unsigned round = 0; round < 3; round++) {
        uint64_t blk = 2 * info->rpt + round * 5 * info->rpt + info->rpt - 3;

        fill(wr, 16 * bs, round);
        assert_int_equal(guest_dasd_write(g, blk, 16, wr), 0);
        memset(rd, 0, 16 * bs);
        assert_int_equal(guest_dasd_read(g, blk, 16, rd), 0);
        assert_memory_equal(rd, wr, 16 * bs);
    }
    assert_int_equal(guest_dasd_read(g, info->blocks, 1, rd), -EINVAL);
    assert_int_equal(zv_vfio_ccw_counters(e.vd, &cnt), 0);
    assert_int_equal(cnt.cp_translated, cnt.cp_freed);
    assert_int_equal(cnt.cp_live, 0);
    guest_dasd_offline(g);
    e2e_free(&e);
    free(wr);
    free(rd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eckd_online_write_read_verify_through_mdev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
