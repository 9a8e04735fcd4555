/* SPDX-License-Identifier: MIT */
/* End to end: the guest DASD library brings an FBA 9336 online and does
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
        buf[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 9));
}

static void
fba_online_write_read_verify_through_mdev(void **state)
{
    const struct guest_dasd_info *info;
    struct guest_dasd *g;
    struct e2e e;
    uint8_t *wr = malloc(64 * 512), *rd = malloc(64 * 512);
    struct zv_vfio_ccw_counters cnt;

    assert_int_equal(e2e_new_fba(&e, 20000, E2E_VFIO), 0);
    assert_int_equal(guest_dasd_online(e.ch, &g), 0);
    info = guest_dasd_info(g);
    assert_int_equal(info->type, GUEST_DASD_FBA);
    assert_int_equal(info->blksize, 512);
    assert_int_equal(info->blocks, 20000);
    for (unsigned round = 0; round < 4; round++) {
        uint64_t blk = 1000 + round * 3000;

        fill(wr, 64 * 512, round);
        assert_int_equal(guest_dasd_write(g, blk, 64, wr), 0);
        memset(rd, 0, 64 * 512);
        assert_int_equal(guest_dasd_read(g, blk, 64, rd), 0);
        assert_memory_equal(rd, wr, 64 * 512);
    }
    /* the last block too */
    fill(wr, 512, 9);
    assert_int_equal(guest_dasd_write(g, 19999, 1, wr), 0);
    assert_int_equal(guest_dasd_read(g, 19999, 1, rd), 0);
    assert_memory_equal(rd, wr, 512);
    assert_int_equal(guest_dasd_read(g, 20000, 1, rd), -EINVAL);
    assert_int_equal(zv_vfio_ccw_counters(e.vd, &cnt), 0);
    assert_true(cnt.cp_translated >= 10);
    assert_int_equal(cnt.cp_translated, cnt.cp_freed);
    assert_int_equal(cnt.cp_live, 0);
    guest_dasd_offline(g);
    /* what the mediated path wrote is on the image: online again */
    assert_int_equal(guest_dasd_online(e.ch, &g), 0);
    assert_int_equal(guest_dasd_read(g, 19999, 1, rd), 0);
    assert_memory_equal(rd, wr, 512);
    guest_dasd_offline(g);
    e2e_free(&e);
    free(wr);
    free(rd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fba_online_write_read_verify_through_mdev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
