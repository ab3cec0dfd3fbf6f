// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "name.h"

static void pci_address_canonical(const char *in, const char *want)
{
	char out[32];

	assert_int_equal(vb_pci_address_canonical(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_pci_addresses_are_canonicalised(void **state)
{
	pci_address_canonical("0000:03:00.0", "0000:03:00.0");
	pci_address_canonical("03:00.0", "0000:03:00.0");
	pci_address_canonical("0000:AF:1F.7", "0000:af:1f.7");
	pci_address_canonical("10000:e1:00.1", "10000:e1:00.1");
	pci_address_canonical("3:0.1", "0000:03:00.1");
}

static void test_bad_pci_addresses_are_refused(void **state)
{
	const char *bad[] = {
		"", "03:00", "0000:03:00", "0000:03:00.8", "0000:03:20.0", "0000:03:00.0 ",
		"0000:03:00.0/", "0000:103:00.0", "x000:03:00.0", "0000:03:00.00", ":03:00.0",
		"123456789:00:00.0", "0000::00.0", "../03:00.0", "03:00.0\n", "1:2:3:4.0",
	};
	char out[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vb_pci_address_canonical(bad[i], out, sizeof(out)), -EINVAL);
}

static void test_pci_address_does_not_overflow_small_buffer(void **state)
{
	char out[8];

	assert_int_equal(vb_pci_address_canonical("0000:03:00.0", out, sizeof(out)), -EINVAL);
}

static void test_device_names_on_any_bus(void **state)
{
	char long_name[VB_NAME_MAX + 2];

	assert_true(vb_name_is_valid("fff51000.ethernet"));
	assert_true(vb_name_is_valid("QEMU0002:00"));
	assert_true(vb_name_is_valid("dprc.2"));
	assert_true(vb_name_is_valid("cdx-00:00"));
	assert_true(vb_name_is_valid("vfio-pci"));
	assert_true(vb_name_is_valid("mlx5_vfio_pci"));

	assert_false(vb_name_is_valid(NULL));
	assert_false(vb_name_is_valid(""));
	assert_false(vb_name_is_valid("."));
	assert_false(vb_name_is_valid(".."));
	assert_false(vb_name_is_valid("a/b"));
	assert_false(vb_name_is_valid("a..b"));
	assert_false(vb_name_is_valid("vfio-pci\n"));
	assert_false(vb_name_is_valid("vfio pci"));
	assert_false(vb_name_is_valid("a\tb"));
	assert_false(vb_name_is_valid("-rf"));
	assert_false(vb_name_is_valid(".hidden"));
	assert_false(vb_name_is_valid("(null)"));
	assert_false(vb_name_is_valid("x\x7f"));

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_false(vb_name_is_valid(long_name));
	long_name[VB_NAME_MAX] = '\0';
	assert_true(vb_name_is_valid(long_name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_addresses_are_canonicalised),
		cmocka_unit_test(test_bad_pci_addresses_are_refused),
		cmocka_unit_test(test_pci_address_does_not_overflow_small_buffer),
		cmocka_unit_test(test_device_names_on_any_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
