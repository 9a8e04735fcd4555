/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define TDEV_XFER_MAX 65536

static const uint8_t tdev_sense_id[8] = {0xFF, 0x39, 0x90, 0xE9,
                                         0x33, 0x90, 0x0C, 0x00};

static struct tdev *
tdev_of(struct css_dev *dev)
{
    return (struct tdev *)((char *)dev - offsetof(struct tdev, dev));
}

static void
tdev_start(struct css_dev *dev, struct css_io *io)
{
    static uint8_t buf[TDEV_XFER_MAX];
    struct tdev *d = tdev_of(dev);
    uint8_t cmd = css_io_cmd(io);
    const struct tdev_rule *r = &d->rule[cmd];
    uint8_t dstat = r->dstat ? r->dstat : DEV_STAT_CHN_END | DEV_STAT_DEV_END;
    uint64_t lat = r->latency != UINT64_MAX ? r->latency : d->latency;

    d->starts++;
    d->last_cmd = cmd;
    if (r->hold) {
        d->held = io;
        return;
    }
    if (r->no_data) {
        /* ends with its status, moving nothing */
    } else if (ccw_cmd_is_input(cmd) && r->data) {
        css_io_write(io, r->data, r->len);
    } else if (ccw_cmd_class(cmd) == CCW_CLASS_WRITE) {
        size_t n = css_io_available(io);
        int got;

        if (n > TDEV_XFER_MAX)
            n = TDEV_XFER_MAX;
        got = css_io_read(io, buf, n);
        d->last_written = got > 0 ? (size_t)got : 0;
    }
    css_io_done(io, dstat, lat);
}

static void
tdev_end_held(void *arg)
{
    struct tdev *d = arg;
    struct css_io *io = d->held;

    d->held = NULL;
    d->held_timer = 0;
    css_io_done(io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, 0);
}

static uint64_t
tdev_signal(struct css_dev *dev, enum css_signal sig)
{
    struct tdev *d = tdev_of(dev);

    if (sig == CSS_SIGNAL_HALT)
        d->halts++;
    else
        d->clears++;
    /* A held command ends: at once, or from a later loop event. */
    if (d->held && !d->held_timer) {
        uint64_t ns = d->held_end_ns ? d->held_end_ns : d->answer_ns;

        if (ns)
            d->held_timer = zv_loop_after(d->loop, ns, tdev_end_held, d);
        else
            tdev_end_held(d);
    }
    return d->answer_ns;
}

static const struct css_dev_ops tdev_ops = {
    .start = tdev_start,
    .signal_timed = tdev_signal,
};

void
h_tdev_init(struct tdev *d)
{
    memset(d, 0, sizeof(*d));
    d->dev.ops = &tdev_ops;
    d->latency = H_LATENCY;
    for (unsigned i = 0; i < 256; i++)
        d->rule[i].latency = UINT64_MAX;
    d->rule[CCW_CMD_SENSE_ID].data = tdev_sense_id;
    d->rule[CCW_CMD_SENSE_ID].len = sizeof(tdev_sense_id);
}

static void
h_crw_note(void *arg)
{
    struct h *h = arg;

    h->crw_notes++;
}

static int
h_define(struct h *h)
{
    struct css_sch_desc d = {
        .st = PMCW_ST_IO, .pim = 0xC0, .chpid = {H_CHP0, H_CHP1}};

    if (css_chp_define(h->css, H_CHP0, CHP_TYPE_FICON) < 0 ||
        css_chp_define(h->css, H_CHP1, CHP_TYPE_FICON) < 0)
        return -1;
    for (unsigned i = 0; i < H_NSCH; i++) {
        h_tdev_init(&h->dev[i]);
        h->dev[i].loop = h->loop;
        d.sch_no = (uint16_t)i;
        d.devno = (uint16_t)(H_DEVNO + i);
        if (css_sch_define(h->css, &d, &h->dev[i].dev, false, &h->sch[i]))
            return -1;
    }
    d.sch_no = H_NODEV_SCH;
    d.devno = 0;
    return css_sch_define(h->css, &d, NULL, false, &h->sch[H_NODEV_SCH]);
}

int
h_setup_cfg(void **state, const struct css_config *cfg)
{
    return h_setup_seeded(state, cfg, 1);
}

int
h_setup_seeded(void **state, const struct css_config *cfg, uint64_t seed)
{
    struct h *h = calloc(1, sizeof(*h));

    if (!h)
        return -1;
    h->loop = zv_loop_new_virtual(seed);
    h->as = zv_as_new("storage");
    h->mem = calloc(1, H_MEM_SIZE);
    h->ro = calloc(1, 4096);
    h->wo = calloc(1, 4096);
    if (!h->loop || !h->as || !h->mem || !h->ro || !h->wo)
        return -1;
    if (zv_as_map(h->as, 0, H_MEM_SIZE, h->mem, ZV_MEM_RW) < 0 ||
        zv_as_map(h->as, H_RO_ADDR, 4096, h->ro, ZV_MEM_READ) < 0 ||
        zv_as_map(h->as, H_WO_ADDR, 4096, h->wo, ZV_MEM_WRITE) < 0)
        return -1;
    h->css = css_new(h->loop, h->as, cfg);
    if (!h->css || h_define(h) < 0)
        return -1;
    css_set_crw_notify(h->css, h_crw_note, h);
    *state = h;
    return 0;
}

int
h_setup(void **state)
{
    struct css_config cfg = {.concurrent_sense = true};

    return h_setup_cfg(state, &cfg);
}

int
h_teardown(void **state)
{
    struct h *h = *state;

    css_free(h->css);
    zv_loop_free(h->loop);
    zv_as_free(h->as);
    free(h->mem);
    free(h->ro);
    free(h->wo);
    free(h);
    return 0;
}

uint32_t
h_gr1(unsigned sch_no)
{
    struct schid id = {.ssid = 0, .sch_no = (uint16_t)sch_no};

    return schid_to_gr1(&id);
}

void
h_put_ccw(struct h *h, uint64_t addr, uint8_t cmd, uint8_t flags,
          uint16_t count, uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw1_encode(&c, h->mem + addr);
}

void
h_orb_default(struct orb *o)
{
    memset(o, 0, sizeof(*o));
    o->intparm = H_INTPARM;
    o->fmt = true;
    o->pfch = true;
    o->lpm = 0xFF;
    o->cpa = H_CCW;
}

void
h_put_orb(struct h *h, uint64_t addr, const struct orb *o)
{
    orb_encode(o, h->mem + addr);
}

void
h_stsch(struct h *h, unsigned no, struct schib *s)
{
    assert_cc(css_insn_stsch(h->css, h_gr1(no), H_SCHIB), ZV_CC0);
    schib_decode(s, h->mem + H_SCHIB);
}

const struct scsw *
h_scsw(struct h *h, unsigned no)
{
    h_stsch(h, no, &h->last);
    return &h->last.scsw;
}

void
h_assert_scsw_equal(const struct scsw *a, const struct scsw *b)
{
    uint8_t x[SCSW_SIZE], y[SCSW_SIZE];

    scsw_encode(a, x);
    scsw_encode(b, y);
    assert_memory_equal(x, y, SCSW_SIZE);
}

struct zv_insn_rc
h_msch(struct h *h, unsigned no, const struct schib *s)
{
    schib_encode(s, h->mem + H_SCHIB);
    return css_insn_msch(h->css, h_gr1(no), H_SCHIB);
}

void
h_enable_schib(struct h *h, unsigned no, const struct schib *s)
{
    assert_cc(h_msch(h, no, s), ZV_CC0);
}

void
h_enable(struct h *h, unsigned no, uint8_t isc)
{
    struct schib s;

    h_stsch(h, no, &s);
    s.pmcw.ena = true;
    s.pmcw.isc = isc;
    s.pmcw.intparm = H_INTPARM;
    h_enable_schib(h, no, &s);
}

struct zv_insn_rc
h_tsch(struct h *h, unsigned no, struct irb *irb)
{
    struct zv_insn_rc rc = css_insn_tsch(h->css, h_gr1(no), H_IRB);

    if (rc.pic == ZV_PIC_NONE && rc.cc != ZV_CC3)
        irb_decode(irb, h->mem + H_IRB);
    return rc;
}

struct zv_insn_rc
h_ssch_orb(struct h *h, unsigned no, const struct orb *o)
{
    h_put_orb(h, H_ORB, o);
    return css_insn_ssch(h->css, h_gr1(no), H_ORB);
}

struct zv_insn_rc
h_ssch(struct h *h, unsigned no)
{
    struct orb o;

    h_orb_default(&o);
    return h_ssch_orb(h, no, &o);
}

void
h_start_nop(struct h *h, unsigned no)
{
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch(h, no), ZV_CC0);
}

void
h_run(struct h *h)
{
    zv_loop_run(h->loop);
}

void
h_run_for(struct h *h, uint64_t ns)
{
    zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ns);
}

void
h_ssch_suspending(struct h *h, unsigned no, bool ssic)
{
    struct orb o;

    h_orb_default(&o);
    o.spnd = true;
    o.ssic = ssic;
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 0, 0);
    h_put_ccw(h, H_CCW + 8, CCW_CMD_NOOP, CCW_FLAG_SUSPEND | CCW_FLAG_SLI, 0,
              0);
    assert_cc(h_ssch_orb(h, no, &o), ZV_CC0);
}

static void
h_start_suspending(struct h *h, unsigned no)
{
    /* no intermediate interruption for the suspension */
    h_ssch_suspending(h, no, true);
    h_run(h);
}

static void
h_start_pci(struct h *h, unsigned no)
{
    h_put_ccw(h, H_CCW, CCW_CMD_NOOP, CCW_FLAG_PCI | CCW_FLAG_SLI, 0, 0);
    assert_cc(h_ssch(h, no), ZV_CC0);
    h_run_for(h, 1);
}

static const uint8_t h_active = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;

static void
h_check_state(struct h *h, unsigned no, enum h_state st)
{
    const struct scsw *s = h_scsw(h, no);

    switch (st) {
    case HS_IDLE:
        assert_int_equal(s->fctl | s->actl | s->stctl, 0);
        break;
    case HS_START_PENDING:
        assert_int_equal(s->actl, SCSW_ACTL_START_PEND);
        break;
    case HS_ACTIVE:
        assert_int_equal(s->actl & h_active, h_active);
        assert_int_equal(s->stctl, 0);
        break;
    case HS_SUSPENDED:
        assert_int_equal(s->actl, SCSW_ACTL_SUSPENDED);
        assert_int_equal(s->stctl, 0);
        break;
    case HS_STATUS_PENDING:
        assert_int_equal(s->stctl, SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND |
                                       SCSW_STCTL_PENDING);
        break;
    case HS_INTERMEDIATE:
        assert_int_equal(s->stctl, SCSW_STCTL_INTER | SCSW_STCTL_PENDING);
        assert_int_equal(s->actl & h_active, h_active);
        break;
    case HS_HALT_PENDING:
        assert_true(s->actl & SCSW_ACTL_HALT_PEND);
        break;
    case HS_CLEAR_PENDING:
        assert_true(s->actl & SCSW_ACTL_CLEAR_PEND);
        break;
    }
}

void
h_make_state(struct h *h, unsigned no, enum h_state st)
{
    h_enable(h, no, 3);
    switch (st) {
    case HS_IDLE:
        break;
    case HS_START_PENDING:
        h_start_nop(h, no);
        break;
    case HS_ACTIVE:
        h_start_nop(h, no);
        h_run_for(h, 1);
        break;
    case HS_SUSPENDED:
        h_start_suspending(h, no);
        break;
    case HS_STATUS_PENDING:
        h_start_nop(h, no);
        h_run(h);
        break;
    case HS_INTERMEDIATE:
        h_start_pci(h, no);
        break;
    case HS_HALT_PENDING:
        h_make_state(h, no, HS_ACTIVE);
        assert_cc(css_insn_hsch(h->css, h_gr1(no)), ZV_CC0);
        break;
    case HS_CLEAR_PENDING:
        h_make_state(h, no, HS_ACTIVE);
        assert_cc(css_insn_csch(h->css, h_gr1(no)), ZV_CC0);
        break;
    }
    h_check_state(h, no, st);
}
