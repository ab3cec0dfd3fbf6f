// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"
#include "cmd.h"
#include "device.h"
#include "dir.h"
#include "early-boot.h"
#include "framebuffer.h"
#include "hwdb.h"
#include "modalias.h"
#include "output.h"
#include "pci-class.h"
#include "resolve.h"
#include "checks.h"
#include "group.h"
#include "holders.h"
#include "saved-set.h"
#include "sysfs.h"

/*
 * What a listing asks once and many devices share: the driver a VFIO module
 * registers on a bus, what a modalias gives (machines hold many devices of one
 * model, NICs and VFs, each lookup a walk of the module index and of
 * hwdb.bin), and whether an IOMMU group could go to a VM (the members of a
 * multi-function card, or of devices behind a bridge without ACS, would each
 * read all the others again). Keys name the bus: "pci vfio_pci",
 * "pci pci:v00008086...", and "7" for group 7; no bus name has a space.
 */
static char *bus_key(const struct vb_bus *bus, const char *name)
{
	return vb_concat(bus->name, " ", name, NULL);
}

/* The driver a VFIO module has registered on bus, asked of sysfs once per module. */
static const char *module_driver(struct vb_context *ctx, struct vb_cache *cache,
				 const struct vb_bus *bus, const char *module)
{
	_cleanup_free_ char *key = bus_key(bus, module);
	char *driver = NULL;
	void *known;

	if (!key)
		return NULL;
	if (vb_cache_get(cache, key, &known))
		return known;
	vb_module_driver_known(&ctx->roots, bus, module, &driver, NULL);
	return vb_cache_put(cache, key, driver) == 0 ? driver : NULL;
}

/* What a modalias gives. */
struct by_modalias {
	bool resolved;       /* the VFIO choice was asked for */
	char *vfio_module;   /* what a bind would choose; NULL: nothing */
	char *vfio_pattern;
	char *vendor, *model;
};

static void by_modalias_free(void *p)
{
	struct by_modalias *e = p;

	free(e->vfio_module);
	free(e->vfio_pattern);
	free(e->vendor);
	free(e->model);
	free(e);
}

/* The entry of dev's modalias, its names filled; NULL without one (or memory). */
static struct by_modalias *modalias_entry(struct vb_cache *cache, struct vb_hwdb *hwdb,
					  const struct vb_device *dev)
{
	_cleanup_free_ char *key = dev->modalias ? bus_key(dev->bus, dev->modalias) : NULL;
	struct by_modalias *e;
	void *known;

	if (!key)
		return NULL;
	if (vb_cache_get(cache, key, &known))
		return known;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	vb_hwdb_names(hwdb, dev->modalias, &e->vendor, &e->model);
	return vb_cache_put(cache, key, e) == 0 ? e : NULL;
}

/* What a bind would choose, without loading anything. */
static void vfio_choice(struct vb_context *ctx, struct vb_resolver *res,
			struct vb_cache *drivers, const struct vb_device *dev,
			struct by_modalias *e, struct vb_record *rec)
{
	struct vb_choice choice = { 0 };
	const char *module = NULL, *pattern = NULL, *driver = NULL;

	/* Bridges stay with the host: nothing to choose. */
	if (vb_device_check_bridge(dev, NULL) < 0)
		res = NULL;
	if (res && e && e->resolved) {
		module = e->vfio_module;
		pattern = e->vfio_pattern;
	} else if (res && vb_resolve(res, dev->bus, dev->modalias, &choice, NULL) == 0) {
		module = choice.module;
		pattern = choice.pattern;
		if (e) {
			e->resolved = true;
			e->vfio_module = choice.module ? strdup(choice.module) : NULL;
			e->vfio_pattern = choice.pattern ? strdup(choice.pattern) : NULL;
		}
	}
	if (module)
		driver = module_driver(ctx, drivers, dev->bus, module);
	vb_record_string(rec, "vfio_module", "VFIO MODULE", module);
	vb_record_string(rec, "vfio_driver", "VFIO DRIVER", driver);
	vb_record_string(rec, "vfio_alias", NULL, pattern);
	vb_choice_clear(&choice);
}

/* Whether each group could go to a VM as it stands, by group number. */
enum group_answer { GROUP_VIABLE = 1, GROUP_NOT_VIABLE, GROUP_UNREADABLE };

static enum group_answer group_answer(struct vb_context *ctx, struct vb_cache *known,
				      const struct vb_device *dev)
{
	enum group_answer a = GROUP_UNREADABLE;
	struct vb_group g;
	char key[16];
	void *v;

	if (dev->iommu_group < 0)
		return GROUP_UNREADABLE;
	/* The device is a member: on a host driver it is in the way itself, no need to read. */
	if (!vb_driver_keeps_group_viable(dev->driver))
		return GROUP_NOT_VIABLE;
	snprintf(key, sizeof(key), "%d", dev->iommu_group);
	if (vb_cache_get(known, key, &v))
		return (enum group_answer)(uintptr_t)v;
	if (vb_device_group_read(&ctx->roots, dev, &g) == 0) {
		a = vb_group_viable(&g, NULL) ? GROUP_VIABLE : GROUP_NOT_VIABLE;
		vb_group_clear(&g);
	}
	vb_cache_put(known, key, (void *)(uintptr_t)a);
	return a;
}

/* Whether the device's group could go to a VM as it stands. */
static void group_state(struct vb_context *ctx, struct vb_cache *known,
			const struct vb_device *dev, struct vb_record *rec)
{
	enum group_answer a = group_answer(ctx, known, dev);

	vb_record_bool(rec, "group_viable", "VIABLE", a == GROUP_VIABLE, a != GROUP_UNREADABLE);
}

/*
 * SR-IOV: a PF shows its VF count, a VF its PF. Only PCI has it: other buses'
 * devices are not asked. A VF is never itself a PF, so a VF (on SR-IOV hosts
 * most devices) costs one question, not two.
 */
static void sriov_state(const struct vb_device *dev, struct vb_record *rec)
{
	_cleanup_free_ char *physfn = NULL, *text = NULL;
	bool pci = strcmp(dev->bus->name, "pci") == 0;
	int vfs = 0;

	if (pci && vb_device_physfn(dev, &physfn) < 0)
		vfs = vb_device_numvfs(dev);
	if (physfn)
		text = vb_concat("VF of ", physfn, NULL);
	else if (vfs > 0)
		text = vb_path("PF, %d VFs", vfs);
	vb_record_string(rec, "sriov", "SR-IOV", text);
	vb_record_string(rec, "physfn", NULL, physfn);
	vb_record_int(rec, "sriov_numvfs", NULL, vfs, !physfn && vfs > 0);
}

/*
 * "device" when saved by address, "id vvvv:dddd" when an ID rule covers it;
 * shown is the device's ID as the listing shows it ("8086:10d3"). Returns
 * the saved binding, or NULL when it is not saved.
 */
static const struct vb_saved *saved_by(const struct vb_saved_set *saved, const struct vb_device *dev,
		     const char *shown, struct vb_record *rec)
{
	const struct vb_saved *s = NULL;
	char id[10], how[32];

	if (saved->n == 0) {
		vb_record_string(rec, "saved", "SAVED", NULL);
		return NULL;
	}
	vb_pci_ids_id(&dev->ids, id);
	if ((s = vb_saved_set_device(saved, dev->bus->name, dev->name))) {
		vb_record_string(rec, "saved", "SAVED", "device");
		return s;
	}
	if (dev->has_ids && shown && (s = vb_saved_set_rule(saved, dev->bus->name, id))) {
		snprintf(how, sizeof(how), "id %s", shown);
		vb_record_string(rec, "saved", "SAVED", how);
		return s;
	}
	vb_record_string(rec, "saved", "SAVED", NULL);
	return NULL;
}

/*
 * For a saved device: did this boot's initramfs bind it, and is its host
 * driver built into the kernel (then it binds before any initramfs runs)?
 * The table says the latter in a note, the JSON in a key.
 */
static void early_boot(const struct vb_early *early, unsigned n_early, struct vb_context *ctx,
		       struct vb_resolver *res, const struct vb_device *dev, const struct vb_saved *saved,
		       bool notes, struct vb_record *rec)
{
	_cleanup_free_ char *builtin = NULL;
	const char *host = NULL;
	bool applied = false;

	for (unsigned i = 0; saved && i < n_early && !applied; i++)
		applied = strcmp(early[i].bus, dev->bus->name) == 0 &&
			  strcmp(early[i].device, dev->name) == 0;
	/*
	 * The host driver: the one it is on, or the one the bind took it from;
	 * else what the module index says (built-in aliases: newer kernels only).
	 */
	if (saved && dev->driver && !vb_driver_is_vfio(dev->driver))
		host = dev->driver;
	else if (saved && saved->host_driver[0])
		host = saved->host_driver;
	if (host && vb_driver_is_builtin(&ctx->roots, dev->bus, host) == 1)
		builtin = strdup(host);
	else if (saved && !host && res && dev->modalias)
		vb_builtin_host_module(res, dev->modalias, &builtin);
	vb_record_bool(rec, "early_boot", "EARLY", applied, saved);
	vb_record_string(rec, "host_driver_builtin", NULL, builtin);
	if (builtin && notes)
		cmd_error(dev->name, "note: its host driver %s is built into the kernel: it takes the device "
			  "at every boot before the initramfs can hold it back (see BUILT-IN HOST DRIVERS "
			  "in vfio-bind(8))", builtin);
}

/* The NUMA node the kernel puts the device on (DPDK pins by it); none: -1 or no attribute. */
static void numa_node(const struct vb_device *dev, struct vb_record *rec)
{
	_cleanup_free_ char *v = NULL;
	char *end;
	long node = -1;

	if (vb_device_read_attr(dev, "numa_node", &v) == 0) {
		node = strtol(v, &end, 10);
		if (*end || end == v || node < 0 || node > 65535)
			node = -1;
	}
	vb_record_int(rec, "numa_node", "NUMA", node, node >= 0);
}

/*
 * The reset methods the kernel may use on it, in order (reset_method, Linux
 * 5.15+, PCI), as "flr,bus"; "none" when all are off. What it offers beyond those shows only
 * after 'echo default' to the file, so that is not read here.
 */
static void reset_methods(const struct vb_device *dev, struct vb_record *rec)
{
	_cleanup_free_ char *v = NULL;
	bool have = dev->has_ids && vb_device_read_attr(dev, "reset_method", &v) == 0;

	if (have)
		for (char *c = v; *c; c++)
			if (*c == ' ')
				*c = ',';
	vb_record_string(rec, "reset_method", "RESET", !have ? NULL : v[0] ? v : "none");
}

/*
 * The nodes userspace opens for a device on VFIO: the group's (/dev/vfio/N, or
 * /dev/vfio/noiommu-N) and, from 6.6 with iommufd, the device's own
 * (/dev/vfio/devices/vfioN; none in no-IOMMU mode); and who may open them,
 * "USER:GROUP" as the group node says (--owner gives both alike).
 */
static void vfio_nodes(const struct vb_roots *roots, const struct vb_device *dev,
		       struct vb_record *rec)
{
	bool vfio = vb_driver_is_vfio(dev->driver);
	_cleanup_free_ char *node = vfio ? vb_device_group_node(roots, dev) : NULL;
	_cleanup_free_ char *cdev = vfio ? vb_device_cdev_node(roots, dev) : NULL;
	char who[80] = "";
	struct stat st;

	if (node && stat(node, &st) == 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		struct group *gr = getgrgid(st.st_gid);
		char uid[16], gid[16];

		snprintf(uid, sizeof(uid), "%u", (unsigned)st.st_uid);
		snprintf(gid, sizeof(gid), "%u", (unsigned)st.st_gid);
		snprintf(who, sizeof(who), "%s:%s", pw ? pw->pw_name : uid, gr ? gr->gr_name : gid);
	}
	vb_record_string(rec, "owner", "OWNER", who[0] ? who : NULL);
	vb_record_string(rec, "vfio_group_node", NULL, node);
	vb_record_string(rec, "vfio_cdev", NULL, cdev);
}

/* A display controller whose BAR the firmware framebuffer still holds: a VM could not map it. */
static void framebuffer(const struct vb_roots *roots, const struct vb_device *dev, bool notes,
			struct vb_record *rec)
{
	struct vb_framebuffer fb;
	char what[160] = "";

	if (dev->has_ids && (dev->ids.class >> 16) == 0x03 && vb_device_framebuffer(roots, dev, &fb) > 0)
		snprintf(what, sizeof(what), "%s%s%s%s in BAR %d", fb.name, fb.driver[0] ? " (" : "",
			 fb.driver, fb.driver[0] ? ")" : "", fb.bar);
	vb_record_string(rec, "framebuffer", NULL, what[0] ? what : NULL);
	if (what[0] && notes)
		cmd_error(dev->name, "note: the firmware framebuffer %s holds it: a bind is refused until it "
			  "lets go (see BOOT GPU in vfio-bind(8))", what);
}

/* --class: a PCI device of that kind; nothing else is one. */
static bool of_class(const char *kind, const struct vb_device *dev)
{
	bool yes = false;

	return !kind || (dev->has_ids && vb_pci_class_is(kind, dev->ids.class, &yes) == 0 && yes);
}

/* What a listing gathers: shared lookups, and one record per device shown. */
struct listing {
	struct vb_context *ctx;
	struct vb_resolver *res;
	struct vb_hwdb *hwdb;
	struct vb_cache by_modalias; /* struct by_modalias */
	struct vb_cache drivers;     /* char *: the driver, NULL when none */
	struct vb_cache groups;      /* enum group_answer */
	struct vb_saved_set saved;
	struct vb_early *early; /* what this boot's initramfs bound */
	unsigned n_early;
	bool json;
	bool notes;            /* text, not --quiet: notes on stderr */
	struct vb_table table; /* text: the rows so far, for the column widths */
	unsigned n;            /* devices shown */
	bool bus_column;
	const char *class_kind; /* --class; NULL: every device */
	int rc;
};

/* JSON goes out as each device is read; a table needs every row first. */
static void emit(struct listing *l, const struct vb_record *rec)
{
	if (l->json)
		vb_output_json_record(stdout, rec, l->n);
	else if (vb_table_add(&l->table, rec) < 0)
		l->rc = EXIT_FAILURE;
	l->n++;
}

/*
 * A VFIO override with no driver bound: no host driver can have the device and
 * no VFIO driver took it, which is what a run killed half-way leaves behind.
 */
static void stranded(const struct vb_device *dev, bool notes, struct vb_record *rec)
{
	bool yes = !dev->driver && vb_driver_is_vfio(dev->override);

	vb_record_bool(rec, "stranded", NULL, yes, true);
	if (yes && notes)
		cmd_error(dev->name, "note: no driver has it, but its driver_override is '%s': a run was "
			  "interrupted; 'vfio-bind --restore' settles it, or 'vfio-bind --unbind %s' hands it back",
			  dev->override, dev->name);
}

static void fill(struct listing *l, const struct vb_device *dev, struct vb_record *rec)
{
	struct vb_context *ctx = l->ctx;
	struct by_modalias *e = modalias_entry(&l->by_modalias, l->hwdb, dev);
	const char *vendor = e ? e->vendor : NULL, *model = e ? e->model : NULL;
	_cleanup_free_ char *title = NULL, *id = NULL;
	char class[9] = "";

	if (dev->has_ids) {
		memcpy(class, "0x", 2);
		vb_hex_digits(class + 2, dev->ids.class, 6, false);
		class[8] = '\0';
	}
	id = vb_modalias_describe(dev->modalias);
	if (vendor || model)
		title = vb_concat(vendor ? vendor : "", vendor && model ? " " : "", model ? model : "",
				  NULL);
	if (!vb_record_get(rec, "bus"))
		vb_record_string(rec, "bus", NULL, dev->bus->name);
	vb_record_string(rec, "device", "DEVICE", dev->name);
	vb_record_string(rec, "id", "ID", id);
	vb_record_string(rec, "class", NULL, class[0] ? class : NULL);
	vb_record_string(rec, "driver", "DRIVER", dev->driver);
	vb_record_string(rec, "driver_override", "OVERRIDE", dev->override);
	vb_record_int(rec, "iommu_group", "GROUP", dev->iommu_group, dev->iommu_group >= 0);
	numa_node(dev, rec);
	reset_methods(dev, rec);
	vfio_nodes(&ctx->roots, dev, rec);
	framebuffer(&ctx->roots, dev, l->notes, rec);
	stranded(dev, l->notes, rec);
	group_state(ctx, &l->groups, dev, rec);
	vfio_choice(ctx, l->res, &l->drivers, dev, e, rec);
	early_boot(l->early, l->n_early, ctx, l->res, dev, saved_by(&l->saved, dev, id, rec), l->notes,
		   rec);
	sriov_state(dev, rec);
	vb_record_string(rec, "modalias", NULL, dev->modalias);
	vb_record_string(rec, "vendor_name", NULL, vendor);
	vb_record_string(rec, "device_name", NULL, model);
	vb_record_string(rec, "class_name", "CLASS", dev->has_ids ? vb_pci_class_name(dev->ids.class) : NULL);
	vb_record_string(rec, "name", "NAME", title);
}

/*
 * List names on bus. all_of_bus: names are what bus_dfd, the bus's devices
 * directory, held a moment ago; only the devices that have driver_override
 * are shown, and one gone meanwhile is not. Else names were asked for.
 */
static void list_bus(struct listing *l, const struct vb_bus *bus, char **names, unsigned n,
		     int bus_dfd)
{
	bool all_of_bus = bus_dfd >= 0;

	for (unsigned i = 0; i < n; i++) {
		_cleanup_(vb_device_freep) struct vb_device *dev = NULL;
		struct vb_error derr = { 0 };
		struct vb_record rec = { 0 };
		int r = all_of_bus ? vb_device_open_in(&l->ctx->roots, bus, bus_dfd, names[i], &dev, &derr)
				   : vb_device_open(&l->ctx->roots, bus, names[i], &dev, &derr);

		if (r < 0) {
			cmd_print_error(names[i], &derr);
			l->rc = EXIT_FAILURE;
			continue;
		}
		if ((all_of_bus && !dev->has_override_attr) || !of_class(l->class_kind, dev))
			continue;
		if (l->bus_column)
			vb_record_string(&rec, "bus", "BUS", bus->name);
		fill(l, dev, &rec);
		emit(l, &rec);
		vb_record_clear(&rec);
	}
}

static void list_whole_bus(struct listing *l, const struct vb_bus *bus)
{
	_cleanup_free_ char *dir = vb_path("%s/bus/%s/devices", l->ctx->roots.sysfs, bus->name);
	_cleanup_close_ int dfd = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	char **names;
	unsigned n;

	if (dfd < 0 || vb_bus_device_names(&l->ctx->roots, bus, &names, &n) < 0) {
		if (!l->bus_column) {
			cmd_error(NULL, "cannot read %s/bus/%s/devices", l->ctx->roots.sysfs, bus->name);
			l->rc = EXIT_FAILURE;
		}
		return;
	}
	list_bus(l, bus, names, n, dfd);
	vb_strv_free(names, n);
}

/* Every bus with driver_override: PCI first, then the others by name. */
static void list_every_bus(struct listing *l)
{
	_cleanup_free_ char *dir = vb_path("%s/bus", l->ctx->roots.sysfs);
	char **names;
	unsigned n;

	list_whole_bus(l, vb_bus_find("pci"));
	if (vb_dir_list(dir, 0, &names, &n) < 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		struct vb_bus scratch;
		const struct vb_bus *bus;

		if (strcmp(names[i], "pci") != 0 &&
		    vb_bus_lookup(&l->ctx->roots, names[i], &scratch, &bus) == 0)
			list_whole_bus(l, bus);
	}
	vb_strv_free(names, n);
}

int cmd_list(struct vb_context *ctx, const struct cmd_opts *o)
{
	struct listing l = { .ctx = ctx, .hwdb = vb_hwdb_new(ctx->roots.hwdb), .json = o->json,
			     .notes = !o->json && !o->quiet, .rc = EXIT_SUCCESS, .class_kind = o->class_kind,
			     .by_modalias = VB_CACHE_INIT(by_modalias_free),
			     .drivers = VB_CACHE_INIT(free), .groups = VB_CACHE_INIT(NULL) };
	struct vb_error err = { 0 };

	if (vb_saved_set_load(&ctx->roots, &l.saved) == 0 && !o->quiet)
		for (unsigned i = 0; i < l.saved.n_bad; i++)
			cmd_print_error(NULL, &l.saved.bad_errors[i]);
	if (vb_early_list(&ctx->roots, &l.early, &l.n_early) < 0)
		l.n_early = 0;
	if (vb_context_resolver(ctx, &l.res, &err) < 0 && !o->quiet) {
		cmd_print_error(NULL, &err);
		cmd_error(NULL, "listing without the VFIO driver each device would get");
	}
	if (vb_hwdb_error(l.hwdb) && !o->quiet)
		cmd_print_error(NULL, vb_hwdb_error(l.hwdb));
	if (l.json)
		vb_output_json_begin(stdout);
	if (o->n_devices) {
		list_bus(&l, o->bus, o->devices, o->n_devices, -1);
	} else if (o->bus_given) {
		list_whole_bus(&l, o->bus);
	} else {
		l.bus_column = true;
		list_every_bus(&l);
	}
	if (l.json)
		vb_output_json_end(stdout, l.n);
	else
		vb_table_print(stdout, &l.table);
	vb_table_clear(&l.table);
	vb_saved_set_clear(&l.saved);
	free(l.early);
	vb_hwdb_free(l.hwdb);
	vb_cache_clear(&l.by_modalias);
	vb_cache_clear(&l.drivers);
	vb_cache_clear(&l.groups);
	return l.rc;
}
