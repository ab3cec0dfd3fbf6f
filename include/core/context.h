/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <pthread.h>

#include "class-links.h"
#include "error.h"
#include "resolve.h"
#include "roots.h"

/* What one run shares across devices. */
struct vb_context {
	struct vb_roots roots;
	struct vb_resolver *resolver; /* opened on first use, once per run */
	/* libkmod is not thread-safe: a batch's threads use the resolver under this. */
	pthread_mutex_t resolver_lock;
	struct vb_class_cache classes; /* the in-use checks' listings of net and block */
};

int vb_context_init(struct vb_context *ctx);
void vb_context_clear(struct vb_context *ctx);

/* The run's libkmod resolver, created the first time it is needed. */
int vb_context_resolver(struct vb_context *ctx, struct vb_resolver **ret, struct vb_error *err);
