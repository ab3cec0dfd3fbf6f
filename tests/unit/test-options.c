// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_with_options),
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_usage_errors),
	};

	/* The parser explains usage errors on stderr; keep the test log readable. */
	freopen("/dev/null", "w", stderr);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
