/* SPDX-License-Identifier: MIT */
/*
 * img: DASD images in Hercules-compatible formats (dasd.md §4).
 *
 *  - CKD: uncompressed "CKD_P370" images: a 512-byte device header, then
 *    fixed-size track slots (home address, R0, records, end-of-track
 *    marker).  The image layer reads and writes whole tracks and parses
 *    records; the ECKD device model does the channel-command semantics.
 *  - FBA: raw images of 512-byte blocks.
 *
 * Corrupt or truncated images are refused at open with a message in err.
 * Not supported (refused with a message): multi-file CKD volumes (the
 * `_1`, `_2` pieces dasdinit makes without -lfs), compressed CCKD/CFBA
 * and shadow files, device types other than 3390 / raw FBA.
 * Writes are bounded to the image's own tracks/blocks: nothing a guest
 * does can reach outside them.
 *
 * Durability (documented choice): write-through by default: a write call
 * returns only after pwrite() put the data into the file (page cache);
 * IMG_SYNC_FSYNC additionally fdatasync()s before returning.  For async
 * writes the same holds at the time the callback runs: write-through =
 * the data is in the file; FSYNC = an fdatasync (IORING_FSYNC_DATASYNC on
 * io_uring) followed the write before the callback.  A write that
 * returned/called back with success is never lost to a crash of zvfio;
 * only FSYNC also survives a host crash or power loss.  Image creation
 * (ckd_img_create) always ends with an fdatasync.
 */
#ifndef ZV_IMG_IMG_H
#define ZV_IMG_IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/loop.h"

enum img_sync {
    IMG_SYNC_WRITE_THROUGH = 0,
    IMG_SYNC_FSYNC = 1,
};

/* ---- backend: how bytes reach the file ---- */

struct img_backend;
/* Synchronous pread/pwrite. */
struct img_backend *img_backend_sync(int fd, enum img_sync sync);
/* io_uring (liburing) on the real loop; NULL with errno set when
 * unavailable: ENOTSUP (virtual loop, or built without liburing), or what
 * io_uring_setup said (ENOSYS, EPERM, ...).  loop may be NULL: then only
 * the sync calls work.  The sync calls still work on it (submit + wait),
 * also from inside a completion callback.  depth 0 = 64 entries. */
struct img_backend *img_backend_uring(int fd, enum img_sync sync,
                                      struct zv_loop *loop, unsigned depth);
/* Give a backend the loop its async completions are delivered on (the
 * sync backend has none until this is called; its async calls then fail
 * with -EINVAL).  The uring backend takes its loop at creation. */
void img_backend_set_loop(struct img_backend *be, struct zv_loop *loop);
/* Frees the backend (not the fd).  The uring backend first waits for
 * in-flight requests; their callbacks do not run. */
void img_backend_free(struct img_backend *be);
/* Whole-buffer transfers: 0 on success, -EIO if the file ends inside the
 * range, -errno otherwise.  len must be 1..INT_MAX. */
int img_pread(struct img_backend *be, void *buf, size_t len, uint64_t off);
int img_pwrite(struct img_backend *be, const void *buf, size_t len,
               uint64_t off);
/*
 * Vectored forms, straight into/out of the caller's iovecs (at most
 * IMG_IOV_MAX, INT_MAX bytes in all), synchronous on the image's fd with
 * the write-through rule of img_pwrite: 0, -EIO (end of file inside the
 * range), -EINVAL or -errno.
 */
#define IMG_IOV_MAX 64
struct iovec;
int img_preadv(struct img_backend *be, const struct iovec *iov, int n,
               uint64_t off);
int img_pwritev(struct img_backend *be, const struct iovec *iov, int n,
                uint64_t off);
typedef void (*img_io_cb)(void *arg, int res);
/*
 * The same transfers, started: the backend moves the bytes now if it can
 * without blocking (io_uring: the page cache had them; the sync backend:
 * always) and returns 1 with *res = 0 or -errno, and cb never runs; or it
 * returns 0 and the transfer is in flight: cb(arg, res) runs on the loop
 * later, never inside this call, res = bytes moved or -errno.  A transfer
 * the backend cannot queue (no memory, the ring full) moves at once (1).
 * -EINVAL: bad iovecs, nothing moved.  The iovec array is copied; the
 * memory it points to must stay valid until cb ran or
 * img_backend_forget(be, arg) returned.
 */
int img_preadv_start(struct img_backend *be, const struct iovec *iov, int n,
                     uint64_t off, img_io_cb cb, void *arg, int *res);
int img_pwritev_start(struct img_backend *be, const struct iovec *iov, int n,
                      uint64_t off, img_io_cb cb, void *arg, int *res);
/*
 * Wait until no transfer started with callback argument arg is in flight
 * (nothing the kernel or the backend does afterwards touches its memory)
 * and drop their callbacks: they never run.  For a device stopping a
 * command, or going away, with a transfer still running.
 */
void img_backend_forget(struct img_backend *be, void *arg);
/*
 * Tests: started transfers never finish inside the call (the sync backend
 * moves the bytes at once but calls back later through the loop; io_uring
 * hands every request to its worker threads, IOSQE_ASYNC), so the paths
 * that wait for a completion run.  Needs the loop (img_backend_set_loop
 * for the sync backend).
 */
void img_backend_set_defer(struct img_backend *be, bool defer);
/* Make every write that completed so far durable (fdatasync), whatever
 * the backend's sync mode: for a device model's flush or teardown. */
int img_flush(struct img_backend *be);
/* Async: cb(arg, res) runs on the loop later, res = bytes or -errno.
 * On the sync backend it is posted to the loop after doing the I/O. */
int img_pread_async(struct img_backend *be, void *buf, size_t len, uint64_t off,
                    img_io_cb cb, void *arg);
int img_pwrite_async(struct img_backend *be, const void *buf, size_t len,
                     uint64_t off, img_io_cb cb, void *arg);

/* ---- CKD ---- */

#define CKD_DEVHDR_SIZE 512
#define CKD_HA_SIZE     5 /* track-slot header: flag + CC + HH */
#define CKD_COUNT_SIZE  8 /* CC HH R KL DL */

struct ckd_geom {
    uint16_t devtype; /* 0x3390 */
    uint8_t model;    /* 1, 2, 3, 9 (0 = custom cylinder count) */
    uint32_t cyls;
    uint32_t heads;   /* tracks per cylinder: 15 */
    uint32_t trksize; /* track-slot size in the file */
    uint32_t max_dl;  /* largest data length of one record (R1) */
};

struct ckd_record {
    uint16_t cyl, head; /* from the count field */
    uint8_t rec;
    uint8_t kl;
    uint16_t dl;
    uint32_t offset; /* of the count field within the track slot */
};

struct ckd_img;

/* Open an existing image. rdonly opens O_RDONLY.  -EINVAL (corrupt, with
 * err filled), -errno from the OS. */
int ckd_img_open(const char *path, bool rdonly, enum img_sync sync,
                 struct ckd_img **out, char *err, size_t errlen);
/* Create an empty (every track: HA + R0 of 8 bytes, no records) 3390
 * image of the given model / cylinder count (cyls 0 = model default). */
int ckd_img_create(const char *path, uint8_t model, uint32_t cyls, char *err,
                   size_t errlen);
void ckd_img_close(struct ckd_img *img);
const struct ckd_geom *ckd_img_geom(const struct ckd_img *img);
/* Read/write a whole track slot (trksize bytes). -EINVAL out of range.
 * Writes also refuse (-EINVAL) a track whose home address is not this
 * slot's or that does not parse, and -EROFS on a read-only image. */
int ckd_img_read_track(struct ckd_img *img, uint32_t cyl, uint32_t head,
                       uint8_t *buf);
int ckd_img_write_track(struct ckd_img *img, uint32_t cyl, uint32_t head,
                        const uint8_t *buf);
/*
 * Walk the records of a track image in buf (R0 included).  Returns the
 * number found (<= max) or -EINVAL for a malformed track (bad HA, record
 * running past the slot, missing end-of-track marker).  recs may be NULL
 * (validate and count only); with recs, more than max records is -ENOSPC.
 */
int ckd_track_parse(const uint8_t *buf, uint32_t trksize,
                    struct ckd_record *recs, unsigned max);
/* The end-of-track marker is eight 0xFF bytes where a count would be. */
#define CKD_EOT_SIZE 8
bool ckd_is_eot(const uint8_t *p);
/* Decode the count field at p, which sits at offset off of its track. */
void ckd_count_decode(const uint8_t *p, uint32_t off, struct ckd_record *r);
/* The count field of r, as ckd_count_decode read it. */
void ckd_count_encode(const struct ckd_record *r, uint8_t p[CKD_COUNT_SIZE]);
/* Build a track: HA for (cyl, head), R0 (8 zero bytes), then records with
 * the given counts and data (key then data per record), end marker.
 * Returns bytes used or -ENOSPC. */
struct ckd_rec_spec {
    uint8_t rec, kl;
    uint16_t dl;
    const uint8_t *key, *data;
};
/* 0 if buf's home address is the one of (cyl, head), else -EINVAL. */
int ckd_track_check_ha(const uint8_t *buf, uint32_t cyl, uint32_t head);
int ckd_track_build(uint8_t *buf, uint32_t trksize, uint32_t cyl, uint32_t head,
                    const struct ckd_rec_spec *recs, unsigned n);
/* Format a 3390 image for Linux CDL (dasd.md §3.2): track 0 records of
 * the IPL/volume-label layout, VTOC, and the rest as 12 x 4K records per
 * track. volser is up to 6 characters. */
int ckd_img_format_cdl(struct ckd_img *img, const char *volser, char *err,
                       size_t errlen);
/* The same, plus one partition over every track after the VTOC: a format-1
 * DSCB named LINUX.V<volser>.PART0001.NATIVE in VTOC record 3, as
 * `fdasd -a` writes (Linux then finds dasdX1).  Up to 65,520 cylinders. */
int ckd_img_format_cdl_partition(struct ckd_img *img, const char *volser,
                                 char *err, size_t errlen);
#define IMG_CDL_DSNAME_MAX 45
/* The partition's data set name for volser (normalized, as in the VTOC). */
void ckd_img_cdl_dsname(char out[IMG_CDL_DSNAME_MAX], const char *volser);

/* The volume label: VOL1 at cyl 0 head 0 R3 (CKD) or block 1 (FBA). */
struct img_label {
    char volser[7];    /* ASCII, trailing blanks dropped */
    uint32_t vtoc_cyl; /* CKD: where the VTOC starts (raw CC, HH, R) */
    uint32_t vtoc_head;
    uint8_t vtoc_rec;
    bool cdl; /* CKD: track 0 has IPL1, IPL2, VOL1 (CDL) */
};
/* 0, -ENOENT when there is no VOL1 label, -EINVAL for a bad track 0. */
int ckd_img_read_label(struct ckd_img *img, struct img_label *lbl);

/* ---- FBA ---- */

#define FBA_BLKSIZE 512

struct fba_img;

int fba_img_open(const char *path, bool rdonly, enum img_sync sync,
                 struct fba_img **out, char *err, size_t errlen);
int fba_img_create(const char *path, uint64_t blocks, char *err, size_t errlen);
void fba_img_close(struct fba_img *img);
uint64_t fba_img_blocks(const struct fba_img *img);
/* -EINVAL when [block, block+n) is outside the image or n is 0 (nothing
 * is written then); -EROFS for writes to a read-only image. */
int fba_img_read(struct fba_img *img, uint64_t block, uint32_t n, void *buf);
int fba_img_write(struct fba_img *img, uint64_t block, uint32_t n,
                  const void *buf);
/* Write zeros (discard). */
int fba_img_zero(struct fba_img *img, uint64_t block, uint32_t n);
/* fba_img_read/write of n blocks into/out of iovecs (img_preadv). */
int fba_img_readv(struct fba_img *img, uint64_t block, uint32_t n,
                  const struct iovec *iov, int niov);
int fba_img_writev(struct fba_img *img, uint64_t block, uint32_t n,
                   const struct iovec *iov, int niov);
/* The same, started (img_preadv_start): 1 done (*res), 0 in flight,
 * < 0 refused (range as above). */
int fba_img_readv_start(struct fba_img *img, uint64_t block, uint32_t n,
                        const struct iovec *iov, int niov, img_io_cb cb,
                        void *arg, int *res);
int fba_img_writev_start(struct fba_img *img, uint64_t block, uint32_t n,
                         const struct iovec *iov, int niov, img_io_cb cb,
                         void *arg, int *res);
struct img_backend *fba_img_backend(struct fba_img *img);
struct img_backend *ckd_img_backend(struct ckd_img *img);
/* Switch an image to another backend built on its own fd (e.g.
 * img_backend_uring(ckd_img_fd(img), ...)); the old one is freed. */
int ckd_img_fd(const struct ckd_img *img);
int fba_img_fd(const struct fba_img *img);
int ckd_img_set_backend(struct ckd_img *img, struct img_backend *be);
int fba_img_set_backend(struct fba_img *img, struct img_backend *be);
int fba_img_read_label(struct fba_img *img, struct img_label *lbl);
/* Write the "VOL1" + volser label into block 1 as dasdinit does. */
int fba_img_write_label(struct fba_img *img, const char *volser, char *err,
                        size_t errlen);

#endif
