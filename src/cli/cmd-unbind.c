// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd.h"
#include "modalias.h"
#include "save.h"

/*
 * A device handed back that an ID rule still covers is taken again at the
 * next hotplug or boot: say so, and how to drop the rule.
 */
static void note_id_rule(struct cmd_run *run, const char *name, const struct vb_device *dev,
			 const struct vb_outcome *out)
{
	const struct vb_roots *roots = &run->ctx->roots;
	_cleanup_free_ char *path = NULL;
	struct vb_saved rule;
	char id[10];

	if (run->opts->quiet || run->opts->dry_run || !dev || !dev->has_ids || out->vanished ||
	    (out->status != VB_STATUS_UNBOUND && out->status != VB_STATUS_NOT_BOUND))
		return;
	vb_pci_ids_id(&dev->ids, id);
	path = vb_store_id_path(roots, dev->bus->name, id);
	if (!path || vb_store_load(roots, path, &rule, NULL) < 0)
		return;
	cmd_error(name, "note: the saved rule for ID %s still covers it: it is bound again at the next "
		  "hotplug or boot; 'vfio-bind --unbind --id %s' removes the rule", id, id);
}

void cmd_unbind_one(struct cmd_run *run, const char *name)
{
	const struct vb_roots *roots = &run->ctx->roots;
	const char *bus = run->opts->bus->name;
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	struct vb_outcome out = VB_OUTCOME_INIT;
	struct vb_forget_job job;
	/* Forgotten even when untrusted or corrupt: --unbind is how one gets rid of it. */
	unsigned n = vb_forget_job_init(&job, roots, bus, name);

	if (vb_device_open(roots, run->opts->bus, name, &dev, &out.error) < 0) {
		if (n > 0 && !bo.dry_run) {
			out.error = (struct vb_error){ 0 };
			out.status = vb_store_forget_device(roots, bus, name, &out.error) < 0
					     ? VB_STATUS_FAILED
					     : VB_STATUS_FORGOTTEN;
		} else {
			out.status = VB_STATUS_FAILED;
		}
		cmd_run_report(run, name, NULL, &out, NULL);
		return;
	}
	vb_forget_job_attach(&job, &bo);
	vb_unbind(run->ctx, dev, &bo, &out);
	vb_forget_job_finish(&job);
	cmd_run_report(run, name, dev, &out, NULL);
	if (job.resave_error.code) {
		cmd_print_error(name, &job.resave_error);
		cmd_error(name, "COULD NOT RESTORE ITS SAVED BINDING: it is back on %s but not saved; "
			  "'vfio-bind %s' saves it again", dev->driver ? dev->driver : "no driver", name);
		run->rc = EXIT_FAILURE;
	}
	note_id_rule(run, name, dev, &out);
	vb_outcome_clear(&out);
}

int cmd_unbind(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++)
		cmd_unbind_one(&run, o->devices[i]);
	return cmd_run_finish(&run);
}
