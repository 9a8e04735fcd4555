/* SPDX-License-Identifier: MIT */
/*
 * vfio_ccw private declarations shared by drv.c (css driver, parents),
 * ops.c (vdev ops and regions), fsm.c (the state machine), chp.c (paths,
 * CRWs, SCHIB region) and dma.c (DMA maps and pinning).
 *
 * Objects (after the kernel's 2022 parent rework, vfio-ccw.md §6.1):
 *  - struct vccw_parent: one per bound subchannel, lives from probe() to
 *    remove(); owns the mdev parent.
 *  - struct vccw_private: one per mdev instance, reference counted (the
 *    vdev holds one, every posted loop event holds one).  Host callbacks
 *    reach it only through parent->priv, which is cleared when the vdev is
 *    unregistered: no callback reaches freed or half-built state.
 * Everything runs on the css loop (principle 2): no locks.
 */
#ifndef ZV_VFIO_CCW_PRIV_H
#define ZV_VFIO_CCW_PRIV_H

#include "vfio_ccw/cp.h"
#include "vfio_ccw/vfio_ccw.h"

enum vccw_state {
    VCCW_NOT_OPER,       /* subchannel gone: terminal */
    VCCW_CLOSED,         /* no user; host subchannel disabled */
    VCCW_IDLE,           /* open, FC = 0, no status for the client */
    VCCW_STATUS_PENDING, /* open, FC = 0, status queued (SSCH: cc 1) */
    VCCW_START,          /* start function in progress, program live */
    VCCW_HALT,           /* halt in progress (+ start if a program lives) */
    VCCW_CLEAR,          /* clear in progress (supersedes start, halt) */
    VCCW_NR_STATES,
};

enum vccw_event {
    VCCW_EV_OPEN,
    VCCW_EV_CLOSE,
    VCCW_EV_NOT_OPER,     /* subchannel gone */
    VCCW_EV_SSCH,         /* I/O region write with FC start */
    VCCW_EV_HSCH,         /* async region: HSCH */
    VCCW_EV_CSCH,         /* async region: CSCH */
    VCCW_EV_IRQ_UNSOL,    /* unsolicited (alert) status */
    VCCW_EV_IRQ_INTERM,   /* solicited, function still in progress (PCI) */
    VCCW_EV_IRQ_FINAL,    /* solicited, the function(s) in it ended */
    VCCW_EV_IRQ_QUIESCED, /* completion of a clear we issued to quiesce */
    VCCW_EV_IRQ_STALE,    /* status the host presented before the latest
                             accepted CSCH or close: discarded */
    VCCW_EV_IRB_READ,     /* the client read the IRB area */
    VCCW_NR_EVENTS,
};

struct vccw_parent;

/* Host IRBs waiting for the io work: the host presents one interruption
 * per status, and the work runs right after; a full ring is handled in
 * place (vccw_irq). */
#define VCCW_HIRB_MAX 8

struct vccw_dma {
    struct vccw_dma *next;
    uint64_t iova;
    uint64_t len;
    uint64_t habs; /* host absolute address of iova */
};

struct vccw_private {
    unsigned refs;
    struct zv_vfio_ccw *drv;
    struct vccw_parent *parent; /* NULL once detached */
    struct subchannel *sch;     /* css_sch_get() reference */
    struct zv_loop *loop;
    struct zv_vdev *vd; /* NULL after release */
    enum vccw_state state;

    /* the live translated program and its serial */
    struct cp *cp;
    struct cp *cp_spare; /* storage of a freed program, reused (cp_env) */
    uint64_t cp_serial;
    uint64_t ssch_ns; /* loop time the live program's SSCH was accepted */
    uint64_t next_serial;
    uint64_t freed_serial; /* freed during the current event (trace) */
    enum zv_vfio_ccw_free_reason freed_reason;

    /* host-side bookkeeping */
    bool host_enabled;    /* MSCH E=1 done and not yet undone */
    bool quiesce_pending; /* a CSCH of ours whose completion we swallow */
    uint8_t varied_off;   /* CHPID mask varied offline (host OS state) */
    uint8_t pno;          /* paths found not operational, until they come
                             back (client's POM view) */
    uint8_t pnom;         /* paths not operational at the last SSCH */

    /* host IRBs taken by irq(), handled by the next io work event (the
     * kernel's fsm_irq + io_todo split: another request may come first) */
    struct irb hirb[VCCW_HIRB_MAX];
    unsigned hirb_head, hirb_len;
    unsigned hirb_stale; /* leading entries older than the last CSCH/close */
    bool io_work_posted;
    bool in_io_work; /* IRQ signals wait for the end of the work */

    /* region buffers in UAPI layout, big-endian */
    uint8_t io[ZV_CCW_IO_REGION_SIZE];
    uint8_t cmd[ZV_CCW_CMD_REGION_SIZE];

    /* status for the client, oldest first */
    struct irb irbq[ZV_VFIO_CCW_IRBQ_MAX];
    unsigned irbq_head, irbq_len;

    /* CRWs for the client */
    uint32_t crwq[ZV_VFIO_CCW_CRWQ_MAX];
    unsigned crwq_head, crwq_len;
    bool crw_lost;
    uint32_t crw_last_lost;

    /* IRQs to signal from the next loop event (eventfds are async) */
    unsigned kick_mask;
    bool kick_posted;

    struct vccw_dma *dma;
    unsigned ndma; /* entries in dma: capped by drv->dma_max */
    /* This device's share of the driver's arena: where its programs are
     * built (drv.c); NULL once removed. */
    struct zv_arena *arena;
    struct zv_vfio_ccw_counters cnt;
};

struct vccw_parent {
    struct zv_vfio_ccw *drv;
    struct vccw_parent *next;
    struct subchannel *sch;
    struct zv_mdev_parent *mdev;
    struct vccw_private *priv; /* the instance, NULL when none */
    char name[16];
};

struct zv_vfio_ccw {
    struct css *css;
    struct zv_loop *loop;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct vccw_parent *parents;
    uint64_t dma_next;                   /* bump allocator in the DMA window */
    uint64_t share_reserve, share_limit; /* per device, of arena */
    unsigned dma_max;                    /* DMA maps per device */
    struct zv_vfio_ccw_observer obs;
};

/* Argument of an event; which fields count depends on the event. */
struct vccw_ev_arg {
    const struct orb *orb; /* SSCH: the guest ORB */
    const struct irb *irb; /* IRQ_*: the host IRB */
};

/* Logical path mask for a start: not varied off, not found gone. */
static inline uint8_t
vccw_lpm(const struct vccw_private *p)
{
    return (uint8_t) ~(p->varied_off | p->pno);
}

/* fsm.c */
int vccw_fsm_event(struct vccw_private *p, enum vccw_event ev,
                   const struct vccw_ev_arg *arg);
const char *vccw_state_name(enum vccw_state s);
const char *vccw_event_name(enum vccw_event e);
enum vccw_event vccw_irq_classify(const struct vccw_private *p,
                                  const struct irb *irb);
void vccw_free_cp(struct vccw_private *p, enum zv_vfio_ccw_free_reason reason);
void vccw_quiesce(struct vccw_private *p);

/* drv.c */
void vccw_arena_share_put(struct vccw_private *p);

/* ops.c */
void vccw_irq(struct vccw_private *p, const struct irb *irb);
void vccw_hirb_mark_stale(struct vccw_private *p);
struct vccw_private *vccw_private_new(struct vccw_parent *parent);
void vccw_private_get(struct vccw_private *p);
void vccw_private_put(struct vccw_private *p);
void vccw_kick_now(struct vccw_private *p, unsigned irq_index);
void vccw_kick(struct vccw_private *p, unsigned irq_index);
void vccw_io_set_ret(struct vccw_private *p, int ret);
int vccw_irbq_push(struct vccw_private *p, const struct irb *irb);
bool vccw_irbq_pop(struct vccw_private *p, struct irb *out);
void vccw_irbq_flush(struct vccw_private *p);
extern const struct zv_vdev_ops vccw_vdev_ops;

/* chp.c */
void vccw_chp_event(struct vccw_private *p, uint8_t chpid, uint8_t mask,
                    enum css_chp_event ev);
void vccw_crw_queue(struct vccw_private *p, uint8_t rsc, uint8_t erc,
                    uint16_t rsid);
ssize_t vccw_crw_region_read(struct vccw_private *p, uint64_t off, void *buf,
                             size_t len);
ssize_t vccw_schib_region_read(struct vccw_private *p, uint64_t off, void *buf,
                               size_t len);
void vccw_crwq_flush(struct vccw_private *p);

/* dma.c */
int vccw_dma_map(struct vccw_private *p, uint64_t iova, uint64_t len,
                 void *host, unsigned prot);
void vccw_dma_unmap(struct vccw_private *p, uint64_t iova, uint64_t len);
void vccw_dma_unmap_all(struct vccw_private *p);
void vccw_cp_env(struct vccw_private *p, struct cp_env *env);

#endif
