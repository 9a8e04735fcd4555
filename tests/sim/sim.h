/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: the deterministic simulation explorer for vfio-ccw
 * (DESIGN.md principles 2-4, docs/sim.md).
 *
 * One "world" per seed: a virtual loop seeded with the seed, host storage,
 * a host channel subsystem with two channel paths and one I/O subchannel
 * holding a scriptable test device, the vfio-ccw driver bound to it, one
 * mdev instance opened like a VMM opens it (IRQ callbacks, DMA maps of
 * guest memory), and a model of the composite subchannel: what the PoP
 * says the guest-visible function state must be.  Every guest operation
 * and every loop event is followed by the invariant checks; the first
 * violation is recorded with the step it happened at.
 *
 * Everything random comes from zv_loop_rand() of the world's loop, so a
 * seed replays byte for byte (same trace hash).
 */
#ifndef ZV_TESTS_SIM_SIM_H
#define ZV_TESTS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/canary.h"
#include "css/css.h"
#include "dev/testdev.h"
#include "vfio_ccw/vfio_ccw.h"

/* Guest memory: SIM_CHUNKS DMA maps of SIM_CHUNK_PAGES pages at
 * SIM_GUEST_IOVA, with an unmapped guard page on each side. */
#define SIM_PAGE        4096u
#define SIM_CHUNK_PAGES 4u
#define SIM_CHUNKS      8u
#define SIM_GUEST_PAGES (SIM_CHUNK_PAGES * SIM_CHUNKS)
#define SIM_GUEST_SIZE  (SIM_GUEST_PAGES * SIM_PAGE)
#define SIM_GUEST_IOVA  0x100000ull
#define SIM_CHUNK_SIZE  (SIM_CHUNK_PAGES * SIM_PAGE)
/* Page 0 is mapped but never named by any program (canary); pages 1-7
 * hold CCWs and IDAW lists; chunks 2-6 data; chunk 7 is mapped read-only
 * and holds a fixed pattern. */
#define SIM_CCW_FIRST_PAGE  1u
#define SIM_CCW_PAGES       7u
#define SIM_DATA_FIRST_PAGE 8u
#define SIM_DATA_PAGES      20u
#define SIM_RO_CHUNK        7u

#define SIM_SCH_NO 0x0100
#define SIM_DEVNO  0x5a5a
#define SIM_CHPID0 0x40
#define SIM_CHPID1 0x41
#define SIM_UUID   "8c3f1d2e-6a7b-4c5d-9e0f-1a2b3c4d5e6f"
/* the neighbour (sim_nb.c): a second subchannel and mdev */
#define SIM_NB_SCH_NO 0x0101
#define SIM_NB_DEVNO  0x5a5b
#define SIM_NB_UUID   "8c3f1d2e-6a7b-4c5d-9e0f-1a2b3c4d5e70"

/* Scripted commands of the test device (besides NOP, sense, sense ID). */
#define SIM_CMD_WRITE 0x01 /* takes the data */
#define SIM_CMD_READ  0x02 /* gives the data */
#define SIM_CMD_HOLD  0x13 /* control: ends at release or a signal */
#define SIM_CMD_UC    0x23 /* control: ends with unit check */

#define SIM_DEFAULT_STEPS 200u
#define SIM_TAIL_LINES    24u /* trace records kept for a failure report */
#define SIM_TAIL_WIDTH    144u

/* The program the guest issued, as the model knows it. */
struct sim_prog {
    uint64_t seg_lo[2], seg_hi[2]; /* guest addresses of first/last CCW */
    unsigned nseg;
    uint32_t data_pages; /* bit n: guest page n holds data it moves */
    uint32_t all_pages;  /* every page it names (CCWs, IDAWs, data) */
    bool clean; /* valid, every command one the device ends with CE|DE */
    /* A single data command (sim_ssch_simple): where its data is, and for
     * WRITE the bytes the guest had there at SSCH. */
    uint8_t xfer_cmd; /* SIM_CMD_READ / SIM_CMD_WRITE, 0 if none */
    uint64_t xfer_addr;
    uint32_t xfer_len;
    uint8_t wdata[256];
    size_t log_at; /* testdev log entries before the start */
};

/* Composite subchannel: what the guest must see (css-pop.md §3, §4). */
struct sim_model {
    bool open;
    bool lost;      /* subchannel vanished: everything answers -ENODEV */
    uint8_t fc;     /* SCSW_FCTL_* in progress, as the guest knows it */
    bool have_prog; /* a start accepted and not yet ended */
    /* Since that start: something that may change how it ends happened
     * (path event, busy, unsolicited status, device loss, DMA unmap). */
    bool disturbed;
    unsigned busy_armed; /* busy answers the device still owes */
    struct sim_prog prog;
    unsigned unsol_must; /* unsolicited status the host presented */
    unsigned unsol_may;  /* ... that a clear/close may have discarded */
    uint64_t unsol_read;
    uint64_t status_read;
    uint64_t crw_events; /* path events while open (upper bound) */
    uint64_t crw_read;
};

struct sim_nb {
    struct testdev *td;
    struct subchannel *sch; /* our reference */
    struct zv_vdev *vd;     /* our reference */
    uint8_t *mem;           /* 2 pages at SIM_GUEST_IOVA in its IOVA space */
    bool busy;              /* a start of its guest has not ended */
    uint64_t completed;
    uint64_t freed;
    unsigned irqs, irqs_at_read;
};

enum sim_ctx {
    SIM_CTX_NONE,
    SIM_CTX_LOOP,    /* inside zv_loop_run_once */
    SIM_CTX_SSCH,    /* inside an I/O region write */
    SIM_CTX_QUIESCE, /* inside close, reset, dma unmap or teardown */
    SIM_CTX_OTHER,   /* inside another guest operation or host event */
};

struct sim {
    uint64_t seed;
    unsigned step;
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct testdev *td;
    struct subchannel *sch;
    struct zv_vdev *vd;       /* our reference */
    struct zv_canary *canary; /* host storage nobody was granted */
    uint8_t *mem;             /* guard page + guest memory + guard page */
    uint8_t *guest;           /* mem + SIM_PAGE */
    bool mapped[SIM_CHUNKS];

    struct sim_model m;
    struct sim_nb nb;
    enum sim_ctx ctx;
    bool paths_ok; /* no path failed, configured off or varied off */
    /* observer records */
    uint8_t *freed; /* freed[serial]: how many times */
    uint64_t freed_cap;
    uint64_t quiesce_frees; /* frees with reason QUIESCE seen */
    unsigned irqs[ZV_VFIO_CCW_NUM_IRQS];
    unsigned io_irqs_at_read; /* irqs[IO] when the guest last read an IRB */

    /* first violation */
    bool failed;
    unsigned fail_step;
    char why[512];
    /* the last trace records, oldest first from tail_next */
    char tail[SIM_TAIL_LINES][SIM_TAIL_WIDTH];
    unsigned tail_next;
    FILE *trace;
    uint8_t ro_copy[SIM_CHUNK_SIZE]; /* what the read-only chunk holds */
    /* set by sim_fini: the whole run, teardown included */
    uint64_t trace_hash;
    uint64_t trace_count;
};

/* What an SSCH must answer when no function is in progress. */
#define SIM_ANY_ERR 1 /* any -errno */
struct sim_expect {
    int err;         /* 0: accepted; -errno; or SIM_ANY_ERR */
    int alt;         /* another acceptable -errno (0: none) */
    bool may_accept; /* a hostile program the host may reject at run time */
    bool hostile;
    bool no_path; /* the ORB LPM names no installed path: cc 3 is right */
};

/* ---- world (sim_host.c) ---- */
int sim_init(struct sim *s, uint64_t seed, FILE *trace);
/* Tear down and check that nothing leaked; records a violation if so. */
void sim_fini(struct sim *s);
/* One loop event (0 if none), then the checks. */
int sim_run_once(struct sim *s);
/* Run until no event is left, releasing held commands (bounded). */
void sim_drain(struct sim *s);
/* Has the host subchannel delivered its interruption (host idle, no
 * status pending)? */
bool sim_host_idle(struct sim *s);

/* ---- guest operations (sim_host.c): results checked by the model ---- */
/* Build a valid program (hostile = 0) or a hostile one of kind 1..N,
 * issue SSCH, return the region write result. */
int sim_ssch_random(struct sim *s, unsigned hostile);
/* One CCW with command cmd (READ/WRITE move 64 bytes); pci sets the PCI
 * flag.  SIM_CMD_HOLD waits for sim_release(). */
int sim_ssch_simple(struct sim *s, uint8_t cmd, bool pci);
unsigned sim_hostile_kinds(void);
/* The region write of an SSCH with this ORB (no model check). */
int sim_issue(struct sim *s, const struct orb *orb);
int sim_hsch(struct sim *s);
int sim_csch(struct sim *s);
/* Read the IRB area; returns 1 if it held status, 0 if empty, -errno. */
int sim_read_irb(struct sim *s, struct irb *out);
int sim_read_crw(struct sim *s);
int sim_read_schib(struct sim *s);
int sim_reset(struct sim *s);
int sim_close(struct sim *s);
int sim_open(struct sim *s);
int sim_dma_unmap(struct sim *s, unsigned chunk);
int sim_dma_map(struct sim *s, unsigned chunk);
/* mdev removed while open, created again, opened and mapped again. */
int sim_replug(struct sim *s);

/* ---- host events (sim_host.c) ---- */
void sim_unsolicited(struct sim *s, uint8_t dstat);
int sim_release(struct sim *s, uint8_t dstat, uint64_t latency);
void sim_path_failed(struct sim *s, uint8_t chpid, bool failed);
void sim_path_configure(struct sim *s, uint8_t chpid, bool on);
void sim_path_vary(struct sim *s, uint8_t chpid, bool on);
void sim_lose_device(struct sim *s);
/* The subchannel vanishes when the n-th command from now reaches the
 * device (inside a loop event, mid-program). */
void sim_lose_device_later(struct sim *s, unsigned n);
void sim_restore_paths(struct sim *s);

/* ---- checks (sim_model.c) ---- */
void sim_fail(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_model_ssch(struct sim *s, int rc, const struct sim_expect *ex,
                    const struct sim_prog *prog);
void sim_model_read_error(struct sim *s, int rc);
void sim_model_reset_op(struct sim *s, int rc);
void sim_model_close(struct sim *s);
void sim_model_open(struct sim *s, int rc);
void sim_model_unmap(struct sim *s, unsigned chunk, int rc, bool cp_live,
                     bool quiesced);
void sim_model_schib(struct sim *s, const struct schib *schib);
void sim_canary_fill(uint8_t *p, size_t len);
void sim_ro_fill(struct sim *s);
void sim_model_hsch(struct sim *s, int rc);
void sim_model_csch(struct sim *s, int rc);
void sim_model_irb(struct sim *s, const struct irb *irb);
void sim_model_crw(struct sim *s, uint32_t crw);
/* After every event: device state, counters, memory guards. */
void sim_check(struct sim *s);
/* At a quiescent point: every function ended, all status delivered. */
void sim_check_quiescent(struct sim *s);
/* At rest: queued status was signalled with the IO IRQ. */
void sim_check_signalled(struct sim *s);
/* Full compare of the memory nobody may write. */
void sim_check_memory(struct sim *s);
void sim_cp_freed(void *arg, const struct zv_vfio_ccw_cp_event *ev);

/* ---- the neighbour (sim_nb.c) ---- */
int sim_nb_init(struct sim *s);
void sim_nb_fini(struct sim *s);    /* close, remove, put the mdev */
void sim_nb_put_sch(struct sim *s); /* before css_free */
void sim_nb_free(struct sim *s);    /* after css_free */
void sim_nb_step(struct sim *s);    /* start a READ or take its status */
void sim_nb_finish(struct sim *s);  /* at rest: its program ended */
void sim_nb_freed(struct sim *s, const struct zv_vfio_ccw_cp_event *ev);
unsigned sim_nb_check(struct sim *s); /* returns its live programs */

/* ---- the random walk (sim_walk.c) ---- */
struct sim_result {
    bool failed;
    unsigned fail_step;
    uint64_t trace_hash;
    uint64_t trace_count;
    uint64_t steps;
    char why[512];
    /* a failing seed: the trace records before the violation */
    char tail[SIM_TAIL_LINES][SIM_TAIL_WIDTH];
    unsigned tail_lines;
};
void sim_walk(uint64_t seed, unsigned steps, FILE *trace,
              struct sim_result *res);

#endif
