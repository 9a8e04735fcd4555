/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390 private declarations: eckd.c (identification, Define Extent,
 * Locate Record, subsystem commands, dispatch) and eckd_track.c (the
 * track cache, orientation and the data-transfer commands).
 */
#ifndef ZV_DEV_ECKD_PRIV_H
#define ZV_DEV_ECKD_PRIV_H

#include "dev/dasd_priv.h"

#define ECKD_MAX_RECS 256 /* count fields one track slot can hold, bounded */

/* Why a command failed; eckd_fail() turns it into sense (dasd.md §1.4). */
enum eckd_err {
    EE_OK = 0,
    EE_CHANNEL,   /* the channel ended the transfer: it reports */
    EE_NRF,       /* no record found */
    EE_FP,        /* file protected (extent or file mask) */
    EE_ITF,       /* invalid track format */
    EE_EQUIPMENT, /* image I/O failed */
    EE_CR_CMD,    /* command reject: invalid command */
    EE_CR_SEQ,    /* command reject: invalid command sequence */
    EE_CR_COUNT,  /* command reject: CCW count less than required */
    EE_CR_PARAM,  /* command reject: invalid parameter */
    EE_CR_DOMAIN, /* command reject: incomplete Locate Record domain */
    EE_EOF,       /* data field of length 0 read: unit exception */
};

/* Locate Record orientation (byte 0 bits 0-1) */
#define LR_ORIENT_COUNT 0x00
#define LR_ORIENT_HA    0x40
#define LR_ORIENT_DATA  0x80
#define LR_ORIENT_INDEX 0xC0
#define LR_ORIENT_MASK  0xC0
#define LR_OP_MASK      0x3F
/* Locate Record operations (byte 0 bits 2-7) */
#define LR_OP_ORIENT     0x00
#define LR_OP_WRITE_DATA 0x01
#define LR_OP_FORMAT     0x03
#define LR_OP_READ_DATA  0x06
#define LR_OP_READ_TRKS  0x0C
#define LR_OP_READ_ANY   0x16
#define LR_OP_EXTENDED   0x3F
#define LR_AUX_TLF_VALID 0x80

/* Define Extent file mask (byte 0) */
#define DE_PERM_MASK     0xC0
#define DE_PERM_INHIBIT  0x40 /* inhibit all writes */
#define DE_PERM_UPDATE   0x80 /* update writes only */
#define DE_MASK_RESERVED 0x20
#define DE_ATTR_ECKD     0xC0 /* attributes bits 0-1: ECKD mode */

#define ECKD_SECT        512u
#define ECKD_LAYOUT_RECS 13   /* R0 + 12: a 4 KiB-formatted track */
#define ECKD_LAYOUTS     8192 /* direct-mapped by track number */

/* Record table (or its first records) of a track seen before, so a later
 * visit reads only the record it needs.  Only this device writes the
 * image; the entry is refreshed whenever the device leaves the track. */
struct eckd_layout {
    uint32_t trk_plus1; /* 0 = empty */
    uint8_t n;
    bool complete; /* n is every record; else a prefix of the table */
    struct ckd_record recs[ECKD_LAYOUT_RECS];
};

struct eckd {
    struct dasd d;
    struct ckd_img *img;
    struct ckd_geom geom;
    uint32_t tracks;
    uint8_t unit_type; /* RDC byte 11 */
    /* track cache: one track, written back when the chain leaves it */
    uint8_t *trk;
    uint32_t trk_no;
    bool trk_valid;
    bool trk_dirty;
    bool dirty_all;    /* format write: the whole slot goes back */
    uint32_t dirty_lo; /* else: the byte range an update write changed */
    uint32_t dirty_hi;
    uint64_t *ldmap; /* 512-byte pieces of the slot read from the image */
    /* slot bytes [ahead_lo, ahead_hi) are in the buffer: read ahead for a
     * run of records in one domain (0 = none) */
    uint32_t ahead_lo, ahead_hi;
    struct eckd_layout *layouts; /* record tables of tracks seen before */
    uint32_t parse_off;          /* offset of the next count field to parse */
    bool complete; /* end-of-track marker parsed: nrecs is final */
    int nrecs;     /* count fields parsed, R0 included; -1 malformed */
    struct ckd_record recs[ECKD_MAX_RECS];
    /* orientation within the track */
    int cur;          /* record whose count is next/last read */
    bool after_count; /* count of recs[cur] passed, key/data next */
    unsigned index_passes;
    /* chain state */
    bool extent;
    uint8_t de_mask, de_attr;
    uint32_t beg_trk, end_trk;
    bool domain;
    uint8_t lr_op, lr_aux;
    uint32_t lr_left;
    uint16_t tlf;
    bool trk_started; /* Read Track: first track of the domain done */
    /* count and key fields between the data fields of a chained run read
     * in one image read land here (eckd_read_chain) */
    uint8_t gap[CKD_COUNT_SIZE + 256];
    /* Perform Subsystem Function -> Read Subsystem Data */
    uint16_t rssd_len; /* prepared bytes, 0 = none */
    bool rssd_ready;   /* previous command was the PSF that prepared */
};

static inline struct eckd *
eckd_of(struct dasd *d)
{
    return (struct eckd *)d;
}

/* CCHH per dasd.md §3.1: cylinder bits above 16 go to the upper 12 bits
 * of HH on extended-address volumes. */
int eckd_track_buffers(struct eckd *e);
void eckd_track_buffers_free(struct eckd *e);
void eckd_cchh_put(uint8_t *p, uint32_t cyl, uint32_t head);
uint32_t eckd_cchh_track(const struct eckd *e, const uint8_t *p, bool *ok);

uint8_t eckd_fail(struct eckd *e, struct css_io *io, enum eckd_err err);

/* eckd_track.c */
enum eckd_err eckd_load(struct eckd *e, uint32_t trk);
enum eckd_err eckd_flush(struct eckd *e);
enum eckd_err eckd_parse_to(struct eckd *e, int i);
enum eckd_err eckd_orient_lr(struct eckd *e, uint8_t orient,
                             const uint8_t cchhr[5]);
enum eckd_err eckd_track_cmd(struct eckd *e, struct css_io *io, uint8_t cmd,
                             bool *sm);
bool eckd_track_cmd_known(uint8_t cmd, unsigned *cls);

/* Command classes, for Locate Record domain checks. */
#define ECKD_CLS_READ   0x01 /* reads of data/key/count fields */
#define ECKD_CLS_READ0  0x02 /* reads of R0 or home address */
#define ECKD_CLS_WRITE  0x04 /* update writes of key/data */
#define ECKD_CLS_FORMAT 0x08 /* Write CKD, Write R0 */
#define ECKD_CLS_TRACK  0x10 /* Read Track */
#define ECKD_CLS_SEARCH 0x20 /* Seek, Search: never inside a domain */

#endif
