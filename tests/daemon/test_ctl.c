/* SPDX-License-Identifier: MIT */
/*
 * ctl in process: the JSON host description (every refusal names its
 * JSON path), the default host built from it, and the control commands'
 * refusals as a hostile client would provoke them, each with its error
 * class and the host unchanged afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/ctl.h"

static const char good[] =
    "{\"chpids\":[{\"chpid\":\"40\"},{\"chpid\":65}],"
    "\"devices\":[{\"type\":\"test\",\"subchannel\":\"0.0.0102\","
    "\"devno\":\"0.0.0300\",\"chpids\":[\"40\",\"41\"]}]}";

static void
config_good_parses(void **state)
{
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char err[256] = "";

    (void)state;
    assert_int_equal(zv_host_cfg_parse(good, cfg, err, sizeof(err)), 0);
    assert_int_equal(cfg->nchp, 2);
    assert_int_equal(cfg->chp[1].chpid, 0x41);
    assert_int_equal(cfg->ndev, 1);
    assert_int_equal(cfg->dev[0].sch_no, 0x0102);
    assert_int_equal(cfg->dev[0].devno, 0x0300);
    assert_int_equal(cfg->dev[0].nchp, 2);
    assert_int_equal(cfg->dev[0].cu_type, 0x3990); /* the default */
    assert_int_equal(cfg->image_io, ZV_IMAGE_IO_AUTO);
    free(cfg);
}

/* How the images are reached: "auto" unless the description says. */
static void
config_image_io(void **state)
{
    static const char *const names[] = {"auto", "sync", "uring"};
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char text[256], err[256] = "";

    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        snprintf(text, sizeof(text),
                 "{\"image_io\":\"%s\",\"chpids\":[{\"chpid\":\"40\"}],"
                 "\"devices\":[]}",
                 names[i]);
        assert_int_equal(zv_host_cfg_parse(text, cfg, err, sizeof(err)), 0);
        assert_int_equal(cfg->image_io, (enum zv_image_io)i);
        assert_string_equal(zv_image_io_name(cfg->image_io), names[i]);
    }
    free(cfg);
}

/* A DASD's latency is charged per channel program unless the description
 * asks for every command (docs/zvfiod.md "Device latency"). */
static void
config_latency_per(void **state)
{
    static const char *const text[] = {
        "{\"chpids\":[{\"chpid\":\"40\"}],\"devices\":[{\"type\":\"fba\","
        "\"subchannel\":\"0.0.0100\",\"devno\":\"0.0.0200\","
        "\"chpids\":[\"40\"],\"image\":\"a\"}]}",
        "{\"chpids\":[{\"chpid\":\"40\"}],\"devices\":[{\"type\":\"fba\","
        "\"subchannel\":\"0.0.0100\",\"devno\":\"0.0.0200\","
        "\"chpids\":[\"40\"],\"image\":\"a\",\"latency_per\":\"command\"}]}",
        "{\"chpids\":[{\"chpid\":\"40\"}],\"devices\":[{\"type\":\"fba\","
        "\"subchannel\":\"0.0.0100\",\"devno\":\"0.0.0200\","
        "\"chpids\":[\"40\"],\"image\":\"a\",\"latency_per\":\"program\"}]}",
    };
    static const bool per_command[] = {false, true, false};
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char err[256] = "";

    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(zv_host_cfg_parse(text[i], cfg, err, sizeof(err)), 0);
        assert_int_equal(cfg->dev[0].latency_per_command, per_command[i]);
    }
    zv_host_cfg_default(cfg);
    for (unsigned i = 0; i < cfg->ndev; i++)
        assert_false(cfg->dev[i].latency_per_command);
    free(cfg);
}

#define CHP "\"chpids\":[{\"chpid\":\"40\"}]"
#define DEV0                                                                   \
    "\"type\":\"test\",\"subchannel\":\"0.0.0100\",\"devno\":\"0.0.0200\""

/* Each bad description and the JSON path its error must name. */
static const struct {
    const char *text;
    const char *path;
} bad[] = {
    {"", "$: not JSON"},
    {"[1]", "$: expected an object"},
    {"{\"devices\":[]}", "$.chpids: missing"},
    {"{" CHP "}", "$.devices: missing"},
    {"{" CHP ",\"devices\":[],\"extra\":1}", "$: unknown member \"extra\""},
    {"{\"chpids\":[{\"chpid\":\"1ff\"}],\"devices\":[]}",
     "$.chpids[0].chpid: 0x1ff out of range"},
    {"{\"chpids\":[{\"chpid\":\"4g\"}],\"devices\":[]}",
     "$.chpids[0].chpid: not a hex number"},
    {"{\"chpids\":[{\"chpid\":\"40\"},{\"chpid\":64}],\"devices\":[]}",
     "$.chpids[1].chpid: chpid 40 defined twice"},
    {"{\"chpids\":[{\"chpid\":\"40\",\"type\":\"pci\"}],\"devices\":[]}",
     "$.chpids[0].type"},
    {"{\"css\":{\"ils\":1}," CHP ",\"devices\":[]}",
     "$.css.ils: expected true or false"},
    {"{" CHP ",\"devices\":[{\"type\":\"tape\"}]}", "$.devices[0].type"},
    {"{" CHP ",\"devices\":[{\"type\":\"test\",\"subchannel\":\"0.0.100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"]}]}",
     "$.devices[0].subchannel"},
    {"{" CHP ",\"devices\":[{\"type\":\"test\",\"subchannel\":\"0.1.0100\","
     "\"devno\":\"0.1.0200\",\"chpids\":[\"40\"]}]}",
     "$.devices[0].subchannel: subchannel set 1 is not provided"},
    {"{" CHP ",\"devices\":[{" DEV0 ",\"chpids\":[\"41\"]}]}",
     "$.devices[0].chpids[0]: chpid 41 is not in $.chpids"},
    {"{" CHP ",\"devices\":[{" DEV0 ",\"chpids\":[\"40\",\"40\"]}]}",
     "$.devices[0].chpids[1]: chpid 40 given twice"},
    {"{" CHP ",\"devices\":[{" DEV0 ",\"chpids\":[]}]}",
     "$.devices[0].chpids: 1 to 8"},
    {"{" CHP ",\"devices\":[{" DEV0 ",\"chpids\":[\"40\"]},{" DEV0
     ",\"chpids\":[\"40\"]}]}",
     "$.devices[1]: subchannel 0.0.0100 is also $.devices[0]"},
    {"{" CHP ",\"devices\":[{" DEV0 ",\"chpids\":[\"40\"],\"image\":\"x\"}]}",
     "$.devices[0].image: not for a test device"},
    {"{" CHP ",\"devices\":[{\"type\":\"fba\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"]}]}",
     "$.devices[0].image: missing"},
    {"{" CHP ",\"devices\":[{\"type\":\"fba\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"],\"image\":\"a\","
     "\"create\":{\"blocks\":-5}}]}",
     "$.devices[0].create.blocks: -5 out of range"},
    {"{" CHP ",\"devices\":[{\"type\":\"eckd\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"],\"image\":\"a\","
     "\"create\":{\"cylinders\":20,\"volser\":\"lower\"}}]}",
     "$.devices[0].create.volser"},
    {"{" CHP ",\"devices\":[{\"type\":\"fba\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"],\"image\":\"a\","
     "\"model\":12}]}",
     "$.devices[0].model: only for an eckd device"},
    {"{" CHP ",\"devices\":[{\"type\":\"fba\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"],\"image\":\"a\","
     "\"latency_per\":\"ccw\"}]}",
     "$.devices[0].latency_per: expected \"command\" or \"program\""},
    {"{" CHP ",\"devices\":[{\"type\":\"fba\",\"subchannel\":\"0.0.0100\","
     "\"devno\":\"0.0.0200\",\"chpids\":[\"40\"],\"image\":\"a\","
     "\"latency_per\":1}]}",
     "$.devices[0].latency_per: expected a string"},
    {"{\"image_io\":\"fast\"," CHP ",\"devices\":[]}",
     "$.image_io: \"fast\": expected \"auto\", \"sync\" or \"uring\""},
    {"{\"image_io\":1," CHP ",\"devices\":[]}",
     "$.image_io: expected a string"},
};

static void
config_refusals_name_the_json_path(void **state)
{
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";

        assert_int_equal(zv_host_cfg_parse(bad[i].text, cfg, err, sizeof(err)),
                         -EINVAL);
        if (!strstr(err, bad[i].path))
            fail_msg("case %zu: \"%s\" does not name \"%s\"", i, err,
                     bad[i].path);
    }
    free(cfg);
}

/* ---- the control commands on the default host ---- */

struct fx {
    char dir[64];
    struct zv_loop *loop;
    struct zv_host *host;
    struct zv_ctl *ctl;
};

static int
setup(void **state)
{
    static struct fx f;
    struct zv_host_cfg *cfg = calloc(1, sizeof(*cfg));
    char err[256];

    memset(&f, 0, sizeof(f));
    snprintf(f.dir, sizeof(f.dir), "/tmp/zvctl.XXXXXX");
    if (!cfg || !mkdtemp(f.dir))
        return -1;
    zv_host_cfg_default(cfg);
    zv_host_cfg_resolve(cfg, f.dir);
    f.loop = zv_loop_new_real_seeded(1);
    if (zv_host_new(f.loop, cfg, &f.host, err, sizeof(err)) ||
        zv_ctl_new(f.host, f.dir, &f.ctl))
        return -1;
    free(cfg);
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    zv_ctl_free(f->ctl);
    zv_host_free(f->host);
    zv_loop_free(f->loop);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Execute a request given as text; returns the error class or "ok". */
static const char *
run(struct fx *f, const char *req)
{
    static char cls[64];
    struct json_object *r = json_tokener_parse(req), *rep, *e, *c;

    rep = zv_ctl_execute(f->ctl, r);
    if (json_object_object_get_ex(rep, "error", &e) &&
        json_object_object_get_ex(e, "class", &c))
        snprintf(cls, sizeof(cls), "%s", json_object_get_string(c));
    else if (json_object_object_get_ex(rep, "return", NULL))
        snprintf(cls, sizeof(cls), "ok");
    else
        snprintf(cls, sizeof(cls), "?");
    json_object_put(rep);
    json_object_put(r);
    return cls;
}

#define U  "6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"
#define U2 "0f5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"

static void
refusals_have_their_class(void **state)
{
    struct fx *f = *state;
    char path[160];
    struct stat st;

    assert_string_equal(run(f, "{\"execute\":\"nope\"}"), "CommandNotFound");
    assert_string_equal(run(f, "{\"execute\":7}"), "GenericError");
    assert_string_equal(run(f, "[]"), "GenericError");
    assert_string_equal(
        run(f, "{\"execute\":\"subchannel-bind\",\"arguments\":[]}"),
        "GenericError");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\"}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\",\"arguments\""
                               ":{\"subchannel\":\"0.0.0999\"}}"),
                        "DeviceNotFound");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\",\"arguments\""
                               ":{\"subchannel\":\"0.0.01000\"}}"),
                        "InvalidParameter");
    /* mdev on an unbound parent, then a malformed UUID */
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0100\",\"uuid\":\"" U "\"}}"),
                        "NotBound");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\",\"arguments\""
                               ":{\"subchannel\":\"0.0.0100\"}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\",\"arguments\""
                               ":{\"subchannel\":\"0.0.0100\"}}"),
                        "AlreadyBound");
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0100\",\"uuid\":\"6d5e2a3c-"
                               "8f14-4b0e-9c1a-2f7b3e9d0a5\"}}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0100\",\"uuid\":\"" U
                               "\",\"type\":\"vfio_ap-passthrough\"}}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0100\",\"uuid\":\"" U "\"}}"),
                        "ok");
    /* the definition is mdevctl's file */
    snprintf(path, sizeof(path), "%s/mdevctl.d/0.0.0100/" U, f->dir);
    assert_int_equal(stat(path, &st), 0);
    /* one instance per subchannel; a UUID once per host */
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0100\",\"uuid\":\"" U2 "\"}}"),
                        "DeviceBusy");
    assert_string_equal(run(f, "{\"execute\":\"mdev-create\",\"arguments\":{"
                               "\"parent\":\"0.0.0101\",\"uuid\":\"" U "\"}}"),
                        "AlreadyExists");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-unbind\","
                               "\"arguments\":{\"subchannel\":\"0.0.0100\"}}"),
                        "DeviceBusy");
    assert_string_equal(run(f, "{\"execute\":\"mdev-stop\",\"arguments\":{"
                               "\"uuid\":\"" U "\"}}"),
                        "NotActive");
    assert_string_equal(run(f, "{\"execute\":\"chpid-vary\",\"arguments\":{"
                               "\"chpid\":\"99\",\"on\":false}}"),
                        "DeviceNotFound");
    assert_string_equal(run(f, "{\"execute\":\"chpid-vary\",\"arguments\":{"
                               "\"chpid\":\"40\"}}"),
                        "InvalidParameter");
    /* remove, then the subchannel can go back */
    assert_string_equal(run(f, "{\"execute\":\"mdev-remove\",\"arguments\":{"
                               "\"uuid\":\"" U "\"}}"),
                        "ok");
    assert_int_equal(stat(path, &st), -1);
    assert_string_equal(run(f, "{\"execute\":\"subchannel-unbind\","
                               "\"arguments\":{\"subchannel\":\"0.0.0100\"}}"),
                        "ok");
}

static void
device_loss_leaves_a_gone_subchannel(void **state)
{
    struct fx *f = *state;

    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"device-loss\",\"subchannel\":"
                               "\"0.0.0103\"}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"subchannel-bind\",\"arguments\""
                               ":{\"subchannel\":\"0.0.0103\"}}"),
                        "DeviceNotFound");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"device-loss\",\"subchannel\":"
                               "\"0.0.0103\"}}"),
                        "DeviceNotFound");
    assert_string_equal(run(f, "{\"execute\":\"query-subchannels\"}"), "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"path-loss\",\"chpid\":\"0.41\"}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"path-loss\",\"chpid\":\"42\"}}"),
                        "DeviceNotFound");
}

/* Fault injection on the default host's DASDs: latency (and back to the
 * configured one) and an equipment-check rate; refusals for the wrong
 * device kind and out-of-range values. */
static void
dasd_faults_latency_and_equipment_checks(void **state)
{
    struct fx *f = *state;

    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"latency\",\"subchannel\":"
                               "\"0.0.0101\",\"us\":3000000}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"latency\",\"subchannel\":"
                               "\"0.0.0101\",\"restore\":true}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"latency\",\"subchannel\":"
                               "\"0.0.0101\",\"us\":-1}}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"equipment-check\",\"subchannel\":"
                               "\"0.0.0100\",\"ppm\":20000}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"equipment-check\",\"subchannel\":"
                               "\"0.0.0100\",\"ppm\":0}}"),
                        "ok");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"equipment-check\",\"subchannel\":"
                               "\"0.0.0100\",\"ppm\":1000001}}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"equipment-check\",\"subchannel\":"
                               "\"0.0.0101\"}}"),
                        "InvalidParameter");
    assert_string_equal(run(f, "{\"execute\":\"inject-fault\",\"arguments\":{"
                               "\"kind\":\"equipment-check\",\"subchannel\":"
                               "\"0.0.0102\",\"ppm\":10}}"),
                        "NotSupported");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_good_parses),
        cmocka_unit_test(config_image_io),
        cmocka_unit_test(config_latency_per),
        cmocka_unit_test(config_refusals_name_the_json_path),
        cmocka_unit_test_setup_teardown(refusals_have_their_class, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(device_loss_leaves_a_gone_subchannel,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            dasd_faults_latency_and_equipment_checks, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
