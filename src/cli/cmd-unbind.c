// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd.h"
#include "modalias.h"
#include "store.h"

/*
 * An unbind's saved binding: forgotten before the first write, so a reboot
 * cannot bring back what the user gave up (the directory's sync runs on while
 * the kernel unbinds), and written back if the unbind fails.
 */
struct forget_job {
	const struct vb_roots *roots;
	const char *bus;
	bool had;                 /* a trusted binding was saved: it is what comes back */
	struct vb_saved saved;
	struct vb_sync sync;
	struct vb_error resave_error; /* code set: it could not be written back */
};

static int forget_prepare(void *data, const struct vb_device *dev, const struct vb_outcome *out,
			  struct vb_error *err)
{
	struct forget_job *job = data;

	int r = vb_store_forget_device_begin(job->roots, job->bus, dev->name, &job->sync, err);

	(void)out;
	return r < 0 ? r : 0;
}

static void forget_abandon(void *data)
{
	struct forget_job *job = data;

	if (job->had)
		vb_store_save(job->roots, &job->saved, &job->resave_error);
}

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
	struct forget_job job = { .roots = roots, .bus = bus, .sync = VB_SYNC_INIT };
	char **files;
	unsigned n = 0;

	/* Forgotten even when untrusted or corrupt: --unbind is how one gets rid of it. */
	if (vb_store_device_files(roots, bus, name, &files, &n) == 0) {
		job.had = n > 0 && vb_store_load(roots, files[0], &job.saved, NULL) == 0;
		vb_store_list_free(files, n);
	}
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
	bo.prepare = forget_prepare;
	bo.abandon = forget_abandon;
	bo.commit_data = &job;
	vb_unbind(run->ctx, dev, &bo, &out);
	if (job.sync.fd >= 0)
		vb_sync_wait(&job.sync);
	cmd_run_report(run, name, dev, &out, NULL);
	if (job.resave_error.code) {
		cmd_print_error(name, &job.resave_error);
		cmd_error(name, "COULD NOT RESTORE ITS SAVED BINDING: it is back on %s but not saved; "
			  "'vfio-bind %s' saves it again", dev->driver ? dev->driver : "no driver", name);
		run->rc = EXIT_FAILED;
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
