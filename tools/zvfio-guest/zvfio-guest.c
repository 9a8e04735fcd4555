/* SPDX-License-Identifier: MIT */
/*
 * zvfio-guest: a small VMM on the vfio-user client library.  Guest memory
 * is a memfd DMA-mapped into the device, the IO/CRW/REQ interrupts are
 * eventfds, and the guest DASD library (src/guest) runs Linux's channel
 * programs through guest/chan_vfu.  See usage() for the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zvfio-guest.h"

static const char help_text[] =
    "NAME\n"
    "    zvfio-guest - drive a zvfio DASD over vfio-user, as a guest would\n"
    "\n"
    "SYNOPSIS\n"
    "    zvfio-guest --socket PATH [--socket PATH]... COMMAND [ARGS]\n"
    "\n"
    "DESCRIPTION\n"
    "    A small VMM: it connects to the vfio-user socket of a vfio-ccw\n"
    "    mediated device served by zvfiod, maps guest memory (a memfd) into\n"
    "    the device, registers the IO, CRW and REQ interrupts as eventfds,\n"
    "    and runs the channel programs Linux's cio and DASD drivers run.\n"
    "    Several --socket options name several devices (bench, watch);\n"
    "    the other commands use the first.  ZVFIO_SOCKET is used when no\n"
    "    --socket is given.\n"
    "\n"
    "COMMANDS\n"
    "    online\n"
    "        Bring the DASD online as Linux does (Sense ID, path groups,\n"
    "        path verification, Read Configuration Data, Read Feature\n"
    "        Codes, Read Device Characteristics, volume analysis) and print\n"
    "        the device and control-unit type/model, geometry, block size,\n"
    "        blocks and, for an ECKD CDL volume, the volser.\n"
    "    read BLOCK [COUNT] [--out FILE]\n"
    "        Read COUNT (default 1) blocks from BLOCK; hexdump them, or\n"
    "        write them to FILE.\n"
    "    write BLOCK [COUNT] (--from FILE | --pattern BYTE|seed:N)\n"
    "        Write COUNT blocks (default: as many as FILE holds, or 1) from\n"
    "        FILE, filled with BYTE, or with the seeded bench pattern.\n"
    "    verify [--count N] [--seed S]\n"
    "        Write a pattern to N (default 64) random runs of blocks, read\n"
    "        each back and compare.  ECKD CDL: only blocks past tracks 0-1.\n"
    "        Overwrites data!\n"
    "    bench [--rw randread|randwrite|read|write] [--bs BYTES]\n"
    "          [--iodepth N] [--time SECONDS] [--seed S] [--log FILE]\n"
    "        Run I/O on every --socket device for SECONDS (default 5),\n"
    "        block size BYTES (default 4096, a multiple of the device's\n"
    "        block size).  A subchannel runs one channel program at a time,\n"
    "        so the depth per device is 1 (--iodepth accepts only 1) and\n"
    "        the total depth is the number of devices.  On a TTY a progress\n"
    "        line is refreshed every second; the summary gives I/Os, IOPS,\n"
    "        MB/s and the p50/p99/p99.9 latency from SSCH to the interrupt.\n"
    "        --log FILE appends, for every completed write, one line\n"
    "        \"SOCKET BLOCK COUNT FNV1A64\" before the next write starts.\n"
    "        SIGINT ends the run early and prints the summary.\n"
    "    ap list\n"
    "        (a vfio_ap mdev) Print the guest's AP configuration from\n"
    "        PQAP(QCI) through the device's instruction region: adapters,\n"
    "        domains, control domains, and each queue's TAPQ (type, mode,\n"
    "        queue depth, response code).\n"
    "    ap run [--time S] [--count N] [--bits 1024..4096]\n"
    "        Send RSA requests (zcrypt's type 50: ME and CRT, alternately,\n"
    "        with a fresh OpenSSL key of BITS, default 2048) round-robin to\n"
    "        every queue of the guest matrix for S seconds (default 3) or N\n"
    "        requests, and check every result with OpenSSL.  Configuration\n"
    "        changes (the CFG_CHG interrupt) are reported as they arrive;\n"
    "        queues that left the guest matrix keep being tried and their\n"
    "        AP response codes counted.  Exit 1 for any wrong result, or for\n"
    "        errors on a queue still in the guest matrix at the end.\n"
    "    watch\n"
    "        Print channel report words, path (PIM/PAM/POM/PNOM) and SCHIB\n"
    "        changes, and unsolicited status as they arrive, until SIGINT.\n"
    "\n"
    "OPTIONS\n"
    "    -s, --socket PATH   the device's vfio-user socket (repeatable)\n"
    "    -h, --help          this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success; 1 the device refused, failed or went away (a message\n"
    "    on stderr says which); 2 usage error.\n"
    "\n"
    "ERRORS\n"
    "    A missing socket means zvfiod is not running or the device's\n"
    "    socket is not started: start the daemon (zvfiod) and start the\n"
    "    mdev's socket with zvfioctl (see zvfioctl --help).  A device that\n"
    "    is not a DASD (Sense ID answers another type) is refused.  When\n"
    "    the host takes the device away (REQ interrupt) the command stops\n"
    "    with \"device lost\".\n"
    "\n"
    "EXAMPLES\n"
    "    zvfio-guest -s A.sock online\n"
    "    zvfio-guest -s A.sock read 0 2\n"
    "    zvfio-guest -s A.sock write 100 8 --pattern 0x5a\n"
    "    zvfio-guest -s A.sock -s B.sock bench --rw randread --time 10\n";

static void
usage(FILE *f)
{
    fputs(f == stdout ? help_text
                      : "usage: zvfio-guest --socket PATH [--socket PATH]... "
                        "online|read|write|verify|bench|watch [ARGS]\n"
                        "       zvfio-guest --help\n",
          f);
}

int
zg_usage(const char *msg)
{
    fprintf(stderr, "zvfio-guest: %s\n", msg);
    usage(stderr);
    return ZG_USAGE;
}

int
zg_fail(const char *path, const char *what, int err)
{
    const char *why = strerror(-err);

    if (err == -ENODEV)
        why = "device lost (the host took it away: REQ interrupt, or the "
              "subchannel is gone)";
    fprintf(stderr, "zvfio-guest: %s: %s: %s\n", path, what, why);
    return ZG_FAIL;
}

uint64_t
zg_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64's finalizer: a bijection that spreads every input bit. */
static uint64_t
zg_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The data of block blk in run seed: an xorshift stream whose start state
 * is a mix of both (a plain "(seed ^ blk * K) | 1" gave seeds 2m and 2m+1
 * the same data on even blocks). */
void
zg_pattern(uint8_t *buf, uint32_t len, uint64_t seed, uint64_t blk)
{
    uint64_t x = zg_mix(zg_mix(seed) ^ blk);

    x = x ? x : 1; /* xorshift's one fixed point */
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
}

uint64_t
zg_fnv(const uint8_t *buf, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ buf[i]) * 0x100000001b3ull;
    return h;
}

uint64_t
zg_first_block(const struct guest_dasd_info *i)
{
    return i->layout == GUEST_LAYOUT_CDL ? 2ull * i->rpt : 0;
}

static int
zg_connect_fail(const char *path, int err)
{
    fprintf(stderr, "zvfio-guest: %s: cannot connect: %s\n", path,
            strerror(-err));
    if (err == -ENOENT || err == -ECONNREFUSED)
        fprintf(stderr, "zvfio-guest: is zvfiod running and the device's "
                        "socket started?  Start the daemon with `zvfiod` "
                        "and the mdev's socket with zvfioctl (see "
                        "`zvfioctl --help`).\n");
    return ZG_FAIL;
}

int
zg_open(struct zg_dev *d, bool online)
{
    struct zv_vfu_client *c;
    int rc = zv_vfu_client_connect(d->path, &c);

    if (rc)
        return zg_connect_fail(d->path, rc);
    rc = guest_chan_vfu_new(c, ZG_GUEST_BASE, ZG_GUEST_SIZE, &d->ch);
    if (rc == -ENODEV) {
        fprintf(stderr, "zvfio-guest: %s: not a vfio-ccw device\n", d->path);
        return ZG_FAIL;
    }
    if (!rc)
        rc = d->ch->ops->enable(d->ch, 0x5a5a0000, 3);
    if (rc)
        return zg_fail(d->path, "attach", rc);
    if (!online)
        return ZG_OK;
    rc = guest_dasd_online(d->ch, &d->g);
    if (rc == -ENODEV && !guest_chan_vfu_requests(d->ch)) {
        fprintf(stderr,
                "zvfio-guest: %s: not a DASD (Sense ID does not "
                "name an FBA or ECKD device)\n",
                d->path);
        return ZG_FAIL;
    }
    return rc ? zg_fail(d->path, "online", rc) : ZG_OK;
}

void
zg_close(struct zg_dev *d)
{
    if (d->g)
        guest_dasd_offline(d->g);
    guest_chan_destroy(d->ch);
    d->g = NULL;
    d->ch = NULL;
}

/* EBCDIC (code page 037) letters, digits, blank, '@#$' to ASCII; the rest
 * as '.': enough for a volser. */
static char
ebcdic_char(uint8_t e)
{
    static const char up[] = "ABCDEFGHI.......JKLMNOPQR........STUVWXYZ";

    if (e >= 0xC1 && e <= 0xE9)
        return up[e - 0xC1];
    if (e >= 0xF0 && e <= 0xF9)
        return (char)('0' + e - 0xF0);
    switch (e) {
    case 0x40:
        return ' ';
    case 0x7C:
        return '@';
    case 0x7B:
        return '#';
    case 0x5B:
        return '$';
    default:
        return '.';
    }
}

/* CDL: block 2 is the volume label, key "VOL1" then data "VOL1" + volser
 * (dasd.md §3.7). */
static void
print_volser(struct zg_dev *d, const struct guest_dasd_info *i)
{
    uint8_t *b = malloc(i->blksize);
    char vol[7] = "";

    if (b && guest_dasd_read(d->g, 2, 1, b) == 0) {
        for (int k = 0; k < 6; k++)
            vol[k] = ebcdic_char(b[8 + k]);
        printf("volser:      %s\n", vol);
    }
    free(b);
}

static const char *
layout_name(enum guest_dasd_layout l)
{
    switch (l) {
    case GUEST_LAYOUT_CDL:
        return "CDL";
    case GUEST_LAYOUT_LDL:
        return "LDL";
    case GUEST_LAYOUT_FBA:
        return "FBA";
    default:
        return "not formatted";
    }
}

static int
cmd_online(struct zg_dev *d)
{
    const struct guest_dasd_info *i = guest_dasd_info(d->g);
    struct schib s;

    printf("device:      %04X-%02X on control unit %04X-%02X (%s)\n",
           i->dev_type, i->dev_model, i->cu_type, i->cu_model,
           i->type == GUEST_DASD_FBA ? "FBA" : "ECKD");
    if (d->ch->ops->stsch(d->ch, &s) == 0)
        printf("devno:       0.0.%04x  paths: PIM %02x PAM %02x POM %02x\n",
               s.pmcw.dev, s.pmcw.pim, s.pmcw.pam, s.pmcw.pom);
    if (i->type == GUEST_DASD_ECKD)
        printf("geometry:    %u cylinders, %u heads, %u records/track; "
               "path group %s\n",
               i->cyls, i->heads, i->rpt, i->grouped ? "set" : "not set");
    printf("layout:      %s\nblock size:  %u\nblocks:      %llu (%.1f MiB)\n",
           layout_name(i->layout), i->blksize, (unsigned long long)i->blocks,
           (double)i->blocks * i->blksize / 1048576.0);
    if (i->layout == GUEST_LAYOUT_CDL)
        print_volser(d, i);
    return ZG_OK;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

static void
hexdump(const uint8_t *b, size_t len, uint64_t base)
{
    for (size_t off = 0; off < len; off += 16) {
        printf("%08llx ", (unsigned long long)(base + off));
        for (size_t k = 0; k < 16 && off + k < len; k++)
            printf(" %02x", b[off + k]);
        printf("\n");
    }
}

/* BLOCK [COUNT] as positional arguments; checks the range. */
static int
block_range(struct zg_dev *d, char **pos, int npos, uint64_t *blk,
            uint64_t *cnt, uint64_t dflt)
{
    const struct guest_dasd_info *i = guest_dasd_info(d->g);

    *cnt = dflt;
    if (npos < 1 || !parse_u64(pos[0], blk) ||
        (npos > 1 && !parse_u64(pos[1], cnt)) || npos > 2 || !*cnt)
        return zg_usage("expected BLOCK [COUNT] (numbers)");
    if (*blk >= i->blocks || *cnt > i->blocks - *blk) {
        fprintf(stderr, "zvfio-guest: blocks %llu+%llu past the end (%llu)\n",
                (unsigned long long)*blk, (unsigned long long)*cnt,
                (unsigned long long)i->blocks);
        return ZG_FAIL;
    }
    return ZG_OK;
}

static int
cmd_read(struct zg_dev *d, char **pos, int npos, const char *out)
{
    const struct guest_dasd_info *i = guest_dasd_info(d->g);
    uint64_t blk, cnt;
    uint8_t *b;
    int rc = block_range(d, pos, npos, &blk, &cnt, 1), fd;

    if (rc)
        return rc;
    b = malloc(cnt * i->blksize);
    if (!b)
        return zg_fail(d->path, "read", -ENOMEM);
    rc = guest_dasd_read(d->g, blk, (uint32_t)cnt, b);
    if (rc) {
        free(b);
        return zg_fail(d->path, "read", rc);
    }
    if (!out) {
        hexdump(b, cnt * i->blksize, blk * i->blksize);
    } else {
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 ||
            write(fd, b, cnt * i->blksize) != (ssize_t)(cnt * i->blksize))
            rc = zg_fail(out, "write", -errno);
        if (fd >= 0)
            close(fd);
    }
    free(b);
    return rc;
}

static int
write_source(const struct guest_dasd_info *i, const char *from,
             const char *pattern, uint8_t *b, uint64_t blk, uint64_t cnt)
{
    uint64_t v;
    size_t len = cnt * i->blksize;

    if (from) {
        int fd = open(from, O_RDONLY | O_CLOEXEC);
        ssize_t got = fd < 0 ? -1 : read(fd, b, len);

        if (fd >= 0)
            close(fd);
        if (got < 0)
            return zg_fail(from, "read", -errno);
        memset(b + got, 0, len - (size_t)got);
        return ZG_OK;
    }
    if (strncmp(pattern, "seed:", 5) == 0 && parse_u64(pattern + 5, &v)) {
        for (uint64_t k = 0; k < cnt; k++)
            zg_pattern(b + k * i->blksize, i->blksize, v, blk + k);
        return ZG_OK;
    }
    if (!parse_u64(pattern, &v) || v > 255)
        return zg_usage("--pattern takes a byte (0-255) or seed:N");
    memset(b, (int)v, len);
    return ZG_OK;
}

static int
cmd_write(struct zg_dev *d, char **pos, int npos, const char *from,
          const char *pattern)
{
    const struct guest_dasd_info *i = guest_dasd_info(d->g);
    uint64_t blk, cnt, dflt = 1;
    uint8_t *b;
    int rc;

    if (!from == !pattern)
        return zg_usage("write needs exactly one of --from FILE, --pattern");
    if (from && npos == 1) {
        FILE *f = fopen(from, "rb");

        if (!f)
            return zg_fail(from, "open", -errno);
        fseek(f, 0, SEEK_END);
        dflt = ((uint64_t)ftell(f) + i->blksize - 1) / i->blksize;
        fclose(f);
        dflt = dflt ? dflt : 1;
    }
    rc = block_range(d, pos, npos, &blk, &cnt, dflt);
    if (rc)
        return rc;
    b = calloc(cnt, i->blksize);
    if (!b)
        return zg_fail(d->path, "write", -ENOMEM);
    rc = write_source(i, from, pattern, b, blk, cnt);
    if (!rc) {
        rc = guest_dasd_write(d->g, blk, (uint32_t)cnt, b);
        rc = rc ? zg_fail(d->path, "write", rc) : ZG_OK;
    }
    if (!rc)
        printf("wrote %llu blocks at %llu\n", (unsigned long long)cnt,
               (unsigned long long)blk);
    free(b);
    return rc;
}

static int
cmd_verify(struct zg_dev *d, uint64_t count, uint64_t seed)
{
    const struct guest_dasd_info *i = guest_dasd_info(d->g);
    uint64_t first = zg_first_block(i), x = seed | 1, bad = 0;
    uint8_t *w = malloc(8 * i->blksize), *r = malloc(8 * i->blksize);
    int rc = ZG_OK;

    for (uint64_t k = 0; w && r && k < count && !rc; k++) {
        uint32_t n = 1 + (uint32_t)(x % 8);
        uint64_t blk;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        blk = first + (x >> 11) % (i->blocks - first - 8);
        for (uint32_t b = 0; b < n; b++)
            zg_pattern(w + b * i->blksize, i->blksize, seed, blk + b);
        rc = guest_dasd_write(d->g, blk, n, w);
        if (!rc)
            rc = guest_dasd_read(d->g, blk, n, r);
        if (rc)
            return free(w), free(r), zg_fail(d->path, "verify", rc);
        if (memcmp(w, r, n * i->blksize)) {
            fprintf(stderr,
                    "zvfio-guest: %s: blocks %llu+%u read back "
                    "differ\n",
                    d->path, (unsigned long long)blk, n);
            bad++;
        }
    }
    free(w);
    free(r);
    printf("verify: %llu runs, %llu mismatches\n", (unsigned long long)count,
           (unsigned long long)bad);
    return bad ? ZG_FAIL : ZG_OK;
}

static volatile sig_atomic_t watch_stop;

static void
watch_sigint(int sig)
{
    (void)sig;
    watch_stop = 1;
}

static void
watch_schib(struct zg_dev *d, struct schib *old)
{
    struct schib s;

    if (d->ch->ops->stsch(d->ch, &s))
        return;
    if (s.pmcw.pim != old->pmcw.pim || s.pmcw.pam != old->pmcw.pam ||
        s.pmcw.pom != old->pmcw.pom || s.pmcw.pnom != old->pmcw.pnom)
        printf("%s: paths PIM %02x->%02x PAM %02x->%02x POM %02x->%02x "
               "PNOM %02x->%02x\n",
               d->path, old->pmcw.pim, s.pmcw.pim, old->pmcw.pam, s.pmcw.pam,
               old->pmcw.pom, s.pmcw.pom, old->pmcw.pnom, s.pmcw.pnom);
    if (s.pmcw.dnv != old->pmcw.dnv || s.pmcw.dev != old->pmcw.dev ||
        memcmp(s.pmcw.chpid, old->pmcw.chpid, 8))
        printf("%s: SCHIB devno %s0.0.%04x chpids %02x %02x\n", d->path,
               s.pmcw.dnv ? "" : "(invalid) ", s.pmcw.dev, s.pmcw.chpid[0],
               s.pmcw.chpid[1]);
    *old = s;
}

static int
watch_one(struct zg_dev *d, struct schib *old, short *rev)
{
    struct crw crw;
    struct irb irb;
    int rc;

    if (rev[2] || guest_chan_vfu_requests(d->ch)) {
        fprintf(stderr,
                "zvfio-guest: %s: device lost (the host asked us "
                "to release it: REQ interrupt)\n",
                d->path);
        return ZG_FAIL;
    }
    while ((rc = guest_chan_vfu_crw(d->ch, &crw)) == 1)
        printf("%s: CRW rsc %x erc %x rsid %04x%s\n", d->path, crw.rsc, crw.erc,
               crw.rsid, crw.chn ? " (chained)" : "");
    if (rc < 0)
        return zg_fail(d->path, "watch", rc);
    while ((rc = guest_chan_vfu_poll_irb(d->ch, &irb)) == 1)
        printf("%s: status: fctl %x actl %x stctl %x dstat %02x cstat %02x\n",
               d->path, irb.scsw.fctl, irb.scsw.actl, irb.scsw.stctl,
               irb.scsw.dstat, irb.scsw.cstat);
    if (rc < 0)
        return zg_fail(d->path, "watch", rc);
    watch_schib(d, old);
    fflush(stdout);
    return ZG_OK;
}

static int
cmd_watch(struct zg_dev *devs, unsigned n)
{
    struct sigaction sa = {.sa_handler = watch_sigint};
    struct pollfd p[3 * ZG_MAX_DEVS];
    struct schib old[ZG_MAX_DEVS];

    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (unsigned k = 0; k < n; k++) {
        if (devs[k].ch->ops->stsch(devs[k].ch, &old[k]))
            return zg_fail(devs[k].path, "stsch", -EIO);
        p[3 * k] = (struct pollfd){.fd = guest_chan_vfu_io_fd(devs[k].ch),
                                   .events = POLLIN};
        p[3 * k + 1] = (struct pollfd){.fd = guest_chan_vfu_crw_fd(devs[k].ch),
                                       .events = POLLIN};
        p[3 * k + 2] = (struct pollfd){.fd = guest_chan_vfu_req_fd(devs[k].ch),
                                       .events = POLLIN};
        printf("%s: watching devno 0.0.%04x\n", devs[k].path, old[k].pmcw.dev);
    }
    fflush(stdout);
    while (!watch_stop) {
        int rc = poll(p, 3 * n, 1000);

        if (rc < 0 && errno != EINTR)
            return zg_fail("watch", "poll", -errno);
        for (unsigned k = 0; rc > 0 && k < n; k++) {
            short rev[3] = {p[3 * k].revents, p[3 * k + 1].revents,
                            p[3 * k + 2].revents};

            if ((rev[0] | rev[1] | rev[2]) && watch_one(&devs[k], &old[k], rev))
                return ZG_FAIL;
        }
    }
    return ZG_OK;
}

struct zg_args {
    const char *sockets[ZG_MAX_DEVS];
    unsigned nsock;
    const char *out, *from, *pattern, *rw, *log;
    uint64_t count, seed, bs, iodepth;
    double seconds;
    bool have_count;
};

enum {
    OPT_OUT = 256,
    OPT_FROM,
    OPT_PATTERN,
    OPT_COUNT,
    OPT_SEED,
    OPT_RW,
    OPT_BS,
    OPT_IODEPTH,
    OPT_TIME,
    OPT_LOG
};

static const struct option zg_options[] = {
    {"socket", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {"out", required_argument, NULL, OPT_OUT},
    {"from", required_argument, NULL, OPT_FROM},
    {"pattern", required_argument, NULL, OPT_PATTERN},
    {"count", required_argument, NULL, OPT_COUNT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"rw", required_argument, NULL, OPT_RW},
    {"bs", required_argument, NULL, OPT_BS},
    {"iodepth", required_argument, NULL, OPT_IODEPTH},
    {"time", required_argument, NULL, OPT_TIME},
    {"log", required_argument, NULL, OPT_LOG},
    {NULL, 0, NULL, 0},
};

static int
parse_num_opt(int opt, const char *arg, struct zg_args *a)
{
    uint64_t v;
    char *end;

    if (opt == OPT_TIME) {
        a->seconds = strtod(arg, &end);
        return *end || !(a->seconds > 0) ? zg_usage("--time: seconds > 0")
                                         : ZG_OK;
    }
    if (!parse_u64(arg, &v))
        return zg_usage("expected a number");
    if (opt == OPT_COUNT)
        a->count = v;
    else if (opt == OPT_SEED)
        a->seed = v;
    else if (opt == OPT_BS)
        a->bs = v;
    else
        a->iodepth = v;
    return ZG_OK;
}

static int
parse_args(int argc, char **argv, struct zg_args *a)
{
    int opt;

    while ((opt = getopt_long(argc, argv, "+s:h", zg_options, NULL)) != -1) {
        switch (opt) {
        case 's':
            if (a->nsock == ZG_MAX_DEVS)
                return zg_usage("too many --socket");
            a->sockets[a->nsock++] = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(ZG_OK);
        case OPT_OUT:
            a->out = optarg;
            break;
        case OPT_FROM:
            a->from = optarg;
            break;
        case OPT_PATTERN:
            a->pattern = optarg;
            break;
        case OPT_RW:
            a->rw = optarg;
            break;
        case OPT_LOG:
            a->log = optarg;
            break;
        case OPT_COUNT:
        case OPT_SEED:
        case OPT_BS:
        case OPT_IODEPTH:
        case OPT_TIME:
            if (parse_num_opt(opt, optarg, a))
                return ZG_USAGE;
            break;
        default:
            usage(stderr);
            return ZG_USAGE;
        }
    }
    return ZG_OK;
}

static int
bench_opts(const struct zg_args *a, struct zg_bench_opts *o)
{
    const char *rw = a->rw ? a->rw : "randread";

    o->rnd = strncmp(rw, "rand", 4) == 0;
    o->write = strcmp(rw + (o->rnd ? 4 : 0), "write") == 0;
    if (!o->write && strcmp(rw + (o->rnd ? 4 : 0), "read"))
        return zg_usage("--rw: randread, randwrite, read or write");
    if (a->iodepth > 1)
        return zg_usage("--iodepth: a subchannel runs one channel program "
                        "at a time; give several --socket for depth");
    if (!a->bs || a->bs > (1u << 20))
        return zg_usage("--bs: 1 to 1048576 bytes, a multiple of the "
                        "device block size");
    o->bs = (uint32_t)a->bs;
    o->seconds = a->seconds;
    o->seed = a->seed;
    o->iodepth = 1;
    o->log_fd = -1;
    if (a->log) {
        o->log_fd =
            open(a->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (o->log_fd < 0)
            return zg_fail(a->log, "open", -errno);
    }
    return ZG_OK;
}

static int
run_command(const char *cmd, struct zg_dev *devs, struct zg_args *a, char **pos,
            int npos)
{
    struct zg_bench_opts o;
    int rc;

    if (!strcmp(cmd, "online"))
        return cmd_online(&devs[0]);
    if (!strcmp(cmd, "read"))
        return cmd_read(&devs[0], pos, npos, a->out);
    if (!strcmp(cmd, "write"))
        return cmd_write(&devs[0], pos, npos, a->from, a->pattern);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(&devs[0], a->have_count ? a->count : 64, a->seed);
    if (!strcmp(cmd, "watch"))
        return cmd_watch(devs, a->nsock);
    rc = bench_opts(a, &o);
    if (!rc)
        rc = zg_bench(devs, a->nsock, &o);
    if (o.log_fd >= 0)
        close(o.log_fd);
    return rc;
}

static bool
known_command(const char *cmd)
{
    static const char *const cmds[] = {"online", "read",  "write",
                                       "verify", "bench", "watch"};

    for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
        if (!strcmp(cmd, cmds[k]))
            return true;
    return false;
}

int
main(int argc, char **argv)
{
    struct zg_args a = {.bs = 4096, .seconds = 5, .seed = 1};
    struct zg_dev devs[ZG_MAX_DEVS] = {{0}};
    const char *cmd;
    int rc, npos;
    char **pos;

    signal(SIGPIPE, SIG_IGN);
    if (parse_args(argc, argv, &a))
        return ZG_USAGE;
    if (optind >= argc)
        return zg_usage("no command");
    cmd = argv[optind++];
    if (!strcmp(cmd, "ap")) {
        const char *sock = a.nsock ? a.sockets[0] : getenv("ZVFIO_SOCKET");

        if (!sock)
            return zg_usage("no --socket given (nor ZVFIO_SOCKET)");
#ifdef ZG_HAVE_AP
        return zg_ap_main(sock, argc - optind, argv + optind);
#else
        fprintf(stderr, "zvfio-guest: ap: built without libcrypto\n");
        return ZG_FAIL;
#endif
    }
    if (!known_command(cmd))
        return zg_usage("unknown command");
    /* options may follow the command and its positional arguments */
    pos = argv + optind;
    for (npos = 0; optind + npos < argc && argv[optind + npos][0] != '-';)
        npos++;
    optind += npos;
    if (parse_args(argc, argv, &a))
        return ZG_USAGE;
    if (optind < argc)
        return zg_usage("unexpected argument");
    a.have_count = a.count != 0;
    if (!a.nsock && getenv("ZVFIO_SOCKET"))
        a.sockets[a.nsock++] = getenv("ZVFIO_SOCKET");
    if (!a.nsock)
        return zg_usage("no --socket given (nor ZVFIO_SOCKET)");
    rc = ZG_OK;
    for (unsigned k = 0; k < a.nsock && !rc; k++) {
        devs[k].path = a.sockets[k];
        rc = zg_open(&devs[k], strcmp(cmd, "watch") != 0);
    }
    if (!rc)
        rc = run_command(cmd, devs, &a, pos, npos);
    for (unsigned k = 0; k < a.nsock; k++)
        zg_close(&devs[k]);
    return rc;
}
