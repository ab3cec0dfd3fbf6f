// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class-links.h"
#include "dir.h"
#include "sysfs.h"

int vb_sysfs_link_target(const char *link, char *buf, size_t size)
{
	ssize_t n = readlink(link, buf, size - 1);
	char *p = buf;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (strncmp(p, "../", 3) == 0)
		p += 3;
	if (p == buf || strncmp(p, "devices/", 8) != 0 || strstr(p, "/../"))
		return -EINVAL;
	memmove(buf, p, strlen(p) + 1);
	return 0;
}

static void links_free(struct vb_class_links *l)
{
	vb_strv_free(l->names, l->n);
	for (unsigned i = 0; l->targets && i < l->n; i++)
		free(l->targets[i]);
	free(l->targets);
	free(l->class);
	free(l);
}

static struct vb_class_links *links_read(const struct vb_roots *roots, const char *class)
{
	_cleanup_free_ char *dir = vb_path("%s/class/%s", roots->sysfs, class);
	struct vb_class_links *l = calloc(1, sizeof(*l));

	if (!l || !dir || !(l->class = strdup(class)) || vb_dir_list(dir, 0, &l->names, &l->n) < 0 ||
	    !(l->targets = calloc(l->n ? l->n : 1, sizeof(*l->targets)))) {
		if (l)
			links_free(l);
		return NULL;
	}
	for (unsigned i = 0; i < l->n; i++) {
		_cleanup_free_ char *p = vb_path("%s/%s", dir, l->names[i]);
		char target[PATH_MAX];

		if (p && vb_sysfs_link_target(p, target, sizeof(target)) == 0)
			l->targets[i] = strdup(target);
	}
	return l;
}

const struct vb_class_links *vb_class_links(struct vb_class_cache *cache, const struct vb_roots *roots,
					    const char *class)
{
	struct vb_class_links *l;

	pthread_mutex_lock(&cache->lock);
	for (l = cache->list; l && strcmp(l->class, class) != 0; l = l->next)
		;
	if (!l && (l = links_read(roots, class))) {
		l->next = cache->list;
		cache->list = l;
	}
	pthread_mutex_unlock(&cache->lock);
	return l;
}

void vb_class_cache_clear(struct vb_class_cache *cache)
{
	while (cache->list) {
		struct vb_class_links *next = cache->list->next;

		links_free(cache->list);
		cache->list = next;
	}
}
