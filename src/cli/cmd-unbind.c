// SPDX-License-Identifier: GPL-2.0-or-later
#include "batch.h"

int cmd_unbind(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct cmd_batch b = { 0 };
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	for (unsigned i = 0; i < o->n_devices; i++) {
		if (!cmd_batch_add(&b, CMD_TASK_UNBIND, o->devices[i], o->bus)) {
			cmd_error(NULL, "out of memory");
			run.rc = EXIT_FAILURE;
			break;
		}
	}
	cmd_batch_run(&run, &b);
	return cmd_run_finish(&run);
}
