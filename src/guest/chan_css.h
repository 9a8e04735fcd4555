/* SPDX-License-Identifier: MIT */
/*
 * guest/chan_css: a guest_chan straight on the host channel subsystem.
 * Guest memory is an arena in the CSS's absolute storage (below 2 GiB, so
 * format-1 CCWs reach it without IDAWs); the channel binds to the
 * subchannel as a host driver and queues the IRBs its irq() receives.
 */
#ifndef ZV_GUEST_CHAN_CSS_H
#define ZV_GUEST_CHAN_CSS_H

#include "css/css.h"
#include "guest/chan.h"

/*
 * Bind to sch and map mem_size bytes of guest memory at mem_base in
 * css_storage(css).  -EINVAL (memory at/above 2 GiB), -EBUSY (a driver is
 * bound), -ENOMEM.
 */
int guest_chan_css_new(struct css *css, struct subchannel *sch,
                       uint64_t mem_base, uint64_t mem_size,
                       struct guest_chan **out);

#endif
