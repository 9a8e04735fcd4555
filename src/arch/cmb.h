/* SPDX-License-Identifier: MIT */
/*
 * Channel-measurement blocks (PoP chapter 17, channel monitoring): the
 * block the channel subsystem updates for a subchannel with
 * measurement-block update enabled (SCHM M = 1 and PMCW MM bit 11).
 *
 *  - format 0: 32 bytes, at MBO (set by SCHM) + MBI x 32; counts are
 *    halfwords;
 *  - format 1 (extended-I/O-measurement-block facility, PMCW F = 1): 64
 *    bytes at the PMCW MBA (SCHIB words 10-11), 64-byte aligned; every
 *    field a word, plus device-busy and initial-command-response time.
 *
 * Times are in units of 128 microseconds (Linux cmf.c time_to_nsec).
 */
#ifndef ZV_ARCH_CMB_H
#define ZV_ARCH_CMB_H

#include <stdbool.h>
#include <stdint.h>

#define CMB_SIZE     32
#define CMBE_SIZE    64
#define CMB_ALIGN    32      /* SCHM measurement-block origin */
#define CMBE_ALIGN   64      /* format-1 measurement-block address */
#define CMB_TIME_NS  128000u /* one time unit */
#define CMB_FMT0_MAX 0xFFFFu /* counts of format 0 wrap at 16 bits */

/* The time fields, in block order. */
enum cmb_time {
    CMB_CONNECT,     /* device-connect time */
    CMB_PENDING,     /* function-pending time */
    CMB_DISCONNECT,  /* device-disconnect time */
    CMB_CU_QUEUING,  /* control-unit-queuing time */
    CMB_ACTIVE_ONLY, /* device-active-only time */
    CMB_BUSY,        /* device-busy time (format 1) */
    CMB_ICR,         /* initial-command-response time (format 1) */
    CMB_NTIMES,
    CMB_FMT0_NTIMES = CMB_BUSY,
};

struct cmb {
    uint32_t ssch_rsch_count;  /* format 0: 16 bits */
    uint32_t sample_count;     /* format 0: 16 bits */
    uint32_t time[CMB_NTIMES]; /* format 0: the first CMB_FMT0_NTIMES */
};

static inline unsigned
cmb_size(bool fmt1)
{
    return fmt1 ? CMBE_SIZE : CMB_SIZE;
}

/*
 * Encode into cmb_size(fmt1) bytes.  Only the defined fields are written:
 * the reserved words keep whatever out holds (the channel subsystem
 * updates the fields of a block in place).  Format-0 counts are stored
 * modulo 2^16.
 */
void cmb_encode(const struct cmb *m, bool fmt1, uint8_t *out);
void cmb_decode(struct cmb *m, bool fmt1, const uint8_t *in);

#endif
