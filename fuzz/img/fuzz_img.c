/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the image parsers: the input is used three ways:
 *  1. as a raw track image for ckd_track_parse (slot size = input size);
 *  2. as the first bytes of a CKD file: header decode + validation;
 *  3. as a whole image file (in a memfd): CKD open, every track read
 *     and parsed, label read; FBA open, label and block reads.
 * None of it may crash, hang or read outside the input, and what the
 * parsers accept must be self-consistent (checked below: a violation
 * aborts, which libFuzzer and the corpus test both report).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "img/img_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TRACKS 256

/* Every record a successful parse returns lies inside the slot, in
 * order, with room for the end marker after the last one. */
static void
check_records(const struct ckd_record *recs, int n, uint32_t trksize)
{
    uint64_t next = CKD_HA_SIZE;

    for (int i = 0; i < n; i++) {
        uint64_t end =
            (uint64_t)recs[i].offset + CKD_COUNT_SIZE + recs[i].kl + recs[i].dl;

        if (recs[i].offset != next || end + 8 > trksize)
            abort();
        next = end;
    }
}

static void
fuzz_track(const uint8_t *data, size_t size)
{
    struct ckd_record recs[64];
    int n, all;

    if (size > UINT32_MAX)
        return;
    n = ckd_track_parse(data, (uint32_t)size, recs, 64);
    all = ckd_track_parse(data, (uint32_t)size, NULL, 0);
    if (n >= 0)
        check_records(recs, n, (uint32_t)size);
    /* counting alone agrees with the array walk */
    if ((n >= 0 && all != n) || (n == -ENOSPC && all <= 64))
        abort();
}

static void
fuzz_header(const uint8_t *data, size_t size)
{
    struct ckd_devhdr h;
    struct ckd_geom g;
    char err[128];

    if (size < CKD_DEVHDR_SIZE)
        return;
    ckd_devhdr_decode(data, &h);
    if (ckd_devhdr_validate(&h, size, &g, err, sizeof(err)) < 0)
        return;
    /* an accepted header describes exactly the bytes that follow it */
    if (CKD_DEVHDR_SIZE + (uint64_t)g.cyls * g.heads * g.trksize != size ||
        g.cyls == 0 || g.max_dl > g.trksize)
        abort();
}

static void
fuzz_ckd_file(const char *path)
{
    struct ckd_img *img;
    struct img_label lbl;
    struct ckd_record recs[64];
    const struct ckd_geom *g;
    uint8_t *trk;
    char err[128];

    if (ckd_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        return;
    g = ckd_img_geom(img);
    trk = malloc(g->trksize);
    for (uint64_t t = 0;
         trk && t < (uint64_t)g->cyls * g->heads && t < FUZZ_MAX_TRACKS; t++) {
        uint32_t cyl = (uint32_t)(t / g->heads),
                 head = (uint32_t)(t % g->heads);

        if (ckd_img_read_track(img, cyl, head, trk) != 0)
            abort(); /* an accepted image holds every track it claims */
        ckd_track_check_ha(trk, cyl, head);
        check_records(recs, ckd_track_parse(trk, g->trksize, recs, 64),
                      g->trksize);
    }
    free(trk);
    ckd_img_read_label(img, &lbl);
    ckd_img_close(img);
}

static void
fuzz_fba_file(const char *path)
{
    struct fba_img *img;
    struct img_label lbl;
    uint8_t blk[FBA_BLKSIZE];
    char err[128];

    if (fba_img_open(path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        return;
    fba_img_read_label(img, &lbl);
    fba_img_read(img, fba_img_blocks(img) - 1, 1, blk);
    fba_img_read(img, fba_img_blocks(img), 1, blk);
    fba_img_close(img);
}

static void
fuzz_files(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = memfd_create("fuzz_img", MFD_CLOEXEC);

    if (fd < 0)
        return;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        fuzz_ckd_file(path);
        fuzz_fba_file(path);
    }
    close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_track(data, size);
    fuzz_header(data, size);
    fuzz_files(data, size);
    return 0;
}
