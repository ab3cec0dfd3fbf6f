// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "bus.h"
#include "name.h"
#include "platform.h"
#include "roots.h"
#include "sysfs.h"

/* fsl-mc hands whole containers to VFIO: "dprc.N", not the objects in them. */
static int fsl_mc_name(const char *arg, char *ret, unsigned size)
{
	if (!vb_name_is_valid(arg) || strncmp(arg, "dprc.", 5) != 0 || strlen(arg) >= size)
		return -EINVAL;
	strcpy(ret, arg);
	return 0;
}

static const struct vb_bus buses[] = {
	{
		.name = "pci",
		.vfio_module = "vfio_pci",
		.vfio_driver = "vfio-pci",
		.vfio_aliases = true,
		.canonical_name = vb_pci_address_canonical,
	},
	{
		.name = "platform",
		.vfio_module = "vfio_platform",
		.vfio_driver = "vfio-platform",
		.check_bind = vb_platform_check_reset,
	},
	{
		.name = "amba",
		.vfio_module = "vfio_amba",
		.vfio_driver = "vfio-amba",
	},
	{
		.name = "fsl-mc",
		.vfio_module = "vfio_fsl_mc",
		.vfio_driver = "vfio-fsl-mc",
		.canonical_name = fsl_mc_name,
	},
	{
		.name = "cdx",
		.vfio_module = "vfio_cdx",
		.vfio_driver = "vfio-cdx",
		.vfio_aliases = true,
	},
};

const struct vb_bus *vb_bus_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (strcmp(buses[i].name, name) == 0)
			return &buses[i];
	return NULL;
}

int vb_bus_lookup(const struct vb_roots *roots, const char *name, struct vb_bus *scratch,
		  const struct vb_bus **ret)
{
	_cleanup_free_ char *dir = NULL;
	const struct vb_bus *known;

	if (!vb_name_is_valid(name) || strchr(name, ':'))
		return -EINVAL;
	known = vb_bus_find(name);
	dir = vb_path("%s/bus/%s/devices", roots->sysfs, name);
	if (!known && vb_exists(dir) <= 0)
		return -ENOENT;
	if (!known) {
		*scratch = (struct vb_bus){ .name = name };
		known = scratch;
	}
	*ret = known;
	return 0;
}
