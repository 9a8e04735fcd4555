/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the ECKD 3390 tests (dasd.md §3): the harness set-ups,
 * the layout of the data area, builders for the Define Extent, Locate
 * Record, count-area and PSF parameters, and the status checks that every
 * ECKD test makes after running a program.
 */
#ifndef ZV_TESTS_DEV_ECKD_UTIL_H
#define ZV_TESTS_DEV_ECKD_UTIL_H

#include <stdint.h>

#include "dev_harness.h"

#define EK_CYLS     10
#define EK_EAV_CYLS 65540

/* Offsets in the data area: parameters first, record data from 4 KiB. */
#define EK_DE   0
#define EK_LR   32
#define EK_LR2  64
#define EK_ARG  96
#define EK_DATA 4096

/* cmocka set-ups: a CDL-formatted volume of EK_CYLS cylinders, an
 * unformatted one, and an extended-address volume of EK_EAV_CYLS. */
int ek_setup_cdl(void **state);
int ek_setup_empty(void **state);
int ek_setup_eav(void **state);
int ek_teardown(void **state);

/* CCHH of track number trk (15 tracks a cylinder). */
void ek_put_trk(uint8_t *p, uint32_t trk);
/* Define Extent parameters at EK_DE. */
void ek_put_de(struct dh *h, uint8_t mask, uint8_t attr, uint32_t beg,
               uint32_t end);
/* Locate Record parameters at off, seek and search on track trk. */
void ek_put_lr(struct dh *h, uint32_t off, uint8_t op, uint8_t aux,
               uint8_t count, uint32_t trk, uint8_t rec, uint16_t tlf);
/* Count area (CCHHR KL DL) of record rec on track trk. */
void ek_put_count(uint8_t *c, uint32_t trk, uint8_t rec, uint8_t kl,
                  uint16_t dl);
/* PSF parameters: order code and its sub-order (byte 6), rest zero. */
void ek_put_psf(uint8_t *p, uint8_t order, uint8_t sub);

/* Append DE (command-chained) and LR (lr_flags) from EK_DE and EK_LR. */
void ek_ccw_de_lr(struct dh *h, uint8_t lr_flags);
/* DE(mask) + LR(op, count) on track trk from record rec, chained on. */
void ek_de_lr(struct dh *h, uint8_t mask, uint8_t op, uint8_t count,
              uint32_t trk, uint8_t rec, uint16_t tlf);

/* Unit check at CCW ccw with sense bytes 0, 1, 7 and the 32-byte
 * format's compatibility flag. */
void ek_assert_uc(const struct dh *h, unsigned ccw, uint8_t s0, uint8_t s1,
                  uint8_t s7);
/* Run the program (SSCH cc 0) and check its unit check as above. */
void ek_run_uc(struct dh *h, unsigned ccw, uint8_t s0, uint8_t s1, uint8_t s7);

#endif
