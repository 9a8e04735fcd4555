/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw resource bounds (docs/vfio-ccw.md, "Resource bounds"), as an
 * attacker who owns one device would push them:
 *  - the program arena is shared by every device of the driver: each
 *    device gets a reserve nobody else can take and may hold at most a
 *    limit in all, so one device with maximal programs cannot starve the
 *    others (arena shares, base/mem);
 *  - DMA maps per device are capped at the kernel's 65,535 (-ENOSPC).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define KIB           1024ull
#define SMALL_ARENA   (640 * KIB)
#define SHARE_RESERVE (64 * KIB)
#define SHARE_LIMIT   (192 * KIB)
#define DATA_ADDR     (VH_GUEST_IOVA + 0x20000) /* 64K, 4K aligned */
#define UUID_B        "4b1b9bb5-56a4-4e5b-9a10-2f0f4f4c1a02"
#define UUID_C        "4b1b9bb5-56a4-4e5b-9a10-2f0f4f4c1a03"
#define SCH_B         0x0101
#define SCH_C         0x0102

/* ---- base/mem: the share itself ---- */

/* The reserve is there for the share whatever the parent's other users
 * took; the limit holds across reserve and borrowed storage; counts
 * stay exact; freeing the share gives everything back. */
static void
arena_share_reserve_and_limit(void **st)
{
    struct zv_as *as = zv_as_new("t");
    struct zv_arena *parent = zv_arena_new(as, 0x100000, 256 * KIB);
    struct zv_arena *share;
    uint64_t addr, a1, a2, others[64];
    unsigned nothers = 0;
    void *host;

    assert_non_null(parent);
    assert_null(zv_arena_share_new(parent, 8 * KIB, 4 * KIB)); /* limit<res */
    share = zv_arena_share_new(parent, 16 * KIB, 64 * KIB);
    assert_non_null(share);
    assert_null(zv_arena_share_new(share, 0, 8)); /* no share of a share */
    assert_int_equal(zv_arena_share_reserve(share), 16 * KIB);
    /* set aside, not in use */
    assert_int_equal(zv_arena_in_use(parent), 0);
    assert_int_equal(zv_arena_live(parent), 0);

    /* another user of the parent takes everything it can */
    while (nothers < 64 &&
           zv_arena_alloc(parent, 8 * KIB, 8, &others[nothers], &host) == 0)
        nothers++;
    assert_int_equal(nothers, (256 - 16) / 8);
    /* the reserve still serves the share, and only up to its size */
    assert_int_equal(zv_arena_alloc(share, 12 * KIB, 8, &a1, &host), 0);
    assert_true(a1 >= 0x100000 && a1 < 0x100000 + 256 * KIB);
    assert_int_equal(zv_arena_alloc(share, 8 * KIB, 8, &addr, &host), -ENOMEM);
    assert_int_equal(zv_arena_in_use(share), 12 * KIB);
    assert_int_equal(zv_arena_live(parent), nothers + 1);

    /* borrowing from the parent, up to the limit */
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(zv_arena_release(parent, others[--nothers]), 0);
    assert_int_equal(zv_arena_alloc(share, 48 * KIB, 8, &a2, &host), 0);
    assert_int_equal(zv_arena_in_use(share), 60 * KIB);
    assert_int_equal(zv_arena_alloc(share, 8 * KIB, 8, &addr, &host),
                     -ENOMEM); /* parent has room, the limit says no */
    assert_int_equal(zv_arena_alloc(parent, 8 * KIB, 8, &addr, &host), 0);
    others[nothers++] = addr;
    assert_int_equal(zv_arena_release(share, a2), 0);
    assert_int_equal(zv_arena_release(share, a2), -EINVAL);        /* twice */
    assert_int_equal(zv_arena_release(share, others[0]), -EINVAL); /* not its */
    assert_int_equal(zv_arena_in_use(share), 12 * KIB);
    assert_int_equal(zv_arena_live(share), 1);

    /* freeing the share returns its reserve and what it still held */
    zv_arena_free(share);
    assert_int_equal(zv_arena_live(parent), nothers);
    assert_int_equal(zv_arena_in_use(parent), nothers * 8 * KIB);
    while (nothers)
        assert_int_equal(zv_arena_release(parent, others[--nothers]), 0);
    assert_int_equal(zv_arena_alloc(parent, 256 * KIB, 8, &addr, &host), 0);
    zv_arena_free(parent);
    zv_as_free(as);
}

/* ---- through the mdev ---- */

struct dev2 {
    struct vh_dev dev;
    struct subchannel *sch;
    struct zv_vdev *vd;
    uint8_t *guest;
};

static void
dev2_setup(struct vh *h, struct dev2 *d, uint16_t sch_no, const char *uuid)
{
    struct zv_vdev *vd;

    d->sch = vh_add_subchannel(h, &d->dev, sch_no, (uint16_t)(0x5000 + sch_no));
    assert_int_equal(zv_mdev_create(zv_vfio_ccw_parent(h->drv, d->sch),
                                    ZV_VFIO_CCW_TYPE_ID, uuid, &vd),
                     0);
    d->vd = zv_mdev_find(h->bus, uuid);
    assert_ptr_equal(d->vd, vd);
    assert_int_equal(zv_vdev_open(d->vd), 0);
    d->guest = aligned_alloc(4096, VH_GUEST_SIZE);
    assert_non_null(d->guest);
    memset(d->guest, 0, VH_GUEST_SIZE);
    assert_int_equal(zv_vdev_dma_map(d->vd, VH_GUEST_IOVA, VH_GUEST_SIZE,
                                     d->guest, ZV_MEM_RW),
                     0);
}

static void
dev2_teardown(struct dev2 *d)
{
    zv_vdev_close(d->vd);
    zv_vdev_dma_unmap(d->vd, VH_GUEST_IOVA, VH_GUEST_SIZE);
    zv_vdev_put(d->vd);
    free(d->guest);
}

/*
 * nseg segments of per CCWs at VH_CCW_ADDR in guest: reads of 65535
 * bytes at DATA_ADDR (16 host IDAWs each), command chained; each segment
 * but the last ends with a TIC to the next.  Returns the guest address
 * after the last CCW (the CPA of its final status).
 */
static uint32_t
build_program(uint8_t *guest, unsigned nseg, unsigned per)
{
    uint64_t at = VH_CCW_ADDR;

    for (unsigned s = 0; s < nseg; s++) {
        for (unsigned i = 0; i < per; i++) {
            bool last = s + 1 == nseg && i + 1 == per;
            bool tic = s + 1 < nseg && i + 1 == per;
            struct ccw1 c = {.cmd = 0x02,
                             .flags = CCW_FLAG_SLI | (last ? 0 : CCW_FLAG_CC),
                             .count = 0xFFFF,
                             .cda = (uint32_t)DATA_ADDR};

            if (tic)
                c = (struct ccw1){.cmd = CCW_CMD_TIC,
                                  .cda = (uint32_t)(at + 8)};
            ccw1_encode(&c, guest + (at - VH_GUEST_IOVA));
            at += 8;
        }
    }
    return (uint32_t)at;
}

static int
ssch_vd(struct zv_vdev *vd)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    struct orb orb;
    ssize_t rc;

    vh_orb(&orb);
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    rc = zv_vdev_region_write(vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                              sizeof(region));
    /* the ret_code the kernel would leave in the region says the same */
    assert_int_equal(zv_vdev_region_read(vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                         region, sizeof(region)),
                     sizeof(region));
    assert_int_equal((int32_t)zv_be32(region + ZV_CCW_IO_RET_OFF),
                     rc < 0 ? rc : 0);
    return rc < 0 ? (int)rc : 0;
}

static uint64_t
arena_held(struct zv_vdev *vd)
{
    struct zv_vfio_ccw_counters c;

    assert_int_equal(zv_vfio_ccw_counters(vd, &c), 0);
    return c.arena_in_use;
}

/* The final status of a start, CPA after its last CCW. */
static void
read_final(struct zv_vdev *vd, uint32_t cpa)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    struct irb irb;

    assert_int_equal(zv_vdev_region_read(vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                         region, sizeof(region)),
                     sizeof(region));
    irb_decode(&irb, region + ZV_CCW_IO_IRB_OFF);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(irb.scsw.cpa, cpa);
}

/*
 * Device A (a hostile client) submits a maximal program, 16 segments of
 * 256 CCWs moving 64K each (over half a MiB of host CCWs and IDAWs), and
 * holds it (its device never ends); device B then runs a program that
 * needs about 100K of arena.  A's share stops A at its limit (ret_code
 * -ENOMEM, as the kernel answers an allocation it cannot make), so B
 * runs to normal completion.  Without the share A's program would take
 * most of the arena and B would get -ENOMEM.
 */
static void
arena_hog_does_not_starve_other_device(void **st)
{
    struct vh h;
    struct dev2 b;
    struct irb irb;
    uint32_t end_b;
    int rc_max;

    vh_setup_host_arena(&h, SMALL_ARENA);
    assert_int_equal(
        zv_vfio_ccw_set_arena_share(h.drv, SHARE_RESERVE, SHARE_LIMIT), 0);
    vh_create_open(&h);
    dev2_setup(&h, &b, SCH_B, UUID_B);

    /* A: the maximal program, held by its device if it starts */
    h.dev.hold = true;
    build_program(h.guest, 16, 256);
    rc_max = ssch_vd(h.vd);
    if (rc_max != 0) {
        /* refused whole: then the largest A may hold, also held */
        build_program(h.guest, 5, 256);
        assert_int_equal(ssch_vd(h.vd), 0);
        assert_string_equal(vh_state(&h), "start");
    }
    vh_run(&h);

    /* B: ~100K of arena, more than its reserve; it must run */
    end_b = build_program(b.guest, 3, 256);
    assert_int_equal(ssch_vd(b.vd), 0);
    assert_true(arena_held(b.vd) > SHARE_RESERVE);
    assert_true(arena_held(h.vd) > SHARE_RESERVE);
    assert_true(arena_held(h.vd) <= SHARE_LIMIT);
    vh_run(&h);
    assert_int_equal(b.dev.commands, 3 * 256 - 2); /* 2 TICs */
    read_final(b.vd, end_b);
    assert_int_equal(arena_held(b.vd), 0);

    /* the hog was stopped at its own limit, not at B's expense */
    assert_int_equal(rc_max, -ENOMEM);
    assert_string_equal(vh_state(&h), "start");

    /* A's device ends: its program goes, its share is empty again */
    h.dev.hold = false;
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(arena_held(h.vd), 0);
    assert_int_equal(zv_arena_live(h.arena), 0);
    dev2_teardown(&b);
    vh_teardown(&h);
}

/*
 * Two hogs take the common free space between them; a third device's
 * program that fits its reserve still runs (the reserve is its own),
 * while one bigger than the free space left gets -ENOMEM.
 */
static void
arena_reserve_survives_two_hogs(void **st)
{
    struct vh h;
    struct dev2 b, c;
    uint64_t free_left;
    uint32_t end;

    vh_setup_host_arena(&h, SMALL_ARENA);
    /* each hog may take more than half the common space */
    assert_int_equal(zv_vfio_ccw_set_arena_share(h.drv, SHARE_RESERVE,
                                                 SMALL_ARENA - SHARE_RESERVE),
                     0);
    vh_create_open(&h);
    dev2_setup(&h, &b, SCH_B, UUID_B);
    dev2_setup(&h, &c, SCH_C, UUID_C);

    h.dev.hold = true;
    c.dev.hold = true;
    build_program(h.guest, 16, 160); /* ~350K: A */
    assert_int_equal(ssch_vd(h.vd), 0);
    /* C takes what it can of the rest, in 8-CCW steps */
    for (unsigned per = 256; per >= 8; per -= 8) {
        build_program(c.guest, 8, per);
        if (ssch_vd(c.vd) == 0)
            break;
    }
    assert_string_equal(zv_vfio_ccw_state_name(c.vd), "start");
    free_left =
        SMALL_ARENA - 3 * SHARE_RESERVE - arena_held(h.vd) - arena_held(c.vd);
    assert_true(free_left < 8 * KIB * 2); /* the common space is gone */

    /* B: 3 x 140 CCWs ~ 57K, inside its reserve: runs */
    end = build_program(b.guest, 3, 140);
    assert_int_equal(ssch_vd(b.vd), 0);
    vh_run(&h);
    read_final(b.vd, end);
    /* B: over its reserve and over what is left: refused, cleanly */
    build_program(b.guest, 4, 140);
    assert_int_equal(ssch_vd(b.vd), -ENOMEM);
    assert_string_equal(zv_vfio_ccw_state_name(b.vd), "idle");

    /* A ends; C is closed with its program held (quiesced, freed) */
    h.dev.hold = false;
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    assert_int_equal(arena_held(h.vd), 0);
    dev2_teardown(&c);
    dev2_teardown(&b);
    vh_teardown(&h);
}

/* An instance whose reserve the arena cannot give is not created. */
static void
arena_reserve_admission(void **st)
{
    struct vh h;
    struct dev2 b;
    struct vh_dev dc;
    struct subchannel *sch_c;
    struct zv_vdev *vd;

    vh_setup_host_arena(&h, SMALL_ARENA);
    assert_int_equal(zv_vfio_ccw_set_arena_share(h.drv, 0, 0), -EINVAL);
    assert_int_equal(zv_vfio_ccw_set_arena_share(h.drv, 256 * KIB, 128 * KIB),
                     -EINVAL);
    assert_int_equal(
        zv_vfio_ccw_set_arena_share(h.drv, 256 * KIB, SMALL_ARENA + 8),
        -EINVAL);
    assert_int_equal(zv_vfio_ccw_set_arena_share(h.drv, 256 * KIB, 256 * KIB),
                     0);
    vh_create_open(&h);
    dev2_setup(&h, &b, SCH_B, UUID_B);
    sch_c = vh_add_subchannel(&h, &dc, SCH_C, 0x5102);
    assert_int_equal(zv_mdev_create(zv_vfio_ccw_parent(h.drv, sch_c),
                                    ZV_VFIO_CCW_TYPE_ID, UUID_C, &vd),
                     -ENOMEM);
    assert_null(zv_mdev_find(h.bus, UUID_C));
    /* B goes: its reserve comes back, C can be created */
    dev2_teardown(&b);
    zv_mdev_remove(h.bus, UUID_B);
    assert_int_equal(zv_mdev_create(zv_vfio_ccw_parent(h.drv, sch_c),
                                    ZV_VFIO_CCW_TYPE_ID, UUID_C, &vd),
                     0);
    vh_teardown(&h);
}

/* ---- DMA maps ---- */

/*
 * The kernel's cap: 65,535 map entries per container.  The 65,536th map
 * gets -ENOSPC and maps nothing (the IOVA stays unreadable); an unmap
 * makes room; a partial unmap that splits an entry counts the piece.
 */
static void
dma_map_cap_65535(void **st)
{
    struct vh h;
    struct zv_vfio_ccw_counters c;
    uint8_t *page = aligned_alloc(4096, 4096);
    const uint64_t base = 1ull << 32;
    uint8_t byte;
    unsigned n;

    assert_non_null(page);
    vh_setup(&h); /* one entry: the guest memory */
    for (n = 1; n < ZV_VFIO_CCW_DMA_MAX; n++)
        assert_int_equal(zv_vdev_dma_map(h.vd, base + (uint64_t)n * 8192, 4096,
                                         page, ZV_MEM_RW),
                         0);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &c), 0);
    assert_int_equal(c.dma_maps, ZV_VFIO_CCW_DMA_MAX);
    assert_int_equal(zv_vdev_dma_map(h.vd, base, 4096, page, ZV_MEM_RW),
                     -ENOSPC);
    assert_int_equal(zv_as_read(zv_vdev_iova(h.vd), base, &byte, 1), -EFAULT);

    /* unmap one: room for one */
    assert_int_equal(zv_vdev_dma_unmap(h.vd, base + 8192, 4096), 0);
    assert_int_equal(zv_vdev_dma_map(h.vd, base, 4096, page, ZV_MEM_RW), 0);
    assert_int_equal(zv_vdev_dma_map(h.vd, base + 8192, 4096, page, ZV_MEM_RW),
                     -ENOSPC);

    /* a hole in the middle of the guest map splits it: one more entry,
     * so the cap is reached with one map fewer */
    assert_int_equal(zv_vdev_dma_unmap(h.vd, base + 2 * 8192, 4096), 0);
    assert_int_equal(zv_vdev_dma_unmap(h.vd, VH_GUEST_IOVA + 0x10000, 4096), 0);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &c), 0);
    assert_int_equal(c.dma_maps, ZV_VFIO_CCW_DMA_MAX);
    assert_int_equal(
        zv_vdev_dma_map(h.vd, base + 2 * 8192, 4096, page, ZV_MEM_RW), -ENOSPC);

    /* I/O still works within the cap */
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    read_final(h.vd, VH_CCW_ADDR + 8);
    vh_teardown(&h);
    free(page);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_share_reserve_and_limit),
        cmocka_unit_test(arena_hog_does_not_starve_other_device),
        cmocka_unit_test(arena_reserve_survives_two_hogs),
        cmocka_unit_test(arena_reserve_admission),
        cmocka_unit_test(dma_map_cap_65535),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
