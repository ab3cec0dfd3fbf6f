// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "save.h"

/* The host driver a saved device was taken from: --list tells when it is built in. */
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

void vb_saved_for(const struct vb_roots *roots, const struct vb_device *dev, const char *driver,
		  const struct vb_outcome *out, struct vb_saved *ret)
{
	struct vb_saved s = { 0 };

	snprintf(s.bus, sizeof(s.bus), "%s", dev->bus->name);
	snprintf(s.device, sizeof(s.device), "%s", dev->name);
	snprintf(s.driver, sizeof(s.driver), "%s", driver ? driver : "");
	if (out->vfio_module)
		snprintf(s.module, sizeof(s.module), "%s", out->vfio_module);
	/* A modalias that could not pass for one (or is too long to keep) is left out. */
	if (dev->modalias && vb_store_modalias_is_valid(dev->modalias))
		snprintf(s.modalias, sizeof(s.modalias), "%s", dev->modalias);
	host_driver_of(roots, dev, out, &s);
	if (out->reset_method)
		snprintf(s.reset_method, sizeof(s.reset_method), "%s", out->reset_method);
	vb_owner_format(&out->owner, s.owner, sizeof(s.owner));
	*ret = s;
}

int vb_save_binding(const struct vb_roots *roots, const struct vb_device *dev,
		    const struct vb_outcome *out, struct vb_error *err)
{
	struct vb_saved s;

	vb_saved_for(roots, dev, dev->driver, out, &s);
	return vb_store_save(roots, &s, err);
}

static int save_prepare(void *data, const struct vb_device *dev, const struct vb_outcome *out,
			struct vb_error *err)
{
	struct vb_save_job *job = data;

	vb_saved_for(job->roots, dev, out->vfio_driver, out, &job->saved);
	return vb_store_save_begin(job->roots, &job->saved, &job->pending, err);
}

static int save_commit(void *data, const struct vb_device *dev, const struct vb_outcome *out,
		       struct vb_error *err)
{
	struct vb_save_job *job = data;

	/* A device already on its VFIO driver skips the writes, and prepare with them. */
	if (!job->pending.tmp) {
		vb_saved_for(job->roots, dev, dev->driver, out, &job->saved);
		return vb_store_save(job->roots, &job->saved, err);
	}
	return vb_store_save_finish(job->roots, &job->saved, &job->pending, err);
}

static void save_abandon(void *data)
{
	struct vb_save_job *job = data;

	vb_store_save_abort(&job->pending);
}

void vb_save_job_attach(struct vb_save_job *job, struct vb_bind_opts *opts)
{
	opts->prepare = save_prepare;
	opts->commit = save_commit;
	opts->abandon = save_abandon;
	opts->commit_data = job;
}

unsigned vb_forget_job_init(struct vb_forget_job *job, const struct vb_roots *roots,
			    const char *bus, const char *device)
{
	char **files;
	unsigned n = 0;

	*job = (struct vb_forget_job){ .roots = roots, .bus = bus };
	if (vb_store_device_files(roots, bus, device, &files, &n) == 0) {
		job->had = n > 0 && vb_store_load(roots, files[0], &job->saved, NULL) == 0;
		vb_store_list_free(files, n);
	}
	return n;
}

static int forget_prepare(void *data, const struct vb_device *dev, const struct vb_outcome *out,
			  struct vb_error *err)
{
	struct vb_forget_job *job = data;
	/* The directory is synced once the batch is over (vb_store_sync), not per device. */
	int r = vb_store_forget_device_begin(job->roots, job->bus, dev->name, NULL, err);

	return r < 0 ? r : 0;
}

static void forget_abandon(void *data)
{
	struct vb_forget_job *job = data;

	if (job->had)
		(void)vb_store_save(job->roots, &job->saved, &job->resave_error);
}

void vb_forget_job_attach(struct vb_forget_job *job, struct vb_bind_opts *opts)
{
	opts->prepare = forget_prepare;
	opts->abandon = forget_abandon;
	opts->commit_data = job;
}

