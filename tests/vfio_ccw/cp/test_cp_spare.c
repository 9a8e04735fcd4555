/* SPDX-License-Identifier: MIT */
/*
 * cp_env.spare: a freed program's storage is parked in the driver's slot
 * and reused by the next translation, which must then be as good as one
 * from fresh storage (nothing of the old program shows through).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_harness.h"

#define G(off) (H_GBASE + (off))

/* A long program: 201 data-chained 16-byte READs, so the storage that
 * is reused afterwards is full of another program's CCWs and pieces. */
static void
long_program(struct harness *h)
{
    for (unsigned i = 0; i < 200; i++)
        h_ccw1(h, G(0x1000 + 8 * i), 0x02, CCW_FLAG_CD, 16,
               (uint32_t)G(0x20000 + 16 * i));
    h_ccw1(h, G(0x1000 + 8 * 200), 0x02, 0, 16, (uint32_t)G(0x30000));
}

static void
freed_program_is_parked_and_reused(void **state)
{
    struct harness *h = h_new();
    struct cp *spare = NULL, *a, *b;
    struct orb o = h_orb((uint32_t)G(0)), host;

    h->env.spare = &spare;
    h_ccw1(h, G(0), 0x02, 0, 64, (uint32_t)G(0x8000));
    assert_int_equal(cp_translate(&h->env, &o, &a, &host), 0);
    assert_null(spare);
    cp_free(a);
    assert_ptr_equal(spare, a);
    h_assert_clean(h);
    assert_int_equal(cp_translate(&h->env, &o, &b, &host), 0);
    assert_ptr_equal(b, a);
    assert_null(spare);
    assert_int_equal(cp_ccw_count(b), 1);
    cp_free(b);
    cp_spare_free(&spare);
    assert_null(spare);
    h_free(h);
}

/* The slot holds one: a second program freed while it is full goes back
 * to the heap (ASan/valgrind would see a leak otherwise). */
static void
full_slot_frees_to_the_heap(void **state)
{
    struct harness *h = h_new();
    struct cp *spare = NULL, *a, *b;
    struct orb o = h_orb((uint32_t)G(0)), host;

    h->env.spare = &spare;
    h_ccw1(h, G(0), 0x02, 0, 64, (uint32_t)G(0x8000));
    assert_int_equal(cp_translate(&h->env, &o, &a, &host), 0);
    assert_int_equal(cp_translate(&h->env, &o, &b, &host), 0);
    assert_true(a != b);
    cp_free(a);
    assert_ptr_equal(spare, a);
    cp_free(b);
    assert_ptr_equal(spare, a);
    cp_spare_free(&spare);
    assert_int_equal(zv_arena_live(h->arena), 0);
    h_free(h);
}

/* A long program, then a short one in the same storage: the short one's
 * host program is exactly what fresh storage gives. */
static void
reused_storage_translates_like_fresh(void **state)
{
    struct harness *h = h_new();
    struct cp *spare = NULL, *cp, *fresh;
    struct orb lo = h_orb((uint32_t)G(0x1000));
    struct orb so = h_orb((uint32_t)G(0)), host, host_fresh;
    struct cp_env plain;

    h->env.spare = &spare;
    plain = h->env;
    plain.spare = NULL;
    long_program(h);
    h_ccw1(h, G(0), 0x02, CCW_FLAG_CC, 32, (uint32_t)G(0x8000));
    h_ccw1(h, G(8), 0x08, 0, 0, (uint32_t)G(0x40)); /* TIC */
    h_ccw1(h, G(0x40), 0x03, 0, 0, 0);              /* NOP */
    assert_int_equal(cp_translate(&h->env, &lo, &cp, &host), 0);
    assert_int_equal(cp_ccw_count(cp), 201);
    cp_free(cp);
    assert_non_null(spare);

    assert_int_equal(cp_translate(&h->env, &so, &cp, &host), 0);
    assert_null(spare);
    assert_int_equal(cp_translate(&plain, &so, &fresh, &host_fresh), 0);
    assert_int_equal(cp_ccw_count(cp), cp_ccw_count(fresh));
    assert_int_equal(cp_ccw_count(cp), 3);
    for (unsigned i = 0; i < 2; i++) {
        struct ccw1 x = h_host_ccw(h, host.cpa + 8 * i);
        struct ccw1 y = h_host_ccw(h, host_fresh.cpa + 8 * i);

        assert_int_equal(x.cmd, y.cmd);
        assert_int_equal(x.flags, y.flags);
        assert_int_equal(x.count, y.count);
    }
    assert_int_equal(h_host_idaw(h, h_host_ccw(h, host.cpa).cda),
                     h_host_idaw(h, h_host_ccw(h, host_fresh.cpa).cda));
    assert_false(cp_iova_pinned(cp, G(0x20000), 16));
    assert_true(cp_iova_pinned(cp, G(0x8000), 32));
    cp_free(fresh);
    cp_free(cp);
    cp_spare_free(&spare);
    h_assert_clean(h);
    h_free(h);
}

/* A translation that fails still leaves the storage in the slot, and the
 * next one works from it. */
static void
failed_translation_parks_its_storage(void **state)
{
    struct harness *h = h_new();
    struct cp *spare = NULL, *cp = NULL;
    struct orb o = h_orb((uint32_t)G(0)), host;

    h->env.spare = &spare;
    h_ccw1(h, G(0), 0x08, 0, 0, (uint32_t)G(0x10)); /* TIC */
    h_ccw1(h, G(0x10), 0x08, 0, 0, (uint32_t)G(0)); /* TIC to TIC */
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), -EINVAL);
    assert_null(cp);
    assert_non_null(spare);
    h_ccw1(h, G(0), 0x02, 0, 64, (uint32_t)G(0x8000));
    assert_int_equal(cp_translate(&h->env, &o, &cp, &host), 0);
    assert_null(spare);
    cp_free(cp);
    cp_spare_free(&spare);
    cp_spare_free(NULL);
    assert_int_equal(h->pins, 0);
    h_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(freed_program_is_parked_and_reused),
        cmocka_unit_test(full_slot_frees_to_the_heap),
        cmocka_unit_test(reused_storage_translates_like_fresh),
        cmocka_unit_test(failed_translation_parks_its_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
