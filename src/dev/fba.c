/* SPDX-License-Identifier: MIT */
/*
 * FBA 9336-10 on a 6310 control unit (dasd.md §2): Define Extent, Locate,
 * Read, Write (data-chained), Read IPL and Read Device Characteristics
 * over a raw image of 512-byte blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "dev/dasd_priv.h"

#define FBA_CMD_LOCATE 0x43
#define FBA_CMD_READ   0x42
#define FBA_CMD_WRITE  0x41

#define FBA_DE_LEN  16
#define FBA_LO_LEN  8
#define FBA_RDC_LEN 32

/* Define Extent mask (byte 0): bits 0-1 write permission, bit 2 must be
 * 0 (dasd.md §2.2). */
#define FBA_MASK_PERM        0xC0
#define FBA_MASK_INHIBIT_ALL 0x40
#define FBA_MASK_RESERVED    0x20

/* Locate operations (low nibble; the high bits 0xE0 are reserved). */
#define FBA_OP_WRITE        0x01
#define FBA_OP_READ_REPL    0x02
#define FBA_OP_WRITE_VERIFY 0x05
#define FBA_OP_READ         0x06
#define FBA_OP_RESERVED     0xE0

/* Bounce buffer: how many blocks one image call moves. */
#define FBA_CHUNK_BLOCKS 256

struct fba {
    struct dasd d;
    struct fba_img *img;
    uint64_t blocks;
    /* chain state */
    bool extent; /* DE seen (or Read IPL) */
    uint8_t mask;
    uint64_t ext_loc;   /* device block of the extent's first block */
    uint32_t ext_first; /* logical number of that block */
    uint32_t ext_last;
    uint8_t op;    /* Locate operation in force, 0 = none */
    uint64_t next; /* device block of the next transfer */
    uint32_t left; /* located blocks not yet transferred */
    uint8_t *buf;
};

static struct fba *
fba_of(struct dasd *d)
{
    return (struct fba *)d;
}

static void
fba_chain_reset(struct dasd *d)
{
    struct fba *f = fba_of(d);

    f->extent = false;
    f->mask = 0;
    f->op = 0;
    f->left = 0;
}

static uint8_t
fba_rdc(struct fba *f, struct css_io *io)
{
    uint8_t b[FBA_RDC_LEN] = {0};
    uint64_t n = f->blocks > UINT32_MAX ? UINT32_MAX : f->blocks;

    b[0] = 0x30; /* overrunnable off, burst mode, data chaining allowed */
    b[1] = 0x08; /* movable access mechanism */
    b[2] = 0x21; /* device class: FBA */
    b[3] = 0x11; /* unit type 9336 */
    zv_put_be16(b + 4, FBA_BLKSIZE);
    zv_put_be32(b + 6, 63);   /* blocks per cyclical group (9336-10) */
    zv_put_be32(b + 10, 315); /* blocks per access position */
    zv_put_be32(b + 14, (uint32_t)n);
    return dasd_give(io, b, sizeof(b));
}

static uint8_t
fba_define_extent(struct fba *f, struct css_io *io)
{
    uint8_t b[FBA_DE_LEN];
    int n;

    /* At most one Define Extent per chain, and it must come before any
     * Locate (dasd.md §2.4). */
    if (f->extent)
        return dasd_reject(&f->d, io, SNS7_INVALID_SEQUENCE);
    n = css_io_read(io, b, sizeof(b));
    if (n < 0)
        return DASD_OK;
    if (n < FBA_DE_LEN)
        return dasd_reject(&f->d, io, SNS7_COUNT_TOO_SMALL);
    f->mask = b[0];
    f->ext_loc = zv_be32(b + 4);
    f->ext_first = zv_be32(b + 8);
    f->ext_last = zv_be32(b + 12);
    if ((f->mask & FBA_MASK_RESERVED) || zv_be16(b + 2) != FBA_BLKSIZE ||
        f->ext_last < f->ext_first ||
        f->ext_loc + (uint64_t)(f->ext_last - f->ext_first) >= f->blocks)
        return dasd_reject(&f->d, io, SNS7_INVALID_PARAM);
    f->extent = true;
    return DASD_OK;
}

static bool
fba_op_valid(uint8_t op)
{
    return op == FBA_OP_WRITE || op == FBA_OP_READ_REPL ||
           op == FBA_OP_WRITE_VERIFY || op == FBA_OP_READ;
}

static bool
fba_op_writes(uint8_t op)
{
    return op == FBA_OP_WRITE || op == FBA_OP_WRITE_VERIFY;
}

static uint8_t
fba_locate(struct fba *f, struct css_io *io)
{
    uint8_t b[FBA_LO_LEN];
    uint32_t count, blk;
    int n;

    if (!f->extent)
        return dasd_reject(&f->d, io, SNS7_INVALID_SEQUENCE);
    n = css_io_read(io, b, sizeof(b));
    if (n < 0)
        return DASD_OK;
    if (n < FBA_LO_LEN)
        return dasd_reject(&f->d, io, SNS7_COUNT_TOO_SMALL);
    count = zv_be16(b + 2);
    blk = zv_be32(b + 4);
    /* Every violation of the extent is a command reject (dasd.md §2.2). */
    if ((b[0] & FBA_OP_RESERVED) || !fba_op_valid(b[0]) || count == 0 ||
        blk < f->ext_first || (uint64_t)blk + count - 1 > f->ext_last)
        return dasd_reject(&f->d, io, SNS7_INVALID_PARAM);
    if (fba_op_writes(b[0]) &&
        (f->mask & FBA_MASK_PERM) == FBA_MASK_INHIBIT_ALL)
        return dasd_reject(&f->d, io, SNS7_INVALID_PARAM);
    f->op = b[0];
    f->next = f->ext_loc + (blk - f->ext_first);
    f->left = count;
    return DASD_OK;
}

static uint32_t
fba_chunk(const struct fba *f)
{
    return f->left < FBA_CHUNK_BLOCKS ? f->left : FBA_CHUNK_BLOCKS;
}

/*
 * Move nb blocks at f->next straight between the image and the iovecs
 * css_io_iov gave: 0, < 0 (the image failed), or 1 when the transfer runs
 * on after the command returns (dasd_started), which only the chunk that
 * ends the command may do.
 */
static int
fba_image_iov(struct fba *f, struct css_io *io, bool write, uint32_t nb,
              const struct iovec *iov, int n)
{
    int rc, res = 0;

    if (nb != f->left)
        return write ? fba_img_writev(f->img, f->next, nb, iov, n)
                     : fba_img_readv(f->img, f->next, nb, iov, n);
    rc = write ? fba_img_writev_start(f->img, f->next, nb, iov, n,
                                      dasd_image_done, &f->d, &res)
               : fba_img_readv_start(f->img, f->next, nb, iov, n,
                                     dasd_image_done, &f->d, &res);
    return dasd_started(&f->d, io, fba_img_backend(f->img), rc, res);
}

/*
 * One chunk straight from the image into storage when the channel offers
 * it as a plain transfer (css_io_iov): *r = len, or -1 when the image
 * read failed (the stream is put back: as if fba_img_read had failed
 * before css_io_write).  Returns false when the chunk must go through
 * the bounce buffer.
 */
static bool
fba_read_direct(struct fba *f, struct css_io *io, uint32_t nb, int *r)
{
    struct iovec iov[IMG_IOV_MAX];
    size_t len = (size_t)nb * FBA_BLKSIZE;
    int n = css_io_iov(io, len, true, iov, IMG_IOV_MAX);

    if (n <= 0)
        return false;
    if (fba_image_iov(f, io, false, nb, iov, n) < 0) {
        css_io_iov_undo(io);
        *r = -1;
    } else {
        *r = (int)len;
    }
    return true;
}

/* Read transfers min(count, located blocks x 512); what the channel does
 * not take is residual count for the channel to report. */
static uint8_t
fba_read(struct fba *f, struct css_io *io)
{
    if (f->op != FBA_OP_READ && f->op != FBA_OP_READ_REPL)
        return dasd_reject(&f->d, io, SNS7_INVALID_SEQUENCE);
    while (f->left) {
        uint32_t nb = fba_chunk(f);
        size_t len = (size_t)nb * FBA_BLKSIZE;
        int r;

        if (fba_read_direct(f, io, nb, &r)) {
            if (r < 0)
                return dasd_unit_check(&f->d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
        } else if (fba_img_read(f->img, f->next, nb, f->buf) < 0) {
            return dasd_unit_check(&f->d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
        } else {
            r = css_io_write(io, f->buf, len);
        }
        if (r < 0 || (size_t)r < len)
            break;
        f->next += nb;
        f->left -= nb;
    }
    f->op = 0;
    return DASD_OK;
}

/*
 * Write: a count shorter than the located blocks pads the block in
 * progress with zeros and zero-fills the rest of the domain, so a count-0
 * Write is Linux's discard/write-zeroes (dasd.md §2.3, as z/VM and
 * Hercules do).
 */
static uint8_t
fba_write(struct fba *f, struct css_io *io)
{
    bool more = true;

    if (!fba_op_writes(f->op))
        return dasd_reject(&f->d, io, SNS7_INVALID_SEQUENCE);
    while (f->left && more) {
        uint32_t nb = fba_chunk(f);
        size_t len = (size_t)nb * FBA_BLKSIZE;
        struct iovec iov[IMG_IOV_MAX];
        int n = css_io_iov(io, len, false, iov, IMG_IOV_MAX), r;

        /* Straight from storage to the image: the channel has moved the
         * data either way when the image write fails (as below). */
        if (n > 0) {
            if (fba_image_iov(f, io, true, nb, iov, n) < 0)
                return dasd_unit_check(&f->d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
            f->next += nb;
            f->left -= nb;
            continue;
        }
        r = css_io_read(io, f->buf, len);
        if (r < 0)
            goto out;
        if ((size_t)r < len) {
            memset(f->buf + r, 0, len - (size_t)r);
            more = false;
        }
        if (fba_img_write(f->img, f->next, nb, f->buf) < 0)
            return dasd_unit_check(&f->d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
        f->next += nb;
        f->left -= nb;
    }
    if (f->left && fba_img_zero(f->img, f->next, f->left) < 0)
        return dasd_unit_check(&f->d, io, SNS0_EQUIPMENT_CHECK, 0, 0);
out:
    f->op = 0;
    f->left = 0;
    return DASD_OK;
}

/* Read IPL: the extent becomes the whole device and reading starts at
 * block 0, so IPL code can Locate without a Define Extent (§2.5). */
static uint8_t
fba_read_ipl(struct fba *f, struct css_io *io)
{
    if (!css_io_initial(io) || f->blocks == 0)
        return dasd_reject(&f->d, io, SNS7_INVALID_SEQUENCE);
    f->extent = true;
    f->mask = FBA_MASK_INHIBIT_ALL;
    f->ext_loc = 0;
    f->ext_first = 0;
    f->ext_last =
        (uint32_t)(f->blocks > UINT32_MAX ? UINT32_MAX : f->blocks - 1);
    f->op = FBA_OP_READ;
    f->next = 0;
    f->left = f->ext_last + 1;
    return fba_read(f, io);
}

static uint8_t
fba_exec(struct dasd *d, struct css_io *io)
{
    struct fba *f = fba_of(d);

    switch (css_io_cmd(io)) {
    case DASD_CMD_RDC:
        return fba_rdc(f, io);
    case DASD_CMD_DE:
        return fba_define_extent(f, io);
    case FBA_CMD_LOCATE:
        return fba_locate(f, io);
    case FBA_CMD_READ:
        return fba_read(f, io);
    case FBA_CMD_WRITE:
        return fba_write(f, io);
    case DASD_CMD_READ_IPL:
        return fba_read_ipl(f, io);
    default:
        return dasd_reject(d, io, SNS7_INVALID_CMD);
    }
}

static void
fba_destroy(struct dasd *d)
{
    struct fba *f = fba_of(d);

    free(f->buf);
    free(f);
}

static int
fba_sync(struct dasd *d)
{
    return img_flush(fba_img_backend(fba_of(d)->img));
}

static const struct dasd_kind fba_kind = {
    .name = "fba9336",
    .sense_len = 24,
    .id_len = 7, /* basic Sense ID only: no CIWs (dasd.md §1.1) */
    .chain_reset = fba_chain_reset,
    .exec = fba_exec,
    .destroy = fba_destroy,
    .sync = fba_sync,
};

int
dev_fba_new(struct zv_loop *loop, struct fba_img *img,
            const struct dasd_config *cfg, struct css_dev **out)
{
    struct fba *f;

    if (!loop || !img || !out)
        return -EINVAL;
    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->buf = malloc((size_t)FBA_CHUNK_BLOCKS * FBA_BLKSIZE);
    if (!f->buf)
        goto err_buf;
    dasd_init(&f->d, loop, cfg, &fba_kind);
    f->d.id.cu_type = 0x6310;
    f->d.id.cu_model = 0x01;
    f->d.id.dev_type = 0x9336;
    f->d.id.dev_model = 0x00;
    f->img = img;
    f->blocks = fba_img_blocks(img);
    *out = &f->d.cdev;
    return 0;
err_buf:
    free(f);
    return -ENOMEM;
}
