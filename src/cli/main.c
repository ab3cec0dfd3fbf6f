// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "device.h"
#include "options.h"
#include "store.h"

/* One argument to the name a verb works on; -1 after printing a usage error. */
static int canonical_arg(struct vb_context *ctx, const struct parsed_args *a, const char *arg,
			 char *name, size_t size)
{
	enum vb_class_name kind = VB_CLASS_NAME_NONE;
	struct vb_error err = { 0 };
	int r;

	/* A VFIO node's kernel name as udev gives it: "12", "noiommu-12", "vfio3". */
	if (a->verb == VERB_UDEV_OWNER) {
		const char *d = strncmp(arg, "noiommu-", 8) == 0 ? arg + 8 : strncmp(arg, "vfio", 4) == 0 ? arg + 4 : arg;

		if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(arg) >= size) {
			cmd_error(NULL, "'%.*s' is not a VFIO node's name (12, noiommu-12, vfio3)", VB_NAME_MAX, arg);
			return -1;
		}
		snprintf(name, size, "%s", arg);
		return 0;
	}
	if (a->opts.ids) {
		char id[10];

		if (vb_pci_id_canonical(arg, id) < 0) {
			cmd_error(NULL, "'%.*s' is not a VENDOR:DEVICE ID such as 15b3:101e", VB_NAME_MAX, arg);
			return -1;
		}
		snprintf(name, size, "%s", id);
		return 0;
	}
	r = vb_device_name_from_arg(&ctx->roots, a->opts.bus, arg, name, (unsigned)size, &kind, &err);
	/* A well-formed name of a device that is not there fails that device only. */
	if (r < 0 && r != -ENODEV) {
		cmd_print_error(NULL, &err);
		return -1;
	}
	/* Said once, up front: every report after names the device by its address. */
	if (kind != VB_CLASS_NAME_NONE && !a->opts.quiet)
		cmd_error(NULL, "%s %s (%s)", kind == VB_CLASS_NAME_NET ? "network interface" : "block device",
			  arg, name);
	return 0;
}

/* Every argument is checked before anything is touched: one bad one and nothing is done. */
static int validate_args(struct vb_context *ctx, struct parsed_args *a)
{
	a->opts.devices = calloc(a->n_args ? a->n_args : 1, sizeof(char *));
	if (!a->opts.devices)
		return -1;
	for (unsigned i = 0; i < a->n_args; i++) {
		char name[VB_NAME_MAX + 1];

		if (canonical_arg(ctx, a, a->args[i], name, sizeof(name)) < 0)
			return -1;
		a->opts.devices[a->opts.n_devices] = strdup(name);
		if (!a->opts.devices[a->opts.n_devices++])
			return -1;
	}
	return 0;
}

/* Said before waiting (even with --quiet): a run that waits in silence looks hung. */
static void say_lock_wait(void *data, pid_t pid, const char *cmdline)
{
	const struct vb_roots *roots = data;

	if (pid > 0)
		cmd_error(NULL, "waiting for the lock held by PID %d (%s)", (int)pid, cmdline);
	else
		cmd_error(NULL, "waiting for the lock '%s/lock', which another run holds", roots->run_dir);
}

/*
 * Runs that change drivers or saved state hold the run lock shared (parallel
 * udev workers and a shell go at once) and lock each device they move; the
 * lock files live in RUN_DIR, and taking this one first says whether this
 * user may change anything at all.
 */
/* Whether the verb may change drivers or saved bindings. */
static bool changes(const struct parsed_args *a)
{
	return a->verb != VERB_LIST && a->verb != VERB_UDEV_EXPORT && a->verb != VERB_UDEV_OWNER &&
	       a->verb != VERB_INITRAMFS_PLAN;
}

static int take_lock(struct vb_context *ctx, struct parsed_args *a, struct vb_lock *lock)
{
	struct vb_error err = { 0 };
	int r;

	if (!changes(a) || a->opts.dry_run)
		return 0;
	*lock = (struct vb_lock){ .fd = -1, .roots = &ctx->roots, .shared = true,
				  .waiting = say_lock_wait, .waiting_data = &ctx->roots };
	r = vb_lock_take(lock, &err);
	if (r == -EACCES || r == -EPERM) {
		cmd_error(NULL, "changing drivers needs root");
		cmd_error(NULL, "run it as root (sudo vfio-bind ...); --list and --dry-run work without");
		return r;
	}
	if (r < 0) {
		cmd_print_error(NULL, &err);
		return r;
	}
	return 0;
}

static int run_verb(struct vb_context *ctx, const struct parsed_args *a)
{
	switch (a->verb) {
	case VERB_UNBIND:
		return a->opts.ids ? cmd_unbind_ids(ctx, &a->opts) : cmd_unbind(ctx, &a->opts);
	case VERB_RESTORE:
		return cmd_restore(ctx, &a->opts);
	case VERB_LIST:
		return cmd_list(ctx, &a->opts);
	case VERB_UDEV_EXPORT:
		return cmd_udev_export(ctx, &a->opts);
	case VERB_UDEV_OWNER:
		return cmd_udev_owner(ctx, &a->opts);
	case VERB_INITRAMFS_PLAN:
		return cmd_initramfs_plan(ctx, &a->opts);
	default:
		if (a->opts.group)
			return cmd_bind_group(ctx, &a->opts);
		return a->opts.ids ? cmd_bind_ids(ctx, &a->opts) : cmd_bind(ctx, &a->opts);
	}
}

static int run(int argc, char *argv[])
{
	struct vb_lock lock = VB_LOCK_INIT;
	struct vb_bus other_bus;
	struct parsed_args a;
	struct vb_context ctx;
	int rc;

	if (options_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (a.verb == VERB_HELP) {
		options_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (a.verb == VERB_VERSION) {
		printf("vfio-bind %s\n", VB_VERSION);
		return EXIT_SUCCESS;
	}
	if (vb_context_init(&ctx) < 0) {
		cmd_error(NULL, "out of memory");
		return EXIT_FAILURE;
	}
	if (a.bus_name) {
		int r = vb_bus_lookup(&ctx.roots, a.bus_name, &other_bus, &a.opts.bus);

		if (r < 0) {
			cmd_error(NULL, "there is no bus '%s' here (see /sys/bus)", a.bus_name);
			vb_context_clear(&ctx);
			return EXIT_USAGE;
		}
		a.opts.bus_given = true;
	} else {
		a.opts.bus = vb_bus_find("pci");
	}
	if (validate_args(&ctx, &a) < 0)
		rc = EXIT_USAGE;
	else if (take_lock(&ctx, &a, &lock) < 0)
		rc = EXIT_FAILURE;
	else {
		/* What killed runs left is settled before the verb decides anything from it. */
		int settled = a.opts.dry_run || !changes(&a) ? EXIT_SUCCESS : cmd_recover(&ctx, NULL);

		rc = run_verb(&ctx, &a);
		if (rc == EXIT_SUCCESS)
			rc = settled;
	}
	vb_lock_release(&lock);
	if (vb_store_changes() > 0)
		cmd_say_initramfs_stale(&ctx, &a.opts);
	for (unsigned i = 0; i < a.opts.n_devices; i++)
		free(a.opts.devices[i]);
	free(a.opts.devices);
	vb_context_clear(&ctx);
	return rc;
}

/*
 * A closed 0, 1 or 2 is the number the next open() returns: output would
 * land in the lock or a saved binding. Each closed one becomes /dev/null.
 */
static int std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: fd, as 0 .. fd-1 are open by now. */
		n = open("/dev/null", O_RDWR | O_NOCTTY);
		if (n != fd) {
			if (n >= 0)
				close(n);
			return -1;
		}
	}
	return 0;
}

/* Output that could not be written is a failure, not a success nobody saw. */
static int finish_output(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	cmd_error(NULL, "cannot write the output: %s", strerror(errno ? errno : EIO));
	return rc == EXIT_USAGE ? rc : EXIT_FAILURE;
}

int main(int argc, char *argv[])
{
	if (std_fds_open() < 0)
		return EXIT_FAILURE;
	/*
	 * A reader that is gone (vfio-bind ... | head) fails the writes with
	 * EPIPE; being killed half-way through a batch would cut it short.
	 */
	signal(SIGPIPE, SIG_IGN);
	return finish_output(run(argc, argv));
}
