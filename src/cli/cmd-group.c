// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "bind-group.h"
#include "cmd.h"

/* --group: the core moves the groups as one; each member is reported. */
int cmd_bind_group(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_bind_opts bo = cmd_bind_opts(o);
	struct vb_group_moves m = { 0 };
	struct vb_error err = { 0 };
	struct cmd_run run;

	cmd_run_init(&run, ctx, o);
	if (vb_bind_groups(ctx, o->bus, o->devices, o->n_devices, &bo, !o->no_save, &m, &err) < 0) {
		/* Nothing was tried: what stopped it concerns every device named. */
		if (err.code == -ENOMEM)
			cmd_print_error(NULL, &err);
		else
			for (unsigned i = 0; i < o->n_devices; i++)
				cmd_print_error(o->devices[i], &err);
		run.rc = EXIT_FAILURE;
		return cmd_run_finish(&run);
	}
	for (unsigned i = 0; i < m.n; i++)
		cmd_run_report(&run, m.moves[i].name, m.moves[i].dev, &m.moves[i].out, NULL);
	vb_group_moves_clear(&m);
	return cmd_run_finish(&run);
}
