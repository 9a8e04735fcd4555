/* SPDX-License-Identifier: MIT */
/*
 * guest/chan: how a guest-side driver reaches one subchannel.
 *
 * The DASD library (guest/dasd*.c) builds channel programs in guest memory
 * and runs them through a guest_chan.  Two backends implement it, so the
 * same driver code tests both paths:
 *  - chan_css: straight on the host channel subsystem (guest memory = host
 *    absolute storage; the channel binds as a host driver to take IRBs);
 *  - chan_vfio: through a vfio-ccw mediated device in process (guest memory
 *    DMA-mapped into the device's IOVA space; I/O region, IRQ eventfds).
 */
#ifndef ZV_GUEST_CHAN_H
#define ZV_GUEST_CHAN_H

#include <stdint.h>

#include "arch/arch.h"
#include "base/loop.h"
#include "base/mem.h"

struct guest_chan;

struct guest_chan_ops {
    /* START SUBCHANNEL with orb (cpa: a guest address).  Returns the cc
     * (0-3) or -errno (e.g. -EFAULT/-EINVAL from a mediator). */
    int (*ssch)(struct guest_chan *ch, const struct orb *orb);
    int (*hsch)(struct guest_chan *ch);
    int (*csch)(struct guest_chan *ch);
    /* Current SCHIB (path masks, device number). 0 or -errno. */
    int (*stsch)(struct guest_chan *ch, struct schib *schib);
    /* Enable (MSCH E=1, ISC, intparm) / disable. 0 or -errno. */
    int (*enable)(struct guest_chan *ch, uint32_t intparm, uint8_t isc);
    /* Run the loop until the next I/O interruption's IRB is available,
     * or timeout_ns of loop time passed: 0, -ETIMEDOUT, -ENODEV. */
    int (*wait_irb)(struct guest_chan *ch, struct irb *irb,
                    uint64_t timeout_ns);
    void (*destroy)(struct guest_chan *ch);
};

struct guest_chan {
    const struct guest_chan_ops *ops;
    struct zv_loop *loop;
    struct zv_as *mem;      /* guest memory: where CCWs/IDAWs/data live */
    struct zv_arena *arena; /* allocator of guest memory (below 2 GiB) */
};

static inline void
guest_chan_destroy(struct guest_chan *ch)
{
    if (ch)
        ch->ops->destroy(ch);
}

#endif
