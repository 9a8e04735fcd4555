/* SPDX-License-Identifier: MIT */
/*
 * Translated programs run on the real host channel subsystem (css engine
 * + scriptable test device): data lands in the guest's pages, and after
 * cp_update_scsw the guest sees its own CPA and the residual count of
 * its own last CCW, including across data chaining, TICs and
 * status-modifier skips.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/loop.h"
#include "cp_harness.h"
#include "css/css.h"
#include "dev/testdev.h"

#define G(off) (H_GBASE + (off))
#define CEDE   (DEV_STAT_CHN_END | DEV_STAT_DEV_END)

struct hx {
    struct harness *h;
    struct zv_loop *loop;
    struct css *css;
    struct testdev *td;
    struct subchannel *sch;
    struct cp *cp;
    struct orb host;
    struct irb irb;
};

static void
hx_enable(struct hx *x)
{
    struct schib s;

    assert_int_equal(css_sch_stsch(x->sch, &s).cc, ZV_CC0);
    s.pmcw.ena = true;
    s.pmcw.lpm = 0x80;
    assert_int_equal(css_sch_msch(x->sch, &s).cc, ZV_CC0);
}

static int
setup(void **state)
{
    struct css_config cfg = {.ils = true};
    struct css_sch_desc d = {
        .devno = 0x0100, .st = PMCW_ST_IO, .pim = 0x80, .chpid = {0x40}};
    struct hx *x = calloc(1, sizeof(*x));

    assert_non_null(x);
    x->h = h_new();
    x->loop = zv_loop_new_virtual(1);
    /* The host CSS's absolute storage is the harness's host space: the
     * arena with the host programs and the guest pages above 4G. */
    x->css = css_new(x->loop, x->h->host_as, &cfg);
    assert_non_null(x->css);
    assert_int_equal(css_chp_define(x->css, 0x40, CHP_TYPE_FICON), 0);
    x->td = testdev_new(x->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    assert_non_null(x->td);
    assert_int_equal(
        css_sch_define(x->css, &d, testdev_css_dev(x->td), false, &x->sch), 0);
    hx_enable(x);
    *state = x;
    return 0;
}

static int
teardown(void **state)
{
    struct hx *x = *state;

    cp_free(x->cp);
    h_assert_clean(x->h);
    css_free(x->css);
    testdev_free(x->td);
    zv_loop_free(x->loop);
    h_free(x->h);
    free(x);
    return 0;
}

static void
respond(struct hx *x, uint8_t cmd, uint8_t dstat, const void *data, size_t len)
{
    struct testdev_resp r = {.dstat = dstat, .data = data, .len = len};

    assert_int_equal(testdev_set_response(x->td, cmd, &r), 0);
}

/* Translate, start on the host, run to the end, TSCH, map back. */
static void
run(struct hx *x, const struct orb *guest)
{
    struct zv_insn_rc rc;

    assert_int_equal(cp_translate(&x->h->env, guest, &x->cp, &x->host), 0);
    rc = css_sch_ssch(x->sch, &x->host);
    assert_int_equal(rc.pic, ZV_PIC_NONE);
    assert_int_equal(rc.cc, ZV_CC0);
    zv_loop_run(x->loop);
    rc = css_sch_tsch(x->sch, &x->irb);
    assert_int_equal(rc.cc, ZV_CC0);
    cp_update_scsw(x->cp, &x->irb.scsw);
}

static void
data_chained_read_fills_guest_pages_and_keeps_residual(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0));
    uint8_t data[25], got[25];

    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(0xA0 + i);
    h_ccw1(x->h, G(0), 0x02, CCW_FLAG_CD, 10, G(0x1ffb)); /* page cross */
    h_ccw1(x->h, G(8), 0x02, CCW_FLAG_SLI, 20, G(0x3000));
    respond(x, 0x02, CEDE, data, sizeof(data));
    run(x, &o);
    assert_int_equal(x->irb.scsw.cpa, G(16));
    assert_int_equal(x->irb.scsw.count, 5);
    assert_int_equal(x->irb.scsw.dstat, CEDE);
    assert_int_equal(x->irb.scsw.cstat, 0);
    h_guest_read(x->h, G(0x1ffb), got, 10);
    h_guest_read(x->h, G(0x3000), got + 10, 15);
    assert_memory_equal(data, got, sizeof(data));
}

static void
write_through_format1_idal_sends_guest_bytes(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0));
    uint8_t want[3000];
    const uint8_t *sent;
    size_t len = 0;

    o.c64 = false;
    h_ccw1(x->h, G(0), 0x01, CCW_FLAG_IDA, 3000, G(0x100));
    h_idaw1(x->h, G(0x100), (uint32_t)G(0x5a00));
    h_idaw1(x->h, G(0x104), (uint32_t)G(0x9000));
    /* 2K blocks: 0x600 bytes to the block end, then the rest. */
    h_pattern(x->h, G(0x5a00), 0x600);
    h_pattern(x->h, G(0x9000), 3000 - 0x600);
    respond(x, 0x01, CEDE, NULL, 3000);
    run(x, &o);
    assert_int_equal(x->irb.scsw.cpa, G(8));
    assert_int_equal(x->irb.scsw.count, 0);
    sent = testdev_log_data(x->td, 0, &len);
    assert_int_equal(len, 3000);
    h_guest_read(x->h, G(0x5a00), want, 0x600);
    h_guest_read(x->h, G(0x9000), want + 0x600, 3000 - 0x600);
    assert_memory_equal(want, sent, 3000);
}

static void
unit_check_mid_chain_reports_guest_cpa(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0x40));

    h_ccw1(x->h, G(0x40), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    h_ccw1(x->h, G(0x48), 0x13, CCW_FLAG_CC, 0, 0);
    h_ccw1(x->h, G(0x50), CCW_CMD_NOOP, 0, 0, 0);
    respond(x, 0x13, CEDE | DEV_STAT_UNIT_CHECK, NULL, 0);
    run(x, &o);
    assert_int_equal(x->irb.scsw.cpa, G(0x50));
    assert_true(x->irb.scsw.dstat & DEV_STAT_UNIT_CHECK);
    assert_int_equal(testdev_log_count(x->td), 2);
}

static void
tic_to_another_segment_ends_with_its_guest_cpa(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0));

    h_ccw1(x->h, G(0), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    h_ccw1(x->h, G(8), CCW_CMD_TIC, 0, 0, G(0x800));
    h_ccw1(x->h, G(0x800), 0x02, CCW_FLAG_SLI, 64, G(0x2000));
    respond(x, 0x02, CEDE, NULL, 16);
    run(x, &o);
    assert_int_equal(x->irb.scsw.cpa, G(0x808));
    assert_int_equal(x->irb.scsw.count, 48);
    assert_int_equal(x->irb.scsw.cstat, 0);
}

static void
status_modifier_skips_the_search_loop_tic(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0x100));
    uint8_t rec[512], got[512];

    memset(rec, 0x5C, sizeof(rec));
    h_ccw1(x->h, G(0x100), 0x31, CCW_FLAG_CC, 5, G(0x1000));
    h_ccw1(x->h, G(0x108), CCW_CMD_TIC, 0, 0, G(0x100));
    h_ccw1(x->h, G(0x110), 0x06, 0, 512, G(0x4000));
    respond(x, 0x31, CEDE | DEV_STAT_STAT_MOD, NULL, 5);
    respond(x, 0x06, CEDE, rec, sizeof(rec));
    run(x, &o);
    assert_int_equal(x->irb.scsw.cpa, G(0x118));
    assert_int_equal(x->irb.scsw.cstat, 0);
    assert_int_equal(testdev_log_count(x->td), 2);
    assert_int_equal(testdev_log(x->td, 1)->cmd, 0x06);
    h_guest_read(x->h, G(0x4000), got, sizeof(got));
    assert_memory_equal(rec, got, sizeof(got));
}

static void
status_modifier_past_chain_end_is_program_check_at_guest_address(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0));

    /* The skip jumps over the NOP onto the guard slot: a program check
     * whose CPA names the guest CCW after the chain (+8). */
    h_ccw1(x->h, G(0), 0x31, CCW_FLAG_CC, 5, G(0x1000));
    h_ccw1(x->h, G(8), CCW_CMD_NOOP, 0, 0, 0);
    respond(x, 0x31, CEDE | DEV_STAT_STAT_MOD, NULL, 5);
    run(x, &o);
    assert_int_equal(x->irb.scsw.cstat, SCHN_STAT_PROG_CHECK);
    assert_int_equal(x->irb.scsw.cpa, G(24));
}

static void
invalid_command_is_the_hosts_program_check_at_guest_cpa(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0x200));

    /* Passed through untouched: the host channel gives the architected
     * program check (css-pop.md §5.1), the guest its own CPA. */
    h_ccw1(x->h, G(0x200), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
    h_ccw1(x->h, G(0x208), 0x00, 0, 0, 0);
    run(x, &o);
    assert_int_equal(x->irb.scsw.cstat, SCHN_STAT_PROG_CHECK);
    assert_int_equal(x->irb.scsw.cpa, G(0x210));
}

static void
count0_with_data_chaining_is_the_hosts_program_check(void **state)
{
    struct hx *x = *state;
    struct orb o = h_orb(G(0));

    /* Format-1 count 0 is invalid with CD (css-pop.md §5.1.4). */
    h_ccw1(x->h, G(0), 0x02, CCW_FLAG_CD, 0, G(0x1000));
    h_ccw1(x->h, G(8), 0x02, 0, 8, G(0x1000));
    run(x, &o);
    assert_int_equal(x->irb.scsw.cstat, SCHN_STAT_PROG_CHECK);
    assert_int_equal(x->irb.scsw.cpa, G(8));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(data_chained_read_fills_guest_pages_and_keeps_residual),
        T(write_through_format1_idal_sends_guest_bytes),
        T(unit_check_mid_chain_reports_guest_cpa),
        T(tic_to_another_segment_ends_with_its_guest_cpa),
        T(status_modifier_skips_the_search_loop_tic),
        T(status_modifier_past_chain_end_is_program_check_at_guest_address),
        T(invalid_command_is_the_hosts_program_check_at_guest_cpa),
        T(count0_with_data_chaining_is_the_hosts_program_check),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
