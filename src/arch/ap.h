/* SPDX-License-Identifier: MIT */
/*
 * arch/ap: the architected formats of the AP (adjunct processor, crypto)
 * instructions (reference/vfio-ap.md §1.2, §5), shared by the host AP
 * bus model (src/ap), the vfio_ap driver and guest-side clients:
 *
 *  - APQNs and the 256-bit APID/APQI masks, MSB first (bit 0 = leftmost
 *    bit of byte 0 = ID 0), held as bytes so no host byte order leaks in;
 *  - the 128-byte PQAP(QCI) configuration block;
 *  - the AP queue status word (GR1 bits 32-63) and its response codes;
 *  - the PQAP GR0 operand (function code, T and F bits, APQN), the
 *    PQAP(TAPQ) GR2 information and the PQAP(AQIC) GR1 control;
 *  - the adapter types TAPQ reports.
 *
 * Register images are host integers holding the architected bits; byte
 * images go through base/bytes.h only.
 */
#ifndef ZV_ARCH_AP_H
#define ZV_ARCH_AP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AP_MAX_ID     255 /* APIDs and APQIs are 8 bits */
#define AP_MASK_BYTES 32

/* APQN = APID << 8 | APQI; sysfs name "AA.DDDD" */
#define AP_MKQN(apid, apqi) ((uint16_t)(((apid)&0xff) << 8 | ((apqi)&0xff)))
#define AP_QN_APID(apqn)    ((uint8_t)((apqn) >> 8))
#define AP_QN_APQI(apqn)    ((uint8_t)(apqn))

/* ---- 256-bit masks, MSB first (reference §1.2 "Bit order") ---- */

struct ap_mask {
    uint8_t b[AP_MASK_BYTES];
};

static inline bool
ap_mask_test(const struct ap_mask *m, unsigned id)
{
    return id <= AP_MAX_ID && (m->b[id >> 3] & (0x80u >> (id & 7)));
}
static inline void
ap_mask_set(struct ap_mask *m, unsigned id)
{
    if (id <= AP_MAX_ID)
        m->b[id >> 3] |= (uint8_t)(0x80u >> (id & 7));
}
static inline void
ap_mask_clear(struct ap_mask *m, unsigned id)
{
    if (id <= AP_MAX_ID)
        m->b[id >> 3] &= (uint8_t) ~(0x80u >> (id & 7));
}
void ap_mask_zero(struct ap_mask *m);
void ap_mask_fill(struct ap_mask *m);
bool ap_mask_empty(const struct ap_mask *m);
bool ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b);
bool ap_mask_intersects(const struct ap_mask *a, const struct ap_mask *b);
/* r = a & b, r = a & ~b (r may alias a or b) */
void ap_mask_and(struct ap_mask *r, const struct ap_mask *a,
                 const struct ap_mask *b);
void ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a,
                    const struct ap_mask *b);
unsigned ap_mask_weight(const struct ap_mask *m);
/* Next set ID >= from, or -1. */
int ap_mask_next(const struct ap_mask *m, unsigned from);
#define ap_mask_for_each(id, m)                                                \
    for ((id) = ap_mask_next((m), 0); (id) >= 0;                               \
         (id) = ap_mask_next((m), (unsigned)(id) + 1))

/* ---- adapter types ---- */

/* Adapter (AP) types as TAPQ reports them (reference §5.5, BUSH). */
enum ap_type {
    AP_TYPE_CEX4 = 10,
    AP_TYPE_CEX5 = 11,
    AP_TYPE_CEX6 = 12,
    AP_TYPE_CEX7 = 13,
    AP_TYPE_CEX8 = 14,
};

/* ---- PQAP(QCI): the AP configuration block (reference §1.2) ---- */

/* The QCI information, decoded. */
struct ap_config {
    bool apsc, apxa, qact;
    uint8_t na, nd;
    struct ap_mask apm, aqm, adm;
};
/* The 128-byte QCI block, big-endian bytes.  Encode zeroes the reserved
 * bytes; decode ignores them. */
#define AP_QCI_BLOCK_LEN 128
void ap_config_encode(const struct ap_config *c, uint8_t out[AP_QCI_BLOCK_LEN]);
void ap_config_decode(const uint8_t in[AP_QCI_BLOCK_LEN], struct ap_config *c);

/* ---- AP queue status word (reference §5.2): GR1 bits 32-63 ---- */

struct ap_qstatus {
    bool empty;   /* E: no request and no reply in the queue */
    bool replies; /* R: replies waiting */
    bool full;    /* F: the queue holds qd + 1 entries */
    bool irq;     /* I: interruptions enabled */
    uint8_t rc;   /* response code */
};
uint32_t ap_qstatus_encode(const struct ap_qstatus *st);
void ap_qstatus_decode(uint32_t w, struct ap_qstatus *st);
/* The word as architected big-endian bytes (for a region or a log). */
void ap_qstatus_put(uint8_t out[4], const struct ap_qstatus *st);
void ap_qstatus_get(const uint8_t in[4], struct ap_qstatus *st);

/* Response codes (reference §5.3). */
enum ap_rc {
    AP_RC_NORMAL = 0x00,
    AP_RC_Q_NOT_AVAIL = 0x01,
    AP_RC_RESET_IN_PROGRESS = 0x02,
    AP_RC_DECONFIGURED = 0x03,
    AP_RC_CHECKSTOPPED = 0x04,
    AP_RC_BUSY = 0x05,
    AP_RC_INVALID_ADDRESS = 0x06,
    AP_RC_OTHERWISE_CHANGED = 0x07,
    AP_RC_Q_FULL = 0x10,           /* NQAP */
    AP_RC_NO_PENDING_REPLY = 0x10, /* DQAP */
    AP_RC_INDEX_TOO_BIG = 0x11,
    AP_RC_NO_FIRST_PART = 0x13,
    AP_RC_MESSAGE_TOO_BIG = 0x15,
};

/* ---- PQAP operands (reference §5.1) ---- */

/* PQAP function codes (GR0 bits 32-39). */
#define AP_FC_TAPQ 0
#define AP_FC_RAPQ 1
#define AP_FC_ZAPQ 2
#define AP_FC_AQIC 3
#define AP_FC_QCI  4
#define AP_FC_QACT 5

/* GR0 of PQAP: bits 32-39 function code, bit 40 T (TAPQ: store the
 * adapter information), bit 41 F (RAPQ/ZAPQ), bits 42-47 reserved, bits
 * 48-63 APQN.  Bits 0-31 are ignored. */
struct ap_pqap_gr0 {
    uint8_t fc;
    bool t, f;
    bool reserved; /* decode: a bit of 42-47 was set */
    uint16_t apqn;
};
uint64_t ap_pqap_gr0_encode(const struct ap_pqap_gr0 *g);
void ap_pqap_gr0_decode(uint64_t gr0, struct ap_pqap_gr0 *g);

/* PQAP(TAPQ) with T: the GR2 adapter information (APH struct
 * ap_tapq_hwinfo), decoded. */
struct ap_tapq_info {
    bool apsc, mex4k, crt4k, cca, accel, ep11, apxa;
    uint8_t at; /* adapter type (enum ap_type), bits 32-39 */
    uint8_t nd; /* highest domain number, bits 40-47 */
    uint8_t ml; /* max message length in 4 KiB units, 0 = 12 KiB; 4 bits */
    uint8_t qd; /* queue depth - 1; 4 bits */
};
uint64_t ap_tapq_info_encode(const struct ap_tapq_info *i);
void ap_tapq_info_decode(uint64_t gr2, struct ap_tapq_info *i);

/* PQAP(AQIC) GR1 control: bit 16 IR = enable interruptions, bits 61-63
 * ISC = interruption subclass. */
struct ap_aqic_ctl {
    bool ir;
    uint8_t isc;
};
uint64_t ap_aqic_ctl_encode(const struct ap_aqic_ctl *c);
void ap_aqic_ctl_decode(uint64_t gr1, struct ap_aqic_ctl *c);

#endif
