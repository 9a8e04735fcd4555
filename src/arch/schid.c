/* SPDX-License-Identifier: MIT */
/*
 * Subsystem-identification word, GR1 bits 32-63 (css-pop.md §1).  The
 * word is handled as a number: GR1 lives in a register, not in storage.
 */
#include "arch/schid.h"

#define SID_ONE_BIT     0x00010000u /* bit 47 */
#define SID_ZERO_4043   0x00F00000u /* bits 40-43 */
#define SID_M_BIT       0x00080000u /* bit 44 */
#define SID_SSID_SHIFT  17          /* bits 45-46 */
#define SID_CSSID_SHIFT 24          /* bits 32-39 */

/*
 * The CSSID is only placed when M is set: with M = 0 a non-zero CSSID
 * field is an operand exception, so the encoder never produces one.
 */
uint32_t
schid_to_gr1(const struct schid *id)
{
    uint32_t w = SID_ONE_BIT | id->sch_no;

    w |= (uint32_t)(id->ssid & 3) << SID_SSID_SHIFT;
    if (id->m)
        w |= SID_M_BIT | (uint32_t)id->cssid << SID_CSSID_SHIFT;
    return w;
}

/* On false, *id is left untouched. */
bool
schid_from_gr1(uint32_t gr1, struct schid *id)
{
    bool m = (gr1 & SID_M_BIT) != 0;
    uint8_t cssid = (uint8_t)(gr1 >> SID_CSSID_SHIFT);

    if (!(gr1 & SID_ONE_BIT) || (gr1 & SID_ZERO_4043))
        return false;
    if (!m && cssid != 0)
        return false;
    id->cssid = cssid;
    id->m = m;
    id->ssid = (uint8_t)((gr1 >> SID_SSID_SHIFT) & 3);
    id->sch_no = (uint16_t)gr1;
    return true;
}

/*
 * Lowcore 0xB8 holds the high halfword of the SID: with MCSS-E the CSSID
 * and M = 1 are included, otherwise only SSID and the one bit.
 */
uint16_t
schid_intcode_hw(const struct schid *id, bool mcsse)
{
    uint16_t hw = (uint16_t)(((id->ssid & 3) << 1) | 1);

    if (mcsse)
        hw |= (uint16_t)((id->cssid << 8) | (1 << 3));
    return hw;
}
