/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <pthread.h>
#include <stdbool.h>

/*
 * An fsync that proceeds while the caller does other work (the kernel
 * unbinding and probing a device), so that saving a binding durably adds no
 * wait of its own. It runs on a thread: Linux AIO's IOCB_CMD_FSYNC would
 * need no thread, but tearing its context down waits out two RCU grace
 * periods (30-50 ms measured, longer than the fsync). If the thread cannot
 * start, the wait does a plain fsync. The struct must stay in place while a
 * sync is in flight.
 */
struct vb_sync {
	int fd; /* owned: closed by the wait */
	bool running;
	int result;
	pthread_t thread;
};

#define VB_SYNC_INIT { .fd = -1 }

/* Start syncing fd, which the job takes over (also on failure). */
void vb_sync_start(struct vb_sync *s, int fd);

/* Wait for the sync and close the fd: 0, or the fsync's -errno. */
int vb_sync_wait(struct vb_sync *s);
