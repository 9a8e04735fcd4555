/* SPDX-License-Identifier: MIT */
/* CCWs format 0/1, IDAWs format 1/2, MIDAWs (css-pop.md §2.4, §2.5). */
#ifndef ZV_ARCH_CCW_H
#define ZV_ARCH_CCW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/bytes.h"

#define CCW_SIZE 8

#define CCW_FLAG_CD      0x80
#define CCW_FLAG_CC      0x40
#define CCW_FLAG_SLI     0x20
#define CCW_FLAG_SKIP    0x10
#define CCW_FLAG_PCI     0x08
#define CCW_FLAG_IDA     0x04
#define CCW_FLAG_SUSPEND 0x02
#define CCW_FLAG_MIDA    0x01

#define CCW_CMD_TIC         0x08
#define CCW_CMD_NOOP        0x03
#define CCW_CMD_BASIC_SENSE 0x04
#define CCW_CMD_SENSE_ID    0xE4

/* Every CCW is held in format-1 shape; format-0 decodes into it. */
struct ccw1 {
    uint8_t cmd;
    uint8_t flags;
    uint16_t count;
    uint32_t cda;
};
/* ccw1_decode stores the four fields as one 64-bit value */
_Static_assert(sizeof(struct ccw1) == 8 && offsetof(struct ccw1, flags) == 1 &&
                   offsetof(struct ccw1, count) == 2 &&
                   offsetof(struct ccw1, cda) == 4,
               "struct ccw1 layout");

enum ccw_class {
    CCW_CLASS_INVALID,   /* xxxx0000 */
    CCW_CLASS_WRITE,     /* xxxxxx01 */
    CCW_CLASS_READ,      /* xxxxxx10 */
    CCW_CLASS_CONTROL,   /* xxxxxx11 */
    CCW_CLASS_SENSE,     /* xxxx0100 */
    CCW_CLASS_TIC,       /* xxxx1000 */
    CCW_CLASS_READ_BACK, /* xxxx1100 */
};

/*
 * The class, input test and format-1 codec are inline: the channel and the
 * translator call them once or twice per CCW on every I/O, and a call costs
 * more than the work.
 *
 * Class of a command code (PoP "Command Code", css-pop.md §2.4).  The
 * 4-bit patterns sense (0100), TIC (1000) and read backward (1100) share
 * their low two bits (00) with nothing else, so they are matched on the
 * low nibble first; only then does the 2-bit write/read/control rule apply.
 */
static inline enum ccw_class
ccw_cmd_class(uint8_t cmd)
{
    switch (cmd & 0x0F) {
    case 0x0:
        return CCW_CLASS_INVALID;
    case 0x4:
        return CCW_CLASS_SENSE;
    case 0x8:
        return CCW_CLASS_TIC;
    case 0xC:
        return CCW_CLASS_READ_BACK;
    }
    switch (cmd & 0x03) {
    case 0x1:
        return CCW_CLASS_WRITE;
    case 0x2:
        return CCW_CLASS_READ;
    default:
        return CCW_CLASS_CONTROL;
    }
}

/*
 * Does the command move data into storage (read, read backward, sense)?
 * Read is xxxxxx10; sense (0100) and read backward (1100) are the two
 * classes whose low three bits are 100.  Nothing else matches either.
 */
static inline bool
ccw_cmd_is_input(uint8_t cmd)
{
    return (cmd & 0x03) == 0x2 || (cmd & 0x07) == 0x4;
}

/* Format 1: cmd | flags | count(16) | address(32), one doubleword: loaded
 * and stored as one big-endian 64-bit word, which compilers turn into a
 * single load or store (the byte order stays that of bytes.h). */
static inline void
ccw1_encode(const struct ccw1 *c, uint8_t out[CCW_SIZE])
{
    zv_put_be64(out, (uint64_t)c->cmd << 56 | (uint64_t)c->flags << 48 |
                         (uint64_t)c->count << 32 | c->cda);
}

static inline void
ccw1_decode(struct ccw1 *c, const uint8_t in[CCW_SIZE])
{
    uint64_t w = zv_be64(in), v;

    /* One 8-byte store of the whole CCW, not four narrow ones: the
     * engine and the translator copy a decoded CCW whole right after,
     * and an 8-byte load of four fresh narrow stores cannot be forwarded
     * from the store buffer (a stall of about a dozen cycles per CCW, 7 %
     * of a 1 MiB FBA read: 2,048 CCWs). */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = w;
#else
    v = (w >> 56) | ((w >> 48) & 0xFF) << 8 | ((w >> 32) & 0xFFFF) << 16 |
        (w & 0xFFFFFFFF) << 32;
#endif
    memcpy(c, &v, sizeof(v));
}

/* Format 0: cmd, 24-bit address, flags, count.  A format-0 TIC keeps
 * cmd & 0x0F == 8 (high nibble ignored). */
void ccw0_encode(const struct ccw1 *c, uint8_t out[CCW_SIZE]);
void ccw0_decode(struct ccw1 *c, const uint8_t in[CCW_SIZE]);

/* IDAWs */
#define IDAW1_SIZE 4
#define IDAW2_SIZE 8
#define IDA_2K     2048u
#define IDA_4K     4096u
/* Format-1 IDAW bit 0 must be 0 (31-bit). */
#define IDAW1_INVALID_BIT 0x80000000u

/* MIDAW: bytes 0-4 reserved, byte 5 flags, bytes 6-7 count, 8-15 address. */
#define MIDAW_SIZE      16
#define MIDAW_FLAG_LAST 0x80
#define MIDAW_FLAG_SKIP 0x40
#define MIDAW_FLAG_DTI  0x20
struct midaw {
    uint64_t rsvd; /* bytes 0-4 as a number; must be 0 */
    uint8_t flags;
    uint16_t count;
    uint64_t data;
};
void midaw_encode(const struct midaw *m, uint8_t out[MIDAW_SIZE]);
void midaw_decode(struct midaw *m, const uint8_t in[MIDAW_SIZE]);

#endif
