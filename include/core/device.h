/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bus.h"
#include "error.h"
#include "modalias.h"
#include "name.h"
#include "roots.h"

/* A device as sysfs shows it at the moment it was read. */
struct vb_device {
	const struct vb_bus *bus;
	char name[VB_NAME_MAX + 1];
	char *path;      /* SYSFS/bus/BUS/devices/NAME */
	int dfd;         /* that directory (O_PATH): reads look up one name, not the path */
	char *modalias;  /* NULL when the bus has none for it */
	bool has_ids;
	struct vb_pci_ids ids;
	char *driver;    /* NULL: no driver bound */
	char *override;  /* NULL: driver_override reads "(null)" */
	bool has_override_attr;
	int iommu_group; /* -1: not in a group */
};

enum vb_iommu_state {
	VB_IOMMU_OFF,
	VB_IOMMU_ON,
	VB_IOMMU_NOIOMMU, /* VFIO's unsafe no-IOMMU mode */
};

/*
 * Turn a command-line DEVICE (an address, a name, or a sysfs path) into the
 * device's name on bus. -EINVAL: not a device name at all (usage error);
 * -ENODEV: the bus's own sysfs path of a device that is not there (ret
 * holds its name, so that device alone fails).
 */
int vb_device_name_from_arg(const struct vb_roots *roots, const struct vb_bus *bus,
			    const char *arg, char *ret, unsigned size, struct vb_error *err);

/* Read a device; -ENODEV when it is not there. */
int vb_device_open(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
		   struct vb_device **ret, struct vb_error *err);

/* Re-read what a bind changes: the driver link and the override. */
int vb_device_refresh(struct vb_device *dev);

void vb_device_free(struct vb_device *dev);
static inline void vb_device_freep(struct vb_device **d)
{
	if (*d)
		vb_device_free(*d);
}

enum vb_iommu_state vb_iommu_state(const struct vb_roots *roots);

/* The VFIO group node a user opens: /dev/vfio/N, or /dev/vfio/noiommu-N. NULL: none. */
char *vb_device_group_node(const struct vb_roots *roots, const struct vb_device *dev);

/* The names of every device on bus, sorted. */
int vb_bus_device_names(const struct vb_roots *roots, const struct vb_bus *bus, char ***ret,
			unsigned *ret_n);
/* The entries of a directory but the hidden ones, sorted. */
int vb_dir_names(const char *dir, char ***ret, unsigned *ret_n);
void vb_names_free(char **names, unsigned n);
void vb_names_sort(char **names, unsigned n);

/* True when dev's vendor:device is id ("15B3:101E"). */
/* A driver that hands devices to userspace through VFIO. */
bool vb_driver_is_vfio(const char *driver);

bool vb_device_has_id(const struct vb_device *dev, const char *id);
