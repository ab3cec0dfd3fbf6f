// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modalias.h"
#include "saved-set.h"

int vb_saved_set_load(const struct vb_roots *roots, struct vb_saved_set *ret)
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
