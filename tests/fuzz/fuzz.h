/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every harness needs: a NUL-terminated copy of the input, the input
 * cut into strings, and a check that makes libFuzzer keep the input.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise is a crash, so libFuzzer saves the input that broke it. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(fuzz_stderr(), "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The real stderr, kept when a harness silences the code under test. */
static inline FILE *fuzz_stderr(void)
{
	static FILE *real;

	if (!real)
		real = stderr;
	return real;
}

/* The code under test prints usage errors: keep them off the fuzzer's log. */
static inline void fuzz_silence_stderr(void)
{
	FILE *null = fopen("/dev/null", "w");

	fuzz_stderr();
	if (null)
		stderr = null;
}

/* A new directory under $TMPDIR (else /tmp); NULL on failure, the caller frees. */
static inline char *fuzz_tmpdir(const char *name)
{
	const char *base = getenv("TMPDIR");
	size_t size = strlen(base && *base ? base : "/tmp") + strlen(name) + 32;
	char *dir = malloc(size);

	if (!dir)
		return NULL;
	snprintf(dir, size, "%s/vfio-bind-fuzz-%s-XXXXXX", base && *base ? base : "/tmp", name);
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* The input as a C string; the caller frees. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The input cut at each sep into at most max strings, in one allocation
 * (free *ret_buf and the array). A string may hold any other byte.
 */
static inline char **fuzz_split(const uint8_t *data, size_t size, char sep, unsigned max,
				unsigned *ret_n, char **ret_buf)
{
	char *buf = fuzz_cstring(data, size);
	char **v = calloc(max + 1, sizeof(char *));
	unsigned n = 0;

	if (!v)
		abort();
	for (char *p = buf; n < max;) {
		char *end = memchr(p, sep, (size_t)(buf + size - p));

		v[n++] = p;
		if (!end)
			break;
		*end = '\0';
		p = end + 1;
	}
	*ret_n = n;
	*ret_buf = buf;
	return v;
}
