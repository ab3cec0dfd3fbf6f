// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "pci-class.h"

struct class_name {
	unsigned code; /* 0xBBSS: base class, subclass; 0xBB00 with sub false for the base */
	bool sub;
	const char *name;
};

/* The base classes, and the subclasses passthrough users meet most. */
static const struct class_name names[] = {
	{ 0x0000, false, "Unclassified device" },
	{ 0x0100, false, "Mass storage controller" },
	{ 0x0100, true, "SCSI storage controller" },
	{ 0x0101, true, "IDE interface" },
	{ 0x0104, true, "RAID bus controller" },
	{ 0x0106, true, "SATA controller" },
	{ 0x0107, true, "Serial Attached SCSI controller" },
	{ 0x0108, true, "Non-Volatile memory controller" },
	{ 0x0200, false, "Network controller" },
	{ 0x0200, true, "Ethernet controller" },
	{ 0x0207, true, "Infiniband controller" },
	{ 0x0280, true, "Network controller" },
	{ 0x0300, false, "Display controller" },
	{ 0x0300, true, "VGA compatible controller" },
	{ 0x0302, true, "3D controller" },
	{ 0x0400, false, "Multimedia controller" },
	{ 0x0401, true, "Multimedia audio controller" },
	{ 0x0403, true, "Audio device" },
	{ 0x0500, false, "Memory controller" },
	{ 0x0600, false, "Bridge" },
	{ 0x0600, true, "Host bridge" },
	{ 0x0601, true, "ISA bridge" },
	{ 0x0604, true, "PCI bridge" },
	{ 0x0700, false, "Communication controller" },
	{ 0x0700, true, "Serial controller" },
	{ 0x0800, false, "Generic system peripheral" },
	{ 0x0806, true, "IOMMU" },
	{ 0x0900, false, "Input device controller" },
	{ 0x0a00, false, "Docking station" },
	{ 0x0b00, false, "Processor" },
	{ 0x0c00, false, "Serial bus controller" },
	{ 0x0c03, true, "USB controller" },
	{ 0x0c04, true, "Fibre Channel" },
	{ 0x0c05, true, "SMBus" },
	{ 0x0d00, false, "Wireless controller" },
	{ 0x0e00, false, "Intelligent controller" },
	{ 0x0f00, false, "Satellite communications controller" },
	{ 0x1000, false, "Encryption controller" },
	{ 0x1100, false, "Signal processing controller" },
	{ 0x1200, false, "Processing accelerators" },
	{ 0x1300, false, "Non-Essential Instrumentation" },
	{ 0x4000, false, "Coprocessor" },
	{ 0xff00, false, "Unassigned class" },
};

const char *vb_pci_class_name(unsigned class)
{
	unsigned code = (class >> 8) & 0xffff;
	const char *base = NULL;

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		if (names[i].sub && names[i].code == code)
			return names[i].name;
		if (!names[i].sub && names[i].code == (code & 0xff00))
			base = names[i].name;
	}
	return base;
}

/* A kind: a base class, or one subclass of it when sub is set. */
static const struct {
	const char *kind;
	unsigned code;
	bool sub;
} kinds[] = {
	{ "storage", 0x01, false }, { "net", 0x02, false },   { "gpu", 0x03, false },
	{ "multimedia", 0x04, false }, { "usb", 0x0c03, true }, { "crypto", 0x10, false },
	{ "accel", 0x12, false },   { "bridge", 0x06, false },
};

int vb_pci_class_is(const char *kind, unsigned class, bool *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0) {
			*ret = kinds[i].sub ? ((class >> 8) & 0xffff) == kinds[i].code
					    : (class >> 16) == kinds[i].code;
			return 0;
		}
	return -EINVAL;
}

const char *vb_pci_class_kinds(void)
{
	return "net storage gpu multimedia usb crypto accel bridge";
}
