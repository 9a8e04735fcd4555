/* SPDX-License-Identifier: MIT */
/* testdev: the scriptable test device (see testdev.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "dev/testdev.h"

#define TD_SENSE_LEN 32

struct td_resp {
    struct testdev_resp r;
    bool has_data;
    uint8_t sense[TD_SENSE_LEN];
    uint8_t data[]; /* r.len bytes: given (input) or expected (output) */
};

struct testdev {
    struct css_dev dev; /* first: testdev_from_css_dev */
    struct zv_loop *loop;
    struct td_resp *resp[256];
    uint16_t cu_type, dev_type;
    uint8_t cu_model, dev_model;
    uint64_t def_lat_min, def_lat_max;
    uint8_t sense[TD_SENSE_LEN]; /* latched sense */
    size_t sense_len;
    unsigned busy_next;
    struct css_io *held;
    uint64_t cmds;
    uint64_t mismatches;
    unsigned signals[2];
    /* hook */
    unsigned hook_at;
    testdev_hook_fn hook;
    void *hook_arg;
    struct css *hook_css;
    struct subchannel *hook_sch;
    uint8_t hook_chpid;
    /* log */
    size_t nlog;
    uint32_t log_used;
    struct testdev_log_entry log[TESTDEV_LOG_MAX];
    uint8_t log_data[TESTDEV_LOG_BYTES];
    uint8_t buf[TESTDEV_DATA_MAX];
};

static uint64_t
td_latency(struct testdev *td, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + zv_loop_rand_below(td->loop, hi - lo + 1);
}

static struct testdev_log_entry *
td_log_new(struct testdev *td, struct css_io *io)
{
    struct testdev_log_entry *e;

    if (td->nlog >= TESTDEV_LOG_MAX)
        return NULL;
    e = &td->log[td->nlog++];
    e->cmd = css_io_cmd(io);
    e->flags = css_io_flags(io);
    e->initial = css_io_initial(io);
    e->moved = 0;
    e->offset = td->log_used;
    e->logged = 0;
    return e;
}

static void
td_log_bytes(struct testdev *td, struct testdev_log_entry *e, const uint8_t *p,
             size_t n)
{
    size_t room = TESTDEV_LOG_BYTES - td->log_used;

    if (!e)
        return;
    if (n > room)
        n = room;
    memcpy(td->log_data + td->log_used, p, n);
    td->log_used += (uint32_t)n;
    e->logged += (uint32_t)n;
}

static void
td_end(struct testdev *td, struct css_io *io, uint8_t dstat, uint64_t lat)
{
    /* Sense stays latched for basic sense; concurrent sense gets a copy. */
    if ((dstat & DEV_STAT_UNIT_CHECK) && td->sense_len)
        css_io_set_sense(io, td->sense, td->sense_len);
    css_io_done(io, dstat, lat);
}

static void
td_latch(struct testdev *td, const uint8_t *sense, size_t len)
{
    memset(td->sense, 0, sizeof(td->sense));
    if (len > sizeof(td->sense))
        len = sizeof(td->sense);
    if (sense)
        memcpy(td->sense, sense, len);
    td->sense_len = len;
}

/* Give bytes to the channel (input commands). */
static int
td_give(struct css_io *io, struct testdev_log_entry *e, const uint8_t *p,
        size_t n)
{
    int rc = n ? css_io_write(io, p, n) : 0;

    if (e)
        e->moved = rc;
    return rc;
}

static void
td_default(struct testdev *td, struct css_io *io, struct testdev_log_entry *e)
{
    uint64_t lat = td_latency(td, td->def_lat_min, td->def_lat_max);
    uint8_t cmd = css_io_cmd(io);

    if (cmd == CCW_CMD_NOOP) {
        td_latch(td, NULL, 0);
        td_end(td, io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, lat);
    } else if (cmd == CCW_CMD_SENSE_ID) {
        uint8_t id[SENSE_ID_BASE_SIZE] = {0xFF};

        zv_put_be16(id + 1, td->cu_type);
        id[3] = td->cu_model;
        zv_put_be16(id + 4, td->dev_type);
        id[6] = td->dev_model;
        td_latch(td, NULL, 0);
        td_give(io, e, id, sizeof(id));
        td_end(td, io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, lat);
    } else if (cmd == CCW_CMD_BASIC_SENSE) {
        uint8_t s[TD_SENSE_LEN];

        memcpy(s, td->sense, sizeof(s));
        td_latch(td, NULL, 0);
        td_give(io, e, s, sizeof(s));
        td_end(td, io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, lat);
    } else {
        uint8_t rej[TD_SENSE_LEN] = {SNS0_CMD_REJECT};

        td_latch(td, rej, sizeof(rej));
        td_end(td, io,
               DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK, lat);
    }
}

static void
td_scripted(struct testdev *td, struct css_io *io, struct testdev_log_entry *e,
            const struct td_resp *tr)
{
    const struct testdev_resp *r = &tr->r;
    uint8_t cmd = css_io_cmd(io);

    if (ccw_cmd_is_input(cmd)) {
        td_give(io, e, tr->data, r->len);
    } else if (r->len) {
        int rc = css_io_read(io, td->buf, r->len);

        if (e)
            e->moved = rc;
        if (rc > 0)
            td_log_bytes(td, e, td->buf, (size_t)rc);
        if (tr->has_data &&
            (rc != (int)r->len || memcmp(td->buf, tr->data, r->len)))
            td->mismatches++;
    }
    td_latch(td, r->sense ? tr->sense : NULL, r->sense ? r->sense_len : 0);
    if (r->hold) {
        td->held = io;
        return;
    }
    td_end(td, io, r->dstat, td_latency(td, r->latency_ns, r->latency_max_ns));
}

static void
td_run_hook(struct testdev *td)
{
    testdev_hook_fn fn = td->hook;

    if (!td->hook_at || --td->hook_at)
        return;
    td->hook = NULL;
    if (fn)
        fn(td->hook_arg, td);
}

static void
td_start(struct css_dev *dev, struct css_io *io)
{
    struct testdev *td = testdev_from_css_dev(dev);
    struct testdev_log_entry *e = td_log_new(td, io);
    const struct td_resp *tr = td->resp[css_io_cmd(io)];

    td->cmds++;
    td_run_hook(td);
    if (css_io_initial(io) && td->busy_next) {
        /* Busy at initial selection: the command is not accepted. */
        td->busy_next--;
        css_io_done(io, DEV_STAT_BUSY, 0);
        return;
    }
    if (tr)
        td_scripted(td, io, e, tr);
    else
        td_default(td, io, e);
}

static void
td_signal(struct css_dev *dev, enum css_signal sig)
{
    struct testdev *td = testdev_from_css_dev(dev);
    struct css_io *io = td->held;

    td->signals[sig == CSS_SIGNAL_CLEAR]++;
    if (sig == CSS_SIGNAL_CLEAR)
        td_latch(td, NULL, 0);
    if (io) {
        /* The halted/cleared command ends; the engine discards it. */
        td->held = NULL;
        css_io_done(io, DEV_STAT_CHN_END | DEV_STAT_DEV_END, 0);
    }
}

static const struct css_dev_ops td_ops = {
    .start = td_start,
    .signal = td_signal,
};

struct testdev *
testdev_new(struct zv_loop *loop, uint16_t cu_type, uint8_t cu_model,
            uint16_t dev_type, uint8_t dev_model)
{
    struct testdev *td = calloc(1, sizeof(*td));

    if (!td)
        return NULL;
    td->dev.ops = &td_ops;
    td->loop = loop;
    td->cu_type = cu_type;
    td->cu_model = cu_model;
    td->dev_type = dev_type;
    td->dev_model = dev_model;
    return td;
}

void
testdev_free(struct testdev *td)
{
    if (!td)
        return;
    for (unsigned i = 0; i < 256; i++)
        free(td->resp[i]);
    free(td);
}

struct css_dev *
testdev_css_dev(struct testdev *td)
{
    return &td->dev;
}

struct testdev *
testdev_from_css_dev(struct css_dev *dev)
{
    return (struct testdev *)(void *)dev;
}

int
testdev_set_response(struct testdev *td, uint8_t cmd,
                     const struct testdev_resp *r)
{
    size_t dlen = r->data || ccw_cmd_is_input(cmd) ? r->len : 0;
    struct td_resp *tr;

    if (r->len > TESTDEV_DATA_MAX || r->sense_len > TD_SENSE_LEN)
        return -EINVAL;
    tr = calloc(1, sizeof(*tr) + dlen);
    if (!tr)
        return -ENOMEM;
    tr->r = *r;
    tr->r.data = NULL;
    tr->has_data = r->data != NULL;
    if (dlen && r->data)
        memcpy(tr->data, r->data, dlen);
    if (r->sense)
        memcpy(tr->sense, r->sense, r->sense_len);
    free(td->resp[cmd]);
    td->resp[cmd] = tr;
    return 0;
}

void
testdev_clear_response(struct testdev *td, uint8_t cmd)
{
    free(td->resp[cmd]);
    td->resp[cmd] = NULL;
}

void
testdev_set_default_latency(struct testdev *td, uint64_t min_ns,
                            uint64_t max_ns)
{
    td->def_lat_min = min_ns;
    td->def_lat_max = max_ns;
}

void
testdev_latch_sense(struct testdev *td, const uint8_t *sense, size_t len)
{
    td_latch(td, sense, len);
}

void
testdev_busy_next(struct testdev *td, unsigned n)
{
    td->busy_next = n;
}

int
testdev_release(struct testdev *td, uint8_t dstat, uint64_t latency_ns)
{
    struct css_io *io = td->held;

    if (!io)
        return -EINVAL;
    td->held = NULL;
    td_end(td, io, dstat, latency_ns);
    return 0;
}

bool
testdev_holding(const struct testdev *td)
{
    return td->held != NULL;
}

void
testdev_unsolicited(struct testdev *td, uint8_t dstat)
{
    css_dev_unsolicited(&td->dev, dstat);
}

void
testdev_set_hook(struct testdev *td, unsigned n, testdev_hook_fn fn, void *arg)
{
    td->hook_at = n;
    td->hook = fn;
    td->hook_arg = arg;
}

static void
td_hook_fail_path(void *arg, struct testdev *td)
{
    css_chp_set_failed(td->hook_css, td->hook_chpid, true);
}

static void
td_hook_lose_device(void *arg, struct testdev *td)
{
    css_sch_undefine(td->hook_css, td->hook_sch);
}

void
testdev_fail_path_after(struct testdev *td, unsigned n, struct css *css,
                        uint8_t chpid)
{
    td->hook_css = css;
    td->hook_chpid = chpid;
    testdev_set_hook(td, n, td_hook_fail_path, NULL);
}

void
testdev_lose_device_after(struct testdev *td, unsigned n, struct css *css,
                          struct subchannel *sch)
{
    td->hook_css = css;
    td->hook_sch = sch;
    testdev_set_hook(td, n, td_hook_lose_device, NULL);
}

size_t
testdev_log_count(const struct testdev *td)
{
    return td->nlog;
}

const struct testdev_log_entry *
testdev_log(const struct testdev *td, size_t i)
{
    return i < td->nlog ? &td->log[i] : NULL;
}

const uint8_t *
testdev_log_data(const struct testdev *td, size_t i, size_t *len)
{
    if (i >= td->nlog) {
        *len = 0;
        return NULL;
    }
    *len = td->log[i].logged;
    return td->log_data + td->log[i].offset;
}

void
testdev_log_reset(struct testdev *td)
{
    td->nlog = 0;
    td->log_used = 0;
}

uint64_t
testdev_cmd_count(const struct testdev *td)
{
    return td->cmds;
}

uint64_t
testdev_mismatch_count(const struct testdev *td)
{
    return td->mismatches;
}

unsigned
testdev_signal_count(const struct testdev *td, enum css_signal sig)
{
    return td->signals[sig == CSS_SIGNAL_CLEAR];
}
