/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the matrix mdev's attribute writes (untrusted
 * text from whoever may write sysfs or send zvfioctl commands), mixed
 * with apmask/aqmask writes and queue bind/unbind.
 *
 * Input: a sequence of records { u8 op, u8 len, len bytes of text }.
 * op selects the mdev (bit 7) and the attribute or bus action.
 * Invariants after every record: a refused write changed nothing; no
 * APQN is assigned to two mdevs; no assigned APQN is host-reserved; the
 * guest matrix is what a fresh filter gives; every show attribute fits
 * its format and ap_config reads back what it accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fz_input.h"
#include "vfio_ap/vfio_ap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const attrs[] = {
    "assign_adapter",
    "unassign_adapter",
    "assign_domain",
    "unassign_domain",
    "assign_control_domain",
    "unassign_control_domain",
    "ap_config",
    "matrix",
    "guest_matrix",
    "control_domains",
    "nonsense",
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

struct fz {
    struct zv_loop *loop;
    struct ap_bus *bus;
    struct zv_mdev_bus *mbus;
    struct zv_vfio_ap *drv;
    struct zv_vdev *vd[2];
};

static void
fz_check(struct fz *f)
{
    struct zv_vfio_ap_matrix as[2], gm, want;
    static char out[1 << 20];
    struct ap_mask x, y, apmask, aqmask;

    ap_bus_masks(f->bus, &apmask, &aqmask);
    for (unsigned i = 0; i < 2; i++) {
        if (zv_vfio_ap_get_matrix(f->vd[i], &as[i], &gm) ||
            zv_vfio_ap_filter_preview(f->vd[i], &want) ||
            memcmp(&gm, &want, sizeof(gm)))
            abort();
        ap_mask_and(&x, &as[i].apm, &apmask);
        ap_mask_and(&y, &as[i].aqm, &aqmask);
        if (!ap_mask_empty(&x) && !ap_mask_empty(&y))
            abort(); /* host-reserved APQN assigned */
        for (unsigned k = 6; k < 10; k++) {
            ssize_t n =
                zv_vfio_ap_attr_show(f->vd[i], attrs[k], out, sizeof(out));

            if (n < 0 || (size_t)n >= sizeof(out) || strlen(out) != (size_t)n)
                abort();
            if (n && out[n - 1] != '\n')
                abort();
        }
    }
    ap_mask_and(&x, &as[0].apm, &as[1].apm);
    ap_mask_and(&y, &as[0].aqm, &as[1].aqm);
    if (!ap_mask_empty(&x) && !ap_mask_empty(&y))
        abort(); /* an APQN in two mdevs */
}

static void
fz_record(struct fz *f, uint8_t op, const char *text, size_t len)
{
    struct zv_vdev *vd = f->vd[op >> 7];
    unsigned k = (op & 0x7f) % (NATTRS + 4);
    struct zv_vfio_ap_matrix before, after;
    ssize_t rc;

    if (k >= NATTRS) {
        struct ap_queue *q;

        switch (k - NATTRS) {
        case 0:
            ap_bus_apmask_store(f->bus, text);
            return;
        case 1:
            ap_bus_aqmask_store(f->bus, text);
            return;
        default:
            q = ap_queue_find(f->bus, AP_MKQN(1 + (op & 3), len & 7));
            if (!q)
                return;
            if (ap_queue_driver(q))
                ap_queue_unbind(q);
            else
                ap_queue_bind(q, zv_vfio_ap_ap_driver(f->drv));
            return;
        }
    }
    zv_vfio_ap_get_matrix(vd, &before, NULL);
    rc = zv_vfio_ap_attr_store(vd, attrs[k], text, len);
    zv_vfio_ap_get_matrix(vd, &after, NULL);
    if (rc < 0 && memcmp(&before, &after, sizeof(after)))
        abort(); /* a refused write changed the matrix */
    if (rc >= 0 && (size_t)rc != len)
        abort();
    if (rc >= 0 && k == 6) {
        /* ap_config reads back what it took, and takes it again */
        static char out[256];
        ssize_t n = zv_vfio_ap_attr_show(vd, "ap_config", out, sizeof(out));

        if (n != 201 ||
            zv_vfio_ap_attr_store(vd, "ap_config", out, (size_t)n) != n)
            abort();
        zv_vfio_ap_get_matrix(vd, &before, NULL);
        if (memcmp(&before, &after, sizeof(after)))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in = {data, size};
    struct fz f = {0};
    static const char *uuid[2] = {"00000000-0000-0000-0000-000000000001",
                                  "00000000-0000-0000-0000-000000000002"};

    f.loop = zv_loop_new_virtual(1);
    f.bus = ap_bus_new(f.loop, NULL);
    f.mbus = zv_mdev_bus_new();
    if (!f.loop || !f.bus || !f.mbus)
        abort();
    for (unsigned a = 1; a <= 4; a++) {
        struct ap_adapter_desc d = {.apid = (uint8_t)a,
                                    .type = AP_TYPE_CEX8,
                                    .mode = AP_MODE_ACCEL,
                                    .configured = a != 4};

        ap_adapter_add(f.bus, &d);
    }
    for (unsigned d = 0; d < 6; d++)
        ap_config_domain(f.bus, (uint8_t)d, true);
    ap_config_control_domain(f.bus, 1, true);
    zv_loop_run(f.loop);
    ap_bus_apmask_store(f.bus, "-1-3");
    ap_bus_aqmask_store(f.bus, "-0-3");
    f.drv = zv_vfio_ap_new(f.bus, f.mbus);
    if (!f.drv)
        abort();
    for (unsigned i = 0; i < 2; i++)
        if (zv_mdev_create(zv_vfio_ap_parent(f.drv), ZV_VFIO_AP_TYPE_ID,
                           uuid[i], &f.vd[i]))
            abort();
    for (unsigned n = 0; in.n && n < 64; n++) {
        char text[256];
        uint8_t op = in_u8(&in), len = in_u8(&in);

        in_bytes(&in, (uint8_t *)text, len);
        text[len] = '\0';
        /* the text as sysfs hands it over: count bytes, NUL after */
        fz_record(&f, op, text, len);
        zv_loop_run(f.loop);
        fz_check(&f);
    }
    zv_vfio_ap_free(f.drv);
    zv_mdev_bus_free(f.mbus);
    ap_bus_free(f.bus);
    zv_loop_free(f.loop);
    return 0;
}
