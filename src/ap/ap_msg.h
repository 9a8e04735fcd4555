/* SPDX-License-Identifier: MIT */
/*
 * ap/msg: the request and reply messages of a CEX accelerator (CEXnA), in
 * the layouts Linux's zcrypt uses for that card type (msgtype50):
 *
 *  type 50 request: an 8-byte header (byte 1 = 0x50, bytes 2-3 = message
 *    length), a 2-byte key-block type, 6 reserved bytes, then fixed-width
 *    fields in which every number is right-aligned, big-endian:
 *      MEB1/2/3 (0x0001/2/3): exponent, modulus, message, each 128/256/512
 *      CRB1/2/3 (0x0011/2/3): p, q, dp, dq, u (64/128/256 each), message
 *                             (128/256/512); u = q^-1 mod p
 *  type 80 reply: a 16-byte header (byte 1 = 0x80, bytes 2-3 = total
 *    length, byte 4 = 0) followed by the result, right-aligned in the
 *    width of the request's message field;
 *  type 82 / 88 error reply: an 8-byte header, byte 1 = 0x82 or 0x88,
 *    byte 4 = reply code.
 *
 * All multi-byte fields are big-endian (the card is on s390); the codec
 * goes through base/bytes.h only.  Builders here serve tests and guest
 * clients; the card model (ap_cex_accel_process) parses untrusted bytes.
 */
#ifndef ZV_AP_MSG_H
#define ZV_AP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AP_T50_TYPE    0x50
#define AP_T80_TYPE    0x80
#define AP_T82_TYPE    0x82
#define AP_T88_TYPE    0x88
#define AP_T50_HDR_LEN 8
#define AP_T50_KB_LEN  8 /* key-block type + 6 reserved */
#define AP_T80_HDR_LEN 16
#define AP_ERR_HDR_LEN 8

#define AP_T50_MEB1 0x0001
#define AP_T50_MEB2 0x0002
#define AP_T50_MEB3 0x0003
#define AP_T50_CRB1 0x0011
#define AP_T50_CRB2 0x0012
#define AP_T50_CRB3 0x0013

/* Total sizes of the six formats (zcrypt: CRB2 0x390, CRB3 0x710). */
#define AP_T50_MEB1_LEN (16 + 3 * 128)
#define AP_T50_MEB2_LEN (16 + 3 * 256)
#define AP_T50_MEB3_LEN (16 + 3 * 512)
#define AP_T50_CRB1_LEN (16 + 5 * 64 + 128)
#define AP_T50_CRB2_LEN (16 + 5 * 128 + 256)
#define AP_T50_CRB3_LEN (16 + 5 * 256 + 512)
#define AP_T50_MAX_LEN  AP_T50_CRB3_LEN
#define AP_T80_MAX_LEN  (AP_T80_HDR_LEN + 512)

/* Reply codes of type 82 / 88 error replies (zcrypt_error.h names). */
#define AP_REP82_MACHINE_FAILURE  0x10
#define AP_REP82_MESSAGE_TYPE     0x20
#define AP_REP82_INVALID_MSG_LEN  0x23
#define AP_REP82_RESERVED_FIELD   0x24
#define AP_REP82_FORMAT_FIELD     0x29
#define AP_REP82_OPERAND_INVALID  0x82
#define AP_REP82_EVEN_MOD_IN_OPND 0x85
#define AP_REP88_MODULE_FAILURE   0x10

/*
 * Build a type-50 modular exponentiation request: result = msg^exp mod
 * mod.  Numbers are big-endian byte strings of any length (leading zeros
 * allowed) that must fit the chosen format; the format is picked as
 * zcrypt does from mod_len (<= 128: MEB1, <= 256: MEB2, <= 512: MEB3).
 * Returns the message length, or -EINVAL (too long / mod_len 0) or
 * -ENOSPC (out too small).
 */
int ap_t50_build_mex(uint8_t *out, size_t out_len, const uint8_t *exp,
                     size_t exp_len, const uint8_t *mod, size_t mod_len,
                     const uint8_t *msg, size_t msg_len);
/* CRT form: result = msg^d mod pq, with dp = d mod (p-1), dq = d mod
 * (q-1), u = q^-1 mod p.  mod_len (bytes of p*q) picks CRB1/2/3. */
struct ap_crt_key {
    const uint8_t *p, *q, *dp, *dq, *u;
    size_t p_len, q_len, dp_len, dq_len, u_len;
};
int ap_t50_build_crt(uint8_t *out, size_t out_len, const struct ap_crt_key *k,
                     size_t mod_len, const uint8_t *msg, size_t msg_len);

/*
 * Parse a reply as zcrypt does.  A type-80 reply: copies the last
 * res_len bytes of its data to res and returns 0; -EINVAL if the length
 * field disagrees with len or is shorter than header + res_len.  A type
 * 82/88 reply: returns -EIO and sets *reply_code.  Anything else:
 * -EINVAL.
 */
int ap_t80_parse(const uint8_t *reply, size_t len, uint8_t *res, size_t res_len,
                 uint8_t *reply_code);

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
