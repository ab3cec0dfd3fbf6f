/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bus.h"
#include "error.h"
#include "roots.h"

/* libkmod, opened once per run and shared by every device. */
struct vb_resolver;

int vb_resolver_new(const struct vb_roots *roots, struct vb_resolver **ret, struct vb_error *err);
void vb_resolver_free(struct vb_resolver *res);

/* A module whose "vfio_" alias matches the device. */
struct vb_candidate {
	char *module;
	char *pattern;      /* the best of its aliases that matched */
	unsigned wildcards; /* '*' in pattern */
};

struct vb_choice {
	char *module;  /* the module to load */
	char *pattern; /* the alias that chose it; NULL when it is the bus's fallback */
	bool fallback; /* no alias matched: the bus's generic VFIO module */
	struct vb_candidate *candidates; /* best first */
	unsigned n_candidates;
	unsigned n_tied; /* leading candidates with the winner's wildcard count */
};

/*
 * Look "vfio_" + modalias up in modules.alias; the pattern with the
 * fewest '*' wins, ties go to the module name that sorts first.
 */
int vb_resolve(struct vb_resolver *res, const struct vb_bus *bus, const char *modalias,
	       struct vb_choice *ret, struct vb_error *err);
void vb_choice_clear(struct vb_choice *choice);

/* Rank candidates in place: fewest wildcards, then module name. Returns n_tied. */
unsigned vb_candidates_rank(struct vb_candidate *c, unsigned n);

/* Count the '*' wildcards of an alias pattern. */
unsigned vb_pattern_wildcards(const char *pattern);

/* 1 when the module is loaded or built in (it has /sys/module/NAME). */
int vb_module_is_loaded(const struct vb_roots *roots, const char *module);

/*
 * Load module through libkmod (modprobe.d options, softdeps). With
 * from_alias, a blacklisted module is refused, as modprobe does for aliases.
 */
int vb_module_load(struct vb_resolver *res, const char *module, bool from_alias,
		   struct vb_error *err);

/* The driver a loaded module registered on bus (/sys/module/MOD/drivers/BUS:NAME). */
int vb_module_driver(const struct vb_roots *roots, const struct vb_bus *bus, const char *module,
		     char **ret, struct vb_error *err);

/*
 * The driver module gives on bus, known without loading anything: from sysfs
 * when it is loaded (-ENOENT if it registers none there), the bus's generic
 * VFIO driver for the bus's generic module; else 0 with *ret NULL.
 */
int vb_module_driver_known(const struct vb_roots *roots, const struct vb_bus *bus,
			   const char *module, char **ret, struct vb_error *err);

/* The module a registered driver links to (/sys/bus/BUS/drivers/NAME/module); none when built in. */
int vb_driver_own_module(const struct vb_roots *roots, const struct vb_bus *bus,
			 const char *driver, char **ret);

/* The module that provides driver NAME, from the driver's own link or by lookup. */
int vb_driver_module(struct vb_resolver *res, const struct vb_bus *bus, const char *driver,
		     char **ret, struct vb_error *err);

/*
 * 1 when driver is built into the kernel: it binds at device_add, before any
 * userspace, so no initramfs can keep it off a device; 0 for a module.
 */
int vb_driver_is_builtin(const struct vb_roots *roots, const struct vb_bus *bus, const char *driver);

/* The first built-in module whose alias matches modalias; *ret NULL when none. */
int vb_builtin_host_module(struct vb_resolver *res, const char *modalias, char **ret);

/* 1 when module is a file in the module tree, 2 when built in, 0 when this kernel lacks it. */
int vb_module_installed(struct vb_resolver *res, const char *module);

/* 1 when driver is registered on bus. */
int vb_driver_is_registered(const struct vb_roots *roots, const struct vb_bus *bus,
			    const char *driver);

/* 1 when some module answers to alias (e.g. "vfio-reset:calxeda,hb-xgmac"), else 0. */
int vb_alias_has_module(struct vb_resolver *res, const char *alias);

/* The value modprobe.d gives module's option key ("options M key=value"); -ENOENT if none. */
int vb_module_option(struct vb_resolver *res, const char *module, const char *key, char **ret);

/* Load the host modules for a modalias, as udev would on hotplug; how many match it. */
int vb_load_host_modules(struct vb_resolver *res, const char *modalias, struct vb_error *err);
