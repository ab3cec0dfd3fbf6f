// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "safety.h"
#include "store.h"

/* The devices of the IOMMU groups of the DEVICEs named, bridges aside, each once. */
static int gather(struct vb_context *ctx, const struct cmd_opts *o, struct cmd_run *run,
		  char ***ret, unsigned *ret_n)
{
	char **names = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < o->n_devices; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		struct vb_outcome out = VB_OUTCOME_INIT;
		struct vb_group g;

		if (vb_device_open(&ctx->roots, o->bus, o->devices[i], &dev, &out.error) < 0 ||
		    dev->iommu_group < 0 || vb_group_read(&ctx->roots, dev->iommu_group, &g) < 0) {
			if (dev)
				vb_error_set(&out.error, -ENXIO, "it is in no IOMMU group, so --group cannot bind one");
			out.status = VB_STATUS_FAILED;
			cmd_run_report(run, o->devices[i], dev, &out, NULL);
			vb_names_free(names, n);
			return -1;
		}
		for (unsigned j = 0; j < g.n; j++) {
			bool seen = false;
			char **more;

			for (unsigned k = 0; k < n; k++)
				seen |= strcmp(names[k], g.members[j].name) == 0;
			if (seen || g.members[j].bridge)
				continue;
			more = realloc(names, (n + 1) * sizeof(*names));
			if (!more || !(more[n] = strdup(g.members[j].name))) {
				vb_names_free(more ? more : names, n);
				vb_group_clear(&g);
				return -1;
			}
			names = more;
			n++;
		}
		vb_group_clear(&g);
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

/* All or nothing: bind each member; if one fails, put the others back. */
int cmd_bind_group(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_bind_opts bo = cmd_bind_opts(o);
	struct vb_device **devs;
	struct vb_outcome *outs;
	struct cmd_run run;
	char **names;
	unsigned n, done = 0;
	const char *failed = NULL;
	bool *had;

	cmd_run_init(&run, ctx, o);
	/* Saving is checked first: a group that cannot be saved is not moved at all. */
	if (!o->no_save && !o->dry_run) {
		struct vb_error err = { 0 };

		if (vb_store_check_writable(&ctx->roots, &err) < 0) {
			for (unsigned i = 0; i < o->n_devices; i++)
				cmd_print_error(o->devices[i], &err);
			run.rc = EXIT_FAILED;
			return cmd_run_finish(&run);
		}
	}
	if (gather(ctx, o, &run, &names, &n) < 0) {
		if (run.rc == EXIT_OK) {
			cmd_error(NULL, "out of memory");
			run.rc = EXIT_FAILED;
		}
		return cmd_run_finish(&run);
	}
	devs = calloc(n ? n : 1, sizeof(*devs));
	outs = calloc(n ? n : 1, sizeof(*outs));
	had = calloc(n ? n : 1, sizeof(*had));
	if (!devs || !outs || !had) {
		cmd_error(NULL, "out of memory");
		free(devs);
		free(outs);
		free(had);
		vb_names_free(names, n);
		run.rc = EXIT_FAILED;
		return cmd_run_finish(&run);
	}
	/* What was saved before this run stays saved whatever happens to the group. */
	for (unsigned i = 0; i < n; i++) {
		char **files;
		unsigned nf = 0;

		if (vb_store_device_files(&ctx->roots, o->bus->name, names[i], &files, &nf) == 0)
			vb_store_list_free(files, nf);
		had[i] = nf > 0;
	}
	for (unsigned i = 0; i < n && !failed; i++, done++) {
		outs[i] = (struct vb_outcome)VB_OUTCOME_INIT;
		if (vb_device_open(&ctx->roots, o->bus, names[i], &devs[i], &outs[i].error) < 0)
			outs[i].status = VB_STATUS_FAILED;
		else
			vb_bind(ctx, devs[i], &bo, &outs[i]);
		if (outs[i].status == VB_STATUS_FAILED)
			failed = names[i];
	}
	/* Saved only once every member is there; a failure takes back only this run's saves. */
	for (unsigned i = 0; !failed && !o->no_save && !o->dry_run && i < done; i++)
		if (cmd_save_binding(&ctx->roots, devs[i], &outs[i], &outs[i].error) < 0) {
			/* Moved by this run, so put back like the others below. */
			if (outs[i].status == VB_STATUS_BOUND)
				vb_bind_undo(ctx, devs[i], &outs[i]);
			outs[i].status = VB_STATUS_FAILED;
			failed = names[i];
			for (unsigned j = 0; j < i; j++)
				if (!had[j])
					vb_store_forget_device(&ctx->roots, o->bus->name, names[j], NULL);
		}
	/* Viability as the group stands now that every member has moved. */
	for (unsigned i = 0; !failed && i < done; i++)
		vb_group_viability(ctx, devs[i], &outs[i]);
	for (unsigned i = 0; failed && i < done; i++) {
		if (outs[i].status == VB_STATUS_FAILED && strcmp(names[i], failed) == 0)
			continue;
		if (outs[i].status == VB_STATUS_BOUND)
			vb_bind_undo(ctx, devs[i], &outs[i]);
		else
			outs[i].rolled_back = outs[i].status != VB_STATUS_FAILED;
		if (outs[i].status != VB_STATUS_FAILED)
			vb_error_set(&outs[i].error, -ECANCELED,
				     "not moved: %s of the same IOMMU group failed, and the group moves as one",
				     failed);
		outs[i].status = VB_STATUS_FAILED;
	}
	/* Members never tried are reported too: the user asked for the whole group. */
	for (unsigned i = done; failed && i < n; i++, done++) {
		outs[i] = (struct vb_outcome)VB_OUTCOME_INIT;
		outs[i].status = VB_STATUS_FAILED;
		vb_error_set(&outs[i].error, -ECANCELED,
			     "not moved: %s of the same IOMMU group failed, and the group moves as one",
			     failed);
	}
	for (unsigned i = 0; i < done; i++) {
		cmd_run_report(&run, names[i], devs[i], &outs[i], NULL);
		vb_outcome_clear(&outs[i]);
		if (devs[i])
			vb_device_free(devs[i]);
	}
	free(devs);
	free(outs);
	free(had);
	vb_names_free(names, n);
	return cmd_run_finish(&run);
}
