/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: the neighbour, a second subchannel with its own test device
 * and mdev under the same vfio-ccw driver (one arena, one DMA window, one
 * parent list).  Its guest runs a plain workload beside the main device:
 * a READ of 64 bytes into ITS page 0 at the same IOVA the main device's
 * guest uses (and never names: the main page-0 canary catches data sent
 * to the wrong device), then the status.  Whatever happens to the main
 * device (reset, unmap, replug, loss), the neighbour's programs must
 * complete, its data must land in its own memory, and its programs must
 * be freed once, after their start ended (principle 3, per device).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define NB_DATA_LEN 64u
#define NB_CCW_OFF  SIM_PAGE /* the CCW lives in the second page */

static void
nb_irq_cb(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct sim *s = arg;

    if (index == ZV_VFIO_CCW_IO_IRQ_INDEX)
        s->nb.irqs++;
}

static int
nb_device(struct sim *s)
{
    uint8_t pattern[NB_DATA_LEN];
    struct testdev_resp r = {.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END,
                             .data = pattern,
                             .len = sizeof(pattern),
                             .latency_ns = 3 * ZV_NSEC_PER_USEC};
    struct css_sch_desc d = {
        .sch_no = SIM_NB_SCH_NO,
        .devno = SIM_NB_DEVNO,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {SIM_CHPID0, SIM_CHPID1},
    };

    for (unsigned i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(0x5A ^ i);
    s->nb.td = testdev_new(s->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    if (!s->nb.td || testdev_set_response(s->nb.td, SIM_CMD_READ, &r))
        return -ENOMEM;
    if (css_sch_define(s->css, &d, testdev_css_dev(s->nb.td), false,
                       &s->nb.sch))
        return -EIO;
    css_sch_get(s->nb.sch);
    return 0;
}

static int
nb_mdev(struct sim *s)
{
    struct zv_mdev_parent *parent;
    struct zv_vdev *vd = NULL;
    int rc = zv_vfio_ccw_bind(s->drv, s->nb.sch);

    if (rc)
        return rc;
    parent = zv_vfio_ccw_parent(s->drv, s->nb.sch);
    rc = parent ? zv_mdev_create(parent, ZV_VFIO_CCW_TYPE_ID, SIM_NB_UUID, &vd)
                : -ENODEV;
    if (rc)
        return rc;
    zv_vdev_get(vd);
    s->nb.vd = vd;
    return 0;
}

int
sim_nb_init(struct sim *s)
{
    int rc = nb_device(s);

    if (!rc)
        rc = nb_mdev(s);
    if (rc)
        return rc;
    s->nb.mem = aligned_alloc(SIM_PAGE, 2 * SIM_PAGE);
    if (!s->nb.mem)
        return -ENOMEM;
    memset(s->nb.mem, 0, 2 * SIM_PAGE);
    rc = zv_vdev_dma_map(s->nb.vd, SIM_GUEST_IOVA, 2 * SIM_PAGE, s->nb.mem,
                         ZV_MEM_RW);
    if (!rc)
        rc = zv_vdev_open(s->nb.vd);
    if (!rc)
        rc = zv_vdev_set_irq_callback(s->nb.vd, ZV_VFIO_CCW_IO_IRQ_INDEX,
                                      nb_irq_cb, s);
    return rc;
}

void
sim_nb_fini(struct sim *s)
{
    if (s->nb.vd && zv_vdev_is_open(s->nb.vd))
        zv_vdev_close(s->nb.vd);
    if (s->nb.vd && s->bus)
        zv_mdev_remove(s->bus, SIM_NB_UUID);
    if (s->nb.vd)
        zv_vdev_put(s->nb.vd);
    s->nb.vd = NULL;
}

/* After css_free: the device and the memory. */
void
sim_nb_free(struct sim *s)
{
    testdev_free(s->nb.td);
    free(s->nb.mem);
}

void
sim_nb_put_sch(struct sim *s)
{
    if (s->nb.sch)
        css_sch_put(s->nb.sch);
    s->nb.sch = NULL;
}

static void
nb_start(struct sim *s)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct ccw1 ccw = {.cmd = SIM_CMD_READ,
                       .flags = CCW_FLAG_SLI,
                       .count = NB_DATA_LEN,
                       .cda = (uint32_t)SIM_GUEST_IOVA};
    struct orb orb = {.fmt = true,
                      .lpm = 0xFF,
                      .cpa = (uint32_t)(SIM_GUEST_IOVA + NB_CCW_OFF)};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    ssize_t n;

    memset(s->nb.mem, 0, NB_DATA_LEN);
    ccw1_encode(&ccw, s->nb.mem + NB_CCW_OFF);
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    zv_trace(s->loop, "sim: neighbour ssch");
    s->ctx = SIM_CTX_SSCH;
    n = zv_vdev_region_write(s->nb.vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                             region, sizeof(region));
    s->ctx = SIM_CTX_NONE;
    if (n == (ssize_t)sizeof(region)) {
        s->nb.busy = true;
        return;
    }
    /* Nothing of the neighbour's is in progress: only a path down (cc 3)
     * may refuse it. */
    if (!((n == -EACCES || n == -ENODEV) && !s->paths_ok))
        sim_fail(s, "neighbour: idle device refused SSCH with %zd", n);
}

static void
nb_check_status(struct sim *s, const struct irb *irb)
{
    const struct scsw *sc = &irb->scsw;
    uint64_t ccw = SIM_GUEST_IOVA + NB_CCW_OFF;
    const uint8_t ends =
        SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_ALERT;

    if (sc->fctl != SCSW_FCTL_START || !s->nb.busy) {
        sim_fail(s, "neighbour: status fc %x sc %x while %s", sc->fctl,
                 sc->stctl, s->nb.busy ? "busy" : "idle");
        return;
    }
    if (sc->cpa && (sc->cpa < ccw || sc->cpa > ccw + 2 * CCW_SIZE))
        sim_fail(s, "neighbour: CPA %08x is not its program", sc->cpa);
    if (!(sc->stctl & ends) && (sc->stctl & SCSW_STCTL_INTER))
        return; /* intermediate */
    s->nb.busy = false;
    s->nb.completed++;
    /* Ended normally: the data is in the neighbour's own memory. */
    if (sc->dstat == (DEV_STAT_CHN_END | DEV_STAT_DEV_END) && !sc->cstat &&
        sc->cc == 0)
        for (unsigned i = 0; i < NB_DATA_LEN; i++)
            if (s->nb.mem[i] != (uint8_t)(0x5A ^ i)) {
                sim_fail(s,
                         "neighbour: READ ended but its data is not in "
                         "its memory (byte %u)",
                         i);
                return;
            }
}

static void
nb_read(struct sim *s)
{
    uint8_t area[ZV_CCW_IO_IRB_SIZE];
    struct irb irb;
    ssize_t n;

    s->ctx = SIM_CTX_OTHER;
    n = zv_vdev_region_read(s->nb.vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX,
                            ZV_CCW_IO_IRB_OFF, area, sizeof(area));
    s->ctx = SIM_CTX_NONE;
    s->nb.irqs_at_read = s->nb.irqs;
    if (n != (ssize_t)sizeof(area)) {
        sim_fail(s, "neighbour: IRB read failed with %zd", n);
        return;
    }
    irb_decode(&irb, area);
    if (!irb.scsw.stctl)
        return;
    zv_trace(s->loop, "sim: neighbour read irb fc %x sc %x cpa %08x ds %02x",
             irb.scsw.fctl, irb.scsw.stctl, irb.scsw.cpa, irb.scsw.dstat);
    nb_check_status(s, &irb);
}

void
sim_nb_step(struct sim *s)
{
    if (!s->nb.vd)
        return;
    if (!s->nb.busy)
        nb_start(s);
    else if (s->nb.irqs != s->nb.irqs_at_read)
        nb_read(s);
    sim_check(s);
}

void
sim_nb_finish(struct sim *s)
{
    for (unsigned i = 0; i < 8 && s->nb.busy && !s->failed; i++)
        nb_read(s);
    if (s->nb.busy && !s->failed)
        sim_fail(s, "neighbour: its program never ended");
}

void
sim_nb_freed(struct sim *s, const struct zv_vfio_ccw_cp_event *ev)
{
    s->nb.freed++;
    if (ev->host_start_active)
        sim_fail(s, "neighbour: program %llu freed while its host start runs",
                 (unsigned long long)ev->serial);
    if (ev->serial != s->nb.freed)
        sim_fail(s, "neighbour: program %llu freed as the %llu-th",
                 (unsigned long long)ev->serial,
                 (unsigned long long)s->nb.freed);
}

/* Per device: at most one live program. */
unsigned
sim_nb_check(struct sim *s)
{
    struct zv_vfio_ccw_counters c;
    const char *st;

    if (!s->nb.vd || zv_vfio_ccw_counters(s->nb.vd, &c))
        return 0;
    if (c.cp_live > 1 || c.cp_translated - c.cp_freed != c.cp_live)
        sim_fail(s, "neighbour: %llu built, %llu freed, %u live",
                 (unsigned long long)c.cp_translated,
                 (unsigned long long)c.cp_freed, c.cp_live);
    st = zv_vfio_ccw_state_name(s->nb.vd);
    if (strcmp(st, "idle") && strcmp(st, "start") &&
        strcmp(st, "status-pending"))
        sim_fail(s, "neighbour: in state %s", st);
    if (!s->nb.busy && strcmp(st, "idle"))
        sim_fail(s, "neighbour: idle guest, device in state %s", st);
    return c.cp_live;
}
