// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "strbuf.h"
#include "sysfs.h"

char *vb_path(const char *fmt, ...)
{
	struct vb_strbuf sb = VB_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vb_strbuf_vappendf(&sb, fmt, ap);
	va_end(ap);
	return vb_strbuf_take(&sb);
}

char *vb_concat(const char *first, ...)
{
	struct vb_strbuf sb = VB_STRBUF_INIT;
	size_t len = 0;
	va_list ap;

	/* One allocation of the right size. */
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		len += strlen(s);
	va_end(ap);
	vb_strbuf_reserve(&sb, len);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		vb_strbuf_appends(&sb, s);
	va_end(ap);
	return vb_strbuf_take(&sb);
}

int vb_read_attr(const char *path, char **ret)
{
	return path ? vb_read_attr_at(AT_FDCWD, path, ret) : -ENOMEM;
}

int vb_read_attr_at(int dfd, const char *name, char **ret)
{
	_cleanup_close_ int fd = -1;
	char buf[4096];
	ssize_t n;
	char *s;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	s = strdup(buf);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* One write(2) of value to an open attribute: the kernel's own error as -errno. */
static int write_fd(int fd, const char *value)
{
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vb_write_attr(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write_fd(fd, value);
}

int vb_write_driver_file(const char *path, const char *value, unsigned timeout_ms)
{
	_cleanup_free_ char *dir = path ? strdup(path) : NULL;
	char *slash = dir ? strrchr(dir, '/') : NULL;
	_cleanup_close_ int fd = -1;
	double deadline = vb_now_s() + timeout_ms / 1000.0;
	unsigned ms = 5;

	if (!slash)
		return -ENOMEM;
	*slash = '\0';
	/*
	 * Only the open waits: a probe that fails with ENOENT itself (a missing
	 * firmware file) comes back from the write, at once.
	 */
	while ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
		int r = -errno;

		/* No driver directory: the driver (or the device's link to it) is gone. */
		if (r != -ENOENT || vb_exists(dir) <= 0)
			return r;
		if (vb_now_s() >= deadline)
			return -ETIMEDOUT;
		vb_sleep_ms(ms);
		if (ms < 100)
			ms *= 2;
	}
	return write_fd(fd, value);
}

int vb_read_link_name(const char *path, char **ret)
{
	return path ? vb_read_link_name_at(AT_FDCWD, path, ret) : -ENOMEM;
}

int vb_read_link_name_at(int dfd, const char *name, char **ret)
{
	char buf[PATH_MAX];
	const char *base;
	ssize_t n;
	char *s;

	n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	if (!*base)
		return -EINVAL;
	s = strdup(base);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int vb_exists(const char *path)
{
	struct stat st;

	if (!path)
		return -ENOMEM;
	if (lstat(path, &st) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}
