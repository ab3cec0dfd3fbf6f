// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "device.h"
#include "options.h"

/* Every DEVICE is checked before any is touched: one bad name and nothing is done. */
static int validate_devices(struct vb_context *ctx, struct parsed_args *a)
{
	a->opts.devices = calloc(a->n_args ? a->n_args : 1, sizeof(char *));
	if (!a->opts.devices)
		return -1;
	for (unsigned i = 0; i < a->n_args; i++) {
		struct vb_error err = { 0 };
		char name[VB_NAME_MAX + 1];
		int r = vb_device_name_from_arg(&ctx->roots, a->opts.bus, a->args[i], name,
						sizeof(name), &err);

		/* A well-formed name of a device that is not there fails that device only. */
		if (r == -ENODEV) {
			const char *base = strrchr(a->args[i], '/');

			snprintf(name, sizeof(name), "%s", base ? base + 1 : a->args[i]);
		} else if (r < 0) {
			cmd_print_error(NULL, &err);
			return -1;
		}
		a->opts.devices[a->opts.n_devices] = strdup(name);
		if (!a->opts.devices[a->opts.n_devices++])
			return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct parsed_args a;
	struct vb_context ctx;
	int rc;

	if (options_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (a.verb == VERB_HELP) {
		options_usage(stdout);
		return EXIT_OK;
	}
	if (a.verb == VERB_VERSION) {
		printf("vfio-bind %s\n", VB_VERSION);
		return EXIT_OK;
	}
	a.opts.bus = vb_bus_find("pci");
	if (vb_context_init(&ctx) < 0) {
		cmd_error(NULL, "out of memory");
		return EXIT_FAILED;
	}
	if (validate_devices(&ctx, &a) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	switch (a.verb) {
	case VERB_UNBIND:
		rc = cmd_unbind(&ctx, &a.opts);
		break;
	case VERB_LIST:
		rc = cmd_list(&ctx, &a.opts);
		break;
	default:
		rc = cmd_bind(&ctx, &a.opts);
		break;
	}
out:
	for (unsigned i = 0; i < a.opts.n_devices; i++)
		free(a.opts.devices[i]);
	free(a.opts.devices);
	vb_context_clear(&ctx);
	return rc;
}
