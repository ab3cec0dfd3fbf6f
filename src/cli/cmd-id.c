// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "dir.h"
#include "cmd.h"
#include "store.h"

/* The names of present devices with vendor:device id. */
static unsigned for_each_with_id(struct cmd_run *run, const char *id,
				 void (*fn)(struct cmd_run *run, const char *name))
{
	const struct cmd_opts *o = run->opts;
	char **names = NULL;
	unsigned n = 0, hits = 0;

	if (vb_bus_device_names(&run->ctx->roots, o->bus, &names, &n) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;

		if (vb_device_open(&run->ctx->roots, o->bus, names[i], &dev, NULL) < 0 ||
		    !vb_device_has_id(dev, id))
			continue;
		hits++;
		fn(run, names[i]);
	}
	vb_strv_free(names, n);
	return hits;
}

static void bind_now(struct cmd_run *run, const char *name)
{
	cmd_bind_one(run, name, run->opts->driver, false);
}

int cmd_bind_ids(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++) {
		struct vb_saved rule = { 0 };
		struct vb_error err = { 0 };
		const char *id = o->devices[i];

		snprintf(rule.bus, sizeof(rule.bus), "%s", o->bus->name);
		snprintf(rule.id, sizeof(rule.id), "%s", id);
		if (o->driver)
			snprintf(rule.driver, sizeof(rule.driver), "%s", o->driver);
		/*
		 * The rule first: a device that appears while we bind the others is
		 * covered. One that could not be saved or trusted binds nothing.
		 */
		if (!o->no_save && !o->dry_run &&
		    (vb_store_check_writable(&ctx->roots, &err) < 0 || vb_store_save(&ctx->roots, &rule, &err) < 0)) {
			cmd_print_error(id, &err);
			run.rc = EXIT_FAILURE;
			continue;
		}
		if (for_each_with_id(&run, id, bind_now) == 0 && !o->quiet && !o->json)
			printf("%s: no such device now%s\n", id,
			       o->no_save || o->dry_run ? "" : "; saved, it is bound when one appears");
	}
	return cmd_run_finish(&run);
}

/* A device saved by its own address keeps that binding when a rule goes. */
static void unbind_unless_saved(struct cmd_run *run, const char *name)
{
	char **files;
	unsigned n = 0;

	if (vb_store_device_files(&run->ctx->roots, run->opts->bus->name, name, &files, &n) == 0)
		vb_store_list_free(files, n);
	if (n > 0) {
		if (!run->opts->quiet && !run->opts->json)
			printf("%s: kept: it is saved by its address too ('vfio-bind --unbind %s' gives it back)\n",
			       name, name);
		return;
	}
	cmd_unbind_one(run, name);
}

int cmd_unbind_ids(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++) {
		_cleanup_free_ char *path = vb_store_id_path(&ctx->roots, o->bus->name, o->devices[i]);
		struct vb_error err = { 0 };

		if (!o->dry_run && vb_store_forget(&ctx->roots, path, &err) < 0) {
			cmd_print_error(o->devices[i], &err);
			run.rc = EXIT_FAILURE;
			continue;
		}
		if (for_each_with_id(&run, o->devices[i], unbind_unless_saved) == 0 && !o->quiet && !o->json)
			printf("%s: no such device now; rule removed\n", o->devices[i]);
	}
	return cmd_run_finish(&run);
}
