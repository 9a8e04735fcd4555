/* SPDX-License-Identifier: MIT */
/*
 * Channel monitoring (PoP chapter 17; css-pop.md §4.1, §4.10): SET
 * CHANNEL MONITOR, and the measurement-block updates of the start
 * function, timed by the loop's virtual clock.
 *
 * A subchannel's block is updated when SCHM has measurement-block update
 * on (M) and its PMCW MM bit 11 is one: format 0 at MBO + MBI x 32,
 * format 1 (PMCW F) at the PMCW MBA.  The SSCH+RSCH count goes up when
 * SSCH or RSCH is accepted; a sample (the times of one start function,
 * sample count + 1) is added when the start function ends after the
 * device accepted its first command (final status, or halt completion).
 * Fields are added into the block in storage, so a program may reset
 * them (Linux's cmf reset zeroes the block).
 *
 * What the times are in this model (devices here never disconnect, and
 * there is no control-unit contention):
 *  - function pending: SSCH/RSCH accepted until the device accepts the
 *    first command (selection, waiting for a device still busy with a
 *    halted or cleared command);
 *  - device connect: each command, from its start at the device until its
 *    status is applied (the device's latency included);
 *  - device disconnect, control-unit queuing, device-active only, device
 *    busy, initial-command response: zero (nothing in the model takes
 *    that time; the fields are stored, so the layout is exercised).
 * Sub-unit remainders (128 us) are carried to the next sample, so short
 * commands add up.
 *
 * Device-connect-time measurement (SCHM D and PMCW MM bit 12): the
 * interval of the start function goes into the ESW (format 2, DCTI).
 *
 * Not modelled: the measurement-block key (storage keys are not
 * modelled); an inaccessible block loses the update (counted, readable
 * with css_sch_cmf_read) instead of the measurement-block check of the
 * subchannel logout.
 */
#include <errno.h>
#include <string.h>

#include "css/sub_priv.h"

#define PMCW_MM_MBU  0x2 /* bit 11: measurement-block update */
#define PMCW_MM_DCTM 0x1 /* bit 12: device-connect-time measurement */

/* SCHM GR1 (bits 32-63): key 32-35, M 62, D 63; 36-61 reserved. */
#define SCHM_GR1_KEY_SHIFT 28
#define SCHM_GR1_RSVD      0x0FFFFFFCu
#define SCHM_GR1_M         0x2u
#define SCHM_GR1_D         0x1u

struct zv_insn_rc
css_insn_schm(struct css *css, uint32_t gr1, uint64_t gr2)
{
    bool m = gr1 & SCHM_GR1_M;

    /* Reserved GR1 bits, or (with M) an origin not on a 32-byte
     * boundary: operand exception, as the PoP lists only operand and
     * privileged-operation for SCHM (QEMU, kvm-unit-tests). */
    if (gr1 & SCHM_GR1_RSVD)
        return zv_rc_pic(ZV_PIC_OPERAND);
    if (m && (gr2 & (CMB_ALIGN - 1)))
        return zv_rc_pic(ZV_PIC_OPERAND);
    css->chm.key = (uint8_t)(gr1 >> SCHM_GR1_KEY_SHIFT);
    css->chm.mbu = m;
    css->chm.dctm = gr1 & SCHM_GR1_D;
    css->chm.mbo = m ? gr2 : 0;
    zv_trace(css->loop, "css schm m=%d d=%d mbo=%llx", m, css->chm.dctm,
             (unsigned long long)css->chm.mbo);
    return zv_rc_cc(ZV_CC0);
}

/* Where the subchannel's block is, if updates are on for it. */
static bool
meas_block(const struct subchannel *sch, uint64_t *addr, bool *fmt1)
{
    const struct pmcw *p = &sch->schib.pmcw;
    uint64_t off = (uint64_t)p->mbi * CMB_SIZE;
    uint64_t mbo = sch->css->chm.mbo;

    if (!sch->css->chm.mbu || !(p->mme & PMCW_MM_MBU))
        return false;
    *fmt1 = p->mbfc;
    if (p->mbfc)
        *addr = sch->schib.mba;
    else if (mbo > UINT64_MAX - off)
        /* MBO + MBI x 32 past the top of the address space does not wrap
         * into low storage: the block is inaccessible. */
        *addr = UINT64_MAX - CMBE_SIZE + 1;
    else
        *addr = mbo + off;
    return true;
}

static uint64_t
meas_now(const struct subchannel *sch)
{
    return zv_loop_now(sch->css->loop);
}

/* Read-modify-write of the block: fn adds into the decoded fields. */
static void
meas_update(struct subchannel *sch,
            void (*fn)(struct subchannel *sch, struct cmb *m, bool fmt1))
{
    uint8_t buf[CMBE_SIZE];
    struct zv_as *as = sch->css->storage;
    struct cmb m;
    uint64_t addr;
    bool fmt1;

    if (!meas_block(sch, &addr, &fmt1))
        return;
    if (zv_as_read(as, addr, buf, cmb_size(fmt1)) < 0) {
        sch->meas.mb_errors++;
        return;
    }
    cmb_decode(&m, fmt1, buf);
    fn(sch, &m, fmt1);
    cmb_encode(&m, fmt1, buf);
    if (zv_as_write(as, addr, buf, cmb_size(fmt1)) < 0)
        sch->meas.mb_errors++;
}

static void
meas_count_start(struct subchannel *sch, struct cmb *m, bool fmt1)
{
    m->ssch_rsch_count++;
}

void
css_meas_start(struct subchannel *sch, bool resume)
{
    struct css_meas *ms = &sch->meas;

    meas_update(sch, meas_count_start);
    /* An RSCH before the suspend point leaves the program running: its
     * timing goes on as it was. */
    if (resume && !(sch->schib.scsw.actl & SCSW_ACTL_SUSPENDED))
        return;
    if (!resume) {
        memset(ms->acc, 0, sizeof(ms->acc));
        ms->in_cmd = false;
    }
    ms->t_pending = meas_now(sch);
    ms->pending = true;
}

void
css_meas_accept(struct subchannel *sch)
{
    struct css_meas *ms = &sch->meas;

    if (!ms->pending)
        return;
    ms->acc[CMB_PENDING] += meas_now(sch) - ms->t_pending;
    ms->pending = false;
}

void
css_meas_cmd_begin(struct subchannel *sch)
{
    sch->meas.t_cmd = meas_now(sch);
    sch->meas.in_cmd = true;
}

void
css_meas_cmd_end(struct subchannel *sch)
{
    struct css_meas *ms = &sch->meas;

    if (!ms->in_cmd)
        return;
    ms->acc[CMB_CONNECT] += meas_now(sch) - ms->t_cmd;
    ms->in_cmd = false;
}

/* ns of this sample plus the carried remainder, in whole units. */
static uint32_t
meas_units(struct css_meas *ms, enum cmb_time t)
{
    uint64_t ns = ms->acc[t] + ms->carry[t];

    ms->carry[t] = ns % CMB_TIME_NS;
    return (uint32_t)(ns / CMB_TIME_NS);
}

static void
meas_add_sample(struct subchannel *sch, struct cmb *m, bool fmt1)
{
    struct css_meas *ms = &sch->meas;
    unsigned n = fmt1 ? CMB_NTIMES : CMB_FMT0_NTIMES;

    m->sample_count++;
    for (unsigned t = 0; t < n; t++)
        m->time[t] += meas_units(ms, (enum cmb_time)t);
}

/* DCTI: the start function's connect time in units, at most 0xFFFF. */
static uint16_t
meas_dcti(const struct css_meas *ms)
{
    uint64_t u = ms->acc[CMB_CONNECT] / CMB_TIME_NS;

    return u > 0xFFFF ? 0xFFFF : (uint16_t)u;
}

void
css_meas_sample(struct subchannel *sch)
{
    struct css_meas *ms = &sch->meas;
    const struct css *css = sch->css;

    css_meas_cmd_end(sch);
    if (!sch->schib.scsw.eswf && css->chm.dctm &&
        (sch->schib.pmcw.mme & PMCW_MM_DCTM))
        sch->esw.dcti = meas_dcti(ms);
    meas_update(sch, meas_add_sample);
    memset(ms->acc, 0, sizeof(ms->acc));
    ms->pending = false;
}

int
css_sch_cmf_read(const struct subchannel *sch, struct css_cmf *out)
{
    uint8_t buf[CMBE_SIZE];
    struct cmb m;

    memset(out, 0, sizeof(*out));
    out->mb_errors = sch->meas.mb_errors;
    if (!meas_block(sch, &out->addr, &out->fmt1))
        return -ENODATA;
    if (zv_as_read(sch->css->storage, out->addr, buf, cmb_size(out->fmt1)) < 0)
        return -EFAULT;
    cmb_decode(&m, out->fmt1, buf);
    out->ssch_rsch_count = m.ssch_rsch_count;
    out->sample_count = m.sample_count;
    for (unsigned t = 0; t < CMB_NTIMES; t++)
        out->time_ns[t] = (uint64_t)m.time[t] * CMB_TIME_NS;
    return 0;
}
