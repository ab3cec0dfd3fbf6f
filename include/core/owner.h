/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "device.h"
#include "error.h"
#include "roots.h"

/*
 * Who may open a device's VFIO nodes (the group's /dev/vfio/N, and
 * /dev/vfio/devices/vfioN where the kernel has it): QEMU under libvirt and
 * DPDK applications often run as their own user. The kernel makes the nodes
 * root's, mode 0600; an owner makes them the user's (0600), or the user's and
 * a group's (0660).
 */
struct vb_owner {
	bool set;
	uid_t uid;
	bool has_gid;
	gid_t gid;
};

/* "USER[:GROUP]", names or numbers, looked up now. -EINVAL, err saying which part is unknown. */
int vb_owner_parse(const char *arg, struct vb_owner *ret, struct vb_error *err);

/* As saved: "UID" or "UID:GID", numbers only (the names may not resolve at boot). */
int vb_owner_parse_saved(const char *text, struct vb_owner *ret);
void vb_owner_format(const struct vb_owner *o, char *buf, size_t size);

/* The mode the nodes get: 0660 with a group, else 0600. */
mode_t vb_owner_mode(const struct vb_owner *o);

/*
 * Give dev's VFIO nodes to o (NULL: back to root, 0600); a node that is not
 * there is skipped. Then ask udev to apply its rules to them again, so that
 * a rule reading the saved binding settles on the same owner.
 */
int vb_vfio_nodes_own(const struct vb_roots *roots, const struct vb_device *dev,
		      const struct vb_owner *o, struct vb_error *err);
