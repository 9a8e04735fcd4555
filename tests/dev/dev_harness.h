/* SPDX-License-Identifier: MIT */
/*
 * Test harness for the DASD models: a virtual loop, host storage, a CSS
 * with two FICON paths, one subchannel with an FBA or ECKD device over a
 * temporary image, and a guest channel (chan_css) to run programs.
 */
#ifndef ZV_TESTS_DEV_HARNESS_H
#define ZV_TESTS_DEV_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "css/css.h"
#include "dev/dev.h"
#include "guest/chan_css.h"
#include "guest/dasd.h"
#include "guest/prog.h"
#include "img/img.h"
#include "vfio_ccw/vfio_ccw.h"

#define DH_CHP0   0x40
#define DH_CHP1   0x41
#define DH_DEVNO  0x0191
#define DH_BUF_SZ (1u << 20)
#define DH_OK     (DEV_STAT_CHN_END | DEV_STAT_DEV_END)
#define DH_UC     (DH_OK | DEV_STAT_UNIT_CHECK)

struct dh {
    struct zv_loop *loop;
    struct zv_as *as;
    struct css *css;
    struct subchannel *sch;
    struct css_dev *dev;
    struct fba_img *fimg;
    struct ckd_img *cimg;
    char path[64];
    struct guest_chan *ch;
    /* vfio-ccw path only */
    struct zv_arena *varena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct zv_vdev *vd;
    struct guest_prog prog;
    uint64_t buf_addr; /* guest data area, DH_BUF_SZ bytes */
    uint8_t *buf;
    struct irb irb;
    bool deferred; /* dh_opts.defer */
};

struct dh_opts {
    uint64_t seed;
    bool csense; /* enable concurrent sense in the PMCW */
    struct dasd_config cfg;
    uint32_t grow_cyls; /* ECKD: grow the image (sparse) to this size */
    bool vfio;          /* guest channel through a vfio-ccw mdev (chan_vfio) */
    bool copy_data;     /* css_config.copy_data: no zero-copy transfers */
    /* ECKD: track-slot size of the image (0 = the 3390 default, 56832).
     * Hercules images may declare smaller slots in dh_trksize; then the
     * slot, not the 3390 track capacity, bounds what a track holds. */
    uint32_t trksize;
    /* Image transfers started by the device report back through the loop
     * (img_backend_set_defer): commands wait for them, as on io_uring. */
    bool defer;
};

/*
 * When a command is held while its image transfer runs, the channel may
 * present a PCI interruption on its own before the program ends, where a
 * program that ran through at once has it merged into the final status
 * (the timing of the PCI interruption is the channel's, PoP): a world
 * with deferred transfers is compared with the PCI bit and intermediate
 * status taken out of both final IRBs.
 */
void dh_irb_pci_neutral(struct irb *irb);

/* FBA of `blocks` 512-byte blocks. */
struct dh *dh_new_fba(uint64_t blocks, const struct dh_opts *o);
/* 3390 with `cyls` cylinders (model 0) or a model; cdl formats it. */
struct dh *dh_new_eckd(uint8_t model, uint32_t cyls, bool cdl,
                       const struct dh_opts *o);
void dh_free(struct dh *h);

/* Append a CCW whose data lives at offset off of the data area. */
void dh_ccw(struct dh *h, uint8_t cmd, uint8_t flags, uint16_t count,
            uint32_t off);
/* Run the program built with dh_ccw (then reset it); returns the SSCH cc
 * or -errno; the IRB is in h->irb. */
int dh_run(struct dh *h);
int dh_run_lpm(struct dh *h, uint8_t lpm);
/* Address of CCW i of the last program (for CPA checks). */
uint32_t dh_ccw_addr(const struct dh *h, unsigned i);

/*
 * Subchannel status expected when the device ended CCW ccw of the last
 * program early: incorrect length when a residual count is left and the
 * CCW did not suppress it (css-pop.md §5.5), nothing otherwise.
 */
uint8_t dh_expected_il(const struct dh *h, unsigned ccw);

/* The program ended with channel end and device end, nothing else;
 * dh_run_ok runs it first (SSCH cc 0). */
void dh_assert_ok(const struct dh *h);
void dh_run_ok(struct dh *h);

/* Put/get the CCHH of track (cyl, head) in the data area. */
void dh_put_cchh(uint8_t *p, uint32_t cyl, uint32_t head);

/* ---- the two-world (with and without copy_data) random programs ----
 * Layout of their guest buffer, a seeded LCG, and the IDAL generator. */
#define DH_ZC_IDAL    0xF0000u     /* IDALs, 0x100 bytes per CCW */
#define DH_ZC_DATA    0xE0000u     /* data areas start below this offset */
#define DH_ZC_NOWHERE 0x4000000ull /* above the guest storage */

struct dh_rng {
    uint64_t s;
};

/* A number below n. */
uint32_t dh_rand(struct dh_rng *r, uint32_t n);
/* An IDAL for count bytes at DH_ZC_IDAL + slot * 0x100 (returns that
 * offset): from a random data address, each next IDAW the next block, or
 * (one in `odds` each) storage that is not there, an address off a block
 * boundary, and (four in `odds`) a random block. */
uint32_t dh_zc_idal(struct dh *h, struct dh_rng *r, unsigned slot,
                    uint32_t count, uint32_t odds);

#endif
