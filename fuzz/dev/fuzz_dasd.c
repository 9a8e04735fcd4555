/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the DASD models (src/dev): hostile command
 * parameters -- Define Extent, Locate Record (and Extended), Locate,
 * PSF/RSSD, format writes (Write CKD, Write R0), Read Track, Seek and
 * Search, Read IPL -- sent through the host channel subsystem (SSCH on a
 * subchannel) to an FBA or ECKD device over a small temporary image.
 *
 * One world per input: a virtual loop, storage (a writable data area, a
 * parameter page and a CCW page, both read-only to the channel), a CSS,
 * two channel paths, one subchannel with the device.  The first bytes
 * choose the device (FBA or ECKD), concurrent sense, the ECKD track-slot
 * size (small Hercules slots included) and the image's initial records;
 * the rest is operations: parameter and data bytes (raw or built from
 * decoded fields, with track and block numbers near the device's size),
 * CCWs, and "run the program built so far".
 *
 * Invariants that see a breach (DESIGN.md principles 1, 5, 6):
 *  - image bytes outside every extent a program was allowed to write are
 *    unchanged: a shadow copy of the image is compared, after every
 *    program and after the device is freed, on every track (ECKD) or
 *    block (FBA) that no write-permitting Define Extent of the run
 *    covered.  The parameters of a Define Extent sit on the read-only
 *    parameter page, CCWs on the read-only CCW page and TICs can only
 *    go there, so what the device read as an extent is what this file
 *    reads back (a superset: every 0x63 CCW of a program counts);
 *  - track-buffer and record bounds: ASan/UBSan (every layer is built
 *    instrumented with -Dfuzz=true);
 *  - the image passes the checks of `zvfio-img check` after the run:
 *    every track's home address is its own, records stay inside the
 *    slot, the end marker is there;
 *  - the device ends each program with status: a program that cannot
 *    loop (no TIC backwards) must be status pending once the loop is at
 *    rest; one that can is cleared after a bound and must then end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fz_input.h"
#include "dev/dev.h"

#define FD_DATA      0x00000u /* writable data area */
#define FD_DATA_SIZE 0x20000u
#define FD_PARM      0x40000u /* parameters: read-only to the channel */
#define FD_PARM_SIZE 0x1000u
#define FD_CCW       0x50000u /* CCWs: read-only to the channel */
#define FD_MAX_CCWS  64u
#define FD_CHP0      0x40
#define FD_CHP1      0x41
#define FD_CYLS      2u
#define FD_TRACKS    (FD_CYLS * 15u)
#define FD_FBA_MIN   48u /* FBA blocks: 48 .. 48 + 63 */
#define FD_MAX_OPS   256u
#define FD_MAX_RUNS  24u
#define FD_REST_MAX  4096u /* loop events: a 64-CCW program needs far less */
#define FD_CLEAR_AT  16u /* events (1024 CCWs each) before a loop is cleared */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t fd_slots[] = {512, 1536, 8192, 56832};

struct fd {
    bool eckd;
    uint32_t trksize; /* ECKD */
    uint32_t units;   /* tracks or blocks */
    uint32_t unit_size;
    uint64_t img_size;
    struct zv_loop *loop;
    struct zv_as *as;
    struct css *css;
    struct subchannel *sch;
    struct css_dev *dev;
    struct ckd_img *cimg;
    struct fba_img *fimg;
    uint8_t *mem, *parm, *ccw;
    uint8_t *shadow;   /* the image as it was built */
    uint8_t *now;      /* read back for comparing */
    uint8_t *writable; /* per unit: a permitting extent covered it */
    struct ccw1 prog[FD_MAX_CCWS];
    unsigned nccw;
    unsigned runs;
};

static char fd_path[64];

static void
fd_die(const char *why)
{
    fprintf(stderr, "fuzz_dasd: invariant broken: %s\n", why);
    abort();
}

static void
fd_unlink(void)
{
    if (fd_path[0])
        unlink(fd_path);
}

/* One image file per process, rewritten for every input. */
static int
fd_image_path(void)
{
    const char *dirs[] = {getenv("TMPDIR"), "/dev/shm", "/tmp"};
    int fd = -1;

    if (fd_path[0])
        return 0;
    for (size_t i = 0; i < 3 && fd < 0; i++) {
        if (!dirs[i])
            continue;
        snprintf(fd_path, sizeof(fd_path), "%s/zvfuzz-dasd-XXXXXX", dirs[i]);
        fd = mkstemp(fd_path);
    }
    if (fd < 0) {
        fd_path[0] = 0;
        return -1;
    }
    close(fd);
    atexit(fd_unlink);
    return 0;
}

/* ---- the image ---- */

/* Track t: R0 and up to three records whose sizes come from the layout
 * byte, shrunk until they fit the slot; data is a pattern. */
static void
fd_build_track(struct fd *f, uint8_t *slot, uint32_t t, uint8_t layout)
{
    static uint8_t pat[4096];
    struct ckd_rec_spec r[3];
    unsigned n = (t + layout) % 4, i;
    uint16_t dl = (uint16_t)(64u << ((t ^ layout) % 7)); /* 64 .. 4096 */

    for (i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 31 + 7);
    for (;;) {
        for (i = 0; i < n; i++) {
            r[i].rec = (uint8_t)(i + 1);
            r[i].kl = (layout & 0x80) && i == 0 ? 4 : 0;
            r[i].dl = dl;
            r[i].key = pat;
            r[i].data = pat;
        }
        if (ckd_track_build(slot, f->trksize, t / 15, t % 15, r, n) >= 0)
            return;
        if (dl > 16)
            dl /= 2;
        else
            n--;
    }
}

static int
fd_write_image(struct fd *f, uint8_t layout)
{
    int fd = open(fd_path, O_RDWR | O_TRUNC);
    uint8_t *p = f->shadow;
    ssize_t w;

    if (fd < 0)
        return -1;
    if (f->eckd) {
        memset(p, 0, CKD_DEVHDR_SIZE);
        memcpy(p, "CKD_P370", 8);
        p[8] = 15; /* heads, little-endian (Hercules' file format) */
        p[12] = (uint8_t)f->trksize;
        p[13] = (uint8_t)(f->trksize >> 8);
        p[14] = (uint8_t)(f->trksize >> 16);
        p[16] = 0x90;
        for (uint32_t t = 0; t < f->units; t++)
            fd_build_track(f, p + CKD_DEVHDR_SIZE + (size_t)t * f->trksize, t,
                           layout);
    } else {
        for (uint64_t i = 0; i < f->img_size; i++)
            p[i] = (uint8_t)(i / FBA_BLKSIZE * 3 + i + layout);
    }
    w = pwrite(fd, p, f->img_size, 0);
    close(fd);
    return w == (ssize_t)f->img_size ? 0 : -1;
}

static uint64_t
fd_unit_off(const struct fd *f, uint32_t u)
{
    return (f->eckd ? CKD_DEVHDR_SIZE : 0) + (uint64_t)u * f->unit_size;
}

/* Every unit no permitting extent covered still holds its bytes. */
static void
fd_check_shadow(struct fd *f)
{
    int fd = open(fd_path, O_RDONLY);
    ssize_t r;

    if (fd < 0)
        fd_die("image file gone");
    r = pread(fd, f->now, f->img_size + 1, 0);
    close(fd);
    if (r != (ssize_t)f->img_size)
        fd_die("the image changed size");
    if (f->eckd && memcmp(f->now, f->shadow, CKD_DEVHDR_SIZE))
        fd_die("the device header was written");
    for (uint32_t u = 0; u < f->units; u++) {
        uint64_t off = fd_unit_off(f, u);

        if (!f->writable[u] &&
            memcmp(f->now + off, f->shadow + off, f->unit_size))
            fd_die("a track or block outside every write extent changed");
    }
}

/* `zvfio-img check`: own home address, records inside the slot, end
 * marker present, on every track. */
static void
fd_check_tracks(struct fd *f)
{
    struct ckd_img *img;
    char err[128];

    if (ckd_img_open(fd_path, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)))
        fd_die("the image no longer opens");
    for (uint32_t t = 0; t < f->units; t++) {
        if (ckd_img_read_track(img, t / 15, t % 15, f->now) < 0)
            fd_die("a track is unreadable");
        if (ckd_track_check_ha(f->now, t / 15, t % 15) < 0)
            fd_die("a home address names another track");
        if (ckd_track_parse(f->now, f->trksize, NULL, 0) < 0)
            fd_die("a track is malformed");
    }
    ckd_img_close(img);
}

/* ---- the world ---- */

static int
fd_map(struct fd *f, uint64_t addr, size_t len, unsigned prot, uint8_t **out)
{
    *out = calloc(1, len);
    if (!*out)
        return -ENOMEM;
    return zv_as_map(f->as, addr, len, *out, prot);
}

static int
fd_build(struct fd *f, uint8_t cfg, uint8_t layout)
{
    struct css_config cc = {.concurrent_sense = true, .crw_queue_max = 8};
    struct css_sch_desc d = {.st = PMCW_ST_IO,
                             .devno = 0x0191,
                             .pim = 0xC0,
                             .chpid = {FD_CHP0, FD_CHP1}};
    struct dasd_config dc = {.eq_check_ppm = (cfg & 0x40) ? 20000 : 0};
    char err[128];
    struct schib s;

    f->eckd = cfg & 1;
    if (f->eckd) {
        f->trksize = fd_slots[(cfg >> 2) & 3];
        f->units = FD_TRACKS;
        f->unit_size = f->trksize;
        f->img_size = CKD_DEVHDR_SIZE + (uint64_t)f->units * f->trksize;
    } else {
        f->units = FD_FBA_MIN + ((cfg >> 2) & 0x3F);
        f->unit_size = FBA_BLKSIZE;
        f->img_size = (uint64_t)f->units * FBA_BLKSIZE;
    }
    f->shadow = malloc(f->img_size);
    f->now = malloc(f->img_size + 1);
    f->writable = calloc(f->units, 1);
    if (!f->shadow || !f->now || !f->writable || fd_write_image(f, layout))
        return -EIO;
    f->loop = zv_loop_new_virtual(1 + layout);
    f->as = zv_as_new("fuzz-dasd");
    if (!f->loop || !f->as ||
        fd_map(f, FD_DATA, FD_DATA_SIZE, ZV_MEM_RW, &f->mem) ||
        fd_map(f, FD_PARM, FD_PARM_SIZE, ZV_MEM_READ, &f->parm) ||
        fd_map(f, FD_CCW, FD_MAX_CCWS * CCW_SIZE, ZV_MEM_READ, &f->ccw))
        return -ENOMEM;
    if (f->eckd ? ckd_img_open(fd_path, false, IMG_SYNC_WRITE_THROUGH, &f->cimg,
                               err, sizeof(err)) ||
                      dev_eckd_new(f->loop, f->cimg, &dc, &f->dev)
                : fba_img_open(fd_path, false, IMG_SYNC_WRITE_THROUGH, &f->fimg,
                               err, sizeof(err)) ||
                      dev_fba_new(f->loop, f->fimg, &dc, &f->dev))
        return -EIO;
    f->css = css_new(f->loop, f->as, &cc);
    if (!f->css || css_chp_define(f->css, FD_CHP0, CHP_TYPE_FICON) ||
        css_chp_define(f->css, FD_CHP1, CHP_TYPE_FICON) ||
        css_sch_define(f->css, &d, f->dev, false, &f->sch))
        return -EIO;
    if (css_sch_stsch(f->sch, &s).cc)
        return -EIO;
    s.pmcw.ena = true;
    s.pmcw.lpm = 0xFF;
    s.pmcw.csense = cfg & 2;
    return css_sch_msch(f->sch, &s).cc ? -EIO : 0;
}

static void
fd_free(struct fd *f)
{
    css_free(f->css);
    while (f->loop && zv_loop_run_once(f->loop, 0))
        ;
    dev_dasd_free(f->dev); /* writes back what the device holds */
    ckd_img_close(f->cimg);
    fba_img_close(f->fimg);
    zv_as_free(f->as);
    zv_loop_free(f->loop);
    free(f->mem);
    free(f->parm);
    free(f->ccw);
}

/* ---- operations ---- */

static uint8_t *
fd_parm_slot(struct fd *f, struct fz_input *in)
{
    return f->parm + (in_u8(in) * 32u) % FD_PARM_SIZE;
}

static uint32_t
fd_unit(struct fd *f, struct fz_input *in)
{
    /* mostly in range, sometimes just past it */
    return in_u8(in) % (f->units + 2);
}

static void
fd_put_cchh(uint8_t *p, uint32_t trk)
{
    zv_put_be16(p, (uint16_t)(trk / 15));
    zv_put_be16(p + 2, (uint16_t)(trk % 15));
}

static void
op_raw(struct fd *f, struct fz_input *in, bool parm)
{
    uint32_t off = in_u16(in);
    uint32_t len = in_u8(in);
    uint8_t *base = parm ? f->parm : f->mem;
    uint32_t size = parm ? FD_PARM_SIZE : FD_DATA_SIZE;

    off %= size;
    if (len > size - off)
        len = size - off;
    in_bytes(in, base + off, len);
}

static void
op_parm(struct fd *f, struct fz_input *in)
{
    op_raw(f, in, true);
}

static void
op_data(struct fd *f, struct fz_input *in)
{
    op_raw(f, in, false);
}

/* Define Extent from fields: 16 bytes. */
static void
op_de(struct fd *f, struct fz_input *in)
{
    uint8_t *p = fd_parm_slot(f, in);

    memset(p, 0, 16);
    p[0] = in_u8(in);
    if (f->eckd) {
        p[1] = in_u8(in);
        fd_put_cchh(p + 8, fd_unit(f, in));
        fd_put_cchh(p + 12, fd_unit(f, in));
    } else {
        zv_put_be16(p + 2, FBA_BLKSIZE);
        zv_put_be32(p + 4, fd_unit(f, in));
        zv_put_be32(p + 8, in_u8(in));
        zv_put_be32(p + 12, in_u8(in));
    }
}

/* Locate Record (+ the LRE extension) or FBA Locate from fields. */
static void
op_locate(struct fd *f, struct fz_input *in)
{
    uint8_t *p = fd_parm_slot(f, in);
    uint32_t t;

    memset(p, 0, 32);
    p[0] = in_u8(in);
    if (f->eckd) {
        p[1] = in_u8(in);
        p[3] = in_u8(in);
        t = fd_unit(f, in);
        fd_put_cchh(p + 4, t);
        fd_put_cchh(p + 8, t);
        p[12] = in_u8(in);
        p[13] = in_u8(in);
        zv_put_be16(p + 14, in_u16(in));
        p[17] = in_u8(in);
    } else {
        zv_put_be16(p + 2, in_u8(in));
        zv_put_be32(p + 4, in_u8(in));
    }
}

/* A count field (CCHHR KL DL) in the data area, for Write CKD / R0. */
static void
op_count(struct fd *f, struct fz_input *in)
{
    uint32_t off = (in_u16(in) & ~7u) % (FD_DATA_SIZE - 8);
    uint8_t *p = f->mem + off;

    fd_put_cchh(p, fd_unit(f, in));
    p[4] = in_u8(in);
    p[5] = in_u8(in);
    zv_put_be16(p + 6, in_u16(in));
}

/* Append a CCW.  Addresses are steered so what the device reads as a
 * Define Extent cannot change while it runs: DE data comes from the
 * read-only parameter page without data chaining or indirect data, TICs
 * point into the read-only CCW page. */
static void
op_ccw(struct fd *f, struct fz_input *in)
{
    struct ccw1 c;
    uint16_t addr;

    c.cmd = in_u8(in);
    c.flags = in_u8(in);
    c.count = in_u16(in);
    addr = in_u16(in);
    if (f->nccw >= FD_MAX_CCWS)
        return;
    if (ccw_cmd_class(c.cmd) == CCW_CLASS_TIC) {
        c.cda = FD_CCW + (addr % FD_MAX_CCWS) * CCW_SIZE;
    } else if (c.cmd == 0x63) {
        c.flags &= (uint8_t) ~(CCW_FLAG_CD | CCW_FLAG_IDA | CCW_FLAG_MIDA);
        c.cda = FD_PARM + (addr % FD_PARM_SIZE);
    } else if (addr & 0x8000) {
        c.cda = FD_PARM + (addr % FD_PARM_SIZE);
    } else {
        c.cda = FD_DATA + addr;
    }
    f->prog[f->nccw++] = c;
}

/* Units a program's Define Extents allow writes to (all of its 0x63
 * CCWs, whether they ran or not: a superset). */
static void
fd_note_extents(struct fd *f)
{
    for (unsigned i = 0; i < f->nccw; i++) {
        const struct ccw1 *c = &f->prog[i];
        uint32_t off = c->cda - FD_PARM, beg, end;
        const uint8_t *p = f->parm + off;

        if (c->cmd != 0x63 || c->count < 16 || off + 16 > FD_PARM_SIZE)
            continue;
        /* write permission bits 0-1: 01 = inhibit all writes */
        if ((p[0] & 0xC0) == 0x40)
            continue;
        if (f->eckd) {
            beg = zv_be16(p + 8) * 15u + (zv_be16(p + 10) & 0xF);
            end = zv_be16(p + 12) * 15u + (zv_be16(p + 14) & 0xF);
            if ((zv_be16(p + 10) >> 4) || (zv_be16(p + 14) >> 4))
                continue; /* no extended cylinders on this volume */
        } else {
            uint32_t first = zv_be32(p + 8), last = zv_be32(p + 12);

            if (last < first)
                continue;
            beg = zv_be32(p + 4);
            end = beg + (last - first);
            if (end < beg)
                end = UINT32_MAX;
        }
        for (uint64_t u = beg; u <= end && u < f->units; u++)
            f->writable[u] = 1;
    }
}

/* Can the program loop?  Only through a TIC that goes back. */
static bool
fd_may_loop(const struct fd *f)
{
    for (unsigned i = 0; i < f->nccw; i++)
        if (ccw_cmd_class(f->prog[i].cmd) == CCW_CLASS_TIC &&
            f->prog[i].cda <= FD_CCW + i * CCW_SIZE)
            return true;
    return false;
}

static void
fd_rest(struct fd *f, bool may_loop)
{
    unsigned n = 0;

    while (zv_loop_run_once(f->loop, 0)) {
        if (++n == FD_CLEAR_AT && may_loop)
            (void)css_sch_csch(f->sch);
        if (n > FD_REST_MAX)
            fd_die(may_loop ? "the loop never came to rest after clear"
                            : "a program without loops keeps running");
    }
}

static void
op_run(struct fd *f, struct fz_input *in)
{
    struct orb o = {.intparm = 0xD15C,
                    .fmt = true,
                    .pfch = true,
                    .lpm = 0xFF,
                    .cpa = FD_CCW};
    struct zv_insn_rc rc;
    struct irb irb;
    bool may_loop;

    (void)in;
    if (!f->nccw || f->runs >= FD_MAX_RUNS)
        return;
    f->runs++;
    for (unsigned i = 0; i < f->nccw; i++)
        ccw1_encode(&f->prog[i], f->ccw + i * CCW_SIZE);
    fd_note_extents(f);
    may_loop = fd_may_loop(f);
    rc = css_sch_ssch(f->sch, &o);
    if (rc.pic != ZV_PIC_NONE)
        fd_die("SSCH of a valid ORB raised a program interruption");
    if (rc.cc == ZV_CC0) {
        fd_rest(f, may_loop);
        rc = css_sch_tsch(f->sch, &irb);
        if (rc.pic != ZV_PIC_NONE || rc.cc != ZV_CC0)
            fd_die("the program ended without status");
        if (!(irb.scsw.stctl & SCSW_STCTL_PENDING))
            fd_die("TSCH cc 0 without status pending");
        if (!(irb.scsw.fctl & SCSW_FCTL_CLEAR) &&
            !(irb.scsw.stctl & SCSW_STCTL_PRIMARY))
            fd_die("a program ended without primary status");
        if (getenv("ZV_FUZZ_TRACE"))
            fprintf(stderr,
                    "fuzz_dasd: run %u: cpa %05x dstat %02x cstat %02x "
                    "count %u sense %02x %02x %02x\n",
                    f->runs, irb.scsw.cpa, irb.scsw.dstat, irb.scsw.cstat,
                    irb.scsw.count, irb.ecw[0], irb.ecw[1], irb.ecw[7]);
    } else {
        /* status pending from before: take it */
        (void)css_sch_tsch(f->sch, &irb);
    }
    fd_check_shadow(f);
    memset(f->ccw, 0, FD_MAX_CCWS * CCW_SIZE);
    f->nccw = 0;
}

static void (*const fd_ops[])(struct fd *, struct fz_input *) = {
    op_parm, op_data, op_de, op_locate, op_count, op_ccw, op_ccw, op_run,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in = {data, size};
    struct fd *f;
    uint8_t cfg, layout;

    if (fd_image_path())
        fd_die("no temporary file");
    f = calloc(1, sizeof(*f));
    if (!f)
        return 0;
    cfg = in_u8(&in);
    layout = in_u8(&in);
    if (fd_build(f, cfg, layout))
        fd_die("cannot build the world");
    for (unsigned i = 0; i < FD_MAX_OPS && in.n; i++)
        fd_ops[in_u8(&in) % (sizeof(fd_ops) / sizeof(fd_ops[0]))](f, &in);
    op_run(f, &in);
    fd_free(f);
    fd_check_shadow(f);
    if (f->eckd)
        fd_check_tracks(f);
    free(f->shadow);
    free(f->now);
    free(f->writable);
    free(f);
    return 0;
}
