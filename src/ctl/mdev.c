/* SPDX-License-Identifier: MIT */
/*
 * The mediated devices of the host: their life cycle (instance, vfio-user
 * server), their definitions in mdevctl's format
 * (STATE_DIR/mdevctl.d/<parent>/<uuid>: {"mdev_type", "start", "attrs"}),
 * recreated at daemon start, and the mdev control commands.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "ctl/ctl_priv.h"

static int mdev_stop(struct zv_ctl *ctl, struct ctl_mdev *m);

struct json_object *
ctl_arg_mdev(struct zv_ctl *ctl, struct json_object *args,
             struct ctl_mdev **out)
{
    const char *uuid = ctl_arg_str(args, "uuid");

    if (!uuid)
        return ctl_reply_err("InvalidParameter", "argument 'uuid' is required");
    if (!zv_mdev_uuid_valid(uuid))
        return ctl_reply_err("InvalidParameter", "malformed UUID \"%.40s\"",
                             uuid);
    *out = ctl_mdev_find(ctl, uuid);
    if (!*out)
        return ctl_reply_err("DeviceNotFound", "no mdev %s", uuid);
    return NULL;
}

void
ctl_mdev_destroy(struct zv_ctl *ctl, struct ctl_mdev *m)
{
    mdev_stop(ctl, m);
    if (m->vd) {
        zv_vdev_close(m->vd);
        zv_vdev_put(m->vd);
        m->vd = NULL;
    }
    zv_mdev_remove(ctl->host->bus, m->uuid);
    json_object_put(m->attrs);
    memset(m, 0, sizeof(*m));
}

struct ctl_mdev *
ctl_mdev_find(struct zv_ctl *ctl, const char *uuid)
{
    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++)
        if (ctl->mdev[i].used && strcasecmp(ctl->mdev[i].uuid, uuid) == 0)
            return &ctl->mdev[i];
    return NULL;
}

static void
def_path(struct zv_ctl *ctl, const struct ctl_mdev *m, char *buf, size_t len,
         bool dir_only)
{
    if (dir_only)
        snprintf(buf, len, "%s/%s", ctl->def_dir, m->parent);
    else
        snprintf(buf, len, "%s/%s/%s", ctl->def_dir, m->parent, m->uuid);
}

static const char *
mdev_type(const struct ctl_mdev *m)
{
    return m->ap ? ZV_VFIO_AP_TYPE_ID : ZV_VFIO_CCW_TYPE_ID;
}

/* Write the definition atomically (temp file + rename). */
int
ctl_def_write(struct zv_ctl *ctl, const struct ctl_mdev *m)
{
    struct json_object *o = json_object_new_object();
    char dir[ZV_HOST_PATH_MAX + 32], path[ZV_HOST_PATH_MAX + 96],
        tmp[ZV_HOST_PATH_MAX + 112];
    const char *text;
    FILE *f;
    int rc = 0;

    json_object_object_add(o, "mdev_type",
                           json_object_new_string(mdev_type(m)));
    json_object_object_add(
        o, "start", json_object_new_string(m->autostart ? "auto" : "manual"));
    /* mdevctl's attrs: an array of one-member objects, applied in order */
    json_object_object_add(o, "attrs",
                           m->attrs ? json_object_get(m->attrs)
                                    : json_object_new_array());
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                 JSON_C_TO_STRING_SPACED);
    def_path(ctl, m, dir, sizeof(dir), true);
    def_path(ctl, m, path, sizeof(path), false);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        rc = -errno;
    else if (!(f = fopen(tmp, "w")))
        rc = -errno;
    else {
        if (fprintf(f, "%s\n", text) < 0)
            rc = -EIO;
        if (fflush(f) || fsync(fileno(f)))
            rc = -errno;
        if (fclose(f) && !rc)
            rc = -EIO;
        if (!rc && rename(tmp, path) < 0)
            rc = -errno;
        if (rc)
            unlink(tmp);
    }
    json_object_put(o);
    return rc;
}

static void
def_remove(struct zv_ctl *ctl, const struct ctl_mdev *m)
{
    char dir[ZV_HOST_PATH_MAX + 32], path[ZV_HOST_PATH_MAX + 96];

    def_path(ctl, m, dir, sizeof(dir), true);
    def_path(ctl, m, path, sizeof(path), false);
    unlink(path);
    rmdir(dir); /* only if empty */
}

static int
mdev_stop(struct zv_ctl *ctl, struct ctl_mdev *m)
{
    if (!m->srv)
        return -EALREADY;
    zv_vfu_server_free(m->srv); /* disconnects, closes, unlinks */
    m->srv = NULL;
    zv_log(ZV_LOG_INFO, "mdev: stopped serving %s", m->uuid);
    (void)ctl;
    return 0;
}

static int
mdev_start(struct zv_ctl *ctl, struct ctl_mdev *m)
{
    char path[sizeof(m->sock)];
    int rc;

    if (m->srv)
        return -EALREADY;
    if (!m->vd)
        return -ENODEV;
    /* through a local buffer: m lives inside ctl, and GCC cannot tell the
     * destination from the sources otherwise (-Wrestrict) */
    snprintf(path, sizeof(path), "%s/%s.sock", ctl->sock_dir, m->uuid);
    memcpy(m->sock, path, sizeof(path));
    unlink(m->sock); /* a stale socket of a daemon that was killed */
    rc = zv_vfu_server_new(ctl->loop, m->vd, m->sock, &m->srv);
    if (rc) {
        m->srv = NULL;
        return rc;
    }
    chmod(m->sock, 0600);
    zv_log(ZV_LOG_INFO, "mdev: serving %s on %s", m->uuid, m->sock);
    return 0;
}

/* Create the instance on hd (bound to vfio_ccw), or on "matrix". */
static int
mdev_instantiate(struct zv_ctl *ctl, struct ctl_mdev *m)
{
    struct zv_mdev_parent *mp =
        m->ap ? (ctl->host->vap ? zv_vfio_ap_parent(ctl->host->vap) : NULL)
              : zv_vfio_ccw_parent(ctl->host->drv, m->hd->sch);
    int rc;

    if (!mp)
        return -ENODEV;
    rc = zv_mdev_create(mp, mdev_type(m), m->uuid, NULL);
    if (rc)
        return rc;
    m->vd = zv_mdev_find(ctl->host->bus, m->uuid);
    return m->vd ? 0 : -ENODEV;
}

static struct ctl_mdev *
mdev_slot(struct zv_ctl *ctl)
{
    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++)
        if (!ctl->mdev[i].used)
            return &ctl->mdev[i];
    return NULL;
}

static void
uuid_lower(char *dst, const char *src)
{
    for (unsigned i = 0; i <= ZV_MDEV_UUID_LEN; i++)
        dst[i] =
            (char)((src[i] >= 'A' && src[i] <= 'F') ? src[i] + 32 : src[i]);
}

/*
 * Apply attrs (mdevctl's array of one-member objects) in order to an AP
 * mdev.  0, or the first refusal: its -errno, with *bad the index.
 */
static int
attrs_apply(struct ctl_mdev *m, struct json_object *attrs, size_t *bad)
{
    for (size_t i = 0; i < json_object_array_length(attrs); i++) {
        struct json_object *it = json_object_array_get_idx(attrs, i);
        int rc = -EINVAL;

        *bad = i;
        if (!json_object_is_type(it, json_type_object) ||
            json_object_object_length(it) != 1)
            return -EINVAL;
        json_object_object_foreach(it, k, v)
        {
            if (!json_object_is_type(v, json_type_string) ||
                (strncmp(k, "assign_", 7) && strncmp(k, "unassign_", 9) &&
                 strcmp(k, "ap_config")))
                return -EINVAL;
            rc = ctl_ap_attr_apply(m, k, json_object_get_string(v));
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* mdev-create with type vfio_ap-passthrough: parent "matrix", optional
 * "attrs" applied in order (all or nothing). */
static struct json_object *
mdev_create_ap(struct zv_ctl *ctl, struct json_object *args, const char *uuid)
{
    const char *parent = ctl_arg_str(args, "parent"),
               *start = ctl_arg_str(args, "start");
    struct json_object *attrs = ctl_arg_get(args, "attrs");
    struct ctl_mdev *m;
    size_t bad = 0;
    int rc;

    if (ctl_arg_get(args, "parent") &&
        (!parent || strcmp(parent, ZV_VFIO_AP_PARENT) != 0))
        return ctl_reply_err("InvalidParameter", "the parent of %s is \"%s\"",
                             ZV_VFIO_AP_TYPE_ID, ZV_VFIO_AP_PARENT);
    if (!ctl->host->vap)
        return ctl_reply_err("DeviceNotFound",
                             "this host has no AP adapters (\"ap\" section)");
    if (attrs && !json_object_is_type(attrs, json_type_array))
        return ctl_reply_err("InvalidParameter",
                             "'attrs' must be an array of "
                             "{\"assign_adapter\": \"5\"}-style objects");
    if (ctl_mdev_find(ctl, uuid))
        return ctl_reply_err("AlreadyExists", "mdev %s already exists", uuid);
    m = mdev_slot(ctl);
    if (!m)
        return ctl_reply_err("GenericError", "too many mdevs (at most %d)",
                             ZV_CTL_MAX_MDEV);
    memset(m, 0, sizeof(*m));
    uuid_lower(m->uuid, uuid);
    snprintf(m->parent, sizeof(m->parent), "%s", ZV_VFIO_AP_PARENT);
    m->ap = true;
    m->autostart = start && strcmp(start, "auto") == 0;
    m->defined = ctl_arg_bool(args, "persist") != 0;
    rc = mdev_instantiate(ctl, m);
    if (rc) {
        memset(m, 0, sizeof(*m));
        return ctl_reply_err("GenericError", "create %s on %s: %s", uuid,
                             ZV_VFIO_AP_PARENT, strerror(-rc));
    }
    m->used = true;
    if (attrs && (rc = attrs_apply(m, attrs, &bad))) {
        ctl_mdev_destroy(ctl, m);
        return ctl_reply_err("InvalidParameter",
                             "attrs[%zu] of %s: %s (%s): nothing created", bad,
                             uuid, ctl_errno_name(rc), strerror(-rc));
    }
    m->attrs = attrs ? json_object_get(attrs) : json_object_new_array();
    if (m->defined && (rc = ctl_def_write(ctl, m))) {
        ctl_mdev_destroy(ctl, m);
        return ctl_reply_err("GenericError", "persist %s: %s", uuid,
                             strerror(-rc));
    }
    zv_log(ZV_LOG_INFO, "mdev: created %s on %s%s", m->uuid, ZV_VFIO_AP_PARENT,
           m->defined ? " (defined)" : "");
    return ctl_reply_ok(NULL);
}

struct json_object *
ctl_cmd_mdev_create(struct zv_ctl *ctl, struct json_object *args)
{
    const char *uuid = ctl_arg_str(args, "uuid"),
               *type = ctl_arg_str(args, "type"),
               *start = ctl_arg_str(args, "start");
    int persist = ctl_arg_bool(args, "persist");
    struct zv_host_dev *hd;
    struct json_object *e;
    struct ctl_mdev *m;
    char buf[16];
    int rc;

    if (!uuid)
        return ctl_reply_err("InvalidParameter", "argument 'uuid' is required");
    if (!zv_mdev_uuid_valid(uuid))
        return ctl_reply_err("InvalidParameter",
                             "malformed UUID \"%.40s\" (expected "
                             "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex)",
                             uuid);
    if (type && strcmp(type, ZV_VFIO_CCW_TYPE_ID) != 0 &&
        strcmp(type, ZV_VFIO_AP_TYPE_ID) != 0)
        return ctl_reply_err(
            "InvalidParameter",
            "unknown mdev type \"%.40s\" (this host offers %s and %s)", type,
            ZV_VFIO_CCW_TYPE_ID, ZV_VFIO_AP_TYPE_ID);
    if (start && strcmp(start, "auto") != 0 && strcmp(start, "manual") != 0)
        return ctl_reply_err("InvalidParameter",
                             "'start' must be \"auto\" or \"manual\"");
    if (persist == -2)
        return ctl_reply_err("InvalidParameter", "'persist' must be a boolean");
    if (type && strcmp(type, ZV_VFIO_AP_TYPE_ID) == 0)
        return mdev_create_ap(ctl, args, uuid);
    if (ctl_arg_get(args, "attrs"))
        return ctl_reply_err("InvalidParameter",
                             "%s has no attributes ('attrs')",
                             ZV_VFIO_CCW_TYPE_ID);
    e = ctl_arg_sch(ctl, args, "parent", &hd);
    if (e)
        return e;
    ctl_busid(buf, sizeof(buf), hd->cfg.ssid, hd->cfg.sch_no);
    if (ctl_mdev_find(ctl, uuid))
        return ctl_reply_err("AlreadyExists", "mdev %s already exists", uuid);
    if (!ctl_sch_bound_vfio(hd))
        return ctl_reply_err("NotBound",
                             "subchannel %s is not bound to %s (bind it first)",
                             buf, ZV_VFIO_CCW_DRIVER);
    if (ctl_mdevs_on(ctl, hd))
        return ctl_reply_err("DeviceBusy",
                             "subchannel %s already has its one instance of %s",
                             buf, ZV_VFIO_CCW_TYPE_ID);
    m = mdev_slot(ctl);
    if (!m)
        return ctl_reply_err("GenericError", "too many mdevs (at most %d)",
                             ZV_CTL_MAX_MDEV);
    memset(m, 0, sizeof(*m));
    uuid_lower(m->uuid, uuid);
    snprintf(m->parent, sizeof(m->parent), "%s", buf);
    m->hd = hd;
    m->autostart = start && strcmp(start, "auto") == 0;
    m->defined = persist != 0;
    rc = mdev_instantiate(ctl, m);
    if (rc) {
        memset(m, 0, sizeof(*m));
        return ctl_reply_err(rc == -ENOSPC ? "DeviceBusy" : "GenericError",
                             "create %s on %s: %s", uuid, buf, strerror(-rc));
    }
    m->used = true;
    if (m->defined && (rc = ctl_def_write(ctl, m))) {
        ctl_mdev_destroy(ctl, m);
        return ctl_reply_err("GenericError", "persist %s: %s", uuid,
                             strerror(-rc));
    }
    zv_log(ZV_LOG_INFO, "mdev: created %s on %s%s", m->uuid, buf,
           m->defined ? " (defined)" : "");
    return ctl_reply_ok(NULL);
}

static void
mdev_remove_now(struct zv_ctl *ctl, struct ctl_mdev *m)
{
    struct json_object *ev = json_object_new_object();

    if (m->defined)
        def_remove(ctl, m);
    json_object_object_add(ev, "uuid", json_object_new_string(m->uuid));
    zv_log(ZV_LOG_INFO, "mdev: removed %s", m->uuid);
    ctl_mdev_destroy(ctl, m);
    zv_ctl_event(ctl, "MDEV_REMOVED", ev);
}

#define CTL_REMOVE_POLL_NS (100 * ZV_NSEC_PER_MSEC)
/* How long a client gets to let go after the request IRQ (QEMU unplugs
 * the device at once; the guest need not cooperate). */
#define CTL_REMOVE_WAIT_NS (10 * ZV_NSEC_PER_SEC)

static void
mdev_remove_poll(void *arg)
{
    struct zv_ctl *ctl = arg;
    uint64_t now = zv_loop_now(ctl->loop);
    bool more = false;

    ctl->remove_poll = 0;
    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++) {
        struct ctl_mdev *m = &ctl->mdev[i];
        bool client;

        if (!m->used || !m->removing)
            continue;
        client = m->srv && zv_vfu_server_connected(m->srv);
        if (client && now < m->remove_deadline) {
            more = true;
            continue;
        }
        if (client)
            zv_log(ZV_LOG_WARNING,
                   "mdev: the client of %s did not let go after the "
                   "request; disconnected",
                   m->uuid);
        mdev_remove_now(ctl, m);
    }
    if (more)
        ctl->remove_poll =
            zv_loop_after(ctl->loop, CTL_REMOVE_POLL_NS, mdev_remove_poll, ctl);
}

void
ctl_mdev_remove_cancel(struct zv_ctl *ctl)
{
    if (ctl->remove_poll)
        zv_loop_cancel(ctl->loop, ctl->remove_poll);
    ctl->remove_poll = 0;
}

/*
 * With a client attached and "force", removal goes the way the kernel's
 * mdev remove does: the request IRQ asks the client to release the
 * device (QEMU unplugs it from the guest and closes it), the mdev goes
 * when the client has disconnected, or after CTL_REMOVE_WAIT_NS by force.
 * The reply says {"pending": true} then; MDEV_REMOVED follows.  A client
 * that never armed the request IRQ is disconnected at once.
 */
struct json_object *
ctl_cmd_mdev_remove(struct zv_ctl *ctl, struct json_object *args)
{
    struct ctl_mdev *m;
    struct json_object *e = ctl_arg_mdev(ctl, args, &m), *r;
    bool client;

    if (e)
        return e;
    client = m->srv && zv_vfu_server_connected(m->srv);
    if (client && ctl_arg_bool(args, "force") != 1)
        return ctl_reply_err("DeviceBusy",
                             "mdev %s has a client attached (stop it, or "
                             "\"force\": true)",
                             m->uuid);
    if (client &&
        (m->removing ||
         (m->vd && zv_vdev_signal(m->vd, m->ap ? ZV_VFIO_AP_REQ_IRQ_INDEX
                                               : ZV_VFIO_CCW_REQ_IRQ_INDEX)))) {
        if (m->defined)
            def_remove(ctl, m);
        m->defined = false;
        if (!m->removing) {
            m->removing = true;
            m->remove_deadline = zv_loop_now(ctl->loop) + CTL_REMOVE_WAIT_NS;
            zv_log(ZV_LOG_INFO, "mdev: asked the client of %s to release it",
                   m->uuid);
        }
        if (!ctl->remove_poll)
            ctl->remove_poll = zv_loop_after(ctl->loop, CTL_REMOVE_POLL_NS,
                                             mdev_remove_poll, ctl);
        r = json_object_new_object();
        json_object_object_add(r, "pending", json_object_new_boolean(true));
        return ctl_reply_ok(r);
    }
    mdev_remove_now(ctl, m);
    return ctl_reply_ok(NULL);
}

struct json_object *
ctl_cmd_query_mdevs(struct zv_ctl *ctl, struct json_object *args)
{
    struct json_object *a = json_object_new_array();

    (void)args;
    for (unsigned i = 0; i < ZV_CTL_MAX_MDEV; i++) {
        struct ctl_mdev *m = &ctl->mdev[i];
        struct json_object *o;

        if (!m->used)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "uuid", json_object_new_string(m->uuid));
        json_object_object_add(o, "parent", json_object_new_string(m->parent));
        json_object_object_add(o, "type", json_object_new_string(mdev_type(m)));
        json_object_object_add(o, "defined",
                               json_object_new_boolean(m->defined));
        json_object_object_add(
            o, "start",
            json_object_new_string(m->autostart ? "auto" : "manual"));
        json_object_object_add(o, "active",
                               json_object_new_boolean(m->srv != NULL));
        json_object_object_add(o, "socket",
                               m->srv ? json_object_new_string(m->sock) : NULL);
        json_object_object_add(
            o, "client",
            json_object_new_boolean(m->srv && zv_vfu_server_connected(m->srv)));
        json_object_object_add(o, "removing",
                               json_object_new_boolean(m->removing));
        json_object_object_add(
            o, "state",
            json_object_new_string(!m->vd  ? "gone"
                                   : m->ap ? "matrix"
                                           : zv_vfio_ccw_state_name(m->vd)));
        if (m->ap)
            json_object_object_add(o, "attrs",
                                   m->attrs ? json_object_get(m->attrs)
                                            : json_object_new_array());
        json_object_array_add(a, o);
    }
    return ctl_reply_ok(a);
}

struct json_object *
ctl_cmd_mdev_start(struct zv_ctl *ctl, struct json_object *args)
{
    struct ctl_mdev *m;
    struct json_object *e = ctl_arg_mdev(ctl, args, &m), *r, *ev;
    int rc;

    if (e)
        return e;
    if (m->hd && m->hd->lost)
        return ctl_reply_err("DeviceNotFound", "the device of mdev %s is gone",
                             m->uuid);
    rc = mdev_start(ctl, m);
    if (rc == -EALREADY)
        return ctl_reply_err("DeviceBusy", "mdev %s is already started on %s",
                             m->uuid, m->sock);
    if (rc)
        return ctl_reply_err("GenericError", "start %s: %s", m->uuid,
                             strerror(-rc));
    r = json_object_new_object();
    json_object_object_add(r, "socket", json_object_new_string(m->sock));
    ev = json_object_new_object();
    json_object_object_add(ev, "uuid", json_object_new_string(m->uuid));
    json_object_object_add(ev, "socket", json_object_new_string(m->sock));
    zv_ctl_event(ctl, "MDEV_STARTED", ev);
    return ctl_reply_ok(r);
}

struct json_object *
ctl_cmd_mdev_stop(struct zv_ctl *ctl, struct json_object *args)
{
    struct ctl_mdev *m;
    struct json_object *e = ctl_arg_mdev(ctl, args, &m), *ev;

    if (e)
        return e;
    if (mdev_stop(ctl, m))
        return ctl_reply_err("NotActive", "mdev %s is not started", m->uuid);
    ev = json_object_new_object();
    json_object_object_add(ev, "uuid", json_object_new_string(m->uuid));
    zv_ctl_event(ctl, "MDEV_STOPPED", ev);
    return ctl_reply_ok(NULL);
}

/*
 * Read one definition file as mdevctl reads it: an object with
 * "mdev_type" (ours: vfio_ccw-io, or vfio_ap-passthrough under "matrix")
 * and "start" (mdevctl refuses a file without it, and then lists nothing,
 * so we refuse it too); a "start" other than "auto" means manual for
 * both; "attrs" an array (applied in order to an AP mdev; vfio_ccw-io has
 * none).  *attrs gets a reference (NULL when absent).
 */
static int
def_read(const char *path, bool ap, bool *autostart, struct json_object **attrs)
{
    const char *want = ap ? ZV_VFIO_AP_TYPE_ID : ZV_VFIO_CCW_TYPE_ID;
    struct json_object *o = json_object_from_file(path), *v;
    int rc = -EINVAL;

    *attrs = NULL;
    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "mdev_type", &v) ||
        !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), want) != 0)
        zv_log(ZV_LOG_WARNING, "mdev: %s: not an mdevctl definition of type %s",
               path, want);
    else if (!json_object_object_get_ex(o, "start", &v) ||
             !json_object_is_type(v, json_type_string))
        zv_log(ZV_LOG_WARNING, "mdev: %s: no \"start\" (mdevctl needs it)",
               path);
    else {
        *autostart = strcmp(json_object_get_string(v), "auto") == 0;
        rc = 0;
        if (!json_object_object_get_ex(o, "attrs", &v))
            ;
        else if (!json_object_is_type(v, json_type_array)) {
            zv_log(ZV_LOG_WARNING, "mdev: %s: \"attrs\" is not an array", path);
            rc = -EINVAL;
        } else if (ap)
            *attrs = json_object_get(v);
        else if (json_object_array_length(v) > 0)
            zv_log(ZV_LOG_WARNING, "mdev: %s: attributes ignored (%s has none)",
                   path, want);
    }
    json_object_put(o);
    return rc;
}

/* The ccw half of restore_one: bind the parent subchannel. */
static int
restore_ccw(struct zv_ctl *ctl, struct ctl_mdev *m, const char *path,
            const char *parent)
{
    int rc;

    if (!ctl_sch_bound_vfio(m->hd) &&
        (rc = zv_vfio_ccw_bind(ctl->host->drv, m->hd->sch))) {
        zv_log(ZV_LOG_WARNING, "mdev: %s: bind %s: %s", path, parent,
               strerror(-rc));
        return rc;
    }
    return 0;
}

static int
restore_one(struct zv_ctl *ctl, const char *parent, const char *uuid)
{
    char path[ZV_HOST_PATH_MAX + 600];
    bool ap = strcmp(parent, ZV_VFIO_AP_PARENT) == 0;
    struct json_object *attrs = NULL;
    struct zv_host_dev *hd = NULL;
    struct ctl_mdev *m;
    bool autostart = false;
    size_t bad = 0;
    uint8_t ssid;
    uint16_t no;
    int rc;

    snprintf(path, sizeof(path), "%s/%s/%s", ctl->def_dir, parent, uuid);
    if (!zv_mdev_uuid_valid(uuid) ||
        (!ap && zv_host_parse_busid(parent, &ssid, &no))) {
        zv_log(ZV_LOG_WARNING,
               "mdev: %s: not <subchannel>/<uuid> or matrix/<uuid>, ignored",
               path);
        return -EINVAL;
    }
    if (ap && !ctl->host->vap) {
        zv_log(ZV_LOG_WARNING, "mdev: %s: this host has no AP adapters", path);
        return -ENODEV;
    }
    if (!ap && !(hd = zv_host_dev_find(ctl->host, ssid, no))) {
        zv_log(ZV_LOG_WARNING, "mdev: %s: no subchannel %s on this host", path,
               parent);
        return -ENODEV;
    }
    rc = def_read(path, ap, &autostart, &attrs);
    if (rc)
        return rc;
    if (ctl_mdev_find(ctl, uuid) || (hd && ctl_mdevs_on(ctl, hd)) ||
        !(m = mdev_slot(ctl))) {
        zv_log(ZV_LOG_WARNING, "mdev: %s: duplicate or no room, ignored", path);
        json_object_put(attrs);
        return -EEXIST;
    }
    memset(m, 0, sizeof(*m));
    uuid_lower(m->uuid, uuid);
    snprintf(m->parent, sizeof(m->parent), "%.15s", parent);
    m->hd = hd;
    m->ap = ap;
    m->defined = true;
    m->autostart = autostart;
    if (!ap && (rc = restore_ccw(ctl, m, path, parent))) {
        memset(m, 0, sizeof(*m));
        return rc;
    }
    rc = mdev_instantiate(ctl, m);
    if (rc) {
        zv_log(ZV_LOG_WARNING, "mdev: %s: create: %s", path, strerror(-rc));
        json_object_put(attrs);
        memset(m, 0, sizeof(*m));
        return rc;
    }
    m->used = true;
    /* mdevctl applies the attrs in order and gives up at the first write
     * the kernel refuses; the mdev stays, with what was applied */
    if (attrs && (rc = attrs_apply(m, attrs, &bad)))
        zv_log(ZV_LOG_WARNING, "mdev: %s: attrs[%zu]: %s (%s)", path, bad,
               ctl_errno_name(rc), strerror(-rc));
    m->attrs = attrs ? attrs : json_object_new_array();
    zv_log(ZV_LOG_INFO, "mdev: restored %s on %s (start %s)", m->uuid, parent,
           m->autostart ? "auto" : "manual");
    if (m->autostart && (rc = mdev_start(ctl, m)))
        zv_log(ZV_LOG_WARNING, "mdev: %s: start: %s", m->uuid, strerror(-rc));
    return 0;
}

int
zv_ctl_restore(struct zv_ctl *ctl)
{
    DIR *top;
    struct dirent *pe;
    int failed = ctl_ap_restore(ctl) != 0;

    top = opendir(ctl->def_dir);
    if (!top)
        return failed;
    while ((pe = readdir(top))) {
        char sub[ZV_HOST_PATH_MAX + 300];
        struct dirent *ue;
        DIR *d;

        /* scripts.d holds mdevctl's callouts and notifiers (a copy of
         * /etc/mdevctl.d has it), not a parent */
        if (pe->d_name[0] == '.' || strcmp(pe->d_name, "scripts.d") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", ctl->def_dir, pe->d_name);
        d = opendir(sub);
        if (!d)
            continue;
        while ((ue = readdir(d)))
            if (ue->d_name[0] != '.' && !strstr(ue->d_name, ".tmp"))
                failed += restore_one(ctl, pe->d_name, ue->d_name) != 0;
        closedir(d);
    }
    closedir(top);
    return failed;
}
