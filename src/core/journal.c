// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "dir.h"
#include "device.h"
#include "journal.h"
#include "sysfs.h"

static char *journal_dir(const struct vb_roots *roots)
{
	return vb_path("%s/txn", roots->run_dir);
}

static char *format(const struct vb_journal_entry *e)
{
	return vb_path("op=%s\npid=%d\nsave=%d\nbus=%s\ndevice=%s\ndriver=%s\nold_driver=%s\n"
		       "had_override=%d\nold_override=%s\n",
		       e->op == VB_JOURNAL_BIND ? "bind" : "unbind", (int)e->pid, e->save, e->bus,
		       e->device, e->driver, e->old_driver, e->had_override, e->old_override);
}

static int field(char *dst, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -EINVAL;
	strcpy(dst, value);
	return 0;
}

int vb_journal_parse(const char *text, struct vb_journal_entry *ret)
{
	struct vb_journal_entry e = { 0 };
	bool have_op = false;
	char line[VB_NAME_MAX + 32];

	/* Written in one write(2) that ends with this key: a torn note lacks it. */
	if (!strstr(text, "\nold_override=") || text[strlen(text) - 1] != '\n')
		return -EINVAL;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *eq;
		int r = 0;

		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		eq = strchr(line, '=');
		if (!eq)
			return -EINVAL;
		*eq++ = '\0';
		if (strcmp(line, "op") == 0) {
			have_op = true;
			if (strcmp(eq, "bind") == 0)
				e.op = VB_JOURNAL_BIND;
			else if (strcmp(eq, "unbind") == 0)
				e.op = VB_JOURNAL_UNBIND;
			else
				return -EINVAL;
		} else if (strcmp(line, "pid") == 0) {
			e.pid = (pid_t)atoi(eq);
		} else if (strcmp(line, "save") == 0) {
			e.save = strcmp(eq, "1") == 0;
		} else if (strcmp(line, "bus") == 0) {
			r = field(e.bus, sizeof(e.bus), eq);
		} else if (strcmp(line, "device") == 0) {
			r = field(e.device, sizeof(e.device), eq);
		} else if (strcmp(line, "driver") == 0) {
			r = field(e.driver, sizeof(e.driver), eq);
		} else if (strcmp(line, "old_driver") == 0) {
			r = field(e.old_driver, sizeof(e.old_driver), eq);
		} else if (strcmp(line, "had_override") == 0) {
			e.had_override = strcmp(eq, "1") == 0;
		} else if (strcmp(line, "old_override") == 0) {
			r = field(e.old_override, sizeof(e.old_override), eq);
		}
		if (r < 0)
			return r;
	}
	if (!have_op || !vb_name_is_valid(e.bus) || !vb_name_is_valid(e.device) ||
	    (e.driver[0] && !vb_name_is_valid(e.driver)) ||
	    (e.old_driver[0] && !vb_name_is_valid(e.old_driver)) ||
	    (e.op == VB_JOURNAL_BIND && !e.driver[0]))
		return -EINVAL;
	*ret = e;
	return 0;
}

int vb_journal_begin(const struct vb_roots *roots, const struct vb_journal_entry *e,
		     struct vb_journal *j, struct vb_error *err)
{
	_cleanup_free_ char *dir = journal_dir(roots);
	_cleanup_free_ char *text = format(e);
	struct stat a, b;
	size_t len;
	int fd;

	*j = (struct vb_journal)VB_JOURNAL_INIT;
	if (!dir || !text)
		return -ENOMEM;
	j->path = vb_path("%s/%s-%s", dir, e->bus, e->device);
	if (!j->path)
		return -ENOMEM;
	if ((mkdir(roots->run_dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) < 0 && errno != EEXIST)) {
		vb_error_set_sys(err, -errno, "cannot create '%s' for the note of what this run does", dir);
		goto fail;
	}
	for (;;) {
		fd = open(j->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			vb_error_set_sys(err, -errno, "cannot write '%s'", j->path);
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			struct vb_journal_entry other;
			char note[1024];
			ssize_t got = pread(fd, note, sizeof(note) - 1, 0);
			int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

			close(fd);
			if (r != -EBUSY) {
				vb_error_set_sys(err, r, "cannot lock '%s'", j->path);
				goto fail;
			}
			note[got > 0 ? got : 0] = '\0';
			if (vb_journal_parse(note, &other) == 0 && other.pid > 0)
				vb_error_set(err, -EBUSY, "another vfio-bind run (PID %d) is moving it now",
					     (int)other.pid);
			else
				vb_error_set(err, -EBUSY, "another vfio-bind run is moving it now");
			vb_error_hint(err, "try again when that run is done");
			goto fail;
		}
		/* Removed by its run just before we locked it: take a fresh one. */
		if (fstat(fd, &a) == 0 && stat(j->path, &b) == 0 && a.st_ino == b.st_ino)
			break;
		close(fd);
	}
	len = strlen(text);
	if (ftruncate(fd, 0) < 0 || write(fd, text, len) != (ssize_t)len) {
		int r = errno ? -errno : -EIO;

		unlink(j->path);
		close(fd);
		vb_error_set_sys(err, r, "cannot write '%s'", j->path);
		goto fail;
	}
	j->fd = fd;
	return 0;
fail:
	free(j->path);
	j->path = NULL;
	return err && err->code ? err->code : -EIO;
}

void vb_journal_end(struct vb_journal *j)
{
	if (j->fd >= 0) {
		unlink(j->path);
		close(j->fd);
	}
	free(j->path);
	*j = (struct vb_journal)VB_JOURNAL_INIT;
}

int vb_journal_leftovers(const struct vb_roots *roots, const struct vb_device_locks *mine,
			 struct vb_journal_leftover **ret, unsigned *ret_n)
{
	_cleanup_free_ char *dir = journal_dir(roots);
	struct vb_journal_leftover *list = NULL;
	char **names = NULL;
	unsigned n = 0, count = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!dir)
		return -ENOMEM;
	if (vb_dir_list(dir, 0, &names, &n) < 0)
		return 0;
	list = calloc(n ? n : 1, sizeof(*list));
	for (unsigned i = 0; list && i < n; i++) {
		struct vb_journal_leftover *l = &list[count];
		char text[1024];
		ssize_t len;
		int fd;

		/*
		 * The device first, as every run takes it (the note is named like its
		 * lock): one a live run holds is that run's to settle.
		 */
		l->device_lock = (struct vb_lock)VB_LOCK_INIT;
		if (!vb_device_locks_hold(mine, names[i]) &&
		    vb_device_lock_try(roots, names[i], &l->device_lock) < 0)
			continue;
		l->journal.path = vb_path("%s/%s", dir, names[i]);
		fd = l->journal.path ? open(l->journal.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC) : -1;
		/* A live run's note (locked) is that run's business. */
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (fd >= 0)
				close(fd);
			free(l->journal.path);
			vb_lock_release(&l->device_lock);
			continue;
		}
		l->journal.fd = fd;
		len = pread(fd, text, sizeof(text) - 1, 0);
		text[len > 0 ? len : 0] = '\0';
		l->valid = len > 0 && vb_journal_parse(text, &l->entry) == 0;
		/* A torn note still names its device: "BUS-DEVICE". */
		if (!l->valid) {
			const char *dash = strchr(names[i], '-');

			snprintf(l->entry.device, sizeof(l->entry.device), "%s", dash ? dash + 1 : names[i]);
		}
		count++;
	}
	vb_strv_free(names, n);
	if (!list)
		return -ENOMEM;
	*ret = list;
	*ret_n = count;
	return 0;
}

void vb_journal_leftovers_free(struct vb_journal_leftover *l, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (l[i].journal.fd >= 0)
			close(l[i].journal.fd);
		free(l[i].journal.path);
		vb_lock_release(&l[i].device_lock);
	}
	free(l);
}
