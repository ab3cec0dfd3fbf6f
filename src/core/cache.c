// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of key, or the free slot where it would go. c->size is not 0. */
static struct vb_cache_entry *slot(const struct vb_cache *c, const char *key, unsigned h)
{
	unsigned i = h & (c->size - 1);

	while (c->slots[i].key && (c->slots[i].hash != h || strcmp(c->slots[i].key, key) != 0))
		i = (i + 1) & (c->size - 1);
	return &c->slots[i];
}

bool vb_cache_get(const struct vb_cache *c, const char *key, void **ret)
{
	const struct vb_cache_entry *e;

	if (c->size == 0)
		return false;
	e = slot(c, key, hash(key));
	if (!e->key)
		return false;
	if (ret)
		*ret = e->value;
	return true;
}

/* Half full at most: probes stay short. */
static int grow(struct vb_cache *c)
{
	struct vb_cache bigger = { .size = c->size ? 2 * c->size : 64, .used = c->used,
				   .free_value = c->free_value };

	bigger.slots = calloc(bigger.size, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (unsigned i = 0; i < c->size; i++)
		if (c->slots[i].key)
			*slot(&bigger, c->slots[i].key, c->slots[i].hash) = c->slots[i];
	free(c->slots);
	*c = bigger;
	return 0;
}

int vb_cache_put(struct vb_cache *c, const char *key, void *value)
{
	struct vb_cache_entry *e;
	unsigned h = hash(key);
	char *copy;

	if (2 * (c->used + 1) > c->size && grow(c) < 0)
		goto fail;
	e = slot(c, key, h);
	if (e->key) {
		if (c->free_value && e->value != value)
			c->free_value(e->value);
		e->value = value;
		return 0;
	}
	copy = strdup(key);
	if (!copy)
		goto fail;
	*e = (struct vb_cache_entry){ .key = copy, .hash = h, .value = value };
	c->used++;
	return 0;
fail:
	if (c->free_value)
		c->free_value(value);
	return -ENOMEM;
}

void vb_cache_clear(struct vb_cache *c)
{
	for (unsigned i = 0; i < c->size; i++) {
		if (!c->slots[i].key)
			continue;
		free(c->slots[i].key);
		if (c->free_value)
			c->free_value(c->slots[i].value);
	}
	free(c->slots);
	*c = (struct vb_cache)VB_CACHE_INIT(c->free_value);
}
