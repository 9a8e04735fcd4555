/* SPDX-License-Identifier: MIT */
/*
 * img: private declarations shared by the image files (backend, CKD, FBA,
 * CDL).  Not for other layers.
 */
#ifndef ZV_IMG_IMG_PRIV_H
#define ZV_IMG_IMG_PRIV_H

#include <stdarg.h>

#include "img/img.h"

/* One backend implementation (sync pread/pwrite or io_uring). */
struct img_backend_ops {
    int (*pread)(struct img_backend *be, void *buf, size_t len, uint64_t off);
    int (*pwrite)(struct img_backend *be, const void *buf, size_t len,
                  uint64_t off);
    int (*submit)(struct img_backend *be, bool write, void *buf, size_t len,
                  uint64_t off, img_io_cb cb, void *arg);
    /* img_preadv_start/img_pwritev_start, arguments checked; total is the
     * byte count of the n iovecs. */
    int (*start)(struct img_backend *be, bool write, const struct iovec *iov,
                 int n, size_t total, uint64_t off, img_io_cb cb, void *arg,
                 int *res);
    void (*forget)(struct img_backend *be, void *arg);
    void (*destroy)(struct img_backend *be);
};

struct img_backend {
    const struct img_backend_ops *ops;
    int fd;
    enum img_sync sync;
    struct zv_loop *loop;
    bool defer; /* img_backend_set_defer */
};

/* preadv/pwritev of the whole iovec array on the backend's fd, going on
 * after short transfers: 0, -EIO (end of file inside the range), -errno.
 * The caller checked the array (img_iov_total). */
int img_fd_iov(const struct img_backend *be, bool write,
               const struct iovec *iov, int n, uint64_t off);

/* Full-length pread/pwrite on fd: 0, -EIO on a short transfer (end of
 * file), or -errno.  Shared by both backends. */
int img_fd_pread(int fd, void *buf, size_t len, uint64_t off);
int img_fd_pwrite(int fd, const void *buf, size_t len, uint64_t off,
                  enum img_sync sync);

/* snprintf into err (if any); returns rc so callers can `return
 * img_fail(err, errlen, -EINVAL, "...")`. */
int img_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the file behind an image (file.c), shared by ckd.c and fba.c ---- */

struct img_file {
    int fd;
    bool rdonly;
    struct img_backend *be; /* NULL until attached */
};

/* Open path (read-only or read-write) as a regular file and give its
 * size; 0, or -errno with a message. */
int img_file_open(struct img_file *f, const char *path, bool rdonly,
                  uint64_t *size, char *err, size_t errlen);
/* Put the synchronous backend on the open file: 0 or -ENOMEM. */
int img_file_attach_sync(struct img_file *f, enum img_sync sync, char *err,
                         size_t errlen);
/* Free the backend (if any) and close the file. */
void img_file_close(struct img_file *f);
/* Swap in a backend on the same fd (-EINVAL otherwise). */
int img_file_set_backend(struct img_file *f, struct img_backend *be);
/* Create path, which must not exist yet: an fd, or -errno with a message. */
int img_file_create(const char *path, char *err, size_t errlen);

/* ---- CKD internals (ckd.c, track.c, cdl.c) ---- */

/* Hercules' "CKD_P370" device header (dasd.md §4.2).  Its numeric fields
 * are little-endian on disk; this is the decoded form. */
struct ckd_devhdr {
    char devid[8];
    uint32_t heads;
    uint32_t trksize;
    uint8_t devtyp;
    uint8_t fileseq;
    uint16_t highcyl;
};

void ckd_devhdr_decode(const uint8_t raw[CKD_DEVHDR_SIZE],
                       struct ckd_devhdr *h);
void ckd_devhdr_encode(const struct ckd_devhdr *h,
                       uint8_t raw[CKD_DEVHDR_SIZE]);
/* Check a decoded header against the file size; fills geom. */
int ckd_devhdr_validate(const struct ckd_devhdr *h, uint64_t file_size,
                        struct ckd_geom *geom, char *err, size_t errlen);

/* 3390 constants (dasd.md §3.1, §4.2). */
#define CKD_3390_HEADS      15
#define CKD_3390_TRKSIZE    56832u /* ROUND_UP(5+8+8+8+56664+8, 512) */
#define CKD_3390_MAX_R1     56664u
#define CKD_3390_TRK_CAP    58786u /* RDC bytes 17-19 */
#define CKD_3390_DEVTYP_LOW 0x90u
/* Smallest track slot we accept: one 512-byte unit, which holds HA, R0
 * and the end marker with room to spare (dasdinit rounds up to 512). */
#define CKD_TRKSIZE_MIN 512u

/* Cylinders of a 3390 model (1, 2, 3, 9), 0 for an unknown model. */
uint32_t ckd_3390_model_cyls(uint8_t model);
/* The model whose standard size is cyls, 0 for a custom size. */
uint8_t ckd_3390_cyls_model(uint32_t cyls);

/* HA/count CCHH encoding, large-volume aware (dasd.md §3.1). */
void ckd_put_cchh(uint8_t *p, uint32_t cyl, uint32_t head);

/* ---- EBCDIC and volume serials (ebcdic.c) ---- */

/* Check a volume serial (1-6 of A-Z 0-9 $ # @, any case) and upper-case
 * it into out; -EINVAL with a message otherwise. */
int img_volser_normalize(const char *volser, char out[7], char *err,
                         size_t errlen);

/* Convert ASCII letters, digits, blank and a few symbols to EBCDIC (code
 * page 037); other characters become '?' (0x6F).  Pads with blanks. */
void img_ascii_to_ebcdic(uint8_t *dst, size_t len, const char *src);
/* The reverse for the same set (others become '?'); trailing blanks are
 * dropped and dst (len + 1 bytes) is NUL-terminated. */
void img_ebcdic_to_ascii(char *dst, const uint8_t *src, size_t len);

#endif
