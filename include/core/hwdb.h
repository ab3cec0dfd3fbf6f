/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Vendor and model names from udev's hardware database, for --list: the
 * hwdb.bin udev would use, or the one at path. PCI names are read from that
 * file directly; other buses' go through libudev, which reads only its own
 * file, so with a path given they get none.
 */
struct vb_hwdb;

/* path NULL: udev's own file. NULL when there is no usable database; lookups then give no names. */
struct vb_hwdb *vb_hwdb_new(const char *path);
void vb_hwdb_free(struct vb_hwdb *hwdb);

/* Names for a modalias; either may come back NULL. The caller frees them. */
void vb_hwdb_names(struct vb_hwdb *hwdb, const char *modalias, char **ret_vendor, char **ret_model);
