/* SPDX-License-Identifier: MIT */
/*
 * zvfio-img: create and inspect DASD images without Hercules.
 *
 *   zvfio-img create-ckd FILE --model 3390-N [--cyls N] [--cdl VOLSER
 *                                                 [--partition]]
 *   zvfio-img create-fba FILE --blocks N [--volser VOLSER]
 *   zvfio-img info FILE
 *   zvfio-img check FILE         (CKD: every track well-formed)
 *   zvfio-img bench FILE [--backend sync|uring] [--depth N] [--ops N]
 *
 * Exit codes: 0 success, 1 the operation failed (message on stderr),
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img/img.h"
#include "zvfio-img.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: zvfio-img create-ckd FILE --model 3390-{1,2,3,9} "
               "[--cyls N] [--cdl VOLSER [--partition]]\n"
               "       zvfio-img create-fba FILE --blocks N [--volser VOLSER]\n"
               "       zvfio-img info FILE\n"
               "       zvfio-img check FILE\n"
               "       zvfio-img bench FILE [--backend sync|uring] [--depth N] "
               "[--ops N]\n"
               "exit codes: 0 ok, 1 failed, 2 usage\n");
}

int
img_tool_fail(const char *what, const char *msg)
{
    fprintf(stderr, "zvfio-img: %s: %s\n", what, msg);
    return EXIT_FAILURE;
}

int
img_tool_usage(const char *msg)
{
    fprintf(stderr, "zvfio-img: %s\n", msg);
    usage(stderr);
    return EXIT_USAGE;
}

bool
img_tool_u64(const char *s, uint64_t *out)
{
    char *end;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

/* "3390-3" or "3" -> 3; only the 3390 is modelled. */
static bool
parse_model(const char *s, uint8_t *model)
{
    uint64_t m;

    if (strncmp(s, "3390-", 5) == 0)
        s += 5;
    if (!img_tool_u64(s, &m) || (m != 1 && m != 2 && m != 3 && m != 9))
        return false;
    *model = (uint8_t)m;
    return true;
}

struct ckd_opts {
    uint8_t model;
    uint64_t cyls;
    const char *cdl;
    bool partition;
};

static int
ckd_parse_opts(int argc, char **argv, struct ckd_opts *o)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"cyls", required_argument, 0, 'c'},
                                       {"cdl", required_argument, 0, 'l'},
                                       {"partition", no_argument, 0, 'p'},
                                       {0, 0, 0, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'm' && !parse_model(optarg, &o->model))
            return img_tool_usage("--model: expected 3390-1, -2, -3 or -9");
        if (c == 'c' && (!img_tool_u64(optarg, &o->cyls) || o->cyls == 0 ||
                         o->cyls > 0x0fffffff))
            return img_tool_usage("--cyls: expected a positive cylinder count");
        if (c == 'l')
            o->cdl = optarg;
        if (c == 'p')
            o->partition = true;
        if (c == '?')
            return EXIT_USAGE;
    }
    if (optind < argc)
        return img_tool_usage("create-ckd: unexpected argument");
    if (!o->model && !o->cyls)
        return img_tool_usage("create-ckd needs --model (or --cyls)");
    if (o->partition && !o->cdl)
        return img_tool_usage("--partition needs --cdl VOLSER (a VTOC)");
    return 0;
}

static int
cmd_create_ckd(const char *file, int argc, char **argv)
{
    struct ckd_opts o = {0};
    struct ckd_img *img;
    char err[256] = "";
    int rc = ckd_parse_opts(argc, argv, &o);

    if (rc)
        return rc;
    if (ckd_img_create(file, o.model, (uint32_t)o.cyls, err, sizeof(err)) < 0)
        return img_tool_fail(file, err);
    if (ckd_img_open(file, false, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        return img_tool_fail(file, err);
    if (o.partition)
        rc = ckd_img_format_cdl_partition(img, o.cdl, err, sizeof(err));
    else if (o.cdl)
        rc = ckd_img_format_cdl(img, o.cdl, err, sizeof(err));
    if (rc == 0)
        printf("%s: 3390, %" PRIu32 " cylinders, %s%s\n", file,
               ckd_img_geom(img)->cyls,
               o.cdl ? "Linux CDL formatted" : "empty tracks (HA + R0)",
               o.partition ? ", one partition from track 2" : "");
    ckd_img_close(img);
    if (rc < 0) {
        unlink(file);
        return img_tool_fail(file, err);
    }
    return EXIT_SUCCESS;
}

static int
cmd_create_fba(const char *file, int argc, char **argv)
{
    static const struct option lo[] = {{"blocks", required_argument, 0, 'b'},
                                       {"volser", required_argument, 0, 'v'},
                                       {0, 0, 0, 0}};
    const char *volser = NULL;
    uint64_t blocks = 0;
    struct fba_img *img;
    char err[256] = "";
    int c, rc;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'b' && (!img_tool_u64(optarg, &blocks) || blocks == 0))
            return img_tool_usage("--blocks: expected a positive block count");
        if (c == 'v')
            volser = optarg;
        if (c == '?')
            return EXIT_USAGE;
    }
    if (optind < argc)
        return img_tool_usage("create-fba: unexpected argument");
    if (!blocks)
        return img_tool_usage("create-fba needs --blocks N");
    if (fba_img_create(file, blocks, err, sizeof(err)) < 0)
        return img_tool_fail(file, err);
    if (fba_img_open(file, false, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        return img_tool_fail(file, err);
    rc = volser ? fba_img_write_label(img, volser, err, sizeof(err)) : 0;
    if (rc == 0)
        printf("%s: FBA, %" PRIu64 " blocks of %u bytes%s%s\n", file, blocks,
               FBA_BLKSIZE, volser ? ", label " : "", volser ? volser : "");
    fba_img_close(img);
    if (rc < 0) {
        unlink(file);
        return img_tool_fail(file, err);
    }
    return EXIT_SUCCESS;
}

static void
print_ckd(const char *file, struct ckd_img *img)
{
    const struct ckd_geom *g = ckd_img_geom(img);
    struct img_label lbl;
    int rc;

    printf("file:       %s\n", file);
    printf("format:     CKD (Hercules CKD_P370, uncompressed)\n");
    if (g->model)
        printf("device:     %04x-%u\n", g->devtype, g->model);
    else
        printf("device:     %04x (custom size)\n", g->devtype);
    printf("cylinders:  %" PRIu32 "\n", g->cyls);
    printf("heads:      %" PRIu32 "\n", g->heads);
    printf("tracks:     %" PRIu64 "\n", (uint64_t)g->cyls * g->heads);
    printf("track slot: %" PRIu32 " bytes\n", g->trksize);
    printf("max R1 dl:  %" PRIu32 "\n", g->max_dl);
    rc = ckd_img_read_label(img, &lbl);
    if (rc == 0)
        printf("volser:     %s (VTOC at CCHHR %04" PRIx32 "%04" PRIx32
               "%02x)%s\n",
               lbl.volser, lbl.vtoc_cyl, lbl.vtoc_head, lbl.vtoc_rec,
               lbl.cdl ? ", IPL1/IPL2/VOL1 on track 0" : "");
    else if (rc == -ENOENT)
        printf("volser:     (no VOL1 label)\n");
    else
        printf("volser:     (track 0 unreadable: %s)\n", strerror(-rc));
}

static void
print_fba(const char *file, struct fba_img *img)
{
    struct img_label lbl;

    printf("file:       %s\n", file);
    printf("format:     FBA (raw, %u-byte blocks)\n", FBA_BLKSIZE);
    printf("blocks:     %" PRIu64 "\n", fba_img_blocks(img));
    if (fba_img_read_label(img, &lbl) == 0)
        printf("volser:     %s\n", lbl.volser);
    else
        printf("volser:     (no VOL1 label)\n");
}

bool
img_tool_is_ckd(const char *file)
{
    char magic[4] = "";
    FILE *f = fopen(file, "rb");
    bool ckd;

    if (!f)
        return false;
    ckd = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
          memcmp(magic, "CKD_", 4) == 0;
    fclose(f);
    return ckd;
}

static int
cmd_info(const char *file)
{
    char err[256] = "";
    struct ckd_img *ckd;
    struct fba_img *fba;

    if (access(file, R_OK) < 0)
        return img_tool_fail(file, strerror(errno));
    if (img_tool_is_ckd(file)) {
        if (ckd_img_open(file, true, IMG_SYNC_WRITE_THROUGH, &ckd, err,
                         sizeof(err)) < 0)
            return img_tool_fail(file, err);
        print_ckd(file, ckd);
        ckd_img_close(ckd);
        return EXIT_SUCCESS;
    }
    if (fba_img_open(file, true, IMG_SYNC_WRITE_THROUGH, &fba, err,
                     sizeof(err)) < 0)
        return img_tool_fail(file, err);
    print_fba(file, fba);
    fba_img_close(fba);
    return EXIT_SUCCESS;
}

/* Walk every track: home address of its own slot, records inside the
 * slot, end marker present.  Reports the first few bad tracks. */
static uint64_t
check_tracks(struct ckd_img *img, uint8_t *trk)
{
    const struct ckd_geom *g = ckd_img_geom(img);
    uint64_t bad = 0;

    for (uint32_t c = 0; c < g->cyls; c++)
        for (uint32_t h = 0; h < g->heads; h++) {
            const char *why = NULL;

            if (ckd_img_read_track(img, c, h, trk) < 0)
                why = "unreadable";
            else if (ckd_track_check_ha(trk, c, h) < 0)
                why = "home address of another track";
            else if (ckd_track_parse(trk, g->trksize, NULL, 0) < 0)
                why = "record runs past the slot or no end marker";
            if (why && bad++ < 10)
                fprintf(stderr, "zvfio-img: cyl %u head %u: %s\n", c, h, why);
        }
    return bad;
}

static int
cmd_check(const char *file)
{
    char err[256] = "";
    struct ckd_img *img;
    uint8_t *trk;
    uint64_t bad;

    if (!img_tool_is_ckd(file))
        return img_tool_fail(file, "check: not a CKD image (FBA images "
                                   "have no structure to check)");
    if (ckd_img_open(file, true, IMG_SYNC_WRITE_THROUGH, &img, err,
                     sizeof(err)) < 0)
        return img_tool_fail(file, err);
    trk = malloc(ckd_img_geom(img)->trksize);
    if (!trk) {
        ckd_img_close(img);
        return img_tool_fail(file, "out of memory");
    }
    bad = check_tracks(img, trk);
    free(trk);
    ckd_img_close(img);
    if (bad) {
        fprintf(stderr, "zvfio-img: %s: %" PRIu64 " malformed track(s)\n", file,
                bad);
        return EXIT_FAILURE;
    }
    printf("%s: all tracks well-formed\n", file);
    return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
    const char *cmd, *file;

    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return EXIT_SUCCESS;
    }
    if (argc < 3)
        return img_tool_usage("missing command or FILE");
    cmd = argv[1];
    file = argv[2];
    /* getopt sees "FILE --opt ...": start after the file name. */
    argc -= 2;
    argv += 2;
    if (!strcmp(cmd, "create-ckd"))
        return cmd_create_ckd(file, argc, argv);
    if (!strcmp(cmd, "create-fba"))
        return cmd_create_fba(file, argc, argv);
    if (!strcmp(cmd, "info") && argc == 1)
        return cmd_info(file);
    if (!strcmp(cmd, "check") && argc == 1)
        return cmd_check(file);
    if (!strcmp(cmd, "bench"))
        return img_cmd_bench(file, argc, argv);
    return img_tool_usage("unknown command or extra arguments");
}
