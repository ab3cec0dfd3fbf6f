// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <string.h>

#include "error.h"

static int error_vset(struct vb_error *e, int code, int with_errno, const char *fmt, va_list ap)
{
	size_t n;

	if (!e)
		return code;
	e->code = code;
	e->hint[0] = '\0';
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	n = strlen(e->what);
	if (with_errno && n < sizeof(e->what))
		snprintf(e->what + n, sizeof(e->what) - n, ": %s", strerror(-code));
	return code;
}

int vb_error_set(struct vb_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int vb_error_set_sys(struct vb_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return code;
}

void vb_error_hint(struct vb_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
}
