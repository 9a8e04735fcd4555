/* SPDX-License-Identifier: MIT */
/*
 * guest/chan_vfio: a guest_chan through a vfio-ccw mediated device, in
 * process, the way QEMU's hw/vfio/ccw.c drives the kernel device
 * (vfio-ccw.md §3.5): SSCH by writing the I/O region, HSCH/CSCH through
 * the async command region, STSCH from the SCHIB region, IRBs read from
 * the I/O region when the IO IRQ fires.
 *
 * Guest memory is its own address space (ch->mem) with an arena at
 * [mem_base, mem_base + mem_size) (below 2 GiB: format-1 CCW addresses),
 * DMA-mapped 1:1 (guest address = IOVA) into the device.
 */
#ifndef ZV_GUEST_CHAN_VFIO_H
#define ZV_GUEST_CHAN_VFIO_H

#include "guest/chan.h"
#include "vfio/vdev.h"

/*
 * Opens vd (it must not be open), maps the guest memory, installs IRQ
 * callbacks.  The channel holds its own reference to vd.  -EINVAL,
 * -EBUSY (already open), -ENODEV, -ENOMEM.
 */
int guest_chan_vfio_new(struct zv_vdev *vd, struct zv_loop *loop,
                        uint64_t mem_base, uint64_t mem_size,
                        struct guest_chan **out);
/* How many times the device asked the user to let go (REQ IRQ). */
unsigned guest_chan_vfio_requests(const struct guest_chan *ch);

#endif
