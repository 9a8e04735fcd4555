/* SPDX-License-Identifier: MIT */
/*
 * Typed results of the I/O instructions: a condition code, or a program
 * interruption (PoP chapter 6, "Program-Interruption Conditions").
 */
#ifndef ZV_ARCH_PIC_H
#define ZV_ARCH_PIC_H

#include <stdint.h>

enum zv_cc {
    ZV_CC0 = 0,
    ZV_CC1 = 1,
    ZV_CC2 = 2,
    ZV_CC3 = 3,
};

/* Program-interruption codes (PoP Figure 6-1). */
enum zv_pic {
    ZV_PIC_NONE = 0x00,
    ZV_PIC_OPERATION = 0x01,
    ZV_PIC_PRIVILEGED = 0x02,
    ZV_PIC_PROTECTION = 0x04,
    ZV_PIC_ADDRESSING = 0x05,
    ZV_PIC_SPECIFICATION = 0x06,
    ZV_PIC_OPERAND = 0x15,
};

/* An instruction ends either with a cc (pic == NONE) or a program
 * interruption (cc meaningless). */
struct zv_insn_rc {
    enum zv_cc cc;
    enum zv_pic pic;
};

static inline struct zv_insn_rc
zv_rc_cc(enum zv_cc cc)
{
    struct zv_insn_rc rc = {cc, ZV_PIC_NONE};
    return rc;
}

static inline struct zv_insn_rc
zv_rc_pic(enum zv_pic pic)
{
    struct zv_insn_rc rc = {ZV_CC0, pic};
    return rc;
}

const char *zv_pic_name(enum zv_pic pic);

#endif
