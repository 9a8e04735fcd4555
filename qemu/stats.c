// SPDX-License-Identifier: MIT
/*
 * qemu/stats.c — per-operation timings of the adapter (ZVFIO_QEMU_STATS=1):
 * how long each region access QEMU makes takes through the vfio-user
 * socket, and how long a start function takes from its SSCH write to the
 * read of its final status, for the per-I/O breakdown of
 * docs/qemu-guest.md.  Samples are kept (up to ZQ_STATS_MAX per operation)
 * so that the dump gives exact medians, not bucket bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapter_priv.h"

#define ZQ_STATS_MAX (1u << 18)

struct zq_stat {
    uint64_t count;
    uint64_t total_ns;
    uint32_t n; /* samples kept */
    uint32_t *ns;
};

struct zq_stats {
    struct zq_stat op[ZQ_ST_COUNT];
};

static const char *const op_names[ZQ_ST_COUNT] = {
    [ZQ_ST_SSCH] = "ssch-write",
    [ZQ_ST_IO_WRITE] = "io-write-other",
    [ZQ_ST_IRB] = "irb-read",
    [ZQ_ST_SSCH_TO_IRB] = "ssch-to-final-irb-read",
    [ZQ_ST_COHERENCE] = "irb-coherence",
    [ZQ_ST_SCHIB] = "schib-read",
    [ZQ_ST_CRW] = "crw-read",
    [ZQ_ST_ASYNC] = "async-write",
    [ZQ_ST_PLAIN] = "plain-region",
};

uint64_t
zq_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
zq_set_stats(struct zq *q, bool on)
{
    if (!on || q->stats)
        return 0;
    q->stats = calloc(1, sizeof(*q->stats));
    return q->stats ? 0 : -ENOMEM;
}

void
zq_stats_note(struct zq *q, enum zq_stat_op op, uint64_t ns)
{
    struct zq_stat *s;

    if (!q->stats || op >= ZQ_ST_COUNT)
        return;
    s = &q->stats->op[op];
    s->count++;
    s->total_ns += ns;
    if (!s->ns)
        s->ns = malloc(ZQ_STATS_MAX * sizeof(*s->ns));
    if (s->ns && s->n < ZQ_STATS_MAX)
        s->ns[s->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static double
pct_us(const struct zq_stat *s, unsigned pct)
{
    if (!s->n)
        return 0;
    return s->ns[(uint64_t)(s->n - 1) * pct / 100] / 1000.0;
}

void
zq_stats_dump(struct zq *q, FILE *f)
{
    if (!q->stats)
        return;
    fprintf(f, "zvfio-qemu stats: op count median_us p90_us p99_us "
               "mean_us\n");
    for (unsigned i = 0; i < ZQ_ST_COUNT; i++) {
        struct zq_stat *s = &q->stats->op[i];

        if (!s->count)
            continue;
        if (s->ns)
            qsort(s->ns, s->n, sizeof(*s->ns), cmp_u32);
        fprintf(f, "zvfio-qemu stats: %s %llu %.1f %.1f %.1f %.1f\n",
                op_names[i], (unsigned long long)s->count, pct_us(s, 50),
                pct_us(s, 90), pct_us(s, 99),
                (double)s->total_ns / (double)s->count / 1000.0);
    }
}

void
zq_stats_free(struct zq *q)
{
    if (!q->stats)
        return;
    for (unsigned i = 0; i < ZQ_ST_COUNT; i++)
        free(q->stats->op[i].ns);
    free(q->stats);
    q->stats = NULL;
}
