/* SPDX-License-Identifier: MIT */
/* guest/dasd private: shared by dasd.c, dasd_fba.c and dasd_eckd.c. */
#ifndef ZV_GUEST_DASD_PRIV_H
#define ZV_GUEST_DASD_PRIV_H

#include "guest/dasd.h"
#include "guest/prog.h"

#define GD_DATA_MAX  (1u << 20) /* largest request: 1 MiB */
#define GD_PARM_SIZE 4096       /* DE/LR/Locate parameters, small replies */
#define GD_SENSE_OFF 3840       /* basic Sense lands here in the parm area */
/* CCWs in one program: the kernel's vfio-ccw translates chains of at most
 * 256 CCWs (CCWCHAIN_LEN_MAX), so requests are split to stay below. */
#define GD_MAX_CCWS 256
#define GD_PROG_CAP GD_MAX_CCWS
#define GD_ISC      3

/* Channel commands the driver sends (dasd.md §2, §3, §5). */
#define GD_SENSE    0x04
#define GD_NOP      0x03
#define GD_SENSE_ID 0xE4
#define GD_SNID     0x34
#define GD_SPID     0xAF
#define GD_RDC      0x64
#define GD_DE       0x63
#define GD_PSF      0x27
#define GD_RSSD     0x3E
#define GD_FBA_LO   0x43
#define GD_FBA_RD   0x42
#define GD_FBA_WR   0x41
#define GD_LR       0x47
#define GD_RD_MT    0x86
#define GD_WR_MT    0x85
#define GD_RKD_MT   0x8E
#define GD_WKD_MT   0x8D
#define GD_RD_COUNT 0x12
#define GD_WR_CKD   0x1D

struct guest_dasd {
    struct guest_chan *ch;
    struct guest_prog prog;
    struct guest_prog sprog; /* basic Sense */
    uint64_t parm_addr;
    uint8_t *parm;
    uint64_t data_addr;
    uint8_t *data; /* GD_DATA_MAX bytes of guest memory */
    uint32_t xfer; /* where in data the block I/O being built moves */
    struct guest_dasd_info info;
    struct guest_dasd_stats stats;
    uint8_t sense[32];
    unsigned attempts;
    struct irb irb; /* of the last program */
};

/* Run the program built in g->prog (on path mask lpm, 0 = any), with
 * Linux-like retries.  0, -EIO (sense in g->sense), -ENODEV. */
int gd_run(struct guest_dasd *g, uint8_t lpm);
/* Bytes the last program moved for CCW count `count` (count - residual). */
uint32_t gd_moved(const struct guest_dasd *g, uint16_t count);
static inline uint32_t
gd_parm(const struct guest_dasd *g, uint32_t off)
{
    return (uint32_t)(g->parm_addr + off);
}
static inline uint32_t
gd_data(const struct guest_dasd *g, uint32_t off)
{
    return (uint32_t)(g->data_addr + off);
}

int gd_fba_online(struct guest_dasd *g);
int gd_fba_rw(struct guest_dasd *g, uint64_t blk, uint32_t n, bool write);
int gd_fba_discard(struct guest_dasd *g, uint64_t blk, uint32_t n);
int gd_eckd_online(struct guest_dasd *g);
int gd_eckd_rw(struct guest_dasd *g, uint64_t blk, uint32_t n, bool write);
int gd_eckd_analyse(struct guest_dasd *g);
int gd_eckd_format(struct guest_dasd *g, uint32_t blksize,
                   enum guest_dasd_layout layout);
/* Largest request in blocks for one program. */
uint32_t gd_eckd_max_blocks(const struct guest_dasd *g);

#endif
