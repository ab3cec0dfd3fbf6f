/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"

/*
 * A growable string: what is appended so far, always NUL-terminated once
 * anything was. An allocation that fails sets failed and makes every later
 * append a no-op, so a caller checks once, at the end (vb_strbuf_take).
 */
struct vb_strbuf {
	char *s;       /* NULL until the first append */
	size_t len;    /* bytes in s, the terminator not counted */
	size_t size;   /* bytes allocated */
	bool failed;
};

#define VB_STRBUF_INIT { 0 }

/* Room for n more bytes and a terminator; false (and failed set) when there is none. */
bool vb_strbuf_reserve(struct vb_strbuf *sb, size_t n);

/* Append n bytes (which may include NULs: a buffer of strings end to end). */
static inline void vb_strbuf_append(struct vb_strbuf *sb, const void *p, size_t n)
{
	if (sb->len + n >= sb->size && !vb_strbuf_reserve(sb, n))
		return;
	memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

static inline void vb_strbuf_appends(struct vb_strbuf *sb, const char *s)
{
	vb_strbuf_append(sb, s, strlen(s));
}

/* Append printf-formatted text. */
void vb_strbuf_appendf(struct vb_strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void vb_strbuf_vappendf(struct vb_strbuf *sb, const char *fmt, va_list ap) _printf_(2, 0);

/* The string, handed to the caller (never NULL unless failed); sb is empty again. */
char *vb_strbuf_take(struct vb_strbuf *sb);

/* Free what sb holds and empty it; sb may be NULL. Fits _cleanup_strbuf_. */
void vb_strbuf_free(struct vb_strbuf *sb);

#define _cleanup_strbuf_ _cleanup_(vb_strbuf_free)
