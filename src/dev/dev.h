/* SPDX-License-Identifier: MIT */
/*
 * dev: DASD device models behind the host channel subsystem (dasd.md).
 *
 *  - FBA 9336 on a 6310 control unit, over a raw FBA image;
 *  - ECKD 3390 (models 1, 2, 3, 9 or any cylinder count, extended-address
 *    volumes included) on a 3990 control unit, over a CKD image.
 *
 * Both answer what Linux's common I/O layer sends before a DASD driver
 * runs (Sense ID, Sense/Set Path Group ID, Sense, No-op, and for ECKD Read
 * Configuration Data) and the commands of dasd_fba / dasd_eckd.  A device
 * is a struct css_dev: hand it to css_sch_define().  The device does not
 * own the image: close it after dev_dasd_free().
 */
#ifndef ZV_DEV_DEV_H
#define ZV_DEV_DEV_H

#include <stdint.h>

#include "base/loop.h"
#include "css/css.h"
#include "img/img.h"

/* What the modelled latency is charged for (see dasd_charge()). */
enum dasd_latency_unit {
    DASD_LAT_PER_COMMAND = 0, /* every command of a program */
    DASD_LAT_PER_PROGRAM = 1, /* once per channel program (a request) */
};

enum dasd_latency_dist {
    DASD_LAT_UNIFORM = 0, /* jitter uniform in [0, jitter_ns] */
    DASD_LAT_EXP = 1,     /* jitter exponential, mean jitter_ns (capped at
                           * 20 x the mean): seek-like long tails */
};

struct dasd_config {
    /* Device latency of every command: latency_ns plus a jitter drawn from
     * zv_loop_rand (deterministic per loop seed) in the given distribution.
     */
    uint64_t latency_ns;
    uint64_t jitter_ns;
    enum dasd_latency_dist dist;
    enum dasd_latency_unit unit;
    /* Fault injection: probability in parts per million that a command
     * ends with unit check + equipment check (sense byte 0 = 0x10) before
     * it does anything.  Linux's ERP retries equipment checks. */
    uint32_t eq_check_ppm;
    /* ECKD: device type model byte for Sense ID / RDC (0 = derive from the
     * image's cylinder count). */
    uint8_t model;
};

int dev_fba_new(struct zv_loop *loop, struct fba_img *img,
                const struct dasd_config *cfg, struct css_dev **out);
int dev_eckd_new(struct zv_loop *loop, struct ckd_img *img,
                 const struct dasd_config *cfg, struct css_dev **out);
/* Frees a device made by dev_fba_new/dev_eckd_new (NULL is fine).  The
 * subchannel must no longer run a program on it. */
void dev_dasd_free(struct css_dev *dev);

/*
 * One-shot fault: the command started after `after_cmds` more commands
 * (0 = the next one) ends with unit check and the given sense byte 0
 * (e.g. SNS0_EQUIPMENT_CHECK), without side effects.  Mid-chain faults
 * follow from after_cmds > 0 within one program.
 */
void dev_dasd_inject_uc(struct css_dev *dev, uint32_t after_cmds,
                        uint8_t sense0);
/*
 * Change the modelled latency (plus uniform jitter up to jitter_ns) or the
 * equipment-check rate (parts per million) of a live device: the control
 * plane's fault injection, a DASD turning slow or flaky under a running
 * guest.  Commands started afterwards use the new values; one already
 * running keeps the completion time it was given.
 */
void dev_dasd_set_latency(struct css_dev *dev, uint64_t latency_ns,
                          uint64_t jitter_ns);
void dev_dasd_set_eq_check_ppm(struct css_dev *dev, uint32_t ppm);
/*
 * Write back what the device holds (the ECKD track buffer) and make the
 * image durable (fdatasync through img_flush), e.g. before a daemon exits.
 * 0 or -errno.  dev_dasd_free() writes back but does not fdatasync.
 */
int dev_dasd_flush(struct css_dev *dev);
/* A command is held while its image transfer runs (an asynchronous
 * backend: io_uring, or one deferring for tests). */
bool dev_dasd_transfer_running(const struct css_dev *dev);
/* Commands that were held so far (their transfer did not finish inside
 * the command). */
uint64_t dev_dasd_held(const struct css_dev *dev);
/* Commands started on the device so far (for tests and benchmarks). */
uint64_t dev_dasd_commands(const struct css_dev *dev);

#endif
