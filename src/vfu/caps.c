/* SPDX-License-Identifier: MIT */
/*
 * vfu/caps: the JSON capabilities object of VERSION, with json-c.
 *
 * The parser sees only a NUL-terminated string whose length the codec
 * checked; nesting is capped so a hostile client cannot make it recurse
 * deeply, and the whole input must be one JSON value.
 */
#include "vfu/msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define CAPS_MAX_DEPTH 8

void
vfu_caps_default(struct vfu_caps *c)
{
    c->max_msg_fds = ZV_VFU_DEFAULT_MAX_MSG_FDS;
    c->max_data_xfer_size = ZV_VFU_DEFAULT_MAX_DATA_XFER_SIZE;
    c->max_dma_maps = ZV_VFU_DEFAULT_MAX_DMA_MAPS;
    c->pgsizes = ZV_VFU_DEFAULT_PGSIZES;
    c->migration = false;
}

/* A non-negative integer member in [min, max]; absent leaves *out. */
static int
caps_uint(struct json_object *caps, const char *key, uint64_t min, uint64_t max,
          uint64_t *out)
{
    struct json_object *v;
    int64_t n;

    if (!json_object_object_get_ex(caps, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return -EINVAL;
    errno = 0;
    n = json_object_get_int64(v);
    /* json-c clamps out-of-range numbers and says so in errno */
    if (errno || n < 0 || (uint64_t)n < min || (uint64_t)n > max)
        return -EINVAL;
    *out = (uint64_t)n;
    return 0;
}

static int
caps_members(struct json_object *caps, struct vfu_caps *c)
{
    uint64_t fds = c->max_msg_fds, xfer = c->max_data_xfer_size;
    uint64_t maps = c->max_dma_maps, pgsizes = c->pgsizes;
    struct json_object *mig;

    if (caps_uint(caps, "max_msg_fds", 0, VFU_CAPS_MAX_MSG_FDS, &fds) ||
        caps_uint(caps, "max_data_xfer_size", 1, UINT32_MAX, &xfer) ||
        caps_uint(caps, "max_dma_maps", 1, UINT32_MAX, &maps) ||
        caps_uint(caps, "pgsizes", 1, INT64_MAX, &pgsizes))
        return -EINVAL;
    if (json_object_object_get_ex(caps, "migration", &mig)) {
        if (!json_object_is_type(mig, json_type_object))
            return -EINVAL;
        c->migration = true;
    }
    c->max_msg_fds = (uint32_t)fds;
    c->max_data_xfer_size = xfer;
    c->max_dma_maps = (uint32_t)maps;
    c->pgsizes = pgsizes;
    return 0;
}

int
vfu_caps_parse(const char *json, struct vfu_caps *c)
{
    struct json_tokener *tok = json_tokener_new_ex(CAPS_MAX_DEPTH);
    struct json_object *root = NULL, *caps;
    size_t len = strlen(json);
    int rc = -EINVAL;

    vfu_caps_default(c);
    if (!tok)
        return -ENOMEM;
    if (len > INT32_MAX)
        goto out_tok;
    root = json_tokener_parse_ex(tok, json, (int)len);
    /* one complete value that uses the whole string */
    if (!root || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len)
        goto out_root;
    if (!json_object_is_type(root, json_type_object))
        goto out_root;
    if (!json_object_object_get_ex(root, "capabilities", &caps)) {
        rc = 0; /* all defaults */
        goto out_root;
    }
    if (json_object_is_type(caps, json_type_object))
        rc = caps_members(caps, c);
out_root:
    json_object_put(root);
out_tok:
    json_tokener_free(tok);
    return rc;
}

int
vfu_caps_format(const struct vfu_caps *c, char *buf, size_t size)
{
    int n = snprintf(buf, size,
                     "{\"capabilities\":{\"max_msg_fds\":%" PRIu32
                     ",\"max_data_xfer_size\":%" PRIu64
                     ",\"max_dma_maps\":%" PRIu32 ",\"pgsizes\":%" PRIu64 "}}",
                     c->max_msg_fds, c->max_data_xfer_size, c->max_dma_maps,
                     c->pgsizes);

    if (n < 0 || (size_t)n >= size)
        return -ENOSPC;
    return n + 1;
}
