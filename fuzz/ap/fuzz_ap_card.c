/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the AP card model's request parser and the AP
 * bus's mask syntax, both fed untrusted bytes.  Invariants: a reply
 * never exceeds the buffer, is a type-80 reply whose length field equals
 * its size or an 8-byte type-82/88 error; a refused mask write leaves the
 * mask unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ap/ap.h"
#include "ap/ap_msg.h"
#include "base/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_card(const uint8_t *data, size_t size)
{
    static uint8_t rep[AP_T80_MAX_LEN];
    size_t n = ap_cex_accel_process(data, size, rep, sizeof(rep));

    if (n > sizeof(rep))
        abort();
    if (n == AP_ERR_HDR_LEN && (rep[1] == AP_T82_TYPE || rep[1] == AP_T88_TYPE))
        return;
    if (rep[1] != AP_T80_TYPE || zv_be16(rep + 2) != n)
        abort();
}

static void
fz_mask(const uint8_t *data, size_t size)
{
    char s[256];
    struct ap_mask m, before;

    if (size >= sizeof(s))
        size = sizeof(s) - 1;
    memcpy(s, data, size);
    s[size] = '\0';
    memset(m.b, 0x5a, sizeof(m.b));
    before = m;
    if (ap_mask_parse(&m, s) != 0 && !ap_mask_equal(&m, &before))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size && (data[0] & 1))
        fz_mask(data + 1, size - 1);
    else
        fz_card(data + (size ? 1 : 0), size ? size - 1 : 0);
    return 0;
}
