/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bus.h"
#include "error.h"
#include "roots.h"

/* What a name people know turned out to be. */
enum vb_class_name {
	VB_CLASS_NAME_NONE,
	VB_CLASS_NAME_NET,   /* a network interface: enp3s0f1, eth0 */
	VB_CLASS_NAME_BLOCK, /* a block device or partition: nvme0n1, sda2, /dev/... */
};

/*
 * The device on bus that carries the network interface or block device name
 * (a name in /sys/class/net or /sys/class/block; a /dev path of a block
 * device, links followed), found by walking up from the class device to its
 * first ancestor that is a device on bus. 0 with its name in ret and
 * *ret_kind set; -ENOENT (err untouched): no interface or block device of
 * that name; -EINVAL with err: one that no device on bus carries (lo, a
 * bridge, a loop device) or a /dev path that is no block device.
 */
int vb_class_name_device(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
			 char *ret, unsigned size, enum vb_class_name *ret_kind, struct vb_error *err);

/* Whether name is a network interface or a block device at all (no /dev paths). */
enum vb_class_name vb_class_name_kind(const struct vb_roots *roots, const char *name);
