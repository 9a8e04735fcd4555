/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: the world of one seed (host, driver, mdev, guest memory) and
 * the guest operations and host events the explorer and the scenarios
 * drive.  Every operation is traced into the loop (so it is part of the
 * trace hash), its answer is checked against the model, and the checks of
 * sim_check() run after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_ARENA_SIZE (1ull << 20)
#define SIM_CANARY_LOW 0x10000ull /* host storage [0, 64K) */
#define SIM_DRAIN_MAX  100000u

/* Every record goes to the tail ring (for the failure report) and, with
 * --trace, to the trace file.  Hashing is the loop's own business. */
static void
trace_sink(void *arg, uint64_t now, const char *line)
{
    struct sim *s = arg;

    if (!s->failed) {
        snprintf(s->tail[s->tail_next], SIM_TAIL_WIDTH, "%12llu %s",
                 (unsigned long long)now, line);
        s->tail_next = (s->tail_next + 1) % SIM_TAIL_LINES;
    }
    if (s->trace)
        fprintf(s->trace, "%12llu %s\n", (unsigned long long)now, line);
}

static void
irq_cb(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct sim *s = arg;

    if (index < ZV_VFIO_CCW_NUM_IRQS)
        s->irqs[index]++;
}

static int
script_device(struct sim *s)
{
    static const uint8_t eq_check[1] = {SNS0_EQUIPMENT_CHECK};
    uint8_t *pattern = malloc(2 * SIM_PAGE);
    uint64_t lat = zv_loop_rand_below(s->loop, 50) * ZV_NSEC_PER_USEC;
    uint64_t jit = zv_loop_rand_below(s->loop, 50) * ZV_NSEC_PER_USEC;
    struct testdev_resp r = {.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END,
                             .latency_ns = lat,
                             .latency_max_ns = lat + jit};
    int rc;

    if (!pattern)
        return -ENOMEM;
    for (unsigned i = 0; i < 2 * SIM_PAGE; i++)
        pattern[i] = (uint8_t)(0x5A ^ i);
    testdev_set_default_latency(s->td, lat, lat + jit);
    r.len = 2 * SIM_PAGE;
    rc = testdev_set_response(s->td, SIM_CMD_WRITE, &r);
    r.data = pattern;
    if (!rc)
        rc = testdev_set_response(s->td, SIM_CMD_READ, &r);
    free(pattern);
    r.data = NULL;
    r.len = 0;
    r.hold = true;
    if (!rc)
        rc = testdev_set_response(s->td, SIM_CMD_HOLD, &r);
    r.hold = false;
    r.dstat |= DEV_STAT_UNIT_CHECK;
    r.sense = eq_check;
    r.sense_len = sizeof(eq_check);
    if (!rc)
        rc = testdev_set_response(s->td, SIM_CMD_UC, &r);
    return rc;
}

static int
build_host(struct sim *s)
{
    static const struct css_config cfg = {.concurrent_sense = true};
    struct css_sch_desc d = {
        .sch_no = SIM_SCH_NO,
        .devno = SIM_DEVNO,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {SIM_CHPID0, SIM_CHPID1},
    };

    s->storage = zv_as_new("storage");
    if (!s->storage)
        return -ENOMEM;
    /* Host storage no client was granted: a tripwire at [0, 64K) (where
     * a host address 0 in a translated CCW would land). */
    s->canary = zv_canary_new(s->storage);
    if (!s->canary || zv_canary_add(s->canary, 0, SIM_CANARY_LOW))
        return -ENOMEM;
    s->css = css_new(s->loop, s->storage, &cfg);
    if (!s->css)
        return -ENOMEM;
    if (css_chp_define(s->css, SIM_CHPID0, CHP_TYPE_FICON) ||
        css_chp_define(s->css, SIM_CHPID1, CHP_TYPE_FICON))
        return -EIO;
    s->td = testdev_new(s->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    if (!s->td || script_device(s))
        return -ENOMEM;
    if (css_sch_define(s->css, &d, testdev_css_dev(s->td), false, &s->sch))
        return -EIO;
    /* Ours until sim_fini, even after the subchannel vanishes. */
    css_sch_get(s->sch);
    return 0;
}

static int
build_driver(struct sim *s)
{
    struct zv_vfio_ccw_observer obs = {.cp_freed = sim_cp_freed, .arg = s};
    struct zv_mdev_parent *parent;
    struct zv_vdev *vd = NULL;
    int rc;

    s->arena =
        zv_vfio_ccw_arena_new(s->css, ZV_VFIO_CCW_ARENA_BASE, SIM_ARENA_SIZE);
    s->bus = zv_mdev_bus_new();
    if (!s->arena || !s->bus)
        return -ENOMEM;
    if (zv_canary_around(s->canary, ZV_VFIO_CCW_ARENA_BASE, SIM_ARENA_SIZE))
        return -ENOMEM;
    s->drv = zv_vfio_ccw_new(s->css, s->arena, s->bus);
    if (!s->drv)
        return -ENOMEM;
    zv_vfio_ccw_set_observer(s->drv, &obs);
    rc = zv_vfio_ccw_bind(s->drv, s->sch);
    if (rc)
        return rc;
    parent = zv_vfio_ccw_parent(s->drv, s->sch);
    if (!parent)
        return -ENODEV;
    rc = zv_mdev_create(parent, ZV_VFIO_CCW_TYPE_ID, SIM_UUID, &vd);
    if (rc)
        return rc;
    zv_vdev_get(vd);
    s->vd = vd;
    return 0;
}

static unsigned
chunk_prot(unsigned chunk)
{
    return chunk == SIM_RO_CHUNK ? ZV_MEM_READ : ZV_MEM_RW;
}

static int
build_guest(struct sim *s)
{
    s->mem = aligned_alloc(SIM_PAGE, SIM_GUEST_SIZE + 2 * SIM_PAGE);
    if (!s->mem)
        return -ENOMEM;
    s->guest = s->mem + SIM_PAGE;
    memset(s->mem, 0, SIM_GUEST_SIZE + 2 * SIM_PAGE);
    sim_canary_fill(s->mem, SIM_PAGE);
    sim_canary_fill(s->guest + SIM_GUEST_SIZE, SIM_PAGE);
    sim_canary_fill(s->guest, SIM_PAGE); /* page 0: mapped, never named */
    sim_ro_fill(s);
    return 0;
}

static int
map_chunk(struct sim *s, unsigned c)
{
    int rc = zv_vdev_dma_map(s->vd, SIM_GUEST_IOVA + c * SIM_CHUNK_SIZE,
                             SIM_CHUNK_SIZE, s->guest + c * SIM_CHUNK_SIZE,
                             chunk_prot(c));

    if (!rc)
        s->mapped[c] = true;
    return rc;
}

static int
open_device(struct sim *s)
{
    int rc = zv_vdev_open(s->vd);

    for (unsigned i = 0; !rc && i < ZV_VFIO_CCW_NUM_IRQS; i++)
        rc = zv_vdev_set_irq_callback(s->vd, i, irq_cb, s);
    return rc;
}

int
sim_init(struct sim *s, uint64_t seed, FILE *trace)
{
    int rc;

    memset(s, 0, sizeof(*s));
    s->seed = seed;
    s->trace = trace;
    s->loop = zv_loop_new_virtual(seed);
    if (!s->loop)
        return -ENOMEM;
    zv_loop_set_trace_sink(s->loop, trace_sink, s);
    /* Not a trace record: a seed shows only through what it makes
     * happen, so two seeds hash alike only if they behave alike. */
    if (trace)
        fprintf(trace, "# sim: seed %llu\n", (unsigned long long)seed);
    rc = build_host(s);
    if (!rc)
        rc = build_driver(s);
    if (!rc)
        rc = sim_nb_init(s);
    if (!rc)
        rc = build_guest(s);
    if (!rc)
        rc = open_device(s);
    for (unsigned c = 0; !rc && c < SIM_CHUNKS; c++)
        rc = map_chunk(s, c);
    if (rc)
        return rc;
    s->m.open = true;
    s->paths_ok = true;
    sim_check(s);
    return 0;
}

/* Run what is left so no posted event holds a reference at free time. */
static void
run_all(struct sim *s)
{
    for (unsigned i = 0;
         s->loop && i < SIM_DRAIN_MAX && zv_loop_run_once(s->loop, 0); i++)
        ;
}

static void
check_no_leak(struct sim *s)
{
    struct zv_vfio_ccw_counters c;

    if (!s->vd || zv_vfio_ccw_counters(s->vd, &c))
        return;
    if (c.cp_live || c.cp_translated != c.cp_freed)
        sim_fail(s, "leak: %llu programs built, %llu freed, %u live",
                 (unsigned long long)c.cp_translated,
                 (unsigned long long)c.cp_freed, c.cp_live);
    if (s->arena && zv_arena_live(s->arena))
        sim_fail(s, "leak: %zu host program blocks still allocated",
                 zv_arena_live(s->arena));
}

void
sim_fini(struct sim *s)
{
    s->ctx = SIM_CTX_QUIESCE;
    if (s->vd && zv_vdev_is_open(s->vd))
        zv_vdev_close(s->vd);
    run_all(s);
    check_no_leak(s);
    if (s->bus && s->vd)
        zv_mdev_remove(s->bus, SIM_UUID);
    run_all(s);
    if (s->vd)
        zv_vdev_put(s->vd);
    sim_nb_fini(s);
    run_all(s);
    zv_vfio_ccw_free(s->drv);
    run_all(s);
    /* Only the arena's own mapping may be left in host storage: every
     * DMA-window mapping went with its device. */
    if (s->canary) {
        char why[128];

        sim_check_memory(s);
        if (!s->failed && zv_canary_check(s->canary, why, sizeof(why)))
            sim_fail(s, "host storage outside every grant: %s", why);
        zv_canary_free(s->canary);
        s->canary = NULL;
    }
    if (s->storage && s->arena && zv_as_count(s->storage) != 1)
        sim_fail(s, "leak: %zu mappings left in host storage",
                 zv_as_count(s->storage));
    zv_mdev_bus_free(s->bus);
    if (s->sch)
        css_sch_put(s->sch);
    sim_nb_put_sch(s);
    css_free(s->css);
    run_all(s);
    sim_nb_free(s);
    testdev_free(s->td);
    zv_arena_free(s->arena);
    zv_as_free(s->storage);
    if (s->loop) {
        s->trace_hash = zv_loop_trace_hash(s->loop);
        s->trace_count = zv_loop_trace_count(s->loop);
    }
    zv_loop_free(s->loop);
    free(s->mem);
    free(s->freed);
    s->ctx = SIM_CTX_NONE;
}

int
sim_run_once(struct sim *s)
{
    int ran;

    s->ctx = SIM_CTX_LOOP;
    ran = zv_loop_run_once(s->loop, 0);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
    return ran;
}

void
sim_drain(struct sim *s)
{
    for (unsigned i = 0; i < SIM_DRAIN_MAX && !s->failed; i++) {
        if (testdev_holding(s->td))
            sim_release(s, DEV_STAT_CHN_END | DEV_STAT_DEV_END, 0);
        if (!sim_run_once(s) && !testdev_holding(s->td))
            return;
    }
    if (!s->failed)
        sim_fail(s, "the loop did not drain in %u events", SIM_DRAIN_MAX);
}

bool
sim_host_idle(struct sim *s)
{
    struct schib schib;

    if (css_sch_gone(s->sch) || css_sch_stsch(s->sch, &schib).cc != ZV_CC0)
        return true;
    return !schib.scsw.fctl && !(schib.scsw.stctl & SCSW_STCTL_PENDING);
}

/* ---- guest operations ---- */

static int
write_rc(ssize_t n, size_t len)
{
    return n == (ssize_t)len ? 0 : (n < 0 ? (int)n : -EIO);
}

int
sim_issue(struct sim *s, const struct orb *orb)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    ssize_t n;

    orb_encode(orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    s->ctx = SIM_CTX_SSCH;
    n = zv_vdev_region_write(s->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                             sizeof(region));
    s->ctx = SIM_CTX_NONE;
    return write_rc(n, sizeof(region));
}

static int
async_cmd(struct sim *s, uint32_t cmd)
{
    uint8_t region[ZV_CCW_CMD_REGION_SIZE] = {0};
    ssize_t n;

    zv_put_be32(region + ZV_CCW_CMD_COMMAND_OFF, cmd);
    s->ctx = SIM_CTX_OTHER;
    n = zv_vdev_region_write(s->vd, 1, 0, region, sizeof(region));
    s->ctx = SIM_CTX_NONE;
    return write_rc(n, sizeof(region));
}

int
sim_hsch(struct sim *s)
{
    int rc;

    zv_trace(s->loop, "sim: guest hsch");
    rc = async_cmd(s, ZV_VFIO_CCW_ASYNC_CMD_HSCH);
    sim_model_hsch(s, rc);
    sim_check(s);
    return rc;
}

int
sim_csch(struct sim *s)
{
    int rc;

    zv_trace(s->loop, "sim: guest csch");
    rc = async_cmd(s, ZV_VFIO_CCW_ASYNC_CMD_CSCH);
    sim_model_csch(s, rc);
    sim_check(s);
    return rc;
}

int
sim_read_irb(struct sim *s, struct irb *out)
{
    uint8_t area[ZV_CCW_IO_IRB_SIZE];
    struct irb irb;
    ssize_t n;

    s->ctx = SIM_CTX_OTHER;
    n = zv_vdev_region_read(s->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX,
                            ZV_CCW_IO_IRB_OFF, area, sizeof(area));
    s->ctx = SIM_CTX_NONE;
    if (n != (ssize_t)sizeof(area)) {
        sim_model_read_error(s, write_rc(n, sizeof(area)));
        sim_check(s);
        return write_rc(n, sizeof(area));
    }
    s->io_irqs_at_read = s->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
    irb_decode(&irb, area);
    zv_trace(s->loop,
             "sim: guest read irb fc %x ac %x sc %x cpa %08x ds %02x "
             "cs %02x",
             irb.scsw.fctl, irb.scsw.actl, irb.scsw.stctl, irb.scsw.cpa,
             irb.scsw.dstat, irb.scsw.cstat);
    if (out)
        *out = irb;
    sim_model_irb(s, &irb);
    sim_check(s);
    return irb.scsw.stctl ? 1 : 0;
}

int
sim_read_crw(struct sim *s)
{
    uint8_t region[ZV_CCW_CRW_REGION_SIZE];
    ssize_t n;

    s->ctx = SIM_CTX_OTHER;
    n = zv_vdev_region_read(s->vd, 3, 0, region, sizeof(region));
    s->ctx = SIM_CTX_NONE;
    if (n != (ssize_t)sizeof(region)) {
        sim_model_read_error(s, write_rc(n, sizeof(region)));
        return write_rc(n, sizeof(region));
    }
    zv_trace(s->loop, "sim: guest read crw %08x",
             zv_be32(region + ZV_CCW_CRW_CRW_OFF));
    sim_model_crw(s, zv_be32(region + ZV_CCW_CRW_CRW_OFF));
    sim_check(s);
    return 0;
}

int
sim_read_schib(struct sim *s)
{
    uint8_t region[ZV_CCW_SCHIB_REGION_SIZE];
    struct schib schib;
    ssize_t n;

    s->ctx = SIM_CTX_OTHER;
    n = zv_vdev_region_read(s->vd, 2, 0, region, sizeof(region));
    s->ctx = SIM_CTX_NONE;
    if (n != (ssize_t)sizeof(region)) {
        sim_model_read_error(s, write_rc(n, sizeof(region)));
        return write_rc(n, sizeof(region));
    }
    schib_decode(&schib, region);
    zv_trace(s->loop, "sim: guest read schib pam %02x pom %02x cpa %08x",
             schib.pmcw.pam, schib.pmcw.pom, schib.scsw.cpa);
    sim_model_schib(s, &schib);
    sim_check(s);
    return 0;
}

int
sim_reset(struct sim *s)
{
    int rc;

    zv_trace(s->loop, "sim: guest reset");
    s->ctx = SIM_CTX_QUIESCE;
    rc = zv_vdev_reset(s->vd);
    s->ctx = SIM_CTX_NONE;
    sim_model_reset_op(s, rc);
    sim_check(s);
    return rc;
}

int
sim_close(struct sim *s)
{
    zv_trace(s->loop, "sim: guest close");
    s->ctx = SIM_CTX_QUIESCE;
    zv_vdev_close(s->vd);
    s->ctx = SIM_CTX_NONE;
    sim_model_close(s);
    sim_check(s);
    return 0;
}

int
sim_open(struct sim *s)
{
    int rc;

    zv_trace(s->loop, "sim: guest open");
    s->ctx = SIM_CTX_OTHER;
    rc = open_device(s);
    s->ctx = SIM_CTX_NONE;
    sim_model_open(s, rc);
    sim_check(s);
    return rc;
}

int
sim_dma_unmap(struct sim *s, unsigned c)
{
    struct zv_vfio_ccw_counters before;
    uint64_t quiesced = s->quiesce_frees;
    int rc;

    zv_trace(s->loop, "sim: guest dma unmap chunk %u", c);
    s->m.disturbed = true;
    if (zv_vfio_ccw_counters(s->vd, &before))
        memset(&before, 0, sizeof(before));
    s->ctx = SIM_CTX_QUIESCE;
    rc = zv_vdev_dma_unmap(s->vd, SIM_GUEST_IOVA + c * SIM_CHUNK_SIZE,
                           SIM_CHUNK_SIZE);
    s->ctx = SIM_CTX_NONE;
    if (!rc) {
        s->mapped[c] = false;
        /* Nobody may touch it now: fill it with the canary. */
        sim_canary_fill(s->guest + c * SIM_CHUNK_SIZE, SIM_CHUNK_SIZE);
    }
    sim_model_unmap(s, c, rc, before.cp_live != 0,
                    s->quiesce_frees != quiesced);
    sim_check(s);
    return rc;
}

int
sim_dma_map(struct sim *s, unsigned c)
{
    int rc;

    zv_trace(s->loop, "sim: guest dma map chunk %u", c);
    sim_check_memory(s); /* before the canary goes */
    memset(s->guest + c * SIM_CHUNK_SIZE, 0, SIM_CHUNK_SIZE);
    if (c == SIM_RO_CHUNK)
        sim_ro_fill(s);
    if (c == 0)
        sim_canary_fill(s->guest, SIM_PAGE);
    s->ctx = SIM_CTX_OTHER;
    rc = map_chunk(s, c);
    s->ctx = SIM_CTX_NONE;
    if (rc)
        sim_canary_fill(s->guest + c * SIM_CHUNK_SIZE, SIM_CHUNK_SIZE);
    if (rc && !(s->m.lost && rc == -ENODEV))
        sim_fail(s, "dma map of chunk %u failed: %d", c, rc);
    sim_check(s);
    return rc;
}

/* ---- host events ---- */

void
sim_unsolicited(struct sim *s, uint8_t dstat)
{
    struct schib schib;
    bool fresh = false;

    /* The host makes new alert status only on an enabled, idle subchannel
     * without status (css-pop.md §3); otherwise it drops or merges it. */
    if (!css_sch_gone(s->sch) && css_sch_stsch(s->sch, &schib).cc == ZV_CC0)
        fresh = schib.pmcw.ena && !schib.scsw.fctl && !schib.scsw.actl &&
                !(schib.scsw.stctl & SCSW_STCTL_PENDING);
    zv_trace(s->loop, "sim: host unsolicited ds %02x%s", dstat,
             fresh ? "" : " (host drops or merges it)");
    s->ctx = SIM_CTX_OTHER;
    s->m.disturbed = true;
    testdev_unsolicited(s->td, dstat);
    s->ctx = SIM_CTX_NONE;
    /* Presented to a closed device, it may still be pending at the host
     * when the device opens again: it may then be delivered. */
    if (fresh && s->m.open && !s->m.lost)
        s->m.unsol_must++;
    else if (fresh && !s->m.lost)
        s->m.unsol_may++;
    sim_check(s);
}

int
sim_release(struct sim *s, uint8_t dstat, uint64_t latency)
{
    int rc;

    zv_trace(s->loop, "sim: host releases held command ds %02x", dstat);
    s->ctx = SIM_CTX_OTHER;
    rc = testdev_release(s->td, dstat, latency);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
    return rc;
}

static void
path_event(struct sim *s, const char *what, uint8_t chpid, bool on)
{
    zv_trace(s->loop, "sim: host %s chp %02x %s", what, chpid,
             on ? "on" : "off");
    /* The driver hears of it from a later loop event, maybe after a
     * reopen: every event counts toward the CRWs the guest may see. */
    s->m.crw_events++;
}

void
sim_path_failed(struct sim *s, uint8_t chpid, bool failed)
{
    path_event(s, "path-failed", chpid, !failed);
    if (failed)
        s->paths_ok = false;
    s->m.disturbed = true;
    s->ctx = SIM_CTX_OTHER;
    css_chp_set_failed(s->css, chpid, failed);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
}

void
sim_path_configure(struct sim *s, uint8_t chpid, bool on)
{
    path_event(s, "configure", chpid, on);
    if (!on)
        s->paths_ok = false;
    s->m.disturbed = true;
    s->ctx = SIM_CTX_OTHER;
    css_chp_configure(s->css, chpid, on);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
}

void
sim_path_vary(struct sim *s, uint8_t chpid, bool on)
{
    path_event(s, "vary", chpid, on);
    if (!on)
        s->paths_ok = false;
    s->m.disturbed = true;
    s->ctx = SIM_CTX_OTHER;
    css_chp_vary(s->css, chpid, on);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
}

void
sim_restore_paths(struct sim *s)
{
    static const uint8_t chpids[2] = {SIM_CHPID0, SIM_CHPID1};

    for (unsigned i = 0; i < 2; i++) {
        sim_path_failed(s, chpids[i], false);
        sim_path_configure(s, chpids[i], true);
        sim_path_vary(s, chpids[i], true);
    }
    s->paths_ok = true;
}

void
sim_lose_device(struct sim *s)
{
    zv_trace(s->loop, "sim: host loses the device");
    s->m.lost = true;
    s->paths_ok = false;
    s->m.disturbed = true;
    s->ctx = SIM_CTX_OTHER;
    css_sch_undefine(s->css, s->sch);
    s->ctx = SIM_CTX_NONE;
    sim_check(s);
}

static void
lose_hook(void *arg, struct testdev *td)
{
    struct sim *s = arg;

    zv_trace(s->loop, "sim: host loses the device under a command");
    s->m.lost = true;
    s->paths_ok = false;
    s->m.disturbed = true;
    css_sch_undefine(s->css, s->sch);
}

void
sim_lose_device_later(struct sim *s, unsigned n)
{
    zv_trace(s->loop, "sim: host loses the device at command %u from now", n);
    testdev_set_hook(s->td, n, lose_hook, s);
}

/*
 * The administrator removes the mdev while the guest has it open (the
 * client is asked to let go with the REQ IRQ, vfio-ccw.md §6.3), then
 * creates it again with the same UUID and the VMM opens it and maps its
 * memory anew: a new device, whose programs are numbered from 1 again.
 */
int
sim_replug(struct sim *s)
{
    struct zv_mdev_parent *parent;
    struct zv_vdev *vd = NULL;
    int rc;

    if (s->m.lost)
        return -ENODEV; /* the parent went with the subchannel */
    zv_trace(s->loop, "sim: admin removes the mdev and creates it again");
    s->ctx = SIM_CTX_QUIESCE;
    rc = zv_mdev_remove(s->bus, SIM_UUID);
    s->ctx = SIM_CTX_NONE;
    if (rc) {
        sim_fail(s, "mdev remove failed: %d", rc);
        return rc;
    }
    if (zv_vdev_is_open(s->vd))
        zv_vdev_close(s->vd);
    zv_vdev_put(s->vd);
    s->vd = NULL;
    sim_model_close(s);
    parent = zv_vfio_ccw_parent(s->drv, s->sch);
    rc = parent ? zv_mdev_create(parent, ZV_VFIO_CCW_TYPE_ID, SIM_UUID, &vd)
                : -ENODEV;
    if (rc) {
        sim_fail(s, "mdev create after remove failed: %d", rc);
        return rc;
    }
    zv_vdev_get(vd);
    s->vd = vd;
    if (s->freed)
        memset(s->freed, 0, s->freed_cap);
    s->ctx = SIM_CTX_OTHER;
    for (unsigned c = 0; !rc && c < SIM_CHUNKS; c++)
        if (s->mapped[c])
            rc = map_chunk(s, c);
    if (rc)
        sim_fail(s, "dma map after re-create failed: %d", rc);
    else
        rc = open_device(s);
    s->ctx = SIM_CTX_NONE;
    sim_model_open(s, rc);
    sim_check(s);
    return rc;
}
