// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "bind.h"
#include "recover.h"
#include "checks.h"
#include "group.h"
#include "holders.h"
#include "store.h"

/* A holder would make any unbind wait: the recovery never blocks on one. */
static int refuse_if_held(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err)
{
	struct vb_holder *h = NULL;
	unsigned n = 0;

	if (vb_vfio_holders(&ctx->roots, dev, &h, &n) < 0 || n == 0)
		return 0;
	vb_holders_error(h, n, err);
	vb_error_hint(err, "stop it, then 'vfio-bind --unbind %s' or 'vfio-bind %s' says where it goes",
		      dev->name, dev->name);
	free(h);
	return -EBUSY;
}

/* Saved as that run meant to: a trusted saved binding for the device naming that driver. */
static bool saved_for(struct vb_context *ctx, const struct vb_journal_entry *e)
{
	struct vb_saved s;
	char **files;
	unsigned n = 0;
	bool ok;

	if (vb_store_device_files(&ctx->roots, e->bus, e->device, &files, &n) < 0)
		return false;
	ok = n > 0 && vb_store_load(&ctx->roots, files[0], &s, NULL) == 0 &&
	     strcmp(s.driver, e->driver) == 0;
	vb_store_list_free(files, n);
	return ok;
}

static void settle_bind(struct vb_context *ctx, struct vb_device *dev, struct vb_recovery *rec)
{
	const struct vb_journal_entry *e = &rec->entry;
	const char *old_driver = e->old_driver[0] ? e->old_driver : NULL;
	const char *old_override = e->had_override ? e->old_override : NULL;

	if (streq_ptr(dev->driver, e->driver) && (!e->save || saved_for(ctx, e))) {
		rec->result = VB_RECOVERY_FINISHED;
		return;
	}
	if (streq_ptr(dev->driver, old_driver) && streq_ptr(dev->override, old_override)) {
		rec->result = VB_RECOVERY_UNTOUCHED;
		return;
	}
	if (vb_driver_is_vfio(dev->driver) && refuse_if_held(ctx, dev, &rec->error) < 0) {
		rec->result = VB_RECOVERY_FAILED;
		return;
	}
	if (vb_put_back(ctx, dev, old_driver, old_override)) {
		rec->result = VB_RECOVERY_ROLLED_BACK;
		return;
	}
	rec->result = VB_RECOVERY_FAILED;
	vb_error_set(&rec->error, -EIO, "could not put it back on %s", old_driver ? old_driver : "no driver");
	vb_error_hint(&rec->error, "the driver's own message is in 'dmesg'");
}

/* The user gave the device up: forget it, then hand it back (the unbind takes a note of its own). */
static void settle_unbind(struct vb_context *ctx, struct vb_device *dev, struct vb_recovery *rec,
			  struct vb_journal *note)
{
	struct vb_bind_opts opts = { 0 };
	struct vb_outcome out = VB_OUTCOME_INIT;

	if (vb_store_forget_device(&ctx->roots, rec->entry.bus, rec->entry.device, &rec->error) < 0) {
		rec->result = VB_RECOVERY_FAILED;
		return;
	}
	if (!vb_driver_is_vfio(dev->driver) && !dev->override && dev->driver) {
		rec->result = VB_RECOVERY_FINISHED;
		return;
	}
	if (vb_driver_is_vfio(dev->driver) && refuse_if_held(ctx, dev, &rec->error) < 0) {
		rec->result = VB_RECOVERY_FAILED;
		return;
	}
	vb_journal_end(note);
	vb_unbind(ctx, dev, &opts, &out);
	if (out.status == VB_STATUS_FAILED) {
		rec->result = VB_RECOVERY_FAILED;
		rec->error = out.error;
	} else {
		rec->result = VB_RECOVERY_FINISHED;
	}
	vb_outcome_clear(&out);
}

static void settle(struct vb_context *ctx, struct vb_journal_leftover *l, struct vb_recovery *rec)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	const struct vb_bus *bus;
	struct vb_bus scratch;

	rec->entry = l->entry;
	rec->valid = l->valid;
	if (!l->valid) {
		rec->result = VB_RECOVERY_UNTOUCHED;
		return;
	}
	if (vb_bus_lookup(&ctx->roots, l->entry.bus, &scratch, &bus) < 0 ||
	    vb_device_open(&ctx->roots, bus, l->entry.device, &dev, NULL) < 0) {
		rec->result = VB_RECOVERY_ABSENT;
		return;
	}
	if (l->entry.op == VB_JOURNAL_BIND)
		settle_bind(ctx, dev, rec);
	else
		settle_unbind(ctx, dev, rec, &l->journal);
	if (vb_device_refresh(dev) == 0) {
		rec->driver = dev->driver ? strdup(dev->driver) : NULL;
		rec->override = dev->override ? strdup(dev->override) : NULL;
	}
}

int vb_recover(struct vb_context *ctx, const struct vb_device_locks *mine,
	       struct vb_recovery **ret, unsigned *ret_n)
{
	struct vb_journal_leftover *left;
	struct vb_recovery *recs;
	unsigned n;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = vb_journal_leftovers(&ctx->roots, mine, &left, &n);
	if (r < 0 || n == 0) {
		free(left);
		return r;
	}
	recs = calloc(n, sizeof(*recs));
	for (unsigned i = 0; recs && i < n; i++) {
		settle(ctx, &left[i], &recs[i]);
		/* A failure is reported once, not by every run after: the device shows in --list. */
		vb_journal_end(&left[i].journal);
	}
	vb_journal_leftovers_free(left, n);
	if (!recs)
		return -ENOMEM;
	*ret = recs;
	*ret_n = n;
	return 0;
}

void vb_recoveries_free(struct vb_recovery *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(r[i].driver);
		free(r[i].override);
	}
	free(r);
}
