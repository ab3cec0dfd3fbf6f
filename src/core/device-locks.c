// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "device-locks.h"
#include "sysfs.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *lock_name(const char *bus, const char *device)
{
	return vb_path("dev/%s-%s", bus, device);
}

struct wait_for_device {
	void (*waiting)(void *data, const char *device, pid_t pid, const char *cmdline);
	void *data;
	const char *device;
};

static void say_waiting(void *data, pid_t pid, const char *cmdline)
{
	struct wait_for_device *w = data;

	if (w->waiting)
		w->waiting(w->data, w->device, pid, cmdline);
}

int vb_device_locks_take(const struct vb_roots *roots, const struct vb_device_key *keys,
			 unsigned n, enum vb_locks_wait how, const volatile sig_atomic_t *stop,
			 void (*waiting)(void *data, const char *device, pid_t pid,
					 const char *cmdline),
			 void *waiting_data, struct vb_device_locks *ret, struct vb_error *err)
{
	struct vb_device_locks l = { 0 };
	int r = 0;

	*ret = l;
	l.names = calloc(n ? n : 1, sizeof(*l.names));
	l.locks = calloc(n ? n : 1, sizeof(*l.locks));
	if (!l.names || !l.locks) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < n; i++)
		l.locks[i] = (struct vb_lock)VB_LOCK_INIT;
	for (unsigned i = 0; i < n; i++) {
		char *name = lock_name(keys[i].bus, keys[i].device);

		if (!name) {
			r = -ENOMEM;
			goto fail;
		}
		l.names[l.n++] = name;
	}
	qsort(l.names, l.n, sizeof(*l.names), name_cmp);
	/* Each device once: a second flock of our own would wait for ourselves. */
	if (l.n > 1) {
		unsigned k = 1;

		for (unsigned i = 1; i < l.n; i++) {
			if (strcmp(l.names[i], l.names[k - 1]) == 0)
				free(l.names[i]);
			else
				l.names[k++] = l.names[i];
		}
		l.n = k;
	}
	for (unsigned i = 0; i < l.n; i++) {
		const char *dash = strchr(l.names[i] + 4, '-');
		struct wait_for_device w = { waiting, waiting_data, dash ? dash + 1 : l.names[i] };
		struct vb_lock *lk = &l.locks[i];

		*lk = (struct vb_lock){ .fd = -1, .roots = roots, .name = l.names[i],
					.no_wait = how == VB_LOCKS_SKIP_HELD, .stop = stop,
					.waiting = say_waiting, .waiting_data = &w };
		r = vb_lock_take(lk, err);
		lk->waiting_data = NULL;
		if (r == -EBUSY && how == VB_LOCKS_SKIP_HELD)
			continue;
		if (r == -ETIMEDOUT) {
			char what[sizeof(err->what)];

			snprintf(what, sizeof(what), "%s", err->what);
			vb_error_set(err, -ETIMEDOUT, "%s, which is moving %s", what, w.device);
			if (how == VB_LOCKS_WAIT_EACH)
				continue;
		}
		if (r < 0)
			goto fail;
	}
	*ret = l;
	return 0;
fail:
	vb_device_locks_release(&l);
	if (r == -ENOMEM)
		vb_error_set(err, -ENOMEM, "out of memory");
	return r;
}

bool vb_device_locks_hold(const struct vb_device_locks *l, const char *file)
{
	for (unsigned i = 0; l && i < l->n; i++)
		if (strcmp(l->names[i] + strlen("dev/"), file) == 0)
			return l->locks[i].fd >= 0;
	return false;
}

int vb_device_lock_try(const struct vb_roots *roots, const char *file, struct vb_lock *ret)
{
	_cleanup_free_ char *path = vb_path("%s/dev/%s", roots->run_dir, file);
	_cleanup_free_ char *dir = vb_path("%s/dev", roots->run_dir);
	int fd;

	*ret = (struct vb_lock)VB_LOCK_INIT;
	if (!path || !dir)
		return -ENOMEM;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return r;
	}
	ret->fd = fd;
	ret->roots = roots;
	return 0;
}

void vb_device_locks_release(struct vb_device_locks *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (l->locks)
			vb_lock_release(&l->locks[i]);
		free(l->names[i]);
	}
	free(l->names);
	free(l->locks);
	*l = (struct vb_device_locks){ 0 };
}
