/* SPDX-License-Identifier: MIT */
/*
 * vfio/mdev: parents, types and instances of mediated devices, as the
 * kernel's mdev core and mdevctl see them.
 *
 * A driver registers a parent (e.g. one per bound subchannel) with its
 * types; an instance of a type is created by UUID, counted against the
 * type's max_instances (available_instances = max - live), found by UUID
 * and removed.  A registry (struct zv_mdev_bus) holds everything of one
 * host: no global state.
 */
#ifndef ZV_VFIO_MDEV_H
#define ZV_VFIO_MDEV_H

#include <stddef.h>

#include "vfio/vdev.h"

#define ZV_MDEV_UUID_LEN 36 /* canonical text form, no NUL */

struct zv_mdev_bus;
struct zv_mdev_parent;

struct zv_mdev_type {
    const char *name;        /* e.g. "io": the id is "<driver>-<name>" */
    const char *description; /* e.g. "I/O subchannel (Non-QDIO)" */
    unsigned max_instances;
};

struct zv_mdev_parent_ops {
    /* Build the device for a new instance of types[type] (ref 1 goes to
     * the registry).  -errno refuses. */
    int (*create)(struct zv_mdev_parent *parent, unsigned type,
                  const char *uuid, struct zv_vdev **out);
};

struct zv_mdev_bus *zv_mdev_bus_new(void);
/* Unregisters every parent. */
void zv_mdev_bus_free(struct zv_mdev_bus *bus);

/* driver is the prefix of type ids ("vfio_ccw"); name names the parent
 * (e.g. "0.0.0100").  Strings and types must outlive the parent. */
struct zv_mdev_parent *
zv_mdev_parent_register(struct zv_mdev_bus *bus, const char *driver,
                        const char *name, const struct zv_mdev_type *types,
                        size_t ntypes, const struct zv_mdev_parent_ops *ops,
                        void *data);
/* Removes every instance (zv_vdev_unregister + the registry's put). */
void zv_mdev_parent_unregister(struct zv_mdev_parent *parent);
void *zv_mdev_parent_data(const struct zv_mdev_parent *parent);
const char *zv_mdev_parent_name(const struct zv_mdev_parent *parent);
struct zv_mdev_parent *zv_mdev_parent_find(const struct zv_mdev_bus *bus,
                                           const char *name);

/* Type by id ("vfio_ccw-io"); -ENOENT if the parent has no such type. */
int zv_mdev_type_index(const struct zv_mdev_parent *parent,
                       const char *type_id);
/* available_instances of a type, or -ENOENT. */
int zv_mdev_available(const struct zv_mdev_parent *parent, const char *type_id);
/*
 * Create an instance.  -EINVAL (bad UUID), -ENOENT (no such type),
 * -EEXIST (UUID in use on this bus), -ENOSPC (no instance available), or
 * the driver's -errno.  *out (may be NULL) is borrowed: take a reference
 * to keep it.
 */
int zv_mdev_create(struct zv_mdev_parent *parent, const char *type_id,
                   const char *uuid, struct zv_vdev **out);
/* The device with that UUID with a new reference, or NULL. */
struct zv_vdev *zv_mdev_find(const struct zv_mdev_bus *bus, const char *uuid);
/* -ENOENT if no instance has that UUID. */
int zv_mdev_remove(struct zv_mdev_bus *bus, const char *uuid);
size_t zv_mdev_count(const struct zv_mdev_bus *bus);
/* Is s a canonical UUID (8-4-4-4-12 hex)? */
bool zv_mdev_uuid_valid(const char *s);

#endif
