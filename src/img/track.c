/* SPDX-License-Identifier: MIT */
/*
 * img/track: parse and build CKD track images (dasd.md §4.2).  A track
 * slot holds the 5-byte home address (flag byte + CCHH), then count /
 * key / data records (R0 first), then an 8-byte all-ones end-of-track
 * marker.  Everything inside the slot is big-endian, like the device.
 *
 * Track images come from files and guests, so every length is checked
 * against the slot before it is used.
 */
#include <errno.h>
#include <string.h>

#include "base/bytes.h"
#include "img/img_priv.h"

/* Size of R0 as every formatter writes it: count + 8 data bytes (KL 0). */
#define CKD_R0_SIZE (CKD_COUNT_SIZE + 8)

/*
 * Cylinder numbers above 65535 (large volumes) keep their low 16 bits in
 * CC and the next 12 bits in the top of HH: HH = (cyl >> 16) << 4 | head
 * (dasd.md §3.1).  Below that, CCHH is plain.
 */
void
ckd_put_cchh(uint8_t *p, uint32_t cyl, uint32_t head)
{
    zv_put_be16(p, (uint16_t)cyl);
    zv_put_be16(p + 2, (uint16_t)(((cyl >> 16) << 4) | (head & 0xf)));
}

bool
ckd_is_eot(const uint8_t *p)
{
    static const uint8_t eot[CKD_EOT_SIZE] = {0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff};

    return memcmp(p, eot, CKD_EOT_SIZE) == 0;
}

void
ckd_count_decode(const uint8_t *p, uint32_t off, struct ckd_record *r)
{
    r->cyl = zv_be16(p);
    r->head = zv_be16(p + 2);
    r->rec = p[4];
    r->kl = p[5];
    r->dl = zv_be16(p + 6);
    r->offset = off;
}

void
ckd_count_encode(const struct ckd_record *r, uint8_t p[CKD_COUNT_SIZE])
{
    zv_put_be16(p, r->cyl);
    zv_put_be16(p + 2, r->head);
    p[4] = r->rec;
    p[5] = r->kl;
    zv_put_be16(p + 6, r->dl);
}

int
ckd_track_parse(const uint8_t *buf, uint32_t trksize, struct ckd_record *recs,
                unsigned max)
{
    uint32_t off = CKD_HA_SIZE;
    unsigned n = 0;

    if (trksize < CKD_HA_SIZE + CKD_EOT_SIZE)
        return -EINVAL;
    /* Byte 0 of the home address is the compression flag in CCKD files;
     * an uncompressed image always holds 0 there. */
    if (buf[0] != 0)
        return -EINVAL;
    for (;;) {
        struct ckd_record r;

        if (trksize - off < CKD_EOT_SIZE)
            return -EINVAL; /* ran off the slot without an end marker */
        if (ckd_is_eot(buf + off))
            break;
        if (trksize - off < CKD_COUNT_SIZE)
            return -EINVAL;
        ckd_count_decode(buf + off, off, &r);
        /* The record and the end marker after it must fit the slot. */
        if ((uint64_t)off + CKD_COUNT_SIZE + r.kl + r.dl + CKD_EOT_SIZE >
            trksize)
            return -EINVAL;
        if (recs && n < max)
            recs[n] = r;
        n++;
        off += CKD_COUNT_SIZE + r.kl + r.dl;
    }
    if (recs && n > max)
        return -ENOSPC;
    return (int)n;
}

int
ckd_track_check_ha(const uint8_t *buf, uint32_t cyl, uint32_t head)
{
    uint8_t ha[CKD_HA_SIZE] = {0};

    ckd_put_cchh(ha + 1, cyl, head);
    return memcmp(buf, ha, CKD_HA_SIZE) == 0 ? 0 : -EINVAL;
}

static uint64_t
ckd_track_bytes(const struct ckd_rec_spec *recs, unsigned n)
{
    uint64_t len = CKD_HA_SIZE + CKD_R0_SIZE + CKD_EOT_SIZE;

    for (unsigned i = 0; i < n; i++)
        len += CKD_COUNT_SIZE + recs[i].kl + recs[i].dl;
    return len;
}

static uint32_t
ckd_put_record(uint8_t *p, uint32_t cyl, uint32_t head,
               const struct ckd_rec_spec *r)
{
    ckd_put_cchh(p, cyl, head);
    p[4] = r->rec;
    p[5] = r->kl;
    zv_put_be16(p + 6, r->dl);
    p += CKD_COUNT_SIZE;
    /* Absent key or data means zeros (what a format write leaves). */
    if (r->key && r->kl)
        memcpy(p, r->key, r->kl);
    if (r->data && r->dl)
        memcpy(p + r->kl, r->data, r->dl);
    return CKD_COUNT_SIZE + r->kl + r->dl;
}

int
ckd_track_build(uint8_t *buf, uint32_t trksize, uint32_t cyl, uint32_t head,
                const struct ckd_rec_spec *recs, unsigned n)
{
    static const struct ckd_rec_spec r0 = {.rec = 0, .kl = 0, .dl = 8};
    uint64_t len = ckd_track_bytes(recs, n);
    uint32_t off = CKD_HA_SIZE;

    if (len > trksize)
        return -ENOSPC;
    memset(buf, 0, trksize);
    ckd_put_cchh(buf + 1, cyl, head);
    off += ckd_put_record(buf + off, cyl, head, &r0);
    for (unsigned i = 0; i < n; i++)
        off += ckd_put_record(buf + off, cyl, head, &recs[i]);
    memset(buf + off, 0xff, CKD_EOT_SIZE);
    return (int)(off + CKD_EOT_SIZE);
}
