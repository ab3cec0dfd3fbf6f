/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <libudev.h>

#include "error.h"

/*
 * libudev opened with dlopen() on first use: only --list needs it, for
 * device names from udev's hardware database. Only what hwdb.c calls is here.
 */
#define VB_UDEV_SYMBOLS(X)                   \
	X(udev_new)                          \
	X(udev_unref)                        \
	X(udev_hwdb_new)                     \
	X(udev_hwdb_unref)                   \
	X(udev_hwdb_get_properties_list_entry) \
	X(udev_list_entry_get_next)          \
	X(udev_list_entry_get_name)          \
	X(udev_list_entry_get_value)

#define VB_UDEV_DECLARE(name) extern __typeof__(name) *sym_##name;
VB_UDEV_SYMBOLS(VB_UDEV_DECLARE)
#undef VB_UDEV_DECLARE

/* udev_list_entry_foreach, through the pointer. */
#define vb_udev_list_foreach(it, first) \
	for ((it) = (first); (it) != NULL; (it) = sym_udev_list_entry_get_next(it))

/* Open the library and resolve every symbol above, once; -ENOENT with a hint when it cannot be. */
int vb_udev_dl_open(struct vb_error *err);
