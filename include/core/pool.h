/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

/*
 * A batch's devices moved side by side: the kernel's work per device (a
 * driver's remove() and probe()) is mostly waiting, and it locks only the
 * device, so many move in the time of the slowest.
 */

/* The default bound on threads: see vb_pool_run. */
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
