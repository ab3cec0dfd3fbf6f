/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the fake sysfs lives and where its control data is.
 *
 * The root is $VFIO_BIND_SYSFS, but only when it holds a .fake/ directory:
 * the shim must never model writes on a real sysfs.
 */
#ifndef FAKE_ROOT_H
#define FAKE_ROOT_H

#include <stdbool.h>
#include <stddef.h>

/* Canonical fake root, or NULL when the shim must stay passive. */
const char *fk_root(void);

/* If path (canonical) lies under the root, the part after "ROOT/". */
const char *fk_root_rel(const char *path);

/* ROOT/.fake/REL; -ENAMETOOLONG on overflow. */
int fk_ctl_path(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool fk_ctl_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads an errno given by name (EINVAL) or number (22, -22); 0 if unset. */
int fk_ctl_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a non-negative integer; 0 if unset. */
long fk_ctl_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line in ROOT/.fake/log: what the model did, for failing tests. */
void fk_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Something the binary must never do (a write to the real /sys, a module
 * load without a fake root): to stderr and ROOT/.fake/violations.
 */
void fk_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Serializes model changes across processes and threads (flock on
 * ROOT/.fake/lock). Returns the fd to hand to fk_unlock(), or -1 (no lock).
 */
int fk_lock(void);
/*
 * DEV's own lock (flock on ROOT/.fake/devlock/DEV), what the kernel's
 * device_lock() is: held across a whole write about DEV, slow parts
 * included, so writes about one device take turns and writes about two
 * overlap. Taken before fk_lock(), never while holding it.
 */
int fk_dev_lock(const char *dev);
/* Lets go of either lock; -1 is ignored. */
void fk_unlock(int fd);

int fk_errno_parse(const char *s);
const char *fk_errno_name(int err);

#endif
