// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "saved-set.h"

/*
 * --udev-export DEVICE: the saved binding udev should apply to DEVICE, as
 * KEY=VALUE lines for IMPORT{program}. Only saved bindings vfio-bind itself trusts
 * (root's, writable by nobody else) and only for the device saved at that
 * address: a rule file that anyone could write must never reach
 * driver_override or a module load through udev.
 */
int cmd_udev_export(struct vb_context *ctx, const struct cmd_opts *o)
{
	_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
	const struct vb_saved *s = NULL;
	struct vb_saved_set set;
	int rc = EXIT_FAILURE;

	if (o->n_devices != 1) {
		cmd_error(NULL, "--udev-export takes one DEVICE");
		return EXIT_USAGE;
	}
	if (vb_device_open(&ctx->roots, o->bus, o->devices[0], &dev, NULL) < 0 ||
	    vb_saved_set_load(&ctx->roots, &set) < 0)
		return EXIT_FAILURE;
	s = vb_saved_set_for_device(&set, dev);
	if (s) {
		printf("VFIO_BIND_BUS=%s\n", s->bus);
		if (s->driver[0])
			printf("VFIO_BIND_DRIVER=%s\n", s->driver);
		if (s->module[0])
			printf("VFIO_BIND_MODULE=%s\n", s->module);
		if (s->reset_method[0])
			printf("VFIO_BIND_RESET_METHOD=%s\n", s->reset_method);
		rc = EXIT_SUCCESS;
	}
	vb_saved_set_clear(&set);
	return rc;
}
