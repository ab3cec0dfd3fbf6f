// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "options.h"

/* The compound literal lives as long as the test's block, as ret->args must. */
#define PARSE(ret, ...) parse(ret, (char *[]){ "vfio-bind", __VA_ARGS__, NULL })

static int parse(struct parsed_args *ret, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return options_parse(argc, argv, ret);
}

static void test_bind_with_options(void **state)
{
	struct parsed_args a;

	assert_int_equal(PARSE(&a, "-n", "--driver=vfio-pci", "-j", "03:00.0", "04:00.0"), 0);
	assert_int_equal(a.verb, VERB_BIND);
	assert_true(a.opts.dry_run);
	assert_true(a.opts.json);
	assert_false(a.opts.force);
	assert_string_equal(a.opts.driver, "vfio-pci");
	assert_int_equal(a.n_args, 2);
	assert_string_equal(a.args[1], "04:00.0");
}

static void test_verbs(void **state)
{
	struct parsed_args a;

	assert_int_equal(PARSE(&a, "--unbind", "-q", "03:00.0"), 0);
	assert_int_equal(a.verb, VERB_UNBIND);
	assert_true(a.opts.quiet);
	assert_int_equal(PARSE(&a, "--list"), 0);
	assert_int_equal(a.verb, VERB_LIST);
	assert_int_equal(a.n_args, 0);
	assert_int_equal(PARSE(&a, "-V"), 0);
	assert_int_equal(a.verb, VERB_VERSION);
	assert_int_equal(PARSE(&a, "--bogus", "-h"), -EINVAL);
	assert_int_equal(PARSE(&a, "-h", "--bogus"), 0);
	assert_int_equal(a.verb, VERB_HELP);
}

static void test_usage_errors(void **state)
{
	struct parsed_args a;

	assert_int_equal(PARSE(&a, "--bogus", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "-x", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "--unbind"), -EINVAL);
	assert_int_equal(PARSE(&a, "-n"), -EINVAL);
	assert_int_equal(PARSE(&a, "--list", "--unbind"), -EINVAL);
	assert_int_equal(PARSE(&a, "--unbind", "-d", "vfio-pci", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "-d"), -EINVAL);
	/* --driver values go into driver_override: only plain names pass. */
	assert_int_equal(PARSE(&a, "-d", "vfio-pci\n", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "-d", "../vfio-pci", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "-d", "", "03:00.0"), -EINVAL);
	assert_int_equal(PARSE(&a, "-d", "a/b", "03:00.0"), -EINVAL);
}

/* Parse with stderr caught; what it said, in a static buffer. */
#define PARSE_SAID(rc, ...) parse_said(rc, (char *[]){ "vfio-bind", __VA_ARGS__, NULL })

static const char *parse_said(int *rc, char **argv)
{
	static char said[2048];
	struct parsed_args a;
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	*rc = parse(&a, argv);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(said, 1, sizeof(said) - 1, tmp);
	said[n] = '\0';
	fclose(tmp);
	return said;
}

/* An abbreviation of two options is ambiguous, not unknown: say which it could be. */
static void test_ambiguous_abbreviations_are_named(void **state)
{
	struct parsed_args a;
	const char *said;
	int rc;

	said = PARSE_SAID(&rc, "--d", "vfio-pci", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--d' is ambiguous"));
	assert_non_null(strstr(said, "--driver"));
	assert_non_null(strstr(said, "--dry-run"));
	assert_null(strstr(said, "unknown"));

	said = PARSE_SAID(&rc, "--dr=vfio-pci", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--dr' is ambiguous: it could be --driver or --dry-run"));

	said = PARSE_SAID(&rc, "--ver");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--ver' is ambiguous: it could be --verbose or --version"));

	said = PARSE_SAID(&rc, "--res");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--res' is ambiguous: it could be --reset-method or --restore"));

	said = PARSE_SAID(&rc, "03:00.0", "--u");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--u' is ambiguous: it could be --unbind, --udev-export or --udev-owner"));

	/* The unknown stay unknown; a long option that takes no value says so. */
	said = PARSE_SAID(&rc, "--dx", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "unknown option '--dx'"));
	said = PARSE_SAID(&rc, "--dry-runs", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "unknown option '--dry-runs'"));
	said = PARSE_SAID(&rc, "--dry=1", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "'--dry' takes no value"));

	/* A prefix of one option only is that option. */
	assert_int_equal(PARSE(&a, "--dri", "vfio-pci", "--dry", "03:00.0"), 0);
	assert_string_equal(a.opts.driver, "vfio-pci");
	assert_true(a.opts.dry_run);
	assert_int_equal(PARSE(&a, "--rest"), 0);
	assert_int_equal(a.verb, VERB_RESTORE);
	assert_int_equal(PARSE(&a, "--unb", "--verb", "03:00.0"), 0);
	assert_int_equal(a.verb, VERB_UNBIND);
	assert_true(a.opts.verbose);
}

/* One driver for every DEVICE: a second one is refused, not silently the one that wins. */
static void test_driver_given_twice_is_refused(void **state)
{
	struct parsed_args a;
	const char *said;
	int rc;

	said = PARSE_SAID(&rc, "-d", "vfio-pci", "--driver=mlx5_vfio_pci", "03:00.0", "04:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "--driver given twice: one driver applies to every DEVICE; "
				     "run vfio-bind once per driver"));
	said = PARSE_SAID(&rc, "-d", "vfio-pci", "-d", "vfio-pci", "03:00.0");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(said, "given twice"));
	assert_int_equal(PARSE(&a, "-d", "vfio-pci", "03:00.0", "04:00.0"), 0);
	assert_string_equal(a.opts.driver, "vfio-pci");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_with_options),
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_ambiguous_abbreviations_are_named),
		cmocka_unit_test(test_driver_given_twice_is_refused),
	};

	/* The parser explains usage errors on stderr; keep the test log readable. */
	freopen("/dev/null", "w", stderr);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
