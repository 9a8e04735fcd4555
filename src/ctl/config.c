/* SPDX-License-Identifier: MIT */
/*
 * The JSON host description (docs/zvfiod.md "Host configuration").  Every
 * member is checked: unknown keys, wrong types, values out of range and
 * duplicates are refused with the JSON path of the value.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/host.h"

struct pctx {
    char *err;
    size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
perr(struct pctx *p, const char *path, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->errlen, "%s: ", path);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* Check that obj has only the keys in allowed (NULL terminated). */
static int
only_keys(struct pctx *p, const char *path, struct json_object *obj,
          const char *const *allowed)
{
    json_object_object_foreach(obj, key, val)
    {
        bool ok = false;

        (void)val;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok)
            return perr(p, path, "unknown member \"%s\"", key);
    }
    return 0;
}

/* A number given as a JSON integer or as a hex string ("40", "0x40"). */
static int
get_hex(struct pctx *p, const char *path, struct json_object *v, uint64_t max,
        uint64_t *out)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t n = json_object_get_int64(v);

        if (n < 0 || (uint64_t)n > max)
            return perr(p, path, "%lld out of range (0..%#llx)", (long long)n,
                        (unsigned long long)max);
        *out = (uint64_t)n;
        return 0;
    }
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        unsigned long long n;

        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            s += 2;
        if (!*s || strlen(s) > 16 || *s == '-' || *s == '+' || *s == ' ')
            return perr(p, path, "not a hex number: \"%s\"",
                        json_object_get_string(v));
        errno = 0;
        n = strtoull(s, &end, 16);
        if (errno || *end)
            return perr(p, path, "not a hex number: \"%s\"",
                        json_object_get_string(v));
        if (n > max)
            return perr(p, path, "%#llx out of range (0..%#llx)", n,
                        (unsigned long long)max);
        *out = n;
        return 0;
    }
    return perr(p, path, "expected a number or a hex string");
}

static int
get_uint(struct pctx *p, const char *path, struct json_object *v, uint64_t min,
         uint64_t max, uint64_t *out)
{
    int64_t n;

    *out = 0; /* set on every path (gcc -O3 cannot see that perr fails) */
    if (!json_object_is_type(v, json_type_int))
        return perr(p, path, "expected an integer");
    n = json_object_get_int64(v);
    if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
        return perr(p, path, "%lld out of range (%llu..%llu)", (long long)n,
                    (unsigned long long)min, (unsigned long long)max);
    *out = (uint64_t)n;
    return 0;
}

static int
get_bool(struct pctx *p, const char *path, struct json_object *v, bool *out)
{
    if (!json_object_is_type(v, json_type_boolean))
        return perr(p, path, "expected true or false");
    *out = json_object_get_boolean(v);
    return 0;
}

static int
get_str(struct pctx *p, const char *path, struct json_object *v,
        const char **out)
{
    if (!json_object_is_type(v, json_type_string))
        return perr(p, path, "expected a string");
    *out = json_object_get_string(v);
    return 0;
}

static int
parse_css(struct pctx *p, struct json_object *o, struct css_config *css)
{
    static const char *const keys[] = {"ils", "concurrent_sense", "midaw",
                                       "max_ssid", NULL};
    struct json_object *v;
    uint64_t n;
    int rc;

    if (!json_object_is_type(o, json_type_object))
        return perr(p, "$.css", "expected an object");
    if ((rc = only_keys(p, "$.css", o, keys)))
        return rc;
    if (json_object_object_get_ex(o, "ils", &v) &&
        (rc = get_bool(p, "$.css.ils", v, &css->ils)))
        return rc;
    if (json_object_object_get_ex(o, "concurrent_sense", &v) &&
        (rc = get_bool(p, "$.css.concurrent_sense", v, &css->concurrent_sense)))
        return rc;
    if (json_object_object_get_ex(o, "midaw", &v) &&
        (rc = get_bool(p, "$.css.midaw", v, &css->midaw)))
        return rc;
    if (json_object_object_get_ex(o, "max_ssid", &v)) {
        if ((rc = get_uint(p, "$.css.max_ssid", v, 0, CSS_MAX_SSID, &n)))
            return rc;
        css->max_ssid = (unsigned)n;
        css->mss = n > 0;
    }
    return 0;
}

static int
parse_chpids(struct pctx *p, struct json_object *a, struct zv_host_cfg *cfg)
{
    static const char *const keys[] = {"chpid", "type", NULL};
    size_t n;

    if (!json_object_is_type(a, json_type_array))
        return perr(p, "$.chpids", "expected an array");
    n = json_object_array_length(a);
    if (n > ZV_HOST_MAX_CHP)
        return perr(p, "$.chpids", "at most %d channel paths", ZV_HOST_MAX_CHP);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(a, i), *v;
        char path[64], sub[96];
        uint64_t id;
        int rc;

        snprintf(path, sizeof(path), "$.chpids[%zu]", i);
        if (!json_object_is_type(o, json_type_object))
            return perr(p, path, "expected an object");
        if ((rc = only_keys(p, path, o, keys)))
            return rc;
        snprintf(sub, sizeof(sub), "%.120s.chpid", path);
        if (!json_object_object_get_ex(o, "chpid", &v))
            return perr(p, sub, "missing");
        if ((rc = get_hex(p, sub, v, CSS_MAX_CHPID, &id)))
            return rc;
        for (unsigned j = 0; j < cfg->nchp; j++)
            if (cfg->chp[j].chpid == id)
                return perr(p, sub, "chpid %02llx defined twice",
                            (unsigned long long)id);
        cfg->chp[cfg->nchp].chpid = (uint8_t)id;
        cfg->chp[cfg->nchp].type = CHP_TYPE_FICON;
        if (json_object_object_get_ex(o, "type", &v)) {
            const char *t = NULL;

            snprintf(sub, sizeof(sub), "%.120s.type", path);
            if ((rc = get_str(p, sub, v, &t)))
                return rc;
            if (strcmp(t, "ficon") == 0)
                cfg->chp[cfg->nchp].type = CHP_TYPE_FICON;
            else if (strcmp(t, "escon") == 0)
                cfg->chp[cfg->nchp].type = CHP_TYPE_ESCON;
            else
                return perr(p, sub, "\"%s\": expected \"ficon\" or \"escon\"",
                            t);
        }
        cfg->nchp++;
    }
    return 0;
}

static bool
chp_known(const struct zv_host_cfg *cfg, uint8_t id)
{
    for (unsigned i = 0; i < cfg->nchp; i++)
        if (cfg->chp[i].chpid == id)
            return true;
    return false;
}

static int
parse_dev_chpids(struct pctx *p, const char *path, struct json_object *a,
                 const struct zv_host_cfg *cfg, struct zv_host_dev_cfg *d)
{
    size_t n;

    if (!json_object_is_type(a, json_type_array))
        return perr(p, path, "expected an array");
    n = json_object_array_length(a);
    if (n < 1 || n > 8)
        return perr(p, path, "1 to 8 chpids");
    for (size_t i = 0; i < n; i++) {
        char sub[192];
        uint64_t id;
        int rc;

        snprintf(sub, sizeof(sub), "%.120s[%zu]", path, i);
        if ((rc = get_hex(p, sub, json_object_array_get_idx(a, i),
                          CSS_MAX_CHPID, &id)))
            return rc;
        if (!chp_known(cfg, (uint8_t)id))
            return perr(p, sub, "chpid %02llx is not in $.chpids",
                        (unsigned long long)id);
        for (size_t j = 0; j < i; j++)
            if (d->chpid[j] == id)
                return perr(p, sub, "chpid %02llx given twice",
                            (unsigned long long)id);
        d->chpid[i] = (uint8_t)id;
    }
    d->nchp = (uint8_t)n;
    return 0;
}

static int
parse_busid(struct pctx *p, const char *path, struct json_object *v,
            uint8_t *ssid, uint16_t *no)
{
    const char *s = NULL;
    int rc;

    if ((rc = get_str(p, path, v, &s)))
        return rc;
    if (zv_host_parse_busid(s, ssid, no))
        return perr(p, path, "\"%s\": expected a bus id like \"0.0.0100\"", s);
    return 0;
}

static int
parse_create(struct pctx *p, const char *path, struct json_object *o,
             struct zv_host_dev_cfg *d)
{
    static const char *const fkeys[] = {"blocks", NULL};
    static const char *const ekeys[] = {"cylinders", "volser", NULL};
    struct json_object *v;
    char sub[192];
    uint64_t n;
    int rc;

    if (!json_object_is_type(o, json_type_object))
        return perr(p, path, "expected an object");
    d->create = true;
    if (d->type == ZV_HOST_DEV_FBA) {
        if ((rc = only_keys(p, path, o, fkeys)))
            return rc;
        snprintf(sub, sizeof(sub), "%.120s.blocks", path);
        if (!json_object_object_get_ex(o, "blocks", &v))
            return perr(p, sub, "missing");
        /* up to 64 GiB of 512-byte blocks */
        if ((rc = get_uint(p, sub, v, 16, 1ull << 27, &n)))
            return rc;
        d->blocks = n;
        return 0;
    }
    if ((rc = only_keys(p, path, o, ekeys)))
        return rc;
    snprintf(sub, sizeof(sub), "%.120s.cylinders", path);
    if (!json_object_object_get_ex(o, "cylinders", &v))
        return perr(p, sub, "missing");
    if ((rc = get_uint(p, sub, v, 2, 65520, &n)))
        return rc;
    d->cyls = (uint32_t)n;
    if (json_object_object_get_ex(o, "volser", &v)) {
        const char *s = NULL;

        snprintf(sub, sizeof(sub), "%.120s.volser", path);
        if ((rc = get_str(p, sub, v, &s)))
            return rc;
        if (!*s || strlen(s) > 6)
            return perr(p, sub, "1 to 6 characters");
        for (const char *c = s; *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                  *c == '@' || *c == '#' || *c == '$'))
                return perr(p, sub, "\"%s\": A-Z, 0-9, @, #, $ only", s);
        snprintf(d->volser, sizeof(d->volser), "%s", s);
    }
    return 0;
}

static int
parse_test_ids(struct pctx *p, const char *path, struct json_object *o,
               struct zv_host_dev_cfg *d)
{
    static const char *const names[] = {"cu_type", "cu_model", "dev_type",
                                        "dev_model"};
    static const uint64_t max[] = {0xFFFF, 0xFF, 0xFFFF, 0xFF};
    uint64_t val[4] = {0x3990, 0xE9, 0x3390, 0x0C};

    for (unsigned i = 0; i < 4; i++) {
        struct json_object *v;
        char sub[192];
        int rc;

        snprintf(sub, sizeof(sub), "%.120s.%s", path, names[i]);
        if (json_object_object_get_ex(o, names[i], &v) &&
            (rc = get_hex(p, sub, v, max[i], &val[i])))
            return rc;
    }
    d->cu_type = (uint16_t)val[0];
    d->cu_model = (uint8_t)val[1];
    d->dev_type = (uint16_t)val[2];
    d->dev_model = (uint8_t)val[3];
    return 0;
}

static int
parse_dev(struct pctx *p, const char *path, struct json_object *o,
          struct zv_host_cfg *cfg, struct zv_host_dev_cfg *d)
{
    static const char *const dkeys[] = {
        "type",     "subchannel", "devno",      "chpids",      "image",
        "create",   "model",      "latency_us", "jitter_us",   "cu_type",
        "cu_model", "dev_type",   "dev_model",  "latency_per", NULL};
    struct json_object *v;
    const char *s = NULL;
    char sub[192];
    uint64_t n;
    uint8_t ssid;
    int rc;

    if (!json_object_is_type(o, json_type_object))
        return perr(p, path, "expected an object");
    if ((rc = only_keys(p, path, o, dkeys)))
        return rc;
    memset(d, 0, sizeof(*d));
    snprintf(sub, sizeof(sub), "%.120s.type", path);
    if (!json_object_object_get_ex(o, "type", &v))
        return perr(p, sub, "missing");
    if ((rc = get_str(p, sub, v, &s)))
        return rc;
    if (strcmp(s, "fba") == 0)
        d->type = ZV_HOST_DEV_FBA;
    else if (strcmp(s, "eckd") == 0)
        d->type = ZV_HOST_DEV_ECKD;
    else if (strcmp(s, "test") == 0)
        d->type = ZV_HOST_DEV_TEST;
    else
        return perr(p, sub, "\"%s\": expected \"fba\", \"eckd\" or \"test\"",
                    s);

    snprintf(sub, sizeof(sub), "%.120s.subchannel", path);
    if (!json_object_object_get_ex(o, "subchannel", &v))
        return perr(p, sub, "missing");
    if ((rc = parse_busid(p, sub, v, &d->ssid, &d->sch_no)))
        return rc;
    if (d->ssid > cfg->css.max_ssid)
        return perr(p, sub,
                    "subchannel set %u is not provided "
                    "($.css.max_ssid is %u)",
                    d->ssid, cfg->css.max_ssid);
    snprintf(sub, sizeof(sub), "%.120s.devno", path);
    if (!json_object_object_get_ex(o, "devno", &v))
        return perr(p, sub, "missing");
    if ((rc = parse_busid(p, sub, v, &ssid, &d->devno)))
        return rc;
    if (ssid != d->ssid)
        return perr(p, sub,
                    "device number in subchannel set %u, subchannel "
                    "in %u",
                    ssid, d->ssid);
    snprintf(sub, sizeof(sub), "%.120s.chpids", path);
    if (!json_object_object_get_ex(o, "chpids", &v))
        return perr(p, sub, "missing");
    if ((rc = parse_dev_chpids(p, sub, v, cfg, d)))
        return rc;

    d->latency_ns = 20000;
    d->jitter_ns = 10000;
    snprintf(sub, sizeof(sub), "%.120s.latency_us", path);
    if (json_object_object_get_ex(o, "latency_us", &v)) {
        if ((rc = get_uint(p, sub, v, 0, 10000000, &n)))
            return rc;
        d->latency_ns = n * ZV_NSEC_PER_USEC;
    }
    snprintf(sub, sizeof(sub), "%.120s.jitter_us", path);
    if (json_object_object_get_ex(o, "jitter_us", &v)) {
        if ((rc = get_uint(p, sub, v, 0, 10000000, &n)))
            return rc;
        d->jitter_ns = n * ZV_NSEC_PER_USEC;
    }
    snprintf(sub, sizeof(sub), "%.120s.latency_per", path);
    if (json_object_object_get_ex(o, "latency_per", &v)) {
        if ((rc = get_str(p, sub, v, &s)))
            return rc;
        if (!strcmp(s, "command"))
            d->latency_per_command = true;
        else if (strcmp(s, "program"))
            return perr(p, sub, "expected \"command\" or \"program\"");
    }

    if (d->type == ZV_HOST_DEV_TEST) {
        static const char *const not_test[] = {"image", "create", "model"};

        for (unsigned i = 0; i < 3; i++)
            if (json_object_object_get_ex(o, not_test[i], &v)) {
                snprintf(sub, sizeof(sub), "%.120s.%s", path, not_test[i]);
                return perr(p, sub, "not for a test device");
            }
        return parse_test_ids(p, path, o, d);
    }
    {
        static const char *const test_only[] = {"cu_type", "cu_model",
                                                "dev_type", "dev_model"};

        for (unsigned i = 0; i < 4; i++)
            if (json_object_object_get_ex(o, test_only[i], &v)) {
                snprintf(sub, sizeof(sub), "%.120s.%s", path, test_only[i]);
                return perr(p, sub, "only for a test device");
            }
    }
    snprintf(sub, sizeof(sub), "%.120s.image", path);
    if (!json_object_object_get_ex(o, "image", &v))
        return perr(p, sub, "missing");
    if ((rc = get_str(p, sub, v, &s)))
        return rc;
    if (!*s || strlen(s) >= ZV_HOST_PATH_MAX / 2)
        return perr(p, sub, "empty or too long");
    snprintf(d->image, sizeof(d->image), "%s", s);
    if (json_object_object_get_ex(o, "create", &v)) {
        snprintf(sub, sizeof(sub), "%.120s.create", path);
        if ((rc = parse_create(p, sub, v, d)))
            return rc;
    }
    if (json_object_object_get_ex(o, "model", &v)) {
        snprintf(sub, sizeof(sub), "%.120s.model", path);
        if (d->type != ZV_HOST_DEV_ECKD)
            return perr(p, sub, "only for an eckd device");
        if ((rc = get_hex(p, sub, v, 0xFF, &n)))
            return rc;
        d->model = (uint8_t)n;
    }
    return 0;
}

static int
parse_devices(struct pctx *p, struct json_object *a, struct zv_host_cfg *cfg)
{
    size_t n;

    if (!json_object_is_type(a, json_type_array))
        return perr(p, "$.devices", "expected an array");
    n = json_object_array_length(a);
    if (n > ZV_HOST_MAX_DEV)
        return perr(p, "$.devices", "at most %d devices", ZV_HOST_MAX_DEV);
    for (size_t i = 0; i < n; i++) {
        struct zv_host_dev_cfg *d = &cfg->dev[i];
        char path[64];
        int rc;

        snprintf(path, sizeof(path), "$.devices[%zu]", i);
        if ((rc = parse_dev(p, path, json_object_array_get_idx(a, i), cfg, d)))
            return rc;
        for (size_t j = 0; j < i; j++) {
            const struct zv_host_dev_cfg *e = &cfg->dev[j];

            if (e->ssid == d->ssid && e->sch_no == d->sch_no)
                return perr(p, path,
                            "subchannel 0.%x.%04x is also "
                            "$.devices[%zu]",
                            d->ssid, d->sch_no, j);
            if (e->ssid == d->ssid && e->devno == d->devno)
                return perr(p, path,
                            "device number 0.%x.%04x is also "
                            "$.devices[%zu]",
                            d->ssid, d->devno, j);
            if (d->type != ZV_HOST_DEV_TEST && e->type != ZV_HOST_DEV_TEST &&
                strcmp(e->image, d->image) == 0)
                return perr(p, path, "image %s is also $.devices[%zu]",
                            d->image, j);
        }
        cfg->ndev = (unsigned)i + 1;
    }
    return 0;
}

/* An ID list of the "ap" section: integers 0..255, no duplicates. */
static int
parse_ap_ids(struct pctx *p, const char *path, struct json_object *a,
             struct ap_mask *out)
{
    char ep[64];
    uint64_t n;
    int rc;

    if (!json_object_is_type(a, json_type_array))
        return perr(p, path, "expected an array of IDs (0..255)");
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        snprintf(ep, sizeof(ep), "%s[%zu]", path, i);
        rc = get_uint(p, ep, json_object_array_get_idx(a, i), 0, AP_MAX_ID, &n);
        if (rc)
            return rc;
        if (ap_mask_test(out, (unsigned)n))
            return perr(p, ep, "%llu listed twice", (unsigned long long)n);
        ap_mask_set(out, (unsigned)n);
    }
    return 0;
}

static int
parse_adapter(struct pctx *p, const char *path, struct json_object *o,
              struct zv_host_cfg *cfg)
{
    static const char *const keys[] = {"apid", "type", "mode", NULL};
    struct zv_host_ap_cfg *c = &cfg->ap[cfg->nap];
    struct json_object *v;
    char ep[96];
    const char *s = NULL;
    uint64_t n;
    int rc;

    if (!json_object_is_type(o, json_type_object))
        return perr(p, path, "expected an object");
    if ((rc = only_keys(p, path, o, keys)))
        return rc;
    snprintf(ep, sizeof(ep), "%s.apid", path);
    if (!json_object_object_get_ex(o, "apid", &v))
        return perr(p, ep, "missing");
    if ((rc = get_uint(p, ep, v, 0, AP_MAX_ID, &n)))
        return rc;
    for (unsigned i = 0; i < cfg->nap; i++)
        if (cfg->ap[i].apid == n)
            return perr(p, ep, "adapter %llu defined twice",
                        (unsigned long long)n);
    c->apid = (uint8_t)n;
    c->type = AP_TYPE_CEX7;
    c->mode = AP_MODE_ACCEL;
    snprintf(ep, sizeof(ep), "%s.type", path);
    if (json_object_object_get_ex(o, "type", &v) &&
        ((rc = get_str(p, ep, v, &s)) ||
         (rc = zv_host_ap_type_parse(s, &c->type) ? perr(p, ep,
                                                         "expected \"cex4\" "
                                                         ".. \"cex8\"")
                                                  : 0)))
        return rc;
    snprintf(ep, sizeof(ep), "%s.mode", path);
    if (json_object_object_get_ex(o, "mode", &v) &&
        ((rc = get_str(p, ep, v, &s)) ||
         (rc = zv_host_ap_mode_parse(s, &c->mode)
                   ? perr(p, ep, "expected \"accel\", \"cca\" or \"ep11\"")
                   : 0)))
        return rc;
    cfg->nap++;
    return 0;
}

/* "ap": {"adapters": [{"apid", "type", "mode"}], "domains": [IDs],
 * "control_domains": [IDs]} */
static int
parse_ap(struct pctx *p, struct json_object *o, struct zv_host_cfg *cfg)
{
    static const char *const keys[] = {"adapters", "domains", "control_domains",
                                       NULL};
    struct json_object *v;
    char ep[64];
    int rc;

    if (!json_object_is_type(o, json_type_object))
        return perr(p, "$.ap", "expected an object");
    if ((rc = only_keys(p, "$.ap", o, keys)))
        return rc;
    if (json_object_object_get_ex(o, "adapters", &v)) {
        if (!json_object_is_type(v, json_type_array))
            return perr(p, "$.ap.adapters", "expected an array");
        if (json_object_array_length(v) > ZV_HOST_MAX_AP)
            return perr(p, "$.ap.adapters", "at most %d adapters",
                        ZV_HOST_MAX_AP);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            snprintf(ep, sizeof(ep), "$.ap.adapters[%zu]", i);
            if ((rc = parse_adapter(p, ep, json_object_array_get_idx(v, i),
                                    cfg)))
                return rc;
        }
    }
    if (json_object_object_get_ex(o, "domains", &v) &&
        (rc = parse_ap_ids(p, "$.ap.domains", v, &cfg->ap_domains)))
        return rc;
    if (json_object_object_get_ex(o, "control_domains", &v) &&
        (rc = parse_ap_ids(p, "$.ap.control_domains", v, &cfg->ap_cdoms)))
        return rc;
    return 0;
}

static const char *const image_io_names[] = {
    [ZV_IMAGE_IO_AUTO] = "auto",
    [ZV_IMAGE_IO_SYNC] = "sync",
    [ZV_IMAGE_IO_URING] = "uring",
};

int
zv_image_io_parse(const char *s, enum zv_image_io *out)
{
    for (unsigned i = 0; i < sizeof(image_io_names) / sizeof(image_io_names[0]);
         i++)
        if (!strcmp(s, image_io_names[i])) {
            *out = (enum zv_image_io)i;
            return 0;
        }
    return -EINVAL;
}

const char *
zv_image_io_name(enum zv_image_io io)
{
    return (unsigned)io < sizeof(image_io_names) / sizeof(image_io_names[0])
               ? image_io_names[io]
               : "?";
}

int
zv_host_cfg_parse(const char *text, struct zv_host_cfg *cfg, char *err,
                  size_t errlen)
{
    static const char *const keys[] = {"css",      "chpids", "devices",
                                       "image_io", "ap",     NULL};
    const char *s = NULL;
    struct pctx p = {err, errlen};
    struct json_tokener *tok = json_tokener_new();
    struct json_object *root, *v;
    int rc = -EINVAL;

    memset(cfg, 0, sizeof(*cfg));
    cfg->css.ils = true;
    cfg->css.concurrent_sense = true;
    if (!tok)
        return -ENOMEM;
    root = json_tokener_parse_ex(tok, text, (int)strlen(text));
    if (!root || json_tokener_get_error(tok) != json_tokener_success) {
        perr(&p, "$", "not JSON: %s (at byte %zu)",
             json_tokener_error_desc(json_tokener_get_error(tok)),
             json_tokener_get_parse_end(tok));
        goto out;
    }
    if (!json_object_is_type(root, json_type_object)) {
        perr(&p, "$", "expected an object");
        goto out;
    }
    if ((rc = only_keys(&p, "$", root, keys)))
        goto out;
    if (json_object_object_get_ex(root, "image_io", &v)) {
        if ((rc = get_str(&p, "$.image_io", v, &s)))
            goto out;
        if (zv_image_io_parse(s, &cfg->image_io)) {
            rc = perr(&p, "$.image_io",
                      "\"%s\": expected \"auto\", \"sync\" or \"uring\"", s);
            goto out;
        }
    }
    if (json_object_object_get_ex(root, "css", &v) &&
        (rc = parse_css(&p, v, &cfg->css)))
        goto out;
    if (!json_object_object_get_ex(root, "chpids", &v)) {
        rc = perr(&p, "$.chpids", "missing");
        goto out;
    }
    if ((rc = parse_chpids(&p, v, cfg)))
        goto out;
    if (!json_object_object_get_ex(root, "devices", &v)) {
        rc = perr(&p, "$.devices", "missing");
        goto out;
    }
    if ((rc = parse_devices(&p, v, cfg)))
        goto out;
    if (json_object_object_get_ex(root, "ap", &v))
        rc = parse_ap(&p, v, cfg);
out:
    json_object_put(root);
    json_tokener_free(tok);
    return rc;
}
