/* SPDX-License-Identifier: MIT */
/*
 * qemu/dma: the memfd behind QEMU's guest RAM.
 *
 * VFIO_IOMMU_MAP_DMA names guest RAM by QEMU's virtual address; the
 * server needs an fd and a file offset (vfio-user DMA_MAP).  The mapping
 * in /proc/self/maps gives the file's device, inode and offset; an open
 * fd of this process with the same device and inode is the file (QEMU
 * keeps its memory-backend-memfd open).  /proc/self/map_files would need
 * CAP_SYS_ADMIN.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "adapter.h"

struct vma {
    uint64_t start, end, off, ino;
    unsigned maj, min;
    char perms[5];
};

static bool
parse_vma(const char *line, struct vma *v)
{
    return sscanf(line,
                  "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64,
                  &v->start, &v->end, v->perms, &v->off, &v->maj, &v->min,
                  &v->ino) == 7;
}

/* [vaddr, vaddr + size) as one shared file mapping, possibly split over
 * several adjacent VMAs of the same file at contiguous offsets. */
static int
find_vma(uint64_t vaddr, uint64_t size, struct vma *out)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[512];
    uint64_t want = vaddr, end = vaddr + size;
    bool found = false;
    int rc = -EINVAL;

    if (!f)
        return -errno;
    while (fgets(line, sizeof(line), f)) {
        struct vma v;

        if (!parse_vma(line, &v) || v.end <= want || v.start > want)
            continue;
        if (!found) {
            if (v.perms[3] != 's' || !v.ino)
                break;
            *out = v;
            out->off = v.off + (vaddr - v.start);
            found = true;
        } else if (v.perms[3] != 's' || v.ino != out->ino ||
                   v.maj != out->maj || v.min != out->min ||
                   v.off != out->off + (v.start - vaddr)) {
            break;
        }
        want = v.end;
        if (want >= end) {
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int
find_open_fd(const struct vma *v)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int fd = -ENOENT;

    if (!d)
        return -errno;
    while ((e = readdir(d))) {
        struct stat st;
        char *end;
        long n = strtol(e->d_name, &end, 10);

        if (*end || n < 0 || n == dirfd(d))
            continue;
        if (fstat((int)n, &st) || !S_ISREG(st.st_mode) || st.st_ino != v->ino ||
            major(st.st_dev) != v->maj || minor(st.st_dev) != v->min)
            continue;
        fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            fd = -errno;
        break;
    }
    closedir(d);
    return fd;
}

int
zq_dma_find_fd(uint64_t vaddr, uint64_t size, int *fd, uint64_t *offset)
{
    struct vma v;
    int rc;

    if (!size || vaddr + size < vaddr)
        return -EINVAL;
    rc = find_vma(vaddr, size, &v);
    if (rc)
        return rc;
    rc = find_open_fd(&v);
    if (rc < 0)
        return rc;
    *fd = rc;
    *offset = v.off;
    return 0;
}
