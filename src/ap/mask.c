/* SPDX-License-Identifier: MIT */
/*
 * ap/mask: the AP bus's sysfs mask syntax (apmask, aqmask and the mdev
 * assignment attributes).  The masks themselves and the architected AP
 * codecs are arch/ap's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ap/ap_priv.h"

/* ---- sysfs syntax (reference §2.2; BUSH ap_parse_mask_str) ---- */

/* Absolute form: hex digits from ID 0 on, 4 IDs per digit; a string
 * longer than the mask is refused rather than truncated. */
static int
ap_mask_parse_hex(struct ap_mask *m, const char *s)
{
    unsigned id = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    ap_mask_zero(m);
    for (; isxdigit((unsigned char)*s); s++) {
        unsigned v;

        if (id > AP_MAX_ID)
            return -EINVAL;
        v = isdigit((unsigned char)*s)
                ? (unsigned)(*s - '0')
                : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        m->b[id >> 3] |= (uint8_t)(v << ((id & 4) ? 0 : 4));
        id += 4;
    }
    if (*s == '\n')
        s++;
    return *s ? -EINVAL : 0;
}

/* One number as kstrtoul-like base 0 (decimal, 0x hex, 0 octal). */
static int
ap_mask_parse_id(const char **sp, unsigned *out)
{
    char *end;
    unsigned long v;

    if (!isdigit((unsigned char)**sp))
        return -EINVAL;
    errno = 0;
    v = strtoul(*sp, &end, 0);
    if (end == *sp || errno || v > AP_MAX_ID)
        return -EINVAL;
    *sp = end;
    *out = (unsigned)v;
    return 0;
}

/* Relative form: "+a", "-a", "+a-b" items separated by ',' or '\n'. */
static int
ap_mask_parse_rel(struct ap_mask *m, const char *s)
{
    while (*s) {
        char sign = *s++;
        unsigned a, z;

        if (sign != '+' && sign != '-')
            return -EINVAL;
        if (ap_mask_parse_id(&s, &a))
            return -EINVAL;
        z = a;
        if (*s == '-') {
            s++;
            if (ap_mask_parse_id(&s, &z) || z < a)
                return -EINVAL;
        }
        for (unsigned id = a; id <= z; id++) {
            if (sign == '+')
                ap_mask_set(m, id);
            else
                ap_mask_clear(m, id);
        }
        while (*s == ',' || *s == '\n')
            s++;
    }
    return 0;
}

int
ap_mask_parse(struct ap_mask *m, const char *str)
{
    struct ap_mask n = *m;
    int rc;

    if (!str)
        return -EINVAL;
    if (str[0] == '+' || str[0] == '-')
        rc = ap_mask_parse_rel(&n, str);
    else
        rc = ap_mask_parse_hex(&n, str);
    if (rc)
        return rc;
    *m = n;
    return 0;
}

void
ap_mask_format(const struct ap_mask *m, char out[AP_MASK_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";

    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < AP_MASK_BYTES; i++) {
        out[2 + 2 * i] = hex[m->b[i] >> 4];
        out[3 + 2 * i] = hex[m->b[i] & 0xf];
    }
    out[AP_MASK_STR_LEN - 1] = '\0';
}
