// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "cmd.h"
#include "save.h"

void cmd_bind_one(struct cmd_run *run, const char *name, const char *driver, bool save)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	struct vb_outcome out = VB_OUTCOME_INIT;
	struct vb_save_job job = VB_SAVE_JOB_INIT(&run->ctx->roots);
	_cleanup_free_ char *path = NULL;

	if (driver)
		bo.driver = driver;
	if (save && !bo.dry_run)
		vb_save_job_attach(&job, &bo);
	/* A binding that could not be saved, or not trusted once saved: nothing is moved. */
	if (bo.commit && vb_store_check_writable(&run->ctx->roots, &out.error) < 0)
		out.status = VB_STATUS_FAILED;
	else if (vb_device_open(&run->ctx->roots, run->opts->bus, name, &dev, &out.error) < 0)
		out.status = VB_STATUS_FAILED;
	else
		vb_bind(run->ctx, dev, &bo, &out);
	if (bo.commit && (out.status == VB_STATUS_BOUND || out.status == VB_STATUS_ALREADY))
		path = vb_saved_path(&run->ctx->roots, &job.saved);
	cmd_run_report(run, name, dev, &out, path);
	vb_outcome_clear(&out);
}

int cmd_bind(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++)
		cmd_bind_one(&run, o->devices[i], NULL, !o->no_save);
	return cmd_run_finish(&run);
}
