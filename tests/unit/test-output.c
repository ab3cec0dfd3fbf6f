// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
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

#define FFFD "\xef\xbf\xbd"

/* sysfs strings are bytes; JSON is UTF-8 (RFC 8259 §8.1) whatever they hold. */
static void test_json_strings_are_valid_utf8(void **state)
{
	/* Well formed: passes as it is, 2, 3 and 4 bytes long, at either end. */
	quoted("\xc3\xa9", "\"\xc3\xa9\"");                      /* é */
	quoted("1\xe2\x82\xac", "\"1\xe2\x82\xac\"");              /* € */
	quoted("\xf0\x9d\x84\x9e!", "\"\xf0\x9d\x84\x9e!\"");       /* 𝄞 */
	quoted("\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\""); /* U+D7FF U+E000 */
	quoted("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
	quoted("\xc2\x80\xdf\xbf", "\"\xc2\x80\xdf\xbf\"");       /* U+0080 U+07FF */
	quoted("\xe0\xa0\x80\xf0\x90\x80\x80", "\"\xe0\xa0\x80\xf0\x90\x80\x80\"");

	/* Each byte of anything else becomes U+FFFD, and what follows is kept. */
	quoted("\x80", "\"" FFFD "\"");                           /* lone continuation */
	quoted("a\xbf" "b", "\"a" FFFD "b\"");
	quoted("\xe2\x82", "\"" FFFD FFFD "\"");                  /* truncated € at the end */
	quoted("\xe2\x82x", "\"" FFFD FFFD "x\"");                /* truncated € inside */
	quoted("\xe2\x82\\", "\"" FFFD FFFD "\\\\\"");           /* ... before an escape */
	quoted("\xc3\"", "\"" FFFD "\\\"\"");                      /* lead then a quote */
	quoted("\xc3\n", "\"" FFFD "\\n\"");                        /* lead then a control byte */
	quoted("\xc0\xaf", "\"" FFFD FFFD "\"");                  /* overlong '/' */
	quoted("\xc1\xbf", "\"" FFFD FFFD "\"");                  /* overlong DEL */
	quoted("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");         /* overlong, 3 bytes */
	quoted("\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"");  /* overlong, 4 bytes */
	quoted("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");         /* surrogate U+D800 */
	quoted("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"");         /* surrogate U+DFFF */
	quoted("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");  /* U+110000 */
	quoted("\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	quoted("\xfe\xff", "\"" FFFD FFFD "\"");
	quoted("\xf0\x9d\x84", "\"" FFFD FFFD FFFD "\"");         /* truncated 𝄞 */
	/* A bad byte does not swallow the good sequence after it. */
	quoted("\xe2\xc3\xa9", "\"" FFFD "\xc3\xa9\"");
	quoted("\xff\xf0\x9d\x84\x9e", "\"" FFFD "\xf0\x9d\x84\x9e\"");
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

/* rec as JSON and as a table, one field there and one not; rec is cleared. */
static void assert_outputs(struct vb_record *rec, const char *want_json, const char *want_table,
			   const char *present, const char *absent)
{
	char *json = render(vb_output_json, rec, 1), *table = render(vb_output_table, rec, 1);

	assert_string_equal(json, want_json);
	assert_string_equal(table, want_table);
	assert_non_null(vb_record_get(rec, present));
	assert_null(vb_record_get(rec, absent));
	free(json);
	free(table);
	vb_record_clear(rec);
	assert_int_equal(rec->n, 0);
}

static void test_one_record_gives_json_and_table(void **state)
{
	struct vb_record rec = { 0 };

	assert_int_equal(vb_record_string(&rec, "device", "DEVICE", "0000:00:02.0"), 0);
	assert_int_equal(vb_record_string(&rec, "driver", "DRIVER", NULL), 0);
	assert_int_equal(vb_record_int(&rec, "iommu_group", "GROUP", 7, true), 0);
	assert_int_equal(vb_record_bool(&rec, "rolled_back", NULL, true, true), 0);
	assert_int_equal(vb_record_bool(&rec, "viable", "VIABLE", false, true), 0);
	assert_int_equal(vb_record_bool(&rec, "unknown", NULL, false, false), 0);
	assert_non_null(vb_record_array(&rec, "steps", true));

	assert_outputs(&rec,
		       "[\n  {\"device\": \"0000:00:02.0\", \"driver\": null, "
		       "\"iommu_group\": 7, \"rolled_back\": true, \"viable\": false, "
		       "\"unknown\": null, \"steps\": []}\n]\n",
		       "DEVICE        DRIVER  GROUP  VIABLE\n"
		       "0000:00:02.0  -       7      no\n",
		       "rolled_back", "absent");
}

static void test_no_records_is_an_empty_array(void **state)
{
	char *json = render(vb_output_json, NULL, 0);

	assert_string_equal(json, "[]\n");
	free(json);
}

/* Arrays of objects and of strings, nested as deep as wanted, escaped at every level. */
static void test_nested_records(void **state)
{
	struct vb_record rec = { 0 }, *steps, *step, *tied, *deep;

	assert_int_equal(vb_record_string(&rec, "device", "DEVICE", "0000:00:02.0"), 0);
	steps = vb_record_array(&rec, "steps", true);
	assert_non_null(steps);
	step = vb_record_object(steps, NULL, true);
	assert_int_equal(vb_record_string(step, "action", NULL, "write"), 0);
	assert_int_equal(vb_record_string(step, "target", NULL, "a\"b\\c\n\x01\xff"), 0);
	assert_int_equal(vb_record_string(step, "value", NULL, NULL), 0);
	step = vb_record_object(steps, NULL, true);
	assert_int_equal(vb_record_string(step, "action", NULL, "load"), 0);
	assert_int_equal(vb_record_int(step, "n", NULL, -12, true), 0);
	assert_int_equal(vb_record_bool(step, "ok", NULL, true, true), 0);
	deep = vb_record_array(step, "more", true);
	assert_int_equal(vb_record_string(deep, NULL, NULL, "caf\xc3\xa9"), 0);
	assert_int_equal(vb_record_string(deep, NULL, NULL, NULL), 0);
	assert_non_null(vb_record_object(deep, NULL, true));
	assert_non_null(vb_record_array(deep, NULL, true));
	tied = vb_record_array(&rec, "tied_with", true);
	assert_int_equal(vb_record_string(tied, NULL, NULL, "mlx5_vfio_pci"), 0);
	assert_int_equal(vb_record_string(tied, NULL, NULL, "x\ty"), 0);
	assert_null(vb_record_array(&rec, "none", false));
	assert_null(vb_record_object(&rec, "nothing", false));
	assert_non_null(vb_record_array(&rec, "empty", true));
	/* What could not be made takes nothing, and says so. */
	assert_int_equal(vb_record_string(NULL, "k", NULL, "v"), -ENOMEM);
	assert_null(vb_record_object(NULL, "k", true));
	assert_int_equal(vb_record_string(&rec, "name", "NAME", "e1000e"), 0);

	/* Nested values are never columns. */
	assert_outputs(&rec,
		       "[\n  {\"device\": \"0000:00:02.0\", \"steps\": ["
		       "{\"action\": \"write\", \"target\": \"a\\\"b\\\\c\\n\\u0001" FFFD "\", \"value\": null}, "
		       "{\"action\": \"load\", \"n\": -12, \"ok\": true, "
		       "\"more\": [\"caf\xc3\xa9\", null, {}, []]}], "
		       "\"tied_with\": [\"mlx5_vfio_pci\", \"x\\ty\"], \"none\": null, \"nothing\": null, "
		       "\"empty\": [], \"name\": \"e1000e\"}\n]\n",
		       "DEVICE        NAME\n"
		       "0000:00:02.0  e1000e\n",
		       "tied_with", "action");
}

/* A table's rows, many of them: the cells grow past any first guess. */
static void test_table_of_many_rows(void **state)
{
	struct vb_record recs[500] = { 0 };
	char *table;

	for (int i = 0; i < 500; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dev%d", i);
		assert_int_equal(vb_record_string(&recs[i], "device", "DEVICE", name), 0);
		assert_int_equal(vb_record_int(&recs[i], "n", "N", i, i % 2), 0);
	}
	table = render(vb_output_table, recs, 500);
	assert_int_equal(strncmp(table, "DEVICE  N\ndev0    -\ndev1    1\n", 30), 0);
	assert_non_null(strstr(table, "\ndev499  499\n"));
	for (int i = 0; i < 500; i++)
		vb_record_clear(&recs[i]);
	free(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_strings_are_escaped),
		cmocka_unit_test(test_json_strings_are_valid_utf8),
		cmocka_unit_test(test_one_record_gives_json_and_table),
		cmocka_unit_test(test_no_records_is_an_empty_array),
		cmocka_unit_test(test_nested_records),
		cmocka_unit_test(test_table_of_many_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
