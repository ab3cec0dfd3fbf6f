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
 * The members of the IOMMU groups of the devices named (bridges aside, each
 * once), in ret, not yet opened. 1 when a device named is in no IOMMU group:
 * it is then the only entry, failed. -ENOMEM.
 */
int vb_group_gather(struct vb_context *ctx, const struct vb_bus *bus, char *const *names,
		    unsigned n_names, struct vb_group_moves *ret);

/*
 * Bind every member gathered as one transaction: all decided first (a
 * refusal moves none), then moved side by side (opts->jobs), and with save
 * all saved once every member is there; or, if one fails, every other put
 * back where it was, the saves of this run taken back (what was saved before
 * stays), and the members never tried reported as not moved.
 *
 * -errno with err filled only when nothing was tried: saving is impossible
 * (checked before anything moves) or memory ran out. Otherwise 0, and each
 * member's outcome in m, in the order they were gathered.
 */
int vb_bind_groups(struct vb_context *ctx, const struct vb_bus *bus, struct vb_group_moves *m,
		   const struct vb_bind_opts *opts, bool save, struct vb_error *err);
void vb_group_moves_clear(struct vb_group_moves *m);
