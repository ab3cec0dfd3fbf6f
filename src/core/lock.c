// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "lock.h"
#include "sysfs.h"

static unsigned timeout_of(const struct vb_lock *lock)
{
	const char *v = secure_getenv("VFIO_BIND_LOCK_TIMEOUT");
	char *end;
	unsigned long n;

	if (lock->timeout_s)
		return lock->timeout_s;
	if (v && *v) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!errno && !*end && n > 0 && n <= 24 * 3600)
			return (unsigned)n;
	}
	return VB_LOCK_TIMEOUT_DEFAULT;
}

pid_t vb_lock_holder(int fd, char *cmdline, size_t size)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end, *nl;
	long pid;

	cmdline[0] = '\0';
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	pid = strtol(buf, &end, 10);
	if (pid <= 0 || end == buf || (*end && *end != ' '))
		return 0;
	snprintf(cmdline, size, "%s", *end ? end + 1 : "");
	for (char *c = cmdline; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return (pid_t)pid;
}

/* "PID argv0 argv1 ...", for whoever has to wait for this run. */
static void write_holder(int fd)
{
	char cmd[400] = "", line[440];
	int cfd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = cfd >= 0 ? read(cfd, cmd, sizeof(cmd) - 1) : -1;
	int len;

	if (cfd >= 0)
		close(cfd);
	for (ssize_t i = 0; i < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	cmd[n > 0 ? n : 0] = '\0';
	while (n > 0 && cmd[n - 1] == ' ')
		cmd[--n] = '\0';
	len = snprintf(line, sizeof(line), "%d %s\n", (int)getpid(), cmd);
	if (ftruncate(fd, 0) == 0 && len > 0)
		(void)!pwrite(fd, line, (size_t)len, 0);
}

/*
 * Try the lock until it is ours or the time is up. Polled, not a blocking
 * flock() cut short by a timer: a timer signal is the process's, and other
 * threads of a batch may be moving devices meanwhile.
 */
static int wait_for(int fd, int op, unsigned timeout_s, const volatile sig_atomic_t *stop)
{
	double deadline = vb_now_s() + timeout_s;
	unsigned ms = 5;

	while (flock(fd, op | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (stop && __atomic_load_n(stop, __ATOMIC_RELAXED))
			return -EINTR;
		if (vb_now_s() >= deadline)
			return -ETIMEDOUT;
		vb_sleep_ms(ms);
		if (ms < 100)
			ms *= 2;
	}
	return 0;
}

int vb_lock_take(struct vb_lock *lock, struct vb_error *err)
{
	_cleanup_free_ char *path = vb_path("%s/%s", lock->roots->run_dir, lock->name ? lock->name : "lock");
	_cleanup_free_ char *dir = path ? strdup(path) : NULL;
	int op = lock->shared ? LOCK_SH : LOCK_EX;
	unsigned timeout_s = timeout_of(lock);
	char cmdline[400];
	pid_t pid;
	int fd, r;

	if (!dir)
		return -ENOMEM;
	*strrchr(dir, '/') = '\0';
	if (mkdir(lock->roots->run_dir, 0755) < 0 && errno != EEXIST)
		return vb_error_set_sys(err, -errno, "cannot create '%s'", lock->roots->run_dir);
	if (strcmp(dir, lock->roots->run_dir) != 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vb_error_set_sys(err, -errno, "cannot create '%s'", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return vb_error_set_sys(err, -errno, "cannot open the lock '%s'", path);
	if (flock(fd, op | LOCK_NB) == 0)
		goto taken;
	if (errno != EWOULDBLOCK) {
		r = -errno;
		close(fd);
		return vb_error_set_sys(err, r, "cannot lock '%s'", path);
	}
	if (lock->no_wait) {
		close(fd);
		return -EBUSY;
	}
	pid = vb_lock_holder(fd, cmdline, sizeof(cmdline));
	if (lock->waiting)
		lock->waiting(lock->waiting_data, pid, cmdline);
	r = wait_for(fd, op, timeout_s, lock->stop);
	if (r < 0) {
		/* Whoever holds it now: it may have changed hands while we waited. */
		pid = vb_lock_holder(fd, cmdline, sizeof(cmdline));
		close(fd);
		if (r == -EINTR)
			return vb_error_set(err, -EINTR, "stopped while waiting for the lock '%s'", path);
		if (r != -ETIMEDOUT)
			return vb_error_set_sys(err, r, "cannot lock '%s'", path);
		if (pid > 0)
			vb_error_set(err, -ETIMEDOUT, "gave up after %u s waiting for the lock held by PID %d (%s)",
				     timeout_s, (int)pid, cmdline);
		else
			vb_error_set(err, -ETIMEDOUT, "gave up after %u s waiting for the lock '%s'",
				     timeout_s, path);
		vb_error_hint(err, "try again when that run is done (VFIO_BIND_LOCK_TIMEOUT=SECONDS waits longer)");
		return -ETIMEDOUT;
	}
taken:
	/* Shared holders are many: only the one who excludes the others says who it is. */
	if (!lock->shared)
		write_holder(fd);
	lock->fd = fd;
	return 0;
}

void vb_lock_release(struct vb_lock *lock)
{
	if (lock->fd < 0)
		return;
	close(lock->fd);
	lock->fd = -1;
}
