/* SPDX-License-Identifier: MIT */
/*
 * zvfiod: owns one simulated host and serves its mediated devices over
 * vfio-user (docs/zvfiod.md).  Everything runs on one real loop: the
 * control socket, the vfio-user servers, the host, and the signals
 * (signalfd), so a SIGTERM is handled between two events, never inside
 * one.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "ctl/ctl.h"

#define DEFAULT_STATE_DIR "/var/lib/zvfio"

static const char usage[] =
    "Usage: zvfiod [OPTION]...\n"
    "Run one simulated s390 host and serve its vfio-ccw and vfio-ap mediated "
    "devices\n"
    "over vfio-user.\n"
    "\n"
    "  -s, --state-dir DIR   images, mdev definitions and sockets live here\n"
    "                        (default $ZVFIO_STATE_DIR, else " DEFAULT_STATE_DIR
    ")\n"
    "  -c, --config FILE     JSON host description (docs/zvfiod.md); without\n"
    "                        it the embedded default host: CHPIDs 0.40 and\n"
    "                        0.41, FBA 9336 on 0.0.0100, ECKD 3390 (CDL) on\n"
    "                        0.0.0101, test devices on 0.0.0102-0.0.0103\n"
    "  -S, --control PATH    control socket (default DIR/control.sock)\n"
    "  -l, --log-level LVL   error, warn, info (default), debug\n"
    "      --poll-us N       before the loop sleeps, look for work for up to "
    "N\n"
    "                        microseconds (0-1000, default 0): costs CPU "
    "while\n"
    "                        clients pause, saves the wake-up of a sleeping "
    "CPU\n"
    "                        (tens of microseconds per request on a VM)\n"
    "      --image-io MODE   how the DASDs reach their images: auto (default:\n"
    "                        io_uring where the kernel allows it, else\n"
    "                        pread/pwrite), uring (or refuse to start), sync;\n"
    "                        overrides the configuration's \"image_io\"\n"
    "      --check-config    parse the configuration, print the host, exit\n"
    "  -h, --help            this text\n"
    "\n"
    "SIGTERM or SIGINT (or the control command quit) stops every device,\n"
    "flushes the images, removes the sockets and exits 0.\n";

/*
 * Structured log lines on stderr: time, level, subsystem and message as
 * key=value pairs (the subsystem is the message's "name: " prefix), one
 * event per line, so journald and grep both read them.
 */
static void
log_sink(void *arg, enum zv_log_level level, const char *msg)
{
    const char *lvl = level <= ZV_LOG_ERR       ? "error"
                      : level <= ZV_LOG_WARNING ? "warn"
                      : level <= ZV_LOG_INFO    ? "info"
                                                : "debug";
    const char *colon = strstr(msg, ": ");
    int sublen = colon && colon - msg < 16 ? (int)(colon - msg) : 0;
    struct timespec ts;

    (void)arg;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "ts=%lld.%06ld level=%s sub=%.*s msg=\"%s\"\n",
            (long long)ts.tv_sec, ts.tv_nsec / 1000, lvl, sublen ? sublen : 3,
            sublen ? msg : "lib", sublen ? colon + 2 : msg);
}

static int
parse_level(const char *s, enum zv_log_level *out)
{
    static const struct {
        const char *name;
        enum zv_log_level level;
    } levels[] = {{"error", ZV_LOG_ERR},
                  {"warn", ZV_LOG_WARNING},
                  {"info", ZV_LOG_INFO},
                  {"debug", ZV_LOG_DEBUG}};

    for (unsigned i = 0; i < 4; i++)
        if (strcmp(s, levels[i].name) == 0) {
            *out = levels[i].level;
            return 0;
        }
    return -EINVAL;
}

struct daemon {
    struct zv_loop *loop;
    struct zv_host *host;
    struct zv_ctl *ctl;
    int sigfd;
    int signo;
};

static void
on_signal(void *arg, int fd, unsigned events)
{
    struct daemon *d = arg;
    struct signalfd_siginfo si;

    (void)events;
    if (read(fd, &si, sizeof(si)) != sizeof(si))
        return;
    d->signo = (int)si.ssi_signo;
    zv_log(ZV_LOG_INFO, "daemon: signal %d from pid %u: shutting down",
           (int)si.ssi_signo, si.ssi_pid);
    zv_loop_stop(d->loop);
}

/*
 * A control socket left by a daemon that was killed is ours to replace;
 * one that answers belongs to a running daemon: -EADDRINUSE.
 */
static int
claim_socket(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, rc;

    if (access(path, F_OK) != 0)
        return 0;
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    close(fd);
    if (rc == 0) {
        zv_log(ZV_LOG_ERR,
               "daemon: %s answers: another zvfiod runs on "
               "this state directory",
               path);
        return -EADDRINUSE;
    }
    zv_log(ZV_LOG_WARNING, "daemon: removing stale %s", path);
    return unlink(path) < 0 ? -errno : 0;
}

static char *
read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *p;

            cap = cap ? cap * 2 : 8192;
            if (cap > (16u << 20)) {
                snprintf(err, errlen, "%s: larger than 16 MiB", path);
                break;
            }
            p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        size_t n = fread(buf + len, 1, 4096, f);

        len += n;
        if (n < 4096) {
            fclose(f);
            buf[len] = '\0';
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

static void
print_host(const struct zv_host_cfg *cfg)
{
    printf("image_io %s\n", zv_image_io_name(cfg->image_io));
    for (unsigned i = 0; i < cfg->nchp; i++)
        printf("chpid 0.%02x type %02x\n", cfg->chp[i].chpid, cfg->chp[i].type);
    for (unsigned i = 0; i < cfg->ndev; i++) {
        const struct zv_host_dev_cfg *d = &cfg->dev[i];

        printf("subchannel 0.%x.%04x devno 0.%x.%04x %s%s%s\n", d->ssid,
               d->sch_no, d->ssid, d->devno, zv_host_dev_type_name(d->type),
               d->type == ZV_HOST_DEV_TEST ? "" : " image ",
               d->type == ZV_HOST_DEV_TEST ? "" : d->image);
    }
    for (unsigned i = 0; i < cfg->nap; i++)
        printf("ap adapter %02x %s %s\n", cfg->ap[i].apid,
               zv_host_ap_type_name(cfg->ap[i].type),
               zv_host_ap_mode_name(cfg->ap[i].mode));
    if (cfg->nap) {
        int id;

        printf("ap domains");
        ap_mask_for_each(id, &cfg->ap_domains) printf(" %04x", id);
        printf("\nap control domains");
        ap_mask_for_each(id, &cfg->ap_cdoms) printf(" %04x", id);
        printf("\n");
    }
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"state-dir", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {"control", required_argument, NULL, 'S'},
        {"log-level", required_argument, NULL, 'l'},
        {"check-config", no_argument, NULL, 'C'},
        {"poll-us", required_argument, NULL, 'P'},
        {"image-io", required_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *state_dir = getenv("ZVFIO_STATE_DIR"), *config = NULL,
               *control = NULL;
    static struct zv_host_cfg cfg;
    struct daemon d = {.sigfd = -1};
    char err[512] = "", ctl_path[ZV_HOST_PATH_MAX + 32];
    enum zv_log_level level = ZV_LOG_INFO;
    bool check = false;
    unsigned long poll_us = 0;
    enum zv_image_io image_io = ZV_IMAGE_IO_AUTO;
    bool image_io_set = false;
    sigset_t mask;
    int opt, rc, failed;

    while ((opt = getopt_long(argc, argv, "s:c:S:l:h", opts, NULL)) != -1) {
        enum zv_log_level lvl;

        switch (opt) {
        case 's':
            state_dir = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'S':
            control = optarg;
            break;
        case 'l':
            if (parse_level(optarg, &lvl)) {
                fprintf(stderr,
                        "zvfiod: --log-level: \"%s\": expected "
                        "error, warn, info or debug\n",
                        optarg);
                return 2;
            }
            level = lvl;
            break;
        case 'C':
            check = true;
            break;
        case 'P': {
            char *end;

            errno = 0;
            poll_us = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || poll_us > 1000 ||
                optarg[0] == '-') {
                fprintf(stderr,
                        "zvfiod: --poll-us: \"%s\": expected 0 to 1000\n",
                        optarg);
                return 2;
            }
            break;
        }
        case 'I':
            if (zv_image_io_parse(optarg, &image_io)) {
                fprintf(stderr,
                        "zvfiod: --image-io: \"%s\": expected auto, uring or "
                        "sync\n",
                        optarg);
                return 2;
            }
            image_io_set = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    zv_log_set_sink(log_sink, NULL, level);
    if (optind < argc) {
        fprintf(stderr, "zvfiod: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (!state_dir || !*state_dir)
        state_dir = DEFAULT_STATE_DIR;

    if (config) {
        char *text = read_file(config, err, sizeof(err));

        if (!text) {
            fprintf(stderr, "zvfiod: config: %s\n", err[0] ? err : "ENOMEM");
            return 1;
        }
        rc = zv_host_cfg_parse(text, &cfg, err, sizeof(err));
        free(text);
        if (rc) {
            fprintf(stderr, "zvfiod: config %s: %s\n", config, err);
            return 1;
        }
    } else {
        zv_host_cfg_default(&cfg);
    }
    if (image_io_set)
        cfg.image_io = image_io;
    if (zv_host_cfg_resolve(&cfg, state_dir)) {
        fprintf(stderr, "zvfiod: state directory path too long\n");
        return 1;
    }
    if (check) {
        print_host(&cfg);
        return 0;
    }
    /* images, definitions and sockets are the daemon's alone; socket
     * files are born without group/other access */
    umask(0077);
    if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "zvfiod: state directory %s: %s\n", state_dir,
                strerror(errno));
        return 1;
    }
    if (!control) {
        snprintf(ctl_path, sizeof(ctl_path), "%s/control.sock", state_dir);
        control = ctl_path;
    }

    /* signals become loop events */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    d.loop = zv_loop_new_real();
    if (d.sigfd < 0 || !d.loop) {
        fprintf(stderr, "zvfiod: loop: %s\n", strerror(errno));
        return 1;
    }
    zv_loop_set_poll(d.loop, poll_us * 1000u);
    zv_loop_watch_fd(d.loop, d.sigfd, ZV_LOOP_IN, on_signal, &d);

    /* before the host opens any image: one daemon per state directory */
    rc = claim_socket(control);
    if (rc) {
        zv_loop_free(d.loop);
        return 1;
    }
    rc = zv_host_new(d.loop, &cfg, &d.host, err, sizeof(err));
    if (rc) {
        zv_log(ZV_LOG_ERR, "daemon: host: %s", err);
        zv_loop_free(d.loop);
        return 1;
    }
    zv_log(ZV_LOG_INFO, "daemon: host up: %u channel paths, %u devices",
           cfg.nchp, cfg.ndev);
    rc = zv_ctl_new(d.host, state_dir, &d.ctl);
    if (!rc) {
        rc = zv_ctl_listen(d.ctl, control);
    }
    if (rc) {
        zv_log(ZV_LOG_ERR, "daemon: control socket %s: %s", control,
               strerror(-rc));
        zv_ctl_free(d.ctl);
        zv_host_free(d.host);
        zv_loop_free(d.loop);
        return 1;
    }
    failed = zv_ctl_restore(d.ctl);
    zv_log(
        ZV_LOG_INFO,
        "daemon: ready: control %s, state %s (%d definition(s) not restored)",
        control, state_dir, failed);

    /* run() may also come back when a wait is interrupted (a stop signal
     * and SIGCONT): only a signal or quit ends the daemon */
    while (!d.signo && !zv_ctl_quit_requested(d.ctl))
        zv_loop_run(d.loop);

    zv_log(ZV_LOG_INFO, "daemon: quiescing");
    zv_ctl_free(d.ctl); /* servers stopped, devices closed, sockets gone */
    if (zv_host_flush(d.host))
        zv_log(ZV_LOG_WARNING, "daemon: image flush failed");
    zv_host_free(d.host);
    zv_loop_free(d.loop);
    close(d.sigfd);
    zv_log(ZV_LOG_INFO, "daemon: exit");
    return 0;
}
