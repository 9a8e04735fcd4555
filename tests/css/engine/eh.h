/* SPDX-License-Identifier: MIT */
/*
 * Engine-test harness: one host CSS on a virtual loop, 1 MiB of storage
 * at 0 plus one page at 16 MiB and one at 2 GiB (for the format-0/1
 * address limits), two channel paths and subchannel 0.0000 with a testdev.
 * Everything goes through the direct instruction forms.
 */
#ifndef ZV_TESTS_CSS_ENGINE_EH_H
#define ZV_TESTS_CSS_ENGINE_EH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "css/css.h"
#include "dev/testdev.h"

#define EH_MEM_SIZE 0x100000u
#define EH_HI24     0x1000000u  /* mapped: the pages around 16 MiB */
#define EH_HI31     0x80000000u /* mapped page at 2 GiB */
#define EH_HOLE     0x200000u   /* unmapped */
#define EH_CCW      0x1000u
#define EH_IDAW     0x3000u
#define EH_MIDAW    0x4000u
#define EH_DATA     0x10000u
#define EH_CHP0     0x40
#define EH_CHP1     0x41

#define CEDE           (DEV_STAT_CHN_END | DEV_STAT_DEV_END)
#define SC_FINAL       (SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING)
#define SC_ALERT_FINAL (SC_FINAL | SCSW_STCTL_ALERT)

struct eh {
    struct zv_loop *loop;
    struct zv_as *as;
    uint8_t *mem;
    uint8_t *hi24;
    uint8_t *hi31;
    struct css *css;
    struct testdev *td;
    struct subchannel *sch;
    struct irb irb;
};

int eh_setup(void **state);
int eh_teardown(void **state);

void eh_ccw1(struct eh *h, uint64_t addr, uint8_t cmd, uint8_t flags,
             uint16_t count, uint32_t cda);
void eh_ccw0(struct eh *h, uint64_t addr, uint8_t cmd, uint8_t flags,
             uint16_t count, uint32_t cda);
void eh_idaw1(struct eh *h, uint64_t addr, uint32_t val);
void eh_idaw2(struct eh *h, uint64_t addr, uint64_t val);
void eh_midaw(struct eh *h, uint64_t addr, uint8_t flags, uint16_t count,
              uint64_t data);
/* Format-1, prefetch, LPM 0xFF, CPA cpa. */
void eh_orb(struct orb *o, uint32_t cpa);
struct zv_insn_rc eh_ssch(struct eh *h, const struct orb *o);
/* SSCH with eh_orb(cpa), asserts cc 0. */
void eh_start(struct eh *h, uint32_t cpa);
/* Enable with concurrent sense on/off, LPM lpm. */
void eh_modify(struct eh *h, bool csense, uint8_t lpm);
void eh_run(struct eh *h);
void eh_run_for(struct eh *h, uint64_t ns);
/* TSCH into h->irb; returns the cc. */
int eh_tsch(struct eh *h);
/* Assert the main SCSW fields of h->irb. */
void eh_assert_scsw(const struct eh *h, uint8_t fc, uint8_t ac, uint8_t sc,
                    uint8_t dstat, uint8_t cstat, uint32_t cpa, uint16_t count);
/* Run the loop, TSCH with cc 0, and assert the SCSW as above. */
void eh_expect_end(struct eh *h, uint8_t fc, uint8_t ac, uint8_t sc,
                   uint8_t dstat, uint8_t cstat, uint32_t cpa, uint16_t count);
/* Run the loop, TSCH with cc 0, and check a clean CE|DE ending. */
void eh_expect_clean(struct eh *h, uint32_t cpa);
void eh_respond(struct eh *h, uint8_t cmd, uint8_t dstat, const void *data,
                size_t len, uint64_t latency);

/* splitmix64: a seeded generator of the test's own, independent of the
 * loop's (random-program tests). */
struct eh_rng {
    uint64_t s;
};

static inline uint64_t
eh_rnd(struct eh_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline unsigned
eh_pick(struct eh_rng *r, unsigned n)
{
    return (unsigned)(eh_rnd(r) % n);
}

#endif
