/* SPDX-License-Identifier: MIT */
/*
 * vfu/msg: the vfio-user message codec (include/zvfio/vfio_user.h has
 * the layouts).  Each payload is a host-order struct with a decode that
 * checks the payload length exactly and an encode that writes
 * little-endian bytes; nothing here allocates or trusts a length it did
 * not check.  Shared by the server and the client library.
 */
#ifndef ZV_VFU_MSG_H
#define ZV_VFU_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zvfio/vfio_user.h"

/* ---- little-endian primitives (the wire's byte order) ---- */
static inline uint16_t
vfu_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
vfu_le32(const uint8_t *p)
{
    return (uint32_t)vfu_le16(p) | (uint32_t)vfu_le16(p + 2) << 16;
}
static inline uint64_t
vfu_le64(const uint8_t *p)
{
    return (uint64_t)vfu_le32(p) | (uint64_t)vfu_le32(p + 4) << 32;
}
static inline void
vfu_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void
vfu_put_le32(uint8_t *p, uint32_t v)
{
    vfu_put_le16(p, (uint16_t)v);
    vfu_put_le16(p + 2, (uint16_t)(v >> 16));
}
static inline void
vfu_put_le64(uint8_t *p, uint64_t v)
{
    vfu_put_le32(p, (uint32_t)v);
    vfu_put_le32(p + 4, (uint32_t)(v >> 32));
}

struct vfu_hdr {
    uint16_t id;
    uint16_t cmd;
    uint32_t size; /* whole message, header included */
    uint32_t flags;
    uint32_t error;
};

/* -EINVAL when size < 16. */
int vfu_hdr_decode(const uint8_t p[ZV_VFU_HDR_SIZE], struct vfu_hdr *h);
void vfu_hdr_encode(uint8_t p[ZV_VFU_HDR_SIZE], const struct vfu_hdr *h);
static inline bool
vfu_hdr_is_reply(const struct vfu_hdr *h)
{
    return (h->flags & ZV_VFU_F_TYPE_MASK) == ZV_VFU_F_TYPE_REPLY;
}

/* ---- VERSION ---- */
struct vfu_version {
    uint16_t major;
    uint16_t minor;
    const char *json; /* NUL-terminated, inside the payload; NULL: none */
};
/* The JSON, if any, must fill the rest of the payload and end in its
 * only NUL (its syntax is vfu_caps_parse's business).  -EINVAL
 * otherwise. */
int vfu_version_decode(const uint8_t *p, size_t n, struct vfu_version *v);
/* Returns bytes written or -ENOSPC. */
int vfu_version_encode(uint8_t *p, size_t room, const struct vfu_version *v);

/*
 * The capabilities object of VERSION: {"capabilities": {...}}.  Absent
 * members keep the spec's defaults.  Known members must have the right
 * type and range; unknown ones are ignored (minor versions add some).
 */
struct vfu_caps {
    uint32_t max_msg_fds;
    uint64_t max_data_xfer_size;
    uint32_t max_dma_maps;
    uint64_t pgsizes;
    bool migration; /* offered by the peer (0.9.1); never by us */
};
#define VFU_CAPS_MAX_MSG_FDS 253 /* SCM_MAX_FD */
void vfu_caps_default(struct vfu_caps *c);
int vfu_caps_parse(const char *json, struct vfu_caps *c);
/* Writes the JSON with its NUL; returns strlen + 1 or -ENOSPC. */
int vfu_caps_format(const struct vfu_caps *c, char *buf, size_t size);

/* ---- DMA_MAP / DMA_UNMAP ---- */
struct vfu_dma_map {
    uint32_t argsz;
    uint32_t flags;
    uint64_t offset;
    uint64_t addr;
    uint64_t size;
};
int vfu_dma_map_decode(const uint8_t *p, size_t n, struct vfu_dma_map *m);
void vfu_dma_map_encode(uint8_t p[ZV_VFU_DMA_MAP_SIZE],
                        const struct vfu_dma_map *m);

struct vfu_dma_unmap {
    uint32_t argsz;
    uint32_t flags;
    uint64_t addr;
    uint64_t size;
};
int vfu_dma_unmap_decode(const uint8_t *p, size_t n, struct vfu_dma_unmap *m);
void vfu_dma_unmap_encode(uint8_t p[ZV_VFU_DMA_UNMAP_SIZE],
                          const struct vfu_dma_unmap *m);

/* ---- DEVICE_GET_INFO ---- */
struct vfu_device_info {
    uint32_t argsz;
    uint32_t flags;
    uint32_t num_regions;
    uint32_t num_irqs;
};
int vfu_device_info_decode(const uint8_t *p, size_t n,
                           struct vfu_device_info *d);
void vfu_device_info_encode(uint8_t p[ZV_VFU_DEVICE_INFO_SIZE],
                            const struct vfu_device_info *d);

/* ---- DEVICE_GET_REGION_INFO ---- */
struct vfu_region_info {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t cap_offset;
    uint64_t size;
    uint64_t offset;
};
/* Exactly 32 bytes (a request, or a reply's fixed part with exact). */
int vfu_region_info_decode(const uint8_t *p, size_t n, bool exact,
                           struct vfu_region_info *r);
void vfu_region_info_encode(uint8_t p[ZV_VFU_REGION_INFO_SIZE],
                            const struct vfu_region_info *r);

/* ---- DEVICE_GET_IRQ_INFO ---- */
struct vfu_irq_info {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t count;
};
int vfu_irq_info_decode(const uint8_t *p, size_t n, struct vfu_irq_info *i);
void vfu_irq_info_encode(uint8_t p[ZV_VFU_IRQ_INFO_SIZE],
                         const struct vfu_irq_info *i);

/* ---- DEVICE_SET_IRQS ---- */
struct vfu_irq_set {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t start;
    uint32_t count;
    const uint8_t *data; /* inside the payload */
    size_t data_len;
};
/* argsz must equal the payload size (the spec's exception for SET_IRQS);
 * the data length must be what the data type says: count bytes for
 * DATA_BOOL, none otherwise (eventfds travel as SCM_RIGHTS). */
int vfu_irq_set_decode(const uint8_t *p, size_t n, struct vfu_irq_set *s);
/* Encodes the 20-byte head; data (data_len bytes) follows. */
void vfu_irq_set_encode(uint8_t p[ZV_VFU_IRQ_SET_SIZE],
                        const struct vfu_irq_set *s);

/* ---- REGION_READ / REGION_WRITE ---- */
struct vfu_region_rw {
    uint64_t offset;
    uint32_t region;
    uint32_t count;
    const uint8_t *data; /* inside the payload */
    size_t data_len;
};
/* with_data: the payload carries count bytes of data after the 16-byte
 * head (REGION_WRITE request, REGION_READ reply); otherwise exactly 16. */
int vfu_region_rw_decode(const uint8_t *p, size_t n, bool with_data,
                         struct vfu_region_rw *rw);
void vfu_region_rw_encode(uint8_t p[ZV_VFU_REGION_RW_SIZE],
                          const struct vfu_region_rw *rw);

/* Name of a command (for logs), "?" if unknown. */
const char *vfu_cmd_name(uint16_t cmd);

#endif
