/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap test harness: a host AP bus on a virtual loop with CEX cards,
 * the vfio_ap driver, an mdev registry, and helpers that speak the
 * sysfs attributes and the guest's instruction region.
 */
#ifndef ZV_TESTS_VFIO_AP_VH_H
#define ZV_TESTS_VFIO_AP_VH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ap/ap.h"
#include "vfio_ap/vfio_ap.h"

#define VH_IOVA     0x100000ull
#define VH_MEM_SIZE (64u * 1024)

struct vh {
    struct zv_loop *loop;
    struct ap_bus *bus;
    struct zv_mdev_bus *mbus;
    struct zv_vfio_ap *drv;
    char out[1 << 20]; /* last show */
};

struct vh_guest {
    struct zv_vdev *vd;
    uint8_t *mem; /* VH_MEM_SIZE bytes mapped at VH_IOVA */
    unsigned cfg_chg, req, nib;
};

struct vh_insn {
    uint8_t cc;
    uint16_t pic;
    int32_t ret;
    uint64_t gr1, gr2, psmid, len;
    bool more;
    struct ap_qstatus st; /* decoded from gr1 */
};

/* cfg NULL: bus defaults.  Cards apids[0..n) (CEX7 accelerators, qd 7),
 * domains from..to in the configuration, then the driver. */
struct vh *vh_new(const struct ap_bus_config *cfg, const uint8_t *apids,
                  unsigned n, unsigned dfrom, unsigned dto);
void vh_free(struct vh *h);
void vh_run(struct vh *h);
/* apmask/aqmask writes, asserted to return rc */
void vh_apmask(struct vh *h, const char *s, int rc);
void vh_aqmask(struct vh *h, const char *s, int rc);
struct zv_vdev *vh_mdev(struct vh *h, const char *uuid);
ssize_t vh_store(struct vh *h, struct zv_vdev *vd, const char *attr,
                 const char *val);
/* The show output (in h->out) */
const char *vh_show(struct vh *h, struct zv_vdev *vd, const char *attr);
void vh_unbind(struct vh *h, unsigned apid, unsigned apqi);
int vh_bind(struct vh *h, unsigned apid, unsigned apqi);
/* Guest side */
void vh_guest_open(struct vh *h, struct vh_guest *g, struct zv_vdev *vd);
void vh_guest_close(struct vh_guest *g);
struct vh_insn vh_pqap(struct vh_guest *g, uint64_t gr0, uint64_t gr1,
                       uint64_t gr2);
struct vh_insn vh_tapq(struct vh_guest *g, unsigned apid, unsigned apqi);
struct vh_insn vh_nqap(struct vh_guest *g, unsigned apid, unsigned apqi,
                       uint64_t psmid, uint64_t addr, uint64_t len);
struct vh_insn vh_dqap(struct vh_guest *g, unsigned apid, unsigned apqi,
                       uint64_t addr, uint64_t len);
/* A mask from a list of IDs terminated by -1 */
struct ap_mask vh_mask(int first, ...);

#endif
