/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap/ops: the zv_vdev ops of a matrix mdev (open = a guest attaches
 * to its APCB, close and reset reset its queues, §2.6) and the guest's
 * instruction region: the firmware's part under SIE, interpreting TAPQ,
 * RAPQ, ZAPQ, QCI, NQAP and DQAP against the guest APCB (the shadow), and
 * KVM's part for the intercepted PQAP(AQIC) (§4.3, §4.4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/log.h"
#include "vfio_ap/vfio_ap_priv.h"

#define GR0_FC_SHIFT 24
#define GR0_T        (1ull << 23)  /* bit 40 */
#define GR0_F        (1ull << 22)  /* bit 41 */
#define GR0_RESERVED 0x003f0000ull /* bits 42-47 */
#define GR1_AQIC_IR  (1ull << 47)  /* bit 16 */
#define GR1_AQIC_ISC 0x7ull

/* The indicator byte's value once a reply is waiting (nonzero). */
#define VAP_NIB_SET 0x01

void
vap_aqic_drop(struct vap_queue *q)
{
    q->irq_on = false;
    q->saved_nib = 0;
    q->saved_isc = 0xff;
}

static struct ap_insn_rc
rc_only(uint8_t rc)
{
    struct ap_insn_rc r = {.cc = rc ? 3 : 0};

    r.st.rc = rc;
    return r;
}

static struct ap_insn_rc
rc_pic(uint8_t pic)
{
    struct ap_insn_rc r = {.pic = pic};

    return r;
}

/* Firmware's test: the APQN is in the guest's APCB (reference §5.4:
 * otherwise RC 01, cc 3). */
static bool
vap_guest_apqn(struct vap_mdev *m, uint16_t apqn)
{
    if (ap_mask_test(&m->shadow.apm, AP_QN_APID(apqn)) &&
        ap_mask_test(&m->shadow.aqm, AP_QN_APQI(apqn)))
        return true;
    m->cnt.guest_rejected++;
    return false;
}

static void
gr1_put_status(uint64_t *gr1, const struct ap_insn_rc *r)
{
    *gr1 = (*gr1 & 0xffffffff00000000ull) | ap_qstatus_encode(&r->st);
}

/* PQAP(QCI) under APIE answers the guest's configuration: the host's
 * block with the masks of the guest APCB. */
static struct ap_insn_rc
vap_guest_qci(struct vap_mdev *m, uint64_t addr)
{
    uint8_t blk[AP_QCI_BLOCK_LEN];
    struct ap_config c;
    struct ap_insn_rc r = ap_qci(m->drv->bus, blk);

    if (r.pic)
        return r;
    ap_config_decode(blk, &c);
    c.apm = m->shadow.apm;
    c.aqm = m->shadow.aqm;
    c.adm = m->shadow.adm;
    ap_config_encode(&c, blk);
    if (zv_as_write(zv_vdev_iova(m->vd), addr, blk, sizeof(blk)))
        return rc_pic(ZV_AP_PIC_ADDRESSING);
    return r;
}

/* KVM's handle_pqap + vfio_ap's AQIC (§4.3): the queue must be the
 * guest's; enabling needs a NIB the guest mapped (RC 06 otherwise). */
static struct ap_insn_rc
vap_guest_aqic(struct vap_mdev *m, uint16_t apqn, uint64_t gr1, uint64_t nib)
{
    struct vap_queue *q = vap_queue_get(m->drv, apqn);
    struct ap_aqic_ctl ctl = {.ir = gr1 & GR1_AQIC_IR,
                              .isc = (uint8_t)(gr1 & GR1_AQIC_ISC)};
    struct ap_insn_rc r;

    if (!q || q->mdev != m)
        return rc_only(AP_RC_Q_NOT_AVAIL);
    if (ctl.ir && !q->irq_on &&
        (nib == 0 || !zv_as_check(zv_vdev_iova(m->vd), nib, 1, ZV_MEM_WRITE)))
        return rc_only(AP_RC_INVALID_ADDRESS);
    r = ap_aqic(m->drv->bus, apqn, &ctl, ctl.ir ? nib : 0);
    if (r.pic || r.st.rc != AP_RC_NORMAL)
        return r;
    if (ctl.ir) {
        q->irq_on = true;
        q->saved_nib = nib;
        q->saved_isc = ctl.isc;
    } else {
        vap_aqic_drop(q);
    }
    return r;
}

static struct ap_insn_rc
vap_guest_pqap(struct vap_mdev *m, uint64_t gr0, uint64_t *gr1, uint64_t *gr2)
{
    unsigned fc = (unsigned)(gr0 >> GR0_FC_SHIFT) & 0xff;
    uint16_t apqn = (uint16_t)gr0;
    bool t = gr0 & GR0_T, f = gr0 & GR0_F;
    struct ap_insn_rc r;

    /* Specification checks come before any queue is looked at. */
    if ((gr0 & GR0_RESERVED) || (t && fc != AP_FC_TAPQ) ||
        (f && fc != AP_FC_RAPQ && fc != AP_FC_ZAPQ) || fc > AP_FC_QCI)
        return rc_pic(AP_PIC_SPECIFICATION);
    if (fc == AP_FC_QCI)
        return vap_guest_qci(m, *gr2);
    if (!vap_guest_apqn(m, apqn)) {
        r = rc_only(AP_RC_Q_NOT_AVAIL);
    } else if (fc == AP_FC_AQIC) {
        r = vap_guest_aqic(m, apqn, *gr1, *gr2);
    } else {
        if (fc == AP_FC_TAPQ)
            *gr2 = 0;
        return ap_insn_pqap(m->drv->bus, gr0, gr1, gr2, NULL);
    }
    if (!r.pic)
        gr1_put_status(gr1, &r);
    return r;
}

static struct ap_insn_rc
vap_guest_nqap(struct vap_mdev *m, uint16_t apqn, uint64_t psmid, uint64_t addr,
               uint64_t len)
{
    if (!vap_guest_apqn(m, apqn))
        return rc_only(AP_RC_Q_NOT_AVAIL);
    if (len > VAP_MSG_MAX) /* the bus answers RC 15 without reading */
        return ap_nqap(m->drv->bus, apqn, psmid, NULL, (size_t)len);
    if (len && zv_as_read(zv_vdev_iova(m->vd), addr, m->msg, (size_t)len))
        return rc_pic(ZV_AP_PIC_ADDRESSING);
    return ap_nqap(m->drv->bus, apqn, psmid, m->msg, (size_t)len);
}

/* The buffer is checked before the reply is taken off the queue, so a
 * bad address costs the guest a program check, never a reply. */
static struct ap_insn_rc
vap_guest_dqap(struct vap_mdev *m, uint16_t apqn, uint64_t *psmid,
               uint64_t addr, uint64_t *len, bool *more)
{
    struct zv_as *as = zv_vdev_iova(m->vd);
    size_t n = *len > VAP_MSG_MAX ? VAP_MSG_MAX : (size_t)*len, stored;
    struct ap_insn_rc r;

    *len = 0;
    *more = false;
    if (!vap_guest_apqn(m, apqn))
        return rc_only(AP_RC_Q_NOT_AVAIL);
    if (n && !zv_as_check(as, addr, n, ZV_MEM_WRITE))
        return rc_pic(ZV_AP_PIC_ADDRESSING);
    r = ap_dqap(m->drv->bus, apqn, psmid, m->msg, n, &stored, more);
    if (!r.pic && stored && zv_as_write(as, addr, m->msg, stored))
        zv_log(ZV_LOG_ERR, "vfio_ap: DQAP buffer vanished"); /* checked */
    *len = stored;
    return r;
}

static void
vap_exec(struct vap_mdev *m)
{
    uint8_t *b = m->insn;
    uint64_t gr0 = zv_be64(b + ZV_AP_INSN_OFF_GR0);
    uint64_t gr1 = zv_be64(b + ZV_AP_INSN_OFF_GR1);
    uint64_t gr2 = zv_be64(b + ZV_AP_INSN_OFF_GR2);
    uint64_t psmid = zv_be64(b + ZV_AP_INSN_OFF_PSMID);
    uint64_t addr = zv_be64(b + ZV_AP_INSN_OFF_ADDR);
    uint64_t len = zv_be64(b + ZV_AP_INSN_OFF_LEN);
    struct ap_insn_rc r = {0};
    bool more = false;
    int32_t ret = 0;

    switch (b[ZV_AP_INSN_OFF_OP]) {
    case ZV_AP_INSN_PQAP:
        r = vap_guest_pqap(m, gr0, &gr1, &gr2);
        break;
    case ZV_AP_INSN_NQAP:
        r = vap_guest_nqap(m, (uint16_t)gr0, psmid, addr, len);
        if (!r.pic)
            gr1_put_status(&gr1, &r);
        break;
    case ZV_AP_INSN_DQAP:
        r = vap_guest_dqap(m, (uint16_t)gr0, &psmid, addr, &len, &more);
        if (!r.pic)
            gr1_put_status(&gr1, &r);
        break;
    default:
        ret = -EINVAL;
        break;
    }
    if (!ret)
        m->cnt.guest_insns++;
    b[ZV_AP_INSN_OFF_CC] = r.pic ? 0 : r.cc;
    zv_put_be16(b + ZV_AP_INSN_OFF_PIC, r.pic);
    zv_put_be32(b + ZV_AP_INSN_OFF_RET, (uint32_t)ret);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR1, gr1);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR2, gr2);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, len);
    b[ZV_AP_INSN_OFF_FLAGS] = more ? ZV_AP_INSN_F_MORE : 0;
}

/* ---- host interruptions ---- */

void
vap_queue_irq(struct vap_queue *q)
{
    struct vap_mdev *m = q->mdev;
    uint8_t set = VAP_NIB_SET;

    if (!m || !m->attached || !q->irq_on)
        return;
    if (zv_as_write(zv_vdev_iova(m->vd), q->saved_nib, &set, 1))
        return; /* unmapped under us: dma_unmap disables first */
    zv_vdev_signal(m->vd, ZV_VFIO_AP_NIB_IRQ_INDEX);
}

/* ---- vdev ops ---- */

static int
vap_open(struct zv_vdev *vd)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    if (!m->drv)
        return -ENODEV;
    /* set_kvm: the shadow goes into the guest's CRYCB as it is */
    m->attached = true;
    m->pushed = m->shadow;
    memset(m->insn, 0, sizeof(m->insn));
    return 0;
}

static void
vap_close(struct zv_vdev *vd)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    if (!m->drv)
        return;
    /* unset_kvm: the guest loses its APCB, every queue is reset */
    m->attached = false;
    memset(&m->pushed, 0, sizeof(m->pushed));
    vap_reset_mdev(m);
}

static int
vap_reset(struct zv_vdev *vd)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    return m->drv ? vap_reset_mdev(m) : -ENODEV;
}

static ssize_t
vap_region_read(struct zv_vdev *vd, unsigned index, uint64_t off, void *buf,
                size_t len)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    memcpy(buf, m->insn + off, len);
    return (ssize_t)len;
}

/* Only a write of the whole block executes (no torn instruction). */
static ssize_t
vap_region_write(struct zv_vdev *vd, unsigned index, uint64_t off,
                 const void *buf, size_t len)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    if (!m->drv)
        return -ENODEV;
    if (off != 0 || len != ZV_AP_INSN_SIZE)
        return -EINVAL;
    memcpy(m->insn, buf, len);
    vap_exec(m);
    return (ssize_t)len;
}

/* dma_unmap: interruptions whose indicator byte lies in the range are
 * disabled first (OPS-G), so the host never writes unmapped memory. */
static void
vap_dma_unmap(struct zv_vdev *vd, uint64_t iova, uint64_t len)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);
    int apid, apqi;

    if (!m->drv)
        return;
    ap_mask_for_each(apid, &m->matrix.apm)
    {
        ap_mask_for_each(apqi, &m->matrix.aqm)
        {
            struct vap_queue *q =
                vap_queue_get(m->drv, AP_MKQN(apid, (unsigned)apqi));
            struct ap_aqic_ctl off = {0};

            if (!q || q->mdev != m || !q->irq_on || q->saved_nib < iova ||
                q->saved_nib - iova >= len)
                continue;
            ap_aqic(m->drv->bus, q->apqn, &off, 0);
            vap_aqic_drop(q);
        }
    }
}

static void
vap_request(struct zv_vdev *vd, unsigned count)
{
    if (!zv_vdev_signal(vd, ZV_VFIO_AP_REQ_IRQ_INDEX) && count % 10 == 0)
        zv_log(ZV_LOG_INFO, "vfio_ap: No device request registered, blocked "
                            "until released by user");
}

static void
vap_remove_vd(struct zv_vdev *vd)
{
    vap_mdev_destroy(zv_vdev_drvdata(vd));
}

static void
vap_release(struct zv_vdev *vd)
{
    struct vap_mdev *m = zv_vdev_drvdata(vd);

    vap_mdev_destroy(m);
    free(m);
}

const struct zv_vdev_ops vap_vdev_ops = {
    .open = vap_open,
    .close = vap_close,
    .reset = vap_reset,
    .region_read = vap_region_read,
    .region_write = vap_region_write,
    .dma_unmap = vap_dma_unmap,
    .request = vap_request,
    .remove = vap_remove_vd,
    .release = vap_release,
};
