/* SPDX-License-Identifier: MIT */
/* The subsystem-identification word in GR1 bits 32-63 (css-pop.md §1). */
#ifndef ZV_ARCH_SCHID_H
#define ZV_ARCH_SCHID_H

#include <stdbool.h>
#include <stdint.h>

struct schid {
    uint8_t cssid; /* bits 32-39, meaningful when m */
    bool m;        /* bit 44 */
    uint8_t ssid;  /* bits 45-46 */
    uint16_t sch_no;
};

/* GR1 word for (ssid, sch_no) in CSS 0 without MCSS-E: 0x0001xxxx | ssid<<17 */
uint32_t schid_to_gr1(const struct schid *id);
/*
 * Decode GR1.  Returns false (operand exception) when the "one" bit 47 is
 * zero, bits 40-43 are non-zero, or M == 0 with a non-zero CSSID.
 */
bool schid_from_gr1(uint32_t gr1, struct schid *id);
/* Halfword at lowcore 0xB8 of the I/O-interruption code (css-pop.md §1). */
uint16_t schid_intcode_hw(const struct schid *id, bool mcsse);

#endif
