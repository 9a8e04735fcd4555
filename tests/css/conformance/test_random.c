/* SPDX-License-Identifier: MIT */
/*
 * Random instruction streams: for each seed, a few hundred instructions,
 * path changes and loop steps drawn from the loop's seeded PRNG, with the
 * subchannel-side invariants (css_check_invariants) checked after every
 * one, and the architected consequences of each cc 0 checked on the spot.
 * A failing seed prints itself and replays exactly.
 *
 * ZV_CSS_SEEDS sets the number of seeds (default 1000); ZV_CSS_SEED=n
 * replays seed n alone with the loop trace and every step on stderr.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "css/sub_priv.h"

#define STEPS   300
#define NSCH    H_NSCH
#define PROG_SZ 0x100u
#define DATA_SZ 0x100u

/* cc seen per instruction over all seeds: proves the streams reach the
 * interesting states instead of bouncing off cc 3. */
enum { R_SSCH, R_TSCH, R_RSCH, R_HSCH, R_CSCH, R_XSCH, R_N };
static unsigned seen[R_N][4];

struct rnd {
    struct h *h;
    uint64_t seed;
    unsigned step;
    const char *op;
    unsigned no;
};

static uint64_t
pick(struct rnd *r, uint64_t n)
{
    return zv_loop_rand_below(r->h->loop, n);
}

static bool verbose;

static void
trace_line(void *arg, uint64_t now, const char *line)
{
    fprintf(stderr, "%10llu %s\n", (unsigned long long)now, line);
}

static void
check(struct rnd *r)
{
    const char *why = css_check_invariants(r->h->css);

    if (why) {
        print_message("seed %llu step %u after %s: %s\n",
                      (unsigned long long)r->seed, r->step, r->op, why);
        fail();
    }
}

static void
expect_no_pic(struct rnd *r, struct zv_insn_rc rc)
{
    if (rc.pic != ZV_PIC_NONE) {
        print_message("seed %llu step %u: %s took program interruption "
                      "%d\n",
                      (unsigned long long)r->seed, r->step, r->op, rc.pic);
        fail();
    }
}

/* Write one of a few programs for subchannel no; returns its CPA. */
static uint32_t
put_program(struct rnd *r, unsigned no, struct orb *o)
{
    struct h *h = r->h;
    uint64_t cpa = H_CCW + PROG_SZ * no;
    uint32_t data = (uint32_t)(H_DATA + DATA_SZ * no);

    switch (pick(r, 6)) {
    case 0:
        h_put_ccw(h, cpa, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
        break;
    case 1: /* PCI, then a second command */
        h_put_ccw(h, cpa, CCW_CMD_NOOP, CCW_FLAG_PCI | CCW_FLAG_CC, 0, 0);
        h_put_ccw(h, cpa + 8, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
        break;
    case 2: /* suspends at the second CCW when the ORB allows it */
        h_put_ccw(h, cpa, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
        h_put_ccw(h, cpa + 8, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
        o->spnd = true;
        o->ssic = pick(r, 2);
        break;
    case 3:
        h_put_ccw(h, cpa, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 16, data);
        break;
    case 4:
        h_put_ccw(h, cpa, 0x01, 0, 64, data);
        break;
    default: /* invalid command code: channel-program check */
        h_put_ccw(h, cpa, 0x00, 0, 8, data);
        break;
    }
    return (uint32_t)cpa;
}

static void
op_ssch(struct rnd *r, unsigned no)
{
    static const uint8_t lpms[] = {0xFF, 0x80, 0x40, 0x3F};
    struct orb o;
    struct zv_insn_rc rc;

    h_orb_default(&o);
    o.lpm = lpms[pick(r, sizeof(lpms))];
    o.isic = pick(r, 4) == 0;
    o.cpa = put_program(r, no, &o);
    r->op = "SSCH";
    rc = h_ssch_orb(r->h, no, &o);
    expect_no_pic(r, rc);
    seen[R_SSCH][rc.cc]++;
    if (rc.cc == ZV_CC0) {
        struct schib s;

        assert_cc(css_sch_stsch(r->h->sch[no], &s), ZV_CC0);
        assert_true(s.scsw.fctl & SCSW_FCTL_START);
        assert_int_equal(s.pmcw.intparm, o.intparm);
    }
}

static void
op_tsch(struct rnd *r, unsigned no)
{
    struct schib before = {0};
    struct irb irb;
    struct zv_insn_rc rc;

    r->op = "TSCH";
    if (r->h->sch[no])
        css_sch_stsch(r->h->sch[no], &before);
    else
        memset(&before, 0, sizeof(before));
    rc = h_tsch(r->h, no, &irb);
    expect_no_pic(r, rc);
    seen[R_TSCH][rc.cc]++;
    if (rc.cc == ZV_CC0)
        assert_true(irb.scsw.stctl & SCSW_STCTL_PENDING);
    if (rc.cc == ZV_CC1)
        assert_false(before.scsw.stctl & SCSW_STCTL_PENDING);
}

static void
op_msch(struct rnd *r, unsigned no)
{
    struct schib s;

    r->op = "MSCH";
    if (css_insn_stsch(r->h->css, h_gr1(no), H_SCHIB).cc != ZV_CC0)
        return;
    schib_decode(&s, r->h->mem + H_SCHIB);
    s.pmcw.ena = pick(r, 5) != 0;
    s.pmcw.isc = (uint8_t)pick(r, 8);
    expect_no_pic(r, h_msch(r->h, no, &s));
}

static void
op_function(struct rnd *r, unsigned no, unsigned which)
{
    static const char *const names[] = {"RSCH", "HSCH", "CSCH", "XSCH"};
    uint32_t gr1 = h_gr1(no);
    struct css *css = r->h->css;
    struct zv_insn_rc rc;

    r->op = names[which];
    switch (which) {
    case 0:
        rc = css_insn_rsch(css, gr1);
        break;
    case 1:
        rc = css_insn_hsch(css, gr1);
        break;
    case 2:
        rc = css_insn_csch(css, gr1);
        break;
    default:
        rc = css_insn_xsch(css, gr1);
        break;
    }
    expect_no_pic(r, rc);
    seen[R_RSCH + which][rc.cc]++;
}

static void
op_path(struct rnd *r)
{
    uint8_t chpid = pick(r, 2) ? H_CHP0 : H_CHP1;
    bool on = pick(r, 3) != 0;

    switch (pick(r, 4)) {
    case 0:
        r->op = "configure";
        assert_int_equal(css_chp_configure(r->h->css, chpid, on), 0);
        break;
    case 1:
        r->op = "vary";
        assert_int_equal(css_chp_vary(r->h->css, chpid, on), 0);
        break;
    case 2:
        r->op = "set_failed";
        assert_int_equal(css_chp_set_failed(r->h->css, chpid, !on), 0);
        break;
    default:
        r->op = "RCHP";
        expect_no_pic(r, css_insn_rchp(r->h->css, chpid));
        break;
    }
}

static void
op_misc(struct rnd *r)
{
    struct crw crw;

    switch (pick(r, 3)) {
    case 0:
        r->op = "TPI";
        expect_no_pic(r, css_insn_tpi(r->h->css, pick(r, 2) ? H_TPI : 0));
        break;
    case 1:
        r->op = "STCRW";
        expect_no_pic(r, css_insn_stcrw(r->h->css, H_CRW));
        crw_decode(&crw, r->h->mem + H_CRW);
        break;
    default:
        r->op = "STSCH";
        expect_no_pic(r, css_insn_stsch(r->h->css, h_gr1(pick(r, 6)), H_SCHIB));
        break;
    }
}

/* A driver whose callbacks check they are only called while bound. */
static const struct css_driver rdrv;
static struct rnd *cur;
static unsigned drv_irqs, drv_events;

static void
rd_check_bound(struct subchannel *sch, bool gone_ok)
{
    if (css_sch_drvdata(sch) != cur || css_sch_driver(sch) != &rdrv ||
        (!gone_ok && css_sch_gone(sch))) {
        print_message("seed %llu step %u: callback to an unbound driver\n",
                      (unsigned long long)cur->seed, cur->step);
        fail();
    }
}

static int
rd_probe(struct subchannel *sch)
{
    css_sch_set_drvdata(sch, cur);
    return 0;
}

static void
rd_remove(struct subchannel *sch)
{
    assert_ptr_equal(css_sch_drvdata(sch), cur);
}

static void
rd_irq(struct subchannel *sch, const struct irb *irb)
{
    struct orb o;

    rd_check_bound(sch, false);
    assert_true(irb->scsw.stctl & SCSW_STCTL_PENDING);
    drv_irqs++;
    /* Sometimes restart from inside the handler (direct form). */
    if (pick(cur, 4) == 0) {
        h_orb_default(&o);
        o.cpa = H_CCW + PROG_SZ * css_sch_no(sch);
        h_put_ccw(cur->h, o.cpa, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
        css_sch_ssch(sch, &o);
    }
}

static void
rd_sch_event(struct subchannel *sch, enum css_sch_event ev)
{
    /* GONE comes after the subchannel went, before remove(). */
    rd_check_bound(sch, ev == CSS_SCH_GONE);
    drv_events++;
}

static void
rd_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
             enum css_chp_event ev)
{
    rd_check_bound(sch, false);
    assert_int_not_equal(mask, 0);
    drv_events++;
}

static const struct css_driver rdrv = {
    .name = "random",
    .probe = rd_probe,
    .remove = rd_remove,
    .irq = rd_irq,
    .sch_event = rd_sch_event,
    .chp_event = rd_chp_event,
};

static void
op_driver(struct rnd *r, unsigned no)
{
    struct subchannel *sch = r->h->sch[no];

    if (!sch)
        return;
    if (css_sch_driver(sch)) {
        r->op = "unbind";
        css_sch_unbind(sch);
    } else {
        r->op = "bind";
        assert_int_equal(css_sch_bind(sch, &rdrv), 0);
    }
}

/* Subchannel 3 comes and goes (hot plug), its device stays. */
static void
op_hotplug(struct rnd *r)
{
    struct h *h = r->h;
    struct css_sch_desc d = {.sch_no = 3,
                             .devno = H_DEVNO + 3,
                             .pim = 0xC0,
                             .chpid = {H_CHP0, H_CHP1}};

    if (h->sch[3]) {
        r->op = "undefine";
        assert_int_equal(css_sch_undefine(h->css, h->sch[3]), 0);
        h->sch[3] = NULL;
    } else {
        r->op = "define";
        assert_int_equal(
            css_sch_define(h->css, &d, &h->dev[3].dev, true, &h->sch[3]), 0);
    }
}

static void
op_unsolicited(struct rnd *r, unsigned no)
{
    r->op = "unsolicited";
    css_dev_unsolicited(&r->h->dev[no].dev, DEV_STAT_ATTENTION);
}

static void
op_loop(struct rnd *r)
{
    if (pick(r, 2)) {
        r->op = "run_once";
        zv_loop_run_once(r->h->loop, 0);
    } else {
        r->op = "run_for";
        h_run_for(r->h, pick(r, 5000));
    }
}

static void
step(struct rnd *r)
{
    unsigned no = (unsigned)pick(r, NSCH);
    unsigned k = (unsigned)pick(r, 100);

    r->no = no;
    if (k < 20)
        op_ssch(r, no);
    else if (k < 30)
        op_tsch(r, no);
    else if (k < 38)
        op_msch(r, no);
    else if (k < 54)
        op_function(r, no, (unsigned)pick(r, 4));
    else if (k < 60)
        op_path(r);
    else if (k < 68)
        op_misc(r);
    else if (k < 71)
        op_driver(r, no);
    else if (k < 72)
        op_hotplug(r);
    else if (k < 74)
        op_unsolicited(r, no);
    else
        op_loop(r);
}

/* Quiesce: run everything, then TSCH until nothing is pending. */
static void
drain(struct rnd *r)
{
    struct irb irb;

    r->op = "drain";
    for (unsigned chp = 0; chp < 2; chp++) {
        css_chp_set_failed(r->h->css, H_CHP0 + chp, false);
        css_chp_configure(r->h->css, H_CHP0 + chp, true);
    }
    for (unsigned round = 0; round < 8; round++) {
        h_run(r->h);
        for (unsigned no = 0; no < NSCH; no++) {
            css_insn_csch(r->h->css, h_gr1(no));
            h_run(r->h);
            h_tsch(r->h, no, &irb);
        }
        check(r);
    }
    for (unsigned no = 0; no < NSCH; no++) {
        struct schib s;

        if (!r->h->sch[no])
            continue;
        assert_cc(css_sch_stsch(r->h->sch[no], &s), ZV_CC0);
        assert_int_equal(s.scsw.stctl, 0);
    }
}

static void
run_seed(uint64_t seed)
{
    void *state = NULL;
    struct rnd r = {.seed = seed};
    struct css_config cfg = {.concurrent_sense = true};

    assert_int_equal(h_setup_seeded(&state, &cfg, seed + 1), 0);
    r.h = state;
    cur = &r;
    for (unsigned no = 0; no < NSCH; no++)
        r.h->dev[no].latency = pick(&r, 3000);
    if (verbose)
        zv_loop_set_trace_sink(r.h->loop, trace_line, NULL);
    for (r.step = 0; r.step < STEPS; r.step++) {
        step(&r);
        if (verbose)
            fprintf(stderr, "step %u: %s (0.0.%04x) -> %s\n", r.step, r.op,
                    r.no, css_check_invariants(r.h->css) ? "BROKEN" : "ok");
        check(&r);
    }
    drain(&r);
    h_teardown(&state);
}

static void
random_instruction_streams_keep_invariants(void **state)
{
    const char *env = getenv("ZV_CSS_SEEDS");
    const char *one = getenv("ZV_CSS_SEED");
    unsigned seeds = env ? (unsigned)strtoul(env, NULL, 0) : 1000;

    static const char *const names[R_N] = {"SSCH", "TSCH", "RSCH",
                                           "HSCH", "CSCH", "XSCH"};

    if (one) {
        verbose = true;
        run_seed(strtoull(one, NULL, 0));
        return;
    }
    for (unsigned s = 0; s < seeds; s++)
        run_seed(s);
    print_message("driver: %u irqs, %u events\n", drv_irqs, drv_events);
    assert_true(seeds < 50 || (drv_irqs > 0 && drv_events > 0));
    for (unsigned i = 0; i < R_N; i++) {
        print_message("%s: cc0 %u cc1 %u cc2 %u cc3 %u\n", names[i], seen[i][0],
                      seen[i][1], seen[i][2], seen[i][3]);
        /* Every instruction reached cc 0 and at least one busy cc. */
        if (seeds >= 50) {
            assert_true(seen[i][0] > 0);
            assert_true(seen[i][1] + seen[i][2] > 0 || i == R_CSCH);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_instruction_streams_keep_invariants),
    };

    return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
