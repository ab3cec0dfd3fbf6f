// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "dir.h"
#include "cmd.h"
#include "saved-set.h"

/* Re-apply a binding saved for an address, if the same device still sits there. */
static void restore_device(struct cmd_run *run, const struct vb_saved *s, const char *path)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	struct vb_outcome out = VB_OUTCOME_INIT;

	struct vb_bus scratch;
	const struct vb_bus *bus;

	bo.driver = s->driver;
	bo.driver_saved = true;
	if (vb_bus_lookup(&run->ctx->roots, s->bus, &scratch, &bus) < 0) {
		/* A bus that is not here now (a module not loaded): its devices are absent too. */
		out.status = VB_STATUS_ABSENT;
	} else if (vb_device_open(&run->ctx->roots, bus, s->device, &dev, &out.error) < 0) {
		out.status = out.error.code == -ENODEV ? VB_STATUS_ABSENT : VB_STATUS_FAILED;
	} else if (s->modalias[0] && !streq_ptr(dev->modalias, s->modalias)) {
		out.status = VB_STATUS_FAILED;
		vb_error_set(&out.error, -ESTALE,
			     "a different device sits here now (saved '%s', found '%s'): not bound",
			     s->modalias, dev->modalias ? dev->modalias : "none");
		vb_error_hint(&out.error, "'vfio-bind --unbind %s' forgets the old binding", s->device);
	} else {
		vb_bind(run->ctx, dev, &bo, &out);
	}
	cmd_run_report(run, s->device, dev, &out, path);
	vb_outcome_clear(&out);
}

/* Bind every present device an ID rule covers, unless it has a binding of its own. */
static void restore_rule(struct cmd_run *run, const struct vb_saved_set *set,
			 const struct vb_saved *rule, char **names, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;

		if (vb_saved_set_device(set, rule->bus, names[i]))
			continue;
		if (vb_device_open(&run->ctx->roots, run->opts->bus, names[i], &dev, NULL) < 0 ||
		    !vb_device_has_id(dev, rule->id))
			continue;
		cmd_bind_one(run, names[i], rule->driver[0] ? rule->driver : NULL, false);
	}
}

static void report_bad_saved(struct cmd_run *run, const struct vb_saved_set *set)
{
	for (unsigned i = 0; i < set->n_bad; i++) {
		struct vb_outcome out = { .group_viable = -1, .status = VB_STATUS_FAILED, .error = set->bad_errors[i] };
		const char *base = strrchr(set->bad_paths[i], '/');

		cmd_run_report(run, base ? base + 1 : set->bad_paths[i], NULL, &out, set->bad_paths[i]);
	}
}

int cmd_restore(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_saved_set set;
	struct cmd_run run;
	char **names = NULL;
	unsigned n = 0;

	cmd_run_init(&run, ctx, o);
	run.record_early = o->initramfs && !o->dry_run;
	if (vb_saved_set_load(&ctx->roots, &set) < 0) {
		cmd_error(NULL, "cannot read the saved bindings in '%s'", ctx->roots.config_dir);
		return EXIT_FAILURE;
	}
	if (o->n_devices == 0) {
		report_bad_saved(&run, &set);
		/* Every bus's bindings, unless one bus was asked for. */
		for (unsigned i = 0; i < set.n; i++)
			if (set.saved[i].device[0] &&
			    (!o->bus_given || strcmp(set.saved[i].bus, o->bus->name) == 0))
				restore_device(&run, &set.saved[i], set.paths[i]);
		if (vb_bus_device_names(&ctx->roots, o->bus, &names, &n) == 0)
			for (unsigned i = 0; i < set.n; i++)
				if (set.saved[i].id[0] && strcmp(set.saved[i].bus, o->bus->name) == 0)
					restore_rule(&run, &set, &set.saved[i], names, n);
		vb_strv_free(names, n);
		/* In the real root: the initramfs's copy of the bindings may be older. */
		if (!o->initramfs && !o->dry_run)
			cmd_release_stale_early(&run, &set);
	}
	for (unsigned i = 0; i < o->n_devices; i++) {
		const char *name = o->devices[i];
		const struct vb_saved *s = vb_saved_set_device(&set, o->bus->name, name);
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		const struct vb_saved *rule = NULL;
		bool reported = false;

		if (s) {
			restore_device(&run, s, set.paths[s - set.saved]);
			continue;
		}
		if (vb_device_open(&ctx->roots, o->bus, name, &dev, NULL) == 0) {
			char id[10];

			vb_pci_ids_id(&dev->ids, id);
			rule = dev->has_ids ? vb_saved_set_rule(&set, o->bus->name, id) : NULL;
		}
		if (rule) {
			cmd_bind_one(&run, name, rule->driver[0] ? rule->driver : NULL, false);
			continue;
		}
		/* A file that is there but could not be trusted is a failure, not "nothing saved". */
		for (unsigned j = 0; j < set.n_bad; j++) {
			if (vb_store_path_names_device(set.bad_paths[j], o->bus->name, name)) {
				struct vb_outcome out = { .group_viable = -1, .status = VB_STATUS_FAILED,
							  .error = set.bad_errors[j] };

				cmd_run_report(&run, name, NULL, &out, NULL);
				reported = true;
			}
		}
		if (!reported && !o->quiet && !o->json)
			printf("%s: nothing saved for it\n", name);
	}
	vb_saved_set_clear(&set);
	return cmd_run_finish(&run);
}
