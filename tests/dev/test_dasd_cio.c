/* SPDX-License-Identifier: MIT */
/*
 * What Linux's common I/O layer sends before a DASD driver runs, on both
 * device types, through the host CSS: Sense ID, SNID/SPID, Sense (basic
 * and concurrent, 24 and 32 bytes), No-op, RCD, and injected faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dev_harness.h"

static const struct dh_opts basic = {.seed = 1, .csense = false};
static const struct dh_opts conc = {.seed = 1, .csense = true};

static void
assert_status(const struct dh *h, uint8_t dstat, uint8_t cstat)
{
    assert_int_equal(h->irb.scsw.cc, 0);
    assert_int_equal(h->irb.scsw.dstat, dstat);
    assert_int_equal(h->irb.scsw.cstat, cstat);
}

static void
sense_id_fba_is_6310_9336_without_ciws(void **state)
{
    static const uint8_t want[] = {0xFF, 0x63, 0x10, 0x01, 0x93, 0x36, 0x00};
    struct dh *h = dh_new_fba(64, &basic);

    assert_non_null(h);
    memset(h->buf, 0xAA, 64);
    dh_ccw(h, 0xE4, CCW_FLAG_SLI, 40, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_memory_equal(h->buf, want, sizeof(want));
    assert_int_equal(h->irb.scsw.count, 40 - 7);
    assert_int_equal(h->buf[7], 0xAA);
    dh_free(h);
}

static void
sense_id_eckd_is_3990_3390_with_rcd_ciw(void **state)
{
    static const uint8_t want[] = {0xFF, 0x39, 0x90, 0xEC, 0x33, 0x90,
                                   0x02, 0x00, 0x40, 0xFA, 0x01, 0x00};
    struct dh *h = dh_new_eckd(0, 10, false, &basic);

    assert_non_null(h);
    dh_ccw(h, 0xE4, CCW_FLAG_SLI, 40, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_memory_equal(h->buf, want, sizeof(want));
    assert_int_equal(h->irb.scsw.count, 40 - 12);
    dh_free(h);
}

/* The model byte comes from the configuration when given (images of
 * full 3390-3/-9 size are too big for a unit test); RDC agrees. */
static void
sense_id_eckd_model_byte_from_config(void **state)
{
    static const struct {
        uint8_t model, unit;
    } m[] = {{0x06, 0x27}, {0x0A, 0x24}, {0x0C, 0x32}};

    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        struct dh_opts o = basic;
        struct dh *h;

        o.cfg.model = m[i].model;
        h = dh_new_eckd(0, 10, false, &o);
        assert_non_null(h);
        dh_ccw(h, 0xE4, CCW_FLAG_SLI, 40, 0);
        assert_int_equal(dh_run(h), 0);
        assert_int_equal(h->buf[6], m[i].model);
        dh_ccw(h, 0x64, 0, 64, 0);
        assert_int_equal(dh_run(h), 0);
        assert_int_equal(h->buf[5], m[i].model);
        assert_int_equal(h->buf[11], m[i].unit);
        dh_free(h);
    }
}

static void
snid_spid_establish_then_resign(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &basic);
    static const uint8_t pgid[11] = {0x00, 0x01, 0x12, 0x34, 0x56, 0x39,
                                     0x06, 0xAA, 0xBB, 0xCC, 0xDD};

    assert_non_null(h);
    dh_ccw(h, 0x34, 0, 12, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(h->buf[i], 0);
    /* establish, multipath */
    h->buf[0] = 0x80;
    memcpy(h->buf + 1, pgid, 11);
    dh_ccw(h, 0xAF, 0, 12, 0);
    assert_int_equal(dh_run_lpm(h, 0x80), 0);
    assert_status(h, DH_OK, 0);
    memset(h->buf, 0, 12);
    dh_ccw(h, 0x34, 0, 12, 0);
    assert_int_equal(dh_run_lpm(h, 0x40), 0);
    assert_int_equal(h->buf[0], 0xC8);
    assert_memory_equal(h->buf + 1, pgid, 11);
    /* resign */
    h->buf[0] = 0x40;
    dh_ccw(h, 0xAF, 0, 12, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    dh_ccw(h, 0x34, 0, 12, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->buf[0], 0x00);
    dh_free(h);
}

static void
spid_chained_is_command_reject_sequence(void **state)
{
    struct dh *h = dh_new_fba(64, &conc);

    assert_non_null(h);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0xAF, CCW_FLAG_SLI, 12, 64);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 1) + 8);
    assert_true(h->irb.scsw.ectl);
    assert_true(h->irb.esw.erw.s);
    assert_int_equal(h->irb.esw.erw.scnt, 24);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[7], 0x02);
    dh_free(h);
}

static void
spid_short_data_is_command_reject_count(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &conc);

    assert_non_null(h);
    dh_ccw(h, 0xAF, CCW_FLAG_SLI, 8, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[7], 0x03);
    assert_int_equal(h->irb.ecw[27], 0x80);
    dh_free(h);
}

static void
nop_ends_with_ce_de(void **state)
{
    struct dh *h = dh_new_fba(64, &basic);

    assert_non_null(h);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 1) + 8);
    assert_int_equal(dev_dasd_commands(h->dev), 2);
    dh_free(h);
}

static void
basic_sense_fba_24_bytes_then_cleared(void **state)
{
    struct dh *h = dh_new_fba(64, &basic);

    assert_non_null(h);
    dh_ccw(h, 0xF3, 0, 0, 0); /* not an FBA command */
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_false(h->irb.scsw.ectl);
    memset(h->buf, 0xAA, 32);
    dh_ccw(h, 0x04, CCW_FLAG_SLI, 32, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_int_equal(h->irb.scsw.count, 32 - 24);
    assert_int_equal(h->buf[0], 0x80);
    assert_int_equal(h->buf[7], 0x01);
    assert_int_equal(h->buf[24], 0xAA);
    dh_ccw(h, 0x04, CCW_FLAG_SLI, 32, 0);
    assert_int_equal(dh_run(h), 0);
    for (int i = 0; i < 24; i++)
        assert_int_equal(h->buf[i], 0);
    dh_free(h);
}

static void
basic_sense_eckd_32_bytes_compat_format(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &basic);

    assert_non_null(h);
    dh_ccw(h, 0xF3, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    dh_ccw(h, 0x04, 0, 32, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_int_equal(h->irb.scsw.count, 0);
    assert_int_equal(h->buf[0], 0x80);
    assert_int_equal(h->buf[1], 0x00);
    assert_int_equal(h->buf[7], 0x01);
    assert_int_equal(h->buf[27], 0x80);
    dh_free(h);
}

static void
rcd_eckd_has_device_ned_and_gneq(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &basic);
    /* "003390" in EBCDIC */
    static const uint8_t type[6] = {0xF0, 0xF0, 0xF3, 0xF3, 0xF9, 0xF0};

    assert_non_null(h);
    dh_ccw(h, 0xFA, 0, 256, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_OK, 0);
    assert_int_equal(h->buf[0] & 0xC0, 0xC0);
    assert_int_equal(h->buf[1], 0x01);
    assert_memory_equal(h->buf + 4, type, 6);
    assert_int_equal(h->buf[31], DH_DEVNO & 0xFF);
    assert_int_equal(h->buf[224], 0x80);
    assert_int_equal(h->buf[224 + 6], 0x1E);
    dh_free(h);
}

static void
rcd_fba_is_command_reject(void **state)
{
    struct dh *h = dh_new_fba(64, &conc);

    assert_non_null(h);
    dh_ccw(h, 0xFA, CCW_FLAG_SLI, 256, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_int_equal(h->irb.ecw[0], 0x80);
    assert_int_equal(h->irb.ecw[7], 0x01);
    dh_free(h);
}

static void
injected_unit_check_mid_chain(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &conc);

    assert_non_null(h);
    dev_dasd_inject_uc(h->dev, 1, 0x10);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 1) + 8);
    assert_int_equal(h->irb.ecw[0], 0x10);
    assert_int_equal(h->irb.ecw[27], 0x80);
    assert_int_equal(dev_dasd_commands(h->dev), 2);
    dh_free(h);
}

static void
latency_is_scheduled_on_the_loop(void **state)
{
    struct dh_opts o = basic;
    struct dh *h;
    uint64_t t0;

    o.cfg.latency_ns = 1000000;
    h = dh_new_fba(64, &o);
    assert_non_null(h);
    t0 = zv_loop_now(h->loop);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    /* three commands, 1 ms each; the CSS itself adds no whole ms */
    assert_true(zv_loop_now(h->loop) - t0 >= 3000000);
    assert_true(zv_loop_now(h->loop) - t0 < 4000000);
    dh_free(h);
}

static uint64_t
three_nops_ns(struct dh *h)
{
    uint64_t t0 = zv_loop_now(h->loop);

    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    return zv_loop_now(h->loop) - t0;
}

/* The control plane slows a live device down and back (fault injection):
 * programs started after the change take the new latency per command. */
static void
latency_changed_on_a_live_device(void **state)
{
    struct dh_opts o = basic;
    struct dh *h;
    uint64_t t;

    o.cfg.latency_ns = 1000000;
    h = dh_new_eckd(0, 10, false, &o);
    assert_non_null(h);
    t = three_nops_ns(h);
    assert_true(t >= 3000000 && t < 4000000);
    dev_dasd_set_latency(h->dev, 50000000, 0);
    t = three_nops_ns(h);
    assert_true(t >= 150000000 && t < 151000000);
    dev_dasd_set_latency(h->dev, 0, 0);
    assert_true(three_nops_ns(h) < 1000000);
    dh_free(h);
}

/* Latency per channel program (zvfiod's hosts): a three-command program
 * takes one latency, not three, also after the control plane changed it;
 * the next program takes it again. */
static void
latency_per_program(void **state)
{
    struct dh_opts o = basic;
    struct dh *h;
    uint64_t t;

    o.cfg.latency_ns = 1000000;
    o.cfg.unit = DASD_LAT_PER_PROGRAM;
    h = dh_new_eckd(0, 10, false, &o);
    assert_non_null(h);
    t = three_nops_ns(h);
    assert_true(t >= 1000000 && t < 2000000);
    dev_dasd_set_latency(h->dev, 50000000, 0);
    t = three_nops_ns(h);
    assert_true(t >= 50000000 && t < 51000000);
    t = three_nops_ns(h);
    assert_true(t >= 50000000 && t < 51000000);
    dh_free(h);
}

/* Equipment checks switched on for every command, then off again: the
 * first command ends with unit check, sense byte 0 = equipment check, and
 * nothing after it runs; with the rate at 0 the same program succeeds. */
static void
eq_check_rate_changed_on_a_live_device(void **state)
{
    struct dh *h = dh_new_fba(64, &conc);

    assert_non_null(h);
    dev_dasd_set_eq_check_ppm(h->dev, 1000000);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    assert_int_equal(h->irb.ecw[0], 0x10);
    assert_int_equal(dev_dasd_commands(h->dev), 1);
    dev_dasd_set_eq_check_ppm(h->dev, 5000000); /* capped: always */
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_status(h, DH_UC, 0);
    dev_dasd_set_eq_check_ppm(h->dev, 0);
    dh_ccw(h, 0x03, CCW_FLAG_CC, 0, 0);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    dh_free(h);
}

static uint64_t
jitter_run(uint64_t seed)
{
    struct dh_opts o = basic;
    struct dh *h;
    uint64_t t;

    o.seed = seed;
    o.cfg.jitter_ns = 1000000;
    h = dh_new_fba(64, &o);
    assert_non_null(h);
    for (int i = 0; i < 8; i++)
        dh_ccw(h, 0x03, i < 7 ? CCW_FLAG_CC : 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    t = zv_loop_now(h->loop);
    dh_free(h);
    return t;
}

static void
jitter_is_drawn_from_the_loop_seed(void **state)
{
    uint64_t a = jitter_run(11), b = jitter_run(11), c = jitter_run(12);

    assert_int_equal(a, b);
    assert_int_not_equal(a, c);
    assert_true(a <= 8 * 1000000 + 1000000);
}

static void
halt_mid_program_leaves_device_usable(void **state)
{
    struct dh_opts o = basic;
    struct dh *h;
    struct orb orb = {.fmt = true, .pfch = true, .lpm = 0xFF};

    o.cfg.latency_ns = 1000000;
    h = dh_new_eckd(0, 10, true, &o);
    assert_non_null(h);
    for (int i = 0; i < 4; i++)
        dh_ccw(h, 0x03, i < 3 ? CCW_FLAG_CC : 0, 0, 0);
    orb.cpa = (uint32_t)guest_prog_ccw_addr(&h->prog, 0);
    assert_int_equal(h->ch->ops->ssch(h->ch, &orb), 0);
    zv_loop_run_until(h->loop, zv_loop_now(h->loop) + 1500000);
    assert_int_equal(h->ch->ops->hsch(h->ch), 0);
    do {
        assert_int_equal(h->ch->ops->wait_irb(h->ch, &h->irb, 100000000), 0);
    } while (!(h->irb.scsw.stctl & SCSW_STCTL_PRIMARY) &&
             !(h->irb.scsw.fctl & SCSW_FCTL_HALT));
    assert_true(h->irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_true(dev_dasd_commands(h->dev) < 4);
    guest_prog_reset(&h->prog);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    dh_free(h);
}

static void
clear_signal_resets_latched_sense(void **state)
{
    struct dh *h = dh_new_eckd(0, 10, false, &basic);

    assert_non_null(h);
    dh_ccw(h, 0xF3, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    /* the clear signal as the engine gives it to the device */
    h->dev->ops->signal(h->dev, CSS_SIGNAL_CLEAR);
    dh_ccw(h, 0x04, 0, 32, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    assert_int_equal(h->buf[0], 0);
    assert_int_equal(h->buf[27], 0x80); /* format flag stays */
    dh_free(h);
}

/* Exponential jitter: the mean over many commands is near jitter_ns, and
 * some draws are far above it (a long tail uniform jitter never has). */
static void
exponential_jitter_has_the_configured_mean(void **state)
{
    struct dh_opts o = basic;
    struct dh *h;
    uint64_t t0, mean;
    const int n = 2000;

    o.cfg.jitter_ns = 100000;
    o.cfg.dist = DASD_LAT_EXP;
    h = dh_new_fba(64, &o);
    assert_non_null(h);
    t0 = zv_loop_now(h->loop);
    for (int i = 0; i < n; i++) {
        dh_ccw(h, 0x03, 0, 0, 0);
        assert_int_equal(dh_run(h), 0);
    }
    mean = (zv_loop_now(h->loop) - t0) / n;
    assert_true(mean > 90000 && mean < 112000);
    dh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sense_id_fba_is_6310_9336_without_ciws),
        cmocka_unit_test(sense_id_eckd_is_3990_3390_with_rcd_ciw),
        cmocka_unit_test(sense_id_eckd_model_byte_from_config),
        cmocka_unit_test(snid_spid_establish_then_resign),
        cmocka_unit_test(spid_chained_is_command_reject_sequence),
        cmocka_unit_test(spid_short_data_is_command_reject_count),
        cmocka_unit_test(nop_ends_with_ce_de),
        cmocka_unit_test(basic_sense_fba_24_bytes_then_cleared),
        cmocka_unit_test(basic_sense_eckd_32_bytes_compat_format),
        cmocka_unit_test(rcd_eckd_has_device_ned_and_gneq),
        cmocka_unit_test(rcd_fba_is_command_reject),
        cmocka_unit_test(injected_unit_check_mid_chain),
        cmocka_unit_test(latency_is_scheduled_on_the_loop),
        cmocka_unit_test(latency_changed_on_a_live_device),
        cmocka_unit_test(latency_per_program),
        cmocka_unit_test(eq_check_rate_changed_on_a_live_device),
        cmocka_unit_test(jitter_is_drawn_from_the_loop_seed),
        cmocka_unit_test(exponential_jitter_has_the_configured_mean),
        cmocka_unit_test(halt_mid_program_leaves_device_usable),
        cmocka_unit_test(clear_signal_resets_latched_sense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
