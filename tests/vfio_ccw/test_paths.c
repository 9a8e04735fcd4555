/* SPDX-License-Identifier: MIT */
/*
 * vfio-ccw channel paths: every path event kind updates the SCHIB region
 * view and queues a channel-path CRW (css-pop.md §2.6, §6); the CRW queue
 * is bounded and reports a loss with the R bit; path loss during I/O.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static struct crw
next_crw(struct vh *h)
{
    struct crw crw;

    crw_from_word(&crw, vh_read_crw(h));
    return crw;
}

static void
expect_crw(struct vh *h, uint8_t erc, uint8_t chpid)
{
    struct crw crw = next_crw(h);

    assert_int_equal(crw.rsc, CRW_RSC_CPATH);
    assert_int_equal(crw.erc, erc);
    assert_int_equal(crw.rsid, chpid);
    assert_false(crw.oflw);
}

static void
every_path_event_kind_queues_a_crw(void **st)
{
    struct vh h;
    unsigned crw_irqs;

    vh_setup(&h);
    assert_int_equal(vh_read_crw(&h), 0); /* empty */
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, false), 0);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, true), 0);
    assert_int_equal(css_chp_configure(h.css, VH_CHPID1, false), 0);
    assert_int_equal(css_chp_configure(h.css, VH_CHPID1, true), 0);
    assert_int_equal(css_chp_set_failed(h.css, VH_CHPID1, true), 0);
    assert_int_equal(css_chp_set_failed(h.css, VH_CHPID1, false), 0);
    vh_run(&h);
    crw_irqs = h.irqs[ZV_VFIO_CCW_CRW_IRQ_INDEX];
    assert_true(crw_irqs >= 1);
    expect_crw(&h, CRW_ERC_PERRN, VH_CHPID0); /* vary off */
    expect_crw(&h, CRW_ERC_INIT, VH_CHPID0);  /* vary on */
    expect_crw(&h, CRW_ERC_PERRN, VH_CHPID1); /* configure off */
    expect_crw(&h, CRW_ERC_INIT, VH_CHPID1);  /* configure on */
    expect_crw(&h, CRW_ERC_PERRI, VH_CHPID1); /* failed */
    expect_crw(&h, CRW_ERC_INIT, VH_CHPID1);  /* restored */
    vh_run(&h);
    /* re-signalled while non-empty, quiet once empty */
    assert_true(h.irqs[ZV_VFIO_CCW_CRW_IRQ_INDEX] > crw_irqs);
    crw_irqs = h.irqs[ZV_VFIO_CCW_CRW_IRQ_INDEX];
    assert_int_equal(vh_read_crw(&h), 0);
    vh_run(&h);
    assert_int_equal(h.irqs[ZV_VFIO_CCW_CRW_IRQ_INDEX], crw_irqs);
    vh_teardown(&h);
}

static void
crw_queue_overflow_sets_r_bit_instead_of_dropping_silently(void **st)
{
    struct zv_vfio_ccw_counters cnt;
    struct crw crw;
    struct vh h;
    unsigned events = ZV_VFIO_CCW_CRWQ_MAX + 4;

    vh_setup(&h);
    for (unsigned i = 0; i < events; i++)
        assert_int_equal(css_chp_vary(h.css, VH_CHPID0, i % 2 != 0), 0);
    vh_run(&h);
    assert_int_equal(zv_vfio_ccw_counters(h.vd, &cnt), 0);
    assert_int_equal(cnt.crw_queued, ZV_VFIO_CCW_CRWQ_MAX);
    assert_int_equal(cnt.crw_lost, 4);
    for (unsigned i = 0; i < ZV_VFIO_CCW_CRWQ_MAX; i++) {
        crw = next_crw(&h);
        assert_int_equal(crw.rsc, CRW_RSC_CPATH);
        assert_int_equal(crw.erc, i % 2 ? CRW_ERC_INIT : CRW_ERC_PERRN);
        assert_false(crw.oflw);
    }
    /* after the gap: the newest lost report, flagged "CRWs were lost" */
    crw = next_crw(&h);
    assert_true(crw.oflw);
    assert_int_equal(crw.erc, (events - 1) % 2 ? CRW_ERC_INIT : CRW_ERC_PERRN);
    assert_int_equal(vh_read_crw(&h), 0);
    vh_teardown(&h);
}

static void
schib_region_shows_path_masks_seen_through_the_mediator(void **st)
{
    struct schib schib;
    struct vh h;

    vh_setup(&h);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pim, 0xC0);
    assert_int_equal(schib.pmcw.pam, 0xC0);
    assert_int_equal(schib.pmcw.dev, VH_DEVNO);
    assert_int_equal(schib.pmcw.chpid[0], VH_CHPID0);
    assert_true(schib.pmcw.ena);
    assert_int_equal(css_chp_configure(h.css, VH_CHPID1, false), 0);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, false), 0);
    vh_run(&h);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pam, 0x00);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, true), 0);
    assert_int_equal(css_chp_configure(h.css, VH_CHPID1, true), 0);
    vh_run(&h);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pam, 0xC0);
    vh_teardown(&h);
}

static void
path_lost_during_io_ends_it_and_keeps_the_guest_view(void **st)
{
    struct schib schib;
    struct irb irb;
    struct vh h;

    vh_setup_busy(&h);
    assert_int_equal(css_chp_set_failed(h.css, VH_CHPID0, true), 0);
    assert_int_equal(css_chp_set_failed(h.css, VH_CHPID1, true), 0);
    vh_run(&h);
    /* the host ended the I/O (IFCC or deferred cc 3): final status */
    assert_string_equal(vh_state(&h), "status-pending");
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.bad_frees, 0);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_true(irb.scsw.cstat & SCHN_STAT_INTF_CTRL_CHK || irb.scsw.cc == 3);
    /* the client still sees which paths are gone */
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pom & 0xC0, 0);
    expect_crw(&h, CRW_ERC_PERRI, VH_CHPID0);
    expect_crw(&h, CRW_ERC_PERRI, VH_CHPID1);
    /* the device still finishes the command the channel gave up on */
    if (h.dev.held)
        vh_dev_release(&h, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_run(&h);
    /* no path left for a new start */
    h.dev.hold = false;
    assert_int_equal(vh_ssch(&h, 0x02, 64), -EACCES);
    assert_int_equal(css_chp_set_failed(h.css, VH_CHPID1, false), 0);
    vh_run(&h);
    assert_int_equal(vh_ssch(&h, 0x02, 64), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    vh_teardown(&h);
}

static void
host_msch_enable(struct vh *h, bool ena)
{
    struct schib schib;

    assert_int_equal(css_sch_stsch(h->sch, &schib).cc, ZV_CC0);
    schib.pmcw.ena = ena;
    assert_int_equal(css_sch_msch(h->sch, &schib).cc, ZV_CC0);
}

/* Host SSCH cc 3 (vfio-ccw.md §2.4.2): the tried paths leave the logical
 * path mask; -EACCES while other paths remain, -ENODEV when none; the
 * client's SCHIB view keeps PNOM/N and POM for the paths gone. */
static void
ssch_host_cc3_maps_like_the_kernel_and_keeps_the_view(void **st)
{
    struct schib schib;
    struct orb orb;
    struct irb irb;
    struct vh h;
    struct ccw1 ccw = {.cmd = 0x02,
                       .flags = CCW_FLAG_SLI,
                       .count = 16,
                       .cda = (uint32_t)VH_DATA_ADDR};

    vh_setup(&h);
    ccw1_encode(&ccw, h.guest + (VH_CCW_ADDR - VH_GUEST_IOVA));
    host_msch_enable(&h, false); /* behind the mediator's back: cc 3 */
    vh_orb(&orb);
    orb.lpm = 0x80;
    assert_int_equal(vh_ssch_orb(&h, &orb), -EACCES);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_int_equal(schib.pmcw.pnom, 0x80);
    assert_true(schib.scsw.pno);
    assert_int_equal(schib.pmcw.pom & 0x80, 0);
    /* that path is out of the mask now: refused without the host */
    assert_int_equal(vh_ssch_orb(&h, &orb), -EACCES);
    orb.lpm = 0xC0;
    assert_int_equal(vh_ssch_orb(&h, &orb), -ENODEV);
    assert_int_equal(h.nfreed, 2); /* the refusal built no program */
    assert_string_equal(vh_state(&h), "idle");
    /* the host is fine again and the paths come back */
    host_msch_enable(&h, true);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID0, true), 0);
    assert_int_equal(css_chp_vary(h.css, VH_CHPID1, true), 0);
    vh_run(&h);
    assert_int_equal(vh_ssch_orb(&h, &orb), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(vh_read_schib(&h, &schib), 0);
    assert_false(schib.scsw.pno);
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_path_event_kind_queues_a_crw),
        cmocka_unit_test(
            crw_queue_overflow_sets_r_bit_instead_of_dropping_silently),
        cmocka_unit_test(
            schib_region_shows_path_masks_seen_through_the_mediator),
        cmocka_unit_test(path_lost_during_io_ends_it_and_keeps_the_guest_view),
        cmocka_unit_test(ssch_host_cc3_maps_like_the_kernel_and_keeps_the_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
