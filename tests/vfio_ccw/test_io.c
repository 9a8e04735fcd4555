/* SPDX-License-Identifier: MIT */
/* vfio-ccw: basic start/halt/clear round trips through the mediator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void
ssch_read_completes_with_guest_cpa_and_data(void **state)
{
    struct vh h;
    struct irb irb;
    uint8_t *data;

    vh_setup(&h);
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(vh_ssch(&h, 0x02, 4096), 0);
    assert_string_equal(vh_state(&h), "start");
    vh_run(&h);
    assert_string_equal(vh_state(&h), "status-pending");
    assert_int_equal(h.irqs[ZV_VFIO_CCW_IO_IRQ_INDEX], 1);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_string_equal(vh_state(&h), "idle");
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_START);
    assert_true(irb.scsw.stctl & SCSW_STCTL_PRIMARY);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    /* CPA is the guest address after the last CCW (PoP), never a host
     * address. */
    assert_int_equal(irb.scsw.cpa, VH_CCW_ADDR + 8);
    assert_int_equal(irb.scsw.count, 0);
    data = h.guest + (VH_DATA_ADDR - VH_GUEST_IOVA);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(data[i], (uint8_t)(0xA5 ^ i));
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].serial, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_START_ENDED);
    assert_false(h.freed[0].host_start_active);
    vh_teardown(&h);
}

static void
ssch_write_moves_guest_data_to_device(void **state)
{
    struct vh h;
    struct irb irb;

    vh_setup(&h);
    assert_int_equal(vh_ssch(&h, 0x01, 512), 0);
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_int_equal(h.dev.last_cmd, 0x01);
    assert_int_equal(irb.scsw.cstat, 0);
    vh_teardown(&h);
}

static void
hsch_on_idle_completes_with_halt_status(void **state)
{
    struct vh h;
    struct irb irb;

    VH_SKIP_IN_REGRESS();

    vh_setup(&h);
    assert_int_equal(vh_hsch(&h), 0);
    assert_string_equal(vh_state(&h), "halt");
    vh_run(&h);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_true(irb.scsw.fctl & SCSW_FCTL_HALT);
    assert_string_equal(vh_state(&h), "idle");
    vh_teardown(&h);
}

static void
csch_during_start_ends_it_and_frees_program_once(void **state)
{
    struct vh h;
    struct irb irb;

    VH_SKIP_IN_REGRESS();

    vh_setup_busy(&h);
    assert_string_equal(vh_state(&h), "start");
    assert_int_equal(vh_csch(&h), 0);
    assert_string_equal(vh_state(&h), "clear");
    assert_int_equal(h.nfreed, 0);
    vh_run(&h);
    assert_string_equal(vh_state(&h), "status-pending");
    assert_int_equal(h.nfreed, 1);
    assert_int_equal(h.freed[0].reason, ZV_VFIO_CCW_FREE_CLEARED);
    assert_int_equal(vh_read_irb(&h, &irb), 0);
    assert_int_equal(irb.scsw.fctl, SCSW_FCTL_CLEAR);
    assert_int_equal(h.dev.signals, 1);
    vh_teardown(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ssch_read_completes_with_guest_cpa_and_data),
        cmocka_unit_test(ssch_write_moves_guest_data_to_device),
        cmocka_unit_test(hsch_on_idle_completes_with_halt_status),
        cmocka_unit_test(csch_during_start_ends_it_and_frees_program_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
