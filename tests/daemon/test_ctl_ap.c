/* SPDX-License-Identifier: MIT */
/*
 * ctl's AP side in process: the "ap" section of the host description
 * (every refusal names its JSON path), the AP commands on the default
 * host with the kernel's errnos (each refusal leaves the matrix as it
 * was), mdevctl's ordered attrs as recorded and replayed, and the masks
 * and definitions across a new host built from the same state directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/ctl.h"

#define BASE "\"chpids\":[],\"devices\":[]"

static void
config_ap_parses(void **state)
{
    static const char text[] =
        "{" BASE ",\"ap\":{\"adapters\":[{\"apid\":3,\"type\":\"cex8\"},"
        "{\"apid\":255,\"mode\":\"ep11\"}],\"domains\":[0,171,255],"
        "\"control_domains\":[171]}}";
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char err[256] = "";

    (void)state;
    assert_int_equal(zv_host_cfg_parse(text, cfg, err, sizeof(err)), 0);
    assert_int_equal(cfg->nap, 2);
    assert_int_equal(cfg->ap[0].apid, 3);
    assert_int_equal(cfg->ap[0].type, AP_TYPE_CEX8);
    assert_int_equal(cfg->ap[0].mode, AP_MODE_ACCEL);
    assert_int_equal(cfg->ap[1].apid, 255);
    assert_int_equal(cfg->ap[1].type, AP_TYPE_CEX7); /* the default */
    assert_int_equal(cfg->ap[1].mode, AP_MODE_EP11);
    assert_int_equal(ap_mask_weight(&cfg->ap_domains), 3);
    assert_true(ap_mask_test(&cfg->ap_domains, 0));
    assert_true(ap_mask_test(&cfg->ap_domains, 171));
    assert_true(ap_mask_test(&cfg->ap_domains, 255));
    assert_int_equal(ap_mask_weight(&cfg->ap_cdoms), 1);
    assert_true(ap_mask_test(&cfg->ap_cdoms, 171));
    free(cfg);
}

static const struct {
    const char *ap;
    const char *path;
} bad[] = {
    {"[]", "$.ap: expected an object"},
    {"{\"cards\":[]}", "$.ap: unknown member \"cards\""},
    {"{\"adapters\":{}}", "$.ap.adapters: expected an array"},
    {"{\"adapters\":[{}]}", "$.ap.adapters[0].apid: missing"},
    {"{\"adapters\":[{\"apid\":256}]}",
     "$.ap.adapters[0].apid: 256 out of range"},
    {"{\"adapters\":[{\"apid\":-1}]}",
     "$.ap.adapters[0].apid: -1 out of range"},
    {"{\"adapters\":[{\"apid\":\"5\"}]}",
     "$.ap.adapters[0].apid: expected an integer"},
    {"{\"adapters\":[{\"apid\":5},{\"apid\":5}]}",
     "$.ap.adapters[1].apid: adapter 5 defined twice"},
    {"{\"adapters\":[{\"apid\":5,\"type\":\"cex3\"}]}",
     "$.ap.adapters[0].type: expected"},
    {"{\"adapters\":[{\"apid\":5,\"mode\":\"fast\"}]}",
     "$.ap.adapters[0].mode: expected"},
    {"{\"adapters\":[{\"apid\":5,\"qd\":3}]}",
     "$.ap.adapters[0]: unknown member \"qd\""},
    {"{\"domains\":7}", "$.ap.domains: expected an array"},
    {"{\"domains\":[4,4]}", "$.ap.domains[1]: 4 listed twice"},
    {"{\"control_domains\":[1,300]}",
     "$.ap.control_domains[1]: 300 out of range"},
};

static void
config_ap_refusals_name_the_json_path(void **state)
{
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";

        snprintf(text, sizeof(text), "{" BASE ",\"ap\":%s}", bad[i].ap);
        assert_int_equal(zv_host_cfg_parse(text, cfg, err, sizeof(err)),
                         -EINVAL);
        if (!strstr(err, bad[i].path))
            fail_msg("case %zu: \"%s\" does not name \"%s\"", i, err,
                     bad[i].path);
    }
    free(cfg);
}

/* ---- the commands on the default host ---- */

struct fx {
    char dir[64];
    struct zv_loop *loop;
    struct zv_host *host;
    struct zv_ctl *ctl;
};

static int
fx_up(struct fx *f)
{
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char err[256];

    if (!cfg)
        return -1;
    zv_host_cfg_default(cfg);
    zv_host_cfg_resolve(cfg, f->dir);
    f->loop = zv_loop_new_real_seeded(1);
    if (zv_host_new(f->loop, cfg, &f->host, err, sizeof(err)) ||
        zv_ctl_new(f->host, f->dir, &f->ctl)) {
        free(cfg);
        return -1;
    }
    free(cfg);
    return 0;
}

static void
fx_down(struct fx *f)
{
    zv_ctl_free(f->ctl);
    zv_host_free(f->host);
    zv_loop_free(f->loop);
}

static int
setup(void **state)
{
    static struct fx f;

    memset(&f, 0, sizeof(f));
    snprintf(f.dir, sizeof(f.dir), "/tmp/zvctlap.XXXXXX");
    if (!mkdtemp(f.dir) || fx_up(&f))
        return -1;
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    fx_down(f);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Execute; "ok", the error's errno name when it has one, else its class.
 * *out (if given) gets a copy of the return value's member key. */
static const char *
run(struct fx *f, const char *key, char *out, size_t outlen, const char *fmt,
    ...)
{
    static char res[64];
    struct json_object *r, *rep, *e, *c, *v;
    char req[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(req, sizeof(req), fmt, ap);
    va_end(ap);
    r = json_tokener_parse(req);
    assert_non_null(r);
    rep = zv_ctl_execute(f->ctl, r);
    if (json_object_object_get_ex(rep, "error", &e)) {
        if (!json_object_object_get_ex(e, "errno", &c))
            json_object_object_get_ex(e, "class", &c);
        snprintf(res, sizeof(res), "%s", json_object_get_string(c));
    } else if (json_object_object_get_ex(rep, "return", &v)) {
        snprintf(res, sizeof(res), "ok");
        if (key && out) {
            struct json_object *m;

            assert_true(json_object_object_get_ex(v, key, &m));
            snprintf(out, outlen, "%s", json_object_get_string(m));
        }
    } else {
        snprintf(res, sizeof(res), "?");
    }
    json_object_put(rep);
    json_object_put(r);
    return res;
}

#define FF8  "ffffffff"
#define FF62 FF8 FF8 FF8 FF8 FF8 FF8 FF8 "ffffff" /* 62 hex digits */
#define U1   "aa5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a01"
#define U2   "bb5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a02"
#define ATTR(u, a, v)                                                          \
    "{\"execute\":\"mdev-attr\",\"arguments\":{\"uuid\":\"" u                  \
    "\",\"attr\":\"" a "\",\"value\":\"" v "\"}}"
#define SHOW(u, a)                                                             \
    "{\"execute\":\"mdev-attr\",\"arguments\":{\"uuid\":\"" u                  \
    "\",\"attr\":\"" a "\"}}"
#define MASK(m, v)                                                             \
    "{\"execute\":\"ap-mask\",\"arguments\":{\"mask\":\"" m                    \
    "\",\"value\":\"" v "\"}}"
#define CREATE(u)                                                              \
    "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" u                \
    "\",\"type\":\"vfio_ap-passthrough\"}}"

static void
matrix_is(struct fx *f, const char *uuid, const char *attr, const char *want)
{
    char buf[512];

    assert_string_equal(run(f, attr, buf, sizeof(buf),
                            "{\"execute\":\"mdev-attr\",\"arguments\":{"
                            "\"uuid\":\"%s\",\"attr\":\"%s\"}}",
                            uuid, attr),
                        "ok");
    assert_string_equal(buf, want);
}

static void
attrs_and_errnos(void **state)
{
    struct fx *f = *state;
    char buf[512];

    assert_string_equal(run(f, NULL, NULL, 0, CREATE(U1)), "ok");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "assign_adapter", "5")),
                        "ok");
    /* 05.0004 is still the host's */
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "assign_domain", "4")),
                        "EADDRNOTAVAIL");
    assert_string_equal(run(f, NULL, NULL, 0, MASK("apmask", "-5,-6")), "ok");
    assert_string_equal(
        run(f, NULL, NULL, 0, MASK("aqmask", "-4,-0x47,-0xab,-0xff")), "ok");
    assert_string_equal(run(f, NULL, NULL, 0, MASK("aqmask", "0xzz")),
                        "EINVAL");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "assign_domain", "4")),
                        "ok");
    assert_string_equal(
        run(f, NULL, NULL, 0, ATTR(U1, "assign_domain", "0x100")), "ENODEV");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "assign_domain", "x")),
                        "EINVAL");
    assert_string_equal(run(f, NULL, NULL, 0,
                            ATTR(U1, "assign_domain", "18446744073709551616")),
                        "ERANGE");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "matrix", "1")),
                        "EACCES");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "bogus", "1")),
                        "ENOENT");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U1, "assign_adapter", "6")),
                        "ok");
    assert_string_equal(
        run(f, NULL, NULL, 0, ATTR(U1, "assign_domain", "0xab")), "ok");
    matrix_is(f, U1, "matrix", "05.0004\n05.00ab\n06.0004\n06.00ab\n");
    /* another mdev cannot take 05.0004; nothing of it changes */
    assert_string_equal(run(f, NULL, NULL, 0, CREATE(U2)), "ok");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U2, "assign_domain", "4")),
                        "ok");
    assert_string_equal(run(f, NULL, NULL, 0, ATTR(U2, "assign_adapter", "5")),
                        "EADDRINUSE");
    /* the kernel's format for domains without adapters */
    matrix_is(f, U2, "matrix", ".0004\n");
    /* EBUSY: the mask write would give 05.0004 back to the host */
    assert_string_equal(run(f, NULL, NULL, 0, MASK("aqmask", "+4")), "ok");
    assert_string_equal(run(f, NULL, NULL, 0, MASK("apmask", "+5")), "EBUSY");
    assert_string_equal(run(f, "apmask", buf, sizeof(buf),
                            "{\"execute\":\"ap-mask\",\"arguments\":{"
                            "\"mask\":\"apmask\"}}"),
                        "ok");
    assert_string_equal(buf, "0xf9" FF62);
    assert_string_equal(run(f, NULL, NULL, 0, MASK("aqmask", "-4")), "ok");
    /* an unassign cancels its assign in the recorded attrs */
    assert_string_equal(
        run(f, NULL, NULL, 0, ATTR(U1, "unassign_adapter", "6")), "ok");
    matrix_is(f, U1, "matrix", "05.0004\n05.00ab\n");
    assert_string_equal(
        run(f, NULL, NULL, 0, ATTR(U1, "assign_control_domain", "171")), "ok");
    matrix_is(f, U1, "control_domains", "00ab\n");
    assert_string_equal(run(f, NULL, NULL, 0,
                            "{\"execute\":\"mdev-remove\",\"arguments\":{"
                            "\"uuid\":\"" U2 "\"}}"),
                        "ok");
    /* a new host from the same state: masks, then the attrs in order */
    fx_down(f);
    assert_int_equal(fx_up(f), 0);
    assert_int_equal(zv_ctl_restore(f->ctl), 0);
    matrix_is(f, U1, "matrix", "05.0004\n05.00ab\n");
    matrix_is(f, U1, "guest_matrix", "05.0004\n05.00ab\n");
    matrix_is(f, U1, "control_domains", "00ab\n");
    assert_string_equal(run(f, NULL, NULL, 0, SHOW(U2, "matrix")),
                        "DeviceNotFound");
}

static void
hostile_arguments(void **state)
{
    static const char *const reqs[] = {
        "{\"execute\":\"ap-mask\"}",
        "{\"execute\":\"ap-mask\",\"arguments\":{\"mask\":\"apmask\","
        "\"value\":[]}}",
        "{\"execute\":\"ap-config\",\"arguments\":{\"adapter\":5}}",
        "{\"execute\":\"ap-config\",\"arguments\":{\"adapter\":-1,"
        "\"online\":true}}",
        "{\"execute\":\"ap-config\",\"arguments\":{\"adapter\":5,"
        "\"domain\":4,\"online\":true}}",
        "{\"execute\":\"ap-config\",\"arguments\":{\"domain\":\"4 \","
        "\"online\":true}}",
        "{\"execute\":\"ap-config\",\"arguments\":{\"adapter\":7,"
        "\"online\":false}}",
        "{\"execute\":\"mdev-attr\",\"arguments\":{\"uuid\":\"" U1 "\"}}",
        "{\"execute\":\"mdev-attr\",\"arguments\":{\"uuid\":\"x\","
        "\"attr\":\"matrix\"}}",
        "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" U2 "\","
        "\"type\":\"vfio_ap-passthrough\",\"parent\":\"0.0.0100\"}}",
        "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" U2 "\","
        "\"type\":\"vfio_ap-passthrough\",\"attrs\":[{\"assign_adapter\":"
        "\"5\",\"assign_domain\":\"4\"}]}}",
        "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" U2 "\","
        "\"type\":\"vfio_ap-passthrough\",\"attrs\":[{\"remove\":\"1\"}]}}",
        "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" U2 "\","
        "\"type\":\"vfio_ap-passthrough\",\"attrs\":[{\"assign_adapter\":"
        "\"300\"}]}}",
        "{\"execute\":\"mdev-create\",\"arguments\":{\"uuid\":\"" U2 "\","
        "\"type\":\"vfio_ccw-io\",\"parent\":\"0.0.0100\",\"attrs\":[]}}",
    };
    struct fx *f = *state;
    char buf[128];

    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        const char *r = run(f, NULL, NULL, 0, "%s", reqs[i]);

        if (!strcmp(r, "ok"))
            fail_msg("case %zu accepted: %s", i, reqs[i]);
    }
    /* nothing was created, the host configuration is unchanged */
    assert_string_equal(run(f, NULL, NULL, 0, SHOW(U2, "matrix")),
                        "DeviceNotFound");
    assert_string_equal(run(f, "apmask", buf, sizeof(buf),
                            "{\"execute\":\"ap-mask\",\"arguments\":{"
                            "\"mask\":\"apmask\"}}"),
                        "ok");
    assert_string_equal(buf, "0xff" FF62);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_ap_parses),
        cmocka_unit_test(config_ap_refusals_name_the_json_path),
        cmocka_unit_test_setup_teardown(hostile_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(attrs_and_errnos, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
