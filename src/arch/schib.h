/* SPDX-License-Identifier: MIT */
/*
 * PMCW, SCSW and SCHIB (css-pop.md §2.1), held decoded in host order.
 * Architecture byte order exists only in the encoded buffers handled by
 * *_encode and *_decode.  Bit names follow the PoP and Linux's scsw.h.
 */
#ifndef ZV_ARCH_SCHIB_H
#define ZV_ARCH_SCHIB_H

#include <stdbool.h>
#include <stdint.h>

#define PMCW_SIZE  28
#define SCSW_SIZE  12
#define SCHIB_SIZE 52

struct pmcw {
    uint32_t intparm;
    bool qf;        /* w1 bit 0: QDIO facility; must be 0 in MSCH */
    bool w;         /* w1 bit 1; must be 0 in MSCH */
    uint8_t isc;    /* w1 bits 2-4 */
    bool bit5;      /* w1 bit 5: ignored by MSCH, stored as 0 */
    uint8_t bits67; /* w1 bits 6-7: must be 0 in MSCH */
    bool ena;       /* E, bit 8 */
    uint8_t lm;     /* bits 9-10, 3 invalid */
    uint8_t mme;    /* bits 11-12 */
    bool mp;        /* D, bit 13: multipath mode */
    bool tf;        /* T, bit 14 */
    bool dnv;       /* V, bit 15 */
    uint16_t dev;   /* device number */
    uint8_t lpm;
    uint8_t pnom;
    uint8_t lpum;
    uint8_t pim;
    uint16_t mbi;
    uint8_t pom;
    uint8_t pam;
    uint8_t chpid[8];
    uint8_t w6_zone;  /* w6 bits 0-7: reserved */
    uint8_t st;       /* w6 bits 8-10: subchannel type */
    uint32_t w6_rsvd; /* w6 bits 11-28: must be 0 in MSCH */
    bool mbfc;        /* F, bit 29 */
    bool xmwme;       /* X, bit 30 */
    bool csense;      /* S, bit 31 */
};

/* Subchannel types (PMCW ST) */
#define PMCW_ST_IO   0
#define PMCW_ST_CHSC 1
#define PMCW_ST_MSG  2
#define PMCW_ST_ADM  3

/* PMCW LM (word 1 bits 9-10): which side of the SET ADDRESS LIMIT limit a
 * data address must lie on when the ORB's A bit asks for checking. */
#define PMCW_LM_NONE  0 /* no limit checking */
#define PMCW_LM_LOWER 1 /* data addresses must be >= the limit */
#define PMCW_LM_UPPER 2 /* data addresses must be < the limit */

/* Function control (SCSW word 0 bits 17-19) */
#define SCSW_FCTL_START 0x4
#define SCSW_FCTL_HALT  0x2
#define SCSW_FCTL_CLEAR 0x1
/* Activity control (bits 20-26) */
#define SCSW_ACTL_RESUME_PEND 0x40
#define SCSW_ACTL_START_PEND  0x20
#define SCSW_ACTL_HALT_PEND   0x10
#define SCSW_ACTL_CLEAR_PEND  0x08
#define SCSW_ACTL_SCH_ACTIVE  0x04
#define SCSW_ACTL_DEV_ACTIVE  0x02
#define SCSW_ACTL_SUSPENDED   0x01
/* Status control (bits 27-31) */
#define SCSW_STCTL_ALERT   0x10
#define SCSW_STCTL_INTER   0x08
#define SCSW_STCTL_PRIMARY 0x04
#define SCSW_STCTL_SECOND  0x02
#define SCSW_STCTL_PENDING 0x01
/* Device status (word 2 bits 0-7) */
#define DEV_STAT_ATTENTION  0x80
#define DEV_STAT_STAT_MOD   0x40
#define DEV_STAT_CU_END     0x20
#define DEV_STAT_BUSY       0x10
#define DEV_STAT_CHN_END    0x08
#define DEV_STAT_DEV_END    0x04
#define DEV_STAT_UNIT_CHECK 0x02
#define DEV_STAT_UNIT_EXCEP 0x01
/* Subchannel status (word 2 bits 8-15) */
#define SCHN_STAT_PCI           0x80
#define SCHN_STAT_INCORR_LEN    0x40
#define SCHN_STAT_PROG_CHECK    0x20
#define SCHN_STAT_PROT_CHECK    0x10
#define SCHN_STAT_CHN_DATA_CHK  0x08
#define SCHN_STAT_CHN_CTRL_CHK  0x04
#define SCHN_STAT_INTF_CTRL_CHK 0x02
#define SCHN_STAT_CHAIN_CHECK   0x01

struct scsw {
    uint8_t key;   /* bits 0-3 */
    bool sctl;     /* S: suspend control */
    bool eswf;     /* L: format-0 ESW */
    uint8_t cc;    /* deferred cc, bits 6-7 */
    bool fmt;      /* F */
    bool pfch;     /* P */
    bool isic;     /* I */
    bool alcc;     /* A */
    bool ssi;      /* U */
    bool zcc;      /* Z */
    bool ectl;     /* E */
    bool pno;      /* N */
    bool bit16;    /* reserved in command mode */
    uint8_t fctl;  /* SCSW_FCTL_* */
    uint8_t actl;  /* SCSW_ACTL_* */
    uint8_t stctl; /* SCSW_STCTL_* */
    uint32_t cpa;
    uint8_t dstat;
    uint8_t cstat;
    uint16_t count;
};

struct schib {
    struct pmcw pmcw;
    struct scsw scsw;
    uint64_t mba; /* words 10-11 */
    uint32_t mda; /* word 12 */
};

void pmcw_encode(const struct pmcw *p, uint8_t out[PMCW_SIZE]);
void pmcw_decode(struct pmcw *p, const uint8_t in[PMCW_SIZE]);
void scsw_encode(const struct scsw *s, uint8_t out[SCSW_SIZE]);
void scsw_decode(struct scsw *s, const uint8_t in[SCSW_SIZE]);
void schib_encode(const struct schib *s, uint8_t out[SCHIB_SIZE]);
void schib_decode(struct schib *s, const uint8_t in[SCHIB_SIZE]);

/* MSCH operand validity (css-pop.md §2.1 quote, §4.8): false = operand
 * exception.  Checks w1 bits 0,1,6,7, LM != 3, w6 bits 0-28, and the
 * format-1 measurement-block address alignment when mbfc. */
bool schib_msch_valid(const struct schib *s);

/* Predicates from Linux scsw_cmd_is_valid_* / PoP field validity. */
bool scsw_is_status_pending(const struct scsw *s);
/* Unsolicited = SC exactly alert + pending with deferred cc 0. */
bool scsw_is_solicited(const struct scsw *s);
bool scsw_cpa_valid(const struct scsw *s);
bool scsw_count_valid(const struct scsw *s);
bool scsw_dstat_valid(const struct scsw *s);
bool scsw_cc_valid(const struct scsw *s);
/* Key, S, F, P, I, A, U (copied from the ORB): start function only. */
bool scsw_orb_fields_valid(const struct scsw *s);
/* Z: start function with intermediate status. */
bool scsw_zcc_valid(const struct scsw *s);
/* E: status pending + alert, not intermediate. */
bool scsw_ectl_valid(const struct scsw *s);
/* N: FC != 0, status pending, and (not intermediate or suspended). */
bool scsw_pno_valid(const struct scsw *s);

#endif
