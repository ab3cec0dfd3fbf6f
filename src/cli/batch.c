// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "device-locks.h"
#include "modalias.h"
#include "pool.h"
#include "reset-method.h"
#include "store.h"
#include "sysfs.h"

struct cmd_task *cmd_batch_add(struct cmd_batch *b, enum cmd_task_kind kind, const char *name,
			       const struct vb_bus *bus)
{
	struct cmd_task *more = realloc(b->tasks, (b->n + 1) * sizeof(*more));

	if (!more)
		return NULL;
	b->tasks = more;
	more = &b->tasks[b->n];
	*more = (struct cmd_task){ .kind = kind, .name = strdup(name), .bus = bus,
				   .out = VB_OUTCOME_INIT };
	if (!more->name)
		return NULL;
	b->n++;
	return more;
}

void cmd_batch_say(struct cmd_batch *b, const char *name, bool error, const char *fmt, ...)
{
	struct cmd_task *t = cmd_batch_add(b, CMD_TASK_SAY, name, NULL);
	va_list ap;

	if (!t)
		return;
	t->error = error;
	va_start(ap, fmt);
	if (vasprintf(&t->text, fmt, ap) < 0)
		t->text = NULL;
	va_end(ap);
}

static bool moves(const struct cmd_task *t)
{
	return t->kind == CMD_TASK_BIND || t->kind == CMD_TASK_RESTORE || t->kind == CMD_TASK_UNBIND;
}

volatile sig_atomic_t cmd_stop_requested;

static void on_stop(int sig)
{
	static const char msg[] =
		"vfio-bind: stopping: no further device is started; those being moved finish or are put "
		"back (once more stops at once: the next run settles what is left)\n";

	int saved_errno = errno;

	(void)sig;
	__atomic_store_n(&cmd_stop_requested, 1, __ATOMIC_RELAXED);
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	errno = saved_errno;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

void cmd_stop_catch(struct sigaction old[3])
{
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESETHAND | SA_RESTART };

	sigemptyset(&sa.sa_mask);
	cmd_stop_requested = 0;
	for (unsigned i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

void cmd_stop_release(const struct sigaction old[3])
{
	for (unsigned i = 0; i < 3; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

/* Said before waiting (even with --quiet): a run that waits in silence looks hung. */
static void say_device_wait(void *data, const char *device, pid_t pid, const char *cmdline)
{
	(void)data;
	if (pid > 0)
		cmd_error(device, "waiting for PID %d (%s), which is moving it", (int)pid, cmdline);
	else
		cmd_error(device, "waiting for another vfio-bind run, which is moving it");
}

int cmd_lock_devices(struct cmd_run *run, const struct vb_device_key *keys, unsigned n,
		     enum vb_locks_wait how, struct vb_device_locks *ret)
{
	struct vb_error err = { 0 };
	int rc;

	*ret = (struct vb_device_locks){ 0 };
	if (run->opts->dry_run)
		return 0;
	if (vb_device_locks_take(&run->ctx->roots, keys, n, how, &cmd_stop_requested,
				 say_device_wait, NULL, ret, &err) < 0) {
		cmd_print_error(NULL, &err);
		run->rc = EXIT_FAILURE;
		return -1;
	}
	/* Given up on one (the devices are reported each in their place). */
	if (err.code)
		cmd_print_error(NULL, &err);
	/* What a killed run left is settled before anything else is done: these devices first. */
	rc = cmd_recover(run->ctx, ret);
	if (rc != EXIT_SUCCESS)
		run->rc = rc;
	return 0;
}

/* The ID rule that still covers a device handed back takes it again at the next hotplug or boot. */
static void note_id_rule(struct cmd_run *run, const struct cmd_task *t)
{
	const struct vb_roots *roots = &run->ctx->roots;
	const struct vb_device *dev = t->dev;
	_cleanup_free_ char *path = NULL;
	struct vb_saved rule;
	char id[10];

	if (run->opts->quiet || run->opts->dry_run || !dev || !dev->has_ids || t->out.vanished ||
	    (t->out.status != VB_STATUS_UNBOUND && t->out.status != VB_STATUS_NOT_BOUND))
		return;
	vb_pci_ids_id(&dev->ids, id);
	path = vb_store_id_path(roots, dev->bus->name, id);
	if (!path || vb_store_load(roots, path, &rule, NULL) < 0)
		return;
	cmd_error(t->name, "note: the saved rule for ID %s still covers it: it is bound again at the next "
		  "hotplug or boot; 'vfio-bind --unbind --id %s' removes the rule", id, id);
}

static bool prepare_bind(struct cmd_run *run, struct cmd_task *t)
{
	const struct vb_roots *roots = &run->ctx->roots;

	t->bo = cmd_bind_opts(run->opts);
	if (t->driver)
		t->bo.driver = t->driver;
	if (t->reset_method && t->reset_method[0])
		t->bo.reset_method = t->reset_method;
	if (t->owner.set)
		t->bo.owner = &t->owner;
	t->bo.driver_saved = t->driver_saved;
	t->save_job = (struct vb_save_job)VB_SAVE_JOB_INIT(roots);
	if (t->save && !t->bo.dry_run)
		vb_save_job_attach(&t->save_job, &t->bo);
	/* A binding that could not be saved, or not trusted once saved: nothing is moved. */
	if (t->bo.commit && vb_store_check_writable(roots, &t->out.error) < 0) {
		t->out.status = VB_STATUS_FAILED;
		return false;
	}
	if (vb_device_open(roots, t->bus, t->name, &t->dev, &t->out.error) < 0) {
		t->out.status = VB_STATUS_FAILED;
		return false;
	}
	return vb_bind_prepare(run->ctx, t->dev, &t->bo, &t->out);
}

/* Re-applied only if the same device still sits at the saved address. */
static bool prepare_restore(struct cmd_run *run, struct cmd_task *t)
{
	t->bo = cmd_bind_opts(run->opts);
	t->bo.driver = t->driver;
	t->bo.driver_saved = true;
	t->bo.reset_method = t->reset_method && t->reset_method[0] ? t->reset_method : NULL;
	t->bo.owner = t->owner.set ? &t->owner : NULL;
	/* Forgotten since it was read: a killed unbind of it, settled once its lock was ours. */
	if (!run->opts->dry_run && t->saved_path && vb_exists(t->saved_path) == 0) {
		t->kind = CMD_TASK_SAY;
		t->text = strdup("no longer saved (an unbind of it was finished): nothing done");
		return false;
	}
	if (vb_bus_lookup(&run->ctx->roots, t->bus_name, &t->bus_scratch, &t->bus) < 0) {
		/* A bus that is not here now (a module not loaded): its devices are absent too. */
		t->out.status = VB_STATUS_ABSENT;
		return false;
	}
	if (vb_device_open(&run->ctx->roots, t->bus, t->name, &t->dev, &t->out.error) < 0) {
		t->out.status = t->out.error.code == -ENODEV ? VB_STATUS_ABSENT : VB_STATUS_FAILED;
		return false;
	}
	if (t->modalias[0] && !streq_ptr(t->dev->modalias, t->modalias)) {
		t->out.status = VB_STATUS_FAILED;
		vb_error_set(&t->out.error, -ESTALE,
			     "a different device sits here now (saved '%s', found '%s'): not bound",
			     t->modalias, t->dev->modalias ? t->dev->modalias : "none");
		vb_error_hint(&t->out.error, "'vfio-bind --unbind %s' forgets the old binding", t->name);
		return false;
	}
	return vb_bind_prepare(run->ctx, t->dev, &t->bo, &t->out);
}

static bool prepare_unbind(struct cmd_run *run, struct cmd_task *t)
{
	const struct vb_roots *roots = &run->ctx->roots;
	/* Forgotten even when untrusted or corrupt: --unbind is how one gets rid of it. */
	unsigned n = vb_forget_job_init(&t->forget_job, roots, t->bus->name, t->name);

	t->bo = cmd_bind_opts(run->opts);
	if (vb_device_open(roots, t->bus, t->name, &t->dev, &t->out.error) < 0) {
		if (n > 0 && !t->bo.dry_run) {
			t->out.error = (struct vb_error){ 0 };
			t->out.status = vb_store_forget_device(roots, t->bus->name, t->name, &t->out.error) < 0
						? VB_STATUS_FAILED
						: VB_STATUS_FORGOTTEN;
		} else {
			t->out.status = VB_STATUS_FAILED;
		}
		return false;
	}
	vb_forget_job_attach(&t->forget_job, &t->bo);
	return vb_unbind_prepare(run->ctx, t->dev, &t->bo, &t->out);
}

static void not_started(struct cmd_task *t)
{
	if (t->ready && t->kind != CMD_TASK_UNBIND)
		vb_bind_abandon(t->dev, &t->out);
	vb_error_set(&t->out.error, -EINTR, "not moved: the run was stopped before it was started");
	vb_error_hint(&t->out.error, "run the same command again to move it");
	t->out.status = VB_STATUS_FAILED;
	t->ready = false;
}

struct move_pool {
	struct cmd_run *run;
	struct cmd_batch *b;
	unsigned *order; /* the ready tasks of this wave */
};

static void move_task(void *data, unsigned i)
{
	struct move_pool *p = data;
	struct cmd_task *t = &p->b->tasks[p->order[i]];

	if (t->kind == CMD_TASK_UNBIND) {
		vb_unbind_move(p->run->ctx, t->dev, &t->bo, &t->out);
		/* The reset methods the binding set were for the VM: the host gets the kernel's. */
		if (t->out.status == VB_STATUS_UNBOUND && t->forget_job.had &&
		    t->forget_job.saved.reset_method[0])
			(void)vb_device_set_reset_method(t->dev, "default", NULL, NULL);
		/* A group node that stays (other members on VFIO) is root's again. */
		if (t->out.status == VB_STATUS_UNBOUND && t->forget_job.had && t->forget_job.saved.owner[0])
			(void)vb_vfio_nodes_own(&p->run->ctx->roots, t->dev, NULL, NULL);
	} else
		vb_bind_move(p->run->ctx, t->dev, &t->bo, &t->out);
	t->ready = false;
}

/*
 * One wave: each task decided in order, then the ready ones moved side by
 * side. Not moved as each is decided: the moves' own events (each new VFIO
 * node runs a program from udev's rule where owners are saved) would then
 * compete with the deciding of the rest for the CPU, and measured that way
 * it saved nothing where the machine was quiet.
 */
static void run_wave(struct cmd_run *run, struct cmd_batch *b, unsigned wave, unsigned *order)
{
	struct move_pool p = { run, b, order };
	unsigned n = 0, started;

	/* The interfaces and disks are listed afresh: an earlier wave moved devices. */
	vb_class_cache_clear(&run->ctx->classes);

	for (unsigned i = 0; i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];

		if (!moves(t) || t->wave != wave)
			continue;
		if (__atomic_load_n(&cmd_stop_requested, __ATOMIC_RELAXED)) {
			not_started(t);
			continue;
		}
		if (t->kind == CMD_TASK_BIND)
			t->ready = prepare_bind(run, t);
		else if (t->kind == CMD_TASK_RESTORE)
			t->ready = prepare_restore(run, t);
		else
			t->ready = prepare_unbind(run, t);
		if (t->ready)
			order[n++] = i;
	}
	started = vb_pool_run(n, run->opts->jobs ? run->opts->jobs : VB_POOL_JOBS_DEFAULT, move_task,
			      &p, &cmd_stop_requested);
	for (unsigned i = started; i < n; i++)
		not_started(&b->tasks[order[i]]);
}

/* A dry run judges a group on where the batch would put every device, not on today's drivers. */
static void dry_run_viability(struct cmd_run *run, struct cmd_batch *b)
{
	char **going = calloc(b->n ? b->n : 1, sizeof(*going));

	for (unsigned i = 0; going && i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];
		unsigned n = 0;

		if ((t->kind != CMD_TASK_BIND && t->kind != CMD_TASK_RESTORE) ||
		    t->out.status != VB_STATUS_DRY_RUN || !t->dev)
			continue;
		for (unsigned j = 0; j < b->n; j++) {
			const struct cmd_task *o = &b->tasks[j];

			if (j != i && (o->kind == CMD_TASK_BIND || o->kind == CMD_TASK_RESTORE) &&
			    o->out.status == VB_STATUS_DRY_RUN &&
			    o->dev && o->dev->bus == t->dev->bus)
				going[n++] = o->name;
		}
		if (n)
			vb_outcome_group_viability(run->ctx, t->dev, &t->out, going, n);
	}
	free(going);
}

static void report(struct cmd_run *run, struct cmd_task *t)
{
	_cleanup_free_ char *path = NULL;

	switch (t->kind) {
	case CMD_TASK_SAY:
		if (t->error) {
			cmd_print_error(t->name, &t->out.error);
			run->rc = EXIT_FAILURE;
		} else if (!run->opts->quiet && !run->opts->json) {
			printf("%s: %s\n", t->name, t->text ? t->text : "");
		}
		return;
	case CMD_TASK_BIND:
		if (t->bo.commit && (t->out.status == VB_STATUS_BOUND || t->out.status == VB_STATUS_ALREADY))
			path = vb_saved_path(&run->ctx->roots, &t->save_job.saved);
		cmd_run_report(run, t->name, t->dev, &t->out, path);
		return;
	case CMD_TASK_RESTORE:
	case CMD_TASK_REPORT:
		cmd_run_report(run, t->name, t->dev, &t->out, t->saved_path);
		return;
	case CMD_TASK_UNBIND:
		cmd_run_report(run, t->name, t->dev, &t->out, NULL);
		if (t->forget_job.resave_error.code) {
			cmd_print_error(t->name, &t->forget_job.resave_error);
			cmd_error(t->name, "COULD NOT RESTORE ITS SAVED BINDING: it is back on %s but not saved; "
				  "'vfio-bind %s' saves it again",
				  t->dev && t->dev->driver ? t->dev->driver : "no driver", t->name);
			run->rc = EXIT_FAILURE;
		}
		note_id_rule(run, t);
		return;
	}
}

static void batch_clear(struct cmd_batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		free(b->tasks[i].name);
		free(b->tasks[i].saved_path);
		free(b->tasks[i].text);
		vb_device_free(b->tasks[i].dev);
		vb_outcome_clear(&b->tasks[i].out);
	}
	free(b->tasks);
	*b = (struct cmd_batch){ 0 };
}

/*
 * What the batch forgot stays forgotten: one sync of the directory since
 * *removals (a lost removal would take a device from its host driver again
 * at boot; a lost new binding only leaves it on the host, so saves are not
 * synced).
 */
static void sync_removals(struct cmd_run *run, unsigned *removals)
{
	if (vb_store_removals() == *removals)
		return;
	*removals = vb_store_removals();
	if (vb_store_sync(&run->ctx->roots) < 0)
		cmd_error(NULL, "cannot sync '%s': the changed saved bindings may not survive a power cut",
			  run->ctx->roots.config_dir);
}

/* Whether locks hold the device of t ("BUS-DEVICE"). */
static bool task_locked(const struct vb_device_locks *locks, const struct cmd_task *t)
{
	_cleanup_free_ char *file = vb_path("%s-%s", t->bus_name, t->name);

	return file && vb_device_locks_hold(locks, file);
}

/* Tasks whose device was not locked for the first round: moved by the second, after waves more. */
static unsigned defer_unlocked(struct cmd_batch *b, const struct vb_device_locks *locks,
			       unsigned waves, struct vb_device_key *keys)
{
	unsigned n = 0;

	for (unsigned i = 0; i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];

		if (!moves(t) || task_locked(locks, t))
			continue;
		t->wave += waves;
		keys[n++] = (struct vb_device_key){ t->bus_name, t->name };
	}
	return n;
}

/*
 * The second round's tasks whose device it could not lock: all of them when
 * stopped (or the locks failed), else those another run kept past the timeout.
 */
static void not_locked(struct cmd_batch *b, unsigned from_wave, const struct vb_device_locks *locks)
{
	bool stopped = __atomic_load_n(&cmd_stop_requested, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];

		if (!moves(t) || t->wave < from_wave || (locks && task_locked(locks, t)))
			continue;
		not_started(t);
		t->wave = UINT_MAX; /* no wave takes it up */
		if (stopped)
			continue;
		vb_error_set(&t->out.error, -ETIMEDOUT,
			     "not moved: another run kept it locked past the lock timeout");
		vb_error_hint(&t->out.error, "run the same command again once that run is done "
			      "(VFIO_BIND_LOCK_TIMEOUT=SECONDS waits longer)");
	}
}

void cmd_batch_run(struct cmd_run *run, struct cmd_batch *b)
{
	struct vb_device_key *keys = calloc(b->n ? b->n : 1, sizeof(*keys));
	unsigned *order = calloc(b->n ? b->n : 1, sizeof(*order));
	unsigned removals = vb_store_removals(), n_keys = 0, waves = 0, n_later = 0;
	struct vb_device_locks locks;
	struct sigaction old[3];

	if (!keys || !order) {
		cmd_error(NULL, "out of memory");
		run->rc = EXIT_FAILURE;
		goto out;
	}
	for (unsigned i = 0; i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];

		if (!moves(t))
			continue;
		if (t->bus)
			t->bus_name = t->bus->name;
		/* The same device twice: the second is decided once the first has moved. */
		for (unsigned k = 0; k < n_keys; k++)
			t->wave += strcmp(keys[k].bus, t->bus_name) == 0 && strcmp(keys[k].device, t->name) == 0;
		keys[n_keys++] = (struct vb_device_key){ t->bus_name, t->name };
		if (t->wave + 1 > waves)
			waves = t->wave + 1;
	}
	/*
	 * The devices no other run holds move first; those another run is moving
	 * (udev's run for one at boot, a person's at a shell) wait for a second
	 * round instead of holding the whole batch up.
	 */
	if (cmd_lock_devices(run, keys, n_keys, VB_LOCKS_SKIP_HELD, &locks) < 0)
		goto out;
	if (!run->opts->dry_run)
		n_later = defer_unlocked(b, &locks, waves, keys);
	cmd_stop_catch(old);
	for (unsigned w = 0; w < waves; w++)
		run_wave(run, b, w, order);
	if (n_later) {
		/* Let ours go first: the runs this one waits for may be waiting for them. */
		sync_removals(run, &removals);
		vb_device_locks_release(&locks);
		if (__atomic_load_n(&cmd_stop_requested, __ATOMIC_RELAXED) ||
		    cmd_lock_devices(run, keys, n_later, VB_LOCKS_WAIT_EACH, &locks) < 0) {
			not_locked(b, waves, NULL);
		} else {
			not_locked(b, waves, &locks);
			for (unsigned w = waves; w < 2 * waves; w++)
				run_wave(run, b, w, order);
		}
	}
	cmd_stop_release(old);
	sync_removals(run, &removals);
	/* Viability where the batch has put every device. */
	for (unsigned i = 0; i < b->n; i++) {
		struct cmd_task *t = &b->tasks[i];

		if ((t->kind == CMD_TASK_BIND || t->kind == CMD_TASK_RESTORE) && t->dev &&
		    t->out.status == VB_STATUS_BOUND)
			vb_outcome_group_viability(run->ctx, t->dev, &t->out, NULL, 0);
	}
	if (run->opts->dry_run)
		dry_run_viability(run, b);
	for (unsigned i = 0; i < b->n; i++)
		report(run, &b->tasks[i]);
	vb_device_locks_release(&locks);
out:
	free(keys);
	free(order);
	batch_clear(b);
}
