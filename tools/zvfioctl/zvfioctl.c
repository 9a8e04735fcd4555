/* SPDX-License-Identifier: MIT */
/*
 * zvfioctl: a thin client of zvfiod's control socket (docs/zvfiod.md).
 * Output modeled on s390-tools (lscss, lschp, chchp) and mdevctl; --json
 * prints the daemon's answer as it came.  Every refusal: the daemon's
 * message on stderr and exit status 1; usage errors exit 2; no daemon
 * exits 3.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char usage[] =
    "Usage: zvfioctl [--socket PATH] [--json] COMMAND [ARGS]\n"
    "\n"
    "Administer the host run by zvfiod over its control socket.\n"
    "\n"
    "Options:\n"
    "  -s, --socket PATH  control socket (default "
    "$ZVFIO_STATE_DIR/control.sock,\n"
    "                     else /var/lib/zvfio/control.sock)\n"
    "  -j, --json         print the daemon's JSON answer, for scripts\n"
    "  -h, --help         this text\n"
    "\n"
    "Channel subsystem (as s390-tools' lscss, lschp, chchp):\n"
    "  lscss                       list subchannels: device and subchannel\n"
    "                              number, device and CU type/model, driver,\n"
    "                              PIM/PAM/POM masks, CHPIDs\n"
    "  lschp                       list channel paths: vary and configure\n"
    "                              state, type, failed (injected path loss)\n"
    "  chchp -v 0|1 CHPID...       vary channel paths off/on (software state)\n"
    "  chchp -c 0|1 CHPID...       configure channel paths off/on (the\n"
    "                              machine's PAM changes, CRWs are made)\n"
    "  bind SUBCHANNEL             bind to vfio_ccw (driver override)\n"
    "  unbind SUBCHANNEL           give the subchannel back (no mdev left)\n"
    "\n"
    "Mediated devices (as mdevctl):\n"
    "  mdev list                   every mdev: uuid, parent, type, start\n"
    "                              policy, active (socket) and client state\n"
    "  mdev define -p SUBCHANNEL -u UUID [-t vfio_ccw-io] [-a]\n"
    "                              create and persist (-a: start at daemon\n"
    "                              start); --no-persist for a transient one\n"
    "  mdev undefine -u UUID [--force]\n"
    "                              remove (--force even with a client)\n"
    "  mdev start -u UUID          serve over vfio-user; prints the socket\n"
    "  mdev stop -u UUID           stop serving (the client is disconnected)\n"
    "\n"
    "Crypto (AP) adapters (as lszcrypt and the sysfs session of vfio_ap):\n"
    "  lszcrypt                    cards and queues (APQNs): type, mode,\n"
    "                              online state, requests, owner (host or\n"
    "                              vfio_ap), driver and vfio_ap status\n"
    "  ap apmask|aqmask [VALUE]    show or write /sys/bus/ap/apmask, aqmask\n"
    "                              (\"-5,-6\" gives adapters 5 and 6 away "
    "from\n"
    "                              the host; \"+5\" takes it back: EBUSY when\n"
    "                              an mdev has its queues)\n"
    "  mdev define -p matrix -t vfio_ap-passthrough -u UUID\n"
    "                              a matrix mdev (attrs recorded in order)\n"
    "  ap assign-adapter|unassign-adapter|assign-domain|unassign-domain|\n"
    "     assign-control-domain|unassign-control-domain -u UUID ID\n"
    "                              write the mdev's attribute (errors: the\n"
    "                              kernel's errno, e.g. EADDRINUSE)\n"
    "  ap matrix|guest-matrix|control-domains -u UUID\n"
    "  ap ap-config -u UUID [VALUE]   read or write ap_config\n"
    "  ap configure adapter|domain|control-domain ID on|off\n"
    "                              the machine changes the host AP\n"
    "                              configuration (hot plug / unplug)\n"
    "\n"
    "Faults and figures:\n"
    "  inject device-loss SUBCHANNEL\n"
    "  inject path-loss CHPID [--restore]\n"
    "  inject unsolicited SUBCHANNEL [DSTAT]   (default 0x80, attention)\n"
    "  inject latency SUBCHANNEL MICROSECONDS|--restore\n"
    "  inject equipment-check SUBCHANNEL PPM   (DASDs; 0 stops)\n"
    "  stats SUBCHANNEL | stats -u UUID\n"
    "                              counters of a device: commands, bytes\n"
    "                              read/written, FSM and vfio-user counts,\n"
    "                              SSCH-to-status latency histogram (log2\n"
    "                              microsecond buckets: latency.us.LO-HI N)\n"
    "  quit                        stop the daemon (as SIGTERM)\n"
    "\n"
    "SUBCHANNEL is a bus id such as 0.0.0100, CHPID a hex number such as 40\n"
    "or 0.40, UUID canonical (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).\n"
    "\n"
    "Exit status: 0 done, 1 the daemon refused (message on stderr), 2 usage\n"
    "error, 3 no daemon on the socket.\n";

static bool json_out;
static int sock = -1;
static FILE *in;
static int next_id = 1;

static int
die_usage(const char *msg)
{
    fprintf(stderr, "zvfioctl: %s (see zvfioctl --help)\n", msg);
    return 2;
}

static int
connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct json_object *g;
    char *line = NULL;
    size_t cap = 0;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "zvfioctl: socket path too long\n");
        return 3;
    }
    strcpy(sa.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr,
                "zvfioctl: cannot reach zvfiod at %s: %s\n"
                "Is the daemon running?  Start it with\n"
                "  zvfiod --state-dir DIR &\n"
                "and point zvfioctl at DIR/control.sock (--socket, or "
                "ZVFIO_STATE_DIR=DIR).\n",
                path, strerror(errno));
        return 3;
    }
    in = fdopen(dup(sock), "r");
    if (!in || getline(&line, &cap, in) < 0 ||
        !(g = json_tokener_parse(line)) ||
        !json_object_object_get_ex(g, "zvfio", NULL)) {
        fprintf(stderr, "zvfioctl: %s does not greet like zvfiod\n", path);
        free(line);
        return 3;
    }
    json_object_put(g);
    free(line);
    return 0;
}

/* Run one command; *ret gets the "return" value (owned by the caller).
 * 0, 1 (refused: message printed) or 3 (connection lost). */
static int
execute(const char *cmd, struct json_object *args, struct json_object **ret)
{
    struct json_object *req = json_object_new_object(), *rep = NULL, *v;
    int id = next_id++;
    const char *s;
    char *line = NULL;
    size_t cap = 0;
    int rc = 3;

    json_object_object_add(req, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(req, "arguments", args);
    json_object_object_add(req, "id", json_object_new_int(id));
    s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
    if (dprintf(sock, "%s\n", s) < 0)
        goto lost;
    while (getline(&line, &cap, in) >= 0) {
        rep = json_tokener_parse(line);
        if (rep && json_object_object_get_ex(rep, "id", &v) &&
            json_object_get_int(v) == id)
            break;
        json_object_put(rep); /* an event */
        rep = NULL;
    }
    if (!rep)
        goto lost;
    if (json_object_object_get_ex(rep, "error", &v)) {
        struct json_object *c = NULL, *d = NULL;

        json_object_object_get_ex(v, "class", &c);
        json_object_object_get_ex(v, "desc", &d);
        if (json_out)
            printf("%s\n", json_object_to_json_string_ext(
                               rep, JSON_C_TO_STRING_PRETTY));
        fprintf(stderr, "zvfioctl: %s: %s (%s)\n", cmd,
                d ? json_object_get_string(d) : "refused",
                c ? json_object_get_string(c) : "?");
        rc = 1;
    } else if (json_object_object_get_ex(rep, "return", &v)) {
        *ret = json_object_get(v);
        if (json_out)
            printf("%s\n",
                   json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY));
        rc = 0;
    }
    json_object_put(rep);
    json_object_put(req);
    free(line);
    return rc;
lost:
    fprintf(stderr, "zvfioctl: %s: connection to zvfiod lost\n", cmd);
    json_object_put(req);
    free(line);
    return 3;
}

static const char *
jstr(struct json_object *o, const char *key, const char *dflt)
{
    struct json_object *v;

    if (json_object_object_get_ex(o, key, &v) &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return dflt;
}

static bool
jbool(struct json_object *o, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int
do_lscss(void)
{
    struct json_object *r = NULL;
    int rc = execute("query-subchannels", NULL, &r);

    if (rc || json_out) {
        json_object_put(r);
        return rc;
    }
    printf("Device   Subchan.  DevType CU Type Use  PIM PAM POM  CHPIDs    "
           "Driver\n");
    printf("-------------------------------------------------------------"
           "---------------\n");
    for (size_t i = 0; i < json_object_array_length(r); i++) {
        struct json_object *o = json_object_array_get_idx(r, i), *chp;
        char chps[17] = "";

        if (json_object_object_get_ex(o, "chpids", &chp))
            for (size_t c = 0; c < json_object_array_length(chp) && c < 8; c++)
                strncat(
                    chps,
                    json_object_get_string(json_object_array_get_idx(chp, c)),
                    2);
        while (strlen(chps) < 8)
            strcat(chps, "00");
        printf("%-8s %-8s  %s/%s %s/%s %-4s %-3s %-3s %-3s  %-8s  %s\n",
               jstr(o, "devno", "?"), jstr(o, "subchannel", "?"),
               jstr(o, "dev_type", "????"), jstr(o, "dev_model", "??"),
               jstr(o, "cu_type", "????"), jstr(o, "cu_model", "??"),
               jstr(o, "driver", NULL) ? "yes" : "", jstr(o, "pim", "--"),
               jstr(o, "pam", "--"), jstr(o, "pom", "--"), chps,
               jbool(o, "present") ? jstr(o, "driver", "-") : "(gone)");
    }
    json_object_put(r);
    return 0;
}

static int
do_lschp(void)
{
    struct json_object *r = NULL;
    int rc = execute("query-chpids", NULL, &r);

    if (rc || json_out) {
        json_object_put(r);
        return rc;
    }
    printf("CHPID  Vary  Cfg.  Type  Failed\n");
    printf("===============================\n");
    for (size_t i = 0; i < json_object_array_length(r); i++) {
        struct json_object *o = json_object_array_get_idx(r, i);

        printf("0.%s   %d     %d     %s    %s\n", jstr(o, "chpid", "??"),
               jbool(o, "online"), jbool(o, "configured"),
               jstr(o, "type", "??"), jbool(o, "failed") ? "yes" : "no");
    }
    json_object_put(r);
    return 0;
}

static int
simple(const char *cmd, struct json_object *args, const char *done)
{
    struct json_object *r = NULL;
    int rc = execute(cmd, args, &r);

    if (!rc && !json_out && done)
        printf("%s\n", done);
    json_object_put(r);
    return rc;
}

static int
do_chchp(int argc, char **argv)
{
    const char *mode = NULL, *val = NULL;
    int i, rc = 0;

    for (i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--vary") == 0 ||
             strcmp(argv[i], "-c") == 0 ||
             strcmp(argv[i], "--configure") == 0) &&
            i + 1 < argc) {
            mode = argv[i][1] == 'v' || argv[i][2] == 'v' ? "chpid-vary"
                                                          : "chpid-configure";
            val = argv[++i];
        } else {
            break;
        }
    }
    if (!mode || !val || (strcmp(val, "0") && strcmp(val, "1")) || i >= argc)
        return die_usage("chchp needs -v 0|1 or -c 0|1 and CHPIDs");
    for (; i < argc; i++) {
        struct json_object *a = json_object_new_object();
        char msg[96];

        json_object_object_add(a, "chpid", json_object_new_string(argv[i]));
        json_object_object_add(a, "on", json_object_new_boolean(*val == '1'));
        snprintf(msg, sizeof(msg), "%s channel path %.8s %s",
                 mode[6] == 'v' ? "Vary" : "Configure", argv[i],
                 *val == '1' ? "online" : "offline");
        rc = simple(mode, a, msg);
        if (rc)
            return rc;
    }
    return 0;
}

static struct json_object *
one_arg(const char *key, const char *val)
{
    struct json_object *a = json_object_new_object();

    json_object_object_add(a, key, json_object_new_string(val));
    return a;
}

static int
do_mdev_list(void)
{
    struct json_object *r = NULL;
    int rc = execute("query-mdevs", NULL, &r);

    if (rc || json_out) {
        json_object_put(r);
        return rc;
    }
    for (size_t i = 0; i < json_object_array_length(r); i++) {
        struct json_object *o = json_object_array_get_idx(r, i);

        printf("%s %s %s %s%s%s%s%s\n", jstr(o, "uuid", "?"),
               jstr(o, "parent", "?"), jstr(o, "type", "?"),
               jstr(o, "start", "?"), jbool(o, "defined") ? "" : " (transient)",
               jbool(o, "active") ? " (active)" : "",
               jbool(o, "client") ? " (client attached)" : "",
               jbool(o, "removing") ? " (removing)" : "");
    }
    json_object_put(r);
    return 0;
}

/* A removal with a client attached is pending until the client lets go
 * of the device (the request IRQ asked it to): say so. */
static int
do_mdev_remove(struct json_object *a)
{
    struct json_object *r = NULL;
    int rc = execute("mdev-remove", a, &r);

    if (!rc && !json_out && jbool(r, "pending"))
        printf("the client was asked to release the device; the mdev goes "
               "when it has (MDEV_REMOVED)\n");
    json_object_put(r);
    return rc;
}

static int
do_mdev(int argc, char **argv)
{
    const char *uuid = NULL, *parent = NULL, *type = NULL;
    bool autostart = false, force = false, persist = true;
    struct json_object *a, *r = NULL;
    int rc;

    if (argc < 1)
        return die_usage("mdev needs list, define, undefine, start or stop");
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];

        if ((!strcmp(o, "-u") || !strcmp(o, "--uuid")) && i + 1 < argc)
            uuid = argv[++i];
        else if ((!strcmp(o, "-p") || !strcmp(o, "--parent")) && i + 1 < argc)
            parent = argv[++i];
        else if ((!strcmp(o, "-t") || !strcmp(o, "--type")) && i + 1 < argc)
            type = argv[++i];
        else if (!strcmp(o, "-a") || !strcmp(o, "--auto"))
            autostart = true;
        else if (!strcmp(o, "--force"))
            force = true;
        else if (!strcmp(o, "--no-persist"))
            persist = false;
        else
            return die_usage("mdev: unknown option");
    }
    if (!strcmp(argv[0], "list"))
        return do_mdev_list();
    if (!uuid)
        return die_usage("mdev: -u UUID is required");
    a = one_arg("uuid", uuid);
    if (!strcmp(argv[0], "define") || !strcmp(argv[0], "create")) {
        if (!parent) {
            json_object_put(a);
            return die_usage("mdev define: -p SUBCHANNEL is required");
        }
        json_object_object_add(a, "parent", json_object_new_string(parent));
        if (type)
            json_object_object_add(a, "type", json_object_new_string(type));
        json_object_object_add(
            a, "start", json_object_new_string(autostart ? "auto" : "manual"));
        json_object_object_add(a, "persist", json_object_new_boolean(persist));
        return simple("mdev-create", a, NULL);
    }
    if (!strcmp(argv[0], "undefine") || !strcmp(argv[0], "remove")) {
        if (force)
            json_object_object_add(a, "force", json_object_new_boolean(true));
        return do_mdev_remove(a);
    }
    if (!strcmp(argv[0], "stop"))
        return simple("mdev-stop", a, NULL);
    if (!strcmp(argv[0], "start")) {
        rc = execute("mdev-start", a, &r);
        if (!rc && !json_out)
            printf("%s\n", jstr(r, "socket", "?"));
        json_object_put(r);
        return rc;
    }
    json_object_put(a);
    return die_usage("mdev: unknown subcommand");
}

/* The argument the VALUE of `inject KIND TARGET VALUE` becomes. */
static const char *
inject_value_name(const char *kind)
{
    if (!strcmp(kind, "latency"))
        return "us";
    if (!strcmp(kind, "equipment-check"))
        return "ppm";
    return "dstat";
}

static int
do_inject(int argc, char **argv)
{
    struct json_object *a;

    if (argc < 2)
        return die_usage("inject KIND TARGET [VALUE]");
    a = one_arg("kind", argv[0]);
    if (!strcmp(argv[0], "path-loss")) {
        json_object_object_add(a, "chpid", json_object_new_string(argv[1]));
        if (argc > 2 && !strcmp(argv[2], "--restore"))
            json_object_object_add(a, "restore", json_object_new_boolean(true));
    } else {
        json_object_object_add(a, "subchannel",
                               json_object_new_string(argv[1]));
        if (argc > 2 && !strcmp(argv[2], "--restore")) {
            json_object_object_add(a, "restore", json_object_new_boolean(true));
        } else if (argc > 2) {
            char *end;
            long v = strtol(argv[2], &end, 0);

            if (*end || v < 0) {
                json_object_put(a);
                return die_usage("inject: VALUE must be a number");
            }
            json_object_object_add(a, inject_value_name(argv[0]),
                                   json_object_new_int64(v));
        }
    }
    return simple("inject-fault", a, NULL);
}

/* A latency histogram as "GROUP.us.LO-HI COUNT" lines (LO+ for the open
 * top bucket). */
static void
print_buckets(const char *group, struct json_object *b)
{
    for (size_t i = 0; i < json_object_array_length(b); i++) {
        struct json_object *e = json_object_array_get_idx(b, i), *hi;

        struct json_object *lo = NULL, *n = NULL;

        json_object_object_get_ex(e, "lo_us", &lo);
        json_object_object_get_ex(e, "count", &n);
        printf("%s.us.%s", group, lo ? json_object_get_string(lo) : "?");
        if (json_object_object_get_ex(e, "hi_us", &hi) && hi)
            printf("-%s", json_object_get_string(hi));
        else
            printf("+");
        printf(" %s\n", n ? json_object_get_string(n) : "?");
    }
}

static int
do_stats(int argc, char **argv)
{
    struct json_object *r = NULL, *a;
    int rc;

    if (argc == 2 && (!strcmp(argv[0], "-u") || !strcmp(argv[0], "--uuid")))
        a = one_arg("uuid", argv[1]);
    else if (argc == 1)
        a = one_arg("subchannel", argv[0]);
    else
        return die_usage("stats SUBCHANNEL | stats -u UUID");
    rc = execute("query-stats", a, &r);
    if (!rc && !json_out) {
        /* flat "group.key value" lines, easy to grep */
        json_object_object_foreach(r, k, v)
        {
            if (!json_object_is_type(v, json_type_object)) {
                printf("%s %s\n", k, json_object_get_string(v));
                continue;
            }
            json_object_object_foreach(v, k2, v2)
            {
                if (json_object_is_type(v2, json_type_array))
                    print_buckets(k, v2);
                else
                    printf("%s.%s %s\n", k, k2, json_object_get_string(v2));
            }
        }
    }
    json_object_put(r);
    return rc;
}

/* lszcrypt: one line per card, then one per queue (APQN). */
static int
do_lszcrypt(void)
{
    struct json_object *r = NULL, *cards, *queues;
    int rc = execute("query-ap", NULL, &r);

    if (rc || json_out) {
        json_object_put(r);
        return rc;
    }
    json_object_object_get_ex(r, "cards", &cards);
    json_object_object_get_ex(r, "queues", &queues);
    printf("CARD.DOM TYPE  MODE  STATUS  REQUESTS OWNER   DRIVER  VFIO_AP\n");
    for (size_t i = 0; i < json_object_array_length(cards); i++) {
        struct json_object *c = json_object_array_get_idx(cards, i);
        const char *id = jstr(c, "card", "?");

        printf("%-8s %-5s %-5s %-7s %8s %-7s\n", id, jstr(c, "type", "?"),
               jstr(c, "mode", "?"), jbool(c, "online") ? "online" : "offline",
               "-", jstr(c, "owner", "?"));
        for (size_t k = 0; k < json_object_array_length(queues); k++) {
            struct json_object *q = json_object_array_get_idx(queues, k), *n;
            const char *qn = jstr(q, "apqn", "?");

            if (strncmp(qn, id, 2) != 0)
                continue;
            json_object_object_get_ex(q, "requests", &n);
            printf("%-8s %-5s %-5s %-7s %8s %-7s %-7s %s\n", qn,
                   jstr(q, "type", "?"), jstr(q, "mode", "?"),
                   jbool(q, "online") ? "online" : "offline",
                   n ? json_object_get_string(n) : "-", jstr(q, "owner", "?"),
                   jstr(q, "driver", "-"), jstr(q, "status", "-"));
        }
    }
    json_object_put(r);
    return 0;
}

/* The value of one attribute (or mask) as the sysfs file shows it. */
static int
show_value(const char *cmd, struct json_object *a, const char *key)
{
    struct json_object *r = NULL;
    int rc = execute(cmd, a, &r);

    if (!rc && !json_out) {
        const char *v = jstr(r, key, "");
        size_t n = strlen(v);

        printf("%s%s", v, n && v[n - 1] == '\n' ? "" : (n ? "\n" : ""));
    }
    json_object_put(r);
    return rc;
}

static int
do_ap(int argc, char **argv)
{
    static const char *const attrs[] = {
        "assign-adapter",  "unassign-adapter",      "assign-domain",
        "unassign-domain", "assign-control-domain", "unassign-control-domain",
        "matrix",          "guest-matrix",          "control-domains",
        "ap-config",
    };
    const char *uuid = NULL, *val = NULL;
    struct json_object *a;
    char name[40];

    if (argc < 1)
        return die_usage("ap needs a subcommand");
    if (!strcmp(argv[0], "apmask") || !strcmp(argv[0], "aqmask")) {
        if (argc > 2)
            return die_usage("ap apmask|aqmask [VALUE]");
        a = one_arg("mask", argv[0]);
        if (argc == 2)
            json_object_object_add(a, "value", json_object_new_string(argv[1]));
        return show_value("ap-mask", a, argv[0]);
    }
    if (!strcmp(argv[0], "configure")) {
        if (argc != 4 || (strcmp(argv[3], "on") && strcmp(argv[3], "off")) ||
            (strcmp(argv[1], "adapter") && strcmp(argv[1], "domain") &&
             strcmp(argv[1], "control-domain")))
            return die_usage(
                "ap configure adapter|domain|control-domain ID on|off");
        a = json_object_new_object();
        json_object_object_add(
            a, !strcmp(argv[1], "control-domain") ? "control_domain" : argv[1],
            json_object_new_string(argv[2]));
        json_object_object_add(a, "online",
                               json_object_new_boolean(!strcmp(argv[3], "on")));
        return simple("ap-config", a, NULL);
    }
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-u") || !strcmp(argv[i], "--uuid")) &&
            i + 1 < argc)
            uuid = argv[++i];
        else if (!val && argv[i][0] != '-')
            val = argv[i];
        else if (!val && i + 1 == argc)
            val = argv[i]; /* "-5"-like values are not ours: an error below */
        else
            return die_usage("ap: unknown option");
    }
    for (size_t k = 0; k < sizeof(attrs) / sizeof(attrs[0]); k++) {
        bool store = k < 6;

        if (strcmp(argv[0], attrs[k]))
            continue;
        if (!uuid)
            return die_usage("ap: -u UUID is required");
        if (store && !val)
            return die_usage("ap: the ID to assign or unassign is required");
        if (!store && val && strcmp(argv[0], "ap-config"))
            return die_usage("ap: this attribute is read-only");
        snprintf(name, sizeof(name), "%s", attrs[k]);
        for (char *p = name; *p; p++)
            if (*p == '-')
                *p = '_';
        a = one_arg("uuid", uuid);
        json_object_object_add(a, "attr", json_object_new_string(name));
        if (val)
            json_object_object_add(a, "value", json_object_new_string(val));
        return val ? simple("mdev-attr", a, NULL)
                   : show_value("mdev-attr", a, name);
    }
    return die_usage("ap: unknown subcommand");
}

int
main(int argc, char **argv)
{
    const char *path = NULL, *dir = getenv("ZVFIO_STATE_DIR");
    char buf[4200];
    int i, rc;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
            json_out = true;
        } else if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) &&
                   i + 1 < argc) {
            path = argv[++i];
        } else {
            return die_usage("unknown option");
        }
    }
    if (i >= argc)
        return die_usage("no command");
    if (!path) {
        snprintf(buf, sizeof(buf), "%.4000s/control.sock",
                 dir && *dir ? dir : "/var/lib/zvfio");
        path = buf;
    }
    const char *cmd = argv[i++];
    int n = argc - i;
    char **args = argv + i;

    if (strcmp(cmd, "lscss") && strcmp(cmd, "lschp") && strcmp(cmd, "chchp") &&
        strcmp(cmd, "bind") && strcmp(cmd, "unbind") && strcmp(cmd, "mdev") &&
        strcmp(cmd, "inject") && strcmp(cmd, "stats") && strcmp(cmd, "quit") &&
        strcmp(cmd, "lszcrypt") && strcmp(cmd, "ap"))
        return die_usage("unknown command");
    if ((!strcmp(cmd, "bind") || !strcmp(cmd, "unbind")) && n != 1)
        return die_usage("bind/unbind take one SUBCHANNEL");
    rc = connect_to(path);
    if (rc)
        return rc;
    if (!strcmp(cmd, "lscss"))
        rc = do_lscss();
    else if (!strcmp(cmd, "lschp"))
        rc = do_lschp();
    else if (!strcmp(cmd, "chchp"))
        rc = do_chchp(n, args);
    else if (!strcmp(cmd, "bind"))
        rc = simple("subchannel-bind", one_arg("subchannel", args[0]), NULL);
    else if (!strcmp(cmd, "unbind"))
        rc = simple("subchannel-unbind", one_arg("subchannel", args[0]), NULL);
    else if (!strcmp(cmd, "mdev"))
        rc = do_mdev(n, args);
    else if (!strcmp(cmd, "inject"))
        rc = do_inject(n, args);
    else if (!strcmp(cmd, "lszcrypt"))
        rc = do_lszcrypt();
    else if (!strcmp(cmd, "ap"))
        rc = do_ap(n, args);
    else if (!strcmp(cmd, "stats"))
        rc = do_stats(n, args);
    else
        rc = simple("quit", NULL, NULL);
    if (in)
        fclose(in);
    close(sock);
    return rc;
}
