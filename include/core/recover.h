/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "context.h"
#include "error.h"
#include "journal.h"

/*
 * Settling what runs that died half-way left: each note in the journal is
 * finished (a bind that reached its VFIO driver and was saved as asked; an
 * unbind, always: the user gave the device up) or undone (a bind that did
 * not get there), and removed, each under its device's lock.
 */
enum vb_recovery_result {
	VB_RECOVERY_UNTOUCHED,   /* the run died before it changed the device */
	VB_RECOVERY_FINISHED,    /* the device is where that run was taking it */
	VB_RECOVERY_ROLLED_BACK, /* back on the driver and override it had */
	VB_RECOVERY_ABSENT,      /* the device is not there any more */
	VB_RECOVERY_FAILED,      /* it could not be settled: error says why */
};

struct vb_recovery {
	struct vb_journal_entry entry;
	bool valid;             /* false: a torn note, so nothing had been done */
	enum vb_recovery_result result;
	char *driver;           /* where the device is now; NULL none */
	char *override;
	struct vb_error error;
};

/* mine: the device locks the caller holds (NULL: none); devices other live runs hold are skipped. */
int vb_recover(struct vb_context *ctx, const struct vb_device_locks *mine,
	       struct vb_recovery **ret, unsigned *ret_n);
void vb_recoveries_free(struct vb_recovery *r, unsigned n);
