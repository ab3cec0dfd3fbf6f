/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

/*
 * A batch's devices moved side by side: the kernel's work per device (a
 * driver's remove() and probe()) is mostly waiting, and it locks only the
 * device, so many move in the time of the slowest.
 */

/* The default bound on threads. */
#define VB_POOL_JOBS_DEFAULT 256

/*
 * Call fn(data, i) for each i below n, on at most jobs threads (the caller's
 * own thread when jobs or n is 1, or when no thread can be made). Once *stop
 * is set (by a signal handler: SIGINT, SIGTERM and SIGHUP are blocked in
 * the threads, so the caller's thread takes them), no further i is started;
 * those in flight finish. Returns how many were started: fn ran for a prefix
 * of the indices only if stopped, so the caller marks the rest.
 */
unsigned vb_pool_run(unsigned n, unsigned jobs, void (*fn)(void *data, unsigned i), void *data,
		     const volatile sig_atomic_t *stop);

/*
 * The same, for items known one at a time: a batch's devices start moving
 * while the next ones are still being decided. vb_pool_new makes room for max
 * items; vb_pool_add hands one over (a free worker takes it, or a new thread
 * up to jobs, or, with none to be had, the caller's thread before it returns);
 * vb_pool_finish waits for all of them and returns how many of the items
 * added were started (a prefix, in the order added). NULL: out of memory.
 */
struct vb_pool;
struct vb_pool *vb_pool_new(unsigned max, unsigned jobs, void (*fn)(void *data, unsigned i),
			    void *data, const volatile sig_atomic_t *stop);
void vb_pool_add(struct vb_pool *p, unsigned i);
unsigned vb_pool_finish(struct vb_pool *p);
