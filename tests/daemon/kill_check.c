/* SPDX-License-Identifier: MIT */
/*
 * kill_check: the image side of the daemon kill test (kill.sh).  After
 * zvfiod has been stopped, read the two images host-side, through the
 * image layer and not through the daemon, and check every write a killed
 * client had logged as acknowledged.
 *
 * usage: kill_check FBA_IMAGE ECKD_IMAGE FBA_SOCKET ECKD_SOCKET LOGDIR N
 *
 * Client k (1..N) ran `zvfio-guest bench --rw randwrite --seed k --log
 * LOGDIR/k.log`: it writes to device block b the pattern P(k, b) that
 * depends only on its seed and b (zg_pattern), and logs "SOCKET BLOCK
 * COUNT FNV1A64" after the write's final status, before its next write.
 * The clients ran one after the other, each SIGKILLed, so for each block
 * the last client that logged it, L(b), wrote it last among the logged
 * writes.  A later client j > L(b) may have had a write to b in flight
 * when it was killed (started, never logged): that write may have landed
 * in whole, in part or not at all.  So the image's block b must hold
 * P(L(b), b) or P(j, b) for some j > L(b) and nothing else: old data of
 * an earlier client, zeros or a mix within the block are lost or torn
 * acknowledged writes.  And the blocks explained by an unlogged write of
 * client j must fit in that client's one outstanding write per device
 * (one channel program at a time per subchannel): a span of at most
 * COUNT blocks.  Each log line's FNV must also be that of P(k, ...), so
 * the model above is the one the client used.
 *
 * Exit 0 and a summary line when all holds; 1 with the first breach.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/img.h"

#define NDEV 2

struct kdev {
    const char *sock;
    struct fba_img *fba;
    struct ckd_img *ckd;
    uint32_t blksize, rpt, span;
    uint64_t blocks;
    uint16_t *last; /* per block: the last client that logged it, 0 none */
    uint8_t *trk;
};

static unsigned nclients;

/* splitmix64's finalizer: a bijection that spreads every input bit. */
static uint64_t
mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* zg_pattern of tools/zvfio-guest: the data client seed wrote to blk. */
static void
pattern(uint8_t *buf, uint32_t len, uint64_t seed, uint64_t blk)
{
    uint64_t x = mix(mix(seed) ^ blk);

    x = x ? x : 1; /* xorshift's one fixed point */
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
}

static uint64_t
fnv_step(uint64_t h, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ buf[i]) * 0x100000001b3ull;
    return h;
}

__attribute__((format(printf, 1, 2))) static int
die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "kill_check: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* ECKD: block b is record b % rpt + 1 of track b / rpt (the guest DASD
 * library's numbering; the bench stays past the CDL tracks 0-1). */
static int
eckd_block(struct kdev *d, uint64_t b, uint8_t *out)
{
    const struct ckd_geom *g = ckd_img_geom(d->ckd);
    uint64_t t = b / d->rpt;
    struct ckd_record recs[64];
    int n;

    if (ckd_img_read_track(d->ckd, (uint32_t)(t / g->heads),
                           (uint32_t)(t % g->heads), d->trk))
        return -EIO;
    n = ckd_track_parse(d->trk, g->trksize, recs, 64);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        if (recs[i].rec != b % d->rpt + 1)
            continue;
        if (recs[i].dl != d->blksize)
            return -EINVAL;
        memcpy(out, d->trk + recs[i].offset + CKD_COUNT_SIZE + recs[i].kl,
               d->blksize);
        return 0;
    }
    return -ENOENT;
}

static int
read_block(struct kdev *d, uint64_t b, uint8_t *out)
{
    return d->fba ? fba_img_read(d->fba, b, 1, out) : eckd_block(d, b, out);
}

static int
open_dev(struct kdev *d, const char *path, bool eckd)
{
    char err[256] = "";
    int rc;

    if (!eckd) {
        rc = fba_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &d->fba, err,
                          sizeof(err));
        d->blksize = FBA_BLKSIZE;
        d->blocks = rc ? 0 : fba_img_blocks(d->fba);
    } else {
        rc = ckd_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &d->ckd, err,
                          sizeof(err));
        if (!rc) {
            const struct ckd_geom *g = ckd_img_geom(d->ckd);

            d->blksize = 4096;
            d->rpt = 12; /* 4 KiB records on a 3390 track */
            d->blocks = (uint64_t)g->cyls * g->heads * d->rpt;
            d->trk = malloc(g->trksize);
        }
    }
    if (rc)
        return die("%s: %s", path, err[0] ? err : strerror(-rc));
    /* the bench's default --bs 4096: one write covers this many blocks */
    d->span = 4096 / d->blksize;
    d->last = calloc(d->blocks, sizeof(*d->last));
    return d->last ? 0 : die("%s: out of memory", path);
}

/* One log line: check its FNV against the model, then record the blocks. */
static int
log_line(struct kdev *devs, unsigned k, const char *line, uint8_t *buf)
{
    char sock[PATH_MAX];
    unsigned long long blk, sum;
    unsigned cnt;
    struct kdev *d = NULL;
    uint64_t h = 0xcbf29ce484222325ull;

    if (sscanf(line, "%4095s %llu %u %llx", sock, &blk, &cnt, &sum) != 4)
        return die("log of client %u: malformed line %s", k, line);
    for (int i = 0; i < NDEV; i++)
        if (strcmp(sock, devs[i].sock) == 0)
            d = &devs[i];
    if (!d)
        return die("log of client %u names an unknown socket %s", k, sock);
    if (cnt != d->span || blk >= d->blocks || cnt > d->blocks - blk)
        return die("%s: logged blocks %llu+%u out of range", sock, blk, cnt);
    for (unsigned i = 0; i < cnt; i++) {
        pattern(buf, d->blksize, k, blk + i);
        h = fnv_step(h, buf, d->blksize);
        d->last[blk + i] = (uint16_t)k;
    }
    if (h != sum)
        return die("%s: logged FNV of block %llu (client %u) is not the "
                   "pattern's",
                   sock, blk, k);
    return 0;
}

/* Every whole line of each client's log; only the last line may be cut
 * (by the kill), and kill.sh killed each client after its first line. */
static int
read_logs(struct kdev *devs, const char *dir, unsigned *lines)
{
    uint8_t *buf = malloc(4096);
    char path[512], line[PATH_MAX + 64];
    int rc = 0;

    for (unsigned k = 1; k <= nclients && !rc; k++) {
        FILE *f;
        unsigned n = 0;

        snprintf(path, sizeof(path), "%s/%u.log", dir, k);
        f = fopen(path, "r");
        if (!f)
            return die("%s: %s", path, strerror(errno));
        while (!rc && fgets(line, sizeof(line), f)) {
            if (!strchr(line, '\n')) {
                if (fgetc(f) != EOF)
                    rc = die("%s: a line is cut inside the log", path);
                break;
            }
            rc = log_line(devs, k, line, buf);
            n++;
        }
        fclose(f);
        if (!rc && !n)
            rc = die("%s: no whole line", path);
        *lines += n;
    }
    free(buf);
    return rc;
}

/* Which client's pattern the block holds: last, or a later one; 0 none. */
static unsigned
holder(struct kdev *d, uint64_t b, const uint8_t *got, uint8_t *want)
{
    for (unsigned j = d->last[b]; j <= nclients; j++) {
        pattern(want, d->blksize, j, b);
        if (memcmp(got, want, d->blksize) == 0)
            return j;
    }
    return 0;
}

static int
check_dev(struct kdev *d, uint64_t *checked, uint64_t *inflight)
{
    uint8_t got[4096], want[4096];
    /* per later client: the span of blocks its unlogged write explains */
    uint64_t *lo = calloc(nclients + 1, sizeof(*lo));
    uint64_t *hi = calloc(nclients + 1, sizeof(*hi));
    int rc = 0;

    for (uint64_t b = 0; b < d->blocks && !rc && lo && hi; b++) {
        unsigned j;

        if (!d->last[b])
            continue;
        if (read_block(d, b, got))
            rc = die("%s: block %" PRIu64 " unreadable", d->sock, b);
        else if (!(j = holder(d, b, got, want)))
            rc = die("%s: block %" PRIu64 " lost the write client %u "
                     "logged as complete",
                     d->sock, b, d->last[b]);
        else if (j != d->last[b]) {
            lo[j] = hi[j] ? lo[j] : b + 1;
            hi[j] = b + 1;
            if (hi[j] - lo[j] >= d->span)
                rc = die("%s: blocks %" PRIu64 "-%" PRIu64 " hold client "
                         "%u's data that it never logged: more than its "
                         "one outstanding write",
                         d->sock, lo[j] - 1, hi[j] - 1, j);
            (*inflight)++;
        }
        (*checked)++;
    }
    free(lo);
    free(hi);
    return rc;
}

int
main(int argc, char **argv)
{
    struct kdev devs[NDEV] = {{.sock = NULL}};
    uint64_t checked = 0, inflight = 0;
    unsigned lines = 0;
    int rc;

    if (argc != 7 || (nclients = (unsigned)atoi(argv[6])) == 0 ||
        nclients > 60000) {
        fprintf(stderr, "usage: kill_check FBA_IMAGE ECKD_IMAGE FBA_SOCKET "
                        "ECKD_SOCKET LOGDIR N\n");
        return 2;
    }
    devs[0].sock = argv[3];
    devs[1].sock = argv[4];
    rc =
        open_dev(&devs[0], argv[1], false) || open_dev(&devs[1], argv[2], true);
    if (!rc)
        rc = read_logs(devs, argv[5], &lines);
    for (int i = 0; i < NDEV && !rc; i++)
        rc = check_dev(&devs[i], &checked, &inflight);
    if (!rc)
        printf("kill_check: %u logged writes of %u clients, %" PRIu64
               " blocks hold them (%" PRIu64 " overwritten by a later "
               "client's unlogged write)\n",
               lines, nclients, checked, inflight);
    for (int i = 0; i < NDEV; i++) {
        if (devs[i].fba)
            fba_img_close(devs[i].fba);
        if (devs[i].ckd)
            ckd_img_close(devs[i].ckd);
        free(devs[i].last);
        free(devs[i].trk);
    }
    return rc ? 1 : 0;
}
