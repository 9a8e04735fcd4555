/* SPDX-License-Identifier: MIT */
/*
 * vfio/uapi: the constants and layouts of <linux/vfio.h> and
 * <linux/vfio_ccw.h> that zv_vdev devices serve (DESIGN.md principle 7).
 *
 * The values are the kernel UAPI's; they are restated here so the tree
 * builds without kernel headers and so the vfio-user transport can use them
 * on any host.  Region contents of vfio-ccw are served as the kernel serves
 * them on s390x: big-endian, architected blocks in architecture order.
 *
 * Items marked "zvfio extension" have no kernel counterpart: the vfio-ap
 * NIB IRQ and instruction region (DESIGN.md principle 7, docs/ap.md "The
 * guest AP path").  They are here, with the kernel's layouts, because both
 * the server (src/vfio_ap) and guest-side clients (src/guest) use them.
 */
#ifndef ZV_VFIO_UAPI_H
#define ZV_VFIO_UAPI_H

#include <stdint.h>

/* VFIO_DEVICE_GET_INFO flags */
#define ZV_VFIO_DEVICE_FLAGS_RESET    (1u << 0)
#define ZV_VFIO_DEVICE_FLAGS_PCI      (1u << 1)
#define ZV_VFIO_DEVICE_FLAGS_PLATFORM (1u << 2)
#define ZV_VFIO_DEVICE_FLAGS_AMBA     (1u << 3)
#define ZV_VFIO_DEVICE_FLAGS_CCW      (1u << 4)
#define ZV_VFIO_DEVICE_FLAGS_AP       (1u << 5)
#define ZV_VFIO_DEVICE_FLAGS_CAPS     (1u << 7)

#define ZV_VFIO_DEVICE_API_CCW_STRING "vfio-ccw"
#define ZV_VFIO_DEVICE_API_AP_STRING  "vfio-ap"

/* VFIO_DEVICE_GET_REGION_INFO flags */
#define ZV_VFIO_REGION_INFO_FLAG_READ  (1u << 0)
#define ZV_VFIO_REGION_INFO_FLAG_WRITE (1u << 1)
#define ZV_VFIO_REGION_INFO_FLAG_MMAP  (1u << 2)
#define ZV_VFIO_REGION_INFO_FLAG_CAPS  (1u << 3)

/*
 * Capability chain of a region: each capability starts with the header
 * struct vfio_info_cap_header { u16 id; u16 version; u32 next; }, next
 * being the offset of the next capability from the start of struct
 * vfio_region_info (32 bytes), 0 at the end.
 */
#define ZV_VFIO_INFO_CAP_HEADER_SIZE      8
#define ZV_VFIO_REGION_INFO_SIZE          32 /* struct vfio_region_info */
#define ZV_VFIO_REGION_INFO_CAP_TYPE      2  /* id */
#define ZV_VFIO_REGION_INFO_CAP_TYPE_V    1  /* version */
#define ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE 16 /* header + type + subtype */

#define ZV_VFIO_REGION_TYPE_CCW              2
#define ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD 1
#define ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB     2
#define ZV_VFIO_REGION_SUBTYPE_CCW_CRW       3

/* VFIO_DEVICE_GET_IRQ_INFO flags */
#define ZV_VFIO_IRQ_INFO_EVENTFD    (1u << 0)
#define ZV_VFIO_IRQ_INFO_MASKABLE   (1u << 1)
#define ZV_VFIO_IRQ_INFO_AUTOMASKED (1u << 2)
#define ZV_VFIO_IRQ_INFO_NORESIZE   (1u << 3)

/* VFIO_DEVICE_SET_IRQS flags */
#define ZV_VFIO_IRQ_SET_DATA_NONE      (1u << 0)
#define ZV_VFIO_IRQ_SET_DATA_BOOL      (1u << 1)
#define ZV_VFIO_IRQ_SET_DATA_EVENTFD   (1u << 2)
#define ZV_VFIO_IRQ_SET_ACTION_MASK    (1u << 3)
#define ZV_VFIO_IRQ_SET_ACTION_UNMASK  (1u << 4)
#define ZV_VFIO_IRQ_SET_ACTION_TRIGGER (1u << 5)
#define ZV_VFIO_IRQ_SET_DATA_TYPE_MASK                                         \
    (ZV_VFIO_IRQ_SET_DATA_NONE | ZV_VFIO_IRQ_SET_DATA_BOOL |                   \
     ZV_VFIO_IRQ_SET_DATA_EVENTFD)
#define ZV_VFIO_IRQ_SET_ACTION_TYPE_MASK                                       \
    (ZV_VFIO_IRQ_SET_ACTION_MASK | ZV_VFIO_IRQ_SET_ACTION_UNMASK |             \
     ZV_VFIO_IRQ_SET_ACTION_TRIGGER)

/* ---- vfio-ccw (<linux/vfio_ccw.h>) ---- */

#define ZV_VFIO_CCW_CONFIG_REGION_INDEX 0
#define ZV_VFIO_CCW_NUM_REGIONS         1 /* without capability regions */

#define ZV_VFIO_CCW_IO_IRQ_INDEX  0
#define ZV_VFIO_CCW_CRW_IRQ_INDEX 1
#define ZV_VFIO_CCW_REQ_IRQ_INDEX 2
#define ZV_VFIO_CCW_NUM_IRQS      3

/* struct ccw_io_region (packed, 124 bytes) */
#define ZV_CCW_IO_ORB_OFF     0
#define ZV_CCW_IO_ORB_SIZE    12
#define ZV_CCW_IO_SCSW_OFF    12
#define ZV_CCW_IO_SCSW_SIZE   12
#define ZV_CCW_IO_IRB_OFF     24
#define ZV_CCW_IO_IRB_SIZE    96
#define ZV_CCW_IO_RET_OFF     120
#define ZV_CCW_IO_REGION_SIZE 124

/* struct ccw_cmd_region (packed, 8 bytes) */
#define ZV_VFIO_CCW_ASYNC_CMD_HSCH (1u << 0)
#define ZV_VFIO_CCW_ASYNC_CMD_CSCH (1u << 1)
#define ZV_CCW_CMD_COMMAND_OFF     0
#define ZV_CCW_CMD_RET_OFF         4
#define ZV_CCW_CMD_REGION_SIZE     8

/* struct ccw_schib_region (packed, 52 bytes) */
#define ZV_CCW_SCHIB_REGION_SIZE 52

/* struct ccw_crw_region (packed, 8 bytes) */
#define ZV_CCW_CRW_CRW_OFF     0
#define ZV_CCW_CRW_REGION_SIZE 8

/* The kernel's file-offset encoding: region i at offset i << 10. */
#define ZV_VFIO_CCW_OFFSET_SHIFT 10

/* ---- vfio-ap (<linux/vfio.h>, Linux 6.15+ for CFG_CHG) ---- */

#define ZV_VFIO_AP_REQ_IRQ_INDEX     0
#define ZV_VFIO_AP_CFG_CHG_IRQ_INDEX 1
#define ZV_VFIO_AP_NUM_IRQS          2

/*
 * zvfio extension: IRQ 2, NIB, is an adapter interruption for a queue
 * whose interruptions the guest enabled with PQAP(AQIC), after its
 * indicator byte was set in guest memory (firmware's job under a GISA on
 * s390).  It follows the kernel's IRQs, so the kernel's indices keep
 * their meaning.
 */
#define ZV_VFIO_AP_NIB_IRQ_INDEX ZV_VFIO_AP_NUM_IRQS
#define ZV_VFIO_AP_NUM_IRQS_EXT  (ZV_VFIO_AP_NUM_IRQS + 1)

/*
 * zvfio extension: region 0 of a vfio-ap device (the kernel's vfio-ap has
 * no region, since firmware interprets AP instructions under SIE).  It
 * holds one instruction block of ZV_AP_INSN_SIZE bytes, big-endian: a
 * write of the whole block at offset 0 executes the instruction, a read
 * returns the block with the results.
 */
#define ZV_VFIO_AP_INSN_REGION_INDEX 0

#define ZV_AP_INSN_OFF_OP    0x00 /* u8 in: ZV_AP_INSN_PQAP/NQAP/DQAP */
#define ZV_AP_INSN_OFF_CC    0x01 /* u8 out: condition code */
#define ZV_AP_INSN_OFF_PIC   0x02 /* u16 out: program-interruption code */
#define ZV_AP_INSN_OFF_RET   0x04 /* s32 out: 0 or -errno (not executed) */
#define ZV_AP_INSN_OFF_GR0   0x08 /* u64 in: GR0 (FC, T, F, APQN) */
#define ZV_AP_INSN_OFF_GR1   0x10 /* u64 in/out: GR1 (AQIC ctl / APQSW) */
#define ZV_AP_INSN_OFF_GR2   0x18 /* u64 in/out: GR2 (NIB, QCI addr / info) */
#define ZV_AP_INSN_OFF_PSMID 0x20 /* u64 NQAP in / DQAP out */
#define ZV_AP_INSN_OFF_ADDR  0x28 /* u64 in: message / buffer guest address */
#define ZV_AP_INSN_OFF_LEN   0x30 /* u64 in: length; DQAP out: bytes stored */
#define ZV_AP_INSN_OFF_FLAGS 0x38 /* u8 out: ZV_AP_INSN_F_MORE */
#define ZV_AP_INSN_SIZE      0x40

#define ZV_AP_INSN_PQAP   1
#define ZV_AP_INSN_NQAP   2
#define ZV_AP_INSN_DQAP   3
#define ZV_AP_INSN_F_MORE 0x80 /* DQAP: the rest of the reply stays queued */

/* Program-interruption code for a guest address that is not mapped. */
#define ZV_AP_PIC_ADDRESSING 0x05

/* The block's fields are naturally aligned, in order, without overlap,
 * and end inside it (bytes 0x39-0x3f are reserved). */
_Static_assert(ZV_AP_INSN_OFF_CC == ZV_AP_INSN_OFF_OP + 1, "insn cc");
_Static_assert(ZV_AP_INSN_OFF_PIC == ZV_AP_INSN_OFF_CC + 1, "insn pic");
_Static_assert(ZV_AP_INSN_OFF_RET == ZV_AP_INSN_OFF_PIC + 2, "insn ret");
_Static_assert(ZV_AP_INSN_OFF_GR0 == ZV_AP_INSN_OFF_RET + 4, "insn gr0");
_Static_assert(ZV_AP_INSN_OFF_GR1 == ZV_AP_INSN_OFF_GR0 + 8, "insn gr1");
_Static_assert(ZV_AP_INSN_OFF_GR2 == ZV_AP_INSN_OFF_GR1 + 8, "insn gr2");
_Static_assert(ZV_AP_INSN_OFF_PSMID == ZV_AP_INSN_OFF_GR2 + 8, "insn psmid");
_Static_assert(ZV_AP_INSN_OFF_ADDR == ZV_AP_INSN_OFF_PSMID + 8, "insn addr");
_Static_assert(ZV_AP_INSN_OFF_LEN == ZV_AP_INSN_OFF_ADDR + 8, "insn len");
_Static_assert(ZV_AP_INSN_OFF_FLAGS == ZV_AP_INSN_OFF_LEN + 8, "insn flags");
_Static_assert(ZV_AP_INSN_OFF_FLAGS + 1 <= ZV_AP_INSN_SIZE, "insn size");

#endif
