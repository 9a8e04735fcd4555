/* SPDX-License-Identifier: MIT */
/*
 * The AP control commands (docs/zvfiod.md "AP"): the listing lszcrypt
 * shows, /sys/bus/ap/apmask and aqmask, the host AP configuration
 * (adapters and domains in or out, for hot-plug tests) and the matrix
 * mdev's sysfs attributes.  A refused attribute or mask write answers
 * with the errno the kernel's sysfs write would fail with, by name, in
 * the error's "errno" member and at the head of its "desc".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "ctl/ctl_priv.h"

const char *
ctl_errno_name(int err)
{
    switch (err < 0 ? -err : err) {
    case EINVAL:
        return "EINVAL";
    case ERANGE:
        return "ERANGE";
    case ENODEV:
        return "ENODEV";
    case EADDRNOTAVAIL:
        return "EADDRNOTAVAIL";
    case EADDRINUSE:
        return "EADDRINUSE";
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EBUSY:
        return "EBUSY";
    case ENOMEM:
        return "ENOMEM";
    case ENOSPC:
        return "ENOSPC";
    }
    return "EIO";
}

/* What the errno means for an attribute or mask write (reference §2.2,
 * §2.5). */
static const char *
errno_why(int err)
{
    switch (-err) {
    case EINVAL:
        return "not a valid value for this attribute";
    case ERANGE:
        return "the number does not fit";
    case ENODEV:
        return "the ID is above the highest the machine has (Na/Nd)";
    case EADDRNOTAVAIL:
        return "an APQN of the new matrix is reserved for the host "
               "(apmask/aqmask)";
    case EADDRINUSE:
        return "an APQN of the new matrix is assigned to another mdev";
    case ENOENT:
        return "no such attribute";
    case EACCES:
        return "the attribute cannot be accessed that way";
    case EBUSY:
        return "queues it would give back to the host are in use by an mdev";
    }
    return strerror(-err);
}

static struct json_object *
reply_errno(int err, const char *fmt, const char *a, const char *b)
{
    struct json_object *r;
    struct json_object *e;
    char what[256];

    snprintf(what, sizeof(what), fmt, a, b);
    r = ctl_reply_err(err == -EBUSY ? "DeviceBusy" : "InvalidParameter",
                      "%s: %s: %s", what, ctl_errno_name(err), errno_why(err));
    if (json_object_object_get_ex(r, "error", &e))
        json_object_object_add(e, "errno",
                               json_object_new_string(ctl_errno_name(err)));
    return r;
}

static struct json_object *
need_ap(struct zv_ctl *ctl)
{
    if (!ctl->host->ap)
        return ctl_reply_err("DeviceNotFound",
                             "this host has no AP adapters (\"ap\" section)");
    return NULL;
}

static struct json_object *
mask_json(const struct ap_mask *m)
{
    char buf[AP_MASK_STR_LEN];

    ap_mask_format(m, buf);
    return json_object_new_string(buf);
}

/* lszcrypt's TYPE column: CEX7A, CEX7C, CEX7P. */
static void
card_type(const struct zv_host_ap_cfg *a, char *buf, size_t len)
{
    static const char mode_ch[] = {'A', 'C', 'P'};

    snprintf(buf, len, "CEX%u%c", (unsigned)(a->type - AP_TYPE_CEX4 + 4),
             mode_ch[a->mode]);
}

static struct json_object *
queue_json(struct zv_ctl *ctl, const struct zv_host_ap_cfg *a, unsigned apqi,
           bool online)
{
    struct zv_host *h = ctl->host;
    uint16_t qn = AP_MKQN(a->apid, apqi);
    struct ap_queue *q = ap_queue_find(h->ap, qn);
    const struct ap_driver *d = q ? ap_queue_driver(q) : NULL;
    const char *st = zv_vfio_ap_queue_status(h->vap, qn);
    struct json_object *o = json_object_new_object();
    struct ap_queue_stats qs;
    char buf[16];

    snprintf(buf, sizeof(buf), "%02x.%04x", a->apid, apqi);
    json_object_object_add(o, "apqn", json_object_new_string(buf));
    card_type(a, buf, sizeof(buf));
    json_object_object_add(o, "type", json_object_new_string(buf));
    json_object_object_add(
        o, "mode", json_object_new_string(zv_host_ap_mode_name(a->mode)));
    json_object_object_add(o, "online", json_object_new_boolean(online));
    json_object_object_add(o, "owner",
                           json_object_new_string(ap_apqn_reserved(h->ap, qn)
                                                      ? "host"
                                                      : ZV_VFIO_AP_DRIVER));
    json_object_object_add(o, "driver",
                           d ? json_object_new_string(d->name) : NULL);
    json_object_object_add(o, "status", st ? json_object_new_string(st) : NULL);
    if (q) {
        ap_queue_stats(q, &qs);
        ctl_u64_add(o, "requests", qs.enqueued);
    }
    return o;
}

/* query-ap: cards, queues, masks, the host configuration. */
static struct json_object *
cmd_query_ap(struct zv_ctl *ctl, struct json_object *args)
{
    struct zv_host *h = ctl->host;
    struct json_object *r, *cards, *queues, *cfg, *e = need_ap(ctl);
    struct ap_mask apmask, aqmask;
    struct ap_config c;
    char buf[16];

    (void)args;
    if (e)
        return e;
    ap_bus_qci_info(h->ap, &c);
    ap_bus_masks(h->ap, &apmask, &aqmask);
    r = json_object_new_object();
    cards = json_object_new_array();
    queues = json_object_new_array();
    for (unsigned i = 0; i < h->cfg.nap; i++) {
        const struct zv_host_ap_cfg *a = &h->cfg.ap[i];
        bool on = ap_mask_test(&c.apm, a->apid);
        struct json_object *o = json_object_new_object();
        int d;

        snprintf(buf, sizeof(buf), "%02x", a->apid);
        json_object_object_add(o, "card", json_object_new_string(buf));
        card_type(a, buf, sizeof(buf));
        json_object_object_add(o, "type", json_object_new_string(buf));
        json_object_object_add(o, "hwtype", json_object_new_int(a->type));
        json_object_object_add(
            o, "mode", json_object_new_string(zv_host_ap_mode_name(a->mode)));
        json_object_object_add(o, "online", json_object_new_boolean(on));
        json_object_object_add(
            o, "owner",
            json_object_new_string(
                ap_mask_test(&apmask, a->apid) ? "host" : ZV_VFIO_AP_DRIVER));
        json_object_array_add(cards, o);
        ap_mask_for_each(d, &c.aqm)
        {
            json_object_array_add(queues, queue_json(ctl, a, (unsigned)d, on));
        }
    }
    json_object_object_add(r, "cards", cards);
    json_object_object_add(r, "queues", queues);
    json_object_object_add(r, "apmask", mask_json(&apmask));
    json_object_object_add(r, "aqmask", mask_json(&aqmask));
    cfg = json_object_new_object();
    json_object_object_add(cfg, "apm", mask_json(&c.apm));
    json_object_object_add(cfg, "aqm", mask_json(&c.aqm));
    json_object_object_add(cfg, "adm", mask_json(&c.adm));
    json_object_object_add(r, "config", cfg);
    return ctl_reply_ok(r);
}

/* The masks survive a daemon restart, as a host's ap.apmask= / ap.aqmask=
 * kernel parameters (or chzdev's persistent configuration) do: written
 * atomically after every accepted write. */
static int
masks_save(struct zv_ctl *ctl)
{
    struct json_object *o = json_object_new_object();
    struct ap_mask apmask, aqmask;
    char tmp[ZV_HOST_PATH_MAX + 8];
    int rc = 0;

    ap_bus_masks(ctl->host->ap, &apmask, &aqmask);
    json_object_object_add(o, "apmask", mask_json(&apmask));
    json_object_object_add(o, "aqmask", mask_json(&aqmask));
    snprintf(tmp, sizeof(tmp), "%s.tmp", ctl->ap_state);
    if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PRETTY) < 0 ||
        rename(tmp, ctl->ap_state) < 0)
        rc = -EIO;
    json_object_put(o);
    return rc;
}

int
ctl_ap_restore(struct zv_ctl *ctl)
{
    struct json_object *o, *v;
    int rc = 0;

    if (!ctl->host->ap || access(ctl->ap_state, F_OK) != 0)
        return 0;
    o = json_object_from_file(ctl->ap_state);
    if (!o || !json_object_is_type(o, json_type_object)) {
        zv_log(ZV_LOG_WARNING, "ap: %s: not JSON, masks left as they are",
               ctl->ap_state);
        json_object_put(o);
        return -EINVAL;
    }
    if (json_object_object_get_ex(o, "apmask", &v) &&
        (!json_object_is_type(v, json_type_string) ||
         ap_bus_apmask_store(ctl->host->ap, json_object_get_string(v)) < 0))
        rc = -EINVAL;
    if (json_object_object_get_ex(o, "aqmask", &v) &&
        (!json_object_is_type(v, json_type_string) ||
         ap_bus_aqmask_store(ctl->host->ap, json_object_get_string(v)) < 0))
        rc = -EINVAL;
    if (rc)
        zv_log(ZV_LOG_WARNING, "ap: %s: a mask was refused", ctl->ap_state);
    else
        zv_log(ZV_LOG_INFO, "ap: masks restored from %s", ctl->ap_state);
    json_object_put(o);
    return rc;
}

/* ap-mask {"mask": "apmask"|"aqmask", "value"?}: read, or write with the
 * sysfs syntax (ap_mask_parse); the answer is the mask after. */
static struct json_object *
cmd_ap_mask(struct zv_ctl *ctl, struct json_object *args)
{
    const char *which = ctl_arg_str(args, "mask"),
               *val = ctl_arg_str(args, "value");
    struct json_object *e = need_ap(ctl), *r;
    struct ap_mask apmask, aqmask;
    bool ap;
    int rc;

    if (e)
        return e;
    if (!which || (strcmp(which, "apmask") && strcmp(which, "aqmask")))
        return ctl_reply_err("InvalidParameter",
                             "'mask' must be \"apmask\" or \"aqmask\"");
    ap = strcmp(which, "apmask") == 0;
    if (ctl_arg_get(args, "value") && !val)
        return ctl_reply_err("InvalidParameter", "'value' must be a string");
    if (val) {
        if (strlen(val) > 1024)
            return reply_errno(-EINVAL, "%s: write of %.0s", which,
                               "a value this long");
        rc = ap ? ap_bus_apmask_store(ctl->host->ap, val)
                : ap_bus_aqmask_store(ctl->host->ap, val);
        if (rc < 0)
            return reply_errno(rc, "%s: write \"%.64s\"", which, val);
        zv_log(ZV_LOG_INFO, "ap: %s <- %s", which, val);
        if ((rc = masks_save(ctl)))
            zv_log(ZV_LOG_WARNING, "ap: persist %s: %s", ctl->ap_state,
                   strerror(-rc));
    }
    ap_bus_masks(ctl->host->ap, &apmask, &aqmask);
    r = json_object_new_object();
    json_object_object_add(r, which, mask_json(ap ? &apmask : &aqmask));
    return ctl_reply_ok(r);
}

/* An ID argument: an integer 0..255 or a string ("5", "0x47"). */
static int
arg_id(struct json_object *args, const char *key, unsigned *out)
{
    const char *s;
    char *end;
    uint64_t n;
    int rc = ctl_arg_num(args, key, AP_MAX_ID, &n, &s);

    if (rc == 0)
        *out = (unsigned)n;
    if (rc != 1)
        return rc;
    errno = 0;
    n = strtoul(s, &end, 0);
    if (!*s || *end || errno || n > AP_MAX_ID || s[0] == '-')
        return -EINVAL;
    *out = (unsigned)n;
    return 0;
}

/* ap-config {"adapter"|"domain"|"control_domain": ID, "online": bool}:
 * the machine changes the host AP configuration (QCI); the bus sees it at
 * its next scan, and the drivers with it (hot plug). */
static struct json_object *
cmd_ap_config(struct zv_ctl *ctl, struct json_object *args)
{
    static const char *const keys[] = {"adapter", "domain", "control_domain"};
    struct json_object *e = need_ap(ctl);
    int on = ctl_arg_bool(args, "online"), which = -1, rc = 0;
    unsigned id = 0;

    if (e)
        return e;
    if (on < 0)
        return ctl_reply_err("InvalidParameter",
                             "argument 'online' (true or false) is required");
    for (int i = 0; i < 3; i++) {
        rc = arg_id(args, keys[i], &id);
        if (rc == -ENOENT)
            continue;
        if (rc || which >= 0)
            return ctl_reply_err("InvalidParameter",
                                 rc ? "'%s' must be an ID 0..255"
                                    : "give one of adapter, domain, "
                                      "control_domain (not %s as well)",
                                 keys[i]);
        which = i;
    }
    if (which < 0)
        return ctl_reply_err("InvalidParameter",
                             "give 'adapter', 'domain' or 'control_domain'");
    if (which == 0)
        rc = ap_config_adapter(ctl->host->ap, (uint8_t)id, on);
    else if (which == 1)
        rc = ap_config_domain(ctl->host->ap, (uint8_t)id, on);
    else
        rc = ap_config_control_domain(ctl->host->ap, (uint8_t)id, on);
    if (rc == -ENODEV)
        return ctl_reply_err("DeviceNotFound",
                             "no adapter %02x is installed in this machine",
                             id);
    if (rc)
        return ctl_reply_err("GenericError", "%s %u: %s", keys[which], id,
                             strerror(-rc));
    zv_log(ZV_LOG_INFO, "ap: %s %02x configured %s", keys[which], id,
           on ? "on" : "off");
    return ctl_reply_ok(NULL);
}

/* The attributes that change the matrix, as mdevctl records them. */
static bool
attr_recorded(const char *name)
{
    return strncmp(name, "assign_", 7) == 0 ||
           strncmp(name, "unassign_", 9) == 0 || strcmp(name, "ap_config") == 0;
}

/*
 * Record a successful write in the mdev's ordered attrs: an unassign
 * cancels the assign it undoes (so the list replays to the same matrix
 * and stays short), an ap_config write replaces the whole list.
 */
static void
attrs_record(struct ctl_mdev *m, const char *name, const char *val)
{
    struct json_object *o;

    if (!m->attrs)
        m->attrs = json_object_new_array();
    if (strcmp(name, "ap_config") == 0) {
        json_object_put(m->attrs);
        m->attrs = json_object_new_array();
    } else if (strncmp(name, "unassign_", 9) == 0) {
        unsigned want, have;
        char an[40];

        snprintf(an, sizeof(an), "assign_%s", name + 9);
        want = (unsigned)strtoul(val, NULL, 0);
        for (size_t i = json_object_array_length(m->attrs); i-- > 0;) {
            struct json_object *it = json_object_array_get_idx(m->attrs, i), *v;

            if (json_object_object_get_ex(it, an, &v) &&
                (have = (unsigned)strtoul(json_object_get_string(v), NULL,
                                          0)) == want) {
                json_object_array_del_idx(m->attrs, i, 1);
                return;
            }
        }
    }
    o = json_object_new_object();
    json_object_object_add(o, name, json_object_new_string(val));
    json_object_array_add(m->attrs, o);
}

int
ctl_ap_attr_apply(struct ctl_mdev *m, const char *name, const char *val)
{
    ssize_t n = zv_vfio_ap_attr_store(m->vd, name, val, strlen(val));

    return n < 0 ? (int)n : 0;
}

/* mdev-attr {"uuid", "attr", "value"?}: read or write one sysfs attribute
 * of a matrix mdev. */
static struct json_object *
cmd_mdev_attr(struct zv_ctl *ctl, struct json_object *args)
{
    const char *name = ctl_arg_str(args, "attr"),
               *val = ctl_arg_str(args, "value");
    struct ctl_mdev *m;
    struct json_object *e = ctl_arg_mdev(ctl, args, &m), *r;
    char *buf;
    ssize_t n;
    int rc;

    if (e)
        return e;
    if (!m->ap || !m->vd)
        return ctl_reply_err("InvalidParameter",
                             "mdev %s is not a %s device (no attributes)",
                             m->uuid, ZV_VFIO_AP_TYPE_ID);
    if (!name || strlen(name) > 32)
        return ctl_reply_err("InvalidParameter", "argument 'attr' is required");
    if (ctl_arg_get(args, "value") && !val)
        return ctl_reply_err("InvalidParameter", "'value' must be a string");
    if (val) {
        if (strlen(val) > 1024)
            return reply_errno(-EINVAL, "%s: write of %.0s", name,
                               "a value this long");
        rc = ctl_ap_attr_apply(m, name, val);
        if (rc)
            return reply_errno(rc, "%s \"%.64s\"", name, val);
        if (attr_recorded(name)) {
            attrs_record(m, name, val);
            if (m->defined && (rc = ctl_def_write(ctl, m)))
                zv_log(ZV_LOG_WARNING, "mdev: persist %s: %s", m->uuid,
                       strerror(-rc));
        }
        zv_log(ZV_LOG_INFO, "mdev: %s %s <- %s", m->uuid, name, val);
        return ctl_reply_ok(NULL);
    }
    n = zv_vfio_ap_attr_show(m->vd, name, NULL, 0);
    if (n < 0)
        return reply_errno((int)n, "%s: read%s", name, "");
    buf = malloc((size_t)n + 1);
    if (!buf)
        return ctl_reply_err("GenericError", "out of memory");
    zv_vfio_ap_attr_show(m->vd, name, buf, (size_t)n + 1);
    r = json_object_new_object();
    json_object_object_add(r, name, json_object_new_string(buf));
    free(buf);
    return ctl_reply_ok(r);
}

const struct ctl_cmd ctl_ap_cmds[] = {
    {"query-ap", cmd_query_ap},
    {"ap-mask", cmd_ap_mask},
    {"ap-config", cmd_ap_config},
    {"mdev-attr", cmd_mdev_attr},
    {NULL, NULL},
};
