/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "roots.h"

/*
 * Early boot: the initramfs carries the saved bindings and applies them
 * before any host driver it carries can bind. Each device it put on a VFIO
 * driver leaves a record under RUN_DIR/early/ ("BUS-DEVICE", KEY=VALUE
 * lines); /run is moved into the real root, so the real root reads them.
 */
struct vb_early {
	char bus[16];
	char device[VB_NAME_MAX + 1];
	char driver[VB_NAME_MAX + 1]; /* the VFIO driver the initramfs bound it to */
};

/* Record that dev, on its VFIO driver, was bound in the initramfs. */
int vb_early_record(const struct vb_roots *roots, const struct vb_device *dev);
/* The record of one device; -ENOENT when the initramfs did not bind it in this boot. */
int vb_early_read(const struct vb_roots *roots, const char *bus, const char *device,
		  struct vb_early *ret);
/* Every record, in name order. */
int vb_early_list(const struct vb_roots *roots, struct vb_early **ret, unsigned *ret_n);
/* Drop a record (its device was handed back); 0 also when there was none. */
int vb_early_forget(const struct vb_roots *roots, const char *bus, const char *device);

/* The tool that builds this system's initramfs, where vfio-bind's integration is installed. */
enum vb_initramfs_tool {
	VB_INITRAMFS_NONE,
	VB_INITRAMFS_TOOLS, /* Debian, Ubuntu: update-initramfs */
	VB_INITRAMFS_DRACUT,
};

enum vb_initramfs_tool vb_initramfs_tool(const struct vb_roots *roots);
/* The command that rebuilds every initramfs of the system with the saved bindings. */
const char *vb_initramfs_refresh_command(enum vb_initramfs_tool tool);
