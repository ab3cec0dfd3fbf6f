// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dir.h"
#include "config.h"
#include "early-boot.h"
#include "sysfs.h"

/* A record is a few short lines; a bigger file is not one. */
#define EARLY_RECORD_MAX 1024

static char *record_path(const struct vb_roots *roots, const char *bus, const char *device)
{
	return vb_path("%s/early/%s-%s", roots->run_dir, bus, device);
}

int vb_early_record(const struct vb_roots *roots, const struct vb_device *dev)
{
	_cleanup_free_ char *dir = vb_path("%s/early", roots->run_dir);
	_cleanup_free_ char *path = record_path(roots, dev->bus->name, dev->name);
	_cleanup_free_ char *tmp = vb_path("%s/early/.%s-%s", roots->run_dir, dev->bus->name, dev->name);
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t len;

	if (!dir || !path || !tmp || !dev->driver)
		return -ENOMEM;
	text = vb_path("bus=%s\ndevice=%s\ndriver=%s\n", dev->bus->name, dev->name, dev->driver);
	if (!text)
		return -ENOMEM;
	if ((mkdir(roots->run_dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = (ssize_t)strlen(text);
	if (write(fd, text, (size_t)len) != len)
		return errno ? -errno : -EIO;
	/* /run is memory: no fsync; the rename keeps a reader from a half-written record. */
	if (rename(tmp, path) < 0)
		return -errno;
	return 0;
}

static int copy_value(char *dst, size_t size, const char *value, size_t len)
{
	if (len >= size)
		return -EINVAL;
	memcpy(dst, value, len);
	dst[len] = '\0';
	return 0;
}

/* Records are root's, in a root-only directory; still, one that does not parse is no record. */
static int parse_record(const char *text, struct vb_early *ret)
{
	struct vb_early e = { 0 };

	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n'), *eq = memchr(line, '=', (size_t)(end - line));
		int r = 0;

		if (eq) {
			size_t klen = (size_t)(eq - line), vlen = (size_t)(end - eq - 1);

			if (klen == 3 && strncmp(line, "bus", 3) == 0)
				r = copy_value(e.bus, sizeof(e.bus), eq + 1, vlen);
			else if (klen == 6 && strncmp(line, "device", 6) == 0)
				r = copy_value(e.device, sizeof(e.device), eq + 1, vlen);
			else if (klen == 6 && strncmp(line, "driver", 6) == 0)
				r = copy_value(e.driver, sizeof(e.driver), eq + 1, vlen);
		}
		if (r < 0)
			return r;
		line = *end ? end + 1 : end;
	}
	if (!vb_name_is_valid(e.bus) || !vb_name_is_valid(e.device) || !vb_name_is_valid(e.driver))
		return -EINVAL;
	*ret = e;
	return 0;
}

static int read_record(const char *path, struct vb_early *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char text[EARLY_RECORD_MAX + 1];
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	n = read(fd, text, EARLY_RECORD_MAX);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	return parse_record(text, ret);
}

int vb_early_read(const struct vb_roots *roots, const char *bus, const char *device,
		  struct vb_early *ret)
{
	_cleanup_free_ char *path = record_path(roots, bus, device);
	struct vb_early e;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_record(path, &e);
	if (r < 0)
		return r;
	/* The name says which device; a record that says another is no record of this one. */
	if (strcmp(e.bus, bus) != 0 || strcmp(e.device, device) != 0)
		return -EINVAL;
	*ret = e;
	return 0;
}

int vb_early_list(const struct vb_roots *roots, struct vb_early **ret, unsigned *ret_n)
{
	_cleanup_free_ char *dir = vb_path("%s/early", roots->run_dir);
	struct vb_early *list = NULL;
	char **names = NULL;
	unsigned n = 0, kept = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (!dir)
		return -ENOMEM;
	r = vb_dir_list(dir, 0, &names, &n);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		vb_strv_free(names, n);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		_cleanup_free_ char *path = vb_path("%s/%s", dir, names[i]);
		_cleanup_free_ char *expect = NULL;

		if (!path || read_record(path, &list[kept]) < 0)
			continue;
		expect = vb_path("%s-%s", list[kept].bus, list[kept].device);
		if (expect && strcmp(expect, names[i]) == 0)
			kept++;
	}
	vb_strv_free(names, n);
	*ret = list;
	*ret_n = kept;
	return 0;
}

int vb_early_forget(const struct vb_roots *roots, const char *bus, const char *device)
{
	_cleanup_free_ char *path = record_path(roots, bus, device);

	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static bool system_has(const struct vb_roots *roots, const char *path)
{
	_cleanup_free_ char *full = vb_path("%s%s", roots->system_root, path);

	return full && access(full, F_OK) == 0;
}

enum vb_initramfs_tool vb_initramfs_tool(const struct vb_roots *roots)
{
	/*
	 * initramfs-tools is the generator where its kernel hook is installed
	 * (dracut replaces the package that holds it); dracut where its binary is.
	 * Either counts only with vfio-bind's integration in place.
	 */
	if (VB_INITRAMFS_TOOLS_DIR[0] && system_has(roots, "/etc/kernel/postinst.d/initramfs-tools") &&
	    system_has(roots, VB_INITRAMFS_TOOLS_DIR "/hooks/vfio-bind"))
		return VB_INITRAMFS_TOOLS;
	if (VB_DRACUT_MODULES_DIR[0] &&
	    (system_has(roots, "/usr/bin/dracut") || system_has(roots, "/usr/sbin/dracut")) &&
	    system_has(roots, VB_DRACUT_MODULES_DIR "/90vfio-bind/module-setup.sh"))
		return VB_INITRAMFS_DRACUT;
	return VB_INITRAMFS_NONE;
}

const char *vb_initramfs_refresh_command(enum vb_initramfs_tool tool)
{
	/* Every kernel's image carries the bindings, not only the running one's. */
	switch (tool) {
	case VB_INITRAMFS_TOOLS:
		return "update-initramfs -u -k all";
	case VB_INITRAMFS_DRACUT:
		return "dracut -f --regenerate-all";
	default:
		return NULL;
	}
}
