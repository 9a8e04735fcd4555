/* SPDX-License-Identifier: MIT */
/*
 * Untrusted input: random channel programs (commands the devices know and
 * do not know, random flags, counts and parameter bytes) against FBA and
 * ECKD, including on an image with a corrupted track.  Every program must
 * end with status (never hang or crash; ASan/UBSan watch memory), and the
 * device must still answer a clean program afterwards.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_harness.h"

#define PROGRAMS 2000

static const uint8_t fba_cmds[] = {0x02, 0x03, 0x04, 0x34, 0x41, 0x42, 0x43,
                                   0x63, 0x64, 0xAF, 0xE4, 0xFA, 0x47};
static const uint8_t eckd_cmds[] = {
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0B, 0x0D, 0x0E, 0x12, 0x15,
    0x16, 0x1A, 0x1B, 0x1D, 0x1E, 0x27, 0x31, 0x34, 0x39, 0x3E, 0x41,
    0x42, 0x43, 0x47, 0x4B, 0x51, 0x63, 0x64, 0x71, 0x85, 0x86, 0x8D,
    0x8E, 0x92, 0x9D, 0xAF, 0xB1, 0xDE, 0xE4, 0xFA, 0x99, 0xF3};

struct cmdset {
    const uint8_t *cmd;
    size_t n;
};

static const struct cmdset fba_set = {fba_cmds, sizeof(fba_cmds)};
static const struct cmdset eckd_set = {eckd_cmds, sizeof(eckd_cmds)};

static uint64_t
rnd(struct dh *h, uint64_t n)
{
    return zv_loop_rand_below(h->loop, n);
}

/* Parameters that are mostly plausible (small track/block numbers), so
 * programs get past the first checks and reach deeper paths. */
static void
random_params(struct dh *h)
{
    for (int i = 0; i < 4096; i++)
        h->buf[i] = (uint8_t)(rnd(h, 4) ? rnd(h, 16) : rnd(h, 256));
    if (rnd(h, 2)) {
        h->buf[0] = rnd(h, 2) ? 0x40 : 0x80;
        h->buf[1] = 0xC0;
    }
}

static void
random_program(struct dh *h, const struct cmdset *cs)
{
    unsigned n = 1 + (unsigned)rnd(h, 8);

    random_params(h);
    for (unsigned i = 0; i < n; i++) {
        uint8_t cmd = cs->cmd[rnd(h, cs->n)];
        uint8_t flags = (uint8_t)(rnd(h, 4) == 0 ? 0 : CCW_FLAG_SLI);
        uint16_t count = (uint16_t)(rnd(h, 3) ? rnd(h, 64) : rnd(h, 8192));

        if (i + 1 < n)
            flags |= CCW_FLAG_CC;
        dh_ccw(h, cmd, flags, count, (uint32_t)rnd(h, 64) * 8);
    }
}

static void
garbage_against(struct dh *h, const char *name, const struct cmdset *cs)
{
    unsigned clean = 0, deep = 0;

    for (int p = 0; p < PROGRAMS; p++) {
        random_program(h, cs);
        if (dh_run(h) != 0) {
            fprintf(stderr, "%s: program %d did not end\n", name, p);
            fail();
        }
        assert_true(h->irb.scsw.stctl & SCSW_STCTL_PRIMARY);
        clean += h->irb.scsw.dstat == DH_OK && h->irb.scsw.cstat == 0;
        /* ended past the first CCW: some command chaining happened */
        deep += h->irb.scsw.cpa > dh_ccw_addr(h, 0) + 8;
    }
    /* the programs are not all refused at the door */
    assert_true(clean > PROGRAMS / 20);
    assert_true(deep > PROGRAMS / 20);
    dh_ccw(h, 0x03, 0, 0, 0);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_OK);
}

static void
garbage_programs_fba(void **state)
{
    struct dh_opts o = {.seed = 21, .csense = true};
    struct dh *h = dh_new_fba(128, &o);

    assert_non_null(h);
    garbage_against(h, "fba", &fba_set);
    dh_free(h);
}

static void
garbage_programs_eckd(void **state)
{
    struct dh_opts o = {.seed = 22, .csense = false};
    struct dh *h = dh_new_eckd(0, 2, true, &o);

    assert_non_null(h);
    garbage_against(h, "eckd", &eckd_set);
    dh_free(h);
}

/* A track whose records run off the slot: every access to it is invalid
 * track format, nothing reads outside the buffer. */
static void
corrupt_track_is_invalid_track_format(void **state)
{
    struct dh_opts o = {.seed = 23, .csense = true};
    struct dh *h = dh_new_eckd(0, 2, true, &o);
    const struct ckd_geom *g;
    uint8_t *slot;
    int fd;

    assert_non_null(h);
    g = ckd_img_geom(h->cimg);
    slot = calloc(1, g->trksize);
    assert_non_null(slot);
    assert_int_equal(ckd_img_read_track(h->cimg, 0, 5, slot), 0);
    memset(slot + 5 + 16, 0x00, 8);
    slot[5 + 16 + 4] = 1;
    zv_put_be16(slot + 5 + 16 + 6, 0xFFFF); /* R1 data runs off the slot */
    /* the image layer refuses to write such a track: go around it, the
     * way a damaged file would look (slot 5 after the 512-byte header) */
    fd = open(h->path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(
        pwrite(fd, slot, g->trksize, CKD_DEVHDR_SIZE + 5 * (off_t)g->trksize),
        (ssize_t)g->trksize);
    close(fd);
    free(slot);
    memset(h->buf, 0, 64);
    h->buf[0] = 0x40;
    h->buf[1] = 0xC0;
    dh_put_cchh(h->buf + 8, 0, 5);
    dh_put_cchh(h->buf + 12, 0, 5);
    h->buf[32] = 0x06;
    h->buf[35] = 1;
    dh_put_cchh(h->buf + 36, 0, 5);
    dh_put_cchh(h->buf + 40, 0, 5);
    h->buf[44] = 1;
    dh_ccw(h, 0x63, CCW_FLAG_CC, 16, 0);
    dh_ccw(h, 0x47, CCW_FLAG_CC, 16, 32);
    dh_ccw(h, 0x86, 0, 4096, 4096);
    assert_int_equal(dh_run(h), 0);
    assert_int_equal(h->irb.scsw.dstat, DH_UC);
    assert_int_equal(h->irb.scsw.cpa, dh_ccw_addr(h, 1) + 8);
    assert_int_equal(h->irb.ecw[1], 0x40);
    garbage_against(h, "eckd-corrupt", &eckd_set);
    dh_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(garbage_programs_fba),
        cmocka_unit_test(garbage_programs_eckd),
        cmocka_unit_test(corrupt_track_is_invalid_track_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
