/* SPDX-License-Identifier: MIT */
/*
 * guest/chan_vfu: a guest_chan over the vfio-user client library
 * (include/zvfio/client.h): the device lives in another process (zvfiod)
 * or on another thread, and is driven as chan_vfio drives a zv_vdev in
 * process, but through the socket: SSCH by REGION_WRITE of the I/O
 * region, HSCH/CSCH through the async command region, STSCH from the
 * SCHIB region, the IRB read from the I/O region once the IO eventfd
 * fired.  The capability regions are found by their type/subtype, not by
 * index.
 *
 * Guest memory is a sealed memfd mmap'd here and DMA-mapped 1:1 (guest
 * address = IOVA) at [mem_base, mem_base + mem_size) (below 2 GiB:
 * format-1 CCW addresses), so the server reads and writes the very pages
 * the DASD library builds its programs in: no copy on our side.
 *
 * The IO, CRW and REQ interrupts are eventfds; wait_irb polls the IO and
 * REQ ones with the request's timeout (wall time).  A REQ interrupt (the
 * device is going away) makes every later wait answer -ENODEV.
 */
#ifndef ZV_GUEST_CHAN_VFU_H
#define ZV_GUEST_CHAN_VFU_H

#include <stdbool.h>

#include "guest/chan.h"
#include "zvfio/client.h"

/*
 * Takes over client c (closed by guest_chan_destroy, and on error here):
 * checks it serves a vfio-ccw device, finds its regions, maps guest
 * memory, registers the three eventfds.  -ENODEV (not a CCW device, or a
 * region missing), -EINVAL, -ENOMEM, or the client's -errno.
 */
int guest_chan_vfu_new(struct zv_vfu_client *c, uint64_t mem_base,
                       uint64_t mem_size, struct guest_chan **out);

/* The eventfds (for a caller that polls several channels); read-only use:
 * poll them, never read them (the channel counts what it reads). */
int guest_chan_vfu_io_fd(const struct guest_chan *ch);
int guest_chan_vfu_crw_fd(const struct guest_chan *ch);
int guest_chan_vfu_req_fd(const struct guest_chan *ch);

/* REQ interrupts seen so far (the device asked us to let go). */
unsigned guest_chan_vfu_requests(struct guest_chan *ch);
/*
 * Next channel report word from the CRW region, if the CRW eventfd fired
 * or one was left: 1 and *crw, 0 when none is pending, -errno.
 */
int guest_chan_vfu_crw(struct guest_chan *ch, struct crw *crw);
/* Status the device presented without a wait_irb asking for it (an
 * unsolicited interrupt): 1 and *irb, 0 if none, -errno.  Non-blocking. */
int guest_chan_vfu_poll_irb(struct guest_chan *ch, struct irb *irb);
/* The client handle (still owned by the channel). */
struct zv_vfu_client *guest_chan_vfu_client(struct guest_chan *ch);

#endif
