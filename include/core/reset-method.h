/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "device.h"
#include "error.h"

/*
 * A PCI device's reset methods (reset_method, Linux 5.15+): the ways the
 * kernel may reset it, in the order it tries them. Cards with a broken reset
 * need some left out, and before anything resets the card: vfio-pci resets
 * it when a VM opens it.
 */

/* The longest list of methods kept (names and spaces). */
#define VB_RESET_METHOD_MAX 64

/*
 * "flr,bus" (commas or spaces) to "flr bus" in ret: each a method name Linux
 * knows, each once. -EINVAL, err naming the bad one, otherwise.
 */
int vb_reset_methods_parse(const char *arg, char *ret, size_t size, struct vb_error *err);

/* The methods as the kernel lists them now ("" none enabled); -ENOENT without the attribute. */
int vb_device_reset_method(const struct vb_device *dev, char **ret);

/*
 * Set dev's methods to methods (space-separated); the ones it had in
 * *ret_old (may be NULL). The kernel refuses a method the device does not
 * offer: err then says which it has.
 */
int vb_device_set_reset_method(const struct vb_device *dev, const char *methods, char **ret_old,
			       struct vb_error *err);
