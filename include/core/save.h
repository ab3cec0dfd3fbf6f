/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bind.h"
#include "store.h"

/*
 * Saving and forgetting a binding as part of a device's move: the hooks a
 * bind or an unbind calls (struct vb_bind_opts), so the file changes with
 * the device, and goes back when the move does.
 */

/*
 * The saved binding of dev on driver, as the udev rule and --restore read it:
 * the module chosen, the modalias (when it can pass for one), and the host
 * driver it was taken from (this move's, else what an earlier save recorded).
 */
void vb_saved_for(const struct vb_roots *roots, const struct vb_device *dev, const char *driver,
		  const struct vb_outcome *out, struct vb_saved *ret);

/* Save the binding of dev, verified on its VFIO driver, in one step. */
int vb_save_binding(const struct vb_roots *roots, const struct vb_device *dev,
		    const struct vb_outcome *out, struct vb_error *err);

/*
 * A bind's saving: the file is written before the kernel's work and renamed
 * into place once the device is verified, or removed if the move fails.
 * After a bind that saved, saved is what was written.
 */
struct vb_save_job {
	const struct vb_roots *roots;
	struct vb_saved saved;
	struct vb_store_pending pending;
};
#define VB_SAVE_JOB_INIT(r) { .roots = (r), .pending = VB_STORE_PENDING_INIT }
void vb_save_job_attach(struct vb_save_job *job, struct vb_bind_opts *opts);

/*
 * An unbind's forgetting: the saved binding is removed before the first
 * write, so a reboot cannot bring back what the user gave up, and written
 * back if the unbind fails (resave_error.code set: it could not be).
 */
struct vb_forget_job {
	const struct vb_roots *roots;
	const char *bus;
	bool had;                 /* a trusted binding was saved: it is what comes back */
	struct vb_saved saved;
	struct vb_error resave_error;
};
/* Read what is saved for the device (forgotten even when untrusted or corrupt); the number of files. */
unsigned vb_forget_job_init(struct vb_forget_job *job, const struct vb_roots *roots,
			    const char *bus, const char *device);
/* The caller syncs the directory once the batch is over (vb_store_sync). */
void vb_forget_job_attach(struct vb_forget_job *job, struct vb_bind_opts *opts);
