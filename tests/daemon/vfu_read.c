/* SPDX-License-Identifier: MIT */
/*
 * vfu_read SOCKET: a VMM in miniature on the public client library
 * (include/zvfio/client.h) against a device zvfiod serves.  Guest memory
 * is a sealed memfd mapped into the device; a Sense ID and a Read Device
 * Characteristics run through the I/O region; each ends with the IO IRQ
 * eventfd and an IRB with channel end + device end.  Prints the Sense ID
 * bytes; exit 0 only if both programs ended cleanly and the bytes are an
 * FBA 9336 on a 6310 control unit (the default host's 0.0.0100).
 *
 * vfu_read SOCKET --req SECONDS | --req-ignore SECONDS: arm the request
 * IRQ, print "req armed", then either leave (exit 0, "req received") when
 * the request comes, as QEMU unplugs the device, or ignore it and hold on
 * for SECONDS (exit 0 when the server dropped us, "dropped").
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/arch.h"
#include "vfio/uapi.h"
#include "zvfio/client.h"

#define GUEST_IOVA 0x100000ull
#define GUEST_SIZE (64u * 1024)
#define CCW_ADDR   (GUEST_IOVA + 0x1000)
#define DATA_ADDR  (GUEST_IOVA + 0x8000)

static struct zv_vfu_client *c;
static uint8_t *guest;
static int io_efd;

static int
run(uint8_t cmd, uint16_t count, struct irb *irb)
{
    struct ccw1 ccw = {.cmd = cmd,
                       .flags = CCW_FLAG_SLI,
                       .count = count,
                       .cda = (uint32_t)DATA_ADDR};
    struct orb orb = {.intparm = 0x12345678,
                      .fmt = true,
                      .pfch = true,
                      .c64 = true,
                      .lpm = 0xFF,
                      .cpa = (uint32_t)CCW_ADDR};
    struct scsw scsw = {.fctl = SCSW_FCTL_START};
    uint8_t region[ZV_CCW_IO_REGION_SIZE] = {0};
    struct pollfd p = {.fd = io_efd, .events = POLLIN};
    uint64_t v;
    ssize_t n;

    ccw1_encode(&ccw, guest + (CCW_ADDR - GUEST_IOVA));
    orb_encode(&orb, region + ZV_CCW_IO_ORB_OFF);
    scsw_encode(&scsw, region + ZV_CCW_IO_SCSW_OFF);
    n = zv_vfu_client_region_write(c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0,
                                   region, sizeof(region));
    if (n != sizeof(region)) {
        fprintf(stderr, "vfu_read: SSCH %02x: %zd\n", cmd, n);
        return -1;
    }
    if (poll(&p, 1, 5000) != 1 || read(io_efd, &v, sizeof(v)) != 8) {
        fprintf(stderr, "vfu_read: no IO IRQ for %02x\n", cmd);
        return -1;
    }
    n = zv_vfu_client_region_read(c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                                  sizeof(region));
    if (n != sizeof(region))
        return -1;
    irb_decode(irb, region + ZV_CCW_IO_IRB_OFF);
    if (irb->scsw.dstat != (DEV_STAT_CHN_END | DEV_STAT_DEV_END) ||
        irb->scsw.cstat) {
        fprintf(stderr, "vfu_read: %02x ended dstat %02x cstat %02x\n", cmd,
                irb->scsw.dstat, irb->scsw.cstat);
        return -1;
    }
    return 0;
}

static int
req_mode(const char *mode, int secs)
{
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct pollfd p = {.fd = efd, .events = POLLIN};
    uint8_t region[ZV_CCW_IO_REGION_SIZE];
    bool ignore = strcmp(mode, "--req-ignore") == 0;

    if (efd < 0 ||
        zv_vfu_client_set_irq_eventfd(c, ZV_VFIO_CCW_REQ_IRQ_INDEX, efd)) {
        fprintf(stderr, "vfu_read: cannot arm the request IRQ\n");
        return 1;
    }
    printf("req armed\n");
    fflush(stdout);
    if (!ignore) {
        if (poll(&p, 1, secs * 1000) != 1) {
            fprintf(stderr, "vfu_read: no request in %d s\n", secs);
            return 1;
        }
        printf("req received\n");
        zv_vfu_client_close(c);
        return 0;
    }
    sleep((unsigned)secs);
    /* the server must have given up on us: the connection is gone */
    if (zv_vfu_client_region_read(c, ZV_VFIO_CCW_CONFIG_REGION_INDEX, 0, region,
                                  sizeof(region)) >= 0) {
        fprintf(stderr, "vfu_read: still served after ignoring the request\n");
        return 1;
    }
    printf("dropped\n");
    zv_vfu_client_close(c);
    return 0;
}

int
main(int argc, char **argv)
{
    static const uint8_t fba_id[7] = {0xFF, 0x63, 0x10, 0x01, 0x93, 0x36, 0x00};
    struct irb irb;
    uint8_t *data;
    int memfd, rc;

    if (argc != 2 && !(argc == 4 && (!strcmp(argv[2], "--req") ||
                                     !strcmp(argv[2], "--req-ignore")))) {
        fprintf(stderr, "usage: vfu_read SOCKET [--req|--req-ignore SECS]\n");
        return 2;
    }
    rc = zv_vfu_client_connect(argv[1], &c);
    if (rc) {
        fprintf(stderr, "vfu_read: connect %s: %s\n", argv[1], strerror(-rc));
        return 1;
    }
    if (argc == 4)
        return req_mode(argv[2], atoi(argv[3]));
    memfd = zv_vfu_memfd_create("guest", GUEST_SIZE);
    guest = memfd >= 0 ? mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
                              MAP_SHARED, memfd, 0)
                       : MAP_FAILED;
    io_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (guest == MAP_FAILED || io_efd < 0 ||
        zv_vfu_client_dma_map(c, memfd, 0, GUEST_IOVA, GUEST_SIZE,
                              ZV_VFU_PROT_READ | ZV_VFU_PROT_WRITE) ||
        zv_vfu_client_set_irq_eventfd(c, ZV_VFIO_CCW_IO_IRQ_INDEX, io_efd)) {
        fprintf(stderr, "vfu_read: setup failed\n");
        return 1;
    }
    data = guest + (DATA_ADDR - GUEST_IOVA);
    memset(data, 0x5a, 64);
    if (run(0xE4, 7, &irb))
        return 1;
    printf("sense id:");
    for (int i = 0; i < 7; i++)
        printf(" %02x", data[i]);
    printf("\n");
    if (memcmp(data, fba_id, 7) || data[7] != 0x5a) {
        fprintf(stderr, "vfu_read: not the FBA 9336's Sense ID\n");
        return 1;
    }
    memset(data, 0x5a, 64);
    if (run(0x64, 32, &irb)) /* Read Device Characteristics */
        return 1;
    printf("rdc: %u bytes, residual %u\n", 32u - irb.scsw.count,
           irb.scsw.count);
    if (irb.scsw.count != 0 || data[32] != 0x5a)
        return 1;
    zv_vfu_client_close(c);
    return 0;
}
