// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line: the input is argv, NUL-separated. Whatever it holds,
 * options_parse either refuses it or hands back a driver name that is safe
 * to write into driver_override and DEVICE arguments taken from argv.
 */
#include <errno.h>

#include "name.h"
#include "options.h"

#include "fuzz.h"

#define ARGS_MAX 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_silence_stderr();
	return 0;
}

static void check_parsed(int argc, char **argv, const struct parsed_args *a)
{
	FUZZ_CHECK(a->verb <= VERB_VERSION);
	if (a->verb == VERB_HELP || a->verb == VERB_VERSION)
		return;
	FUZZ_CHECK(!a->opts.driver || vb_name_is_valid(a->opts.driver));
	FUZZ_CHECK(!a->opts.driver || a->verb == VERB_BIND);
	FUZZ_CHECK(!a->opts.no_save || a->verb == VERB_BIND);
	FUZZ_CHECK(!a->opts.group || (a->verb == VERB_BIND && !a->opts.ids));
	FUZZ_CHECK(!a->opts.ids || a->verb == VERB_BIND || a->verb == VERB_UNBIND);
	FUZZ_CHECK(!a->opts.initramfs || a->verb == VERB_RESTORE);
	FUZZ_CHECK(a->n_args > 0 || a->verb == VERB_LIST || a->verb == VERB_RESTORE ||
		   a->verb == VERB_INITRAMFS_PLAN);
	FUZZ_CHECK(a->n_args == 0 || a->verb != VERB_INITRAMFS_PLAN);
	FUZZ_CHECK(a->n_args < (unsigned)argc);
	FUZZ_CHECK(a->args == argv + argc - a->n_args);
	for (unsigned i = 0; i < a->n_args; i++)
		FUZZ_CHECK(a->args[i]);
	FUZZ_CHECK(!a->args[a->n_args]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGS_MAX + 2] = { "vfio-bind" };
	struct parsed_args a;
	unsigned n;
	char *buf, **v;
	int argc, r;

	if (size > 4096)
		return -1;
	v = fuzz_split(data, size, '\0', ARGS_MAX, &n, &buf);
	memcpy(argv + 1, v, n * sizeof(char *));
	argc = (int)n + 1;
	argv[argc] = NULL;
	r = options_parse(argc, argv, &a);
	if (r == 0)
		check_parsed(argc, argv, &a);
	else
		FUZZ_CHECK(r == -EINVAL);
	free(v);
	free(buf);
	return 0;
}
