/* SPDX-License-Identifier: MIT */
/*
 * guest/dasd: a guest-side DASD driver that sends the channel programs
 * Linux's dasd_fba and dasd_eckd send (dasd.md §2.3, §3.7, §5), through
 * any guest_chan (host CSS or vfio-ccw).
 *
 *  - guest_dasd_online(): Sense ID, path grouping (SNID/SPID per path,
 *    ECKD), path verification (NOP per path), Read Configuration Data,
 *    Read Feature Codes, Read Device Characteristics, volume analysis.
 *  - block I/O: FBA  DE + Locate + data-chained Read/Write (512-byte
 *    blocks); ECKD DE + LR + Read/Write Data MT, with the CDL special
 *    records of tracks 0 and 1 read/written as key + data.
 *  - error handling like Linux: unit check -> sense (concurrent or basic
 *    Sense); equipment/data check, overrun, intervention required and
 *    channel/path errors are retried; command reject, no record found,
 *    file protected, invalid track format fail the request.
 */
#ifndef ZV_GUEST_DASD_H
#define ZV_GUEST_DASD_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/chan.h"

enum guest_dasd_type {
    GUEST_DASD_FBA,
    GUEST_DASD_ECKD,
};

enum guest_dasd_layout {
    GUEST_LAYOUT_NONE, /* ECKD not formatted (analysis: no record found) */
    GUEST_LAYOUT_CDL,
    GUEST_LAYOUT_LDL,
    GUEST_LAYOUT_FBA,
};

struct guest_dasd_info {
    enum guest_dasd_type type;
    enum guest_dasd_layout layout;
    uint16_t cu_type, dev_type;
    uint8_t cu_model, dev_model;
    uint32_t blksize;
    uint64_t blocks;
    /* FBA */
    bool data_chaining;
    /* ECKD */
    uint32_t cyls, heads, rpt; /* rpt: records (blocks) per track */
    bool grouped;              /* path group established on every path */
    uint8_t ned[32];           /* device NED from RCD */
    uint8_t features[256];     /* Read Feature Codes */
};

struct guest_dasd_stats {
    uint64_t programs; /* channel programs started */
    uint64_t retries;  /* programs restarted after a retryable error */
    uint64_t unit_checks;
    uint64_t path_errors; /* interface-control check, cc 3, no path */
};

struct guest_dasd;

/* Bring the device online; *out owns nothing of ch. -ENODEV (no device,
 * unknown type), -EIO (a required step failed), -ENOMEM. */
int guest_dasd_online(struct guest_chan *ch, struct guest_dasd **out);
void guest_dasd_offline(struct guest_dasd *g);
const struct guest_dasd_info *guest_dasd_info(const struct guest_dasd *g);
const struct guest_dasd_stats *guest_dasd_stats(const struct guest_dasd *g);
/* Sense bytes of the last failed request (32 bytes). */
const uint8_t *guest_dasd_last_sense(const struct guest_dasd *g);
/* Attempts per request (default 8). */
void guest_dasd_set_retries(struct guest_dasd *g, unsigned attempts);

/*
 * Block I/O in blocks of info->blksize.  ECKD CDL: blocks 0-2 and the
 * blocks of track 1 are the short keyed records Linux uses; a read of one
 * returns the record's key+data followed by 0xE5 fill, a write stores the
 * first (key+data length) bytes.  0, -EINVAL (range), -EIO (failed after
 * retries; see last_sense), -ENODEV.
 */
int guest_dasd_read(struct guest_dasd *g, uint64_t blk, uint32_t n, void *buf);
int guest_dasd_write(struct guest_dasd *g, uint64_t blk, uint32_t n,
                     const void *buf);
/*
 * The library's data area in guest memory (*len bytes, the largest
 * request).  A buf inside it is the guest's own buffer, as a guest OS's
 * O_DIRECT page is: read and write move the data between the device and
 * that memory and copy nothing (a buf elsewhere is staged through the
 * area, one copy per request); a request that would run past the area's
 * end is -EINVAL.  Other calls of the library (online, discard, format)
 * use the area too: what a caller keeps there survives only its own
 * reads and writes.
 */
void *guest_dasd_buffer(struct guest_dasd *g, size_t *len);
/* FBA: write zeros the way Linux's discard does (count-0 Write). */
int guest_dasd_discard(struct guest_dasd *g, uint64_t blk, uint32_t n);
/* ECKD: format every track (Write CKD), like dasdfmt, then re-analyse.
 * blksize 512/1024/2048/4096; layout CDL or LDL. */
int guest_dasd_format(struct guest_dasd *g, uint32_t blksize,
                      enum guest_dasd_layout layout);

/* CDL: bytes a block really holds (key + data), blksize if normal. */
uint32_t guest_dasd_cdl_reclen(uint32_t rpt, uint32_t blksize, uint64_t blk);
/* 3390 records per track for a data length without key (dasd.md §3.1). */
uint32_t guest_eckd_rpt(uint32_t dl);

#endif
