/* SPDX-License-Identifier: MIT */
/*
 * vfu/msg: the vfio-user codec.  See msg.h.
 */
#include "vfu/msg.h"

#include <errno.h>
#include <string.h>

#include "vfio/uapi.h"

int
vfu_hdr_decode(const uint8_t p[ZV_VFU_HDR_SIZE], struct vfu_hdr *h)
{
    h->id = vfu_le16(p + ZV_VFU_HDR_OFF_ID);
    h->cmd = vfu_le16(p + ZV_VFU_HDR_OFF_CMD);
    h->size = vfu_le32(p + ZV_VFU_HDR_OFF_SIZE);
    h->flags = vfu_le32(p + ZV_VFU_HDR_OFF_FLAGS);
    h->error = vfu_le32(p + ZV_VFU_HDR_OFF_ERROR);
    return h->size < ZV_VFU_HDR_SIZE ? -EINVAL : 0;
}

void
vfu_hdr_encode(uint8_t p[ZV_VFU_HDR_SIZE], const struct vfu_hdr *h)
{
    vfu_put_le16(p + ZV_VFU_HDR_OFF_ID, h->id);
    vfu_put_le16(p + ZV_VFU_HDR_OFF_CMD, h->cmd);
    vfu_put_le32(p + ZV_VFU_HDR_OFF_SIZE, h->size);
    vfu_put_le32(p + ZV_VFU_HDR_OFF_FLAGS, h->flags);
    vfu_put_le32(p + ZV_VFU_HDR_OFF_ERROR, h->error);
}

int
vfu_version_decode(const uint8_t *p, size_t n, struct vfu_version *v)
{
    size_t jlen;

    if (n < ZV_VFU_VERSION_OFF_JSON)
        return -EINVAL;
    v->major = vfu_le16(p + ZV_VFU_VERSION_OFF_MAJOR);
    v->minor = vfu_le16(p + ZV_VFU_VERSION_OFF_MINOR);
    v->json = NULL;
    jlen = n - ZV_VFU_VERSION_OFF_JSON;
    if (jlen == 0)
        return 0;
    /* one NUL, at the very end: no hidden bytes after the string */
    if (memchr(p + ZV_VFU_VERSION_OFF_JSON, '\0', jlen) !=
        p + ZV_VFU_VERSION_OFF_JSON + jlen - 1)
        return -EINVAL;
    v->json = (const char *)p + ZV_VFU_VERSION_OFF_JSON;
    return 0;
}

int
vfu_version_encode(uint8_t *p, size_t room, const struct vfu_version *v)
{
    size_t jlen = v->json ? strlen(v->json) + 1 : 0;

    if (room < ZV_VFU_VERSION_OFF_JSON + jlen)
        return -ENOSPC;
    vfu_put_le16(p + ZV_VFU_VERSION_OFF_MAJOR, v->major);
    vfu_put_le16(p + ZV_VFU_VERSION_OFF_MINOR, v->minor);
    if (jlen)
        memcpy(p + ZV_VFU_VERSION_OFF_JSON, v->json, jlen);
    return (int)(ZV_VFU_VERSION_OFF_JSON + jlen);
}

int
vfu_dma_map_decode(const uint8_t *p, size_t n, struct vfu_dma_map *m)
{
    if (n != ZV_VFU_DMA_MAP_SIZE)
        return -EINVAL;
    m->argsz = vfu_le32(p + ZV_VFU_DMA_MAP_OFF_ARGSZ);
    m->flags = vfu_le32(p + ZV_VFU_DMA_MAP_OFF_FLAGS);
    m->offset = vfu_le64(p + ZV_VFU_DMA_MAP_OFF_OFFSET);
    m->addr = vfu_le64(p + ZV_VFU_DMA_MAP_OFF_ADDR);
    m->size = vfu_le64(p + ZV_VFU_DMA_MAP_OFF_SIZE);
    /* DMA_MAP has no reply payload: argsz is the request's size */
    return m->argsz == ZV_VFU_DMA_MAP_SIZE ? 0 : -EINVAL;
}

void
vfu_dma_map_encode(uint8_t p[ZV_VFU_DMA_MAP_SIZE], const struct vfu_dma_map *m)
{
    vfu_put_le32(p + ZV_VFU_DMA_MAP_OFF_ARGSZ, m->argsz);
    vfu_put_le32(p + ZV_VFU_DMA_MAP_OFF_FLAGS, m->flags);
    vfu_put_le64(p + ZV_VFU_DMA_MAP_OFF_OFFSET, m->offset);
    vfu_put_le64(p + ZV_VFU_DMA_MAP_OFF_ADDR, m->addr);
    vfu_put_le64(p + ZV_VFU_DMA_MAP_OFF_SIZE, m->size);
}

int
vfu_dma_unmap_decode(const uint8_t *p, size_t n, struct vfu_dma_unmap *m)
{
    if (n != ZV_VFU_DMA_UNMAP_SIZE)
        return -EINVAL;
    m->argsz = vfu_le32(p + ZV_VFU_DMA_UNMAP_OFF_ARGSZ);
    m->flags = vfu_le32(p + ZV_VFU_DMA_UNMAP_OFF_FLAGS);
    m->addr = vfu_le64(p + ZV_VFU_DMA_UNMAP_OFF_ADDR);
    m->size = vfu_le64(p + ZV_VFU_DMA_UNMAP_OFF_SIZE);
    /* argsz: the largest reply accepted; the reply echoes 24 bytes */
    return m->argsz < ZV_VFU_DMA_UNMAP_SIZE ? -EINVAL : 0;
}

void
vfu_dma_unmap_encode(uint8_t p[ZV_VFU_DMA_UNMAP_SIZE],
                     const struct vfu_dma_unmap *m)
{
    vfu_put_le32(p + ZV_VFU_DMA_UNMAP_OFF_ARGSZ, m->argsz);
    vfu_put_le32(p + ZV_VFU_DMA_UNMAP_OFF_FLAGS, m->flags);
    vfu_put_le64(p + ZV_VFU_DMA_UNMAP_OFF_ADDR, m->addr);
    vfu_put_le64(p + ZV_VFU_DMA_UNMAP_OFF_SIZE, m->size);
}

int
vfu_device_info_decode(const uint8_t *p, size_t n, struct vfu_device_info *d)
{
    if (n != ZV_VFU_DEVICE_INFO_SIZE)
        return -EINVAL;
    d->argsz = vfu_le32(p + ZV_VFU_DEVICE_INFO_OFF_ARGSZ);
    d->flags = vfu_le32(p + ZV_VFU_DEVICE_INFO_OFF_FLAGS);
    d->num_regions = vfu_le32(p + ZV_VFU_DEVICE_INFO_OFF_NUM_REGIONS);
    d->num_irqs = vfu_le32(p + ZV_VFU_DEVICE_INFO_OFF_NUM_IRQS);
    return d->argsz < ZV_VFU_DEVICE_INFO_SIZE ? -EINVAL : 0;
}

void
vfu_device_info_encode(uint8_t p[ZV_VFU_DEVICE_INFO_SIZE],
                       const struct vfu_device_info *d)
{
    vfu_put_le32(p + ZV_VFU_DEVICE_INFO_OFF_ARGSZ, d->argsz);
    vfu_put_le32(p + ZV_VFU_DEVICE_INFO_OFF_FLAGS, d->flags);
    vfu_put_le32(p + ZV_VFU_DEVICE_INFO_OFF_NUM_REGIONS, d->num_regions);
    vfu_put_le32(p + ZV_VFU_DEVICE_INFO_OFF_NUM_IRQS, d->num_irqs);
}

int
vfu_region_info_decode(const uint8_t *p, size_t n, bool exact,
                       struct vfu_region_info *r)
{
    if (n < ZV_VFU_REGION_INFO_SIZE || (exact && n != ZV_VFU_REGION_INFO_SIZE))
        return -EINVAL;
    r->argsz = vfu_le32(p + ZV_VFU_REGION_INFO_OFF_ARGSZ);
    r->flags = vfu_le32(p + ZV_VFU_REGION_INFO_OFF_FLAGS);
    r->index = vfu_le32(p + ZV_VFU_REGION_INFO_OFF_INDEX);
    r->cap_offset = vfu_le32(p + ZV_VFU_REGION_INFO_OFF_CAP_OFFSET);
    r->size = vfu_le64(p + ZV_VFU_REGION_INFO_OFF_SIZE);
    r->offset = vfu_le64(p + ZV_VFU_REGION_INFO_OFF_OFFSET);
    return r->argsz < ZV_VFU_REGION_INFO_SIZE ? -EINVAL : 0;
}

void
vfu_region_info_encode(uint8_t p[ZV_VFU_REGION_INFO_SIZE],
                       const struct vfu_region_info *r)
{
    vfu_put_le32(p + ZV_VFU_REGION_INFO_OFF_ARGSZ, r->argsz);
    vfu_put_le32(p + ZV_VFU_REGION_INFO_OFF_FLAGS, r->flags);
    vfu_put_le32(p + ZV_VFU_REGION_INFO_OFF_INDEX, r->index);
    vfu_put_le32(p + ZV_VFU_REGION_INFO_OFF_CAP_OFFSET, r->cap_offset);
    vfu_put_le64(p + ZV_VFU_REGION_INFO_OFF_SIZE, r->size);
    vfu_put_le64(p + ZV_VFU_REGION_INFO_OFF_OFFSET, r->offset);
}

int
vfu_irq_info_decode(const uint8_t *p, size_t n, struct vfu_irq_info *i)
{
    if (n != ZV_VFU_IRQ_INFO_SIZE)
        return -EINVAL;
    i->argsz = vfu_le32(p + ZV_VFU_IRQ_INFO_OFF_ARGSZ);
    i->flags = vfu_le32(p + ZV_VFU_IRQ_INFO_OFF_FLAGS);
    i->index = vfu_le32(p + ZV_VFU_IRQ_INFO_OFF_INDEX);
    i->count = vfu_le32(p + ZV_VFU_IRQ_INFO_OFF_COUNT);
    return i->argsz < ZV_VFU_IRQ_INFO_SIZE ? -EINVAL : 0;
}

void
vfu_irq_info_encode(uint8_t p[ZV_VFU_IRQ_INFO_SIZE],
                    const struct vfu_irq_info *i)
{
    vfu_put_le32(p + ZV_VFU_IRQ_INFO_OFF_ARGSZ, i->argsz);
    vfu_put_le32(p + ZV_VFU_IRQ_INFO_OFF_FLAGS, i->flags);
    vfu_put_le32(p + ZV_VFU_IRQ_INFO_OFF_INDEX, i->index);
    vfu_put_le32(p + ZV_VFU_IRQ_INFO_OFF_COUNT, i->count);
}

int
vfu_irq_set_decode(const uint8_t *p, size_t n, struct vfu_irq_set *s)
{
    uint32_t dtype;

    if (n < ZV_VFU_IRQ_SET_SIZE)
        return -EINVAL;
    s->argsz = vfu_le32(p + ZV_VFU_IRQ_SET_OFF_ARGSZ);
    s->flags = vfu_le32(p + ZV_VFU_IRQ_SET_OFF_FLAGS);
    s->index = vfu_le32(p + ZV_VFU_IRQ_SET_OFF_INDEX);
    s->start = vfu_le32(p + ZV_VFU_IRQ_SET_OFF_START);
    s->count = vfu_le32(p + ZV_VFU_IRQ_SET_OFF_COUNT);
    s->data = p + ZV_VFU_IRQ_SET_OFF_DATA;
    s->data_len = n - ZV_VFU_IRQ_SET_SIZE;
    if (s->argsz != n)
        return -EINVAL;
    dtype = s->flags & ZV_VFIO_IRQ_SET_DATA_TYPE_MASK;
    if (dtype == ZV_VFIO_IRQ_SET_DATA_BOOL)
        return s->data_len == s->count ? 0 : -EINVAL;
    return s->data_len == 0 ? 0 : -EINVAL;
}

void
vfu_irq_set_encode(uint8_t p[ZV_VFU_IRQ_SET_SIZE], const struct vfu_irq_set *s)
{
    vfu_put_le32(p + ZV_VFU_IRQ_SET_OFF_ARGSZ, s->argsz);
    vfu_put_le32(p + ZV_VFU_IRQ_SET_OFF_FLAGS, s->flags);
    vfu_put_le32(p + ZV_VFU_IRQ_SET_OFF_INDEX, s->index);
    vfu_put_le32(p + ZV_VFU_IRQ_SET_OFF_START, s->start);
    vfu_put_le32(p + ZV_VFU_IRQ_SET_OFF_COUNT, s->count);
}

int
vfu_region_rw_decode(const uint8_t *p, size_t n, bool with_data,
                     struct vfu_region_rw *rw)
{
    if (n < ZV_VFU_REGION_RW_SIZE)
        return -EINVAL;
    rw->offset = vfu_le64(p + ZV_VFU_REGION_RW_OFF_OFFSET);
    rw->region = vfu_le32(p + ZV_VFU_REGION_RW_OFF_REGION);
    rw->count = vfu_le32(p + ZV_VFU_REGION_RW_OFF_COUNT);
    rw->data = p + ZV_VFU_REGION_RW_OFF_DATA;
    rw->data_len = n - ZV_VFU_REGION_RW_SIZE;
    if (with_data)
        return rw->data_len == rw->count ? 0 : -EINVAL;
    return rw->data_len == 0 ? 0 : -EINVAL;
}

void
vfu_region_rw_encode(uint8_t p[ZV_VFU_REGION_RW_SIZE],
                     const struct vfu_region_rw *rw)
{
    vfu_put_le64(p + ZV_VFU_REGION_RW_OFF_OFFSET, rw->offset);
    vfu_put_le32(p + ZV_VFU_REGION_RW_OFF_REGION, rw->region);
    vfu_put_le32(p + ZV_VFU_REGION_RW_OFF_COUNT, rw->count);
}

const char *
vfu_cmd_name(uint16_t cmd)
{
    static const char *const names[] = {
        [ZV_VFU_CMD_VERSION] = "VERSION",
        [ZV_VFU_CMD_DMA_MAP] = "DMA_MAP",
        [ZV_VFU_CMD_DMA_UNMAP] = "DMA_UNMAP",
        [ZV_VFU_CMD_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
        [ZV_VFU_CMD_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
        [ZV_VFU_CMD_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
        [ZV_VFU_CMD_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
        [ZV_VFU_CMD_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
        [ZV_VFU_CMD_REGION_READ] = "REGION_READ",
        [ZV_VFU_CMD_REGION_WRITE] = "REGION_WRITE",
        [ZV_VFU_CMD_DMA_READ] = "DMA_READ",
        [ZV_VFU_CMD_DMA_WRITE] = "DMA_WRITE",
        [ZV_VFU_CMD_DEVICE_RESET] = "DEVICE_RESET",
        [ZV_VFU_CMD_DIRTY_PAGES] = "DIRTY_PAGES",
        [ZV_VFU_CMD_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
        [ZV_VFU_CMD_DEVICE_FEATURE] = "DEVICE_FEATURE",
        [ZV_VFU_CMD_MIG_DATA_READ] = "MIG_DATA_READ",
        [ZV_VFU_CMD_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
    };

    if (cmd >= sizeof(names) / sizeof(names[0]) || !names[cmd])
        return "?";
    return names[cmd];
}
