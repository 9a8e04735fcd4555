/* SPDX-License-Identifier: MIT */
/*
 * ap: the host AP (adjunct processor, crypto) bus, simulated to the
 * architecture as reference/vfio-ap.md describes it.  Three audiences:
 *
 *  - the machine (tests, the simulator, zvfioctl): install adapters of a
 *    type and mode, change the AP configuration at run time (adapters and
 *    domains in or out of the QCI masks, adapters deconfigured or
 *    checkstopped), inject busy conditions;
 *  - host drivers (vfio_ap, and a stand-in for zcrypt's default drivers):
 *    register a struct ap_driver, get probe/remove for the queues they
 *    own under the apmask/aqmask rule, config-changed and scan-complete
 *    notifications, and interruptions; answer in_use() for mask changes;
 *  - whoever executes AP instructions (host drivers, the vfio_ap guest
 *    path): TAPQ, RAPQ, ZAPQ, AQIC, QCI, NQAP, DQAP return a typed result
 *    (condition code, program-interruption code, AP queue status word).
 *
 * Everything runs on one zv_loop (DESIGN.md principle 2).  Uses base and
 * arch: the architected formats (APQNs, 256-bit masks, the QCI block, the
 * AP queue status word and response codes, PQAP operands) are arch/ap.h's,
 * included here; this header adds the bus model.
 */
#ifndef ZV_AP_AP_H
#define ZV_AP_AP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/ap.h"
#include "base/loop.h"

struct ap_bus;
struct ap_queue;

/* ---- masks: the sysfs syntax (the masks themselves: arch/ap.h) ---- */

/*
 * Parse a mask write with the AP bus's sysfs syntax (reference §2.2):
 *  - a string starting with '+' or '-' is a relative list "+N", "-N",
 *    "+A-B" (N in decimal, 0x hex or 0 octal), separated by ',' or '\n',
 *    applied to *m's current bits;
 *  - anything else is an absolute hex mask with an optional "0x", padded
 *    with zeros on the right ("0x41" = IDs 1 and 7), an optional trailing
 *    '\n'; more digits than the mask holds is an error.
 * On error *m is unchanged and -EINVAL is returned.
 */
int ap_mask_parse(struct ap_mask *m, const char *str);
/* "0x" + 64 hex digits + NUL: the format of the bus's mask attributes */
#define AP_MASK_STR_LEN 67
void ap_mask_format(const struct ap_mask *m, char out[AP_MASK_STR_LEN]);

/* ---- adapters ---- */

/* The mode a CEX card is configured in: accelerator (CEXnA),
 * CCA coprocessor (CEXnC) or EP11 coprocessor (CEXnP). */
enum ap_mode {
    AP_MODE_ACCEL,
    AP_MODE_CCA,
    AP_MODE_EP11,
};

/* The adapter's hardware state as the machine sets it. */
enum ap_adapter_state {
    AP_ADAPTER_OPERATIONAL,
    AP_ADAPTER_DECONFIGURED, /* standby: its queues answer RC 03 */
    AP_ADAPTER_CHECKSTOPPED, /* failed: its queues answer RC 04 */
};

/*
 * A card model: the work the adapter does for one request message.
 * process() writes a reply (at most reply_max bytes) and returns its
 * length; *latency_ns is how long the card takes.  Called from a loop
 * event when the request's turn comes; it must not call back into the bus.
 */
struct ap_card_ops {
    size_t (*process)(void *arg, uint16_t apqn, const uint8_t *req,
                      size_t req_len, uint8_t *reply, size_t reply_max);
    uint64_t (*latency_ns)(void *arg, const uint8_t *req, size_t req_len);
};

struct ap_adapter_desc {
    uint8_t apid;
    enum ap_type type;
    enum ap_mode mode;
    uint8_t qd;      /* TAPQ queue depth field: a queue holds qd + 1 */
    bool configured; /* in the host configuration (QCI APM) at once */
    uint32_t lat_ns; /* base card latency; 0 = default (see docs/ap.md) */
    const struct ap_card_ops *card; /* NULL = built-in model of the mode */
    void *card_arg;
};

/* ---- the bus ---- */

struct ap_bus_config {
    bool apxa;         /* AP extended addressing: 256 adapters, 256 domains */
    bool apft;         /* facility 15: TAPQ T bit */
    bool qci;          /* facility 12: PQAP(QCI) installed */
    bool aqic;         /* facility 65: PQAP(AQIC) installed */
    uint8_t na, nd;    /* highest adapter / domain number (QCI Na, Nd) */
    uint64_t reset_ns; /* RAPQ/ZAPQ: time until the reset completes */
    uint64_t scan_delay_ns; /* configuration change -> bus scan */
    size_t max_msg;         /* largest request message; 0 = 12 KiB */
};

/* cfg NULL = defaults: apxa, apft, qci, aqic on, Na = Nd = 255,
 * reset 2 ms, scan delay 0 (next loop event), 12 KiB messages. */
struct ap_bus *ap_bus_new(struct zv_loop *loop,
                          const struct ap_bus_config *cfg);
/* Unbinds every queue (drivers get remove()), frees everything. */
void ap_bus_free(struct ap_bus *bus);
struct zv_loop *ap_bus_loop(const struct ap_bus *bus);

/* Install an adapter (in the machine; in the host configuration only if
 * desc->configured).  -EINVAL (APID > Na, bad type/mode), -EEXIST. */
int ap_adapter_add(struct ap_bus *bus, const struct ap_adapter_desc *desc);
bool ap_adapter_installed(const struct ap_bus *bus, uint8_t apid);
int ap_adapter_set_state(struct ap_bus *bus, uint8_t apid,
                         enum ap_adapter_state st);

/*
 * The host AP configuration (what PQAP(QCI) reports), changed by the
 * machine at run time.  The change is visible to QCI at once; the bus
 * notices it at its next scan (scan_delay_ns later, or ap_bus_rescan()),
 * like Linux's periodic AP bus scan: drivers get on_config_changed(cur,
 * prev), then remove() for queues that left, probe() for queues that
 * came, then on_scan_complete(cur, prev).  -ENODEV: adapter not
 * installed; -EINVAL: ID above Na/Nd.
 */
int ap_config_adapter(struct ap_bus *bus, uint8_t apid, bool in);
int ap_config_domain(struct ap_bus *bus, uint8_t apqi, bool in);
int ap_config_control_domain(struct ap_bus *bus, uint8_t apqi, bool in);
/* Schedule a scan now (the bus's "scans" attribute write). */
void ap_bus_rescan(struct ap_bus *bus);
/* Number of completed scans. */
uint64_t ap_bus_scans(const struct ap_bus *bus);

/* The machine's configuration as QCI reports it (arch/ap.h), decoded. */
void ap_bus_qci_info(const struct ap_bus *bus, struct ap_config *out);

/* ---- ownership: /sys/bus/ap/apmask and aqmask (reference §2.2) ---- */

/*
 * Write apmask / aqmask with the sysfs syntax (ap_mask_parse).  An APQN
 * is reserved for the default (host) drivers iff its APID bit is set in
 * apmask and its APQI bit in aqmask.  Bits newly set (given back to the
 * host) are offered to every driver's in_use(); any "in use" refuses the
 * whole write with -EBUSY.  -EINVAL for bad syntax.  On success the
 * bindings are revised: every queue whose owner class changed is removed
 * from its driver and probed again.
 */
int ap_bus_apmask_store(struct ap_bus *bus, const char *str);
int ap_bus_aqmask_store(struct ap_bus *bus, const char *str);
void ap_bus_masks(const struct ap_bus *bus, struct ap_mask *apmask,
                  struct ap_mask *aqmask);
bool ap_apqn_reserved(const struct ap_bus *bus, uint16_t apqn);

/* ---- driver model (like Linux's ap bus) ---- */

struct ap_driver {
    const char *name;
    /* AP_DRIVER_FLAG_DEFAULT: probes only host-reserved queues; a driver
     * without it only queues not reserved for the host. */
    bool default_driver;
    void *arg;
    /* Bind; 0 accepts, -errno refuses (e.g. a type it cannot drive). */
    int (*probe)(struct ap_queue *q, void *arg);
    /* Unbind, or the queue left the configuration.  After it returns no
     * other callback for this queue reaches the driver. */
    void (*remove)(struct ap_queue *q, void *arg);
    /* Would giving apm x aqm back to the host take queues in use?
     * Non-zero = yes: the mask write fails with -EBUSY. */
    int (*in_use)(const struct ap_mask *apm, const struct ap_mask *aqm,
                  void *arg);
    /* First step of a scan that found a new configuration. */
    void (*on_config_changed)(const struct ap_config *cur,
                              const struct ap_config *prev, void *arg);
    /* Last step of that scan, after all probe/remove calls. */
    void (*on_scan_complete)(const struct ap_config *cur,
                             const struct ap_config *prev, void *arg);
    /* A bound queue with interruptions enabled (AQIC) has a reply: the
     * adapter interruption, delivered from a loop event. */
    void (*irq)(struct ap_queue *q, void *arg);
};

/* Probes every unbound queue it may own.  drv must outlive its
 * registration.  -EEXIST (same pointer), -ENOSPC (too many drivers). */
int ap_driver_register(struct ap_bus *bus, const struct ap_driver *drv);
/* remove() for each of its queues. */
void ap_driver_unregister(struct ap_bus *bus, const struct ap_driver *drv);

/* Queue devices: one per APQN of (configured APM x AQM).  A struct
 * ap_queue stays valid until ap_bus_free (it is reused if the APQN comes
 * back), so a driver may keep the pointer past remove(). */
struct ap_queue *ap_queue_find(const struct ap_bus *bus, uint16_t apqn);
uint16_t ap_queue_apqn(const struct ap_queue *q);
struct ap_bus *ap_queue_bus(const struct ap_queue *q);
bool ap_queue_present(const struct ap_queue *q); /* a device right now */
const struct ap_driver *ap_queue_driver(const struct ap_queue *q);
enum ap_type ap_queue_type(const struct ap_queue *q);
/* Manual unbind / bind (a driver's sysfs unbind and bind files).
 * bind: -EBUSY bound already, -ENODEV not present, not the owner class
 * or refused by probe. */
void ap_queue_unbind(struct ap_queue *q);
int ap_queue_bind(struct ap_queue *q, const struct ap_driver *drv);
/* Driver-private pointer ("drvdata"). */
void ap_queue_set_drvdata(struct ap_queue *q, void *data);
void *ap_queue_drvdata(const struct ap_queue *q);
/* Count of present queues and of bound ones ("bindings" n/m). */
void ap_bus_bindings(const struct ap_bus *bus, unsigned *bound,
                     unsigned *total);

/* ---- AP instructions (reference §5) ---- */

/* Program-interruption codes these instructions can raise (PoP). */
#define AP_PIC_NONE          0x00
#define AP_PIC_SPECIFICATION 0x06

/* An instruction ends with a cc and (for all but QCI) an APQSW, or with
 * a program interruption (pic != 0; cc and st meaningless). */
struct ap_insn_rc {
    uint8_t cc;
    uint8_t pic;
    struct ap_qstatus st;
};

/*
 * Direct forms, operands decoded.  cc 0 with RC 0, cc 3 with the status
 * otherwise.  The checks come in this order: APQN range (specification
 * without APXA beyond 63/15), availability (RC 01 / 11), adapter state
 * (RC 03 / 04), injected busy (RC 05), reset in progress (RC 02), then
 * the function's own checks.
 */
/* t: the T bit (needs apft, else specification); *info gets GR2 for
 * RCs 00/02/03/04/05 with T, 0 otherwise. */
struct ap_insn_rc ap_tapq(struct ap_bus *bus, uint16_t apqn, bool t,
                          uint64_t *info);
/* Reset: requests and replies are discarded, interruptions disabled; the
 * queue answers RC 02 until reset_ns later.  ZAPQ also zeroizes (no
 * secret state is modelled).  f: the F bit, accepted and ignored. */
struct ap_insn_rc ap_rapq(struct ap_bus *bus, uint16_t apqn, bool f);
struct ap_insn_rc ap_zapq(struct ap_bus *bus, uint16_t apqn, bool f);
/* nib: notification-indicator byte address; enable with nib 0 is RC 06.
 * Enabling an enabled queue or disabling a disabled one is RC 07. */
struct ap_insn_rc ap_aqic(struct ap_bus *bus, uint16_t apqn,
                          const struct ap_aqic_ctl *ctl, uint64_t nib);
/* QCI stores the 128-byte block; specification without facility 12. */
struct ap_insn_rc ap_qci(struct ap_bus *bus, uint8_t block[AP_QCI_BLOCK_LEN]);
/* Enqueue one whole message (L bit set) with its program-supplied
 * message ID.  RC 10 queue full, RC 15 too big. */
struct ap_insn_rc ap_nqap(struct ap_bus *bus, uint16_t apqn, uint64_t psmid,
                          const void *msg, size_t len);
/*
 * Dequeue the oldest reply into buf.  If it does not fit, len bytes are
 * stored, *more is set and the rest stays queued for the next DQAP
 * (Linux's "partial reply" chunking).  RC 10: no reply pending.
 */
struct ap_insn_rc ap_dqap(struct ap_bus *bus, uint16_t apqn, uint64_t *psmid,
                          void *buf, size_t len, size_t *stored, bool *more);

/*
 * PQAP in register form, as a guest path interprets it (reference §4.3,
 * §5.1): gr0 bits 32-39 function code, bit 40 T, bit 41 F, bits 48-63
 * APQN; *gr1 in: AQIC control, out: APQSW in bits 32-63; *gr2 in: AQIC
 * NIB, out: TAPQ info.  qci: the 128-byte block for FC 4 (else unused).
 */
struct ap_insn_rc ap_insn_pqap(struct ap_bus *bus, uint64_t gr0, uint64_t *gr1,
                               uint64_t *gr2, uint8_t *qci);

/* Per queue, for tests and the simulator's invariants. */
struct ap_queue_stats {
    unsigned requests; /* accepted, not yet answered */
    unsigned replies;  /* answered, not yet dequeued */
    uint64_t enqueued, dequeued, discarded;
    bool resetting;
};
void ap_queue_stats(const struct ap_queue *q, struct ap_queue_stats *out);
/* Fault injection: the next n instructions for apqn answer RC 05. */
int ap_queue_inject_busy(struct ap_bus *bus, uint16_t apqn, unsigned n);

#endif
