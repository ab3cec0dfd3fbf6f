/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bus.h"
#include "context.h"

/* What the command line asked for, shared by every verb. */
struct cmd_opts {
	const struct vb_bus *bus;
	const char *driver;
	bool dry_run;
	bool force;
	bool json;
	bool quiet;
	bool verbose;
	char **devices; /* canonical names, validated before any verb runs */
	unsigned n_devices;
};

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

int cmd_bind(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_unbind(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_list(struct vb_context *ctx, const struct cmd_opts *o);

/* Messages: "vfio-bind: DEVICE: text". */
void cmd_error(const char *device, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_print_error(const char *device, const struct vb_error *e);
