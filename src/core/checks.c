// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "class-links.h"
#include "dir.h"
#include "checks.h"
#include "framebuffer.h"
#include "group.h"
#include "sysfs.h"

/* True when path lies under dir (both resolved). */
static bool under_real(const char *path, const char *dir_real)
{
	char real[PATH_MAX];
	size_t n = strlen(dir_real);

	return realpath(path, real) && strncmp(real, dir_real, n) == 0 && real[n] == '/';
}

/*
 * The entries of SYSFS/class/CLASS whose device lies under the device, from
 * the run's listing of the class; realpath() only for links of an unexpected shape.
 */
static int class_members_under(struct vb_context *ctx, const char *class, const struct vb_device *dev,
			       char ***ret, unsigned *ret_n)
{
	const struct vb_class_links *l = vb_class_links(&ctx->classes, &ctx->roots, class);
	char dev_rel[PATH_MAX] = "", dev_real[PATH_MAX] = "", **names;
	bool have_rel;
	unsigned kept = 0;
	size_t len;

	*ret = NULL;
	*ret_n = 0;
	have_rel = vb_sysfs_link_target(dev->path, dev_rel, sizeof(dev_rel)) == 0;
	if (!have_rel && !realpath(dev->path, dev_real))
		return -errno;
	if (!l)
		return 0;
	names = calloc(l->n ? l->n : 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	len = strlen(dev_rel);
	for (unsigned i = 0; i < l->n; i++) {
		bool in;

		if (have_rel && l->targets[i]) {
			in = strncmp(l->targets[i], dev_rel, len) == 0 && l->targets[i][len] == '/';
		} else {
			_cleanup_free_ char *p = vb_path("%s/class/%s/%s", ctx->roots.sysfs, class, l->names[i]);

			in = p && (dev_real[0] || realpath(dev->path, dev_real)) && under_real(p, dev_real);
		}
		if (in && !(names[kept] = strdup(l->names[i]))) {
			vb_strv_free(names, kept);
			return -ENOMEM;
		}
		kept += in;
	}
	if (kept == 0) {
		free(names);
		return 0;
	}
	*ret = names;
	*ret_n = kept;
	return 0;
}

/*
 * Unknown is not unused: a table that cannot be read (a chroot or container
 * without /proc) refuses the device, unless forced.
 */
static int cannot_tell(struct vb_error *err, const char *path, int code)
{
	vb_error_set(err, -EBUSY, "cannot tell whether it is in use: cannot read %s (%s)", path,
		     strerror(-code));
	vb_error_hint(err, "add --force if you are sure it is not in use");
	return -EBUSY;
}

/* A /proc table, opened; NULL with *ret set to -errno when it cannot be. */
static FILE *open_table(const char *path, int *ret)
{
	FILE *f = path ? fopen(path, "re") : NULL;

	*ret = f ? 0 : path ? -errno : -ENOMEM;
	return f;
}

/*
 * Whether a mount's source is the block device: by name, or (on the real
 * system only, where /dev is this machine's) by the device number a path
 * such as /dev/disk/by-uuid/... leads to.
 */
static bool source_is_block(const struct vb_roots *roots, const char *source, const char *block,
			    const char *majmin)
{
	const char *base = strrchr(source, '/');
	_cleanup_free_ char *node = NULL;
	unsigned maj, min;
	struct stat st;

	/* A path: "server:/export/nvme0n1" is an NFS export, not the disk. */
	if (source[0] != '/' || !base)
		return false;
	if (strcmp(base + 1, block) == 0)
		return true;
	/* Another name of the same node (/dev/mapper/..., /dev/disk/by-...): by number. */
	if (strncmp(source, "/dev/", 5) != 0 || !majmin || sscanf(majmin, "%u:%u", &maj, &min) != 2)
		return false;
	node = vb_path("%s/%s", roots->devfs, source + 5);
	return node && stat(node, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == maj &&
	       minor(st.st_rdev) == min;
}

/*
 * Is the block device mounted? Field 3 of mountinfo is its major:minor, but
 * btrfs, ZFS, bcachefs and overlay mounts show an anonymous 0:N there: the
 * device is then only in the mount source, after the " - " and the type.
 * 1 with the mount point in where, 0, or -errno when mountinfo cannot be read.
 */
static int is_mounted(const struct vb_roots *roots, FILE *f, const char *block, const char *majmin,
		      char *where, size_t size)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		char *tok[64], *save = NULL;
		int n = 0, dash = -1;

		for (char *t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && n >= 6 && strcmp(t, "-") == 0)
				dash = n;
			tok[n++] = t;
		}
		if (n < 5)
			continue;
		if ((majmin && strcmp(tok[2], majmin) == 0) ||
		    (dash > 0 && dash + 2 < n && source_is_block(roots, tok[dash + 2], block, majmin))) {
			snprintf(where, size, "%s", tok[4]);
			return 1;
		}
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * A device of a mounted multi-device filesystem that the mount source does
 * not name: btrfs lists its devices in SYSFS/fs/btrfs/UUID/devices/NAME,
 * bcachefs links SYSFS/fs/bcachefs/UUID/dev-N/block to each. The UUID in
 * uuid, the filesystem's type returned; NULL when it is none's.
 */
static const char *fs_member(const struct vb_roots *roots, const char *block, char *uuid, size_t size)
{
	_cleanup_free_ char *btrfs = vb_path("%s/fs/btrfs", roots->sysfs);
	_cleanup_free_ char *bcachefs = vb_path("%s/fs/bcachefs", roots->sysfs);
	const char *type = NULL;
	char **fss = NULL;
	unsigned n = 0;
	struct stat st;

	if (btrfs && vb_dir_list(btrfs, 0, &fss, &n) == 0) {
		for (unsigned i = 0; i < n && !type; i++) {
			_cleanup_free_ char *p = vb_path("%s/%s/devices/%s", btrfs, fss[i], block);

			if (p && lstat(p, &st) == 0) {
				snprintf(uuid, size, "%s", fss[i]);
				type = "btrfs";
			}
		}
		vb_strv_free(fss, n);
	}
	if (!type && bcachefs && vb_dir_list(bcachefs, 0, &fss, &n) == 0) {
		for (unsigned i = 0; i < n && !type; i++) {
			_cleanup_free_ char *dir = vb_path("%s/%s", bcachefs, fss[i]);
			char **devs = NULL;
			unsigned nd = 0;

			if (!dir || vb_dir_list(dir, 0, &devs, &nd) < 0)
				continue;
			for (unsigned j = 0; j < nd && !type; j++) {
				_cleanup_free_ char *link = vb_path("%s/%s/block", dir, devs[j]);
				_cleanup_free_ char *name = NULL;

				if (strncmp(devs[j], "dev-", 4) == 0 && link &&
				    vb_read_link_name(link, &name) == 0 && strcmp(name, block) == 0) {
					snprintf(uuid, size, "%s", fss[i]);
					type = "bcachefs";
				}
			}
			vb_strv_free(devs, nd);
		}
		vb_strv_free(fss, n);
	}
	return type;
}

/* 1 when the block device is swapped on, 0 not, -errno when the table cannot be read. */
static int is_swap(FILE *f, const char *block)
{
	char line[4096], path[PATH_MAX];

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *base;

		if (sscanf(line, "%4095s", path) != 1 || path[0] != '/')
			continue;
		base = strrchr(path, '/') + 1;
		if (strcmp(base, block) == 0)
			return 1;
	}
	return ferror(f) ? -EIO : 0;
}

static int check_block(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err)
{
	const struct vb_roots *roots = &ctx->roots;
	_cleanup_free_ char *mountinfo = vb_path("%s/self/mountinfo", roots->procfs);
	_cleanup_free_ char *swaps_path = vb_path("%s/swaps", roots->procfs);
	_cleanup_fclose_ FILE *mounts = NULL;
	_cleanup_fclose_ FILE *swaps = NULL;
	char **blocks;
	unsigned n;
	int r = 0, rm, rs;

	if (class_members_under(ctx, "block", dev, &blocks, &n) < 0 || n == 0)
		return 0;
	/* Read only when there is a disk to ask about: a NIC needs no /proc/self/mountinfo. */
	mounts = open_table(mountinfo, &rm);
	swaps = open_table(swaps_path, &rs);
	if (!mounts)
		r = cannot_tell(err, mountinfo ? mountinfo : "mountinfo", rm);
	else if (!swaps)
		r = cannot_tell(err, swaps_path ? swaps_path : "swaps", rs);
	for (unsigned i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *devp = vb_path("%s/class/block/%s/dev", roots->sysfs, blocks[i]);
		_cleanup_free_ char *hold = vb_path("%s/class/block/%s/holders", roots->sysfs, blocks[i]);
		_cleanup_free_ char *majmin = NULL;
		char where[PATH_MAX], uuid[128], **holders = NULL;
		const char *fs;
		unsigned nh = 0;

		if (vb_read_attr(devp, &majmin) < 0)
			majmin = NULL;
		rm = is_mounted(roots, mounts, blocks[i], majmin, where, sizeof(where));
		rs = rm == 0 ? is_swap(swaps, blocks[i]) : 0;
		if (rm < 0) {
			r = cannot_tell(err, mountinfo, rm);
		} else if (rm > 0) {
			r = vb_error_set(err, -EBUSY, "in use: /dev/%s is mounted on %s", blocks[i], where);
			vb_error_hint(err, "unmount it first, or add --force if you are sure");
		} else if ((fs = fs_member(roots, blocks[i], uuid, sizeof(uuid)))) {
			r = vb_error_set(err, -EBUSY, "in use: /dev/%s is a device of the mounted %s %s",
					 blocks[i], fs, uuid);
			vb_error_hint(err, "unmount that %s first, or add --force if you are sure", fs);
		} else if (rs < 0) {
			r = cannot_tell(err, swaps_path, rs);
		} else if (rs > 0) {
			r = vb_error_set(err, -EBUSY, "in use: /dev/%s is a swap device", blocks[i]);
			vb_error_hint(err, "swapoff /dev/%s first, or add --force if you are sure", blocks[i]);
		} else if (vb_dir_list(hold, 0, &holders, &nh) == 0 && nh > 0) {
			r = vb_error_set(err, -EBUSY, "in use: /dev/%s is held by %s (device mapper, md or LVM)",
					 blocks[i], holders[0]);
			vb_error_hint(err, "stop %s first, or add --force if you are sure", holders[0]);
		}
		vb_strv_free(holders, nh);
	}
	vb_strv_free(blocks, n);
	return r;
}

/*
 * Every interface that is up has a link-local address (if_inet6 scope 20) and
 * fe80::/64 and ff00::/8 routes: they say nothing of anyone using it.
 */
static bool is_global(const char *table, char **tok, int n)
{
	if (strcmp(table, "if_inet6") == 0)
		return n >= 4 && strcmp(tok[3], "00") == 0;
	return strncmp(tok[0], "fe80", 4) != 0 && strncmp(tok[0], "ff", 2) != 0;
}

/*
 * Whether iface is named in a /proc/net table, in column (or the last one when
 * column < 0); with global_only, only rows about global addresses or routes.
 * 1, 0, or -errno when the table cannot be read; ipv6_route and if_inet6
 * are not there at all when IPv6 is disabled (ipv6.disable=1): no IPv6, 0.
 */
static int proc_net_mentions(const struct vb_roots *roots, const char *table, const char *iface,
			     int column, bool global_only, struct vb_error *err)
{
	_cleanup_free_ char *p = vb_path("%s/net/%s", roots->procfs, table);
	_cleanup_fclose_ FILE *f = NULL;
	char line[1024];
	int r;

	f = open_table(p, &r);
	if (!f && r == -ENOENT && strcmp(table, "route") != 0)
		return 0;
	if (!f)
		return cannot_tell(err, p ? p : table, r);
	while (fgets(line, sizeof(line), f)) {
		char *tok[16], *save = NULL;
		int n = 0;

		for (char *t = strtok_r(line, " \t\n", &save); t && n < 16; t = strtok_r(NULL, " \t\n", &save))
			tok[n++] = t;
		if (n == 0 || (column >= n))
			continue;
		if (strcmp(tok[column < 0 ? n - 1 : column], iface) != 0)
			continue;
		if (global_only && !is_global(table, tok, n))
			continue;
		return 1;
	}
	return ferror(f) ? cannot_tell(err, p, -EIO) : 0;
}

/* 1 when the interface is up with an address or route, 0 not, < 0 (err set) when unknown. */
static int iface_busy(const struct vb_roots *roots, const char *iface, struct vb_error *err)
{
	_cleanup_free_ char *p = vb_path("%s/class/net/%s/flags", roots->sysfs, iface);
	_cleanup_free_ char *flags = NULL;
	int r;

	if (vb_read_attr(p, &flags) < 0 || !(strtoul(flags, NULL, 16) & 0x1 /* IFF_UP */))
		return 0;
	r = proc_net_mentions(roots, "route", iface, 0, false, err);
	if (r == 0)
		r = proc_net_mentions(roots, "ipv6_route", iface, -1, true, err);
	if (r == 0)
		r = proc_net_mentions(roots, "if_inet6", iface, 5, true, err);
	return r;
}

static int check_net(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err)
{
	const struct vb_roots *roots = &ctx->roots;
	char **ifaces;
	unsigned n;
	int r = 0;

	if (class_members_under(ctx, "net", dev, &ifaces, &n) < 0)
		return 0;
	for (unsigned i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *m = vb_path("%s/class/net/%s/master", roots->sysfs, ifaces[i]);
		_cleanup_free_ char *master = NULL;
		int busy = iface_busy(roots, ifaces[i], err);

		if (busy < 0) {
			r = busy;
		} else if (busy) {
			r = vb_error_set(err, -EBUSY, "in use: network interface %s is up with an address or route",
					 ifaces[i]);
			vb_error_hint(err, "'ip link set %s down' first (not if you are logged in through it), "
					   "or add --force", ifaces[i]);
		} else if (vb_read_link_name(m, &master) == 0 && (busy = iface_busy(roots, master, err)) < 0) {
			r = busy;
		} else if (busy) {
			r = vb_error_set(err, -EBUSY, "in use: network interface %s is part of %s, which is up with an address or route",
					 ifaces[i], master);
			vb_error_hint(err, "take %s out of %s first, or add --force", ifaces[i], master);
		}
	}
	vb_strv_free(ifaces, n);
	return r;
}

static int check_boot_vga(const struct vb_device *dev, struct vb_error *err)
{
	_cleanup_free_ char *v = NULL;

	if (!dev->driver || vb_driver_is_vfio(dev->driver) ||
	    vb_device_read_attr(dev, "boot_vga", &v) < 0 || strcmp(v, "1") != 0)
		return 0;
	vb_error_set(err, -EBUSY, "in use: it is the boot VGA device and '%s' drives the console on it",
		     dev->driver);
	vb_error_hint(err, "move the console off it first (echo 0 > /sys/class/vtconsole/vtconN/bind for its "
			   "framebuffer console, or boot with the console on another GPU), or add --force");
	return -EBUSY;
}

int vb_device_check_in_use(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err)
{
	int r;

	r = check_block(ctx, dev, err);
	if (r == 0)
		r = check_net(ctx, dev, err);
	if (r == 0)
		r = check_boot_vga(dev, err);
	if (r == 0)
		r = vb_device_check_framebuffer(&ctx->roots, dev, err);
	return r;
}

int vb_device_check_bridge(const struct vb_device *dev, struct vb_error *err)
{
	if (!vb_device_is_bridge(dev))
		return 0;
	vb_error_set(err, -EINVAL, "it is a PCI bridge: bridges stay with the host and VFIO refuses them");
	vb_error_hint(err, "bind the devices behind it instead");
	return -EINVAL;
}

int vb_device_numvfs(const struct vb_device *dev)
{
	_cleanup_free_ char *v = NULL;

	return vb_device_read_attr(dev, "sriov_numvfs", &v) == 0 ? atoi(v) : 0;
}

int vb_device_physfn(const struct vb_device *dev, char **ret)
{
	return vb_device_read_link_name(dev, "physfn", ret);
}

int vb_device_check_sriov(const struct vb_roots *roots, const struct vb_device *dev,
			  struct vb_error *err)
{
	int vfs = vb_device_numvfs(dev);

	if (vfs <= 0)
		return 0;
	vb_error_set(err, -EBUSY, "it is an SR-IOV physical function with %d VFs enabled; vfio-pci refuses it",
		     vfs);
	vb_error_hint(err, "bind the VFs instead, or disable them first: "
			   "echo 0 > /sys/bus/%s/devices/%s/sriov_numvfs", dev->bus->name, dev->name);
	return -EBUSY;
}

/* A VF whose PF has sriov_drivers_autoprobe=0: the kernel probes no host driver for it. */
bool vb_device_vf_autoprobe_off(const struct vb_device *dev)
{
	_cleanup_free_ char *v = NULL;

	return vb_device_read_attr(dev, "physfn/sriov_drivers_autoprobe", &v) == 0 &&
	       strcmp(v, "0") == 0;
}
