// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

bool vb_strbuf_reserve(struct vb_strbuf *sb, size_t n)
{
	size_t size = sb->size ? sb->size : 64;
	char *more;

	if (sb->failed)
		return false;
	if (sb->len + n < sb->size)
		return true;
	while (size <= sb->len + n) {
		if (size > (size_t)-1 / 2) {
			sb->failed = true;
			return false;
		}
		size *= 2;
	}
	more = realloc(sb->s, size);
	if (!more) {
		sb->failed = true;
		return false;
	}
	sb->s = more;
	sb->size = size;
	return true;
}

void vb_strbuf_vappendf(struct vb_strbuf *sb, const char *fmt, va_list ap)
{
	char stack[256];
	va_list again;
	int r;

	if (sb->failed)
		return;
	/* Short text (paths, KEY=VALUE lines) is formatted once, on the stack, then copied. */
	va_copy(again, ap);
	r = vsnprintf(stack, sizeof(stack), fmt, ap);
	if (r < 0) {
		va_end(again);
		sb->failed = true;
		return;
	}
	if ((size_t)r < sizeof(stack))
		vb_strbuf_append(sb, stack, (size_t)r);
	else if (vb_strbuf_reserve(sb, (size_t)r)) {
		vsnprintf(sb->s + sb->len, (size_t)r + 1, fmt, again);
		sb->len += (size_t)r;
	}
	va_end(again);
}

void vb_strbuf_appendf(struct vb_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vb_strbuf_vappendf(sb, fmt, ap);
	va_end(ap);
}

char *vb_strbuf_take(struct vb_strbuf *sb)
{
	char *s;

	if (!sb->failed && !sb->s)
		vb_strbuf_append(sb, "", 0);
	if (sb->failed) {
		vb_strbuf_free(sb);
		return NULL;
	}
	s = sb->s;
	*sb = (struct vb_strbuf)VB_STRBUF_INIT;
	return s;
}

void vb_strbuf_free(struct vb_strbuf *sb)
{
	if (!sb)
		return;
	free(sb->s);
	*sb = (struct vb_strbuf)VB_STRBUF_INIT;
}
