/* SPDX-License-Identifier: MIT */
/*
 * zvfio-demo: a tour of the host channel subsystem, the way a guest
 * operating system meets it.
 *
 *  1. builds a host: three channel paths, four subchannels with test
 *     devices (3990/3390-like Sense ID data), and two DASDs on images in a
 *     temporary directory;
 *  2. enumerates the subchannels with STORE SUBCHANNEL until cc 3;
 *  3. enables one with MODIFY SUBCHANNEL (ISC 3);
 *  4. runs a channel program: NOP, command-chained to Sense ID;
 *  5. takes the interruption with TEST PENDING INTERRUPTION and TEST
 *     SUBCHANNEL, and prints the IRB decoded;
 *  6. brings two real disks online with the guest DASD library (see
 *     dasd_tour.c): an FBA 9336 straight on the host CSS and an ECKD 3390
 *     through a vfio-ccw mediated device, and writes, reads and compares.
 *
 * Exits 0 when every step gave the architected result, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "css/css.h"
#include "dev/testdev.h"
#include "dasd_tour.h"

#define DEMO_STORAGE  (1u << 20)
#define DEMO_NSCH     4
#define DEMO_NDASD    2 /* FBA + ECKD, after the test devices */
#define DEMO_DEVNO    0x0190
#define DEMO_ISC      3
#define DEMO_INTPARM  0x00C0FFEEu
#define SENSE_ID_LEN  256
#define LOWCORE_BYTES 512

struct demo {
    struct zv_loop *loop;
    struct zv_as *as;
    struct zv_arena *arena;
    struct css *css;
    struct testdev *dev[DEMO_NSCH];
    struct tour *tour; /* the DASDs: FBA and ECKD */
    uint8_t *mem;      /* host view of the arena (storage from address 0) */
    uint64_t orb, ccw, irb, schib, tpi, data;
};

static const uint8_t demo_chpids[] = {0x40, 0x41, 0x42};

static int
demo_alloc(struct demo *d, uint64_t len, uint64_t align, uint64_t *addr)
{
    void *host;

    return zv_arena_alloc(d->arena, len, align, addr, &host);
}

static int
demo_storage(struct demo *d)
{
    uint64_t lowcore;
    void *host;

    d->as = zv_as_new("storage");
    if (!d->as)
        return -1;
    d->arena = zv_arena_new(d->as, 0, DEMO_STORAGE);
    if (!d->arena)
        return -1;
    /* The lowcore (TPI with address 0 stores at 0xB8) comes first. */
    if (zv_arena_alloc(d->arena, LOWCORE_BYTES, 8, &lowcore, &host) < 0 ||
        lowcore != 0)
        return -1;
    d->mem = host;
    if (demo_alloc(d, ORB_EXT_SIZE, 8, &d->orb) < 0 ||
        demo_alloc(d, 4 * CCW_SIZE, 8, &d->ccw) < 0 ||
        demo_alloc(d, IRB_SIZE, 8, &d->irb) < 0 ||
        demo_alloc(d, SCHIB_SIZE, 8, &d->schib) < 0 ||
        demo_alloc(d, 16, 8, &d->tpi) < 0 ||
        demo_alloc(d, SENSE_ID_LEN, 8, &d->data) < 0)
        return -1;
    return 0;
}

static int
demo_host(struct demo *d)
{
    struct css_config cfg = {.concurrent_sense = true};
    struct css_sch_desc desc = {.st = PMCW_ST_IO, .pim = 0xE0};

    d->css = css_new(d->loop, d->as, &cfg);
    if (!d->css)
        return -1;
    for (size_t i = 0; i < sizeof(demo_chpids); i++) {
        if (css_chp_define(d->css, demo_chpids[i], CHP_TYPE_FICON) < 0)
            return -1;
        desc.chpid[i] = demo_chpids[i];
    }
    d->tour = tour_define(d->css, d->loop, DEMO_NSCH, demo_chpids,
                          sizeof(demo_chpids));
    if (!d->tour)
        return -1;
    for (unsigned i = 0; i < DEMO_NSCH; i++) {
        d->dev[i] = testdev_new(d->loop, 0x3990, 0xE9, 0x3390, 0x0C);
        if (!d->dev[i])
            return -1;
        testdev_set_default_latency(d->dev[i], 20000, 20000);
        desc.sch_no = (uint16_t)i;
        desc.devno = (uint16_t)(DEMO_DEVNO + i);
        if (css_sch_define(d->css, &desc, testdev_css_dev(d->dev[i]), false,
                           NULL) < 0)
            return -1;
    }
    return 0;
}

static uint32_t
gr1_of(uint16_t sch_no)
{
    struct schid id = {.ssid = 0, .sch_no = sch_no};

    return schid_to_gr1(&id);
}

static bool
rc_is(struct zv_insn_rc rc, enum zv_cc cc, const char *what)
{
    if (rc.pic != ZV_PIC_NONE) {
        printf("%s: program interruption %s\n", what, zv_pic_name(rc.pic));
        return false;
    }
    if (rc.cc != cc) {
        printf("%s: cc %d, expected cc %d\n", what, rc.cc, cc);
        return false;
    }
    return true;
}

static void
print_pmcw(uint16_t no, const struct pmcw *p)
{
    printf("  0.0.%04x  devno 0.0.%04x  V=%d E=%d ISC=%u  PIM %02x PAM %02x "
           "POM %02x LPM %02x  CHPIDs",
           no, p->dev, p->dnv, p->ena, p->isc, p->pim, p->pam, p->pom, p->lpm);
    for (unsigned i = 0; i < 8; i++) {
        if (p->pim & (0x80u >> i))
            printf(" %02x", p->chpid[i]);
    }
    printf("\n");
}

/* STSCH 0, 1, 2 ... until cc 3, as Linux's css_scan does. */
static int
demo_enumerate(struct demo *d)
{
    struct schib s;
    unsigned no;

    printf("STSCH enumeration:\n");
    for (no = 0; no <= CSS_MAX_SCH_NO; no++) {
        struct zv_insn_rc rc =
            css_insn_stsch(d->css, gr1_of((uint16_t)no), d->schib);

        if (rc.pic != ZV_PIC_NONE)
            return -1;
        if (rc.cc == ZV_CC3)
            break;
        schib_decode(&s, d->mem + d->schib);
        print_pmcw((uint16_t)no, &s.pmcw);
    }
    printf("  cc 3 at 0.0.%04x: %u subchannels\n", no, no);
    return no == DEMO_NSCH + DEMO_NDASD ? 0 : -1;
}

static int
demo_enable(struct demo *d, uint16_t no)
{
    struct schib s;

    if (!rc_is(css_insn_stsch(d->css, gr1_of(no), d->schib), ZV_CC0, "STSCH"))
        return -1;
    schib_decode(&s, d->mem + d->schib);
    s.pmcw.ena = true;
    s.pmcw.isc = DEMO_ISC;
    s.pmcw.intparm = DEMO_INTPARM;
    schib_encode(&s, d->mem + d->schib);
    if (!rc_is(css_insn_msch(d->css, gr1_of(no), d->schib), ZV_CC0, "MSCH"))
        return -1;
    printf("MSCH 0.0.%04x: enabled, ISC %d, cc 0\n", no, DEMO_ISC);
    return 0;
}

static void
put_ccw(struct demo *d, unsigned i, uint8_t cmd, uint8_t flags, uint16_t count,
        uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    ccw1_encode(&c, d->mem + d->ccw + i * CCW_SIZE);
}

static int
demo_start(struct demo *d, uint16_t no)
{
    struct orb o = {.intparm = DEMO_INTPARM + 1,
                    .fmt = true,
                    .pfch = true,
                    .lpm = 0xFF,
                    .cpa = (uint32_t)d->ccw};

    put_ccw(d, 0, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 0, 0);
    put_ccw(d, 1, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, SENSE_ID_LEN,
            (uint32_t)d->data);
    orb_encode(&o, d->mem + d->orb);
    if (!rc_is(css_insn_ssch(d->css, gr1_of(no), d->orb), ZV_CC0, "SSCH"))
        return -1;
    printf("SSCH 0.0.%04x: NOP -> Sense ID (count %d, SLI), cc 0\n", no,
           SENSE_ID_LEN);
    return 0;
}

static const char *
bits(uint8_t v, const char *const names[8])
{
    static char buf[128];

    buf[0] = 0;
    for (unsigned i = 0; i < 8; i++) {
        if ((v & (0x80u >> i)) && names[i]) {
            strcat(buf, buf[0] ? "|" : "");
            strcat(buf, names[i]);
        }
    }
    return buf[0] ? buf : "-";
}

static void
print_scsw(const struct scsw *s)
{
    static const char *const fc[8] = {NULL, NULL,    NULL,   NULL,
                                      NULL, "start", "halt", "clear"};
    static const char *const ac[8] = {NULL,         "resume-pend", "start-pend",
                                      "halt-pend",  "clear-pend",  "sch-active",
                                      "dev-active", "suspended"};
    static const char *const sc[8] = {
        NULL, NULL, NULL, "alert", "interm", "primary", "secondary", "pending"};
    static const char *const ds[8] = {"attn", "SM", "CUE", "busy",
                                      "CE",   "DE", "UC",  "UE"};
    static const char *const cs[8] = {"PCI", "IL",  "PGM",  "PROT",
                                      "CDC", "CCC", "IFCC", "CHC"};

    printf("  SCSW: key %u  F=%d P=%d I=%d  deferred cc %u\n", s->key, s->fmt,
           s->pfch, s->isic, s->cc);
    printf("        FC %s", bits(s->fctl, fc));
    printf("  AC %s", bits(s->actl, ac));
    printf("  SC %s\n", bits(s->stctl, sc));
    printf("        CPA %08" PRIx32 "  device status %s", s->cpa,
           bits(s->dstat, ds));
    printf("  subchannel status %s  residual %u\n", bits(s->cstat, cs),
           s->count);
}

static int
demo_interrupt(struct demo *d, uint16_t no)
{
    struct irb irb;
    const uint8_t *id = d->mem + d->data;

    zv_loop_run(d->loop);
    if (!rc_is(css_insn_tpi(d->css, d->tpi), ZV_CC1, "TPI"))
        return -1;
    printf("TPI: cc 1, SID %04x%04x intparm %08" PRIx32 " (at %.3f us)\n",
           zv_be16(d->mem + d->tpi), zv_be16(d->mem + d->tpi + 2),
           zv_be32(d->mem + d->tpi + 4), zv_loop_now(d->loop) / 1000.0);
    if (!rc_is(css_insn_tsch(d->css, gr1_of(no), d->irb), ZV_CC0, "TSCH"))
        return -1;
    irb_decode(&irb, d->mem + d->irb);
    printf("TSCH 0.0.%04x: cc 0\n", no);
    print_scsw(&irb.scsw);
    printf("  Sense ID: %02x  CU %02x%02x-%02x  device %02x%02x-%02x\n", id[0],
           id[1], id[2], id[3], id[4], id[5], id[6]);
    if (irb.scsw.stctl !=
            (SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING) ||
        irb.scsw.dstat != (DEV_STAT_CHN_END | DEV_STAT_DEV_END) ||
        id[0] != 0xFF)
        return -1;
    return rc_is(css_insn_tsch(d->css, gr1_of(no), d->irb), ZV_CC1,
                 "second TSCH")
               ? 0
               : -1;
}

static void
demo_free(struct demo *d)
{
    tour_free(d->tour);
    css_free(d->css);
    tour_free_devices(d->tour);
    for (unsigned i = 0; i < DEMO_NSCH; i++) {
        if (d->dev[i])
            testdev_free(d->dev[i]);
    }
    if (d->arena)
        zv_arena_free(d->arena);
    if (d->as)
        zv_as_free(d->as);
    if (d->loop)
        zv_loop_free(d->loop);
}

int
main(void)
{
    struct demo d;
    int rc = 1;

    memset(&d, 0, sizeof(d));
    d.loop = zv_loop_new_virtual(1);
    if (!d.loop || demo_storage(&d) < 0 || demo_host(&d) < 0) {
        fprintf(stderr, "zvfio-demo: cannot build the host\n");
        goto out;
    }
    if (demo_enumerate(&d) < 0 || demo_enable(&d, 0) < 0 ||
        demo_start(&d, 0) < 0 || demo_interrupt(&d, 0) < 0 ||
        tour_run(d.tour) < 0) {
        fprintf(stderr, "zvfio-demo: unexpected result\n");
        goto out;
    }
    printf("ok\n");
    rc = 0;
out:
    demo_free(&d);
    return rc;
}
