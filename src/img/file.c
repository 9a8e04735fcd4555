/* SPDX-License-Identifier: MIT */
/*
 * img/file: the file behind an image, the same for CKD and FBA: open it as
 * a regular file, put the synchronous backend on it, swap the backend,
 * close it, and create a new one exclusively.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "img/img_priv.h"

int
img_file_open(struct img_file *f, const char *path, bool rdonly, uint64_t *size,
              char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);

    if (fd < 0)
        return img_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
    /* Devices, pipes and directories have no stable size to check the
     * image layout against. */
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return img_fail(err, errlen, -EINVAL, "%s: not a regular file", path);
    }
    f->fd = fd;
    f->rdonly = rdonly;
    f->be = NULL;
    *size = (uint64_t)st.st_size;
    return 0;
}

int
img_file_attach_sync(struct img_file *f, enum img_sync sync, char *err,
                     size_t errlen)
{
    f->be = img_backend_sync(f->fd, sync);
    if (!f->be)
        return img_fail(err, errlen, -ENOMEM, "out of memory");
    return 0;
}

void
img_file_close(struct img_file *f)
{
    img_backend_free(f->be);
    f->be = NULL;
    close(f->fd);
}

int
img_file_set_backend(struct img_file *f, struct img_backend *be)
{
    if (!be || be->fd != f->fd)
        return -EINVAL;
    img_backend_free(f->be);
    f->be = be;
    return 0;
}

int
img_file_create(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0)
        return img_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
    return fd;
}
