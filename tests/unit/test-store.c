// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "saved-set.h"
#include "store.h"
#include "sysfs.h"

static const char device_binding[] = "# comment\n"
				   "VFIO_BIND_BUS=pci\n"
				   "VFIO_BIND_DEVICE=0000:03:00.0\n"
				   "VFIO_BIND_DRIVER=vfio-pci\n"
				   "VFIO_BIND_MODULE=vfio_pci\n"
				   "VFIO_BIND_MODALIAS=pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00\n"
				   "VFIO_BIND_FUTURE_KEY=ignored\n";

static void test_device_binding_parses(void **state)
{
	struct vb_saved s;

	assert_int_equal(vb_saved_parse(device_binding, &s, NULL), 0);
	assert_string_equal(s.bus, "pci");
	assert_string_equal(s.device, "0000:03:00.0");
	assert_string_equal(s.driver, "vfio-pci");
	assert_string_equal(s.module, "vfio_pci");
	assert_string_equal(s.id, "");
	assert_string_equal(s.modalias, "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00");
}

static void test_format_and_parse_round_trip(void **state)
{
	struct vb_saved in = { .bus = "pci", .id = "15B3:101E", .driver = "" }, out;
	char *text = vb_saved_format(&in);

	assert_non_null(text);
	assert_non_null(strstr(text, "VFIO_BIND_ID=15B3:101E\n"));
	assert_int_equal(vb_saved_parse(text, &out, NULL), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	free(text);
}

static void test_corrupt_files_are_refused(void **state)
{
	const char *bad[] = {
		"",
		"VFIO_BIND_BUS=pci\n",
		"garbage\n",
		"VFIO_BIND_BUS=../usb\nVFIO_BIND_DEVICE=1-1\nVFIO_BIND_DRIVER=x\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:03:00.0\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=../../x\nVFIO_BIND_DRIVER=vfio-pci\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:03:00.0\nVFIO_BIND_DRIVER=vfio pci\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:03:00.0\nVFIO_BIND_DRIVER=a/b\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:03:00.0\nVFIO_BIND_ID=15b3:101e\nVFIO_BIND_DRIVER=x\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_ID=15b3-101e\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_ID=15b3:101e\nVFIO_BIND_MODALIAS=has space\n",
		"VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:03:00.0\nVFIO_BIND_DRIVER=vfio-pci\nVFIO_BIND_MODULE=(null)\n",
	};
	struct vb_saved s = { .bus = "untouched" };
	char long_line[700];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vb_error err = { 0 };

		assert_int_equal(vb_saved_parse(bad[i], &s, &err), -EINVAL);
		assert_true(err.what[0] != '\0');
	}
	memset(long_line, 'A', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	assert_int_equal(vb_saved_parse(long_line, &s, NULL), -EINVAL);
	assert_string_equal(s.bus, "untouched");
}

static void test_pci_ids(void **state)
{
	char id[10];

	assert_int_equal(vb_pci_id_canonical("15b3:101e", id), 0);
	assert_string_equal(id, "15B3:101E");
	assert_int_equal(vb_pci_id_canonical("15b3:101", id), -EINVAL);
	assert_int_equal(vb_pci_id_canonical("15b3:101eb", id), -EINVAL);
	assert_int_equal(vb_pci_id_canonical("15b3-101e", id), -EINVAL);
	assert_int_equal(vb_pci_id_canonical("15g3:101e", id), -EINVAL);
	assert_int_equal(vb_pci_id_canonical(NULL, id), -EINVAL);
}

/* A config directory of its own for each test. */
static int setup_dir(void **state)
{
	struct vb_roots *roots = calloc(1, sizeof(*roots));
	char tmpl[] = "/tmp/vfio-bind-store-XXXXXX";

	if (!roots || !mkdtemp(tmpl))
		return -1;
	chmod(tmpl, 0755);
	roots->config_dir = vb_path("%s/vfio-bind.d", tmpl);
	roots->sysfs = strdup(tmpl);
	*state = roots;
	return 0;
}

static int teardown_dir(void **state)
{
	struct vb_roots *roots = *state;
	char *cmd = vb_path("rm -rf '%s'", roots->sysfs);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	vb_roots_free(roots);
	free(roots);
	return 0;
}

static struct vb_saved sample(const char *device)
{
	struct vb_saved s = { .bus = "pci", .driver = "vfio-pci", .module = "vfio_pci" };

	snprintf(s.device, sizeof(s.device), "%s", device);
	return s;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static void test_save_is_atomic_and_loads_back(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0"), back;
	char *path = vb_saved_path(roots, &s);
	char **paths;
	unsigned n;
	struct stat st;

	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), 0);
	assert_string_equal(back.device, "0000:03:00.0");
	/* No temporary file is left behind. */
	assert_int_equal(vb_store_list(roots, &paths, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], path);
	vb_store_list_free(paths, n);
	assert_int_equal(vb_store_forget(roots, path, NULL), 0);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), -ENOENT);
	assert_int_equal(vb_store_forget(roots, path, NULL), 0);
	free(path);
}

/* Every name in the config directory, hidden ones too. */
static unsigned dir_entries(const struct vb_roots *roots, char *first, size_t size)
{
	unsigned n = 0;
	int fd = open(roots->config_dir, O_RDONLY | O_DIRECTORY);
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len;

	assert_true(fd >= 0);
	first[0] = '\0';
	while ((len = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < len;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (!n++)
				snprintf(first, size, "%s", de->d_name);
		}
	}
	close(fd);
	return n;
}

static void test_save_in_two_steps(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0"), back;
	struct vb_store_pending p;
	char *path = vb_saved_path(roots, &s);
	char name[256];

	assert_int_equal(vb_store_save_begin(roots, &s, &p, NULL), 0);
	/* Begun: only the hidden temp file, which nothing reads. */
	assert_int_equal(vb_store_load(roots, path, &back, NULL), -ENOENT);
	assert_int_equal(dir_entries(roots, name, sizeof(name)), 1);
	assert_true(name[0] == '.');
	assert_int_equal(vb_store_save_finish(roots, &s, &p, NULL), 0);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), 0);
	assert_string_equal(back.driver, "vfio-pci");
	assert_int_equal(dir_entries(roots, name, sizeof(name)), 1);
	assert_string_equal(name, strrchr(path, '/') + 1);
	assert_null(p.tmp);
	free(path);
}

/*
 * A run killed between writing and renaming left its temp files (an older
 * version's name, and one of a process that is gone): the next run removes
 * them as it starts, and nothing else; a live process's temp file stays.
 */
static void test_stale_temps_are_dropped(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0");
	char *old_style = vb_path("%s/.vfio-bind-AbC123", roots->config_dir);
	char *dead = vb_path("%s/.vfio-bind-%d-AbC123", roots->config_dir, INT32_MAX);
	char *live = vb_path("%s/.vfio-bind-%d-AbC123", roots->config_dir, (int)getpid());
	char *lock = vb_path("%s/.lock", roots->config_dir);
	char name[256];

	assert_int_equal(mkdir(roots->config_dir, 0755), 0);
	write_file(old_style, "half", 0600);
	write_file(dead, "half", 0600);
	write_file(live, "half", 0600);
	write_file(lock, "", 0600);
	/* A save leaves them: it runs while other saves' temp files are in flight. */
	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(access(old_style, F_OK), 0);
	assert_int_equal(access(dead, F_OK), 0);
	vb_store_drop_stale_temps(roots);
	assert_int_equal(access(old_style, F_OK), -1);
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(lock, F_OK), 0);
	assert_int_equal(dir_entries(roots, name, sizeof(name)), 3);
	free(old_style);
	free(dead);
	free(live);
	free(lock);
}

/* Saving what is already saved changes nothing (a run then has nothing to tell the initramfs). */
static void test_saving_the_same_again_is_no_change(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0");
	unsigned before;

	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	before = vb_store_changes();
	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(vb_store_changes(), before);
	snprintf(s.driver, sizeof(s.driver), "%s", "mlx5_vfio_pci");
	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(vb_store_changes(), before + 1);
}

static void test_abandoned_save_leaves_nothing(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0");
	struct vb_store_pending p;
	char name[256];

	assert_int_equal(vb_store_save_begin(roots, &s, &p, NULL), 0);
	vb_store_save_abort(&p);
	assert_int_equal(dir_entries(roots, name, sizeof(name)), 0);
	/* Twice is harmless. */
	vb_store_save_abort(&p);
}

static void test_forget_device_begin_removes_and_syncs(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0");
	struct vb_sync sync = VB_SYNC_INIT;
	char name[256];

	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(vb_store_forget_device_begin(roots, "pci", "0000:03:00.0", &sync, NULL), 1);
	assert_int_equal(dir_entries(roots, name, sizeof(name)), 0);
	assert_true(sync.fd >= 0);
	assert_int_equal(vb_sync_wait(&sync), 0);
	assert_int_equal(sync.fd, -1);
	/* Nothing to forget: no directory sync started. */
	assert_int_equal(vb_store_forget_device_begin(roots, "pci", "0000:03:00.0", &sync, NULL), 0);
	assert_int_equal(sync.fd, -1);
}

static void test_sync_reports_errors_and_closes_fd(void **state)
{
	struct vb_sync sync = VB_SYNC_INIT;
	char tmpl[] = "/tmp/vfio-bind-sync-XXXXXX";
	int fd = mkstemp(tmpl), pipefd[2];

	(void)state;
	assert_true(fd >= 0);
	unlink(tmpl);
	assert_int_equal(write(fd, "x", 1), 1);
	vb_sync_start(&sync, fd);
	assert_int_equal(vb_sync_wait(&sync), 0);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	/* A pipe cannot be synced: the error comes back, the fd is closed all the same. */
	assert_int_equal(pipe(pipefd), 0);
	vb_sync_start(&sync, pipefd[0]);
	assert_int_equal(vb_sync_wait(&sync), -EINVAL);
	assert_int_equal(fcntl(pipefd[0], F_GETFD), -1);
	close(pipefd[1]);
	/* Nothing started: nothing to wait for. */
	assert_int_equal(vb_sync_wait(&sync), -EBADF);
}

static void test_device_file_is_named_by_address_and_identity(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved first = sample("0000:03:00.0"), second = sample("0000:03:00.0");
	char *p1, *p2, **paths;
	unsigned n;

	snprintf(first.modalias, sizeof(first.modalias), "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00");
	snprintf(second.modalias, sizeof(second.modalias), "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00");
	p1 = vb_saved_path(roots, &first);
	p2 = vb_saved_path(roots, &second);
	assert_non_null(strstr(p1, "/pci-0000:03:00.0=pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00.conf"));
	assert_true(vb_store_path_names_device(p1, "pci", "0000:03:00.0"));
	assert_false(vb_store_path_names_device(p1, "pci", "0000:03:00.1"));
	assert_false(vb_store_path_names_device(p1, "pci", "0000:03:00"));
	assert_false(vb_store_path_names_device(p1, "platform", "0000:03:00.0"));

	/* A new device at the address replaces the old one's saved binding. */
	assert_int_equal(vb_store_save(roots, &first, NULL), 0);
	assert_int_equal(vb_store_save(roots, &second, NULL), 0);
	assert_int_equal(vb_store_device_files(roots, "pci", "0000:03:00.0", &paths, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], p2);
	vb_store_list_free(paths, n);
	assert_int_equal(vb_store_forget_device(roots, "pci", "0000:03:00.0", NULL), 1);
	assert_int_equal(vb_store_forget_device(roots, "pci", "0000:03:00.0", NULL), 0);
	free(p1);
	free(p2);
}

/* A name past NAME_MAX is the address alone; the modalias is kept inside and the forms replace each other. */
static void test_long_modalias_is_saved_by_address_alone(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("fe300000.bus"), back, short_one;
	char *path, *short_path, **paths;
	unsigned n;

	snprintf(s.bus, sizeof(s.bus), "platform");
	memset(s.modalias, 'x', 300);
	memcpy(s.modalias, "of:N", 4);
	s.modalias[300] = '\0';
	path = vb_saved_path(roots, &s);
	assert_non_null(strstr(path, "/platform-fe300000.bus.conf"));
	assert_true(vb_store_path_names_device(path, "platform", "fe300000.bus"));
	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), 0);
	assert_string_equal(back.modalias, s.modalias);

	short_one = s;
	snprintf(short_one.modalias, sizeof(short_one.modalias), "of:NbusT(null)Cacme,bus");
	short_path = vb_saved_path(roots, &short_one);
	assert_non_null(strstr(short_path, "/platform-fe300000.bus=of:NbusT(null)Cacme,bus.conf"));
	assert_int_equal(vb_store_save(roots, &short_one, NULL), 0);
	assert_int_equal(vb_store_device_files(roots, "platform", "fe300000.bus", &paths, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], short_path);
	vb_store_list_free(paths, n);
	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	assert_int_equal(vb_store_device_files(roots, "platform", "fe300000.bus", &paths, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], path);
	vb_store_list_free(paths, n);
	assert_int_equal(vb_store_forget_device(roots, "platform", "fe300000.bus", NULL), 1);
	free(path);
	free(short_path);
}

static void test_untrusted_files_are_refused(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved s = sample("0000:03:00.0"), back, other = sample("0000:04:00.0");
	char *path = vb_saved_path(roots, &s);
	char *link = vb_saved_path(roots, &other);
	struct vb_error err = { 0 };

	assert_int_equal(vb_store_save(roots, &s, NULL), 0);
	chmod(path, 0666);
	assert_int_equal(vb_store_load(roots, path, &back, &err), -EPERM);
	assert_non_null(strstr(err.what, "not trusted"));
	chmod(path, 0644);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(vb_store_load(roots, path, &back, NULL), -EPERM);
		assert_int_equal(chown(path, 0, 0), 0);
	}
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(vb_store_load(roots, link, &back, NULL), -EPERM);
	chmod(roots->config_dir, 0777);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), -EPERM);
	chmod(roots->config_dir, 0755);
	assert_int_equal(vb_store_load(roots, path, &back, NULL), 0);
	free(path);
	free(link);
}

static void test_odd_files_are_refused_and_do_not_stop_others(void **state)
{
	struct vb_roots *roots = *state;
	struct vb_saved good = sample("0000:03:00.0");
	struct vb_saved_set set;
	char *empty = vb_path("%s/pci-0000:05:00.0.conf", roots->config_dir);
	char *binary = vb_path("%s/pci-0000:06:00.0.conf", roots->config_dir);
	char *huge = vb_path("%s/pci-0000:07:00.0.conf", roots->config_dir);
	char *big = malloc(10000);
	int fd;

	assert_int_equal(vb_store_save(roots, &good, NULL), 0);
	write_file(empty, "", 0644);
	fd = open(binary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "VFIO_BIND_BUS=pci\n\0\x01\x02", 21), 21);
	close(fd);
	memset(big, '#', 9999);
	big[9999] = '\0';
	write_file(huge, big, 0644);

	assert_int_equal(vb_saved_set_load(roots, &set), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.saved[0].device, "0000:03:00.0");
	assert_int_equal(set.n_bad, 3);
	assert_non_null(vb_saved_set_device(&set, "pci", "0000:03:00.0"));
	assert_null(vb_saved_set_device(&set, "pci", "0000:05:00.0"));
	vb_saved_set_clear(&set);
	free(empty);
	free(binary);
	free(huge);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_binding_parses),
		cmocka_unit_test(test_format_and_parse_round_trip),
		cmocka_unit_test(test_corrupt_files_are_refused),
		cmocka_unit_test(test_pci_ids),
		cmocka_unit_test_setup_teardown(test_save_is_atomic_and_loads_back, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_untrusted_files_are_refused, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_save_in_two_steps, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_abandoned_save_leaves_nothing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_stale_temps_are_dropped, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_saving_the_same_again_is_no_change, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_forget_device_begin_removes_and_syncs, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_sync_reports_errors_and_closes_fd),
		cmocka_unit_test_setup_teardown(test_device_file_is_named_by_address_and_identity,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_long_modalias_is_saved_by_address_alone, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_odd_files_are_refused_and_do_not_stop_others,
						setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
