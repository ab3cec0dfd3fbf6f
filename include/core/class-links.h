/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <pthread.h>

#include "roots.h"

/*
 * The entries of SYSFS/class/CLASS (network interfaces, disks) and the device
 * each lies under, read once for a batch's deciding: it asks the same question
 * for every device, and a host with hundreds of interfaces would pay a
 * readlink of each per device. The listing is dropped before each wave of
 * deciding (vb_class_cache_clear), so a device decided after others have
 * moved is judged on a fresh one.
 */
struct vb_class_links {
	char *class;
	char **names;
	char **targets; /* "devices/...", or NULL for a link of another shape */
	unsigned n;
	struct vb_class_links *next;
};

struct vb_class_cache {
	pthread_mutex_t lock;
	struct vb_class_links *list;
};
#define VB_CLASS_CACHE_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* The listing of class, read the first time; NULL if the class directory cannot be read. */
const struct vb_class_links *vb_class_links(struct vb_class_cache *cache, const struct vb_roots *roots,
					    const char *class);
void vb_class_cache_clear(struct vb_class_cache *cache);

/*
 * Where a sysfs link points, as "devices/...": the kernel makes bus and class
 * links relative ("../../devices/pci0000:00/..."), so one readlink tells where
 * an entry sits without resolving every component as realpath() does.
 * -EINVAL for a link of another shape.
 */
int vb_sysfs_link_target(const char *link, char *buf, size_t size);
