// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finds the fake root and reads the model's control data under ROOT/.fake/.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "real.h"
#include "root.h"

static char root[PATH_MAX];
static size_t root_len;
static pthread_once_t root_once = PTHREAD_ONCE_INIT;

static void root_find(void)
{
	char ctl[PATH_MAX + 8];
	const char *env = getenv("VFIO_BIND_SYSFS");

	if (!env || !*env || !realpath(env, root))
		return;
	/* No model on anything that is not a tree we built. */
	snprintf(ctl, sizeof(ctl), "%s/.fake", root);
	if (strncmp(root, "/sys", 4) == 0 && (!root[4] || root[4] == '/'))
		return;
	if (!fk_is_dir(ctl))
		return;
	root_len = strlen(root);
}

const char *fk_root(void)
{
	pthread_once(&root_once, root_find);
	return root_len ? root : NULL;
}

const char *fk_root_rel(const char *path)
{
	if (!fk_root())
		return NULL;
	if (strncmp(path, root, root_len) != 0 || path[root_len] != '/')
		return NULL;
	return path + root_len + 1;
}

static int ctl_vpath(char *buf, const char *fmt, va_list ap)
{
	char rel[PATH_MAX];
	int n;

	if (!fk_root())
		return -ENOENT;
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	if (n < 0 || n >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	return fk_path(buf, "%s/.fake/%s", root, rel);
}

int fk_ctl_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ctl_vpath(buf, fmt, ap);
	va_end(ap);
	return r;
}

bool fk_ctl_exists(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ctl_vpath(path, fmt, ap);
	va_end(ap);
	return r == 0 && fk_exists(path);
}

int fk_ctl_errno(const char *fmt, ...)
{
	char path[PATH_MAX], val[64];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ctl_vpath(path, fmt, ap);
	va_end(ap);
	if (r < 0 || fk_read_str(path, val, sizeof(val)) < 0)
		return 0;
	return fk_errno_parse(val);
}

long fk_ctl_long(const char *fmt, ...)
{
	char path[PATH_MAX], val[64];
	va_list ap;
	long v;
	int r;

	va_start(ap, fmt);
	r = ctl_vpath(path, fmt, ap);
	va_end(ap);
	if (r < 0 || fk_read_str(path, val, sizeof(val)) < 0)
		return 0;
	v = strtol(val, NULL, 10);
	return v > 0 ? v : 0;
}

/*
 * "[PID] what <tid TID, MS ms>": tests grep the line's start, so the thread
 * and the time go at its end. TID tells the threads of one process apart,
 * MS (CLOCK_MONOTONIC, the same clock in every process) shows which writes
 * overlapped.
 */
void fk_log(const char *fmt, ...)
{
	char path[PATH_MAX], line[PATH_MAX * 2];
	struct timespec now;
	va_list ap;
	size_t n;

	if (fk_ctl_path(path, "log") < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	n = (size_t)snprintf(line, sizeof(line), "[%d] ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = strlen(line);
	snprintf(line + n, sizeof(line) - n, " <tid %d, %lld ms>\n",
		 (int)gettid(),
		 (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	/* Unprivileged runs cannot write the root-owned log; that is fine. */
	fk_append(path, line);
}

void fk_violation(const char *fmt, ...)
{
	char msg[PATH_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "fake-sysfs: REFUSED: %s\n", msg);
	if (fk_root()) {
		char path[PATH_MAX];

		if (fk_ctl_path(path, "violations") == 0) {
			strcat(msg, "\n");
			fk_append(path, msg);
		}
	}
}

/*
 * Each call opens the file anew: flock() locks belong to the open file
 * description, so two threads of one process exclude each other as two
 * processes do.
 */
static int lock_file(const char *path)
{
	int fd;

	fk_real_init();
	fd = fk_real.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		fd = fk_real.open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
	return fd;
}

int fk_lock(void)
{
	char path[PATH_MAX];

	if (fk_ctl_path(path, "lock") < 0)
		return -1;
	return lock_file(path);
}

int fk_dev_lock(const char *dev)
{
	char path[PATH_MAX];

	if (fk_ctl_path(path, "devlock") < 0)
		return -1;
	/* Root made .fake/; an unprivileged run may only use what exists. */
	(void)fk_mkdir_p(path);
	if (fk_ctl_path(path, "devlock/%s", dev) < 0)
		return -1;
	return lock_file(path);
}

void fk_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EPERM", EPERM },	{ "ENOENT", ENOENT },	{ "EIO", EIO },
	{ "ENXIO", ENXIO },	{ "E2BIG", E2BIG },	{ "ENOEXEC", ENOEXEC },
	{ "EAGAIN", EAGAIN },	{ "ENOMEM", ENOMEM },	{ "EACCES", EACCES },
	{ "EFAULT", EFAULT },	{ "EBUSY", EBUSY },	{ "EEXIST", EEXIST },
	{ "ENODEV", ENODEV },	{ "EINVAL", EINVAL },	{ "ENOSPC", ENOSPC },
	{ "ENOSYS", ENOSYS },	{ "ENOTSUP", ENOTSUP },	{ "ETIMEDOUT", ETIMEDOUT },
	{ "EKEYREJECTED", EKEYREJECTED },		{ "EBADMSG", EBADMSG },
};

int fk_errno_parse(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(s, errnos[i].name) == 0)
			return errnos[i].err;
	v = strtol(s, &end, 10);
	if (end == s)
		return s[0] ? EINVAL : 0;
	return (int)(v < 0 ? -v : v);
}

const char *fk_errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return "E?";
}
