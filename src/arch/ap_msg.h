/* SPDX-License-Identifier: MIT */
/*
 * arch/ap_msg: the request and reply messages of a CEX accelerator (CEXnA),
 * in the layouts Linux's zcrypt uses for that card type (msgtype50).  Both
 * sides use them: a guest (or a test) builds requests and parses replies,
 * the host's card model (src/ap/cex_accel.c) checks requests and builds
 * replies.
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
 * goes through base/bytes.h only.
 */
#ifndef ZV_ARCH_AP_MSG_H
#define ZV_ARCH_AP_MSG_H

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

/* One of the six type-50 formats. */
struct ap_t50_fmt {
    uint16_t kb;  /* key-block type */
    size_t total; /* message length */
    size_t w;     /* width of each key field */
    bool crt;     /* CRB: five key fields and a message of width 2w */
};

/* The format zcrypt picks for a modulus of mod_len bytes (<= 128: 1,
 * <= 256: 2, <= 512: 3), ME or CRT; NULL for 0 or above 512. */
const struct ap_t50_fmt *ap_t50_fmt_for_mod(size_t mod_len, bool crt);
/* Width of the message field, which is also the width of the result. */
static inline size_t
ap_t50_msg_width(const struct ap_t50_fmt *f)
{
    return f->crt ? 2 * f->w : f->w;
}
/* The first key field (exponent or p) of a type-50 message. */
static inline const uint8_t *
ap_t50_fields(const uint8_t *req)
{
    return req + AP_T50_HDR_LEN + AP_T50_KB_LEN;
}

/*
 * Build a type-50 modular exponentiation request: result = msg^exp mod
 * mod.  Numbers are big-endian byte strings of any length (leading zeros
 * allowed) that must fit the chosen format; the format is picked from
 * mod_len by ap_t50_fmt_for_mod.  Returns the message length, or -EINVAL
 * (too long / mod_len 0 or > 512) or -ENOSPC (out too small).
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
 * Check a type-50 request (untrusted bytes) as the card does, in this
 * order: byte 1 not 0x50 -> 0x20; shorter than header + key block, or the
 * header length differs from len -> 0x23; a reserved header or key-block
 * byte set -> 0x24; unknown key-block type -> 0x29; the format's size
 * differs from len -> 0x23.  Returns the format, or NULL with *code set to
 * the type-82 reply code.  The numbers themselves are not checked.
 */
const struct ap_t50_fmt *ap_t50_check(const uint8_t *req, size_t len,
                                      uint8_t *code);

/* Write the 16-byte type-80 header of a reply of total bytes (the result
 * right-aligned in its last total - 16 bytes is the caller's). */
void ap_t80_put_header(uint8_t *reply, size_t total);
/* Write a type-82 or type-88 error reply; returns AP_ERR_HDR_LEN. */
size_t ap_err_reply(uint8_t *reply, uint8_t type, uint8_t code);

/*
 * Parse a reply as zcrypt does.  A type-80 reply: copies the last
 * res_len bytes of its data to res and returns 0; -EINVAL if the length
 * field disagrees with len or is shorter than header + res_len.  A type
 * 82/88 reply: returns -EIO and sets *reply_code.  Anything else:
 * -EINVAL.
 */
int ap_t80_parse(const uint8_t *reply, size_t len, uint8_t *res, size_t res_len,
                 uint8_t *reply_code);

#endif
