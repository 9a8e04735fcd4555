/* SPDX-License-Identifier: MIT */
/*
 * sim_explore: run the vfio-ccw simulation over many seeds (docs/sim.md).
 *
 *   sim_explore [--seeds N] [--start S] [--steps K] [--keep-going]
 *   sim_explore --seed N [--steps K] [--trace]
 *
 * Seeds S .. S+N-1 each run K steps (default 200).  A failing seed prints
 * the violation and the command that replays it with its event trace.
 * The first seeds of a run are run twice and must give the same trace
 * hash (DESIGN.md principle 4).  Exit status 1 on any failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define DETERMINISM_SEEDS 3

struct opts {
    uint64_t start;
    uint64_t seeds;
    unsigned steps;
    bool one;
    bool trace;
    bool keep_going;
};

static int
parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    return (errno || !*s || *end) ? -EINVAL : 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
    uint64_t v;

    *o = (struct opts){.seeds = 1000, .steps = SIM_DEFAULT_STEPS};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;

        if (!strcmp(a, "--trace")) {
            o->trace = true;
        } else if (!strcmp(a, "--keep-going")) {
            o->keep_going = true;
        } else if (has_arg && !strcmp(a, "--seeds") &&
                   !parse_u64(argv[++i], &v)) {
            o->seeds = v;
        } else if (has_arg && !strcmp(a, "--start") &&
                   !parse_u64(argv[++i], &v)) {
            o->start = v;
        } else if (has_arg && !strcmp(a, "--seed") &&
                   !parse_u64(argv[++i], &v)) {
            o->start = v;
            o->seeds = 1;
            o->one = true;
        } else if (has_arg && !strcmp(a, "--steps") &&
                   !parse_u64(argv[++i], &v) && v && v <= 1000000) {
            o->steps = (unsigned)v;
        } else {
            return -EINVAL;
        }
    }
    return 0;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *prog, const struct opts *o, uint64_t seed,
       const struct sim_result *r)
{
    printf("sim: seed %" PRIu64 " FAILED at step %u: %s\n", seed, r->fail_step,
           r->why);
    printf("sim: the last %u trace records:\n", r->tail_lines);
    for (unsigned i = 0; i < r->tail_lines; i++)
        printf("  %s\n", r->tail[i]);
    printf("sim: replay: %s --seed %" PRIu64 " --steps %u --trace\n", prog,
           seed, o->steps);
}

/* Same seed, same trace: run it again and compare the hashes. */
static bool
deterministic(const struct opts *o, uint64_t seed,
              const struct sim_result *first)
{
    struct sim_result again;

    sim_walk(seed, o->steps, NULL, &again);
    if (again.trace_hash == first->trace_hash &&
        again.trace_count == first->trace_count)
        return true;
    printf("sim: seed %" PRIu64 " is not deterministic: trace hash %016" PRIx64
           " (%" PRIu64 " records) then %016" PRIx64 " (%" PRIu64 " records)\n",
           seed, first->trace_hash, first->trace_count, again.trace_hash,
           again.trace_count);
    return false;
}

int
main(int argc, char **argv)
{
    struct opts o;
    uint64_t failed = 0, ran = 0, steps = 0;
    double t0 = now_s();

    if (parse(argc, argv, &o)) {
        fprintf(stderr,
                "usage: %s [--seeds N] [--start S] [--steps K] "
                "[--keep-going] | --seed N [--steps K] [--trace]\n",
                argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (uint64_t i = 0; i < o.seeds; i++) {
        uint64_t seed = o.start + i;
        struct sim_result r;
        bool bad;

        sim_walk(seed, o.steps, o.trace ? stdout : NULL, &r);
        ran++;
        steps += r.steps;
        bad = r.failed;
        if (bad)
            report(argv[0], &o, seed, &r);
        if (i < DETERMINISM_SEEDS && !o.trace && !deterministic(&o, seed, &r))
            bad = true;
        if (o.one)
            printf("sim: seed %" PRIu64 ": %s, trace hash %016" PRIx64
                   " (%" PRIu64 " records)\n",
                   seed, r.failed ? "FAILED" : "ok", r.trace_hash,
                   r.trace_count);
        if (bad && ++failed && !o.keep_going)
            break;
    }
    printf("sim: %" PRIu64 " seeds from %" PRIu64 ", %" PRIu64
           " steps, %" PRIu64 " failed, %.2f s\n",
           ran, o.start, steps, failed, now_s() - t0);
    return failed ? 1 : 0;
}
