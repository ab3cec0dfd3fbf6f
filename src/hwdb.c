// SPDX-License-Identifier: GPL-2.0-or-later
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

#include "hwdb.h"

struct vb_hwdb {
	struct udev *udev;
	struct udev_hwdb *hwdb;
};

struct vb_hwdb *vb_hwdb_new(void)
{
	struct vb_hwdb *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->udev = udev_new();
	h->hwdb = h->udev ? udev_hwdb_new(h->udev) : NULL;
	if (!h->hwdb) {
		vb_hwdb_free(h);
		return NULL;
	}
	return h;
}

void vb_hwdb_free(struct vb_hwdb *h)
{
	if (!h)
		return;
	if (h->hwdb)
		udev_hwdb_unref(h->hwdb);
	if (h->udev)
		udev_unref(h->udev);
	free(h);
}

void vb_hwdb_names(struct vb_hwdb *h, const char *modalias, char **ret_vendor, char **ret_model)
{
	struct udev_list_entry *e;

	*ret_vendor = *ret_model = NULL;
	if (!h || !modalias)
		return;
	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(h->hwdb, modalias, 0)) {
		const char *key = udev_list_entry_get_name(e);

		if (!*ret_vendor && strcmp(key, "ID_VENDOR_FROM_DATABASE") == 0)
			*ret_vendor = strdup(udev_list_entry_get_value(e));
		else if (!*ret_model && strcmp(key, "ID_MODEL_FROM_DATABASE") == 0)
			*ret_model = strdup(udev_list_entry_get_value(e));
	}
}
