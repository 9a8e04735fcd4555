/* SPDX-License-Identifier: MIT */
/* Program-interruption names and the typed instruction result. */
#include "arch_test.h"

#include "arch/pic.h"

static void
zv_pic_name_each_code(void **state)
{
    assert_string_equal(zv_pic_name(ZV_PIC_NONE), "none");
    assert_string_equal(zv_pic_name(ZV_PIC_OPERATION), "operation");
    assert_string_equal(zv_pic_name(ZV_PIC_PRIVILEGED), "privileged-operation");
    assert_string_equal(zv_pic_name(ZV_PIC_PROTECTION), "protection");
    assert_string_equal(zv_pic_name(ZV_PIC_ADDRESSING), "addressing");
    assert_string_equal(zv_pic_name(ZV_PIC_SPECIFICATION), "specification");
    assert_string_equal(zv_pic_name(ZV_PIC_OPERAND), "operand");
    assert_string_equal(zv_pic_name((enum zv_pic)0x99), "unknown");
}

static void
zv_rc_helpers(void **state)
{
    struct zv_insn_rc a = zv_rc_cc(ZV_CC3);
    struct zv_insn_rc b = zv_rc_pic(ZV_PIC_OPERAND);

    assert_int_equal(a.cc, ZV_CC3);
    assert_int_equal(a.pic, ZV_PIC_NONE);
    assert_int_equal(b.pic, 0x15);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zv_pic_name_each_code),
        cmocka_unit_test(zv_rc_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
