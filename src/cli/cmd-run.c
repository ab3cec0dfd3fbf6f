// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "resolve.h"
#include "checks.h"
#include "group.h"
#include "holders.h"

void cmd_run_init(struct cmd_run *run, struct vb_context *ctx, const struct cmd_opts *o)
{
	*run = (struct cmd_run){ .ctx = ctx, .opts = o, .rc = EXIT_SUCCESS };
}

static void say_waiting(void *data, const struct vb_device *dev, const struct vb_holder *h,
			unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (h[i].device)
			cmd_error(dev->name, "waiting for process %d (%s) to let go of %s", (int)h[i].pid,
				  h[i].comm, h[i].node);
		else
			cmd_error(dev->name, "process %d (%s) holds %s but not the device: it loses it now",
				  (int)h[i].pid, h[i].comm, h[i].node);
}

struct vb_bind_opts cmd_bind_opts(const struct cmd_opts *o)
{
	return (struct vb_bind_opts){ .driver = o->driver, .dry_run = o->dry_run, .force = o->force,
				      .waiting = say_waiting, .jobs = o->jobs,
				      .reset_method = o->reset_method[0] ? o->reset_method : NULL,
				      .owner = o->owner.set ? &o->owner : NULL,
				      .stop = &cmd_stop_requested };
}

/* Each step as {action, target, value}. */
static void record_steps(struct vb_record *rec, const struct vb_outcome *out)
{
	struct vb_record *steps = vb_record_array(rec, "steps", true);

	for (unsigned i = 0; i < out->n_steps; i++) {
		struct vb_record *step = vb_record_object(steps, NULL, true);

		vb_record_string(step, "action", NULL, out->steps[i].action);
		vb_record_string(step, "target", NULL, out->steps[i].target);
		vb_record_string(step, "value", NULL, out->steps[i].value);
	}
}

/*
 * The host driver a bind moved the device from, when it is built into the
 * kernel: it binds at device_add, before any initramfs or udev rule can hold
 * it back, so at every boot the device is moved from it again.
 */
static const char *builtin_host(struct cmd_run *run, const struct vb_device *dev,
				const struct vb_outcome *out)
{
	if (!dev || out->unbind || !out->old_driver || vb_driver_is_vfio(out->old_driver) ||
	    (out->status != VB_STATUS_BOUND && out->status != VB_STATUS_DRY_RUN))
		return NULL;
	return vb_driver_is_builtin(&run->ctx->roots, dev->bus, out->old_driver) == 1 ? out->old_driver
										   : NULL;
}

/* The members in a group's way, as "0000:00:1f.3 (snd_hda_intel), ...". */
static char *blockers_text(const struct vb_outcome *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (out->n_group_blockers == 0 || !(f = open_memstream(&buf, &len)))
		return NULL;
	for (unsigned i = 0; i < out->n_group_blockers; i++)
		fprintf(f, "%s%s (%s)", i ? ", " : "", out->group_blockers[i].name,
			out->group_blockers[i].driver);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void fill_record(struct vb_record *rec, struct vb_context *ctx, const char *name,
			const struct vb_device *dev, const struct vb_outcome *out, const char *saved,
			const char *builtin)
{
	_cleanup_free_ char *node = NULL, *cdev = NULL, *blockers = blockers_text(out);
	struct vb_record *tied;

	if (dev && vb_driver_is_vfio(dev->driver)) {
		node = vb_device_group_node(&ctx->roots, dev);
		cdev = vb_device_cdev_node(&ctx->roots, dev);
	}
	vb_record_string(rec, "bus", NULL, dev ? dev->bus->name : NULL);
	vb_record_string(rec, "device", NULL, name);
	vb_record_string(rec, "status", NULL, vb_status_name(out->status));
	vb_record_string(rec, "driver", NULL, dev ? dev->driver : NULL);
	vb_record_string(rec, "previous_driver", NULL, out->old_driver);
	vb_record_string(rec, "driver_override", NULL, dev ? dev->override : NULL);
	vb_record_string(rec, "vfio_driver", NULL, out->vfio_driver);
	vb_record_string(rec, "vfio_module", NULL, out->vfio_module);
	vb_record_string(rec, "vfio_alias", NULL, out->choice.pattern);
	/* The other modules that matched as well as the winner. */
	tied = vb_record_array(rec, "tied_with", out->choice.n_tied > 1);
	for (unsigned i = 1; i < out->choice.n_tied; i++)
		vb_record_string(tied, NULL, NULL, out->choice.candidates[i].module);
	vb_record_int(rec, "iommu_group", NULL, dev ? dev->iommu_group : -1,
		      dev && dev->iommu_group >= 0);
	vb_record_string(rec, "vfio_group_node", NULL, node);
	vb_record_string(rec, "vfio_cdev", NULL, cdev);
	vb_record_string(rec, "reset_method", NULL, out->reset_method);
	{
		char owner[32];

		vb_owner_format(&out->owner, owner, sizeof(owner));
		vb_record_string(rec, "owner", NULL, owner[0] ? owner : NULL);
	}
	vb_record_string(rec, "saved", NULL, saved);
	vb_record_string(rec, "host_driver_builtin", NULL, builtin);
	vb_record_bool(rec, "group_viable", NULL, out->group_viable == 1, out->group_viable >= 0);
	vb_record_string(rec, "group_blockers", NULL, blockers);
	vb_record_bool(rec, "rolled_back", NULL, out->rolled_back, true);
	vb_record_string(rec, "error", NULL, out->error.code ? out->error.what : NULL);
	vb_record_string(rec, "hint", NULL, out->error.code && out->error.hint[0] ? out->error.hint : NULL);
	record_steps(rec, out);
}

static void print_steps(const struct vb_outcome *out, FILE *f)
{
	for (unsigned i = 0; i < out->n_steps; i++) {
		const struct vb_step *s = &out->steps[i];

		if (!s->value)
			fprintf(f, "  load module %s\n", s->target);
		else if (strcmp(s->value, "\n") == 0)
			fprintf(f, "  write '\\n' to %s\n", s->target);
		else
			fprintf(f, "  write '%s' to %s\n", s->value, s->target);
	}
}

static const char *or_none(const char *driver)
{
	return driver ? driver : "no driver";
}

static void print_outcome(struct cmd_run *run, const char *name, const struct vb_device *dev,
			  const struct vb_outcome *out)
{
	const struct cmd_opts *o = run->opts;
	FILE *f = o->json ? stderr : stdout;
	bool talk = !o->quiet && !o->json;

	if (out->choice.n_tied > 1 && !o->quiet)
		cmd_error(name, "note: %u modules match equally well (%u wildcards); chose '%s', the first by name",
			  out->choice.n_tied, out->choice.candidates[0].wildcards, out->vfio_module);
	if (o->verbose && out->status != VB_STATUS_DRY_RUN)
		print_steps(out, f);
	if (out->group_viable == 0 && out->n_group_blockers && !o->quiet &&
	    (out->status == VB_STATUS_BOUND || out->status == VB_STATUS_DRY_RUN)) {
		_cleanup_free_ char *blockers = blockers_text(out);

		cmd_error(name, "warning: its IOMMU group %d is not viable for a VM: %s stay%s on a host driver; "
			  "--group binds the whole group", dev->iommu_group, blockers ? blockers : "others",
			  out->n_group_blockers > 1 ? "" : "s");
	}

	switch (out->status) {
	case VB_STATUS_BOUND: {
		/*
		 * Only a VFIO driver gives userspace a group node (not pci-stub), and
		 * from 6.6 the device's own node, which iommufd users open instead.
		 */
		bool vfio = vb_driver_is_vfio(dev->driver);
		_cleanup_free_ char *node = vfio ? vb_device_group_node(&run->ctx->roots, dev) : NULL;
		_cleanup_free_ char *cdev = vfio ? vb_device_cdev_node(&run->ctx->roots, dev) : NULL;

		if (talk)
			fprintf(f, "%s: %s -> %s (module %s)%s%s%s%s\n", name, or_none(out->old_driver),
				dev->driver, out->vfio_module ? out->vfio_module : "built in",
				node ? ", " : "", node ? node : "", !cdev ? "" : node ? " and " : ", ",
				cdev ? cdev : "");
		break;
	}
	case VB_STATUS_ALREADY:
		if (talk)
			fprintf(f, "%s: already on %s\n", name, dev->driver);
		break;
	case VB_STATUS_DRY_RUN:
		if (o->quiet)
			break;
		if (out->unbind)
			fprintf(f, "%s: would hand it back from %s, nothing done:\n", name,
				or_none(out->old_driver));
		else
			fprintf(f, "%s: would move %s -> %s (module %s%s%s%s), nothing done:\n", name,
				or_none(out->old_driver),
				out->vfio_driver ? out->vfio_driver : "its driver", out->vfio_module,
				out->choice.pattern ? ", alias '" : "",
				out->choice.pattern ? out->choice.pattern : "",
				out->choice.pattern ? "'" : "");
		print_steps(out, f);
		break;
	case VB_STATUS_UNBOUND:
		if (dev->driver) {
			if (talk)
				fprintf(f, "%s: %s -> %s\n", name, or_none(out->old_driver), dev->driver);
		} else if (!o->quiet && vb_device_vf_autoprobe_off(dev)) {
			cmd_error(name, "%s -> no driver: its PF has sriov_drivers_autoprobe=0, so no host driver is probed for it",
				  or_none(out->old_driver));
		} else if (!o->quiet) {
			cmd_error(name, "%s -> no driver: no host driver claimed it (is its module installed?)",
				  or_none(out->old_driver));
		}
		break;
	case VB_STATUS_NOT_BOUND:
		if (talk)
			fprintf(f, "%s: not on a VFIO driver (on %s), nothing to do\n", name,
				or_none(out->old_driver));
		break;
	case VB_STATUS_ABSENT:
		if (talk)
			fprintf(f, "%s: not present, its saved binding waits for it\n", name);
		break;
	case VB_STATUS_FORGOTTEN:
		if (talk)
			fprintf(f, "%s: not present; saved binding removed\n", name);
		break;
	case VB_STATUS_FAILED:
		cmd_print_error(name, &out->error);
		if (dev && out->touched && out->unbind && !out->rolled_back) {
			/* Off VFIO as asked; what is missing is a host driver, which the error says. */
			cmd_error(name, "it is on %s now, driver_override '%s'", or_none(dev->driver),
				  dev->override ? dev->override : "(null)");
		} else if (dev && out->touched) {
			if (out->rolled_back)
				cmd_error(name, "put back on %s as it was", or_none(out->old_driver));
			else
				cmd_error(name, "COULD NOT PUT IT BACK: it is on %s now, driver_override '%s'",
					  or_none(dev->driver), dev->override ? dev->override : "(null)");
		}
		break;
	}
}

void cmd_run_report(struct cmd_run *run, const char *name, const struct vb_device *dev,
		    const struct vb_outcome *out, const char *saved)
{
	const char *builtin;

	/* What was read of a device that has gone since says nothing true now. */
	if (out->vanished)
		dev = NULL;
	print_outcome(run, name, dev, out);
	builtin = builtin_host(run, dev, out);
	if (builtin && saved && !run->opts->quiet)
		cmd_error(name, "note: %s is built into the kernel: it takes the device at every boot "
			  "before anything can hold it back, and is then moved off it again (see BUILT-IN "
			  "HOST DRIVERS in vfio-bind(8))", builtin);
	cmd_record_early(run, dev, out);
	if (out->status == VB_STATUS_FAILED)
		run->rc = EXIT_FAILURE;
	if (run->opts->json) {
		struct vb_record *more = realloc(run->recs, (run->n + 1) * sizeof(*more));

		if (!more) {
			run->rc = EXIT_FAILURE;
			return;
		}
		run->recs = more;
		run->recs[run->n] = (struct vb_record){ 0 };
		fill_record(&run->recs[run->n++], run->ctx, name, dev, out, saved, builtin);
	}
}

int cmd_run_finish(struct cmd_run *run)
{
	if (run->opts->json)
		vb_output_json(stdout, run->recs, run->n);
	for (unsigned i = 0; i < run->n; i++)
		vb_record_clear(&run->recs[i]);
	free(run->recs);
	run->recs = NULL;
	return run->rc;
}
