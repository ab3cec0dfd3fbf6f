// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "cmd.h"
#include "early-boot.h"
#include "saved-set.h"

void cmd_say_initramfs_stale(struct vb_context *ctx, const struct cmd_opts *o)
{
	const char *command = vb_initramfs_refresh_command(vb_initramfs_tool(&ctx->roots));

	if (!command || o->quiet)
		return;
	cmd_error(NULL, "the saved bindings changed: the copy in the initramfs is out of date "
		  "until you run '%s' (until then early boot applies the old set; the real root "
		  "corrects it)", command);
}

/*
 * Boot, in the real root: a device the initramfs put on VFIO for a binding
 * that is gone since (the initramfs was not rebuilt after --unbind) goes back
 * to its host driver. Said even with --quiet: the journal is where an admin
 * finds why the device moved twice.
 */
static void release_one(struct cmd_run *run, const struct vb_saved_set *set,
			const struct vb_early *rec, const char *refresh)
{
	const struct vb_roots *roots = &run->ctx->roots;
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	struct vb_bind_opts bo = cmd_bind_opts(run->opts);
	struct vb_outcome out = VB_OUTCOME_INIT;
	struct vb_bus scratch;
	const struct vb_bus *bus;

	if (vb_bus_lookup(roots, rec->bus, &scratch, &bus) < 0 ||
	    vb_device_open(roots, bus, rec->device, &dev, NULL) < 0) {
		vb_early_forget(roots, rec->bus, rec->device);
		return;
	}
	if (vb_saved_set_for_device(set, dev))
		return;
	/* Moved since by someone else: theirs to keep. */
	if (!streq_ptr(dev->driver, rec->driver) || !streq_ptr(dev->override, rec->driver)) {
		vb_early_forget(roots, rec->bus, rec->device);
		return;
	}
	vb_unbind(run->ctx, dev, &bo, &out);
	if (out.status == VB_STATUS_UNBOUND) {
		vb_early_forget(roots, rec->bus, rec->device);
		cmd_error(rec->device, "the initramfs bound it to %s, but its binding is no longer saved: "
			  "handed back to %s", rec->driver, dev->driver ? dev->driver : "no driver");
		if (refresh)
			cmd_error(rec->device, "the initramfs is out of date: '%s' refreshes it", refresh);
	} else {
		cmd_error(rec->device, "the initramfs bound it to %s, but its binding is no longer saved; "
			  "it could not be handed back", rec->driver);
	}
	cmd_run_report(run, rec->device, dev, &out, NULL);
	vb_outcome_clear(&out);
}

void cmd_release_stale_early(struct cmd_run *run, const struct vb_saved_set *set)
{
	const char *refresh = vb_initramfs_refresh_command(vb_initramfs_tool(&run->ctx->roots));
	struct vb_early *recs;
	unsigned n;

	if (vb_early_list(&run->ctx->roots, &recs, &n) < 0)
		return;
	for (unsigned i = 0; i < n; i++)
		if (!run->opts->bus_given || strcmp(recs[i].bus, run->opts->bus->name) == 0)
			release_one(run, set, &recs[i], refresh);
	free(recs);
}

void cmd_record_early(struct cmd_run *run, const struct vb_device *dev,
		      const struct vb_outcome *out)
{
	if (!run->record_early || !dev || !vb_driver_is_vfio(dev->driver) ||
	    (out->status != VB_STATUS_BOUND && out->status != VB_STATUS_ALREADY))
		return;
	if (vb_early_record(&run->ctx->roots, dev) < 0)
		cmd_error(dev->name, "cannot record in '%s' that the initramfs bound it",
			  run->ctx->roots.run_dir);
}
