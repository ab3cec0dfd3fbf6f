/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A library opened with dlopen() when a run first needs it, its functions
 * reached through pointers: what most runs never call costs them nothing at
 * start (mapping, relocating, the libraries it pulls in).
 */
struct vb_dl {
	const char *soname;
	const char *const *names; /* the functions, as the library exports them */
	void **const *slots;      /* where each one's address goes */
	unsigned n;
	void *handle;             /* once open, until exit */
};

/*
 * Open the library and resolve every function, once. -ENOENT when it is not
 * there, or lacks one: *missing then names that function (else NULL), and
 * dlerror()'s text is in why.
 */
int vb_dl_open(struct vb_dl *dl, const char **missing, const char **why);
