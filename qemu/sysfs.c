/* SPDX-License-Identifier: MIT */
/*
 * qemu/sysfs: the /sys paths QEMU's vfio-ccw reads at realize, redirected
 * into the launcher's tree (docs/qemu.md):
 *   /sys/bus/css/devices/<sch>/...   -> <root>/css/devices/<sch>/...
 *   /sys/devices/css0/chp0.XX/...    -> <root>/chp/chp0.XX/...
 * Only those prefixes, and no ".." component after them, so a redirected
 * path cannot leave the tree.
 */
#include <stdio.h>
#include <string.h>

#include "adapter.h"

static const struct {
    const char *sys;
    const char *ours;
} zq_prefixes[] = {
    {"/sys/bus/css/devices/", "/css/devices/"},
    {"/sys/devices/css0/chp", "/chp/chp"},
};

static bool
has_dotdot(const char *p)
{
    for (const char *s = p; (s = strstr(s, "..")); s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return true;
    return false;
}

const char *
zq_redirect(const char *root, const char *path, char *buf, size_t size)
{
    if (!root || !path)
        return NULL;
    for (size_t i = 0; i < sizeof(zq_prefixes) / sizeof(zq_prefixes[0]); i++) {
        size_t n = strlen(zq_prefixes[i].sys);
        int len;

        if (strncmp(path, zq_prefixes[i].sys, n) != 0)
            continue;
        if (has_dotdot(path + n))
            return NULL;
        len =
            snprintf(buf, size, "%s%s%s", root, zq_prefixes[i].ours, path + n);
        if (len < 0 || (size_t)len >= size)
            return NULL;
        return buf;
    }
    return NULL;
}
