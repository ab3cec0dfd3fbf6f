// SPDX-License-Identifier: GPL-2.0-or-later
#include "context.h"

int vb_context_init(struct vb_context *ctx)
{
	*ctx = (struct vb_context){ .resolver_lock = PTHREAD_MUTEX_INITIALIZER,
				    .classes = VB_CLASS_CACHE_INIT };
	return vb_roots_from_env(&ctx->roots);
}

void vb_context_clear(struct vb_context *ctx)
{
	if (ctx->resolver)
		vb_resolver_free(ctx->resolver);
	vb_class_cache_clear(&ctx->classes);
	vb_roots_free(&ctx->roots);
}

int vb_context_resolver(struct vb_context *ctx, struct vb_resolver **ret, struct vb_error *err)
{
	int r;

	if (!ctx->resolver) {
		r = vb_resolver_new(&ctx->roots, &ctx->resolver, err);
		if (r < 0)
			return r;
	}
	*ret = ctx->resolver;
	return 0;
}
