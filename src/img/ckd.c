/* SPDX-License-Identifier: MIT */
/*
 * img/ckd: Hercules uncompressed CKD images ("CKD_P370", dasd.md §4.2):
 * the device header codec and its validation, open/create, and bounded
 * whole-track I/O.
 *
 * Multi-file volumes (dh_fileseq != 0, names with _1, _2, ...) are not
 * supported: they are refused at open with a hint to rebuild the image
 * as one file (dasdinit -lfs).  Compressed (CCKD) and shadow images are
 * refused too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img/img_priv.h"

struct ckd_img {
    struct img_file f;
    struct ckd_geom geom;
    uint64_t tracks;
};

/* ---- device header codec: the one place its little-endian fields are
 * converted (they are Hercules' file format, not architected) ---- */

static uint32_t
le32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void
le32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void
ckd_devhdr_decode(const uint8_t raw[CKD_DEVHDR_SIZE], struct ckd_devhdr *h)
{
    memcpy(h->devid, raw, sizeof(h->devid));
    h->heads = le32_get(raw + 8);
    h->trksize = le32_get(raw + 12);
    h->devtyp = raw[16];
    h->fileseq = raw[17];
    h->highcyl = (uint16_t)(raw[18] | (raw[19] << 8));
}

void
ckd_devhdr_encode(const struct ckd_devhdr *h, uint8_t raw[CKD_DEVHDR_SIZE])
{
    memset(raw, 0, CKD_DEVHDR_SIZE);
    memcpy(raw, h->devid, sizeof(h->devid));
    le32_put(raw + 8, h->heads);
    le32_put(raw + 12, h->trksize);
    raw[16] = h->devtyp;
    raw[17] = h->fileseq;
    raw[18] = (uint8_t)h->highcyl;
    raw[19] = (uint8_t)(h->highcyl >> 8);
}

/* ---- 3390 models (dasd.md §3.1) ---- */

static const struct {
    uint8_t model;
    uint32_t cyls;
} ckd_3390_models[] = {{1, 1113}, {2, 2226}, {3, 3339}, {9, 10017}};

uint32_t
ckd_3390_model_cyls(uint8_t model)
{
    for (size_t i = 0; i < sizeof(ckd_3390_models) / sizeof(ckd_3390_models[0]);
         i++)
        if (ckd_3390_models[i].model == model)
            return ckd_3390_models[i].cyls;
    return 0;
}

uint8_t
ckd_3390_cyls_model(uint32_t cyls)
{
    for (size_t i = 0; i < sizeof(ckd_3390_models) / sizeof(ckd_3390_models[0]);
         i++)
        if (ckd_3390_models[i].cyls == cyls)
            return ckd_3390_models[i].model;
    return 0;
}

/* ---- header validation ---- */

/* Largest cylinder number the 28-bit large-volume CCHH can address. */
#define CKD_MAX_CYLS 0x0fffffffu

static int
ckd_check_devid(const struct ckd_devhdr *h, char *err, size_t errlen)
{
    if (memcmp(h->devid, "CKD_P370", 8) == 0)
        return 0;
    if (memcmp(h->devid, "CKD_C370", 8) == 0 ||
        memcmp(h->devid, "CKD_C064", 8) == 0)
        return img_fail(err, errlen, -EINVAL,
                        "compressed (CCKD) image: not supported, convert "
                        "it with Hercules' dasdcopy or cckd2ckd");
    if (memcmp(h->devid, "CKD_S370", 8) == 0 ||
        memcmp(h->devid, "CKD_S064", 8) == 0)
        return img_fail(err, errlen, -EINVAL, "shadow image: not supported");
    if (memcmp(h->devid, "CKD_P064", 8) == 0)
        return img_fail(err, errlen, -EINVAL,
                        "64-bit CKD image (CKD_P064): not supported");
    return img_fail(err, errlen, -EINVAL,
                    "bad magic: not a Hercules CKD image (no CKD_P370)");
}

static int
ckd_check_shape(const struct ckd_devhdr *h, char *err, size_t errlen)
{
    if (h->devtyp != CKD_3390_DEVTYP_LOW)
        return img_fail(err, errlen, -EINVAL,
                        "device type 0x%02x unsupported (only 3390, 0x90)",
                        h->devtyp);
    if (h->heads == 0)
        return img_fail(err, errlen, -EINVAL, "header says zero heads");
    if (h->heads != CKD_3390_HEADS)
        return img_fail(err, errlen, -EINVAL,
                        "header says %u heads; a 3390 has %u", h->heads,
                        CKD_3390_HEADS);
    if (h->trksize < CKD_TRKSIZE_MIN)
        return img_fail(err, errlen, -EINVAL,
                        "track size %u too small (minimum %u)", h->trksize,
                        CKD_TRKSIZE_MIN);
    if (h->trksize > CKD_3390_TRKSIZE)
        return img_fail(err, errlen, -EINVAL,
                        "track size %u too large for a 3390 (maximum %u)",
                        h->trksize, CKD_3390_TRKSIZE);
    if (h->fileseq != 0)
        return img_fail(err, errlen, -EINVAL,
                        "file %u of a multi-file volume: not supported, "
                        "rebuild as one file (dasdinit -lfs)",
                        h->fileseq);
    return 0;
}

static int
ckd_check_size(const struct ckd_devhdr *h, uint64_t file_size, uint64_t *cyls,
               char *err, size_t errlen)
{
    uint64_t cyl_bytes = (uint64_t)h->heads * h->trksize;
    uint64_t body;

    if (file_size < CKD_DEVHDR_SIZE + cyl_bytes)
        return img_fail(err, errlen, -EINVAL,
                        "file of %llu bytes holds no complete cylinder",
                        (unsigned long long)file_size);
    body = file_size - CKD_DEVHDR_SIZE;
    if (body % h->trksize)
        return img_fail(err, errlen, -EINVAL,
                        "file truncated mid-track (%llu bytes past the "
                        "last whole track)",
                        (unsigned long long)(body % h->trksize));
    if (body % cyl_bytes)
        return img_fail(err, errlen, -EINVAL,
                        "file truncated mid-cylinder (%llu tracks past the "
                        "last whole cylinder)",
                        (unsigned long long)((body % cyl_bytes) / h->trksize));
    *cyls = body / cyl_bytes;
    if (*cyls > CKD_MAX_CYLS)
        return img_fail(err, errlen, -EINVAL, "too many cylinders (%llu)",
                        (unsigned long long)*cyls);
    /* dh_highcyl is 0 in a single-file image; if set it must name the
     * last cylinder the file really holds. */
    if (h->highcyl != 0 && h->highcyl != *cyls - 1)
        return img_fail(err, errlen, -EINVAL,
                        "cylinder count mismatch: header says highest "
                        "cylinder %u, file holds %llu cylinders",
                        h->highcyl, (unsigned long long)*cyls);
    return 0;
}

int
ckd_devhdr_validate(const struct ckd_devhdr *h, uint64_t file_size,
                    struct ckd_geom *geom, char *err, size_t errlen)
{
    uint64_t cyls = 0;
    int rc;

    rc = ckd_check_devid(h, err, errlen);
    if (rc == 0)
        rc = ckd_check_shape(h, err, errlen);
    if (rc == 0)
        rc = ckd_check_size(h, file_size, &cyls, err, errlen);
    if (rc < 0)
        return rc;
    geom->devtype = 0x3390;
    geom->cyls = (uint32_t)cyls;
    geom->model = ckd_3390_cyls_model(geom->cyls);
    geom->heads = h->heads;
    geom->trksize = h->trksize;
    /* R1 alone on a track: HA, R0 (count + 8), R1 count, end marker. */
    geom->max_dl = h->trksize - (CKD_HA_SIZE + 2 * CKD_COUNT_SIZE + 8 + 8);
    if (geom->max_dl > CKD_3390_MAX_R1)
        geom->max_dl = CKD_3390_MAX_R1;
    return 0;
}

/* ---- open / close ---- */

static int
ckd_read_header(int fd, uint64_t size, struct ckd_geom *geom, char *err,
                size_t errlen)
{
    uint8_t raw[CKD_DEVHDR_SIZE];
    struct ckd_devhdr h;
    int rc;

    if (size < CKD_DEVHDR_SIZE)
        return img_fail(err, errlen, -EINVAL,
                        "file of %llu bytes is shorter than the 512-byte "
                        "CKD device header",
                        (unsigned long long)size);
    rc = img_fd_pread(fd, raw, sizeof(raw), 0);
    if (rc < 0)
        return img_fail(err, errlen, rc, "reading the device header: %s",
                        strerror(-rc));
    ckd_devhdr_decode(raw, &h);
    return ckd_devhdr_validate(&h, size, geom, err, errlen);
}

int
ckd_img_open(const char *path, bool rdonly, enum img_sync sync,
             struct ckd_img **out, char *err, size_t errlen)
{
    struct ckd_img *img;
    uint64_t size = 0;
    int rc;

    img = calloc(1, sizeof(*img));
    if (!img)
        return img_fail(err, errlen, -ENOMEM, "out of memory");
    rc = img_file_open(&img->f, path, rdonly, &size, err, errlen);
    if (rc < 0)
        goto err_free;
    rc = ckd_read_header(img->f.fd, size, &img->geom, err, errlen);
    if (rc == 0)
        rc = img_file_attach_sync(&img->f, sync, err, errlen);
    if (rc < 0)
        goto err_close;
    img->tracks = (uint64_t)img->geom.cyls * img->geom.heads;
    *out = img;
    return 0;

err_close:
    img_file_close(&img->f);
err_free:
    free(img);
    return rc;
}

void
ckd_img_close(struct ckd_img *img)
{
    if (!img)
        return;
    img_file_close(&img->f);
    free(img);
}

const struct ckd_geom *
ckd_img_geom(const struct ckd_img *img)
{
    return &img->geom;
}

struct img_backend *
ckd_img_backend(struct ckd_img *img)
{
    return img->f.be;
}

int
ckd_img_set_backend(struct ckd_img *img, struct img_backend *be)
{
    return img_file_set_backend(&img->f, be);
}

int
ckd_img_fd(const struct ckd_img *img)
{
    return img->f.fd;
}

/* ---- track I/O ---- */

static int
ckd_track_off(const struct ckd_img *img, uint32_t cyl, uint32_t head,
              uint64_t *off)
{
    if (cyl >= img->geom.cyls || head >= img->geom.heads)
        return -EINVAL;
    *off = CKD_DEVHDR_SIZE +
           ((uint64_t)cyl * img->geom.heads + head) * img->geom.trksize;
    return 0;
}

int
ckd_img_read_track(struct ckd_img *img, uint32_t cyl, uint32_t head,
                   uint8_t *buf)
{
    uint64_t off;
    int rc = ckd_track_off(img, cyl, head, &off);

    if (rc < 0)
        return rc;
    return img_pread(img->f.be, buf, img->geom.trksize, off);
}

int
ckd_img_write_track(struct ckd_img *img, uint32_t cyl, uint32_t head,
                    const uint8_t *buf)
{
    uint64_t off;
    int rc = ckd_track_off(img, cyl, head, &off);

    if (rc < 0)
        return rc;
    if (img->f.rdonly)
        return -EROFS;
    /* Only well-formed tracks for this very slot reach the file, so the
     * image stays parseable whatever the caller built. */
    if (ckd_track_check_ha(buf, cyl, head) < 0 ||
        ckd_track_parse(buf, img->geom.trksize, NULL, 0) < 0)
        return -EINVAL;
    return img_pwrite(img->f.be, buf, img->geom.trksize, off);
}

/* ---- create ---- */

static int
ckd_create_cyls(uint8_t model, uint32_t cyls, uint32_t *out, char *err,
                size_t errlen)
{
    if (cyls == 0) {
        cyls = ckd_3390_model_cyls(model);
        if (cyls == 0)
            return img_fail(err, errlen, -EINVAL,
                            "unknown 3390 model %u (1, 2, 3 or 9) and no "
                            "cylinder count",
                            model);
    }
    if (cyls > CKD_MAX_CYLS)
        return img_fail(err, errlen, -EINVAL, "too many cylinders (%u)", cyls);
    *out = cyls;
    return 0;
}

/* Empty track: HA + R0 + end marker; the rest of the slot is the zeros
 * ftruncate() left (a sparse hole). */
static int
ckd_write_empty_tracks(int fd, uint32_t cyls)
{
    uint8_t trk[CKD_TRKSIZE_MIN];
    uint64_t tracks = (uint64_t)cyls * CKD_3390_HEADS;

    for (uint64_t t = 0; t < tracks; t++) {
        uint32_t cyl = (uint32_t)(t / CKD_3390_HEADS);
        uint32_t head = (uint32_t)(t % CKD_3390_HEADS);
        int len = ckd_track_build(trk, sizeof(trk), cyl, head, NULL, 0);
        int rc = img_fd_pwrite(fd, trk, (size_t)len,
                               CKD_DEVHDR_SIZE + t * CKD_3390_TRKSIZE,
                               IMG_SYNC_WRITE_THROUGH);

        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
ckd_write_image(int fd, uint32_t cyls)
{
    struct ckd_devhdr h = {.heads = CKD_3390_HEADS,
                           .trksize = CKD_3390_TRKSIZE,
                           .devtyp = CKD_3390_DEVTYP_LOW};
    uint8_t raw[CKD_DEVHDR_SIZE];
    uint64_t size =
        CKD_DEVHDR_SIZE + (uint64_t)cyls * CKD_3390_HEADS * CKD_3390_TRKSIZE;
    int rc;

    memcpy(h.devid, "CKD_P370", 8);
    ckd_devhdr_encode(&h, raw);
    if (ftruncate(fd, (off_t)size) < 0)
        return -errno;
    rc = img_fd_pwrite(fd, raw, sizeof(raw), 0, IMG_SYNC_WRITE_THROUGH);
    if (rc == 0)
        rc = ckd_write_empty_tracks(fd, cyls);
    if (rc == 0 && fdatasync(fd) < 0)
        rc = -errno;
    return rc;
}

int
ckd_img_create(const char *path, uint8_t model, uint32_t cyls, char *err,
               size_t errlen)
{
    int fd, rc;

    rc = ckd_create_cyls(model, cyls, &cyls, err, errlen);
    if (rc < 0)
        return rc;
    fd = img_file_create(path, err, errlen);
    if (fd < 0)
        return fd;
    rc = ckd_write_image(fd, cyls);
    close(fd);
    if (rc < 0) {
        unlink(path);
        return img_fail(err, errlen, rc, "%s: writing the image: %s", path,
                        strerror(-rc));
    }
    return 0;
}
