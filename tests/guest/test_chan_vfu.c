/* SPDX-License-Identifier: MIT */
/*
 * chan_vfu: the guest DASD library over vfio-user.  An in-process host
 * (tests/vfu/vfu_dasd_host: an FBA 9336 and a CDL ECKD 3390 on images,
 * each served on its own socket, the loop on a thread) is driven through
 * the client library exactly as zvfio-guest drives zvfiod: online, random
 * block writes read back (also by a second client after the first left),
 * HSCH and CSCH while a program runs, and hostile construction.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/chan_vfu.h"
#include "guest/dasd.h"
#include "guest/prog.h"
#include "vfu_dasd_host.h"

#define GUEST_BASE 0x10000ull
#define GUEST_SIZE (4u << 20)
#define ROUNDS     40

static struct guest_chan *
chan_open(const char *path)
{
    struct zv_vfu_client *c;
    struct guest_chan *ch;

    assert_int_equal(zv_vfu_client_connect(path, &c), 0);
    assert_int_equal(guest_chan_vfu_new(c, GUEST_BASE, GUEST_SIZE, &ch), 0);
    assert_int_equal(ch->ops->enable(ch, 0x1234, 3), 0);
    return ch;
}

static void
fill(uint8_t *buf, size_t len, uint64_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(seed >> 56);
    }
}

/* Write ROUNDS random runs of random blocks, read each back at once, then
 * all of them again through a fresh client (what the server kept). */
static void
random_rw(const char *path, uint64_t first, uint64_t *blk, uint32_t *cnt)
{
    struct guest_chan *ch = chan_open(path);
    struct guest_dasd *g;
    const struct guest_dasd_info *info;
    uint8_t *w, *r;

    assert_int_equal(guest_dasd_online(ch, &g), 0);
    info = guest_dasd_info(g);
    w = malloc(8 * info->blksize);
    r = malloc(8 * info->blksize);
    assert_non_null(w);
    assert_non_null(r);
    srand(7);
    for (unsigned i = 0; i < ROUNDS; i++) {
        cnt[i] = 1 + (uint32_t)rand() % 8;
        blk[i] = first + (uint64_t)rand() % (info->blocks - first - 8);
        fill(w, cnt[i] * info->blksize, blk[i]);
        assert_int_equal(guest_dasd_write(g, blk[i], cnt[i], w), 0);
        memset(r, 0, cnt[i] * info->blksize);
        assert_int_equal(guest_dasd_read(g, blk[i], cnt[i], r), 0);
        assert_memory_equal(r, w, cnt[i] * info->blksize);
    }
    guest_dasd_offline(g);
    guest_chan_destroy(ch);

    ch = chan_open(path);
    assert_int_equal(guest_dasd_online(ch, &g), 0);
    info = guest_dasd_info(g);
    /* later writes may overlap earlier ones: check the last writer */
    for (unsigned i = 0; i < ROUNDS; i++) {
        bool later = false;

        for (unsigned j = i + 1; j < ROUNDS; j++)
            later |= blk[j] < blk[i] + cnt[i] && blk[i] < blk[j] + cnt[j];
        if (later)
            continue;
        fill(w, cnt[i] * info->blksize, blk[i]);
        assert_int_equal(guest_dasd_read(g, blk[i], cnt[i], r), 0);
        assert_memory_equal(r, w, cnt[i] * info->blksize);
    }
    guest_dasd_offline(g);
    guest_chan_destroy(ch);
    free(w);
    free(r);
}

static void
fba_online_and_random_blocks(void **state)
{
    struct vfu_dasd_host h;
    struct guest_chan *ch;
    struct guest_dasd *g;
    const struct guest_dasd_info *info;
    uint64_t blk[ROUNDS];
    uint32_t cnt[ROUNDS];

    assert_int_equal(vfu_dasd_host_new(&h, "FE", 0, 0, NULL), 0);
    assert_int_equal(vfu_dasd_host_start(&h), 0);
    ch = chan_open(h.d[0].path);
    assert_int_equal(guest_dasd_online(ch, &g), 0);
    info = guest_dasd_info(g);
    assert_int_equal(info->type, GUEST_DASD_FBA);
    assert_int_equal(info->dev_type, 0x9336);
    assert_int_equal(info->blksize, 512);
    assert_int_equal(info->blocks, VFU_DASD_FBA_BLKS);
    assert_int_equal(guest_dasd_read(g, info->blocks, 1, NULL), -EINVAL);
    guest_dasd_offline(g);
    guest_chan_destroy(ch);
    random_rw(h.d[0].path, 0, blk, cnt);
    vfu_dasd_host_free(&h);
}

static void
eckd_online_and_random_blocks(void **state)
{
    struct vfu_dasd_host h;
    struct guest_chan *ch;
    struct guest_dasd *g;
    const struct guest_dasd_info *info;
    uint64_t blk[ROUNDS];
    uint32_t cnt[ROUNDS], rpt;

    assert_int_equal(vfu_dasd_host_new(&h, "FE", 0, 0, NULL), 0);
    assert_int_equal(vfu_dasd_host_start(&h), 0);
    ch = chan_open(h.d[1].path);
    assert_int_equal(guest_dasd_online(ch, &g), 0);
    info = guest_dasd_info(g);
    assert_int_equal(info->type, GUEST_DASD_ECKD);
    assert_int_equal(info->layout, GUEST_LAYOUT_CDL);
    assert_int_equal(info->dev_type, 0x3390);
    assert_int_equal(info->cyls, VFU_DASD_ECKD_CYLS);
    assert_int_equal(info->heads, 15);
    assert_int_equal(info->blocks,
                     (uint64_t)info->cyls * info->heads * info->rpt);
    assert_true(info->grouped);
    rpt = info->rpt;
    guest_dasd_offline(g);
    guest_chan_destroy(ch);
    /* past the CDL special records of tracks 0 and 1 */
    random_rw(h.d[1].path, 2 * rpt, blk, cnt);
    vfu_dasd_host_free(&h);
}

struct cmds {
    struct vfu_dasd *d;
    uint64_t n;
};

static void
read_cmds(void *arg)
{
    struct cmds *c = arg;

    c->n = dev_dasd_commands(c->d->dev);
}

static uint64_t
commands(struct vfu_dasd_host *h, unsigned i)
{
    struct cmds c = {.d = &h->d[i]};

    vfu_dasd_host_call(h, read_cmds, &c);
    return c.n;
}

/* Four chained NOPs of 20 ms each; HSCH (or CSCH) after 30 ms ends the
 * program with the halt (clear) function in the SCSW before the device
 * saw all four, and the device then runs a fresh program. */
static void
terminate_mid_program(bool clear)
{
    static const struct dasd_config slow = {.latency_ns = 20000000};
    struct vfu_dasd_host h;
    struct guest_chan *ch;
    struct guest_prog p;
    struct orb orb = {.fmt = true, .pfch = true, .lpm = 0xFF};
    struct irb irb;
    uint64_t before;
    struct timespec nap = {.tv_nsec = 30000000};

    assert_int_equal(vfu_dasd_host_new(&h, "F", 0, 0, &slow), 0);
    assert_int_equal(vfu_dasd_host_start(&h), 0);
    ch = chan_open(h.d[0].path);
    assert_int_equal(guest_prog_init(&p, ch, 8), 0);
    for (int i = 0; i < 4; i++)
        guest_prog_add(&p, 0x03, i < 3 ? CCW_FLAG_CC : 0, 0, 0);
    orb.cpa = (uint32_t)guest_prog_ccw_addr(&p, 0);
    before = commands(&h, 0);
    assert_int_equal(ch->ops->ssch(ch, &orb), 0);
    /* a second start while the first runs: cc 2 (function in progress) */
    assert_int_equal(ch->ops->ssch(ch, &orb), 2);
    nanosleep(&nap, NULL);
    assert_int_equal(clear ? ch->ops->csch(ch) : ch->ops->hsch(ch), 0);
    do {
        assert_int_equal(ch->ops->wait_irb(ch, &irb, 2000000000ull), 0);
    } while (!(irb.scsw.fctl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)));
    assert_true(irb.scsw.fctl & (clear ? SCSW_FCTL_CLEAR : SCSW_FCTL_HALT));
    assert_true(commands(&h, 0) - before < 4);
    guest_prog_reset(&p);
    guest_prog_add(&p, 0x03, 0, 0, 0);
    assert_int_equal(guest_prog_run(&p, 0, &irb), 0);
    assert_true(guest_irb_ok(&irb));
    /* nothing left over: no interrupt without a program */
    assert_int_equal(ch->ops->wait_irb(ch, &irb, 50000000), -ETIMEDOUT);
    guest_prog_fini(&p);
    guest_chan_destroy(ch);
    vfu_dasd_host_free(&h);
}

static void
hsch_during_io(void **state)
{
    terminate_mid_program(false);
}

static void
csch_during_io(void **state)
{
    terminate_mid_program(true);
}

/* Refused arguments close the client (the channel owns it) and leave the
 * device free for the next one; a dead server answers cc 3 / -ENODEV. */
static void
bad_arguments_and_lost_server(void **state)
{
    struct vfu_dasd_host h;
    struct zv_vfu_client *c;
    struct guest_chan *ch;
    struct irb irb;
    struct schib schib;

    assert_int_equal(vfu_dasd_host_new(&h, "F", 0, 0, NULL), 0);
    assert_int_equal(vfu_dasd_host_start(&h), 0);
    assert_int_equal(guest_chan_vfu_new(NULL, GUEST_BASE, GUEST_SIZE, &ch),
                     -EINVAL);
    assert_int_equal(zv_vfu_client_connect(h.d[0].path, &c), 0);
    assert_int_equal(guest_chan_vfu_new(c, GUEST_BASE, 100, &ch), -EINVAL);
    assert_int_equal(zv_vfu_client_connect(h.d[0].path, &c), 0);
    assert_int_equal(guest_chan_vfu_new(c, 1ull << 31, GUEST_SIZE, &ch),
                     -EINVAL);
    ch = chan_open(h.d[0].path);
    assert_int_equal(ch->ops->stsch(ch, &schib), 0);
    assert_int_equal(schib.pmcw.dev, 0x0200);
    assert_true(schib.pmcw.dnv);
    vfu_dasd_host_stop(&h);
    zv_vfu_server_free(h.d[0].srv); /* the server goes away under us */
    h.d[0].srv = NULL;
    assert_int_equal(ch->ops->hsch(ch), 3);
    assert_int_equal(ch->ops->wait_irb(ch, &irb, 10000000), -ETIMEDOUT);
    guest_chan_destroy(ch);
    vfu_dasd_host_free(&h);
}

static void
sch_vanish(void *arg)
{
    struct vfu_dasd_host *h = arg;

    assert_int_equal(css_sch_undefine(h->css, h->d[0].sch), 0);
}

/* The subchannel vanishes while a program runs: the device raises the
 * REQ IRQ, the running program ends, and every later wait answers
 * -ENODEV (zvfio-guest turns that into "device lost"). */
static void
device_loss_raises_req(void **state)
{
    static const struct dasd_config slow = {.latency_ns = 50000000};
    struct vfu_dasd_host h;
    struct guest_chan *ch;
    struct guest_prog p;
    struct orb orb = {.fmt = true, .pfch = true, .lpm = 0xFF};
    struct irb irb;
    int rc;

    assert_int_equal(vfu_dasd_host_new(&h, "F", 0, 0, &slow), 0);
    assert_int_equal(vfu_dasd_host_start(&h), 0);
    ch = chan_open(h.d[0].path);
    assert_int_equal(guest_chan_vfu_requests(ch), 0);
    assert_int_equal(guest_prog_init(&p, ch, 4), 0);
    guest_prog_add(&p, 0x03, 0, 0, 0);
    orb.cpa = (uint32_t)guest_prog_ccw_addr(&p, 0);
    assert_int_equal(ch->ops->ssch(ch, &orb), 0);
    vfu_dasd_host_call(&h, sch_vanish, &h);
    for (int i = 0; i < 8; i++) {
        rc = ch->ops->wait_irb(ch, &irb, 2000000000ull);
        if (rc)
            break;
    }
    assert_int_equal(rc, -ENODEV);
    assert_true(guest_chan_vfu_requests(ch) >= 1);
    assert_int_equal(ch->ops->wait_irb(ch, &irb, 1000000), -ENODEV);
    assert_int_equal(ch->ops->ssch(ch, &orb), 3);
    guest_prog_fini(&p);
    guest_chan_destroy(ch);
    vfu_dasd_host_free(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fba_online_and_random_blocks),
        cmocka_unit_test(eckd_online_and_random_blocks),
        cmocka_unit_test(hsch_during_io),
        cmocka_unit_test(csch_during_io),
        cmocka_unit_test(bad_arguments_and_lost_server),
        cmocka_unit_test(device_loss_raises_req),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
