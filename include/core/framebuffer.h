/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "device.h"
#include "error.h"
#include "roots.h"

/*
 * The firmware's framebuffer on a boot GPU (BOOTFB, simpledrm, simplefb,
 * efifb, vesafb in /proc/iomem) sits inside one of the card's BARs. Before
 * Linux 6.0 the bind looks fine but the VM cannot map that BAR ("BAR 0:
 * can't reserve"); since, vfio-pci removes the framebuffer as it binds, and
 * the host's console with it.
 */
struct vb_framebuffer {
	char name[64];        /* as /proc/iomem names the claim */
	int bar;              /* the BAR it sits in */
	char holder[64];      /* the platform device behind it ("simple-framebuffer.0"); "" unknown */
	char driver[64];      /* that device's driver; "" none */
};

/* 1 with ret filled when a framebuffer claim sits in one of dev's memory BARs; 0 none. */
int vb_device_framebuffer(const struct vb_roots *roots, const struct vb_device *dev,
			  struct vb_framebuffer *ret);

/* -EBUSY, err naming the claim and what to do, when one does. */
int vb_device_check_framebuffer(const struct vb_roots *roots, const struct vb_device *dev,
				struct vb_error *err);
