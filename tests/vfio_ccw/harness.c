/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"

/* ---- the scriptable device ---- */

static struct vh_dev *
to_vh_dev(struct css_dev *dev)
{
    return (struct vh_dev *)((char *)dev - offsetof(struct vh_dev, base));
}

static void
vh_dev_move(struct vh_dev *d, struct css_io *io)
{
    uint8_t buf[4096];
    uint32_t n = css_io_available(io);

    if (n > sizeof(buf))
        n = sizeof(buf);
    if (ccw_cmd_is_input(css_io_cmd(io))) {
        for (uint32_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(0xA5 ^ i);
        css_io_write(io, buf, n);
    } else if (ccw_cmd_class(css_io_cmd(io)) == CCW_CLASS_WRITE) {
        int got = css_io_read(io, buf, n);

        for (int i = 0; i < got && d->rx_len < sizeof(d->rx); i++)
            d->rx[d->rx_len++] = buf[i];
    }
}

static void
vh_dev_start(struct css_dev *dev, struct css_io *io)
{
    struct vh_dev *d = to_vh_dev(dev);

    d->commands++;
    d->last_cmd = css_io_cmd(io);
    vh_dev_move(d, io);
    if (d->hold) {
        d->held = io;
        return;
    }
    if (d->stop_after && d->commands >= d->stop_after) {
        /* unusual status ends chaining: a loop's way out */
        css_io_done(io,
                    DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_EXCEP,
                    VH_DEV_LATENCY);
        return;
    }
    css_io_done(io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, VH_DEV_LATENCY);
}

static void
vh_dev_signal(struct css_dev *dev, enum css_signal sig)
{
    struct vh_dev *d = to_vh_dev(dev);
    struct css_io *io = d->held;

    d->signals++;
    d->held = NULL;
    if (io)
        css_io_done(io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, 0);
}

static const struct css_dev_ops vh_dev_ops = {
    .start = vh_dev_start,
    .signal = vh_dev_signal,
};

void
vh_dev_release(struct vh *h, uint8_t dstat)
{
    struct css_io *io = h->dev.held;

    assert_non_null(io);
    h->dev.held = NULL;
    css_io_done(io, dstat, VH_DEV_LATENCY);
}

void
vh_dev_unsolicited(struct vh *h, uint8_t dstat)
{
    css_dev_unsolicited(&h->dev.base, dstat);
}

/* ---- host ---- */

static void
vh_irq_cb(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct vh *h = arg;

    h->irqs[index]++;
}

static void
vh_cp_freed(void *arg, const struct zv_vfio_ccw_cp_event *ev)
{
    struct vh *h = arg;

    if (h->nfreed < 64) {
        h->freed[h->nfreed].serial = ev->serial;
        h->freed[h->nfreed].reason = (int)ev->reason;
        h->freed[h->nfreed].host_start_active = ev->host_start_active;
    }
    h->nfreed++;
    h->bad_frees += ev->host_start_active;
}

static void
vh_setup_host_full(struct vh *h, uint64_t seed, bool bind, uint64_t arena_size)
{
    struct css_sch_desc d = {
        .ssid = 0,
        .sch_no = VH_SCH_NO,
        .devno = VH_DEVNO,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {VH_CHPID0, VH_CHPID1},
    };
    struct zv_vfio_ccw_observer obs = {.cp_freed = vh_cp_freed, .arg = h};

    memset(h, 0, sizeof(*h));
    h->loop = zv_loop_new_virtual(seed);
    h->storage = zv_as_new("host");
    /* ILS facility installed, as on the machines vfio-ccw runs on (and
     * needed for the format-0 rules through the mdev). */
    h->css = css_new(h->loop, h->storage, &(struct css_config){.ils = true});
    assert_non_null(h->css);
    h->arena =
        zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE, arena_size);
    assert_non_null(h->arena);
    /* What no client was granted: low storage and the arena's edges. */
    h->canary = zv_canary_new(h->storage);
    assert_non_null(h->canary);
    assert_int_equal(zv_canary_add(h->canary, 0, VH_CANARY_LOW), 0);
    assert_int_equal(
        zv_canary_around(h->canary, ZV_VFIO_CCW_ARENA_BASE, arena_size), 0);
    h->bus = zv_mdev_bus_new();
    h->drv = zv_vfio_ccw_new(h->css, h->arena, h->bus);
    assert_non_null(h->drv);
    zv_vfio_ccw_set_observer(h->drv, &obs);
    assert_int_equal(css_chp_define(h->css, VH_CHPID0, CHP_TYPE_FICON), 0);
    assert_int_equal(css_chp_define(h->css, VH_CHPID1, CHP_TYPE_FICON), 0);
    h->dev.base.ops = &vh_dev_ops;
    assert_int_equal(css_sch_define(h->css, &d, &h->dev.base, false, &h->sch),
                     0);
    if (bind)
        assert_int_equal(zv_vfio_ccw_bind(h->drv, h->sch), 0);
}

static void
vh_setup_host_seeded_bind(struct vh *h, uint64_t seed, bool bind)
{
    vh_setup_host_full(h, seed, bind, ZV_VFIO_CCW_ARENA_SIZE);
}

void
vh_setup_host_arena(struct vh *h, uint64_t arena_size)
{
    vh_setup_host_full(h, 1, true, arena_size);
}

struct subchannel *
vh_add_subchannel(struct vh *h, struct vh_dev *dev, uint16_t sch_no,
                  uint16_t devno)
{
    struct css_sch_desc d = {
        .ssid = 0,
        .sch_no = sch_no,
        .devno = devno,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {VH_CHPID0, VH_CHPID1},
    };
    struct subchannel *sch;

    memset(dev, 0, sizeof(*dev));
    dev->base.ops = &vh_dev_ops;
    assert_int_equal(css_sch_define(h->css, &d, &dev->base, false, &sch), 0);
    assert_int_equal(zv_vfio_ccw_bind(h->drv, sch), 0);
    return sch;
}

static void
vh_setup_host_seeded(struct vh *h, uint64_t seed)
{
    vh_setup_host_seeded_bind(h, seed, true);
}

void
vh_setup_direct(struct vh *h)
{
    vh_setup_host_seeded_bind(h, 1, false);
    h->guest = aligned_alloc(4096, VH_GUEST_SIZE);
    assert_non_null(h->guest);
    memset(h->guest, 0, VH_GUEST_SIZE);
    assert_int_equal(zv_as_map(h->storage, VH_GUEST_IOVA, VH_GUEST_SIZE,
                               h->guest, ZV_MEM_RW),
                     0);
    /* the subchannel must be enabled for I/O */
    {
        struct schib sb;

        assert_int_equal(css_sch_stsch(h->sch, &sb).cc, ZV_CC0);
        sb.pmcw.ena = true;
        assert_int_equal(css_sch_msch(h->sch, &sb).cc, ZV_CC0);
    }
}

int
vh_direct_run(struct vh *h, const struct orb *orb, struct irb *irb)
{
    struct zv_insn_rc rc = css_sch_ssch(h->sch, orb);

    if (rc.cc != ZV_CC0 || rc.pic)
        return -1;
    vh_run(h);
    rc = css_sch_tsch(h->sch, irb);
    return rc.cc == ZV_CC0 && !rc.pic ? 0 : -1;
}

void
vh_setup_host(struct vh *h)
{
    vh_setup_host_seeded(h, 1);
}

int
vh_open_retry(struct vh *h)
{
    int rc = zv_vdev_open(h->vd);

    /* -EBUSY: a previous instance's quiesce still runs on the host */
    for (unsigned i = 0; rc == -EBUSY && i < 1000; i++) {
        if (!zv_loop_run_once(h->loop, 0))
            break;
        rc = zv_vdev_open(h->vd);
    }
    return rc;
}

void
vh_create_open(struct vh *h)
{
    struct zv_mdev_parent *mp = zv_vfio_ccw_parent(h->drv, h->sch);
    struct zv_vdev *vd;

    assert_non_null(mp);
    assert_int_equal(zv_mdev_create(mp, ZV_VFIO_CCW_TYPE_ID, VH_UUID, &vd), 0);
    h->vd = zv_mdev_find(h->bus, VH_UUID);
    assert_ptr_equal(h->vd, vd);
    assert_int_equal(vh_open_retry(h), 0);
    for (unsigned i = 0; i < ZV_VFIO_CCW_NUM_IRQS; i++)
        zv_vdev_set_irq_callback(h->vd, i, vh_irq_cb, h);
    if (!h->guest)
        h->guest = aligned_alloc(4096, VH_GUEST_SIZE);
    assert_non_null(h->guest);
    memset(h->guest, 0, VH_GUEST_SIZE);
    assert_int_equal(zv_vdev_dma_map(h->vd, VH_GUEST_IOVA, VH_GUEST_SIZE,
                                     h->guest, ZV_MEM_RW),
                     0);
}

void
vh_setup(struct vh *h)
{
    vh_setup_host(h);
    vh_create_open(h);
}

void
vh_setup_busy(struct vh *h)
{
    vh_setup(h);
    h->dev.hold = true;
    assert_int_equal(vh_ssch(h, 0x02, 64), 0);
    vh_run(h);
}

void
vh_setup_seeded(struct vh *h, uint64_t seed)
{
    vh_setup_host_seeded(h, seed);
    vh_create_open(h);
}

void
vh_run(struct vh *h)
{
    zv_loop_run(h->loop);
    vh_assert_isolated(h);
}

void
vh_assert_isolated(struct vh *h)
{
    char why[128];

    if (h->canary && zv_canary_check_quick(h->canary, why, sizeof(why)))
        fail_msg("isolation breach: %s", why);
}

void
vh_teardown(struct vh *h)
{
    if (h->vd) {
        zv_vdev_close(h->vd);
        zv_vdev_dma_unmap(h->vd, VH_GUEST_IOVA, VH_GUEST_SIZE);
        zv_vdev_put(h->vd);
    }
    zv_vfio_ccw_free(h->drv);
    vh_run(h);
    css_free(h->css);
    if (h->canary) {
        char why[128];

        /* the bytes too, once (vh_run checks the trip count) */
        if (zv_canary_check(h->canary, why, sizeof(why)))
            fail_msg("isolation breach: %s", why);
    }
    zv_canary_free(h->canary);
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->arena);
    if (!h->vd && h->guest)
        zv_as_unmap(h->storage, VH_GUEST_IOVA, VH_GUEST_SIZE);
    zv_as_free(h->storage);
    zv_loop_free(h->loop);
    free(h->guest);
}

const char *
vh_state(struct vh *h)
{
    return zv_vfio_ccw_state_name(h->vd);
}

/* ---- region helpers ---- */

void
vh_orb(struct orb *orb)
{
    memset(orb, 0, sizeof(*orb));
    orb->intparm = 0x12345678;
    orb->fmt = true;
    orb->pfch = true;
    orb->c64 = true;
    orb->lpm = 0xC0;
    orb->cpa = (uint32_t)VH_CCW_ADDR;
}

int
vh_ssch_orb(struct vh *h, const struct orb *orb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    ssize_t rc;

    orb_encode(orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    rc = zv_vdev_region_write(h->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                              sizeof(region));
    if (rc < 0)
        return (int)rc;
    assert_int_equal(rc, sizeof(region));
    return 0;
}

int
vh_ssch(struct vh *h, uint8_t cmd, uint16_t count)
{
    struct ccw1 ccw = {.cmd = cmd,
                       .flags = CCW_FLAG_SLI,
                       .count = count,
                       .cda = (uint32_t)VH_DATA_ADDR};
    struct orb orb;

    ccw1_encode(&ccw, h->guest + (VH_CCW_ADDR - VH_GUEST_IOVA));
    vh_orb(&orb);
    return vh_ssch_orb(h, &orb);
}

int
vh_async(struct vh *h, uint32_t command)
{
    uint8_t region[ZV_CCW_CMD_REGION_SIZE] = {0};
    ssize_t rc;

    zv_put_be32(region + ZV_CCW_CMD_COMMAND_OFF, command);
    rc = zv_vdev_region_write(h->vd, 1, 0, region, sizeof(region));
    return rc < 0 ? (int)rc : 0;
}

int
vh_hsch(struct vh *h)
{
    return vh_async(h, ZV_VFIO_CCW_ASYNC_CMD_HSCH);
}

int
vh_csch(struct vh *h)
{
    return vh_async(h, ZV_VFIO_CCW_ASYNC_CMD_CSCH);
}

int
vh_read_irb(struct vh *h, struct irb *irb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    ssize_t rc = zv_vdev_region_read(h->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                     region, sizeof(region));

    if (rc < 0)
        return (int)rc;
    irb_decode(irb, region + ZV_CCW_IO_IRB_OFF);
    return 0;
}

uint32_t
vh_read_crw(struct vh *h)
{
    uint8_t region[ZV_CCW_CRW_REGION_SIZE];

    assert_int_equal(zv_vdev_region_read(h->vd, 3, 0, region, sizeof(region)),
                     sizeof(region));
    return zv_be32(region);
}

int
vh_read_schib(struct vh *h, struct schib *schib)
{
    uint8_t region[ZV_CCW_SCHIB_REGION_SIZE];
    ssize_t rc = zv_vdev_region_read(h->vd, 2, 0, region, sizeof(region));

    if (rc < 0)
        return (int)rc;
    schib_decode(schib, region);
    return 0;
}
