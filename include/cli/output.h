/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "strbuf.h"

/*
 * One description of what is reported about a device, printed either as a
 * JSON object or as a column of a table, so the two can never drift.
 */
enum vb_field_type {
	VB_FIELD_STRING,
	VB_FIELD_INT,
	VB_FIELD_BOOL,
	VB_FIELD_OBJECT, /* a nested record: {"key": value, ...}, JSON output only */
	VB_FIELD_ARRAY,  /* a nested record whose fields have no keys: [value, ...], JSON only */
};

struct vb_field {
	const char *key;   /* snake_case JSON key; NULL for an item of an array */
	const char *label; /* table heading; NULL: not a column */
	enum vb_field_type type;
	bool null;
	char *text;        /* string value */
	long number;
	struct vb_record *child; /* VB_FIELD_OBJECT, VB_FIELD_ARRAY: the nested values */
};

struct vb_record {
	struct vb_field *fields;
	unsigned n, size;
};

/*
 * Add fields, in the order they are to be printed; the record copies value.
 * A NULL string, or present=false, is JSON null. rec may be NULL (a nested
 * record that could not be made): then nothing is added and -ENOMEM returned,
 * so building a nested value needs no checks of its own.
 */
int vb_record_string(struct vb_record *rec, const char *key, const char *label, const char *value);
int vb_record_int(struct vb_record *rec, const char *key, const char *label, long value, bool present);
int vb_record_bool(struct vb_record *rec, const char *key, const char *label, bool value, bool present);

/*
 * A nested value under key: the record returned is filled with the same
 * calls, and freed with rec. In an object each field needs a key; in an array
 * the key is NULL (labels are ignored: nested values are never table columns).
 * With present=false the value is null and NULL is returned; NULL too when
 * out of memory (then the value is null as well). Nesting goes as deep as
 * wanted: an array of objects holding arrays...
 *
 *	struct vb_record *steps = vb_record_array(rec, "steps", true);
 *
 *	for (unsigned i = 0; i < n; i++) {
 *		struct vb_record *step = vb_record_object(steps, NULL, true);
 *
 *		vb_record_string(step, "action", NULL, s[i].action);
 *		vb_record_string(step, "value", NULL, s[i].value);
 *	}
 *	-> "steps": [{"action": "bind", "value": null}, ...]   ([] when n is 0)
 *
 *	struct vb_record *tied = vb_record_array(rec, "tied_with", n_tied > 1);
 *
 *	for (unsigned i = 1; i < n_tied; i++)
 *		vb_record_string(tied, NULL, NULL, candidates[i].module);
 *	-> "tied_with": ["a", "b"], or "tied_with": null
 */
struct vb_record *vb_record_object(struct vb_record *rec, const char *key, bool present);
struct vb_record *vb_record_array(struct vb_record *rec, const char *key, bool present);

/* The field of key at the top of rec, or NULL. */
const struct vb_field *vb_record_get(const struct vb_record *rec, const char *key);
/* Free every field, nested ones included; rec is empty again. */
void vb_record_clear(struct vb_record *rec);

/*
 * value as a JSON string literal, quotes included, always valid UTF-8: a
 * well-formed UTF-8 sequence passes as it is, each other byte >= 0x80 becomes
 * U+FFFD, control bytes are escaped.
 */
char *vb_json_quote(const char *value); /* a new string, NULL on allocation failure */

/* An array of objects, one per record. */
void vb_output_json(FILE *f, const struct vb_record *recs, unsigned n);
/* The same, one record at a time as it is made: index counts from 0, n is how many. */
void vb_output_json_begin(FILE *f);
void vb_output_json_record(FILE *f, const struct vb_record *rec, unsigned index);
void vb_output_json_end(FILE *f, unsigned n);

/* A table under construction: the cells of each row, without their records. */
struct vb_table {
	const char **labels; /* by field position in the first row; NULL: not shown */
	size_t *width;
	unsigned n_fields, last;
	struct vb_strbuf cells; /* every row's shown cells, each NUL-terminated */
	unsigned n_rows;
};
int vb_table_add(struct vb_table *t, const struct vb_record *rec);
void vb_table_print(FILE *f, const struct vb_table *t);
void vb_table_clear(struct vb_table *t);
/* A table of the labelled fields, one row per record, "-" for null. */
void vb_output_table(FILE *f, const struct vb_record *recs, unsigned n);
