/* SPDX-License-Identifier: MIT */
/*
 * ctl/host: the one simulated host zvfiod owns (DESIGN.md src/ctl/,
 * docs/zvfiod.md).
 *
 * A host is described by a zv_host_cfg: channel paths, devices on
 * subchannels (FBA 9336 or ECKD 3390 on an image, or the scriptable test
 * device) and the channel-subsystem facilities.  The description comes
 * from the embedded default (zv_host_cfg_default) or from a JSON file
 * (zv_host_cfg_parse); parsing is strict and every refusal names the JSON
 * path of the offending value ("$.devices[1].devno: ...").
 *
 * zv_host_new() builds the channel subsystem on a loop, creates missing
 * images (those with a "create" section), and sets up the vfio-ccw driver
 * and its mdev bus.  Loop-thread only.
 */
#ifndef ZV_CTL_HOST_H
#define ZV_CTL_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/loop.h"
#include "css/css.h"
#include "ap/ap.h"
#include "vfio/mdev.h"
#include "vfio_ap/vfio_ap.h"
#include "vfio_ccw/vfio_ccw.h"

#define ZV_HOST_MAX_CHP  32
#define ZV_HOST_MAX_DEV  64
#define ZV_HOST_PATH_MAX 512
#define ZV_HOST_MAX_AP   64 /* adapters in one host description */

enum zv_host_dev_type {
    ZV_HOST_DEV_FBA,
    ZV_HOST_DEV_ECKD,
    ZV_HOST_DEV_TEST,
};

struct zv_host_chp_cfg {
    uint8_t chpid;
    uint8_t type; /* CHP_TYPE_* */
};

struct zv_host_dev_cfg {
    enum zv_host_dev_type type;
    uint8_t ssid;
    uint16_t sch_no;
    uint16_t devno;
    uint8_t nchp;
    uint8_t chpid[8];
    /* fba / eckd */
    char image[ZV_HOST_PATH_MAX]; /* absolute after zv_host_cfg_resolve */
    bool create;                  /* create the image if it is missing */
    uint64_t blocks;              /* fba: image size in 512-byte blocks */
    uint32_t cyls;                /* eckd: cylinders */
    char volser[7];               /* eckd: CDL format with this volser */
    uint8_t model;                /* eckd: device type model (0 = derive) */
    uint64_t latency_ns, jitter_ns;
    bool latency_per_command; /* else once per channel program */
    /* test */
    uint16_t cu_type, dev_type;
    uint8_t cu_model, dev_model;
};

/* One crypto adapter of the host AP bus ("ap" section). */
struct zv_host_ap_cfg {
    uint8_t apid;
    enum ap_type type;
    enum ap_mode mode;
};

/* How the DASD models reach their images. */
enum zv_image_io {
    ZV_IMAGE_IO_AUTO = 0, /* io_uring where the kernel allows it */
    ZV_IMAGE_IO_SYNC,     /* pread/pwrite on the loop thread */
    ZV_IMAGE_IO_URING,    /* io_uring, or the host does not start */
};

/* "auto", "sync", "uring": 0, or -EINVAL. */
int zv_image_io_parse(const char *s, enum zv_image_io *out);
const char *zv_image_io_name(enum zv_image_io io);

struct zv_host_cfg {
    struct css_config css;
    enum zv_image_io image_io;
    unsigned nchp;
    struct zv_host_chp_cfg chp[ZV_HOST_MAX_CHP];
    unsigned ndev;
    struct zv_host_dev_cfg dev[ZV_HOST_MAX_DEV];
    /* AP: adapters, and the usage / control domains of the host AP
     * configuration (QCI AQM / ADM).  No adapters: no AP bus. */
    unsigned nap;
    struct zv_host_ap_cfg ap[ZV_HOST_MAX_AP];
    struct ap_mask ap_domains, ap_cdoms;
};

/* The embedded default host: CHPIDs 0x40 and 0x41, an FBA 9336 on
 * 0.0.0100 (devno 0.0.0200), an ECKD 3390 (CDL) on 0.0.0101 (0.0.0201),
 * test devices on 0.0.0102 and 0.0.0103 (0.0.0300, 0.0.0301); AP: two
 * CEX7 accelerators, APIDs 5 and 6, with usage and control domains 4,
 * 0x47, 0xab and 0xff (the adapters and domains of reference/vfio-ap.md
 * §7.1).  Everything belongs to the host until apmask/aqmask say not. */
void zv_host_cfg_default(struct zv_host_cfg *cfg);
/* Parse a JSON host description.  0, or -EINVAL with err naming the JSON
 * path and the problem. */
int zv_host_cfg_parse(const char *text, struct zv_host_cfg *cfg, char *err,
                      size_t errlen);
/* Relative image paths become relative to dir. -ENAMETOOLONG. */
int zv_host_cfg_resolve(struct zv_host_cfg *cfg, const char *dir);

struct zv_host_dev {
    struct zv_host_cfg *cfgp; /* not used */
    struct zv_host_dev_cfg cfg;
    struct css_dev *dev; /* DASD or testdev_css_dev */
    struct testdev *td;
    struct fba_img *fimg;
    struct ckd_img *cimg;
    struct subchannel *sch; /* NULL once lost */
    bool lost;              /* device-loss injected */
};

struct zv_host {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct ap_bus *ap;      /* NULL: no adapters configured */
    struct zv_vfio_ap *vap; /* the vfio_ap driver on ap */
    struct zv_host_cfg cfg;
    unsigned ndev;
    struct zv_host_dev dev[ZV_HOST_MAX_DEV];
    bool image_io_said; /* the log named the image I/O in use */
};

/* Build the host described by cfg (copied) on loop.  0, or -errno with
 * err filled. */
int zv_host_new(struct zv_loop *loop, const struct zv_host_cfg *cfg,
                struct zv_host **out, char *err, size_t errlen);
/* Flush every image to stable storage.  0 or the first -errno. */
int zv_host_flush(struct zv_host *h);
/* Unbinds, undefines and frees everything (images flushed and closed). */
void zv_host_free(struct zv_host *h);

/* The device on subchannel "0.<ssid>.<sch_no>", NULL if none. */
struct zv_host_dev *zv_host_dev_find(struct zv_host *h, uint8_t ssid,
                                     uint16_t sch_no);
/* Parse "0.0.0100" / "0.1.abcd" (cssid 0): 0 or -EINVAL. */
int zv_host_parse_busid(const char *s, uint8_t *ssid, uint16_t *no);
const char *zv_host_dev_type_name(enum zv_host_dev_type t);
/* "cex4".."cex8" <-> enum ap_type, "accel"/"cca"/"ep11" <-> enum ap_mode:
 * -EINVAL for others. */
int zv_host_ap_type_parse(const char *s, enum ap_type *out);
int zv_host_ap_mode_parse(const char *s, enum ap_mode *out);
const char *zv_host_ap_type_name(enum ap_type t);
const char *zv_host_ap_mode_name(enum ap_mode m);
/* Control unit and device type/model the device reports in Sense ID. */
void zv_host_dev_ident(const struct zv_host_dev *d, uint16_t *cu_type,
                       uint8_t *cu_model, uint16_t *dev_type,
                       uint8_t *dev_model);

#endif
