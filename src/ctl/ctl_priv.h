/* SPDX-License-Identifier: MIT */
/* ctl internals shared by ctl.c (commands) and server.c (the socket). */
#ifndef ZV_CTL_CTL_PRIV_H
#define ZV_CTL_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl/ctl.h"
#include "vfu/server.h"

#define ZV_CTL_MAX_MDEV    64
#define ZV_CTL_MAX_CLIENTS 16
#define ZV_CTL_OUT_MAX     (4u << 20) /* unread replies before a drop */

struct ctl_mdev {
    bool used;
    char uuid[ZV_MDEV_UUID_LEN + 1];
    char parent[16];
    struct zv_host_dev *hd;
    bool defined;   /* persisted in mdevctl.d */
    bool autostart; /* "start": "auto" */
    struct zv_vdev *vd;
    struct zv_vfu_server *srv;
    char sock[ZV_HOST_PATH_MAX + 64];
};

struct ctl_chp {
    bool configured, varied_on, failed;
};

struct ctl_client {
    int fd;
    char *in;
    size_t in_len;
    bool discarding; /* the rest of a line that was too long */
    char *out;
    size_t out_len;
};

struct zv_ctl {
    struct zv_host *host;
    struct zv_loop *loop;
    char sock_dir[ZV_HOST_PATH_MAX];
    char def_dir[ZV_HOST_PATH_MAX];
    struct ctl_mdev mdev[ZV_CTL_MAX_MDEV];
    struct ctl_chp chp[ZV_HOST_MAX_CHP];
    bool quit;
    int listen_fd;
    char listen_path[ZV_HOST_PATH_MAX];
    struct ctl_client *clients[ZV_CTL_MAX_CLIENTS];
};

struct json_object *ctl_capabilities(void);
void ctl_server_close(struct zv_ctl *ctl);

#endif
