// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwdb.c against fake-libudev.c, which meson puts first on LD_LIBRARY_PATH
 * as libudev.so.1: the names are the database's ID_VENDOR_FROM_DATABASE and
 * ID_MODEL_FROM_DATABASE, for any bus; nothing else is taken; no database,
 * or a path libudev cannot read, gives no names; every lookup is one call.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hwdb.h"

#define NIC "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00"
#define VIRTIO "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00"
#define HUB "usb:v1D6Bp0002d0606dc09dsc00dp01ic09isc00ip00in00"
#define DMA "of:NdmaT(null)Cvendor,dma"

/* A counter of the fake library; it is loaded by the first vb_hwdb_new(). */
static unsigned *fake_counter(const char *name)
{
	void *lib = dlopen("libudev.so.1", RTLD_NOW | RTLD_NOLOAD);
	unsigned *p;

	assert_non_null(lib);
	p = dlsym(lib, name);
	assert_non_null(p); /* not the fake: LD_LIBRARY_PATH is not set as meson sets it */
	dlclose(lib);
	return p;
}

static void expect(struct vb_hwdb *h, const char *modalias, const char *vendor, const char *model)
{
	char *v = (char *)"unset", *m = (char *)"unset";

	vb_hwdb_names(h, modalias, &v, &m);
	if (vendor)
		assert_string_equal(v, vendor);
	else
		assert_null(v);
	if (model)
		assert_string_equal(m, model);
	else
		assert_null(m);
	free(v);
	free(m);
}

static void test_names_from_the_database(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);

	assert_non_null(h);
	assert_null(vb_hwdb_error(h));
	expect(h, NIC, "Intel Corporation", "82574L Gigabit Network Connection");
	/* Whatever the bus: udev's globs, not ours. */
	expect(h, HUB, "Linux Foundation", "Hub");
	vb_hwdb_free(h);
}

static void test_only_the_two_names_are_taken(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);

	expect(h, VIRTIO, "Red Hat, Inc.", NULL);
	expect(h, DMA, NULL, NULL);
	expect(h, "pci:v0000FFFFd0000FFFFsv00000000sd00000000bc00sc00i00", NULL, NULL);
	vb_hwdb_free(h);
}

static void test_names_outlive_the_database(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);
	char *v, *m;

	vb_hwdb_names(h, NIC, &v, &m);
	vb_hwdb_free(h);
	assert_string_equal(v, "Intel Corporation");
	assert_string_equal(m, "82574L Gigabit Network Connection");
	free(v);
	free(m);
}

static void test_one_lookup_a_call(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);
	unsigned *lookups = fake_counter("fake_udev_lookups"), before = *lookups;

	expect(h, NIC, "Intel Corporation", "82574L Gigabit Network Connection");
	expect(h, HUB, "Linux Foundation", "Hub");
	assert_int_equal(*lookups - before, 2);
	/* Nothing to look up: no call. */
	expect(h, NULL, NULL, NULL);
	assert_int_equal(*lookups - before, 2);
	vb_hwdb_free(h);
}

static void test_freed_entirely(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);
	unsigned *live = fake_counter("fake_udev_live");

	assert_int_equal(*live, 2); /* the udev context and its database */
	vb_hwdb_free(h);
	assert_int_equal(*live, 0);
	vb_hwdb_free(NULL);
}

static void test_no_database_no_names(void **state)
{
	struct vb_hwdb *h;

	setenv("FAKE_UDEV_NO_HWDB", "1", 1);
	h = vb_hwdb_new(NULL);
	unsetenv("FAKE_UDEV_NO_HWDB");
	assert_non_null(h);
	/* udev not installed: nothing to tell. */
	assert_null(vb_hwdb_error(h));
	expect(h, NIC, NULL, NULL);
	assert_int_equal(*fake_counter("fake_udev_live"), 1);
	vb_hwdb_free(h);
	assert_int_equal(*fake_counter("fake_udev_live"), 0);
}

static void test_another_path_gives_no_names(void **state)
{
	struct vb_hwdb *h = vb_hwdb_new("/tmp/hwdb.bin");
	const struct vb_error *err = vb_hwdb_error(h);
	unsigned *lookups = fake_counter("fake_udev_lookups"), before = *lookups;

	assert_non_null(err);
	assert_int_equal(err->code, -EOPNOTSUPP);
	assert_non_null(strstr(err->what, "/tmp/hwdb.bin"));
	expect(h, NIC, NULL, NULL);
	assert_int_equal(*lookups, before);
	vb_hwdb_free(h);
}

static void test_no_hwdb_no_names(void **state)
{
	char *v = (char *)"unset", *m = (char *)"unset";

	vb_hwdb_names(NULL, NIC, &v, &m);
	assert_null(v);
	assert_null(m);
	assert_null(vb_hwdb_error(NULL));
}

/* In a child whose libudev.so.1 is an empty file: no names, and the package named. */
static int missing_library(void)
{
	struct vb_hwdb *h = vb_hwdb_new(NULL);
	const struct vb_error *err = vb_hwdb_error(h);
	char *v = NULL, *m = NULL;

	if (!err || !strstr(err->what, "libudev.so.1") || !strstr(err->hint, "libudev1")) {
		fprintf(stderr, "missing libudev: '%s' / '%s'\n", err ? err->what : "(no error)",
			err ? err->hint : "");
		return 1;
	}
	vb_hwdb_names(h, NIC, &v, &m);
	vb_hwdb_free(h);
	return v || m;
}

/*
 * This program, as started: not /proc/self/exe, which under valgrind is
 * valgrind's own tool.
 */
static const char *self;

static void test_missing_library_names_the_package(void **state)
{
	char dir[] = "/tmp/test-hwdb.XXXXXX", lib[64];
	int fd, status;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(lib, sizeof(lib), "%s/libudev.so.1", dir);
	fd = open(lib, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("LD_LIBRARY_PATH", dir, 1);
		execl(self, "test-hwdb", "missing-library", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(lib);
	rmdir(dir);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_from_the_database),
		cmocka_unit_test(test_only_the_two_names_are_taken),
		cmocka_unit_test(test_names_outlive_the_database),
		cmocka_unit_test(test_one_lookup_a_call),
		cmocka_unit_test(test_freed_entirely),
		cmocka_unit_test(test_no_database_no_names),
		cmocka_unit_test(test_another_path_gives_no_names),
		cmocka_unit_test(test_no_hwdb_no_names),
		cmocka_unit_test(test_missing_library_names_the_package),
	};

	if (argc > 1 && strcmp(argv[1], "missing-library") == 0)
		return missing_library();
	self = argv[0];

	return cmocka_run_group_tests(tests, NULL, NULL);
}
