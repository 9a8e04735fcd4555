/* SPDX-License-Identifier: MIT */
/*
 * css: the host channel subsystem, simulated to the Principles of
 * Operation (css-pop.md).  Three audiences use this header:
 *
 *  - a program issuing I/O instructions (conformance tests, the demo):
 *    the css_insn_* functions take GR1 and operand addresses in host
 *    absolute storage, exactly as the instructions do, and return a typed
 *    result (cc or program-interruption code);
 *  - a host driver bound to a subchannel (vfio-ccw): the css_sch_* direct
 *    forms take decoded blocks, and the driver model delivers interrupts,
 *    subchannel events and channel-path events;
 *  - device models (dev/): struct css_dev_ops and the css_io data stream.
 *
 * Everything runs on one zv_loop (DESIGN.md principle 2): no function here
 * may be called from another thread.
 */
#ifndef ZV_CSS_CSS_H
#define ZV_CSS_CSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/loop.h"
#include "base/mem.h"

struct css;
struct subchannel;
struct css_dev;
struct css_io;

#define CSS_MAX_SSID   3      /* four subchannel sets */
#define CSS_MAX_SCH_NO 0xFFFF /* 65,536 per set */
#define CSS_MAX_CHPID  0xFF

struct css_config {
    unsigned max_ssid;      /* highest subchannel set provided (0..3) */
    bool mss;               /* multiple-subchannel-set facility enabled */
    bool concurrent_sense;  /* facility installed (PMCW S allowed) */
    bool midaw;             /* MIDAW facility installed (ORB D allowed) */
    bool ils;               /* incorrect-length-suppression facility */
    unsigned crw_queue_max; /* CRWs held before overflow (default 256) */
    /* css_io_iov always refuses: devices copy through css_io_read/write
     * (for tests that compare both ways; default false). */
    bool copy_data;
};

struct css *css_new(struct zv_loop *loop, struct zv_as *storage,
                    const struct css_config *cfg);
/* Removes every subchannel (drivers get remove()), frees everything. */
void css_free(struct css *css);
struct zv_loop *css_loop(const struct css *css);
struct zv_as *css_storage(const struct css *css);
/* The configuration in force (facilities installed). */
const struct css_config *css_get_config(const struct css *css);

/* ---- channel paths (css-pop.md §6) ---- */

#define CHP_TYPE_FICON 0x1b /* FICON channel (FC) */
#define CHP_TYPE_ESCON 0x1d /* not used by default */

/* Install a channel path, configured (online to this image). */
int css_chp_define(struct css *css, uint8_t chpid, uint8_t type);
bool css_chp_installed(const struct css *css, uint8_t chpid);
/*
 * Configure on/off (machine configuration, css-pop.md §6.2): PAM of every
 * subchannel with that CHPID changes, a channel-path CRW is queued (ERC 2
 * came / ERC 7 went... see css-pop.md §2.6), and bound drivers get
 * chp_event.  Off while I/O runs on that path ends it (interface-control
 * check, or deferred cc 3 when no path is left).
 */
int css_chp_configure(struct css *css, uint8_t chpid, bool on);
/*
 * Vary on/off: an OS software state, no architected change; bound drivers
 * get chp_event (CSS_CHP_VARY_ON/OFF) so they can adjust their LPM.
 */
int css_chp_vary(struct css *css, uint8_t chpid, bool on);
/* Fault injection: the path stops working (POM bit goes to 0 at the next
 * selection; running I/O on it ends with IFCC); restore with on = true. */
int css_chp_set_failed(struct css *css, uint8_t chpid, bool failed);

/* ---- subchannels ---- */

struct css_sch_desc {
    uint8_t ssid;
    uint16_t sch_no;
    uint16_t devno;
    uint8_t st;  /* PMCW_ST_*; only I/O subchannels run programs */
    bool qdio;   /* PMCW QF: vfio-ccw refuses these */
    uint8_t pim; /* installed paths, bit n = chpid[n] */
    uint8_t chpid[8];
};

/*
 * Define a subchannel with a device.  dev may be NULL (no device: V = 0).
 * The subchannel starts disabled, ISC 0, LPM = PIM.  -EEXIST, -EINVAL.
 * A channel-report (RSC 3, ERC 4) is queued when report is true (hot plug).
 */
int css_sch_define(struct css *css, const struct css_sch_desc *d,
                   struct css_dev *dev, bool report, struct subchannel **out);
/*
 * The subchannel vanishes (device detached): running I/O is ended, the
 * bound driver gets sch_event(CSS_SCH_GONE) and later remove(), a CRW
 * (RSC 3, ERC 4) is queued; the number answers cc 3 afterwards.  The memory
 * of struct subchannel stays valid until every css_sch_get() reference is
 * put.
 */
int css_sch_undefine(struct css *css, struct subchannel *sch);
struct subchannel *css_sch_find(const struct css *css, uint8_t ssid,
                                uint16_t sch_no);
/* Reference counting: a driver holds one for as long as it keeps the
 * pointer past remove(). */
void css_sch_get(struct subchannel *sch);
void css_sch_put(struct subchannel *sch);
bool css_sch_gone(const struct subchannel *sch);
uint8_t css_sch_ssid(const struct subchannel *sch);
uint16_t css_sch_no(const struct subchannel *sch);
struct schid css_sch_schid(const struct subchannel *sch);
uint16_t css_sch_devno(const struct subchannel *sch);
bool css_sch_is_qdio(const struct subchannel *sch);
struct css *css_sch_css(const struct subchannel *sch);
size_t css_sch_count(const struct css *css);

/* ---- I/O instructions, architected form (css-pop.md §4) ----
 *
 * gr1 is GR1 bits 32-63 (SID) unless stated; addresses are second-operand
 * addresses in host absolute storage.  Checks come in the architected
 * order; every access goes through the storage zv_as.
 */
struct zv_insn_rc css_insn_ssch(struct css *css, uint32_t gr1, uint64_t orb);
struct zv_insn_rc css_insn_rsch(struct css *css, uint32_t gr1);
struct zv_insn_rc css_insn_hsch(struct css *css, uint32_t gr1);
struct zv_insn_rc css_insn_csch(struct css *css, uint32_t gr1);
struct zv_insn_rc css_insn_xsch(struct css *css, uint32_t gr1);
struct zv_insn_rc css_insn_tsch(struct css *css, uint32_t gr1, uint64_t irb);
struct zv_insn_rc css_insn_stsch(struct css *css, uint32_t gr1, uint64_t schib);
struct zv_insn_rc css_insn_msch(struct css *css, uint32_t gr1, uint64_t schib);
/* TPI: addr 0 stores the interruption code at lowcore 0xB8..0xC3. */
struct zv_insn_rc css_insn_tpi(struct css *css, uint64_t addr);
struct zv_insn_rc css_insn_stcrw(struct css *css, uint64_t addr);
/* gr1 bits 56-63 = CHPID */
struct zv_insn_rc css_insn_rchp(struct css *css, uint32_t gr1);
/* req: 4K-aligned command-request block (SSD 0x0004, SCPD 0x0002,
 * SCSC 0x0010 at least). */
struct zv_insn_rc css_insn_chsc(struct css *css, uint64_t req);

/*
 * SET CHANNEL MONITOR (B23C): gr1 = GR1 bits 32-63 (key in bits 32-35, M
 * bit 62, D bit 63, the rest reserved), gr2 = GR2, the format-0
 * measurement-block origin (used with M = 1; 32-byte aligned).
 */
struct zv_insn_rc css_insn_schm(struct css *css, uint32_t gr1, uint64_t gr2);

/*
 * SET ADDRESS LIMIT (B237): gr1 = GR1 bits 32-63.  Bits 33-47 with 16
 * zeros appended are the address limit, a 64K-aligned absolute address
 * below 2G; bit 32 or any of bits 48-63 set is an operand exception and
 * the limit is left as it was.  The condition code is unchanged (the
 * result's cc means nothing).  The limit is used by address-limit
 * checking: a start function whose ORB has A = 1 on a subchannel whose
 * PMCW LM is 01 (data addresses >= limit) or 10 (data addresses < limit)
 * ends with a channel-program check at a data access on the wrong side.
 */
struct zv_insn_rc css_insn_sal(struct css *css, uint32_t gr1);
/* Direct form: the limit as an address (same checks: 64K-aligned, < 2G). */
struct zv_insn_rc css_sal(struct css *css, uint64_t limit);
/* The address limit in force (0 until SAL sets one). */
uint32_t css_addr_limit(const struct css *css);

/*
 * A subchannel's channel-measurement counters, read from its measurement
 * block in storage as the channel subsystem keeps it (for statistics).
 * Times converted to ns.  -ENODATA when measurement-block update is off
 * for it (SCHM M = 0 or PMCW MM bit 11 = 0), -EFAULT when the block lies
 * outside storage.
 */
struct css_cmf {
    bool fmt1;     /* format-1 (extended) block */
    uint64_t addr; /* where the block is */
    uint32_t ssch_rsch_count;
    uint32_t sample_count;
    uint64_t time_ns[CMB_NTIMES]; /* indexed by enum cmb_time */
    uint32_t mb_errors;           /* updates lost to an inaccessible block */
};
int css_sch_cmf_read(const struct subchannel *sch, struct css_cmf *out);
/* Host statistics, not architected: the data bytes the channel moved for
 * this subchannel's channel programs since it was defined.  read: from
 * the device into storage (read, read backward, sense; a skipped transfer
 * counts, the device sent it); written: from storage to the device. */
void css_sch_bytes(const struct subchannel *sch, uint64_t *read,
                   uint64_t *written);
/* Of those, the bytes moved without a copy (css_io_iov). */
uint64_t css_sch_bytes_direct(const struct subchannel *sch);

/* CR6 I/O-interruption subclass mask (bit 0x80 >> isc); default 0xFF. */
void css_set_isc_mask(struct css *css, uint8_t mask);

/* ---- direct forms for host drivers (no operand fetch) ----
 * Same semantics, same results; operands are decoded blocks. */
struct zv_insn_rc css_sch_ssch(struct subchannel *sch, const struct orb *orb);
struct zv_insn_rc css_sch_rsch(struct subchannel *sch);
struct zv_insn_rc css_sch_hsch(struct subchannel *sch);
struct zv_insn_rc css_sch_csch(struct subchannel *sch);
struct zv_insn_rc css_sch_xsch(struct subchannel *sch);
struct zv_insn_rc css_sch_tsch(struct subchannel *sch, struct irb *irb);
struct zv_insn_rc css_sch_stsch(struct subchannel *sch, struct schib *schib);
struct zv_insn_rc css_sch_msch(struct subchannel *sch,
                               const struct schib *schib);
/* STCRW into a decoded CRW: cc 0 stored, cc 1 none pending. */
struct zv_insn_rc css_stcrw(struct css *css, struct crw *crw);

/* ---- driver model (like Linux's css bus) ---- */

enum css_sch_event {
    CSS_SCH_GONE,   /* subchannel/device no longer there */
    CSS_SCH_BACK,   /* device reappeared on the subchannel */
    CSS_SCH_PARAMS, /* installed parameters changed (PIM/CHPIDs) */
};

enum css_chp_event {
    CSS_CHP_VARY_ON,
    CSS_CHP_VARY_OFF,
    CSS_CHP_CONFIG_ON,  /* PAM bit set */
    CSS_CHP_CONFIG_OFF, /* PAM bit reset */
    CSS_CHP_FAILED,     /* path lost (link incident) */
    CSS_CHP_RESTORED,
};

struct css_driver {
    const char *name;
    /* Bind; return 0 to accept, -errno to refuse (e.g. QDIO). */
    int (*probe)(struct subchannel *sch);
    /* Unbind or subchannel removal.  After it returns no other callback
     * for this subchannel reaches the driver. */
    void (*remove)(struct subchannel *sch);
    /*
     * An I/O interruption for this subchannel: the host interrupt handler
     * has already done TSCH (cc 0) and passes the IRB, as Linux does.
     * Delivered from a loop event, never from inside an instruction call.
     */
    void (*irq)(struct subchannel *sch, const struct irb *irb);
    void (*sch_event)(struct subchannel *sch, enum css_sch_event ev);
    /* mask is the PIM bit of chpid on this subchannel */
    void (*chp_event)(struct subchannel *sch, uint8_t chpid, uint8_t mask,
                      enum css_chp_event ev);
};

/* Calls probe(); -EBUSY if a driver is bound, -ENODEV if gone. */
int css_sch_bind(struct subchannel *sch, const struct css_driver *drv);
/* Calls remove(); no-op when unbound. */
void css_sch_unbind(struct subchannel *sch);
const struct css_driver *css_sch_driver(const struct subchannel *sch);
void css_sch_set_drvdata(struct subchannel *sch, void *data);
void *css_sch_drvdata(const struct subchannel *sch);

/* Channel reports: called (from a loop event) when the CRW queue goes from
 * empty to non-empty: the channel-report-pending machine check. */
typedef void (*css_crw_notify_fn)(void *arg);
void css_set_crw_notify(struct css *css, css_crw_notify_fn fn, void *arg);
size_t css_crw_pending(const struct css *css);

/* ---- device models ---- */

enum css_signal {
    CSS_SIGNAL_HALT,  /* halt signal: stop the current command */
    CSS_SIGNAL_CLEAR, /* clear signal: stop and reset the device */
};

struct css_dev_ops {
    /*
     * Execute one command (a CCW, with its data-chained continuation),
     * reached by initial selection or command chaining.  The device moves
     * data with css_io_read/css_io_write and must call css_io_done()
     * exactly once: before returning, or later from a loop event.
     */
    void (*start)(struct css_dev *dev, struct css_io *io);
    /* Halt/clear signal.  If a command is outstanding (done not yet
     * called), the device must still call css_io_done() for it: that is
     * its answer to the signal (the status itself is void), and the halt
     * or clear function completes only once it has come, after its
     * latency.  May be NULL. */
    void (*signal)(struct css_dev *dev, enum css_signal sig);
    /*
     * Optional; when set it is called instead of signal, with the same
     * duties, and returns when the device answers the signal: the halt or
     * clear function completes that many ns later at the earliest (a
     * device that takes time to stop).  signal behaves as returning 0.
     */
    uint64_t (*signal_timed)(struct css_dev *dev, enum css_signal sig);
    /*
     * Optional: the channel has given up the outstanding command without
     * a signal (the path it ran on was lost, the start withdrawn): the
     * program ends now, so the device must stop moving data for the
     * command before it returns (nothing may reach storage after the
     * program's end).  It still calls css_io_done(), inside or later; the
     * status is void.
     */
    void (*abandon)(struct css_dev *dev);
};

struct css_dev {
    const struct css_dev_ops *ops;
    struct subchannel *sch; /* set by css_sch_define */
};

uint8_t css_io_cmd(const struct css_io *io);
/* Flags of the CCW that started the command (CCW_FLAG_*). */
uint8_t css_io_flags(const struct css_io *io);
/* Is this the first command of the program (initial selection)? */
bool css_io_initial(const struct css_io *io);
/* Bytes the channel still offers for this command (current CCW count
 * left, plus the counts of data-chained CCWs when prefetch is allowed;
 * otherwise just the current CCW's rest).  Informational. */
uint32_t css_io_available(const struct css_io *io);
/*
 * Data transfer.  read: device takes bytes from storage (write command);
 * write: device gives bytes to storage (read/sense command).  Crosses
 * data-chained CCWs and IDAWs/MIDAWs transparently; skip suppresses the
 * store.  Returns bytes moved (< len when the channel has no more:
 * the engine then reports incorrect length unless suppressed), or -1 when
 * a channel error (program/protection check) ended the transfer: the device
 * should call css_io_done() promptly; the engine reports the error.
 */
int css_io_read(struct css_io *io, void *buf, size_t len);
int css_io_write(struct css_io *io, const void *buf, size_t len);
/*
 * Zero-copy transfer: css_io_read/write of len bytes (write: into storage),
 * except that no byte moves: instead the host memory those bytes occupy
 * comes back as at most max iovecs, each inside one storage mapping
 * (base/mem zv_as_iov), for the device to preadv/pwritev straight into or
 * out of.  Only for a plain transfer of all len bytes: no skip, no read
 * backward, no MIDAW, no PCI or TIC in the data chain, no channel error on
 * the way, and (input) no IDAW or data-chained CCW inside the storage the
 * transfer stores into before the channel would fetch it.  Returns the
 * number of iovecs, or 0 when that does not hold: then nothing happened, and
 * the device uses css_io_read/write, which give the architected result
 * (partial transfer, channel-program check).  A device whose own I/O then
 * fails before any data would have moved calls css_io_iov_undo() (before any
 * other css_io call): the stream is back where it was, as if the device
 * never transferred.
 */
struct iovec;
int css_io_iov(struct css_io *io, size_t len, bool write, struct iovec *iov,
               int max);
void css_io_iov_undo(struct css_io *io);
/*
 * Bounded look-ahead for a device that moves the data of several commands
 * in one image I/O.  cmds[0] is the current command: css_io_iov of
 * cmds[0].len bytes, which must use up the current CCW exactly (the data
 * chain ends there, CC is set, no incorrect length can follow).  Then the
 * CCWs command-chained after it are looked at, one at a time, without
 * executing them: each must be a CCW the engine would fetch, check and
 * start as a plain command of code cmds[i].cmd whose count is cmds[i].len
 * (no TIC, CD, PCI, skip, suspend, MIDAW, no program check on its fetch or
 * on its data area, the previous one chains with CC, and for input its
 * CCW and IDAWs not stored into by the commands before it), and its data
 * area is resolved into iovecs as css_io_iov would.  The walk stops before the
 * first CCW that is anything else, and before the channel would yield to
 * the loop (burst limit), so what follows is exactly what CCW-by-CCW
 * execution gives.  Returns how many commands (cmds[0] included) were
 * resolved, 0 when even cmds[0] was refused (nothing happened); for each,
 * cmds[i].niov iovecs follow each other in iov and cmds[i].flags is its
 * CCW's flags.  Nothing of the later commands has happened yet.
 *
 * The device then does its I/O and either calls css_io_iov_undo() (all of
 * it undone, as for css_io_iov) or css_io_advance(io, j), j < the count
 * returned: the first j later commands are over, each having moved its
 * whole count and ended with channel end and device end, and io is now
 * the j-th one: the device calls css_io_done() for it (its flags are
 * css_io_flags()).  Only for a device whose commands end at once (latency
 * 0): the look-ahead moves the data of later commands at the time of the
 * current one.
 */
#define CSS_IO_AHEAD_MAX 64
struct css_io_next {
    uint8_t cmd;   /* in: command code (ignored for cmds[0]) */
    uint32_t len;  /* in: bytes the device moves: the whole CCW count */
    uint8_t flags; /* out: the CCW's flags */
    int niov;      /* out: iovecs of its data area */
};
int css_io_iov_chain(struct css_io *io, bool write, struct css_io_next *cmds,
                     int n, struct iovec *iov, int max);
/* 0, or -1 when j is more than the look-ahead resolved (nothing done). */
int css_io_advance(struct css_io *io, int j);
/* Sense for concurrent sense, when done with unit check (<= 32 bytes). */
void css_io_set_sense(struct css_io *io, const uint8_t *sense, size_t len);
/*
 * End the command with device status (e.g. CE|DE, CE|DE|UC, busy).  The
 * engine applies it latency_ns later on the loop (device latency).
 * A device that ends early without moving all data: the engine computes
 * the residual and incorrect length.
 */
void css_io_done(struct css_io *io, uint8_t dstat, uint64_t latency_ns);
/* Unsolicited device status (attention, DE after becoming ready). */
void css_dev_unsolicited(struct css_dev *dev, uint8_t dstat);

#endif
