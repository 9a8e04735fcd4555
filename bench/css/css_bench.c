/* SPDX-License-Identifier: MIT */
/*
 * css_bench: the host channel subsystem on the virtual loop.
 *
 *   nop_rt      SSCH -> interruption (TPI) -> TSCH round trips per second,
 *               one-CCW NOP program, architected instructions
 *   nop_drv_rt  the same through the driver model: the irq callback gets
 *               the IRB (its TSCH done by the host handler) and issues the
 *               next SSCH in direct form
 *   chain64_rt  round trips per second of a 64-CCW command chain, each CCW
 *               a 256-byte write through one format-2 IDAW
 *   mem/sch     bytes of heap per defined idle subchannel with 65,536 of
 *               them (malloc accounting; RSS delta printed alongside)
 *
 * Each figure is the median of RUNS runs, timed in thread CPU time.
 * Usage: css_bench [runs]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "css/css.h"
#include "dev/testdev.h"

#define RUNS_DEFAULT 7
#define NOP_ITERS    200000u
#define CHAIN_ITERS  5000u
#define CHAIN_LEN    64u
#define CHAIN_BYTES  256u
#define MEM_NSCH     65536u
#define STORAGE      (4u << 20)

#define A_ORB   0x1000u
#define A_IRB   0x1100u
#define A_TPI   0x1200u
#define A_SCHIB 0x1300u
#define A_CCW   0x2000u
#define A_IDAW  0x3000u
#define A_DATA  0x10000u

struct bench {
    struct zv_loop *loop;
    struct zv_as *as;
    uint8_t *mem;
    struct css *css;
    struct testdev *td;
    struct subchannel *sch;
    unsigned left; /* driver variant: round trips still to do */
    struct orb orb;
};

/*
 * Rates are taken in CPU time of this thread (the virtual loop never
 * waits, and on a shared machine wall time also counts other processes'
 * time slices) and in wall time; both are printed.
 */
struct stamp {
    double cpu, wall;
};

struct rate {
    double cpu, wall;
};

static double
clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct stamp
stamp_now(void)
{
    struct stamp t = {clock_s(CLOCK_THREAD_CPUTIME_ID),
                      clock_s(CLOCK_MONOTONIC)};

    return t;
}

static struct rate
rate_since(struct stamp t0, unsigned n)
{
    struct stamp t1 = stamp_now();
    struct rate r = {n / (t1.cpu - t0.cpu), n / (t1.wall - t0.wall)};

    return r;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what)
{
    fprintf(stderr, "css_bench: %s\n", what);
    exit(1);
}

static void
check(struct zv_insn_rc rc, enum zv_cc cc, const char *what)
{
    if (rc.pic != ZV_PIC_NONE || rc.cc != cc)
        die(what);
}

static void
bench_host(struct bench *b)
{
    struct css_sch_desc d = {
        .st = PMCW_ST_IO, .devno = 0x0100, .pim = 0xC0, .chpid = {0x40, 0x41}};
    struct schib s;

    memset(b, 0, sizeof(*b));
    b->loop = zv_loop_new_virtual(1);
    b->as = zv_as_new("storage");
    b->mem = calloc(1, STORAGE);
    if (!b->loop || !b->as || !b->mem ||
        zv_as_map(b->as, 0, STORAGE, b->mem, ZV_MEM_RW) < 0)
        die("storage");
    b->css = css_new(b->loop, b->as, NULL);
    b->td = testdev_new(b->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    if (!b->css || !b->td || css_chp_define(b->css, 0x40, CHP_TYPE_FICON) ||
        css_chp_define(b->css, 0x41, CHP_TYPE_FICON) ||
        css_sch_define(b->css, &d, testdev_css_dev(b->td), false, &b->sch))
        die("host");
    testdev_set_default_latency(b->td, 0, 0);
    check(css_sch_stsch(b->sch, &s), ZV_CC0, "stsch");
    s.pmcw.ena = true;
    s.pmcw.isc = 3;
    check(css_sch_msch(b->sch, &s), ZV_CC0, "msch");
}

static void
bench_free(struct bench *b)
{
    css_free(b->css);
    testdev_free(b->td);
    zv_as_free(b->as);
    zv_loop_free(b->loop);
    free(b->mem);
}

static void
put_ccw(struct bench *b, uint64_t addr, uint8_t cmd, uint8_t flags,
        uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw1_encode(&c, b->mem + addr);
}

static void
put_orb(struct bench *b, bool c64)
{
    memset(&b->orb, 0, sizeof(b->orb));
    b->orb.intparm = 0x1234;
    b->orb.fmt = true;
    b->orb.pfch = true;
    b->orb.c64 = c64;
    b->orb.lpm = 0xFF;
    b->orb.cpa = A_CCW;
    orb_encode(&b->orb, b->mem + A_ORB);
}

static const uint32_t gr1 = 0x00010000u; /* SID of 0.0.0000 */

/* One architected round trip: SSCH, run, TPI, TSCH. */
static void
round_trip(struct bench *b)
{
    check(css_insn_ssch(b->css, gr1, A_ORB), ZV_CC0, "ssch");
    zv_loop_run(b->loop);
    check(css_insn_tpi(b->css, A_TPI), ZV_CC1, "tpi");
    check(css_insn_tsch(b->css, gr1, A_IRB), ZV_CC0, "tsch");
}

static struct rate
run_round_trips(struct bench *b, unsigned iters)
{
    struct stamp t0 = stamp_now();

    for (unsigned i = 0; i < iters; i++)
        round_trip(b);
    return rate_since(t0, iters);
}

static struct rate
bench_nop(void)
{
    struct bench b;
    struct rate r;

    bench_host(&b);
    put_ccw(&b, A_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    put_orb(&b, false);
    r = run_round_trips(&b, NOP_ITERS);
    bench_free(&b);
    return r;
}

static void
drv_irq(struct subchannel *sch, const struct irb *irb)
{
    struct bench *b = css_sch_drvdata(sch);

    if (irb->scsw.dstat != (DEV_STAT_CHN_END | DEV_STAT_DEV_END))
        die("irq status");
    if (--b->left)
        check(css_sch_ssch(sch, &b->orb), ZV_CC0, "ssch (drv)");
}

static struct rate
bench_nop_drv(void)
{
    static const struct css_driver drv = {.name = "bench", .irq = drv_irq};
    struct bench b;
    struct stamp t0;
    struct rate r;

    bench_host(&b);
    put_ccw(&b, A_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    put_orb(&b, false);
    if (css_sch_bind(b.sch, &drv) < 0)
        die("bind");
    css_sch_set_drvdata(b.sch, &b);
    b.left = NOP_ITERS;
    t0 = stamp_now();
    check(css_sch_ssch(b.sch, &b.orb), ZV_CC0, "ssch (drv)");
    zv_loop_run(b.loop);
    r = rate_since(t0, NOP_ITERS);
    if (b.left)
        die("driver round trips incomplete");
    bench_free(&b);
    return r;
}

/* 64 write CCWs, command-chained, each with IDA: one format-2 IDAW
 * (ORB H = 1) pointing at its 256-byte block. */
static void
put_chain(struct bench *b)
{
    struct testdev_resp wr = {.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END,
                              .len = CHAIN_BYTES};

    for (unsigned i = 0; i < CHAIN_LEN; i++) {
        uint8_t flags = CCW_FLAG_IDA | (i + 1 < CHAIN_LEN ? CCW_FLAG_CC : 0);
        uint64_t idaw = A_IDAW + 8 * i;

        put_ccw(b, A_CCW + 8 * i, 0x01, flags, CHAIN_BYTES, (uint32_t)idaw);
        zv_put_be64(b->mem + idaw, A_DATA + (uint64_t)CHAIN_BYTES * i);
    }
    if (testdev_set_response(b->td, 0x01, &wr) < 0)
        die("testdev");
}

static struct rate
bench_chain(void)
{
    struct bench b;
    struct rate r;

    bench_host(&b);
    put_chain(&b);
    put_orb(&b, true);
    r = run_round_trips(&b, CHAIN_ITERS);
    bench_free(&b);
    return r;
}

static long
rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;

    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(f);
    return rss * 4;
}

/* Heap bytes per defined idle subchannel, set table included: measured
 * from an empty CSS.  The css_dev structs belong to the device model and
 * are allocated before the measurement starts. */
static void
bench_mem(double *per_sch, double *rss_per_sch)
{
    struct zv_loop *loop = zv_loop_new_virtual(1);
    struct zv_as *as = zv_as_new("storage");
    struct css_dev *devs = calloc(MEM_NSCH, sizeof(*devs));
    struct css_sch_desc d = {.st = PMCW_ST_IO, .pim = 0x80, .chpid = {0x40}};
    struct css *css;
    size_t before;
    long rss0;

    if (!loop || !as || !devs)
        die("mem setup");
    css = css_new(loop, as, NULL);
    if (!css || css_chp_define(css, 0x40, CHP_TYPE_FICON) < 0)
        die("mem css");
    before = mallinfo2().uordblks;
    rss0 = rss_kib();
    for (unsigned no = 0; no < MEM_NSCH; no++) {
        d.sch_no = (uint16_t)no;
        d.devno = (uint16_t)no;
        if (css_sch_define(css, &d, &devs[no], false, NULL) < 0)
            die("define");
    }
    *per_sch = (double)(mallinfo2().uordblks - before) / MEM_NSCH;
    *rss_per_sch = (double)(rss_kib() - rss0) * 1024 / MEM_NSCH;
    if (css_sch_count(css) != MEM_NSCH)
        die("count");
    css_free(css);
    zv_as_free(as);
    zv_loop_free(loop);
    free(devs);
}

static void
print_rate(const char *name, double *cpu, double *wall, unsigned runs,
           const char *what)
{
    double c = median(cpu, runs), w = median(wall, runs);

    printf("css %s: %.0f round trips/s CPU time, %.0f wall (%s, median of "
           "%u)\n",
           name, c, w, what, runs);
}

int
main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : RUNS_DEFAULT;
    double nop[2][64], drv[2][64], chain[2][64], mem[64], rss[64];

    if (runs == 0 || runs > 64)
        runs = RUNS_DEFAULT;
    for (unsigned i = 0; i < runs; i++) {
        struct rate r = bench_nop();

        nop[0][i] = r.cpu;
        nop[1][i] = r.wall;
        r = bench_nop_drv();
        drv[0][i] = r.cpu;
        drv[1][i] = r.wall;
        r = bench_chain();
        chain[0][i] = r.cpu;
        chain[1][i] = r.wall;
        bench_mem(&mem[i], &rss[i]);
    }
    print_rate("nop_rt", nop[0], nop[1], runs, "SSCH+TPI+TSCH, one NOP");
    print_rate("nop_drv_rt", drv[0], drv[1], runs, "driver irq, one NOP");
    print_rate("chain64_rt", chain[0], chain[1], runs,
               "64 CCWs x 256 B, fmt-2 IDAWs");
    printf("css mem/sch: %.1f bytes heap per idle subchannel (%u defined; "
           "RSS %.1f B/sch; median of %u)\n",
           median(mem, runs), MEM_NSCH, median(rss, runs), runs);
    return 0;
}
