/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for channel-program translation: the input is a guest
 * ORB (12 bytes, architected order) followed by the guest's DMA-mapped
 * storage, mapped at IOVA 0.  Whatever the guest wrote, cp_translate
 * returns a defined result; on success the host program must stay inside
 * host storage, every IDAW must reach pinned guest bytes, the CPA mapping
 * must never hand out a host address, and cp_free must undo everything.
 * When the last input byte is non-zero, pin() also rewrites guest storage
 * as a racing vCPU would: the snapshot must make that harmless.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_ccw/cp.h"

#define FZ_GMAX  0x10000u       /* guest storage: at most 64 KiB */
#define FZ_HBASE 0x300000000ull /* the same storage in host space */
#define FZ_ARENA 0x7ff00000ull  /* host programs, below 2G */
#define FZ_ASIZE 0x100000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    struct zv_as *iova, *host;
    struct zv_arena *arena;
    uint8_t *g;
    uint64_t glen;
    long pins;
    uint8_t race; /* non-zero: pin() rewrites guest storage */
};

static int
fz_pin(void *ctx, uint64_t iova, uint32_t len, uint64_t *habs)
{
    struct fz *z = ctx;
    uint8_t *p;

    /* The contract cp must keep: non-empty, never across a 4K page. */
    if (len == 0 || (iova >> 12) != ((iova + len - 1) >> 12))
        abort();
    p = zv_as_ptr(z->iova, iova, len, ZV_MEM_READ);
    if (!p)
        return -EFAULT;
    /* A guest vCPU racing the translator: whatever it writes now must
     * not change what was already snapshotted (no double fetch). */
    if (z->race)
        z->g[(iova * 31 + z->race) % z->glen] ^= z->race;
    *habs = FZ_HBASE + (uint64_t)(p - z->g);
    z->pins++;
    return 0;
}

static void
fz_unpin(void *ctx, uint64_t iova, uint32_t len)
{
    struct fz *z = ctx;

    if (z->pins <= 0 || len == 0)
        abort();
    z->pins--;
}

/*
 * The isolation rule on the host program: cp_verify walks every host CCW
 * the channel can reach and the IDAWs it would use for its count; they
 * may name only pinned guest bytes or the program's own sink.
 */
static void
fz_check_host(struct fz *z, const struct orb *h, const struct cp *cp)
{
    size_t n = cp_ccw_count(cp);
    const char *why;

    if (!h->fmt || !h->c64 || h->cpa < FZ_ARENA ||
        h->cpa >= FZ_ARENA + FZ_ASIZE || n == 0 || n > CP_MAX_CCWS)
        abort();
    if (cp_verify(cp, &why)) {
        fprintf(stderr, "fuzz_cp: isolation: %s\n", why);
        abort();
    }
}

static void
fz_check_scsw(const struct cp *cp, const struct orb *h)
{
    for (uint32_t d = 0; d < 64; d += 8) {
        struct scsw s = {.cpa = h->cpa + d};

        cp_update_scsw(cp, &s);
        if (s.cpa >= FZ_ARENA && s.cpa < FZ_ARENA + FZ_ASIZE)
            abort();
    }
}

static int
fz_setup(struct fz *z, const uint8_t *mem, size_t len)
{
    z->glen = (len + 0xfff) & ~0xfffull;
    if (z->glen == 0)
        z->glen = 0x1000;
    z->g = aligned_alloc(4096, z->glen);
    z->iova = zv_as_new("fz-iova");
    z->host = zv_as_new("fz-host");
    if (!z->g || !z->iova || !z->host)
        return -1;
    memset(z->g, 0, z->glen);
    memcpy(z->g, mem, len);
    if (zv_as_map(z->iova, 0, z->glen, z->g, ZV_MEM_RW) ||
        zv_as_map(z->host, FZ_HBASE, z->glen, z->g, ZV_MEM_RW))
        return -1;
    z->arena = zv_arena_new(z->host, FZ_ARENA, FZ_ASIZE);
    return z->arena ? 0 : -1;
}

static void
fz_teardown(struct fz *z)
{
    zv_arena_free(z->arena);
    zv_as_free(z->host);
    zv_as_free(z->iova);
    free(z->g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz z = {0};
    struct orb o, h;
    struct cp *cp = NULL;
    struct cp_env env;
    int rc;

    if (size < ORB_SIZE || size - ORB_SIZE > FZ_GMAX)
        return 0;
    orb_decode(&o, data, ORB_SIZE);
    z.race = data[size - 1] & 0x7f;
    if (fz_setup(&z, data + ORB_SIZE, size - ORB_SIZE))
        abort();
    env = (struct cp_env){.iova = z.iova,
                          .host = z.arena,
                          .pin = fz_pin,
                          .unpin = fz_unpin,
                          .ctx = &z};
    rc = cp_translate(&env, &o, &cp, &h);
    if (rc == 0) {
        fz_check_host(&z, &h, cp);
        fz_check_scsw(cp, &h);
        cp_free(cp);
    } else if (cp || (rc != -EINVAL && rc != -EFAULT && rc != -E2BIG &&
                      rc != -EOPNOTSUPP && rc != -ENOMEM)) {
        abort();
    }
    if (z.pins != 0 || zv_arena_live(z.arena) != 0)
        abort();
    fz_teardown(&z);
    return 0;
}
