/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "device.h"
#include "error.h"
#include "roots.h"

/* A process that holds a device open through VFIO. */
struct vb_holder {
	pid_t pid;
	char comm[32];
	char node[64]; /* /dev/vfio/4 or /dev/vfio/devices/vfio0 */
	bool device;   /* it holds the device itself, so an unbind waits for it */
};

/* "held open by process N (comm) through NODE [and others]": -EBUSY. */
int vb_holders_error(const struct vb_holder *h, unsigned n, struct vb_error *err);

/* Processes holding dev's VFIO group or device node open. */
int vb_vfio_holders(const struct vb_roots *roots, const struct vb_device *dev,
		    struct vb_holder **ret, unsigned *ret_n);
