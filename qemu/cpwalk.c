/* SPDX-License-Identifier: MIT */
/*
 * qemu/cpwalk: the storage a channel program may have stored into.
 *
 * The server writes read data straight into the shared guest memory,
 * past QEMU's TCG, which would otherwise drop translated code for pages
 * it stores into.  After a start function's interrupt the adapter walks
 * the program the guest started and tells QEMU which ranges changed
 * (docs/qemu.md "TCG coherence").  Over-reporting is harmless (a
 * retranslation); missing a range is not, so the walk follows the PoP
 * rules for chaining (css-pop.md §2.4, §2.5) and stops only where the
 * channel would have ended the program.
 */
#include <errno.h>

#include "arch/ccw.h"
#include "base/bytes.h"
#include "adapter.h"

#define CCW0_ADDR_LIMIT 0x01000000u /* format-0: 24-bit addresses */

struct walk {
    const struct orb *orb;
    const struct zq_cp_ops *ops;
};

static int
fetch_ccw(const struct walk *w, uint64_t addr, struct ccw1 *c)
{
    uint8_t b[CCW_SIZE];

    if (w->ops->read(w->ops->opaque, addr, b, sizeof(b)))
        return -EFAULT;
    if (w->orb->fmt)
        ccw1_decode(c, b);
    else
        ccw0_decode(c, b);
    return 0;
}

/* Indirect data addressing: count bytes through the IDAW list at list;
 * each IDAW covers up to the end of its block (format-1 IDAWs: 2K
 * blocks; format-2: 4K, or 2K with the ORB's T bit). */
static void
walk_idaws(const struct walk *w, uint64_t list, uint32_t count, bool back)
{
    bool fmt2 = w->orb->c64;
    uint64_t block = fmt2 && !w->orb->i2k ? IDA_4K : IDA_2K;
    size_t isz = fmt2 ? IDAW2_SIZE : IDAW1_SIZE;

    while (count) {
        uint8_t b[IDAW2_SIZE];
        uint64_t a, n;

        if (w->ops->read(w->ops->opaque, list, b, isz))
            return;
        a = fmt2 ? zv_be64(b) : zv_be32(b);
        if (!fmt2 && (a & IDAW1_INVALID_BIT))
            return;
        /* reading backward runs down to the start of the block */
        n = back ? (a & (block - 1)) + 1 : block - (a & (block - 1));
        if (n > count)
            n = count;
        w->ops->range(w->ops->opaque, back ? a + 1 - n : a, n);
        count -= (uint32_t)n;
        list += isz;
    }
}

static void
walk_data(const struct walk *w, const struct ccw1 *c, bool back)
{
    if (!c->count || (c->flags & CCW_FLAG_SKIP))
        return;
    if (c->flags & CCW_FLAG_IDA) {
        walk_idaws(w, c->cda, c->count, back);
        return;
    }
    if (back) {
        uint64_t end = (uint64_t)c->cda + 1;

        w->ops->range(w->ops->opaque, end > c->count ? end - c->count : 0,
                      end > c->count ? c->count : end);
        return;
    }
    w->ops->range(w->ops->opaque, c->cda, c->count);
}

unsigned
zq_cp_walk(const struct orb *orb, const struct zq_cp_ops *ops)
{
    struct walk w = {.orb = orb, .ops = ops};
    uint64_t addr = orb->cpa;
    bool chaining_data = false, input = false, back = false, after_tic = false;
    unsigned n;

    for (n = 0; n < ZQ_CP_MAX_CCWS; n++) {
        struct ccw1 c;
        enum ccw_class cls;

        if ((addr & 7) || fetch_ccw(&w, addr, &c))
            break;
        cls = ccw_cmd_class(c.cmd);
        if (cls == CCW_CLASS_TIC) {
            /* a TIC to a TIC is a program check; the address of a
             * format-0 TIC has 24 bits */
            if (after_tic)
                break;
            after_tic = true;
            addr = orb->fmt ? c.cda : (c.cda & (CCW0_ADDR_LIMIT - 1));
            continue;
        }
        after_tic = false;
        /* under data chaining the command code is ignored: the direction
         * is the one the chain started with */
        if (!chaining_data) {
            if (cls == CCW_CLASS_INVALID)
                break;
            input = ccw_cmd_is_input(c.cmd);
            back = cls == CCW_CLASS_READ_BACK;
        }
        if (input && !(c.flags & CCW_FLAG_MIDA))
            walk_data(&w, &c, back);
        if (!(c.flags & (CCW_FLAG_CD | CCW_FLAG_CC)))
            return n + 1;
        chaining_data = c.flags & CCW_FLAG_CD;
        addr += CCW_SIZE;
    }
    return n;
}

/*
 * Keep the range, merged into one it overlaps or touches (consecutive
 * IDAWs usually cover contiguous storage); when the table is full, widen
 * the range nearest to it.  Too much is only a retranslation, but every
 * page of a range costs QEMU a lookup: keep them tight.
 */
void
zq_ranges_add(struct zq_ranges *rs, uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len, best_gap = UINT64_MAX, lo, hi;
    unsigned best = 0;

    for (unsigned k = rs->n; k-- > 0;) {
        uint64_t a = rs->r[k].addr, e = a + rs->r[k].len;
        uint64_t gap = end < a ? a - end : addr > e ? addr - e : 0;

        if (gap < best_gap) {
            best_gap = gap;
            best = k;
        }
        if (!gap)
            break;
    }
    if (best_gap && rs->n < ZQ_MAX_RANGES) {
        rs->r[rs->n].addr = addr;
        rs->r[rs->n].len = len;
        rs->n++;
        return;
    }
    lo = rs->r[best].addr < addr ? rs->r[best].addr : addr;
    hi = rs->r[best].addr + rs->r[best].len > end
             ? rs->r[best].addr + rs->r[best].len
             : end;
    rs->r[best].addr = lo;
    rs->r[best].len = hi - lo;
}
