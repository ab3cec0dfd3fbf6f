// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd-batch.h"

int cmd_unbind(struct vb_context *ctx, const struct cmd_opts *o)
{
	return cmd_run_batch(ctx, o, vb_unbind);
}
