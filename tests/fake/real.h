/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libc functions the shim replaces, reached past the shim itself.
 * The model must use these: calling write() from inside the shim would
 * land in the shim again.
 */
#ifndef FAKE_REAL_H
#define FAKE_REAL_H

#include <stdio.h>
#include <sys/types.h>

struct iovec;
struct stat;
struct stat64;

struct fk_real {
	int (*open)(const char *path, int flags, ...);
	int (*open64)(const char *path, int flags, ...);
	int (*openat)(int dirfd, const char *path, int flags, ...);
	int (*openat64)(int dirfd, const char *path, int flags, ...);
	FILE *(*fopen)(const char *path, const char *mode);
	FILE *(*fopen64)(const char *path, const char *mode);
	ssize_t (*write)(int fd, const void *buf, size_t count);
	ssize_t (*pwrite)(int fd, const void *buf, size_t count, off_t off);
	ssize_t (*pwrite64)(int fd, const void *buf, size_t count, off_t off);
	ssize_t (*writev)(int fd, const struct iovec *iov, int iovcnt);
	long (*syscall)(long nr, ...);
	int (*stat)(const char *path, struct stat *st);
	int (*stat64)(const char *path, struct stat64 *st);
	int (*lstat)(const char *path, struct stat *st);
	int (*lstat64)(const char *path, struct stat64 *st);
	int (*fstatat)(int dirfd, const char *path, struct stat *st, int flags);
	int (*fstatat64)(int dirfd, const char *path, struct stat64 *st,
			 int flags);
	int (*access)(const char *path, int mode);
	void *(*opendir)(const char *path);
};

extern struct fk_real fk_real;

/* Fills fk_real once; safe to call from every interposer. */
void fk_real_init(void);

#endif
