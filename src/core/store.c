// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>

#include "bus.h"
#include "owner.h"
#include "store.h"
#include "strbuf.h"
#include "sysfs.h"

/* Saved files are tiny; anything bigger is not ours. */
#define STORE_FILE_MAX 4096

/* Entries this process wrote anew or removed: what makes the initramfs's copy stale. */
static unsigned store_changes, store_removals;

unsigned vb_store_removals(void)
{
	return __atomic_load_n(&store_removals, __ATOMIC_RELAXED);
}

unsigned vb_store_changes(void)
{
	return __atomic_load_n(&store_changes, __ATOMIC_RELAXED);
}

int vb_pci_id_canonical(const char *arg, char ret[10])
{
	char out[10];

	if (!arg || strlen(arg) != 9 || arg[4] != ':')
		return -EINVAL;
	for (int i = 0; i < 9; i++) {
		if (i == 4)
			continue;
		if (!isxdigit((unsigned char)arg[i]))
			return -EINVAL;
		out[i] = (char)toupper((unsigned char)arg[i]);
	}
	out[4] = ':';
	out[9] = '\0';
	memcpy(ret, out, sizeof(out));
	return 0;
}

bool vb_store_modalias_is_valid(const char *s)
{
	if (!*s || strlen(s) >= sizeof(((struct vb_saved *)NULL)->modalias))
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr("\"\\/", *s))
			return false;
	return true;
}

static int set_field(char *dst, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -EINVAL;
	strcpy(dst, value);
	return 0;
}

int vb_saved_parse(const char *text, struct vb_saved *ret, struct vb_error *err)
{
	struct vb_saved s = { 0 };
	int lineno = 0;

	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[sizeof(s.modalias) + 64], *eq;
		int r = 0;

		lineno++;
		if (len >= sizeof(buf))
			return vb_error_set(err, -EINVAL, "line %d is too long", lineno);
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = end ? end + 1 : NULL;
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		eq = strchr(buf, '=');
		if (!eq)
			return vb_error_set(err, -EINVAL, "line %d is not KEY=VALUE", lineno);
		*eq++ = '\0';
		if (strcmp(buf, "VFIO_BIND_BUS") == 0)
			r = set_field(s.bus, sizeof(s.bus), eq);
		else if (strcmp(buf, "VFIO_BIND_DEVICE") == 0)
			r = set_field(s.device, sizeof(s.device), eq);
		else if (strcmp(buf, "VFIO_BIND_ID") == 0)
			r = vb_pci_id_canonical(eq, s.id);
		else if (strcmp(buf, "VFIO_BIND_DRIVER") == 0)
			r = set_field(s.driver, sizeof(s.driver), eq);
		else if (strcmp(buf, "VFIO_BIND_MODULE") == 0)
			r = set_field(s.module, sizeof(s.module), eq);
		else if (strcmp(buf, "VFIO_BIND_MODALIAS") == 0)
			r = set_field(s.modalias, sizeof(s.modalias), eq);
		else if (strcmp(buf, "VFIO_BIND_HOST_DRIVER") == 0)
			r = set_field(s.host_driver, sizeof(s.host_driver), eq);
		else if (strcmp(buf, "VFIO_BIND_OWNER") == 0) {
			struct vb_owner o;

			/* Handed to udev's OWNER and GROUP: numbers only. */
			r = vb_owner_parse_saved(eq, &o);
			if (r == 0)
				vb_owner_format(&o, s.owner, sizeof(s.owner));
		} else if (strcmp(buf, "VFIO_BIND_RESET_METHOD") == 0)
			/* Written to sysfs by the udev rule: only names the kernel knows. */
			r = vb_reset_methods_parse(eq, s.reset_method, sizeof(s.reset_method), NULL);
		/* Unknown keys are for newer versions: skip them. */
		if (r < 0)
			return vb_error_set(err, -EINVAL, "line %d: bad value for %s", lineno, buf);
	}

	if (!vb_name_is_valid(s.bus) || strchr(s.bus, ':'))
		return vb_error_set(err, -EINVAL, "VFIO_BIND_BUS is missing or not a bus name");
	if (!s.device[0] == !s.id[0])
		return vb_error_set(err, -EINVAL, "needs exactly one of VFIO_BIND_DEVICE and VFIO_BIND_ID");
	if (s.device[0] && !vb_name_is_valid(s.device))
		return vb_error_set(err, -EINVAL, "VFIO_BIND_DEVICE is not a device name");
	if (s.device[0] && !s.driver[0])
		return vb_error_set(err, -EINVAL, "VFIO_BIND_DRIVER is missing");
	if (s.driver[0] && !vb_name_is_valid(s.driver))
		return vb_error_set(err, -EINVAL, "VFIO_BIND_DRIVER is not a driver name");
	if (s.module[0] && !vb_name_is_valid(s.module))
		return vb_error_set(err, -EINVAL, "VFIO_BIND_MODULE is not a module name");
	if (s.modalias[0] && !vb_store_modalias_is_valid(s.modalias))
		return vb_error_set(err, -EINVAL, "VFIO_BIND_MODALIAS is not a modalias");
	/* Only ever shown, never written anywhere: a bad one is dropped, not fatal. */
	if (s.host_driver[0] && !vb_name_is_valid(s.host_driver))
		s.host_driver[0] = '\0';
	*ret = s;
	return 0;
}

/* "KEY=value\n" when value is set. */
static void format_line(struct vb_strbuf *sb, const char *key, const char *value)
{
	if (!value[0])
		return;
	vb_strbuf_appends(sb, key);
	vb_strbuf_append(sb, "=", 1);
	vb_strbuf_appends(sb, value);
	vb_strbuf_append(sb, "\n", 1);
}

char *vb_saved_format(const struct vb_saved *s)
{
	struct vb_strbuf sb = VB_STRBUF_INIT;

	vb_strbuf_appends(&sb, "# Saved by vfio-bind and re-applied at boot and hotplug.\n"
			  "# 'vfio-bind --unbind' removes it; do not edit.\n");
	vb_strbuf_appendf(&sb, "VFIO_BIND_BUS=%s\n", s->bus);
	format_line(&sb, "VFIO_BIND_DEVICE", s->device);
	format_line(&sb, "VFIO_BIND_ID", s->id);
	format_line(&sb, "VFIO_BIND_DRIVER", s->driver);
	format_line(&sb, "VFIO_BIND_MODULE", s->module);
	format_line(&sb, "VFIO_BIND_MODALIAS", s->modalias);
	format_line(&sb, "VFIO_BIND_HOST_DRIVER", s->host_driver);
	format_line(&sb, "VFIO_BIND_RESET_METHOD", s->reset_method);
	format_line(&sb, "VFIO_BIND_OWNER", s->owner);
	return vb_strbuf_take(&sb);
}

char *vb_saved_path(const struct vb_roots *roots, const struct vb_saved *s)
{
	if (!s->device[0])
		return vb_store_id_path(roots, s->bus, s->id);
	/* The name the udev rule looks for, when a file may have it; else the address alone. */
	if (!s->modalias[0] || strlen(s->bus) + strlen(s->device) + strlen(s->modalias) + 7 > NAME_MAX)
		return vb_path("%s/%s-%s.conf", roots->config_dir, s->bus, s->device);
	return vb_path("%s/%s-%s=%s.conf", roots->config_dir, s->bus, s->device, s->modalias);
}

bool vb_store_path_names_device(const char *path, const char *bus, const char *device)
{
	const char *base = strrchr(path, '/');
	size_t lb = strlen(bus), ld = strlen(device);

	base = base ? base + 1 : path;
	/* '=' is in no bus or device name, so "BUS-DEVICE=" cannot name another device. */
	if (strncmp(base, bus, lb) != 0 || base[lb] != '-' || strncmp(base + lb + 1, device, ld) != 0)
		return false;
	base += lb + 1 + ld;
	return base[0] == '=' || strcmp(base, ".conf") == 0;
}

static int list_saved_files(const struct vb_roots *roots, bool drop_temps, char ***ret_paths,
			unsigned *ret_n);

int vb_store_device_files(const struct vb_roots *roots, const char *bus, const char *device,
			  char ***ret_paths, unsigned *ret_n)
{
	char **paths;
	unsigned n, kept = 0;
	int r;

	r = list_saved_files(roots, false, &paths, &n);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		if (vb_store_path_names_device(paths[i], bus, device))
			paths[kept++] = paths[i];
		else
			free(paths[i]);
	}
	*ret_paths = paths;
	*ret_n = kept;
	return 0;
}

static int unlink_saved(const char *path, struct vb_error *err)
{
	if (unlink(path) == 0) {
		__atomic_add_fetch(&store_changes, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&store_removals, 1, __ATOMIC_RELAXED);
	}
	else if (errno != ENOENT)
		return vb_error_set_sys(err, -errno, "cannot remove '%s'", path);
	return 0;
}

/* Whether a small file holds exactly text (a save that changes nothing). */
static bool file_holds(const char *path, const char *text, size_t len)
{
	char t[STORE_FILE_MAX + 1];
	/* O_NONBLOCK: a FIFO in its place must not hang the save. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = fd >= 0 ? read(fd, t, sizeof(t)) : -1;

	if (fd >= 0)
		close(fd);
	return n >= 0 && (size_t)n == len && memcmp(t, text, len) == 0;
}

/* Start syncing the config directory, so that removals in it last. */
static void sync_dir_start(const struct vb_roots *roots, struct vb_sync *sync)
{
	vb_sync_start(sync, open(roots->config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

int vb_store_forget_device_begin(const struct vb_roots *roots, const char *bus,
				 const char *device, struct vb_sync *sync, struct vb_error *err)
{
	char **paths;
	unsigned n, gone = 0;
	int r;

	r = vb_store_device_files(roots, bus, device, &paths, &n);
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot read '%s'", roots->config_dir);
	for (unsigned i = 0; i < n && r >= 0; i++) {
		r = unlink_saved(paths[i], err);
		gone += r == 0;
	}
	vb_store_list_free(paths, n);
	/* Even after a failure: what did go must stay gone (a batch syncs once, at its end). */
	if (gone && sync)
		sync_dir_start(roots, sync);
	return r < 0 ? r : (int)n;
}

int vb_store_sync(const struct vb_roots *roots)
{
	struct vb_sync sync = VB_SYNC_INIT;

	sync_dir_start(roots, &sync);
	return sync.fd >= 0 ? vb_sync_wait(&sync) : -errno;
}

int vb_store_forget_device(const struct vb_roots *roots, const char *bus, const char *device,
			   struct vb_error *err)
{
	struct vb_sync sync = VB_SYNC_INIT;
	int r = vb_store_forget_device_begin(roots, bus, device, &sync, err);

	if (sync.fd >= 0)
		vb_sync_wait(&sync);
	return r;
}

char *vb_store_id_path(const struct vb_roots *roots, const char *bus, const char *id)
{
	return vb_path("%s/%s-id-%s.conf", roots->config_dir, bus, id);
}

/* Owned by root and writable by root alone: else a user could make root rebind devices. */
static bool trusted(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * Whether the config directory's files would be trusted when read back: a
 * save there succeeds today and is refused at the next boot and hotplug,
 * so the bind is refused now instead. A directory not there yet is made 0755.
 */
static int check_trusted_dir(const struct vb_roots *roots, struct vb_error *err)
{
	const char *dir = roots->config_dir;
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : vb_error_set_sys(err, -errno, "cannot read '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return vb_error_set(err, -ENOTDIR, "'%s' is not a directory: the binding cannot be saved", dir);
	if (!trusted(&st)) {
		vb_error_set(err, -EPERM, "'%s' is not owned by root or is writable by others: "
			     "a binding saved there would not be trusted", dir);
		vb_error_hint(err, "chown root:root '%s' && chmod 755 '%s', or bind with --no-save", dir, dir);
		return -EPERM;
	}
	return 0;
}

int vb_store_check_writable(const struct vb_roots *roots, struct vb_error *err)
{
	const char *dir = roots->config_dir;
	int r = check_trusted_dir(roots, err);

	if (r < 0)
		return r;
	if (access(dir, W_OK) == 0 || errno == ENOENT)
		return 0;
	if (errno == EROFS) {
		vb_error_set(err, -EROFS, "'%s' is on a read-only file system: the binding cannot be saved", dir);
		vb_error_hint(err, "remount it read-write, or bind with --no-save");
		return -EROFS;
	}
	r = -errno;
	vb_error_set_sys(err, r, "cannot save the binding in '%s'", dir);
	vb_error_hint(err, "check its permissions, or bind with --no-save");
	return r;
}

static int ensure_dir(const struct vb_roots *roots, struct vb_error *err)
{
	if (mkdir(roots->config_dir, 0755) < 0 && errno != EEXIST)
		return vb_error_set_sys(err, -errno, "cannot create '%s'", roots->config_dir);
	return 0;
}

int vb_store_mark_owners(const struct vb_roots *roots, struct vb_error *err)
{
	_cleanup_free_ char *path = vb_path("%s/" VB_STORE_OWNERS_MARK, roots->config_dir);
	int fd;

	if (!path)
		return vb_error_set(err, -ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return vb_error_set_sys(err, -errno, "cannot create '%s'", path);
	close(fd);
	return 0;
}

static void pending_clear(struct vb_store_pending *p)
{
	free(p->tmp);
	free(p->path);
	vb_store_list_free(p->old, p->n_old);
	*p = (struct vb_store_pending)VB_STORE_PENDING_INIT;
}

int vb_store_save_begin(const struct vb_roots *roots, const struct vb_saved *s,
			struct vb_store_pending *p, struct vb_error *err)
{
	_cleanup_free_ char *text = vb_saved_format(s);
	size_t len;
	int fd, r;

	*p = (struct vb_store_pending)VB_STORE_PENDING_INIT;
	p->path = vb_saved_path(roots, s);
	/* Named by this process, so a run that cleans up knows whose temp file is whose. */
	p->tmp = vb_path("%s/.vfio-bind-%d-XXXXXX", roots->config_dir, (int)getpid());
	if (!text || !p->path || !p->tmp) {
		pending_clear(p);
		return -ENOMEM;
	}
	r = check_trusted_dir(roots, err);
	if (r == 0)
		r = ensure_dir(roots, err);
	/* Before the binding is there: udev asks for owners only once the mark says there are some. */
	if (r == 0 && s->owner[0])
		r = vb_store_mark_owners(roots, err);
	if (r < 0) {
		pending_clear(p);
		return r;
	}
	fd = mkstemp(p->tmp);
	if (fd < 0) {
		r = vb_error_set_sys(err, -errno, "cannot save the binding in '%s'", roots->config_dir);
		pending_clear(p);
		return r;
	}
	len = strlen(text);
	errno = 0;
	if (fchmod(fd, 0644) < 0 || write(fd, text, len) != (ssize_t)len) {
		r = errno ? -errno : -EIO;
		close(fd);
		vb_error_set_sys(err, r, "cannot save the binding as '%s'", p->path);
		unlink(p->tmp);
		pending_clear(p);
		return r;
	}
	vb_sync_start(&p->sync, fd);
	p->same = file_holds(p->path, text, len);
	/*
	 * What an earlier device left at this address must not outlive the new
	 * saved binding. Listed now, while the kernel works: nobody else saves this
	 * device before finish (the device's lock), and what killed runs left was
	 * cleared when this run started.
	 */
	if (s->device[0])
		(void)vb_store_device_files(roots, s->bus, s->device, &p->old, &p->n_old);
	return 0;
}

void vb_store_save_abort(struct vb_store_pending *p)
{
	if (!p->tmp)
		return;
	if (p->sync.fd >= 0)
		vb_sync_wait(&p->sync);
	unlink(p->tmp);
	pending_clear(p);
}

int vb_store_save_finish(const struct vb_roots *roots, const struct vb_saved *s,
			 struct vb_store_pending *p, struct vb_error *err)
{
	int r = vb_sync_wait(&p->sync);
	bool same = p->same;

	if (r == 0 && rename(p->tmp, p->path) < 0)
		r = -errno;
	if (r < 0) {
		vb_error_set_sys(err, r, "cannot save the binding as '%s'", p->path);
		unlink(p->tmp);
		pending_clear(p);
		return r;
	}
	for (unsigned i = 0; i < p->n_old; i++)
		if (strcmp(p->old[i], p->path) != 0)
			unlink(p->old[i]);
	pending_clear(p);
	if (!same)
		__atomic_add_fetch(&store_changes, 1, __ATOMIC_RELAXED);
	/*
	 * No fsync of the directory: a power cut in the next seconds can lose the
	 * new name (the device then boots on its host driver, the safe side) but
	 * never leaves a partial file. Forgetting does sync it: a lost unlink
	 * would take the device from the host again at boot.
	 */
	return 0;
}

int vb_store_save(const struct vb_roots *roots, const struct vb_saved *s, struct vb_error *err)
{
	struct vb_store_pending p;
	int r = vb_store_save_begin(roots, s, &p, err);

	return r < 0 ? r : vb_store_save_finish(roots, s, &p, err);
}

int vb_store_load(const struct vb_roots *roots, const char *path, struct vb_saved *ret,
		  struct vb_error *err)
{
	_cleanup_close_ int fd = -1;
	char text[STORE_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int r;

	if (stat(roots->config_dir, &st) < 0)
		return errno == ENOENT ? -ENOENT : vb_error_set_sys(err, -errno, "cannot read '%s'", roots->config_dir);
	if (!trusted(&st)) {
		vb_error_set(err, -EPERM, "'%s' is not owned by root or is writable by others: not trusted",
			     roots->config_dir);
		vb_error_hint(err, "chown root:root '%s' && chmod 755 '%s'", roots->config_dir, roots->config_dir);
		return -EPERM;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP)
			return vb_error_set(err, -EPERM, "'%s' is a symbolic link: not trusted", path);
		return vb_error_set_sys(err, -errno, "cannot read '%s'", path);
	}
	if (fstat(fd, &st) < 0)
		return vb_error_set_sys(err, -errno, "cannot read '%s'", path);
	if (!S_ISREG(st.st_mode))
		return vb_error_set(err, -EPERM, "'%s' is not a regular file: not trusted", path);
	if (!trusted(&st)) {
		vb_error_set(err, -EPERM, "'%s' is not owned by root or is writable by others: not trusted", path);
		vb_error_hint(err, "check who wrote it; 'vfio-bind --unbind' removes it, or chown root and chmod 644");
		return -EPERM;
	}
	if (st.st_size > STORE_FILE_MAX)
		return vb_error_set(err, -EFBIG, "'%s' is too large to be a saved binding", path);
	n = read(fd, text, STORE_FILE_MAX);
	if (n < 0)
		return vb_error_set_sys(err, -errno, "cannot read '%s'", path);
	text[n] = '\0';
	if (memchr(text, '\0', (size_t)n))
		return vb_error_set(err, -EINVAL, "'%s' is not text: corrupt", path);
	r = vb_saved_parse(text, ret, err);
	if (r < 0 && err) {
		char why[sizeof(err->what)];

		snprintf(why, sizeof(why), "%s", err->what);
		vb_error_set(err, r, "'%s' is corrupt: %s", path, why);
		vb_error_hint(err, "remove it and bind the device again");
	}
	return r;
}

int vb_store_forget(const struct vb_roots *roots, const char *path, struct vb_error *err)
{
	struct vb_sync sync = VB_SYNC_INIT;
	int r = unlink_saved(path, err);

	if (r < 0)
		return r;
	sync_dir_start(roots, &sync);
	vb_sync_wait(&sync);
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A save's temp file: ".vfio-bind-PID-XXXXXX" (mkstemp's name), written,
 * synced, then renamed to its final name. One whose process is gone was left by a
 * run that was killed; ".vfio-bind-XXXXXX" is an older version's.
 */
static bool is_stale_temp(const char *name)
{
	const char *p = name + 11;
	char *end;
	long pid;

	if (strncmp(name, ".vfio-bind-", 11) != 0)
		return false;
	if (strlen(name) == 17)
		return true;
	pid = strtol(p, &end, 10);
	if (end == p || *end != '-' || strlen(end) != 7 || pid <= 0)
		return false;
	return pid != getpid() && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * The saved bindings' files, sorted. With drop_temps (under the lock), temp files a killed
 * run left behind are removed on the way.
 */
static int list_saved_files(const struct vb_roots *roots, bool drop_temps, char ***ret_paths,
			unsigned *ret_n)
{
	_cleanup_closedir_ DIR *d = opendir(roots->config_dir);
	char **paths = NULL;
	unsigned n = 0;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **more;

		if (drop_temps && is_stale_temp(de->d_name))
			unlinkat(dirfd(d), de->d_name, 0);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		more = realloc(paths, (n + 1) * sizeof(*paths));
		if (!more) {
			vb_store_list_free(paths, n);
			return -ENOMEM;
		}
		paths = more;
		paths[n] = vb_path("%s/%s", roots->config_dir, de->d_name);
		if (!paths[n]) {
			vb_store_list_free(paths, n);
			return -ENOMEM;
		}
		n++;
	}
	if (n)
		qsort(paths, n, sizeof(*paths), path_cmp);
	*ret_paths = paths;
	*ret_n = n;
	return 0;
}

int vb_store_list(const struct vb_roots *roots, char ***ret_paths, unsigned *ret_n)
{
	return list_saved_files(roots, false, ret_paths, ret_n);
}

void vb_store_list_free(char **paths, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

void vb_store_drop_stale_temps(const struct vb_roots *roots)
{
	char **paths;
	unsigned n;

	if (list_saved_files(roots, true, &paths, &n) == 0)
		vb_store_list_free(paths, n);
}
