// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hwdb.h"
#include "udev-dl.h"

struct vb_hwdb {
	struct udev *udev;
	struct udev_hwdb *hwdb; /* NULL: no names */
	struct vb_error error;  /* why not, when worth telling */
};

struct vb_hwdb *vb_hwdb_new(const char *path)
{
	struct vb_hwdb *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (path) {
		vb_error_set(&h->error, -EOPNOTSUPP,
			     "no device names: udev's library reads only udev's own hardware database, not %s",
			     path);
		return h;
	}
	if (vb_udev_dl_open(&h->error) < 0)
		return h;
	h->udev = sym_udev_new();
	/* Fails with ENOENT where udev is not installed: no names, nothing to say. */
	h->hwdb = h->udev ? sym_udev_hwdb_new(h->udev) : NULL;
	return h;
}

void vb_hwdb_free(struct vb_hwdb *h)
{
	if (!h)
		return;
	if (h->hwdb)
		sym_udev_hwdb_unref(h->hwdb);
	if (h->udev)
		sym_udev_unref(h->udev);
	free(h);
}

const struct vb_error *vb_hwdb_error(const struct vb_hwdb *h)
{
	return h && h->error.code ? &h->error : NULL;
}

void vb_hwdb_names(struct vb_hwdb *h, const char *modalias, char **ret_vendor, char **ret_model)
{
	struct udev_list_entry *e;

	*ret_vendor = *ret_model = NULL;
	if (!h || !h->hwdb || !modalias)
		return;
	/* udev has settled which entry wins: each property comes once. */
	vb_udev_list_foreach(e, sym_udev_hwdb_get_properties_list_entry(h->hwdb, modalias, 0)) {
		const char *key = sym_udev_list_entry_get_name(e);
		char **ret = NULL;

		if (strcmp(key, "ID_VENDOR_FROM_DATABASE") == 0)
			ret = ret_vendor;
		else if (strcmp(key, "ID_MODEL_FROM_DATABASE") == 0)
			ret = ret_model;
		if (ret && !*ret)
			*ret = strdup(sym_udev_list_entry_get_value(e));
	}
}
