// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "bus.h"
#include "name.h"

static const struct vb_bus buses[] = {
	{
		.name = "pci",
		.vfio_module = "vfio_pci",
		.vfio_driver = "vfio-pci",
		.vfio_aliases = true,
		.canonical_name = vb_pci_address_canonical,
	},
};

const struct vb_bus *vb_bus_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (strcmp(buses[i].name, name) == 0)
			return &buses[i];
	return NULL;
}
