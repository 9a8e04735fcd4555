/* SPDX-License-Identifier: MIT */
#ifndef ZV_TOOLS_DEMO_DASD_TOUR_H
#define ZV_TOOLS_DEMO_DASD_TOUR_H

#include <stdint.h>

#include "css/css.h"

struct tour;

/* Make the images and define two DASD subchannels from first_sch on.
 * NULL on ENOMEM; otherwise a tour that tour_run() refuses (-1) if a step
 * failed (message on stderr).  Free it with tour_free + tour_free_devices.
 */
struct tour *tour_define(struct css *css, struct zv_loop *loop,
                         uint16_t first_sch, const uint8_t *chpids,
                         unsigned nchp);
/* FBA online on the host CSS, ECKD online through vfio-ccw; write, read,
 * compare on both.  0 or -1. */
int tour_run(struct tour *t);
/* Before css_free(): drivers and channels. */
void tour_free(struct tour *t);
/* After css_free(): devices, images, files. */
void tour_free_devices(struct tour *t);

#endif
