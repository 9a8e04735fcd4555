/* SPDX-License-Identifier: MIT */
/*
 * vfu_bench: what a vfio-user round trip costs over a UNIX socket.  The
 * server runs on its loop thread (a vfio-ccw device on the simulated
 * host, test device with zero latency); the client library drives it
 * from the main thread.
 *   rr:    REGION_READ of 4 bytes of the I/O region (request + reply)
 *   cycle: SSCH (NOP) by REGION_WRITE, wait for the IO eventfd, read the
 *          IRB (REGION_READ of the I/O region): what a guest I/O costs
 *          in protocol, without data
 * Prints median and p99 in microseconds.
 * Usage: vfu_bench [iterations [warmup]]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "vfu_host.h"
#include "zvfio/client.h"

#define IOVA 0x100000ull
#define MEM  (64u * 1024)

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void
report(const char *what, uint64_t *ns, unsigned n)
{
    qsort(ns, n, sizeof(ns[0]), cmp_u64);
    printf("%-6s n=%u median %.2f us  p99 %.2f us\n", what, n,
           ns[n / 2] / 1000.0, ns[(size_t)n * 99 / 100] / 1000.0);
}

static int
ssch_nop(struct zv_vfu_client *c, uint8_t *guest)
{
    struct ccw1 ccw = {.cmd = 0x03, .flags = CCW_FLAG_SLI};
    struct orb orb = {
        .fmt = true, .c64 = true, .lpm = 0xC0, .cpa = (uint32_t)IOVA};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};

    ccw1_encode(&ccw, guest);
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    return zv_vfu_client_region_write(c, 0, 0, region, sizeof(region)) ==
                   sizeof(region)
               ? 0
               : -1;
}

static int
cycle(struct zv_vfu_client *c, uint8_t *guest, int efd)
{
    struct pollfd p = {.fd = efd, .events = POLLIN};
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    uint64_t v;

    if (ssch_nop(c, guest) < 0 || poll(&p, 1, 5000) != 1 ||
        read(efd, &v, 8) != 8)
        return -1;
    return zv_vfu_client_region_read(c, 0, 0, region, sizeof(region)) ==
                   sizeof(region)
               ? 0
               : -1;
}

int
main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
    unsigned warm = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
    uint64_t *ns = calloc(n, sizeof(*ns));
    struct vfu_host h;
    struct zv_vfu_client *c;
    uint8_t buf[4], *guest;
    int memfd, efd;

    if (!ns || n == 0 || vfu_host_new(&h, true) < 0) {
        fprintf(stderr, "vfu_bench: setup failed\n");
        return 1;
    }
    testdev_set_default_latency(h.td, 0, 0);
    if (vfu_host_start(&h) < 0 || zv_vfu_client_connect(h.path, &c) < 0)
        return 1;
    memfd = zv_vfu_memfd_create("bench", MEM);
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    guest = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (guest == MAP_FAILED ||
        zv_vfu_client_dma_map(c, memfd, 0, IOVA, MEM,
                              ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE) < 0 ||
        zv_vfu_client_set_irq_eventfd(c, 0, efd) < 0)
        return 1;
    for (unsigned i = 0; i < warm; i++)
        zv_vfu_client_region_read(c, 0, 0, buf, sizeof(buf));
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = now_ns();

        if (zv_vfu_client_region_read(c, 0, 0, buf, sizeof(buf)) != 4)
            return 1;
        ns[i] = now_ns() - t;
    }
    report("rr", ns, n);
    for (unsigned i = 0; i < warm / 10; i++)
        if (cycle(c, guest, efd) < 0)
            return 1;
    for (unsigned i = 0; i < n / 4; i++) {
        uint64_t t = now_ns();

        if (cycle(c, guest, efd) < 0) {
            fprintf(stderr, "vfu_bench: cycle %u failed\n", i);
            return 1;
        }
        ns[i] = now_ns() - t;
    }
    report("cycle", ns, n / 4);
    zv_vfu_client_close(c);
    munmap(guest, MEM);
    close(memfd);
    close(efd);
    vfu_host_free(&h);
    free(ns);
    return 0;
}
