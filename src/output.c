// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "output.h"

static struct vb_field *add(struct vb_record *rec, const char *key, const char *label,
			    enum vb_field_type type)
{
	struct vb_field *f = realloc(rec->fields, (rec->n + 1) * sizeof(*f));

	if (!f)
		return NULL;
	rec->fields = f;
	f = &rec->fields[rec->n++];
	*f = (struct vb_field){ .key = key, .label = label, .type = type };
	return f;
}

int vb_record_string(struct vb_record *rec, const char *key, const char *label, const char *value)
{
	struct vb_field *f = add(rec, key, label, VB_FIELD_STRING);

	if (!f)
		return -ENOMEM;
	f->null = !value;
	if (value && !(f->text = strdup(value)))
		return -ENOMEM;
	return 0;
}

int vb_record_int(struct vb_record *rec, const char *key, const char *label, long value, bool present)
{
	struct vb_field *f = add(rec, key, label, VB_FIELD_INT);

	if (!f)
		return -ENOMEM;
	f->null = !present;
	f->number = value;
	return 0;
}

int vb_record_bool(struct vb_record *rec, const char *key, const char *label, bool value, bool present)
{
	struct vb_field *f = add(rec, key, label, VB_FIELD_BOOL);

	if (!f)
		return -ENOMEM;
	f->null = !present;
	f->number = value;
	return 0;
}

int vb_record_json(struct vb_record *rec, const char *key, char *json_text)
{
	struct vb_field *f = add(rec, key, NULL, VB_FIELD_JSON);

	if (!f) {
		free(json_text);
		return -ENOMEM;
	}
	f->null = !json_text;
	f->text = json_text;
	return 0;
}

const struct vb_field *vb_record_get(const struct vb_record *rec, const char *key)
{
	for (unsigned i = 0; i < rec->n; i++)
		if (strcmp(rec->fields[i].key, key) == 0)
			return &rec->fields[i];
	return NULL;
}

void vb_record_clear(struct vb_record *rec)
{
	for (unsigned i = 0; i < rec->n; i++)
		free(rec->fields[i].text);
	free(rec->fields);
	*rec = (struct vb_record){ 0 };
}

/*
 * The length of the well-formed UTF-8 sequence p starts with (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or 0. A NUL
 * ends a sequence early, being no continuation byte.
 */
static unsigned utf8_sequence(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	unsigned n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0; /* a continuation byte, an overlong lead (C0, C1), or F5..FF */
	/* The second byte's range rules out overlong forms, surrogates and > U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (unsigned i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void vb_json_write_string(FILE *f, const char *value)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		unsigned n;

		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			/* Other control bytes as \u escapes. */
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			if (*p < 0x80) {
				fputc(*p, f);
				break;
			}
			/*
			 * sysfs strings are bytes, JSON is UTF-8: a well-formed
			 * sequence passes as it is, each byte of anything else
			 * becomes U+FFFD.
			 */
			n = utf8_sequence(p);
			if (n == 0) {
				fputs("\xef\xbf\xbd", f);
				break;
			}
			fwrite(p, 1, n, f);
			p += n - 1;
		}
	}
	fputc('"', f);
}

char *vb_json_quote(const char *value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	vb_json_write_string(f, value);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_value(FILE *f, const struct vb_field *fld)
{
	if (fld->null) {
		fputs("null", f);
		return;
	}
	switch (fld->type) {
	case VB_FIELD_STRING:
		vb_json_write_string(f, fld->text);
		break;
	case VB_FIELD_INT:
		fprintf(f, "%ld", fld->number);
		break;
	case VB_FIELD_BOOL:
		fputs(fld->number ? "true" : "false", f);
		break;
	case VB_FIELD_JSON:
		fputs(fld->text, f);
		break;
	}
}

void vb_output_json(FILE *f, const struct vb_record *recs, unsigned n)
{
	fputs("[", f);
	for (unsigned i = 0; i < n; i++) {
		fputs(i ? ",\n  {" : "\n  {", f);
		for (unsigned j = 0; j < recs[i].n; j++) {
			fputs(j ? ", " : "", f);
			vb_json_write_string(f, recs[i].fields[j].key);
			fputs(": ", f);
			print_value(f, &recs[i].fields[j]);
		}
		fputs("}", f);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

/* The table cell of a field: text, number, or "-". */
static const char *cell(const struct vb_field *fld, char *buf, size_t size)
{
	if (fld->null)
		return "-";
	if (fld->type == VB_FIELD_INT) {
		snprintf(buf, size, "%ld", fld->number);
		return buf;
	}
	if (fld->type == VB_FIELD_BOOL)
		return fld->number ? "yes" : "no";
	return fld->text ? fld->text : "-";
}

void vb_output_table(FILE *f, const struct vb_record *recs, unsigned n)
{
	_cleanup_free_ size_t *width = NULL;
	const struct vb_record *first = n ? &recs[0] : NULL;
	unsigned last = 0;
	char buf[32];

	if (!first)
		return;
	width = calloc(first->n, sizeof(*width));
	if (!width)
		return;
	for (unsigned j = 0; j < first->n; j++)
		if (first->fields[j].label)
			width[j] = strlen(first->fields[j].label);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < first->n && j < recs[i].n; j++) {
			size_t w = strlen(cell(&recs[i].fields[j], buf, sizeof(buf)));

			if (first->fields[j].label && w > width[j])
				width[j] = w;
		}
	for (unsigned j = 0; j < first->n; j++)
		if (first->fields[j].label)
			last = j;
	for (int row = -1; row < (int)n; row++) {
		const char *sep = "";

		for (unsigned j = 0; j <= last; j++) {
			const char *text;

			if (!first->fields[j].label)
				continue;
			if (row < 0)
				text = first->fields[j].label;
			else if (j < recs[row].n)
				text = cell(&recs[row].fields[j], buf, sizeof(buf));
			else
				text = "-";
			/* No padding after the last column. */
			fprintf(f, "%s%-*s", sep, j == last ? 0 : (int)width[j], text);
			sep = "  ";
		}
		fputc('\n', f);
	}
}
