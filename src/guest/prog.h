/* SPDX-License-Identifier: MIT */
/*
 * guest/prog: format-1 channel programs in guest memory, started through
 * a guest_chan and waited for (used by the DASD library and by tests).
 */
#ifndef ZV_GUEST_PROG_H
#define ZV_GUEST_PROG_H

#include <stdint.h>

#include "guest/chan.h"

struct guest_prog {
    struct guest_chan *ch;
    uint64_t addr; /* guest address of CCW 0 */
    uint8_t *host; /* host view of the CCW area */
    unsigned n;    /* CCWs built */
    unsigned cap;
    uint32_t intparm;
};

#define GUEST_IO_TIMEOUT_NS (30ull * 1000000000ull)

/* Allocate room for cap CCWs in the channel's arena. */
int guest_prog_init(struct guest_prog *p, struct guest_chan *ch, unsigned cap);
void guest_prog_fini(struct guest_prog *p);
static inline void
guest_prog_reset(struct guest_prog *p)
{
    p->n = 0;
}
/* Append a CCW; returns its index or -ENOSPC. */
int guest_prog_add(struct guest_prog *p, uint8_t cmd, uint8_t flags,
                   uint16_t count, uint32_t cda);
uint64_t guest_prog_ccw_addr(const struct guest_prog *p, unsigned i);
/*
 * SSCH (format-1 ORB, prefetch, 64-bit IDAWs, lpm 0 = all) and wait for
 * the final status: the IRB with primary status, or alert status alone
 * (deferred condition code).  Intermediate (PCI) status is skipped.
 * Returns 0 with *irb filled, the SSCH cc (1-3) as a positive number, or
 * -errno (-ETIMEDOUT, -ENODEV).
 */
int guest_prog_run(struct guest_prog *p, uint8_t lpm, struct irb *irb);

/* Did the program end cleanly (CE+DE, no subchannel status but PCI)? */
bool guest_irb_ok(const struct irb *irb);

#endif
