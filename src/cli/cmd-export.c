// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "dir.h"
#include "owner.h"
#include "saved-set.h"
#include "sysfs.h"

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
	    vb_saved_set_load_for(&ctx->roots, &(const char *){ dev->bus->name },
				  &(const char *){ dev->name }, 1, &set) < 0)
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

/* The sysfs directories of the devices behind a VFIO node: a group's members, or a "vfioN"'s device. */
static int node_devices(const struct vb_roots *roots, const char *node, char ***ret, unsigned *ret_n)
{
	_cleanup_free_ char *dir = NULL;
	char **names = NULL;
	unsigned n = 0;

	if (strncmp(node, "vfio", 4) == 0) {
		char **one = calloc(1, sizeof(*one));

		if (!one)
			return -ENOMEM;
		one[0] = vb_path("%s/class/vfio-dev/%s/device", roots->sysfs, node);
		*ret = one;
		*ret_n = one[0] ? 1 : 0;
		return 0;
	}
	dir = vb_path("%s/kernel/iommu_groups/%s/devices", roots->sysfs,
		      strncmp(node, "noiommu-", 8) == 0 ? node + 8 : node);
	if (vb_dir_list(dir, 0, &names, &n) < 0)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		char *path = vb_path("%s/%s", dir, names[i]);

		free(names[i]);
		names[i] = path;
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

/*
 * --udev-owner NODE: who a VFIO node ("12", "noiommu-12", "vfio3") belongs
 * to, as OWNER, GROUP and MODE for udev: the owner saved with the binding of
 * a device behind it. Exit 1, printing nothing, when none was saved with one.
 */
int cmd_udev_owner(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_saved_set set = { 0 };
	char **names = NULL, **buses = NULL, **devices = NULL;
	unsigned n = 0;
	int rc = EXIT_FAILURE;

	if (o->n_devices != 1) {
		cmd_error(NULL, "--udev-owner takes one VFIO node name");
		return EXIT_USAGE;
	}
	if (node_devices(&ctx->roots, o->devices[0], &names, &n) < 0)
		return EXIT_FAILURE;
	buses = calloc(n ? n : 1, sizeof(*buses));
	devices = calloc(n ? n : 1, sizeof(*devices));
	/* The devices' own links say which bus each is on and its name there. */
	for (unsigned i = 0; buses && devices && i < n; i++) {
		_cleanup_free_ char *subsystem = names[i] ? vb_path("%s/subsystem", names[i]) : NULL;

		if (!subsystem || vb_read_link_name(subsystem, &buses[i]) < 0 ||
		    vb_read_link_name(names[i], &devices[i]) < 0) {
			free(buses[i]);
			buses[i] = devices[i] = NULL;
		}
	}
	if (!buses || !devices ||
	    vb_saved_set_load_for(&ctx->roots, (const char *const *)buses, (const char *const *)devices,
				  n, &set) < 0)
		goto out;
	for (unsigned i = 0; i < n && rc != EXIT_SUCCESS; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		const struct vb_saved *s;
		struct vb_bus scratch;
		const struct vb_bus *bus;
		struct vb_owner owner;

		if (!devices[i] || vb_bus_lookup(&ctx->roots, buses[i], &scratch, &bus) < 0 ||
		    vb_device_open(&ctx->roots, bus, devices[i], &dev, NULL) < 0)
			continue;
		s = vb_saved_set_for_device(&set, dev);
		if (!s || !s->owner[0] || vb_owner_parse_saved(s->owner, &owner) < 0)
			continue;
		printf("VFIO_BIND_OWNER=%u\n", (unsigned)owner.uid);
		if (owner.has_gid)
			printf("VFIO_BIND_GROUP=%u\n", (unsigned)owner.gid);
		printf("VFIO_BIND_MODE=%04o\n", (unsigned)vb_owner_mode(&owner));
		rc = EXIT_SUCCESS;
	}
out:
	vb_strv_free(buses, n);
	vb_strv_free(devices, n);
	vb_strv_free(names, n);
	vb_saved_set_clear(&set);
	return rc;
}
