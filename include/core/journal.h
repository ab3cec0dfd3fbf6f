/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "device-locks.h"
#include "error.h"
#include "name.h"
#include "roots.h"

/*
 * A transaction in flight, written to RUN_DIR/txn/BUS-DEVICE before its first
 * write and removed once the device is settled, so that a run killed half-way
 * (udev kills slow workers; Ctrl-C) leaves a note the next run finds. The file
 * stays flock'ed while its run lives: a note whose lock can be taken is left
 * over from a run that died.
 */
enum vb_journal_op {
	VB_JOURNAL_BIND,   /* to a VFIO driver: finished if there and saved as asked, else undone */
	VB_JOURNAL_UNBIND, /* back to the host: finished (forgotten and handed back) */
};

struct vb_journal_entry {
	enum vb_journal_op op;
	pid_t pid;
	bool save;                         /* the bind was to be saved */
	char bus[16];
	char device[VB_NAME_MAX + 1];
	char driver[VB_NAME_MAX + 1];      /* the VFIO driver a bind moves to */
	char old_driver[VB_NAME_MAX + 1];  /* "" none */
	char old_override[VB_NAME_MAX + 1];
	bool had_override;
};

struct vb_journal {
	int fd; /* -1: none begun */
	char *path;
};

#define VB_JOURNAL_INIT { .fd = -1 }

/*
 * Write the note. -EBUSY (err says by whom) when another live run has one for
 * the same device: it is moving it now.
 */
int vb_journal_begin(const struct vb_roots *roots, const struct vb_journal_entry *e,
		     struct vb_journal *j, struct vb_error *err);
/* The device is settled: remove the note. */
void vb_journal_end(struct vb_journal *j);

int vb_journal_parse(const char *text, struct vb_journal_entry *ret);

/*
 * The notes runs that died left behind, of devices no other live run holds
 * (those in mine, the caller's own, may be NULL, and those free, locked
 * here), each note locked by the caller while it is
 * handled: paths and parsed entries (valid false when the note was empty or
 * torn, i.e. the run died writing it, before touching the device).
 */
struct vb_journal_leftover {
	struct vb_journal journal;
	struct vb_lock device_lock; /* held while it is settled, unless the caller holds it */
	struct vb_journal_entry entry;
	bool valid;
};

int vb_journal_leftovers(const struct vb_roots *roots, const struct vb_device_locks *mine,
			 struct vb_journal_leftover **ret, unsigned *ret_n);
void vb_journal_leftovers_free(struct vb_journal_leftover *l, unsigned n);
