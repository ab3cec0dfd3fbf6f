/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* With it, vb_dir_list also returns names that start with '.' (never "." and ".."). */
#define VB_DIR_HIDDEN 1u

/*
 * The names in dir, sorted by strcmp(), without the hidden ones unless flags
 * has VB_DIR_HIDDEN. -errno when dir cannot be read; -ENOMEM for a NULL dir
 * (a vb_path() that failed). Free with vb_strv_free(). One getdents64 buffer
 * on the stack: opendir() would add an fstat and a 32 KiB allocation to every
 * directory, and a listing reads one a device.
 */
int vb_dir_list(const char *dir, unsigned flags, char ***ret, unsigned *ret_n);

/* Free n strings and their array (NULL-safe). */
void vb_strv_free(char **v, unsigned n);
