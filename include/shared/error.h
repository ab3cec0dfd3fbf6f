/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "macro.h"

/*
 * What went wrong, described by the core for the command layer to print:
 * the core never prints, but a bare errno is not enough for a user.
 */
struct vb_error {
	int code;        /* negative errno, 0 when nothing failed */
	char what[512];  /* "cannot unbind 'e1000e': Device or resource busy" */
	char hint[512];  /* what the user can do about it, or "" */
};

/* Record an error and return code (negative errno) for "return vb_error_set(...)". */
int vb_error_set(struct vb_error *e, int code, const char *fmt, ...) _printf_(3, 4);

/* The same, appending ": <strerror(-code)>" to the message. */
int vb_error_set_sys(struct vb_error *e, int code, const char *fmt, ...) _printf_(3, 4);

/* Add advice to an error already recorded. */
void vb_error_hint(struct vb_error *e, const char *fmt, ...) _printf_(2, 3);
