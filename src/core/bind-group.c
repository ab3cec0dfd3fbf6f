// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bind-group.h"
#include "group.h"
#include "pool.h"
#include "save.h"
#include "sysfs.h"

static struct vb_group_move *add_move(struct vb_group_moves *m, const char *name)
{
	struct vb_group_move *more = realloc(m->moves, (m->n + 1) * sizeof(*more));

	if (!more)
		return NULL;
	m->moves = more;
	more = &m->moves[m->n];
	*more = (struct vb_group_move){ .name = strdup(name), .out = VB_OUTCOME_INIT };
	if (!more->name)
		return NULL;
	m->n++;
	return more;
}

static bool has_move(const struct vb_group_moves *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->moves[i].name, name) == 0)
			return true;
	return false;
}

/*
 * The members of the groups of the devices named, not yet moved. 1 when a
 * device named is in no group: it is then the only entry, failed.
 */
int vb_group_gather(struct vb_context *ctx, const struct vb_bus *bus, char *const *names,
		    unsigned n_names, struct vb_group_moves *ret)
{
	for (unsigned i = 0; i < n_names; i++) {
		struct vb_device *dev = NULL;
		struct vb_error error = { 0 };
		struct vb_group g;

		if (vb_device_open(&ctx->roots, bus, names[i], &dev, &error) < 0 ||
		    dev->iommu_group < 0 || vb_group_read(&ctx->roots, dev->iommu_group, &g) < 0) {
			struct vb_group_move *m;

			vb_group_moves_clear(ret);
			m = add_move(ret, names[i]);
			if (!m) {
				vb_device_free(dev);
				return -ENOMEM;
			}
			m->dev = dev;
			m->out.error = error;
			if (dev)
				vb_error_set(&m->out.error, -ENXIO, "it is in no IOMMU group, so --group cannot bind one");
			m->out.status = VB_STATUS_FAILED;
			return 1;
		}
		vb_device_free(dev);
		for (unsigned j = 0; j < g.n; j++) {
			if (g.members[j].bridge || has_move(ret, g.members[j].name))
				continue;
			if (!add_move(ret, g.members[j].name)) {
				vb_group_clear(&g);
				return -ENOMEM;
			}
		}
		vb_group_clear(&g);
	}
	return 0;
}

struct group_pool {
	struct vb_context *ctx;
	const struct vb_bind_opts *opts;
	struct vb_group_moves *m;
	const bool *ready;
};

static void move_member(void *data, unsigned i)
{
	struct group_pool *gp = data;
	struct vb_group_move *mv = &gp->m->moves[i];

	if (gp->ready[i])
		vb_bind_move(gp->ctx, mv->dev, gp->opts, &mv->out);
}

static void not_moved(struct vb_outcome *out, const char *failed)
{
	vb_error_set(&out->error, -ECANCELED,
		     "not moved: %s of the same IOMMU group failed, and the group moves as one", failed);
	out->status = VB_STATUS_FAILED;
}

int vb_bind_groups(struct vb_context *ctx, const struct vb_bus *bus, struct vb_group_moves *gathered,
		   const struct vb_bind_opts *opts, bool save, struct vb_error *err)
{
	struct vb_group_moves m = *gathered;
	const char *failed = NULL;
	unsigned done = 0;
	bool *had = NULL, *ready = NULL, moved;
	int r;

	save = save && !opts->dry_run;
	/* Saving is checked first: a group that cannot be saved is not moved at all. */
	if (save && (r = vb_store_check_writable(&ctx->roots, err)) < 0)
		return r;
	/* A device in no group is the only entry, failed already. */
	if (m.n == 1 && m.moves[0].out.status == VB_STATUS_FAILED)
		return 0;
	if (!(had = calloc(m.n ? m.n : 1, sizeof(*had))) ||
	    !(ready = calloc(m.n ? m.n : 1, sizeof(*ready)))) {
		free(had);
		return vb_error_set(err, -ENOMEM, "out of memory");
	}
	/* What was saved before this run stays saved whatever happens to the group. */
	for (unsigned i = 0; i < m.n; i++) {
		char **files;
		unsigned nf = 0;

		if (vb_store_device_files(&ctx->roots, bus->name, m.moves[i].name, &files, &nf) == 0)
			vb_store_list_free(files, nf);
		had[i] = nf > 0;
	}
	/* Every member decided (and its module loaded) before any moves: a refusal moves none. */
	for (unsigned i = 0; i < m.n && !failed; i++, done++) {
		struct vb_group_move *mv = &m.moves[i];

		if (vb_device_open(&ctx->roots, bus, mv->name, &mv->dev, &mv->out.error) < 0)
			mv->out.status = VB_STATUS_FAILED;
		else
			ready[i] = vb_bind_prepare(ctx, mv->dev, opts, &mv->out);
		if (mv->out.status == VB_STATUS_FAILED && !ready[i])
			failed = mv->name;
	}
	/* Refused while deciding: nothing moved; the members decided are reported as not moved. */
	moved = !failed;
	if (!failed) {
		struct group_pool gp = { ctx, opts, &m, ready };
		unsigned started = vb_pool_run(m.n, opts->jobs ? opts->jobs : VB_POOL_JOBS_DEFAULT,
					       move_member, &gp, opts->stop);

		for (unsigned i = 0; i < m.n && !failed; i++)
			if (m.moves[i].out.status == VB_STATUS_FAILED || i >= started)
				failed = m.moves[i].name;
		/* Stopped part-way: the group moves as one, so the moved go back. */
		for (unsigned i = started; i < m.n; i++) {
			vb_error_set(&m.moves[i].out.error, -EINTR, "not moved: interrupted before it was started");
			m.moves[i].out.status = VB_STATUS_FAILED;
		}
	}
	/* Saved only once every member is there; a failure takes back only this run's saves. */
	for (unsigned i = 0; !failed && save && i < done; i++) {
		struct vb_group_move *mv = &m.moves[i];

		if (vb_save_binding(&ctx->roots, mv->dev, &mv->out, &mv->out.error) < 0) {
			/* Moved by this run, so put back like the others below. */
			if (mv->out.status == VB_STATUS_BOUND)
				vb_bind_undo(ctx, mv->dev, &mv->out);
			mv->out.status = VB_STATUS_FAILED;
			failed = mv->name;
			for (unsigned j = 0; j < i; j++)
				if (!had[j])
					(void)vb_store_forget_device(&ctx->roots, bus->name, m.moves[j].name, NULL);
		}
	}
	/* Viability as the group stands now that every member has moved. */
	for (unsigned i = 0; !failed && i < done; i++)
		vb_outcome_group_viability(ctx, m.moves[i].dev, &m.moves[i].out, NULL, 0);
	for (unsigned i = 0; failed && i < done; i++) {
		struct vb_group_move *mv = &m.moves[i];

		if (mv->out.status == VB_STATUS_FAILED && strcmp(mv->name, failed) == 0)
			continue;
		if (ready[i] && !moved) {
			vb_bind_abandon(mv->dev, &mv->out); /* decided, never moved */
			mv->out.rolled_back = false;
		}
		else if (mv->out.status == VB_STATUS_BOUND)
			vb_bind_undo(ctx, mv->dev, &mv->out);
		else
			mv->out.rolled_back = mv->out.status != VB_STATUS_FAILED;
		if (mv->out.status != VB_STATUS_FAILED)
			not_moved(&mv->out, failed);
		mv->out.status = VB_STATUS_FAILED;
	}
	/* Members never tried are reported too: the user asked for the whole group. */
	for (unsigned i = done; failed && i < m.n; i++)
		not_moved(&m.moves[i].out, failed);
	free(had);
	free(ready);
	*gathered = m;
	return 0;
}

void vb_group_moves_clear(struct vb_group_moves *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		free(m->moves[i].name);
		vb_device_free(m->moves[i].dev);
		vb_outcome_clear(&m->moves[i].out);
	}
	free(m->moves);
	*m = (struct vb_group_moves){ 0 };
}
