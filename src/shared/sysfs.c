// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs.h"

char *vb_path(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	char *p;
	int r;

	/* Paths fit the stack: one malloc of the right size (vasprintf grows by realloc). */
	va_start(ap, fmt);
	r = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r < 0)
		return NULL;
	if ((size_t)r < sizeof(buf))
		return strdup(buf);
	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : p;
}

char *vb_concat(const char *first, ...)
{
	va_list ap;
	size_t len = 0;
	char *out, *p;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		len += strlen(s);
	va_end(ap);
	out = p = malloc(len + 1);
	if (!out)
		return NULL;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		p = stpcpy(p, s);
	va_end(ap);
	return out;
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

int vb_write_attr(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
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
