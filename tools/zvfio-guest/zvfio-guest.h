/* SPDX-License-Identifier: MIT */
/* zvfio-guest: shared declarations of the tool's files. */
#ifndef ZV_TOOLS_ZVFIO_GUEST_H
#define ZV_TOOLS_ZVFIO_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/chan_vfu.h"
#include "guest/dasd.h"

#define ZG_MAX_DEVS   16
#define ZG_GUEST_BASE 0x10000ull
#define ZG_GUEST_SIZE (16u << 20)

enum { ZG_OK = 0, ZG_FAIL = 1, ZG_USAGE = 2 };

/* One device: its socket, the channel, the DASD once online. */
struct zg_dev {
    const char *path;
    struct guest_chan *ch;
    struct guest_dasd *g;
};

struct zg_bench_opts {
    bool rnd, write;
    uint32_t bs;
    unsigned iodepth;
    double seconds;
    uint64_t seed;
    int log_fd; /* -1, or completed writes are logged here */
};

/* Connect, take the channel, bring the DASD online (online=false: stop
 * after the channel).  Prints a clear message and returns ZG_FAIL. */
int zg_open(struct zg_dev *d, bool online);
void zg_close(struct zg_dev *d);
int zg_fail(const char *path, const char *what, int err);
/* The bench and kill-test pattern: block content a function of the seed
 * and block number only, so a block rewritten with it cannot change. */
void zg_pattern(uint8_t *buf, uint32_t len, uint64_t seed, uint64_t blk);
uint64_t zg_fnv(const uint8_t *buf, size_t len);
/* First block a write may touch (CDL: past tracks 0 and 1). */
uint64_t zg_first_block(const struct guest_dasd_info *i);
uint64_t zg_now_ns(void);

int zg_usage(const char *msg);
/* "ap list" / "ap run" on the vfio_ap mdev at sock (ap.c); argv[0] is
 * the subcommand. */
int zg_ap_main(const char *sock, int argc, char **argv);

int zg_bench(struct zg_dev *devs, unsigned n, const struct zg_bench_opts *o);

#endif
