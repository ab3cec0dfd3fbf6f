// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "dl.h"
#include "udev-dl.h"

VB_DL_LIBRARY(libudev, "libudev.so.1", "libudev1", VB_UDEV_SYMBOLS, "hwdb",
	      "vendor and model names of devices in --list, from udev's hardware database",
	      "suggested");

int vb_udev_dl_open(struct vb_error *err)
{
	return vb_dl_open(&libudev, err) < 0 ? -ENOENT : 0;
}
