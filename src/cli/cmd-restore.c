// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "batch.h"
#include "saved-set.h"
#include "store.h"
#include "sysfs.h"

/* Re-apply a binding saved for an address, if the same device still sits there. */
static void restore_device(struct cmd_batch *b, const struct vb_saved *s, const char *path)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_RESTORE, s->device, NULL);

	if (!t)
		return;
	t->bus_name = s->bus;
	t->driver = s->driver;
	t->modalias = s->modalias;
	t->reset_method = s->reset_method;
	if (s->owner[0])
		(void)vb_owner_parse_saved(s->owner, &t->owner);
	t->saved_path = strdup(path);
}

static void bind_by_rule(struct cmd_batch *b, const struct vb_bus *bus, const char *name,
			 const struct vb_saved *rule)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_BIND, name, bus);

	if (t) {
		t->driver = rule->driver[0] ? rule->driver : NULL;
		t->reset_method = rule->reset_method;
		if (rule->owner[0])
			(void)vb_owner_parse_saved(rule->owner, &t->owner);
	}
}

/* Bind every present device an ID rule covers, unless it has a binding of its own. */
static void restore_rule(struct cmd_run *run, struct cmd_batch *b, const struct vb_saved_set *set,
			 const struct vb_saved *rule, char **names, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;

		if (vb_saved_set_device(set, rule->bus, names[i]))
			continue;
		if (vb_device_open(&run->ctx->roots, run->opts->bus, names[i], &dev, NULL) < 0 ||
		    !vb_device_has_id(dev, rule->id))
			continue;
		bind_by_rule(b, run->opts->bus, names[i], rule);
	}
}

/* A saved file that could not be trusted or read: reported as a failure, in its place. */
static void report_bad(struct cmd_batch *b, const char *name, const struct vb_error *err,
		       const char *path)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_REPORT, name, NULL);

	if (!t)
		return;
	t->out.status = VB_STATUS_FAILED;
	t->out.error = *err;
	t->saved_path = path ? strdup(path) : NULL;
}

static void report_bad_saved(struct cmd_batch *b, const struct vb_saved_set *set)
{
	for (unsigned i = 0; i < set->n_bad; i++) {
		const char *base = strrchr(set->bad_paths[i], '/');

		report_bad(b, base ? base + 1 : set->bad_paths[i], &set->bad_errors[i], set->bad_paths[i]);
	}
}

/*
 * Owners saved by a version that made no mark (see vb_store_mark_owners): the
 * boot's full --restore marks them, so udev gives the nodes their owners again.
 */
static void keep_owners_marked(struct vb_context *ctx, const struct cmd_opts *o,
			       const struct vb_saved_set *set)
{
	_cleanup_free_ char *mark = vb_path("%s/" VB_STORE_OWNERS_MARK, ctx->roots.config_dir);

	if (o->dry_run || !mark || vb_exists(mark) != 0)
		return;
	for (unsigned i = 0; i < set->n; i++)
		if (set->saved[i].owner[0]) {
			struct vb_error err = { 0 };

			if (vb_store_mark_owners(&ctx->roots, &err) < 0) {
				cmd_print_error(NULL, &err);
				cmd_error(NULL, "warning: new VFIO nodes stay root's until the mark can be made "
					  "(the devices restored now get their owners all the same)");
			}
			return;
		}
}

/* Named devices (udev's run for one): only their files and the ID rules are read. */
static int load_saved(struct vb_context *ctx, const struct cmd_opts *o, struct vb_saved_set *set)
{
	_cleanup_free_ const char **buses = NULL;

	if (o->n_devices == 0)
		return vb_saved_set_load(&ctx->roots, set);
	buses = calloc(o->n_devices, sizeof(*buses));
	if (!buses)
		return -ENOMEM;
	for (unsigned i = 0; i < o->n_devices; i++)
		buses[i] = o->bus->name;
	return vb_saved_set_load_for(&ctx->roots, buses, (const char *const *)o->devices,
				     o->n_devices, set);
}

int cmd_restore(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_saved_set set;
	struct cmd_batch b = { 0 };
	struct cmd_run run;
	char **names = NULL;
	unsigned n = 0;

	cmd_run_init(&run, ctx, o);
	run.record_early = o->initramfs && !o->dry_run;
	if (load_saved(ctx, o, &set) < 0) {
		cmd_error(NULL, "cannot read the saved bindings in '%s'", ctx->roots.config_dir);
		return EXIT_FAILURE;
	}
	if (o->n_devices == 0) {
		report_bad_saved(&b, &set);
		keep_owners_marked(ctx, o, &set);
		/* Every bus's bindings, unless one bus was asked for. */
		for (unsigned i = 0; i < set.n; i++)
			if (set.saved[i].device[0] &&
			    (!o->bus_given || strcmp(set.saved[i].bus, o->bus->name) == 0))
				restore_device(&b, &set.saved[i], set.paths[i]);
		if (vb_bus_device_names(&ctx->roots, o->bus, &names, &n) == 0)
			for (unsigned i = 0; i < set.n; i++)
				if (set.saved[i].id[0] && strcmp(set.saved[i].bus, o->bus->name) == 0)
					restore_rule(&run, &b, &set, &set.saved[i], names, n);
		vb_strv_free(names, n);
	}
	for (unsigned i = 0; i < o->n_devices; i++) {
		const char *name = o->devices[i];
		const struct vb_saved *s = vb_saved_set_device(&set, o->bus->name, name);
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		const struct vb_saved *rule = NULL;
		bool reported = false;

		if (s) {
			restore_device(&b, s, set.paths[s - set.saved]);
			continue;
		}
		if (vb_device_open(&ctx->roots, o->bus, name, &dev, NULL) == 0) {
			char id[10];

			vb_pci_ids_id(&dev->ids, id);
			rule = dev->has_ids ? vb_saved_set_rule(&set, o->bus->name, id) : NULL;
		}
		if (rule) {
			bind_by_rule(&b, o->bus, name, rule);
			continue;
		}
		/* A file that is there but could not be trusted is a failure, not "nothing saved". */
		for (unsigned j = 0; j < set.n_bad; j++) {
			if (vb_store_path_names_device(set.bad_paths[j], o->bus->name, name)) {
				report_bad(&b, name, &set.bad_errors[j], NULL);
				reported = true;
			}
		}
		if (!reported)
			cmd_batch_say(&b, name, false, "nothing saved for it");
	}
	cmd_batch_run(&run, &b);
	/* In the real root: the initramfs's copy of the bindings may be older. */
	if (o->n_devices == 0 && !o->initramfs && !o->dry_run)
		cmd_release_stale_early(&run, &set);
	vb_saved_set_clear(&set);
	return cmd_run_finish(&run);
}
