// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "macro.h"
#include "output.h"

static struct vb_field *add(struct vb_record *rec, const char *key, const char *label,
			    enum vb_field_type type)
{
	struct vb_field *f;

	if (!rec)
		return NULL;
	/* Room for a whole --list record at once, then doubling. */
	if (rec->n == rec->size) {
		unsigned size = rec->size ? 2 * rec->size : 24;

		f = realloc(rec->fields, size * sizeof(*f));
		if (!f)
			return NULL;
		rec->fields = f;
		rec->size = size;
	}
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

static struct vb_record *add_nested(struct vb_record *rec, const char *key,
				    enum vb_field_type type, bool present)
{
	struct vb_field *f = add(rec, key, NULL, type);

	if (!f)
		return NULL;
	f->null = !present;
	if (present && !(f->child = calloc(1, sizeof(*f->child))))
		f->null = true; /* out of memory: null rather than a half-made value */
	return f->child;
}

struct vb_record *vb_record_object(struct vb_record *rec, const char *key, bool present)
{
	return add_nested(rec, key, VB_FIELD_OBJECT, present);
}

struct vb_record *vb_record_array(struct vb_record *rec, const char *key, bool present)
{
	return add_nested(rec, key, VB_FIELD_ARRAY, present);
}

const struct vb_field *vb_record_get(const struct vb_record *rec, const char *key)
{
	for (unsigned i = 0; i < rec->n; i++)
		if (rec->fields[i].key && strcmp(rec->fields[i].key, key) == 0)
			return &rec->fields[i];
	return NULL;
}

void vb_record_clear(struct vb_record *rec)
{
	for (unsigned i = 0; i < rec->n; i++) {
		free(rec->fields[i].text);
		if (rec->fields[i].child) {
			vb_record_clear(rec->fields[i].child);
			free(rec->fields[i].child);
		}
	}
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

/* Bytes that go into a JSON string as they are: printable ASCII but '"' and '\\'. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * JSON text is built in memory and written once a string or a record: a
 * listing's thousands of keys and values would each be several stdio calls.
 */

/* All of sb to f, or nothing when building it ran out of memory; sb is emptied. */
static void text_write(struct vb_strbuf *sb, FILE *f)
{
	if (!sb->failed)
		fwrite(sb->s, 1, sb->len, f);
	vb_strbuf_free(sb);
}

static void json_string(struct vb_strbuf *t, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;

	vb_strbuf_append(t, "\"", 1);
	while (*p) {
		const unsigned char *run = p;
		char u[6] = "\\u00";
		unsigned n;

		/* Plain runs at once: a listing's strings are almost all plain. */
		while (json_plain(*p))
			p++;
		vb_strbuf_append(t, run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"':
			vb_strbuf_appends(t, "\\\"");
			break;
		case '\\':
			vb_strbuf_appends(t, "\\\\");
			break;
		case '\n':
			vb_strbuf_appends(t, "\\n");
			break;
		case '\t':
			vb_strbuf_appends(t, "\\t");
			break;
		case '\r':
			vb_strbuf_appends(t, "\\r");
			break;
		default:
			/* Other control bytes as \u escapes. */
			if (*p < 0x80) {
				vb_hex_digits(u + 4, *p, 2, false);
				vb_strbuf_append(t, u, sizeof(u));
				break;
			}
			/*
			 * sysfs strings are bytes, JSON is UTF-8: a well-formed
			 * sequence passes as it is, each byte of anything else
			 * becomes U+FFFD.
			 */
			n = utf8_sequence(p);
			if (n == 0) {
				vb_strbuf_appends(t, "\xef\xbf\xbd");
				break;
			}
			vb_strbuf_append(t, p, n);
			p += n - 1;
		}
		p++;
	}
	vb_strbuf_append(t, "\"", 1);
}

char *vb_json_quote(const char *value)
{
	struct vb_strbuf t = VB_STRBUF_INIT;

	json_string(&t, value);
	return vb_strbuf_take(&t);
}

/* v in decimal, written backwards from the end of buf[size]; size >= 21. */
static const char *decimal(long v, char *buf, size_t size)
{
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	char *p = buf + size - 1;

	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--p = '-';
	return p;
}

static void json_members(struct vb_strbuf *t, const struct vb_record *rec, bool object);

static void json_value(struct vb_strbuf *t, const struct vb_field *fld)
{
	char buf[32];

	if (fld->null) {
		vb_strbuf_appends(t, "null");
		return;
	}
	switch (fld->type) {
	case VB_FIELD_STRING:
		json_string(t, fld->text);
		break;
	case VB_FIELD_INT:
		vb_strbuf_appends(t, decimal(fld->number, buf, sizeof(buf)));
		break;
	case VB_FIELD_BOOL:
		vb_strbuf_appends(t, fld->number ? "true" : "false");
		break;
	case VB_FIELD_OBJECT:
		json_members(t, fld->child, true);
		break;
	case VB_FIELD_ARRAY:
		json_members(t, fld->child, false);
		break;
	}
}

/* {"key": value, ...} or [value, ...]: the fields of rec, keys left out in an array. */
static void json_members(struct vb_strbuf *t, const struct vb_record *rec, bool object)
{
	vb_strbuf_append(t, object ? "{" : "[", 1);
	for (unsigned j = 0; j < rec->n; j++) {
		if (j)
			vb_strbuf_append(t, ", ", 2);
		if (object) {
			json_string(t, rec->fields[j].key ? rec->fields[j].key : "");
			vb_strbuf_append(t, ": ", 2);
		}
		json_value(t, &rec->fields[j]);
	}
	vb_strbuf_append(t, object ? "}" : "]", 1);
}

void vb_output_json_begin(FILE *f)
{
	fputc('[', f);
}

void vb_output_json_record(FILE *f, const struct vb_record *rec, unsigned index)
{
	struct vb_strbuf t = VB_STRBUF_INIT;

	vb_strbuf_appends(&t, index ? ",\n  " : "\n  ");
	json_members(&t, rec, true);
	text_write(&t, f);
}

void vb_output_json_end(FILE *f, unsigned n)
{
	fputs(n ? "\n]\n" : "]\n", f);
}

void vb_output_json(FILE *f, const struct vb_record *recs, unsigned n)
{
	vb_output_json_begin(f);
	for (unsigned i = 0; i < n; i++)
		vb_output_json_record(f, &recs[i], i);
	vb_output_json_end(f, n);
}

/* The table cell of a field: text, number, or "-". */
static const char *cell(const struct vb_field *fld, char *buf, size_t size)
{
	if (fld->null)
		return "-";
	if (fld->type == VB_FIELD_INT)
		return decimal(fld->number, buf, size); /* no printf: a cell a device */
	if (fld->type == VB_FIELD_BOOL)
		return fld->number ? "yes" : "no";
	if (fld->type != VB_FIELD_STRING)
		return "-"; /* nested values are for JSON */
	return fld->text ? fld->text : "-";
}

/*
 * The columns are the labelled fields of the first row, by position. Rows keep
 * only their cells, end to end in one buffer ("a\0b\0..."), so a listing of
 * thousands of devices holds about a hundred bytes a device.
 */
int vb_table_add(struct vb_table *t, const struct vb_record *rec)
{
	char buf[32];

	if (t->n_rows == 0 && !t->labels) {
		t->labels = calloc(rec->n ? rec->n : 1, sizeof(*t->labels));
		t->width = calloc(rec->n ? rec->n : 1, sizeof(*t->width));
		if (!t->labels || !t->width)
			return -ENOMEM;
		t->n_fields = rec->n;
		for (unsigned j = 0; j < rec->n; j++)
			if ((t->labels[j] = rec->fields[j].label)) {
				t->width[j] = strlen(t->labels[j]);
				t->last = j;
			}
	}
	for (unsigned j = 0; j < t->n_fields; j++) {
		const char *text;
		size_t w;

		if (!t->labels[j])
			continue;
		text = j < rec->n ? cell(&rec->fields[j], buf, sizeof(buf)) : "-";
		w = strlen(text);
		vb_strbuf_append(&t->cells, text, w + 1);
		if (w > t->width[j])
			t->width[j] = w;
	}
	if (t->cells.failed)
		return -ENOMEM;
	t->n_rows++;
	return 0;
}

void vb_table_print(FILE *f, const struct vb_table *t)
{
	const char *p = t->cells.s;
	size_t line_max = 1;
	char *line;

	if (!t->labels)
		return;
	/* Each row is built in one buffer and written at once: stdio per cell costs more. */
	for (unsigned j = 0; j <= t->last; j++)
		line_max += t->labels[j] ? t->width[j] + 2 : 0;
	line = malloc(line_max);
	for (int row = -1; line && row < (int)t->n_rows; row++) {
		size_t n = 0;

		for (unsigned j = 0; j <= t->last; j++) {
			const char *text;
			size_t len;

			if (!t->labels[j])
				continue;
			if (row < 0) {
				text = t->labels[j];
			} else {
				text = p;
				p += strlen(p) + 1;
			}
			if (n) {
				memcpy(line + n, "  ", 2);
				n += 2;
			}
			len = strlen(text);
			memcpy(line + n, text, len);
			n += len;
			/* No padding after the last column. */
			for (; j != t->last && len < t->width[j]; len++)
				line[n++] = ' ';
		}
		line[n++] = '\n';
		fwrite(line, 1, n, f);
	}
	free(line);
}

void vb_table_clear(struct vb_table *t)
{
	vb_strbuf_free(&t->cells);
	free(t->labels);
	free(t->width);
	*t = (struct vb_table){ 0 };
}

void vb_output_table(FILE *f, const struct vb_record *recs, unsigned n)
{
	struct vb_table t = { 0 };

	for (unsigned i = 0; i < n; i++)
		if (vb_table_add(&t, &recs[i]) < 0)
			break;
	vb_table_print(f, &t);
	vb_table_clear(&t);
}
