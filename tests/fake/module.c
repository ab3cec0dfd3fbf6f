// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading and unloading modules on the fake tree, in place of the kernel.
 *
 * Control data under ROOT/.fake/modules/MOD/:
 *   drivers     drivers the module registers, one a line: DRV or BUS:DRV
 *   load_fail   errno init_module() returns (EKEYREJECTED, ENOEXEC ...)
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "model.h"
#include "root.h"

/* Parameters as the kernel shows them: module/MOD/parameters/KEY. */
static void module_params(const char *mdir, const char *params)
{
	char copy[PATH_MAX], path[PATH_MAX], *save = NULL, *tok;

	if (!params || !*params || strlen(params) >= sizeof(copy))
		return;
	strcpy(copy, params);
	for (tok = strtok_r(copy, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(tok, '=');
		const char *val = "Y";

		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		if (!*tok || strchr(tok, '/'))
			continue;
		if (fk_path(path, "%s/parameters", mdir) == 0)
			fk_mkdir_p(path);
		if (fk_path(path, "%s/parameters/%s", mdir, tok) == 0) {
			char line[PATH_MAX];

			snprintf(line, sizeof(line), "%s\n", val);
			fk_write_str(path, line);
		}
	}
}

int fk_module_load(const char *name, const char *params)
{
	char mod[NAME_MAX + 1], mdir[PATH_MAX], path[PATH_MAX], line[512];
	FILE *f;
	int err;

	if (!name || !*name || strlen(name) > NAME_MAX || strchr(name, '/'))
		return -ENOEXEC;
	strcpy(mod, name);
	for (char *p = mod; *p; p++)
		if (*p == '-')
			*p = '_';
	if (fk_path(mdir, "%s/module/%s", fk_root(), mod) < 0)
		return -ENAMETOOLONG;
	if (fk_is_dir(mdir)) {
		fk_log("load %s: -EEXIST", mod);
		return -EEXIST;
	}
	err = fk_ctl_errno("modules/%s/load_fail", mod);
	if (err) {
		fk_log("load %s: injected -%s", mod, fk_errno_name(err));
		return -err;
	}
	if (fk_path(path, "%s/drivers", mdir) < 0)
		return -ENAMETOOLONG;
	err = fk_mkdir_p(path);
	if (err < 0)
		return err;
	if (fk_path(path, "%s/holders", mdir) == 0)
		fk_mkdir_p(path);
	if (fk_path(path, "%s/initstate", mdir) == 0)
		fk_write_str(path, "live\n");
	if (fk_path(path, "%s/refcnt", mdir) == 0)
		fk_write_str(path, "0\n");
	module_params(mdir, params);
	fk_log("load %s%s%s", mod, params && *params ? " " : "",
	       params ? params : "");

	if (fk_ctl_path(path, "modules/%s/drivers", mod) < 0)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *drv = line, *colon;
		const char *bus = "pci";

		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (colon) {
			*colon = '\0';
			bus = line;
			drv = colon + 1;
		}
		fk_driver_register(bus, drv, mod);
	}
	fclose(f);
	return 0;
}

int fk_module_unload(const char *name)
{
	char mdir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (!name || !*name || strchr(name, '/'))
		return -ENOENT;
	if (fk_path(mdir, "%s/module/%s", fk_root(), name) < 0)
		return -ENAMETOOLONG;
	if (fk_path(path, "%s/initstate", mdir) < 0 || !fk_exists(path))
		return -ENOENT;
	if (fk_path(path, "%s/drivers", mdir) == 0 && (dir = opendir(path))) {
		while ((de = readdir(dir))) {
			char *colon = strchr(de->d_name, ':');

			if (de->d_name[0] == '.' || !colon)
				continue;
			*colon = '\0';
			fk_driver_unregister(de->d_name, colon + 1);
		}
		closedir(dir);
	}
	fk_log("unload %s", name);
	return fk_rm_rf(mdir);
}
