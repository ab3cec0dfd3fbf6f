// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "dir.h"
#include "hex.h"
#include "name.h"
#include "strbuf.h"
#include "sysfs.h"

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

static void test_strbuf_appends_and_grows(void **state)
{
	_cleanup_strbuf_ struct vb_strbuf sb = VB_STRBUF_INIT;
	char big[1000];
	char *s;

	/* Nothing appended is "", not NULL. */
	s = vb_strbuf_take(&sb);
	assert_string_equal(s, "");
	free(s);

	vb_strbuf_appends(&sb, "pci");
	vb_strbuf_append(&sb, "-x", 1);
	vb_strbuf_appendf(&sb, "%s:%04x", "id", 0x15b3);
	assert_string_equal(sb.s, "pci-id:15b3");
	assert_int_equal(sb.len, 11);
	/* Formatted text longer than any stack buffer, and growth past the first size. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vb_strbuf_appendf(&sb, "[%s]", big);
	assert_int_equal(sb.len, 11 + 2 + 999);
	assert_int_equal(sb.s[sb.len], '\0');
	assert_int_equal(sb.s[sb.len - 1], ']');
	assert_int_equal(memcmp(sb.s, "pci-id:15b3[aaa", 15), 0);
	/* Strings end to end, NULs included. */
	vb_strbuf_free(&sb);
	vb_strbuf_append(&sb, "a", 2);
	vb_strbuf_append(&sb, "b", 2);
	assert_int_equal(sb.len, 4);
	assert_int_equal(memcmp(sb.s, "a\0b\0", 4), 0);
	assert_false(sb.failed);
	vb_strbuf_free(NULL);
}

static void test_path_and_concat(void **state)
{
	char *p = vb_path("%s/bus/%s/devices", "/sys", "pci");
	char *c = vb_concat("/sys", "/bus/", "pci", NULL);
	char *e = vb_concat("", NULL);

	assert_string_equal(p, "/sys/bus/pci/devices");
	assert_string_equal(c, "/sys/bus/pci");
	assert_string_equal(e, "");
	free(p);
	free(c);
	free(e);
}

static void test_hex(void **state)
{
	const char *s = "v00008086d000010D3x";
	unsigned v;
	char out[9] = "";

	assert_int_equal(vb_hex_value('0'), 0);
	assert_int_equal(vb_hex_value('F'), 15);
	assert_int_equal(vb_hex_value('a'), 10);
	assert_int_equal(vb_hex_value('g'), -1);
	assert_int_equal(vb_hex_value('\0'), -1);

	s++;
	assert_int_equal(vb_hex_field(&s, 8, 8, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(*s, 'd');
	s++;
	assert_int_equal(vb_hex_field(&s, 8, 8, &v), 0);
	assert_int_equal(v, 0x10d3);
	assert_int_equal(*s, 'x');
	/* Fewer digits than asked for: refused. */
	s = "12x";
	assert_int_equal(vb_hex_field(&s, 3, 8, &v), -EINVAL);
	s = "";
	assert_int_equal(vb_hex_field(&s, 1, 2, &v), -EINVAL);
	/* At most max: the rest is left. */
	s = "abc";
	assert_int_equal(vb_hex_field(&s, 1, 2, &v), 0);
	assert_int_equal(v, 0xab);
	assert_string_equal(s, "c");

	assert_int_equal(vb_hex_parse("0x1003", &v), 0);
	assert_int_equal(v, 0x1003);
	assert_int_equal(vb_hex_parse("ffffffff", &v), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(vb_hex_parse("0X1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(vb_hex_parse("0x", &v), -EINVAL);
	assert_int_equal(vb_hex_parse("", &v), -EINVAL);
	assert_int_equal(vb_hex_parse("12 ", &v), -EINVAL);
	assert_int_equal(vb_hex_parse("123456789", &v), -EINVAL);
	assert_int_equal(vb_hex_parse(NULL, &v), -EINVAL);

	vb_hex_digits(out, 0x20000, 6, false);
	assert_string_equal(out, "020000");
	vb_hex_digits(out, 0x15b3, 4, true);
	out[4] = '\0';
	assert_string_equal(out, "15B3");
}

static void test_dir_list(void **state)
{
	char dir[] = "/tmp/vfio-bind-test-dir-XXXXXX";
	const char *files[] = { "b", ".hidden", "a", "c.conf" };
	char **names;
	unsigned n;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = vb_path("%s/%s", dir, files[i]);
		int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		assert_true(fd >= 0);
		close(fd);
		free(p);
	}
	assert_int_equal(vb_dir_list(dir, 0, &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c.conf");
	vb_strv_free(names, n);
	assert_int_equal(vb_dir_list(dir, VB_DIR_HIDDEN, &names, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], ".hidden");
	vb_strv_free(names, n);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = vb_path("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	assert_int_equal(vb_dir_list(dir, 0, &names, &n), 0);
	assert_int_equal(n, 0);
	vb_strv_free(names, n);
	rmdir(dir);
	assert_int_equal(vb_dir_list(dir, 0, &names, &n), -ENOENT);
	assert_int_equal(vb_dir_list(NULL, 0, &names, &n), -ENOMEM);
}

static void test_cache(void **state)
{
	struct vb_cache c = VB_CACHE_INIT(free);
	void *v = (void *)1;
	char key[16];

	assert_false(vb_cache_get(&c, "pci vfio_pci", &v));
	assert_int_equal(vb_cache_put(&c, "pci vfio_pci", strdup("vfio-pci")), 0);
	/* A cached NULL is an answer too. */
	assert_int_equal(vb_cache_put(&c, "pci mlx5_vfio_pci", NULL), 0);
	assert_true(vb_cache_get(&c, "pci vfio_pci", &v));
	assert_string_equal(v, "vfio-pci");
	assert_true(vb_cache_get(&c, "pci mlx5_vfio_pci", &v));
	assert_null(v);
	assert_true(vb_cache_get(&c, "pci mlx5_vfio_pci", NULL));
	/* Replaced: the old value freed (valgrind and ASan tell). */
	assert_int_equal(vb_cache_put(&c, "pci vfio_pci", strdup("other")), 0);
	assert_true(vb_cache_get(&c, "pci vfio_pci", &v));
	assert_string_equal(v, "other");
	/* Many keys: it grows, and every one stays found. */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "%d", i);
		assert_int_equal(vb_cache_put(&c, key, strdup(key)), 0);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "%d", i);
		assert_true(vb_cache_get(&c, key, &v));
		assert_string_equal(v, key);
	}
	assert_false(vb_cache_get(&c, "1000", NULL));
	assert_int_equal(c.used, 1002);
	vb_cache_clear(&c);
	assert_false(vb_cache_get(&c, "1", NULL));
	assert_int_equal(vb_cache_put(&c, "again", strdup("x")), 0);
	vb_cache_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_addresses_are_canonicalised),
		cmocka_unit_test(test_bad_pci_addresses_are_refused),
		cmocka_unit_test(test_pci_address_does_not_overflow_small_buffer),
		cmocka_unit_test(test_device_names_on_any_bus),
		cmocka_unit_test(test_strbuf_appends_and_grows),
		cmocka_unit_test(test_path_and_concat),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_dir_list),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
