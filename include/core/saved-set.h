/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "device.h"
#include "error.h"
#include "roots.h"
#include "store.h"

/* Every saved binding, read once: for --restore and --list. */
struct vb_saved_set {
	struct vb_saved *saved;
	char **paths;
	unsigned n;
	/* Entries that could not be trusted or parsed, with why. */
	char **bad_paths;
	struct vb_error *bad_errors;
	unsigned n_bad;
};

int vb_saved_set_load(const struct vb_roots *roots, struct vb_saved_set *ret);
/*
 * The same, reading only the files that can apply to the n devices (buses[i],
 * devices[i]): those saved by their addresses, and every ID rule. What udev
 * runs for one device at a time: each run reading every saved file would make
 * a coldplug of N saved devices read N x N files.
 */
int vb_saved_set_load_for(const struct vb_roots *roots, const char *const *buses,
			  const char *const *devices, unsigned n, struct vb_saved_set *ret);
void vb_saved_set_clear(struct vb_saved_set *set);

/* The binding saved for a device by its address, or NULL. */
const struct vb_saved *vb_saved_set_device(const struct vb_saved_set *set, const char *bus,
					   const char *device);
/* The ID rule that covers id on bus, or NULL. */
const struct vb_saved *vb_saved_set_rule(const struct vb_saved_set *set, const char *bus,
					 const char *id);
/*
 * The saved binding that applies to dev as it is now: the one saved for its address
 * while the same device (modalias) sits there, else an ID rule for it; NULL
 * when neither.
 */
const struct vb_saved *vb_saved_set_for_device(const struct vb_saved_set *set,
					       const struct vb_device *dev);
