/* SPDX-License-Identifier: MIT */
/*
 * Untrusted operands: random GR1 values, operand addresses and operand
 * bytes (ORB, SCHIB, CHSC blocks) for every instruction.  Each must end
 * in a condition code or an architected program interruption, never a
 * crash, and leave the CSS consistent (css_check_invariants).
 */
#include "harness.h"

#include <string.h>

#include "css/sub_priv.h"

#define ROUNDS 200000

static uint64_t
rnd(struct h *h, uint64_t n)
{
    return zv_loop_rand_below(h->loop, n);
}

/* Mostly plausible values, sometimes anything. */
static uint32_t
random_gr1(struct h *h)
{
    switch (rnd(h, 4)) {
    case 0:
        return (uint32_t)zv_loop_rand(h->loop);
    case 1:
        return h_gr1((unsigned)rnd(h, 8)) | ((uint32_t)rnd(h, 4) << 17);
    default:
        return h_gr1((unsigned)rnd(h, H_NSCH + 2));
    }
}

static uint64_t
random_addr(struct h *h)
{
    static const uint64_t bases[] = {H_ORB,     H_SCHIB, H_CHSC, H_RO_ADDR,
                                     H_WO_ADDR, H_HOLE,  0};

    switch (rnd(h, 4)) {
    case 0:
        return zv_loop_rand(h->loop);
    case 1:
        return bases[rnd(h, 7)] + rnd(h, 8);
    default:
        return bases[rnd(h, 3)];
    }
}

static void
scribble(struct h *h)
{
    static const uint64_t areas[] = {H_ORB, H_SCHIB, H_CHSC, H_CCW};
    uint64_t at = areas[rnd(h, 4)];
    unsigned n = (unsigned)rnd(h, 64);

    for (unsigned i = 0; i < n; i++)
        h->mem[at + rnd(h, 64)] = (uint8_t)zv_loop_rand(h->loop);
    if (rnd(h, 8) == 0) /* a plausible CHSC header */
        zv_put_be32(h->mem + H_CHSC, (uint32_t)(16 << 16) | rnd(h, 0x20));
}

static bool
architected(struct zv_insn_rc rc)
{
    switch (rc.pic) {
    case ZV_PIC_NONE:
        return rc.cc <= ZV_CC3;
    case ZV_PIC_OPERAND:
    case ZV_PIC_SPECIFICATION:
    case ZV_PIC_ADDRESSING:
    case ZV_PIC_PROTECTION:
        return true;
    default:
        return false;
    }
}

static struct zv_insn_rc
one(struct h *h)
{
    uint32_t gr1 = random_gr1(h);
    uint64_t addr = random_addr(h);

    switch (rnd(h, 13)) {
    case 0:
        return css_insn_ssch(h->css, gr1, addr);
    case 1:
        return css_insn_rsch(h->css, gr1);
    case 2:
        return css_insn_hsch(h->css, gr1);
    case 3:
        return css_insn_csch(h->css, gr1);
    case 4:
        return css_insn_xsch(h->css, gr1);
    case 5:
        return css_insn_tsch(h->css, gr1, addr);
    case 6:
        return css_insn_stsch(h->css, gr1, addr);
    case 7:
        return css_insn_msch(h->css, gr1, addr);
    case 8:
        return css_insn_tpi(h->css, addr);
    case 9:
        return css_insn_stcrw(h->css, addr);
    case 10:
        return css_insn_rchp(h->css, rnd(h, 2) ? gr1 : gr1 & 0xFF);
    case 11:
        return css_insn_chsc(h->css, rnd(h, 2) ? addr : H_CHSC);
    default:
        h_run_for(h, rnd(h, 3000));
        return zv_rc_cc(ZV_CC0);
    }
}

static void
garbage_operands_give_architected_results(void **state)
{
    struct h *h = *state;
    unsigned pics = 0;

    for (unsigned i = 0; i < H_NSCH; i++)
        h_enable(h, i, (uint8_t)i);
    for (unsigned i = 0; i < ROUNDS; i++) {
        struct zv_insn_rc rc;

        scribble(h);
        rc = one(h);
        if (!architected(rc)) {
            print_message("round %u: cc %d pic %d\n", i, rc.cc, rc.pic);
            fail();
        }
        pics += rc.pic != ZV_PIC_NONE;
        assert_null(css_check_invariants(h->css));
    }
    h_run(h);
    assert_null(css_check_invariants(h->css));
    /* The stream reached the checks, not only the happy paths. */
    assert_true(pics > ROUNDS / 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            garbage_operands_give_architected_results, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("garbage", tests, NULL, NULL);
}
