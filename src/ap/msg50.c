/* SPDX-License-Identifier: MIT */
/*
 * ap/msg50: builders for type-50 requests and the type-80/82/88 reply
 * parser, with the field layout of Linux's zcrypt msgtype50 (see
 * ap_msg.h).  Written for tests and guest clients; the card's own parser
 * of untrusted requests is in cex_accel.c.
 */
#include <errno.h>
#include <string.h>

#include "ap/ap_msg.h"
#include "base/bytes.h"

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

static void
ap_t50_header(uint8_t *out, size_t total, uint16_t kb_type)
{
    memset(out, 0, total);
    out[1] = AP_T50_TYPE;
    zv_put_be16(out + 2, (uint16_t)total);
    zv_put_be16(out + AP_T50_HDR_LEN, kb_type);
}

int
ap_t50_build_mex(uint8_t *out, size_t out_len, const uint8_t *exp,
                 size_t exp_len, const uint8_t *mod, size_t mod_len,
                 const uint8_t *msg, size_t msg_len)
{
    size_t w, total;
    uint16_t kb;
    uint8_t *f;

    if (mod_len == 0 || mod_len > 512)
        return -EINVAL;
    if (mod_len <= 128) {
        w = 128, total = AP_T50_MEB1_LEN, kb = AP_T50_MEB1;
    } else if (mod_len <= 256) {
        w = 256, total = AP_T50_MEB2_LEN, kb = AP_T50_MEB2;
    } else {
        w = 512, total = AP_T50_MEB3_LEN, kb = AP_T50_MEB3;
    }
    if (out_len < total)
        return -ENOSPC;
    ap_t50_header(out, total, kb);
    f = out + AP_T50_HDR_LEN + AP_T50_KB_LEN;
    if (ap_put_num(f, w, exp, exp_len) || ap_put_num(f + w, w, mod, mod_len) ||
        ap_put_num(f + 2 * w, w, msg, msg_len))
        return -EINVAL;
    return (int)total;
}

int
ap_t50_build_crt(uint8_t *out, size_t out_len, const struct ap_crt_key *k,
                 size_t mod_len, const uint8_t *msg, size_t msg_len)
{
    size_t w, total;
    uint16_t kb;
    uint8_t *f;

    if (mod_len == 0 || mod_len > 512)
        return -EINVAL;
    if (mod_len <= 128) {
        w = 64, total = AP_T50_CRB1_LEN, kb = AP_T50_CRB1;
    } else if (mod_len <= 256) {
        w = 128, total = AP_T50_CRB2_LEN, kb = AP_T50_CRB2;
    } else {
        w = 256, total = AP_T50_CRB3_LEN, kb = AP_T50_CRB3;
    }
    if (out_len < total)
        return -ENOSPC;
    ap_t50_header(out, total, kb);
    f = out + AP_T50_HDR_LEN + AP_T50_KB_LEN;
    if (ap_put_num(f, w, k->p, k->p_len) ||
        ap_put_num(f + w, w, k->q, k->q_len) ||
        ap_put_num(f + 2 * w, w, k->dp, k->dp_len) ||
        ap_put_num(f + 3 * w, w, k->dq, k->dq_len) ||
        ap_put_num(f + 4 * w, w, k->u, k->u_len) ||
        ap_put_num(f + 5 * w, 2 * w, msg, msg_len))
        return -EINVAL;
    return (int)total;
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
