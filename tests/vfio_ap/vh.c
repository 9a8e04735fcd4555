/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/bytes.h"
#include "vh.h"

struct vh *
vh_new(const struct ap_bus_config *cfg, const uint8_t *apids, unsigned n,
       unsigned dfrom, unsigned dto)
{
    struct vh *h = calloc(1, sizeof(*h));

    assert_non_null(h);
    h->loop = zv_loop_new_virtual(1);
    h->bus = ap_bus_new(h->loop, cfg);
    h->mbus = zv_mdev_bus_new();
    assert_non_null(h->loop);
    assert_non_null(h->bus);
    assert_non_null(h->mbus);
    for (unsigned i = 0; i < n; i++) {
        struct ap_adapter_desc d = {.apid = apids[i],
                                    .type = AP_TYPE_CEX7,
                                    .mode = AP_MODE_ACCEL,
                                    .qd = 7,
                                    .configured = true};

        assert_int_equal(ap_adapter_add(h->bus, &d), 0);
    }
    for (unsigned d = dfrom; d <= dto; d++)
        assert_int_equal(ap_config_domain(h->bus, (uint8_t)d, true), 0);
    zv_loop_run(h->loop); /* the scan */
    h->drv = zv_vfio_ap_new(h->bus, h->mbus);
    assert_non_null(h->drv);
    return h;
}

void
vh_free(struct vh *h)
{
    zv_vfio_ap_free(h->drv);
    zv_mdev_bus_free(h->mbus);
    ap_bus_free(h->bus);
    zv_loop_free(h->loop);
    free(h);
}

void
vh_run(struct vh *h)
{
    zv_loop_run(h->loop);
}

void
vh_apmask(struct vh *h, const char *s, int rc)
{
    assert_int_equal(ap_bus_apmask_store(h->bus, s), rc);
}

void
vh_aqmask(struct vh *h, const char *s, int rc)
{
    assert_int_equal(ap_bus_aqmask_store(h->bus, s), rc);
}

struct zv_vdev *
vh_mdev(struct vh *h, const char *uuid)
{
    struct zv_vdev *vd = NULL;

    assert_int_equal(zv_mdev_create(zv_vfio_ap_parent(h->drv),
                                    ZV_VFIO_AP_TYPE_ID, uuid, &vd),
                     0);
    assert_non_null(vd);
    return vd;
}

ssize_t
vh_store(struct vh *h, struct zv_vdev *vd, const char *attr, const char *val)
{
    return zv_vfio_ap_attr_store(vd, attr, val, strlen(val));
}

const char *
vh_show(struct vh *h, struct zv_vdev *vd, const char *attr)
{
    ssize_t n = zv_vfio_ap_attr_show(vd, attr, h->out, sizeof(h->out));

    assert_true(n >= 0);
    assert_true((size_t)n < sizeof(h->out));
    assert_int_equal(strlen(h->out), (size_t)n);
    return h->out;
}

void
vh_unbind(struct vh *h, unsigned apid, unsigned apqi)
{
    struct ap_queue *q = ap_queue_find(h->bus, AP_MKQN(apid, apqi));

    assert_non_null(q);
    ap_queue_unbind(q);
}

int
vh_bind(struct vh *h, unsigned apid, unsigned apqi)
{
    struct ap_queue *q = ap_queue_find(h->bus, AP_MKQN(apid, apqi));

    assert_non_null(q);
    return ap_queue_bind(q, zv_vfio_ap_ap_driver(h->drv));
}

static void
vh_irq(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct vh_guest *g = arg;

    if (index == ZV_VFIO_AP_CFG_CHG_IRQ_INDEX)
        g->cfg_chg++;
    else if (index == ZV_VFIO_AP_REQ_IRQ_INDEX)
        g->req++;
    else if (index == ZV_VFIO_AP_NIB_IRQ_INDEX)
        g->nib++;
}

void
vh_guest_open(struct vh *h, struct vh_guest *g, struct zv_vdev *vd)
{
    memset(g, 0, sizeof(*g));
    g->vd = vd;
    g->mem = calloc(1, VH_MEM_SIZE);
    assert_non_null(g->mem);
    assert_int_equal(zv_vdev_open(vd), 0);
    assert_int_equal(
        zv_vdev_dma_map(vd, VH_IOVA, VH_MEM_SIZE, g->mem, ZV_MEM_RW), 0);
    for (unsigned i = 0; i < ZV_VFIO_AP_NUM_IRQS_EXT; i++)
        assert_int_equal(zv_vdev_set_irq_callback(vd, i, vh_irq, g), 0);
}

void
vh_guest_close(struct vh_guest *g)
{
    for (unsigned i = 0; i < ZV_VFIO_AP_NUM_IRQS_EXT; i++)
        zv_vdev_set_irq_callback(g->vd, i, NULL, NULL);
    zv_vdev_dma_unmap(g->vd, VH_IOVA, VH_MEM_SIZE);
    zv_vdev_close(g->vd);
    free(g->mem);
    g->mem = NULL;
}

static struct vh_insn
vh_exec(struct vh_guest *g, uint8_t op, uint64_t gr0, uint64_t gr1,
        uint64_t gr2, uint64_t psmid, uint64_t addr, uint64_t len)
{
    uint8_t b[ZV_AP_INSN_SIZE] = {0};
    struct vh_insn r;

    b[ZV_AP_INSN_OFF_OP] = op;
    zv_put_be64(b + ZV_AP_INSN_OFF_GR0, gr0);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR1, gr1);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR2, gr2);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_ADDR, addr);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, len);
    assert_int_equal(zv_vdev_region_write(g->vd, ZV_VFIO_AP_INSN_REGION_INDEX,
                                          0, b, sizeof(b)),
                     sizeof(b));
    memset(b, 0xee, sizeof(b));
    assert_int_equal(zv_vdev_region_read(g->vd, ZV_VFIO_AP_INSN_REGION_INDEX, 0,
                                         b, sizeof(b)),
                     sizeof(b));
    r.cc = b[ZV_AP_INSN_OFF_CC];
    r.pic = zv_be16(b + ZV_AP_INSN_OFF_PIC);
    r.ret = (int32_t)zv_be32(b + ZV_AP_INSN_OFF_RET);
    r.gr1 = zv_be64(b + ZV_AP_INSN_OFF_GR1);
    r.gr2 = zv_be64(b + ZV_AP_INSN_OFF_GR2);
    r.psmid = zv_be64(b + ZV_AP_INSN_OFF_PSMID);
    r.len = zv_be64(b + ZV_AP_INSN_OFF_LEN);
    r.more = b[ZV_AP_INSN_OFF_FLAGS] & ZV_AP_INSN_F_MORE;
    ap_qstatus_decode((uint32_t)r.gr1, &r.st);
    return r;
}

struct vh_insn
vh_pqap(struct vh_guest *g, uint64_t gr0, uint64_t gr1, uint64_t gr2)
{
    return vh_exec(g, ZV_AP_INSN_PQAP, gr0, gr1, gr2, 0, 0, 0);
}

struct vh_insn
vh_tapq(struct vh_guest *g, unsigned apid, unsigned apqi)
{
    return vh_pqap(g, AP_MKQN(apid, apqi), 0, 0);
}

struct vh_insn
vh_nqap(struct vh_guest *g, unsigned apid, unsigned apqi, uint64_t psmid,
        uint64_t addr, uint64_t len)
{
    return vh_exec(g, ZV_AP_INSN_NQAP, AP_MKQN(apid, apqi), 0, 0, psmid, addr,
                   len);
}

struct vh_insn
vh_dqap(struct vh_guest *g, unsigned apid, unsigned apqi, uint64_t addr,
        uint64_t len)
{
    return vh_exec(g, ZV_AP_INSN_DQAP, AP_MKQN(apid, apqi), 0, 0, 0, addr, len);
}

struct ap_mask
vh_mask(int first, ...)
{
    struct ap_mask m;
    va_list ap;

    ap_mask_zero(&m);
    va_start(ap, first);
    for (int id = first; id >= 0; id = va_arg(ap, int))
        ap_mask_set(&m, (unsigned)id);
    va_end(ap);
    return m;
}
