/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw: the two queues between the host and the client, pushed past
 * their depth by a client that does not read and a host that interrupts
 * faster than the mediator's deferred work runs (principle 3: status is
 * queued, never overwritten; the final status of a start is never lost).
 *
 *  - the status queue for the client (ZV_VFIO_CCW_IRBQ_MAX deep):
 *    intermediate status may give way when it is full, counted in
 *    irb_dropped; the start's final status always gets in, after what is
 *    kept, in order;
 *  - the ring of host IRBs taken by irq() and handled by the io work
 *    (VCCW_HIRB_MAX deep): a burst longer than the ring arrives whole and
 *    in order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vfio_ccw/vfio_ccw_priv.h"

static struct vccw_private *
priv(struct vh *h)
{
    return zv_vdev_drvdata(h->vd);
}

static struct zv_vfio_ccw_counters
counters(struct vh *h)
{
    struct zv_vfio_ccw_counters c;

    assert_int_equal(zv_vfio_ccw_counters(h->vd, &c), 0);
    return c;
}

/* n command-chained reads of 16 bytes each at VH_CCW_ADDR, every one with
 * PCI: the host presents an intermediate interruption per CCW. */
static void
build_pci_chain(struct vh *h, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct ccw1 ccw = {.cmd = 0x02,
                           .flags = CCW_FLAG_SLI | CCW_FLAG_PCI |
                                    (i + 1 < n ? CCW_FLAG_CC : 0),
                           .count = 16,
                           .cda = (uint32_t)(VH_DATA_ADDR + 16 * i)};

        ccw1_encode(&ccw, h->guest + (VH_CCW_ADDR - VH_GUEST_IOVA) + 8 * i);
    }
}

static bool
irb_is_intermediate(const struct irb *irb)
{
    return (irb->scsw.stctl & SCSW_STCTL_INTER) &&
           !(irb->scsw.stctl & SCSW_STCTL_PRIMARY) &&
           (irb->scsw.actl & SCSW_ACTL_SCH_ACTIVE);
}

/* Read every queued IRB; returns how many, the last one in *last. */
static unsigned
drain(struct vh *h, struct irb *seen, unsigned max)
{
    unsigned n = 0;

    while (priv(h)->irbq_len) {
        assert_true(n < max);
        assert_int_equal(vh_read_irb(h, &seen[n]), 0);
        n++;
        vh_run(h);
    }
    return n;
}

/*
 * 24 PCIs (each presented by the host while the device works on the next
 * CCW) and the final status, while the client reads nothing: the queue
 * is full; what gave way is intermediate status only, counted; the last
 * IRB read is the start's final status with the guest CPA after the last
 * CCW; the intermediate ones come out in program order.
 */
static void
status_queue_full_keeps_final_status(void **st)
{
    enum { NCCW = 24 };
    struct irb seen[ZV_VFIO_CCW_IRBQ_MAX + 1];
    struct zv_vfio_ccw_counters c;
    struct orb orb;
    struct irb *fin;
    unsigned n;
    struct vh h;

    vh_setup(&h);
    build_pci_chain(&h, NCCW);
    vh_orb(&orb);
    assert_int_equal(vh_ssch_orb(&h, &orb), 0);
    vh_run(&h);
    assert_int_equal(h.dev.commands, NCCW);
    c = counters(&h);
    /* the precondition: the host presented more than the queue holds */
    assert_int_equal(c.irb_queued, ZV_VFIO_CCW_IRBQ_MAX);
    assert_true(c.irb_dropped >= 1);
    assert_int_equal(h.nfreed, 1); /* the start ended */

    n = drain(&h, seen, ZV_VFIO_CCW_IRBQ_MAX + 1);
    assert_int_equal(n, ZV_VFIO_CCW_IRBQ_MAX);
    for (unsigned i = 0; i + 1 < n; i++) {
        assert_true(irb_is_intermediate(&seen[i]));
        assert_true(seen[i].scsw.cstat & SCHN_STAT_PCI);
        assert_int_equal(seen[i].scsw.fctl, SCSW_FCTL_START);
        /* guest CPAs inside the program, in program order */
        assert_true(seen[i].scsw.cpa > VH_CCW_ADDR);
        assert_true(seen[i].scsw.cpa <= VH_CCW_ADDR + 8 * NCCW);
        if (i)
            assert_true(seen[i].scsw.cpa > seen[i - 1].scsw.cpa);
    }
    fin = &seen[n - 1];
    assert_int_equal(fin->scsw.fctl, SCSW_FCTL_START);
    assert_true(fin->scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_true(fin->scsw.stctl & SCSW_STCTL_SECOND);
    assert_int_equal(fin->scsw.actl & SCSW_ACTL_SCH_ACTIVE, 0);
    assert_int_equal(fin->scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(fin->scsw.cpa, VH_CCW_ADDR + 8 * NCCW);
    assert_int_equal(fin->scsw.count, 0);

    /* status consumed: the composite is idle, the next start goes */
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(vh_read_irb(&h, &seen[0]), 0);
    assert_int_equal(seen[0].scsw.stctl, 0);
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &seen[0]), 0);
    assert_int_equal(seen[0].scsw.cpa, VH_CCW_ADDR + 8);
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

/* A host IRB handed to the mediator as the css irq() callback does. */
static void
host_irq(struct vh *h, uint8_t stctl, uint8_t dstat, uint16_t tag)
{
    struct irb irb;

    memset(&irb, 0, sizeof(irb));
    irb.scsw.stctl = stctl;
    irb.scsw.dstat = dstat;
    irb.scsw.count = tag; /* unsolicited: passed through unchanged */
    vccw_irq(priv(h), &irb);
}

/*
 * The same with unsolicited (alert) status while the start runs: 20 of
 * them, then the device ends the start.  The first 15 unsolicited ones
 * come out in order, then the final status; 5 + 1 counted as dropped.
 */
static void
status_queue_full_of_unsolicited_keeps_final_status(void **st)
{
    enum { NUNSOL = 20 };
    struct irb seen[ZV_VFIO_CCW_IRBQ_MAX + 1];
    struct zv_vfio_ccw_counters c;
    unsigned n;
    struct vh h;

    vh_setup_busy(&h);
    for (unsigned i = 0; i < NUNSOL; i++) {
        host_irq(&h, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING, DEV_STAT_ATTENTION,
                 (uint16_t)(i + 1));
        vh_run(&h);
        assert_string_equal(vh_state(&h), "start");
    }
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    c = counters(&h);
    assert_int_equal(c.irb_queued, ZV_VFIO_CCW_IRBQ_MAX);
    assert_int_equal(c.irb_dropped, NUNSOL + 1 - ZV_VFIO_CCW_IRBQ_MAX);
    assert_string_equal(vh_state(&h), "status-pending");

    n = drain(&h, seen, ZV_VFIO_CCW_IRBQ_MAX + 1);
    assert_int_equal(n, ZV_VFIO_CCW_IRBQ_MAX);
    for (unsigned i = 0; i + 1 < n; i++) {
        assert_int_equal(seen[i].scsw.fctl, 0);
        assert_int_equal(seen[i].scsw.dstat, DEV_STAT_ATTENTION);
        assert_int_equal(seen[i].scsw.count, i + 1);
    }
    assert_int_equal(seen[n - 1].scsw.fctl, SCSW_FCTL_START);
    assert_true(seen[n - 1].scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_int_equal(seen[n - 1].scsw.cpa, VH_CCW_ADDR + 8);
    assert_string_equal(vh_state(&h), "idle");
    vh_teardown(&h);
}

/*
 * More host interruptions than the ring holds (VCCW_HIRB_MAX) arrive
 * before the deferred work runs: every one reaches the client, in the
 * order the host presented them, and the final status that ends the
 * burst frees the program and ends the start.
 */
static void
host_irqs_burst_all_delivered_in_order(void **st)
{
    enum { NBURST = 2 * VCCW_HIRB_MAX - 3 }; /* 13: over the ring, fits q */
    struct irb seen[ZV_VFIO_CCW_IRBQ_MAX + 1];
    unsigned n;
    struct vh h;

    vh_setup_busy(&h);
    assert_true(NBURST + 1 <= ZV_VFIO_CCW_IRBQ_MAX);
    for (unsigned i = 0; i < NBURST; i++)
        host_irq(&h, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING, DEV_STAT_ATTENTION,
                 (uint16_t)(i + 1));
    /* nothing ran in between: the io work is still to come */
    assert_true(priv(&h)->io_work_posted);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(counters(&h).irb_queued, NBURST);
    assert_int_equal(counters(&h).irb_dropped, 0);

    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    n = drain(&h, seen, ZV_VFIO_CCW_IRBQ_MAX + 1);
    assert_int_equal(n, NBURST + 1);
    for (unsigned i = 0; i < NBURST; i++) {
        assert_int_equal(seen[i].scsw.fctl, 0);
        assert_int_equal(seen[i].scsw.count, i + 1);
    }
    assert_int_equal(seen[NBURST].scsw.fctl, SCSW_FCTL_START);
    assert_true(seen[NBURST].scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_int_equal(h.nfreed, 1);
    vh_teardown(&h);
}

/*
 * A burst that carries the start's own final status in the middle (the
 * device ended while the work was still to come) and unsolicited status
 * after it: the final status frees the program exactly once, the status
 * after it is kept, all in order.
 */
static void
host_irqs_burst_with_final_in_the_middle(void **st)
{
    enum { NBURST = VCCW_HIRB_MAX + 4, FINAL_AT = VCCW_HIRB_MAX + 1 };
    struct irb seen[ZV_VFIO_CCW_IRBQ_MAX + 1];
    struct irb fin;
    unsigned n;
    struct vh h;

    vh_setup_busy(&h);
    /* The host's real final status: let the device end, take the IRB the
     * host would hand to irq() (TSCH), and replay it inside the burst. */
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    while (!priv(&h)->hirb_len)
        assert_int_equal(zv_loop_run_once(h.loop, 0), 1);
    fin = priv(&h)->hirb[priv(&h)->hirb_head];
    priv(&h)->hirb_len = 0; /* handed over again below, in its place */
    for (unsigned i = 0; i < NBURST; i++) {
        if (i == FINAL_AT)
            vccw_irq(priv(&h), &fin);
        else
            host_irq(&h, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING,
                     DEV_STAT_ATTENTION, (uint16_t)(i + 1));
    }
    vh_run(&h);
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_START_ENDED);
    n = drain(&h, seen, ZV_VFIO_CCW_IRBQ_MAX + 1);
    assert_int_equal(n, NBURST);
    for (unsigned i = 0; i < NBURST; i++) {
        if (i == FINAL_AT) {
            assert_int_equal(seen[i].scsw.fctl, SCSW_FCTL_START);
            assert_int_equal(seen[i].scsw.cpa, VH_CCW_ADDR + 8);
            continue;
        }
        assert_int_equal(seen[i].scsw.fctl, 0);
        assert_int_equal(seen[i].scsw.count, i + 1);
    }
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(h.bad_frees, 0);
    vh_teardown(&h);
}

/*
 * A client that reads the I/O region ahead of its IO eventfd (chan_vfu
 * reads it in the same exchange as the SSCH) counts the statuses it took
 * against the interrupts it will see.  That holds only if every status a
 * read returns was signalled before the read, also when the client reads
 * back to back and the re-kick after the previous read is still posted:
 * else two statuses share one interrupt and the second is never asked for.
 */
static void
every_status_a_read_returns_was_signalled_first(void **st)
{
    struct vh h;
    struct irb irb;
    unsigned base, got = 0;

    /* three unsolicited statuses and the final one, presented before the
     * deferred work runs: queued in one turn, one kick for all */
    vh_setup_busy(&h);
    base = h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
    for (unsigned i = 0; i < 3; i++)
        host_irq(&h, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING, DEV_STAT_ATTENTION,
                 (uint16_t)(i + 1));
    vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    assert_int_equal(priv(&h)->irbq_len, 4);
    /* no loop turn between the reads: the posted re-kicks have not run */
    for (;;) {
        assert_int_equal(vh_read_irb(&h, &irb), 0);
        if (!irb.scsw.stctl)
            break;
        got++;
        assert_true(h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] - base >= got);
    }
    assert_int_equal(got, 4);
    assert_int_equal(irb.scsw.stctl, 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "idle");
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_status_a_read_returns_was_signalled_first),
        cmocka_unit_test(status_queue_full_keeps_final_status),
        cmocka_unit_test(status_queue_full_of_unsolicited_keeps_final_status),
        cmocka_unit_test(host_irqs_burst_all_delivered_in_order),
        cmocka_unit_test(host_irqs_burst_with_final_in_the_middle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
