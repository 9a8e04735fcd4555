/* SPDX-License-Identifier: MIT */
/*
 * dev private: the part of a DASD model shared by FBA and ECKD
 * (dasd_common.c): identification, path grouping, sense latching, fault
 * injection and latency.  The type-specific file supplies a struct
 * dasd_kind.
 */
#ifndef ZV_DEV_DASD_PRIV_H
#define ZV_DEV_DASD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "css/css.h"
#include "dev/dev.h"

/* Channel commands common to both device types (dasd.md §1, §5.1). */
#define DASD_CMD_SENSE    0x04
#define DASD_CMD_NOP      0x03
#define DASD_CMD_SENSE_ID 0xE4
#define DASD_CMD_SNID     0x34
#define DASD_CMD_SPID     0xAF
#define DASD_CMD_RCD      0xFA
#define DASD_CMD_RDC      0x64
#define DASD_CMD_DE       0x63
#define DASD_CMD_READ_IPL 0x02

#define DASD_PGID_LEN 11 /* SNID/SPID data bytes 1-11 */
#define DASD_PG_DATA  12
#define DASD_RCD_LEN  256

/* Sense byte 1 (ECKD, 24-byte compatibility layout, dasd.md §1.4) */
#define SNS1_INV_TRACK_FORMAT 0x40
#define SNS1_END_OF_CYLINDER  0x20
#define SNS1_NO_REC_FOUND     0x08
#define SNS1_FILE_PROTECTED   0x04
#define SNS1_WRITE_INHIBITED  0x02
/* Sense byte 0 bit 7: incomplete Locate Record domain (with CR) */
#define SNS0_INCOMPLETE_DOMAIN 0x01
/* Sense byte 7, format 0 (program or system check) messages */
#define SNS7_INVALID_CMD      0x01
#define SNS7_INVALID_SEQUENCE 0x02
#define SNS7_COUNT_TOO_SMALL  0x03
#define SNS7_INVALID_PARAM    0x04

struct dasd;

struct dasd_kind {
    const char *name;
    size_t sense_len; /* 24 (FBA) or 32 (ECKD) */
    size_t id_len;    /* Sense ID bytes offered (7 for FBA: no CIWs) */
    /* Chain start (initial selection): drop per-program state. */
    void (*chain_reset)(struct dasd *d);
    /* Type-specific commands: return the device status. */
    uint8_t (*exec)(struct dasd *d, struct css_io *io);
    /* Fill bytes of the sense beyond 0, 1 and 7 (position, format). */
    void (*sense_extra)(struct dasd *d, uint8_t *sense);
    /* Read Configuration Data record (NULL: command not offered). */
    void (*rcd)(struct dasd *d, uint8_t out[DASD_RCD_LEN]);
    void (*destroy)(struct dasd *d);
    /* Halt/clear: flush what is cached. */
    void (*quiesce)(struct dasd *d);
    /* Write back and make the image durable: 0 or -errno. */
    int (*sync)(struct dasd *d);
};

struct dasd {
    struct css_dev cdev; /* first: container_of by cast */
    struct zv_loop *loop;
    struct dasd_config cfg;
    const struct dasd_kind *kind;
    struct senseid id;
    uint8_t sense[SENSE_MAX];
    bool sense_latched;
    /* Path group (dasd.md §5.1): one state for the device. */
    bool grouped;
    bool multipath;
    uint8_t pgid[DASD_PGID_LEN];
    /* one-shot fault */
    bool fault_armed;
    uint32_t fault_after;
    uint8_t fault_sense0;
    uint64_t cmds;
    /* The command held while its image transfer runs (dasd_started):
     * the transfer's backend and the status exec gave. */
    struct css_io *pend_io;
    struct img_backend *pend_be;
    uint8_t pend_dstat;
    uint64_t held;
};

static inline struct dasd *
dasd_of(struct css_dev *dev)
{
    return (struct dasd *)dev;
}

void dasd_init(struct dasd *d, struct zv_loop *loop,
               const struct dasd_config *cfg, const struct dasd_kind *kind);
extern const struct css_dev_ops dasd_ops;

/*
 * Unit check: latch sense (byte 0, byte 1, byte 7 format/message), give it
 * as concurrent sense and return CE|DE|UC.
 */
uint8_t dasd_unit_check(struct dasd *d, struct css_io *io, uint8_t b0,
                        uint8_t b1, uint8_t b7);
/* Command reject, format 0 with the given message. */
uint8_t dasd_reject(struct dasd *d, struct css_io *io, uint8_t msg);
/* Give len bytes to storage (a read-type command); CE|DE either way: a
 * short or failed transfer is the channel's to report. */
uint8_t dasd_give(struct css_io *io, const void *buf, size_t len);

#define DASD_OK (DEV_STAT_CHN_END | DEV_STAT_DEV_END)

/*
 * A transfer straight between the image and storage was started on be
 * with img_*_start(..., dasd_image_done, d, &res), which returned rc:
 * 0 when the bytes moved, < 0 when it failed (the caller undoes the
 * channel's side and reports an equipment check, as for a synchronous
 * transfer), 1 when it runs on: the command is then held, and it ends
 * when the transfer does, with the status exec returned, or, if the image
 * failed, with the channel's side undone and an equipment check.  It must
 * be the last thing the command does with io (css_io_iov_undo may follow
 * it), and a device model may start it only when its command would end
 * with it (the one chunk left, the record alone).
 */
int dasd_started(struct dasd *d, struct css_io *io, struct img_backend *be,
                 int rc, int res);
void dasd_image_done(void *arg, int res);

#endif
