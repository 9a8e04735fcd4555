/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw under random client requests and host events (seeded, so a
 * failure names its seed): well-formed and garbage region writes, reads,
 * HSCH/CSCH, resets, DMA unmap/map, device completions, unsolicited
 * status, path events, in random orders with the loop run in random
 * steps.  After every step the principle-3 invariants must hold:
 *  - at most one program lives, translated - freed == live;
 *  - no program is freed while the host still runs its start;
 *  - no program lives unless a function is in progress;
 *  - the status queue stays within its bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define SEEDS 200
#define STEPS 400

static uint64_t
rnd(struct vh *h, uint64_t n)
{
    return zv_loop_rand_below(h->loop, n);
}

static void
garbage_write(struct vh *h)
{
    uint8_t buf[160];
    unsigned index = (unsigned)rnd(h, 5);
    uint64_t off = rnd(h, 130);
    size_t len = (size_t)rnd(h, sizeof(buf));
    ssize_t rc;

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rnd(h, 256);
    rc = zv_vdev_region_write(h->vd, index, off, buf, len);
    assert_true(rc < 0 || (size_t)rc == len);
    assert_true(rc != -EAGAIN);
}

static void
garbage_read(struct vh *h)
{
    uint8_t buf[160];
    unsigned index = (unsigned)rnd(h, 5);
    uint64_t off = rnd(h, 130);
    size_t len = (size_t)rnd(h, sizeof(buf));
    ssize_t rc = zv_vdev_region_read(h->vd, index, off, buf, len);

    assert_true(rc < 0 || (size_t)rc == len);
}

static void
random_ssch(struct vh *h)
{
    static const uint8_t cmds[] = {0x02, 0x01, 0x03, 0x04, 0xE4, 0x08};
    uint8_t *prog = h->guest + (VH_CCW_ADDR - VH_GUEST_IOVA);
    struct ccw1 ccw = {.cmd = cmds[rnd(h, sizeof(cmds))],
                       .flags = CCW_FLAG_SLI,
                       .count = (uint16_t)(1 + rnd(h, 4096)),
                       .cda = (uint32_t)(VH_DATA_ADDR + rnd(h, 0x20000))};
    struct orb orb;
    int rc;

    /* mostly sane programs (they reach the host), sometimes garbage */
    if (rnd(h, 4) == 0) {
        ccw.flags = (uint8_t)rnd(h, 256);
        ccw.cda = (uint32_t)rnd(h, 1ull << 32);
    }
    ccw1_encode(&ccw, prog);
    if (ccw.cmd == CCW_CMD_TIC)
        ccw.cda = (uint32_t)VH_CCW_ADDR + 8;
    ccw.cmd = CCW_CMD_NOOP;
    ccw.flags = 0;
    ccw1_encode(&ccw, prog + 8);
    vh_orb(&orb);
    if (rnd(h, 8) == 0)
        orb.lpm = (uint8_t)rnd(h, 256);
    h->dev.hold = rnd(h, 3) == 0;
    rc = vh_ssch_orb(h, &orb);
    assert_true(rc <= 0 && rc != -EAGAIN);
}

static void
remap_data(struct vh *h)
{
    uint64_t page = VH_GUEST_IOVA + 0x8000 + rnd(h, 8) * 0x1000;

    zv_vdev_dma_unmap(h->vd, page, 0x1000);
    zv_vdev_dma_map(h->vd, page, 0x1000, h->guest + (page - VH_GUEST_IOVA),
                    ZV_MEM_RW);
}

static void
path_event(struct vh *h)
{
    uint8_t chpid = rnd(h, 2) ? VH_CHPID0 : VH_CHPID1;
    bool on = rnd(h, 4) != 0; /* paths mostly come back */

    switch (rnd(h, 3)) {
    case 0:
        css_chp_vary(h->css, chpid, on);
        break;
    case 1:
        css_chp_configure(h->css, chpid, on);
        break;
    default:
        css_chp_set_failed(h->css, chpid, !on);
        break;
    }
}

static void
step(struct vh *h, unsigned *seen_io)
{
    struct irb irb;

    /* Mostly a client like QEMU: it reads the I/O region when the I/O
     * IRQ fired.  Sometimes it does something else first. */
    if (h->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] != *seen_io && rnd(h, 4)) {
        *seen_io = h->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
        vh_read_irb(h, &irb);
        return;
    }

    switch (rnd(h, 16)) {
    case 0:
    case 1:
        random_ssch(h);
        break;
    case 2:
        vh_hsch(h);
        break;
    case 3:
        vh_csch(h);
        break;
    case 4:
    case 5:
        vh_read_irb(h, &irb);
        break;
    case 6:
        garbage_write(h);
        break;
    case 7:
        garbage_read(h);
        break;
    case 8:
    case 13:
        if (h->dev.held)
            vh_dev_release(
                h, (uint8_t)(rnd(h, 2) ? DEV_STAT_CHN_END | DEV_STAT_DEV_END
                                       : rnd(h, 256)));
        break;
    case 9:
        vh_dev_unsolicited(h, DEV_STAT_ATTENTION);
        break;
    case 10:
        if (rnd(h, 3) == 0)
            path_event(h);
        break;
    case 11:
        if (rnd(h, 8) == 0)
            zv_vdev_reset(h->vd);
        else
            remap_data(h);
        break;
    default:
        for (uint64_t n = rnd(h, 6); n; n--)
            zv_loop_run_once(h->loop, 0);
        break;
    }
}

static void
check_invariants(struct vh *h, uint64_t seed, unsigned i)
{
    struct zv_vfio_ccw_counters c;
    const char *st = vh_state(h);
    bool busy =
        !strcmp(st, "start") || !strcmp(st, "halt") || !strcmp(st, "clear");

    assert_int_equal(zv_vfio_ccw_counters(h->vd, &c), 0);
    if (c.cp_translated - c.cp_freed != c.cp_live || c.cp_live > 1 ||
        h->bad_frees || (c.cp_live && !busy) ||
        c.irb_queued > ZV_VFIO_CCW_IRBQ_MAX) {
        print_error("seed %llu step %u: state %s live %u translated %llu "
                    "freed %llu bad %u queued %u\n",
                    (unsigned long long)seed, i, st, c.cp_live,
                    (unsigned long long)c.cp_translated,
                    (unsigned long long)c.cp_freed, h->bad_frees, c.irb_queued);
        fail();
    }
}

static void
print_trace(void *arg, uint64_t now, const char *line)
{
    print_message("%12llu %s\n", (unsigned long long)now, line);
}

static void
random_requests_keep_the_invariants(void **state)
{
    uint64_t total = 0;

    VH_SKIP_IN_REGRESS();
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        struct zv_vfio_ccw_counters c;
        struct vh h;

        vh_setup_seeded(&h, seed);
        /* ZV_TRACE_SEED=n prints the trace of seed n */
        if (getenv("ZV_TRACE_SEED") &&
            strtoull(getenv("ZV_TRACE_SEED"), NULL, 0) == seed)
            zv_loop_set_trace_sink(h.loop, print_trace, NULL);
        unsigned seen_io = 0;

        for (unsigned i = 0; i < STEPS; i++) {
            step(&h, &seen_io);
            check_invariants(&h, seed, i);
        }
        if (h.dev.held)
            vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
        vh_run(&h);
        check_invariants(&h, seed, STEPS);
        zv_vdev_close(h.vd);
        vh_run(&h);
        assert_int_equal(zv_vfio_ccw_counters(h.vd, &c), 0);
        assert_int_equal(c.cp_translated, c.cp_freed);
        total += c.cp_translated;
        vh_teardown(&h);
    }
    /* the walk must really reach the host, not just bounce */
    print_message("%llu programs translated over %u seeds\n",
                  (unsigned long long)total, SEEDS);
    assert_true(total > SEEDS * 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_requests_keep_the_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
