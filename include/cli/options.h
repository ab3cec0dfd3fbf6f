/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cmd.h"

enum verb {
	VERB_BIND,
	VERB_UNBIND,
	VERB_RESTORE,
	VERB_LIST,
	VERB_UDEV_EXPORT,
	VERB_UDEV_OWNER,
	VERB_INITRAMFS_PLAN,
	VERB_HELP,
	VERB_VERSION,
};

struct parsed_args {
	enum verb verb;
	struct cmd_opts opts;
	const char *bus_name; /* --bus or --platform; NULL: not given */
	char **args; /* DEVICE arguments as given, not yet validated */
	unsigned n_args;
};

/* Parse argv; -EINVAL (after printing why) for a usage error. */
int options_parse(int argc, char *argv[], struct parsed_args *ret);

void options_usage(FILE *f);
