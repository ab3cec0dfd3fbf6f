// SPDX-License-Identifier: GPL-2.0-or-later
#include "dl.h"
#include "udev-dl.h"

VB_DL_LIBRARY(libudev, "libudev.so.1", VB_UDEV_SYMBOLS);

int vb_udev_dl_open(void)
{
	const char *missing, *why;

	return vb_dl_open(&libudev, &missing, &why);
}
