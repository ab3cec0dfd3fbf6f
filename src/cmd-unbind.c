// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd.h"
#include "modalias.h"
#include "store.h"

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
	struct vb_sync sync = VB_SYNC_INIT;
	struct vb_saved saved;
	bool had = false;
	char **files;
	unsigned n = 0;

	/* Forgotten even when untrusted or corrupt: --unbind is how one gets rid of it. */
	if (vb_store_device_files(roots, bus, name, &files, &n) == 0) {
		had = n > 0 && vb_store_load(roots, files[0], &saved, NULL) == 0;
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
	/*
	 * Forget first, so a reboot cannot bring back what the user gave up; the
	 * directory's sync runs on while the kernel unbinds.
	 */
	if (!bo.dry_run && vb_store_forget_device_begin(roots, bus, name, &sync, &out.error) < 0) {
		out.status = VB_STATUS_FAILED;
	} else {
		vb_unbind(run->ctx, dev, &bo, &out);
		if (out.status == VB_STATUS_FAILED && had)
			vb_store_save(roots, &saved, NULL);
	}
	if (sync.fd >= 0)
		vb_sync_wait(&sync);
	cmd_run_report(run, name, dev, &out, NULL);
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
