/* SPDX-License-Identifier: MIT */
/*
 * Engine: every cell of the function-level [state][event] table.  Each
 * case brings the subchannel into a state through the instructions, then
 * calls the engine entry point directly (after setting FC/AC as the
 * subchannel side does when it accepts the instruction), checks the next
 * state, runs the loop and checks whether status became pending.
 */
#include "eh.h"

#include <string.h>

#include "css/engine_priv.h"

#define A    EH_CCW
#define LAT  1000
#define GONE RUN_NSTATES /* the run was freed */

struct cell {
    enum run_state from;
    int fn;
    unsigned next; /* enum run_state, or GONE */
    bool pending;  /* status pending after the loop ran */
};

enum { EV_START, EV_RESUME, EV_HALT, EV_CLEAR, EV_CANCEL, EV_ABORT, EV_LOST };

static const struct cell cells[] = {
    {RUN_IDLE, EV_START, RUN_PENDING, true},
    {RUN_IDLE, EV_RESUME, RUN_IDLE, false},
    {RUN_IDLE, EV_HALT, RUN_IDLE, true},
    {RUN_IDLE, EV_CLEAR, RUN_IDLE, true},
    {RUN_IDLE, EV_CANCEL, RUN_IDLE, false},
    {RUN_IDLE, EV_ABORT, GONE, false},
    {RUN_IDLE, EV_LOST, RUN_IDLE, false},
    {RUN_PENDING, EV_START, RUN_PENDING, true},
    {RUN_PENDING, EV_RESUME, RUN_PENDING, true},
    {RUN_PENDING, EV_HALT, RUN_IDLE, true},
    {RUN_PENDING, EV_CLEAR, RUN_IDLE, true},
    {RUN_PENDING, EV_CANCEL, RUN_IDLE, false},
    {RUN_PENDING, EV_ABORT, GONE, false},
    {RUN_PENDING, EV_LOST, RUN_PENDING, true},
    {RUN_ACTIVE, EV_START, RUN_ACTIVE, true},
    {RUN_ACTIVE, EV_RESUME, RUN_ACTIVE, true},
    {RUN_ACTIVE, EV_HALT, RUN_IDLE, true},
    {RUN_ACTIVE, EV_CLEAR, RUN_IDLE, true},
    {RUN_ACTIVE, EV_CANCEL, RUN_ACTIVE, true},
    {RUN_ACTIVE, EV_ABORT, GONE, false},
    {RUN_ACTIVE, EV_LOST, RUN_IDLE, true},
    {RUN_SUSPENDED, EV_START, RUN_SUSPENDED, false},
    {RUN_SUSPENDED, EV_RESUME, RUN_PENDING, true},
    {RUN_SUSPENDED, EV_HALT, RUN_IDLE, true},
    {RUN_SUSPENDED, EV_CLEAR, RUN_IDLE, true},
    {RUN_SUSPENDED, EV_CANCEL, RUN_IDLE, false},
    {RUN_SUSPENDED, EV_ABORT, GONE, false},
    {RUN_SUSPENDED, EV_LOST, RUN_SUSPENDED, false},
};

static void
enter_state(struct eh *h, enum run_state st)
{
    struct orb o;

    testdev_set_default_latency(h->td, LAT, LAT);
    eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    eh_orb(&o, A);
    if (st == RUN_SUSPENDED) {
        eh_ccw1(h, A, CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
        o.spnd = true;
        o.ssic = true;
    }
    assert_int_equal(eh_ssch(h, &o).cc, ZV_CC0);
    if (st == RUN_IDLE) {
        eh_run(h);
        assert_int_equal(eh_tsch(h), 0);
    } else if (st == RUN_ACTIVE) {
        eh_run_for(h, LAT / 2);
    } else if (st == RUN_SUSPENDED) {
        eh_run(h);
        /* Let a resume run to the end. */
        eh_ccw1(h, A, CCW_CMD_NOOP, 0, 0, 0);
    }
    assert_non_null(h->sch->run);
    assert_int_equal(h->sch->run->state, st);
}

/* What the subchannel side does when it accepts the instruction. */
static void
fire(struct eh *h, int ev)
{
    struct subchannel *sch = h->sch;
    struct scsw *s = &sch->schib.scsw;

    switch (ev) {
    case EV_START:
        if (s->fctl == 0) {
            eh_orb(&sch->orb, A);
            s->fctl = SCSW_FCTL_START;
            s->actl = SCSW_ACTL_START_PEND;
        }
        css_engine_start(sch);
        break;
    case EV_RESUME:
        s->actl |= SCSW_ACTL_RESUME_PEND;
        css_engine_resume(sch);
        break;
    case EV_HALT:
        s->fctl |= SCSW_FCTL_HALT;
        s->actl |= SCSW_ACTL_HALT_PEND;
        css_engine_halt(sch);
        break;
    case EV_CLEAR:
        css_sch_dequeue_irq(sch);
        s->stctl = 0;
        s->fctl = SCSW_FCTL_CLEAR;
        s->actl |= SCSW_ACTL_CLEAR_PEND;
        css_engine_clear(sch);
        break;
    case EV_CANCEL:
        css_engine_cancel(sch);
        break;
    case EV_ABORT:
        css_engine_abort(sch);
        memset(s, 0, sizeof(*s));
        break;
    case EV_LOST:
        css_engine_path_lost(sch, 0x80);
        break;
    }
}

static void
walk_cell(const struct cell *c)
{
    void *state;
    struct eh *h;
    struct schib s;

    eh_setup(&state);
    h = state;
    enter_state(h, c->from);
    fire(h, c->fn);
    if (c->next == GONE)
        assert_null(h->sch->run);
    else
        assert_int_equal(h->sch->run->state, c->next);
    eh_run(h);
    css_sch_stsch(h->sch, &s);
    assert_int_equal((s.scsw.stctl & SCSW_STCTL_PENDING) != 0, c->pending);
    eh_teardown(&state);
}

static void
every_cell_of_the_function_table(void **state)
{
    assert_int_equal(sizeof(cells) / sizeof(cells[0]),
                     RUN_NSTATES * (EV_LOST + 1));
    for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
        print_message("cell %zu: state %d event %d\n", i, cells[i].from,
                      cells[i].fn);
        walk_cell(&cells[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_cell_of_the_function_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
