// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"
#include "error.h"

void cmd_sanitize(char *s)
{
	/* What a user typed is echoed: never let it move the cursor or retitle a terminal. */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void cmd_error(const char *device, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmd_sanitize(msg);
	if (device) {
		char dev[256];

		snprintf(dev, sizeof(dev), "%s", device);
		cmd_sanitize(dev);
		fprintf(stderr, "vfio-bind: %s: %s\n", dev, msg);
	} else {
		fprintf(stderr, "vfio-bind: %s\n", msg);
	}
}

void cmd_print_error(const char *device, const struct vb_error *e)
{
	cmd_error(device, "%s", e->what[0] ? e->what : "failed");
	if (e->hint[0])
		cmd_error(device, "%s", e->hint);
}
