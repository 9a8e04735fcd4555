/* SPDX-License-Identifier: MIT */
/*
 * Conformance-test harness: one host CSS on a virtual loop, storage with a
 * read-only page and an unmapped hole, two channel paths, a few
 * subchannels with a scriptable test device (tdev), and helpers that issue
 * the instructions in their architected form.
 */
#ifndef ZV_TESTS_CSS_HARNESS_H
#define ZV_TESTS_CSS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "css/css.h"

/* Storage map */
#define H_MEM_SIZE 0x100000u /* read/write from 0 (lowcore included) */
#define H_RO_ADDR  0x100000u /* one read-only page */
#define H_WO_ADDR  0x101000u /* one write-only page (fetch-protected) */
#define H_HOLE     0x200000u /* nothing mapped from here */
#define H_ORB      0x1000u
#define H_CCW      0x2000u
#define H_IRB      0x3000u
#define H_SCHIB    0x3100u
#define H_CRW      0x3200u
#define H_TPI      0x3300u
#define H_CHSC     0x4000u
#define H_IDAW     0x6000u
#define H_DATA     0x10000u

#define H_NSCH      4 /* subchannels 0..3 have a tdev */
#define H_NODEV_SCH 4 /* subchannel 4: no device (V = 0) */
#define H_CHP0      0x40
#define H_CHP1      0x41
#define H_DEVNO     0x1000 /* devno of subchannel i = H_DEVNO + i */
#define H_LATENCY   1000u  /* default device latency, ns */
#define H_INTPARM   0x12345678u

/* A scripted reply for one command code. */
struct tdev_rule {
    uint8_t dstat;       /* 0 = CE|DE */
    uint64_t latency;    /* UINT64_MAX = device default */
    const uint8_t *data; /* given to storage for input commands */
    size_t len;
    bool hold;    /* the command ends only when a halt/clear signal comes */
    bool no_data; /* end at once, no data transfer (rejected command) */
};

struct tdev {
    struct css_dev dev;
    uint64_t latency;
    struct tdev_rule rule[256];
    unsigned starts, halts, clears;
    /* A halt/clear signal is answered answer_ns later (signal_timed); a
     * held command then ends from a loop event answer_ns later. */
    uint64_t answer_ns;
    uint64_t held_end_ns; /* != 0: the held command ends this long after
                           * the signal instead of answer_ns */
    struct css_io *held;
    zv_timer_id held_timer;
    struct zv_loop *loop;
    uint8_t last_cmd;
    size_t last_written; /* bytes taken from storage by the last write */
};

struct h {
    struct zv_loop *loop;
    struct zv_as *as;
    uint8_t *mem;
    uint8_t *ro;
    uint8_t *wo;
    struct css *css;
    struct tdev dev[H_NSCH];
    struct subchannel *sch[H_NSCH + 1];
    unsigned crw_notes;
    struct schib last; /* h_scsw() */
};

/* cmocka group/setup helpers; *state is a struct h * */
int h_setup(void **state);
int h_setup_cfg(void **state, const struct css_config *cfg);
int h_setup_seeded(void **state, const struct css_config *cfg, uint64_t seed);
int h_teardown(void **state);

uint32_t h_gr1(unsigned sch_no);
void h_tdev_init(struct tdev *d);

void h_put_ccw(struct h *h, uint64_t addr, uint8_t cmd, uint8_t flags,
               uint16_t count, uint32_t cda);
void h_orb_default(struct orb *o);
void h_put_orb(struct h *h, uint64_t addr, const struct orb *o);

/* MSCH E = 1 with isc (asserts cc 0). */
void h_enable(struct h *h, unsigned no, uint8_t isc);
void h_enable_schib(struct h *h, unsigned no, const struct schib *s);
/* STSCH, asserts cc 0. */
void h_stsch(struct h *h, unsigned no, struct schib *s);
struct zv_insn_rc h_msch(struct h *h, unsigned no, const struct schib *s);
struct zv_insn_rc h_tsch(struct h *h, unsigned no, struct irb *irb);
/* SSCH with the default ORB, CPA H_CCW. */
struct zv_insn_rc h_ssch(struct h *h, unsigned no);
struct zv_insn_rc h_ssch_orb(struct h *h, unsigned no, const struct orb *o);
/* SSCH (cc 0) of NOP, then NOP with the suspend flag, under an ORB that
 * allows suspension (ssic: suppress its intermediate interruption). */
void h_ssch_suspending(struct h *h, unsigned no, bool ssic);

/* Program: one NOP (cc 0 asserted), enable first. */
void h_start_nop(struct h *h, unsigned no);
/* Loop control */
void h_run(struct h *h);
void h_run_for(struct h *h, uint64_t ns);

/* Result checks */
#define assert_cc(rc, c)                                                       \
    do {                                                                       \
        struct zv_insn_rc rc_ = (rc);                                          \
        assert_int_equal(rc_.pic, ZV_PIC_NONE);                                \
        assert_int_equal(rc_.cc, (c));                                         \
    } while (0)
#define assert_pic(rc, p)                                                      \
    do {                                                                       \
        struct zv_insn_rc rc_ = (rc);                                          \
        assert_int_equal(rc_.pic, (p));                                        \
    } while (0)

/* Subchannel states for the state-matrix tests. */
enum h_state {
    HS_IDLE,
    HS_START_PENDING,
    HS_ACTIVE,
    HS_SUSPENDED,      /* suspended, interruption suppressed (U) */
    HS_STATUS_PENDING, /* final status of a start */
    HS_INTERMEDIATE,   /* PCI: intermediate status only, still active */
    HS_HALT_PENDING,
    HS_CLEAR_PENDING,
};
/* Bring subchannel no (enabled) into the state; asserts it got there. */
void h_make_state(struct h *h, unsigned no, enum h_state st);
const struct scsw *h_scsw(struct h *h, unsigned no);
/* Compare two SCSWs by their architected bytes (no padding involved). */
void h_assert_scsw_equal(const struct scsw *a, const struct scsw *b);

#endif
