/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: the random walk of one seed.  Each step is one loop event or
 * one guest operation or host event, drawn with zv_loop_rand; at the end
 * the world is brought to rest (paths back, maps back, held commands
 * released, all status read) and must be quiescent, must still run a
 * program, and must tear down without leaking.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static uint64_t
rnd(struct sim *s, uint64_t n)
{
    return zv_loop_rand_below(s->loop, n);
}

static const uint8_t release_status[] = {
    DEV_STAT_CHN_END | DEV_STAT_DEV_END,
    DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK,
    DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_EXCEP,
    DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_STAT_MOD,
};

static void
dma_op(struct sim *s)
{
    unsigned c = 1 + (unsigned)rnd(s, SIM_CHUNKS - 1);

    if (s->mapped[c])
        sim_dma_unmap(s, c);
    else
        sim_dma_map(s, c);
}

static void
path_op(struct sim *s)
{
    uint8_t chpid = rnd(s, 2) ? SIM_CHPID0 : SIM_CHPID1;
    bool on = rnd(s, 2);

    switch (rnd(s, 4)) {
    case 0:
        sim_path_failed(s, chpid, !on);
        break;
    case 1:
        sim_path_configure(s, chpid, on);
        break;
    case 2:
        sim_path_vary(s, chpid, on);
        break;
    default:
        /* The path fails while a later command runs on it. */
        zv_trace(s->loop, "sim: host path %02x fails at a later command",
                 chpid);
        s->paths_ok = false;
        s->m.disturbed = true;
        s->m.crw_events++;
        testdev_fail_path_after(s->td, 1 + (unsigned)rnd(s, 3), s->css, chpid);
        break;
    }
}

static void
host_op(struct sim *s)
{
    switch (rnd(s, 8)) {
    case 0:
    case 1:
        if (testdev_holding(s->td)) {
            uint8_t dstat = release_status[rnd(s, sizeof(release_status))];

            sim_release(s, dstat, rnd(s, 20) * ZV_NSEC_PER_USEC);
        }
        break;
    case 2:
        sim_unsolicited(s, rnd(s, 2) ? DEV_STAT_ATTENTION : DEV_STAT_DEV_END);
        break;
    case 3:
    case 4:
        path_op(s);
        break;
    case 5:
        zv_trace(s->loop, "sim: host device busy at the next selection");
        testdev_busy_next(s->td, 1);
        s->m.disturbed = true;
        s->m.busy_armed++;
        break;
    case 6: {
        uint64_t lo = rnd(s, 100) * ZV_NSEC_PER_USEC;

        zv_trace(s->loop, "sim: host latency %llu..+%llu",
                 (unsigned long long)lo, (unsigned long long)lo);
        testdev_set_default_latency(s->td, lo, 2 * lo);
        break;
    }
    default:
        if (rnd(s, 40))
            break;
        if (rnd(s, 2))
            sim_lose_device(s);
        else
            sim_lose_device_later(s, 1 + (unsigned)rnd(s, 3));
        break;
    }
}

static void
guest_op(struct sim *s)
{
    uint64_t r = rnd(s, 100);

    if (!s->m.lost && !s->m.open && rnd(s, 2)) {
        sim_open(s);
        return;
    }
    /* Like QEMU, mostly read when the IO IRQ fired. */
    if (s->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] != s->io_irqs_at_read && rnd(s, 2)) {
        sim_read_irb(s, NULL);
        return;
    }
    if (r < 35)
        sim_ssch_random(s, 0);
    else if (r < 45)
        sim_ssch_random(s, 1 + (unsigned)rnd(s, sim_hostile_kinds()));
    else if (r < 52)
        sim_hsch(s);
    else if (r < 57)
        sim_csch(s);
    else if (r < 82)
        sim_read_irb(s, NULL);
    else if (r < 86)
        sim_read_crw(s);
    else if (r < 88)
        sim_read_schib(s);
    else if (r < 94)
        dma_op(s);
    else if (r < 96)
        sim_reset(s);
    else if (r < 97 && !rnd(s, 4))
        sim_replug(s);
    else if (s->m.open)
        sim_close(s);
    else
        sim_open(s);
}

static void
walk_step(struct sim *s)
{
    uint64_t r = rnd(s, 100);

    if (!rnd(s, 8)) {
        sim_nb_step(s);
        return;
    }
    if (r < 45 && sim_run_once(s))
        return;
    if (r < 90)
        guest_op(s);
    else
        host_op(s);
}

static void
read_all(struct sim *s)
{
    for (unsigned i = 0; i < 64 && !s->failed; i++)
        if (sim_read_irb(s, NULL) <= 0)
            return;
}

/* Bring the world to rest and prove the device still works. */
static void
finish(struct sim *s)
{
    int rc;

    zv_trace(s->loop, "sim: finish");
    testdev_set_hook(s->td, 0, NULL, NULL);
    if (s->m.lost) {
        sim_restore_paths(s);
        sim_drain(s);
        sim_nb_finish(s);
        return;
    }
    if (!s->m.open) {
        sim_drain(s); /* an earlier instance's quiesce ends first */
        sim_open(s);
        if (!s->m.open)
            sim_fail(s, "at rest the device cannot be opened");
    }
    sim_restore_paths(s);
    for (unsigned c = 0; c < SIM_CHUNKS; c++)
        if (!s->mapped[c])
            sim_dma_map(s, c);
    sim_drain(s);
    sim_check_signalled(s);
    read_all(s);
    sim_drain(s);
    sim_nb_finish(s);
    sim_check_quiescent(s);
    if (s->failed)
        return;
    rc = sim_ssch_simple(s, CCW_CMD_NOOP, false);
    if (rc)
        sim_fail(s, "at rest the device refused a NOP program: %d", rc);
    sim_drain(s);
    read_all(s);
    sim_check_quiescent(s);
}

void
sim_walk(uint64_t seed, unsigned steps, FILE *trace, struct sim_result *res)
{
    struct sim *s = calloc(1, sizeof(*s));

    memset(res, 0, sizeof(*res));
    if (!s) {
        res->failed = true;
        snprintf(res->why, sizeof(res->why), "out of memory");
        return;
    }
    if (sim_init(s, seed, trace)) {
        sim_fail(s, "could not build the world");
    } else {
        for (s->step = 1; s->step <= steps && !s->failed; s->step++)
            walk_step(s);
        if (!s->failed)
            finish(s);
    }
    res->steps = s->step;
    sim_fini(s);
    res->trace_hash = s->trace_hash;
    res->trace_count = s->trace_count;
    res->failed = s->failed;
    res->fail_step = s->fail_step;
    memcpy(res->why, s->why, sizeof(res->why));
    for (unsigned i = 0; s->failed && i < SIM_TAIL_LINES; i++) {
        const char *line = s->tail[(s->tail_next + i) % SIM_TAIL_LINES];

        if (*line)
            memcpy(res->tail[res->tail_lines++], line, SIM_TAIL_WIDTH);
    }
    free(s);
}
