/* SPDX-License-Identifier: MIT */
/*
 * ap/bus: adapters, the host AP configuration and the driver model, as
 * Linux's AP bus runs them (reference §2.2, §2.3, §3.5 flows D/E):
 *
 *  - the machine changes the configuration (QCI) at once; the bus scans
 *    later and then tells every driver on_config_changed(cur, prev),
 *    removes the queue devices that left, probes the ones that came, and
 *    ends with on_scan_complete(cur, prev);
 *  - apmask/aqmask decide whether a queue belongs to the default (host)
 *    drivers or to the others (vfio_ap); giving queues back to the host
 *    asks every driver's in_use() first and fails with EBUSY.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ap/ap_priv.h"
#include "base/log.h"

static void ap_bus_scan(void *arg);

struct ap_bus *
ap_bus_new(struct zv_loop *loop, const struct ap_bus_config *cfg)
{
    struct ap_bus *bus = calloc(1, sizeof(*bus));

    if (!bus)
        return NULL;
    bus->loop = loop;
    if (cfg) {
        bus->cfg = *cfg;
    } else {
        bus->cfg.apxa = bus->cfg.apft = bus->cfg.qci = bus->cfg.aqic = true;
        bus->cfg.na = bus->cfg.nd = AP_MAX_ID;
        bus->cfg.reset_ns = 2 * ZV_NSEC_PER_MSEC;
    }
    if (!bus->cfg.max_msg)
        bus->cfg.max_msg = AP_DEFAULT_MAX_MSG;
    /* Without APXA only 64 adapters and 16 domains can be addressed. */
    if (!bus->cfg.apxa) {
        if (bus->cfg.na > 63)
            bus->cfg.na = 63;
        if (bus->cfg.nd > 15)
            bus->cfg.nd = 15;
    }
    bus->cur.apxa = bus->cfg.apxa;
    bus->cur.na = bus->cfg.na;
    bus->cur.nd = bus->cfg.nd;
    bus->seen = bus->cur;
    /* Default: everything belongs to the host (reference §2.2). */
    ap_mask_fill(&bus->apmask);
    ap_mask_fill(&bus->aqmask);
    return bus;
}

static void ap_queue_do_unbind(struct ap_queue *q);

void
ap_bus_free(struct ap_bus *bus)
{
    if (!bus)
        return;
    zv_loop_cancel(bus->loop, bus->scan_timer);
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        if (!ad)
            continue;
        for (unsigned d = 0; d <= AP_MAX_ID; d++)
            if (ad->q[d])
                ap_queue_do_unbind(ad->q[d]);
    }
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        if (!ad)
            continue;
        for (unsigned d = 0; d <= AP_MAX_ID; d++)
            ap_queue_destroy(ad->q[d]);
        free(ad);
    }
    free(bus);
}

struct zv_loop *
ap_bus_loop(const struct ap_bus *bus)
{
    return bus->loop;
}

/* ---- adapters ---- */

int
ap_adapter_add(struct ap_bus *bus, const struct ap_adapter_desc *desc)
{
    struct ap_adapter *ad;

    if (desc->apid > bus->cfg.na || desc->type < AP_TYPE_CEX4 ||
        desc->type > AP_TYPE_CEX8 || desc->mode > AP_MODE_EP11 || desc->qd > 15)
        return -EINVAL;
    if (bus->adapters[desc->apid])
        return -EEXIST;
    ad = calloc(1, sizeof(*ad));
    if (!ad)
        return -ENOMEM;
    ad->bus = bus;
    ad->desc = *desc;
    if (!ad->desc.lat_ns)
        ad->desc.lat_ns = AP_DEFAULT_LAT_NS;
    ad->state = AP_ADAPTER_OPERATIONAL;
    bus->adapters[desc->apid] = ad;
    if (desc->configured)
        return ap_config_adapter(bus, desc->apid, true);
    return 0;
}

bool
ap_adapter_installed(const struct ap_bus *bus, uint8_t apid)
{
    return bus->adapters[apid] != NULL;
}

/* Queues that stop working lose their contents: a deconfigured adapter's
 * queues count as reset (reference §4.1), a checkstopped one's replies
 * are gone with the card. */
static void
ap_adapter_flush(struct ap_adapter *ad)
{
    for (unsigned d = 0; d <= AP_MAX_ID; d++)
        if (ad->q[d])
            ap_queue_flush(ad->q[d]);
}

int
ap_adapter_set_state(struct ap_bus *bus, uint8_t apid, enum ap_adapter_state st)
{
    struct ap_adapter *ad = bus->adapters[apid];

    if (!ad)
        return -ENODEV;
    if (st > AP_ADAPTER_CHECKSTOPPED)
        return -EINVAL;
    if (st != AP_ADAPTER_OPERATIONAL && st != ad->state)
        ap_adapter_flush(ad);
    zv_trace(bus->loop, "ap: card %02x state %d", apid, (int)st);
    ad->state = st;
    return 0;
}

/* ---- configuration ---- */

static void
ap_bus_schedule_scan(struct ap_bus *bus)
{
    if (bus->scan_timer)
        return;
    bus->scan_timer =
        zv_loop_after(bus->loop, bus->cfg.scan_delay_ns, ap_bus_scan, bus);
}

void
ap_bus_rescan(struct ap_bus *bus)
{
    ap_bus_schedule_scan(bus);
}

uint64_t
ap_bus_scans(const struct ap_bus *bus)
{
    return bus->scans;
}

int
ap_config_adapter(struct ap_bus *bus, uint8_t apid, bool in)
{
    struct ap_adapter *ad = bus->adapters[apid];

    if (apid > bus->cfg.na)
        return -EINVAL;
    if (!ad)
        return -ENODEV;
    if (in == ap_mask_test(&bus->cur.apm, apid))
        return 0;
    if (in) {
        ap_mask_set(&bus->cur.apm, apid);
    } else {
        ap_mask_clear(&bus->cur.apm, apid);
        ap_adapter_flush(ad);
    }
    zv_trace(bus->loop, "ap: config card %02x %s", apid, in ? "in" : "out");
    ap_bus_schedule_scan(bus);
    return 0;
}

int
ap_config_domain(struct ap_bus *bus, uint8_t apqi, bool in)
{
    if (apqi > bus->cfg.nd)
        return -EINVAL;
    if (in == ap_mask_test(&bus->cur.aqm, apqi))
        return 0;
    if (in) {
        ap_mask_set(&bus->cur.aqm, apqi);
    } else {
        ap_mask_clear(&bus->cur.aqm, apqi);
        for (unsigned a = 0; a <= AP_MAX_ID; a++)
            if (bus->adapters[a] && bus->adapters[a]->q[apqi])
                ap_queue_flush(bus->adapters[a]->q[apqi]);
    }
    zv_trace(bus->loop, "ap: config domain %04x %s", apqi, in ? "in" : "out");
    ap_bus_schedule_scan(bus);
    return 0;
}

int
ap_config_control_domain(struct ap_bus *bus, uint8_t apqi, bool in)
{
    if (apqi > bus->cfg.nd)
        return -EINVAL;
    if (in == ap_mask_test(&bus->cur.adm, apqi))
        return 0;
    if (in)
        ap_mask_set(&bus->cur.adm, apqi);
    else
        ap_mask_clear(&bus->cur.adm, apqi);
    ap_bus_schedule_scan(bus);
    return 0;
}

void
ap_bus_qci_info(const struct ap_bus *bus, struct ap_config *out)
{
    *out = bus->cur;
}

/* ---- ownership and binding ---- */

bool
ap_apqn_reserved(const struct ap_bus *bus, uint16_t apqn)
{
    return ap_mask_test(&bus->apmask, AP_QN_APID(apqn)) &&
           ap_mask_test(&bus->aqmask, AP_QN_APQI(apqn));
}

static void
ap_queue_do_unbind(struct ap_queue *q)
{
    const struct ap_driver *drv = q->drv;

    if (!drv)
        return;
    zv_trace(q->bus->loop, "ap: %02x.%04x remove %s", AP_QN_APID(q->apqn),
             AP_QN_APQI(q->apqn), drv->name);
    if (drv->remove)
        drv->remove(q, drv->arg);
    q->drv = NULL;
    q->drvdata = NULL;
}

static int
ap_queue_try(struct ap_queue *q, const struct ap_driver *drv)
{
    int rc;

    q->drv = drv;
    rc = drv->probe ? drv->probe(q, drv->arg) : 0;
    if (rc) {
        q->drv = NULL;
        q->drvdata = NULL;
        return rc;
    }
    zv_trace(q->bus->loop, "ap: %02x.%04x bound %s", AP_QN_APID(q->apqn),
             AP_QN_APQI(q->apqn), drv->name);
    return 0;
}

/* A reserved queue is probed only by default drivers, an unreserved one
 * only by the others (BUSC ap_device_probe). */
static void
ap_queue_probe(struct ap_queue *q)
{
    struct ap_bus *bus = q->bus;
    bool reserved = ap_apqn_reserved(bus, q->apqn);

    if (q->drv || !q->present)
        return;
    for (unsigned i = 0; i < bus->ndrivers; i++) {
        const struct ap_driver *drv = bus->drivers[i];

        if (drv->default_driver == reserved && ap_queue_try(q, drv) == 0)
            return;
    }
}

void
ap_queue_unbind(struct ap_queue *q)
{
    ap_queue_do_unbind(q);
}

int
ap_queue_bind(struct ap_queue *q, const struct ap_driver *drv)
{
    if (q->drv)
        return -EBUSY;
    if (!q->present || drv->default_driver != ap_apqn_reserved(q->bus, q->apqn))
        return -ENODEV;
    return ap_queue_try(q, drv) ? -ENODEV : 0;
}

void
ap_bus_bindings(const struct ap_bus *bus, unsigned *bound, unsigned *total)
{
    unsigned b = 0, t = 0;

    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        const struct ap_adapter *ad = bus->adapters[a];

        for (unsigned d = 0; ad && d <= AP_MAX_ID; d++) {
            if (!ad->q[d] || !ad->q[d]->present)
                continue;
            t++;
            b += ad->q[d]->drv != NULL;
        }
    }
    *bound = b;
    *total = t;
}

/* Every present queue whose owner class no longer matches its driver is
 * removed and probed again; unbound ones get a probe (BUSC
 * ap_bus_revise_bindings). */
static void
ap_bus_revise_bindings(struct ap_bus *bus)
{
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        for (unsigned d = 0; ad && d <= AP_MAX_ID; d++) {
            struct ap_queue *q = ad->q[d];

            if (!q || !q->present)
                continue;
            if (q->drv &&
                q->drv->default_driver != ap_apqn_reserved(bus, q->apqn))
                ap_queue_do_unbind(q);
            ap_queue_probe(q);
        }
    }
}

static int
ap_bus_in_use(struct ap_bus *bus, const struct ap_mask *apm,
              const struct ap_mask *aqm)
{
    for (unsigned i = 0; i < bus->ndrivers; i++) {
        const struct ap_driver *drv = bus->drivers[i];

        if (drv->in_use && drv->in_use(apm, aqm, drv->arg))
            return -EBUSY;
    }
    return 0;
}

/* BUSC apmask_store/aqmask_store: parse, refuse if the bits given back to
 * the host are in use, commit, revise the bindings. */
static int
ap_bus_mask_store(struct ap_bus *bus, bool adapters, const char *str)
{
    struct ap_mask *cur = adapters ? &bus->apmask : &bus->aqmask;
    struct ap_mask n = *cur, back;
    int rc = ap_mask_parse(&n, str);

    if (rc)
        return rc;
    if (ap_mask_equal(&n, cur))
        return 0;
    ap_mask_andnot(&back, &n, cur);
    if (!ap_mask_empty(&back)) {
        rc = adapters ? ap_bus_in_use(bus, &back, &bus->aqmask)
                      : ap_bus_in_use(bus, &bus->apmask, &back);
        if (rc) {
            zv_trace(bus->loop, "ap: %s store refused: in use",
                     adapters ? "apmask" : "aqmask");
            return rc;
        }
    }
    *cur = n;
    ap_bus_revise_bindings(bus);
    return 0;
}

int
ap_bus_apmask_store(struct ap_bus *bus, const char *str)
{
    return ap_bus_mask_store(bus, true, str);
}

int
ap_bus_aqmask_store(struct ap_bus *bus, const char *str)
{
    return ap_bus_mask_store(bus, false, str);
}

void
ap_bus_masks(const struct ap_bus *bus, struct ap_mask *apmask,
             struct ap_mask *aqmask)
{
    if (apmask)
        *apmask = bus->apmask;
    if (aqmask)
        *aqmask = bus->aqmask;
}

/* ---- drivers ---- */

static void
ap_bus_probe_all(struct ap_bus *bus)
{
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        for (unsigned d = 0; ad && d <= AP_MAX_ID; d++)
            if (ad->q[d])
                ap_queue_probe(ad->q[d]);
    }
}

int
ap_driver_register(struct ap_bus *bus, const struct ap_driver *drv)
{
    for (unsigned i = 0; i < bus->ndrivers; i++)
        if (bus->drivers[i] == drv)
            return -EEXIST;
    if (bus->ndrivers == AP_MAX_DRIVERS)
        return -ENOSPC;
    bus->drivers[bus->ndrivers++] = drv;
    ap_bus_probe_all(bus);
    return 0;
}

void
ap_driver_unregister(struct ap_bus *bus, const struct ap_driver *drv)
{
    unsigned i;

    for (i = 0; i < bus->ndrivers && bus->drivers[i] != drv; i++)
        ;
    if (i == bus->ndrivers)
        return;
    memmove(&bus->drivers[i], &bus->drivers[i + 1],
            (bus->ndrivers - i - 1) * sizeof(bus->drivers[0]));
    bus->ndrivers--;
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        for (unsigned d = 0; ad && d <= AP_MAX_ID; d++)
            if (ad->q[d] && ad->q[d]->drv == drv)
                ap_queue_do_unbind(ad->q[d]);
    }
}

/* ---- the scan ---- */

static bool
ap_config_equal(const struct ap_config *a, const struct ap_config *b)
{
    return ap_mask_equal(&a->apm, &b->apm) && ap_mask_equal(&a->aqm, &b->aqm) &&
           ap_mask_equal(&a->adm, &b->adm);
}

static void
ap_bus_notify(struct ap_bus *bus, bool complete, const struct ap_config *cur,
              const struct ap_config *prev)
{
    for (unsigned i = 0; i < bus->ndrivers; i++) {
        const struct ap_driver *drv = bus->drivers[i];

        if (!complete && drv->on_config_changed)
            drv->on_config_changed(cur, prev, drv->arg);
        if (complete && drv->on_scan_complete)
            drv->on_scan_complete(cur, prev, drv->arg);
    }
}

/* Queue devices that left the configuration go first (remove), then the
 * new ones are created and probed, in APQN order. */
static void
ap_bus_update_devices(struct ap_bus *bus, const struct ap_config *cur)
{
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        struct ap_adapter *ad = bus->adapters[a];

        for (unsigned d = 0; ad && d <= AP_MAX_ID; d++) {
            struct ap_queue *q = ad->q[d];

            if (!q || !q->present)
                continue;
            if (ap_mask_test(&cur->apm, a) && ap_mask_test(&cur->aqm, d))
                continue;
            ap_queue_do_unbind(q);
            q->present = false;
        }
    }
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        int d;

        if (!bus->adapters[a] || !ap_mask_test(&cur->apm, a))
            continue;
        ap_mask_for_each(d, &cur->aqm)
        {
            struct ap_queue *q =
                ap_queue_get_or_alloc(bus, AP_MKQN(a, (unsigned)d));

            if (!q) {
                zv_log(ZV_LOG_ERR, "ap: no memory for queue %02x.%04x", a,
                       (unsigned)d);
                continue;
            }
            if (q->present)
                continue;
            q->present = true;
            ap_queue_probe(q);
        }
    }
}

static void
ap_bus_scan(void *arg)
{
    struct ap_bus *bus = arg;
    struct ap_config prev = bus->seen, cur = bus->cur;
    bool changed = !ap_config_equal(&prev, &cur);

    bus->scan_timer = 0;
    zv_trace(bus->loop, "ap: scan%s", changed ? " (config changed)" : "");
    if (changed)
        ap_bus_notify(bus, false, &cur, &prev);
    ap_bus_update_devices(bus, &cur);
    bus->seen = cur;
    bus->scans++;
    if (changed)
        ap_bus_notify(bus, true, &cur, &prev);
}
