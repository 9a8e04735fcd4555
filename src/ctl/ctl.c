/* SPDX-License-Identifier: MIT */
/*
 * The control commands (docs/zvfiod.md "Control protocol"): the channel
 * subsystem, faults, statistics, and the dispatcher (mdev commands:
 * mdev.c).  Each command checks its arguments before it changes
 * anything: a refused command leaves the host as it was.
 */
#include "ctl/ctl_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "base/log.h"
#include "dev/dev.h"
#include "dev/testdev.h"

/* ---- helpers ---- */

struct json_object *
ctl_reply_err(const char *cls, const char *fmt, ...)
{
    struct json_object *r = json_object_new_object();
    struct json_object *e = json_object_new_object();
    char desc[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    json_object_object_add(e, "class", json_object_new_string(cls));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(r, "error", e);
    return r;
}

struct json_object *
ctl_reply_ok(struct json_object *ret)
{
    struct json_object *r = json_object_new_object();

    json_object_object_add(r, "return", ret ? ret : json_object_new_object());
    return r;
}

void
ctl_hex_add(struct json_object *o, const char *key, unsigned v, int width)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%0*x", width, v);
    json_object_object_add(o, key, json_object_new_string(buf));
}

const char *
ctl_busid(char *buf, size_t len, uint8_t ssid, uint16_t no)
{
    snprintf(buf, len, "0.%x.%04x", ssid, no);
    return buf;
}

/* Argument access: every refusal names the argument. */
struct json_object *
ctl_arg_get(struct json_object *args, const char *key)
{
    struct json_object *v = NULL;

    if (args && json_object_object_get_ex(args, key, &v))
        return v;
    return NULL;
}

const char *
ctl_arg_str(struct json_object *args, const char *key)
{
    struct json_object *v = ctl_arg_get(args, key);

    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

/* -1 when absent, -2 when not a boolean */
int
ctl_arg_bool(struct json_object *args, const char *key)
{
    struct json_object *v = ctl_arg_get(args, key);

    if (!v)
        return -1;
    if (!json_object_is_type(v, json_type_boolean))
        return -2;
    return json_object_get_boolean(v);
}

/* CHPID as "40", "0.40" or 64. */
int
ctl_arg_num(struct json_object *args, const char *key, uint64_t max,
            uint64_t *out, const char **str)
{
    struct json_object *v = ctl_arg_get(args, key);

    if (!v)
        return -ENOENT;
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);

        if (i < 0 || (uint64_t)i > max)
            return -EINVAL;
        *out = (uint64_t)i;
        return 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return -EINVAL;
    *str = json_object_get_string(v);
    return 1;
}

void
ctl_u64_add(struct json_object *o, const char *key, uint64_t v)
{
    json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static int
arg_chpid(struct json_object *args, uint8_t *out)
{
    const char *s;
    char *end;
    uint64_t n;
    int rc = ctl_arg_num(args, "chpid", CSS_MAX_CHPID, &n, &s);

    if (rc == 0)
        *out = (uint8_t)n;
    if (rc != 1)
        return rc;
    if (strncmp(s, "0.", 2) == 0)
        s += 2;
    if (!*s || strlen(s) > 2 || *s == '-' || *s == '+' || *s == ' ')
        return -EINVAL;
    n = strtoul(s, &end, 16);
    if (*end)
        return -EINVAL;
    *out = (uint8_t)n;
    return 0;
}

/* The subchannel argument: a present, defined device. */
struct json_object *
ctl_arg_sch(struct zv_ctl *ctl, struct json_object *args, const char *key,
            struct zv_host_dev **out)
{
    const char *s = ctl_arg_str(args, key);
    uint8_t ssid;
    uint16_t no;

    if (!s)
        return ctl_reply_err("InvalidParameter",
                             "argument '%s' (a subchannel bus id such as "
                             "\"0.0.0100\") is required",
                             key);
    if (zv_host_parse_busid(s, &ssid, &no))
        return ctl_reply_err("InvalidParameter",
                             "'%s': \"%.40s\" is not a subchannel bus id "
                             "(expected e.g. \"0.0.0100\")",
                             key, s);
    *out = zv_host_dev_find(ctl->host, ssid, no);
    if (!*out)
        return ctl_reply_err("DeviceNotFound", "no subchannel %s", s);
    if ((*out)->lost)
        return ctl_reply_err("DeviceNotFound",
                             "subchannel %s is gone (device loss)", s);
    return NULL;
}

unsigned
ctl_mdevs_on(struct zv_ctl *ctl, const struct zv_host_dev *hd)
{
    unsigned n = 0;

    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++)
        n += ctl->mdev[i].used && ctl->mdev[i].hd == hd;
    return n;
}

bool
ctl_sch_bound_vfio(const struct zv_host_dev *hd)
{
    const struct css_driver *d = hd->sch ? css_sch_driver(hd->sch) : NULL;

    return d && strcmp(d->name, ZV_VFIO_CCW_DRIVER) == 0;
}

/* ---- commands ---- */

static struct json_object *
cmd_query_subchannels(struct zv_ctl *ctl, struct json_object *args)
{
    struct json_object *a = json_object_new_array();
    char buf[16];

    (void)args;
    for (unsigned i = 0; i < ctl->host->ndev; i++) {
        struct zv_host_dev *hd = &ctl->host->dev[i];
        struct json_object *o = json_object_new_object(), *chp;
        const struct css_driver *drv;
        struct schib schib;
        uint16_t cut, dt;
        uint8_t cum, dm;

        zv_host_dev_ident(hd, &cut, &cum, &dt, &dm);
        json_object_object_add(
            o, "subchannel",
            json_object_new_string(
                ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no)));
        json_object_object_add(
            o, "devno",
            json_object_new_string(
                ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.devno)));
        json_object_object_add(
            o, "type",
            json_object_new_string(zv_host_dev_type_name(hd->cfg.type)));
        ctl_hex_add(o, "dev_type", dt, 4);
        ctl_hex_add(o, "dev_model", dm, 2);
        ctl_hex_add(o, "cu_type", cut, 4);
        ctl_hex_add(o, "cu_model", cum, 2);
        json_object_object_add(o, "present",
                               json_object_new_boolean(!hd->lost));
        if (!hd->lost && css_sch_stsch(hd->sch, &schib).cc == ZV_CC0) {
            ctl_hex_add(o, "pim", schib.pmcw.pim, 2);
            ctl_hex_add(o, "pam", schib.pmcw.pam, 2);
            ctl_hex_add(o, "pom", schib.pmcw.pom, 2);
            json_object_object_add(o, "enabled",
                                   json_object_new_boolean(schib.pmcw.ena));
        }
        chp = json_object_new_array();
        for (unsigned c = 0; c < hd->cfg.nchp; c++) {
            snprintf(buf, sizeof(buf), "%02x", hd->cfg.chpid[c]);
            json_object_array_add(chp, json_object_new_string(buf));
        }
        json_object_object_add(o, "chpids", chp);
        drv = !hd->lost && hd->sch ? css_sch_driver(hd->sch) : NULL;
        json_object_object_add(o, "driver",
                               drv ? json_object_new_string(drv->name) : NULL);
        if (hd->cfg.type != ZV_HOST_DEV_TEST)
            json_object_object_add(o, "image",
                                   json_object_new_string(hd->cfg.image));
        json_object_object_add(o, "mdevs",
                               json_object_new_int((int)ctl_mdevs_on(ctl, hd)));
        json_object_array_add(a, o);
    }
    return ctl_reply_ok(a);
}

static struct json_object *
cmd_query_chpids(struct zv_ctl *ctl, struct json_object *args)
{
    struct json_object *a = json_object_new_array();

    (void)args;
    for (unsigned i = 0; i < ctl->host->cfg.nchp; i++) {
        const struct zv_host_chp_cfg *c = &ctl->host->cfg.chp[i];
        struct ctl_chp *st = &ctl->chp[i];
        struct json_object *o = json_object_new_object();

        ctl_hex_add(o, "chpid", c->chpid, 2);
        ctl_hex_add(o, "type", c->type, 2);
        json_object_object_add(o, "configured",
                               json_object_new_boolean(st->configured));
        json_object_object_add(o, "online",
                               json_object_new_boolean(st->varied_on));
        json_object_object_add(o, "failed",
                               json_object_new_boolean(st->failed));
        json_object_array_add(a, o);
    }
    return ctl_reply_ok(a);
}

static struct json_object *
chp_change(struct zv_ctl *ctl, struct json_object *args, bool configure)
{
    struct json_object *ev;
    struct ctl_chp *st = NULL;
    uint8_t chpid;
    int on = ctl_arg_bool(args, "on"), rc;

    if (arg_chpid(args, &chpid))
        return ctl_reply_err("InvalidParameter",
                             "argument 'chpid' (hex, e.g. \"40\" or \"0.40\") "
                             "is required");
    if (on < 0)
        return ctl_reply_err("InvalidParameter",
                             "argument 'on' (true or false) is required");
    for (unsigned i = 0; i < ctl->host->cfg.nchp; i++)
        if (ctl->host->cfg.chp[i].chpid == chpid)
            st = &ctl->chp[i];
    if (!st)
        return ctl_reply_err("DeviceNotFound", "no channel path 0.%02x", chpid);
    rc = configure ? css_chp_configure(ctl->host->css, chpid, on)
                   : css_chp_vary(ctl->host->css, chpid, on);
    if (rc)
        return ctl_reply_err("GenericError", "%s 0.%02x: %s",
                             configure ? "configure" : "vary", chpid,
                             strerror(-rc));
    if (configure)
        st->configured = on;
    else
        st->varied_on = on;
    zv_log(ZV_LOG_INFO, "chp: %s 0.%02x %s", configure ? "configure" : "vary",
           chpid, on ? "on" : "off");
    ev = json_object_new_object();
    ctl_hex_add(ev, "chpid", chpid, 2);
    json_object_object_add(
        ev, "action", json_object_new_string(configure ? "configure" : "vary"));
    json_object_object_add(ev, "on", json_object_new_boolean(on));
    zv_ctl_event(ctl, "CHPID_CHANGED", ev);
    return ctl_reply_ok(NULL);
}

static struct json_object *
cmd_chpid_vary(struct zv_ctl *ctl, struct json_object *args)
{
    return chp_change(ctl, args, false);
}

static struct json_object *
cmd_chpid_configure(struct zv_ctl *ctl, struct json_object *args)
{
    return chp_change(ctl, args, true);
}

static struct json_object *
cmd_subchannel_bind(struct zv_ctl *ctl, struct json_object *args)
{
    struct zv_host_dev *hd = NULL;
    struct json_object *e = ctl_arg_sch(ctl, args, "subchannel", &hd);
    const struct css_driver *d;
    char buf[16];
    int rc;

    if (e)
        return e;
    ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no);
    d = css_sch_driver(hd->sch);
    if (d && strcmp(d->name, ZV_VFIO_CCW_DRIVER) == 0)
        return ctl_reply_err("AlreadyBound",
                             "subchannel %s is already bound to %s", buf,
                             ZV_VFIO_CCW_DRIVER);
    if (d)
        return ctl_reply_err("DeviceBusy", "subchannel %s is bound to %s", buf,
                             d->name);
    rc = zv_vfio_ccw_bind(ctl->host->drv, hd->sch);
    if (rc)
        return ctl_reply_err(rc == -EBUSY ? "DeviceBusy" : "GenericError",
                             "bind %s: %s", buf, strerror(-rc));
    zv_log(ZV_LOG_INFO, "css: bound %s to %s", buf, ZV_VFIO_CCW_DRIVER);
    return ctl_reply_ok(NULL);
}

static struct json_object *
cmd_subchannel_unbind(struct zv_ctl *ctl, struct json_object *args)
{
    struct zv_host_dev *hd = NULL;
    struct json_object *e = ctl_arg_sch(ctl, args, "subchannel", &hd);
    char buf[16];
    unsigned n;

    if (e)
        return e;
    ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no);
    if (!ctl_sch_bound_vfio(hd))
        return ctl_reply_err("NotBound", "subchannel %s is not bound to %s",
                             buf, ZV_VFIO_CCW_DRIVER);
    n = ctl_mdevs_on(ctl, hd);
    if (n)
        return ctl_reply_err("DeviceBusy",
                             "subchannel %s has %u mediated device(s): remove "
                             "them first",
                             buf, n);
    zv_vfio_ccw_unbind(ctl->host->drv, hd->sch);
    zv_log(ZV_LOG_INFO, "css: unbound %s", buf);
    return ctl_reply_ok(NULL);
}

static bool
host_dev_is_dasd(const struct zv_host_dev *hd)
{
    return hd->dev && !hd->td &&
           (hd->cfg.type == ZV_HOST_DEV_FBA ||
            hd->cfg.type == ZV_HOST_DEV_ECKD);
}

/* latency: "us" per command from now on (test devices: every command
 * held that long; DASDs: the modelled latency, no jitter), or "restore":
 * true for a DASD's configured latency and jitter. */
static struct json_object *
inject_latency(struct zv_host_dev *hd, struct json_object *args,
               struct json_object *ev, const char *sch)
{
    struct json_object *v = ctl_arg_get(args, "us");
    int64_t us = 0;

    if (host_dev_is_dasd(hd) && ctl_arg_bool(args, "restore") == 1) {
        dev_dasd_set_latency(hd->dev, hd->cfg.latency_ns, hd->cfg.jitter_ns);
        json_object_object_add(ev, "restored", json_object_new_boolean(true));
        zv_log(ZV_LOG_INFO, "fault: latency on %s restored", sch);
        return NULL;
    }
    if (!v || !json_object_is_type(v, json_type_int) ||
        (us = json_object_get_int64(v)) < 0 || us > 10000000)
        return ctl_reply_err("InvalidParameter",
                             "latency needs 'us' (0..10000000)");
    if (hd->td)
        testdev_set_default_latency(hd->td, (uint64_t)us * ZV_NSEC_PER_USEC,
                                    (uint64_t)us * ZV_NSEC_PER_USEC);
    else if (host_dev_is_dasd(hd))
        dev_dasd_set_latency(hd->dev, (uint64_t)us * ZV_NSEC_PER_USEC, 0);
    else
        return ctl_reply_err("NotSupported", "no latency model on %s", sch);
    json_object_object_add(ev, "us", json_object_new_int64(us));
    zv_log(ZV_LOG_INFO, "fault: latency %lld us on %s", (long long)us, sch);
    return NULL;
}

/* equipment-check: from now on "ppm" parts per million of the DASD's
 * commands end with unit check, sense byte 0 equipment check (0 stops). */
static struct json_object *
inject_eq_check(struct zv_host_dev *hd, struct json_object *args,
                struct json_object *ev, const char *sch)
{
    struct json_object *v = ctl_arg_get(args, "ppm");
    int64_t ppm;

    if (!v || !json_object_is_type(v, json_type_int) ||
        (ppm = json_object_get_int64(v)) < 0 || ppm > 1000000)
        return ctl_reply_err("InvalidParameter",
                             "equipment-check needs 'ppm' (0..1000000)");
    if (!host_dev_is_dasd(hd))
        return ctl_reply_err("NotSupported",
                             "equipment checks are injected on DASDs; %s "
                             "is a %s",
                             sch, zv_host_dev_type_name(hd->cfg.type));
    dev_dasd_set_eq_check_ppm(hd->dev, (uint32_t)ppm);
    json_object_object_add(ev, "ppm", json_object_new_int64(ppm));
    zv_log(ZV_LOG_INFO, "fault: equipment checks at %lld ppm on %s",
           (long long)ppm, sch);
    return NULL;
}

static struct json_object *
cmd_inject_fault(struct zv_ctl *ctl, struct json_object *args)
{
    const char *kind = ctl_arg_str(args, "kind");
    struct zv_host_dev *hd = NULL;
    struct json_object *e = NULL, *ev;
    char buf[16] = "";
    int rc;

    if (!kind)
        return ctl_reply_err("InvalidParameter",
                             "argument 'kind' (device-loss, path-loss, "
                             "unsolicited, latency, equipment-check) is "
                             "required");
    ev = json_object_new_object();
    json_object_object_add(ev, "kind", json_object_new_string(kind));
    if (strcmp(kind, "path-loss") == 0) {
        int restore = ctl_arg_bool(args, "restore");
        uint8_t chpid;
        bool known = false;

        if (arg_chpid(args, &chpid)) {
            json_object_put(ev);
            return ctl_reply_err("InvalidParameter",
                                 "path-loss needs 'chpid' (hex)");
        }
        for (unsigned i = 0; i < ctl->host->cfg.nchp; i++)
            if (ctl->host->cfg.chp[i].chpid == chpid) {
                known = true;
                ctl->chp[i].failed = restore != 1;
            }
        if (!known) {
            json_object_put(ev);
            return ctl_reply_err("DeviceNotFound", "no channel path 0.%02x",
                                 chpid);
        }
        rc = css_chp_set_failed(ctl->host->css, chpid, restore != 1);
        if (rc) {
            json_object_put(ev);
            return ctl_reply_err("GenericError", "path-loss: %s",
                                 strerror(-rc));
        }
        ctl_hex_add(ev, "chpid", chpid, 2);
        json_object_object_add(ev, "restored",
                               json_object_new_boolean(restore == 1));
        zv_log(ZV_LOG_INFO, "fault: path 0.%02x %s", chpid,
               restore == 1 ? "restored" : "failed");
        zv_ctl_event(ctl, "FAULT_INJECTED", ev);
        return ctl_reply_ok(NULL);
    }
    e = ctl_arg_sch(ctl, args, "subchannel", &hd);
    if (e) {
        json_object_put(ev);
        return e;
    }
    ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no);
    json_object_object_add(ev, "subchannel", json_object_new_string(buf));
    if (strcmp(kind, "device-loss") == 0) {
        rc = css_sch_undefine(ctl->host->css, hd->sch);
        if (rc) {
            json_object_put(ev);
            return ctl_reply_err("GenericError", "device-loss %s: %s", buf,
                                 strerror(-rc));
        }
        hd->lost = true;
        zv_log(ZV_LOG_WARNING, "fault: device on %s lost", buf);
    } else if (strcmp(kind, "unsolicited") == 0) {
        struct json_object *v = ctl_arg_get(args, "dstat");
        int64_t dstat = DEV_STAT_ATTENTION;

        if (v) {
            if (!json_object_is_type(v, json_type_int) ||
                (dstat = json_object_get_int64(v)) < 0 || dstat > 0xFF) {
                json_object_put(ev);
                return ctl_reply_err("InvalidParameter",
                                     "'dstat' must be an integer 0..255");
            }
        }
        css_dev_unsolicited(hd->dev, (uint8_t)dstat);
        ctl_hex_add(ev, "dstat", (unsigned)dstat, 2);
        zv_log(ZV_LOG_INFO, "fault: unsolicited status %02x on %s",
               (unsigned)dstat, buf);
    } else if (strcmp(kind, "latency") == 0) {
        e = inject_latency(hd, args, ev, buf);
    } else if (strcmp(kind, "equipment-check") == 0) {
        e = inject_eq_check(hd, args, ev, buf);
    } else {
        json_object_put(ev);
        return ctl_reply_err("InvalidParameter",
                             "unknown fault kind \"%.40s\" (device-loss, "
                             "path-loss, unsolicited, latency, "
                             "equipment-check)",
                             kind);
    }
    if (e) {
        json_object_put(ev);
        return e;
    }
    zv_ctl_event(ctl, "FAULT_INJECTED", ev);
    return ctl_reply_ok(NULL);
}

static struct json_object *
jint(uint64_t v)
{
    return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* The SSCH-to-status histogram: the non-empty log2 buckets, each with its
 * bounds in microseconds (hi_us null: the open top bucket). */
static struct json_object *
stats_latency(const struct zv_vfio_ccw_latency *l)
{
    struct json_object *o = json_object_new_object(),
                       *b = json_object_new_array();

    json_object_object_add(o, "count", jint(l->count));
    json_object_object_add(
        o, "mean_us",
        json_object_new_double(l->count ? l->sum_ns / 1e3 / l->count : 0));
    json_object_object_add(o, "max_us",
                           json_object_new_double(l->max_ns / 1e3));
    for (unsigned k = 0; k < ZV_VFIO_CCW_LAT_BUCKETS; k++) {
        struct json_object *e;

        if (!l->bucket[k])
            continue;
        e = json_object_new_object();
        json_object_object_add(e, "lo_us", jint(k ? 1ull << (k - 1) : 0));
        json_object_object_add(e, "hi_us",
                               k + 1 < ZV_VFIO_CCW_LAT_BUCKETS ? jint(1ull << k)
                                                               : NULL);
        json_object_object_add(e, "count", jint(l->bucket[k]));
        json_object_array_add(b, e);
    }
    json_object_object_add(o, "buckets", b);
    return o;
}

static struct json_object *
cmd_query_stats(struct zv_ctl *ctl, struct json_object *args)
{
    struct zv_host_dev *hd = NULL;
    struct ctl_mdev *m = NULL;
    struct json_object *r = json_object_new_object(), *e;
    struct zv_vfio_ccw_counters c;
    struct css_cmf cmf;
    char buf[16];

    if (ctl_arg_get(args, "uuid")) {
        e = ctl_arg_mdev(ctl, args, &m);
        if (e) {
            json_object_put(r);
            return e;
        }
        if (m->ap) {
            json_object_put(r);
            return ctl_reply_err("InvalidParameter",
                                 "mdev %s is an AP mdev: see query-ap and "
                                 "mdev-attr",
                                 m->uuid);
        }
        hd = m->hd;
    } else {
        e = ctl_arg_sch(ctl, args, "subchannel", &hd);
        if (e) {
            json_object_put(r);
            return ctl_reply_err("InvalidParameter",
                                 "query-stats needs 'uuid' or a present "
                                 "'subchannel'");
        }
        for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++)
            if (ctl->mdev[i].used && ctl->mdev[i].hd == hd)
                m = &ctl->mdev[i];
    }
    json_object_object_add(
        r, "subchannel",
        json_object_new_string(
            ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no)));
    ctl_u64_add(
        r, "device_commands",
        (hd->td ? testdev_cmd_count(hd->td) : dev_dasd_commands(hd->dev)));
    if (!hd->td)
        ctl_u64_add(r, "device_held", dev_dasd_held(hd->dev));
    if (hd->sch) {
        struct json_object *o = json_object_new_object();
        uint64_t rd, wr;

        css_sch_bytes(hd->sch, &rd, &wr);
        json_object_object_add(o, "read", jint(rd));
        json_object_object_add(o, "written", jint(wr));
        json_object_object_add(r, "bytes", o);
    }
    if (!hd->lost && css_sch_cmf_read(hd->sch, &cmf) == 0) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "ssch_rsch_count",
                               json_object_new_int64(cmf.ssch_rsch_count));
        json_object_object_add(o, "sample_count",
                               json_object_new_int64(cmf.sample_count));
        json_object_object_add(r, "measurement_block", o);
    }
    if (m && m->vd && zv_vfio_ccw_counters(m->vd, &c) == 0) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "uuid", json_object_new_string(m->uuid));
        json_object_object_add(
            o, "state", json_object_new_string(zv_vfio_ccw_state_name(m->vd)));
        ctl_u64_add(o, "cp_translated", c.cp_translated);
        ctl_u64_add(o, "cp_freed", c.cp_freed);
        ctl_u64_add(o, "irb_dropped", c.irb_dropped);
        ctl_u64_add(o, "crw_lost", c.crw_lost);
        ctl_u64_add(o, "fsm_events", c.events);
        json_object_object_add(r, "vfio_ccw", o);
        json_object_object_add(r, "latency", stats_latency(&c.lat));
    }
    if (m && m->srv) {
        struct zv_vfu_server_stats st;
        struct json_object *o = json_object_new_object();

        zv_vfu_server_stats(m->srv, &st);
        ctl_u64_add(o, "clients", st.clients);
        ctl_u64_add(o, "messages", st.messages);
        ctl_u64_add(o, "errors", st.errors);
        ctl_u64_add(o, "disconnects", st.disconnects);
        json_object_object_add(o, "dma_maps",
                               json_object_new_int64(st.dma_maps));
        json_object_object_add(r, "vfio_user", o);
    }
    return ctl_reply_ok(r);
}

static struct json_object *
cmd_quit(struct zv_ctl *ctl, struct json_object *args)
{
    (void)args;
    ctl->quit = true;
    zv_loop_stop(ctl->loop);
    return ctl_reply_ok(NULL);
}

static const struct ctl_cmd cmds[] = {
    {"query-subchannels", cmd_query_subchannels},
    {"query-chpids", cmd_query_chpids},
    {"chpid-vary", cmd_chpid_vary},
    {"chpid-configure", cmd_chpid_configure},
    {"subchannel-bind", cmd_subchannel_bind},
    {"subchannel-unbind", cmd_subchannel_unbind},
    {"mdev-create", ctl_cmd_mdev_create},
    {"mdev-remove", ctl_cmd_mdev_remove},
    {"query-mdevs", ctl_cmd_query_mdevs},
    {"mdev-start", ctl_cmd_mdev_start},
    {"mdev-stop", ctl_cmd_mdev_stop},
    {"inject-fault", cmd_inject_fault},
    {"query-stats", cmd_query_stats},
    {"quit", cmd_quit},
};

struct json_object *
ctl_capabilities(void)
{
    struct json_object *a = json_object_new_array();

    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        json_object_array_add(a, json_object_new_string(cmds[i].name));
    for (const struct ctl_cmd *c = ctl_ap_cmds; c->name; c++)
        json_object_array_add(a, json_object_new_string(c->name));
    return a;
}

struct json_object *
zv_ctl_execute(struct zv_ctl *ctl, struct json_object *req)
{
    struct json_object *exe, *args = NULL, *id = NULL, *r = NULL;
    const char *name;

    if (!req || !json_object_is_type(req, json_type_object))
        return ctl_reply_err("GenericError", "a request must be a JSON object");
    json_object_object_get_ex(req, "id", &id);
    if (!json_object_object_get_ex(req, "execute", &exe) ||
        !json_object_is_type(exe, json_type_string))
        r = ctl_reply_err("GenericError",
                          "a request needs \"execute\": \"<command>\"");
    else if (json_object_object_get_ex(req, "arguments", &args) &&
             !json_object_is_type(args, json_type_object))
        r = ctl_reply_err("GenericError", "\"arguments\" must be an object");
    if (!r) {
        name = json_object_get_string(exe);
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
            if (strcmp(cmds[i].name, name) == 0) {
                zv_log(ZV_LOG_DEBUG, "ctl: execute %s", name);
                r = cmds[i].fn(ctl, args);
                break;
            }
        for (const struct ctl_cmd *c = ctl_ap_cmds; !r && c->name; c++)
            if (strcmp(c->name, name) == 0) {
                zv_log(ZV_LOG_DEBUG, "ctl: execute %s", name);
                r = c->fn(ctl, args);
            }
        if (!r)
            r = ctl_reply_err("CommandNotFound", "unknown command \"%.64s\"",
                              name);
    }
    if (id)
        json_object_object_add(r, "id", json_object_get(id));
    return r;
}

bool
zv_ctl_quit_requested(const struct zv_ctl *ctl)
{
    return ctl->quit;
}

/* ---- life ---- */

int
zv_ctl_new(struct zv_host *host, const char *state_dir, struct zv_ctl **out)
{
    struct zv_ctl *ctl = calloc(1, sizeof(*ctl));

    if (!ctl)
        return -ENOMEM;
    ctl->host = host;
    ctl->loop = host->loop;
    ctl->listen_fd = -1;
    if ((size_t)snprintf(ctl->sock_dir, sizeof(ctl->sock_dir), "%s/mdev",
                         state_dir) >= sizeof(ctl->sock_dir) ||
        (size_t)snprintf(ctl->def_dir, sizeof(ctl->def_dir), "%s/mdevctl.d",
                         state_dir) >= sizeof(ctl->def_dir) ||
        (size_t)snprintf(ctl->ap_state, sizeof(ctl->ap_state),
                         "%s/ap-masks.json",
                         state_dir) >= sizeof(ctl->ap_state)) {
        free(ctl);
        return -ENAMETOOLONG;
    }
    if ((mkdir(ctl->sock_dir, 0700) < 0 && errno != EEXIST) ||
        (mkdir(ctl->def_dir, 0755) < 0 && errno != EEXIST)) {
        int rc = -errno;

        free(ctl);
        return rc;
    }
    for (unsigned i = 0; i < host->cfg.nchp; i++) {
        ctl->chp[i].configured = true;
        ctl->chp[i].varied_on = true;
    }
    *out = ctl;
    return 0;
}

void
zv_ctl_free(struct zv_ctl *ctl)
{
    if (!ctl)
        return;
    ctl_server_close(ctl);
    ctl_mdev_remove_cancel(ctl);
    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++)
        if (ctl->mdev[i].used)
            ctl_mdev_destroy(ctl, &ctl->mdev[i]);
    free(ctl);
}
