/* SPDX-License-Identifier: MIT */
/*
 * qemu/swap: byte order between QEMU's vfio-ccw and the server.
 *
 * QEMU's hw/vfio/ccw.c was written for s390x hosts.  It memcpys its own
 * host-order ORB, SCSW, async command, SCHIB and CRW structs into and
 * out of the regions, but reads the IRB as architecture (big-endian)
 * order (css.c byte-swaps it into the guest's SCHIB).  The server serves
 * every block in architecture order (docs/vfio-user.md), as the kernel
 * does on s390x.  So on a little-endian host the adapter converts the
 * blocks QEMU treats as host order, field by field in QEMU's layout, and
 * passes the IRB through (shared/reference/qemu-adapter.md §2.4, §7).
 * Loads and stores through memcpy keep this the identity on a big-endian
 * host.
 */
#include <string.h>

#include "base/bytes.h"
#include "adapter.h"

static void
h16_to_be(uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    zv_put_be16(p, v);
}

static void
h32_to_be(uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    zv_put_be32(p, v);
}

static void
be16_to_h(uint8_t *p)
{
    uint16_t v = zv_be16(p);

    memcpy(p, &v, sizeof(v));
}

static void
be32_to_h(uint8_t *p)
{
    uint32_t v = zv_be32(p);

    memcpy(p, &v, sizeof(v));
}

static void
be64_to_h(uint8_t *p)
{
    uint64_t v = zv_be64(p);

    memcpy(p, &v, sizeof(v));
}

/*
 * The I/O region as QEMU writes it for SSCH: its ORB {u32 intparm,
 * u16 ctrl0, u8 lpm, u8 ctrl1, u32 cpa} and its SCSW {u16 flags,
 * u16 ctrl, u32 cpa, u8 dstat, u8 cstat, u16 count} in host order;
 * ret_code (u32) too.  The IRB area is zero on write and left alone.
 */
void
zq_swap_io_write(uint8_t r[ZQ_IO_REGION_SIZE])
{
    uint8_t *orb = r + ZQ_IO_ORB_OFF, *scsw = r + ZQ_IO_SCSW_OFF;

    h32_to_be(orb);
    h16_to_be(orb + 4);
    h32_to_be(orb + 8);
    h16_to_be(scsw);
    h16_to_be(scsw + 2);
    h32_to_be(scsw + 4);
    h16_to_be(scsw + 10);
    h32_to_be(r + ZQ_IO_RET_OFF);
}

/* struct ccw_cmd_region {u32 command; u32 ret_code;} (HSCH 1, CSCH 2). */
void
zq_swap_async_write(uint8_t r[ZQ_ASYNC_REGION_SIZE])
{
    h32_to_be(r);
    h32_to_be(r + 4);
}

/*
 * The SCHIB region into QEMU's SCHIB struct: PMCW {u32 intparm,
 * u16 flags, u16 devno, u8 lpm, pnom, lpum, pim, u16 mbi, u8 pom, pam,
 * chpid[8], u32 chars}, SCSW (as above), u64 mba, u8 mda[4].  QEMU reads
 * the path masks (bytes) and the SCSW flags halfword (the PNO bit); the
 * whole struct is converted so that every field means what QEMU thinks.
 */
void
zq_swap_schib_read(uint8_t r[ZQ_SCHIB_REGION_SIZE])
{
    uint8_t *scsw = r + 28;

    be32_to_h(r);
    be16_to_h(r + 4);
    be16_to_h(r + 6);
    be16_to_h(r + 12);
    be32_to_h(r + 24);
    be16_to_h(scsw);
    be16_to_h(scsw + 2);
    be32_to_h(scsw + 4);
    be16_to_h(scsw + 10);
    be64_to_h(r + 40);
}

/*
 * struct ccw_crw_region {u32 crw; u32 pad;}: QEMU copies the word into
 * its CRW struct {u16 flags; u16 rsid;}, so each halfword is converted,
 * not the word (a word swap would exchange flags and rsid).
 */
void
zq_swap_crw_read(uint8_t r[ZQ_CRW_REGION_SIZE])
{
    be16_to_h(r);
    be16_to_h(r + 2);
    be32_to_h(r + 4);
}
