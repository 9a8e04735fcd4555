/* SPDX-License-Identifier: MIT */
#include "eh.h"

#include <stdlib.h>
#include <string.h>

static int
eh_map(struct eh *h, uint64_t addr, size_t len, uint8_t **out)
{
    *out = calloc(1, len);
    if (!*out)
        return -1;
    return zv_as_map(h->as, addr, len, *out, ZV_MEM_RW);
}

static void
eh_define(struct eh *h)
{
    struct css_sch_desc d = {
        .devno = 0x1234,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {EH_CHP0, EH_CHP1},
    };

    assert_int_equal(css_chp_define(h->css, EH_CHP0, CHP_TYPE_FICON), 0);
    assert_int_equal(css_chp_define(h->css, EH_CHP1, CHP_TYPE_FICON), 0);
    h->td = testdev_new(h->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    assert_non_null(h->td);
    assert_int_equal(
        css_sch_define(h->css, &d, testdev_css_dev(h->td), false, &h->sch), 0);
}

int
eh_setup(void **state)
{
    struct css_config cfg = {
        .concurrent_sense = true,
        .midaw = true,
        .ils = true,
    };
    struct eh *h = calloc(1, sizeof(*h));

    assert_non_null(h);
    h->loop = zv_loop_new_virtual(1);
    h->as = zv_as_new("storage");
    assert_int_equal(eh_map(h, 0, EH_MEM_SIZE, &h->mem), 0);
    assert_int_equal(eh_map(h, EH_HI24 - 4096, 8192, &h->hi24), 0);
    assert_int_equal(eh_map(h, EH_HI31, 4096, &h->hi31), 0);
    h->css = css_new(h->loop, h->as, &cfg);
    assert_non_null(h->css);
    eh_define(h);
    eh_modify(h, false, 0xFF);
    *state = h;
    return 0;
}

int
eh_teardown(void **state)
{
    struct eh *h = *state;

    css_free(h->css);
    testdev_free(h->td);
    zv_loop_free(h->loop);
    zv_as_free(h->as);
    free(h->mem);
    free(h->hi24);
    free(h->hi31);
    free(h);
    return 0;
}

static uint8_t *
eh_ptr(struct eh *h, uint64_t addr, size_t len)
{
    uint8_t *p = zv_as_ptr(h->as, addr, len, ZV_MEM_WRITE);

    assert_non_null(p);
    return p;
}

void
eh_ccw1(struct eh *h, uint64_t addr, uint8_t cmd, uint8_t flags, uint16_t count,
        uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw1_encode(&c, eh_ptr(h, addr, CCW_SIZE));
}

void
eh_ccw0(struct eh *h, uint64_t addr, uint8_t cmd, uint8_t flags, uint16_t count,
        uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw0_encode(&c, eh_ptr(h, addr, CCW_SIZE));
}

void
eh_idaw1(struct eh *h, uint64_t addr, uint32_t val)
{
    zv_put_be32(eh_ptr(h, addr, 4), val);
}

void
eh_idaw2(struct eh *h, uint64_t addr, uint64_t val)
{
    zv_put_be64(eh_ptr(h, addr, 8), val);
}

void
eh_midaw(struct eh *h, uint64_t addr, uint8_t flags, uint16_t count,
         uint64_t data)
{
    struct midaw m = {.flags = flags, .count = count, .data = data};

    midaw_encode(&m, eh_ptr(h, addr, MIDAW_SIZE));
}

void
eh_orb(struct orb *o, uint32_t cpa)
{
    memset(o, 0, sizeof(*o));
    o->intparm = 0xCAFE;
    o->fmt = true;
    o->pfch = true;
    o->lpm = 0xFF;
    o->cpa = cpa;
}

struct zv_insn_rc
eh_ssch(struct eh *h, const struct orb *o)
{
    return css_sch_ssch(h->sch, o);
}

void
eh_start(struct eh *h, uint32_t cpa)
{
    struct orb o;
    struct zv_insn_rc rc;

    eh_orb(&o, cpa);
    rc = eh_ssch(h, &o);
    assert_int_equal(rc.pic, ZV_PIC_NONE);
    assert_int_equal(rc.cc, ZV_CC0);
}

void
eh_modify(struct eh *h, bool csense, uint8_t lpm)
{
    struct schib s;
    struct zv_insn_rc rc;

    rc = css_sch_stsch(h->sch, &s);
    assert_int_equal(rc.cc, ZV_CC0);
    s.pmcw.ena = true;
    s.pmcw.csense = csense;
    s.pmcw.lpm = lpm;
    rc = css_sch_msch(h->sch, &s);
    assert_int_equal(rc.pic, ZV_PIC_NONE);
    assert_int_equal(rc.cc, ZV_CC0);
}

void
eh_run(struct eh *h)
{
    zv_loop_run(h->loop);
}

void
eh_run_for(struct eh *h, uint64_t ns)
{
    zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ns);
}

int
eh_tsch(struct eh *h)
{
    struct zv_insn_rc rc = css_sch_tsch(h->sch, &h->irb);

    assert_int_equal(rc.pic, ZV_PIC_NONE);
    return (int)rc.cc;
}

void
eh_assert_scsw(const struct eh *h, uint8_t fc, uint8_t ac, uint8_t sc,
               uint8_t dstat, uint8_t cstat, uint32_t cpa, uint16_t count)
{
    const struct scsw *s = &h->irb.scsw;

    assert_int_equal(s->fctl, fc);
    assert_int_equal(s->actl, ac);
    assert_int_equal(s->stctl, sc);
    assert_int_equal(s->dstat, dstat);
    assert_int_equal(s->cstat, cstat);
    assert_int_equal(s->cpa, cpa);
    assert_int_equal(s->count, count);
}

void
eh_expect_end(struct eh *h, uint8_t fc, uint8_t ac, uint8_t sc, uint8_t dstat,
              uint8_t cstat, uint32_t cpa, uint16_t count)
{
    eh_run(h);
    assert_int_equal(eh_tsch(h), 0);
    eh_assert_scsw(h, fc, ac, sc, dstat, cstat, cpa, count);
}

void
eh_expect_clean(struct eh *h, uint32_t cpa)
{
    eh_expect_end(h, SCSW_FCTL_START, 0, SC_FINAL, CEDE, 0, cpa, 0);
    assert_int_equal(h->irb.scsw.cc, 0);
    assert_false(h->irb.scsw.zcc);
    assert_false(h->irb.scsw.ectl);
    assert_false(h->irb.scsw.pno);
}

void
eh_respond(struct eh *h, uint8_t cmd, uint8_t dstat, const void *data,
           size_t len, uint64_t latency)
{
    struct testdev_resp r = {
        .dstat = dstat,
        .data = data,
        .len = len,
        .latency_ns = latency,
    };

    assert_int_equal(testdev_set_response(h->td, cmd, &r), 0);
}
