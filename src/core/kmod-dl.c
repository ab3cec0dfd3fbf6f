// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "dl.h"
#include "kmod-dl.h"

/* The soname of libkmod's ABI. */
VB_DL_LIBRARY(libkmod, "libkmod.so.2", VB_KMOD_SYMBOLS);

int vb_kmod_dl_open(struct vb_error *err)
{
	const char *missing, *why;

	if (vb_dl_open(&libkmod, &missing, &why) == 0)
		return 0;
	if (missing) {
		vb_error_set(err, -ENOENT, "%s has no '%s': it is too old", libkmod.soname, missing);
		vb_error_hint(err, "upgrade kmod's library (version 27 or later)");
	} else {
		vb_error_set(err, -ENOENT, "cannot load %s: %s", libkmod.soname, why);
		vb_error_hint(err, "install kmod's library (Debian: libkmod2), or name a registered driver with --driver");
	}
	return -ENOENT;
}

int vb_kmod_dl_path(char **ret)
{
	return vb_dl_path(&libkmod, ret);
}
