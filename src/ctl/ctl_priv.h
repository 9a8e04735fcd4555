/* SPDX-License-Identifier: MIT */
/* ctl internals shared by ctl.c (commands) and server.c (the socket). */
#ifndef ZV_CTL_CTL_PRIV_H
#define ZV_CTL_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl.h"
#include "vfu/server.h"

#define ZV_CTL_MAX_MDEV    64
#define ZV_CTL_MAX_CLIENTS 16
#define ZV_CTL_OUT_MAX     (4u << 20) /* unread replies before a drop */

struct ctl_mdev {
    bool used;
    char uuid[ZV_MDEV_UUID_LEN + 1];
    char parent[16];
    struct zv_host_dev *hd;    /* vfio_ccw-io: the subchannel; NULL for AP */
    bool ap;                   /* vfio_ap-passthrough on "matrix" */
    struct json_object *attrs; /* AP: the ordered attrs, as mdevctl's */
    bool defined;              /* persisted in mdevctl.d */
    bool autostart;            /* "start": "auto" */
    struct zv_vdev *vd;
    struct zv_vfu_server *srv;
    char sock[ZV_HOST_PATH_MAX + 64];
    /* mdev-remove asked the client to let go (request IRQ): removed when
     * it disconnects, or at the deadline */
    bool removing;
    uint64_t remove_deadline;
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
    char ap_state[ZV_HOST_PATH_MAX]; /* STATE_DIR/ap-masks.json */
    struct ctl_mdev mdev[ZV_CTL_MAX_MDEV];
    struct ctl_chp chp[ZV_HOST_MAX_CHP];
    bool quit;
    int listen_fd;
    char listen_path[ZV_HOST_PATH_MAX];
    struct ctl_client *clients[ZV_CTL_MAX_CLIENTS];
    zv_timer_id remove_poll; /* pending removals are watched by one timer */
};

typedef struct json_object *(*cmd_fn)(struct zv_ctl *ctl,
                                      struct json_object *args);
struct ctl_cmd {
    const char *name;
    cmd_fn fn;
};

struct json_object *ctl_capabilities(void);
void ctl_server_close(struct zv_ctl *ctl);

/* ---- helpers of the commands (ctl.c) ---- */

struct json_object *ctl_reply_err(const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ret NULL: an empty object */
struct json_object *ctl_reply_ok(struct json_object *ret);
void ctl_hex_add(struct json_object *o, const char *key, unsigned v, int width);
const char *ctl_busid(char *buf, size_t len, uint8_t ssid, uint16_t no);
struct json_object *ctl_arg_get(struct json_object *args, const char *key);
/* NULL when absent or not a string */
const char *ctl_arg_str(struct json_object *args, const char *key);
/* 0/1, -1 when absent, -2 when not a boolean */
int ctl_arg_bool(struct json_object *args, const char *key);
/* A numeric argument: a JSON integer in [0, max] goes to *out (0); a
 * string is left in *str for the caller's own syntax (1); -ENOENT when
 * absent, -EINVAL for anything else. */
int ctl_arg_num(struct json_object *args, const char *key, uint64_t max,
                uint64_t *out, const char **str);
/* o[key] = v, a counter */
void ctl_u64_add(struct json_object *o, const char *key, uint64_t v);
/* The subchannel argument key: a present, defined device, or the error
 * reply to send. */
struct json_object *ctl_arg_sch(struct zv_ctl *ctl, struct json_object *args,
                                const char *key, struct zv_host_dev **out);
unsigned ctl_mdevs_on(struct zv_ctl *ctl, const struct zv_host_dev *hd);
/* Stop watching pending removals (the ctl is going away). */
void ctl_mdev_remove_cancel(struct zv_ctl *ctl);
bool ctl_sch_bound_vfio(const struct zv_host_dev *hd);

/* ---- mediated devices (mdev.c) ---- */

struct ctl_mdev *ctl_mdev_find(struct zv_ctl *ctl, const char *uuid);
/* The "uuid" argument: an existing mdev, or the error reply to send. */
struct json_object *ctl_arg_mdev(struct zv_ctl *ctl, struct json_object *args,
                                 struct ctl_mdev **out);
/* Stop serving, close, remove the instance (the definition stays). */
void ctl_mdev_destroy(struct zv_ctl *ctl, struct ctl_mdev *m);
struct json_object *ctl_cmd_mdev_create(struct zv_ctl *ctl,
                                        struct json_object *args);
struct json_object *ctl_cmd_mdev_remove(struct zv_ctl *ctl,
                                        struct json_object *args);
struct json_object *ctl_cmd_query_mdevs(struct zv_ctl *ctl,
                                        struct json_object *args);
struct json_object *ctl_cmd_mdev_start(struct zv_ctl *ctl,
                                       struct json_object *args);
struct json_object *ctl_cmd_mdev_stop(struct zv_ctl *ctl,
                                      struct json_object *args);

/* Write m's definition (mdevctl.d/<parent>/<uuid>). 0 or -errno. */
int ctl_def_write(struct zv_ctl *ctl, const struct ctl_mdev *m);

/* ---- AP (ap.c) ---- */

extern const struct ctl_cmd ctl_ap_cmds[]; /* NULL-terminated */
/* "EADDRINUSE" for -EADDRINUSE (the names the AP commands answer with) */
const char *ctl_errno_name(int err);
/* Apply the persisted apmask/aqmask (before the mdevs are restored, as
 * the kernel's ap.apmask= / ap.aqmask= precede mdevctl).  0 or -errno. */
int ctl_ap_restore(struct zv_ctl *ctl);
/* One attribute write on an AP mdev: 0 or the kernel's -errno. */
int ctl_ap_attr_apply(struct ctl_mdev *m, const char *name, const char *val);

#endif
