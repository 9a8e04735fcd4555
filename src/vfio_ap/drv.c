/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap/drv: the AP queue driver "vfio_ap", the matrix device as mdev
 * parent with its one type "vfio_ap-passthrough", and mdev create and
 * remove (reference §2.1-§2.3, §2.6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "vfio_ap/vfio_ap_priv.h"

static const struct zv_mdev_type vap_types[] = {
    {.name = "passthrough",
     .description = "VFIO AP Passthrough Device",
     .max_instances = ZV_VFIO_AP_MAX_INSTANCES},
};

struct vap_queue *
vap_queue_get(const struct zv_vfio_ap *drv, uint16_t apqn)
{
    struct vap_queue *q = drv->q[apqn];

    return q && q->bound ? q : NULL;
}

void
vap_queue_update_usable(struct vap_queue *q)
{
    struct ap_mask *u = &q->drv->usable[AP_QN_APID(q->apqn)];

    if (q->bound && vap_rc_passable(q->reset_rc))
        ap_mask_set(u, AP_QN_APQI(q->apqn));
    else
        ap_mask_clear(u, AP_QN_APQI(q->apqn));
}

struct vap_mdev *
vap_mdev_of(const struct zv_vdev *vd)
{
    if (!vd || !zv_vdev_has_ops(vd, &vap_vdev_ops))
        return NULL;
    return zv_vdev_drvdata(vd);
}

struct vap_mdev *
vap_mdev_by_apqn(const struct zv_vfio_ap *drv, uint16_t apqn)
{
    for (struct vap_mdev *m = drv->mdevs; m; m = m->next)
        if (ap_mask_test(&m->matrix.apm, AP_QN_APID(apqn)) &&
            ap_mask_test(&m->matrix.aqm, AP_QN_APQI(apqn)))
            return m;
    return NULL;
}

/* ---- AP driver callbacks ---- */

static int
vap_probe(struct ap_queue *hq, void *arg)
{
    struct zv_vfio_ap *drv = arg;
    uint16_t apqn = ap_queue_apqn(hq);
    struct vap_queue *q = drv->q[apqn];

    /* DRV: vfio_ap drives CEX4 (type 10) and later only. */
    if (ap_queue_type(hq) < AP_TYPE_CEX4)
        return -ENODEV;
    if (!q) {
        q = calloc(1, sizeof(*q));
        if (!q)
            return -ENOMEM;
        q->drv = drv;
        q->apqn = apqn;
        drv->q[apqn] = q;
    }
    q->hq = hq;
    q->bound = true;
    /* A fresh queue object in the kernel: no reset outcome yet (a reset
     * still being verified keeps its own). */
    if (q->rstate == VAP_RS_IDLE)
        q->reset_rc = AP_RC_NORMAL;
    ap_queue_set_drvdata(hq, q);
    vap_queue_update_usable(q);
    vap_queue_probed(q);
    return 0;
}

static void
vap_remove(struct ap_queue *hq, void *arg)
{
    struct vap_queue *q = ap_queue_drvdata(hq);

    if (!q)
        return;
    vap_queue_removed(q);
    q->bound = false;
    q->hq = NULL;
    vap_queue_update_usable(q);
}

static int
vap_ap_in_use(const struct ap_mask *apm, const struct ap_mask *aqm, void *arg)
{
    return vap_in_use(arg, apm, aqm);
}

static void
vap_on_config_changed(const struct ap_config *cur, const struct ap_config *prev,
                      void *arg)
{
    vap_cfg_changed(arg, cur, prev);
}

static void
vap_on_scan_complete(const struct ap_config *cur, const struct ap_config *prev,
                     void *arg)
{
    vap_scan_complete(arg);
}

static void
vap_irq(struct ap_queue *hq, void *arg)
{
    struct vap_queue *q = ap_queue_drvdata(hq);

    if (q)
        vap_queue_irq(q);
}

/* ---- mdevs ---- */

static void
vap_mdev_unlist(struct vap_mdev *m)
{
    for (struct vap_mdev **pm = &m->drv->mdevs; *pm; pm = &(*pm)->next) {
        if (*pm == m) {
            *pm = m->next;
            return;
        }
    }
}

static int
vap_create(struct zv_mdev_parent *mp, unsigned type, const char *uuid,
           struct zv_vdev **out)
{
    static const struct zv_vdev_desc desc = {
        .api = ZV_VFIO_DEVICE_API_AP_STRING,
        .flags = ZV_VFIO_DEVICE_FLAGS_AP | ZV_VFIO_DEVICE_FLAGS_RESET,
        .num_irqs = ZV_VFIO_AP_NUM_IRQS_EXT,
    };
    struct zv_vfio_ap *drv = zv_mdev_parent_data(mp);
    struct vap_mdev *m = calloc(1, sizeof(*m));

    if (!m)
        return -ENOMEM;
    m->drv = drv;
    memcpy(m->uuid, uuid, ZV_MDEV_UUID_LEN);
    vap_matrix_init(m);
    m->vd = zv_vdev_new(&desc, &vap_vdev_ops, m);
    if (!m->vd) {
        free(m);
        return -ENOMEM;
    }
    if (zv_vdev_add_region(m->vd, ZV_VFIO_AP_INSN_REGION_INDEX, ZV_AP_INSN_SIZE,
                           ZV_VFIO_REGION_INFO_FLAG_READ |
                               ZV_VFIO_REGION_INFO_FLAG_WRITE,
                           NULL, 0))
        goto err_put_vdev;
    for (unsigned i = 0; i < ZV_VFIO_AP_NUM_IRQS_EXT; i++)
        zv_vdev_set_irq_info(m->vd, i, 1, ZV_VFIO_IRQ_INFO_EVENTFD);
    m->next = drv->mdevs;
    drv->mdevs = m;
    *out = m->vd;
    return 0;

err_put_vdev:
    /* release() frees m */
    zv_vdev_put(m->vd);
    return -ENOMEM;
}

/* The vdev is being unregistered (mdev remove): reset every queue, unlink
 * them, leave the list (OPS-G remove).  m itself lives until release. */
void
vap_mdev_destroy(struct vap_mdev *m)
{
    if (!m->drv)
        return;
    vap_reset_mdev(m);
    vap_unlink_all(m);
    vap_mdev_unlist(m);
    m->drv = NULL;
}

static const struct zv_mdev_parent_ops vap_parent_ops = {
    .create = vap_create,
};

/* ---- the driver instance ---- */

struct zv_vfio_ap *
zv_vfio_ap_new(struct ap_bus *bus, struct zv_mdev_bus *mbus)
{
    struct zv_vfio_ap *drv;

    if (!bus || !mbus)
        return NULL;
    drv = calloc(1, sizeof(*drv));
    if (!drv)
        return NULL;
    drv->bus = bus;
    drv->loop = ap_bus_loop(bus);
    drv->mbus = mbus;
    ap_bus_qci_info(bus, &drv->info);
    drv->parent =
        zv_mdev_parent_register(mbus, ZV_VFIO_AP_DRIVER, ZV_VFIO_AP_PARENT,
                                vap_types, 1, &vap_parent_ops, drv);
    if (!drv->parent)
        goto err_free;
    drv->apdrv = (struct ap_driver){
        .name = ZV_VFIO_AP_DRIVER,
        .default_driver = false,
        .arg = drv,
        .probe = vap_probe,
        .remove = vap_remove,
        .in_use = vap_ap_in_use,
        .on_config_changed = vap_on_config_changed,
        .on_scan_complete = vap_on_scan_complete,
        .irq = vap_irq,
    };
    if (ap_driver_register(bus, &drv->apdrv))
        goto err_unregister_parent;
    return drv;

err_unregister_parent:
    zv_mdev_parent_unregister(drv->parent);
err_free:
    free(drv);
    return NULL;
}

void
zv_vfio_ap_free(struct zv_vfio_ap *drv)
{
    if (!drv)
        return;
    /* mdevs first (their queues are reset and unlinked), then the queues
     * leave the driver, then the pending reset timers go. */
    zv_mdev_parent_unregister(drv->parent);
    ap_driver_unregister(drv->bus, &drv->apdrv);
    for (unsigned i = 0; i < VAP_NQUEUES; i++) {
        if (!drv->q[i])
            continue;
        vap_reset_cancel(drv->q[i]);
        free(drv->q[i]);
    }
    free(drv);
}

struct zv_mdev_parent *
zv_vfio_ap_parent(const struct zv_vfio_ap *drv)
{
    return drv->parent;
}

const struct ap_driver *
zv_vfio_ap_ap_driver(const struct zv_vfio_ap *drv)
{
    return &drv->apdrv;
}

const char *
zv_vfio_ap_queue_status(const struct zv_vfio_ap *drv, uint16_t apqn)
{
    const struct vap_queue *q = vap_queue_get(drv, apqn);
    const struct vap_mdev *m;

    if (!q)
        return NULL;
    m = q->mdev;
    if (!m)
        return "unassigned";
    /* After the 2023 fix: "in use" only if the guest can see it. */
    if (m->attached && ap_mask_test(&m->shadow.apm, AP_QN_APID(apqn)) &&
        ap_mask_test(&m->shadow.aqm, AP_QN_APQI(apqn)))
        return "in use";
    return "assigned";
}

int
zv_vfio_ap_get_matrix(const struct zv_vdev *vd,
                      struct zv_vfio_ap_matrix *assigned,
                      struct zv_vfio_ap_matrix *guest)
{
    const struct vap_mdev *m = vap_mdev_of(vd);

    if (!m)
        return -EINVAL;
    if (assigned)
        *assigned = m->matrix;
    if (guest)
        *guest = m->shadow;
    return 0;
}

bool
zv_vfio_ap_queue_usable(const struct zv_vfio_ap *drv, uint16_t apqn)
{
    return ap_mask_test(&drv->usable[AP_QN_APID(apqn)], AP_QN_APQI(apqn));
}

void
zv_vfio_ap_host_config(const struct zv_vfio_ap *drv, struct ap_config *out)
{
    *out = drv->info;
}

int
zv_vfio_ap_counters(const struct zv_vdev *vd, struct zv_vfio_ap_counters *out)
{
    const struct vap_mdev *m = vap_mdev_of(vd);

    if (!m)
        return -EINVAL;
    *out = m->cnt;
    if (m->drv) {
        out->resets = m->drv->resets;
        out->resets_failed = m->drv->resets_failed;
        out->resets_active = m->drv->resets_active;
    }
    return 0;
}

int
zv_vfio_ap_filter_preview(const struct zv_vdev *vd,
                          struct zv_vfio_ap_matrix *out)
{
    const struct vap_mdev *m = vap_mdev_of(vd);

    if (!m || !m->drv)
        return -EINVAL;
    vap_filter_into(m, out);
    return 0;
}
