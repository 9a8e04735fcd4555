/* SPDX-License-Identifier: MIT */
/*
 * guest/ap_vfu: a guest's AP (crypto) client over the vfio-user client
 * library: a vfio_ap mdev served by zvfiod, driven as a Linux guest's AP
 * bus and zcrypt drive the adapters KVM gives them, except that the AP
 * instructions go through the device's instruction region
 * (docs/ap.md "The guest AP path") instead of being interpreted by
 * firmware.
 *
 * Guest memory is a sealed memfd DMA-mapped at [mem_base, mem_base +
 * mem_size): request messages, reply buffers and the QCI block live there
 * and the server reads and writes those pages.  The REQ and CFG_CHG
 * interrupts are eventfds: a CFG_CHG means the guest matrix changed and
 * the guest should ask QCI again (what Linux's AP bus does on the
 * configuration-change notification).
 */
#ifndef ZV_GUEST_AP_VFU_H
#define ZV_GUEST_AP_VFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/ap.h"
#include "zvfio/client.h"

struct guest_ap;

/* Takes over client c (closed by guest_ap_free, and on error here):
 * checks it serves a vfio-ap device with the instruction region, maps
 * guest memory, registers the REQ and CFG_CHG eventfds.  -ENODEV (not an
 * AP device), -EINVAL, -ENOMEM, or the client's -errno. */
int guest_ap_new(struct zv_vfu_client *c, uint64_t mem_base, uint64_t mem_size,
                 struct guest_ap **out);
void guest_ap_free(struct guest_ap *g);

/* PQAP(QCI): the guest's AP configuration (its matrix). 0 or -errno
 * (-EIO: the instruction ended with a program check or cc != 0). */
int guest_ap_qci(struct guest_ap *g, struct ap_config *cfg);
/* PQAP(TAPQ) with T: the status word and the adapter information. */
int guest_ap_tapq(struct guest_ap *g, uint16_t apqn, struct ap_qstatus *st,
                  struct ap_tapq_info *info);

/*
 * One request as zcrypt sends it: NQAP of req (len bytes), then DQAP
 * until its reply (matched by psmid) arrives or timeout_ms passes.  The
 * reply is copied to reply (at most reply_max bytes), *reply_len set.
 * 0; -EIO with *aprc the AP response code when the queue refused
 * (RC 01 not available, 03 deconfigured, ...); -ETIMEDOUT; -errno.
 */
int guest_ap_request(struct guest_ap *g, uint16_t apqn, const void *req,
                     size_t len, void *reply, size_t reply_max,
                     size_t *reply_len, uint8_t *aprc, unsigned timeout_ms);

/* Configuration-change interrupts seen so far (the CFG_CHG eventfd is
 * read, without blocking, on every call). */
unsigned guest_ap_cfg_changes(struct guest_ap *g);
/* REQ interrupts (the device asked to be let go). */
unsigned guest_ap_requests(struct guest_ap *g);

#endif
