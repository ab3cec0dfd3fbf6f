// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "bind.h"
#include "journal.h"
#include "reset-method.h"
#include "checks.h"
#include "group.h"
#include "holders.h"
#include "sysfs.h"

const char *vb_status_name(enum vb_status s)
{
	static const char *const names[] = {
		[VB_STATUS_BOUND] = "bound",         [VB_STATUS_ALREADY] = "already-bound",
		[VB_STATUS_DRY_RUN] = "dry-run",     [VB_STATUS_UNBOUND] = "unbound",
		[VB_STATUS_NOT_BOUND] = "not-bound", [VB_STATUS_ABSENT] = "absent",
		[VB_STATUS_FORGOTTEN] = "forgotten", [VB_STATUS_FAILED] = "failed",
	};

	return names[s];
}

void vb_outcome_clear(struct vb_outcome *out)
{
	vb_choice_clear(&out->choice);
	free(out->vfio_module);
	free(out->vfio_driver);
	free(out->old_driver);
	free(out->old_override);
	free(out->reset_method);
	free(out->old_reset_method);
	vb_group_members_free(out->group_blockers, out->n_group_blockers);
	for (unsigned i = 0; i < out->n_steps; i++) {
		free(out->steps[i].target);
		free(out->steps[i].value);
	}
	free(out->steps);
	*out = (struct vb_outcome){ .group_viable = -1 };
}

static int add_step(struct vb_outcome *out, enum vb_step_kind kind, char *target, const char *value)
{
	struct vb_step *s;

	if (!target)
		return -ENOMEM;
	s = realloc(out->steps, (out->n_steps + 1) * sizeof(*s));
	if (!s) {
		free(target);
		return -ENOMEM;
	}
	out->steps = s;
	s = &out->steps[out->n_steps++];
	s->kind = kind;
	s->action = kind == VB_STEP_LOAD_MODULE ? "load-module" : "write";
	s->target = target;
	s->value = value ? strdup(value) : NULL;
	return value && !s->value ? -ENOMEM : 0;
}

/* Record a write and do it; in a dry run only record it. */
static int step_write(struct vb_outcome *out, bool dry_run, enum vb_step_kind kind, char *path,
		      const char *value)
{
	int r = add_step(out, kind, path, value);

	if (r < 0 || dry_run)
		return r;
	return vb_write_attr(path, value);
}

static char *attr_path(const struct vb_device *dev, const char *attr)
{
	return vb_path("%s/%s", dev->path, attr);
}

static char *bus_path(const struct vb_context *ctx, const struct vb_device *dev, const char *rest)
{
	return vb_path("%s/bus/%s/%s", ctx->roots.sysfs, dev->bus->name, rest);
}

static char *driver_file(const struct vb_context *ctx, const struct vb_device *dev,
			 const char *driver, const char *file)
{
	return vb_path("%s/bus/%s/drivers/%s/%s", ctx->roots.sysfs, dev->bus->name, driver, file);
}

/*
 * How long an unbind or bind waits for a driver still registering (its module
 * loading, its probes of other devices running): a driver with many devices,
 * or slow ones, takes seconds.
 */
#define DRIVER_LOADING_TIMEOUT_MS 60000

static int write_driver_file(const char *path, const char *device)
{
	return vb_write_driver_file(path, device, DRIVER_LOADING_TIMEOUT_MS);
}

/* "cannot unbind 'X'", saying so when X was still loading the whole time. */
static void unbind_error(struct vb_outcome *out, const char *driver, int r)
{
	if (r == -ETIMEDOUT)
		vb_error_set(&out->error, r, "cannot unbind '%s': the driver is still registering after %d s (its module is loading and has no unbind file yet)",
			     driver, DRIVER_LOADING_TIMEOUT_MS / 1000);
	else
		vb_error_set_sys(&out->error, r, "cannot unbind '%s'", driver);
}

static int need_write_access(const struct vb_device *dev, struct vb_error *err)
{
	_cleanup_free_ char *p = attr_path(dev, "driver_override");

	if (!p)
		return -ENOMEM;
	if (access(p, W_OK) == 0)
		return 0;
	if (errno == EACCES || errno == EPERM || errno == EROFS) {
		vb_error_set(err, -EACCES, "changing drivers needs root");
		vb_error_hint(err, "run it as root (sudo vfio-bind ...); --list and --dry-run work without");
		return -EACCES;
	}
	return vb_error_set_sys(err, -errno, "cannot write its driver_override");
}

/*
 * No-IOMMU mode asked for in modprobe.d ("options vfio
 * enable_unsafe_noiommu_mode=1") takes effect when vfio loads with the VFIO
 * driver, so it counts while vfio is not loaded yet.
 */
static bool noiommu_configured(struct vb_context *ctx)
{
	_cleanup_free_ char *v = NULL;
	struct vb_resolver *res;

	if (vb_module_is_loaded(&ctx->roots, "vfio") > 0 || vb_context_resolver(ctx, &res, NULL) < 0 ||
	    vb_module_option(res, "vfio", "enable_unsafe_noiommu_mode", &v) < 0)
		return false;
	return strcmp(v, "1") == 0 || strcasecmp(v, "y") == 0 || strcasecmp(v, "true") == 0;
}

static int check_iommu(struct vb_context *ctx, const struct vb_device *dev, struct vb_error *err)
{
	enum vb_iommu_state s;

	/* In a group: an IOMMU's, or VFIO's own in no-IOMMU mode; either will do. */
	if (dev->iommu_group >= 0)
		return 0;
	s = vb_iommu_state(&ctx->roots);
	if (s == VB_IOMMU_OFF && noiommu_configured(ctx))
		s = VB_IOMMU_NOIOMMU;

	if (s == VB_IOMMU_OFF) {
		vb_error_set(err, -ENXIO, "IOMMU is not enabled (no IOMMU groups)");
		vb_error_hint(err, "enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on or "
				   "amd_iommu=on; for no isolation at all, load vfio with "
				   "enable_unsafe_noiommu_mode=1 (--force skips this check)");
		return -ENXIO;
	}
	if (s == VB_IOMMU_ON && dev->iommu_group < 0) {
		vb_error_set(err, -ENXIO, "the device is in no IOMMU group, so VFIO cannot use it");
		vb_error_hint(err, "check the IOMMU covers it in 'dmesg' (--force skips this check)");
		return -ENXIO;
	}
	return 0;
}

/*
 * An override makes any driver take any device, so "-d mlx5_vfio_pci" on an
 * Intel NIC would "work". A variant whose vfio_ aliases do not match the
 * device is refused; the bus's generic VFIO driver fits every device.
 */
static int check_variant_fits(struct vb_context *ctx, const struct vb_device *dev,
			      struct vb_outcome *out)
{
	struct vb_choice choice = { 0 };
	struct vb_resolver *res;
	bool fits = false;

	if (!out->vfio_module || !dev->bus->vfio_aliases ||
	    strcmp(out->vfio_module, dev->bus->vfio_module) == 0 ||
	    !strstr(out->vfio_module, "vfio"))
		return 0;
	if (vb_context_resolver(ctx, &res, NULL) < 0 ||
	    vb_resolve(res, dev->bus, dev->modalias, &choice, NULL) < 0)
		return 0;
	for (unsigned i = 0; i < choice.n_candidates; i++)
		fits |= strcmp(choice.candidates[i].module, out->vfio_module) == 0;
	vb_choice_clear(&choice);
	if (fits)
		return 0;
	vb_error_set(&out->error, -EINVAL, "'%s' is a VFIO variant for other devices: none of its aliases matches this one",
		     out->vfio_driver);
	vb_error_hint(&out->error, "leave out --driver to get the right one, or add --force to bind it anyway");
	return -EINVAL;
}

/*
 * driver_override holds a driver name; a module's name there binds nothing.
 * When --driver NAME is no registered driver but the name of a module whose
 * driver is known without loading it (a loaded module's own drivers, or the
 * bus's generic VFIO module: vfio_pci registers vfio-pci), it is refused
 * here, before anything is loaded or written, naming the driver to use.
 */
static int check_not_a_module_name(struct vb_context *ctx, const struct vb_device *dev,
				   const char *name, const char *module, struct vb_error *err)
{
	_cleanup_free_ char *real = NULL;
	int r = vb_module_driver_known(&ctx->roots, dev->bus, module, &real, NULL);

	if (r == -ENOENT) {
		vb_error_set(err, -ENOENT, "no driver '%s' is registered, and module '%s' is loaded but registers no %s driver",
			     name, module, dev->bus->name);
		vb_error_hint(err, "'ls /sys/bus/%s/drivers' shows the driver names (a driver name, not a module name)",
			      dev->bus->name);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	if (!real || strcmp(real, name) == 0)
		return 0;
	vb_error_set(err, -ENOENT, "no driver '%s' is registered: '%s' names module '%s', whose driver is '%s'",
		     name, name, module, real);
	vb_error_hint(err, "use --driver %s (a driver name, not a module name)", real);
	return -ENOENT;
}

/* Pick the module and, when it is already loaded, the driver. */
static int choose(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		  struct vb_outcome *out)
{
	struct vb_resolver *res;
	int r;

	if (opts->driver) {
		out->vfio_driver = strdup(opts->driver);
		if (!out->vfio_driver)
			return -ENOMEM;
		/*
		 * A registered driver needs no module and no libkmod: its own link
		 * names the module (a built-in one may have none to name).
		 */
		if (vb_driver_is_registered(&ctx->roots, dev->bus, opts->driver) > 0) {
			if (vb_driver_own_module(&ctx->roots, dev->bus, opts->driver, &out->vfio_module) < 0 &&
			    vb_context_resolver(ctx, &res, NULL) == 0)
				vb_driver_module(res, dev->bus, opts->driver, &out->vfio_module, NULL);
		} else if ((r = vb_context_resolver(ctx, &res, &out->error)) < 0 ||
			   (r = vb_driver_module(res, dev->bus, opts->driver, &out->vfio_module,
						 &out->error)) < 0 ||
			   (r = check_not_a_module_name(ctx, dev, opts->driver, out->vfio_module,
							&out->error)) < 0)
			return r;
		return opts->force || opts->driver_saved ? 0 : check_variant_fits(ctx, dev, out);
	}
	r = vb_context_resolver(ctx, &res, &out->error);
	if (r < 0)
		return r;
	r = vb_resolve(res, dev->bus, dev->modalias, &out->choice, &out->error);
	if (r < 0)
		return r;
	out->vfio_module = strdup(out->choice.module);
	if (!out->vfio_module)
		return -ENOMEM;
	/* The bus's generic driver has a known name even before its module loads. */
	return vb_module_driver_known(&ctx->roots, dev->bus, out->vfio_module, &out->vfio_driver,
				      &out->error);
}

static int load_and_name_driver(struct vb_context *ctx, struct vb_device *dev,
				const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	struct vb_resolver *res;
	int r;

	if (out->vfio_driver && vb_driver_is_registered(&ctx->roots, dev->bus, out->vfio_driver) > 0)
		return 0;
	r = vb_context_resolver(ctx, &res, &out->error);
	if (r < 0)
		return r;
	r = vb_module_load(res, out->vfio_module, !opts->driver, &out->error);
	if (r < 0)
		return r;
	if (!opts->driver) {
		char *driver = NULL;

		r = vb_module_driver(&ctx->roots, dev->bus, out->vfio_module, &driver, &out->error);
		if (r < 0)
			return r;
		free(out->vfio_driver);
		out->vfio_driver = driver;
		return 0;
	}
	if (vb_driver_is_registered(&ctx->roots, dev->bus, opts->driver) <= 0) {
		_cleanup_free_ char *real = NULL;

		vb_error_set(&out->error, -ENOENT, "module '%s' is loaded but registers no driver '%s'",
			     out->vfio_module, opts->driver);
		if (vb_module_driver(&ctx->roots, dev->bus, out->vfio_module, &real, NULL) == 0)
			vb_error_hint(&out->error, "its driver is '%s': use --driver %s (a driver name, not a module name)",
				      real, real);
		else
			vb_error_hint(&out->error, "'ls /sys/bus/%s/drivers' shows the driver names",
				      dev->bus->name);
		return -ENOENT;
	}
	return 0;
}

bool vb_put_back(struct vb_context *ctx, struct vb_device *dev, const char *old_driver,
		 const char *old_override)
{
	_cleanup_free_ char *ovr = attr_path(dev, "driver_override");

	if (vb_device_refresh(dev) < 0)
		return false;
	if (dev->driver && !streq_ptr(dev->driver, old_driver)) {
		_cleanup_free_ char *unbind = driver_file(ctx, dev, dev->driver, "unbind");

		write_driver_file(unbind, dev->name);
	}
	/* "\n" clears it; writing "(null)" back would block every driver. */
	vb_write_attr(ovr, old_override ? old_override : "\n");
	if (old_driver && vb_device_refresh(dev) == 0 && !dev->driver) {
		_cleanup_free_ char *bind = driver_file(ctx, dev, old_driver, "bind");
		_cleanup_free_ char *probe = bus_path(ctx, dev, "drivers_probe");

		if (vb_write_attr(bind, dev->name) < 0)
			vb_write_attr(probe, dev->name);
	}
	if (vb_device_refresh(dev) < 0)
		return false;
	return streq_ptr(dev->driver, old_driver) && streq_ptr(dev->override, old_override);
}

/* Put back the override, the driver and the reset methods the device had; true when it is back. */
static bool roll_back(struct vb_context *ctx, struct vb_device *dev, struct vb_outcome *out)
{
	if (out->old_reset_method)
		(void)vb_device_set_reset_method(dev, out->old_reset_method[0] ? out->old_reset_method : "\n",
						 NULL, NULL);
	return vb_put_back(ctx, dev, out->old_driver, out->old_override);
}

/*
 * The reset methods asked for, set before the VFIO driver binds (vfio-pci
 * resets the device when a VM opens it); in a dry run only listed.
 */
static int set_reset_method(struct vb_device *dev, const struct vb_bind_opts *opts,
			    struct vb_outcome *out)
{
	_cleanup_free_ char *now = NULL;
	int r;

	/* Set once: an already-bound device may come here a second time. */
	if (!opts->reset_method || out->reset_method)
		return 0;
	out->reset_method = strdup(opts->reset_method);
	if (!out->reset_method)
		return -ENOMEM;
	/* Already so: nothing to write, nothing to put back. */
	if (vb_device_reset_method(dev, &now) == 0 && strcmp(now, opts->reset_method) == 0)
		return 0;
	if (opts->dry_run) {
		struct vb_step *s = realloc(out->steps, (out->n_steps + 1) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		out->steps = s;
		/* First: it is written before anything else. */
		memmove(&s[1], &s[0], out->n_steps * sizeof(*s));
		s[0] = (struct vb_step){ .kind = VB_STEP_RESET_METHOD, .action = "write",
					 .target = attr_path(dev, "reset_method"),
					 .value = strdup(opts->reset_method) };
		out->n_steps++;
		return s[0].target && s[0].value ? 0 : -ENOMEM;
	}
	r = vb_device_set_reset_method(dev, opts->reset_method, &out->old_reset_method, &out->error);
	if (r == 0)
		out->touched = true;
	return r;
}

/* A refusal after the reset methods were set: the device gets its own back. */
static void undo_reset_method(struct vb_device *dev, struct vb_outcome *out)
{
	if (!out->old_reset_method)
		return;
	(void)vb_device_set_reset_method(dev, out->old_reset_method[0] ? out->old_reset_method : "\n",
					 NULL, NULL);
	free(out->old_reset_method);
	out->old_reset_method = NULL;
}

bool vb_bind_undo(struct vb_context *ctx, struct vb_device *dev, struct vb_outcome *out)
{
	out->rolled_back = roll_back(ctx, dev, out);
	return out->rolled_back;
}

static int fail(struct vb_outcome *out, int r)
{
	out->status = VB_STATUS_FAILED;
	if (out->error.code == 0)
		vb_error_set_sys(&out->error, r, "failed");
	return r;
}

static int remember_start(struct vb_device *dev, struct vb_outcome *out)
{
	if ((dev->driver && !(out->old_driver = strdup(dev->driver))) ||
	    (dev->override && !(out->old_override = strdup(dev->override))))
		return -ENOMEM;
	return 0;
}

/* Fail; if the device itself is gone, say so instead of the write that noticed. */
static int device_gone(const struct vb_device *dev, struct vb_outcome *out, int r)
{
	if (vb_exists(dev->path) == 0) {
		out->vanished = true;
		out->rolled_back = false;
		vb_error_set(&out->error, -ENODEV, "the device disappeared while it was being moved");
	}
	return fail(out, r);
}

void vb_outcome_group_viability(struct vb_context *ctx, const struct vb_device *dev,
				struct vb_outcome *out, char *const *going, unsigned n_going)
{
	vb_group_members_free(out->group_blockers, out->n_group_blockers);
	out->group_blockers = NULL;
	out->n_group_blockers = 0;
	vb_group_viability(&ctx->roots, dev, going, n_going, &out->group_viable,
			   &out->group_blockers, &out->n_group_blockers);
}

/* The device is on its VFIO driver: its nodes go to the owner asked for, before it is saved. */
static int give_nodes(struct vb_context *ctx, const struct vb_device *dev,
		      const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	if (!opts->owner || !opts->owner->set || opts->dry_run || !vb_driver_is_vfio(dev->driver))
		return 0;
	return vb_vfio_nodes_own(&ctx->roots, dev, opts->owner, &out->error);
}

static int already_there(struct vb_context *ctx, struct vb_device *dev,
			 const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	int r = set_reset_method(dev, opts, out);

	if (r == 0)
		r = give_nodes(ctx, dev, opts, out);
	if (r == 0 && opts->commit && !opts->dry_run)
		r = opts->commit(opts->commit_data, dev, out, &out->error);
	if (r < 0)
		return fail(out, r);
	out->status = VB_STATUS_ALREADY;
	return 0;
}

/*
 * Unbinding a device a VM or DPDK holds open blocks until it lets go: refuse,
 * naming who, unless forced; then say who we wait for before blocking.
 */
static int check_holders(struct vb_context *ctx, const struct vb_device *dev,
			 const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	struct vb_holder *h = NULL;
	unsigned n = 0;

	out->held = false;
	if (vb_vfio_holders(&ctx->roots, dev, &h, &n) < 0 || n == 0)
		return 0;
	if (!opts->force) {
		vb_holders_error(h, n, &out->error);
		vb_error_hint(&out->error, "stop it first (the VM or the DPDK application), or add --force to wait until it lets go");
		free(h);
		return -EBUSY;
	}
	if (opts->waiting)
		opts->waiting(opts->waiting_data, dev, h, n);
	for (unsigned i = 0; i < n; i++)
		out->held |= h[i].device;
	free(h);
	return 0;
}

/* The note that lets the next run finish or undo this one if it is killed half-way. */
static int journal_begin(struct vb_context *ctx, const struct vb_device *dev,
			 enum vb_journal_op op, const struct vb_bind_opts *opts,
			 struct vb_outcome *out, struct vb_journal *j)
{
	struct vb_journal_entry e = { .op = op, .pid = getpid(), .save = opts->commit != NULL };

	snprintf(e.bus, sizeof(e.bus), "%s", dev->bus->name);
	snprintf(e.device, sizeof(e.device), "%s", dev->name);
	snprintf(e.driver, sizeof(e.driver), "%s", out->vfio_driver ? out->vfio_driver : "");
	snprintf(e.old_driver, sizeof(e.old_driver), "%s", out->old_driver ? out->old_driver : "");
	e.had_override = out->old_override != NULL;
	snprintf(e.old_override, sizeof(e.old_override), "%s",
		 out->old_override ? out->old_override : "");
	return vb_journal_begin(&ctx->roots, &e, j, &out->error);
}



/*
 * The steps of a bind, from the module to load to the driver's bind file:
 * what --dry-run prints and what move() does. driver NULL: known only once
 * its module is loaded.
 */
static int plan(struct vb_context *ctx, const struct vb_device *dev, const char *driver,
		struct vb_outcome *out)
{
	_cleanup_free_ char *later = NULL;
	int r = 0;

	if (!driver || vb_driver_is_registered(&ctx->roots, dev->bus, driver) <= 0) {
		r = add_step(out, VB_STEP_LOAD_MODULE, strdup(out->vfio_module), NULL);
		if (!driver)
			driver = later = vb_path("<driver of %s>", out->vfio_module);
	}
	/* Override first, so nothing can reprobe the host driver after the unbind. */
	if (r == 0)
		r = add_step(out, VB_STEP_OVERRIDE, attr_path(dev, "driver_override"), driver);
	if (r == 0 && dev->driver)
		r = add_step(out, VB_STEP_UNBIND, attr_path(dev, "driver/unbind"), dev->name);
	if (r == 0)
		r = add_step(out, VB_STEP_BIND, driver_file(ctx, dev, driver, "bind"), dev->name);
	return r;
}

/* The driver's name is known once its module is loaded: the steps that name it say so. */
static int name_driver_in_plan(struct vb_context *ctx, const struct vb_device *dev,
			       struct vb_outcome *out)
{
	for (unsigned i = 0; i < out->n_steps; i++) {
		struct vb_step *s = &out->steps[i];
		char *v = NULL;

		if (s->kind == VB_STEP_OVERRIDE)
			v = strdup(out->vfio_driver);
		else if (s->kind == VB_STEP_BIND)
			v = driver_file(ctx, dev, out->vfio_driver, "bind");
		else
			continue;
		if (!v)
			return -ENOMEM;
		if (s->kind == VB_STEP_OVERRIDE) {
			free(s->value);
			s->value = v;
		} else {
			free(s->target);
			s->target = v;
		}
	}
	return 0;
}

/* The caller's prepare hook, inside the note: its failure changes nothing and ends the note. */
static int run_prepare(const struct vb_device *dev, const struct vb_bind_opts *opts,
		       struct vb_outcome *out, struct vb_journal *j)
{
	int r = opts->prepare ? opts->prepare(opts->commit_data, dev, out, &out->error) : 0;

	if (r < 0) {
		vb_journal_end(j);
		return fail(out, r);
	}
	return 0;
}

/* The move is over: a failed one gives back what prepare took (a saved binding), and the note goes. */
static int run_end(const struct vb_bind_opts *opts, struct vb_journal *j, int r)
{
	if (r < 0 && opts->abandon)
		opts->abandon(opts->commit_data);
	vb_journal_end(j);
	return r;
}

static int move(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		struct vb_outcome *out);

/* 1: to be moved; 0 or negative: out says how it ended. */
static int bind_prepare(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
			struct vb_outcome *out)
{
	int r;

	r = remember_start(dev, out);
	if (r < 0)
		return fail(out, r);
	/* Known before the move: the saved binding is written while the kernel works. */
	if (opts->owner && opts->owner->set)
		out->owner = *opts->owner;
	if (!dev->has_override_attr) {
		vb_error_set(&out->error, -EOPNOTSUPP, "the device has no driver_override attribute");
		vb_error_hint(&out->error, "a kernel of 3.16 or later is needed");
		return fail(out, -EOPNOTSUPP);
	}
	r = choose(ctx, dev, opts, out);
	if (r < 0)
		return fail(out, r);
	if (out->vfio_driver && streq_ptr(dev->driver, out->vfio_driver))
		return already_there(ctx, dev, opts, out);
	if (!opts->force) {
		r = vb_device_check_bridge(dev, &out->error);
		if (r == 0)
			r = vb_device_check_sriov(&ctx->roots, dev, &out->error);
		if (r == 0)
			r = vb_device_check_in_use(ctx, dev, &out->error);
		if (r == 0)
			r = check_iommu(ctx, dev, &out->error);
		if (r == 0 && dev->bus->check_bind)
			r = dev->bus->check_bind(ctx, dev, out->vfio_driver, &out->error);
		if (r < 0)
			return fail(out, r);
	}
	r = plan(ctx, dev, out->vfio_driver, out);
	if (r == 0 && opts->dry_run)
		r = set_reset_method(dev, opts, out);
	if (r < 0)
		return fail(out, r);
	if (opts->dry_run) {
		vb_outcome_group_viability(ctx, dev, out, NULL, 0);
		out->status = VB_STATUS_DRY_RUN;
		return 0;
	}

	r = need_write_access(dev, &out->error);
	if (r < 0)
		return fail(out, r);
	/* Before any module loads: a method the device lacks is refused with nothing changed. */
	r = set_reset_method(dev, opts, out);
	if (r < 0)
		return fail(out, r);
	r = load_and_name_driver(ctx, dev, opts, out);
	if (r == 0)
		r = name_driver_in_plan(ctx, dev, out);
	if (r == 0 && streq_ptr(dev->driver, out->vfio_driver))
		return already_there(ctx, dev, opts, out);
	/* From one VFIO driver to another: that unbind waits for whoever holds it. */
	if (r == 0 && vb_driver_is_vfio(dev->driver))
		r = check_holders(ctx, dev, opts, out);
	if (r < 0) {
		undo_reset_method(dev, out);
		return fail(out, r);
	}
	/* A move that fails from here on puts the reset methods back too (roll_back). */
	return 1;
}

void vb_bind_abandon(struct vb_device *dev, struct vb_outcome *out)
{
	undo_reset_method(dev, out);
}

bool vb_bind_prepare(struct vb_context *ctx, struct vb_device *dev,
		     const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	/* What happened is in out: the status, and the error when it failed. */
	return bind_prepare(ctx, dev, opts, out) > 0;
}

void vb_bind_move(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		  struct vb_outcome *out)
{
	struct vb_journal journal = VB_JOURNAL_INIT;

	if (journal_begin(ctx, dev, VB_JOURNAL_BIND, opts, out, &journal) < 0) {
		fail(out, -EIO);
		return;
	}
	if (run_prepare(dev, opts, out, &journal) < 0)
		return;
	run_end(opts, &journal, move(ctx, dev, opts, out));
}

void vb_bind(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
	     struct vb_outcome *out)
{
	if (!vb_bind_prepare(ctx, dev, opts, out))
		return;
	vb_bind_move(ctx, dev, opts, out);
	if (out->status == VB_STATUS_BOUND)
		vb_outcome_group_viability(ctx, dev, out, NULL, 0);
}

/*
 * A host driver whose match began before the override was written can still
 * bind after it: at boot udev loads the host module while this run moves the
 * device (the kernel matches outside the device lock, then probes inside it),
 * and the VFIO driver's bind then finds the device taken (EBUSY).
 */
static bool took_it_meanwhile(const struct vb_device *dev, const struct vb_outcome *out)
{
	return dev->driver && !streq_ptr(dev->driver, out->vfio_driver) &&
	       !vb_driver_is_vfio(dev->driver);
}

/* The override now keeps that driver away: unbind it once more and bind again. */
static int unbind_and_bind_again(struct vb_context *ctx, struct vb_device *dev,
				 struct vb_outcome *out)
{
	_cleanup_free_ char *unbind = driver_file(ctx, dev, dev->driver, "unbind");
	_cleanup_free_ char *bind = driver_file(ctx, dev, out->vfio_driver, "bind");

	if (!unbind || !bind)
		return -ENOMEM;
	(void)write_driver_file(unbind, dev->name);
	out->probe_error = write_driver_file(bind, dev->name);
	return vb_device_refresh(dev);
}

/* The plan's writes, the check, and the commit; rolled back on failure. */
static int move(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		struct vb_outcome *out)
{
	int r;

	out->touched = true;
	for (unsigned i = 0; i < out->n_steps; i++) {
		const struct vb_step *s = &out->steps[i];

		switch (s->kind) {
		case VB_STEP_OVERRIDE:
			r = vb_write_attr(s->target, s->value);
			if (r < 0) {
				vb_error_set_sys(&out->error, r, "cannot set driver_override to '%s'", s->value);
				out->rolled_back = out->old_reset_method ? roll_back(ctx, dev, out)
									 : vb_device_refresh(dev) == 0;
				return device_gone(dev, out, r);
			}
			break;
		case VB_STEP_UNBIND:
			/* Blocks until a holder lets go (out->held): only this device waits. */
			r = write_driver_file(s->target, s->value);
			if (r < 0) {
				unbind_error(out, dev->driver, r);
				out->rolled_back = roll_back(ctx, dev, out);
				return device_gone(dev, out, r);
			}
			break;
		case VB_STEP_BIND:
			out->probe_error = write_driver_file(s->target, s->value);
			break;
		default: /* the module is loaded before the move begins */
			break;
		}
	}

	r = vb_device_refresh(dev);
	for (int tries = 0; r == 0 && tries < 2 && took_it_meanwhile(dev, out); tries++)
		r = unbind_and_bind_again(ctx, dev, out);
	if (r < 0)
		return device_gone(dev, out, r);
	if (streq_ptr(dev->driver, out->vfio_driver)) {
		r = give_nodes(ctx, dev, opts, out);
		if (r == 0 && opts->commit)
			r = opts->commit(opts->commit_data, dev, out, &out->error);
		if (r < 0) {
			out->rolled_back = roll_back(ctx, dev, out);
			return fail(out, r);
		}
		out->status = VB_STATUS_BOUND;
		return 0;
	}
	if (out->probe_error < 0)
		vb_error_set_sys(&out->error, out->probe_error, "'%s' did not take the device",
				 out->vfio_driver);
	else
		vb_error_set(&out->error, -ENODEV, "'%s' did not take the device", out->vfio_driver);
	if (vb_iommu_state(&ctx->roots) == VB_IOMMU_OFF)
		vb_error_hint(&out->error, "the IOMMU is off: boot with intel_iommu=on or amd_iommu=on");
	else
		vb_error_hint(&out->error, "the driver's own message is in 'dmesg'");
	out->rolled_back = roll_back(ctx, dev, out);
	return fail(out, out->probe_error < 0 ? out->probe_error : -ENODEV);
}

/* The writes of an unbind and the check that a host driver took the device back. */
static int hand_back(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
		     struct vb_outcome *out, bool on_vfio)
{
	struct vb_resolver *res;
	int host_modules = 0;
	int r;

	out->touched = !opts->dry_run;
	r = step_write(out, opts->dry_run, VB_STEP_OVERRIDE, attr_path(dev, "driver_override"), "\n");
	if (r < 0) {
		vb_error_set_sys(&out->error, r, "cannot clear driver_override");
		return device_gone(dev, out, r);
	}
	if (on_vfio) {
		r = add_step(out, VB_STEP_UNBIND, attr_path(dev, "driver/unbind"), dev->name);
		if (r == 0 && !opts->dry_run)
			r = write_driver_file(out->steps[out->n_steps - 1].target, dev->name);
		if (r < 0) {
			unbind_error(out, dev->driver, r);
			out->rolled_back = roll_back(ctx, dev, out);
			return device_gone(dev, out, r);
		}
	}
	if (on_vfio || !dev->driver)
		(void)step_write(out, opts->dry_run, VB_STEP_PROBE, bus_path(ctx, dev, "drivers_probe"), dev->name);
	if (opts->dry_run) {
		out->status = VB_STATUS_DRY_RUN;
		return 0;
	}
	r = vb_device_refresh(dev);
	if (r < 0)
		return device_gone(dev, out, r);
	/*
	 * No driver took it: its host driver may never have been loaded (the
	 * device went to VFIO at boot). Load what matches, as udev would, and
	 * probe again; libkmod is opened only here.
	 */
	if (!dev->driver && dev->modalias) {
		pthread_mutex_lock(&ctx->resolver_lock);
		if (vb_context_resolver(ctx, &res, NULL) == 0)
			host_modules = vb_load_host_modules(res, dev->modalias, NULL);
		pthread_mutex_unlock(&ctx->resolver_lock);
		if (host_modules > 0) {
			(void)step_write(out, false, VB_STEP_PROBE, bus_path(ctx, dev, "drivers_probe"), dev->name);
			r = vb_device_refresh(dev);
			if (r < 0)
				return device_gone(dev, out, r);
		}
	}
	if (!dev->driver && host_modules > 0 && !vb_device_vf_autoprobe_off(dev)) {
		vb_error_set(&out->error, -ENODEV, "it is off VFIO, but its host driver did not take it back");
		vb_error_hint(&out->error, "the driver's own message is in 'dmesg'; "
					   "'echo %s > /sys/bus/%s/drivers_probe' tries again",
			      dev->name, dev->bus->name);
		return fail(out, -ENODEV);
	}
	out->status = VB_STATUS_UNBOUND;
	return 0;
}

/* 1: to be handed back; 0 or negative: out says how it ended. */
static int unbind_prepare(struct vb_context *ctx, struct vb_device *dev,
			  const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	bool on_vfio = vb_driver_is_vfio(dev->driver);
	/* On a host driver with no override: nothing of ours to undo on the device. */
	bool nothing = !on_vfio && !dev->override && dev->driver;
	int r;

	out->unbind = true;
	r = remember_start(dev, out);
	if (r < 0)
		return fail(out, r);
	if (opts->dry_run) {
		if (nothing) {
			out->status = VB_STATUS_NOT_BOUND;
			return 0;
		}
		return hand_back(ctx, dev, opts, out, on_vfio);
	}
	if (on_vfio) {
		r = check_holders(ctx, dev, opts, out);
		if (r < 0)
			return fail(out, r);
	}
	if (!nothing) {
		r = need_write_access(dev, &out->error);
		if (r < 0)
			return fail(out, r);
	}
	return 1;
}

bool vb_unbind_prepare(struct vb_context *ctx, struct vb_device *dev,
		       const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	return unbind_prepare(ctx, dev, opts, out) > 0;
}

void vb_unbind_move(struct vb_context *ctx, struct vb_device *dev,
		    const struct vb_bind_opts *opts, struct vb_outcome *out)
{
	struct vb_journal journal = VB_JOURNAL_INIT;
	bool on_vfio = vb_driver_is_vfio(out->old_driver);
	bool nothing = !on_vfio && !out->old_override && out->old_driver;

	if (!nothing && journal_begin(ctx, dev, VB_JOURNAL_UNBIND, opts, out, &journal) < 0) {
		fail(out, -EIO);
		return;
	}
	/* The saved binding goes even when the device is already where it belongs. */
	if (run_prepare(dev, opts, out, &journal) < 0)
		return;
	if (nothing) {
		out->status = VB_STATUS_NOT_BOUND;
		return;
	}
	run_end(opts, &journal, hand_back(ctx, dev, opts, out, on_vfio));
}

void vb_unbind(struct vb_context *ctx, struct vb_device *dev, const struct vb_bind_opts *opts,
	       struct vb_outcome *out)
{
	if (vb_unbind_prepare(ctx, dev, opts, out))
		vb_unbind_move(ctx, dev, opts, out);
}
