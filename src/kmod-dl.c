// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>

#include "kmod-dl.h"

#define VB_KMOD_DEFINE(name) __typeof__(name) *sym_##name;
VB_KMOD_SYMBOLS(VB_KMOD_DEFINE)
#undef VB_KMOD_DEFINE

/* The soname of libkmod's ABI; the library itself stays open until exit. */
#define LIBKMOD_SONAME "libkmod.so.2"

int vb_kmod_dl_open(struct vb_error *err)
{
	static void *handle;
	const char *missing = NULL;

	if (handle)
		return 0;
	handle = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		vb_error_set(err, -ENOENT, "cannot load %s: %s", LIBKMOD_SONAME, dlerror());
		vb_error_hint(err, "install kmod's library (Debian: libkmod2), or name a registered driver with --driver");
		return -ENOENT;
	}
#define VB_KMOD_RESOLVE(name)                                       \
	if (!missing && !(sym_##name = (__typeof__(name) *)dlsym(handle, #name))) \
		missing = #name;
	VB_KMOD_SYMBOLS(VB_KMOD_RESOLVE)
#undef VB_KMOD_RESOLVE
	if (missing) {
		dlclose(handle);
		handle = NULL;
		vb_error_set(err, -ENOENT, "%s has no '%s': it is too old", LIBKMOD_SONAME, missing);
		vb_error_hint(err, "upgrade kmod's library (version 27 or later)");
		return -ENOENT;
	}
	return 0;
}
