/* SPDX-License-Identifier: MIT */
/*
 * The condition-code matrix: every instruction in every subchannel state,
 * one cell at a time on a fresh host (css-pop.md §4.1-4.8).  The states
 * cover every class of insn.c's [instruction][class] table, so each cell
 * of that table is walked.  A cc other than 0 (and cc 0 "no action") must
 * leave the SCHIB unchanged; an accepted instruction must set its bits.
 */
#include "harness.h"

#include <stdio.h>

#include "css/sub_priv.h" /* css_check_invariants */

enum m_insn {
    M_SSCH,
    M_RSCH,
    M_HSCH,
    M_CSCH,
    M_XSCH,
    M_TSCH,
    M_MSCH,
    M_STSCH,
    M_NINSN
};

/* The harness's states, then the ones built here. */
enum m_state {
    M_DISABLED = HS_CLEAR_PENDING + 1,
    M_NOT_PROVIDED,
    M_NO_DEVICE,
    M_INTER_HALT,  /* suspended, its intermediate status pending, HSCH */
    M_ACTIVE_SUSP, /* active, started with suspend control */
    M_NSTATES
};

static const char *const state_name[M_NSTATES] = {
    "idle",           "start pending", "active",       "suspended",
    "status pending", "intermediate",  "halt pending", "clear pending",
    "disabled",       "not provided",  "no device",    "intermediate + halt",
    "active with S",
};

static const char *const insn_name[M_NINSN] = {
    "SSCH", "RSCH", "HSCH", "CSCH", "XSCH", "TSCH", "MSCH", "STSCH",
};

/* clang-format off */
static const enum zv_cc expect[M_NINSN][M_NSTATES] = {
    /*        idle st-p act  susp pend int  h-p  c-p  dis  n/p  nodev i+h  actS */
    [M_SSCH]  = {0,  2,   2,   2,   1,   1,   2,   2,   3,   3,   3,    1,   2},
    /* the default ORB has no suspend control */
    [M_RSCH]  = {2,  2,   2,   0,   1,   1,   2,   2,   3,   3,   3,    1,   0},
    [M_HSCH]  = {0,  0,   0,   0,   1,   0,   2,   2,   3,   3,   3,    2,   0},
    [M_CSCH]  = {0,  0,   0,   0,   0,   0,   0,   0,   3,   3,   3,    0,   0},
    [M_XSCH]  = {2,  0,   2,   0,   1,   1,   2,   2,   3,   3,   3,    1,   2},
    [M_TSCH]  = {1,  1,   1,   1,   0,   0,   1,   1,   3,   3,   3,    0,   1},
    [M_MSCH]  = {0,  2,   2,   2,   1,   1,   2,   2,   0,   3,   0,    1,   2},
    [M_STSCH] = {0,  0,   0,   0,   0,   0,   0,   0,   0,   3,   0,    0,   0},
};
/* clang-format on */

#define NOT_PROVIDED_NO 0x1234u

static unsigned
state_sch(unsigned st)
{
    if (st == M_NOT_PROVIDED)
        return NOT_PROVIDED_NO;
    return st == M_NO_DEVICE ? H_NODEV_SCH : 0;
}

static struct zv_insn_rc
issue(struct h *h, enum m_insn insn, unsigned no)
{
    struct irb irb;
    struct schib s;

    switch (insn) {
    case M_SSCH:
        return h_ssch(h, no);
    case M_RSCH:
        return css_insn_rsch(h->css, h_gr1(no));
    case M_HSCH:
        return css_insn_hsch(h->css, h_gr1(no));
    case M_CSCH:
        return css_insn_csch(h->css, h_gr1(no));
    case M_XSCH:
        return css_insn_xsch(h->css, h_gr1(no));
    case M_TSCH:
        return h_tsch(h, no, &irb);
    case M_MSCH:
        /* A valid operand: subchannel 0's SCHIB with ISC 7. */
        assert_cc(css_sch_stsch(h->sch[0], &s), ZV_CC0);
        s.pmcw.isc = 7;
        return h_msch(h, no, &s);
    case M_STSCH:
    case M_NINSN:
        break;
    }
    return css_insn_stsch(h->css, h_gr1(no), H_SCHIB);
}

static void
make_inter_halt(struct h *h)
{

    h_enable(h, 0, 3);
    h_ssch_suspending(h, 0, false);
    h_run(h);
    assert_cc(css_insn_hsch(h->css, h_gr1(0)), ZV_CC0);
    assert_int_equal(h_scsw(h, 0)->stctl,
                     SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
}

static void
make_active_with_suspend_control(struct h *h)
{
    struct orb o;

    h_enable(h, 0, 3);
    h_orb_default(&o);
    o.spnd = true;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch_orb(h, 0, &o), ZV_CC0);
    h_run_for(h, 1);
    assert_true(h_scsw(h, 0)->actl & SCSW_ACTL_SCH_ACTIVE);
}

static void
make_state(struct h *h, unsigned st)
{
    switch (st) {
    case M_DISABLED:
    case M_NOT_PROVIDED:
    case M_NO_DEVICE:
        h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
        break;
    case M_INTER_HALT:
        make_inter_halt(h);
        break;
    case M_ACTIVE_SUSP:
        make_active_with_suspend_control(h);
        break;
    default:
        h_make_state(h, 0, (enum h_state)st);
        break;
    }
}

/* What an accepted (cc 0) instruction leaves in the subchannel. */
static void
check_accepted(enum m_insn insn, const struct schib *a)
{
    const struct scsw *s = &a->scsw;

    switch (insn) {
    case M_SSCH:
        assert_int_equal(s->fctl, SCSW_FCTL_START);
        assert_int_equal(s->actl, SCSW_ACTL_START_PEND);
        break;
    case M_RSCH:
        assert_true(s->actl & SCSW_ACTL_RESUME_PEND);
        break;
    case M_HSCH:
        assert_true(s->fctl & SCSW_FCTL_HALT);
        assert_true(s->actl & SCSW_ACTL_HALT_PEND);
        break;
    case M_CSCH:
        assert_int_equal(s->fctl, SCSW_FCTL_CLEAR);
        assert_true(s->actl & SCSW_ACTL_CLEAR_PEND);
        assert_int_equal(s->stctl, 0);
        break;
    case M_XSCH:
        assert_int_equal(s->fctl | s->actl | s->stctl, 0);
        break;
    case M_TSCH:
        assert_false(s->stctl & SCSW_STCTL_PENDING);
        break;
    case M_MSCH:
        assert_int_equal(a->pmcw.isc, 7);
        break;
    case M_STSCH:
    case M_NINSN:
        break;
    }
}

static void
assert_schib_equal(const struct schib *x, const struct schib *y)
{
    uint8_t a[SCHIB_SIZE], b[SCHIB_SIZE];

    schib_encode(x, a);
    schib_encode(y, b);
    assert_memory_equal(a, b, SCHIB_SIZE);
}

/* cc 0 with no action: STSCH always, MSCH without a device (§4.8). */
static bool
no_action(enum m_insn insn, unsigned st)
{
    return insn == M_STSCH || (insn == M_MSCH && st == M_NO_DEVICE);
}

static void
check_cell(enum m_insn insn, unsigned st)
{
    void *state = NULL;
    unsigned no = state_sch(st);
    struct subchannel *sch;
    struct zv_insn_rc rc;
    struct schib before, after;
    struct h *h;

    assert_int_equal(h_setup(&state), 0);
    h = state;
    make_state(h, st);
    sch = css_sch_find(h->css, 0, (uint16_t)no);
    if (sch)
        assert_cc(css_sch_stsch(sch, &before), ZV_CC0);
    rc = issue(h, insn, no);
    if (rc.pic != ZV_PIC_NONE || rc.cc != expect[insn][st])
        print_message("%s in state %s: cc %d pic %d, expected cc %d\n",
                      insn_name[insn], state_name[st], rc.cc, rc.pic,
                      expect[insn][st]);
    assert_cc(rc, expect[insn][st]);
    if (sch) {
        assert_cc(css_sch_stsch(sch, &after), ZV_CC0);
        if (rc.cc != ZV_CC0 || no_action(insn, st))
            assert_schib_equal(&before, &after);
        else
            check_accepted(insn, &after);
    }
    /* Whatever the instruction started must finish cleanly. */
    h_run(h);
    assert_null(css_check_invariants(h->css));
    h_teardown(&state);
}

static void
check_row(enum m_insn insn)
{
    for (unsigned st = 0; st < M_NSTATES; st++)
        check_cell(insn, st);
}

static void
matrix_ssch_every_state(void **state)
{
    check_row(M_SSCH);
}

static void
matrix_rsch_every_state(void **state)
{
    check_row(M_RSCH);
}

static void
matrix_hsch_every_state(void **state)
{
    check_row(M_HSCH);
}

static void
matrix_csch_every_state(void **state)
{
    check_row(M_CSCH);
}

static void
matrix_xsch_every_state(void **state)
{
    check_row(M_XSCH);
}

static void
matrix_tsch_every_state(void **state)
{
    check_row(M_TSCH);
}

static void
matrix_msch_every_state(void **state)
{
    check_row(M_MSCH);
}

static void
matrix_stsch_every_state(void **state)
{
    check_row(M_STSCH);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix_ssch_every_state),
        cmocka_unit_test(matrix_rsch_every_state),
        cmocka_unit_test(matrix_hsch_every_state),
        cmocka_unit_test(matrix_csch_every_state),
        cmocka_unit_test(matrix_xsch_every_state),
        cmocka_unit_test(matrix_tsch_every_state),
        cmocka_unit_test(matrix_msch_every_state),
        cmocka_unit_test(matrix_stsch_every_state),
    };

    return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
