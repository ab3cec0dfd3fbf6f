// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dir.h"
#include "cmd.h"
#include "kmod-dl.h"
#include "saved-set.h"

/*
 * --initramfs-plan: what an initramfs needs to apply the saved bindings
 * before the host drivers it carries can bind, one item a line, for the
 * initramfs-tools hook and the dracut module:
 *   file PATH           a trusted saved binding, to copy as it is
 *   skip PATH: WHY      a saved file that must not go in
 *   module NAME         a module a binding needs (its dependencies and
 *                       softdeps are the tool's to add)
 *   missing NAME: WHY   one the kernel's module tree lacks: the binding
 *                       then waits for the real root
 *   library PATH        a library vfio-bind opens with dlopen(), which ldd
 *                       cannot see
 * The modules are those of the kernel in VFIO_BIND_MODULES_DIR (the tools
 * build images for kernels other than the running one). It never fails for a
 * binding's sake: a bad one must not keep the image from being built.
 */

struct plan {
	struct vb_context *ctx;
	struct vb_resolver *res;
	char **modules; /* said already */
	unsigned n_modules;
};

/* The module's name once, and whether this kernel has it. */
static void add_module(struct plan *p, const char *module)
{
	char **more;
	int r;

	if (!module || !*module)
		return;
	for (unsigned i = 0; i < p->n_modules; i++)
		if (strcmp(p->modules[i], module) == 0)
			return;
	more = realloc(p->modules, (p->n_modules + 1) * sizeof(*more));
	if (!more || !(more[p->n_modules] = strdup(module))) {
		p->modules = more ? more : p->modules;
		return;
	}
	p->modules = more;
	p->n_modules++;
	r = vb_module_installed(p->res, module);
	if (r == 1)
		printf("module %s\n", module);
	else if (r == 0)
		printf("missing %s: not in %s\n", module, p->ctx->roots.modules_dir);
}

/* An ID rule chooses per device: what each present device of the ID would get, and the bus's own. */
static void rule_modules(struct plan *p, const struct vb_saved *rule, const struct vb_bus *bus)
{
	char **names = NULL;
	unsigned n = 0;

	add_module(p, bus->vfio_module);
	if (vb_bus_device_names(&p->ctx->roots, bus, &names, &n) < 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		struct vb_choice choice = { 0 };

		if (vb_device_open(&p->ctx->roots, bus, names[i], &dev, NULL) < 0 ||
		    !vb_device_has_id(dev, rule->id) || !dev->modalias)
			continue;
		if (vb_resolve(p->res, bus, dev->modalias, &choice, NULL) == 0)
			add_module(p, choice.module);
		vb_choice_clear(&choice);
	}
	vb_strv_free(names, n);
}

static void saved_modules(struct plan *p, const struct vb_saved *s)
{
	_cleanup_free_ char *module = NULL;
	struct vb_bus scratch;
	const struct vb_bus *bus;

	if (vb_bus_lookup(&p->ctx->roots, s->bus, &scratch, &bus) < 0)
		bus = NULL;
	if (s->module[0]) {
		add_module(p, s->module);
	} else if (s->driver[0] && bus && vb_driver_module(p->res, bus, s->driver, &module, NULL) == 0) {
		add_module(p, module);
	} else if (!s->driver[0] && bus) {
		rule_modules(p, s, bus);
	}
}

int cmd_initramfs_plan(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct plan p = { .ctx = ctx };
	_cleanup_free_ char *library = NULL;
	struct vb_saved_set set;
	struct vb_error err = { 0 };

	if (vb_saved_set_load(&ctx->roots, &set) < 0) {
		cmd_error(NULL, "cannot read the saved bindings in '%s'", ctx->roots.config_dir);
		return EXIT_FAILURE;
	}
	for (unsigned i = 0; i < set.n_bad; i++)
		printf("skip %s: %s\n", set.bad_paths[i], set.bad_errors[i].what);
	if (set.n > 0 && vb_context_resolver(ctx, &p.res, &err) < 0) {
		cmd_print_error(NULL, &err);
		vb_saved_set_clear(&set);
		return EXIT_FAILURE;
	}
	for (unsigned i = 0; i < set.n; i++) {
		printf("file %s\n", set.paths[i]);
		saved_modules(&p, &set.saved[i]);
	}
	if (set.n > 0 && vb_kmod_dl_path(&library) == 0)
		printf("library %s\n", library);
	for (unsigned i = 0; i < p.n_modules; i++)
		free(p.modules[i]);
	free(p.modules);
	vb_saved_set_clear(&set);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
