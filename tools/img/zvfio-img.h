/* SPDX-License-Identifier: MIT */
/* zvfio-img: helpers shared by the tool's command files. */
#ifndef ZV_TOOLS_IMG_ZVFIO_IMG_H
#define ZV_TOOLS_IMG_ZVFIO_IMG_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_USAGE 2

/* Print "zvfio-img: what: msg" to stderr; returns EXIT_FAILURE. */
int img_tool_fail(const char *what, const char *msg);
/* Print msg and the usage to stderr; returns EXIT_USAGE. */
int img_tool_usage(const char *msg);
/* Strict unsigned parse (no sign, no trailing junk). */
bool img_tool_u64(const char *s, uint64_t *out);
/* True if the file starts with a Hercules CKD eye-catcher. */
bool img_tool_is_ckd(const char *file);

int img_cmd_bench(const char *file, int argc, char **argv);

#endif
