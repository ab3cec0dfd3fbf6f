/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bus.h"
#include "class-name.h"
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
	bool in_bus_dir; /* dfd is the bus's devices directory, not ours: see vb_device_open_in() */
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
 * Turn a command-line DEVICE (an address, a name, a sysfs path, a network
 * interface, a block device or its /dev path) into the device's name on bus;
 * *ret_kind (may be NULL) says whether an interface or disk led there.
 * -EINVAL: not a device name at all (usage error); -ENODEV: the bus's own
 * sysfs path of a device that is not there (ret holds its name, so that
 * device alone fails).
 */
int vb_device_name_from_arg(const struct vb_roots *roots, const struct vb_bus *bus,
			    const char *arg, char *ret, unsigned size, enum vb_class_name *ret_kind,
			    struct vb_error *err);

/* Read a device; -ENODEV when it is not there. */
int vb_device_open(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
		   struct vb_device **ret, struct vb_error *err);

/*
 * Read a device of a whole-bus listing through bus_dfd, the bus's devices
 * directory, which the caller keeps open while dev lives: two system calls a
 * device fewer than vb_device_open() (no directory of its own to open and
 * close). Nothing proves the device is there: one removed meanwhile reads as
 * having no driver and no driver_override attribute. Not for transactions.
 */
int vb_device_open_in(const struct vb_roots *roots, const struct vb_bus *bus, int bus_dfd,
		      const char *name, struct vb_device **ret, struct vb_error *err);

/* ATTR of dev (a file or a link under its directory, "physfn/sriov_numvfs"). */
int vb_device_read_attr(const struct vb_device *dev, const char *attr, char **ret);
int vb_device_read_link_name(const struct vb_device *dev, const char *attr, char **ret);
/* ATTR opened for reading; -errno. */
int vb_device_open_attr(const struct vb_device *dev, const char *attr);

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

/* The names of every device on bus, sorted; free with vb_strv_free(). */
/* dev's VFIO device (DEV/vfio-dev/vfioN) when the kernel gives it a node (6.6+); else NULL. */
char *vb_device_cdev_name(const struct vb_device *dev);
/* That node (/dev/vfio/devices/vfioN); else NULL. */
char *vb_device_cdev_node(const struct vb_roots *roots, const struct vb_device *dev);

int vb_bus_device_names(const struct vb_roots *roots, const struct vb_bus *bus, char ***ret,
			unsigned *ret_n);

/* True when dev's vendor:device is id ("15B3:101E"). */
/* A driver that hands devices to userspace through VFIO. */
bool vb_driver_is_vfio(const char *driver);

bool vb_device_has_id(const struct vb_device *dev, const char *id);
