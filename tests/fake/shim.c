// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim: makes a directory tree behave like sysfs for the program
 * under test.
 *
 * - write(), pwrite(), writev() and stdio writes to driver_override, bind,
 *   unbind, drivers_probe and reset_method under $VFIO_BIND_SYSFS go to the
 *   model (model.c) instead of the plain file, so driver links move as the
 *   kernel would move them; as on sysfs, none is created or truncated by
 *   open();
 * - init_module/finit_module never reach the kernel: the model "loads" the
 *   module into the fake tree, or the call fails with EPERM;
 * - libkmod's fixed paths (/sys/module, /proc/cmdline, /proc/modules) are
 *   pointed into the fake tree;
 * - any open of the real /sys or /proc/sys for writing is refused and
 *   reported: a test must never change this machine.
 */
/* Define open and open64 (etc.) side by side, not one as the other. */
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <dirent.h>

#include "fsutil.h"
#include "model.h"
#include "real.h"
#include "root.h"

#define EXPORT __attribute__((visibility("default")))

/* Declared by no header we can rely on, but called by libc users. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int init_module(void *image, unsigned long len, const char *params);
int finit_module(int fd, const char *params, int flags);
int delete_module(const char *name, unsigned int flags);

static bool has_dir_prefix(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* /proc/modules as the fake tree has it, for libkmod's loaded-module list. */
static void proc_modules_refresh(const char *out)
{
	char mdir[PATH_MAX], path[PATH_MAX], text[65536] = "";
	struct dirent *de;
	size_t used = 0;
	DIR *dir;

	if (fk_path(mdir, "%s/module", fk_root()) < 0 ||
	    !(dir = fk_real.opendir(mdir)))
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    fk_path(path, "%s/%s/initstate", mdir, de->d_name) < 0 ||
		    !fk_exists(path))
			continue;
		used += snprintf(text + used, sizeof(text) - used,
				 "%s 16384 0 - Live 0x0000000000000000\n",
				 de->d_name);
		if (used >= sizeof(text))
			break;
	}
	closedir(dir);
	fk_write_str(out, text);
}

/*
 * libkmod asks the running kernel through fixed paths whether a module is
 * loaded: answer from the fake tree instead.
 */
static const char *redirect(const char *path, char *buf)
{
	const char *root = fk_root();

	if (!root || !path || path[0] != '/')
		return path;
	if (has_dir_prefix(path, "/sys/module")) {
		if (fk_path(buf, "%s/module%s", root, path + 11) == 0)
			return buf;
	} else if (strcmp(path, "/proc/cmdline") == 0) {
		if (fk_ctl_path(buf, "cmdline") == 0)
			return buf;
	} else if (strcmp(path, "/proc/modules") == 0) {
		if (fk_ctl_path(buf, "proc_modules") == 0) {
			proc_modules_refresh(buf);
			return buf;
		}
	}
	return path;
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* Absolute, symlink-free form of dirfd+path, as far as it exists. */
static void canonical(int dirfd, const char *path, char *out)
{
	char abs[PATH_MAX], base[PATH_MAX], link[64], *slash;
	ssize_t n;

	if (path[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", path);
	} else {
		if (dirfd == AT_FDCWD) {
			if (!getcwd(base, sizeof(base)))
				base[0] = '\0';
		} else {
			snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
			n = readlink(link, base, sizeof(base) - 1);
			base[n < 0 ? 0 : n] = '\0';
		}
		snprintf(abs, sizeof(abs), "%s/%s", base, path);
	}
	if (realpath(abs, out))
		return;
	/* A file about to be created: resolve its directory. */
	slash = strrchr(abs, '/');
	if (slash && slash != abs) {
		*slash = '\0';
		if (realpath(abs, base) &&
		    snprintf(out, PATH_MAX, "%s/%s", base, slash + 1) < PATH_MAX)
			return;
		*slash = '/';
	}
	snprintf(out, PATH_MAX, "%s", abs);
}

/* True (and errno set) when the open must not happen. */
static bool refuse_open(int dirfd, const char *path, int flags)
{
	char canon[PATH_MAX];

	if (!path || !wants_write(flags))
		return false;
	canonical(dirfd, path, canon);
	if (!has_dir_prefix(canon, "/sys") && !has_dir_prefix(canon, "/proc/sys"))
		return false;
	fk_violation("write to the real '%s' (opened as '%s')", canon, path);
	errno = EACCES;
	return true;
}

/*
 * sysfs makes no files and truncates no attribute. An open that would
 * create a model attribute the device lacks (reset_method before Linux 5.15)
 * fails with EACCES, as on sysfs, rather than leave a plain file that would
 * pass for it; O_TRUNC on one that is there is dropped, so that a write the
 * model refuses (`echo pm >reset_method`) leaves the file as it was. False
 * (and errno) when the open must fail.
 */
static bool model_open(int dirfd, const char *path, int *flags)
{
	char canon[PATH_MAX];
	struct fk_attr attr;

	if (!path || !(*flags & (O_CREAT | O_TRUNC)) || !fk_root())
		return true;
	canonical(dirfd, path, canon);
	if (!fk_attr_classify(canon, &attr))
		return true;
	if (fk_exists(canon)) {
		*flags &= ~O_TRUNC;
		return true;
	}
	if (!(*flags & O_CREAT))
		return true;
	fk_log("create %s: -EACCES (no such attribute)", fk_root_rel(canon));
	errno = EACCES;
	return false;
}

#define NEEDS_MODE(flags) \
	(((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE)

#define OPEN_MODE(flags, mode)                                  \
	do {                                                    \
		if (NEEDS_MODE(flags)) {                        \
			va_list ap;                             \
			va_start(ap, flags);                    \
			mode = va_arg(ap, unsigned int);        \
			va_end(ap);                             \
		}                                               \
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	unsigned int mode = 0;

	OPEN_MODE(flags, mode);
	fk_real_init();
	if (refuse_open(AT_FDCWD, path, flags) ||
	    !model_open(AT_FDCWD, path, &flags))
		return -1;
	return fk_real.open(redirect(path, buf), flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	unsigned int mode = 0;

	OPEN_MODE(flags, mode);
	fk_real_init();
	if (refuse_open(AT_FDCWD, path, flags) ||
	    !model_open(AT_FDCWD, path, &flags))
		return -1;
	return fk_real.open64(redirect(path, buf), flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	unsigned int mode = 0;

	OPEN_MODE(flags, mode);
	fk_real_init();
	if (refuse_open(dirfd, path, flags) || !model_open(dirfd, path, &flags))
		return -1;
	return fk_real.openat(dirfd, redirect(path, buf), flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	unsigned int mode = 0;

	OPEN_MODE(flags, mode);
	fk_real_init();
	if (refuse_open(dirfd, path, flags) || !model_open(dirfd, path, &flags))
		return -1;
	return fk_real.openat64(dirfd, redirect(path, buf), flags, mode);
}

/* _FORTIFY_SOURCE entry points, which carry no mode. */
EXPORT int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat64(dirfd, path, flags);
}

EXPORT int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

EXPORT int creat64(const char *path, mode_t mode)
{
	return open64(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

EXPORT int stat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.stat(redirect(path, buf), st);
}

EXPORT int stat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.stat64(redirect(path, buf), st);
}

EXPORT int lstat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.lstat(redirect(path, buf), st);
}

EXPORT int lstat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.lstat64(redirect(path, buf), st);
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.fstatat(dirfd, redirect(path, buf), st, flags);
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.fstatat64(dirfd, redirect(path, buf), st, flags);
}

EXPORT int access(const char *path, int mode)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.access(redirect(path, buf), mode);
}

EXPORT DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	fk_real_init();
	return fk_real.opendir(redirect(path, buf));
}

/*
 * The model attribute an fd is open on. Returns 1 (and *ret) for a model
 * attribute, 0 for anything else, -errno when the write must fail as the
 * kernel would fail it (the device is gone, the fd is read-only).
 */
static int fd_attr(int fd, struct fk_attr *ret)
{
	char link[64], path[PATH_MAX];
	const char *rel;
	ssize_t n;
	int fl;

	if (fd < 0 || !fk_root())
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	rel = fk_root_rel(path);
	if (!rel || strncmp(rel, ".fake/", 6) == 0)
		return 0;
	/* kernfs refuses writes to a removed node. */
	if (n > 10 && strcmp(path + n - 10, " (deleted)") == 0) {
		fk_log("write to removed %s: -ENODEV", rel);
		return -ENODEV;
	}
	if (!fk_attr_classify(path, ret)) {
		fk_log("write %s (plain file)", rel);
		return 0;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return 1;
}

/* The model takes its locks itself: a slow write holds up only its device. */
static ssize_t attr_write(const struct fk_attr *attr, const void *buf,
			  size_t count)
{
	ssize_t r;

	r = fk_attr_write(attr, buf, count);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* 1 when the model took the write (result in *ret), 0 to pass it on. */
static int model_write(int fd, const void *buf, size_t count, ssize_t *ret)
{
	struct fk_attr attr;
	int r;

	r = fd_attr(fd, &attr);
	if (r == 0)
		return 0;
	if (r < 0) {
		errno = -r;
		*ret = -1;
		return 1;
	}
	*ret = attr_write(&attr, buf, count);
	return 1;
}

EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	ssize_t r;

	fk_real_init();
	if (model_write(fd, buf, count, &r))
		return r;
	return fk_real.write(fd, buf, count);
}

/* sysfs attributes ignore the offset of a write that starts a buffer. */
EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	ssize_t r;

	fk_real_init();
	if (model_write(fd, buf, count, &r))
		return r;
	return fk_real.pwrite(fd, buf, count, off);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
	ssize_t r;

	fk_real_init();
	if (model_write(fd, buf, count, &r))
		return r;
	return fk_real.pwrite64(fd, buf, count, off);
}

/* kernfs gathers an iovec into one page before calling store(). */
EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	char page[4096];
	size_t used = 0;
	ssize_t r;

	fk_real_init();
	for (int i = 0; i < iovcnt && used < sizeof(page); i++) {
		size_t n = iov[i].iov_len;

		if (n > sizeof(page) - used)
			n = sizeof(page) - used;
		memcpy(page + used, iov[i].iov_base, n);
		used += n;
	}
	if (model_write(fd, page, used, &r))
		return r;
	return fk_real.writev(fd, iov, iovcnt);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	return attr_write(cookie, buf, size);
}

static int cookie_close(void *cookie)
{
	free(cookie);
	return 0;
}

/* stdio on an attribute: each flush is one write(), as on real sysfs. */
static FILE *fopen_common(FILE *(*real)(const char *, const char *),
			  const char *path, const char *mode)
{
	static const cookie_io_functions_t io = {
		.write = cookie_write,
		.close = cookie_close,
	};
	char buf[PATH_MAX], canon[PATH_MAX];
	bool w = strpbrk(mode, "wa+") != NULL;
	struct fk_attr *attr;
	FILE *f;

	fk_real_init();
	if (refuse_open(AT_FDCWD, path, w ? O_WRONLY : O_RDONLY))
		return NULL;
	if (!w || !fk_root())
		return real(redirect(path, buf), mode);
	canonical(AT_FDCWD, path, canon);
	attr = malloc(sizeof(*attr));
	if (!attr)
		return NULL;
	if (!fk_attr_classify(canon, attr)) {
		free(attr);
		return real(path, mode);
	}
	/* sysfs makes no files; "r+" on one that is not there: ENOENT. */
	if (!fk_exists(canon)) {
		fk_log("fopen %s: -%s (no such attribute)", fk_root_rel(canon),
		       strpbrk(mode, "wa") ? "EACCES" : "ENOENT");
		free(attr);
		errno = strpbrk(mode, "wa") ? EACCES : ENOENT;
		return NULL;
	}
	f = fopencookie(attr, "w", io);
	if (!f)
		free(attr);
	return f;
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
	fk_real_init();
	return fopen_common(fk_real.fopen, path, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	fk_real_init();
	return fopen_common(fk_real.fopen64, path, mode);
}

/* Module syscalls: never the kernel's, in any case. */
static bool module_call_allowed(const char *what)
{
	if (!fk_root()) {
		fk_violation("%s without a fake sysfs root ($VFIO_BIND_SYSFS "
			     "with a .fake/ directory)", what);
		errno = EPERM;
		return false;
	}
	/* The kernel wants CAP_SYS_MODULE. */
	if (geteuid() != 0) {
		fk_log("%s: -EPERM (not root)", what);
		errno = EPERM;
		return false;
	}
	return true;
}

static long module_load(const char *name, const char *params)
{
	int lock, r;

	lock = fk_lock();
	r = fk_module_load(name, params);
	fk_unlock(lock);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static long fake_finit_module(int fd, const char *params, int flags)
{
	char link[64], path[PATH_MAX], name[NAME_MAX + 1], *base, *dot;
	ssize_t n;

	(void)flags;
	if (!module_call_allowed("finit_module"))
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0) {
		errno = EBADF;
		return -1;
	}
	path[n] = '\0';
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(name, sizeof(name), "%.*s", NAME_MAX, base);
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	return module_load(name, params);
}

/* The image's .modinfo carries "name=MOD" (kbuild and our tree both). */
static long fake_init_module(const void *image, unsigned long len,
			     const char *params)
{
	const char *p = image, *end = p + len;
	char name[NAME_MAX + 1] = "";

	if (!module_call_allowed("init_module"))
		return -1;
	for (; p && p + 5 < end; p++) {
		p = memmem(p, end - p, "name=", 5);
		if (!p)
			break;
		if (p != image && p[-1] != '\0')
			continue;
		snprintf(name, sizeof(name), "%.*s",
			 (int)strnlen(p + 5, end - p - 5), p + 5);
		break;
	}
	if (!name[0]) {
		errno = ENOEXEC;
		return -1;
	}
	return module_load(name, params);
}

static long fake_delete_module(const char *name, unsigned int flags)
{
	int lock, r;

	(void)flags;
	if (!module_call_allowed("delete_module"))
		return -1;
	lock = fk_lock();
	r = fk_module_unload(name);
	fk_unlock(lock);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (nr) {
	case SYS_finit_module:
		return fake_finit_module((int)a[0], (const char *)a[1],
					 (int)a[2]);
	case SYS_init_module:
		return fake_init_module((const void *)a[0],
					(unsigned long)a[1],
					(const char *)a[2]);
	case SYS_delete_module:
		return fake_delete_module((const char *)a[0],
					  (unsigned int)a[1]);
	}
	fk_real_init();
	return fk_real.syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

EXPORT int init_module(void *image, unsigned long len, const char *params)
{
	return (int)fake_init_module(image, len, params);
}

EXPORT int finit_module(int fd, const char *params, int flags)
{
	return (int)fake_finit_module(fd, params, flags);
}

EXPORT int delete_module(const char *name, unsigned int flags)
{
	return (int)fake_delete_module(name, flags);
}
