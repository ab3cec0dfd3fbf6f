/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "context.h"
#include "device.h"
#include "error.h"
#include "roots.h"

/* What keeps a device from being taken: the host uses it, or VFIO cannot have it. */

/*
 * Refuse to take a device the host is using: a block device under
 * it that is mounted (by device number, mount source, or as a member of a
 * mounted btrfs or bcachefs), swapped on or held; a network interface under
 * it that is up with an address or route (or enslaved to one that is); the
 * boot VGA device while a driver runs the console on it. -EBUSY naming what
 * is in use, also when the /proc table that would tell cannot be read.
 */
int vb_device_check_in_use(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err);

/* Refuse a PCI bridge: it is never handed to a VM, and its children would lose it. -EINVAL. */
int vb_device_check_bridge(const struct vb_device *dev, struct vb_error *err);

/* Refuse a physical function with SR-IOV VFs enabled: vfio-pci would. -EBUSY. */
int vb_device_check_sriov(const struct vb_roots *roots, const struct vb_device *dev,
			  struct vb_error *err);

/* A VF whose PF has sriov_drivers_autoprobe=0: no host driver is probed for it. */
bool vb_device_vf_autoprobe_off(const struct vb_device *dev);

/* SR-IOV relations for --list: the PF of a VF, the VF count of a PF. */
int vb_device_physfn(const struct vb_device *dev, char **ret);
int vb_device_numvfs(const struct vb_device *dev);
