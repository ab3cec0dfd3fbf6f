// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "config.h"
#include "roots.h"

/*
 * secure_getenv: these move where devices, modules and saved bindings are
 * found, and a setuid or otherwise privileged caller must not take them from
 * whoever started it.
 */
static char *env_or(const char *name, const char *fallback)
{
	const char *v = secure_getenv(name);

	return strdup(v && *v ? v : fallback);
}

int vb_roots_from_env(struct vb_roots *ret)
{
	struct vb_roots r = { 0 };
	const char *v;

	r.sysfs = env_or("VFIO_BIND_SYSFS", "/sys");
	r.procfs = env_or("VFIO_BIND_PROCFS", "/proc");
	r.devfs = env_or("VFIO_BIND_DEVFS", "/dev");
	r.config_dir = env_or("VFIO_BIND_CONFIG_DIR", VB_CONFIG_DIR);
	r.run_dir = env_or("VFIO_BIND_RUN_DIR", VB_RUN_DIR);
	v = secure_getenv("VFIO_BIND_SYSTEM_ROOT");
	r.system_root = strdup(v ? v : "");
	v = secure_getenv("VFIO_BIND_MODULES_DIR");
	if (v && *v) {
		r.modules_dir = strdup(v);
	} else {
		struct utsname u;

		if (uname(&u) < 0 || asprintf(&r.modules_dir, "/lib/modules/%s", u.release) < 0)
			r.modules_dir = NULL;
	}
	v = secure_getenv("VFIO_BIND_MODPROBE_DIR");
	if (v && *v)
		r.modprobe_dir = strdup(v);
	if (v && *v && !r.modprobe_dir) {
		vb_roots_free(&r);
		return -ENOMEM;
	}
	v = secure_getenv("VFIO_BIND_HWDB");
	if (v && *v)
		r.hwdb = strdup(v);
	if (!r.sysfs || !r.procfs || !r.devfs || !r.config_dir || !r.run_dir || !r.system_root ||
	    !r.modules_dir || (v && *v && !r.hwdb)) {
		vb_roots_free(&r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

void vb_roots_free(struct vb_roots *roots)
{
	free(roots->sysfs);
	free(roots->procfs);
	free(roots->devfs);
	free(roots->modules_dir);
	free(roots->modprobe_dir);
	free(roots->config_dir);
	free(roots->hwdb);
	free(roots->run_dir);
	free(roots->system_root);
	*roots = (struct vb_roots){ 0 };
}
