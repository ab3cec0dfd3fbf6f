// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "lock.h"
#include "sysfs.h"

static void on_alarm(int sig)
{
	(void)sig; /* only there to interrupt flock() */
}

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Block in flock() until it is ours or the time is up; SIGALRM cuts the wait short. */
static int wait_for(int fd, unsigned timeout_s)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval tick = { .it_interval = { 0, 200000 }, .it_value = { 0, 200000 } }, off = { 0 };
	double deadline = now_s() + timeout_s;
	int r = 0;

	/* No SA_RESTART: flock() must return EINTR so the deadline is looked at. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old_sa) < 0)
		return -errno;
	setitimer(ITIMER_REAL, &tick, NULL);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			break;
		}
		if (now_s() >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	return r;
}

int vb_lock_take(struct vb_lock *lock, struct vb_error *err)
{
	_cleanup_free_ char *path = vb_path("%s/lock", lock->roots->run_dir);
	unsigned timeout_s = timeout_of(lock);
	char cmdline[400];
	pid_t pid;
	int fd, r;

	if (!path)
		return -ENOMEM;
	if (mkdir(lock->roots->run_dir, 0755) < 0 && errno != EEXIST)
		return vb_error_set_sys(err, -errno, "cannot create '%s'", lock->roots->run_dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return vb_error_set_sys(err, -errno, "cannot open the lock '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		goto taken;
	if (errno != EWOULDBLOCK) {
		r = -errno;
		close(fd);
		return vb_error_set_sys(err, r, "cannot lock '%s'", path);
	}
	pid = vb_lock_holder(fd, cmdline, sizeof(cmdline));
	if (lock->waiting)
		lock->waiting(lock->waiting_data, pid, cmdline);
	r = wait_for(fd, timeout_s);
	if (r < 0) {
		/* Whoever holds it now: it may have changed hands while we waited. */
		pid = vb_lock_holder(fd, cmdline, sizeof(cmdline));
		close(fd);
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
