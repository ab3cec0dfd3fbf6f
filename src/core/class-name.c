// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "class-name.h"
#include "name.h"
#include "sysfs.h"

static const char *class_dir(enum vb_class_name kind)
{
	return kind == VB_CLASS_NAME_NET ? "net" : "block";
}

enum vb_class_name vb_class_name_kind(const struct vb_roots *roots, const char *name)
{
	static const enum vb_class_name kinds[] = { VB_CLASS_NAME_NET, VB_CLASS_NAME_BLOCK };

	if (!vb_name_is_valid(name))
		return VB_CLASS_NAME_NONE;
	for (unsigned i = 0; i < 2; i++) {
		_cleanup_free_ char *p = vb_path("%s/class/%s/%s", roots->sysfs, class_dir(kinds[i]), name);

		if (p && vb_exists(p) > 0)
			return kinds[i];
	}
	return VB_CLASS_NAME_NONE;
}

/* The first ancestor of the class device at real that is a device on bus. */
static int carrier(const struct vb_roots *roots, const struct vb_bus *bus, const char *real,
		   char *ret, unsigned size)
{
	char dir[PATH_MAX], devices[PATH_MAX], mine[PATH_MAX];
	_cleanup_free_ char *root = vb_path("%s/devices", roots->sysfs);
	char *slash;

	if (!root || !realpath(root, devices) || strlen(real) >= sizeof(dir))
		return -ENOENT;
	strcpy(dir, real);
	/* Up from the class device itself: an interface is never a bus device. */
	while ((slash = strrchr(dir, '/')) && slash > dir) {
		_cleanup_free_ char *ours = NULL;
		const char *base;

		*slash = '\0';
		if (strlen(dir) <= strlen(devices))
			break;
		base = strrchr(dir, '/') + 1;
		if (!vb_name_is_valid(base))
			continue;
		ours = vb_path("%s/bus/%s/devices/%s", roots->sysfs, bus->name, base);
		if (ours && realpath(ours, mine) && strcmp(mine, dir) == 0) {
			if (strlen(base) >= size)
				return -ENAMETOOLONG;
			strcpy(ret, base);
			return 0;
		}
	}
	return -ENOENT;
}

/* "/dev/X": the block device's name, links (by-id, by-path) followed within the devfs root. */
static int block_from_dev_path(const struct vb_roots *roots, const char *path, char **ret,
			       struct vb_error *err)
{
	_cleanup_free_ char *in_root = NULL;
	char real[PATH_MAX];
	struct stat st;
	const char *base;

	if (!roots->devfs)
		return -ENOENT;
	in_root = vb_path("%s/%s", roots->devfs, path + strlen("/dev/"));
	if (!in_root)
		return -ENOMEM;
	if (!realpath(in_root, real) || stat(real, &st) < 0)
		return vb_error_set_sys(err, -errno, "cannot resolve '%s'", path);
	if (!S_ISBLK(st.st_mode))
		return vb_error_set(err, -EINVAL, "'%s' is not a block device", path);
	base = strrchr(real, '/') + 1;
	if (!(*ret = strdup(base)))
		return -ENOMEM;
	return 0;
}

int vb_class_name_device(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
			 char *ret, unsigned size, enum vb_class_name *ret_kind, struct vb_error *err)
{
	_cleanup_free_ char *from_dev = NULL, *link = NULL;
	enum vb_class_name kind;
	char real[PATH_MAX];
	int r;

	if (strncmp(name, "/dev/", 5) == 0) {
		r = block_from_dev_path(roots, name, &from_dev, err);
		if (r < 0)
			return r;
		if (vb_class_name_kind(roots, from_dev) != VB_CLASS_NAME_BLOCK)
			return vb_error_set(err, -EINVAL, "'%s' is no block device sysfs knows of", name);
		kind = VB_CLASS_NAME_BLOCK;
	} else {
		kind = vb_class_name_kind(roots, name);
		if (kind == VB_CLASS_NAME_NONE)
			return -ENOENT;
	}
	link = vb_path("%s/class/%s/%s", roots->sysfs, class_dir(kind), from_dev ? from_dev : name);
	if (!link)
		return -ENOMEM;
	if (!realpath(link, real))
		return vb_error_set_sys(err, -errno, "cannot resolve '%s'", link);
	r = carrier(roots, bus, real, ret, size);
	if (r == -ENOENT) {
		vb_error_set(err, -EINVAL, "'%s' is a %s of no device on the %s bus", name,
			     kind == VB_CLASS_NAME_NET ? "network interface" : "block device", bus->name);
		vb_error_hint(err, "name the device itself: 'vfio-bind --list' shows them");
		return -EINVAL;
	}
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot resolve '%s'", name);
	*ret_kind = kind;
	return 0;
}
