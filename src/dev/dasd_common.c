/* SPDX-License-Identifier: MIT */
/*
 * The commands every DASD here answers the same way, whatever its type:
 * Sense (0x04), Sense ID (0xE4), Sense/Set Path Group ID (0x34/0xAF),
 * No-op (0x03), Read Configuration Data (0xFA) where the device offers it,
 * plus sense latching, fault injection and device latency (dasd.md §1,
 * §5.1).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "dev/dasd_priv.h"

/* ---- sense ---- */

uint8_t
dasd_unit_check(struct dasd *d, struct css_io *io, uint8_t b0, uint8_t b1,
                uint8_t b7)
{
    memset(d->sense, 0, sizeof(d->sense));
    d->sense[0] = b0;
    d->sense[1] = b1;
    d->sense[7] = b7;
    if (d->kind->sense_extra)
        d->kind->sense_extra(d, d->sense);
    d->sense_latched = true;
    /* One trace record per unit check (rare), none on the normal path. */
    zv_trace(d->loop, "dasd %s %04x: cmd %02x unit check %02x %02x %02x",
             d->kind->name, d->cdev.sch ? css_sch_devno(d->cdev.sch) : 0,
             css_io_cmd(io), b0, b1, b7);
    /* Concurrent sense when the subchannel has it enabled (the engine
     * decides from PMCW S); the latch serves a later basic Sense. */
    css_io_set_sense(io, d->sense, d->kind->sense_len);
    return DASD_OK | DEV_STAT_UNIT_CHECK;
}

uint8_t
dasd_reject(struct dasd *d, struct css_io *io, uint8_t msg)
{
    /* Command reject reports format 0 (program or system check), with
     * the message code in the low nibble of byte 7. */
    return dasd_unit_check(d, io, SNS0_CMD_REJECT, 0, msg);
}

uint8_t
dasd_give(struct css_io *io, const void *buf, size_t len)
{
    (void)css_io_write(io, buf, len);
    return DASD_OK;
}

/* ---- common commands ---- */

static uint8_t
cmd_sense(struct dasd *d, struct css_io *io)
{
    uint8_t buf[SENSE_MAX];

    /* Basic sense: the bytes of the last unit check, then they are reset
     * (sense is kept only until it has been read). */
    memcpy(buf, d->sense, sizeof(buf));
    if (!d->sense_latched) {
        memset(buf, 0, sizeof(buf));
        if (d->kind->sense_extra)
            d->kind->sense_extra(d, buf);
    }
    d->sense_latched = false;
    memset(d->sense, 0, sizeof(d->sense));
    return dasd_give(io, buf, d->kind->sense_len);
}

static uint8_t
cmd_sense_id(struct dasd *d, struct css_io *io)
{
    uint8_t buf[SENSE_ID_BASE_SIZE + 4 * SENSE_ID_MAX_CIWS];
    size_t n = senseid_encode(&d->id, buf, sizeof(buf));

    if (d->kind->id_len < n)
        n = d->kind->id_len;
    return dasd_give(io, buf, n);
}

/* SNID and SPID must be the only command of their program (dasd.md §5.1,
 * following Hercules): anything else is an invalid sequence. */
static bool
pg_alone(struct css_io *io)
{
    return css_io_initial(io) && !(css_io_flags(io) & CCW_FLAG_CC);
}

static uint8_t
cmd_snid(struct dasd *d, struct css_io *io)
{
    uint8_t buf[DASD_PG_DATA] = {0};

    if (!pg_alone(io))
        return dasd_reject(d, io, SNS7_INVALID_SEQUENCE);
    /* Byte 0: path state 11 = grouped (bits 0-1), bit 4 multipath mode;
     * 00 = reset (ungrouped, no PGID) otherwise. */
    if (d->grouped) {
        buf[0] = 0xC0 | (d->multipath ? 0x08 : 0);
        memcpy(buf + 1, d->pgid, DASD_PGID_LEN);
    }
    return dasd_give(io, buf, sizeof(buf));
}

#define SPID_MULTIPATH 0x80
#define SPID_FC_MASK   0x60
#define SPID_ESTABLISH 0x00
#define SPID_RESIGN    0x40
#define SPID_DISBAND   0x20

static uint8_t
cmd_spid(struct dasd *d, struct css_io *io)
{
    uint8_t buf[DASD_PG_DATA];
    int n;

    if (!pg_alone(io))
        return dasd_reject(d, io, SNS7_INVALID_SEQUENCE);
    n = css_io_read(io, buf, sizeof(buf));
    if (n < 0)
        return DASD_OK;
    if (n < DASD_PG_DATA)
        return dasd_reject(d, io, SNS7_COUNT_TOO_SMALL);
    switch (buf[0] & SPID_FC_MASK) {
    case SPID_ESTABLISH:
        d->grouped = true;
        d->multipath = buf[0] & SPID_MULTIPATH;
        memcpy(d->pgid, buf + 1, DASD_PGID_LEN);
        break;
    case SPID_RESIGN:
    case SPID_DISBAND:
        d->grouped = false;
        d->multipath = false;
        memset(d->pgid, 0, DASD_PGID_LEN);
        break;
    default:
        return dasd_reject(d, io, SNS7_INVALID_PARAM);
    }
    return DASD_OK;
}

static uint8_t
cmd_nop(struct dasd *d, struct css_io *io)
{
    (void)d;
    (void)io;
    return DASD_OK;
}

static uint8_t
cmd_rcd(struct dasd *d, struct css_io *io)
{
    uint8_t buf[DASD_RCD_LEN] = {0};

    if (!d->kind->rcd)
        return dasd_reject(d, io, SNS7_INVALID_CMD);
    d->kind->rcd(d, buf);
    return dasd_give(io, buf, sizeof(buf));
}

struct dasd_cmd_entry {
    uint8_t cmd;
    uint8_t (*fn)(struct dasd *d, struct css_io *io);
};

static const struct dasd_cmd_entry common_cmds[] = {
    {DASD_CMD_SENSE, cmd_sense}, {DASD_CMD_SENSE_ID, cmd_sense_id},
    {DASD_CMD_SNID, cmd_snid},   {DASD_CMD_SPID, cmd_spid},
    {DASD_CMD_NOP, cmd_nop},     {DASD_CMD_RCD, cmd_rcd},
};

static uint8_t
dasd_dispatch(struct dasd *d, struct css_io *io)
{
    uint8_t cmd = css_io_cmd(io);
    size_t i;

    if (cmd != DASD_CMD_SENSE) {
        /* Any other command resets what a Sense would have returned. */
        d->sense_latched = false;
        memset(d->sense, 0, sizeof(d->sense));
    }
    for (i = 0; i < sizeof(common_cmds) / sizeof(common_cmds[0]); i++)
        if (common_cmds[i].cmd == cmd)
            return common_cmds[i].fn(d, io);
    return d->kind->exec(d, io);
}

/* ---- start, latency, faults ---- */

static bool
dasd_fault_due(struct dasd *d)
{
    if (d->fault_armed) {
        if (d->fault_after == 0) {
            d->fault_armed = false;
            return true;
        }
        d->fault_after--;
    }
    if (d->cfg.eq_check_ppm &&
        zv_loop_rand_below(d->loop, 1000000) < d->cfg.eq_check_ppm)
        return true;
    return false;
}

#define DASD_EXP_CAP   20 /* exponential jitter: at most 20 x the mean */
#define DASD_RAND_BITS 53

/* Exponential draw by inversion, -ln(1 - u) * mean, with u uniform in
 * [0, 1) from the loop's generator. */
static uint64_t
dasd_exp_jitter(struct dasd *d)
{
    double u = (double)(zv_loop_rand(d->loop) >> (64 - DASD_RAND_BITS)) /
               (double)(1ull << DASD_RAND_BITS);
    double ns = -log1p(-u) * (double)d->cfg.jitter_ns;
    double cap = (double)d->cfg.jitter_ns * DASD_EXP_CAP;

    return (uint64_t)(ns < cap ? ns : cap);
}

static uint64_t
dasd_latency(struct dasd *d)
{
    uint64_t ns = d->cfg.latency_ns;

    if (!d->cfg.jitter_ns)
        return ns;
    if (d->cfg.dist == DASD_LAT_EXP)
        return ns + dasd_exp_jitter(d);
    return ns + zv_loop_rand_below(d->loop, d->cfg.jitter_ns + 1);
}

/*
 * The latency a command takes: every command's own (the simulator's model:
 * a timer per CCW, so a halt can land between any two), or, per channel
 * program, the first command's only: the rest of the chain runs at channel
 * speed.  zvfiod's hosts use the latter (docs/zvfiod.md): a Linux ECKD
 * request of 1 MiB is 258 CCWs, and a timer per CCW on the daemon's loop
 * costs tens of microseconds of real time each, on top of the modelled
 * latency, which capped the guest's throughput.
 */
static uint64_t
dasd_charge(struct dasd *d, struct css_io *io)
{
    if (d->cfg.unit == DASD_LAT_PER_COMMAND || css_io_initial(io))
        return dasd_latency(d);
    return 0;
}

int
dasd_started(struct dasd *d, struct css_io *io, struct img_backend *be, int rc,
             int res)
{
    if (rc != 0)
        return rc == 1 ? res : rc;
    d->pend_io = io;
    d->pend_be = be;
    d->held++;
    return 1;
}

void
dasd_image_done(void *arg, int res)
{
    struct dasd *d = arg;
    struct css_io *io = d->pend_io;
    uint8_t dstat = d->pend_dstat;

    if (!io)
        return;
    d->pend_io = NULL;
    if (res < 0) {
        css_io_iov_undo(io);
        dstat = dasd_unit_check(d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
    }
    css_io_done(io, dstat, dasd_charge(d, io));
}

/*
 * The channel stops taking or giving data for the held command (a halt
 * or clear signal, a lost path): wait until the image transfer no longer
 * touches storage, drop its completion, and end the command now (its
 * status is void: the engine asked for it or discards it).  Nothing of a
 * channel program may reach storage after the program ended: a guest
 * reuses or unmaps its buffers once it has the status.
 */
static void
dasd_stop_transfer(struct dasd *d)
{
    struct css_io *io = d->pend_io;

    if (!io)
        return;
    img_backend_forget(d->pend_be, d);
    d->pend_io = NULL;
    css_io_done(io, d->pend_dstat, 0);
}

static void
dasd_start(struct css_dev *dev, struct css_io *io)
{
    struct dasd *d = dasd_of(dev);
    uint8_t dstat;
    uint8_t sns0;

    d->cmds++;
    if (css_io_initial(io))
        d->kind->chain_reset(d);
    if (dasd_fault_due(d)) {
        sns0 = d->fault_sense0 ? d->fault_sense0 : SNS0_EQUIPMENT_CHECK;
        d->fault_sense0 = 0;
        dstat = dasd_unit_check(d, io, sns0, 0, 0);
    } else {
        dstat = dasd_dispatch(d, io);
    }
    if (d->pend_io) {
        d->pend_dstat = dstat; /* dasd_image_done ends it */
        return;
    }
    css_io_done(io, dstat, dasd_charge(d, io));
}

static void
dasd_signal(struct css_dev *dev, enum css_signal sig)
{
    struct dasd *d = dasd_of(dev);

    /* A command whose image transfer still runs ends here, once the
     * transfer is over; every other command completed inside start().
     * A halt or clear then only ends the program, and the next one starts
     * with a fresh chain state anyway.  Clear also resets the sense. */
    dasd_stop_transfer(d);
    if (d->kind->quiesce)
        d->kind->quiesce(d);
    if (sig == CSS_SIGNAL_CLEAR) {
        d->sense_latched = false;
        memset(d->sense, 0, sizeof(d->sense));
    }
}

static void
dasd_abandon(struct css_dev *dev)
{
    dasd_stop_transfer(dasd_of(dev));
}

const struct css_dev_ops dasd_ops = {
    .start = dasd_start,
    .signal = dasd_signal,
    .abandon = dasd_abandon,
};

void
dasd_init(struct dasd *d, struct zv_loop *loop, const struct dasd_config *cfg,
          const struct dasd_kind *kind)
{
    d->cdev.ops = &dasd_ops;
    d->cdev.sch = NULL;
    d->loop = loop;
    if (cfg)
        d->cfg = *cfg;
    d->kind = kind;
}

void
dev_dasd_free(struct css_dev *dev)
{
    struct dasd *d;

    if (!dev)
        return;
    d = dasd_of(dev);
    /* The subchannel runs nothing on it any more; a transfer it left
     * would still write into storage and call back into d. */
    if (d->pend_io)
        img_backend_forget(d->pend_be, d);
    if (d->kind->quiesce)
        d->kind->quiesce(d);
    d->kind->destroy(d);
}

void
dev_dasd_inject_uc(struct css_dev *dev, uint32_t after_cmds, uint8_t sense0)
{
    struct dasd *d = dasd_of(dev);

    d->fault_armed = true;
    d->fault_after = after_cmds;
    d->fault_sense0 = sense0;
}

void
dev_dasd_set_latency(struct css_dev *dev, uint64_t latency_ns,
                     uint64_t jitter_ns)
{
    struct dasd *d = dasd_of(dev);

    d->cfg.latency_ns = latency_ns;
    d->cfg.jitter_ns = jitter_ns;
    d->cfg.dist = DASD_LAT_UNIFORM;
}

void
dev_dasd_set_eq_check_ppm(struct css_dev *dev, uint32_t ppm)
{
    dasd_of(dev)->cfg.eq_check_ppm = ppm > 1000000 ? 1000000 : ppm;
}

int
dev_dasd_flush(struct css_dev *dev)
{
    struct dasd *d = dasd_of(dev);

    return d->kind->sync ? d->kind->sync(d) : 0;
}

uint64_t
dev_dasd_commands(const struct css_dev *dev)
{
    return ((const struct dasd *)dev)->cmds;
}

bool
dev_dasd_transfer_running(const struct css_dev *dev)
{
    return dasd_of((struct css_dev *)dev)->pend_io != NULL;
}

uint64_t
dev_dasd_held(const struct css_dev *dev)
{
    return dasd_of((struct css_dev *)dev)->held;
}
