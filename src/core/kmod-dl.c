// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "dl.h"
#include "kmod-dl.h"

/* The soname of libkmod's ABI. */
VB_DL_LIBRARY(libkmod, "libkmod.so.2", "libkmod2", VB_KMOD_SYMBOLS, "kmod",
	      "finds the VFIO driver a device needs in the module index and loads its module",
	      "required");

int vb_kmod_dl_open(struct vb_error *err)
{
	int r = vb_dl_open(&libkmod, err);

	if (r == -ENOSYS)
		vb_error_hint(err, "upgrade the package %s (libkmod 27 or later)", libkmod.package);
	else if (r < 0)
		vb_error_hint(err, "install the package %s (Debian's name; it ships %s), or name a "
			      "registered driver with --driver", libkmod.package, libkmod.soname);
	return r < 0 ? -ENOENT : 0;
}

int vb_kmod_dl_path(char **ret)
{
	return vb_dl_path(&libkmod, ret);
}
