/* SPDX-License-Identifier: MIT */
/*
 * vfu/server private: the connection state shared by server.c (framing,
 * fds, connections) and server_cmd.c (the commands).
 */
#ifndef ZV_VFU_SERVER_PRIV_H
#define ZV_VFU_SERVER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfu/msg.h"
#include "vfu/server.h"

#define VFU_SRV_MAX_FDS  ZV_VFU_SERVER_MAX_MSG_FDS
#define VFU_SRV_RECV_FDS 253 /* SCM_MAX_FD: what one recvmsg can bring */
/* The largest message either way: a REGION_WRITE request or REGION_READ
 * reply of the largest count (a VERSION, region info or SET_IRQS is
 * smaller, and is bounded by this too). */
#define VFU_SRV_MAX_MSG                                                        \
    (ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE + ZV_VFU_SERVER_MAX_DATA_XFER)

struct vfu_dma {
    uint64_t iova;
    uint64_t len;
    void *host; /* our mmap of the client's fd */
};

/* fds that arrived with the message starting at stream offset owner */
struct vfu_fdset {
    uint64_t owner;
    int fds[VFU_SRV_MAX_FDS];
    size_t n;
    bool overflow;
};

struct vfu_conn {
    int fd; /* -1: no client */
    bool negotiated;
    bool opened;            /* we hold the vdev open */
    zv_timer_id open_timer; /* VERSION waits for the device */
    unsigned open_tries;
    struct vfu_hdr version; /* the VERSION request being answered */
    uint16_t minor;         /* agreed minor */
    struct vfu_caps peer;
    /* input: bytes received, not yet dispatched, at in + rx_off; rx_pos
     * is their offset in the stream */
    size_t rx_off, rx_len;
    uint64_t rx_pos;
    zv_timer_id rx_more; /* messages left over from a burst */
    /* a REGION_WRITE reply held back while the loop has work due (the
     * program the write started) and the device has not signalled an
     * IRQ since, and how many turns it has waited */
    zv_timer_id tx_later;
    unsigned tx_turns;
    uint64_t tx_signals; /* zv_vdev_signals when the reply was made */
    bool defer;          /* the reply being made may be held back */
    struct vfu_hdr h;    /* of the message being dispatched */
    /* the fds of the message being dispatched */
    int fds[VFU_SRV_MAX_FDS];
    size_t nfds;
    bool fd_overflow; /* more fds came than fit: the message is refused */
    /* fds received for messages not dispatched yet (at most two: the
     * message being completed and the one after it) */
    struct vfu_fdset pend[2];
    unsigned npend;
    /* output: replies at out, out_off of out_len bytes sent; while cork
     * is set (serving buffered messages) replies queue up to go in one
     * send; out_blocked: the socket said EAGAIN, ZV_LOOP_OUT watched */
    size_t out_len, out_off;
    bool cork, out_blocked;
    /* DMA mappings (bounded by ZV_VDEV_MAX_DMA_MAPS through the vdev) */
    struct vfu_dma *dma;
    size_t ndma, dma_cap;
};

struct zv_vfu_server {
    struct zv_loop *loop;
    struct zv_vdev *vd;
    int lfd;
    char *path;
    struct vfu_conn conn;
    uint8_t *in; /* received bytes (VFU_SRV_MAX_MSG: one whole message) */
    /* replies being sent: VFU_SRV_OUT_CAP bytes (one whole reply after
     * up to VFU_SRV_CORK_ROOM bytes of queued ones) */
    uint8_t *out;
    struct zv_vfu_server_stats stats;
};

/* server.c */
int vfu_srv_watch(struct zv_vfu_server *s, unsigned events);
/* Queued replies stay below this before the next is made (beyond it they
 * are sent first), so a whole reply always fits after them. */
#define VFU_SRV_CORK_ROOM 4096u
#define VFU_SRV_OUT_CAP   (VFU_SRV_MAX_MSG + VFU_SRV_CORK_ROOM)

/* Where the next reply's payload goes (after any queued replies). */
static inline uint8_t *
vfu_srv_payload(struct zv_vfu_server *s)
{
    return s->out + s->conn.out_len + ZV_VFU_HDR_SIZE;
}
/* Send the reply whose payload (payload bytes) is at vfu_srv_payload. */
void vfu_srv_reply(struct zv_vfu_server *s, const struct vfu_hdr *req,
                   size_t payload);
void vfu_srv_reply_err(struct zv_vfu_server *s, const struct vfu_hdr *req,
                       int err);
/* Hang up on the client and release everything it had.  Idempotent. */
void vfu_srv_drop(struct zv_vfu_server *s, const char *why);
/* Is the message after the one being dispatched already buffered, and a
 * REGION_READ? */
bool vfu_srv_read_follows(const struct zv_vfu_server *s);
/* Is a reply still going out, or a reply deferred? */
bool vfu_srv_busy(const struct zv_vfu_server *s);
void vfu_srv_resume(struct zv_vfu_server *s);

/* server_cmd.c: one complete message; fds in s->conn.fds (closed by the
 * caller afterwards, unless a command set them to -1). */
void vfu_srv_dispatch(struct zv_vfu_server *s, const struct vfu_hdr *h,
                      const uint8_t *p, size_t n);

#endif
