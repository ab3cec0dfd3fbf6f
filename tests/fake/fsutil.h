/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small file helpers for the fake sysfs. They bypass the shim's own
 * interposers, so the model can change the tree without recursing.
 */
#ifndef FAKE_FSUTIL_H
#define FAKE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* snprintf into a PATH_MAX buffer; -ENAMETOOLONG when it does not fit. */
int fk_path(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reads up to size-1 bytes; strips one trailing newline. */
int fk_read_str(const char *path, char *buf, size_t size);
/* Replaces the whole file with s (created 0644 when missing). */
int fk_write_str(const char *path, const char *s);
/* Creates an empty file with mode if it does not exist. */
int fk_touch(const char *path, unsigned int mode);
int fk_append(const char *path, const char *s);

bool fk_exists(const char *path);
bool fk_is_dir(const char *path);

int fk_mkdir_p(const char *path);
int fk_rm_rf(const char *path);

/* Symlink at `link` pointing to `target`, both absolute, stored relative. */
int fk_symlink_rel(const char *target, const char *link);
/* Last component of the symlink's target, e.g. the driver name. */
int fk_link_base(const char *link, char *buf, size_t size);

#endif
