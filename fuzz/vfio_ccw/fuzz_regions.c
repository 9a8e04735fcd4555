/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the vfio-ccw userspace interface, driven the way a
 * hostile client drives it (DESIGN.md principle 6, vfio-ccw.md §3).
 *
 * One world per input: a virtual loop, a host channel subsystem with two
 * channel paths and one I/O subchannel holding a scriptable test device,
 * the vfio-ccw driver bound to it, one mdev instance opened in process,
 * and 64 KiB of guest memory (four chunks of four pages, guard pages
 * around) that the client maps for DMA.  The input is a sequence of
 * operations, each an opcode byte and its operands: region writes with
 * any offset, size and bytes (I/O, async, SCHIB, CRW regions), region
 * reads, region and IRQ info, SET_IRQS, DMA map/unmap, reset, close/open,
 * mdev remove and re-create, loop steps, guest memory writes, and host
 * events through the test device (unsolicited status, release of a held
 * command, path failure, configure/vary, device loss).
 *
 * After every operation the invariants the simulation explorer checks
 * hold (tests/sim): at most one live channel program and the counters
 * agree with the host arena; no program is freed twice or while the host
 * still runs its start function; the FSM state agrees with the status
 * queue; the host CSS is consistent (css_check_invariants); no SCSW the
 * client reads carries a host (arena) address as CPA; nothing outside a
 * writable DMA map was written; nothing read, wrote or looked up host
 * storage the client was not granted (issue 7's isolation class): the
 * first 64 KiB of host storage and the pages around the program arena
 * are canary storage (base/canary.h), its trip count checked after every
 * loop event and operation and its bytes at the end.  At the end the device is
 * closed, the loop must come to rest within a bound, and everything is freed
 * (no program, host block or mapping left; LeakSanitizer sees the rest).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/canary.h"
#include "css/sub_priv.h"
#include "../fz_input.h"
#include "dev/testdev.h"
#include "vfio_ccw/vfio_ccw.h"

#define FZ_PAGE        4096u
#define FZ_CHUNK_PAGES 4u
#define FZ_CHUNKS      4u
#define FZ_CHUNK_SIZE  (FZ_CHUNK_PAGES * FZ_PAGE)
#define FZ_GUEST_SIZE  (FZ_CHUNKS * FZ_CHUNK_SIZE)
#define FZ_GUEST_IOVA  0x100000ull
#define FZ_ARENA_SIZE  (1ull << 20)
#define FZ_CANARY      0xDB
#define FZ_SCH_NO      0x0100
#define FZ_DEVNO       0x5a5a
#define FZ_CHPID0      0x40
#define FZ_CHPID1      0x41
#define FZ_UUID        "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0"
#define FZ_MAX_OPS     512u
#define FZ_STEP_MAX    64u    /* loop events one operation may run */
#define FZ_DRAIN_MAX   40000u /* loop events before a hang is declared */
#define FZ_CLEAR_AT    10000u /* ... and before the client clears */
#define FZ_SERIALS     1024u  /* programs tracked for double frees */
#define FZ_BUF_MAX     256u
#define FZ_CANARY_LOW  0x10000u /* host storage [0, 64K): nobody's */

/* Scripted commands of the test device (besides NOP, sense, sense ID). */
#define FZ_CMD_WRITE 0x01
#define FZ_CMD_READ  0x02
#define FZ_CMD_HOLD  0x13
#define FZ_CMD_UC    0x23
#define FZ_CEDE      (DEV_STAT_CHN_END | DEV_STAT_DEV_END)

/* Where the SCSW CPA sits in the I/O region (IRB area) and the SCHIB
 * region (after the 28-byte PMCW); the SCSW's CPA is its second word. */
#define FZ_IO_CPA_OFF    (ZV_CCW_IO_IRB_OFF + 4)
#define FZ_SCHIB_CPA_OFF (28 + 4)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    struct zv_loop *loop;
    struct zv_as *storage;
    struct css *css;
    struct zv_arena *arena;
    struct zv_canary *canary; /* low storage, arena edges */
    uint64_t trips;           /* host storage trip count at the last check */
    struct zv_mdev_bus *bus;
    struct zv_vfio_ccw *drv;
    struct testdev *td;
    struct subchannel *sch;
    struct zv_vdev *vd; /* our reference, NULL after a failed re-create */
    bool lost;          /* the subchannel vanished */
    int efd;            /* our eventfd for SET_IRQS, -1 until needed */
    uint8_t *mem;       /* guard page, guest memory, guard page */
    uint8_t *guest;
    uint8_t shadow[FZ_GUEST_SIZE]; /* what the client wrote */
    bool ever_rw[FZ_CHUNKS];       /* writable DMA map seen: device may write */
    uint8_t io_written[ZV_CCW_IO_REGION_SIZE]; /* client bytes, I/O region */
    uint8_t freed[FZ_SERIALS];                 /* per program serial */
    unsigned irqs[ZV_VFIO_CCW_NUM_IRQS];
    unsigned io_irqs_at_read; /* irqs[IO] when the client last read status */
    bool verbose;             /* FZ_VERBOSE=2: the loop's trace on stderr */
};

static void
fz_die(struct fz *z, const char *why)
{
    fprintf(stderr, "fuzz_regions: invariant broken: %s (state %s)\n", why,
            z->vd ? zv_vfio_ccw_state_name(z->vd) : "-");
    abort();
}

/* ---- observers ---- */

static void
fz_irq(void *arg, struct zv_vdev *vd, unsigned index)
{
    struct fz *z = arg;

    if (index >= ZV_VFIO_CCW_NUM_IRQS)
        fz_die(z, "IRQ with an index out of range");
    z->irqs[index]++;
}

static void
fz_cp_freed(void *arg, const struct zv_vfio_ccw_cp_event *ev)
{
    struct fz *z = arg;

    /* Principle 3: freed once, and only after the host ended the start
     * (unless the subchannel itself is gone). */
    if (ev->host_start_active && ev->reason != ZV_VFIO_CCW_FREE_NOT_OPER)
        fz_die(z, "program freed while the host still runs its start");
    if (ev->serial == 0)
        fz_die(z, "program serial 0");
    if (ev->serial < FZ_SERIALS && z->freed[ev->serial]++)
        fz_die(z, "program freed twice");
}

/* ---- checks ---- */

static bool
fz_arena_addr(uint32_t a)
{
    return a >= ZV_VFIO_CCW_ARENA_BASE &&
           a < ZV_VFIO_CCW_ARENA_BASE + FZ_ARENA_SIZE;
}

static bool
fz_canary(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != FZ_CANARY)
            return false;
    return true;
}

/* Principle 5: no write outside the DMA maps nor into a chunk that was
 * never mapped writable. */
static void
fz_check_memory(struct fz *z)
{
    if (!fz_canary(z->mem, FZ_PAGE) ||
        !fz_canary(z->guest + FZ_GUEST_SIZE, FZ_PAGE))
        fz_die(z, "memory next to guest memory was written");
    for (unsigned c = 0; c < FZ_CHUNKS; c++)
        if (!z->ever_rw[c] &&
            memcmp(z->guest + c * FZ_CHUNK_SIZE, z->shadow + c * FZ_CHUNK_SIZE,
                   FZ_CHUNK_SIZE))
            fz_die(z, "a chunk never mapped writable was written");
}

static bool
fz_is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static void
fz_check_device(struct fz *z)
{
    struct zv_vfio_ccw_counters c;
    const char *st;

    if (zv_vfio_ccw_counters(z->vd, &c))
        fz_die(z, "no counters for a vfio-ccw device");
    if (c.cp_live > 1)
        fz_die(z, "more than one live channel program");
    if (c.cp_translated - c.cp_freed != c.cp_live)
        fz_die(z, "programs built - freed != live");
    if (zv_arena_live(z->arena) != c.cp_live)
        fz_die(z, "host program blocks disagree with live programs");
    if (c.irb_queued > ZV_VFIO_CCW_IRBQ_MAX ||
        c.crw_queued > ZV_VFIO_CCW_CRWQ_MAX)
        fz_die(z, "a queue over its bound");
    if (z->lost || !zv_vdev_is_open(z->vd))
        return;
    st = zv_vfio_ccw_state_name(z->vd);
    if ((fz_is(st, "status-pending") && !c.irb_queued) ||
        (fz_is(st, "idle") && c.irb_queued))
        fz_die(z, "FSM state disagrees with the status queue");
    if (c.cp_live &&
        !(fz_is(st, "start") || fz_is(st, "halt") || fz_is(st, "clear")))
        fz_die(z, "live program while no function is in progress");
}

/*
 * Isolation: canary storage read, written or looked up.  Every access
 * through the address space, pointer lookups included, moves the trip
 * count, so the count alone sees a breach after every event; the bytes
 * (full) are compared at the end of the input, for a write through a
 * host pointer taken by other means (72 KiB per compare would otherwise
 * dominate the run).
 */
static void
fz_check_canary(struct fz *z, bool full)
{
    char why[160];
    char msg[200];

    if (!full && zv_as_trips(z->storage) == z->trips)
        return;
    if (zv_canary_check(z->canary, why, sizeof(why))) {
        snprintf(msg, sizeof(msg), "isolation breach: %s", why);
        fz_die(z, msg);
    }
    z->trips = zv_as_trips(z->storage);
}

/* After every loop event; the memory compares run after every operation
 * (64 KiB per check would dominate long programs). */
static void
fz_check_event(struct fz *z)
{
    const char *why = css_check_invariants(z->css);

    if (why)
        fz_die(z, why);
    if (z->vd)
        fz_check_device(z);
    fz_check_canary(z, false);
}

static void
fz_check(struct fz *z)
{
    fz_check_event(z);
    fz_check_memory(z);
}

/* The client read [off, off+len) of region index into buf: a SCSW it can
 * see must never show a host address as CPA.  Bytes the client wrote into
 * the I/O region itself and reads back are its own. */
static void
fz_check_read(struct fz *z, unsigned index, uint64_t off, const uint8_t *buf,
              size_t len)
{
    uint32_t at, cpa;

    if (index == ZV_VFIO_CCW_CONFIG_REGION_INDEX)
        at = FZ_IO_CPA_OFF;
    else if (index == 2)
        at = FZ_SCHIB_CPA_OFF;
    else
        return;
    if (off > at || off + len < at + 4)
        return;
    cpa = zv_be32(buf + (at - off));
    if (index == ZV_VFIO_CCW_CONFIG_REGION_INDEX &&
        !memcmp(buf + (at - off), z->io_written + at, 4))
        return;
    if (fz_arena_addr(cpa))
        fz_die(z, "guest-visible SCSW holds a host CPA");
}

static void
fz_trace_sink(void *arg, uint64_t now, const char *line)
{
    fprintf(stderr, "%12llu %s\n", (unsigned long long)now, line);
}

/* ---- the world ---- */

static int
fz_script_device(struct fz *z)
{
    static const uint8_t eq_check[1] = {SNS0_EQUIPMENT_CHECK};
    struct testdev_resp r = {
        .dstat = FZ_CEDE, .latency_ns = 2000, .latency_max_ns = 20000};
    int rc;

    testdev_set_default_latency(z->td, 1000, 10000);
    r.len = 2 * FZ_PAGE;
    rc = testdev_set_response(z->td, FZ_CMD_WRITE, &r);
    if (!rc)
        rc = testdev_set_response(z->td, FZ_CMD_READ, &r);
    r.len = 0;
    r.hold = true;
    if (!rc)
        rc = testdev_set_response(z->td, FZ_CMD_HOLD, &r);
    r.hold = false;
    r.dstat |= DEV_STAT_UNIT_CHECK;
    r.sense = eq_check;
    r.sense_len = sizeof(eq_check);
    if (!rc)
        rc = testdev_set_response(z->td, FZ_CMD_UC, &r);
    return rc;
}

static int
fz_build_host(struct fz *z, uint8_t seed)
{
    static const struct css_config cfg = {.concurrent_sense = true};
    struct css_sch_desc d = {
        .sch_no = FZ_SCH_NO,
        .devno = FZ_DEVNO,
        .st = PMCW_ST_IO,
        .pim = 0xC0,
        .chpid = {FZ_CHPID0, FZ_CHPID1},
    };

    z->loop = zv_loop_new_virtual(seed + 1u);
    z->storage = zv_as_new("fz-storage");
    if (!z->loop || !z->storage)
        return -ENOMEM;
    z->css = css_new(z->loop, z->storage, &cfg);
    z->td = testdev_new(z->loop, 0x3990, 0xE9, 0x3390, 0x0C);
    if (!z->css || !z->td || fz_script_device(z))
        return -ENOMEM;
    if (css_chp_define(z->css, FZ_CHPID0, CHP_TYPE_FICON) ||
        css_chp_define(z->css, FZ_CHPID1, CHP_TYPE_FICON) ||
        css_sch_define(z->css, &d, testdev_css_dev(z->td), false, &z->sch))
        return -EIO;
    css_sch_get(z->sch); /* ours until the end, even once it vanished */
    return 0;
}

static int
fz_open(struct fz *z)
{
    int rc = zv_vdev_open(z->vd);

    for (unsigned i = 0; !rc && i < ZV_VFIO_CCW_NUM_IRQS; i++)
        rc = zv_vdev_set_irq_callback(z->vd, i, fz_irq, z);
    return rc;
}

static int
fz_create(struct fz *z)
{
    struct zv_mdev_parent *parent = zv_vfio_ccw_parent(z->drv, z->sch);
    struct zv_vdev *vd = NULL;
    int rc;

    if (!parent)
        return -ENODEV;
    rc = zv_mdev_create(parent, ZV_VFIO_CCW_TYPE_ID, FZ_UUID, &vd);
    if (rc)
        return rc;
    zv_vdev_get(vd);
    z->vd = vd;
    memset(z->freed, 0, sizeof(z->freed)); /* serials are per device */
    return 0;
}

static int
fz_build_driver(struct fz *z)
{
    struct zv_vfio_ccw_observer obs = {.cp_freed = fz_cp_freed, .arg = z};
    int rc;

    z->arena =
        zv_vfio_ccw_arena_new(z->css, ZV_VFIO_CCW_ARENA_BASE, FZ_ARENA_SIZE);
    z->bus = zv_mdev_bus_new();
    z->canary = zv_canary_new(z->storage);
    if (!z->arena || !z->bus || !z->canary)
        return -ENOMEM;
    /* What no client is granted: low host storage (where a host CCW with
     * address 0 moves data) and the pages around the program arena. */
    rc = zv_canary_add(z->canary, 0, FZ_CANARY_LOW);
    if (!rc)
        rc = zv_canary_around(z->canary, ZV_VFIO_CCW_ARENA_BASE, FZ_ARENA_SIZE);
    if (rc)
        return rc;
    z->trips = zv_as_trips(z->storage);
    z->drv = zv_vfio_ccw_new(z->css, z->arena, z->bus);
    if (!z->drv)
        return -ENOMEM;
    zv_vfio_ccw_set_observer(z->drv, &obs);
    rc = zv_vfio_ccw_bind(z->drv, z->sch);
    if (!rc)
        rc = fz_create(z);
    if (!rc)
        rc = fz_open(z);
    /* Chunks 0-2 mapped writable and chunk 3 read-only to start with, so
     * short inputs already reach translation; ops change the maps. */
    for (unsigned c = 0; !rc && c < FZ_CHUNKS; c++) {
        z->ever_rw[c] = c + 1 < FZ_CHUNKS;
        rc = zv_vdev_dma_map(z->vd, FZ_GUEST_IOVA + c * FZ_CHUNK_SIZE,
                             FZ_CHUNK_SIZE, z->guest + c * FZ_CHUNK_SIZE,
                             z->ever_rw[c] ? ZV_MEM_RW : ZV_MEM_READ);
    }
    return rc;
}

static int
fz_build_guest(struct fz *z)
{
    z->mem = aligned_alloc(FZ_PAGE, FZ_GUEST_SIZE + 2 * FZ_PAGE);
    if (!z->mem)
        return -ENOMEM;
    z->guest = z->mem + FZ_PAGE;
    memset(z->mem, FZ_CANARY, FZ_GUEST_SIZE + 2 * FZ_PAGE);
    memset(z->guest, 0, FZ_GUEST_SIZE);
    memset(z->shadow, 0, sizeof(z->shadow));
    return 0;
}

/* Run at most max loop events; returns how many ran. */
static unsigned
fz_run(struct fz *z, unsigned max)
{
    unsigned n = 0;

    while (n < max && zv_loop_run_once(z->loop, 0)) {
        n++;
        fz_check_event(z);
    }
    return n;
}

/* Bring the loop to rest: release held commands; a client that lets a
 * program loop forever would clear it, so do that past FZ_CLEAR_AT. */
static void
fz_drain(struct fz *z)
{
    uint8_t cmd[ZV_CCW_CMD_REGION_SIZE] = {0};
    bool cleared = false;

    for (unsigned i = 0; i < FZ_DRAIN_MAX; i++) {
        if (testdev_holding(z->td))
            testdev_release(z->td, FZ_CEDE, 0);
        if (!cleared && i == FZ_CLEAR_AT && z->vd) {
            zv_put_be32(cmd, ZV_VFIO_CCW_ASYNC_CMD_CSCH);
            zv_vdev_region_write(z->vd, 1, 0, cmd, sizeof(cmd));
            cleared = true;
        }
        if (!fz_run(z, 1) && !testdev_holding(z->td)) {
            fz_check(z);
            return;
        }
    }
    fz_die(z, "the loop never came to rest");
}

static void
fz_check_no_leak(struct fz *z)
{
    struct zv_vfio_ccw_counters c;

    if (z->vd && !zv_vfio_ccw_counters(z->vd, &c) &&
        (c.cp_live || c.cp_translated != c.cp_freed))
        fz_die(z, "leak: channel program left after close");
    if (zv_arena_live(z->arena))
        fz_die(z, "leak: host program blocks left after close");
}

/* At rest, a client that reads status only when the IO IRQ fires (QEMU)
 * must have been told about every status still queued. */
static void
fz_check_signalled(struct fz *z)
{
    struct zv_vfio_ccw_counters c;

    if (z->lost || !zv_vdev_is_open(z->vd) || zv_vfio_ccw_counters(z->vd, &c))
        return;
    if (c.irb_queued && z->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX] == z->io_irqs_at_read)
        fz_die(z, "status queued, but no IO IRQ since the client last read");
}

/* Principle 6: a client that lets go leaves a quiesced host subchannel:
 * no function, no activity, no status pending. */
static void
fz_check_quiesced(struct fz *z)
{
    struct schib s;

    if (z->lost || css_sch_stsch(z->sch, &s).cc != ZV_CC0)
        return;
    if (s.scsw.fctl || s.scsw.actl || (s.scsw.stctl & SCSW_STCTL_PENDING))
        fz_die(z, "host subchannel not quiesced after close");
}

/* FZ_VERBOSE=1: one line per input (what the replay reached). */
static void
fz_report(struct fz *z)
{
    struct zv_vfio_ccw_counters c = {0};

    if (!getenv("FZ_VERBOSE"))
        return;
    if (z->vd)
        zv_vfio_ccw_counters(z->vd, &c);
    fprintf(stderr,
            "fuzz_regions: state %s, programs %llu, device commands %llu, "
            "irqs %u/%u/%u, events %llu\n",
            z->vd ? zv_vfio_ccw_state_name(z->vd) : "-",
            (unsigned long long)c.cp_translated,
            (unsigned long long)testdev_cmd_count(z->td), z->irqs[0],
            z->irqs[1], z->irqs[2], (unsigned long long)c.events);
}

static void
fz_teardown(struct fz *z)
{
    fz_report(z);
    if (z->vd && z->drv) {
        fz_drain(z);
        fz_check_signalled(z);
        if (zv_vdev_is_open(z->vd))
            zv_vdev_close(z->vd);
        fz_drain(z);
        fz_check_no_leak(z);
        fz_check_quiesced(z);
        zv_mdev_remove(z->bus, FZ_UUID);
        fz_drain(z);
        zv_vdev_put(z->vd);
    }
    zv_vfio_ccw_free(z->drv);
    if (z->loop)
        fz_run(z, FZ_DRAIN_MAX);
    if (z->canary)
        fz_check_canary(z, true);
    zv_canary_free(z->canary);
    if (z->drv && zv_as_count(z->storage) != 1)
        fz_die(z, "leak: DMA-window mappings left in host storage");
    zv_mdev_bus_free(z->bus);
    if (z->sch)
        css_sch_put(z->sch);
    css_free(z->css);
    while (z->loop && zv_loop_run_once(z->loop, 0))
        ;
    testdev_free(z->td);
    zv_arena_free(z->arena);
    zv_as_free(z->storage);
    zv_loop_free(z->loop);
    free(z->mem);
    if (z->efd >= 0)
        close(z->efd);
}

/* ---- operations ---- */

static void
op_io_write(struct fz *z, struct fz_input *in)
{
    uint8_t buf[FZ_BUF_MAX] = {0};
    uint64_t off = in_u8(in) % (ZV_CCW_IO_REGION_SIZE + 8);
    size_t len = in_u8(in) % (ZV_CCW_IO_REGION_SIZE + 8);

    in_bytes(in, buf, len);
    if (off + len <= ZV_CCW_IO_REGION_SIZE)
        memcpy(z->io_written + off, buf, len);
    zv_vdev_region_write(z->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, off, buf, len);
}

/* A whole SSCH request: ORB bytes from the input, the CPA optionally
 * aimed into guest memory, SCSW FC start (or input bytes). */
static void
op_ssch(struct fz *z, struct fz_input *in)
{
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    uint8_t how = in_u8(in);
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    struct orb orb;

    in_bytes(in, region + ZV_CCW_IO_ORB_OFF, ZV_CCW_IO_ORB_SIZE);
    orb_decode(&orb, region + ZV_CCW_IO_ORB_OFF, ZV_CCW_IO_ORB_SIZE);
    if (how & 1)
        orb.cpa = (uint32_t)(FZ_GUEST_IOVA + (in_u16(in) & ~7u));
    if (how & 2) { /* plausible: format 1, prefetch, 64-bit IDAWs */
        orb.fmt = orb.pfch = orb.c64 = true;
        orb.lpm = 0xC0;
    }
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    if (how & 4)
        in_bytes(in, region + ZV_CCW_IO_SCSW_OFF, ZV_CCW_IO_SCSW_SIZE);
    else
        scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    memcpy(z->io_written, region, sizeof(region));
    zv_vdev_region_write(z->vd, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                         sizeof(region));
}

static void
op_async_write(struct fz *z, struct fz_input *in)
{
    uint8_t buf[16] = {0};
    uint64_t off = in_u8(in) % 12;
    size_t len = in_u8(in) % 12;

    in_bytes(in, buf, len);
    zv_vdev_region_write(z->vd, 1, off, buf, len);
}

static void
op_async_cmd(struct fz *z, struct fz_input *in)
{
    uint8_t buf[ZV_CCW_CMD_REGION_SIZE] = {0};

    zv_put_be32(buf + ZV_CCW_CMD_COMMAND_OFF, in_u8(in) & 1
                                                  ? ZV_VFIO_CCW_ASYNC_CMD_CSCH
                                                  : ZV_VFIO_CCW_ASYNC_CMD_HSCH);
    zv_vdev_region_write(z->vd, 1, 0, buf, sizeof(buf));
}

static void
op_read(struct fz *z, struct fz_input *in)
{
    uint8_t buf[FZ_BUF_MAX] = {0};
    unsigned index = in_u8(in) % 6;
    uint64_t off = in_u8(in) % (ZV_CCW_IO_REGION_SIZE + 8);
    size_t len = in_u8(in) % (ZV_CCW_IO_REGION_SIZE + 8);
    ssize_t rc;

    if (in_u8(in) & 1) { /* the whole region, as QEMU reads it */
        static const size_t sizes[] = {ZV_CCW_IO_REGION_SIZE,
                                       ZV_CCW_CMD_REGION_SIZE,
                                       ZV_CCW_SCHIB_REGION_SIZE,
                                       ZV_CCW_CRW_REGION_SIZE,
                                       8,
                                       8};

        off = 0;
        len = sizes[index];
    }
    rc = zv_vdev_region_read(z->vd, index, off, buf, len);
    if (rc > (ssize_t)len)
        fz_die(z, "region read returned more than asked");
    /* A read that reached the IRB area took status (IRQs are posted, so
     * none arrived during the read). */
    if (rc > 0 && index == ZV_VFIO_CCW_CONFIG_REGION_INDEX &&
        off < ZV_CCW_IO_IRB_OFF + ZV_CCW_IO_IRB_SIZE &&
        off + len > ZV_CCW_IO_IRB_OFF)
        z->io_irqs_at_read = z->irqs[ZV_VFIO_CCW_IO_IRQ_INDEX];
    if (rc > 0)
        fz_check_read(z, index, off, buf, (size_t)rc);
}

static void
op_write_other(struct fz *z, struct fz_input *in)
{
    uint8_t buf[FZ_BUF_MAX] = {0};
    unsigned index = 2 + in_u8(in) % 6;
    uint64_t off = in_u32(in) % 4096;
    size_t len = in_u8(in);
    ssize_t rc;

    in_bytes(in, buf, len);
    rc = zv_vdev_region_write(z->vd, index, off, buf, len);
    if (rc >= 0 && len)
        fz_die(z, "a read-only or missing region took a write");
}

static void
op_info(struct fz *z, struct fz_input *in)
{
    uint8_t cap[64];
    struct zv_vdev_region_info ri;
    struct zv_vdev_irq_info ii;
    struct zv_vdev_info di;
    unsigned index = in_u8(in) % 8;
    size_t cap_max = in_u8(in) % sizeof(cap);

    zv_vdev_get_info(z->vd, &di);
    if (!zv_vdev_get_region_info(z->vd, index, &ri, cap, cap_max) &&
        ri.index != index)
        fz_die(z, "region info for another index");
    if (!zv_vdev_get_irq_info(z->vd, index, &ii) &&
        (ii.index != index || index >= ZV_VFIO_CCW_NUM_IRQS))
        fz_die(z, "IRQ info for another or a missing index");
}

/* SET_IRQS with input flags; an eventfd, if any, is always ours (the vdev
 * writes to whatever descriptor it is given). */
static void
op_set_irqs(struct fz *z, struct fz_input *in)
{
    uint32_t flags = in_u8(in);
    unsigned index = in_u8(in) % 5;
    unsigned start = in_u8(in) % 3 == 0;
    unsigned count = in_u8(in) % 3;
    uint8_t pick = in_u8(in);
    int32_t data = -1;

    /* bits 0-5 are the UAPI's data and action types */
    flags &= ZV_VFIO_IRQ_SET_DATA_TYPE_MASK | ZV_VFIO_IRQ_SET_ACTION_TYPE_MASK;
    if (pick & 1) {
        if (z->efd < 0)
            z->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        data = z->efd;
    } else if (pick & 2) {
        /* DATA_BOOL true: every byte 1, whichever the vdev reads */
        memset(&data, 1, sizeof(data));
    }
    zv_vdev_set_irqs(z->vd, flags, index, start, count, &data);
}

/* Map pages of one chunk at an input IOVA (4K aligned or not). */
static void
op_map(struct fz *z, struct fz_input *in)
{
    uint8_t how = in_u8(in);
    unsigned c = how % FZ_CHUNKS;
    unsigned pages = 1 + in_u8(in) % (FZ_CHUNK_PAGES * (FZ_CHUNKS - c));
    uint64_t iova = FZ_GUEST_IOVA + (uint64_t)c * FZ_CHUNK_SIZE;
    unsigned prot = how & 0x10 ? ZV_MEM_READ : ZV_MEM_RW;
    uint64_t len = (uint64_t)pages * FZ_PAGE;

    if (how & 0x20)
        iova = (uint64_t)in_u16(in) << 12;
    if (how & 0x40)
        iova += in_u8(in); /* misaligned: must be refused */
    if (how & 0x80)
        len -= in_u8(in) % FZ_PAGE;
    if (zv_vdev_dma_map(z->vd, iova, len, z->guest + c * FZ_CHUNK_SIZE, prot) ==
            0 &&
        prot == ZV_MEM_RW)
        for (uint64_t o = 0; o < len; o += FZ_CHUNK_SIZE)
            z->ever_rw[c + o / FZ_CHUNK_SIZE] = true;
}

static void
op_unmap(struct fz *z, struct fz_input *in)
{
    uint8_t how = in_u8(in);
    uint64_t iova = FZ_GUEST_IOVA + (uint64_t)(how % FZ_CHUNKS) * FZ_CHUNK_SIZE;
    uint64_t len = FZ_CHUNK_SIZE;

    if (how & 0x20) {
        iova = (uint64_t)in_u16(in) << 12;
        len = (uint64_t)in_u8(in) << 12;
    }
    if (how & 0x40)
        iova += in_u8(in);
    zv_vdev_dma_unmap(z->vd, iova, len);
}

static void
op_reset(struct fz *z, struct fz_input *in)
{
    zv_vdev_reset(z->vd);
}

static void
op_close_open(struct fz *z, struct fz_input *in)
{
    if (zv_vdev_is_open(z->vd)) {
        zv_vdev_close(z->vd);
        if (in_u8(in) & 1)
            return;
    }
    fz_open(z);
}

static void
op_run(struct fz *z, struct fz_input *in)
{
    fz_run(z, 1 + in_u8(in) % FZ_STEP_MAX);
}

static void
op_fill(struct fz *z, struct fz_input *in)
{
    uint32_t off = in_u16(in) % FZ_GUEST_SIZE;
    size_t len = in_u8(in) + 1u;

    if (len > FZ_GUEST_SIZE - off)
        len = FZ_GUEST_SIZE - off;
    in_bytes(in, z->guest + off, len);
    memcpy(z->shadow + off, z->guest + off, len);
}

/* One format-1 CCW in guest memory, data address in guest memory unless
 * the input asks for a raw one. */
static void
op_ccw(struct fz *z, struct fz_input *in)
{
    static const uint8_t cmds[] = {FZ_CMD_WRITE, FZ_CMD_READ, FZ_CMD_HOLD,
                                   FZ_CMD_UC,    0x03,        0x04,
                                   0xE4,         CCW_CMD_TIC};
    uint32_t off = in_u16(in) % FZ_GUEST_SIZE & ~7u;
    uint8_t pick = in_u8(in);
    struct ccw1 c;

    c.cmd = pick & 8 ? in_u8(in) : cmds[pick % 8];
    c.flags = in_u8(in);
    c.count = in_u16(in);
    c.cda = pick & 0x10
                ? in_u32(in)
                : (uint32_t)(FZ_GUEST_IOVA + in_u16(in) % FZ_GUEST_SIZE);
    ccw1_encode(&c, z->guest + off);
    memcpy(z->shadow + off, z->guest + off, CCW_SIZE);
}

static void
op_host(struct fz *z, struct fz_input *in)
{
    uint8_t what = in_u8(in);
    uint8_t arg = in_u8(in);
    uint8_t chpid = arg & 1 ? FZ_CHPID1 : FZ_CHPID0;

    if (z->lost)
        return;
    switch (what % 8) {
    case 0:
        testdev_unsolicited(z->td, arg);
        break;
    case 1:
        testdev_release(z->td, arg, (arg & 0xF) * 1000u);
        break;
    case 2:
        css_chp_set_failed(z->css, chpid, arg & 2);
        break;
    case 3:
        css_chp_configure(z->css, chpid, arg & 2);
        break;
    case 4:
        css_chp_vary(z->css, chpid, arg & 2);
        break;
    case 5:
        testdev_busy_next(z->td, arg % 4);
        break;
    case 6:
        testdev_fail_path_after(z->td, 1 + arg % 4, z->css, chpid);
        break;
    default:
        if (arg == 0xA5) { /* rare: the device goes for good */
            z->lost = true;
            css_sch_undefine(z->css, z->sch);
        }
        break;
    }
}

/* The administrator removes the mdev (open or not) and creates it again;
 * the client closes, lets go and opens the new one. */
static void
op_replug(struct fz *z, struct fz_input *in)
{
    zv_mdev_remove(z->bus, FZ_UUID);
    if (zv_vdev_is_open(z->vd))
        zv_vdev_close(z->vd);
    zv_vdev_put(z->vd);
    z->vd = NULL;
    if (fz_create(z))
        return;
    if ((in_u8(in) & 1) && zv_vdev_dma_map(z->vd, FZ_GUEST_IOVA, FZ_GUEST_SIZE,
                                           z->guest, ZV_MEM_RW) == 0)
        memset(z->ever_rw, 1, sizeof(z->ever_rw));
    fz_open(z);
}

typedef void (*fz_op_fn)(struct fz *z, struct fz_input *in);

static const fz_op_fn fz_ops[] = {
    op_io_write, op_ssch,  op_ssch,        op_async_write, op_async_cmd,
    op_read,     op_read,  op_write_other, op_info,        op_set_irqs,
    op_map,      op_unmap, op_reset,       op_close_open,  op_run,
    op_run,      op_fill,  op_ccw,         op_ccw,         op_host,
    op_replug,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in = {data, size};
    struct fz *z = calloc(1, sizeof(*z));
    int rc;

    if (!z)
        return 0;
    z->efd = -1;
    rc = fz_build_host(z, in_u8(&in));
    if (!rc && getenv("FZ_VERBOSE") && atoi(getenv("FZ_VERBOSE")) > 1) {
        z->verbose = true;
        zv_loop_set_trace_sink(z->loop, fz_trace_sink, z);
    }
    if (!rc)
        rc = fz_build_guest(z);
    if (!rc)
        rc = fz_build_driver(z);
    if (rc)
        fz_die(z, "cannot build the world");
    fz_check(z);
    for (unsigned i = 0; i < FZ_MAX_OPS && in.n && z->vd; i++) {
        unsigned op = in_u8(&in) % (sizeof(fz_ops) / sizeof(fz_ops[0]));

        if (z->verbose)
            zv_trace(z->loop, "fuzz: op %u", op);
        fz_ops[op](z, &in);
        fz_check(z);
    }
    fz_teardown(z);
    free(z);
    return 0;
}
