/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eckd_util.h"

static const struct dh_opts ek_conc = {.seed = 3, .csense = true};

int
ek_setup_cdl(void **state)
{
    *state = dh_new_eckd(0, EK_CYLS, true, &ek_conc);
    return *state ? 0 : -1;
}

int
ek_setup_empty(void **state)
{
    *state = dh_new_eckd(0, EK_CYLS, false, &ek_conc);
    return *state ? 0 : -1;
}

int
ek_setup_eav(void **state)
{
    struct dh_opts o = ek_conc;

    o.grow_cyls = EK_EAV_CYLS;
    *state = dh_new_eckd(0, 1, false, &o);
    return *state ? 0 : -1;
}

int
ek_teardown(void **state)
{
    dh_free(*state);
    return 0;
}

void
ek_put_trk(uint8_t *p, uint32_t trk)
{
    dh_put_cchh(p, trk / 15, trk % 15);
}

void
ek_put_de(struct dh *h, uint8_t mask, uint8_t attr, uint32_t beg, uint32_t end)
{
    uint8_t *p = h->buf + EK_DE;

    memset(p, 0, 16);
    p[0] = mask;
    p[1] = attr;
    ek_put_trk(p + 8, beg);
    ek_put_trk(p + 12, end);
}

void
ek_put_lr(struct dh *h, uint32_t off, uint8_t op, uint8_t aux, uint8_t count,
          uint32_t trk, uint8_t rec, uint16_t tlf)
{
    uint8_t *p = h->buf + off;

    memset(p, 0, 16);
    p[0] = op;
    p[1] = aux;
    p[3] = count;
    ek_put_trk(p + 4, trk);
    ek_put_trk(p + 8, trk);
    p[12] = rec;
    p[13] = 0xFF;
    zv_put_be16(p + 14, tlf);
}

void
ek_put_count(uint8_t *c, uint32_t trk, uint8_t rec, uint8_t kl, uint16_t dl)
{
    ek_put_trk(c, trk);
    c[4] = rec;
    c[5] = kl;
    zv_put_be16(c + 6, dl);
}

void
ek_put_psf(uint8_t *p, uint8_t order, uint8_t sub)
{
    memset(p, 0, 12);
    p[0] = order;
    p[6] = sub;
}

void
ek_ccw_de_lr(struct dh *h, uint8_t lr_flags)
{
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, EK_DE);
    dh_ccw(h, 0x47, lr_flags, 16, EK_LR);
}

void
ek_de_lr(struct dh *h, uint8_t mask, uint8_t op, uint8_t count, uint32_t trk,
         uint8_t rec, uint16_t tlf)
{
    ek_put_de(h, mask, 0xC0, trk, trk + 1 < EK_CYLS * 15 ? trk + 1 : trk);
    ek_put_lr(h, EK_LR, op, tlf ? 0x80 : 0, count, trk, rec, tlf);
    ek_ccw_de_lr(h, CCW_FLAG_CC);
}

void
ek_assert_uc(const struct dh *h, unsigned ccw, uint8_t s0, uint8_t s1,
             uint8_t s7)
{
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.scsw.cstat, dh_expected_il(h, ccw));
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, ccw) + 8);
    assert_true(h->irb.esw.erw.s);
    assert_int_equal(h->irb.esw.erw.scnt, 32);
    assert_int_equal(h->irb.ecw[0], s0);
    assert_int_equal(h->irb.ecw[1], s1);
    assert_int_equal(h->irb.ecw[7], s7);
    assert_int_equal(h->irb.ecw[27], 0x80);
}

void
ek_run_uc(struct dh *h, unsigned ccw, uint8_t s0, uint8_t s1, uint8_t s7)
{
    assert_int_equal(dh_run(h), 0);
    ek_assert_uc(h, ccw, s0, s1, s7);
}
