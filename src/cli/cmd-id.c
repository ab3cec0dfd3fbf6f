// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "dir.h"
#include "batch.h"
#include "store.h"

/* The names of present devices with vendor:device id. */
static unsigned for_each_with_id(struct cmd_run *run, struct cmd_batch *b, const char *id,
				 void (*fn)(struct cmd_run *run, struct cmd_batch *b, const char *name))
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
		fn(run, b, names[i]);
	}
	vb_strv_free(names, n);
	return hits;
}

static void bind_now(struct cmd_run *run, struct cmd_batch *b, const char *name)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_BIND, name, run->opts->bus);

	if (t)
		t->driver = run->opts->driver;
}

static void fail(struct cmd_batch *b, const char *id, const struct vb_error *err)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_SAY, id, NULL);

	if (t) {
		t->error = true;
		t->out.error = *err;
	}
}

int cmd_bind_ids(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_batch b = { 0 };
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
		snprintf(rule.reset_method, sizeof(rule.reset_method), "%s", o->reset_method);
		vb_owner_format(&o->owner, rule.owner, sizeof(rule.owner));
		/*
		 * The rule first: a device that appears while we bind the others is
		 * covered. One that could not be saved or trusted binds nothing.
		 */
		if (!o->no_save && !o->dry_run &&
		    (vb_store_check_writable(&ctx->roots, &err) < 0 || vb_store_save(&ctx->roots, &rule, &err) < 0)) {
			fail(&b, id, &err);
			continue;
		}
		if (for_each_with_id(&run, &b, id, bind_now) == 0)
			cmd_batch_say(&b, id, false, "no such device now%s",
				      o->no_save || o->dry_run ? "" : "; saved, it is bound when one appears");
	}
	cmd_batch_run(&run, &b);
	return cmd_run_finish(&run);
}

/* A device saved by its own address keeps that binding when a rule goes. */
static void unbind_unless_saved(struct cmd_run *run, struct cmd_batch *b, const char *name)
{
	char **files;
	unsigned n = 0;

	if (vb_store_device_files(&run->ctx->roots, run->opts->bus->name, name, &files, &n) == 0)
		vb_store_list_free(files, n);
	if (n > 0) {
		cmd_batch_say(b, name, false, "kept: it is saved by its address too ('vfio-bind --unbind %s' gives it back)",
			      name);
		return;
	}
	cmd_batch_add(b, CMD_TASK_UNBIND, name, run->opts->bus);
}

int cmd_unbind_ids(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_batch b = { 0 };
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++) {
		_cleanup_free_ char *path = vb_store_id_path(&ctx->roots, o->bus->name, o->devices[i]);
		struct vb_error err = { 0 };

		if (!o->dry_run && vb_store_forget(&ctx->roots, path, &err) < 0) {
			fail(&b, o->devices[i], &err);
			continue;
		}
		if (for_each_with_id(&run, &b, o->devices[i], unbind_unless_saved) == 0)
			cmd_batch_say(&b, o->devices[i], false, "no such device now; rule removed");
	}
	cmd_batch_run(&run, &b);
	return cmd_run_finish(&run);
}
