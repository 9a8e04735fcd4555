/* SPDX-License-Identifier: MIT */
/*
 * A host of DASDs served over vfio-user, for the chan_vfu tests, the
 * zvfio-guest tests and the bench: a real loop, a channel subsystem with
 * two channel paths and one subchannel per device, each an FBA 9336 or an
 * ECKD 3390 (CDL, volser ZV00nn) on an image in a fresh temp dir, the
 * vfio-ccw driver bound to each, one mdev per subchannel and a vfio-user
 * server on <dir>/dasdN.sock.  The loop may run on a thread of its own
 * (vfu_dasd_host_start/stop) while clients drive the devices.
 */
#ifndef ZV_TESTS_VFU_DASD_HOST_H
#define ZV_TESTS_VFU_DASD_HOST_H

#include <pthread.h>
#include <stdbool.h>

#include "css/css.h"
#include "dev/dev.h"
#include "img/img.h"
#include "vfio_ccw/vfio_ccw.h"
#include "vfu/server.h"

#define VFU_DASD_MAX       8
#define VFU_DASD_FBA_BLKS  16384 /* 8 MiB */
#define VFU_DASD_ECKD_CYLS 10

struct vfu_dasd {
    bool eckd;
    char img[160];
    char path[160]; /* the socket */
    struct fba_img *fimg;
    struct ckd_img *cimg;
    struct css_dev *dev;
    struct subchannel *sch;
    struct zv_vdev *vd; /* our reference */
    struct zv_vfu_server *srv;
};

struct vfu_dasd_host {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    unsigned n;
    struct vfu_dasd d[VFU_DASD_MAX];
    char dir[64];
    pthread_t thread;
    bool running;
};

/* kinds: one letter per device, 'F' (FBA) or 'E' (ECKD CDL).  fba_blocks
 * and eckd_cyls 0 take the defaults above; cfg (may be NULL) sets the
 * device latency and faults of every device.  0 or -errno. */
int vfu_dasd_host_new(struct vfu_dasd_host *h, const char *kinds,
                      uint64_t fba_blocks, uint32_t eckd_cyls,
                      const struct dasd_config *cfg);
void vfu_dasd_host_free(struct vfu_dasd_host *h);
int vfu_dasd_host_start(struct vfu_dasd_host *h);
void vfu_dasd_host_stop(struct vfu_dasd_host *h);
/* Run fn(arg) on the loop thread and wait for it (loop running). */
void vfu_dasd_host_call(struct vfu_dasd_host *h, void (*fn)(void *), void *arg);

#endif
