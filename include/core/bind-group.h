/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bind.h"
#include "bus.h"

/* One member of a --group move: its name, the device (NULL if it could not be opened), its outcome. */
struct vb_group_move {
	char *name;
	struct vb_device *dev;
	struct vb_outcome out;
};

struct vb_group_moves {
	struct vb_group_move *moves;
	unsigned n;
};

/*
 * Bind every device of the IOMMU groups of the devices named (bridges aside,
 * each once) as one transaction: all moved and, with save, all saved once
 * every member is there; or, if one fails, every other put back where it
 * was, the saves of this run taken back (what was saved before stays), and
 * the members never tried reported as not moved. A device named that is in
 * no IOMMU group ends it at once, as the only member reported.
 *
 * -errno with err filled only when nothing was tried: saving is impossible
 * (checked before anything moves) or memory ran out. Otherwise 0, and each
 * member's outcome in ret, in the order they were moved.
 */
int vb_bind_groups(struct vb_context *ctx, const struct vb_bus *bus, char *const *names,
		   unsigned n_names, const struct vb_bind_opts *opts, bool save,
		   struct vb_group_moves *ret, struct vb_error *err);
void vb_group_moves_clear(struct vb_group_moves *m);
