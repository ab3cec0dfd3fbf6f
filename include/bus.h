/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* What differs from one bus to another; everything else is shared. */
struct vb_bus {
	const char *name;         /* directory under /sys/bus */
	const char *vfio_module;  /* the bus's generic VFIO module */
	const char *vfio_driver;  /* and the driver it registers */
	bool vfio_aliases;        /* variants announce themselves by "vfio_" modaliases */
	/* Turn a user's spelling of a device name into the kernel's, or -EINVAL. */
	int (*canonical_name)(const char *arg, char *ret, unsigned size);
};

const struct vb_bus *vb_bus_find(const char *name);
