/* SPDX-License-Identifier: MIT */
/*
 * End-to-end host for vfio-ccw: a real DASD model (FBA 9336 or ECKD 3390
 * over a Hercules-format image in $TMPDIR) on a host CSS, the vfio-ccw
 * driver bound to its subchannel, one mdev, and a guest_chan over it
 * (guest/chan_vfio) -- or, for comparison, straight on the host CSS
 * (guest/chan_css).
 */
#ifndef ZV_TESTS_VFIO_CCW_E2E_H
#define ZV_TESTS_VFIO_CCW_E2E_H

#include <stdbool.h>
#include <stdint.h>

#include "css/css.h"
#include "guest/chan.h"
#include "img/img.h"
#include "vfio_ccw/vfio_ccw.h"

#define E2E_GUEST_BASE 0x10000ull
#define E2E_GUEST_SIZE (8u << 20)
#define E2E_UUID       "0b5c7f00-1c1e-4d6a-9e43-5d2b8a1c0e77"

struct e2e {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct subchannel *sch;
    struct css_dev *dev;
    struct fba_img *fimg;
    struct ckd_img *cimg;
    char path[256];
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct zv_vdev *vd;
    struct guest_chan *ch;
};

enum e2e_path {
    E2E_VFIO, /* through the mediated device */
    E2E_CSS,  /* straight on the host CSS */
};

/* 0 or -1 (message on stderr). */
int e2e_new_fba(struct e2e *e, uint64_t blocks, enum e2e_path path);
int e2e_new_eckd(struct e2e *e, uint32_t cyls, enum e2e_path path);
void e2e_free(struct e2e *e);

#endif
