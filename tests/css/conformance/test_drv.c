/* SPDX-License-Identifier: MIT */
/* Driver model: bind/probe/remove, irq delivery, sch and chp events,
 * refcounting (css.h "driver model"). */
#include "harness.h"

#include <errno.h>
#include <string.h>

#define T(f) cmocka_unit_test_setup_teardown(f, drv_setup, h_teardown)

/* What a driver saw, in order. */
struct rec {
    int probe_rc;
    unsigned probes, removes, irqs, gone, params, chp_events;
    struct irb last_irb;
    uint8_t last_chpid, last_mask;
    enum css_chp_event last_chp_ev;
    char log[64]; /* one letter per callback */
    size_t n;
    bool unbind_in_irq;
};

static struct rec rec;

static void
rec_log(char c)
{
    if (rec.n + 1 < sizeof(rec.log))
        rec.log[rec.n++] = c;
}

static int
d_probe(struct subchannel *sch)
{
    rec.probes++;
    rec_log('p');
    css_sch_set_drvdata(sch, &rec);
    return rec.probe_rc;
}

static void
d_remove(struct subchannel *sch)
{
    rec.removes++;
    rec_log('r');
    assert_ptr_equal(css_sch_drvdata(sch), &rec);
}

static void
d_irq(struct subchannel *sch, const struct irb *irb)
{
    rec.irqs++;
    rec_log('i');
    rec.last_irb = *irb;
    if (rec.unbind_in_irq)
        css_sch_unbind(sch);
}

static void
d_sch_event(struct subchannel *sch, enum css_sch_event ev)
{
    rec_log('s');
    if (ev == CSS_SCH_GONE)
        rec.gone++;
    else
        rec.params++;
}

static void
d_chp_event(struct subchannel *sch, uint8_t chpid, uint8_t mask,
            enum css_chp_event ev)
{
    rec_log('c');
    rec.chp_events++;
    rec.last_chpid = chpid;
    rec.last_mask = mask;
    rec.last_chp_ev = ev;
}

static const struct css_driver drv = {
    .name = "test",
    .probe = d_probe,
    .remove = d_remove,
    .irq = d_irq,
    .sch_event = d_sch_event,
    .chp_event = d_chp_event,
};

static int
drv_setup(void **state)
{
    memset(&rec, 0, sizeof(rec));
    return h_setup(state);
}

static void
drv_bind_calls_probe_and_unbind_calls_remove(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    assert_int_equal(rec.probes, 1);
    assert_ptr_equal(css_sch_driver(h->sch[0]), &drv);
    css_sch_unbind(h->sch[0]);
    assert_int_equal(rec.removes, 1);
    assert_null(css_sch_driver(h->sch[0]));
    assert_null(css_sch_drvdata(h->sch[0]));
    css_sch_unbind(h->sch[0]); /* no-op when unbound */
    assert_int_equal(rec.removes, 1);
}

static void
drv_probe_refusal_leaves_unbound(void **state)
{
    struct h *h = *state;

    rec.probe_rc = -EOPNOTSUPP;
    assert_int_equal(css_sch_bind(h->sch[0], &drv), -EOPNOTSUPP);
    assert_null(css_sch_driver(h->sch[0]));
    assert_int_equal(rec.removes, 0);
}

static void
drv_bind_twice_ebusy(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    assert_int_equal(css_sch_bind(h->sch[0], &drv), -EBUSY);
    assert_int_equal(rec.probes, 1);
}

static void
drv_irq_delivered_from_loop_with_tsch_done(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    assert_int_equal(rec.irqs, 0); /* never inside the instruction */
    h_run(h);
    assert_int_equal(rec.irqs, 1);
    assert_int_equal(rec.last_irb.scsw.fctl, SCSW_FCTL_START);
    assert_int_equal(rec.last_irb.scsw.stctl, SCSW_STCTL_PRIMARY |
                                                  SCSW_STCTL_SECOND |
                                                  SCSW_STCTL_PENDING);
    /* The handler's TSCH cleared the status. */
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC0);
}

static void
drv_direct_forms_drive_a_program(void **state)
{
    struct h *h = *state;
    struct subchannel *sch = h->sch[1];
    struct schib s;
    struct orb o;

    assert_int_equal(css_sch_bind(sch, &drv), 0);
    assert_cc(css_sch_stsch(sch, &s), ZV_CC0);
    s.pmcw.ena = true;
    assert_cc(css_sch_msch(sch, &s), ZV_CC0);
    h_orb_default(&o);
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(css_sch_ssch(sch, &o), ZV_CC0);
    assert_cc(css_sch_ssch(sch, &o), ZV_CC2);
    o.b = true;
    assert_pic(css_sch_ssch(sch, &o), ZV_PIC_OPERAND);
    h_run(h);
    assert_int_equal(rec.irqs, 1);
    assert_int_equal(rec.last_irb.scsw.dstat,
                     DEV_STAT_CHN_END | DEV_STAT_DEV_END);
}

static void
drv_no_irq_when_program_took_status_first(void **state)
{
    struct h *h = *state;
    struct irb irb;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    /* Run just to the ending status, then TSCH before the delivery. */
    while (!(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING))
        zv_loop_run_once(h->loop, 0);
    assert_cc(h_tsch(h, 0, &irb), ZV_CC0);
    h_run(h);
    assert_int_equal(rec.irqs, 0);
}

static void
drv_irq_delivered_after_tpi_took_the_interruption(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    while (!(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING))
        zv_loop_run_once(h->loop, 0);
    assert_cc(css_insn_tpi(h->css, H_TPI), ZV_CC1);
    h_run(h);
    assert_int_equal(rec.irqs, 1);
    assert_int_equal(h_scsw(h, 0)->stctl, 0);
}

static void
drv_no_callback_after_unbind(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    assert_int_equal(css_chp_vary(h->css, H_CHP0, false), 0);
    css_sch_unbind(h->sch[0]);
    h_run(h);
    assert_int_equal(rec.irqs, 0);
    assert_int_equal(rec.chp_events, 0);
    /* The status waits for the program. */
    assert_true(h_scsw(h, 0)->stctl & SCSW_STCTL_PENDING);
}

static void
drv_bind_delivers_status_already_pending(void **state)
{
    struct h *h = *state;

    h_make_state(h, 0, HS_STATUS_PENDING);
    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_run(h);
    assert_int_equal(rec.irqs, 1);
}

static void
drv_unbind_inside_irq_is_safe(void **state)
{
    struct h *h = *state;

    rec.unbind_in_irq = true;
    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    h_run(h);
    assert_string_equal(rec.log, "pir");
}

static void
drv_undefine_delivers_gone_then_remove(void **state)
{
    struct h *h = *state;
    struct subchannel *sch = h->sch[0];

    assert_int_equal(css_sch_bind(sch, &drv), 0);
    css_sch_get(sch);
    h_make_state(h, 0, HS_ACTIVE);
    assert_int_equal(css_sch_undefine(h->css, sch), 0);
    assert_true(css_sch_gone(sch));
    assert_int_equal(rec.removes, 0);
    assert_int_equal(css_sch_undefine(h->css, sch), -ENODEV);
    h_run(h);
    assert_string_equal(rec.log, "psr");
    assert_int_equal(rec.irqs, 0);
    /* The reference keeps the memory; the number answers cc 3. */
    assert_int_equal(css_sch_no(sch), 0);
    assert_int_equal(css_sch_bind(sch, &drv), -ENODEV);
    assert_cc(css_sch_ssch(sch, &(struct orb){.fmt = true, .lpm = 0xFF}),
              ZV_CC3);
    assert_cc(css_insn_stsch(h->css, h_gr1(0), H_SCHIB), ZV_CC3);
    css_sch_put(sch);
}

static void
drv_chp_event_for_configure_off(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[2], &drv), 0);
    assert_int_equal(css_chp_configure(h->css, H_CHP1, false), 0);
    assert_int_equal(rec.chp_events, 0);
    h_run(h);
    assert_int_equal(rec.chp_events, 1);
    assert_int_equal(rec.last_chpid, H_CHP1);
    assert_int_equal(rec.last_mask, 0x40);
    assert_int_equal(rec.last_chp_ev, CSS_CHP_CONFIG_OFF);
}

static void
drv_chp_event_for_vary(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[2], &drv), 0);
    assert_int_equal(css_chp_vary(h->css, H_CHP0, false), 0);
    h_run(h);
    assert_int_equal(rec.last_chp_ev, CSS_CHP_VARY_OFF);
    assert_int_equal(rec.last_mask, 0x80);
    assert_int_equal(css_chp_set_failed(h->css, H_CHP0, true), 0);
    h_run(h);
    assert_int_equal(rec.last_chp_ev, CSS_CHP_FAILED);
    assert_int_equal(rec.chp_events, 2);
}

static void
drv_identity_getters(void **state)
{
    struct h *h = *state;
    struct subchannel *sch = h->sch[3];
    struct schid id = css_sch_schid(sch);

    assert_int_equal(css_sch_ssid(sch), 0);
    assert_int_equal(css_sch_no(sch), 3);
    assert_int_equal(id.sch_no, 3);
    assert_int_equal(css_sch_devno(sch), H_DEVNO + 3);
    assert_false(css_sch_is_qdio(sch));
    assert_ptr_equal(css_sch_css(sch), h->css);
    assert_ptr_equal(css_sch_find(h->css, 0, 3), sch);
    assert_ptr_equal(css_loop(h->css), h->loop);
    assert_ptr_equal(css_storage(h->css), h->as);
}

static void
drv_css_free_removes_bound_drivers(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    assert_int_equal(css_sch_bind(h->sch[1], &drv), 0);
    h_enable(h, 0, 3);
    h_start_nop(h, 0);
    css_free(h->css);
    h->css = css_new(h->loop, h->as, NULL);
    assert_int_equal(rec.removes, 2);
    assert_int_equal(rec.irqs, 0);
    h_run(h);
    assert_int_equal(rec.irqs, 0);
}

static void
drv_css_free_after_undefine_still_removes(void **state)
{
    struct h *h = *state;

    assert_int_equal(css_sch_bind(h->sch[0], &drv), 0);
    assert_int_equal(css_sch_undefine(h->css, h->sch[0]), 0);
    css_free(h->css);
    h->css = css_new(h->loop, h->as, NULL);
    assert_int_equal(rec.removes, 1);
    h_run(h);
    assert_int_equal(rec.gone, 0);
    assert_int_equal(rec.removes, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(drv_bind_calls_probe_and_unbind_calls_remove),
        T(drv_probe_refusal_leaves_unbound),
        T(drv_bind_twice_ebusy),
        T(drv_irq_delivered_from_loop_with_tsch_done),
        T(drv_direct_forms_drive_a_program),
        T(drv_no_irq_when_program_took_status_first),
        T(drv_irq_delivered_after_tpi_took_the_interruption),
        T(drv_no_callback_after_unbind),
        T(drv_bind_delivers_status_already_pending),
        T(drv_unbind_inside_irq_is_safe),
        T(drv_undefine_delivers_gone_then_remove),
        T(drv_chp_event_for_configure_off),
        T(drv_chp_event_for_vary),
        T(drv_identity_getters),
        T(drv_css_free_removes_bound_drivers),
        T(drv_css_free_after_undefine_still_removes),
    };

    return cmocka_run_group_tests_name("drv", tests, NULL, NULL);
}
