/* SPDX-License-Identifier: MIT */
/*
 * ECKD 3390: the track under the heads and the commands that move data
 * to and from it (dasd.md §3.4, §3.6, §3.8).
 *
 * Orientation is modelled as (cur, after_count): the count field of
 * recs[cur] is the next to pass under the heads, or, with after_count,
 * has just passed so its key and data are next.  Index point = (0,
 * false).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "dev/eckd_priv.h"

#define ECKD_CMD_READ_DATA  0x06
#define ECKD_CMD_WRITE_DATA 0x05
#define ECKD_CMD_READ_KD    0x0E
#define ECKD_CMD_WRITE_KD   0x0D
#define ECKD_CMD_READ_COUNT 0x12
#define ECKD_CMD_READ_CKD   0x1E
#define ECKD_CMD_READ_R0    0x16
#define ECKD_CMD_READ_HA    0x1A
#define ECKD_CMD_WRITE_CKD  0x1D
#define ECKD_CMD_WRITE_R0   0x15
#define ECKD_CMD_READ_TRACK 0xDE
#define ECKD_CMD_SEEK       0x07
#define ECKD_CMD_SEEK_CYL   0x0B
#define ECKD_CMD_SEEK_HEAD  0x1B
#define ECKD_CMD_SRCH_EQ    0x31
#define ECKD_CMD_SRCH_HI    0x51
#define ECKD_CMD_SRCH_EQHI  0x71
#define ECKD_CMD_SRCH_HA    0x39
#define ECKD_CMD_MT         0x80 /* multitrack bit of the command code */

#define ECKD_SEEK_LEN   6
#define ECKD_CCHHR_LEN  5
#define ECKD_EOT_LEN    8
#define ECKD_3390_CELLS 1729 /* track capacity in cells (dasd.md §3.1) */

/* ---- track cache ----
 *
 * A track is read lazily: the slot prefix up to the record being used
 * (random 4 KiB reads touch half a track on average instead of all of
 * it), and written back as the byte range an update write changed, or
 * whole after a format write.  The slot layout (512-byte header, fixed
 * slots) is the one img.h documents.
 */

#define ECKD_FILL_STEP 8192u

static uint64_t
eckd_slot_off(const struct eckd *e)
{
    return CKD_DEVHDR_SIZE + (uint64_t)e->trk_no * e->geom.trksize;
}

/* The first piece in [s, last] whose loaded bit is `loaded`, or last + 1:
 * a word of the map at a time. */
static uint32_t
sect_find(const struct eckd *e, uint32_t s, uint32_t last, bool loaded)
{
    while (s <= last) {
        uint64_t w = e->ldmap[s / 64];

        w = (loaded ? w : ~w) >> (s % 64);
        if (w) {
            s += (uint32_t)__builtin_ctzll(w);
            return s <= last ? s : last + 1;
        }
        s = (s / 64 + 1) * 64;
    }
    return last + 1;
}

/* Bytes [lo, hi) of the slot in the buffer: the pieces not read yet are
 * read, in runs. */
static enum eckd_err
eckd_need(struct eckd *e, uint32_t lo, uint32_t hi)
{
    uint32_t s = lo / ECKD_SECT, last, a, b;

    if (hi > e->geom.trksize)
        hi = e->geom.trksize;
    if (hi <= lo)
        return EE_OK;
    last = (hi - 1) / ECKD_SECT;
    for (;;) {
        a = sect_find(e, s, last, false);
        if (a > last)
            return EE_OK;
        s = sect_find(e, a, last, true);
        for (uint32_t i = a; i < s; i++)
            e->ldmap[i / 64] |= 1ull << (i % 64);
        b = s * ECKD_SECT < e->geom.trksize ? s * ECKD_SECT : e->geom.trksize;
        if (img_pread(ckd_img_backend(e->img), e->trk + a * ECKD_SECT,
                      b - a * ECKD_SECT, eckd_slot_off(e) + a * ECKD_SECT) < 0)
            return EE_EQUIPMENT;
    }
}

/* The first upto bytes of the slot, read ahead in 8 KiB steps (parsing
 * walks the track from its start). */
static enum eckd_err
eckd_fill(struct eckd *e, uint32_t upto)
{
    uint32_t want =
        (upto + ECKD_FILL_STEP - 1) / ECKD_FILL_STEP * ECKD_FILL_STEP;

    return eckd_need(e, 0, want);
}

int
eckd_track_buffers(struct eckd *e)
{
    uint32_t nsect = (e->geom.trksize + ECKD_SECT - 1) / ECKD_SECT;

    e->trk = calloc(1, e->geom.trksize);
    e->ldmap = calloc((nsect + 63) / 64, sizeof(uint64_t));
    return e->trk && e->ldmap ? 0 : -ENOMEM;
}

void
eckd_track_buffers_free(struct eckd *e)
{
    free(e->trk);
    free(e->ldmap);
    free(e->layouts);
}

/* ---- layout cache ---- */

static void
eckd_layout_store(struct eckd *e)
{
    struct eckd_layout *l;
    int n = e->nrecs;

    if (!e->layouts && n > 0)
        e->layouts = calloc(ECKD_LAYOUTS, sizeof(*e->layouts));
    if (!e->layouts)
        return; /* only an optimisation */
    l = &e->layouts[e->trk_no % ECKD_LAYOUTS];
    if (n <= 0) { /* malformed or nothing known: forget the track */
        if (l->trk_plus1 == e->trk_no + 1)
            l->trk_plus1 = 0;
        return;
    }
    /* a prefix of the record table stays valid as it is */
    l->complete = e->complete && n <= ECKD_LAYOUT_RECS;
    if (n > ECKD_LAYOUT_RECS)
        n = ECKD_LAYOUT_RECS;
    l->trk_plus1 = e->trk_no + 1;
    l->n = (uint8_t)n;
    memcpy(l->recs, e->recs, (size_t)n * sizeof(e->recs[0]));
}

static bool
eckd_layout_load(struct eckd *e)
{
    const struct eckd_layout *l;
    const struct ckd_record *last;

    if (!e->layouts)
        return false;
    l = &e->layouts[e->trk_no % ECKD_LAYOUTS];
    if (l->trk_plus1 != e->trk_no + 1)
        return false;
    e->nrecs = l->n;
    memcpy(e->recs, l->recs, (size_t)l->n * sizeof(e->recs[0]));
    e->complete = l->complete;
    last = &l->recs[l->n - 1];
    e->parse_off = last->offset + CKD_COUNT_SIZE + last->kl + last->dl;
    return true;
}

/* Parse one more count field (and load its record). */
static enum eckd_err
eckd_parse_one(struct eckd *e)
{
    uint32_t off = e->parse_off, end;
    const uint8_t *c;
    enum eckd_err err;

    if (off + CKD_COUNT_SIZE > e->geom.trksize)
        goto bad; /* ran off the slot without an end marker */
    /* read ahead from here: the next records are usually wanted next */
    err = eckd_need(e, off, off + ECKD_FILL_STEP);
    if (err)
        return err;
    c = e->trk + off;
    if (ckd_is_eot(c)) {
        e->complete = true;
        return EE_OK;
    }
    end = off + CKD_COUNT_SIZE + c[5] + zv_be16(c + 6);
    if (e->nrecs >= ECKD_MAX_RECS || end + CKD_COUNT_SIZE > e->geom.trksize)
        goto bad;
    err = eckd_need(e, off, end + CKD_COUNT_SIZE);
    if (err)
        return err;
    ckd_count_decode(c, off, &e->recs[e->nrecs++]);
    e->parse_off = end;
    return EE_OK;
bad:
    e->nrecs = -1; /* malformed: every access is invalid track format */
    return EE_ITF;
}

/* Records 0..i parsed and loaded, or the track is known to end before. */
enum eckd_err
eckd_parse_to(struct eckd *e, int i)
{
    enum eckd_err err;

    while (e->nrecs >= 0 && !e->complete && e->nrecs <= i) {
        err = eckd_parse_one(e);
        if (err)
            return err;
    }
    return e->nrecs < 0 ? EE_ITF : EE_OK;
}

/* Before a format write: the whole slot and every record. */
static enum eckd_err
eckd_whole_track(struct eckd *e)
{
    enum eckd_err err = eckd_fill(e, e->geom.trksize);

    if (!err && e->nrecs >= 0)
        err = eckd_parse_to(e, ECKD_MAX_RECS);
    return err;
}

/* Pieces of the slot in [lo, hi) are no longer what the image holds. */
static void
eckd_forget(struct eckd *e, uint32_t lo, uint32_t hi)
{
    uint32_t s;

    for (s = lo / ECKD_SECT; s <= (hi - 1) / ECKD_SECT; s++)
        e->ldmap[s / 64] &= ~(1ull << (s % 64));
    e->ahead_hi = 0;
}

static void
eckd_mark_dirty(struct eckd *e, uint32_t lo, uint32_t hi)
{
    if (!e->trk_dirty || lo < e->dirty_lo)
        e->dirty_lo = lo;
    if (!e->trk_dirty || hi > e->dirty_hi)
        e->dirty_hi = hi;
    e->trk_dirty = true;
}

enum eckd_err
eckd_flush(struct eckd *e)
{
    uint32_t h = e->geom.heads;
    int rc;

    if (!e->trk_valid || !e->trk_dirty)
        return EE_OK;
    e->trk_dirty = false;
    if (e->dirty_all) {
        e->dirty_all = false;
        rc = ckd_img_write_track(e->img, e->trk_no / h, e->trk_no % h, e->trk);
        /* The track's new format is not in the image: neither its bytes
         * nor its record table may be used as if it were (loaded again,
         * and parsed, at the next access). */
        if (rc < 0)
            e->trk_valid = false;
    } else {
        rc = img_pwrite(ckd_img_backend(e->img), e->trk + e->dirty_lo,
                        e->dirty_hi - e->dirty_lo,
                        eckd_slot_off(e) + e->dirty_lo);
        /* The new data is not in the image: the buffer must not serve it
         * as a clean copy (a read run goes to the image, a record read
         * from the buffer: both must see what the image holds). */
        if (rc < 0)
            eckd_forget(e, e->dirty_lo, e->dirty_hi);
    }
    return rc < 0 ? EE_EQUIPMENT : EE_OK;
}

static void
eckd_to_index(struct eckd *e)
{
    e->cur = 0;
    e->after_count = false;
    e->index_passes = 0;
}

enum eckd_err
eckd_load(struct eckd *e, uint32_t trk)
{
    enum eckd_err err;

    if (e->trk_valid && e->trk_no == trk) {
        eckd_to_index(e);
        return EE_OK;
    }
    err = eckd_flush(e);
    if (err)
        return err;
    if (e->trk_valid)
        eckd_layout_store(e);
    e->trk_valid = false;
    e->trk_no = trk;
    memset(e->ldmap, 0,
           (e->geom.trksize + ECKD_SECT * 64 - 1) / (ECKD_SECT * 64) *
               sizeof(uint64_t));
    e->ahead_hi = 0;
    e->nrecs = 0;
    e->complete = false;
    e->parse_off = CKD_HA_SIZE;
    (void)eckd_layout_load(e); /* else parsed from scratch when needed */
    e->trk_valid = true;
    eckd_to_index(e);
    return EE_OK;
}

static bool
eckd_in_extent(const struct eckd *e, uint32_t trk)
{
    if (!e->extent)
        return trk < e->tracks;
    return trk >= e->beg_trk && trk <= e->end_trk;
}

static bool
eckd_has_r0(struct eckd *e)
{
    return eckd_parse_to(e, 0) == EE_OK && e->nrecs > 0 && e->recs[0].rec == 0;
}

/* Multitrack operation ran off the end of the track: the next track of
 * the extent, or file protected when the extent ends here. */
static enum eckd_err
eckd_next_track(struct eckd *e)
{
    uint32_t t = e->trk_no + 1;

    if (!eckd_in_extent(e, t) || t >= e->tracks)
        return EE_FP;
    return eckd_load(e, t);
}

/*
 * Move to the next count field.  In a Locate Record domain, end of track
 * is No Record Found unless the command is multitrack; outside a domain
 * the device passes index and searches on until the second index point
 * (dasd.md §3.6).
 */
static enum eckd_err
eckd_next_count(struct eckd *e, bool mt, bool skip_r0)
{
    int i = e->after_count ? e->cur + 1 : e->cur;
    enum eckd_err err;

    for (;;) {
        err = eckd_parse_to(e, i + 1);
        if (err)
            return err;
        if (skip_r0 && i == 0 && eckd_has_r0(e))
            i = 1;
        if (i < e->nrecs)
            break;
        if (mt && e->domain) {
            err = eckd_next_track(e);
            if (err)
                return err;
        } else if (e->domain || ++e->index_passes >= 2) {
            return EE_NRF;
        }
        i = 0;
    }
    e->cur = i;
    e->after_count = true;
    return EE_OK;
}

static const uint8_t *
rec_count(const struct eckd *e, int i)
{
    return e->trk + e->recs[i].offset;
}

/* CCHHR of record i from the record table (no image bytes needed). */
static void
rec_cchhr(const struct eckd *e, int i, uint8_t out[5])
{
    zv_put_be16(out, e->recs[i].cyl);
    zv_put_be16(out + 2, e->recs[i].head);
    out[4] = e->recs[i].rec;
}

static uint32_t
rec_end(const struct eckd *e, int i)
{
    const struct ckd_record *r = &e->recs[i];

    return r->offset + CKD_COUNT_SIZE + r->kl + r->dl;
}

/* Orientation for Locate Record (dasd.md §3.4): count and data
 * orientation search the track from index for the CCHHR. */
enum eckd_err
eckd_orient_lr(struct eckd *e, uint8_t orient, const uint8_t cchhr[5])
{
    int i;

    eckd_to_index(e);
    if (orient == LR_ORIENT_HA || orient == LR_ORIENT_INDEX)
        return EE_OK;
    for (i = 0;; i++) {
        enum eckd_err err = eckd_parse_to(e, i);
        uint8_t id[ECKD_CCHHR_LEN];

        if (err)
            return err;
        if (i >= e->nrecs)
            break;
        rec_cchhr(e, i, id);
        if (memcmp(id, cchhr, ECKD_CCHHR_LEN) != 0)
            continue;
        if (orient == LR_ORIENT_COUNT) {
            e->cur = i;
            e->after_count = true;
        } else {
            e->cur = i + 1;
        }
        return EE_OK;
    }
    return EE_NRF;
}

/* ---- data transfer ---- */

static enum eckd_err
give(struct css_io *io, const uint8_t *p, size_t len)
{
    return css_io_write(io, p, len) < 0 ? EE_CHANNEL : EE_OK;
}

/* Take len bytes; what the channel does not supply is written as zeros
 * (the record keeps its length; the channel reports the residual). */
static enum eckd_err
take(struct css_io *io, uint8_t *p, size_t len)
{
    int n = css_io_read(io, p, len);

    if (n < 0)
        return EE_CHANNEL;
    if ((size_t)n < len)
        memset(p + n, 0, len - (size_t)n);
    return EE_OK;
}

/* Position on a record for a key/data transfer (R0 is skipped unless the
 * count of R0 has just passed). */
static enum eckd_err
eckd_pos_record(struct eckd *e, bool mt)
{
    return e->after_count ? EE_OK : eckd_next_count(e, mt, true);
}

static void
eckd_past_record(struct eckd *e)
{
    e->cur++;
    e->after_count = false;
}

/* ---- data fields straight between image and storage ----
 *
 * The data field of a record whose place in the slot is known (its count
 * is in the record table) moves between the image file and storage by
 * preadv/pwritev into the iovecs css_io_iov gives, without the track
 * buffer, when the channel offers the whole field as one plain transfer.
 * Anything else (a count shorter than the field, skip, IDAWs that run
 * into storage that is not there, PCI in the data chain, copy_data) gets
 * 0 iovecs and goes through the buffer, which gives the architected
 * result.  Coherence with the buffer: while it holds bytes the image does
 * not have yet (dirty), everything stays buffered; a direct write drops
 * the pieces of the buffer it overwrote, so they are read again when next
 * needed.  Counts, keys and format writes always use the buffer.
 */
static int
eckd_data_iov(const struct eckd *e, struct css_io *io, uint32_t off, size_t len,
              bool to_storage, struct iovec *iov)
{
    if (e->trk_dirty || len == 0 || off + len > e->geom.trksize)
        return 0;
    return css_io_iov(io, len, to_storage, iov, IMG_IOV_MAX);
}

/* Read the data field of r straight into storage: *done when it went
 * that way (or failed: then nothing moved, as when the buffer cannot be
 * filled). */
static enum eckd_err
eckd_read_direct(struct eckd *e, struct css_io *io, const struct ckd_record *r,
                 bool *done)
{
    struct iovec iov[IMG_IOV_MAX];
    struct img_backend *be = ckd_img_backend(e->img);
    uint32_t off = r->offset + CKD_COUNT_SIZE + r->kl;
    int n = eckd_data_iov(e, io, off, r->dl, true, iov), rc, res = 0;

    *done = n > 0;
    if (n <= 0)
        return EE_OK;
    /* The record is the command's last transfer: the read may run on
     * after the command returns (dasd_started). */
    rc = img_preadv_start(be, iov, n, eckd_slot_off(e) + off, dasd_image_done,
                          &e->d, &res);
    if (dasd_started(&e->d, io, be, rc, res) < 0) {
        css_io_iov_undo(io);
        return EE_EQUIPMENT;
    }
    return EE_OK;
}

static void
iov_gather(uint8_t *dst, const struct iovec *iov, int n)
{
    for (int i = 0; i < n; i++) {
        memcpy(dst, iov[i].iov_base, iov[i].iov_len);
        dst += iov[i].iov_len;
    }
}

/*
 * Write len bytes of a data field at off straight from storage to the
 * image.  When the image refuses (read-only, full), the data is kept in
 * the buffer instead, exactly as the copying path keeps it, so the error
 * surfaces where that path reports it: when the buffer is written back.
 */
static enum eckd_err
eckd_write_direct(struct eckd *e, struct css_io *io, uint32_t off, size_t len,
                  bool *done)
{
    struct iovec iov[IMG_IOV_MAX];
    int n = eckd_data_iov(e, io, off, len, false, iov);
    enum eckd_err err;

    *done = n > 0;
    if (n <= 0)
        return EE_OK;
    if (img_pwritev(ckd_img_backend(e->img), iov, n, eckd_slot_off(e) + off) ==
        0) {
        eckd_forget(e, off, off + (uint32_t)len);
        return EE_OK;
    }
    err = eckd_need(e, off, off + (uint32_t)len);
    if (err) {
        css_io_iov_undo(io);
        return err;
    }
    iov_gather(e->trk + off, iov, n);
    eckd_mark_dirty(e, off, off + (uint32_t)len);
    return EE_OK;
}

/* Bytes [lo, hi) of the slot all in the buffer? */
static bool
eckd_have(const struct eckd *e, uint32_t lo, uint32_t hi)
{
    uint32_t last = (hi - 1) / ECKD_SECT;

    return hi <= lo || sect_find(e, lo / ECKD_SECT, last, false) > last;
}

/*
 * A Locate Record domain that goes on past the current record on this
 * track (Linux's multi-block requests): one image read brings the
 * records of the domain that the record table already knows on this
 * track into the buffer (*run), and the commands that follow take them
 * from there.  A system call per record costs more than the copy the
 * straight path saves (bench/dev/ab.sh on a 2-vCPU VM: 1 MiB of 4 KiB
 * records read with 2.7x, written with 2.2x less CPU this way than with
 * one preadv/pwritev per record), so the straight path is for the record
 * that stands alone.  Loading more of the slot is invisible to the
 * channel program.
 */
static enum eckd_err
eckd_run_ahead(struct eckd *e, bool *run)
{
    uint32_t lo = e->recs[e->cur].offset, hi;
    int want = e->cur + (int)e->lr_left - 1, last = want;
    uint64_t guess;
    enum eckd_err err;

    *run = false;
    if (!e->domain || e->lr_left < 2 || e->nrecs < 0)
        return EE_OK;
    if (last > e->nrecs - 1)
        last = e->nrecs - 1;
    if (last <= e->cur && e->complete)
        return EE_OK; /* the domain goes on on the next track */
    *run = true;
    hi = rec_end(e, last);
    if (lo >= e->ahead_lo && rec_end(e, e->cur) <= e->ahead_hi)
        return EE_OK; /* brought in by the run's first command */
    /* Records not parsed yet (a track seen for the first time): assume
     * they are the size of this one.  Parsing ahead is not an option:
     * it would find a malformed track earlier than the commands do. */
    if (!e->complete && want > last) {
        guess = lo + (uint64_t)(rec_end(e, e->cur) - lo) *
                         (uint64_t)(want - e->cur + 1);
        if (guess > e->geom.trksize)
            guess = e->geom.trksize;
        if (guess > hi)
            hi = (uint32_t)guess;
    }
    err = eckd_need(e, lo, hi);
    if (!err) {
        e->ahead_lo = lo;
        e->ahead_hi = hi;
    }
    return err;
}

/* ---- a run of Read Data commands in one image read ----
 *
 * Read Data commands chained in a Locate Record domain on records that
 * follow each other on the track: the channel resolves the data areas of
 * the commands after this one (css_io_iov_chain) and one preadv fills
 * them all, the count and key fields in between going to a scratch area.
 * Each command taken this way is one the device would have run exactly
 * so on its own: a record already in the record table (no parsing, so a
 * malformed track is found by the same command as before), of the
 * length the CCW count asks, inside the domain, and a device whose
 * commands all end at once (no latency, no equipment check drawn, not
 * the command an injected fault waits for: their data would otherwise
 * move earlier than the status that precedes it).  A track seen for the
 * first time, whose record table is not known yet, goes through the
 * buffer (eckd_run_ahead).
 *
 * Write Data runs go the same way (eckd_write_chain below): one pwritev
 * of the data fields with the count fields between them as they are.  (A
 * pwritev per record, tried first, moved half the bytes per second of the
 * buffered run.)
 */
#define ECKD_CHAIN_MAX 32

static uint32_t
rec_data_off(const struct eckd *e, int i)
{
    return e->recs[i].offset + CKD_COUNT_SIZE + e->recs[i].kl;
}

/* How many commands after this one may end at once as this one does:
 * no latency drawn or charged for them, no equipment check drawn, and
 * none of them the one an injected fault waits for (dasd_start). */
static uint32_t
eckd_at_once_ahead(const struct eckd *e, struct css_io *io)
{
    const struct dasd *d = &e->d;
    bool zero = !d->cfg.latency_ns && !d->cfg.jitter_ns;

    if (d->cfg.eq_check_ppm ||
        (!zero && (d->cfg.unit == DASD_LAT_PER_COMMAND || css_io_initial(io))))
        return 0;
    return d->fault_armed ? d->fault_after : UINT32_MAX;
}

/* The commands a run from record cur may take: how many. */
static int
eckd_chain_plan(const struct eckd *e, struct css_io *io,
                struct css_io_next *cmds)
{
    uint32_t more = eckd_at_once_ahead(e, io);
    int n = 0, cur = e->cur;

    if (!e->domain || e->lr_left < 2 || e->trk_dirty || e->nrecs < 0 ||
        more == 0)
        return 0;
    /* at most lr_left - 1 after this one: the last stays in the domain */
    while (n < ECKD_CHAIN_MAX && n < (int)e->lr_left &&
           (n == 0 || (uint32_t)n <= more)) {
        int j = cur + n;
        uint32_t end;

        if (j >= e->nrecs || (j + 1 >= e->nrecs && !e->complete) ||
            e->recs[j].dl == 0)
            break;
        end = rec_data_off(e, j) + e->recs[j].dl;
        if (end > e->geom.trksize ||
            (n && (rec_data_off(e, j) < rec_end(e, j - 1) ||
                   rec_data_off(e, j) - rec_end(e, j - 1) > sizeof(e->gap))))
            break;
        cmds[n].cmd = css_io_cmd(io);
        cmds[n].len = e->recs[j].dl;
        n++;
    }
    return n;
}

/* k commands of a run are done, this one and k - 1 after it: what those
 * did to the device and its chain state (the last one's domain step and
 * ending are the caller's, as for any command). */
static enum eckd_err
eckd_chain_taken(struct eckd *e, struct css_io *io, int k)
{
    if (css_io_advance(io, k - 1) < 0)
        return EE_CHANNEL; /* cannot happen: k - 1 were resolved */
    e->d.cmds += (uint64_t)(k - 1);
    if (e->d.fault_armed)
        e->d.fault_after -= (uint32_t)(k - 1);
    e->cur += k - 1;
    e->lr_left -= (uint32_t)(k - 1);
    return EE_OK;
}

/*
 * Resolve the first n planned commands (css_io_iov_chain; to_storage for
 * reads) and lay their data areas out as one image transfer from the data
 * field of the current record on, with the bytes between two data fields
 * at between[i] (NULL: the scratch area, for reads).  Returns how many
 * commands were resolved and *m iovecs in iov; 0 when fewer than two
 * were (nothing happened).
 */
static int
eckd_chain_iov(struct eckd *e, struct css_io *io, bool to_storage,
               struct css_io_next *cmds, int n, const uint8_t *const *between,
               struct iovec *iov, int *m)
{
    struct iovec got[IMG_IOV_MAX];
    /* room for an iovec between two commands */
    int k = css_io_iov_chain(io, to_storage, cmds, n, got,
                             IMG_IOV_MAX - (n - 1)),
        g = 0;

    *m = 0;
    if (k < 2) {
        if (k)
            css_io_iov_undo(io);
        return 0;
    }
    for (int i = 0; i < k; i++) {
        uint32_t gap =
            i ? rec_data_off(e, e->cur + i) - rec_end(e, e->cur + i - 1) : 0;

        if (gap)
            iov[(*m)++] = (struct iovec){
                .iov_base = between ? (void *)between[i] : e->gap,
                .iov_len = gap};
        memcpy(&iov[*m], &got[g], (size_t)cmds[i].niov * sizeof(iov[0]));
        *m += cmds[i].niov;
        g += cmds[i].niov;
    }
    return k;
}

static enum eckd_err
eckd_read_chain(struct eckd *e, struct css_io *io, bool *done)
{
    struct css_io_next cmds[ECKD_CHAIN_MAX];
    struct iovec iov[IMG_IOV_MAX];
    int n = eckd_chain_plan(e, io, cmds), k, m;
    uint32_t off0 = rec_data_off(e, e->cur);

    *done = false;
    if (n < 2)
        return EE_OK;
    k = eckd_chain_iov(e, io, true, cmds, n, NULL, iov, &m);
    if (!k)
        return EE_OK;
    if (img_preadv(ckd_img_backend(e->img), iov, m, eckd_slot_off(e) + off0) <
        0) {
        css_io_iov_undo(io);
        return EE_EQUIPMENT;
    }
    *done = true;
    return eckd_chain_taken(e, io, k);
}

/*
 * A run of Write Data commands in one image write: the same commands a
 * read run may take (eckd_chain_plan), each also of the length the
 * transfer-length factor accepts (cmd_write_fields checks it command by
 * command).  The bytes between two data fields (the next count field and
 * key) are written as they are: from the buffer, which is clean, when it
 * holds them, else the count field made again from the record table (a
 * track whose layout is known but whose bytes are not loaded) when there
 * is no key.  One pwritev from storage; the buffer then forgets the
 * span.  When the image refuses, nothing of the run is taken: the
 * commands go one by one, and the failure surfaces where that path
 * reports it.
 */
static enum eckd_err
eckd_write_chain(struct eckd *e, struct css_io *io, bool *done)
{
    struct css_io_next cmds[ECKD_CHAIN_MAX];
    struct iovec iov[IMG_IOV_MAX];
    uint8_t counts[ECKD_CHAIN_MAX][CKD_COUNT_SIZE];
    const uint8_t *between[ECKD_CHAIN_MAX] = {NULL};
    int n = eckd_chain_plan(e, io, cmds), k, m;
    uint32_t off0 = rec_data_off(e, e->cur);

    *done = false;
    for (int i = 0; i < n; i++) {
        const struct ckd_record *r = &e->recs[e->cur + i];
        uint32_t lo = i ? rec_end(e, e->cur + i - 1) : 0;

        if ((e->lr_aux & LR_AUX_TLF_VALID) && cmds[i].len != e->tlf) {
            n = i;
            break;
        }
        if (!i)
            continue;
        if (eckd_have(e, lo, rec_data_off(e, e->cur + i))) {
            between[i] = e->trk + lo;
        } else if (lo == r->offset && r->kl == 0) {
            ckd_count_encode(r, counts[i]);
            between[i] = counts[i];
        } else {
            n = i;
            break;
        }
    }
    if (n < 2)
        return EE_OK;
    k = eckd_chain_iov(e, io, false, cmds, n, between, iov, &m);
    if (!k)
        return EE_OK;
    if (img_pwritev(ckd_img_backend(e->img), iov, m, eckd_slot_off(e) + off0) <
        0) {
        css_io_iov_undo(io);
        return EE_OK;
    }
    eckd_forget(e, off0, rec_end(e, e->cur + k - 1));
    *done = true;
    return eckd_chain_taken(e, io, k);
}

static enum eckd_err
cmd_read_fields(struct eckd *e, struct css_io *io, bool mt, bool key)
{
    const struct ckd_record *r;
    bool done = false, run = false;
    enum eckd_err err = eckd_pos_record(e, mt);

    if (err)
        return err;
    if (!key) {
        err = eckd_read_chain(e, io, &done);
        if (err)
            return err;
        if (done) {
            eckd_past_record(e);
            return EE_OK;
        }
    }
    r = &e->recs[e->cur];
    if (!key)
        err = eckd_run_ahead(e, &run);
    /* straight into storage unless the buffer has the data already */
    if (!key && !err && !run &&
        !eckd_have(e, r->offset + CKD_COUNT_SIZE + r->kl, rec_end(e, e->cur)))
        err = eckd_read_direct(e, io, r, &done);
    if (err)
        return err;
    if (!done) {
        err = eckd_need(e, r->offset, rec_end(e, e->cur));
        if (err)
            return err;
        err =
            give(io, rec_count(e, e->cur) + CKD_COUNT_SIZE + (key ? 0 : r->kl),
                 (size_t)r->dl + (key ? r->kl : 0));
    }
    eckd_past_record(e);
    if (!err && r->dl == 0)
        return EE_EOF;
    return err;
}

static enum eckd_err
cmd_write_fields(struct eckd *e, struct css_io *io, bool mt, bool key)
{
    const struct ckd_record *r;
    size_t len;
    uint32_t off;
    bool done = false, run = false;
    enum eckd_err err = eckd_pos_record(e, mt);

    if (err)
        return err;
    r = &e->recs[e->cur];
    len = (size_t)r->dl + (key ? r->kl : 0);
    /* The transfer-length factor must match the record (Hercules: else
     * invalid track format): an update write never reformats. */
    if ((e->lr_aux & LR_AUX_TLF_VALID) && len != e->tlf)
        return EE_ITF;
    off = r->offset + CKD_COUNT_SIZE + (key ? 0 : r->kl);
    /* a run whose records the buffer knows goes to the image in one
     * pwritev; else a run of records is gathered in the buffer and
     * written back in one piece; a record alone goes straight */
    if (!key) {
        err = eckd_write_chain(e, io, &done);
        if (err)
            return err;
        if (done) {
            eckd_past_record(e);
            return EE_OK;
        }
        err = eckd_run_ahead(e, &run);
    }
    if (!key && !err && !run)
        err = eckd_write_direct(e, io, off, len, &done);
    if (err)
        return err;
    if (!done) {
        /* The range written back must hold image bytes everywhere: read
         * what it spans (pieces shared with neighbours, gaps between two
         * records written in one chain) before the new data lands. */
        err = eckd_need(
            e, e->trk_dirty && e->dirty_lo < off ? e->dirty_lo : off,
            e->trk_dirty && e->dirty_hi > off + len ? e->dirty_hi
                                                    : off + (uint32_t)len);
        if (err)
            return err;
        err = take(io, e->trk + off, len);
        eckd_mark_dirty(e, off, off + (uint32_t)len);
    }
    eckd_past_record(e);
    return err;
}

static enum eckd_err
cmd_read_count(struct eckd *e, struct css_io *io, bool mt, bool all)
{
    enum eckd_err err = eckd_next_count(e, mt, true);

    if (!err)
        err = eckd_need(e, e->recs[e->cur].offset,
                        all ? rec_end(e, e->cur)
                            : e->recs[e->cur].offset + CKD_COUNT_SIZE);
    if (err)
        return err;
    if (!all)
        return give(io, rec_count(e, e->cur), CKD_COUNT_SIZE);
    err = give(io, rec_count(e, e->cur),
               rec_end(e, e->cur) - e->recs[e->cur].offset);
    eckd_past_record(e);
    return err;
}

static enum eckd_err
cmd_read_r0(struct eckd *e, struct css_io *io)
{
    enum eckd_err err;

    eckd_to_index(e);
    err = eckd_parse_to(e, 0);
    if (err)
        return err;
    if (!eckd_has_r0(e))
        return EE_NRF;
    err = eckd_need(e, e->recs[0].offset, rec_end(e, 0));
    if (err)
        return err;
    err = give(io, rec_count(e, 0), rec_end(e, 0) - e->recs[0].offset);
    e->cur = 1;
    return err;
}

static enum eckd_err
cmd_read_ha(struct eckd *e, struct css_io *io)
{
    uint8_t ha[CKD_HA_SIZE];
    enum eckd_err err = eckd_need(e, 0, CKD_HA_SIZE);

    if (err)
        return err;
    memcpy(ha, e->trk, sizeof(ha));
    ha[0] = 0; /* flag byte; the image keeps a compression byte there */
    eckd_to_index(e);
    return give(io, ha, sizeof(ha));
}

/* ---- format writes ---- */

static uint32_t
cells_of(uint32_t len)
{
    return (len + 6 * ((len + 6 + 231) / 232 + 1) + 33) / 34;
}

/* 3390 space of one record in cells: the Linux formula of dasd.md §3.1
 * for the data area, the same form again for a key area. */
static uint32_t
rec_cells(uint8_t kl, uint16_t dl)
{
    uint32_t c = 10 + 9 + cells_of(dl);

    if (kl)
        c += 9 + cells_of(kl);
    return c;
}

/* Does a record of kl + dl fit after record wpos - 1?  Two limits: the
 * 3390 track capacity in cells, and the image's track slot in bytes --
 * a Hercules image may declare slots smaller than a 3390 track, and then
 * this byte check is what keeps a format write inside the track buffer.
 * A record that does not fit is invalid track format, as a 3990 reports
 * it (and Hercules does). */
static bool
eckd_fits(const struct eckd *e, int wpos, uint8_t kl, uint16_t dl)
{
    uint32_t cells = rec_cells(kl, dl);
    uint32_t end = rec_end(e, wpos - 1);
    int i;

    for (i = 1; i < wpos; i++)
        cells += rec_cells(e->recs[i].kl, e->recs[i].dl);
    return cells <= ECKD_3390_CELLS &&
           end + CKD_COUNT_SIZE + kl + dl + ECKD_EOT_LEN <= e->geom.trksize;
}

/* A format write carries its own CCHH: when it names another track of the
 * extent, the device goes there first (Linux formats many tracks under
 * one Locate Record; our choice of how the next track is reached). */
static enum eckd_err
eckd_format_track(struct eckd *e, const uint8_t *count, bool *moved)
{
    bool ok;
    uint32_t t = eckd_cchh_track(e, count, &ok);

    *moved = false;
    if (!ok || t == e->trk_no)
        return EE_OK;
    if (!eckd_in_extent(e, t))
        return EE_FP;
    *moved = true;
    return eckd_load(e, t);
}

/* Write the record at index wpos (count bytes given), end-of-track marker
 * after it; later records are erased. */
static enum eckd_err
eckd_put_record(struct eckd *e, struct css_io *io, int wpos,
                const uint8_t *count, uint32_t off)
{
    uint8_t kl = count[5];
    uint16_t dl = zv_be16(count + 6);
    /* where the old content ends (all of it when it was never parsed to
     * its end marker, e.g. a malformed track being rewritten) */
    uint32_t old_end = !e->complete || e->nrecs < 0 ? e->geom.trksize
                       : e->nrecs > 0 ? rec_end(e, e->nrecs - 1) + ECKD_EOT_LEN
                                      : CKD_HA_SIZE + ECKD_EOT_LEN;
    uint32_t new_end = off + CKD_COUNT_SIZE + kl + dl + ECKD_EOT_LEN;
    struct ckd_record *r = &e->recs[wpos];
    enum eckd_err err;

    memcpy(e->trk + off, count, CKD_COUNT_SIZE);
    err = take(io, e->trk + off + CKD_COUNT_SIZE, (size_t)kl + dl);
    memset(e->trk + new_end - ECKD_EOT_LEN, 0xFF, ECKD_EOT_LEN);
    if (old_end > new_end)
        memset(e->trk + new_end, 0, old_end - new_end);
    r->cyl = zv_be16(count);
    r->head = zv_be16(count + 2);
    r->rec = count[4];
    r->kl = kl;
    r->dl = dl;
    r->offset = off;
    e->nrecs = wpos + 1;
    e->complete = true;
    e->parse_off = new_end - ECKD_EOT_LEN;
    e->cur = wpos + 1;
    e->after_count = false;
    e->trk_dirty = true;
    e->dirty_all = true;
    return err;
}

static enum eckd_err
take_count(struct css_io *io, uint8_t count[CKD_COUNT_SIZE])
{
    int n = css_io_read(io, count, CKD_COUNT_SIZE);

    if (n < 0)
        return EE_CHANNEL;
    return n < CKD_COUNT_SIZE ? EE_CR_COUNT : EE_OK;
}

static enum eckd_err
cmd_write_ckd(struct eckd *e, struct css_io *io)
{
    uint8_t count[CKD_COUNT_SIZE];
    bool moved;
    int wpos;
    enum eckd_err err = take_count(io, count);

    if (!err)
        err = eckd_format_track(e, count, &moved);
    if (!err)
        err = eckd_whole_track(e);
    if (err)
        return err;
    if (!eckd_has_r0(e))
        return EE_ITF; /* nothing to write after: the track needs R0 */
    wpos = moved ? 1 : (e->after_count ? e->cur + 1 : e->cur);
    if (wpos < 1)
        wpos = 1;
    if (wpos >= ECKD_MAX_RECS ||
        !eckd_fits(e, wpos, count[5], zv_be16(count + 6)))
        return EE_ITF;
    return eckd_put_record(e, io, wpos, count, rec_end(e, wpos - 1));
}

static enum eckd_err
cmd_write_r0(struct eckd *e, struct css_io *io)
{
    uint8_t count[CKD_COUNT_SIZE];
    bool moved;
    enum eckd_err err = take_count(io, count);

    if (!err)
        err = eckd_format_track(e, count, &moved);
    if (!err)
        err = eckd_fill(e, e->geom.trksize);
    if (err)
        return err;
    (void)eckd_whole_track(e); /* a malformed rest is rewritten anyway */
    /* Write R0 needs home-address orientation (at index). */
    if (e->cur != 0 || e->after_count)
        return EE_CR_SEQ;
    if ((uint32_t)CKD_HA_SIZE + CKD_COUNT_SIZE + count[5] + zv_be16(count + 6) +
            ECKD_EOT_LEN >
        e->geom.trksize)
        return EE_ITF;
    if (e->nrecs < 0)
        e->nrecs = 0;
    /* Writing R0 re-establishes the track: the home address carries the
     * track's own CCHH again (a never-formatted slot has none). */
    e->trk[0] = 0;
    eckd_cchh_put(e->trk + 1, e->trk_no / e->geom.heads,
                  e->trk_no % e->geom.heads);
    return eckd_put_record(e, io, 0, count, CKD_HA_SIZE);
}

/* Read Track (dasd.md §3.6): every record of the track, count + key +
 * data, R0 included, then the all-ones end marker -- exactly the track
 * image after the home address.  Unsure whether a real 3990 includes R0;
 * Linux raw-track access copies what it gets back. */
static enum eckd_err
cmd_read_track(struct eckd *e, struct css_io *io)
{
    enum eckd_err err = EE_OK;
    uint32_t end;

    if (e->trk_started)
        err = eckd_next_track(e);
    if (err)
        return err;
    e->trk_started = true;
    if (eckd_whole_track(e))
        return EE_ITF;
    end = e->nrecs ? rec_end(e, e->nrecs - 1) : CKD_HA_SIZE;
    eckd_to_index(e);
    return give(io, e->trk + CKD_HA_SIZE, end + ECKD_EOT_LEN - CKD_HA_SIZE);
}

/* ---- Seek / Search (IPL programs, dasd.md §3.8) ---- */

static enum eckd_err
cmd_seek(struct eckd *e, struct css_io *io)
{
    uint8_t b[ECKD_SEEK_LEN];
    bool ok;
    uint32_t t;
    int n = css_io_read(io, b, sizeof(b));

    if (n < 0)
        return EE_CHANNEL;
    if (n < ECKD_SEEK_LEN)
        return EE_CR_COUNT;
    t = eckd_cchh_track(e, b + 2, &ok);
    if (!ok || zv_be16(b) != 0)
        return EE_CR_PARAM;
    if (!eckd_in_extent(e, t))
        return EE_FP;
    return eckd_load(e, t);
}

static int
cchhr_cmp(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, ECKD_CCHHR_LEN);
}

static enum eckd_err
cmd_search_id(struct eckd *e, struct css_io *io, uint8_t cmd, bool *sm)
{
    uint8_t arg[ECKD_CCHHR_LEN], id[ECKD_CCHHR_LEN];
    int n = css_io_read(io, arg, sizeof(arg));
    enum eckd_err err;
    int c;

    if (n < 0)
        return EE_CHANNEL;
    if (n < ECKD_CCHHR_LEN)
        return EE_CR_COUNT;
    if (!e->trk_valid)
        return EE_CR_SEQ; /* no Seek yet: the heads are nowhere */
    err = eckd_next_count(e, false, false);
    if (err)
        return err;
    rec_cchhr(e, e->cur, id);
    c = cchhr_cmp(id, arg);
    switch (cmd & ~ECKD_CMD_MT) {
    case ECKD_CMD_SRCH_EQ:
        *sm = c == 0;
        break;
    case ECKD_CMD_SRCH_HI:
        *sm = c > 0;
        break;
    default:
        *sm = c >= 0;
        break;
    }
    return EE_OK;
}

static enum eckd_err
cmd_search_ha(struct eckd *e, struct css_io *io, bool *sm)
{
    uint8_t arg[4];
    int n = css_io_read(io, arg, sizeof(arg));

    if (n < 0)
        return EE_CHANNEL;
    if (n < 4)
        return EE_CR_COUNT;
    if (!e->trk_valid)
        return EE_CR_SEQ;
    if (eckd_need(e, 0, CKD_HA_SIZE))
        return EE_EQUIPMENT;
    eckd_to_index(e);
    *sm = memcmp(e->trk + 1, arg, sizeof(arg)) == 0;
    return EE_OK;
}

/* ---- dispatch ---- */

struct eckd_track_cmd_desc {
    uint8_t cmd;
    unsigned cls;
};

static const struct eckd_track_cmd_desc track_cmds[] = {
    {ECKD_CMD_READ_DATA, ECKD_CLS_READ},
    {ECKD_CMD_READ_KD, ECKD_CLS_READ},
    {ECKD_CMD_READ_COUNT, ECKD_CLS_READ},
    {ECKD_CMD_READ_CKD, ECKD_CLS_READ},
    {ECKD_CMD_READ_R0, ECKD_CLS_READ0},
    {ECKD_CMD_READ_HA, ECKD_CLS_READ0},
    {ECKD_CMD_WRITE_DATA, ECKD_CLS_WRITE},
    {ECKD_CMD_WRITE_KD, ECKD_CLS_WRITE},
    {ECKD_CMD_WRITE_CKD, ECKD_CLS_FORMAT},
    {ECKD_CMD_WRITE_R0, ECKD_CLS_FORMAT},
    {ECKD_CMD_READ_TRACK, ECKD_CLS_TRACK},
    {ECKD_CMD_SEEK, ECKD_CLS_SEARCH},
    {ECKD_CMD_SEEK_CYL, ECKD_CLS_SEARCH},
    {ECKD_CMD_SEEK_HEAD, ECKD_CLS_SEARCH},
    {ECKD_CMD_SRCH_EQ, ECKD_CLS_SEARCH},
    {ECKD_CMD_SRCH_HI, ECKD_CLS_SEARCH},
    {ECKD_CMD_SRCH_EQHI, ECKD_CLS_SEARCH},
    {ECKD_CMD_SRCH_HA, ECKD_CLS_SEARCH},
    {DASD_CMD_READ_IPL, ECKD_CLS_SEARCH}, /* positions like a Seek */
};

/* Multitrack forms exist for the record reads/writes, Write CKD and the
 * ID searches (command code | 0x80). */
static bool
mt_allowed(uint8_t base)
{
    switch (base) {
    case ECKD_CMD_READ_DATA:
    case ECKD_CMD_READ_KD:
    case ECKD_CMD_READ_COUNT:
    case ECKD_CMD_READ_CKD:
    case ECKD_CMD_READ_R0:
    case ECKD_CMD_READ_HA:
    case ECKD_CMD_WRITE_DATA:
    case ECKD_CMD_WRITE_KD:
    case ECKD_CMD_WRITE_CKD:
    case ECKD_CMD_SRCH_EQ:
    case ECKD_CMD_SRCH_HI:
    case ECKD_CMD_SRCH_EQHI:
        return true;
    default:
        return false;
    }
}

bool
eckd_track_cmd_known(uint8_t cmd, unsigned *cls)
{
    uint8_t base = cmd;
    size_t i;

    if (cmd != ECKD_CMD_READ_TRACK && (cmd & ECKD_CMD_MT)) {
        base = cmd & ~ECKD_CMD_MT;
        if (!mt_allowed(base))
            return false;
    }
    for (i = 0; i < sizeof(track_cmds) / sizeof(track_cmds[0]); i++) {
        if (track_cmds[i].cmd == base) {
            *cls = track_cmds[i].cls;
            return true;
        }
    }
    return false;
}

static enum eckd_err
cmd_read_ipl(struct eckd *e, struct css_io *io)
{
    enum eckd_err err;

    /* Read IPL: the whole device is the extent, reads go on with R2, R3
     * in the same chain (dasd.md §3.8). */
    e->extent = true;
    e->de_mask = DE_PERM_INHIBIT;
    e->de_attr = DE_ATTR_ECKD;
    e->beg_trk = 0;
    e->end_trk = e->tracks - 1;
    err = eckd_load(e, 0);
    if (err)
        return err;
    return cmd_read_fields(e, io, false, false);
}

enum eckd_err
eckd_track_cmd(struct eckd *e, struct css_io *io, uint8_t cmd, bool *sm)
{
    bool mt = cmd != ECKD_CMD_READ_TRACK && (cmd & ECKD_CMD_MT);
    uint8_t base = mt ? cmd & ~ECKD_CMD_MT : cmd;

    *sm = false;
    if (base == DASD_CMD_READ_IPL)
        return cmd_read_ipl(e, io);
    if (!e->trk_valid && base != ECKD_CMD_SEEK && base != ECKD_CMD_SEEK_CYL &&
        base != ECKD_CMD_SEEK_HEAD)
        return EE_CR_SEQ; /* no orientation yet */
    switch (base) {
    case ECKD_CMD_READ_DATA:
        return cmd_read_fields(e, io, mt, false);
    case ECKD_CMD_READ_KD:
        return cmd_read_fields(e, io, mt, true);
    case ECKD_CMD_WRITE_DATA:
        return cmd_write_fields(e, io, mt, false);
    case ECKD_CMD_WRITE_KD:
        return cmd_write_fields(e, io, mt, true);
    case ECKD_CMD_READ_COUNT:
        return cmd_read_count(e, io, mt, false);
    case ECKD_CMD_READ_CKD:
        return cmd_read_count(e, io, mt, true);
    case ECKD_CMD_READ_R0:
        return cmd_read_r0(e, io);
    case ECKD_CMD_READ_HA:
        return cmd_read_ha(e, io);
    case ECKD_CMD_WRITE_CKD:
        return cmd_write_ckd(e, io);
    case ECKD_CMD_WRITE_R0:
        return cmd_write_r0(e, io);
    case ECKD_CMD_READ_TRACK:
        return cmd_read_track(e, io);
    case ECKD_CMD_SEEK:
    case ECKD_CMD_SEEK_CYL:
    case ECKD_CMD_SEEK_HEAD:
        return cmd_seek(e, io);
    case ECKD_CMD_SRCH_HA:
        return cmd_search_ha(e, io, sm);
    default:
        return cmd_search_id(e, io, base, sm);
    }
}
