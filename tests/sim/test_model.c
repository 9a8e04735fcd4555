/* SPDX-License-Identifier: MIT */
/*
 * The checker has teeth of its own: the model of the composite subchannel
 * is fed answers and status a broken device could give, and must flag
 * each one (and accept the architected ones).  No device misbehaves here:
 * the answers are made up, so these cases hold whatever vfio_ccw does.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

static const struct sim_expect valid = {0};

static int
setup(void **state)
{
    struct sim *s = calloc(1, sizeof(*s));

    if (!s || sim_init(s, 5, NULL)) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int
teardown(void **state)
{
    struct sim *s = *state;

    s->failed = true; /* the cases fail the model on purpose */
    sim_fini(s);
    free(s);
    return 0;
}

static struct sim_prog
prog_at(uint64_t ccw)
{
    struct sim_prog p = {.nseg = 1, .seg_lo = {ccw}, .seg_hi = {ccw}};

    return p;
}

static struct irb
status(uint8_t fctl, uint8_t stctl, uint32_t cpa)
{
    struct irb irb;

    memset(&irb, 0, sizeof(irb));
    irb.scsw.fctl = fctl;
    irb.scsw.stctl = stctl;
    irb.scsw.cpa = cpa;
    irb.scsw.dstat = fctl ? DEV_STAT_CHN_END | DEV_STAT_DEV_END : 0;
    return irb;
}

static const uint8_t final_sc =
    SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING;

static void
ssch_cc0_while_start_in_progress_is_flagged(void **state)
{
    struct sim *s = *state;
    struct sim_prog p = prog_at(SIM_GUEST_IOVA + SIM_PAGE);

    sim_model_ssch(s, 0, &valid, &p);
    assert_false(s->failed);
    sim_model_ssch(s, -EBUSY, &valid, &p); /* cc 2: right */
    assert_false(s->failed);
    sim_model_ssch(s, 0, &valid, &p);
    assert_true(s->failed);
    assert_non_null(strstr(s->why, "cc 2"));
}

static void
hsch_cc0_while_clear_in_progress_is_flagged(void **state)
{
    struct sim *s = *state;

    sim_model_csch(s, 0);
    sim_model_hsch(s, -EBUSY);
    assert_false(s->failed);
    sim_model_hsch(s, 0);
    assert_true(s->failed);
}

static void
csch_refused_is_flagged(void **state)
{
    struct sim *s = *state;

    sim_model_csch(s, -EBUSY);
    assert_true(s->failed);
}

static void
hostile_program_accepted_is_flagged(void **state)
{
    struct sim *s = *state;
    struct sim_expect ex = {.err = -EFAULT};
    struct sim_prog p = prog_at(SIM_GUEST_IOVA + SIM_PAGE);

    sim_model_ssch(s, -EFAULT, &ex, &p);
    assert_false(s->failed);
    sim_model_ssch(s, 0, &ex, &p);
    assert_true(s->failed);
}

static void
wrong_error_for_a_valid_program_is_flagged(void **state)
{
    struct sim *s = *state;
    struct sim_prog p = prog_at(SIM_GUEST_IOVA + SIM_PAGE);

    sim_model_ssch(s, -EACCES, &valid, &p); /* all paths up: no cc 3 */
    assert_true(s->failed);
}

static void
stale_start_status_is_flagged(void **state)
{
    struct sim *s = *state;
    uint64_t ccw = SIM_GUEST_IOVA + SIM_PAGE;
    struct sim_prog p = prog_at(ccw);
    struct irb irb = status(SCSW_FCTL_START, final_sc, (uint32_t)ccw + 8);

    sim_model_ssch(s, 0, &valid, &p);
    sim_model_irb(s, &irb);
    assert_false(s->failed);
    sim_model_irb(s, &irb); /* the same status again: nothing runs */
    assert_true(s->failed);
    assert_non_null(strstr(s->why, "stale"));
}

static void
host_address_in_status_is_flagged(void **state)
{
    struct sim *s = *state;
    struct sim_prog p = prog_at(SIM_GUEST_IOVA + SIM_PAGE);
    struct irb irb = status(SCSW_FCTL_START, final_sc, 0x60000008);

    sim_model_ssch(s, 0, &valid, &p);
    sim_model_irb(s, &irb);
    assert_true(s->failed);
    assert_non_null(strstr(s->why, "host address"));
}

static void
start_status_after_csch_is_flagged(void **state)
{
    struct sim *s = *state;
    uint64_t ccw = SIM_GUEST_IOVA + SIM_PAGE;
    struct sim_prog p = prog_at(ccw);
    struct irb irb = status(SCSW_FCTL_START, final_sc, (uint32_t)ccw + 8);

    sim_model_ssch(s, 0, &valid, &p);
    sim_model_csch(s, 0);
    sim_model_irb(s, &irb);
    assert_true(s->failed);
}

static void
clear_status_without_clear_is_flagged(void **state)
{
    struct sim *s = *state;
    struct irb irb = status(SCSW_FCTL_CLEAR, SCSW_STCTL_PENDING, 0);

    sim_model_csch(s, 0);
    sim_model_irb(s, &irb);
    assert_false(s->failed);
    sim_model_irb(s, &irb); /* a second completion of one clear */
    assert_true(s->failed);
}

static void
unsolicited_status_never_presented_is_flagged(void **state)
{
    struct sim *s = *state;
    struct irb irb = status(0, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING, 0);

    irb.scsw.dstat = DEV_STAT_ATTENTION;
    s->m.unsol_must = 1; /* the host presented one */
    sim_model_irb(s, &irb);
    assert_false(s->failed);
    sim_model_irb(s, &irb);
    assert_true(s->failed);
}

static void
lost_unsolicited_status_is_flagged_at_rest(void **state)
{
    struct sim *s = *state;

    s->m.unsol_must = 1;
    sim_check_quiescent(s);
    assert_true(s->failed);
}

static void
function_never_ended_is_flagged_at_rest(void **state)
{
    struct sim *s = *state;

    sim_model_hsch(s, 0);
    sim_check_quiescent(s);
    assert_true(s->failed);
}

static void
state_mismatch_is_flagged(void **state)
{
    struct sim *s = *state;
    struct sim_prog p = prog_at(SIM_GUEST_IOVA + SIM_PAGE);

    sim_check(s); /* idle and idle */
    assert_false(s->failed);
    sim_model_ssch(s, 0, &valid, &p); /* the model thinks it started */
    sim_check(s);
    assert_true(s->failed);
    assert_non_null(strstr(s->why, "state idle"));
}

static void
write_next_to_the_dma_map_is_flagged(void **state)
{
    struct sim *s = *state;

    sim_check_memory(s);
    assert_false(s->failed);
    s->guest[SIM_GUEST_SIZE + 17] ^= 1;
    sim_check_memory(s);
    assert_true(s->failed);
}

static void
write_into_the_read_only_map_is_flagged(void **state)
{
    struct sim *s = *state;

    s->guest[SIM_RO_CHUNK * SIM_CHUNK_SIZE + 100] ^= 1;
    sim_check_memory(s);
    assert_true(s->failed);
}

static void
double_free_and_early_free_are_flagged(void **state)
{
    struct sim *s = *state;
    struct zv_vfio_ccw_cp_event ev = {
        .serial = 9,
        .reason = ZV_VFIO_CCW_FREE_START_ENDED,
    };

    s->ctx = SIM_CTX_LOOP;
    sim_cp_freed(s, &ev);
    assert_false(s->failed);
    sim_cp_freed(s, &ev);
    assert_true(s->failed);
    s->failed = false;
    ev.serial = 10;
    ev.host_start_active = true;
    sim_cp_freed(s, &ev);
    assert_true(s->failed);
    s->failed = false;
    ev.serial = 11;
    ev.host_start_active = false;
    s->ctx = SIM_CTX_SSCH; /* "start ended" inside an SSCH call */
    sim_cp_freed(s, &ev);
    assert_true(s->failed);
    s->ctx = SIM_CTX_NONE;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(ssch_cc0_while_start_in_progress_is_flagged),
        T(hsch_cc0_while_clear_in_progress_is_flagged),
        T(csch_refused_is_flagged),
        T(hostile_program_accepted_is_flagged),
        T(wrong_error_for_a_valid_program_is_flagged),
        T(stale_start_status_is_flagged),
        T(host_address_in_status_is_flagged),
        T(start_status_after_csch_is_flagged),
        T(clear_status_without_clear_is_flagged),
        T(unsolicited_status_never_presented_is_flagged),
        T(lost_unsolicited_status_is_flagged_at_rest),
        T(function_never_ended_is_flagged_at_rest),
        T(state_mismatch_is_flagged),
        T(write_next_to_the_dma_map_is_flagged),
        T(write_into_the_read_only_map_is_flagged),
        T(double_free_and_early_free_are_flagged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
