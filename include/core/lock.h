/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "roots.h"

/*
 * A flock on a file under RUN_DIR, on tmpfs, so it can be taken while the
 * saved bindings sit on a read-only file system. Runs that change drivers or
 * saved state hold RUN_DIR/lock shared, and each device they move exclusively
 * (RUN_DIR/dev/BUS-DEVICE, see device-locks.h): runs on different devices go
 * at once, two on one device take turns. An exclusive holder writes its PID
 * and command line into the file, so a run that has to wait can say for whom.
 */
struct vb_lock {
	int fd; /* -1: not held */
	const struct vb_roots *roots;
	const char *name; /* the file under RUN_DIR; NULL: "lock" */
	bool shared;
	bool no_wait;   /* held by another: -EBUSY at once, nobody told */
	unsigned timeout_s;
	/* Set while waiting (a signal asked the run to stop): -EINTR, the lock not taken. */
	const volatile sig_atomic_t *stop;
	/* Told once, before a run starts to wait: who holds the lock (pid 0: unknown). */
	void (*waiting)(void *data, pid_t pid, const char *cmdline);
	void *waiting_data;
};

#define VB_LOCK_INIT { .fd = -1 }

/* The default wait before giving up, in seconds: VFIO_BIND_LOCK_TIMEOUT overrides it. */
#define VB_LOCK_TIMEOUT_DEFAULT 60

/*
 * Take the lock, waiting at most lock->timeout_s seconds (0: the default).
 * -ETIMEDOUT with err naming the holder when it is not free by then;
 * -EBUSY (err untouched) when held and lock->no_wait; -EINTR when
 * lock->stop was set while waiting; -EACCES/-EPERM when this user may not
 * take it.
 */
int vb_lock_take(struct vb_lock *lock, struct vb_error *err);

/* Let it go; vb_lock_take takes it again. */
void vb_lock_release(struct vb_lock *lock);

/* Who holds the lock now, from what it wrote into the file: 0 when unknown. */
pid_t vb_lock_holder(int fd, char *cmdline, size_t size);
