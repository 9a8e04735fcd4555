/* SPDX-License-Identifier: MIT */
/*
 * Determinism of the simulation (DESIGN.md principle 4): the same seed
 * gives the same trace, record for record; different seeds explore
 * different orderings; the trace a replay prints is the one hashed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim.h"

static const uint64_t seeds[] = {0, 1, 42, 1000003, 0xDEADBEEF};

static void
same_seed_same_trace_hash(void **state)
{
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct sim_result a, b;

        sim_walk(seeds[i], SIM_DEFAULT_STEPS, NULL, &a);
        sim_walk(seeds[i], SIM_DEFAULT_STEPS, NULL, &b);
        /* Whether the seed finds a violation or not, its trace is the
         * same each time. */
        assert_true(a.trace_count > 0);
        assert_int_equal(a.failed, b.failed);
        assert_int_equal(a.fail_step, b.fail_step);
        assert_int_equal(a.trace_hash, b.trace_hash);
        assert_int_equal(a.trace_count, b.trace_count);
    }
}

/* The seed is not itself traced: the traces differ because the walks do
 * (other latencies, other operations). */
static void
different_seeds_different_traces(void **state)
{
    struct sim_result r[sizeof(seeds) / sizeof(seeds[0])];
    size_t n = sizeof(seeds) / sizeof(seeds[0]);

    for (size_t i = 0; i < n; i++)
        sim_walk(seeds[i], SIM_DEFAULT_STEPS, NULL, &r[i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_true(r[i].trace_hash != r[j].trace_hash);
}

/* The replay trace (--trace) is what the hash covers: printing it does
 * not change the run, and it has one line per trace record. */
static void
traced_replay_matches_untraced_run(void **state)
{
    struct sim_result quiet, loud;
    FILE *f = tmpfile();
    char line[1024];
    uint64_t lines = 0;

    assert_non_null(f);
    sim_walk(7, SIM_DEFAULT_STEPS, NULL, &quiet);
    sim_walk(7, SIM_DEFAULT_STEPS, f, &loud);
    assert_int_equal(quiet.trace_hash, loud.trace_hash);
    rewind(f);
    while (fgets(line, sizeof(line), f))
        lines += line[0] != '#'; /* comments are not records */
    fclose(f);
    assert_int_equal(lines, loud.trace_count);
}

/* A longer walk is a different, still deterministic, exploration. */
static void
step_count_changes_the_walk(void **state)
{
    struct sim_result a, b;

    sim_walk(3, SIM_DEFAULT_STEPS, NULL, &a);
    sim_walk(3, 2 * SIM_DEFAULT_STEPS, NULL, &b);
    if (!a.failed) /* a failing seed stops at the same step either way */
        assert_true(a.trace_hash != b.trace_hash);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_trace_hash),
        cmocka_unit_test(different_seeds_different_traces),
        cmocka_unit_test(traced_replay_matches_untraced_run),
        cmocka_unit_test(step_count_changes_the_walk),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
