/* SPDX-License-Identifier: MIT */
/*
 * cp_update_scsw: the CPA the guest sees is the guest address after the
 * guest CCW the host stopped at (css-pop.md §5.4), or 0; never a host
 * address.  Everything else in the SCSW is left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off) (H_GBASE + (off))

/*
 * Segment A at 0x100: WRITE (CC), WRITE (CD), WRITE (CC), TIC 0x800.
 * Segment B at 0x800: READ (CC), NOP.
 * Host slots: A = 0..3, tail 4; B = 5..6, tail 7.
 */
static int
setup(void **state)
{
    struct h_tx *f = calloc(1, sizeof(*f));
    struct orb o = h_orb(G(0x100));

    f->h = h_new();
    h_ccw1(f->h, G(0x100), 0x01, CCW_FLAG_CC, 10, G(0x2000));
    h_ccw1(f->h, G(0x108), 0x01, CCW_FLAG_CD, 20, G(0x2100));
    h_ccw1(f->h, G(0x110), 0x01, CCW_FLAG_CC, 30, G(0x2200));
    h_ccw1(f->h, G(0x118), CCW_CMD_TIC, 0, 0, G(0x800));
    h_ccw1(f->h, G(0x800), 0x02, CCW_FLAG_CC, 40, G(0x3000));
    h_ccw1(f->h, G(0x808), 0x03, 0, 0, 0);
    assert_int_equal(cp_translate(&f->h->env, &o, &f->cp, &f->host), 0);
    *state = f;
    return 0;
}

static uint32_t
cpa_for_host_slot_after(struct h_tx *f, unsigned slot)
{
    struct scsw s = {.cpa = f->host.cpa + 8 * (slot + 1)};

    cp_update_scsw(f->cp, &s);
    return s.cpa;
}

static void
cpa_after_each_ccw_is_the_guest_next_address(void **state)
{
    struct h_tx *f = *state;

    assert_int_equal(cpa_for_host_slot_after(f, 0), G(0x108));
    assert_int_equal(cpa_for_host_slot_after(f, 1), G(0x110));
    assert_int_equal(cpa_for_host_slot_after(f, 2), G(0x118));
    assert_int_equal(cpa_for_host_slot_after(f, 3), G(0x120)); /* TIC+8 */
    assert_int_equal(cpa_for_host_slot_after(f, 5), G(0x808));
    assert_int_equal(cpa_for_host_slot_after(f, 6), G(0x810));
}

static void
cpa_at_segment_boundary_is_the_earlier_segment_end(void **state)
{
    struct h_tx *f = *state;

    /* host slot 5 is B's first CCW but also "after A's tail". */
    assert_int_equal(cpa_for_host_slot_after(f, 4), G(0x128));
}

static void
cpa_after_guard_slot_is_guest_address_past_chain_end(void **state)
{
    struct h_tx *f = *state;

    /* A status-modifier skip onto B's guard: program check there. */
    assert_int_equal(cpa_for_host_slot_after(f, 7), G(0x818));
}

static void
cpa_pointing_at_program_start_maps_to_orb_cpa(void **state)
{
    struct h_tx *f = *state;
    struct scsw s = {.cpa = f->host.cpa};

    cp_update_scsw(f->cp, &s);
    assert_int_equal(s.cpa, G(0x100));
}

static void
foreign_host_cpa_becomes_zero(void **state)
{
    struct h_tx *f = *state;
    uint32_t foreign[] = {0,
                          8,
                          f->host.cpa - 8,
                          f->host.cpa + 8 * 9,
                          0x7fffffff,
                          (uint32_t)H_ARENA + 0x100000};

    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        struct scsw s = {.cpa = foreign[i]};

        cp_update_scsw(f->cp, &s);
        assert_int_equal(s.cpa, 0);
    }
}

static void
other_fields_are_untouched(void **state)
{
    struct h_tx *f = *state;
    struct scsw s = {.cpa = f->host.cpa + 16,
                     .key = 3,
                     .fctl = SCSW_FCTL_START,
                     .stctl = SCSW_STCTL_PRIMARY | SCSW_STCTL_PENDING,
                     .dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END,
                     .cstat = SCHN_STAT_INCORR_LEN,
                     .count = 7};
    struct scsw want = s;

    cp_update_scsw(f->cp, &s);
    want.cpa = G(0x110);
    assert_memory_equal(&want, &s, sizeof(s));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, h_tx_teardown)
    const struct CMUnitTest tests[] = {
        T(cpa_after_each_ccw_is_the_guest_next_address),
        T(cpa_at_segment_boundary_is_the_earlier_segment_end),
        T(cpa_after_guard_slot_is_guest_address_past_chain_end),
        T(cpa_pointing_at_program_start_maps_to_orb_cpa),
        T(foreign_host_cpa_becomes_zero),
        T(other_fields_are_untouched),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
