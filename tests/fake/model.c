// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver core as the real one behaves, acting on the fake sysfs.
 *
 * State lives in the tree itself (the driver link, the driver_override file,
 * the driver directories), so a test reads the end state with ls and cat.
 * Only what sysfs cannot show lives in ROOT/.fake/:
 *
 *   drivers/DRV/match             fnmatch patterns, one a line, against
 *                                 "vvvv:dddd" (lower-case hex) or modalias
 *   drivers/DRV/vfio              probe needs an IOMMU group (or noiommu),
 *                                 refuses bridges and PFs with VFs enabled
 *   drivers/DRV/probe_fail        errno (EINVAL or 22) for every device
 *   drivers/DRV/probe_fail@DEV    errno for one device
 *   drivers/DRV/probe_delay_ms    its probe() takes this long, any device
 *   drivers/DRV/remove_delay_ms   its remove() takes this long, any device
 *   devices/DEV/override_null     override holds the text "(null)"
 *   devices/DEV/probe_delay_ms    a probe() of DEV takes this long, any driver
 *   devices/DEV/unbind_delay_ms   a remove() of DEV takes this long, any
 *                                 driver (the device's delays win over the
 *                                 driver's when both are set)
 *   devices/DEV/vanish_on         attribute (driver_override, unbind, bind,
 *                                 drivers_probe, reset_method) after whose
 *                                 write DEV is hot-removed
 *   devices/DEV/reset_methods     the reset methods the PCI device supports,
 *                                 space-separated, in the kernel's order:
 *                                 what "default" makes reset_method list
 *                                 (none when missing)
 *   noiommu_groups/N              group N was made by noiommu mode
 *   vfio_cdev                     the kernel has VFIO's device cdev (6.6+ with
 *                                 CONFIG_VFIO_DEVICE_CDEV): a VFIO driver's
 *                                 probe makes DEV/vfio-dev/vfioN/dev and the
 *                                 node /dev/vfio/devices/vfioN (a plain file,
 *                                 under the root's ../dev), except in no-IOMMU
 *                                 mode, its remove takes them away again
 *
 * Locking, as the kernel's: a write about a device holds that device's lock
 * (fk_dev_lock) throughout, and the global lock (fk_lock) for the model's
 * changes but not across a slow probe() or remove(), so writes about
 * different devices overlap in time and writes about one device take turns.
 * Module loads and unloads hold the global lock throughout: a delay in the
 * probes or removes they cause holds up every other write meanwhile.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "model.h"
#include "root.h"

struct fk_dev {
	char bus[NAME_MAX + 1];
	char name[NAME_MAX + 1];
	char dir[PATH_MAX];
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The global lock held by this thread's attribute write (fk_attr_write), or
 * -1: a thread of vfio-bind's pool writes about one device while another
 * writes about the next.
 */
static __thread int write_lock = -1;

/*
 * A slow probe() or remove(): in an attribute write, the global lock is let
 * go meanwhile (the device's own lock stays held), so that other devices'
 * writes go on, as they do in the kernel.
 */
static void slow_call(long ms)
{
	if (ms <= 0)
		return;
	if (write_lock < 0) {
		sleep_ms(ms);
		return;
	}
	fk_unlock(write_lock);
	sleep_ms(ms);
	write_lock = fk_lock();
}

/* The device's own delay wins, as probe_fail@DEV wins over probe_fail. */
static long probe_delay(const char *drv, const char *dev)
{
	if (fk_ctl_exists("devices/%s/probe_delay_ms", dev))
		return fk_ctl_long("devices/%s/probe_delay_ms", dev);
	return fk_ctl_long("drivers/%s/probe_delay_ms", drv);
}

static long remove_delay(const char *drv, const char *dev)
{
	if (fk_ctl_exists("devices/%s/unbind_delay_ms", dev))
		return fk_ctl_long("devices/%s/unbind_delay_ms", dev);
	return fk_ctl_long("drivers/%s/remove_delay_ms", drv);
}

static bool name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0 && strlen(name) <= NAME_MAX;
}

/* The kernel's bus_find_device_by_name(): sysfs_streq on the device name. */
static int dev_find(const char *bus, const char *name, struct fk_dev *ret)
{
	char link[PATH_MAX];

	if (!name_ok(name) || !name_ok(bus))
		return -ENODEV;
	if (fk_path(link, "%s/bus/%s/devices/%s", fk_root(), bus, name) < 0)
		return -ENODEV;
	if (!realpath(link, ret->dir) || !fk_is_dir(ret->dir))
		return -ENODEV;
	strcpy(ret->bus, bus);
	strcpy(ret->name, name);
	return 0;
}

static int dev_attr(const struct fk_dev *d, const char *attr, char *buf,
		    size_t size)
{
	char path[PATH_MAX];

	if (fk_path(path, "%s/%s", d->dir, attr) < 0)
		return -ENAMETOOLONG;
	return fk_read_str(path, buf, size);
}

/* 0 and the driver's name when bound, -ENOENT when not. */
static int dev_driver(const struct fk_dev *d, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (fk_path(path, "%s/driver", d->dir) < 0)
		return -ENAMETOOLONG;
	return fk_link_base(path, buf, size);
}

/* 1 and the override when one is set; 0 when it reads "(null)" for NULL. */
static int dev_override(const struct fk_dev *d, char *buf, size_t size)
{
	if (dev_attr(d, "driver_override", buf, size) < 0)
		return 0;
	if (strcmp(buf, "(null)") == 0 &&
	    !fk_ctl_exists("devices/%s/override_null", d->name))
		return 0;
	return 1;
}

/* "vvvv:dddd" in lower case, from the vendor and device files (0x8086). */
static void dev_ids(const struct fk_dev *d, char *buf, size_t size)
{
	char v[32] = "", p[32] = "";

	dev_attr(d, "vendor", v, sizeof(v));
	dev_attr(d, "device", p, sizeof(p));
	snprintf(buf, size, "%04lx:%04lx", strtoul(v, NULL, 16),
		 strtoul(p, NULL, 16));
}

static bool drv_id_table_matches(const char *drv, const struct fk_dev *d)
{
	char path[PATH_MAX], ids[32], modalias[512] = "", line[512];
	bool found = false;
	FILE *f;

	if (fk_ctl_path(path, "drivers/%s/match", drv) < 0)
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	dev_ids(d, ids, sizeof(ids));
	dev_attr(d, "modalias", modalias, sizeof(modalias));
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		found = fnmatch(line, ids, FNM_CASEFOLD) == 0 ||
			fnmatch(line, modalias, 0) == 0;
	}
	fclose(f);
	return found;
}

/* pci_match_device(): an override lets only the driver it names match. */
static bool drv_matches(const char *drv, const struct fk_dev *d)
{
	char ovr[PATH_MAX];

	if (dev_override(d, ovr, sizeof(ovr)))
		return strcmp(ovr, drv) == 0;
	return drv_id_table_matches(drv, d);
}

static int drv_dir(const char *bus, const char *drv, char *buf)
{
	return fk_path(buf, "%s/bus/%s/drivers/%s", fk_root(), bus, drv);
}

static bool noiommu_enabled(void)
{
	char path[PATH_MAX], v[16] = "";

	if (fk_path(path, "%s/module/vfio/parameters/enable_unsafe_noiommu_mode",
		    fk_root()) < 0)
		return false;
	fk_read_str(path, v, sizeof(v));
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

/* What vfio does in noiommu mode: a fresh group just for this device. */
static int noiommu_group_add(const struct fk_dev *d)
{
	char gdir[PATH_MAX], path[PATH_MAX], ctl[PATH_MAX];
	int n, r;

	for (n = 0;; n++) {
		if (fk_path(gdir, "%s/kernel/iommu_groups/%d", fk_root(), n) < 0)
			return -ENAMETOOLONG;
		if (!fk_exists(gdir))
			break;
	}
	if (fk_path(path, "%s/devices", gdir) < 0)
		return -ENAMETOOLONG;
	r = fk_mkdir_p(path);
	if (r < 0)
		return r;
	if (fk_path(path, "%s/devices/%s", gdir, d->name) < 0)
		return -ENAMETOOLONG;
	fk_symlink_rel(d->dir, path);
	if (fk_path(path, "%s/iommu_group", d->dir) < 0)
		return -ENAMETOOLONG;
	fk_symlink_rel(gdir, path);
	/* vfio names the groups it makes up, and so the node: /dev/vfio/noiommu-N. */
	if (fk_path(path, "%s/name", gdir) == 0)
		fk_write_str(path, "vfio-noiommu\n");
	if (fk_ctl_path(ctl, "noiommu_groups") == 0)
		fk_mkdir_p(ctl);
	if (fk_ctl_path(ctl, "noiommu_groups/%d", n) == 0)
		fk_touch(ctl, 0644);
	fk_log("noiommu group %d for %s", n, d->name);
	return 0;
}

/* Drops the device's noiommu group, as vfio does when it lets go. */
static void noiommu_group_del(const struct fk_dev *d)
{
	char path[PATH_MAX], group[NAME_MAX + 1], gdir[PATH_MAX];

	if (fk_path(path, "%s/iommu_group", d->dir) < 0 ||
	    fk_link_base(path, group, sizeof(group)) < 0)
		return;
	if (!fk_ctl_exists("noiommu_groups/%s", group))
		return;
	unlink(path);
	if (fk_path(gdir, "%s/kernel/iommu_groups/%s", fk_root(), group) == 0)
		fk_rm_rf(gdir);
	if (fk_ctl_path(path, "noiommu_groups/%s", group) == 0)
		unlink(path);
}

/* VFIO's device cdev: the lowest free index, as the kernel's ida gives it. */
static void vfio_cdev_add(const struct fk_dev *d)
{
	char dir[PATH_MAX], path[PATH_MAX], node[PATH_MAX], text[64];
	int n;

	if (!fk_ctl_exists("vfio_cdev"))
		return;
	for (n = 0;; n++) {
		if (fk_path(node, "%s/../dev/vfio/devices/vfio%d", fk_root(), n) < 0)
			return;
		if (!fk_exists(node))
			break;
	}
	if (fk_path(dir, "%s/vfio-dev/vfio%d", d->dir, n) < 0 || fk_mkdir_p(dir) < 0 ||
	    fk_path(path, "%s/dev", dir) < 0)
		return;
	snprintf(text, sizeof(text), "244:%d", n);
	fk_write_str(path, text);
	if (fk_path(path, "%s/uevent", dir) == 0)
		fk_touch(path, 0644);
	/* The class entry and the way back to the device, as the driver core links them. */
	if (fk_path(path, "%s/device", dir) == 0)
		fk_symlink_rel(d->dir, path);
	if (fk_path(path, "%s/class/vfio-dev", fk_root()) == 0)
		fk_mkdir_p(path);
	if (fk_path(path, "%s/class/vfio-dev/vfio%d", fk_root(), n) == 0)
		fk_symlink_rel(dir, path);
	if (fk_path(path, "%s/../dev/vfio/devices", fk_root()) == 0)
		fk_mkdir_p(path);
	fk_touch(node, 0600);
	fk_log("vfio cdev vfio%d for %s", n, d->name);
}

static void vfio_cdev_del(const struct fk_dev *d)
{
	char dir[PATH_MAX], node[PATH_MAX];
	DIR *dd;
	struct dirent *de;

	if (fk_path(dir, "%s/vfio-dev", d->dir) < 0 || !(dd = opendir(dir)))
		return;
	while ((de = readdir(dd))) {
		if (strncmp(de->d_name, "vfio", 4) != 0)
			continue;
		if (fk_path(node, "%s/../dev/vfio/devices/%s", fk_root(), de->d_name) == 0)
			unlink(node);
		if (fk_path(node, "%s/class/vfio-dev/%s", fk_root(), de->d_name) == 0)
			unlink(node);
	}
	closedir(dd);
	fk_rm_rf(dir);
}

/* The driver's probe(), with injected failures. */
static int drv_probe_call(const char *drv, const struct fk_dev *d)
{
	char path[PATH_MAX];
	bool vfio = fk_ctl_exists("drivers/%s/vfio", drv);
	int err, r;

	err = fk_ctl_errno("drivers/%s/probe_fail@%s", drv, d->name);
	if (!err)
		err = fk_ctl_errno("drivers/%s/probe_fail", drv);
	if (err) {
		fk_log("probe %s %s: injected -%s", drv, d->name,
		       fk_errno_name(err));
		return -err;
	}
	if (vfio) {
		char class[32] = "", numvfs[32] = "";

		/* vfio_pci_probe(): only normal headers, so no bridges. */
		dev_attr(d, "class", class, sizeof(class));
		if (strncmp(class, "0x0604", 6) == 0) {
			fk_log("probe %s %s: bridge: -EINVAL", drv, d->name);
			return -EINVAL;
		}
		/* A PF with VFs enabled is refused. */
		dev_attr(d, "sriov_numvfs", numvfs, sizeof(numvfs));
		if (atoi(numvfs) > 0) {
			fk_log("probe %s %s: VFs enabled: -EBUSY", drv, d->name);
			return -EBUSY;
		}
		if (fk_path(path, "%s/iommu_group", d->dir) < 0)
			return -ENAMETOOLONG;
		/* vfio_pci_core_register_device() without a group. */
		if (!fk_exists(path)) {
			if (!noiommu_enabled()) {
				fk_log("probe %s %s: no iommu group: -EINVAL",
				       drv, d->name);
				return -EINVAL;
			}
			r = noiommu_group_add(d);
			if (r < 0)
				return r;
			/* vfio_device_add(): no cdev for a no-IOMMU device (6.12). */
			return 0;
		}
		vfio_cdev_add(d);
	}
	return 0;
}

/*
 * really_probe(): the links first (driver_sysfs_add()), then the probe,
 * then the links taken away again if it failed. So during a slow probe the
 * device shows the driver it is being probed by, and a driver registered
 * meanwhile passes it by as bound.
 */
static int drv_probe(const char *drv, const struct fk_dev *d)
{
	char ddir[PATH_MAX], link[PATH_MAX], back[PATH_MAX], cur[NAME_MAX + 1];
	long ms = probe_delay(drv, d->name);
	int r;

	r = drv_dir(d->bus, drv, ddir);
	if (r < 0)
		return r;
	if (!fk_is_dir(ddir))
		return -ENODEV;
	if (fk_path(link, "%s/driver", d->dir) < 0 ||
	    fk_path(back, "%s/%s", ddir, d->name) < 0)
		return -ENAMETOOLONG;
	r = fk_symlink_rel(ddir, link);
	if (r < 0)
		return r;
	fk_symlink_rel(d->dir, back);
	if (ms > 0) {
		fk_log("slow probe %s %s: %ld ms", drv, d->name, ms);
		slow_call(ms);
		/* Its module was unloaded meanwhile, which took the device off. */
		if (dev_driver(d, cur, sizeof(cur)) < 0 || strcmp(cur, drv) != 0) {
			fk_log("probe %s %s: driver gone: -ENODEV", drv, d->name);
			return -ENODEV;
		}
	}
	r = drv_probe_call(drv, d);
	if (r < 0) {
		unlink(link);
		unlink(back);
		return r;
	}
	fk_log("probe %s %s: bound%s", drv, d->name, ms > 0 ? " (slow)" : "");
	return 0;
}

/*
 * __device_release_driver(): the links go first (driver_sysfs_remove()),
 * then the driver's remove() runs; a slow one (NVMe, GPUs) blocks the
 * unbind write meanwhile.
 */
static void dev_detach(const struct fk_dev *d, const char *drv)
{
	char path[PATH_MAX], ddir[PATH_MAX];
	long ms = remove_delay(drv, d->name);

	if (fk_path(path, "%s/driver", d->dir) == 0)
		unlink(path);
	if (drv_dir(d->bus, drv, ddir) == 0 &&
	    fk_path(path, "%s/%s", ddir, d->name) == 0)
		unlink(path);
	if (ms > 0) {
		fk_log("slow remove %s %s: %ld ms", drv, d->name, ms);
		slow_call(ms);
	}
	if (fk_ctl_exists("drivers/%s/vfio", drv)) {
		vfio_cdev_del(d);
		noiommu_group_del(d);
	}
	fk_log("unbind %s %s%s", drv, d->name, ms > 0 ? " (slow)" : "");
}

/* Hot removal: the device, its links and an emptied group disappear. */
static void dev_remove(const struct fk_dev *d)
{
	char drv[NAME_MAX + 1], path[PATH_MAX], group[NAME_MAX + 1];
	char gdir[PATH_MAX];
	DIR *dir;

	if (dev_driver(d, drv, sizeof(drv)) == 0)
		dev_detach(d, drv);
	if (fk_path(path, "%s/iommu_group", d->dir) == 0 &&
	    fk_link_base(path, group, sizeof(group)) == 0 &&
	    fk_path(gdir, "%s/kernel/iommu_groups/%s", fk_root(), group) == 0 &&
	    fk_path(path, "%s/devices/%s", gdir, d->name) == 0) {
		unlink(path);
		if (fk_path(path, "%s/devices", gdir) == 0 &&
		    (dir = opendir(path))) {
			struct dirent *de;
			bool empty = true;

			while ((de = readdir(dir)))
				if (de->d_name[0] != '.')
					empty = false;
			closedir(dir);
			if (empty)
				fk_rm_rf(gdir);
		}
	}
	if (fk_path(path, "%s/bus/%s/devices/%s", fk_root(), d->bus,
		    d->name) == 0)
		unlink(path);
	fk_rm_rf(d->dir);
	fk_log("removed %s", d->name);
}

static void maybe_vanish(const struct fk_dev *d, const char *attr)
{
	char path[PATH_MAX], when[64];

	if (fk_ctl_path(path, "devices/%s/vanish_on", d->name) < 0 ||
	    fk_read_str(path, when, sizeof(when)) < 0)
		return;
	if (strcmp(when, attr) == 0)
		dev_remove(d);
}

/* driver_set_override(): cut at the first newline; "\n" or "" clears. */
static ssize_t override_store(const char *bus, const char *name,
			      const char *buf, size_t count)
{
	char val[PATH_MAX], ctl[PATH_MAX], path[PATH_MAX];
	struct fk_dev d;
	size_t len;
	int r;

	r = dev_find(bus, name, &d);
	if (r < 0)
		return r;
	/* A zero-length write never reaches the store: nothing changes. */
	if (count == 0)
		return 0;
	if (count >= 4096 - 1)
		return -EINVAL;
	memcpy(val, buf, count);
	val[count] = '\0';
	len = strcspn(val, "\n");
	val[len] = '\0';

	fk_ctl_path(ctl, "devices/%s/override_null", d.name);
	if (len == 0) {
		unlink(ctl);
		strcpy(val, "(null)");
	} else if (strcmp(val, "(null)") == 0) {
		/* Stored literally: it now blocks every driver. */
		fk_ctl_path(path, "devices/%s", d.name);
		fk_mkdir_p(path);
		fk_touch(ctl, 0644);
	} else {
		unlink(ctl);
	}
	if (fk_path(path, "%s/driver_override", d.dir) < 0)
		return -ENAMETOOLONG;
	strcat(val, "\n");
	r = fk_write_str(path, val);
	if (r < 0)
		return r;
	val[strlen(val) - 1] = '\0';
	fk_log("override %s '%s'%s", d.name, val,
	       fk_exists(ctl) ? " (literal)" : "");
	maybe_vanish(&d, "driver_override");
	return count;
}

/*
 * The reset methods Linux knows (pci_reset_fn_methods[], without its empty
 * first entry), and how many the kernel keeps (PCI_NUM_RESET_METHODS - 1).
 */
static const char *const reset_method_names[] = {
	"device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus",
};
#define RESET_METHODS_MAX 7

/* The kernel's sysfs_streq(): equal, or equal but for one trailing "\n". */
static bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && s2[0] == '\n' && !s2[1])
		return true;
	return s1[0] == '\n' && !s1[1] && !*s2;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The kernel's strim(): leading and trailing white space cut off. */
static char *strim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool reset_method_known(const char *name)
{
	for (size_t i = 0; i < sizeof(reset_method_names) /
			       sizeof(reset_method_names[0]); i++)
		if (sysfs_streq(name, reset_method_names[i]))
			return true;
	return false;
}

/* The probe of a method: is it in the device's devices/DEV/reset_methods? */
static bool reset_method_supported(const char *supported, const char *name)
{
	const char *p = supported;

	while (*p) {
		size_t len;

		while (is_space(*p))
			p++;
		len = strcspn(p, " \t\n");
		if (len && strlen(name) == len && strncmp(p, name, len) == 0)
			return true;
		p += len;
	}
	return false;
}

/*
 * reset_method_store(): "" (or "\n") disables every method, "default" brings
 * back what the device supports (pci_init_reset_methods()), anything else is
 * a space-separated list kept in the order given, each name one Linux knows
 * and the device supports, at most RESET_METHODS_MAX of them (a name may
 * come twice). A bad list fails with EINVAL and changes nothing. Reading the
 * attribute is reading the file: the names, space-separated, with a newline,
 * or nothing at all (not even the newline) when none is enabled.
 */
static ssize_t reset_method_store(const char *bus, const char *name,
				  const char *buf, size_t count)
{
	char val[4096 + 1], supported[4096] = "", path[PATH_MAX], ctl[PATH_MAX];
	char out[4096] = "", *opts, *tok;
	struct fk_dev d;
	int r, n = 0;

	r = dev_find(bus, name, &d);
	if (r < 0)
		return r;
	/* A zero-length write never reaches the store: nothing changes. */
	if (count == 0) {
		fk_log("reset_method %s: nothing written", d.name);
		return 0;
	}
	/* kernfs hands the store at most a page (4096), as a C string. */
	if (count > sizeof(val) - 1)
		count = sizeof(val) - 1;
	memcpy(val, buf, count);
	val[count] = '\0';
	if (fk_path(path, "%s/reset_method", d.dir) < 0)
		return -ENAMETOOLONG;
	/* The attribute is there only for a kernel that has it. */
	if (!fk_exists(path))
		return -ENOENT;
	if (fk_ctl_path(ctl, "devices/%s/reset_methods", d.name) == 0)
		fk_read_str(ctl, supported, sizeof(supported));

	if (sysfs_streq(val, "")) {
		fk_log("reset_method %s '': all disabled", d.name);
	} else if (sysfs_streq(val, "default")) {
		/* The supported list, normalised to single spaces. */
		opts = supported;
		while ((tok = strsep(&opts, " \t\n")))
			if (*tok)
				snprintf(out + strlen(out), sizeof(out) - strlen(out),
					 "%s%s", out[0] ? " " : "", tok);
		fk_log("reset_method %s default: '%s'", d.name, out);
	} else {
		char copy[sizeof(val)];

		snprintf(copy, sizeof(copy), "%s", val);
		opts = copy;
		while ((tok = strsep(&opts, " "))) {
			if (sysfs_streq(tok, ""))
				continue;
			tok = strim(tok);
			if (!reset_method_known(tok)) {
				fk_log("reset_method %s: invalid method '%s': "
				       "-EINVAL", d.name, tok);
				return -EINVAL;
			}
			if (!reset_method_supported(supported, tok)) {
				fk_log("reset_method %s: unsupported method "
				       "'%s': -EINVAL", d.name, tok);
				return -EINVAL;
			}
			if (n == RESET_METHODS_MAX) {
				fk_log("reset_method %s: too many methods: "
				       "-EINVAL", d.name);
				return -EINVAL;
			}
			n++;
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
				 "%s%s", out[0] ? " " : "", tok);
		}
		fk_log("reset_method %s '%s'", d.name, out);
	}
	if (out[0])
		strcat(out, "\n");
	r = fk_write_str(path, out);
	if (r < 0)
		return r;
	maybe_vanish(&d, "reset_method");
	return (ssize_t)count;
}

/* Device name as bus_find_device_by_name() compares it. */
static void buf_name(const char *buf, size_t count, char *name, size_t size)
{
	size_t n = count < size - 1 ? count : size - 1;

	memcpy(name, buf, n);
	name[n] = '\0';
	n = strlen(name);
	if (n && name[n - 1] == '\n')
		name[n - 1] = '\0';
}

static ssize_t unbind_store(const char *bus, const char *drv, const char *buf,
			    size_t count)
{
	char name[PATH_MAX], cur[NAME_MAX + 1];
	struct fk_dev d;

	buf_name(buf, count, name, sizeof(name));
	if (dev_find(bus, name, &d) < 0 ||
	    dev_driver(&d, cur, sizeof(cur)) < 0 || strcmp(cur, drv) != 0) {
		fk_log("unbind %s '%s': -ENODEV", drv, name);
		return -ENODEV;
	}
	dev_detach(&d, drv);
	maybe_vanish(&d, "unbind");
	return count;
}

static ssize_t bind_store(const char *bus, const char *drv, const char *buf,
			  size_t count)
{
	char name[PATH_MAX], cur[NAME_MAX + 1];
	struct fk_dev d;
	int r;

	buf_name(buf, count, name, sizeof(name));
	if (dev_find(bus, name, &d) < 0 || !drv_matches(drv, &d)) {
		fk_log("bind %s '%s': -ENODEV", drv, name);
		return -ENODEV;
	}
	if (dev_driver(&d, cur, sizeof(cur)) == 0) {
		fk_log("bind %s %s: -EBUSY (on %s)", drv, name, cur);
		return -EBUSY;
	}
	r = drv_probe(drv, &d);
	maybe_vanish(&d, "bind");
	return r < 0 ? r : (ssize_t)count;
}

static int drivers_sorted(const char *bus, struct dirent ***ret)
{
	char path[PATH_MAX];

	if (fk_path(path, "%s/bus/%s/drivers", fk_root(), bus) < 0)
		return -1;
	return scandir(path, ret, NULL, alphasort);
}

/* device_attach(): first matching driver whose probe succeeds; errors lost. */
static void dev_attach(const struct fk_dev *d)
{
	struct dirent **drvs;
	bool bound = false;
	int n;

	n = drivers_sorted(d->bus, &drvs);
	for (int i = 0; i < n; i++) {
		const char *drv = drvs[i]->d_name;

		if (!bound && drv[0] != '.' && drv_matches(drv, d))
			bound = drv_probe(drv, d) == 0;
		free(drvs[i]);
	}
	if (n >= 0)
		free(drvs);
	if (!bound)
		fk_log("attach %s: no driver", d->name);
}

static ssize_t probe_store(const char *bus, const char *buf, size_t count)
{
	char name[PATH_MAX], cur[NAME_MAX + 1];
	struct fk_dev d;

	buf_name(buf, count, name, sizeof(name));
	if (dev_find(bus, name, &d) < 0) {
		fk_log("drivers_probe '%s': -ENODEV", name);
		return -ENODEV;
	}
	if (dev_driver(&d, cur, sizeof(cur)) < 0)
		dev_attach(&d);
	maybe_vanish(&d, "drivers_probe");
	/* The kernel reports success whatever the probe did. */
	return count;
}

/* Splits "a/b/c" into at most max components; returns how many. */
static int split(const char *rel, char comp[][NAME_MAX + 1], int max)
{
	int n = 0;

	while (*rel) {
		size_t len = strcspn(rel, "/");

		if (n == max || len == 0 || len > NAME_MAX)
			return -1;
		memcpy(comp[n], rel, len);
		comp[n++][len] = '\0';
		rel += len;
		if (*rel == '/')
			rel++;
	}
	return n;
}

bool fk_attr_classify(const char *path, struct fk_attr *ret)
{
	const char *rel = fk_root_rel(path), *base;
	char comp[5][NAME_MAX + 1];
	char devdir[PATH_MAX], link[PATH_MAX], canon[PATH_MAX];
	enum fk_attr_kind kind;
	size_t n;
	int k;

	memset(ret, 0, sizeof(*ret));
	if (!rel || strncmp(rel, ".fake/", 6) == 0)
		return false;
	k = split(rel, comp, 5);
	if (k >= 3 && strcmp(comp[0], "bus") == 0) {
		strcpy(ret->bus, comp[1]);
		if (k == 3 && strcmp(comp[2], "drivers_probe") == 0)
			ret->kind = FK_ATTR_PROBE;
		else if (k == 5 && strcmp(comp[2], "drivers") == 0 &&
			 strcmp(comp[4], "bind") == 0)
			ret->kind = FK_ATTR_BIND;
		else if (k == 5 && strcmp(comp[2], "drivers") == 0 &&
			 strcmp(comp[4], "unbind") == 0)
			ret->kind = FK_ATTR_UNBIND;
		else
			return false;
		if (k == 5)
			strcpy(ret->drv, comp[3]);
		return true;
	}
	base = strrchr(rel, '/');
	if (strncmp(rel, "devices/", 8) != 0 || !base)
		return false;
	if (strcmp(base, "/driver_override") == 0)
		kind = FK_ATTR_OVERRIDE;
	else if (strcmp(base, "/reset_method") == 0)
		kind = FK_ATTR_RESET_METHOD;
	else
		return false;
	/* DEV is the parent directory; its subsystem link names the bus. */
	base = strrchr(path, '/');
	n = (size_t)(base - path);
	if (n >= sizeof(devdir))
		return false;
	memcpy(devdir, path, n);
	devdir[n] = '\0';
	if (fk_path(link, "%s/subsystem", devdir) < 0 ||
	    fk_link_base(link, ret->bus, sizeof(ret->bus)) < 0)
		return false;
	/* reset_method is the PCI core's, no other bus has it. */
	if (kind == FK_ATTR_RESET_METHOD && strcmp(ret->bus, "pci") != 0)
		return false;
	base = strrchr(devdir, '/') + 1;
	if (strlen(base) > NAME_MAX)
		return false;
	strcpy(ret->dev, base);
	/* Only a device the bus lists, as the kernel has no others. */
	if (fk_path(link, "%s/bus/%s/devices/%s", fk_root(), ret->bus,
		    ret->dev) < 0 || !realpath(link, canon) ||
	    strcmp(canon, devdir) != 0)
		return false;
	ret->kind = kind;
	return true;
}

static ssize_t attr_store(const struct fk_attr *a, const char *buf,
			  size_t count)
{
	switch (a->kind) {
	case FK_ATTR_OVERRIDE:
		return override_store(a->bus, a->dev, buf, count);
	case FK_ATTR_BIND:
		return bind_store(a->bus, a->drv, buf, count);
	case FK_ATTR_UNBIND:
		return unbind_store(a->bus, a->drv, buf, count);
	case FK_ATTR_PROBE:
		return probe_store(a->bus, buf, count);
	case FK_ATTR_RESET_METHOD:
		return reset_method_store(a->bus, a->dev, buf, count);
	default:
		return -EINVAL;
	}
}

ssize_t fk_attr_write(const struct fk_attr *a, const char *buf, size_t count)
{
	char name[PATH_MAX], link[PATH_MAX];
	int dev_lock = -1;
	ssize_t r;

	/* The device the write is about: the value, or the attribute's owner. */
	if (a->kind == FK_ATTR_OVERRIDE || a->kind == FK_ATTR_RESET_METHOD)
		snprintf(name, sizeof(name), "%s", a->dev);
	else
		buf_name(buf, count, name, sizeof(name));
	/* No lock file for a name that is no device (hostile input). */
	if (name_ok(name) && name_ok(a->bus) &&
	    fk_path(link, "%s/bus/%s/devices/%s", fk_root(), a->bus, name) == 0 &&
	    fk_exists(link))
		dev_lock = fk_dev_lock(name);
	write_lock = fk_lock();
	r = attr_store(a, buf, count);
	fk_unlock(write_lock);
	write_lock = -1;
	fk_unlock(dev_lock);
	return r;
}

/* driver_attach(): a new driver takes every unbound device it matches. */
static void drv_attach_all(const char *bus, const char *drv)
{
	char path[PATH_MAX], cur[NAME_MAX + 1];
	struct dirent **devs;
	int n;

	if (fk_path(path, "%s/bus/%s/devices", fk_root(), bus) < 0)
		return;
	n = scandir(path, &devs, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct fk_dev d;

		if (devs[i]->d_name[0] != '.' &&
		    dev_find(bus, devs[i]->d_name, &d) == 0 &&
		    dev_driver(&d, cur, sizeof(cur)) < 0 &&
		    drv_matches(drv, &d))
			drv_probe(drv, &d);
		free(devs[i]);
	}
	if (n >= 0)
		free(devs);
}

int fk_driver_register(const char *bus, const char *drv, const char *module)
{
	static const char *const files[] = { "bind", "unbind", "new_id",
					      "remove_id", "uevent" };
	char ddir[PATH_MAX], path[PATH_MAX], mdir[PATH_MAX];
	int r;

	if (!name_ok(bus) || !name_ok(drv))
		return -EINVAL;
	r = drv_dir(bus, drv, ddir);
	if (r < 0)
		return r;
	if (fk_is_dir(ddir))
		return -EBUSY;
	r = fk_mkdir_p(ddir);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (fk_path(path, "%s/%s", ddir, files[i]) == 0)
			fk_touch(path, 0200);
	if (module) {
		if (fk_path(mdir, "%s/module/%s", fk_root(), module) < 0 ||
		    fk_path(path, "%s/module", ddir) < 0)
			return -ENAMETOOLONG;
		fk_symlink_rel(mdir, path);
		if (fk_path(path, "%s/drivers", mdir) < 0)
			return -ENAMETOOLONG;
		fk_mkdir_p(path);
		if (fk_path(path, "%s/drivers/%s:%s", mdir, bus, drv) < 0)
			return -ENAMETOOLONG;
		fk_symlink_rel(ddir, path);
	}
	fk_log("register %s:%s (%s)", bus, drv, module ? module : "built-in");
	drv_attach_all(bus, drv);
	return 0;
}

int fk_driver_unregister(const char *bus, const char *drv)
{
	char ddir[PATH_MAX], path[PATH_MAX], cur[NAME_MAX + 1];
	struct dirent **devs;
	int n;

	if (drv_dir(bus, drv, ddir) < 0 || !fk_is_dir(ddir))
		return -ENODEV;
	if (fk_path(path, "%s/bus/%s/devices", fk_root(), bus) < 0)
		return -ENAMETOOLONG;
	n = scandir(path, &devs, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct fk_dev d;

		if (devs[i]->d_name[0] != '.' &&
		    dev_find(bus, devs[i]->d_name, &d) == 0 &&
		    dev_driver(&d, cur, sizeof(cur)) == 0 &&
		    strcmp(cur, drv) == 0)
			dev_detach(&d, drv);
		free(devs[i]);
	}
	if (n >= 0)
		free(devs);
	fk_log("unregister %s:%s", bus, drv);
	return fk_rm_rf(ddir);
}
