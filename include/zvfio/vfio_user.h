/* SPDX-License-Identifier: MIT */
/*
 * zvfio/vfio_user.h: the vfio-user wire format (QEMU
 * docs/interop/vfio-user.rst, "Version 0.9.2"), as byte offsets and sizes.
 *
 * Every message is a 16-byte header followed by a command-specific
 * payload; offsets below are from the start of the payload unless they
 * say HDR.  All numbers on the wire are little-endian: the spec says "host
 * endianness", and every implementation in use runs on little-endian
 * hosts; zvfio fixes it so a big-endian peer interoperates.
 *
 * CCW and AP devices over vfio-user are a zvfio extension of the spec,
 * which names only PCI: see docs/vfio-user.md.
 */
#ifndef ZVFIO_VFIO_USER_H
#define ZVFIO_VFIO_USER_H

/* ---- header ---- */
#define ZV_VFU_HDR_SIZE      16
#define ZV_VFU_HDR_OFF_ID    0  /* u16 message id, echoed in the reply */
#define ZV_VFU_HDR_OFF_CMD   2  /* u16 command */
#define ZV_VFU_HDR_OFF_SIZE  4  /* u32 whole message including header */
#define ZV_VFU_HDR_OFF_FLAGS 8  /* u32 */
#define ZV_VFU_HDR_OFF_ERROR 12 /* u32 errno of an error reply */

#define ZV_VFU_F_TYPE_MASK    0xfu
#define ZV_VFU_F_TYPE_COMMAND 0x0u
#define ZV_VFU_F_TYPE_REPLY   0x1u
#define ZV_VFU_F_NO_REPLY     0x10u
#define ZV_VFU_F_ERROR        0x20u

/* ---- commands ---- */
#define ZV_VFU_CMD_VERSION                  1
#define ZV_VFU_CMD_DMA_MAP                  2
#define ZV_VFU_CMD_DMA_UNMAP                3
#define ZV_VFU_CMD_DEVICE_GET_INFO          4
#define ZV_VFU_CMD_DEVICE_GET_REGION_INFO   5
#define ZV_VFU_CMD_DEVICE_GET_REGION_IO_FDS 6
#define ZV_VFU_CMD_DEVICE_GET_IRQ_INFO      7
#define ZV_VFU_CMD_DEVICE_SET_IRQS          8
#define ZV_VFU_CMD_REGION_READ              9
#define ZV_VFU_CMD_REGION_WRITE             10
#define ZV_VFU_CMD_DMA_READ                 11
#define ZV_VFU_CMD_DMA_WRITE                12
#define ZV_VFU_CMD_DEVICE_RESET             13
#define ZV_VFU_CMD_DIRTY_PAGES              14 /* 0.9.1 only */
#define ZV_VFU_CMD_REGION_WRITE_MULTI       15
#define ZV_VFU_CMD_DEVICE_FEATURE           16
#define ZV_VFU_CMD_MIG_DATA_READ            17
#define ZV_VFU_CMD_MIG_DATA_WRITE           18
#define ZV_VFU_CMD_MAX                      18

/* ---- VERSION: major, minor, then optional NUL-terminated JSON ---- */
#define ZV_VFU_VERSION_OFF_MAJOR 0
#define ZV_VFU_VERSION_OFF_MINOR 2
#define ZV_VFU_VERSION_OFF_JSON  4
#define ZV_VFU_VERSION_MAJOR     0
#define ZV_VFU_VERSION_MINOR     2

/* capability defaults when absent (spec "VERSION") */
#define ZV_VFU_DEFAULT_MAX_MSG_FDS        1
#define ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE 1048576u
#define ZV_VFU_DEFAULT_MAX_DMA_MAPS       65535u
#define ZV_VFU_DEFAULT_PGSIZES            4096u

/* ---- DMA_MAP (32 bytes, 0 or 1 fd) ---- */
#define ZV_VFU_DMA_MAP_SIZE       32
#define ZV_VFU_DMA_MAP_OFF_ARGSZ  0
#define ZV_VFU_DMA_MAP_OFF_FLAGS  4
#define ZV_VFU_DMA_MAP_OFF_OFFSET 8  /* file offset in the fd */
#define ZV_VFU_DMA_MAP_OFF_ADDR   16 /* IOVA */
#define ZV_VFU_DMA_MAP_OFF_SIZE   24
#define ZV_VFU_DMA_FLAG_READ      (1u << 0)
#define ZV_VFU_DMA_FLAG_WRITE     (1u << 1)

/* ---- DMA_UNMAP (24 bytes; the reply echoes it) ---- */
#define ZV_VFU_DMA_UNMAP_SIZE      24
#define ZV_VFU_DMA_UNMAP_OFF_ARGSZ 0
#define ZV_VFU_DMA_UNMAP_OFF_FLAGS 4
#define ZV_VFU_DMA_UNMAP_OFF_ADDR  8
#define ZV_VFU_DMA_UNMAP_OFF_SIZE  16
/* 0.9.1 / libvfio-user: unmap everything (address = size = 0) */
#define ZV_VFU_DMA_UNMAP_FLAG_ALL (1u << 1)

/* ---- DEVICE_GET_INFO (16 bytes) = struct vfio_device_info's head ---- */
#define ZV_VFU_DEVICE_INFO_SIZE            16
#define ZV_VFU_DEVICE_INFO_OFF_ARGSZ       0
#define ZV_VFU_DEVICE_INFO_OFF_FLAGS       4
#define ZV_VFU_DEVICE_INFO_OFF_NUM_REGIONS 8
#define ZV_VFU_DEVICE_INFO_OFF_NUM_IRQS    12

/* ---- DEVICE_GET_REGION_INFO (32 bytes + capability chain) =
 *      struct vfio_region_info ---- */
#define ZV_VFU_REGION_INFO_SIZE           32
#define ZV_VFU_REGION_INFO_OFF_ARGSZ      0
#define ZV_VFU_REGION_INFO_OFF_FLAGS      4
#define ZV_VFU_REGION_INFO_OFF_INDEX      8
#define ZV_VFU_REGION_INFO_OFF_CAP_OFFSET 12
#define ZV_VFU_REGION_INFO_OFF_SIZE       16
#define ZV_VFU_REGION_INFO_OFF_OFFSET     24
/* a capability: struct vfio_info_cap_header, next relative to the
 * start of the region info */
#define ZV_VFU_CAP_HDR_SIZE    8
#define ZV_VFU_CAP_OFF_ID      0
#define ZV_VFU_CAP_OFF_VERSION 2
#define ZV_VFU_CAP_OFF_NEXT    4

/* ---- DEVICE_GET_IRQ_INFO (16 bytes) = struct vfio_irq_info ---- */
#define ZV_VFU_IRQ_INFO_SIZE      16
#define ZV_VFU_IRQ_INFO_OFF_ARGSZ 0
#define ZV_VFU_IRQ_INFO_OFF_FLAGS 4
#define ZV_VFU_IRQ_INFO_OFF_INDEX 8
#define ZV_VFU_IRQ_INFO_OFF_COUNT 12

/* ---- DEVICE_SET_IRQS (20 bytes + data; eventfds as SCM_RIGHTS) =
 *      struct vfio_irq_set ---- */
#define ZV_VFU_IRQ_SET_SIZE      20
#define ZV_VFU_IRQ_SET_OFF_ARGSZ 0
#define ZV_VFU_IRQ_SET_OFF_FLAGS 4
#define ZV_VFU_IRQ_SET_OFF_INDEX 8
#define ZV_VFU_IRQ_SET_OFF_START 12
#define ZV_VFU_IRQ_SET_OFF_COUNT 16
#define ZV_VFU_IRQ_SET_OFF_DATA  20

/* ---- REGION_READ / REGION_WRITE (16 bytes + data) ---- */
#define ZV_VFU_REGION_RW_SIZE       16
#define ZV_VFU_REGION_RW_OFF_OFFSET 0
#define ZV_VFU_REGION_RW_OFF_REGION 8
#define ZV_VFU_REGION_RW_OFF_COUNT  12
#define ZV_VFU_REGION_RW_OFF_DATA   16

#endif
