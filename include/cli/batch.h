/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>

#include "cmd.h"
#include "device-locks.h"
#include "save.h"

/*
 * The devices one command moves, as a batch: each device locked, each
 * decided and its module loaded one after the other, then all moved side
 * by side in a pool of threads (--jobs), then reported in the order they
 * were given. Each is still its own transaction with its own rollback.
 * Devices another run is moving are not waited for first: the free ones
 * move, then the batch waits for the others and decides them afresh.
 */
enum cmd_task_kind {
	CMD_TASK_BIND,    /* to its VFIO driver (saved unless told not to) */
	CMD_TASK_RESTORE, /* a saved binding re-applied, if the same device sits there */
	CMD_TASK_UNBIND,  /* back to its host driver, its saved binding forgotten */
	CMD_TASK_REPORT,  /* an outcome known without moving anything */
	CMD_TASK_SAY,     /* a line for the user, in its place among the devices */
};

struct cmd_task {
	enum cmd_task_kind kind;
	char *name;           /* the device (or what the line is about) */
	const struct vb_bus *bus;
	const char *bus_name; /* restore: the saved binding's bus, looked up when it is moved */
	struct vb_bus bus_scratch;
	const char *driver;   /* bind: the driver asked for (NULL: the best match) */
	bool save;            /* bind: save the binding */
	bool driver_saved;    /* the driver comes from a saved binding or rule */
	const char *modalias; /* restore: the saved device's; "" any */
	const char *reset_method; /* bind, restore: saved with the binding or rule; NULL none */
	struct vb_owner owner;    /* bind, restore: saved with the binding or rule */
	char *saved_path;     /* restore and report: the saved binding's file */
	char *text;           /* say: the line; error: an error line (exit 1) */
	bool error;
	struct vb_device *dev;
	struct vb_bind_opts bo;
	struct vb_outcome out;
	struct vb_save_job save_job;
	struct vb_forget_job forget_job;
	unsigned wave;        /* the same device again waits for its earlier move */
	bool ready;           /* decided, to be moved */
};

struct cmd_batch {
	struct cmd_task *tasks;
	unsigned n;
};

/* Add a task; NULL when out of memory (the run then fails). */
struct cmd_task *cmd_batch_add(struct cmd_batch *b, enum cmd_task_kind kind, const char *name,
			       const struct vb_bus *bus);
/* A line said in its place ("no such device now ..."); error: on stderr, and exit 1. */
void cmd_batch_say(struct cmd_batch *b, const char *name, bool error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Lock the devices of keys (a dry run locks nothing) as how says and settle
 * what killed runs left, these devices' first; -1 (said, exit 1) when the
 * locks could not be taken (VB_LOCKS_WAIT: one stayed held; stopped).
 */
int cmd_lock_devices(struct cmd_run *run, const struct vb_device_key *keys, unsigned n,
		     enum vb_locks_wait how, struct vb_device_locks *ret);

/*
 * Set by the first SIGINT, SIGTERM or SIGHUP while a batch moves devices:
 * no further device is started, those in flight finish or roll back and
 * are reported. The second one kills as usual (the next run settles).
 */
extern volatile sig_atomic_t cmd_stop_requested;
void cmd_stop_catch(struct sigaction old[3]);
void cmd_stop_release(const struct sigaction old[3]);

/* Lock, decide, move and report every task; the batch is emptied. */
void cmd_batch_run(struct cmd_run *run, struct cmd_batch *b);
