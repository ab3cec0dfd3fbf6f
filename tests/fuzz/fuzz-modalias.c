// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A modalias as sysfs gives it: parsed into IDs, described for --list, and
 * looked up as "vfio_" + modalias in a small module index (made once, at
 * start) to choose a driver.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <strings.h>

#include "bus.h"
#include "modalias.h"
#include "resolve.h"
#include "sysfs.h"

#include "fuzz.h"

#define KVER "6.1.0-fuzz"
#define ANY  "sv*sd*bc*sc*i*"

static char *tmp;
static struct vb_roots roots;
static struct vb_resolver *res;

static void cleanup(void)
{
	char *cmd = vb_path("rm -rf '%s'", tmp);

	if (res)
		vb_resolver_free(res);
	if (cmd && system(cmd) != 0)
		fprintf(fuzz_stderr(), "cannot remove %s\n", tmp);
	free(cmd);
}

/* Variants, a tie, a catch-all and aliases with odd fnmatch syntax. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cmd;

	if (!(tmp = fuzz_tmpdir("modalias")))
		abort();
	atexit(cleanup);
	cmd = vb_path("'%s' '%s' " KVER " 'vfio_pci:vfio_pci:v*d*" ANY "'"
		      " 'mlx5_vfio_pci:vfio_pci:v000015B3d0000101E" ANY "'"
		      " 'e1000e_vfio_pci:vfio_pci:v00008086d000010D3" ANY "'"
		      " 'aa_twin_vfio_pci:vfio_pci:v00001234d00005678" ANY "'"
		      " 'zz_twin_vfio_pci:vfio_pci:v00001234d00005678" ANY "'"
		      " 'class_vfio_pci:vfio_pci:v*d*sv*sd*bc03sc00i*'"
		      " 'odd_vfio_pci:vfio_pci:v0000[0-9]ABCd*" ANY
		      ",vfio_pci:v0000?BBBd????0001" ANY "'"
		      " 'cdx_vfio:vfio_cdx:v*d*'"
		      " 'e1000e:pci:v00008086d000010D3" ANY "' 'vfio:' 'vfio_pci_core:'"
		      " && mkdir -p '%s/modprobe.d' '%s/sys/module'",
		      MAKE_MODULE_TREE, tmp, tmp, tmp);
	if (!cmd || system(cmd) != 0) {
		fprintf(fuzz_stderr(), "cannot make the module tree in %s\n", tmp);
		abort();
	}
	free(cmd);
	roots.sysfs = vb_path("%s/sys", tmp);
	roots.modules_dir = vb_path("%s/lib/modules/" KVER, tmp);
	roots.modprobe_dir = vb_path("%s/modprobe.d", tmp);
	roots.config_dir = vb_path("%s/etc", tmp);
	if (vb_resolver_new(&roots, &res, NULL) < 0)
		abort();
	return 0;
}

/* The parse is exact: the IDs printed back are the input, up to case. */
static void check_parse(const char *s)
{
	struct vb_pci_ids ids;
	char back[64];

	if (vb_modalias_parse_pci(s, &ids) < 0)
		return;
	snprintf(back, sizeof(back), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", ids.vendor,
		 ids.device, ids.subvendor, ids.subdevice, ids.class >> 16, ids.class >> 8 & 0xff,
		 ids.class & 0xff);
	FUZZ_CHECK(strncmp(s, "pci:", 4) == 0);
	FUZZ_CHECK(strcasecmp(back, s) == 0);
	FUZZ_CHECK(ids.class <= 0xffffff);
}

/* The short form --list shows is cut from the modalias, never longer. */
static void check_describe(const char *s)
{
	char *d = vb_modalias_describe(s);

	FUZZ_CHECK(!d || strlen(d) <= strlen(s));
	free(d);
}

static void check_choice(const struct vb_bus *bus, const struct vb_choice *c)
{
	FUZZ_CHECK(c->module && c->module[0]);
	if (c->fallback) {
		FUZZ_CHECK(c->n_candidates == 0 && !c->pattern);
		FUZZ_CHECK(strcmp(c->module, bus->vfio_module) == 0);
		return;
	}
	FUZZ_CHECK(c->n_candidates > 0);
	FUZZ_CHECK(c->n_tied >= 1 && c->n_tied <= c->n_candidates);
	FUZZ_CHECK(strcmp(c->module, c->candidates[0].module) == 0);
	FUZZ_CHECK(streq_ptr(c->pattern, c->candidates[0].pattern));
	for (unsigned i = 0; i < c->n_candidates; i++) {
		const struct vb_candidate *x = &c->candidates[i];

		FUZZ_CHECK(x->module);
		FUZZ_CHECK(!x->pattern || x->wildcards == vb_pattern_wildcards(x->pattern));
		FUZZ_CHECK(i >= c->n_tied || x->wildcards == c->candidates[0].wildcards);
		if (i == 0)
			continue;
		FUZZ_CHECK(x[-1].wildcards <= x->wildcards);
		FUZZ_CHECK(x[-1].wildcards < x->wildcards || strcmp(x[-1].module, x->module) <= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const buses[] = { "pci", "cdx", "platform" };
	char *s;

	/* sysfs attributes are at most a page. */
	if (size > 4096)
		return -1;
	s = fuzz_cstring(data, size);
	check_parse(s);
	check_describe(s);
	for (unsigned i = 0; i < ELEMENTSOF(buses); i++) {
		const struct vb_bus *bus = vb_bus_find(buses[i]);
		struct vb_choice choice = { 0 };
		struct vb_error err = { 0 };

		if (!bus || !bus->vfio_module)
			continue;
		if (vb_resolve(res, bus, s, &choice, &err) == 0)
			check_choice(bus, &choice);
		else
			FUZZ_CHECK(err.what[0] || err.code == 0);
		vb_choice_clear(&choice);
	}
	free(s);
	return 0;
}
