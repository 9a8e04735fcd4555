/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw FSM: every [state][event] cell (HOUSE-STYLE rule 7).
 *
 * For each cell the device is driven into the state through the real
 * paths (region writes, host interruptions), the event is dispatched, and
 * the return code, the next state, the programs freed and whether the
 * host was touched are checked against the table below, written from the
 * PoP (css-pop.md §3, §4.1-4.4) and vfio-ccw.md §2, not from fsm.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vfio_ccw/vfio_ccw_priv.h"

struct cell {
    int rc;
    enum vccw_state next;
    unsigned freed;
};

#define N VCCW_NOT_OPER
#define C VCCW_CLOSED
#define I VCCW_IDLE
#define P VCCW_STATUS_PENDING
#define S VCCW_START
#define H VCCW_HALT
#define X VCCW_CLEAR

/* clang-format off */
static const struct cell expect[VCCW_NR_STATES][VCCW_NR_EVENTS] = {
    /*            open          close      not-oper   ssch            hsch            csch       unsol      interm     final      quiesced   stale      irb-read */
    [N] = {{-ENODEV, N, 0}, {0, N, 0}, {0, N, 0}, {-ENODEV, N, 0}, {-ENODEV, N, 0}, {-ENODEV, N, 0}, {0, N, 0}, {0, N, 0}, {0, N, 0}, {0, N, 0}, {0, N, 0}, {-ENODEV, N, 0}},
    [C] = {{0, I, 0},       {0, C, 0}, {0, N, 0}, {-EIO, C, 0},    {-EIO, C, 0},    {-EIO, C, 0},    {0, C, 0}, {0, C, 0}, {0, C, 0}, {0, C, 0}, {0, C, 0}, {-EIO, C, 0}},
    [I] = {{-EBUSY, I, 0},  {0, C, 0}, {0, N, 0}, {0, S, 0},       {0, H, 0},       {0, X, 0},       {0, P, 0}, {0, P, 0}, {0, P, 0}, {0, I, 0}, {0, I, 0}, {0, I, 0}},
    [P] = {{-EBUSY, P, 0},  {0, C, 0}, {0, N, 0}, {-EBUSY, P, 0},  {-EBUSY, P, 0},  {0, X, 0},       {0, P, 0}, {0, P, 0}, {0, P, 0}, {0, P, 0}, {0, P, 0}, {0, I, 0}},
    [S] = {{-EBUSY, S, 0},  {0, C, 1}, {0, N, 1}, {-EBUSY, S, 0},  {0, H, 0},       {0, X, 0},       {0, S, 0}, {0, S, 0}, {0, P, 1}, {0, S, 0}, {0, S, 0}, {0, S, 0}},
    [H] = {{-EBUSY, H, 0},  {0, C, 1}, {0, N, 1}, {-EBUSY, H, 0},  {-EBUSY, H, 0},  {0, X, 0},       {0, H, 0}, {0, H, 0}, {0, P, 1}, {0, H, 0}, {0, H, 0}, {0, H, 0}},
    [X] = {{-EBUSY, X, 0},  {0, C, 1}, {0, N, 1}, {-EBUSY, X, 0},  {-EBUSY, X, 0},  {0, X, 0},       {0, X, 0}, {0, X, 0}, {0, P, 1}, {0, X, 0}, {0, X, 1}, {0, X, 0}},
};
/* clang-format on */

static struct vccw_private *
priv(struct vh *h)
{
    return zv_vdev_drvdata(h->vd);
}

static void
drive_to(struct vh *h, enum vccw_state s)
{
    switch (s) {
    case N:
        assert_int_equal(vccw_fsm_event(priv(h), VCCW_EV_NOT_OPER, NULL), 0);
        break;
    case C:
        zv_vdev_close(h->vd);
        break;
    case I:
        break;
    case P:
        vh_dev_unsolicited(h, DEV_STAT_ATTENTION);
        vh_run(h);
        break;
    case S:
    case H:
    case X:
        h->dev.hold = true;
        assert_int_equal(vh_ssch(h, 0x02, 64), 0);
        vh_run(h);
        if (s == H)
            assert_int_equal(vh_hsch(h), 0);
        if (s == X)
            assert_int_equal(vh_csch(h), 0);
        break;
    default:
        fail();
    }
    assert_int_equal(priv(h)->state, s);
}

static void
make_irb(struct irb *irb, enum vccw_event ev, enum vccw_state s)
{
    memset(irb, 0, sizeof(*irb));
    irb->scsw.stctl = SCSW_STCTL_PENDING;
    switch (ev) {
    case VCCW_EV_IRQ_UNSOL:
        irb->scsw.stctl |= SCSW_STCTL_ALERT;
        irb->scsw.dstat = DEV_STAT_ATTENTION;
        break;
    case VCCW_EV_IRQ_INTERM:
        irb->scsw.fctl = SCSW_FCTL_START;
        irb->scsw.actl = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;
        irb->scsw.stctl |= SCSW_STCTL_INTER;
        irb->scsw.cstat = SCHN_STAT_PCI;
        break;
    case VCCW_EV_IRQ_QUIESCED:
        irb->scsw.fctl = SCSW_FCTL_CLEAR;
        break;
    case VCCW_EV_IRQ_STALE: /* a start's final status that came late */
        irb->scsw.fctl = SCSW_FCTL_START;
        irb->scsw.stctl |= SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND;
        irb->scsw.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END;
        break;
    default: /* final: of the function the state stands for */
        if (s == H) {
            irb->scsw.fctl = SCSW_FCTL_START | SCSW_FCTL_HALT;
        } else if (s == X) {
            irb->scsw.fctl = SCSW_FCTL_CLEAR;
        } else {
            irb->scsw.fctl = SCSW_FCTL_START;
            irb->scsw.stctl |= SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND;
            irb->scsw.dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END;
        }
        break;
    }
}

static void
walk_cell(enum vccw_state s, enum vccw_event ev)
{
    const struct cell *want = &expect[s][ev];
    struct zv_vfio_ccw_counters before, after;
    struct vccw_ev_arg arg = {0};
    struct orb orb;
    struct irb irb;
    unsigned cmds, freed;
    struct vh h;
    int rc;

    vh_setup(&h);
    drive_to(&h, s);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &before), 0);
    cmds = h.dev.commands;
    freed = h.nfreed;
    if (ev == VCCW_EV_SSCH) {
        struct ccw1 ccw = {.cmd = 0x03, .flags = CCW_FLAG_SLI, .count = 1};

        ccw1_encode(&ccw, h.guest + (VH_CCW_ADDR - VH_GUEST_IOVA));
        vh_orb(&orb);
        arg.orb = &orb;
    }
    make_irb(&irb, ev, s);
    arg.irb = &irb;
    rc = vccw_fsm_event(priv(&h), ev, &arg);
    print_message("cell %s x %s: rc %d -> %s\n", vccw_state_name(s),
                  vccw_event_name(ev), rc, vccw_state_name(priv(&h)->state));
    assert_int_equal(rc, want->rc);
    assert_int_equal(priv(&h)->state, want->next);
    assert_int_equal(h.nfreed - freed, want->freed);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &after), 0);
    assert_int_equal(after.events, before.events + 1);
    if (ev == VCCW_EV_SSCH && want->rc == -EBUSY)
        /* refused without touching the host: nothing translated */
        assert_int_equal(after.cp_translated, before.cp_translated);
    if (ev == VCCW_EV_SSCH && want->rc == 0)
        assert_int_equal(after.cp_live, 1);
    /* no program survives an event that ended the start */
    if (want->next == P || want->next == C || want->next == N)
        assert_int_equal(after.cp_live, 0);
    /* A program is never freed under a running host start.  Not checked
     * for the events this walk fabricates (interruptions and not-oper are
     * dispatched while the host still runs the start; the real ones come
     * only after it ended or vanished: test_threads covers those). */
    if (ev != VCCW_EV_NOT_OPER && ev != VCCW_EV_IRQ_FINAL &&
        ev != VCCW_EV_IRQ_STALE)
        assert_int_equal(h.bad_frees, 0);
    if (ev == VCCW_EV_SSCH && want->rc != 0)
        assert_int_equal(h.dev.commands, cmds);
    vh_teardown(&h);
}

static void
every_cell_of_the_table(void **state)
{
#ifdef ZV_REGRESS_2020
    skip(); /* the 2020 table is a different one, on purpose */
#endif
    for (unsigned s = 0; s < VCCW_NR_STATES; s++)
        for (unsigned e = 0; e < VCCW_NR_EVENTS; e++)
            walk_cell((enum vccw_state)s, (enum vccw_event)e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_cell_of_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
