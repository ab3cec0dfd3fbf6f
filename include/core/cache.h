/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Answers kept for a run by a string key, so that what many devices share (a
 * modalias, a module, an IOMMU group) is asked once: a hash table with open
 * addressing. A key is copied; a value is the caller's pointer, which may be
 * NULL (a cached "none"), handed to free_value when the cache lets it go.
 */
struct vb_cache_entry {
	char *key;
	unsigned hash;
	void *value;
};

struct vb_cache {
	struct vb_cache_entry *slots; /* size a power of two; key NULL: free */
	unsigned size, used;
	void (*free_value)(void *value); /* NULL: values are not the cache's to free */
};

#define VB_CACHE_INIT(free_fn) { .free_value = (free_fn) }

/* Whether key is cached; its value (possibly NULL) in *ret when ret is not NULL. */
bool vb_cache_get(const struct vb_cache *c, const char *key, void **ret);

/*
 * Cache value under key, in place of (and freeing) any value it had. -ENOMEM:
 * nothing cached and value freed, so a caller can always hand it over.
 */
int vb_cache_put(struct vb_cache *c, const char *key, void *value);

/* Free every key and value; c stays usable, empty. */
void vb_cache_clear(struct vb_cache *c);
