// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cmd.h"
#include "recover.h"
#include "store.h"

static const char *or_none(const char *driver)
{
	return driver ? driver : "no driver";
}

/* One line, even with --quiet: the user must learn that a run of theirs was cut short. */
static void report(const struct vb_recovery *r)
{
	const struct vb_journal_entry *e = &r->entry;
	const char *what = e->op == VB_JOURNAL_BIND ? "binding it" : "handing it back";
	char who[32] = "";

	if (e->pid > 0)
		snprintf(who, sizeof(who), " (PID %d)", (int)e->pid);
	switch (r->result) {
	case VB_RECOVERY_UNTOUCHED:
		if (!r->valid) {
			cmd_error(e->device, "a vfio-bind run was interrupted before it changed anything");
			break;
		}
		cmd_error(e->device, "a vfio-bind run%s was interrupted before it changed anything: it is on %s",
			  who, or_none(r->driver));
		break;
	case VB_RECOVERY_FINISHED:
		cmd_error(e->device, "a vfio-bind run%s was interrupted while %s: finished: it is on %s%s", who,
			  what, or_none(r->driver),
			  e->op == VB_JOURNAL_UNBIND ? " and its binding is no longer saved" : "");
		break;
	case VB_RECOVERY_ROLLED_BACK:
		cmd_error(e->device, "a vfio-bind run%s was interrupted while %s: rolled back: it is on %s again",
			  who, what, or_none(r->driver));
		break;
	case VB_RECOVERY_ABSENT:
		cmd_error(e->device, "a vfio-bind run%s was interrupted while %s; the device is not there now",
			  who, what);
		break;
	case VB_RECOVERY_FAILED:
		cmd_error(e->device, "a vfio-bind run%s was interrupted while %s, and it could not be settled:",
			  who, what);
		cmd_print_error(e->device, &r->error);
		cmd_error(e->device, "COULD NOT SETTLE IT: it is on %s, driver_override '%s'",
			  or_none(r->driver), r->override ? r->override : "(null)");
		break;
	}
}

int cmd_recover(struct vb_context *ctx, const struct vb_device_locks *mine)
{
	struct vb_recovery *recs;
	unsigned n;
	int rc = EXIT_SUCCESS;

	vb_store_drop_stale_temps(&ctx->roots);
	if (vb_recover(ctx, mine, &recs, &n) < 0) {
		cmd_error(NULL, "cannot read what interrupted runs left in '%s/txn'", ctx->roots.run_dir);
		return EXIT_FAILURE;
	}
	for (unsigned i = 0; i < n; i++) {
		/* A torn note: its run died writing it, before it touched anything. */
		report(&recs[i]);
		if (recs[i].result == VB_RECOVERY_FAILED)
			rc = EXIT_FAILURE;
	}
	vb_recoveries_free(recs, n);
	return rc;
}
