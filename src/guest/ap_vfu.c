/* SPDX-License-Identifier: MIT */
#include "guest/ap_vfu.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch/ap.h"
#include "base/bytes.h"
#include "vfio/uapi.h"

/* Guest memory layout: the request, the reply, the QCI block. */
#define REQ_OFF  0x0000u
#define REP_OFF  0x4000u
#define QCI_OFF  0x8000u
#define BUF_MAX  0x4000u /* 16 KiB: above the bus's 12 KiB messages */
#define MEM_NEED 0x9000u

struct guest_ap {
    struct zv_vfu_client *c;
    int memfd, cfg_fd, req_fd;
    uint8_t *mem;
    uint64_t base, size;
    uint64_t psmid;
    unsigned cfg_changes, requests;
};

/* One instruction through the region: the block written, executed, read
 * back.  ZV_AP_INSN_OFF_RET is the server's "not executed" -errno. */
struct insn {
    uint8_t op, cc;
    uint16_t pic;
    uint64_t gr0, gr1, gr2, psmid, addr, len;
    bool more;
};

static int
insn_exec(struct guest_ap *g, struct insn *in)
{
    uint8_t b[ZV_AP_INSN_SIZE] = {0};
    ssize_t n;
    int32_t ret;

    b[ZV_AP_INSN_OFF_OP] = in->op;
    zv_put_be64(b + ZV_AP_INSN_OFF_GR0, in->gr0);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR1, in->gr1);
    zv_put_be64(b + ZV_AP_INSN_OFF_GR2, in->gr2);
    zv_put_be64(b + ZV_AP_INSN_OFF_PSMID, in->psmid);
    zv_put_be64(b + ZV_AP_INSN_OFF_ADDR, in->addr);
    zv_put_be64(b + ZV_AP_INSN_OFF_LEN, in->len);
    n = zv_vfu_client_region_write(g->c, ZV_VFIO_AP_INSN_REGION_INDEX, 0, b,
                                   sizeof(b));
    if (n < 0)
        return (int)n;
    n = zv_vfu_client_region_read(g->c, ZV_VFIO_AP_INSN_REGION_INDEX, 0, b,
                                  sizeof(b));
    if (n < 0)
        return (int)n;
    if (n != sizeof(b))
        return -EIO;
    ret = (int32_t)zv_be32(b + ZV_AP_INSN_OFF_RET);
    if (ret)
        return ret < 0 ? ret : -EIO;
    in->cc = b[ZV_AP_INSN_OFF_CC];
    in->pic = zv_be16(b + ZV_AP_INSN_OFF_PIC);
    in->gr1 = zv_be64(b + ZV_AP_INSN_OFF_GR1);
    in->gr2 = zv_be64(b + ZV_AP_INSN_OFF_GR2);
    in->psmid = zv_be64(b + ZV_AP_INSN_OFF_PSMID);
    in->len = zv_be64(b + ZV_AP_INSN_OFF_LEN);
    in->more = b[ZV_AP_INSN_OFF_FLAGS] & ZV_AP_INSN_F_MORE;
    return in->pic ? -EIO : 0;
}

static int
setup(struct guest_ap *g)
{
    struct zv_vfu_device_info di;
    struct zv_vfu_region_info ri;
    int rc;

    if ((rc = zv_vfu_client_device_info(g->c, &di)))
        return rc;
    if (!(di.flags & ZV_VFIO_DEVICE_FLAGS_AP) || di.num_regions < 1 ||
        di.num_irqs <= ZV_VFIO_AP_CFG_CHG_IRQ_INDEX)
        return -ENODEV;
    if ((rc = zv_vfu_client_region_info(g->c, ZV_VFIO_AP_INSN_REGION_INDEX, &ri,
                                        NULL, 0)))
        return rc;
    if (ri.size < ZV_AP_INSN_SIZE)
        return -ENODEV;
    g->memfd = zv_vfu_memfd_create("zvfio-guest-ap", g->size);
    if (g->memfd < 0)
        return g->memfd;
    g->mem =
        mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
    if (g->mem == MAP_FAILED) {
        g->mem = NULL;
        return -ENOMEM;
    }
    rc = zv_vfu_client_dma_map(g->c, g->memfd, 0, g->base, g->size,
                               ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE);
    if (rc)
        return rc;
    g->cfg_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    g->req_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (g->cfg_fd < 0 || g->req_fd < 0)
        return -errno;
    if ((rc = zv_vfu_client_set_irq_eventfd(g->c, ZV_VFIO_AP_CFG_CHG_IRQ_INDEX,
                                            g->cfg_fd)))
        return rc;
    return zv_vfu_client_set_irq_eventfd(g->c, ZV_VFIO_AP_REQ_IRQ_INDEX,
                                         g->req_fd);
}

int
guest_ap_new(struct zv_vfu_client *c, uint64_t mem_base, uint64_t mem_size,
             struct guest_ap **out)
{
    struct guest_ap *g;
    int rc;

    if (!c || mem_size < MEM_NEED || (mem_base | mem_size) & 0xfff) {
        zv_vfu_client_close(c);
        return -EINVAL;
    }
    g = calloc(1, sizeof(*g));
    if (!g) {
        zv_vfu_client_close(c);
        return -ENOMEM;
    }
    g->c = c;
    g->memfd = g->cfg_fd = g->req_fd = -1;
    g->base = mem_base;
    g->size = mem_size;
    g->psmid = 0x7a76000000000000ull; /* "zv" */
    rc = setup(g);
    if (rc) {
        guest_ap_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void
guest_ap_free(struct guest_ap *g)
{
    if (!g)
        return;
    zv_vfu_client_close(g->c);
    if (g->mem)
        munmap(g->mem, g->size);
    if (g->memfd >= 0)
        close(g->memfd);
    if (g->cfg_fd >= 0)
        close(g->cfg_fd);
    if (g->req_fd >= 0)
        close(g->req_fd);
    free(g);
}

static void
drain(int fd, unsigned *count)
{
    uint64_t n;

    /* A counter beyond 32 bits is one signal in the wrong byte order:
     * qemu-user swaps eventfd values only for the fds its process made,
     * so a big-endian server under it writes a received fd's counter
     * swapped.  Native hosts never get near that. */
    if (fd >= 0 && read(fd, &n, sizeof(n)) == sizeof(n))
        *count += n > UINT32_MAX ? 1u : (unsigned)n;
}

unsigned
guest_ap_cfg_changes(struct guest_ap *g)
{
    drain(g->cfg_fd, &g->cfg_changes);
    return g->cfg_changes;
}

unsigned
guest_ap_requests(struct guest_ap *g)
{
    drain(g->req_fd, &g->requests);
    return g->requests;
}

int
guest_ap_qci(struct guest_ap *g, struct ap_config *cfg)
{
    const struct ap_pqap_gr0 op = {.fc = AP_FC_QCI};
    struct insn in = {.op = ZV_AP_INSN_PQAP,
                      .gr0 = ap_pqap_gr0_encode(&op),
                      .gr2 = g->base + QCI_OFF};
    int rc;

    memset(g->mem + QCI_OFF, 0, AP_QCI_BLOCK_LEN);
    rc = insn_exec(g, &in);
    if (rc)
        return rc;
    if (in.cc)
        return -EIO;
    ap_config_decode(g->mem + QCI_OFF, cfg);
    return 0;
}

int
guest_ap_tapq(struct guest_ap *g, uint16_t apqn, struct ap_qstatus *st,
              struct ap_tapq_info *info)
{
    /* T: ask for the adapter information in GR2 as well */
    const struct ap_pqap_gr0 op = {.fc = AP_FC_TAPQ, .t = true, .apqn = apqn};
    struct insn in = {.op = ZV_AP_INSN_PQAP, .gr0 = ap_pqap_gr0_encode(&op)};
    int rc = insn_exec(g, &in);

    if (rc)
        return rc;
    ap_qstatus_decode((uint32_t)in.gr1, st);
    ap_tapq_info_decode(in.gr2, info);
    return 0;
}

static uint64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
guest_ap_request(struct guest_ap *g, uint16_t apqn, const void *req, size_t len,
                 void *reply, size_t reply_max, size_t *reply_len,
                 uint8_t *aprc, unsigned timeout_ms)
{
    struct insn in = {.op = ZV_AP_INSN_NQAP, .gr0 = apqn};
    uint64_t psmid = ++g->psmid, end = now_ms() + timeout_ms;
    unsigned nap = 20;
    struct ap_qstatus st;
    int rc;

    *aprc = 0;
    if (len > BUF_MAX)
        return -EMSGSIZE;
    memcpy(g->mem + REQ_OFF, req, len);
    in.psmid = psmid;
    in.addr = g->base + REQ_OFF;
    in.len = len;
    if ((rc = insn_exec(g, &in)))
        return rc;
    ap_qstatus_decode((uint32_t)in.gr1, &st);
    if (in.cc) {
        *aprc = st.rc;
        return -EIO;
    }
    for (;;) {
        in = (struct insn){.op = ZV_AP_INSN_DQAP,
                           .gr0 = apqn,
                           .addr = g->base + REP_OFF,
                           .len = BUF_MAX};
        if ((rc = insn_exec(g, &in)))
            return rc;
        ap_qstatus_decode((uint32_t)in.gr1, &st);
        if (in.cc == 0 && in.psmid == psmid && !in.more) {
            if (in.len > reply_max)
                return -EMSGSIZE;
            memcpy(reply, g->mem + REP_OFF, in.len);
            *reply_len = in.len;
            return 0;
        }
        /* another request's reply (one that timed out before) is
         * dropped, like zcrypt drops a reply nobody waits for */
        if (in.cc == 0)
            continue;
        if (st.rc != AP_RC_NO_PENDING_REPLY && st.rc != AP_RC_BUSY &&
            st.rc != AP_RC_RESET_IN_PROGRESS) {
            *aprc = st.rc;
            return -EIO;
        }
        if (now_ms() > end)
            return -ETIMEDOUT;
        usleep(nap);
        if (nap < 1000)
            nap *= 2;
    }
}
