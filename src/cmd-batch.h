/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bind.h"
#include "cmd.h"

typedef int (*vb_transaction_fn)(struct vb_context *ctx, struct vb_device *dev,
				 const struct vb_bind_opts *opts, struct vb_outcome *out);

/* Run fn on each device in turn, report each, and go on after a failure. */
int cmd_run_batch(struct vb_context *ctx, const struct cmd_opts *o, vb_transaction_fn fn);
