// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File helpers for the model. Opens and writes go through fk_real so that
 * changing a fake attribute file never triggers the model again.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "real.h"

int fk_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int fk_read_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fk_real_init();
	fd = fk_real.open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static int write_flags(const char *path, const char *s, int flags)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, r = 0;

	fk_real_init();
	fd = fk_real.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	if (fd < 0)
		return -errno;
	n = fk_real.write(fd, s, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

int fk_write_str(const char *path, const char *s)
{
	return write_flags(path, s, O_TRUNC);
}

int fk_append(const char *path, const char *s)
{
	return write_flags(path, s, O_APPEND);
}

int fk_touch(const char *path, unsigned int mode)
{
	int fd;

	fk_real_init();
	fd = fk_real.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool fk_exists(const char *path)
{
	struct stat st;

	fk_real_init();
	return fk_real.lstat(path, &st) == 0;
}

bool fk_is_dir(const char *path)
{
	struct stat st;

	fk_real_init();
	return fk_real.stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fk_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (fk_path(buf, "%s", path) < 0)
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int fk_rm_rf(const char *path)
{
	if (!fk_exists(path))
		return 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -errno;
	return 0;
}

int fk_symlink_rel(const char *target, const char *link)
{
	char rel[PATH_MAX];
	const char *t = target, *l = link, *p;
	size_t common = 0, used = 0;

	/* Longest common prefix ending at a '/'. */
	for (size_t i = 0; t[i] && t[i] == l[i]; i++)
		if (t[i] == '/')
			common = i + 1;
	rel[0] = '\0';
	/* One ".." for each directory of the link below the common prefix. */
	for (p = l + common; (p = strchr(p, '/')); p++) {
		if (used + 4 >= sizeof(rel))
			return -ENAMETOOLONG;
		memcpy(rel + used, "../", 4);
		used += 3;
	}
	if (used + strlen(t + common) >= sizeof(rel))
		return -ENAMETOOLONG;
	strcpy(rel + used, t + common);
	unlink(link);
	if (symlink(rel, link) < 0)
		return -errno;
	return 0;
}

int fk_link_base(const char *link, char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}
