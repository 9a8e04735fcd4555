/* SPDX-License-Identifier: MIT */
/*
 * testdev: a scriptable device for tests, the conformance suite, vfio-ccw
 * tests and the simulation explorer.
 *
 * Out of the box it answers like a simple control unit:
 *  - NOP (0x03): CE|DE, no data;
 *  - Sense ID (0xE4): 0xFF, CU type/model, device type/model (7 bytes +
 *    one reserved byte);
 *  - basic sense (0x04): the latched sense, 32 bytes (zero-padded), then
 *    the latch is reset;
 *  - any other command: unit check with sense byte 0 = command reject.
 *
 * Scripting, per command code (testdev_set_response): the data to give
 * (input commands: read, read backward, sense) or how many bytes to take
 * and, optionally, what they must be (output and control commands;
 * differences are counted), the ending device status, sense bytes to
 * latch (and present as concurrent sense with a unit check), and a
 * latency, fixed or drawn uniformly from [min, max] with zv_loop_rand.
 * A response may "hold": the command does not end until
 * testdev_release() or a halt/clear signal.
 *
 * Faults: busy at the next n initial selections; a hook called when the
 * n-th command arrives (e.g. testdev_fail_path_after() uses it to call
 * css_chp_set_failed, testdev_lose_device_after() to call
 * css_sch_undefine); unsolicited status on demand.
 *
 * Log: every command received (code, flags, initial, bytes moved, and the
 * bytes taken from storage for output commands) in a fixed-size log, so
 * tests can assert on it; counters keep going when the log is full.  No
 * allocation happens per command.
 *
 * All calls are loop-thread only, like the rest of css.
 */
#ifndef ZV_DEV_TESTDEV_H
#define ZV_DEV_TESTDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "css/css.h"

struct testdev;

#define TESTDEV_DATA_MAX  65536 /* bytes one response can give or take */
#define TESTDEV_LOG_MAX   1024  /* log entries kept */
#define TESTDEV_LOG_BYTES 65536 /* logged output bytes kept */

struct testdev_resp {
    uint8_t dstat;           /* ending device status (e.g. CE|DE) */
    const uint8_t *data;     /* input commands: bytes to give (NULL: zeros) */
    size_t len;              /* bytes to give (input) or take (output) */
    const uint8_t *sense;    /* latched with the status; NULL: none */
    size_t sense_len;        /* <= 32 */
    uint64_t latency_ns;     /* fixed latency, or the minimum */
    uint64_t latency_max_ns; /* > latency_ns: uniform in [min, max] */
    bool hold;               /* end only at testdev_release() or a signal */
};

struct testdev_log_entry {
    uint8_t cmd;
    uint8_t flags;   /* of the first CCW */
    bool initial;    /* initial selection */
    int moved;       /* bytes moved, or -1 if the channel ended it */
    uint32_t offset; /* of the logged output bytes in the data log */
    uint32_t logged; /* how many of them were kept */
};

/* Creates an unattached device; pass testdev_css_dev() to
 * css_sch_define().  NULL on ENOMEM. */
struct testdev *testdev_new(struct zv_loop *loop, uint16_t cu_type,
                            uint8_t cu_model, uint16_t dev_type,
                            uint8_t dev_model);
/* The device must no longer be attached to a defined subchannel. */
void testdev_free(struct testdev *td);
struct css_dev *testdev_css_dev(struct testdev *td);
struct testdev *testdev_from_css_dev(struct css_dev *dev);

/* Script one command code (copies data and sense).  -EINVAL, -ENOMEM. */
int testdev_set_response(struct testdev *td, uint8_t cmd,
                         const struct testdev_resp *r);
/* Back to the default answer for cmd. */
void testdev_clear_response(struct testdev *td, uint8_t cmd);
/* Latency of the default answers (NOP, Sense ID, sense, reject). */
void testdev_set_default_latency(struct testdev *td, uint64_t min_ns,
                                 uint64_t max_ns);
/* Latch sense bytes as if a unit check had just been presented. */
void testdev_latch_sense(struct testdev *td, const uint8_t *sense, size_t len);

/* The next n initial selections answer busy (deferred cc 1). */
void testdev_busy_next(struct testdev *td, unsigned n);
/* End a held command now with dstat (after latency_ns).  -EINVAL if
 * nothing is held. */
int testdev_release(struct testdev *td, uint8_t dstat, uint64_t latency_ns);
bool testdev_holding(const struct testdev *td);
/* Present unsolicited status (attention, ...) now. */
void testdev_unsolicited(struct testdev *td, uint8_t dstat);

/*
 * Hook: fn(arg, td) runs when the n-th command (counting from 1, from now)
 * arrives, before the device answers it.  One hook at a time; n = 0
 * removes it.  The hook may call css_chp_set_failed / css_sch_undefine.
 */
typedef void (*testdev_hook_fn)(void *arg, struct testdev *td);
void testdev_set_hook(struct testdev *td, unsigned n, testdev_hook_fn fn,
                      void *arg);
/* Ready-made hooks. */
void testdev_fail_path_after(struct testdev *td, unsigned n, struct css *css,
                             uint8_t chpid);
void testdev_lose_device_after(struct testdev *td, unsigned n, struct css *css,
                               struct subchannel *sch);

/* Log and counters. */
size_t testdev_log_count(const struct testdev *td);
const struct testdev_log_entry *testdev_log(const struct testdev *td, size_t i);
/* Output bytes the device took for log entry i; *len gets their count. */
const uint8_t *testdev_log_data(const struct testdev *td, size_t i,
                                size_t *len);
void testdev_log_reset(struct testdev *td);
uint64_t testdev_cmd_count(const struct testdev *td);
/* Output commands whose bytes differed from the scripted expectation. */
uint64_t testdev_mismatch_count(const struct testdev *td);
unsigned testdev_signal_count(const struct testdev *td, enum css_signal sig);

#endif
