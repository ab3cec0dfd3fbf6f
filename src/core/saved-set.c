// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modalias.h"
#include "saved-set.h"

/* An ID rule's file: "BUS-id-ID.conf" (no device name starts with "id-"). */
static bool names_a_rule(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dash = strchr(base ? base + 1 : path, '-');

	return dash && strncmp(dash, "-id-", 4) == 0;
}

/* True when the file could apply to one of the n devices: saved by its address, or an ID rule. */
static bool wanted(const char *path, const char *const *buses, const char *const *devices, unsigned n)
{
	if (!devices || names_a_rule(path))
		return true;
	for (unsigned i = 0; i < n; i++)
		if (buses[i] && devices[i] && vb_store_path_names_device(path, buses[i], devices[i]))
			return true;
	return false;
}

static int load(const struct vb_roots *roots, const char *const *buses, const char *const *devices,
		unsigned n_devices, struct vb_saved_set *ret)
{
	struct vb_saved_set set = { 0 };
	char **paths;
	unsigned n;
	int r;

	r = vb_store_list(roots, &paths, &n);
	if (r < 0)
		return r;
	set.saved = calloc(n ? n : 1, sizeof(*set.saved));
	set.paths = calloc(n ? n : 1, sizeof(*set.paths));
	set.bad_paths = calloc(n ? n : 1, sizeof(*set.bad_paths));
	set.bad_errors = calloc(n ? n : 1, sizeof(*set.bad_errors));
	if (!set.saved || !set.paths || !set.bad_paths || !set.bad_errors) {
		vb_store_list_free(paths, n);
		vb_saved_set_clear(&set);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		struct vb_error err = { 0 };

		if (!wanted(paths[i], buses, devices, n_devices)) {
			free(paths[i]);
			continue;
		}
		/* One bad file is reported and skipped; it never stops the others. */
		if (vb_store_load(roots, paths[i], &set.saved[set.n], &err) == 0) {
			set.paths[set.n++] = paths[i];
		} else {
			set.bad_errors[set.n_bad] = err;
			set.bad_paths[set.n_bad++] = paths[i];
		}
	}
	free(paths);
	*ret = set;
	return 0;
}

int vb_saved_set_load(const struct vb_roots *roots, struct vb_saved_set *ret)
{
	return load(roots, NULL, NULL, 0, ret);
}

int vb_saved_set_load_for(const struct vb_roots *roots, const char *const *buses,
			  const char *const *devices, unsigned n, struct vb_saved_set *ret)
{
	return load(roots, buses, devices, n, ret);
}

void vb_saved_set_clear(struct vb_saved_set *set)
{
	for (unsigned i = 0; i < set->n; i++)
		free(set->paths[i]);
	for (unsigned i = 0; i < set->n_bad; i++)
		free(set->bad_paths[i]);
	free(set->paths);
	free(set->bad_paths);
	free(set->bad_errors);
	free(set->saved);
	*set = (struct vb_saved_set){ 0 };
}

const struct vb_saved *vb_saved_set_device(const struct vb_saved_set *set, const char *bus,
					   const char *device)
{
	for (unsigned i = 0; i < set->n; i++)
		if (strcmp(set->saved[i].bus, bus) == 0 && strcmp(set->saved[i].device, device) == 0)
			return &set->saved[i];
	return NULL;
}

const struct vb_saved *vb_saved_set_rule(const struct vb_saved_set *set, const char *bus,
					 const char *id)
{
	for (unsigned i = 0; i < set->n; i++)
		if (strcmp(set->saved[i].bus, bus) == 0 && strcmp(set->saved[i].id, id) == 0)
			return &set->saved[i];
	return NULL;
}

const struct vb_saved *vb_saved_set_for_device(const struct vb_saved_set *set,
					       const struct vb_device *dev)
{
	const struct vb_saved *s = vb_saved_set_device(set, dev->bus->name, dev->name);
	char id[10];

	if (s && (!s->modalias[0] || streq_ptr(s->modalias, dev->modalias)))
		return s;
	if (!dev->has_ids)
		return NULL;
	vb_pci_ids_id(&dev->ids, id);
	return vb_saved_set_rule(set, dev->bus->name, id);
}
