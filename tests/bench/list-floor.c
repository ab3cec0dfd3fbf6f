// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor of a listing: the least a program must ask the kernel to print
 * the columns the --list contract names (driver, override, IOMMU
 * group, and the modalias the VFIO choice needs) for every PCI device. One
 * directory read, then per device two readlinks and two small reads, each
 * relative to the bus's device directory; no sorting, no lookups. bench-list
 * times it beside vfio-bind --list so the figure says how much of a listing
 * is the kernel's and how much is ours.
 *
 *   list-floor [SYSFS]     (default: $VFIO_BIND_SYSFS, else /sys)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text of DEV/ATTR, newline cut; "" when it cannot be read. */
static void read_attr(int dir, const char *dev, const char *attr, char *buf, size_t size)
{
	char path[512];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dev, attr);
	fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The last component of where DEV/LINK points; "-" when it does not exist. */
static const char *link_name(int dir, const char *dev, const char *link, char *buf, size_t size)
{
	char path[512];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dev, link);
	n = readlinkat(dir, path, buf, size - 1);
	if (n < 0)
		return "-";
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

int main(int argc, char **argv)
{
	const char *sysfs = argc > 1 ? argv[1] : getenv("VFIO_BIND_SYSFS");
	char path[4096], driver[4096], override[256], group[4096], modalias[256];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs ? sysfs : "/sys");
	d = opendir(path);
	if (!d) {
		perror(path);
		return 1;
	}
	while ((e = readdir(d))) {
		const char *drv, *grp;

		if (e->d_name[0] == '.')
			continue;
		drv = link_name(dirfd(d), e->d_name, "driver", driver, sizeof(driver));
		read_attr(dirfd(d), e->d_name, "driver_override", override, sizeof(override));
		grp = link_name(dirfd(d), e->d_name, "iommu_group", group, sizeof(group));
		read_attr(dirfd(d), e->d_name, "modalias", modalias, sizeof(modalias));
		printf("%s %s %s %s %s\n", e->d_name, drv, override, grp, modalias);
	}
	closedir(d);
	return 0;
}
