// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "group.h"
#include "sysfs.h"

/* cls: a class attribute's text. Base class 06, subclass 04: PCI-to-PCI bridge. */
static bool class_is_bridge(const char *cls)
{
	return cls && strncmp(cls, "0x0604", 6) == 0;
}

/* The class is in a PCI modalias already: no file to read. */
bool vb_device_is_bridge(const struct vb_device *dev)
{
	_cleanup_free_ char *cls = NULL;

	if (dev->has_ids)
		return (dev->ids.class >> 8) == 0x0604;
	return vb_device_read_attr(dev, "class", &cls) == 0 && class_is_bridge(cls);
}

static int group_read(const struct vb_roots *roots, int group, const struct vb_device *known,
		      struct vb_group *ret)
{
	_cleanup_free_ char *dir = vb_path("%s/kernel/iommu_groups/%d/devices", roots->sysfs, group);
	struct vb_group g = { .id = group };
	char **names;
	unsigned n;
	int r;

	r = vb_dir_list(dir, 0, &names, &n);
	if (r < 0)
		return r;
	g.members = calloc(n ? n : 1, sizeof(*g.members));
	for (unsigned i = 0; g.members && i < n; i++) {
		struct vb_group_member *m = &g.members[g.n];

		if (strlen(names[i]) > VB_NAME_MAX)
			continue;
		strcpy(m->name, names[i]);
		if (known && strcmp(known->name, names[i]) == 0) {
			m->driver = known->driver ? strdup(known->driver) : NULL;
			m->bridge = vb_device_is_bridge(known);
		} else {
			_cleanup_free_ char *class = vb_path("%s/%s/class", dir, names[i]);
			_cleanup_free_ char *link = vb_path("%s/%s/driver", dir, names[i]);
			_cleanup_free_ char *cls = NULL;

			vb_read_link_name(link, &m->driver);
			m->bridge = vb_read_attr(class, &cls) == 0 && class_is_bridge(cls);
		}
		m->bridge |= streq_ptr(m->driver, "pcieport");
		g.n++;
	}
	vb_strv_free(names, n);
	if (!g.members)
		return -ENOMEM;
	*ret = g;
	return 0;
}

int vb_group_read(const struct vb_roots *roots, int group, struct vb_group *ret)
{
	return group_read(roots, group, NULL, ret);
}

int vb_device_group_read(const struct vb_roots *roots, const struct vb_device *dev,
			 struct vb_group *ret)
{
	if (dev->iommu_group < 0)
		return -ENOENT;
	return group_read(roots, dev->iommu_group, dev, ret);
}

void vb_group_clear(struct vb_group *g)
{
	for (unsigned i = 0; i < g->n; i++)
		free(g->members[i].driver);
	free(g->members);
	*g = (struct vb_group){ 0 };
}

bool vb_driver_keeps_group_viable(const char *driver)
{
	return !driver || vb_driver_is_vfio(driver) || strcmp(driver, "pci-stub") == 0 ||
	       strcmp(driver, "pcieport") == 0;
}

bool vb_group_viable(const struct vb_group *g, const char *moving)
{
	for (unsigned i = 0; i < g->n; i++)
		if (!streq_ptr(g->members[i].name, moving) &&
		    !vb_driver_keeps_group_viable(g->members[i].driver))
			return false;
	return true;
}

void vb_group_members_free(struct vb_group_member *members, unsigned n)
{
	for (unsigned i = 0; members && i < n; i++)
		free(members[i].driver);
	free(members);
}

static bool named(char *const *names, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

void vb_group_viability(const struct vb_roots *roots, const struct vb_device *dev,
			char *const *going, unsigned n_going, int *ret_viable,
			struct vb_group_member **ret_blockers, unsigned *ret_n)
{
	struct vb_group g;
	unsigned n = 0;

	*ret_blockers = NULL;
	*ret_n = 0;
	if (vb_device_group_read(roots, dev, &g) < 0)
		return;
	/* The members in the way are moved out of g, which then frees the rest. */
	for (unsigned i = 0; i < g.n; i++) {
		struct vb_group_member *m = &g.members[i];

		if (strcmp(m->name, dev->name) != 0 && !vb_driver_keeps_group_viable(m->driver) &&
		    !named(going, n_going, m->name)) {
			struct vb_group_member tmp = g.members[n];

			g.members[n++] = *m;
			*m = tmp;
		}
	}
	*ret_viable = n == 0;
	if (n > 0 && (*ret_blockers = calloc(n, sizeof(**ret_blockers)))) {
		memcpy(*ret_blockers, g.members, n * sizeof(**ret_blockers));
		*ret_n = n;
		for (unsigned i = 0; i < n; i++)
			g.members[i].driver = NULL;
	}
	vb_group_clear(&g);
}
