// SPDX-License-Identifier: GPL-2.0-or-later
#include "dl.h"
#include "udev-dl.h"

#define VB_UDEV_DEFINE(name) __typeof__(name) *sym_##name;
VB_UDEV_SYMBOLS(VB_UDEV_DEFINE)
#undef VB_UDEV_DEFINE

#define VB_UDEV_NAME(name) #name,
static const char *const names[] = { VB_UDEV_SYMBOLS(VB_UDEV_NAME) };
#define VB_UDEV_SLOT(name) (void **)&sym_##name,
static void **const slots[] = { VB_UDEV_SYMBOLS(VB_UDEV_SLOT) };

static struct vb_dl libudev = { "libudev.so.1", names, slots, sizeof(names) / sizeof(names[0]) };

int vb_udev_dl_open(void)
{
	const char *missing, *why;

	return vb_dl_open(&libudev, &missing, &why);
}
