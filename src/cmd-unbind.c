// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd.h"
#include "store.h"
#include "sysfs.h"

void cmd_unbind_one(struct cmd_run *run, const char *name)
{
	const struct vb_roots *roots = &run->ctx->roots;
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	_cleanup_free_ char *path = vb_store_device_path(roots, run->opts->bus->name, name);
	struct vb_outcome out = VB_OUTCOME_INIT;
	struct vb_saved saved;
	bool had = false;

	/* Forgotten even when untrusted or corrupt: --unbind is how one gets rid of it. */
	had = vb_store_load(roots, path, &saved, NULL) == 0;
	if (vb_device_open(roots, run->opts->bus, name, &dev, &out.error) < 0) {
		if (vb_exists(path) > 0 && !bo.dry_run) {
			out.error = (struct vb_error){ 0 };
			out.status = vb_store_forget(roots, path, &out.error) < 0 ? VB_STATUS_FAILED
										   : VB_STATUS_FORGOTTEN;
		} else {
			out.status = VB_STATUS_FAILED;
		}
		cmd_run_report(run, name, NULL, &out, NULL);
		return;
	}
	/* Forget first, so a reboot cannot bring back what the user gave up. */
	if (!bo.dry_run && vb_store_forget(roots, path, &out.error) < 0) {
		out.status = VB_STATUS_FAILED;
	} else {
		vb_unbind(run->ctx, dev, &bo, &out);
		if (out.status == VB_STATUS_FAILED && had)
			vb_store_save(roots, &saved, NULL);
	}
	cmd_run_report(run, name, dev, &out, NULL);
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
