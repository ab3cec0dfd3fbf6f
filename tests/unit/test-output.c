// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

static void quoted(const char *in, const char *want)
{
	char *out = vb_json_quote(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_json_strings_are_escaped(void **state)
{
	quoted("vfio-pci", "\"vfio-pci\"");
	quoted("a\"b", "\"a\\\"b\"");
	quoted("back\\slash", "\"back\\\\slash\"");
	quoted("line\nbreak\ttab\rcr", "\"line\\nbreak\\ttab\\rcr\"");
	quoted("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	quoted("Caf\xc3\xa9", "\"Caf\xc3\xa9\"");
	quoted("", "\"\"");
}

static char *render(void (*fn)(FILE *, const struct vb_record *, unsigned),
		    const struct vb_record *recs, unsigned n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, recs, n);
	fclose(f);
	return buf;
}

static void test_one_record_gives_json_and_table(void **state)
{
	struct vb_record rec = { 0 };
	char *json, *table;

	assert_int_equal(vb_record_string(&rec, "device", "DEVICE", "0000:00:02.0"), 0);
	assert_int_equal(vb_record_string(&rec, "driver", "DRIVER", NULL), 0);
	assert_int_equal(vb_record_int(&rec, "iommu_group", "GROUP", 7, true), 0);
	assert_int_equal(vb_record_bool(&rec, "rolled_back", NULL, true, true), 0);
	assert_int_equal(vb_record_bool(&rec, "viable", "VIABLE", false, true), 0);
	assert_int_equal(vb_record_bool(&rec, "unknown", NULL, false, false), 0);
	assert_int_equal(vb_record_json(&rec, "steps", strdup("[]")), 0);

	json = render(vb_output_json, &rec, 1);
	assert_string_equal(json, "[\n  {\"device\": \"0000:00:02.0\", \"driver\": null, "
				  "\"iommu_group\": 7, \"rolled_back\": true, \"viable\": false, "
				  "\"unknown\": null, \"steps\": []}\n]\n");
	table = render(vb_output_table, &rec, 1);
	assert_string_equal(table, "DEVICE        DRIVER  GROUP  VIABLE\n"
				   "0000:00:02.0  -       7      no\n");
	assert_non_null(vb_record_get(&rec, "rolled_back"));
	assert_null(vb_record_get(&rec, "absent"));
	free(json);
	free(table);
	vb_record_clear(&rec);
}

static void test_no_records_is_an_empty_array(void **state)
{
	char *json = render(vb_output_json, NULL, 0);

	assert_string_equal(json, "[]\n");
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_strings_are_escaped),
		cmocka_unit_test(test_one_record_gives_json_and_table),
		cmocka_unit_test(test_no_records_is_an_empty_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
