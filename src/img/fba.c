/* SPDX-License-Identifier: MIT */
/*
 * img/fba: raw FBA images (dasd.md §4.1): no header, block 0 first, the
 * device has file size / 512 blocks.  Compressed CFBA ("FBA_C370") is
 * refused, and so is a CKD image opened as FBA, since both would
 * otherwise look like a disk full of garbage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "img/img_priv.h"

struct fba_img {
    struct img_file f;
    uint64_t blocks;
};

/* Largest block count whose byte size fits off_t comfortably. */
#define FBA_MAX_BLOCKS (UINT64_C(1) << 40)

static int
fba_check_magic(int fd, uint64_t size, char *err, size_t errlen)
{
    char magic[8];

    if (size < sizeof(magic) || img_fd_pread(fd, magic, sizeof(magic), 0) < 0)
        return 0;
    if (memcmp(magic, "FBA_C370", 8) == 0 || memcmp(magic, "FBA_C064", 8) == 0)
        return img_fail(err, errlen, -EINVAL,
                        "compressed (CFBA) image: not supported");
    if (memcmp(magic, "CKD_", 4) == 0)
        return img_fail(err, errlen, -EINVAL,
                        "this is a CKD image, not an FBA one");
    return 0;
}

static int
fba_check_size(uint64_t size, char *err, size_t errlen)
{
    if (size == 0)
        return img_fail(err, errlen, -EINVAL, "empty FBA image");
    if (size % FBA_BLKSIZE)
        return img_fail(err, errlen, -EINVAL,
                        "FBA image size %llu is not a multiple of %u "
                        "(truncated?)",
                        (unsigned long long)size, FBA_BLKSIZE);
    if (size / FBA_BLKSIZE > FBA_MAX_BLOCKS)
        return img_fail(err, errlen, -EINVAL, "FBA image too large");
    return 0;
}

int
fba_img_open(const char *path, bool rdonly, enum img_sync sync,
             struct fba_img **out, char *err, size_t errlen)
{
    struct fba_img *img;
    uint64_t size = 0;
    int rc;

    img = calloc(1, sizeof(*img));
    if (!img)
        return img_fail(err, errlen, -ENOMEM, "out of memory");
    rc = img_file_open(&img->f, path, rdonly, &size, err, errlen);
    if (rc < 0)
        goto err_free;
    rc = fba_check_size(size, err, errlen);
    if (rc == 0)
        rc = fba_check_magic(img->f.fd, size, err, errlen);
    if (rc == 0)
        rc = img_file_attach_sync(&img->f, sync, err, errlen);
    if (rc < 0)
        goto err_close;
    img->blocks = size / FBA_BLKSIZE;
    *out = img;
    return 0;

err_close:
    img_file_close(&img->f);
err_free:
    free(img);
    return rc;
}

int
fba_img_create(const char *path, uint64_t blocks, char *err, size_t errlen)
{
    int fd;

    if (blocks == 0 || blocks > FBA_MAX_BLOCKS)
        return img_fail(err, errlen, -EINVAL, "block count must be 1..%llu",
                        (unsigned long long)FBA_MAX_BLOCKS);
    fd = img_file_create(path, err, errlen);
    if (fd < 0)
        return fd;
    /* All-zero blocks: a sparse file of the right size. */
    if (ftruncate(fd, (off_t)(blocks * FBA_BLKSIZE)) < 0) {
        int rc = -errno;

        close(fd);
        unlink(path);
        return img_fail(err, errlen, rc, "%s: %s", path, strerror(-rc));
    }
    close(fd);
    return 0;
}

void
fba_img_close(struct fba_img *img)
{
    if (!img)
        return;
    img_file_close(&img->f);
    free(img);
}

uint64_t
fba_img_blocks(const struct fba_img *img)
{
    return img->blocks;
}

struct img_backend *
fba_img_backend(struct fba_img *img)
{
    return img->f.be;
}

int
fba_img_set_backend(struct fba_img *img, struct img_backend *be)
{
    return img_file_set_backend(&img->f, be);
}

int
fba_img_fd(const struct fba_img *img)
{
    return img->f.fd;
}

/* [block, block + n) must be non-empty and inside the image; written so
 * that block + n cannot overflow. */
static int
fba_range(const struct fba_img *img, uint64_t block, uint32_t n, uint64_t *off,
          size_t *len)
{
    if (n == 0 || block >= img->blocks || n > img->blocks - block)
        return -EINVAL;
    if ((uint64_t)n * FBA_BLKSIZE > 0x7fffffffu)
        return -EINVAL;
    *off = block * FBA_BLKSIZE;
    *len = (size_t)n * FBA_BLKSIZE;
    return 0;
}

/* A range to write: inside the image, and the image not read-only. */
static int
fba_write_range(const struct fba_img *img, uint64_t block, uint32_t n,
                uint64_t *off, size_t *len)
{
    int rc = fba_range(img, block, n, off, len);

    if (rc == 0 && img->f.rdonly)
        rc = -EROFS;
    return rc;
}

int
fba_img_read(struct fba_img *img, uint64_t block, uint32_t n, void *buf)
{
    uint64_t off;
    size_t len;
    int rc = fba_range(img, block, n, &off, &len);

    if (rc < 0)
        return rc;
    return img_pread(img->f.be, buf, len, off);
}

int
fba_img_write(struct fba_img *img, uint64_t block, uint32_t n, const void *buf)
{
    uint64_t off;
    size_t len;
    int rc = fba_write_range(img, block, n, &off, &len);

    if (rc < 0)
        return rc;
    return img_pwrite(img->f.be, buf, len, off);
}

/* The iovecs hold exactly len bytes. */
static bool
fba_iov_len_ok(const struct iovec *iov, int niov, size_t len)
{
    size_t sum = 0;

    for (int i = 0; i < niov; i++) {
        if (iov[i].iov_len > len - sum)
            return false;
        sum += iov[i].iov_len;
    }
    return sum == len;
}

/* The file offset of n blocks at block, and niov iovecs that hold
 * exactly their bytes: 0, or -EINVAL / -EROFS (write) as the range
 * checks say. */
static int
fba_iov_range(struct fba_img *img, bool write, uint64_t block, uint32_t n,
              const struct iovec *iov, int niov, uint64_t *off)
{
    size_t len;
    int rc = write ? fba_write_range(img, block, n, off, &len)
                   : fba_range(img, block, n, off, &len);

    if (rc < 0)
        return rc;
    if (niov <= 0 || !fba_iov_len_ok(iov, niov, len))
        return -EINVAL;
    return 0;
}

int
fba_img_readv(struct fba_img *img, uint64_t block, uint32_t n,
              const struct iovec *iov, int niov)
{
    uint64_t off;
    int rc = fba_iov_range(img, false, block, n, iov, niov, &off);

    return rc < 0 ? rc : img_preadv(img->f.be, iov, niov, off);
}

int
fba_img_writev(struct fba_img *img, uint64_t block, uint32_t n,
               const struct iovec *iov, int niov)
{
    uint64_t off;
    int rc = fba_iov_range(img, true, block, n, iov, niov, &off);

    return rc < 0 ? rc : img_pwritev(img->f.be, iov, niov, off);
}

int
fba_img_readv_start(struct fba_img *img, uint64_t block, uint32_t n,
                    const struct iovec *iov, int niov, img_io_cb cb, void *arg,
                    int *res)
{
    uint64_t off;
    int rc = fba_iov_range(img, false, block, n, iov, niov, &off);

    return rc < 0 ? rc
                  : img_preadv_start(img->f.be, iov, niov, off, cb, arg, res);
}

int
fba_img_writev_start(struct fba_img *img, uint64_t block, uint32_t n,
                     const struct iovec *iov, int niov, img_io_cb cb, void *arg,
                     int *res)
{
    uint64_t off;
    int rc = fba_iov_range(img, true, block, n, iov, niov, &off);

    return rc < 0 ? rc
                  : img_pwritev_start(img->f.be, iov, niov, off, cb, arg, res);
}

/* Zeros are written (not punched) so the result is the same on every
 * file system and through every backend. */
int
fba_img_zero(struct fba_img *img, uint64_t block, uint32_t n)
{
    static const uint8_t zeros[64 * FBA_BLKSIZE];
    uint64_t off;
    size_t len;
    int rc = fba_write_range(img, block, n, &off, &len);

    if (rc < 0)
        return rc;
    while (len && rc == 0) {
        size_t chunk = len < sizeof(zeros) ? len : sizeof(zeros);

        rc = img_pwrite(img->f.be, zeros, chunk, off);
        off += chunk;
        len -= chunk;
    }
    return rc;
}

int
fba_img_write_label(struct fba_img *img, const char *volser, char *err,
                    size_t errlen)
{
    uint8_t blk[FBA_BLKSIZE] = {0};
    char vs[7];
    int rc = img_volser_normalize(volser, vs, err, errlen);

    if (rc < 0)
        return rc;
    if (img->blocks < 2)
        return img_fail(err, errlen, -EINVAL,
                        "image too small for a label in block 1");
    /* What dasdinit writes: "VOL1" and the serial in EBCDIC at the start
     * of block 1, the rest zero. */
    img_ascii_to_ebcdic(blk, 4, "VOL1");
    img_ascii_to_ebcdic(blk + 4, 6, vs);
    return fba_img_write(img, 1, 1, blk);
}
