/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "device.h"
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
 * dev's group as it stands, judged as if dev and the members named in going
 * (n_going, may be NULL: those a batch moves too) were on VFIO: *ret_viable
 * 1/0 (left untouched when the group cannot be read), and the members in the
 * way (on a host driver), which the caller frees with vb_group_members_free.
 */
void vb_group_viability(const struct vb_roots *roots, const struct vb_device *dev,
			char *const *going, unsigned n_going, int *ret_viable,
			struct vb_group_member **ret_blockers, unsigned *ret_n);
void vb_group_members_free(struct vb_group_member *members, unsigned n);

/* A PCI-to-PCI bridge: stays with the host, never in a group's way. */
bool vb_device_is_bridge(const struct vb_device *dev);
