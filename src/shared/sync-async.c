// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <unistd.h>

#include "sync-async.h"

/* fsync needs little stack; the default would reserve 8 MiB of address space. */
#define SYNC_STACK (64 * 1024)

static void *sync_main(void *data)
{
	struct vb_sync *s = data;

	s->result = fsync(s->fd) < 0 ? -errno : 0;
	return NULL;
}

void vb_sync_start(struct vb_sync *s, int fd)
{
	pthread_attr_t attr;

	s->fd = fd;
	s->running = false;
	s->result = 0;
	if (fd < 0 || pthread_attr_init(&attr) != 0)
		return;
	if (pthread_attr_setstacksize(&attr, SYNC_STACK) == 0)
		s->running = pthread_create(&s->thread, &attr, sync_main, s) == 0;
	pthread_attr_destroy(&attr);
}

int vb_sync_wait(struct vb_sync *s)
{
	int r;

	if (s->fd < 0)
		return -EBADF;
	if (s->running)
		pthread_join(s->thread, NULL);
	else
		sync_main(s);
	r = s->result;
	close(s->fd);
	s->fd = -1;
	s->running = false;
	return r;
}
