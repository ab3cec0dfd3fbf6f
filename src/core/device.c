// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "class-name.h"
#include "device.h"
#include "dir.h"
#include "sysfs.h"

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s) || isspace((unsigned char)*s))
			return true;
	return false;
}

/* A sysfs path names the device it leads to, if that is a device on bus. */
static int name_from_path(const struct vb_roots *roots, const struct vb_bus *bus, const char *arg,
			  char *ret, unsigned size, struct vb_error *err)
{
	_cleanup_free_ char *copy = NULL, *in_root = NULL, *ours = NULL;
	char real_arg[PATH_MAX], real_ours[PATH_MAX];
	size_t n;
	char *base;

	if (strstr(arg, "/../") || strstr(arg, "/./") || strlen(arg) >= PATH_MAX)
		return vb_error_set(err, -EINVAL, "'%s' is not a device path", arg);
	copy = strdup(arg);
	if (!copy)
		return -ENOMEM;
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = strrchr(copy, '/') + 1;
	if (!vb_name_is_valid(base))
		return vb_error_set(err, -EINVAL, "'%s' is not a device path", arg);

	/* "/sys/..." means the sysfs root the tool works on, wherever that is. */
	if (strncmp(copy, "/sys/", 5) == 0)
		in_root = vb_path("%s/%s", roots->sysfs, copy + 5);
	else
		in_root = strdup(copy);
	ours = vb_path("%s/bus/%s/devices/%s", roots->sysfs, bus->name, base);
	if (!in_root || !ours)
		return -ENOMEM;
	if (!realpath(in_root, real_arg)) {
		if (errno != ENOENT)
			return vb_error_set_sys(err, -errno, "cannot resolve '%s'", arg);
		/* The bus's own path to a device that is not there is an absent device. */
		if (strcmp(in_root, ours) != 0 || strlen(base) >= size)
			return vb_error_set(err, -EINVAL, "no device at '%s'", arg);
		strcpy(ret, base);
		return vb_error_set(err, -ENODEV, "no device at '%s'", arg);
	}
	if (!realpath(ours, real_ours) || strcmp(real_arg, real_ours) != 0)
		return vb_error_set(err, -EINVAL, "'%s' is not a device on the %s bus", arg,
				    bus->name);
	if (strlen(base) >= size)
		return -EINVAL;
	strcpy(ret, base);
	return 0;
}

/* A name on a bus that also names an interface or disk: which one is meant is unknowable. */
static int ambiguous(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
		     struct vb_error *err)
{
	_cleanup_free_ char *ours = vb_path("%s/bus/%s/devices/%s", roots->sysfs, bus->name, name);
	enum vb_class_name kind = vb_class_name_kind(roots, name);

	if (kind == VB_CLASS_NAME_NONE || !ours || vb_exists(ours) <= 0)
		return 0;
	vb_error_set(err, -EINVAL, "'%s' is both a device on the %s bus and a %s", name, bus->name,
		     kind == VB_CLASS_NAME_NET ? "network interface" : "block device");
	vb_error_hint(err, "name the device by its sysfs path: /sys/bus/%s/devices/%s", bus->name, name);
	return -EINVAL;
}

int vb_device_name_from_arg(const struct vb_roots *roots, const struct vb_bus *bus,
			    const char *arg, char *ret, unsigned size, enum vb_class_name *ret_kind,
			    struct vb_error *err)
{
	enum vb_class_name kind = VB_CLASS_NAME_NONE;
	char name[VB_NAME_MAX + 1];
	int r;

	if (ret_kind)
		*ret_kind = VB_CLASS_NAME_NONE;
	if (!arg || !*arg)
		return vb_error_set(err, -EINVAL, "empty device name");
	if (has_control_chars(arg))
		return vb_error_set(err, -EINVAL, "device name contains whitespace or control characters");
	if (strlen(arg) > PATH_MAX)
		return vb_error_set(err, -EINVAL, "device name is too long");
	if (strncmp(arg, "/dev/", 5) == 0) {
		/* A disk by its node: nvme0n1's, or a by-id or by-path link to it. */
		r = vb_class_name_device(roots, bus, arg, name, sizeof(name), &kind, err);
		if (r < 0)
			return r == -ENOENT ? vb_error_set(err, -EINVAL, "'%s' is not a block device", arg) : r;
	} else if (arg[0] == '/') {
		return name_from_path(roots, bus, arg, ret, size, err);
	} else if (bus->canonical_name) {
		if (bus->canonical_name(arg, name, sizeof(name)) < 0) {
			/* Not an address: an interface or a disk (no such name is an address). */
			r = vb_class_name_device(roots, bus, arg, name, sizeof(name), &kind, err);
			if (r == -ENOENT) {
				vb_error_set(err, -EINVAL,
					     "'%.*s' is not a %s device address (DDDD:BB:DD.F or BB:DD.F), "
					     "network interface or block device", VB_NAME_MAX, arg, bus->name);
				vb_error_hint(err, "an interface or disk is gone once its device leaves the host "
						   "driver: name the device by its address ('vfio-bind --list')");
				return -EINVAL;
			}
			if (r < 0)
				return r;
		}
	} else {
		if (!vb_name_is_valid(arg))
			return vb_error_set(err, -EINVAL, "'%.*s' is not a valid device name", VB_NAME_MAX, arg);
		r = ambiguous(roots, bus, arg, err);
		if (r < 0)
			return r;
		r = vb_class_name_device(roots, bus, arg, name, sizeof(name), &kind, err);
		if (r == -ENOENT)
			strcpy(name, arg);
		else if (r < 0)
			return r;
	}
	if (strlen(name) >= size)
		return -EINVAL;
	strcpy(ret, name);
	if (ret_kind)
		*ret_kind = kind;
	return 0;
}

/* ATTR's path relative to dev->dfd: ATTR itself, or NAME/ATTR in a listing. NULL: too long. */
static const char *attr_path(const struct vb_device *dev, const char *attr, char *buf, size_t size)
{
	size_t n = strlen(dev->name), a = strlen(attr);

	if (!dev->in_bus_dir)
		return attr;
	/* A listing asks this five times a device: no printf. */
	if (n + 1 + a >= size)
		return NULL;
	memcpy(buf, dev->name, n);
	buf[n] = '/';
	memcpy(buf + n + 1, attr, a + 1);
	return buf;
}

int vb_device_read_attr(const struct vb_device *dev, const char *attr, char **ret)
{
	char buf[VB_NAME_MAX + 64];
	const char *p = attr_path(dev, attr, buf, sizeof(buf));

	return p ? vb_read_attr_at(dev->dfd, p, ret) : -ENAMETOOLONG;
}

int vb_device_read_link_name(const struct vb_device *dev, const char *attr, char **ret)
{
	char buf[VB_NAME_MAX + 64];
	const char *p = attr_path(dev, attr, buf, sizeof(buf));

	return p ? vb_read_link_name_at(dev->dfd, p, ret) : -ENAMETOOLONG;
}

int vb_device_open_attr(const struct vb_device *dev, const char *attr)
{
	char buf[VB_NAME_MAX + 64];
	const char *p = attr_path(dev, attr, buf, sizeof(buf));
	int fd;

	if (!p)
		return -ENAMETOOLONG;
	fd = openat(dev->dfd, p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int read_group(const struct vb_device *dev)
{
	_cleanup_free_ char *group = NULL;
	char *end;
	long g;

	if (vb_device_read_link_name(dev, "iommu_group", &group) < 0)
		return -1;
	g = strtol(group, &end, 10);
	return !*end && end != group && g >= 0 && g < INT_MAX ? (int)g : -1;
}

/*
 * present: the device's own directory was opened just now, which proves it is
 * there; or a listing asked (vb_device_open_in), where one gone meanwhile reads
 * as having no driver and no driver_override and is not shown.
 */
static int device_read(struct vb_device *dev, bool present)
{
	char *driver = NULL, *override = NULL;
	int r;

	r = vb_device_read_link_name(dev, "driver", &driver);
	if (r < 0 && r != -ENOENT)
		return r;
	/*
	 * No driver link: unbound, or removed (the bus's link outlives a removed
	 * device for a moment). A driver link proves the device is there.
	 */
	if (r == -ENOENT && !present && access(dev->path, F_OK) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
	r = vb_device_read_attr(dev, "driver_override", &override);
	if (r < 0 && r != -ENOENT) {
		free(driver);
		return r;
	}
	dev->has_override_attr = r == 0;
	if (override && strcmp(override, "(null)") == 0) {
		free(override);
		override = NULL;
	}
	free(dev->driver);
	free(dev->override);
	dev->driver = driver;
	dev->override = override;
	dev->iommu_group = read_group(dev);
	return 0;
}

int vb_device_refresh(struct vb_device *dev)
{
	return device_read(dev, false);
}

/* bus_dfd < 0: the device's own directory is opened. */
static int device_open(const struct vb_roots *roots, const struct vb_bus *bus, int bus_dfd,
		       const char *name, struct vb_device **ret, struct vb_error *err)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	int r;

	if (!vb_name_is_valid(name))
		return vb_error_set(err, -EINVAL, "'%s' is not a valid device name", name);
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->bus = bus;
	dev->iommu_group = -1;
	dev->dfd = -1;
	strcpy(dev->name, name);
	dev->path = vb_concat(roots->sysfs, "/bus/", bus->name, "/devices/", name, NULL);
	if (!dev->path)
		return -ENOMEM;

	if (bus_dfd >= 0) {
		dev->dfd = bus_dfd;
		dev->in_bus_dir = true;
	} else {
		dev->dfd = open(dev->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	r = dev->dfd < 0 ? -errno : device_read(dev, true);
	if (r == -ENODEV || r == -ENOENT) {
		vb_error_set(err, -ENODEV, "no such device on the %s bus", bus->name);
		vb_error_hint(err, "'vfio-bind --list' shows the devices there are");
		return -ENODEV;
	}
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot read the device");

	r = vb_device_read_attr(dev, "modalias", &dev->modalias);
	if (r < 0 && r != -ENOENT)
		return vb_error_set_sys(err, r, "cannot read its modalias");
	if (dev->modalias && strcmp(bus->name, "pci") == 0)
		dev->has_ids = vb_modalias_parse_pci(dev->modalias, &dev->ids) == 0;

	*ret = TAKE_PTR(dev);
	return 0;
}

int vb_device_open(const struct vb_roots *roots, const struct vb_bus *bus, const char *name,
		   struct vb_device **ret, struct vb_error *err)
{
	return device_open(roots, bus, -1, name, ret, err);
}

int vb_device_open_in(const struct vb_roots *roots, const struct vb_bus *bus, int bus_dfd,
		      const char *name, struct vb_device **ret, struct vb_error *err)
{
	return bus_dfd < 0 ? -EBADF : device_open(roots, bus, bus_dfd, name, ret, err);
}

void vb_device_free(struct vb_device *dev)
{
	if (!dev)
		return;
	if (dev->dfd >= 0 && !dev->in_bus_dir)
		close(dev->dfd);
	free(dev->path);
	free(dev->modalias);
	free(dev->driver);
	free(dev->override);
	free(dev);
}

enum vb_iommu_state vb_iommu_state(const struct vb_roots *roots)
{
	_cleanup_free_ char *groups = vb_path("%s/kernel/iommu_groups", roots->sysfs);
	_cleanup_free_ char *param =
		vb_path("%s/module/vfio/parameters/enable_unsafe_noiommu_mode", roots->sysfs);
	_cleanup_free_ char *mode = NULL;
	_cleanup_closedir_ DIR *d = groups ? opendir(groups) : NULL;
	struct dirent *de;

	/* Groups VFIO made up for no-IOMMU devices say nothing of a real IOMMU. */
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *np = NULL, *name = NULL;

		if (de->d_name[0] == '.')
			continue;
		np = vb_path("%s/%s/name", groups, de->d_name);
		if (vb_read_attr(np, &name) < 0 || strcmp(name, "vfio-noiommu") != 0)
			return VB_IOMMU_ON;
	}
	if (vb_read_attr(param, &mode) == 0 && (mode[0] == 'Y' || mode[0] == '1'))
		return VB_IOMMU_NOIOMMU;
	return VB_IOMMU_OFF;
}

char *vb_device_group_node(const struct vb_roots *roots, const struct vb_device *dev)
{
	_cleanup_free_ char *p = NULL, *name = NULL;

	if (dev->iommu_group < 0)
		return NULL;
	/* VFIO names the groups it makes for no-IOMMU mode so. */
	p = vb_path("%s/kernel/iommu_groups/%d/name", roots->sysfs, dev->iommu_group);
	if (vb_read_attr(p, &name) == 0 && strcmp(name, "vfio-noiommu") == 0)
		return vb_path("%s/vfio/noiommu-%d", roots->devfs, dev->iommu_group);
	return vb_path("%s/vfio/%d", roots->devfs, dev->iommu_group);
}

char *vb_device_cdev_name(const struct vb_device *dev)
{
	_cleanup_free_ char *dir = vb_path("%s/vfio-dev", dev->path);
	char **names = NULL;
	unsigned n = 0;
	char *name = NULL;

	if (dir && vb_dir_list(dir, 0, &names, &n) == 0 && n > 0) {
		_cleanup_free_ char *devt = vb_path("%s/%s/dev", dir, names[0]);

		/* 6.1 to 6.5 have DEV/vfio-dev/vfioN too, but no character device behind it. */
		if (devt && vb_exists(devt) > 0)
			name = strdup(names[0]);
	}
	vb_strv_free(names, n);
	return name;
}

char *vb_device_cdev_node(const struct vb_roots *roots, const struct vb_device *dev)
{
	_cleanup_free_ char *name = vb_device_cdev_name(dev);

	return name ? vb_path("%s/vfio/devices/%s", roots->devfs, name) : NULL;
}

int vb_bus_device_names(const struct vb_roots *roots, const struct vb_bus *bus, char ***ret,
			unsigned *ret_n)
{
	_cleanup_free_ char *dir = vb_path("%s/bus/%s/devices", roots->sysfs, bus->name);

	return vb_dir_list(dir, 0, ret, ret_n);
}

bool vb_device_has_id(const struct vb_device *dev, const char *id)
{
	char mine[10];

	if (!dev->has_ids)
		return false;
	vb_pci_ids_id(&dev->ids, mine);
	return strcmp(mine, id) == 0;
}

bool vb_driver_is_vfio(const char *driver)
{
	/* vfio-pci, vfio-platform and every variant (mlx5_vfio_pci ...) say so in their name. */
	return driver && strstr(driver, "vfio");
}
