/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/*
 * One description of what is reported about a device, printed either as a
 * JSON object or as a column of a table, so the two can never drift.
 */
enum vb_field_type {
	VB_FIELD_STRING,
	VB_FIELD_INT,
	VB_FIELD_BOOL,
	VB_FIELD_JSON, /* already-formed JSON (an array), JSON output only */
};

struct vb_field {
	const char *key;   /* snake_case JSON key */
	const char *label; /* table heading; NULL: not a column */
	enum vb_field_type type;
	bool null;
	char *text;        /* string value, or the JSON text */
	long number;
};

struct vb_record {
	struct vb_field *fields;
	unsigned n, size;
};

/* Add fields; a NULL string or a negative int with present=false is JSON null. */
int vb_record_string(struct vb_record *rec, const char *key, const char *label, const char *value);
int vb_record_int(struct vb_record *rec, const char *key, const char *label, long value, bool present);
int vb_record_bool(struct vb_record *rec, const char *key, const char *label, bool value, bool present);
int vb_record_json(struct vb_record *rec, const char *key, char *json_text);
const struct vb_field *vb_record_get(const struct vb_record *rec, const char *key);
void vb_record_clear(struct vb_record *rec);

/*
 * value as a JSON string literal, quotes included, always valid UTF-8: a
 * well-formed UTF-8 sequence passes as it is, each other byte >= 0x80 becomes
 * U+FFFD, control bytes are escaped.
 */
void vb_json_write_string(FILE *f, const char *value);
/* The same into a new string (NULL on allocation failure). */
char *vb_json_quote(const char *value);

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
	char *cells; /* every row's shown cells, each NUL-terminated */
	size_t used, size;
	unsigned n_rows;
};
int vb_table_add(struct vb_table *t, const struct vb_record *rec);
void vb_table_print(FILE *f, const struct vb_table *t);
void vb_table_clear(struct vb_table *t);
/* A table of the labelled fields, one row per record, "-" for null. */
void vb_output_table(FILE *f, const struct vb_record *recs, unsigned n);
