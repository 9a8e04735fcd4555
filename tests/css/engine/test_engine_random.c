/* SPDX-License-Identifier: MIT */
/*
 * Engine: random channel programs (a fuzz-shaped property test).  Bytes
 * from a seeded generator become the ORB, the CCWs, IDAW/MIDAW lists and
 * the device script; the program runs on the virtual loop, is halted or
 * cleared if it is still going after a bound, and must end with
 * consistent status: never a crash or a host-memory overrun (ASan/UBSan
 * builds), never a hang, the subchannel always returns to idle, and a
 * clean NOP runs afterwards.  Each seed is its own case, so a
 * failure names its seed.
 */
#include "eh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A        EH_CCW
#define NPROG    1500
#define MAXEV    200 /* loop events before the test intervenes */
#define PROG_LEN 0x400

static const uint8_t cmds[] = {
    CCW_CMD_NOOP,
    0x02,
    0x01,
    CCW_CMD_BASIC_SENSE,
    CCW_CMD_SENSE_ID,
    CCW_CMD_TIC,
    0x0C,
    0x07,
    0x00,
    0x27,
};

static uint32_t
rand_addr(struct eh_rng *r)
{
    switch (eh_pick(r, 8)) {
    case 0:
        return (uint32_t)eh_rnd(r); /* garbage */
    case 1:
        return EH_HOLE + eh_pick(r, 64);
    case 2:
        return EH_IDAW + 4 * eh_pick(r, 8);
    case 3:
        return EH_MIDAW + 16 * eh_pick(r, 4);
    default:
        return EH_DATA + eh_pick(r, 0x8000);
    }
}

static void
rand_ccw(struct eh *h, struct eh_rng *r, uint64_t at, bool fmt1)
{
    uint8_t cmd = cmds[eh_pick(r, sizeof(cmds))];
    uint8_t flags = (uint8_t)(eh_rnd(r) & eh_rnd(r)); /* sparse flags */
    uint16_t count = (uint16_t)(eh_pick(r, 4) ? eh_pick(r, 300) : eh_rnd(r));
    uint32_t cda = rand_addr(r);

    if (cmd == CCW_CMD_TIC) {
        flags = eh_pick(r, 4) ? 0 : flags;
        count = 0;
        cda = A + 8 * eh_pick(r, PROG_LEN / 8);
    }
    if (fmt1)
        eh_ccw1(h, at, cmd, flags, count, cda & 0x7FFFFFFF);
    else
        eh_ccw0(h, at, cmd, flags, count, cda & 0xFFFFFF);
}

static void
rand_lists(struct eh *h, struct eh_rng *r)
{
    for (unsigned i = 0; i < 8; i++) {
        uint64_t blk = EH_DATA + 0x800 * eh_pick(r, 16);

        eh_idaw1(h, EH_IDAW + 4 * i,
                 eh_pick(r, 6) ? (uint32_t)blk : (uint32_t)eh_rnd(r));
    }
    for (unsigned i = 0; i < 4; i++)
        eh_midaw(h, EH_MIDAW + 16 * i,
                 (uint8_t)(i == 3 || !eh_pick(r, 3) ? MIDAW_FLAG_LAST : 0),
                 (uint16_t)(1 + eh_pick(r, 200)), EH_DATA + 0x1000 * i);
}

static void
rand_orb(struct eh_rng *r, struct orb *o)
{
    uint64_t b = eh_rnd(r);

    eh_orb(o, A);
    o->fmt = b & 1;
    o->pfch = b & 2;
    o->spnd = b & 4;
    o->ssic = b & 8;
    o->isic = b & 16;
    o->c64 = b & 32;
    o->i2k = b & 64;
    o->midaw = b & 128;
    o->ils = b & 256;
}

static void
rand_device(struct eh *h, struct eh_rng *r)
{
    static uint8_t data[512];
    struct testdev_resp resp;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)eh_rnd(r);
    for (unsigned c = 0; c < 4; c++) {
        static const uint8_t codes[] = {0x02, 0x01, 0x0C, 0x07};
        static const uint8_t ds[] = {
            CEDE,
            CEDE,
            CEDE | DEV_STAT_STAT_MOD,
            CEDE | DEV_STAT_UNIT_CHECK,
            CEDE | DEV_STAT_UNIT_EXCEP,
            DEV_STAT_BUSY,
        };

        memset(&resp, 0, sizeof(resp));
        resp.dstat = ds[eh_pick(r, sizeof(ds))];
        resp.data = data;
        resp.len = eh_pick(r, 512);
        resp.latency_ns = eh_pick(r, 3) ? 0 : eh_pick(r, 5000);
        resp.latency_max_ns = resp.latency_ns + eh_pick(r, 2000);
        assert_int_equal(testdev_set_response(h->td, codes[c], &resp), 0);
    }
    testdev_busy_next(h->td, !eh_pick(r, 20));
}

/* Run a bounded number of events; true if the loop went quiet. */
static bool
run_bounded(struct eh *h)
{
    for (unsigned i = 0; i < MAXEV; i++)
        if (!zv_loop_run_once(h->loop, 0))
            return true;
    return false;
}

/* Drive the subchannel back to idle; returns the interruptions taken. */
static unsigned
settle(struct eh *h, struct eh_rng *r)
{
    unsigned taken = 0;

    for (unsigned round = 0; round < 16; round++) {
        bool quiet = run_bounded(h);
        struct schib s;

        while (eh_tsch(h) == 0)
            taken++;
        css_sch_stsch(h->sch, &s);
        if (quiet && s.scsw.fctl == 0)
            return taken;
        if (s.scsw.actl & SCSW_ACTL_SUSPENDED && eh_pick(r, 2))
            css_sch_rsch(h->sch);
        else if (round < 4 && eh_pick(r, 2))
            css_sch_hsch(h->sch);
        else
            css_sch_csch(h->sch);
    }
    fail_msg("subchannel did not settle");
    return taken;
}

static void
one_program(struct eh *h, uint64_t seed)
{
    struct eh_rng r = {seed};
    struct orb o;
    unsigned n = 1 + eh_pick(&r, 12);

    rand_orb(&r, &o);
    for (unsigned i = 0; i < n; i++)
        rand_ccw(h, &r, A + 8 * i, o.fmt);
    if (eh_pick(&r, 2))
        eh_ccw1(h, A + 8 * n, CCW_CMD_TIC, 0, 0, A); /* a loop back */
    rand_lists(h, &r);
    rand_device(h, &r);
    if (eh_pick(&r, 8) == 0)
        eh_modify(h, true, 0xFF);
    if (eh_ssch(h, &o).cc != ZV_CC0)
        fail_msg("ssch refused");
    if (eh_pick(&r, 10) == 0)
        css_chp_set_failed(h->css, eh_pick(&r, 2) ? EH_CHP0 : EH_CHP1, true);
    settle(h, &r);
    css_chp_set_failed(h->css, EH_CHP0, false);
    css_chp_set_failed(h->css, EH_CHP1, false);
    testdev_busy_next(h->td, 0);
    testdev_log_reset(h->td);
    /* A clean NOP must still work afterwards. */
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_start(h, A);
    eh_expect_clean(h, A + 8);
}

/* One cmocka case per seed, named after it, so a failure names its seed;
 * ENGINE_RANDOM_SEED=N runs just that one. */
static void
random_program(void **state)
{
    uint64_t seed = (uint64_t)(uintptr_t)*state;
    void *st;

    eh_setup(&st);
    one_program(st, seed);
    eh_teardown(&st);
}

int
main(void)
{
    static struct CMUnitTest tests[NPROG];
    static char names[NPROG][32];
    const char *only = getenv("ENGINE_RANDOM_SEED");
    size_t n = 0;

    for (uint64_t seed = 1; seed <= NPROG; seed++) {
        if (only && strtoull(only, NULL, 0) != seed)
            continue;
        snprintf(names[n], sizeof(names[n]), "random_program_seed_%llu",
                 (unsigned long long)seed);
        tests[n].name = names[n];
        tests[n].test_func = random_program;
        tests[n].initial_state = (void *)(uintptr_t)seed;
        n++;
    }
    return _cmocka_run_group_tests("engine_random", tests, n, NULL, NULL);
}
