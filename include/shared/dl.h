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

/* The file an open library was loaded from (what an initramfs must carry). */
int vb_dl_path(const struct vb_dl *dl, char **ret);

/*
 * Define the function pointers sym_NAME of every NAME in the X-macro list
 * SYMBOLS, and var, the library that fills them.
 */
#define VB_DL_POINTER_(name) __typeof__(name) *sym_##name;
#define VB_DL_NAME_(name) #name,
#define VB_DL_SLOT_(name) (void **)&sym_##name,
#define VB_DL_LIBRARY(var, soname, SYMBOLS)                                               \
	SYMBOLS(VB_DL_POINTER_)                                                           \
	static const char *const var##_names[] = { SYMBOLS(VB_DL_NAME_) };               \
	static void **const var##_slots[] = { SYMBOLS(VB_DL_SLOT_) };                     \
	static struct vb_dl var = { soname, var##_names, var##_slots,                     \
				    sizeof(var##_names) / sizeof(var##_names[0]) }
