/* SPDX-License-Identifier: MIT */
/*
 * vfu/server: serves one zv_vdev over vfio-user (DESIGN.md src/vfu/,
 * docs/vfio-user.md).
 *
 * A server listens on a UNIX stream socket (or is handed a connected
 * one) and serves one client at a time on the real loop; a client that
 * connects while another is attached waits in the listen backlog (its
 * VERSION is answered once the first client has gone), so a client that
 * reconnects at once after a crash is never turned away.
 *
 * The first message must be VERSION; it opens the device.  The server then
 * answers DMA_MAP (exactly one fd: a regular file or memfd, mmap'd; a
 * memfd must be sealed against shrinking, F_SEAL_SHRINK, so the client
 * cannot pull pages from under a mapping), DMA_UNMAP (exact match of an
 * earlier map; the device stops using the range first), DEVICE_GET_INFO,
 * DEVICE_GET_REGION_INFO (with the capability chain), DEVICE_GET_IRQ_INFO,
 * DEVICE_SET_IRQS (eventfds as SCM_RIGHTS), REGION_READ/WRITE and
 * DEVICE_RESET.  Other commands get ENOTSUP, unknown ones EINVAL.
 *
 * Every fd a client passes is the server's from the moment it arrives and
 * is closed exactly once: at once if the message is refused or after it
 * was used (DMA_MAP keeps the mapping, not the fd; SET_IRQS hands the vdev
 * its own duplicate).  A client that disconnects at any moment, sends a
 * message the framing cannot survive (size out of range) or stops reading
 * its replies leaves a closed device, no mapping and no fd behind; the
 * server goes on accepting.
 *
 * Loop-thread only, like the vdev it serves.
 */
#ifndef ZV_VFU_SERVER_H
#define ZV_VFU_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/loop.h"
#include "vfio/vdev.h"

struct zv_vfu_server;

/* What the server advertises in VERSION. */
#define ZV_VFU_SERVER_MAX_MSG_FDS   8
#define ZV_VFU_SERVER_MAX_DATA_XFER (1u << 20)

/*
 * Serve vd (the server takes its own reference).  path: the socket to
 * bind and listen on (it must not exist; the caller picks its mode by
 * umask or chmod); NULL for a server that is only given connections with
 * zv_vfu_server_attach().  0 or -errno.
 */
int zv_vfu_server_new(struct zv_loop *loop, struct zv_vdev *vd,
                      const char *path, struct zv_vfu_server **out);
/* Disconnects the client, stops listening, unlinks the socket path and
 * drops the vdev reference. */
void zv_vfu_server_free(struct zv_vfu_server *s);
/*
 * Serve an already connected stream socket (socketpair end, inherited
 * --fd=N).  The server owns fd from here on, even on error: -EBUSY when
 * a client is attached, -errno from the loop.
 */
int zv_vfu_server_attach(struct zv_vfu_server *s, int fd);
bool zv_vfu_server_connected(const struct zv_vfu_server *s);

struct zv_vfu_server_stats {
    uint64_t clients;     /* connections served */
    uint64_t rejected;    /* attach() while a client was attached */
    uint64_t messages;    /* commands dispatched */
    uint64_t errors;      /* error replies sent */
    uint64_t ignored;     /* replies the client sent unasked, dropped */
    uint64_t disconnects; /* by the server: framing or I/O failure */
    uint32_t dma_maps;    /* mappings now */
};
void zv_vfu_server_stats(const struct zv_vfu_server *s,
                         struct zv_vfu_server_stats *st);

#endif
