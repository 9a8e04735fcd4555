/* SPDX-License-Identifier: MIT */
/* vfio/mdev: parent / type / instance lifecycle.  See mdev.h. */
#include "vfio/mdev.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MDEV_TYPE_ID_MAX 64

struct mdev_inst {
    struct mdev_inst *next;
    struct zv_mdev_parent *parent;
    unsigned type;
    char uuid[ZV_MDEV_UUID_LEN + 1];
    struct zv_vdev *vd;
};

struct zv_mdev_parent {
    struct zv_mdev_parent *next;
    struct zv_mdev_bus *bus;
    const char *driver;
    const char *name;
    const struct zv_mdev_type *types;
    size_t ntypes;
    const struct zv_mdev_parent_ops *ops;
    void *data;
};

struct zv_mdev_bus {
    struct zv_mdev_parent *parents;
    struct mdev_inst *insts;
};

struct zv_mdev_bus *
zv_mdev_bus_new(void)
{
    return calloc(1, sizeof(struct zv_mdev_bus));
}

void
zv_mdev_bus_free(struct zv_mdev_bus *bus)
{
    if (!bus)
        return;
    while (bus->parents)
        zv_mdev_parent_unregister(bus->parents);
    free(bus);
}

bool
zv_mdev_uuid_valid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    if (!s || strlen(s) != ZV_MDEV_UUID_LEN)
        return false;
    for (size_t i = 0; i < ZV_MDEV_UUID_LEN; i++) {
        if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

struct zv_mdev_parent *
zv_mdev_parent_register(struct zv_mdev_bus *bus, const char *driver,
                        const char *name, const struct zv_mdev_type *types,
                        size_t ntypes, const struct zv_mdev_parent_ops *ops,
                        void *data)
{
    struct zv_mdev_parent *p;

    if (!bus || !driver || !name || !ntypes || zv_mdev_parent_find(bus, name))
        return NULL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->bus = bus;
    p->driver = driver;
    p->name = name;
    p->types = types;
    p->ntypes = ntypes;
    p->ops = ops;
    p->data = data;
    p->next = bus->parents;
    bus->parents = p;
    return p;
}

static void
mdev_inst_destroy(struct mdev_inst *in)
{
    zv_vdev_unregister(in->vd);
    zv_vdev_put(in->vd);
    free(in);
}

void
zv_mdev_parent_unregister(struct zv_mdev_parent *parent)
{
    struct zv_mdev_bus *bus;
    struct mdev_inst **pi;
    struct zv_mdev_parent **pp;

    if (!parent)
        return;
    bus = parent->bus;
    for (pi = &bus->insts; *pi;) {
        struct mdev_inst *in = *pi;

        if (in->parent != parent) {
            pi = &in->next;
            continue;
        }
        *pi = in->next;
        mdev_inst_destroy(in);
    }
    for (pp = &bus->parents; *pp; pp = &(*pp)->next) {
        if (*pp == parent) {
            *pp = parent->next;
            break;
        }
    }
    free(parent);
}

void *
zv_mdev_parent_data(const struct zv_mdev_parent *parent)
{
    return parent->data;
}

const char *
zv_mdev_parent_name(const struct zv_mdev_parent *parent)
{
    return parent->name;
}

struct zv_mdev_parent *
zv_mdev_parent_find(const struct zv_mdev_bus *bus, const char *name)
{
    for (struct zv_mdev_parent *p = bus->parents; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

int
zv_mdev_type_index(const struct zv_mdev_parent *parent, const char *type_id)
{
    char id[MDEV_TYPE_ID_MAX];

    for (size_t i = 0; type_id && i < parent->ntypes; i++) {
        snprintf(id, sizeof(id), "%s-%s", parent->driver,
                 parent->types[i].name);
        if (strcmp(id, type_id) == 0)
            return (int)i;
    }
    return -ENOENT;
}

static unsigned
mdev_live(const struct zv_mdev_parent *parent, unsigned type)
{
    unsigned n = 0;

    for (struct mdev_inst *in = parent->bus->insts; in; in = in->next)
        n += in->parent == parent && in->type == type;
    return n;
}

int
zv_mdev_available(const struct zv_mdev_parent *parent, const char *type_id)
{
    int t = zv_mdev_type_index(parent, type_id);

    if (t < 0)
        return t;
    return (int)(parent->types[t].max_instances -
                 mdev_live(parent, (unsigned)t));
}

static struct mdev_inst *
mdev_find_inst(const struct zv_mdev_bus *bus, const char *uuid)
{
    for (struct mdev_inst *in = bus->insts; in; in = in->next)
        if (strcasecmp(in->uuid, uuid) == 0)
            return in;
    return NULL;
}

int
zv_mdev_create(struct zv_mdev_parent *parent, const char *type_id,
               const char *uuid, struct zv_vdev **out)
{
    struct mdev_inst *in;
    int t, rc;

    if (!zv_mdev_uuid_valid(uuid))
        return -EINVAL;
    t = zv_mdev_type_index(parent, type_id);
    if (t < 0)
        return t;
    if (mdev_find_inst(parent->bus, uuid))
        return -EEXIST;
    if (mdev_live(parent, (unsigned)t) >= parent->types[t].max_instances)
        return -ENOSPC;
    in = calloc(1, sizeof(*in));
    if (!in)
        return -ENOMEM;
    rc = parent->ops->create(parent, (unsigned)t, uuid, &in->vd);
    if (rc) {
        free(in);
        return rc;
    }
    in->parent = parent;
    in->type = (unsigned)t;
    memcpy(in->uuid, uuid, ZV_MDEV_UUID_LEN + 1);
    in->next = parent->bus->insts;
    parent->bus->insts = in;
    if (out)
        *out = in->vd;
    return 0;
}

struct zv_vdev *
zv_mdev_find(const struct zv_mdev_bus *bus, const char *uuid)
{
    struct mdev_inst *in = uuid ? mdev_find_inst(bus, uuid) : NULL;

    if (!in)
        return NULL;
    zv_vdev_get(in->vd);
    return in->vd;
}

int
zv_mdev_remove(struct zv_mdev_bus *bus, const char *uuid)
{
    struct mdev_inst **pi;

    for (pi = &bus->insts; *pi; pi = &(*pi)->next) {
        struct mdev_inst *in = *pi;

        if (strcasecmp(in->uuid, uuid) != 0)
            continue;
        *pi = in->next;
        mdev_inst_destroy(in);
        return 0;
    }
    return -ENOENT;
}

size_t
zv_mdev_count(const struct zv_mdev_bus *bus)
{
    size_t n = 0;

    for (struct mdev_inst *in = bus->insts; in; in = in->next)
        n++;
    return n;
}
