// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "cmd.h"
#include "store.h"

/*
 * The host driver a saved device was taken from (--list tells when it is built
 * in): the one this bind moved it from, else what an earlier save recorded.
 */
static void host_driver_of(const struct vb_roots *roots, const struct vb_device *dev,
			   const struct vb_outcome *out, struct vb_saved *s)
{
	char **files;
	unsigned n = 0;
	struct vb_saved old;

	if (out->old_driver && !vb_driver_is_vfio(out->old_driver)) {
		snprintf(s->host_driver, sizeof(s->host_driver), "%s", out->old_driver);
		return;
	}
	if (vb_store_device_files(roots, dev->bus->name, dev->name, &files, &n) < 0)
		return;
	if (n > 0 && vb_store_load(roots, files[0], &old, NULL) == 0)
		memcpy(s->host_driver, old.host_driver, sizeof(s->host_driver));
	vb_store_list_free(files, n);
}

/* What the udev rule and --restore need to put the device back on driver. */
static void saved_from(const struct vb_roots *roots, const struct vb_device *dev,
		       const char *driver, const struct vb_outcome *out, struct vb_saved *s)
{
	*s = (struct vb_saved){ 0 };
	snprintf(s->bus, sizeof(s->bus), "%s", dev->bus->name);
	snprintf(s->device, sizeof(s->device), "%s", dev->name);
	snprintf(s->driver, sizeof(s->driver), "%s", driver ? driver : "");
	if (out->vfio_module)
		snprintf(s->module, sizeof(s->module), "%s", out->vfio_module);
	/* A modalias that could not pass for one (or is too long to keep) is left out. */
	if (dev->modalias && vb_store_modalias_is_valid(dev->modalias))
		snprintf(s->modalias, sizeof(s->modalias), "%s", dev->modalias);
	host_driver_of(roots, dev, out, s);
}

int cmd_save_binding(void *data, const struct vb_device *dev, const struct vb_outcome *out,
		     struct vb_error *err)
{
	struct vb_saved s;

	saved_from(data, dev, dev->driver, out, &s);
	return vb_store_save(data, &s, err);
}

/*
 * A bind's saving: the file written before the kernel's work, renamed once
 * verified. pending.tmp is set from a begun save until it is finished or undone.
 */
struct save_job {
	const struct vb_roots *roots;
	struct vb_saved saved;
	struct vb_store_pending pending;
};

static int save_prepare(void *data, const struct vb_device *dev, const struct vb_outcome *out,
			struct vb_error *err)
{
	struct save_job *job = data;

	saved_from(job->roots, dev, out->vfio_driver, out, &job->saved);
	return vb_store_save_begin(job->roots, &job->saved, &job->pending, err);
}

static int save_commit(void *data, const struct vb_device *dev, const struct vb_outcome *out,
		       struct vb_error *err)
{
	struct save_job *job = data;

	/* A device already on its VFIO driver skips the writes, and prepare with them. */
	if (!job->pending.tmp)
		return cmd_save_binding((void *)job->roots, dev, out, err);
	return vb_store_save_finish(job->roots, &job->saved, &job->pending, err);
}

static void save_abandon(void *data)
{
	struct save_job *job = data;

	vb_store_save_abort(&job->pending);
}

void cmd_bind_one(struct cmd_run *run, const char *name, const char *driver, bool save)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	struct vb_outcome out = VB_OUTCOME_INIT;
	struct save_job job = { .roots = &run->ctx->roots, .pending = VB_STORE_PENDING_INIT };
	_cleanup_free_ char *path = NULL;

	if (driver)
		bo.driver = driver;
	if (save && !bo.dry_run) {
		bo.prepare = save_prepare;
		bo.commit = save_commit;
		bo.abandon = save_abandon;
		bo.commit_data = &job;
	}
	/* A binding that could not be saved, or not trusted once saved: nothing is moved. */
	if (bo.commit && vb_store_check_writable(&run->ctx->roots, &out.error) < 0)
		out.status = VB_STATUS_FAILED;
	else if (vb_device_open(&run->ctx->roots, run->opts->bus, name, &dev, &out.error) < 0)
		out.status = VB_STATUS_FAILED;
	else
		vb_bind(run->ctx, dev, &bo, &out);
	if (bo.commit && (out.status == VB_STATUS_BOUND || out.status == VB_STATUS_ALREADY)) {
		struct vb_saved s;

		saved_from(&run->ctx->roots, dev, dev->driver, &out, &s);
		path = vb_store_entry_path(&run->ctx->roots, &s);
	}
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
