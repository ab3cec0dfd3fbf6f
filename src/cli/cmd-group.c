// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "batch.h"
#include "bind-group.h"

/* Every member locked, as a batch's devices are: runs on other devices go on meanwhile. */
static int lock_members(struct cmd_run *run, const struct vb_group_moves *m,
			struct vb_device_locks *locks)
{
	struct vb_device_key *keys = calloc(m->n ? m->n : 1, sizeof(*keys));
	int r;

	if (!keys) {
		cmd_error(NULL, "out of memory");
		run->rc = EXIT_FAILURE;
		return -1;
	}
	for (unsigned i = 0; i < m->n; i++)
		keys[i] = (struct vb_device_key){ run->opts->bus->name, m->moves[i].name };
	r = cmd_lock_devices(run, keys, m->n, VB_LOCKS_WAIT, locks);
	free(keys);
	return r;
}

/* --group: the core moves the groups as one; each member is reported. */
int cmd_bind_group(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct vb_bind_opts bo = cmd_bind_opts(o);
	struct vb_device_locks locks = { 0 };
	struct vb_group_moves m = { 0 };
	struct vb_error err = { 0 };
	struct sigaction old[3];
	struct cmd_run run;
	int r;

	cmd_run_init(&run, ctx, o);
	r = vb_group_gather(ctx, o->bus, o->devices, o->n_devices, &m);
	if (r < 0)
		vb_error_set(&err, r, "out of memory");
	else if (lock_members(&run, &m, &locks) < 0)
		goto out;
	cmd_stop_catch(old);
	if (r >= 0)
		r = vb_bind_groups(ctx, o->bus, &m, &bo, !o->no_save, &err);
	cmd_stop_release(old);
	if (r < 0) {
		/* Nothing was tried: what stopped it concerns every device named. */
		if (err.code == -ENOMEM)
			cmd_print_error(NULL, &err);
		else
			for (unsigned i = 0; i < o->n_devices; i++)
				cmd_print_error(o->devices[i], &err);
		run.rc = EXIT_FAILURE;
		goto out;
	}
	for (unsigned i = 0; i < m.n; i++)
		cmd_run_report(&run, m.moves[i].name, m.moves[i].dev, &m.moves[i].out, NULL);
out:
	vb_device_locks_release(&locks);
	vb_group_moves_clear(&m);
	return cmd_run_finish(&run);
}
