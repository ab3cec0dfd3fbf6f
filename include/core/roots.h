/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Every path the tool touches derives from these roots, so tests can move
 * them: sysfs (/sys), procfs (/proc, for mounts, swaps, routes and open
 * files), devfs (/dev: VFIO's nodes, mount sources), the kernel's module directory (/lib/modules/RELEASE), the
 * modprobe.d configuration, the saved-bindings directory, udev's hardware
 * database, the runtime directory (/run/vfio-bind: what this boot's
 * initramfs did) and the root under which the system's own files are
 * looked for (which initramfs tool builds the early-boot image).
 */
struct vb_roots {
	char *sysfs;
	char *procfs;
	char *devfs;
	char *modules_dir;
	char *modprobe_dir; /* NULL: libkmod's own defaults */
	char *config_dir;
	char *hwdb; /* NULL: the hwdb.bin udev itself would use */
	char *run_dir;
	char *system_root; /* "" for / */
};

/* Fill roots from VFIO_BIND_* environment variables, else the defaults. */
int vb_roots_from_env(struct vb_roots *ret);
void vb_roots_free(struct vb_roots *roots);
