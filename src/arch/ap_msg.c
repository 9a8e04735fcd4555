/* SPDX-License-Identifier: MIT */
/*
 * arch/ap_msg: the type-50 request codec (builders and the card's
 * checker) and the type-80/82/88 reply codec, with the field layout of
 * Linux's zcrypt msgtype50 (see ap_msg.h).
 */
#include "arch/ap_msg.h"

#include <errno.h>
#include <string.h>

#include "base/bytes.h"

static const struct ap_t50_fmt ap_t50_fmts[] = {
    {AP_T50_MEB1, AP_T50_MEB1_LEN, 128, false},
    {AP_T50_MEB2, AP_T50_MEB2_LEN, 256, false},
    {AP_T50_MEB3, AP_T50_MEB3_LEN, 512, false},
    {AP_T50_CRB1, AP_T50_CRB1_LEN, 64, true},
    {AP_T50_CRB2, AP_T50_CRB2_LEN, 128, true},
    {AP_T50_CRB3, AP_T50_CRB3_LEN, 256, true},
};

const struct ap_t50_fmt *
ap_t50_fmt_for_mod(size_t mod_len, bool crt)
{
    const struct ap_t50_fmt *f = &ap_t50_fmts[crt ? 3 : 0];

    if (mod_len == 0 || mod_len > 512)
        return NULL;
    if (mod_len <= 128)
        return f;
    return mod_len <= 256 ? f + 1 : f + 2;
}

/* Copy a big-endian number right-aligned into a field of width w; leading
 * zero bytes of the input do not count against the width. */
static int
ap_put_num(uint8_t *field, size_t w, const uint8_t *num, size_t len)
{
    while (len && !num[0]) {
        num++;
        len--;
    }
    if (len > w)
        return -EINVAL;
    memset(field, 0, w - len);
    if (len)
        memcpy(field + w - len, num, len);
    return 0;
}

/*
 * Build the format for mod_len (ME or CRT) from its numbers in field order:
 * ME exponent, modulus, message; CRT p, q, dp, dq, u, message.  The last
 * field is the message, of the format's message width.
 */
static int
ap_t50_build(uint8_t *out, size_t out_len, size_t mod_len, bool crt,
             const uint8_t *const num[], const size_t len[])
{
    const struct ap_t50_fmt *f = ap_t50_fmt_for_mod(mod_len, crt);
    size_t nf = crt ? 6 : 3;
    uint8_t *p = out + AP_T50_HDR_LEN + AP_T50_KB_LEN;

    if (!f)
        return -EINVAL;
    if (out_len < f->total)
        return -ENOSPC;
    memset(out, 0, f->total);
    out[1] = AP_T50_TYPE;
    zv_put_be16(out + 2, (uint16_t)f->total);
    zv_put_be16(out + AP_T50_HDR_LEN, f->kb);
    for (size_t i = 0; i < nf; i++) {
        size_t w = i == nf - 1 ? ap_t50_msg_width(f) : f->w;

        if (ap_put_num(p, w, num[i], len[i]))
            return -EINVAL;
        p += w;
    }
    return (int)f->total;
}

int
ap_t50_build_mex(uint8_t *out, size_t out_len, const uint8_t *exp,
                 size_t exp_len, const uint8_t *mod, size_t mod_len,
                 const uint8_t *msg, size_t msg_len)
{
    const uint8_t *const num[] = {exp, mod, msg};
    const size_t len[] = {exp_len, mod_len, msg_len};

    return ap_t50_build(out, out_len, mod_len, false, num, len);
}

int
ap_t50_build_crt(uint8_t *out, size_t out_len, const struct ap_crt_key *k,
                 size_t mod_len, const uint8_t *msg, size_t msg_len)
{
    const uint8_t *const num[] = {k->p, k->q, k->dp, k->dq, k->u, msg};
    const size_t len[] = {k->p_len,  k->q_len, k->dp_len,
                          k->dq_len, k->u_len, msg_len};

    return ap_t50_build(out, out_len, mod_len, true, num, len);
}

static bool
ap_t50_reserved_clear(const uint8_t *req)
{
    /* Header bytes 0, 4, 6-7 (byte 5 is "ignored" in zcrypt's layout)
     * and the six bytes after the key-block type. */
    if (req[0] || req[4] || req[6] || req[7])
        return false;
    for (size_t i = AP_T50_HDR_LEN + 2; i < AP_T50_HDR_LEN + AP_T50_KB_LEN; i++)
        if (req[i])
            return false;
    return true;
}

const struct ap_t50_fmt *
ap_t50_check(const uint8_t *req, size_t len, uint8_t *code)
{
    uint16_t kb;

    *code = AP_REP82_MESSAGE_TYPE;
    if (len < 2 || req[1] != AP_T50_TYPE)
        return NULL;
    *code = AP_REP82_INVALID_MSG_LEN;
    if (len < AP_T50_HDR_LEN + AP_T50_KB_LEN || zv_be16(req + 2) != len)
        return NULL;
    *code = AP_REP82_RESERVED_FIELD;
    if (!ap_t50_reserved_clear(req))
        return NULL;
    kb = zv_be16(req + AP_T50_HDR_LEN);
    for (size_t i = 0; i < sizeof(ap_t50_fmts) / sizeof(ap_t50_fmts[0]); i++) {
        if (ap_t50_fmts[i].kb != kb)
            continue;
        *code = AP_REP82_INVALID_MSG_LEN;
        return ap_t50_fmts[i].total == len ? &ap_t50_fmts[i] : NULL;
    }
    *code = AP_REP82_FORMAT_FIELD;
    return NULL;
}

void
ap_t80_put_header(uint8_t *reply, size_t total)
{
    memset(reply, 0, AP_T80_HDR_LEN);
    reply[1] = AP_T80_TYPE;
    zv_put_be16(reply + 2, (uint16_t)total);
}

size_t
ap_err_reply(uint8_t *reply, uint8_t type, uint8_t code)
{
    memset(reply, 0, AP_ERR_HDR_LEN);
    reply[1] = type;
    reply[4] = code;
    return AP_ERR_HDR_LEN;
}

int
ap_t80_parse(const uint8_t *reply, size_t len, uint8_t *res, size_t res_len,
             uint8_t *reply_code)
{
    size_t rlen;

    if (len < AP_ERR_HDR_LEN)
        return -EINVAL;
    if (reply[1] == AP_T82_TYPE || reply[1] == AP_T88_TYPE) {
        if (reply_code)
            *reply_code = reply[4];
        return -EIO;
    }
    if (reply[1] != AP_T80_TYPE || len < AP_T80_HDR_LEN)
        return -EINVAL;
    rlen = zv_be16(reply + 2);
    /* The length field must match what was received and hold the result
     * (zcrypt convert_type80). */
    if (rlen != len || rlen < AP_T80_HDR_LEN + res_len)
        return -EINVAL;
    memcpy(res, reply + rlen - res_len, res_len);
    return 0;
}
