/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

struct vb_context;
struct vb_device;
struct vb_error;

/*
 * vfio-platform refuses a device it cannot reset, unless it was loaded with
 * reset_required=0. Find out before the device is touched: a reset handler is
 * a module with alias "vfio-reset:" + the first device-tree compatible, or an
 * ACPI _RST method (which userspace cannot see). -EOPNOTSUPP when the bind
 * would fail for want of one, with the way out in err.
 */
int vb_platform_check_reset(struct vb_context *ctx, const struct vb_device *dev,
			    const char *driver, struct vb_error *err);

/* The first "compatible" of a device-tree device, or NULL. */
char *vb_platform_first_compatible(const struct vb_device *dev);
