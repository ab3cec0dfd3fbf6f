// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Saved-binding files: what the parser accepts is safe to act on, survives
 * a format/parse round trip, and reads the same from a file on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "name.h"
#include "store.h"
#include "sysfs.h"

#include "fuzz.h"

static char *tmp;
static struct vb_roots roots;
static char *entry;

static void cleanup(void)
{
	char *cmd = vb_path("rm -rf '%s'", tmp);

	if (cmd && system(cmd) != 0)
		fprintf(fuzz_stderr(), "cannot remove %s\n", tmp);
	free(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* vb_store_load trusts a directory only when others cannot write to it. */
	umask(022);
	if (!(tmp = fuzz_tmpdir("saved")) || chmod(tmp, 0755) < 0)
		abort();
	atexit(cleanup);
	roots.config_dir = tmp;
	entry = vb_path("%s/pci-0000:03:00.0.conf", tmp);
	if (!entry)
		abort();
	return 0;
}

/* Field by field: a shorter value over a longer one leaves bytes after the NUL. */
static bool saved_equal(const struct vb_saved *a, const struct vb_saved *b)
{
	return strcmp(a->bus, b->bus) == 0 && strcmp(a->device, b->device) == 0 &&
	       strcmp(a->id, b->id) == 0 && strcmp(a->driver, b->driver) == 0 &&
	       strcmp(a->module, b->module) == 0 && strcmp(a->modalias, b->modalias) == 0;
}

static void check_accepted(const struct vb_saved *s)
{
	FUZZ_CHECK(vb_name_is_valid(s->bus) && !strchr(s->bus, ':'));
	FUZZ_CHECK(!s->device[0] != !s->id[0]);
	FUZZ_CHECK(!s->device[0] || vb_name_is_valid(s->device));
	FUZZ_CHECK(!s->device[0] || s->driver[0]);
	FUZZ_CHECK(!s->driver[0] || vb_name_is_valid(s->driver));
	FUZZ_CHECK(!s->module[0] || vb_name_is_valid(s->module));
	for (const char *p = s->modalias; *p; p++)
		FUZZ_CHECK(*p > ' ' && *p < 0x7f && *p != '"' && *p != '\\');
}

static void check_round_trip(const struct vb_saved *s)
{
	struct vb_saved again;
	char *text = vb_saved_format(s);

	FUZZ_CHECK(text);
	FUZZ_CHECK(vb_saved_parse(text, &again, NULL) == 0);
	FUZZ_CHECK(saved_equal(s, &again));
	free(text);
}

/* The same bytes in a root-owned 0644 file: the same verdict, unless the file is refused first. */
static void check_file(const uint8_t *data, size_t size, int parsed, const struct vb_saved *s)
{
	struct vb_error err = { 0 };
	struct vb_saved loaded;
	int fd, r;

	fd = open(entry, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
	r = vb_store_load(&roots, entry, &loaded, &err);
	if (r < 0)
		FUZZ_CHECK(err.what[0]);
	/* Files not owned by root, too big or holding NULs are refused before parsing. */
	if (getuid() != 0 || size > 4096 || memchr(data, '\0', size)) {
		FUZZ_CHECK(r < 0);
		return;
	}
	FUZZ_CHECK((r == 0) == (parsed == 0));
	if (r == 0)
		FUZZ_CHECK(saved_equal(&loaded, s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_error err = { 0 };
	struct vb_saved s;
	char *text;
	int r;

	if (size > 8192)
		return -1;
	text = fuzz_cstring(data, size);
	r = vb_saved_parse(text, &s, &err);
	if (r == 0) {
		check_accepted(&s);
		check_round_trip(&s);
	} else {
		FUZZ_CHECK(r == -EINVAL && err.what[0]);
	}
	check_file(data, size, r, &s);
	free(text);
	return 0;
}
