/* SPDX-License-Identifier: MIT */
/*
 * sim_vap: the vfio-ap simulation over many seeds (virtual loop).
 *
 *   sim_vap [--seeds N] [--start S] [--steps K]
 *   sim_vap --seed N [--steps K] [--trace]
 *
 * One host AP bus (adapters 1-5, domains 0-5, some out of the
 * configuration), the vfio_ap driver and two matrix mdevs with guests
 * that attach and detach.  Each step is one random event: bind/unbind,
 * apmask/aqmask writes, assignment changes (attributes and ap_config),
 * host configuration changes, adapter state changes, device resets and
 * guest instructions (TAPQ, NQAP, DQAP, AQIC) on any APQN; then a few loop
 * events.  After every event:
 *
 *  I1 each guest matrix is exactly assigned x bound x configured under
 *     the adapter rule (an independent oracle), control domains cut to
 *     the configuration;
 *  I2 no APQN is assigned to two mdevs;
 *  I3 no assigned APQN is reserved for the host (mask writes refused);
 *  I4 a guest request reaches a host queue only inside its guest matrix
 *     (the bus's enqueue counters move only there), and outside it the
 *     guest gets RC 01 with cc 3;
 *  I5 no request is lost without an error to the guest: every reply a
 *     guest dequeues is one it sent to that APQN; a request the guest
 *     stops seeing was discarded by the host (reset, configuration) and
 *     the guest was told (RC 01/02/03/04, or the empty queue); after the
 *     run drains, every outstanding request is accounted for;
 *  I6 an attached guest gets the configuration-change IRQ when its matrix
 *     changed and never for a user action that changed nothing.
 *
 * Attribute and mask results are checked against an oracle too (errno
 * by errno).  The first seed runs twice and must leave the same trace
 * hash; the combined hash printed at the end is the same on every host
 * (x86-64 and s390x give the same runs).  Exit status 1 on any failure, with
 * the seed to replay (SIM_VAP_VERBOSE=1 prints every step and the bus's trace).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/ap_msg.h"
#include "base/bytes.h"
#include "vfio_ap/vfio_ap.h"

#define NA       6 /* APIDs 0..5; 1..5 installed */
#define ND       6 /* APQIs 0..5 */
#define NM       2
#define MEM_SIZE (64u * 1024)
#define IOVA     0x200000ull
#define MSG_OFF  0
#define REP_OFF  0x4000
#define NIB_OFF  0x9000
#define MAXOUT   64

static const char *uuids[NM] = {"00000000-0000-0000-0000-00000000000a",
                                "00000000-0000-0000-0000-00000000000b"};

struct sim_guest {
    bool open;
    bool was_open;                   /* at the start of the event */
    struct zv_vfio_ap_matrix before; /* guest matrix then */
    uint64_t updates;                /* apcb_updates then */
    uint64_t irqs;                   /* CFG_CHG IRQs received */
    uint8_t *mem;
    uint64_t next_psmid;
    /* outstanding requests per APQN, with the host queue's discard count
     * when each was enqueued */
    unsigned nout[NA][ND];
    uint64_t out[NA][ND][MAXOUT];
    uint64_t disc_at[NA][ND][MAXOUT];
};

struct sim {
    uint64_t seed;
    struct zv_loop *loop;
    struct ap_bus *bus;
    struct zv_mdev_bus *mbus;
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd[NM];
    struct sim_guest g[NM];
    size_t req_len;
    uint8_t req[AP_T50_MAX_LEN];
    unsigned step;
    const char *what;
    bool failed;
    bool verbose;
    uint64_t hash; /* the loop's trace hash at the end */
    uint64_t stat_nqap, stat_replies, stat_lost_told, stat_rejected;
};

static void fail(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct sim *s, const char *fmt, ...)
{
    va_list ap;

    if (s->failed)
        return;
    s->failed = true;
    fprintf(stderr, "seed %" PRIu64 " step %u (%s): ", s->seed, s->step,
            s->what ? s->what : "-");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static uint64_t
rnd(struct sim *s, uint64_t n)
{
    return zv_loop_rand_below(s->loop, n);
}

/* ---- oracles ---- */

static bool
bound_to_vfio(const struct sim *s, unsigned a, unsigned d)
{
    struct ap_queue *q = ap_queue_find(s->bus, AP_MKQN(a, d));

    return q && ap_queue_present(q) &&
           ap_queue_driver(q) == zv_vfio_ap_ap_driver(s->drv);
}

static void
oracle_filter(const struct sim *s, const struct zv_vfio_ap_matrix *as,
              struct zv_vfio_ap_matrix *out)
{
    struct ap_config info;

    zv_vfio_ap_host_config(s->drv, &info);
    ap_mask_and(&out->apm, &as->apm, &info.apm);
    ap_mask_and(&out->aqm, &as->aqm, &info.aqm);
    ap_mask_and(&out->adm, &as->adm, &info.adm);
    for (unsigned a = 0; a <= AP_MAX_ID; a++) {
        if (!ap_mask_test(&out->apm, a))
            continue;
        for (unsigned d = 0; d <= AP_MAX_ID; d++) {
            if (!ap_mask_test(&out->aqm, d))
                continue;
            if (!bound_to_vfio(s, a, d) ||
                !zv_vfio_ap_queue_usable(s->drv, AP_MKQN(a, d))) {
                ap_mask_clear(&out->apm, a);
                break;
            }
        }
    }
}

static bool
reserved(const struct sim *s, unsigned a, unsigned d)
{
    return ap_apqn_reserved(s->bus, AP_MKQN(a, d));
}

/* I6: an attached guest is told (CFG_CHG) when its matrix changed, and
 * never for nothing: a user action that leaves it as it was tells no one
 * (a mask write may plug several adapters one probe at a time, each a
 * change); only a bus scan (shrink at config-changed, grow at
 * scan-complete) may tell twice and end where it began. */
static void
mark_event(struct sim *s)
{
    for (unsigned i = 0; i < NM; i++) {
        struct zv_vfio_ap_counters c;

        zv_vfio_ap_get_matrix(s->vd[i], NULL, &s->g[i].before);
        zv_vfio_ap_counters(s->vd[i], &c);
        s->g[i].updates = c.apcb_updates;
        s->g[i].was_open = s->g[i].open;
    }
}

static void
check_told(struct sim *s, bool loop_event)
{
    for (unsigned i = 0; i < NM; i++) {
        struct sim_guest *g = &s->g[i];
        struct zv_vfio_ap_counters c;
        struct zv_vfio_ap_matrix now;
        bool changed;
        uint64_t n;

        if (!g->was_open || !g->open)
            continue;
        zv_vfio_ap_get_matrix(s->vd[i], NULL, &now);
        zv_vfio_ap_counters(s->vd[i], &c);
        changed = memcmp(&now, &g->before, sizeof(now)) != 0;
        n = c.apcb_updates - g->updates;
        if ((changed && !n) || (!changed && n && !(loop_event && n == 2)) ||
            (loop_event && n > 2) || n > NA + ND)
            fail(s, "I6: mdev %u told %" PRIu64 " times, matrix %s", i, n,
                 changed ? "changed" : "unchanged");
        if (c.cfg_chg_irqs != c.apcb_updates || g->irqs != c.cfg_chg_irqs)
            fail(s, "I6: an update without its CFG_CHG IRQ");
    }
}

static void
check_invariants(struct sim *s)
{
    struct zv_vfio_ap_matrix as[NM], gm[NM], want;

    for (unsigned i = 0; i < NM; i++) {
        if (zv_vfio_ap_get_matrix(s->vd[i], &as[i], &gm[i]))
            fail(s, "mdev %u: no matrix", i);
        oracle_filter(s, &as[i], &want);
        if (memcmp(&want, &gm[i], sizeof(want)))
            fail(s, "I1: mdev %u guest matrix differs from the filter", i);
        for (unsigned a = 0; a < NA; a++)
            for (unsigned d = 0; d < ND; d++)
                if (ap_mask_test(&as[i].apm, a) &&
                    ap_mask_test(&as[i].aqm, d) && reserved(s, a, d))
                    fail(s, "I3: %02x.%04x assigned but host-reserved", a, d);
    }
    for (unsigned i = 0; i < NM; i++) {
        for (unsigned j = i + 1; j < NM; j++) {
            struct ap_mask x, y;

            ap_mask_and(&x, &as[i].apm, &as[j].apm);
            ap_mask_and(&y, &as[i].aqm, &as[j].aqm);
            if (!ap_mask_empty(&x) && !ap_mask_empty(&y))
                fail(s, "I2: an APQN is in mdevs %u and %u", i, j);
        }
    }
    for (unsigned a = 0; a < NA; a++)
        for (unsigned d = 0; d < ND; d++)
            if (zv_vfio_ap_queue_usable(s->drv, AP_MKQN(a, d)) &&
                !bound_to_vfio(s, a, d))
                fail(s, "usable %02x.%04x not bound", a, d);
}

/* ---- world ---- */

static void
sim_free(struct sim *s)
{
    for (unsigned i = 0; i < NM; i++) {
        if (s->vd[i]) {
            if (s->g[i].open)
                zv_vdev_close(s->vd[i]);
            zv_vdev_put(s->vd[i]);
        }
        free(s->g[i].mem);
    }
    zv_vfio_ap_free(s->drv);
    zv_mdev_bus_free(s->mbus);
    ap_bus_free(s->bus);
    zv_loop_free(s->loop);
}

static int
sim_init(struct sim *s, uint64_t seed)
{
    uint8_t e = 1, mod[128], msg[128];
    int n;

    memset(s, 0, sizeof(*s));
    s->seed = seed;
    s->loop = zv_loop_new_virtual(seed);
    s->bus = ap_bus_new(s->loop, NULL);
    s->mbus = zv_mdev_bus_new();
    if (!s->loop || !s->bus || !s->mbus)
        return -ENOMEM;
    for (unsigned a = 1; a < NA; a++) {
        struct ap_adapter_desc d = {.apid = (uint8_t)a,
                                    .type = AP_TYPE_CEX7,
                                    .mode = AP_MODE_ACCEL,
                                    .qd = 3,
                                    .configured = a != 5};

        if (ap_adapter_add(s->bus, &d))
            return -EINVAL;
    }
    for (unsigned d = 0; d < ND - 1; d++)
        ap_config_domain(s->bus, (uint8_t)d, true);
    ap_config_control_domain(s->bus, 0, true);
    ap_config_control_domain(s->bus, 1, true);
    zv_loop_run(s->loop);
    ap_bus_apmask_store(s->bus, "-1-4");
    ap_bus_aqmask_store(s->bus, "-0-4");
    s->drv = zv_vfio_ap_new(s->bus, s->mbus);
    if (!s->drv)
        return -ENOMEM;
    for (unsigned i = 0; i < NM; i++) {
        if (zv_mdev_create(zv_vfio_ap_parent(s->drv), ZV_VFIO_AP_TYPE_ID,
                           uuids[i], &s->vd[i]))
            return -EINVAL;
        zv_vdev_get(s->vd[i]);
        s->g[i].mem = calloc(1, MEM_SIZE);
        if (!s->g[i].mem)
            return -ENOMEM;
        s->g[i].next_psmid = 1;
    }
    memset(mod, 0xff, sizeof(mod));
    memset(msg, 0x3c, sizeof(msg));
    n = ap_t50_build_mex(s->req, sizeof(s->req), &e, 1, mod, sizeof(mod), msg,
                         sizeof(msg));
    if (n <= 0)
        return -EINVAL;
    s->req_len = (size_t)n;
    return 0;
}

/* ---- attribute oracle ---- */

static int
expect_assign(struct sim *s, unsigned m, bool adapter, unsigned id)
{
    struct zv_vfio_ap_matrix as;

    zv_vfio_ap_get_matrix(s->vd[m], &as, NULL);
    ap_mask_set(adapter ? &as.apm : &as.aqm, id);
    for (unsigned a = 0; a <= AP_MAX_ID; a++)
        for (unsigned d = 0; d <= AP_MAX_ID; d++)
            if (ap_mask_test(&as.apm, a) && ap_mask_test(&as.aqm, d) &&
                reserved(s, a, d))
                return -EADDRNOTAVAIL;
    for (unsigned o = 0; o < NM; o++) {
        struct zv_vfio_ap_matrix other;
        struct ap_mask x, y;

        if (o == m)
            continue;
        zv_vfio_ap_get_matrix(s->vd[o], &other, NULL);
        ap_mask_and(&x, &as.apm, &other.apm);
        ap_mask_and(&y, &as.aqm, &other.aqm);
        if (!ap_mask_empty(&x) && !ap_mask_empty(&y))
            return -EADDRINUSE;
    }
    return 0;
}

static void
ev_assign(struct sim *s)
{
    static const char *names[] = {
        "assign_adapter",   "assign_domain",   "assign_control_domain",
        "unassign_adapter", "unassign_domain", "unassign_control_domain"};
    unsigned m = (unsigned)rnd(s, NM), k = (unsigned)rnd(s, 6);
    unsigned id = (unsigned)rnd(s, k % 3 == 0 ? NA : ND);
    struct zv_vfio_ap_matrix before;
    char buf[16];
    ssize_t rc;
    int want = 0;

    zv_vfio_ap_get_matrix(s->vd[m], &before, NULL);
    if (k < 2)
        want = expect_assign(s, m, k == 0, id);
    snprintf(buf, sizeof(buf), rnd(s, 2) ? "%u" : "0x%x", id);
    s->what = names[k];
    rc = zv_vfio_ap_attr_store(s->vd[m], names[k], buf, strlen(buf));
    if (s->verbose)
        fprintf(stderr, "  mdev %u %s %s: %zd\n", m, names[k], buf, rc);
    if ((want && rc != want) || (!want && rc != (ssize_t)strlen(buf)))
        fail(s, "%s %s on mdev %u: %zd, expected %d", names[k], buf, m, rc,
             want);
    if (want) {
        struct zv_vfio_ap_matrix after;

        zv_vfio_ap_get_matrix(s->vd[m], &after, NULL);
        if (memcmp(&before, &after, sizeof(after)))
            fail(s, "refused %s changed the matrix", names[k]);
    }
}

static void
ev_ap_config(struct sim *s)
{
    unsigned m = (unsigned)rnd(s, NM);
    struct zv_vfio_ap_matrix as;
    char buf[256], hex[3][AP_MASK_STR_LEN];
    uint8_t apm = (uint8_t)(rnd(s, 64) << 2), aqm = (uint8_t)(rnd(s, 64) << 2);
    int want;

    /* a new random matrix over adapters 0-5, domains 0-5 */
    ap_mask_zero(&as.apm);
    ap_mask_zero(&as.aqm);
    ap_mask_zero(&as.adm);
    as.apm.b[0] = apm;
    as.aqm.b[0] = aqm;
    as.adm.b[0] = (uint8_t)(rnd(s, 4) << 6);
    ap_mask_format(&as.apm, hex[0]);
    ap_mask_format(&as.aqm, hex[1]);
    ap_mask_format(&as.adm, hex[2]);
    snprintf(buf, sizeof(buf), "%s,%s,%s\n", hex[0], hex[1], hex[2]);
    /* oracle: validate the whole new matrix */
    want = 0;
    for (unsigned a = 0; a < 8 && !want; a++)
        for (unsigned d = 0; d < 8; d++)
            if (ap_mask_test(&as.apm, a) && ap_mask_test(&as.aqm, d) &&
                reserved(s, a, d))
                want = -EADDRNOTAVAIL;
    for (unsigned o = 0; o < NM && !want; o++) {
        struct zv_vfio_ap_matrix other;
        struct ap_mask x, y;

        if (o == m)
            continue;
        zv_vfio_ap_get_matrix(s->vd[o], &other, NULL);
        ap_mask_and(&x, &as.apm, &other.apm);
        ap_mask_and(&y, &as.aqm, &other.aqm);
        if (!ap_mask_empty(&x) && !ap_mask_empty(&y))
            want = -EADDRINUSE;
    }
    s->what = "ap_config";
    ssize_t rc = zv_vfio_ap_attr_store(s->vd[m], "ap_config", buf, strlen(buf));
    if ((want && rc != want) || (!want && rc != (ssize_t)strlen(buf)))
        fail(s, "ap_config %s: %zd, expected %d", buf, rc, want);
}

static void
ev_mask(struct sim *s)
{
    bool ap = rnd(s, 2);
    unsigned id = (unsigned)rnd(s, ap ? NA : ND);
    bool give = rnd(s, 2); /* '+': back to the host */
    struct ap_mask apm, aqm;
    char buf[16];
    int want = 0, rc;

    ap_bus_masks(s->bus, &apm, &aqm);
    if (give)
        ap_mask_set(ap ? &apm : &aqm, id);
    else
        ap_mask_clear(ap ? &apm : &aqm, id);
    for (unsigned m = 0; m < NM && give; m++) {
        struct zv_vfio_ap_matrix as;

        zv_vfio_ap_get_matrix(s->vd[m], &as, NULL);
        for (unsigned a = 0; a < NA; a++)
            for (unsigned d = 0; d < ND; d++)
                if (ap_mask_test(&as.apm, a) && ap_mask_test(&as.aqm, d) &&
                    ap_mask_test(&apm, a) && ap_mask_test(&aqm, d))
                    want = -EBUSY;
    }
    snprintf(buf, sizeof(buf), "%c%u", give ? '+' : '-', id);
    s->what = ap ? "apmask" : "aqmask";
    rc = ap ? ap_bus_apmask_store(s->bus, buf)
            : ap_bus_aqmask_store(s->bus, buf);
    if (rc != want)
        fail(s, "%s %s: %d, expected %d", s->what, buf, rc, want);
}

static void
ev_bind(struct sim *s)
{
    unsigned a = 1 + (unsigned)rnd(s, NA - 1), d = (unsigned)rnd(s, ND);
    struct ap_queue *q = ap_queue_find(s->bus, AP_MKQN(a, d));

    if (!q)
        return;
    if (ap_queue_driver(q)) {
        s->what = "unbind";
        ap_queue_unbind(q);
    } else {
        s->what = "bind";
        ap_queue_bind(q, zv_vfio_ap_ap_driver(s->drv));
    }
}

/* Every random draw in its own statement: argument evaluation order is
 * unspecified, and the run must be the same on every compiler. */
static void
ev_config(struct sim *s)
{
    unsigned k = (unsigned)rnd(s, 10);
    unsigned a = 1 + (unsigned)rnd(s, NA - 1), d = (unsigned)rnd(s, ND);
    bool in = rnd(s, 3) != 0;
    unsigned st = rnd(s, 6) < 4 ? 0 : 1 + (unsigned)rnd(s, 2);

    if (k < 4) {
        s->what = "config adapter";
        ap_config_adapter(s->bus, (uint8_t)a, in);
    } else if (k < 8) {
        s->what = "config domain";
        ap_config_domain(s->bus, (uint8_t)d, in);
    } else if (k < 9) {
        s->what = "config control domain";
        ap_config_control_domain(s->bus, (uint8_t)d, in);
    } else {
        s->what = "adapter state";
        ap_adapter_set_state(s->bus, (uint8_t)a, (enum ap_adapter_state)st);
    }
}

/* ---- guests ---- */

static void
guest_forget(struct sim_guest *g)
{
    memset(g->nout, 0, sizeof(g->nout));
}

static void
cfg_chg_irq(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct sim_guest *g = arg;

    g->irqs++;
}

static void
ev_attach(struct sim *s)
{
    unsigned m = (unsigned)rnd(s, NM);
    struct sim_guest *g = &s->g[m];

    if (g->open) {
        s->what = rnd(s, 2) ? "close" : "device reset";
        if (s->what[0] == 'd') {
            zv_vdev_reset(s->vd[m]);
            return;
        }
        zv_vdev_dma_unmap(s->vd[m], IOVA, MEM_SIZE);
        zv_vdev_close(s->vd[m]);
        g->open = false;
        guest_forget(g); /* the guest went away with its requests */
        return;
    }
    s->what = "open";
    if (zv_vdev_open(s->vd[m]) ||
        zv_vdev_dma_map(s->vd[m], IOVA, MEM_SIZE, g->mem, ZV_MEM_RW) ||
        zv_vdev_set_irq_callback(s->vd[m], ZV_VFIO_AP_CFG_CHG_IRQ_INDEX,
                                 cfg_chg_irq, g))
        fail(s, "open mdev %u", m);
    g->open = true;
}

static uint64_t
total_enqueued(const struct sim *s)
{
    uint64_t n = 0;

    for (unsigned a = 0; a < NA; a++) {
        for (unsigned d = 0; d < ND; d++) {
            struct ap_queue *q = ap_queue_find(s->bus, AP_MKQN(a, d));
            struct ap_queue_stats st;

            if (!q)
                continue;
            ap_queue_stats(q, &st);
            n += st.enqueued;
        }
    }
    return n;
}

static uint64_t
discarded(const struct sim *s, unsigned a, unsigned d)
{
    struct ap_queue *q = ap_queue_find(s->bus, AP_MKQN(a, d));
    struct ap_queue_stats st;

    if (!q)
        return 0;
    ap_queue_stats(q, &st);
    return st.discarded;
}

struct insn_out {
    uint8_t cc;
    uint16_t pic;
    struct ap_qstatus st;
    uint64_t psmid, len;
    bool more;
};

static struct insn_out
exec(struct sim *s, unsigned m, uint8_t op, uint64_t gr0, uint64_t gr1,
     uint64_t gr2, uint64_t psmid, uint64_t addr, uint64_t len)
{
    uint8_t b[ZV_AP_INSN_SIZE] = {0};
    struct insn_out o;

    b[ZV_AP_INSN_OFF_OP] = op;
    zv_put_be64(b + ZV_AP_INSN_OFF_GR0, gr0);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR1, gr1);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR2, gr2);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_ADDR, addr);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, len);
    if (zv_vdev_region_write(s->vd[m], 0, 0, b, sizeof(b)) != sizeof(b) ||
        zv_vdev_region_read(s->vd[m], 0, 0, b, sizeof(b)) != sizeof(b))
        fail(s, "region access failed");
    o.cc = b[ZV_AP_INSN_OFF_CC];
    o.pic = zv_be16(b + ZV_AP_INSN_OFF_PIC);
    ap_qstatus_decode((uint32_t)zv_be64(b + ZV_AP_INSN_OFF_GR1), &o.st);
    o.psmid = zv_be64(b + ZV_AP_INSN_OFF_PSMID);
    o.len = zv_be64(b + ZV_AP_INSN_OFF_LEN);
    o.more = b[ZV_AP_INSN_OFF_FLAGS] & ZV_AP_INSN_F_MORE;
    return o;
}

/* The guest learns its outstanding requests on (a, d) are gone: the
 * host must have discarded them (I5). */
static void
guest_told_lost(struct sim *s, unsigned m, unsigned a, unsigned d)
{
    struct sim_guest *g = &s->g[m];
    uint64_t now = discarded(s, a, d);

    for (unsigned i = 0; i < g->nout[a][d]; i++)
        if (now <= g->disc_at[a][d][i] && ap_queue_find(s->bus, AP_MKQN(a, d)))
            fail(s,
                 "I5: request %" PRIx64 " on %02x.%04x vanished, "
                 "nothing discarded",
                 g->out[a][d][i], a, d);
    s->stat_lost_told += g->nout[a][d];
    g->nout[a][d] = 0;
}

/* What the status says about requests the guest still waits for. */
static void
guest_status(struct sim *s, unsigned m, unsigned a, unsigned d,
             const struct insn_out *o)
{
    if (o->pic || !s->g[m].nout[a][d])
        return;
    switch (o->st.rc) {
    case AP_RC_Q_NOT_AVAIL:
    case AP_RC_RESET_IN_PROGRESS:
    case AP_RC_DECONFIGURED:
    case AP_RC_CHECKSTOPPED:
        s->stat_lost_told += s->g[m].nout[a][d];
        s->g[m].nout[a][d] = 0; /* told: an error on that queue */
        break;
    default:
        if (o->st.empty)
            guest_told_lost(s, m, a, d);
        break;
    }
}

static bool
in_guest(const struct sim *s, unsigned m, unsigned a, unsigned d)
{
    struct zv_vfio_ap_matrix gm;

    zv_vfio_ap_get_matrix(s->vd[m], NULL, &gm);
    return ap_mask_test(&gm.apm, a) && ap_mask_test(&gm.aqm, d);
}

static struct insn_out
guest_dqap(struct sim *s, unsigned m, unsigned a, unsigned d)
{
    struct sim_guest *g = &s->g[m];
    struct insn_out o = exec(s, m, ZV_AP_INSN_DQAP, AP_MKQN(a, d), 0, 0, 0,
                             IOVA + REP_OFF, 0x2000);

    if (o.pic || o.st.rc != AP_RC_NORMAL) {
        guest_status(s, m, a, d, &o);
        return o;
    }
    if (o.more)
        fail(s, "DQAP: reply larger than 8 KiB");
    for (unsigned i = 0; i < g->nout[a][d]; i++) {
        if (g->out[a][d][i] != o.psmid)
            continue;
        g->out[a][d][i] = g->out[a][d][g->nout[a][d] - 1];
        g->disc_at[a][d][i] = g->disc_at[a][d][g->nout[a][d] - 1];
        g->nout[a][d]--;
        s->stat_replies++;
        guest_status(s, m, a, d, &o);
        return o;
    }
    fail(s, "I5: mdev %u got reply %" PRIx64 " on %02x.%04x it never sent", m,
         o.psmid, a, d);
    return o;
}

/* Mostly an APQN of the guest matrix (where work happens), else any. */
static void
pick_apqn(struct sim *s, unsigned m, unsigned *a, unsigned *d)
{
    struct zv_vfio_ap_matrix gm;
    unsigned cand[NA * ND], n = 0;

    *a = (unsigned)rnd(s, NA);
    *d = (unsigned)rnd(s, ND);
    if (rnd(s, 4) == 0)
        return;
    zv_vfio_ap_get_matrix(s->vd[m], NULL, &gm);
    for (unsigned x = 0; x < NA; x++)
        for (unsigned y = 0; y < ND; y++)
            if ((ap_mask_test(&gm.apm, x) && ap_mask_test(&gm.aqm, y)) ||
                s->g[m].nout[x][y])
                cand[n++] = x * ND + y;
    if (n) {
        unsigned c = cand[rnd(s, n)];

        *a = c / ND;
        *d = c % ND;
    }
}

static void
ev_guest(struct sim *s)
{
    unsigned m = (unsigned)rnd(s, NM), a, d, k = (unsigned)rnd(s, 10);
    struct sim_guest *g = &s->g[m];
    bool inside;
    uint64_t before = total_enqueued(s);
    struct insn_out o;

    if (!g->open)
        return;
    pick_apqn(s, m, &a, &d);
    inside = in_guest(s, m, a, d);
    if (k < 4) {
        uint64_t psmid = (uint64_t)m << 56 | g->next_psmid++;
        uint64_t disc = discarded(s, a, d);

        s->what = "guest NQAP";
        memcpy(g->mem + MSG_OFF, s->req, s->req_len);
        o = exec(s, m, ZV_AP_INSN_NQAP, AP_MKQN(a, d), 0, 0, psmid,
                 IOVA + MSG_OFF, s->req_len);
        s->stat_nqap++;
        if (!o.pic && o.st.rc == AP_RC_NORMAL) {
            if (total_enqueued(s) != before + 1)
                fail(s, "I4: accepted NQAP did not enqueue exactly once");
            if (g->nout[a][d] < MAXOUT) {
                g->out[a][d][g->nout[a][d]] = psmid;
                g->disc_at[a][d][g->nout[a][d]++] = disc;
            }
        } else {
            guest_status(s, m, a, d, &o);
        }
    } else if (k < 8) {
        s->what = "guest DQAP";
        o = guest_dqap(s, m, a, d);
    } else if (k < 9) {
        s->what = "guest TAPQ";
        o = exec(s, m, ZV_AP_INSN_PQAP, AP_MKQN(a, d), 0, 0, 0, 0, 0);
        guest_status(s, m, a, d, &o);
    } else {
        s->what = "guest AQIC";
        o = exec(s, m, ZV_AP_INSN_PQAP,
                 (uint64_t)AP_FC_AQIC << 24 | AP_MKQN(a, d),
                 rnd(s, 2) ? 1ull << 47 : 0, IOVA + NIB_OFF, 0, 0, 0);
    }
    if (s->verbose)
        fprintf(stderr, "  mdev %u %s %02x.%04x: pic %u cc %u rc %02x%s\n", m,
                s->what, a, d, o.pic, o.cc, o.st.rc, o.st.empty ? " E" : "");
    if (!inside) {
        if (total_enqueued(s) != before)
            fail(s,
                 "I4: a request reached %02x.%04x outside mdev %u's "
                 "guest matrix",
                 a, d, m);
        if (o.pic == 0 && (o.cc != 3 || o.st.rc != AP_RC_Q_NOT_AVAIL))
            fail(s,
                 "I4: %02x.%04x outside the guest matrix answered cc %u "
                 "rc %02x",
                 a, d, o.cc, o.st.rc);
        s->stat_rejected++;
    } else if (total_enqueued(s) > before + 1) {
        fail(s, "I4: more than one enqueue");
    }
}

/* After the run: drain, and every outstanding request is accounted for. */
static void
drain(struct sim *s)
{
    zv_loop_run(s->loop);
    s->what = "drain";
    for (unsigned m = 0; m < NM; m++) {
        struct sim_guest *g = &s->g[m];

        if (!g->open)
            continue;
        for (unsigned a = 0; a < NA; a++) {
            for (unsigned d = 0; d < ND; d++) {
                unsigned guard = 0;

                while (g->nout[a][d] && guard++ < 2 * MAXOUT && !s->failed)
                    guest_dqap(s, m, a, d);
                if (g->nout[a][d] && !s->failed) {
                    struct insn_out o = exec(s, m, ZV_AP_INSN_PQAP,
                                             AP_MKQN(a, d), 0, 0, 0, 0, 0);

                    guest_status(s, m, a, d, &o);
                }
                if (g->nout[a][d])
                    fail(s,
                         "I5: %u requests on %02x.%04x of mdev %u lost "
                         "without an error",
                         g->nout[a][d], a, d, m);
            }
        }
    }
}

static void
step(struct sim *s)
{
    unsigned k = (unsigned)rnd(s, 100), n;

    s->what = NULL;
    mark_event(s);
    if (k < 12)
        ev_bind(s);
    else if (k < 20)
        ev_mask(s);
    else if (k < 36)
        ev_assign(s);
    else if (k < 40)
        ev_ap_config(s);
    else if (k < 48)
        ev_config(s);
    else if (k < 54)
        ev_attach(s);
    else
        ev_guest(s);
    if (s->verbose)
        fprintf(stderr, "step %u: %s\n", s->step, s->what ? s->what : "-");
    check_invariants(s);
    check_told(s, false);
    /* then a few loop events (bus scans, card work, reset polls) */
    n = (unsigned)rnd(s, 6);
    for (unsigned i = 0; i < n && !s->failed; i++) {
        s->what = "loop event";
        mark_event(s);
        if (zv_loop_run_once(s->loop, 0) <= 0)
            break;
        check_invariants(s);
        check_told(s, true);
    }
}

static void
trace_sink(void *arg, uint64_t now, const char *line)
{
    fprintf(stderr, "  %12" PRIu64 " %s\n", now, line);
}

static int
run_seed(uint64_t seed, unsigned steps, struct sim *s)
{
    if (sim_init(s, seed)) {
        fprintf(stderr, "seed %" PRIu64 ": setup failed\n", seed);
        sim_free(s);
        return -1;
    }
    s->verbose = getenv("SIM_VAP_VERBOSE") != NULL;
    if (s->verbose)
        zv_loop_set_trace_sink(s->loop, trace_sink, NULL);
    for (s->step = 0; s->step < steps && !s->failed; s->step++)
        step(s);
    if (!s->failed)
        drain(s);
    s->hash = zv_loop_trace_hash(s->loop) ^ zv_loop_now(s->loop);
    sim_free(s);
    return s->failed ? -1 : 0;
}

int
main(int argc, char **argv)
{
    uint64_t start = 1, seeds = 200, nqap = 0, replies = 0, told = 0, rej = 0,
             hash = 0;
    unsigned steps = 400, bad = 0;
    static struct sim s;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seeds"))
            seeds = strtoull(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--start"))
            start = strtoull(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--seed"))
            start = strtoull(argv[i + 1], NULL, 0), seeds = 1;
        else if (!strcmp(argv[i], "--steps"))
            steps = (unsigned)strtoul(argv[i + 1], NULL, 0);
    }
    /* DESIGN.md principle 4: the same seed gives the same run */
    if (seeds) {
        uint64_t h1;

        run_seed(start, steps, &s);
        h1 = s.hash;
        run_seed(start, steps, &s);
        if (h1 != s.hash) {
            fprintf(stderr, "seed %" PRIu64 ": two runs differ\n", start);
            return 1;
        }
    }
    for (uint64_t i = 0; i < seeds; i++) {
        if (run_seed(start + i, steps, &s)) {
            fprintf(stderr, "replay: %s --seed %" PRIu64 " --steps %u\n",
                    argv[0], start + i, steps);
            if (++bad >= 5)
                break;
        }
        nqap += s.stat_nqap;
        replies += s.stat_replies;
        told += s.stat_lost_told;
        rej += s.stat_rejected;
        hash = hash * 31 + s.hash;
    }
    printf("sim_vap: %" PRIu64 " seeds x %u steps: %u failed; guest NQAPs "
           "%" PRIu64 ", replies %" PRIu64 ", lost-and-told %" PRIu64
           ", rejected outside %" PRIu64 "; traces %016" PRIx64 "\n",
           seeds, steps, bad, nqap, replies, told, rej, hash);
    return bad ? 1 : 0;
}
