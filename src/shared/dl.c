// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dl.h"

int vb_dl_open(struct vb_dl *dl, const char **missing, const char **why)
{
	void *handle;

	*missing = NULL;
	*why = NULL;
	if (dl->handle)
		return 0;
	handle = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		*why = dlerror();
		return -ENOENT;
	}
	for (unsigned i = 0; i < dl->n; i++) {
		*dl->slots[i] = dlsym(handle, dl->names[i]);
		if (!*dl->slots[i]) {
			*missing = dl->names[i];
			for (unsigned j = 0; j <= i; j++)
				*dl->slots[j] = NULL;
			dlclose(handle);
			return -ENOENT;
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
