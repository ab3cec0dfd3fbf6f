/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "context.h"
#include "device.h"
#include "error.h"
#include "group.h"
#include "owner.h"
#include "resolve.h"

enum vb_status {
	VB_STATUS_BOUND,     /* moved to the VFIO driver and verified */
	VB_STATUS_ALREADY,   /* was on it already: nothing done */
	VB_STATUS_DRY_RUN,   /* steps listed, nothing done */
	VB_STATUS_UNBOUND,   /* handed back (--unbind) */
	VB_STATUS_NOT_BOUND, /* --unbind of a device not on a VFIO driver: nothing done */
	VB_STATUS_ABSENT,    /* --restore: the saved device is not there now */
	VB_STATUS_FORGOTTEN, /* --unbind of a device not there: its saved binding removed */
	VB_STATUS_FAILED,
};

const char *vb_status_name(enum vb_status s);

enum vb_step_kind {
	VB_STEP_LOAD_MODULE,
	VB_STEP_OVERRIDE, /* driver_override */
	VB_STEP_UNBIND,   /* the current driver's unbind */
	VB_STEP_BIND,     /* the new driver's bind */
	VB_STEP_PROBE,    /* the bus's drivers_probe */
	VB_STEP_RESET_METHOD, /* the device's reset_method */
};

/* One thing the transaction does (or, in a dry run, would do). */
struct vb_step {
	enum vb_step_kind kind;
	const char *action; /* "load-module", "write" */
	char *target;       /* module name, or the sysfs file */
	char *value;        /* what is written; NULL for a module */
};

struct vb_device;
struct vb_outcome;
struct vb_holder;

struct vb_bind_opts {
	const char *driver; /* --driver: skip the search */
	bool dry_run;
	bool force;         /* go ahead past the IOMMU check */
	bool driver_saved;  /* driver comes from a saved binding: it was checked then */
	const char *reset_method; /* "flr bus": set before the VFIO driver binds; NULL leave it */
	const struct vb_owner *owner; /* who gets its VFIO nodes once it is bound; NULL root */
	/*
	 * Called once the device is verified on its VFIO driver (or was there
	 * already), e.g. to save the binding; a failure rolls the bind back.
	 */
	int (*commit)(void *data, const struct vb_device *dev, const struct vb_outcome *out,
		      struct vb_error *err);
	/*
	 * Optional, with commit: called just before the first write, the VFIO
	 * driver chosen, to begin what commit finishes (the disk writes the saved
	 * binding while the kernel moves the device). A failure there changes
	 * nothing; a failed move after it calls abandon.
	 */
	int (*prepare)(void *data, const struct vb_device *dev, const struct vb_outcome *out,
		       struct vb_error *err);
	void (*abandon)(void *data);
	void *commit_data;
	/* --force past a process that holds the device: told who, before it blocks. */
	void (*waiting)(void *data, const struct vb_device *dev, const struct vb_holder *holders,
			unsigned n);
	void *waiting_data;
	/* A batch: at most jobs devices moved at once (0: the default); none started once *stop. */
	unsigned jobs;
	const volatile sig_atomic_t *stop;
};

/* Everything the command layer needs to report one device. */
struct vb_outcome {
	enum vb_status status;
	bool unbind;         /* an unbind: back to the host driver */
	struct vb_choice choice;
	char *vfio_module;
	char *vfio_driver;
	char *old_driver;
	char *old_override;
	char *reset_method;     /* what this move set (saved with the binding); NULL none */
	char *old_reset_method; /* what it was before, put back on rollback */
	struct vb_owner owner;  /* who its VFIO nodes were given to (saved with the binding) */
	int probe_error;     /* what the driver's bind file returned, negative errno */
	bool touched;        /* something was written to the device (else nothing to put back) */
	bool rolled_back;    /* the device is back where it was */
	bool vanished;       /* the device was removed while it was being moved */
	bool held;           /* --force: a process holds it, so its unbind waits for that */
	int group_viable;    /* 1/0: its IOMMU group can go to a VM afterwards; -1 unknown */
	struct vb_group_member *group_blockers; /* what keeps it from being viable */
	unsigned n_group_blockers;
	struct vb_step *steps;
	unsigned n_steps;
	struct vb_error error;
};

#define VB_OUTCOME_INIT { .group_viable = -1 }

void vb_outcome_clear(struct vb_outcome *out);

/*
 * Move dev to its VFIO driver: override, unbind, bind,
 * verify through the driver link, and on failure put back the old override
 * and driver. dev is re-read on the way, so it shows the end state. What
 * happened is in out: its status, and its error when that is
 * VB_STATUS_FAILED. A dry run lists the steps the real move takes.
 */
void vb_bind(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
	    struct vb_outcome *out);

/* Hand dev back to its host driver: clear the override, unbind, reprobe. Reported in out. */
void vb_unbind(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
	       struct vb_outcome *out);

/*
 * vb_bind and vb_unbind in two halves, for a batch. The first does
 * everything that reads, decides and loads modules (libkmod is not
 * thread-safe), one device after the other: true when the device is to be
 * moved, false when out already says how it ended (on its driver already,
 * refused, a dry run). The second does the device's writes, its note and the
 * hooks, and may run in a thread beside other devices' moves.
 */
bool vb_bind_prepare(struct vb_context *ctx, struct vb_device *dev,
		     const struct vb_bind_opts *opts, struct vb_outcome *out);
void vb_bind_move(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		  struct vb_outcome *out);
bool vb_unbind_prepare(struct vb_context *ctx, struct vb_device *dev,
		       const struct vb_bind_opts *opts, struct vb_outcome *out);
void vb_unbind_move(struct vb_context *ctx, struct vb_device *dev,
		    const struct vb_bind_opts *opts, struct vb_outcome *out);
/* A device decided (vb_bind_prepare true) that will not be moved: what deciding set goes back. */
void vb_bind_abandon(struct vb_device *dev, struct vb_outcome *out);

/*
 * Put a device a bind moved back on the driver and override it had (used when
 * a --group transaction fails after this device succeeded). True when back.
 */
bool vb_bind_undo(struct vb_context *ctx, struct vb_device *dev, struct vb_outcome *out);

/*
 * Put a device back on old_driver (NULL: none) with old_override (NULL: none)
 * from wherever it is now; true when it is there.
 */
bool vb_put_back(struct vb_context *ctx, struct vb_device *dev, const char *old_driver,
		 const char *old_override);

/*
 * Whether dev's IOMMU group can go to a VM once dev is on VFIO, and what is
 * in the way. going (n_going names on dev's bus, may be NULL) are the other
 * devices the same batch moves to VFIO: judged where the batch puts them.
 */
void vb_outcome_group_viability(struct vb_context *ctx, const struct vb_device *dev,
				struct vb_outcome *out, char *const *going, unsigned n_going);
