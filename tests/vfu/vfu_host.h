/* SPDX-License-Identifier: MIT */
/*
 * A host for vfio-user tests, the fuzz target and the bench: a real loop,
 * host storage, a channel subsystem with two channel paths and one I/O
 * subchannel holding a test device (src/dev/testdev: NOP, Sense ID...),
 * the vfio-ccw driver bound to it, one mdev created (not opened), and a
 * vfio-user server for it.  The loop may run on a thread of its own
 * (vfu_host_start / vfu_host_stop) while a client drives the device from
 * the calling thread.
 */
#ifndef ZV_TESTS_VFU_HOST_H
#define ZV_TESTS_VFU_HOST_H

#include <pthread.h>
#include <stdbool.h>

#include "css/css.h"
#include "dev/testdev.h"
#include "vfio_ccw/vfio_ccw.h"
#include "vfu/server.h"

#define VFU_HOST_SCH_NO 0x0100
#define VFU_HOST_DEVNO  0x5000
#define VFU_HOST_UUID   "0b6f1e28-7c1c-4a57-8e35-6d1f1f2a0001"
/* Sense ID of the test device: CU 3990-E9, device 3390-0C */
#define VFU_HOST_CU_TYPE  0x3990
#define VFU_HOST_DEV_TYPE 0x3390

struct vfu_host {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct testdev *td;
    struct subchannel *sch;
    struct zv_vdev *vd; /* our reference */
    struct zv_vfu_server *srv;
    char dir[64];   /* temp dir holding the socket */
    char path[128]; /* the socket ("" when listen is false) */
    pthread_t thread;
    bool running;
};

/* 0 or -errno; listen: bind a socket in a fresh temp dir. */
int vfu_host_new(struct vfu_host *h, bool listen);
void vfu_host_free(struct vfu_host *h);
/* Run the loop on a thread until vfu_host_stop. */
int vfu_host_start(struct vfu_host *h);
void vfu_host_stop(struct vfu_host *h);
/* Run fn(arg) on the loop thread and wait for it (loop running). */
void vfu_host_call(struct vfu_host *h, void (*fn)(void *), void *arg);
/* Server statistics, read on the loop thread. */
void vfu_host_stats(struct vfu_host *h, struct zv_vfu_server_stats *st);
/* Open descriptors of this process (entries of /proc/self/fd). */
int vfu_fd_count(void);

#endif
