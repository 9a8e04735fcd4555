/* SPDX-License-Identifier: MIT */
/*
 * ap/msg: the host's CEX accelerator card model.  The message formats it
 * speaks (type 50 requests, type 80/82/88 replies) are architected and
 * live in arch/ap_msg.h, which both the host and guest-side clients use;
 * this header adds the card model that parses untrusted requests.
 */
#ifndef ZV_AP_MSG_H
#define ZV_AP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/ap_msg.h"

/*
 * The accelerator card model: process one request message and write the
 * reply (a type-80 result or a type-82/88 error; never more than
 * reply_max bytes, which must be at least AP_ERR_HDR_LEN).  Without
 * libcrypto (ZV_HAVE_LIBCRYPTO unset) a well-formed request gets a type
 * 88 module-failure reply.  Returns the reply length.
 */
size_t ap_cex_accel_process(const uint8_t *req, size_t len, uint8_t *reply,
                            size_t reply_max);
/* Whether the card model can compute (built with libcrypto). */
bool ap_cex_accel_available(void);

#endif
