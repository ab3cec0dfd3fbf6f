/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "lock.h"

/*
 * The devices one run moves, each locked exclusively
 * (RUN_DIR/dev/BUS-DEVICE; the files stay, so a lock never changes inode
 * under a waiter). Taken in sorted order, so two runs that share devices
 * never hold one each and wait for the other's.
 */
struct vb_device_key {
	const char *bus;
	const char *device;
};

struct vb_device_locks {
	struct vb_lock *locks;
	char **names; /* "BUS-DEVICE", sorted, each once */
	unsigned n;
};

/* What vb_device_locks_take does with a device another run holds. */
enum vb_locks_wait {
	VB_LOCKS_WAIT,      /* wait; one still held at the timeout: -ETIMEDOUT, nothing held */
	VB_LOCKS_SKIP_HELD, /* pass it over at once */
	VB_LOCKS_WAIT_EACH, /* wait; one still held at the timeout is passed over */
};

/*
 * Lock every device of keys (duplicates once), in sorted order. waiting is
 * told, for each device that another run holds, before this one waits for it
 * (data is waiting_data; device is "DEVICE"). On -ETIMEDOUT err names the
 * holder and the device; VB_LOCKS_WAIT_EACH returns 0 when it gave up on
 * some, with err naming the last of them. A device passed over is not held
 * (vb_device_locks_hold says which were taken). stop (may be NULL) set while
 * waiting: -EINTR, nothing held.
 */
int vb_device_locks_take(const struct vb_roots *roots, const struct vb_device_key *keys,
			 unsigned n, enum vb_locks_wait how, const volatile sig_atomic_t *stop,
			 void (*waiting)(void *data, const char *device, pid_t pid,
					 const char *cmdline),
			 void *waiting_data, struct vb_device_locks *ret, struct vb_error *err);

/* Whether l (may be NULL) holds the lock of the device whose file is "BUS-DEVICE". */
bool vb_device_locks_hold(const struct vb_device_locks *l, const char *file);

/* Take the lock of the device whose file is "BUS-DEVICE" if no run holds it: 0, else -EBUSY. */
int vb_device_lock_try(const struct vb_roots *roots, const char *file, struct vb_lock *ret);

void vb_device_locks_release(struct vb_device_locks *l);
