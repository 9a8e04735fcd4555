/* SPDX-License-Identifier: MIT */
/*
 * vfu/server_cmd: the vfio-user commands on a zv_vdev.  Every handler
 * gets a complete message whose payload length the framing checked
 * against VFU_SRV_MAX_MSG; each decodes it strictly and answers with a
 * reply or an error reply carrying the errno.
 */
#include "vfu/server_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

#define SRV_PAGE 4096u
/* How long VERSION waits for a device still quiescing after the last
 * client (its close may need the host to finish a clear). */
#define SRV_OPEN_RETRY_NS (1 * ZV_NSEC_PER_MSEC)
#define SRV_OPEN_TRIES    2000

static uint8_t *
srv_payload(struct zv_vfu_server *s)
{
    return vfu_srv_payload(s);
}

/* ---- VERSION ---------------------------------------------------------- */

static void
srv_version_reply(struct zv_vfu_server *s)
{
    struct vfu_conn *c = &s->conn;
    struct vfu_caps ours = {
        .max_msg_fds = ZV_VFU_SERVER_MAX_MSG_FDS,
        .max_data_xfer_size = ZV_VFU_SERVER_MAX_DATA_XFER,
        .max_dma_maps = ZV_VDEV_MAX_DMA_MAPS,
        .pgsizes = SRV_PAGE,
    };
    char json[256];
    struct vfu_version v = {
        .major = ZV_VFU_VERSION_MAJOR, .minor = c->minor, .json = json};
    int n;

    if (vfu_caps_format(&ours, json, sizeof(json)) < 0) {
        vfu_srv_reply_err(s, &c->version, EINVAL);
        return;
    }
    n = vfu_version_encode(srv_payload(s), VFU_SRV_MAX_MSG - ZV_VFU_HDR_SIZE,
                           &v);
    c->negotiated = true;
    vfu_srv_reply(s, &c->version, (size_t)n);
}

/* Open the device for this client; -EBUSY means "still quiescing". */
static void
srv_open_retry(void *arg)
{
    struct zv_vfu_server *s = arg;
    struct vfu_conn *c = &s->conn;
    int rc = zv_vdev_open(s->vd);

    c->open_timer = 0;
    if (rc == -EBUSY && ++c->open_tries < SRV_OPEN_TRIES) {
        c->open_timer =
            zv_loop_after(s->loop, SRV_OPEN_RETRY_NS, srv_open_retry, s);
        if (c->open_timer)
            return;
        rc = -ENOMEM;
    }
    if (rc < 0) {
        vfu_srv_reply_err(s, &c->version, rc);
    } else {
        c->opened = true;
        srv_version_reply(s);
    }
    vfu_srv_resume(s);
}

static void
srv_version(struct zv_vfu_server *s, const struct vfu_hdr *h, const uint8_t *p,
            size_t n)
{
    struct vfu_conn *c = &s->conn;
    struct vfu_version v;
    int rc;

    if (c->negotiated || c->nfds || vfu_version_decode(p, n, &v) < 0 ||
        v.major != ZV_VFU_VERSION_MAJOR) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    vfu_caps_default(&c->peer);
    if (v.json) {
        rc = vfu_caps_parse(v.json, &c->peer);
        /* DMA maps are in 4 KiB pages: a client must offer them */
        if (rc < 0 || !(c->peer.pgsizes & SRV_PAGE)) {
            vfu_srv_reply_err(s, h, rc < 0 ? -rc : EINVAL);
            return;
        }
    }
    c->minor = v.minor < ZV_VFU_VERSION_MINOR ? v.minor : ZV_VFU_VERSION_MINOR;
    c->version = *h;
    c->open_tries = 0;
    if (vfu_srv_watch(s, 0) < 0) {
        vfu_srv_reply_err(s, h, ENOMEM);
        return;
    }
    /* runs at once; a device still busy from the last client retries */
    c->open_timer = zv_loop_post(s->loop, srv_open_retry, s);
    if (!c->open_timer) {
        vfu_srv_reply_err(s, h, ENOMEM);
        vfu_srv_resume(s);
    }
}

/* ---- DMA -------------------------------------------------------------- */

/* Is the client's fd something we may map [off, off+len) of for good? */
static int
srv_dma_fd_ok(int fd, uint64_t off, uint64_t len)
{
    struct stat st;
    int seals;

    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL; /* a pipe, socket, eventfd, device... */
    if (off > (uint64_t)st.st_size || len > (uint64_t)st.st_size - off)
        return -EINVAL; /* pages past the end would fault (SIGBUS) */
    /* A memfd that may shrink could fault us the same way later. */
    seals = fcntl(fd, F_GET_SEALS);
    if (seals >= 0 && !(seals & F_SEAL_SHRINK))
        return -EINVAL;
    return 0;
}

static int
srv_dma_add(struct vfu_conn *c, uint64_t iova, uint64_t len, void *host)
{
    if (c->ndma == c->dma_cap) {
        size_t cap = c->dma_cap ? c->dma_cap * 2 : 16;
        struct vfu_dma *d = realloc(c->dma, cap * sizeof(*d));

        if (!d)
            return -ENOMEM;
        c->dma = d;
        c->dma_cap = cap;
    }
    c->dma[c->ndma++] =
        (struct vfu_dma){.iova = iova, .len = len, .host = host};
    return 0;
}

static int
srv_dma_map(struct zv_vfu_server *s, const struct vfu_dma_map *m)
{
    struct vfu_conn *c = &s->conn;
    const uint32_t rw = ZV_VFU_DMA_FLAG_READ | ZV_VFU_DMA_FLAG_WRITE;
    unsigned prot = 0;
    int mprot = 0, rc;
    void *host;

    if ((m->flags & ~rw) || !(m->flags & rw) || !m->size ||
        (m->addr | m->size | m->offset) % SRV_PAGE ||
        m->addr + m->size < m->addr || m->size > SIZE_MAX)
        return -EINVAL;
    if (c->nfds == 0)
        return -ENOTSUP; /* message-based DMA (DMA_READ/WRITE): not served */
    if (c->nfds != 1 || c->fd_overflow)
        return -EINVAL;
    rc = srv_dma_fd_ok(c->fds[0], m->offset, m->size);
    if (rc < 0)
        return rc;
    if (m->flags & ZV_VFU_DMA_FLAG_READ) {
        prot |= ZV_MEM_READ;
        mprot |= PROT_READ;
    }
    if (m->flags & ZV_VFU_DMA_FLAG_WRITE) {
        prot |= ZV_MEM_WRITE;
        mprot |= PROT_WRITE;
    }
    host = mmap(NULL, (size_t)m->size, mprot, MAP_SHARED, c->fds[0],
                (off_t)m->offset);
    if (host == MAP_FAILED)
        return -errno;
    rc = srv_dma_add(c, m->addr, m->size, host);
    if (rc == 0) {
        rc = zv_vdev_dma_map(s->vd, m->addr, m->size, host, prot);
        if (rc < 0)
            c->ndma--;
    }
    if (rc < 0)
        munmap(host, (size_t)m->size);
    return rc;
}

static void
srv_cmd_dma_map(struct zv_vfu_server *s, const struct vfu_hdr *h,
                const uint8_t *p, size_t n)
{
    struct vfu_dma_map m;
    int rc = vfu_dma_map_decode(p, n, &m);

    if (rc == 0)
        rc = srv_dma_map(s, &m);
    if (rc < 0)
        vfu_srv_reply_err(s, h, rc);
    else
        vfu_srv_reply(s, h, 0);
}

static void
srv_dma_remove(struct zv_vfu_server *s, size_t i)
{
    struct vfu_conn *c = &s->conn;

    zv_vdev_dma_unmap(s->vd, c->dma[i].iova, c->dma[i].len);
    munmap(c->dma[i].host, c->dma[i].len);
    c->dma[i] = c->dma[--c->ndma];
}

static int
srv_dma_unmap(struct zv_vfu_server *s, const struct vfu_dma_unmap *m)
{
    struct vfu_conn *c = &s->conn;

    if (c->nfds)
        return -EINVAL;
    if (m->flags == ZV_VFU_DMA_UNMAP_FLAG_ALL) {
        if (m->addr || m->size)
            return -EINVAL;
        while (c->ndma)
            srv_dma_remove(s, c->ndma - 1);
        return 0;
    }
    if (m->flags)
        return -EINVAL;
    /* the spec: address and size match one earlier map exactly */
    for (size_t i = 0; i < c->ndma; i++) {
        if (c->dma[i].iova == m->addr && c->dma[i].len == m->size) {
            srv_dma_remove(s, i);
            return 0;
        }
    }
    return -ENOENT;
}

static void
srv_cmd_dma_unmap(struct zv_vfu_server *s, const struct vfu_hdr *h,
                  const uint8_t *p, size_t n)
{
    struct vfu_dma_unmap m;
    int rc = vfu_dma_unmap_decode(p, n, &m);

    if (rc == 0)
        rc = srv_dma_unmap(s, &m);
    if (rc < 0) {
        vfu_srv_reply_err(s, h, rc);
        return;
    }
    m.argsz = ZV_VFU_DMA_UNMAP_SIZE;
    vfu_dma_unmap_encode(srv_payload(s), &m);
    vfu_srv_reply(s, h, ZV_VFU_DMA_UNMAP_SIZE);
}

/* ---- info ------------------------------------------------------------- */

static void
srv_cmd_device_info(struct zv_vfu_server *s, const struct vfu_hdr *h,
                    const uint8_t *p, size_t n)
{
    struct vfu_device_info d;
    struct zv_vdev_info info;

    if (s->conn.nfds || vfu_device_info_decode(p, n, &d) < 0) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    zv_vdev_get_info(s->vd, &info);
    d = (struct vfu_device_info){.argsz = ZV_VFU_DEVICE_INFO_SIZE,
                                 .flags = info.flags,
                                 .num_regions = info.num_regions,
                                 .num_irqs = info.num_irqs};
    vfu_device_info_encode(srv_payload(s), &d);
    vfu_srv_reply(s, h, ZV_VFU_DEVICE_INFO_SIZE);
}

/*
 * The capability chain follows the fixed part when the client's argsz has
 * room for it; otherwise, as the kernel does, argsz says how much is
 * needed and cap_offset is 0 (the CAPS flag stays set).
 */
static void
srv_cmd_region_info(struct zv_vfu_server *s, const struct vfu_hdr *h,
                    const uint8_t *p, size_t n)
{
    uint8_t *out = srv_payload(s);
    size_t room = VFU_SRV_MAX_MSG - ZV_VFU_HDR_SIZE - ZV_VFU_REGION_INFO_SIZE;
    struct vfu_region_info r;
    struct zv_vdev_region_info ri;
    size_t need;
    int rc;

    if (s->conn.nfds || vfu_region_info_decode(p, n, true, &r) < 0) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    rc = zv_vdev_get_region_info(s->vd, r.index, &ri,
                                 out + ZV_VFU_REGION_INFO_SIZE, room);
    if (rc == 0 && ri.cap_len > room)
        rc = -ENOSPC;
    if (rc < 0) {
        vfu_srv_reply_err(s, h, rc);
        return;
    }
    need = ZV_VFU_REGION_INFO_SIZE + ri.cap_len;
    r = (struct vfu_region_info){.argsz = (uint32_t)need,
                                 .flags = ri.flags,
                                 .index = ri.index,
                                 .size = ri.size};
    if (ri.cap_len && r.argsz <= vfu_le32(p + ZV_VFU_REGION_INFO_OFF_ARGSZ))
        r.cap_offset = ZV_VFU_REGION_INFO_SIZE;
    else
        need = ZV_VFU_REGION_INFO_SIZE;
    vfu_region_info_encode(out, &r);
    vfu_srv_reply(s, h, need);
}

static void
srv_cmd_irq_info(struct zv_vfu_server *s, const struct vfu_hdr *h,
                 const uint8_t *p, size_t n)
{
    struct vfu_irq_info i;
    struct zv_vdev_irq_info ii;
    int rc;

    if (s->conn.nfds || vfu_irq_info_decode(p, n, &i) < 0) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    rc = zv_vdev_get_irq_info(s->vd, i.index, &ii);
    if (rc < 0) {
        vfu_srv_reply_err(s, h, rc);
        return;
    }
    i = (struct vfu_irq_info){.argsz = ZV_VFU_IRQ_INFO_SIZE,
                              .flags = ii.flags,
                              .index = ii.index,
                              .count = ii.count};
    vfu_irq_info_encode(srv_payload(s), &i);
    vfu_srv_reply(s, h, ZV_VFU_IRQ_INFO_SIZE);
}

/* ---- IRQs ------------------------------------------------------------- */

/*
 * DATA_EVENTFD: count fds, or none to de-assign.  The vdev checks each is
 * an eventfd and keeps its own duplicate; ours are closed by the caller.
 */
static int
srv_set_irqs(struct zv_vfu_server *s, const struct vfu_irq_set *is)
{
    struct vfu_conn *c = &s->conn;
    uint32_t dtype = is->flags & ZV_VFIO_IRQ_SET_DATA_TYPE_MASK;
    int32_t fds[VFU_SRV_MAX_FDS];

    if (c->fd_overflow)
        return -EINVAL;
    if (dtype != ZV_VFIO_IRQ_SET_DATA_EVENTFD)
        return c->nfds ? -EINVAL
                       : zv_vdev_set_irqs(s->vd, is->flags, is->index,
                                          is->start, is->count, is->data);
    if (is->count > VFU_SRV_MAX_FDS || (c->nfds && c->nfds != is->count))
        return -EINVAL;
    for (size_t i = 0; i < is->count; i++)
        fds[i] = c->nfds ? c->fds[i] : -1;
    return zv_vdev_set_irqs(s->vd, is->flags, is->index, is->start, is->count,
                            fds);
}

static void
srv_cmd_set_irqs(struct zv_vfu_server *s, const struct vfu_hdr *h,
                 const uint8_t *p, size_t n)
{
    struct vfu_irq_set is;
    int rc = vfu_irq_set_decode(p, n, &is);

    if (rc == 0)
        rc = srv_set_irqs(s, &is);
    if (rc < 0)
        vfu_srv_reply_err(s, h, rc);
    else
        vfu_srv_reply(s, h, 0);
}

/* ---- regions and reset ------------------------------------------------ */

static void
srv_cmd_region_read(struct zv_vfu_server *s, const struct vfu_hdr *h,
                    const uint8_t *p, size_t n)
{
    uint8_t *out = srv_payload(s);
    struct vfu_region_rw rw;
    ssize_t rc;

    if (s->conn.nfds || vfu_region_rw_decode(p, n, false, &rw) < 0 ||
        rw.count == 0 || rw.count > ZV_VFU_SERVER_MAX_DATA_XFER) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    rc = zv_vdev_region_read(s->vd, rw.region, rw.offset,
                             out + ZV_VFU_REGION_RW_SIZE, rw.count);
    if (rc < 0) {
        vfu_srv_reply_err(s, h, (int)rc);
        return;
    }
    rw.count = (uint32_t)rc;
    vfu_region_rw_encode(out, &rw);
    vfu_srv_reply(s, h, ZV_VFU_REGION_RW_SIZE + rw.count);
}

static void
srv_cmd_region_write(struct zv_vfu_server *s, const struct vfu_hdr *h,
                     const uint8_t *p, size_t n)
{
    struct vfu_region_rw rw;
    ssize_t rc;

    if (s->conn.nfds || vfu_region_rw_decode(p, n, true, &rw) < 0 ||
        rw.count == 0 || rw.count > ZV_VFU_SERVER_MAX_DATA_XFER) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    rc = zv_vdev_region_write(s->vd, rw.region, rw.offset, rw.data, rw.count);
    if (rc < 0) {
        vfu_srv_reply_err(s, h, (int)rc);
        return;
    }
    rw.count = (uint32_t)rc;
    vfu_region_rw_encode(srv_payload(s), &rw);
    /* A client that sent a read right behind the write (a batch: the
     * SSCH and the I/O region) wants what the write started to have run
     * as far as it can without waiting before the read is served, so the
     * read finds the status: the reply, and the read behind it, are held
     * back until then (vfu_srv_reply).  A write alone is answered at
     * once: its client (QEMU's vCPU in an SSCH) waits for nothing else,
     * and the program runs while the reply travels. */
    s->conn.defer = vfu_srv_read_follows(s);
    vfu_srv_reply(s, h, ZV_VFU_REGION_RW_SIZE);
    s->conn.defer = false;
}

static void
srv_cmd_reset(struct zv_vfu_server *s, const struct vfu_hdr *h,
              const uint8_t *p, size_t n)
{
    int rc = (n || s->conn.nfds) ? -EINVAL : zv_vdev_reset(s->vd);

    if (rc < 0)
        vfu_srv_reply_err(s, h, rc);
    else
        vfu_srv_reply(s, h, 0);
}

/* ---- dispatch --------------------------------------------------------- */

typedef void (*srv_cmd_fn)(struct zv_vfu_server *s, const struct vfu_hdr *h,
                           const uint8_t *p, size_t n);

static const srv_cmd_fn srv_cmds[ZV_VFU_CMD_MAX + 1] = {
    [ZV_VFU_CMD_DMA_MAP] = srv_cmd_dma_map,
    [ZV_VFU_CMD_DMA_UNMAP] = srv_cmd_dma_unmap,
    [ZV_VFU_CMD_DEVICE_GET_INFO] = srv_cmd_device_info,
    [ZV_VFU_CMD_DEVICE_GET_REGION_INFO] = srv_cmd_region_info,
    [ZV_VFU_CMD_DEVICE_GET_IRQ_INFO] = srv_cmd_irq_info,
    [ZV_VFU_CMD_DEVICE_SET_IRQS] = srv_cmd_set_irqs,
    [ZV_VFU_CMD_REGION_READ] = srv_cmd_region_read,
    [ZV_VFU_CMD_REGION_WRITE] = srv_cmd_region_write,
    [ZV_VFU_CMD_DEVICE_RESET] = srv_cmd_reset,
};

void
vfu_srv_dispatch(struct zv_vfu_server *s, const struct vfu_hdr *h,
                 const uint8_t *p, size_t n)
{
    uint32_t type = h->flags & ZV_VFU_F_TYPE_MASK;

    if (type == ZV_VFU_F_TYPE_REPLY) {
        /* We never send requests (no DMA_READ/WRITE): nothing to match. */
        s->stats.ignored++;
        return;
    }
    s->stats.messages++;
    if (type != ZV_VFU_F_TYPE_COMMAND || h->cmd == 0 ||
        h->cmd > ZV_VFU_CMD_MAX) {
        vfu_srv_reply_err(s, h, EINVAL);
        return;
    }
    if (h->cmd == ZV_VFU_CMD_VERSION) {
        srv_version(s, h, p, n);
        return;
    }
    if (!s->conn.negotiated) {
        vfu_srv_reply_err(s, h, EINVAL); /* VERSION comes first */
        return;
    }
    if (!srv_cmds[h->cmd]) {
        vfu_srv_reply_err(s, h, ENOTSUP);
        return;
    }
    srv_cmds[h->cmd](s, h, p, n);
}
