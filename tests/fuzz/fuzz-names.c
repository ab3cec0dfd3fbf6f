// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device names from the command line: whatever comes in, what comes out is a
 * name that is safe to put in a sysfs path.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "device.h"
#include "name.h"
#include "store.h"
#include "sysfs.h"

#include "fuzz.h"

static char *tmp;
static struct vb_roots roots;

static void cleanup(void)
{
	char *cmd = vb_path("rm -rf '%s'", tmp);

	if (cmd && system(cmd) != 0)
		fprintf(fuzz_stderr(), "cannot remove %s\n", tmp);
	free(cmd);
}

static void link_dev(const char *bus, const char *target, const char *name)
{
	char *dir = vb_path("%s/sys/%s", tmp, target);
	char *link = vb_path("%s/sys/bus/%s/devices/%s", tmp, bus, name);
	char *cmd = vb_path("mkdir -p '%s' '%s/sys/bus/%s/devices'", dir, tmp, bus);

	if (!dir || !link || !cmd || system(cmd) != 0 || symlink(dir, link) < 0)
		abort();
	free(dir);
	free(link);
	free(cmd);
}

/* A tiny sysfs, so that sysfs-path arguments resolve against something. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!(tmp = fuzz_tmpdir("names")))
		abort();
	atexit(cleanup);
	link_dev("pci", "devices/pci0000:00/0000:00:02.0", "0000:00:02.0");
	link_dev("pci", "devices/pci0000:00/0000:00:1c.0/0000:03:00.1", "0000:03:00.1");
	link_dev("platform", "devices/platform/fff51000.ethernet", "fff51000.ethernet");
	roots.sysfs = vb_path("%s/sys", tmp);
	roots.config_dir = vb_path("%s/config", tmp);
	return 0;
}

/* What vb_name_is_valid promises, checked without it. */
static bool safe_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > VB_NAME_MAX || s[0] == '.' || s[0] == '-' || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || isspace((unsigned char)*s) || iscntrl((unsigned char)*s) ||
		    (unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void check_pci_address(const char *arg)
{
	char out[64], again[64];
	unsigned d, b, s, f;
	int n = 0;

	if (vb_pci_address_canonical(arg, out, sizeof(out)) < 0)
		return;
	FUZZ_CHECK(vb_name_is_valid(out));
	FUZZ_CHECK(sscanf(out, "%x:%2x:%2x.%1x%n", &d, &b, &s, &f, &n) == 4);
	FUZZ_CHECK((size_t)n == strlen(out) && s <= 0x1f && f <= 7);
	/* The kernel's spelling is a fixed point. */
	FUZZ_CHECK(vb_pci_address_canonical(out, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	/* Too small a buffer is an error, never a cut name. */
	FUZZ_CHECK(vb_pci_address_canonical(arg, again, (unsigned)strlen(out)) == -EINVAL);
}

static void check_id(const char *arg)
{
	char id[10];

	if (vb_pci_id_canonical(arg, id) < 0)
		return;
	FUZZ_CHECK(strlen(id) == 9 && id[4] == ':');
	FUZZ_CHECK(strcasecmp(id, arg) == 0);
	for (int i = 0; i < 9; i++)
		FUZZ_CHECK(i == 4 ||
			   (isxdigit((unsigned char)id[i]) && !islower((unsigned char)id[i])));
}

static void check_from_arg(const struct vb_bus *bus, const char *arg)
{
	struct vb_error err = { 0 };
	char name[VB_NAME_MAX + 1];
	int r;

	if (!bus)
		return;
	r = vb_device_name_from_arg(&roots, bus, arg, name, sizeof(name), NULL, &err);
	if (r == 0) {
		FUZZ_CHECK(vb_name_is_valid(name));
		FUZZ_CHECK(safe_name(name));
		return;
	}
	FUZZ_CHECK(r == -EINVAL || r == -ENODEV || r == -ENOMEM || r == -EACCES ||
		   r == -ENAMETOOLONG || r == -ENOTDIR || r == -ELOOP);
	/* A usage error says why. */
	FUZZ_CHECK(r == -ENOMEM || err.what[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg;

	if (size > PATH_MAX + 64)
		return -1;
	arg = fuzz_cstring(data, size);
	FUZZ_CHECK(!vb_name_is_valid(arg) || safe_name(arg));
	check_pci_address(arg);
	check_id(arg);
	check_from_arg(vb_bus_find("pci"), arg);
	check_from_arg(vb_bus_find("platform"), arg);
	free(arg);
	return 0;
}
