/* SPDX-License-Identifier: MIT */
/*
 * ctl: the control plane of zvfiod (DESIGN.md src/ctl/, docs/zvfiod.md).
 *
 * A zv_ctl owns the mediated devices of one zv_host: their definitions
 * (persisted in STATE_DIR/mdevctl.d/<parent>/<uuid> in mdevctl's JSON
 * format), their vfio-user servers (STATE_DIR/mdev/<uuid>.sock) and the
 * control socket, a QMP-like line-delimited JSON protocol: a greeting,
 * {"execute", "arguments", "id"} requests answered by {"return"} or
 * {"error": {"class", "desc"}}, and {"event", "data"} notices.
 *
 * Everything runs on the host's loop thread.
 */
#ifndef ZV_CTL_CTL_H
#define ZV_CTL_CTL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "ctl/host.h"

#define ZV_CTL_VERSION  "0.1"
#define ZV_CTL_LINE_MAX 65536 /* longest request line accepted */

struct zv_ctl;

/* state_dir must exist.  Creates state_dir/mdev and state_dir/mdevctl.d. */
int zv_ctl_new(struct zv_host *host, const char *state_dir,
               struct zv_ctl **out);
/* Recreate the persisted mdev definitions (binding their parents) and
 * start those marked "auto".  Returns how many failed (each logged). */
int zv_ctl_restore(struct zv_ctl *ctl);
/* Listen on path (must not exist; mode 0600). */
int zv_ctl_listen(struct zv_ctl *ctl, const char *path);
/* Run one request object; returns the reply object (caller puts it). */
struct json_object *zv_ctl_execute(struct zv_ctl *ctl, struct json_object *req);
/* Has a "quit" been executed? */
bool zv_ctl_quit_requested(const struct zv_ctl *ctl);
/* Send an event to every control client. */
void zv_ctl_event(struct zv_ctl *ctl, const char *name,
                  struct json_object *data);
/* Stop every server (clients disconnected, devices closed), close the
 * control socket and unlink every socket path. */
void zv_ctl_free(struct zv_ctl *ctl);

#endif
