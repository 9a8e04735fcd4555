/* SPDX-License-Identifier: MIT */
/* Sense bytes and Sense ID data (css-pop.md §2.4, §5.9; dasd.md §1). */
#ifndef ZV_ARCH_SENSE_H
#define ZV_ARCH_SENSE_H

#include <stddef.h>
#include <stdint.h>

#define SENSE_MAX 32
/* Sense byte 0 */
#define SNS0_CMD_REJECT       0x80
#define SNS0_INTERVENTION_REQ 0x40
#define SNS0_BUS_OUT_CHECK    0x20
#define SNS0_EQUIPMENT_CHECK  0x10
#define SNS0_DATA_CHECK       0x08
#define SNS0_OVERRUN          0x04

/* Sense ID: 0xFF, CU type/model, device type/model, CIWs. */
#define SENSE_ID_BASE_SIZE 8
#define SENSE_ID_MAX_CIWS  8
#define CIW_TYPE_RCD       0x0
#define CIW_TYPE_SII       0x1
#define CIW_TYPE_RNI       0x2
/* CIW byte 0 bits 0-1 = 01 marks the entry as a CIW (dasd.md §1.1). */
#define CIW_ET_CIW 0x1

struct ciw {
    uint8_t et; /* entry type: 2 bits, CIW_ET_CIW for a CIW */
    uint8_t ct; /* command type: 4 bits */
    uint8_t cmd;
    uint16_t count;
};

struct senseid {
    uint16_t cu_type;
    uint8_t cu_model;
    uint16_t dev_type;
    uint8_t dev_model;
    unsigned nciw;
    struct ciw ciw[SENSE_ID_MAX_CIWS];
};

/* Returns the bytes written (8 + 4 * nciw), at most cap. */
size_t senseid_encode(const struct senseid *s, uint8_t *out, size_t cap);
/* -EINVAL when byte 0 != 0xFF or len < 7. */
int senseid_decode(struct senseid *s, const uint8_t *in, size_t len);

#endif
