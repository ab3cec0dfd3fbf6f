/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

struct vb_context;
struct vb_device;
struct vb_error;
struct vb_roots;

/* What differs from one bus to another; everything else is shared. */
struct vb_bus {
	const char *name;         /* directory under /sys/bus */
	const char *vfio_module;  /* the bus's generic VFIO module; NULL: none known */
	const char *vfio_driver;  /* and the driver it registers */
	bool vfio_aliases;        /* variants announce themselves by "vfio_" modaliases */
	/* Turn a user's spelling of a device name into the kernel's, or -EINVAL. */
	int (*canonical_name)(const char *arg, char *ret, unsigned size);
	/* What the bus's VFIO driver needs of a device before it is touched. */
	int (*check_bind)(struct vb_context *ctx, const struct vb_device *dev, const char *driver,
			  struct vb_error *err);
};

/* A bus vfio-bind knows (pci, platform, amba, fsl-mc, cdx), or NULL. */
const struct vb_bus *vb_bus_find(const char *name);

/*
 * Any bus with driver_override: a known one, or one described in *scratch
 * (no generic VFIO driver: --driver names one). -EINVAL for a bad name,
 * -ENOENT when the bus is not there.
 */
int vb_bus_lookup(const struct vb_roots *roots, const char *name, struct vb_bus *scratch,
		  const struct vb_bus **ret);
