/* SPDX-License-Identifier: MIT */
/*
 * The condition-code matrix: every instruction in every subchannel state,
 * one cell at a time on a fresh host (css-pop.md §4.1-4.8).  The other
 * files check what each instruction does; this one proves no cell of the
 * [instruction][state] table is left out.
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

/* States: the harness's, plus "disabled" (E = 0). */
#define M_DISABLED (HS_CLEAR_PENDING + 1)
#define M_NSTATES  (M_DISABLED + 1)

static const char *const state_name[M_NSTATES] = {
    "idle",         "start pending",  "active",
    "suspended",    "status pending", "intermediate",
    "halt pending", "clear pending",  "disabled",
};

static const char *const insn_name[M_NINSN] = {
    "SSCH", "RSCH", "HSCH", "CSCH", "XSCH", "TSCH", "MSCH", "STSCH",
};

/*
 * Columns: idle, start pending, active, suspended, status pending,
 * intermediate only, halt pending, clear pending, disabled.
 */
static const enum zv_cc expect[M_NINSN][M_NSTATES] = {
    [M_SSCH] = {0, 2, 2, 2, 1, 1, 2, 2, 3},
    /* the default ORB has no suspend control: RSCH is not applicable */
    [M_RSCH] = {2, 2, 2, 0, 1, 1, 2, 2, 3},
    [M_HSCH] = {0, 0, 0, 0, 1, 0, 2, 2, 3},
    [M_CSCH] = {0, 0, 0, 0, 0, 0, 0, 0, 3},
    [M_XSCH] = {2, 0, 2, 0, 1, 1, 2, 2, 3},
    [M_TSCH] = {1, 1, 1, 1, 0, 0, 1, 1, 3},
    [M_MSCH] = {0, 2, 2, 2, 1, 1, 2, 2, 0},
    [M_STSCH] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
};

static struct zv_insn_rc
issue(struct h *h, enum m_insn insn)
{
    struct irb irb;
    struct schib s;

    switch (insn) {
    case M_SSCH:
        return h_ssch(h, 0);
    case M_RSCH:
        return css_insn_rsch(h->css, h_gr1(0));
    case M_HSCH:
        return css_insn_hsch(h->css, h_gr1(0));
    case M_CSCH:
        return css_insn_csch(h->css, h_gr1(0));
    case M_XSCH:
        return css_insn_xsch(h->css, h_gr1(0));
    case M_TSCH:
        return h_tsch(h, 0, &irb);
    case M_MSCH:
        assert_cc(css_sch_stsch(h->sch[0], &s), ZV_CC0);
        s.pmcw.isc = 7;
        return h_msch(h, 0, &s);
    case M_STSCH:
    case M_NINSN:
        break;
    }
    return css_insn_stsch(h->css, h_gr1(0), H_SCHIB);
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
check_cell(enum m_insn insn, unsigned st)
{
    void *state = NULL;
    struct h *h;
    struct zv_insn_rc rc;
    struct schib before, after;

    assert_int_equal(h_setup(&state), 0);
    h = state;
    if (st != M_DISABLED)
        h_make_state(h, 0, (enum h_state)st);
    else
        h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(css_sch_stsch(h->sch[0], &before), ZV_CC0);
    rc = issue(h, insn);
    if (rc.pic != ZV_PIC_NONE || rc.cc != expect[insn][st])
        print_message("%s in state %s: cc %d pic %d, expected cc %d\n",
                      insn_name[insn], state_name[st], rc.cc, rc.pic,
                      expect[insn][st]);
    assert_cc(rc, expect[insn][st]);
    assert_cc(css_sch_stsch(h->sch[0], &after), ZV_CC0);
    /* Any cc but 0 is set with no other action (css-pop.md §4); STSCH
     * never changes anything. */
    if (rc.cc != ZV_CC0 || insn == M_STSCH) {
        uint8_t b[SCHIB_SIZE], a[SCHIB_SIZE];

        schib_encode(&before, b);
        schib_encode(&after, a);
        assert_memory_equal(b, a, SCHIB_SIZE);
    } else
        check_accepted(insn, &after);
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
