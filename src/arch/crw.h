/* SPDX-License-Identifier: MIT */
/* Channel-report word (css-pop.md §2.6). */
#ifndef ZV_ARCH_CRW_H
#define ZV_ARCH_CRW_H

#include <stdbool.h>
#include <stdint.h>

#define CRW_RSC_MONITOR 0x2
#define CRW_RSC_SCH     0x3
#define CRW_RSC_CPATH   0x4
#define CRW_RSC_CONFIG  0x9
#define CRW_RSC_CSS     0xB

#define CRW_ERC_EVENT  0x00
#define CRW_ERC_AVAIL  0x01
#define CRW_ERC_INIT   0x02
#define CRW_ERC_TERROR 0x03
#define CRW_ERC_IPARM  0x04
#define CRW_ERC_TERM   0x05
#define CRW_ERC_PERRN  0x06
#define CRW_ERC_PERRI  0x07
#define CRW_ERC_PMOD   0x08

struct crw {
    bool slct;   /* S: solicited */
    bool oflw;   /* R: overflow */
    bool chn;    /* C: chained */
    uint8_t rsc; /* 4 bits */
    bool anc;    /* A: ancillary */
    uint8_t erc; /* 6 bits */
    uint16_t rsid;
};

uint32_t crw_to_word(const struct crw *c);
void crw_from_word(struct crw *c, uint32_t w);
void crw_encode(const struct crw *c, uint8_t out[4]);
void crw_decode(struct crw *c, const uint8_t in[4]);

#endif
