/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ah.h"

struct ah *
ah_new(const struct ap_bus_config *cfg)
{
    struct ah *h = calloc(1, sizeof(*h));

    assert_non_null(h);
    h->loop = zv_loop_new_virtual(1);
    assert_non_null(h->loop);
    h->bus = ap_bus_new(h->loop, cfg);
    assert_non_null(h->bus);
    return h;
}

void
ah_free(struct ah *h)
{
    ap_bus_free(h->bus);
    zv_loop_free(h->loop);
    free(h);
}

void
ah_card(struct ah *h, uint8_t apid, enum ap_type type, enum ap_mode mode,
        uint8_t qd)
{
    struct ap_adapter_desc d = {
        .apid = apid, .type = type, .mode = mode, .qd = qd, .configured = true};

    assert_int_equal(ap_adapter_add(h->bus, &d), 0);
}

void
ah_domains(struct ah *h, unsigned from, unsigned to)
{
    for (unsigned d = from; d <= to; d++)
        assert_int_equal(ap_config_domain(h->bus, (uint8_t)d, true), 0);
}

void
ah_run(struct ah *h)
{
    zv_loop_run(h->loop);
}

static void ah_logf(struct ah_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ah_logf(struct ah_log *log, const char *fmt, ...)
{
    va_list ap;

    assert_true(log->n < AH_LOG_MAX);
    va_start(ap, fmt);
    vsnprintf(log->line[log->n++], AH_LINE_MAX, fmt, ap);
    va_end(ap);
}

static int
ah_probe(struct ap_queue *q, void *arg)
{
    struct ah_drv *d = arg;
    uint16_t qn = ap_queue_apqn(q);

    ah_logf(d->log, "%s probe %02x.%04x", d->drv.name, AP_QN_APID(qn),
            AP_QN_APQI(qn));
    /* the bus never offers a queue to the wrong owner class */
    assert_int_equal(ap_apqn_reserved(ap_queue_bus(q), qn),
                     d->drv.default_driver);
    if (d->probe_rc == 0)
        d->bound++;
    return d->probe_rc;
}

static void
ah_remove(struct ap_queue *q, void *arg)
{
    struct ah_drv *d = arg;
    uint16_t qn = ap_queue_apqn(q);

    assert_ptr_equal(ap_queue_driver(q), &d->drv);
    assert_true(d->bound > 0);
    d->bound--;
    ah_logf(d->log, "%s remove %02x.%04x", d->drv.name, AP_QN_APID(qn),
            AP_QN_APQI(qn));
}

static int
ah_in_use(const struct ap_mask *apm, const struct ap_mask *aqm, void *arg)
{
    struct ah_drv *d = arg;

    d->in_use_called = true;
    d->in_use_apm = *apm;
    d->in_use_aqm = *aqm;
    ah_logf(d->log, "%s in_use", d->drv.name);
    return d->in_use_rc;
}

static void
ah_cfg_changed(const struct ap_config *cur, const struct ap_config *prev,
               void *arg)
{
    struct ah_drv *d = arg;

    d->last_cur = *cur;
    d->last_prev = *prev;
    ah_logf(d->log, "%s config_changed", d->drv.name);
}

static void
ah_scan_complete(const struct ap_config *cur, const struct ap_config *prev,
                 void *arg)
{
    struct ah_drv *d = arg;

    ah_logf(d->log, "%s scan_complete", d->drv.name);
}

static void
ah_irq(struct ap_queue *q, void *arg)
{
    struct ah_drv *d = arg;
    uint16_t qn = ap_queue_apqn(q);

    d->irqs++;
    ah_logf(d->log, "%s irq %02x.%04x", d->drv.name, AP_QN_APID(qn),
            AP_QN_APQI(qn));
}

void
ah_drv_init(struct ah *h, struct ah_drv *d, const char *name,
            bool default_driver)
{
    memset(d, 0, sizeof(*d));
    d->log = &h->log;
    d->drv.name = name;
    d->drv.default_driver = default_driver;
    d->drv.arg = d;
    d->drv.probe = ah_probe;
    d->drv.remove = ah_remove;
    d->drv.in_use = ah_in_use;
    d->drv.on_config_changed = ah_cfg_changed;
    d->drv.on_scan_complete = ah_scan_complete;
    d->drv.irq = ah_irq;
}

int
ah_find(const struct ah *h, const char *s)
{
    for (unsigned i = 0; i < h->log.n; i++)
        if (strcmp(h->log.line[i], s) == 0)
            return (int)i;
    return -1;
}

unsigned
ah_count_prefix(const struct ah *h, const char *prefix)
{
    unsigned n = 0;

    for (unsigned i = 0; i < h->log.n; i++)
        n += strncmp(h->log.line[i], prefix, strlen(prefix)) == 0;
    return n;
}

void
ah_log_clear(struct ah *h)
{
    h->log.n = 0;
}
