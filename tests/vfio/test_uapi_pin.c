/* SPDX-License-Identifier: MIT */
/*
 * Pins src/vfio/uapi.h to the installed kernel UAPI headers, and the
 * vfio-user wire layouts of include/zvfio/vfio_user.h to the spec's
 * tables and to the kernel structs they mirror.  Everything is checked at
 * compile time: if a restated value drifts, this file does not build.
 * The program itself only says so.
 */
#include <stddef.h>
#include <stdio.h>

#include <linux/vfio.h>
#include <linux/vfio_ccw.h>

#include "vfio/uapi.h"
#include "zvfio/vfio_user.h"

#define PIN(ours, theirs) _Static_assert((ours) == (theirs), #ours)
#define PIN_OFF(ours, type, member)                                            \
    _Static_assert((ours) == offsetof(type, member), #ours)

/* ---- <linux/vfio.h>: device info ---- */
PIN(ZV_VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_FLAGS_RESET);
PIN(ZV_VFIO_DEVICE_FLAGS_PCI, VFIO_DEVICE_FLAGS_PCI);
PIN(ZV_VFIO_DEVICE_FLAGS_PLATFORM, VFIO_DEVICE_FLAGS_PLATFORM);
PIN(ZV_VFIO_DEVICE_FLAGS_AMBA, VFIO_DEVICE_FLAGS_AMBA);
PIN(ZV_VFIO_DEVICE_FLAGS_CCW, VFIO_DEVICE_FLAGS_CCW);
PIN(ZV_VFIO_DEVICE_FLAGS_AP, VFIO_DEVICE_FLAGS_AP);
PIN(ZV_VFIO_DEVICE_FLAGS_CAPS, VFIO_DEVICE_FLAGS_CAPS);
_Static_assert(__builtin_strcmp(ZV_VFIO_DEVICE_API_CCW_STRING,
                                VFIO_DEVICE_API_CCW_STRING) == 0,
               "ccw api string");
_Static_assert(__builtin_strcmp(ZV_VFIO_DEVICE_API_AP_STRING,
                                VFIO_DEVICE_API_AP_STRING) == 0,
               "ap api string");

/* ---- region info ---- */
PIN(ZV_VFIO_REGION_INFO_FLAG_READ, VFIO_REGION_INFO_FLAG_READ);
PIN(ZV_VFIO_REGION_INFO_FLAG_WRITE, VFIO_REGION_INFO_FLAG_WRITE);
PIN(ZV_VFIO_REGION_INFO_FLAG_MMAP, VFIO_REGION_INFO_FLAG_MMAP);
PIN(ZV_VFIO_REGION_INFO_FLAG_CAPS, VFIO_REGION_INFO_FLAG_CAPS);
PIN(ZV_VFIO_REGION_INFO_SIZE, sizeof(struct vfio_region_info));
PIN(ZV_VFIO_INFO_CAP_HEADER_SIZE, sizeof(struct vfio_info_cap_header));
PIN(ZV_VFIO_REGION_INFO_CAP_TYPE, VFIO_REGION_INFO_CAP_TYPE);
PIN(ZV_VFIO_REGION_INFO_CAP_TYPE_SIZE,
    sizeof(struct vfio_region_info_cap_type));
PIN(ZV_VFIO_REGION_TYPE_CCW, VFIO_REGION_TYPE_CCW);
PIN(ZV_VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD, VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD);
PIN(ZV_VFIO_REGION_SUBTYPE_CCW_SCHIB, VFIO_REGION_SUBTYPE_CCW_SCHIB);
PIN(ZV_VFIO_REGION_SUBTYPE_CCW_CRW, VFIO_REGION_SUBTYPE_CCW_CRW);

/* ---- IRQ info and set ---- */
PIN(ZV_VFIO_IRQ_INFO_EVENTFD, VFIO_IRQ_INFO_EVENTFD);
PIN(ZV_VFIO_IRQ_INFO_MASKABLE, VFIO_IRQ_INFO_MASKABLE);
PIN(ZV_VFIO_IRQ_INFO_AUTOMASKED, VFIO_IRQ_INFO_AUTOMASKED);
PIN(ZV_VFIO_IRQ_INFO_NORESIZE, VFIO_IRQ_INFO_NORESIZE);
PIN(ZV_VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_NONE);
PIN(ZV_VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_BOOL);
PIN(ZV_VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_EVENTFD);
PIN(ZV_VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_MASK);
PIN(ZV_VFIO_IRQ_SET_ACTION_UNMASK, VFIO_IRQ_SET_ACTION_UNMASK);
PIN(ZV_VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER);
PIN(ZV_VFIO_IRQ_SET_DATA_TYPE_MASK, VFIO_IRQ_SET_DATA_TYPE_MASK);
PIN(ZV_VFIO_IRQ_SET_ACTION_TYPE_MASK, VFIO_IRQ_SET_ACTION_TYPE_MASK);

/* ---- vfio-ccw indices ---- */
PIN(ZV_VFIO_CCW_CONFIG_REGION_INDEX, VFIO_CCW_CONFIG_REGION_INDEX);
PIN(ZV_VFIO_CCW_NUM_REGIONS, VFIO_CCW_NUM_REGIONS);
PIN(ZV_VFIO_CCW_IO_IRQ_INDEX, VFIO_CCW_IO_IRQ_INDEX);
PIN(ZV_VFIO_CCW_CRW_IRQ_INDEX, VFIO_CCW_CRW_IRQ_INDEX);
PIN(ZV_VFIO_CCW_REQ_IRQ_INDEX, VFIO_CCW_REQ_IRQ_INDEX);
PIN(ZV_VFIO_CCW_NUM_IRQS, VFIO_CCW_NUM_IRQS);

/* ---- vfio-ap indices (Linux 6.9+ / 6.15+ headers) ---- */
#ifdef ZV_HAVE_VFIO_AP_REQ_IRQ_INDEX
PIN(ZV_VFIO_AP_REQ_IRQ_INDEX, VFIO_AP_REQ_IRQ_INDEX);
#endif
#ifdef ZV_HAVE_VFIO_AP_CFG_CHG_IRQ_INDEX
PIN(ZV_VFIO_AP_CFG_CHG_IRQ_INDEX, VFIO_AP_CFG_CHG_IRQ_INDEX);
PIN(ZV_VFIO_AP_NUM_IRQS, VFIO_AP_NUM_IRQS);
/* our NIB IRQ comes after the kernel's, which keep their indices */
PIN(ZV_VFIO_AP_NIB_IRQ_INDEX, VFIO_AP_NUM_IRQS);
PIN(ZV_VFIO_AP_NUM_IRQS_EXT, VFIO_AP_NUM_IRQS + 1);
#endif

/* ---- zvfio extension: the vfio-ap instruction region (docs/ap.md "The
 * device and the guest AP path"; no kernel counterpart, so pinned to the
 * documented table: clients outside this tree depend on it) ---- */
PIN(ZV_VFIO_AP_NIB_IRQ_INDEX, 2);
PIN(ZV_VFIO_AP_NUM_IRQS_EXT, 3);
PIN(ZV_VFIO_AP_INSN_REGION_INDEX, 0);
PIN(ZV_AP_INSN_OFF_OP, 0x00);
PIN(ZV_AP_INSN_OFF_CC, 0x01);
PIN(ZV_AP_INSN_OFF_PIC, 0x02);
PIN(ZV_AP_INSN_OFF_RET, 0x04);
PIN(ZV_AP_INSN_OFF_GR0, 0x08);
PIN(ZV_AP_INSN_OFF_GR1, 0x10);
PIN(ZV_AP_INSN_OFF_GR2, 0x18);
PIN(ZV_AP_INSN_OFF_PSMID, 0x20);
PIN(ZV_AP_INSN_OFF_ADDR, 0x28);
PIN(ZV_AP_INSN_OFF_LEN, 0x30);
PIN(ZV_AP_INSN_OFF_FLAGS, 0x38);
PIN(ZV_AP_INSN_SIZE, 64);
PIN(ZV_AP_INSN_PQAP, 1);
PIN(ZV_AP_INSN_NQAP, 2);
PIN(ZV_AP_INSN_DQAP, 3);
PIN(ZV_AP_INSN_F_MORE, 0x80);
PIN(ZV_AP_PIC_ADDRESSING, 0x05);

/* ---- <linux/vfio_ccw.h> region layouts ---- */
PIN_OFF(ZV_CCW_IO_ORB_OFF, struct ccw_io_region, orb_area);
PIN(ZV_CCW_IO_ORB_SIZE, ORB_AREA_SIZE);
PIN_OFF(ZV_CCW_IO_SCSW_OFF, struct ccw_io_region, scsw_area);
PIN(ZV_CCW_IO_SCSW_SIZE, SCSW_AREA_SIZE);
PIN_OFF(ZV_CCW_IO_IRB_OFF, struct ccw_io_region, irb_area);
PIN(ZV_CCW_IO_IRB_SIZE, IRB_AREA_SIZE);
PIN_OFF(ZV_CCW_IO_RET_OFF, struct ccw_io_region, ret_code);
PIN(ZV_CCW_IO_REGION_SIZE, sizeof(struct ccw_io_region));
PIN(ZV_VFIO_CCW_ASYNC_CMD_HSCH, VFIO_CCW_ASYNC_CMD_HSCH);
PIN(ZV_VFIO_CCW_ASYNC_CMD_CSCH, VFIO_CCW_ASYNC_CMD_CSCH);
PIN_OFF(ZV_CCW_CMD_COMMAND_OFF, struct ccw_cmd_region, command);
PIN_OFF(ZV_CCW_CMD_RET_OFF, struct ccw_cmd_region, ret_code);
PIN(ZV_CCW_CMD_REGION_SIZE, sizeof(struct ccw_cmd_region));
PIN(ZV_CCW_SCHIB_REGION_SIZE, sizeof(struct ccw_schib_region));
PIN(ZV_CCW_SCHIB_REGION_SIZE, SCHIB_AREA_SIZE);
PIN_OFF(ZV_CCW_CRW_CRW_OFF, struct ccw_crw_region, crw);
PIN(ZV_CCW_CRW_REGION_SIZE, sizeof(struct ccw_crw_region));
/* ZV_VFIO_CCW_OFFSET_SHIFT is the driver's private file-offset encoding
 * (drivers/s390/cio/vfio_ccw_private.h), not UAPI: nothing to pin. */

/* ---- vfio-user: the spec's tables (byte offsets, sizes) ---- */
PIN(ZV_VFU_HDR_SIZE, 16);
PIN(ZV_VFU_HDR_OFF_ID, 0);
PIN(ZV_VFU_HDR_OFF_CMD, 2);
PIN(ZV_VFU_HDR_OFF_SIZE, 4);
PIN(ZV_VFU_HDR_OFF_FLAGS, 8);
PIN(ZV_VFU_HDR_OFF_ERROR, 12);
PIN(ZV_VFU_F_TYPE_COMMAND, 0);
PIN(ZV_VFU_F_TYPE_REPLY, 1);
PIN(ZV_VFU_F_NO_REPLY, 1u << 4);
PIN(ZV_VFU_F_ERROR, 1u << 5);
PIN(ZV_VFU_CMD_VERSION, 1);
PIN(ZV_VFU_CMD_DMA_MAP, 2);
PIN(ZV_VFU_CMD_DMA_UNMAP, 3);
PIN(ZV_VFU_CMD_DEVICE_GET_INFO, 4);
PIN(ZV_VFU_CMD_DEVICE_GET_REGION_INFO, 5);
PIN(ZV_VFU_CMD_DEVICE_GET_REGION_IO_FDS, 6);
PIN(ZV_VFU_CMD_DEVICE_GET_IRQ_INFO, 7);
PIN(ZV_VFU_CMD_DEVICE_SET_IRQS, 8);
PIN(ZV_VFU_CMD_REGION_READ, 9);
PIN(ZV_VFU_CMD_REGION_WRITE, 10);
PIN(ZV_VFU_CMD_DMA_READ, 11);
PIN(ZV_VFU_CMD_DMA_WRITE, 12);
PIN(ZV_VFU_CMD_DEVICE_RESET, 13);
PIN(ZV_VFU_CMD_REGION_WRITE_MULTI, 15);
PIN(ZV_VFU_CMD_DEVICE_FEATURE, 16);
PIN(ZV_VFU_CMD_MIG_DATA_READ, 17);
PIN(ZV_VFU_CMD_MIG_DATA_WRITE, 18);
PIN(ZV_VFU_VERSION_OFF_MAJOR, 0);
PIN(ZV_VFU_VERSION_OFF_MINOR, 2);
PIN(ZV_VFU_VERSION_OFF_JSON, 4);
PIN(ZV_VFU_DEFAULT_MAX_MSG_FDS, 1);
PIN(ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE, 1048576);
PIN(ZV_VFU_DEFAULT_MAX_DMA_MAPS, 65535);
PIN(ZV_VFU_DEFAULT_PGSIZES, 4096);
/* DMA_MAP: argsz 0, flags 4, offset 8, address 16, size 24 */
PIN(ZV_VFU_DMA_MAP_SIZE, 32);
PIN(ZV_VFU_DMA_MAP_OFF_ARGSZ, 0);
PIN(ZV_VFU_DMA_MAP_OFF_FLAGS, 4);
PIN(ZV_VFU_DMA_MAP_OFF_OFFSET, 8);
PIN(ZV_VFU_DMA_MAP_OFF_ADDR, 16);
PIN(ZV_VFU_DMA_MAP_OFF_SIZE, 24);
PIN(ZV_VFU_DMA_FLAG_READ, 1u << 0);
PIN(ZV_VFU_DMA_FLAG_WRITE, 1u << 1);
/* DMA_UNMAP: argsz 0, flags 4, address 8, size 16 */
PIN(ZV_VFU_DMA_UNMAP_SIZE, 24);
PIN(ZV_VFU_DMA_UNMAP_OFF_ARGSZ, 0);
PIN(ZV_VFU_DMA_UNMAP_OFF_FLAGS, 4);
PIN(ZV_VFU_DMA_UNMAP_OFF_ADDR, 8);
PIN(ZV_VFU_DMA_UNMAP_OFF_SIZE, 16);

/* The payloads that copy a kernel struct copy its layout. */
PIN(ZV_VFU_DEVICE_INFO_SIZE, 16);
PIN_OFF(ZV_VFU_DEVICE_INFO_OFF_ARGSZ, struct vfio_device_info, argsz);
PIN_OFF(ZV_VFU_DEVICE_INFO_OFF_FLAGS, struct vfio_device_info, flags);
PIN_OFF(ZV_VFU_DEVICE_INFO_OFF_NUM_REGIONS, struct vfio_device_info,
        num_regions);
PIN_OFF(ZV_VFU_DEVICE_INFO_OFF_NUM_IRQS, struct vfio_device_info, num_irqs);

PIN(ZV_VFU_REGION_INFO_SIZE, 32);
PIN(ZV_VFU_REGION_INFO_SIZE, sizeof(struct vfio_region_info));
PIN_OFF(ZV_VFU_REGION_INFO_OFF_ARGSZ, struct vfio_region_info, argsz);
PIN_OFF(ZV_VFU_REGION_INFO_OFF_FLAGS, struct vfio_region_info, flags);
PIN_OFF(ZV_VFU_REGION_INFO_OFF_INDEX, struct vfio_region_info, index);
PIN_OFF(ZV_VFU_REGION_INFO_OFF_CAP_OFFSET, struct vfio_region_info, cap_offset);
PIN_OFF(ZV_VFU_REGION_INFO_OFF_SIZE, struct vfio_region_info, size);
PIN_OFF(ZV_VFU_REGION_INFO_OFF_OFFSET, struct vfio_region_info, offset);
PIN(ZV_VFU_CAP_HDR_SIZE, sizeof(struct vfio_info_cap_header));
PIN_OFF(ZV_VFU_CAP_OFF_ID, struct vfio_info_cap_header, id);
PIN_OFF(ZV_VFU_CAP_OFF_VERSION, struct vfio_info_cap_header, version);
PIN_OFF(ZV_VFU_CAP_OFF_NEXT, struct vfio_info_cap_header, next);

PIN(ZV_VFU_IRQ_INFO_SIZE, 16);
PIN(ZV_VFU_IRQ_INFO_SIZE, sizeof(struct vfio_irq_info));
PIN_OFF(ZV_VFU_IRQ_INFO_OFF_ARGSZ, struct vfio_irq_info, argsz);
PIN_OFF(ZV_VFU_IRQ_INFO_OFF_FLAGS, struct vfio_irq_info, flags);
PIN_OFF(ZV_VFU_IRQ_INFO_OFF_INDEX, struct vfio_irq_info, index);
PIN_OFF(ZV_VFU_IRQ_INFO_OFF_COUNT, struct vfio_irq_info, count);

PIN(ZV_VFU_IRQ_SET_SIZE, 20);
PIN(ZV_VFU_IRQ_SET_SIZE, sizeof(struct vfio_irq_set));
PIN_OFF(ZV_VFU_IRQ_SET_OFF_ARGSZ, struct vfio_irq_set, argsz);
PIN_OFF(ZV_VFU_IRQ_SET_OFF_FLAGS, struct vfio_irq_set, flags);
PIN_OFF(ZV_VFU_IRQ_SET_OFF_INDEX, struct vfio_irq_set, index);
PIN_OFF(ZV_VFU_IRQ_SET_OFF_START, struct vfio_irq_set, start);
PIN_OFF(ZV_VFU_IRQ_SET_OFF_COUNT, struct vfio_irq_set, count);
PIN_OFF(ZV_VFU_IRQ_SET_OFF_DATA, struct vfio_irq_set, data);

/* REGION_READ/WRITE: offset 0 (u64), region 8, count 12, data 16 */
PIN(ZV_VFU_REGION_RW_SIZE, 16);
PIN(ZV_VFU_REGION_RW_OFF_OFFSET, 0);
PIN(ZV_VFU_REGION_RW_OFF_REGION, 8);
PIN(ZV_VFU_REGION_RW_OFF_COUNT, 12);
PIN(ZV_VFU_REGION_RW_OFF_DATA, 16);

int
main(void)
{
    puts("uapi.h and vfio_user.h agree with <linux/vfio.h>, "
         "<linux/vfio_ccw.h> and the vfio-user spec");
#ifndef ZV_HAVE_VFIO_AP_CFG_CHG_IRQ_INDEX
    puts("(vfio-ap IRQ indices not pinned: these headers predate them)");
#endif
    return 0;
}
