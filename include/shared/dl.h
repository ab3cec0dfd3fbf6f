/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "error.h"

/*
 * A library opened with dlopen() when a run first needs it, its functions
 * reached through pointers: what most runs never call costs them nothing at
 * start (mapping, relocating, the libraries it pulls in).
 */
struct vb_dl {
	const char *soname;
	const char *package;      /* Debian's package that ships soname */
	const char *const *names; /* the functions, as the library exports them */
	void **const *slots;      /* where each one's address goes */
	unsigned n;
	void *handle;             /* once open, until exit */
};

/*
 * Open the library and resolve every function, once. -ENOENT when it cannot
 * be loaded, -ENOSYS when it lacks a function (too old); err then says which,
 * and names the package to install or upgrade.
 */
int vb_dl_open(struct vb_dl *dl, struct vb_error *err);

/* The file an open library was loaded from (what an initramfs must carry). */
int vb_dl_path(const struct vb_dl *dl, char **ret);

/*
 * A library opened with dlopen() is no DT_NEEDED entry: ldd, dpkg-shlibdeps
 * and initramfs builders cannot see it. VB_DL_NOTE puts one ELF note in the
 * binary that says it, in the format of the freedesktop.org "dlopen()
 * metadata for ELF files" convention: a section .note.dlopen, owner "FDO",
 * type 0x407c0c0a, whose payload is a NUL-terminated JSON array of objects
 * with the keys soname (an array), feature, description and priority
 * ("required": the program does not work without it; "recommended";
 * "suggested": only a secondary feature needs it). The strings are pasted
 * into JSON as they are: no quotes, backslashes or control characters.
 * `readelf --notes vfio-bind` shows the notes.
 */
#define VB_DL_NOTE_OWNER "FDO"
#define VB_DL_NOTE_TYPE UINT32_C(0x407c0c0a)
#define VB_DL_NOTE_JSON_(soname, feature, description, priority)                           \
	"[{\"soname\":[\"" soname "\"],\"feature\":\"" feature "\",\"description\":\"" \
	description "\",\"priority\":\"" priority "\"}]"
#define VB_DL_NOTE_RECORD_(var, text)                                                     \
	__attribute__((used, section(".note.dlopen"), aligned(4))) static const struct {  \
		uint32_t namesz, descsz, type;                                            \
		char owner[sizeof(VB_DL_NOTE_OWNER)];                                     \
		char payload[sizeof(text)];                                               \
	} var = { sizeof(VB_DL_NOTE_OWNER), sizeof(text), VB_DL_NOTE_TYPE, VB_DL_NOTE_OWNER, text }
#define VB_DL_NOTE(var, soname, feature, description, priority) \
	VB_DL_NOTE_RECORD_(var, VB_DL_NOTE_JSON_(soname, feature, description, priority))

/*
 * Define the function pointers sym_NAME of every NAME in the X-macro list
 * SYMBOLS, and var, the library that fills them, with its ELF note: what
 * needs the library (feature, description) and how much (priority).
 */
#define VB_DL_POINTER_(name) __typeof__(name) *sym_##name;
#define VB_DL_NAME_(name) #name,
#define VB_DL_SLOT_(name) (void **)&sym_##name,
#define VB_DL_LIBRARY(var, soname, package, SYMBOLS, feature, description, priority)      \
	VB_DL_NOTE(var##_note, soname, feature, description, priority);                   \
	SYMBOLS(VB_DL_POINTER_)                                                           \
	static const char *const var##_names[] = { SYMBOLS(VB_DL_NAME_) };               \
	static void **const var##_slots[] = { SYMBOLS(VB_DL_SLOT_) };                     \
	static struct vb_dl var = { soname, package, var##_names, var##_slots,            \
				    sizeof(var##_names) / sizeof(var##_names[0]) }
