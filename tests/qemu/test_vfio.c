/* SPDX-License-Identifier: MIT */
/*
 * qemu/vfio + device: the kernel VFIO surface the adapter gives QEMU,
 * driven call by call as QEMU 7.2's vfio-ccw realize and run time drive
 * it (shared/reference/qemu-adapter.md §2.2, §2.3), against an in-process
 * zvfio host of an FBA and an ECKD served over vfio-user
 * (tests/vfu/vfu_dasd_host).  Guest RAM is a memfd mapped shared, as
 * QEMU's memory-backend-memfd.  Checks the kernel's answers and errors,
 * a SENSE ID through the I/O region with QEMU's host-order ORB and SCSW,
 * the TCG hook's range, STSCH through the SCHIB region, CSCH through the
 * async region, teardown, and a lost server seen as ENODEV (cc 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "adapter.h"
#include "arch/ccw.h"
#include "arch/schib.h"
#include "base/bytes.h"
#include "vfu_dasd_host.h"
#include "zvfio/client.h"

#define RAM_SIZE (4u << 20)
#define MDEV0    "6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"
#define MDEV1    "0f5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55"

struct fix {
    struct vfu_dasd_host h;
    char root[64];
    struct zq *q;
    int memfd;
    uint8_t *ram;
    int cfd, gfd, dfd, irq;
    /* what the TCG hook saw */
    void *inv_host[16];
    uint64_t inv_len[16];
    unsigned ninv;
};

static void
hook(void *opaque, void *host, uint64_t len)
{
    struct fix *f = opaque;

    if (f->ninv < 16) {
        f->inv_host[f->ninv] = host;
        f->inv_len[f->ninv] = len;
    }
    f->ninv++;
}

static void
mk_tree(struct fix *f, unsigned n, const char *uuid, const char *sock)
{
    char p[256], t[PATH_MAX];

    snprintf(p, sizeof(p), "%s/css/devices/0.0.%04x/%s", f->root, 0x10 + n,
             uuid);
    snprintf(t, sizeof(t), "mkdir -p %s %s/groups", p, f->root);
    assert_int_equal(system(t), 0);
    snprintf(t, sizeof(t), "%s/vfio-user", p);
    assert_int_equal(symlink(sock, t), 0);
    snprintf(t, sizeof(t), "%s/groups/%u", f->root, 7 + n);
    assert_int_equal(symlink(p, t), 0);
}

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    struct zq_hooks hooks = {hook, f};

    assert_non_null(f);
    assert_int_equal(vfu_dasd_host_new(&f->h, "FE", 0, 0, NULL), 0);
    assert_int_equal(vfu_dasd_host_start(&f->h), 0);
    snprintf(f->root, sizeof(f->root), "/tmp/zq-test.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    mk_tree(f, 0, MDEV0, f->h.d[0].path);
    mk_tree(f, 1, MDEV1, f->h.d[1].path);
    f->q = zq_new(f->root, &hooks);
    assert_non_null(f->q);
    f->memfd = zv_vfu_memfd_create("guest", RAM_SIZE);
    assert_true(f->memfd >= 0);
    f->ram =
        mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
    assert_true(f->ram != MAP_FAILED);
    f->cfd = f->gfd = f->dfd = f->irq = -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;
    char cmd[128];

    zq_free(f->q);
    munmap(f->ram, RAM_SIZE);
    close(f->memfd);
    if (f->irq >= 0)
        close(f->irq);
    vfu_dasd_host_stop(&f->h);
    vfu_dasd_host_free(&f->h);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* realize, up to the device fd, as common.c does it */
static void
realize(struct fix *f, const char *grp, const char *mdev)
{
    struct vfio_group_status st = {.argsz = sizeof(st)};
    struct vfio_iommu_type1_info ii = {.argsz = sizeof(ii)};
    struct vfio_iommu_type1_dma_map dm = {.argsz = sizeof(dm),
                                          .flags = VFIO_DMA_MAP_FLAG_READ |
                                                   VFIO_DMA_MAP_FLAG_WRITE,
                                          .vaddr = (uintptr_t)f->ram,
                                          .iova = 0,
                                          .size = RAM_SIZE};

    f->gfd = zq_open(f->q, grp);
    assert_true(f->gfd >= 0);
    assert_true(zq_owns(f->q, f->gfd));
    assert_int_equal(zq_open(f->q, grp), -EBUSY);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_STATUS, &st), 0);
    assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
    f->cfd = zq_open(f->q, "/dev/vfio/vfio");
    assert_true(f->cfd >= 0);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_GET_API_VERSION, NULL),
                     VFIO_API_VERSION);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_CHECK_EXTENSION,
                              (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
                     1);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_CHECK_EXTENSION,
                              (void *)(uintptr_t)VFIO_SPAPR_TCE_IOMMU),
                     0);
    /* no IOMMU before a group is in the container */
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_SET_IOMMU,
                              (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
                     -EINVAL);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_SET_CONTAINER, &f->cfd),
                     0);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_SET_CONTAINER, &f->cfd),
                     -EINVAL);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_STATUS, &st), 0);
    assert_int_equal(st.flags,
                     VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET);
    /* the device needs an IOMMU */
    assert_int_equal(
        zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_DEVICE_FD, (void *)mdev),
        -EINVAL);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_SET_IOMMU,
                              (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
                     0);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_SET_IOMMU,
                              (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
                     -EBUSY);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_GET_INFO, &ii), 0);
    assert_true(ii.flags & VFIO_IOMMU_INFO_PGSIZES);
    assert_int_equal(ii.iova_pgsizes, 4096);
    assert_false(ii.flags & VFIO_IOMMU_INFO_CAPS);
    ii.argsz = 8;
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_GET_INFO, &ii), -EINVAL);
    /* RAM is mapped before the device is asked for */
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_MAP_DMA, &dm), 0);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_MAP_DMA, &dm), -EEXIST);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_DEVICE_FD,
                              (void *)"not-the-mdev"),
                     -ENODEV);
    f->dfd = zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_DEVICE_FD, (void *)mdev);
    assert_true(f->dfd >= 0);
    assert_int_equal(
        zq_ioctl(f->q, f->gfd, VFIO_GROUP_GET_DEVICE_FD, (void *)mdev), -EBUSY);
}

static void
private_ram_refused(void **state)
{
    struct fix *f = *state;
    void *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct vfio_iommu_type1_dma_map dm = {.argsz = sizeof(dm),
                                          .flags = VFIO_DMA_MAP_FLAG_READ,
                                          .vaddr = (uintptr_t)anon,
                                          .iova = 0x10000000,
                                          .size = 1 << 20};

    realize(f, "/dev/vfio/7", MDEV0);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_MAP_DMA, &dm), -EINVAL);
    munmap(anon, 1 << 20);
}

static void
paths_not_ours(void **state)
{
    struct fix *f = *state;

    assert_int_equal(zq_open(f->q, "/etc/passwd"), 1);
    assert_int_equal(zq_open(f->q, "/dev/vfio/99"), -ENOENT);
    assert_int_equal(zq_open(f->q, "/dev/vfio/7x"), -ENOENT);
    assert_int_equal(zq_open(f->q, "/dev/vfio/../7"), -ENOENT);
    assert_false(zq_owns(f->q, 0));
    assert_int_equal(zq_close(f->q, 0), -EBADF);
}

static void
device_info_regions_irqs(void **state)
{
    struct fix *f = *state;
    struct vfio_device_info di = {.argsz = sizeof(di)};
    uint8_t buf[sizeof(struct vfio_region_info) + 64];
    struct vfio_region_info *ri = (void *)buf;
    struct vfio_region_info_cap_type ct;
    struct vfio_irq_info irq = {.argsz = sizeof(irq), .index = 0};
    static const uint32_t sub[] = {0, VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD,
                                   VFIO_REGION_SUBTYPE_CCW_SCHIB,
                                   VFIO_REGION_SUBTYPE_CCW_CRW};
    static const uint64_t size[] = {124, 8, 52, 8};

    realize(f, "/dev/vfio/7", MDEV0);
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_INFO, &di), 0);
    assert_true(di.flags & VFIO_DEVICE_FLAGS_CCW);
    assert_true(di.flags & VFIO_DEVICE_FLAGS_RESET);
    assert_int_equal(di.num_regions, 4);
    assert_int_equal(di.num_irqs, 3);
    for (uint32_t i = 0; i < 4; i++) {
        memset(buf, 0, sizeof(buf));
        ri->argsz = sizeof(*ri);
        ri->index = i;
        assert_int_equal(
            zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_REGION_INFO, ri), 0);
        assert_int_equal(ri->size, size[i]);
        assert_int_equal(ri->offset, (uint64_t)i << 40);
        if (!i) {
            assert_false(ri->flags & VFIO_REGION_INFO_FLAG_CAPS);
            continue;
        }
        /* too small for the chain: argsz grows, QEMU retries */
        assert_true(ri->flags & VFIO_REGION_INFO_FLAG_CAPS);
        assert_int_equal(ri->argsz, sizeof(*ri) + sizeof(ct));
        assert_int_equal(ri->cap_offset, 0);
        assert_int_equal(
            zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_REGION_INFO, ri), 0);
        assert_int_equal(ri->cap_offset, sizeof(*ri));
        memcpy(&ct, buf + ri->cap_offset, sizeof(ct));
        assert_int_equal(ct.header.id, VFIO_REGION_INFO_CAP_TYPE);
        assert_int_equal(ct.header.next, 0);
        assert_int_equal(ct.type, VFIO_REGION_TYPE_CCW);
        assert_int_equal(ct.subtype, sub[i]);
    }
    ri->argsz = sizeof(*ri);
    ri->index = 4;
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_REGION_INFO, ri),
                     -EINVAL);
    ri->argsz = 16;
    ri->index = 0;
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_REGION_INFO, ri),
                     -EINVAL);
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
    assert_int_equal(irq.count, 1);
    assert_true(irq.flags & VFIO_IRQ_INFO_EVENTFD);
    /* unknown ioctls on each kind of fd */
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_IOMMU_MAP_DMA, buf), -ENOTTY);
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_DEVICE_GET_INFO, buf),
                     -ENOTTY);
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_GROUP_GET_STATUS, buf),
                     -ENOTTY);
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_RESET, NULL), 0);
}

static void
set_io_irq(struct fix *f)
{
    uint8_t b[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
    struct vfio_irq_set *s = (void *)b;
    int32_t fd;

    f->irq = eventfd(0, EFD_CLOEXEC);
    fd = f->irq;
    s->argsz = sizeof(b);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = 0;
    s->start = 0;
    s->count = 1;
    memcpy(s->data, &fd, sizeof(fd));
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), 0);
    s->count = 2;
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), -EINVAL);
}

static void
wait_irq(struct fix *f)
{
    struct pollfd p = {.fd = f->irq, .events = POLLIN};
    uint64_t v;

    assert_int_equal(poll(&p, 1, 10000), 1);
    assert_int_equal(read(f->irq, &v, sizeof(v)), sizeof(v));
}

/* QEMU's host-order ORB and SCSW for a start function */
static void
ssch_region(uint8_t r[ZQ_IO_REGION_SIZE], uint32_t cpa)
{
    uint32_t intparm = 0xcafe0001;
    uint16_t ctrl0 = 0x0080 | 0x0040 | 0x0002; /* F, P, H */
    uint16_t flags = 0x0080 | 0x0040, ctrl = 0x4000 | 0x0400;

    memset(r, 0, ZQ_IO_REGION_SIZE);
    memcpy(r, &intparm, 4);
    memcpy(r + 4, &ctrl0, 2);
    r[6] = 0xff; /* LPM */
    memcpy(r + 8, &cpa, 4);
    memcpy(r + ZQ_IO_SCSW_OFF, &flags, 2);
    memcpy(r + ZQ_IO_SCSW_OFF + 2, &ctrl, 2);
    memcpy(r + ZQ_IO_SCSW_OFF + 4, &cpa, 4);
}

static void
sense_id_through_the_io_region(void **state)
{
    struct fix *f = *state;
    uint8_t r[ZQ_IO_REGION_SIZE];
    struct ccw1 c = {.cmd = CCW_CMD_SENSE_ID,
                     .flags = CCW_FLAG_SLI,
                     .count = 7,
                     .cda = 0x2000};
    struct scsw s;

    realize(f, "/dev/vfio/7", MDEV0);
    set_io_irq(f);
    ccw1_encode(&c, f->ram + 0x1000);
    memset(f->ram + 0x2000, 0, 16);
    ssch_region(r, 0x1000);
    /* partial access to a converted block is refused */
    assert_int_equal(zq_pwrite(f->q, f->dfd, r, 12, 0), -EINVAL);
    assert_int_equal(zq_pwrite(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    wait_irq(f);
    f->ninv = 0;
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    /* the IRB comes as the server has it: architecture order */
    scsw_decode(&s, r + ZQ_IO_IRB_OFF);
    assert_true(s.fctl & SCSW_FCTL_START);
    assert_true(s.stctl & SCSW_STCTL_PENDING);
    assert_int_equal(s.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
    assert_memory_equal(f->ram + 0x2000, "\xff\x63\x10\x01\x93\x36\x00", 7);
    /* the TCG hook saw exactly the SENSE ID data area, in QEMU's RAM */
    assert_int_equal(f->ninv, 1);
    assert_ptr_equal(f->inv_host[0], f->ram + 0x2000);
    assert_int_equal(f->inv_len[0], 7);
    /* a second read of the (now empty) region reports nothing again */
    f->ninv = 0;
    zq_pread(f->q, f->dfd, r, sizeof(r), 0);
    assert_int_equal(f->ninv, 0);

    /* a program that reads over its own CCW (as an IPL does): the area
     * noted at SSCH is reported although the CCW there is gone */
    c.cda = 0x1000;
    ccw1_encode(&c, f->ram + 0x1000);
    ssch_region(r, 0x1000);
    assert_int_equal(zq_pwrite(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    wait_irq(f);
    f->ninv = 0;
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    assert_int_equal(f->ram[0x1000], 0xff); /* the CCW is data now */
    assert_int_equal(f->ninv, 1);
    assert_ptr_equal(f->inv_host[0], f->ram + 0x1000);
    assert_int_equal(f->inv_len[0], 7);
}

/* Sum of the counts of the dump's lines for op (0 when absent). */
static unsigned long
stats_count(const char *dump, const char *op)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof(key), "zvfio-qemu stats: %s ", op);
    p = strstr(dump, key);
    return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

/* ZVFIO_QEMU_STATS: with stats on, two start functions and their IRB reads
 * are counted per operation, the SSCH-to-final-IRB time once per start;
 * a refused SSCH is no start; with stats off nothing is printed. */
static void
stats_count_each_operation(void **state)
{
    struct fix *f = *state;
    uint8_t r[ZQ_IO_REGION_SIZE];
    struct ccw1 c = {.cmd = CCW_CMD_SENSE_ID,
                     .flags = CCW_FLAG_SLI,
                     .count = 7,
                     .cda = 0x2000};
    char *dump = NULL;
    size_t dlen = 0;
    FILE *m;

    realize(f, "/dev/vfio/7", MDEV0);
    set_io_irq(f);
    m = open_memstream(&dump, &dlen);
    assert_non_null(m);
    zq_stats_dump(f->q, m); /* off: nothing */
    fflush(m);
    assert_int_equal(dlen, 0);
    assert_int_equal(zq_set_stats(f->q, true), 0);
    ccw1_encode(&c, f->ram + 0x1000);
    for (int i = 0; i < 2; i++) {
        ssch_region(r, 0x1000);
        assert_int_equal(zq_pwrite(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
        wait_irq(f);
        assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    }
    /* the region read again after the interrupt: one more IRB read, no
     * second final status */
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    zq_stats_dump(f->q, m);
    fclose(m);
    assert_int_equal(stats_count(dump, "ssch-write"), 2);
    assert_int_equal(stats_count(dump, "irb-read"), 3);
    assert_int_equal(stats_count(dump, "ssch-to-final-irb-read"), 2);
    assert_int_equal(stats_count(dump, "schib-read"), 0);
    free(dump);
}

static void
stsch_and_csch(void **state)
{
    struct fix *f = *state;
    uint8_t sch[ZQ_SCHIB_REGION_SIZE], crw[ZQ_CRW_REGION_SIZE];
    uint8_t r[ZQ_IO_REGION_SIZE], async[ZQ_ASYNC_REGION_SIZE] = {0};
    uint32_t cmd = 2; /* VFIO_CCW_ASYNC_CMD_CSCH, host order */
    uint16_t devno;
    struct scsw s;

    realize(f, "/dev/vfio/8", MDEV1);
    set_io_irq(f);
    assert_int_equal(zq_pread(f->q, f->dfd, sch, sizeof(sch), 2ull << 40),
                     sizeof(sch));
    memcpy(&devno, sch + 6, 2); /* QEMU's pmcw.devno, host order */
    assert_int_equal(devno, 0x0201);
    assert_int_equal(sch[11], 0xc0); /* pim */
    assert_int_equal(zq_pread(f->q, f->dfd, crw, sizeof(crw), 3ull << 40),
                     sizeof(crw));
    assert_memory_equal(crw, "\0\0\0\0", 4);
    memcpy(async, &cmd, sizeof(cmd));
    assert_int_equal(zq_pwrite(f->q, f->dfd, async, sizeof(async), 1ull << 40),
                     sizeof(async));
    wait_irq(f);
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), sizeof(r));
    scsw_decode(&s, r + ZQ_IO_IRB_OFF);
    assert_true(s.fctl & SCSW_FCTL_CLEAR);
    /* the SCHIB region is read-only */
    assert_int_equal(zq_pwrite(f->q, f->dfd, sch, sizeof(sch), 2ull << 40),
                     -EINVAL);
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 9ull << 40), -EINVAL);
}

static void
teardown_order_and_unmap(void **state)
{
    struct fix *f = *state;
    struct vfio_iommu_type1_dma_unmap du = {
        .argsz = sizeof(du), .iova = 0, .size = RAM_SIZE / 2};

    realize(f, "/dev/vfio/7", MDEV0);
    /* type1v2 does not split a mapping */
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_UNMAP_DMA, &du),
                     -EINVAL);
    du.size = RAM_SIZE;
    assert_int_equal(zq_ioctl(f->q, f->cfd, VFIO_IOMMU_UNMAP_DMA, &du), 0);
    assert_int_equal(du.size, RAM_SIZE);
    /* the group keeps its container while the device is open */
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_UNSET_CONTAINER, NULL),
                     -EBUSY);
    assert_int_equal(zq_close(f->q, f->dfd), 0);
    assert_false(zq_owns(f->q, f->dfd));
    assert_int_equal(zq_ioctl(f->q, f->gfd, VFIO_GROUP_UNSET_CONTAINER, NULL),
                     0);
    assert_int_equal(zq_close(f->q, f->gfd), 0);
    assert_int_equal(zq_close(f->q, f->cfd), 0);
    /* the device can be had again by the next realize */
    realize(f, "/dev/vfio/7", MDEV0);
}

static void
lost_server_is_enodev(void **state)
{
    struct fix *f = *state;
    uint8_t r[ZQ_IO_REGION_SIZE];

    realize(f, "/dev/vfio/7", MDEV0);
    vfu_dasd_host_stop(&f->h);
    vfu_dasd_host_free(&f->h);
    memset(&f->h, 0, sizeof(f->h));
    ssch_region(r, 0x1000);
    assert_int_equal(zq_pwrite(f->q, f->dfd, r, sizeof(r), 0), -ENODEV);
    assert_int_equal(zq_pread(f->q, f->dfd, r, sizeof(r), 0), -ENODEV);
    assert_int_equal(vfu_dasd_host_new(&f->h, "F", 0, 0, NULL), 0);
}

/* QEMU unplugging a device whose server is gone takes its triggers down
 * (an eventfd of -1, or DATA_NONE count 0): that succeeds, there being
 * nothing left to signal,
 * while arming a new eventfd on it still fails as the device is gone. */
static void
lost_server_irq_teardown_succeeds(void **state)
{
    struct fix *f = *state;
    uint8_t b[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
    struct vfio_irq_set *s = (void *)b;
    int32_t fd;

    realize(f, "/dev/vfio/7", MDEV0);
    set_io_irq(f);
    vfu_dasd_host_stop(&f->h);
    vfu_dasd_host_free(&f->h);
    memset(&f->h, 0, sizeof(f->h));
    fd = f->irq;
    s->argsz = sizeof(b);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = 0;
    s->start = 0;
    s->count = 1;
    memcpy(s->data, &fd, sizeof(fd));
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), -ENODEV);
    /* QEMU's form: one eventfd of -1 */
    fd = -1;
    memcpy(s->data, &fd, sizeof(fd));
    for (s->index = 0; s->index < 3; s->index++)
        assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), 0);
    s->index = 0;
    s->argsz = sizeof(*s);
    s->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->count = 0;
    for (s->index = 0; s->index < 3; s->index++)
        assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), 0);
    /* a malformed teardown is still refused */
    s->start = 1;
    assert_int_equal(zq_ioctl(f->q, f->dfd, VFIO_DEVICE_SET_IRQS, s), -EINVAL);
    assert_int_equal(vfu_dasd_host_new(&f->h, "F", 0, 0, NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(paths_not_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(private_ram_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(device_info_regions_irqs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sense_id_through_the_io_region, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stsch_and_csch, setup, teardown),
        cmocka_unit_test_setup_teardown(teardown_order_and_unmap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lost_server_is_enodev, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_count_each_operation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lost_server_irq_teardown_succeeds,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
