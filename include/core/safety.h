/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "device.h"
#include "error.h"
#include "roots.h"

/* One device of an IOMMU group, as it is now. */
struct vb_group_member {
	char name[VB_NAME_MAX + 1];
	char *driver;   /* NULL: none */
	bool bridge;    /* a PCI bridge: never handed to a VM, never in the way */
};

struct vb_group {
	int id;
	struct vb_group_member *members;
	unsigned n;
};

int vb_group_read(const struct vb_roots *roots, int group, struct vb_group *ret);
/* dev's group, taking what dev already knows of itself (-ENOENT: in none). */
int vb_device_group_read(const struct vb_roots *roots, const struct vb_device *dev,
			 struct vb_group *ret);
void vb_group_clear(struct vb_group *g);

/* A driver that leaves a group usable by a VM: a VFIO one, pci-stub, pcieport, none. */
bool vb_driver_keeps_group_viable(const char *driver);

/*
 * Whether the group can go to a VM once the device named moving is on a VFIO
 * driver: every other member must be on a driver that keeps it viable.
 */
bool vb_group_viable(const struct vb_group *g, const char *moving);

/*
 * Refuse to take a device the host is using: a block device under
 * it that is mounted (by device number, mount source, or as a member of a
 * mounted btrfs or bcachefs), swapped on or held; a network interface under
 * it that is up with an address or route (or enslaved to one that is); the
 * boot VGA device while a driver runs the console on it. -EBUSY naming what
 * is in use, also when the /proc table that would tell cannot be read.
 */
int vb_device_check_in_use(const struct vb_roots *roots, const struct vb_device *dev,
			   struct vb_error *err);

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

/* A process that holds a device open through VFIO. */
struct vb_holder {
	pid_t pid;
	char comm[32];
	char node[64]; /* /dev/vfio/4 or /dev/vfio/devices/vfio0 */
	bool device;   /* it holds the device itself, so an unbind waits for it */
};

/* Processes holding dev's VFIO group or device node open. */
int vb_vfio_holders(const struct vb_roots *roots, const struct vb_device *dev,
		    struct vb_holder **ret, unsigned *ret_n);
