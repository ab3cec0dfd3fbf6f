// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"
#include "error.h"

void cmd_error(const char *device, const char *fmt, ...)
{
	va_list ap;

	fputs("vfio-bind: ", stderr);
	if (device)
		fprintf(stderr, "%s: ", device);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cmd_print_error(const char *device, const struct vb_error *e)
{
	cmd_error(device, "%s", e->what[0] ? e->what : "failed");
	if (e->hint[0])
		cmd_error(device, "%s", e->hint);
}
