/* SPDX-License-Identifier: MIT */
#include "ctl/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "dev/dev.h"
#include "dev/testdev.h"
#include "img/img.h"

static void
dev_dasd(struct zv_host_dev_cfg *d, enum zv_host_dev_type type, uint16_t sch_no,
         uint16_t devno, const char *image)
{
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->sch_no = sch_no;
    d->devno = devno;
    d->nchp = 2;
    d->chpid[0] = 0x40;
    d->chpid[1] = 0x41;
    snprintf(d->image, sizeof(d->image), "%s", image);
    d->create = true;
    d->latency_ns = 20000;
    d->jitter_ns = 10000;
}

void
zv_host_cfg_default(struct zv_host_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->css.ils = true;
    cfg->css.concurrent_sense = true;
    cfg->nchp = 2;
    cfg->chp[0] = (struct zv_host_chp_cfg){0x40, CHP_TYPE_FICON};
    cfg->chp[1] = (struct zv_host_chp_cfg){0x41, CHP_TYPE_FICON};
    dev_dasd(&cfg->dev[0], ZV_HOST_DEV_FBA, 0x0100, 0x0200, "disk0200.fba");
    cfg->dev[0].blocks = 8192; /* 4 MiB */
    dev_dasd(&cfg->dev[1], ZV_HOST_DEV_ECKD, 0x0101, 0x0201, "disk0201.3390");
    cfg->dev[1].cyls = 20;
    snprintf(cfg->dev[1].volser, sizeof(cfg->dev[1].volser), "ZV0201");
    for (unsigned i = 0; i < 2; i++) {
        struct zv_host_dev_cfg *d = &cfg->dev[2 + i];

        dev_dasd(d, ZV_HOST_DEV_TEST, (uint16_t)(0x0102 + i),
                 (uint16_t)(0x0300 + i), "");
        d->create = false;
        d->cu_type = 0x3990;
        d->cu_model = 0xE9;
        d->dev_type = 0x3390;
        d->dev_model = 0x0C;
    }
    cfg->ndev = 4;
    cfg->nap = 2;
    cfg->ap[0] = (struct zv_host_ap_cfg){5, AP_TYPE_CEX7, AP_MODE_ACCEL};
    cfg->ap[1] = (struct zv_host_ap_cfg){6, AP_TYPE_CEX7, AP_MODE_ACCEL};
    for (unsigned i = 0; i < 4; i++) {
        static const uint8_t doms[] = {0x04, 0x47, 0xab, 0xff};

        ap_mask_set(&cfg->ap_domains, doms[i]);
        ap_mask_set(&cfg->ap_cdoms, doms[i]);
    }
}

static const char *const ap_type_names[] = {
    [AP_TYPE_CEX4] = "cex4", [AP_TYPE_CEX5] = "cex5", [AP_TYPE_CEX6] = "cex6",
    [AP_TYPE_CEX7] = "cex7", [AP_TYPE_CEX8] = "cex8",
};
static const char *const ap_mode_names[] = {
    [AP_MODE_ACCEL] = "accel",
    [AP_MODE_CCA] = "cca",
    [AP_MODE_EP11] = "ep11",
};

int
zv_host_ap_type_parse(const char *s, enum ap_type *out)
{
    for (unsigned t = AP_TYPE_CEX4; t <= AP_TYPE_CEX8; t++)
        if (s && strcmp(s, ap_type_names[t]) == 0) {
            *out = (enum ap_type)t;
            return 0;
        }
    return -EINVAL;
}

int
zv_host_ap_mode_parse(const char *s, enum ap_mode *out)
{
    for (unsigned m = AP_MODE_ACCEL; m <= AP_MODE_EP11; m++)
        if (s && strcmp(s, ap_mode_names[m]) == 0) {
            *out = (enum ap_mode)m;
            return 0;
        }
    return -EINVAL;
}

const char *
zv_host_ap_type_name(enum ap_type t)
{
    return t >= AP_TYPE_CEX4 && t <= AP_TYPE_CEX8 ? ap_type_names[t] : "?";
}

const char *
zv_host_ap_mode_name(enum ap_mode m)
{
    return m <= AP_MODE_EP11 ? ap_mode_names[m] : "?";
}

int
zv_host_cfg_resolve(struct zv_host_cfg *cfg, const char *dir)
{
    for (unsigned i = 0; i < cfg->ndev; i++) {
        struct zv_host_dev_cfg *d = &cfg->dev[i];
        char buf[ZV_HOST_PATH_MAX];

        if (d->type == ZV_HOST_DEV_TEST || d->image[0] == '/')
            continue;
        if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", dir, d->image) >=
            sizeof(buf))
            return -ENAMETOOLONG;
        memcpy(d->image, buf, sizeof(buf));
    }
    return 0;
}

int
zv_host_parse_busid(const char *s, uint8_t *ssid, uint16_t *no)
{
    unsigned cssid, set, n;
    char tail;

    if (!s || strlen(s) != 8 ||
        sscanf(s, "%x.%x.%4x%c", &cssid, &set, &n, &tail) != 3 || cssid != 0 ||
        set > CSS_MAX_SSID || s[1] != '.' || s[3] != '.')
        return -EINVAL;
    for (const char *p = s + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
              (*p >= 'A' && *p <= 'F')))
            return -EINVAL;
    *ssid = (uint8_t)set;
    *no = (uint16_t)n;
    return 0;
}

const char *
zv_host_dev_type_name(enum zv_host_dev_type t)
{
    switch (t) {
    case ZV_HOST_DEV_FBA:
        return "fba";
    case ZV_HOST_DEV_ECKD:
        return "eckd";
    case ZV_HOST_DEV_TEST:
        return "test";
    }
    return "?";
}

/* The model byte the ECKD model reports when none is configured: the same
 * rule as dev/eckd.c (3390-1/-2/-3 by capacity, -9 and larger 0x0C). */
static uint8_t
eckd_model_of(const struct ckd_img *img)
{
    const struct ckd_geom *g = ckd_img_geom(img);

    if (g->model == 1 || (g->model == 0 && g->cyls <= 1113))
        return 0x02;
    if (g->model == 2 || (g->model == 0 && g->cyls <= 2226))
        return 0x06;
    if (g->model == 3 || (g->model == 0 && g->cyls <= 3339))
        return 0x0A;
    return 0x0C;
}

void
zv_host_dev_ident(const struct zv_host_dev *d, uint16_t *cu_type,
                  uint8_t *cu_model, uint16_t *dev_type, uint8_t *dev_model)
{
    switch (d->cfg.type) {
    case ZV_HOST_DEV_FBA:
        *cu_type = 0x6310;
        *cu_model = 0x01;
        *dev_type = 0x9336;
        *dev_model = 0x00;
        break;
    case ZV_HOST_DEV_ECKD:
        *cu_type = 0x3990;
        *cu_model = 0xEC;
        *dev_type = 0x3390;
        *dev_model = d->cfg.model ? d->cfg.model
                     : d->cimg    ? eckd_model_of(d->cimg)
                                  : 0;
        break;
    case ZV_HOST_DEV_TEST:
        *cu_type = d->cfg.cu_type;
        *cu_model = d->cfg.cu_model;
        *dev_type = d->cfg.dev_type;
        *dev_model = d->cfg.dev_model;
        break;
    }
}

/*
 * Put the image on io_uring (image_io auto or uring): a read the page
 * cache has still finishes inside the command, one that must wait for
 * the disk no longer stops the loop, and with it every other device.
 * auto falls back to pread/pwrite where io_uring is unavailable (old
 * kernel, seccomp, a virtual loop), saying so once.
 */
/* Once per host: the log says how its DASDs reach their images (and
 * why not io_uring, when auto fell back: errno_ nonzero). */
static void
host_image_io_said(struct zv_host *h, const char *how, int errno_)
{
    if (h->image_io_said)
        return;
    h->image_io_said = true;
    if (errno_)
        zv_log(ZV_LOG_INFO,
               "host: image I/O: io_uring unavailable (%s), using pread/pwrite",
               strerror(errno_));
    else
        zv_log(ZV_LOG_INFO, "host: image I/O: %s", how);
}

static int
host_image_io(struct zv_host *h, struct zv_host_dev *hd, char *err,
              size_t errlen)
{
    enum zv_image_io io = h->cfg.image_io;
    int fd = hd->fimg ? fba_img_fd(hd->fimg) : ckd_img_fd(hd->cimg);
    struct img_backend *be;

    if (io == ZV_IMAGE_IO_SYNC) {
        host_image_io_said(h, "pread/pwrite", 0);
        return 0;
    }
    be = img_backend_uring(fd, IMG_SYNC_WRITE_THROUGH, h->loop, 0);
    if (!be) {
        if (io == ZV_IMAGE_IO_URING) {
            snprintf(err, errlen, "image %s: io_uring: %s", hd->cfg.image,
                     strerror(errno));
            return -errno;
        }
        host_image_io_said(h, "pread/pwrite", errno);
        return 0;
    }
    host_image_io_said(h, "io_uring", 0);
    return hd->fimg ? fba_img_set_backend(hd->fimg, be)
                    : ckd_img_set_backend(hd->cimg, be);
}

static int
host_image(struct zv_host *h, struct zv_host_dev *hd, char *err, size_t errlen)
{
    struct zv_host_dev_cfg *c = &hd->cfg;
    struct dasd_config dc = {.latency_ns = c->latency_ns,
                             .jitter_ns = c->jitter_ns,
                             .unit = c->latency_per_command
                                         ? DASD_LAT_PER_COMMAND
                                         : DASD_LAT_PER_PROGRAM,
                             .model = c->model};
    struct stat st;
    bool fresh = false;
    int rc;

    if (stat(c->image, &st) < 0) {
        rc = -errno;
        if (rc != -ENOENT || !c->create) {
            snprintf(err, errlen, "image %s: %s", c->image, strerror(-rc));
            return rc;
        }
        fresh = true;
        rc = c->type == ZV_HOST_DEV_FBA
                 ? fba_img_create(c->image, c->blocks, err, errlen)
                 : ckd_img_create(c->image, 0, c->cyls, err, errlen);
        if (rc)
            return rc;
    }
    if (c->type == ZV_HOST_DEV_FBA) {
        rc = fba_img_open(c->image, false, IMG_SYNC_WRITE_THROUGH, &hd->fimg,
                          err, errlen);
    } else {
        rc = ckd_img_open(c->image, false, IMG_SYNC_WRITE_THROUGH, &hd->cimg,
                          err, errlen);
        /* a fresh image gets the Linux compatible disk layout at once; an
         * interrupted first start leaves an unformatted image, which the
         * guest sees as such */
        if (!rc && fresh && c->volser[0])
            rc = ckd_img_format_cdl(hd->cimg, c->volser, err, errlen);
    }
    if (!rc)
        rc = host_image_io(h, hd, err, errlen);
    if (!rc)
        rc = hd->fimg ? dev_fba_new(h->loop, hd->fimg, &dc, &hd->dev)
                      : dev_eckd_new(h->loop, hd->cimg, &dc, &hd->dev);
    if (rc && !err[0])
        snprintf(err, errlen, "image %s: %s", c->image, strerror(-rc));
    return rc;
}

static int
host_dev(struct zv_host *h, struct zv_host_dev *hd, char *err, size_t errlen)
{
    struct zv_host_dev_cfg *c = &hd->cfg;
    struct css_sch_desc desc = {.ssid = c->ssid,
                                .sch_no = c->sch_no,
                                .devno = c->devno,
                                .st = PMCW_ST_IO};
    int rc;

    if (c->type == ZV_HOST_DEV_TEST) {
        hd->td = testdev_new(h->loop, c->cu_type, c->cu_model, c->dev_type,
                             c->dev_model);
        if (!hd->td)
            return -ENOMEM;
        hd->dev = testdev_css_dev(hd->td);
    } else {
        rc = host_image(h, hd, err, errlen);
        if (rc)
            return rc;
    }
    for (unsigned i = 0; i < c->nchp; i++) {
        desc.chpid[i] = c->chpid[i];
        desc.pim |= (uint8_t)(0x80u >> i);
    }
    rc = css_sch_define(h->css, &desc, hd->dev, false, &hd->sch);
    if (rc)
        snprintf(err, errlen, "subchannel 0.%x.%04x: %s", c->ssid, c->sch_no,
                 strerror(-rc));
    return rc;
}

/* The AP bus: adapters in the configuration with their domains, the scan
 * run, then the vfio_ap driver (which owns nothing until the masks give
 * queues away). */
static int
host_ap(struct zv_host *h, char *err, size_t errlen)
{
    const struct zv_host_cfg *cfg = &h->cfg;
    int id, rc;

    if (!cfg->nap)
        return 0;
    h->ap = ap_bus_new(h->loop, NULL);
    if (!h->ap)
        return -ENOMEM;
    for (unsigned i = 0; i < cfg->nap; i++) {
        struct ap_adapter_desc d = {.apid = cfg->ap[i].apid,
                                    .type = cfg->ap[i].type,
                                    .mode = cfg->ap[i].mode,
                                    .qd = 7,
                                    .configured = true};

        rc = ap_adapter_add(h->ap, &d);
        if (rc) {
            snprintf(err, errlen, "adapter %02x: %s", d.apid, strerror(-rc));
            return rc;
        }
    }
    ap_mask_for_each(id, &cfg->ap_domains)
    {
        if ((rc = ap_config_domain(h->ap, (uint8_t)id, true)))
            return rc;
    }
    ap_mask_for_each(id, &cfg->ap_cdoms)
    {
        if ((rc = ap_config_control_domain(h->ap, (uint8_t)id, true)))
            return rc;
    }
    ap_bus_rescan(h->ap);
    zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ZV_NSEC_PER_MSEC);
    h->vap = zv_vfio_ap_new(h->ap, h->bus);
    return h->vap ? 0 : -ENOMEM;
}

int
zv_host_new(struct zv_loop *loop, const struct zv_host_cfg *cfg,
            struct zv_host **out, char *err, size_t errlen)
{
    struct zv_host *h = calloc(1, sizeof(*h));
    int rc = -ENOMEM;

    err[0] = '\0';
    if (!h)
        goto fail;
    h->loop = loop;
    h->cfg = *cfg;
    h->storage = zv_as_new("host");
    if (!h->storage)
        goto fail;
    h->css = css_new(loop, h->storage, &h->cfg.css);
    if (!h->css)
        goto fail;
    for (unsigned i = 0; i < cfg->nchp; i++) {
        rc = css_chp_define(h->css, cfg->chp[i].chpid, cfg->chp[i].type);
        if (rc) {
            snprintf(err, errlen, "chpid %02x: %s", cfg->chp[i].chpid,
                     strerror(-rc));
            goto fail;
        }
    }
    for (unsigned i = 0; i < cfg->ndev; i++) {
        h->dev[i].cfg = cfg->dev[i];
        h->ndev = i + 1;
        rc = host_dev(h, &h->dev[i], err, errlen);
        if (rc)
            goto fail;
    }
    rc = -ENOMEM;
    h->arena = zv_vfio_ccw_arena_new(h->css, ZV_VFIO_CCW_ARENA_BASE,
                                     ZV_VFIO_CCW_ARENA_SIZE);
    h->bus = zv_mdev_bus_new();
    if (!h->arena || !h->bus)
        goto fail;
    h->drv = zv_vfio_ccw_new(h->css, h->arena, h->bus);
    if (!h->drv)
        goto fail;
    rc = host_ap(h, err, errlen);
    if (rc)
        goto fail;
    *out = h;
    return 0;
fail:
    if (!err[0])
        snprintf(err, errlen, "host: %s", strerror(-rc));
    zv_host_free(h);
    return rc;
}

int
zv_host_flush(struct zv_host *h)
{
    int first = 0;

    for (unsigned i = 0; i < h->ndev; i++) {
        struct zv_host_dev *hd = &h->dev[i];
        int rc;

        if (hd->cfg.type == ZV_HOST_DEV_TEST || !hd->dev)
            continue;
        rc = dev_dasd_flush(hd->dev);
        if (rc && !first)
            first = rc;
    }
    return first;
}

void
zv_host_free(struct zv_host *h)
{
    if (!h)
        return;
    if (h->vap)
        zv_vfio_ap_free(h->vap);
    if (h->ap)
        ap_bus_free(h->ap);
    if (h->drv)
        zv_vfio_ccw_free(h->drv);
    /* let the unbinds' quiesce events run */
    zv_loop_run_until(h->loop, zv_loop_now(h->loop) + ZV_NSEC_PER_MSEC);
    if (h->css) {
        zv_host_flush(h);
        css_free(h->css);
    }
    for (unsigned i = 0; i < h->ndev; i++) {
        struct zv_host_dev *hd = &h->dev[i];

        if (hd->td)
            testdev_free(hd->td);
        else if (hd->dev)
            dev_dasd_free(hd->dev);
        if (hd->fimg)
            fba_img_close(hd->fimg);
        if (hd->cimg)
            ckd_img_close(hd->cimg);
    }
    zv_mdev_bus_free(h->bus);
    zv_arena_free(h->arena);
    zv_as_free(h->storage);
    free(h);
}

struct zv_host_dev *
zv_host_dev_find(struct zv_host *h, uint8_t ssid, uint16_t sch_no)
{
    for (unsigned i = 0; i < h->ndev; i++)
        if (h->dev[i].cfg.ssid == ssid && h->dev[i].cfg.sch_no == sch_no)
            return &h->dev[i];
    return NULL;
}
