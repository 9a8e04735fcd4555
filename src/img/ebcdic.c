/* SPDX-License-Identifier: MIT */
/*
 * img/ebcdic: the little EBCDIC (code page 037) that labels, data set
 * names and volume serials need, and the volume-serial rule shared by the
 * CKD and FBA labels.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "img/img_priv.h"

/* Code page 037 for the characters volume labels and data set names use. */
static uint8_t
ebcdic_of(char c)
{
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const uint8_t upper_e[] = {0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
                                      0xc8, 0xc9, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5,
                                      0xd6, 0xd7, 0xd8, 0xd9, 0xe2, 0xe3, 0xe4,
                                      0xe5, 0xe6, 0xe7, 0xe8, 0xe9};
    const char *p;

    if (c >= '0' && c <= '9')
        return (uint8_t)(0xf0 + (c - '0'));
    if (c >= 'a' && c <= 'z')
        return (uint8_t)(upper_e[c - 'a'] - 0x40);
    if (c && (p = strchr(upper, c)))
        return upper_e[p - upper];
    switch (c) {
    case ' ':
        return 0x40;
    case '.':
        return 0x4b;
    case '-':
        return 0x60;
    case '$':
        return 0x5b;
    case '#':
        return 0x7b;
    case '@':
        return 0x7c;
    case '_':
        return 0x6d;
    default:
        return 0x6f; /* '?' */
    }
}

void
img_ascii_to_ebcdic(uint8_t *dst, size_t len, const char *src)
{
    size_t i = 0;

    for (; i < len && src[i]; i++)
        dst[i] = ebcdic_of(src[i]);
    for (; i < len; i++)
        dst[i] = 0x40;
}

static char
ascii_of(uint8_t e)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-$#@_";

    for (const char *p = set; *p; p++)
        if (ebcdic_of(*p) == e)
            return *p;
    return '?';
}

void
img_ebcdic_to_ascii(char *dst, const uint8_t *src, size_t len)
{
    size_t n = len;

    for (size_t i = 0; i < len; i++)
        dst[i] = ascii_of(src[i]);
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/* ---- volume serials ---- */

int
img_volser_normalize(const char *volser, char out[7], char *err, size_t errlen)
{
    size_t n = volser ? strlen(volser) : 0;

    if (n == 0 || n > 6)
        return img_fail(err, errlen, -EINVAL,
                        "volume serial must be 1 to 6 characters");
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)volser[i]) && !strchr("$#@", volser[i]))
            return img_fail(err, errlen, -EINVAL,
                            "volume serial '%s': only A-Z, 0-9, $, # and @",
                            volser);
        out[i] = (char)toupper((unsigned char)volser[i]);
    }
    out[n] = '\0';
    return 0;
}
