/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "macro.h"

/* asprintf() that returns NULL on failure; the caller frees (a vb_strbuf, formatted once). */
char *vb_path(const char *fmt, ...) _printf_(1, 2);
/* The strings up to a NULL, joined, without printf: for what runs once a device in a listing. */
char *vb_concat(const char *first, ...) __attribute__((sentinel));

/* Read a small attribute, trailing newline stripped. -errno on failure. */
int vb_read_attr(const char *path, char **ret);
/* The same for name under the directory dfd (a device's: one lookup, not a path walk). */
int vb_read_attr_at(int dfd, const char *name, char **ret);

/*
 * Write value to an attribute in one write(2), as the kernel wants. The
 * kernel's own error (the probe's, for a bind file) comes back as -errno.
 */
int vb_write_attr(const char *path, const char *value);

/*
 * Write value to a driver's bind or unbind file. The kernel adds those files
 * only after the driver's registration has probed every device it matches, so
 * while its module loads the driver's directory is there and the file is not:
 * wait for the file, up to timeout_ms (-ETIMEDOUT then). path may go through a
 * device's driver link (DEV/driver/unbind).
 */
int vb_write_driver_file(const char *path, const char *value, unsigned timeout_ms);

/* The last component of a symlink's target ("e1000e" for DEV/driver). */
int vb_read_link_name(const char *path, char **ret);
int vb_read_link_name_at(int dfd, const char *name, char **ret);

/* 1 if path exists, 0 if not, -errno when it cannot be told. */
int vb_exists(const char *path);
