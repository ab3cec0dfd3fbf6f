/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "error.h"

/*
 * Vendor and model names from udev's hardware database, for --list, looked
 * up through libudev (opened with dlopen()): the database udev itself would
 * use, with udev's own matching. No database (udev not installed) means no
 * names, which is not an error.
 */
struct vb_hwdb;

/*
 * path NULL: udev's database. libudev reads no other file, so any other path
 * means no names (and vb_hwdb_error() says so). NULL only when out of memory.
 */
struct vb_hwdb *vb_hwdb_new(const char *path);
void vb_hwdb_free(struct vb_hwdb *hwdb);

/* Why there will be no names, when that is worth telling (libudev missing); else NULL. */
const struct vb_error *vb_hwdb_error(const struct vb_hwdb *hwdb);

/*
 * Names for a modalias; either may come back NULL. The caller frees them.
 * Each call is one walk of the database: callers with many devices of one
 * model ask once per modalias (--list does).
 */
void vb_hwdb_names(struct vb_hwdb *hwdb, const char *modalias, char **ret_vendor, char **ret_model);
