/* SPDX-License-Identifier: MIT */
#include "dev_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/chan_vfio.h"

#define DH_GUEST_BASE 0x10000
#define DH_GUEST_SIZE (8u << 20)

static int
dh_tmpname(struct dh *h, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    snprintf(h->path, sizeof(h->path), "%s/zvdev-%s-XXXXXX", dir ? dir : "/tmp",
             tag);
    fd = mkstemp(h->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(h->path);
    return 0;
}

static int
dh_basic_sense_mode(struct dh *h)
{
    struct schib s;

    if (h->ch->ops->stsch(h->ch, &s))
        return -1;
    s.pmcw.csense = false;
    return css_sch_msch(h->sch, &s).cc ? -1 : 0;
}

#define DH_UUID "5e1f0d2a-7c3b-4e8d-9a61-0b2c3d4e5f60"

/* vfio-ccw bound to the subchannel, one mdev, chan_vfio over it. */
static int
dh_vfio(struct dh *h)
{
    struct zv_vdev *vd;

    h->varena = zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE,
                                      ZV_VFIO_CCW_ARENA_SIZE);
    h->bus = zv_mdev_bus_new();
    h->drv =
        h->varena && h->bus ? zv_vfio_ccw_new(h->css, h->varena, h->bus) : NULL;
    if (!h->drv || zv_vfio_ccw_bind(h->drv, h->sch) ||
        zv_mdev_create(zv_vfio_ccw_parent(h->drv, h->sch), ZV_VFIO_CCW_TYPE_ID,
                       DH_UUID, &vd))
        return -1;
    h->vd = zv_mdev_find(h->bus, DH_UUID);
    return guest_chan_vfio_new(h->vd, h->loop, DH_GUEST_BASE, DH_GUEST_SIZE,
                               &h->ch);
}

/* o->defer: the image's transfers are reported through the loop, so
 * commands whose data moves straight are held until then. */
static void
dh_defer(struct dh *h, const struct dh_opts *o)
{
    struct img_backend *be =
        h->fimg ? fba_img_backend(h->fimg) : ckd_img_backend(h->cimg);

    if (!o || !o->defer)
        return;
    img_backend_set_loop(be, h->loop);
    img_backend_set_defer(be, true);
    h->deferred = true;
}

static int
dh_css(struct dh *h, const struct dh_opts *o)
{
    struct css_config cc = {.concurrent_sense = true,
                            .crw_queue_max = 64,
                            .copy_data = o && o->copy_data};
    struct css_sch_desc d = {.st = PMCW_ST_IO,
                             .sch_no = 0,
                             .devno = DH_DEVNO,
                             .pim = 0xC0,
                             .chpid = {DH_CHP0, DH_CHP1}};
    void *host;

    h->as = zv_as_new("storage");
    if (!h->as)
        return -1;
    h->css = css_new(h->loop, h->as, &cc);
    if (!h->css || css_chp_define(h->css, DH_CHP0, CHP_TYPE_FICON) ||
        css_chp_define(h->css, DH_CHP1, CHP_TYPE_FICON))
        return -1;
    if (css_sch_define(h->css, &d, h->dev, false, &h->sch))
        return -1;
    if (o && o->vfio ? dh_vfio(h)
                     : guest_chan_css_new(h->css, h->sch, DH_GUEST_BASE,
                                          DH_GUEST_SIZE, &h->ch))
        return -1;
    if (guest_prog_init(&h->prog, h->ch, 4200))
        return -1;
    if (zv_arena_alloc(h->ch->arena, DH_BUF_SZ, 4096, &h->buf_addr, &host))
        return -1;
    h->buf = host;
    if (h->ch->ops->enable(h->ch, 0x12345678, 3))
        return -1;
    if (o && !o->csense)
        return dh_basic_sense_mode(h);
    return 0;
}

static struct dh *
dh_alloc(const struct dh_opts *o, const char *tag)
{
    struct dh *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->loop = zv_loop_new_virtual(o ? o->seed : 1);
    if (!h->loop || dh_tmpname(h, tag)) {
        dh_free(h);
        return NULL;
    }
    return h;
}

struct dh *
dh_new_fba(uint64_t blocks, const struct dh_opts *o)
{
    struct dh *h = dh_alloc(o, "fba");
    char err[128] = "";

    if (!h)
        return NULL;
    if (fba_img_create(h->path, blocks, err, sizeof(err)) ||
        fba_img_open(h->path, false, IMG_SYNC_WRITE_THROUGH, &h->fimg, err,
                     sizeof(err)) ||
        dev_fba_new(h->loop, h->fimg, o ? &o->cfg : NULL, &h->dev) ||
        (dh_defer(h, o), false) || dh_css(h, o)) {
        fprintf(stderr, "dh_new_fba failed %s\n", err);
        dh_free(h);
        return NULL;
    }
    return h;
}

/* Extend a fresh image with never-written (all-zero) cylinders. */
static int
dh_grow(const struct dh *h, uint32_t cyls)
{
    struct ckd_img *img;
    char err[128];
    uint64_t size;

    if (ckd_img_open(h->path, false, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)))
        return -1;
    size = CKD_DEVHDR_SIZE + (uint64_t)cyls * ckd_img_geom(img)->heads *
                                 ckd_img_geom(img)->trksize;
    ckd_img_close(img);
    return truncate(h->path, (off_t)size);
}

/* A CKD_P370 image with trksize-byte track slots, every track HA + R0 +
 * end marker.  The device header's numeric fields are little-endian
 * (Hercules' file format, dasd.md §4.2). */
static int
dh_create_slots(const char *path, uint32_t cyls, uint32_t trksize)
{
    uint8_t hdr[CKD_DEVHDR_SIZE] = "CKD_P370";
    uint8_t *trk = calloc(1, trksize);
    FILE *f = fopen(path, "wb");
    int rc = trk && f ? 0 : -1;

    hdr[8] = 15;
    hdr[12] = (uint8_t)trksize;
    hdr[13] = (uint8_t)(trksize >> 8);
    hdr[14] = (uint8_t)(trksize >> 16);
    hdr[15] = (uint8_t)(trksize >> 24);
    hdr[16] = 0x90;
    if (!rc && fwrite(hdr, sizeof(hdr), 1, f) != 1)
        rc = -1;
    for (uint32_t t = 0; !rc && t < cyls * 15; t++)
        if (ckd_track_build(trk, trksize, t / 15, t % 15, NULL, 0) < 0 ||
            fwrite(trk, trksize, 1, f) != 1)
            rc = -1;
    if (f && fclose(f))
        rc = -1;
    free(trk);
    return rc;
}

static int
dh_create_ckd(const char *path, uint8_t model, uint32_t cyls,
              const struct dh_opts *o, char *err, size_t errlen)
{
    if (o && o->trksize)
        return dh_create_slots(path, cyls, o->trksize);
    return ckd_img_create(path, model, cyls, err, errlen);
}

struct dh *
dh_new_eckd(uint8_t model, uint32_t cyls, bool cdl, const struct dh_opts *o)
{
    struct dh *h = dh_alloc(o, "ckd");
    char err[128] = "";

    if (!h)
        return NULL;
    if (dh_create_ckd(h->path, model, cyls, o, err, sizeof(err)) ||
        (o && o->grow_cyls && dh_grow(h, o->grow_cyls)) ||
        ckd_img_open(h->path, false, IMG_SYNC_WRITE_THROUGH, &h->cimg, err,
                     sizeof(err)) ||
        (cdl && ckd_img_format_cdl(h->cimg, "ZV0001", err, sizeof(err))) ||
        dev_eckd_new(h->loop, h->cimg, o ? &o->cfg : NULL, &h->dev) ||
        (dh_defer(h, o), false) || dh_css(h, o)) {
        fprintf(stderr, "dh_new_eckd failed %s\n", err);
        dh_free(h);
        return NULL;
    }
    return h;
}

void
dh_free(struct dh *h)
{
    if (!h)
        return;
    if (h->ch) {
        guest_prog_fini(&h->prog);
        guest_chan_destroy(h->ch);
    }
    if (h->vd)
        zv_vdev_put(h->vd);
    zv_vfio_ccw_free(h->drv);
    if (h->drv && h->loop)
        zv_loop_run(h->loop); /* let the mediator's teardown events run */
    if (h->css)
        css_free(h->css);
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->varena);
    dev_dasd_free(h->dev);
    if (h->fimg)
        fba_img_close(h->fimg);
    if (h->cimg)
        ckd_img_close(h->cimg);
    if (h->path[0])
        unlink(h->path);
    if (h->as)
        zv_as_free(h->as);
    if (h->loop)
        zv_loop_free(h->loop);
    free(h);
}

void
dh_ccw(struct dh *h, uint8_t cmd, uint8_t flags, uint16_t count, uint32_t off)
{
    guest_prog_add(&h->prog, cmd, flags, count, (uint32_t)(h->buf_addr + off));
}

int
dh_run_lpm(struct dh *h, uint8_t lpm)
{
    int rc = guest_prog_run(&h->prog, lpm, &h->irb);

    guest_prog_reset(&h->prog);
    return rc;
}

int
dh_run(struct dh *h)
{
    return dh_run_lpm(h, 0);
}

uint32_t
dh_ccw_addr(const struct dh *h, unsigned i)
{
    return (uint32_t)guest_prog_ccw_addr(&h->prog, i);
}

void
dh_put_cchh(uint8_t *p, uint32_t cyl, uint32_t head)
{
    zv_put_be16(p, (uint16_t)cyl);
    zv_put_be16(p + 2, (uint16_t)(((cyl >> 16) << 4) | head));
}

uint8_t
dh_expected_il(const struct dh *h, unsigned ccw)
{
    struct ccw1 c;

    ccw1_decode(&c, h->prog.host + (size_t)ccw * CCW_SIZE);
    if (h->irb.scsw.count == 0 || (c.flags & CCW_FLAG_SLI))
        return 0;
    /* Unit check before any data moved: the command was not executed,
     * so no IL (css-pop.md §5.5, src/css/engine.c). */
    if ((h->irb.scsw.dstat & DEV_STAT_UNIT_CHECK) &&
        h->irb.scsw.count == c.count)
        return 0;
    return SCHN_STAT_INCORR_LEN;
}

void
dh_assert_ok(const struct dh *h)
{
    assert_int_equal(h->irb.scsw.cc, 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
    assert_int_equal(h->irb.scsw.cstat, 0);
}

void
dh_run_ok(struct dh *h)
{
    assert_int_equal(dh_run(h), 0);
    dh_assert_ok(h);
}

uint32_t
dh_rand(struct dh_rng *r, uint32_t n)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((r->s >> 33) % n);
}

uint32_t
dh_zc_idal(struct dh *h, struct dh_rng *r, unsigned slot, uint32_t count,
           uint32_t odds)
{
    uint32_t off = DH_ZC_IDAL + slot * 0x100u;
    uint64_t a = h->buf_addr + dh_rand(r, DH_ZC_DATA);
    uint32_t left = count;

    for (unsigned i = 0; left && i < 32; i++) {
        uint32_t room = 4096u - (uint32_t)(a & 4095u);
        uint32_t take = left < room ? left : room;
        uint32_t pick = dh_rand(r, odds);

        zv_put_be64(h->buf + off + 8 * i, a);
        left -= take;
        if (pick == 0)
            a = DH_ZC_NOWHERE; /* storage that is not there */
        else if (pick == 1)
            a = (a & ~4095ull) + 4096 + 16; /* not on a block boundary */
        else if (pick < 6)
            a = (h->buf_addr + dh_rand(r, DH_ZC_DATA)) & ~4095ull;
        else
            a = (a & ~4095ull) + 4096; /* the next block: one run */
    }
    return off;
}

void
dh_irb_pci_neutral(struct irb *irb)
{
    irb->scsw.cstat &= (uint8_t)~SCHN_STAT_PCI;
    irb->scsw.stctl &= (uint8_t)~SCSW_STCTL_INTER;
}
