// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ranking the modules whose aliases matched: fewest '*'
 * first, ties by module name, and the tie count right. The input is lines of
 * "MODULE PATTERN"; a line without a pattern is a modprobe.d alias.
 */
#include <limits.h>
#include <stdbool.h>

#include "resolve.h"

#include "fuzz.h"

#define CANDIDATES_MAX 256

static int ptr_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return x < y ? -1 : x > y;
}

static unsigned count_stars(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '*';
	return n;
}

/* Ranking moves candidates, never loses or duplicates one. */
static void check_permutation(const struct vb_candidate *c, unsigned n, const char **before)
{
	const char *after[CANDIDATES_MAX];

	for (unsigned i = 0; i < n; i++)
		after[i] = c[i].module;
	qsort(before, n, sizeof(*before), ptr_cmp);
	qsort(after, n, sizeof(*after), ptr_cmp);
	FUZZ_CHECK(memcmp(before, after, n * sizeof(*after)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_candidate c[CANDIDATES_MAX];
	const char *before[CANDIDATES_MAX];
	unsigned n, tied;
	char *buf, **lines;

	if (size > 16384)
		return -1;
	lines = fuzz_split(data, size, '\n', CANDIDATES_MAX, &n, &buf);
	for (unsigned i = 0; i < n; i++) {
		char *space = strchr(lines[i], ' ');

		if (space)
			*space = '\0';
		c[i] = (struct vb_candidate){ .module = lines[i],
					     .pattern = space ? space + 1 : NULL };
		c[i].wildcards = c[i].pattern ? vb_pattern_wildcards(c[i].pattern) : UINT_MAX;
		FUZZ_CHECK(!c[i].pattern || c[i].wildcards == count_stars(c[i].pattern));
		before[i] = c[i].module;
	}

	tied = vb_candidates_rank(c, n);
	FUZZ_CHECK(n == 0 ? tied == 0 : tied >= 1 && tied <= n);
	for (unsigned i = 1; i < n; i++) {
		FUZZ_CHECK(c[i - 1].wildcards <= c[i].wildcards);
		FUZZ_CHECK(c[i - 1].wildcards < c[i].wildcards ||
			   strcmp(c[i - 1].module, c[i].module) <= 0);
		FUZZ_CHECK((i < tied) == (c[i].wildcards == c[0].wildcards));
	}
	for (unsigned i = 0; i < n; i++)
		FUZZ_CHECK(!c[i].pattern || c[i].wildcards == vb_pattern_wildcards(c[i].pattern));
	check_permutation(c, n, before);

	free(lines);
	free(buf);
	return 0;
}
