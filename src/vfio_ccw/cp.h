/* SPDX-License-Identifier: MIT */
/*
 * Channel-program translation for vfio-ccw (vfio-ccw.md §4).
 *
 * The guest's channel program lives in the device's DMA (IOVA) space; the
 * host program is built in host absolute storage below 2 GiB (31-bit CCW
 * addresses), and reaches guest data pages through format-2 IDAWs holding
 * host absolute addresses of the pinned guest pages.
 *
 * Single pass, iterative, bounded; every guest CCW and IDAW is read
 * exactly once into a snapshot (no double fetch).  Errors are reported as
 * -errno and leave nothing allocated.
 */
#ifndef ZV_VFIO_CCW_CP_H
#define ZV_VFIO_CCW_CP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/mem.h"

#define CP_MAX_CCWS_PER_SEG 256 /* like the kernel's CCWCHAIN_LEN_MAX */
#define CP_MAX_SEGS         16  /* like CCWCHAIN_MAX */
#define CP_MAX_CCWS         (CP_MAX_CCWS_PER_SEG * CP_MAX_SEGS)
/*
 * A segment is a run of consecutive guest CCWs entered by the ORB or a TIC
 * and kept while chaining goes on.  Over the limits: -E2BIG.  The host
 * program adds one slot per segment (a TIC, or a guard CCW that makes a
 * status-modifier skip past the end of a chain a program check).
 */

/*
 * The translator's view of the world.  pin() turns a guest IOVA range
 * (inside the DMA map) into a host absolute address at which the same
 * bytes are reachable by the host channel subsystem; it fails with
 * -EFAULT outside the DMA map.  The range never crosses a 4K page.
 * *habs must sit at the same offset within its 4K page as iova (the host
 * channel cuts format-2 IDAW data at host block boundaries, so they must
 * fall where the guest's do); cp_translate fails with -EFAULT otherwise.
 */
struct cp_env {
    struct zv_as *iova;    /* guest DMA space: the only thing read */
    struct zv_arena *host; /* host storage below 2G for CCWs/IDAWs */
    int (*pin)(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs);
    void (*unpin)(void *ctx, uint64_t iova, uint32_t len);
    /*
     * Optional, and used only when unpin is NULL (pins are lookups that
     * need no undoing): pin() for a range that may cross 4K pages, with
     * the same answer for each byte as pin() would give its page (the
     * whole range inside one DMA map, host addresses contiguous).  The
     * translator pins a run of IDAWs naming consecutive guest blocks with
     * one call; where it fails, it pins the run piece by piece with pin(),
     * so the result and the error are those of pin() alone.
     */
    int (*pin_run)(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs);
    void *ctx;
    /*
     * Optional (NULL: none).  A driver that runs one program at a time
     * lends a slot: cp_free parks a freed program's storage there when it
     * is empty and cp_translate takes it back, so an I/O does not go to
     * the heap for it.  The owner empties the slot with cp_spare_free().
     */
    struct cp **spare;
    /* The host has the incorrect-length-suppression facility (ORB L):
     * used to keep format-0 immediate-command rules (cp_host_orb). */
    bool host_ils;
};

struct cp;

/*
 * Translate the program that guest_orb points to.  On success *out holds
 * the program and *host_orb the ORB to issue SSCH with on the host
 * (format-1, format-2 IDAWs, 4K blocks unless the guest's need 2K, same
 * key/flags/LPM/intparm semantics, CPA in host storage).
 * Errors: -EINVAL (malformed: e.g. TIC to TIC, bad flags), -EFAULT
 * (address outside the DMA map), -EOPNOTSUPP (transport mode, MIDAW or
 * suspend if not supported end to end), -E2BIG (over the limits), -ENOMEM.
 */
int cp_translate(const struct cp_env *env, const struct orb *guest_orb,
                 struct cp **out, struct orb *host_orb);
/* Unpin and release everything.  NULL is a no-op. */
void cp_free(struct cp *cp);
/* Free the program storage parked in *spare (if any); *spare = NULL. */
void cp_spare_free(struct cp **spare);
/*
 * Rewrite host addresses in an SCSW coming from the host so the guest
 * sees its own: CPA becomes the guest address of the CCW that follows the
 * one the host reported (or 0 when the host CPA matches none).  Residual
 * count is left as the host reported it (data chaining is preserved 1:1).
 */
void cp_update_scsw(const struct cp *cp, struct scsw *scsw);
/* Does the guest IOVA range overlap pages this program has pinned? */
bool cp_iova_pinned(const struct cp *cp, uint64_t iova, uint64_t len);
size_t cp_ccw_count(const struct cp *cp);
/* The program's own block of host storage (its CCWs, IDALs and sink). */
void cp_host_block(const struct cp *cp, uint64_t *addr, uint64_t *len);
/*
 * The isolation rule, checked on the emitted host program: every host
 * TIC stays in the program; every CCW with a non-zero count has an IDAL
 * inside the program's block whose IDAWs, walked for that count as the
 * channel would, name only bytes pin() handed out or the program's own
 * sink.  0, or -EPERM with *why (if why) saying what broke.
 */
int cp_verify(const struct cp *cp, const char **why);

#endif
