// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --json output: any string quotes to a JSON literal that decodes back to
 * it, and any set of records prints as one well-formed JSON document. The
 * input is lines, one value each, filling records of the shape --list uses.
 */
#include <ctype.h>
#include <stdbool.h>

#include "macro.h"
#include "output.h"

#include "fuzz.h"

#define RECORDS_MAX 32
#define DEPTH_MAX   16

static const struct {
	const char *key, *label;
	enum vb_field_type type;
} schema[] = {
	{ "device", "DEVICE", VB_FIELD_STRING},	{"driver", "DRIVER", VB_FIELD_STRING },
	{ "iommu_group", "GROUP", VB_FIELD_INT}, {"saved", NULL, VB_FIELD_BOOL },
	{ "steps", NULL, VB_FIELD_ARRAY},		{"name", "NAME", VB_FIELD_STRING },
	{ "choice", NULL, VB_FIELD_OBJECT},
};

/* A JSON reader just strict enough to tell well-formed from not. */
struct reader {
	const char *p, *end;
	char *out; /* decoded string, when asked */
	size_t n_out;
};

static bool value(struct reader *r, unsigned depth);

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && strchr(" \t\n\r", *r->p) && *r->p)
		r->p++;
}

static bool lit(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int hex(char c)
{
	return isdigit((unsigned char)c)    ? c - '0'
	       : isxdigit((unsigned char)c) ? (c | 0x20) - 'a' + 10
					    : -1;
}

static void put(struct reader *r, unsigned char c)
{
	if (r->out)
		r->out[r->n_out] = (char)c;
	r->n_out++;
}

static size_t utf8_len(const unsigned char *p, size_t left);

static bool string(struct reader *r)
{
	if (!lit(r, "\""))
		return false;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		unsigned u = 0;

		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			/* JSON text is UTF-8: a malformed sequence is a bad document. */
			size_t k = utf8_len((const unsigned char *)r->p - 1, (size_t)(r->end - r->p) + 1);

			if (k == 0)
				return false;
			put(r, c);
			for (size_t i = 1; i < k; i++)
				put(r, (unsigned char)*r->p++);
			continue;
		}
		if (c != '\\') {
			put(r, c);
			continue;
		}
		if (r->p >= r->end)
			return false;
		switch (c = (unsigned char)*r->p++) {
		case '"':
		case '\\':
		case '/':
			put(r, c);
			break;
		case 'b':
			put(r, '\b');
			break;
		case 'f':
			put(r, '\f');
			break;
		case 'n':
			put(r, '\n');
			break;
		case 'r':
			put(r, '\r');
			break;
		case 't':
			put(r, '\t');
			break;
		case 'u':
			for (int i = 0; i < 4; i++) {
				if (r->p >= r->end || hex(*r->p) < 0)
					return false;
				u = u * 16 + (unsigned)hex(*r->p++);
			}
			/* The writer escapes only single bytes this way. */
			if (u > 0x7f)
				return false;
			put(r, (unsigned char)u);
			break;
		default:
			return false;
		}
	}
	return lit(r, "\"");
}

static bool number(struct reader *r)
{
	const char *start = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || !isdigit((unsigned char)*r->p))
		return false;
	if (*r->p == '0' && r->p + 1 < r->end && isdigit((unsigned char)r->p[1]))
		return false;
	while (r->p < r->end && isdigit((unsigned char)*r->p))
		r->p++;
	return r->p > start;
}

static bool members(struct reader *r, unsigned depth, bool object, unsigned *ret_n)
{
	char close = object ? '}' : ']';
	unsigned n = 0;

	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		*ret_n = 0;
		return true;
	}
	for (;;) {
		skip_ws(r);
		if (object) {
			if (!string(r))
				return false;
			skip_ws(r);
			if (!lit(r, ":"))
				return false;
		}
		if (!value(r, depth + 1))
			return false;
		n++;
		skip_ws(r);
		if (r->p < r->end && *r->p == close) {
			r->p++;
			*ret_n = n;
			return true;
		}
		if (!lit(r, ","))
			return false;
	}
}

static bool value(struct reader *r, unsigned depth)
{
	unsigned n;

	if (depth > DEPTH_MAX)
		return false;
	skip_ws(r);
	if (r->p >= r->end)
		return false;
	switch (*r->p) {
	case '{':
		r->p++;
		return members(r, depth, true, &n);
	case '[':
		r->p++;
		return members(r, depth, false, &n);
	case '"':
		return string(r);
	case 't':
		return lit(r, "true");
	case 'f':
		return lit(r, "false");
	case 'n':
		return lit(r, "null");
	default:
		return number(r);
	}
}

/*
 * The length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or 0:
 * an oracle written apart from output.c's, from the table's byte ranges.
 */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	static const struct {
		unsigned char first_lo, first_hi, second_lo, second_hi, len;
	} forms[] = {
		{ 0xC2, 0xDF, 0x80, 0xBF, 2 }, { 0xE0, 0xE0, 0xA0, 0xBF, 3 },
		{ 0xE1, 0xEC, 0x80, 0xBF, 3 }, { 0xED, 0xED, 0x80, 0x9F, 3 },
		{ 0xEE, 0xEF, 0x80, 0xBF, 3 }, { 0xF0, 0xF0, 0x90, 0xBF, 4 },
		{ 0xF1, 0xF3, 0x80, 0xBF, 4 }, { 0xF4, 0xF4, 0x80, 0x8F, 4 },
	};

	if (p[0] < 0x80)
		return 1;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = forms[i].len;

		if (p[0] < forms[i].first_lo || p[0] > forms[i].first_hi)
			continue;
		if (left < n || p[1] < forms[i].second_lo || p[1] > forms[i].second_hi)
			return 0;
		for (size_t k = 2; k < n; k++)
			if (p[k] < 0x80 || p[k] > 0xBF)
				return 0;
		return n;
	}
	return 0;
}

/* What a quoted s must decode to: s, each byte outside a well-formed sequence as U+FFFD. */
static char *expected_text(const char *s, size_t *ret_len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;
	char *out = malloc(3 * left + 1);

	FUZZ_CHECK(out);
	while (left) {
		size_t k = utf8_len(p, left);

		if (k) {
			memcpy(out + n, p, k);
			n += k;
		} else {
			memcpy(out + n, "\xEF\xBF\xBD", 3);
			n += 3;
			k = 1;
		}
		p += k;
		left -= k;
	}
	*ret_len = n;
	return out;
}

static void check_quote(const char *s)
{
	char *q = vb_json_quote(s), *want;
	struct reader r;
	size_t want_len;

	FUZZ_CHECK(q);
	r = (struct reader){.p = q, .end = q + strlen(q), .out = malloc(strlen(q) + 1)};
	FUZZ_CHECK(r.out);
	FUZZ_CHECK(string(&r) && r.p == r.end);
	want = expected_text(s, &want_len);
	FUZZ_CHECK(r.n_out == want_len && memcmp(r.out, want, want_len) == 0);
	free(want);
	free(r.out);
	free(q);
}

/*
 * Nested values from one line: ',' separates objects, ':' the strings of each
 * one's "parts" array, so any byte can land at any depth.
 */
static void add_steps(struct vb_record *steps, const char *v)
{
	for (const char *p = v;; p++) {
		size_t len = strcspn(p, ",");
		char *piece = strndup(p, len);
		struct vb_record *step = vb_record_object(steps, NULL, true), *parts;

		FUZZ_CHECK(piece && step);
		FUZZ_CHECK(vb_record_string(step, "piece", NULL, piece) == 0);
		FUZZ_CHECK(vb_record_int(step, "length", NULL, (long)len, true) == 0);
		parts = vb_record_array(step, "parts", *piece != '-');
		for (char *q = piece; parts;) {
			char *colon = strchr(q, ':');

			if (colon)
				*colon = '\0';
			FUZZ_CHECK(vb_record_string(parts, NULL, NULL, *q ? q : NULL) == 0);
			if (!colon)
				break;
			q = colon + 1;
		}
		free(piece);
		p += len;
		if (!*p)
			break;
	}
}

static void add_field(struct vb_record *rec, unsigned f, const char *v)
{
	struct vb_record *nested;
	int r = 0;

	switch (schema[f].type) {
	case VB_FIELD_STRING:
		/* A line "-" stands for null. */
		r = vb_record_string(rec, schema[f].key, schema[f].label,
				     strcmp(v, "-") ? v : NULL);
		break;
	case VB_FIELD_INT:
		r = vb_record_int(rec, schema[f].key, schema[f].label, strtol(v, NULL, 0), *v);
		break;
	case VB_FIELD_BOOL:
		r = vb_record_bool(rec, schema[f].key, schema[f].label, *v & 1, *v);
		break;
	case VB_FIELD_ARRAY:
		/* A line "-" stands for null, "" for []. */
		nested = vb_record_array(rec, schema[f].key, strcmp(v, "-") != 0);
		if (nested && *v)
			add_steps(nested, v);
		break;
	case VB_FIELD_OBJECT:
		nested = vb_record_object(rec, schema[f].key, strcmp(v, "-") != 0);
		if (nested)
			r = vb_record_string(nested, "text", NULL, v);
		break;
	}
	FUZZ_CHECK(r == 0);
}

static void check_document(const struct vb_record *recs, unsigned n)
{
	char *doc = NULL, *table = NULL;
	size_t len = 0, tlen = 0;
	FILE *f = open_memstream(&doc, &len);
	struct reader r;
	unsigned items;

	FUZZ_CHECK(f);
	vb_output_json(f, recs, n);
	FUZZ_CHECK(fclose(f) == 0);
	r = (struct reader){.p = doc, .end = doc + len};
	skip_ws(&r);
	FUZZ_CHECK(lit(&r, "[") && members(&r, 0, false, &items));
	skip_ws(&r);
	FUZZ_CHECK(r.p == r.end && items == n);
	free(doc);

	f = open_memstream(&table, &tlen);
	FUZZ_CHECK(f);
	vb_output_table(f, recs, n);
	FUZZ_CHECK(fclose(f) == 0);
	free(table);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_record recs[RECORDS_MAX] = { 0 };
	unsigned n_lines, n_recs;
	char *buf, **lines;

	if (size > 16384)
		return -1;
	lines = fuzz_split(data, size, '\n', RECORDS_MAX * ELEMENTSOF(schema), &n_lines, &buf);
	for (unsigned i = 0; i < n_lines; i++)
		check_quote(lines[i]);
	n_recs = n_lines / ELEMENTSOF(schema);
	for (unsigned i = 0; i < n_recs; i++)
		for (unsigned f = 0; f < ELEMENTSOF(schema); f++)
			add_field(&recs[i], f, lines[i * ELEMENTSOF(schema) + f]);
	check_document(recs, n_recs);
	for (unsigned i = 0; i < n_recs; i++)
		vb_record_clear(&recs[i]);
	free(lines);
	free(buf);
	return 0;
}
