/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdlib.h>

#include "bind.h"
#include "bus.h"
#include "context.h"
#include "lock.h"
#include "output.h"
#include "owner.h"
#include "reset-method.h"

/* What the command line asked for, shared by every verb. */
struct cmd_opts {
	const struct vb_bus *bus; /* pci unless --bus/--platform */
	bool bus_given;
	const char *driver;
	bool dry_run;
	bool force;
	bool json;
	bool quiet;
	bool verbose;
	bool no_save;
	bool ids;       /* the arguments are vendor:device IDs */
	bool group;     /* bind whole IOMMU groups as one transaction */
	bool initramfs; /* --restore from the initramfs: record what it bound */
	const char *class_kind; /* --list --class: "net", "storage" ...; NULL: all */
	char **devices; /* canonical names (or IDs), validated before any verb runs */
	unsigned n_devices;
	unsigned jobs;  /* --jobs: devices moved at once; 0 the default */
	char reset_method[VB_RESET_METHOD_MAX]; /* --reset-method, space-separated; "" not given */
	struct vb_owner owner; /* --owner */
};

/* The most threads --jobs may ask for. */
#define VB_JOBS_MAX 4096

/* Exit statuses: libc's EXIT_SUCCESS, EXIT_FAILURE (a device failed), and a usage error. */
enum {
	EXIT_USAGE = 2,
};

int cmd_bind(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_unbind(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_restore(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_list(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_udev_export(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_udev_owner(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_initramfs_plan(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_bind_group(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_bind_ids(struct vb_context *ctx, const struct cmd_opts *o);
int cmd_unbind_ids(struct vb_context *ctx, const struct cmd_opts *o);

struct vb_device_locks;
/*
 * Settle what runs that were killed half-way left, of the devices in mine
 * (held by this run) and of those no run holds; exit 1 if one could not be.
 */
int cmd_recover(struct vb_context *ctx, const struct vb_device_locks *mine);

/* Replace control bytes by '?', in place. */
void cmd_sanitize(char *s);

/* Messages (messages.c): "vfio-bind: DEVICE: text", control bytes shown as '?'. */
void cmd_error(const char *device, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_print_error(const char *device, const struct vb_error *e);

/* One run over many devices: each outcome printed, and kept for --json. */
struct cmd_run {
	struct vb_context *ctx;
	const struct cmd_opts *opts;
	struct vb_record *recs;
	unsigned n;
	int rc;
	bool record_early; /* from the initramfs: leave a record of each device bound */
};

void cmd_run_init(struct cmd_run *run, struct vb_context *ctx, const struct cmd_opts *o);
/* Print one device's outcome (text now, JSON at the end); a failure sets exit 1. */
void cmd_run_report(struct cmd_run *run, const char *name, const struct vb_device *dev,
		    const struct vb_outcome *out, const char *saved);
/* Print the JSON document if asked; the exit status. */
int cmd_run_finish(struct cmd_run *run);

/* The transaction options the command line implies. */
struct vb_bind_opts cmd_bind_opts(const struct cmd_opts *o);


/* After a run that changed the saved bindings: say once that the initramfs's copy is stale. */
void cmd_say_initramfs_stale(struct vb_context *ctx, const struct cmd_opts *o);

struct vb_saved_set;
/* --restore at boot: hand back what the initramfs bound for a binding no longer saved. */
void cmd_release_stale_early(struct cmd_run *run, const struct vb_saved_set *set);
/* --restore --initramfs: record a device the run left on its VFIO driver. */
void cmd_record_early(struct cmd_run *run, const struct vb_device *dev,
		      const struct vb_outcome *out);
