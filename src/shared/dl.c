// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dl.h"

int vb_dl_open(struct vb_dl *dl, struct vb_error *err)
{
	void *handle;

	if (dl->handle)
		return 0;
	handle = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		vb_error_set(err, -ENOENT, "cannot load %s: %s", dl->soname, dlerror());
		vb_error_hint(err, "install the package %s (Debian's name; it ships %s)", dl->package,
			      dl->soname);
		return -ENOENT;
	}
	for (unsigned i = 0; i < dl->n; i++) {
		*dl->slots[i] = dlsym(handle, dl->names[i]);
		if (!*dl->slots[i]) {
			vb_error_set(err, -ENOENT, "%s has no '%s': it is too old", dl->soname,
				     dl->names[i]);
			vb_error_hint(err, "upgrade the package %s (Debian's name)", dl->package);
			for (unsigned j = 0; j <= i; j++)
				*dl->slots[j] = NULL;
			dlclose(handle);
			return -ENOSYS;
		}
	}
	dl->handle = handle;
	return 0;
}

int vb_dl_path(const struct vb_dl *dl, char **ret)
{
	struct link_map *map = NULL;

	if (!dl->handle || dlinfo(dl->handle, RTLD_DI_LINKMAP, &map) < 0 || !map || !map->l_name[0])
		return -ENOENT;
	*ret = strdup(map->l_name);
	return *ret ? 0 : -ENOMEM;
}
