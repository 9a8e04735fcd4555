/* SPDX-License-Identifier: MIT */
/*
 * AP test harness: one host AP bus on a virtual loop, and recording
 * drivers that log every callback (probe, remove, in_use, config changed,
 * scan complete, irq) into one shared, ordered log.
 */
#ifndef ZV_TESTS_AP_AH_H
#define ZV_TESTS_AP_AH_H

#include <stdbool.h>
#include <stdint.h>

#include "ap/ap.h"

#define AH_LOG_MAX  4096
#define AH_LINE_MAX 48

struct ah_log {
    char line[AH_LOG_MAX][AH_LINE_MAX];
    unsigned n;
};

struct ah_drv {
    struct ap_driver drv;
    struct ah_log *log;
    int probe_rc;  /* what probe answers */
    int in_use_rc; /* what in_use answers */
    bool in_use_called;
    struct ap_mask in_use_apm, in_use_aqm;
    unsigned bound; /* queues bound right now */
    unsigned irqs;
    struct ap_config last_prev, last_cur;
};

struct ah {
    struct zv_loop *loop;
    struct ap_bus *bus;
    struct ah_log log;
};

/* cfg NULL: the bus defaults. */
struct ah *ah_new(const struct ap_bus_config *cfg);
void ah_free(struct ah *h);
/* Install a configured adapter. */
void ah_card(struct ah *h, uint8_t apid, enum ap_type type, enum ap_mode mode,
             uint8_t qd);
/* Put domains from..to (inclusive) into the configuration. */
void ah_domains(struct ah *h, unsigned from, unsigned to);
void ah_run(struct ah *h);
void ah_drv_init(struct ah *h, struct ah_drv *d, const char *name,
                 bool default_driver);
/* Index of the first log line equal to s, or -1. */
int ah_find(const struct ah *h, const char *s);
unsigned ah_count_prefix(const struct ah *h, const char *prefix);
void ah_log_clear(struct ah *h);

#endif
