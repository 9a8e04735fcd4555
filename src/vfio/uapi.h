/* SPDX-License-Identifier: MIT */
/*
 * vfio/uapi: the constants and layouts of <linux/vfio.h> and
 * <linux/vfio_ccw.h> that zv_vdev devices serve (DESIGN.md principle 7).
 *
 * The values are the kernel UAPI's; they are restated here so the tree
 * builds without kernel headers and so the vfio-user transport can use them
 * on any host.  Region contents of vfio-ccw are served as the kernel serves
 * them on s390x: big-endian, architected blocks in architecture order.
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

#endif
