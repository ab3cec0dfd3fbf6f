// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "kmod-dl.h"
#include "resolve.h"
#include "sysfs.h"

/* The aliases of one module, read once per run however many devices ask. */
struct alias_cache {
	struct alias_cache *next;
	char *module;
	int error;      /* why its aliases could not be read, or 0 */
	char **aliases; /* NULL-terminated */
};

struct vb_resolver {
	const struct vb_roots *roots;
	struct kmod_ctx *kmod;
	struct alias_cache *cache;
};

/*
 * libkmod before 34 leaks the modules a lookup has made when a later match
 * fails, which it does when the match's key (the module's name, a byte, the
 * alias, a NUL) is longer than PATH_MAX. No real modalias comes near: one
 * longer than this is refused, not looked up. 64: a module name's most
 * (MODULE_NAME_LEN) with room to spare.
 */
#define LOOKUP_MAX (PATH_MAX - 64 - 2)

static int lookup(struct vb_resolver *res, const char *alias, struct kmod_list **ret)
{
	if (strlen(alias) > LOOKUP_MAX)
		return -ENAMETOOLONG;
	return sym_kmod_module_new_from_lookup(res->kmod, alias, ret);
}

static void kmod_quiet(void *data _unused_, int priority _unused_, const char *file _unused_,
		       int line _unused_, const char *fn _unused_, const char *format _unused_,
		       va_list args _unused_)
{
	/* The command layer reports failures itself, with context. */
}

int vb_resolver_new(const struct vb_roots *roots, struct vb_resolver **ret, struct vb_error *err)
{
	const char *config[] = { roots->modprobe_dir, NULL };
	struct vb_resolver *res;
	int r;

	r = vb_kmod_dl_open(err);
	if (r < 0)
		return r;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->roots = roots;
	res->kmod = sym_kmod_new(roots->modules_dir, roots->modprobe_dir ? config : NULL);
	if (!res->kmod) {
		free(res);
		return vb_error_set(err, -ENOMEM, "cannot initialise libkmod");
	}
	sym_kmod_set_log_fn(res->kmod, kmod_quiet, NULL);
	r = sym_kmod_load_resources(res->kmod);
	if (r < 0) {
		vb_resolver_free(res);
		vb_error_set_sys(err, r, "cannot read the module indexes in '%s'", roots->modules_dir);
		vb_error_hint(err, "install the kernel's modules or run 'depmod'");
		return r;
	}
	*ret = res;
	return 0;
}

void vb_resolver_free(struct vb_resolver *res)
{
	while (res->cache) {
		struct alias_cache *c = res->cache;

		res->cache = c->next;
		for (char **a = c->aliases; a && *a; a++)
			free(*a);
		free(c->aliases);
		free(c->module);
		free(c);
	}
	sym_kmod_unref(res->kmod);
	free(res);
}

unsigned vb_pattern_wildcards(const char *pattern)
{
	unsigned n = 0;

	for (; *pattern; pattern++)
		n += *pattern == '*';
	return n;
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct vb_candidate *x = a, *y = b;

	if (x->wildcards != y->wildcards)
		return x->wildcards < y->wildcards ? -1 : 1;
	return strcmp(x->module, y->module);
}

unsigned vb_candidates_rank(struct vb_candidate *c, unsigned n)
{
	unsigned tied = 0;

	if (n == 0)
		return 0;
	qsort(c, n, sizeof(*c), candidate_cmp);
	while (tied < n && c[tied].wildcards == c[0].wildcards)
		tied++;
	return tied;
}

static struct alias_cache *module_aliases(struct vb_resolver *res, struct kmod_module *mod)
{
	const char *name = sym_kmod_module_get_name(mod);
	struct kmod_list *info = NULL, *l;
	struct alias_cache *c;
	unsigned n = 0;
	int r;

	for (c = res->cache; c; c = c->next)
		if (strcmp(c->module, name) == 0)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->module = strdup(name))) {
		free(c);
		return NULL;
	}
	r = sym_kmod_module_get_info(mod, &info);
	if (r < 0) {
		c->error = r;
	} else {
		vb_kmod_list_foreach(l, info)
			n += strcmp(sym_kmod_module_info_get_key(l), "alias") == 0;
		c->aliases = calloc(n + 1, sizeof(char *));
		n = 0;
		vb_kmod_list_foreach(l, info) {
			if (c->aliases && strcmp(sym_kmod_module_info_get_key(l), "alias") == 0)
				c->aliases[n++] = strdup(sym_kmod_module_info_get_value(l));
		}
		sym_kmod_module_info_free_list(info);
		if (!c->aliases)
			c->error = -ENOMEM;
	}
	c->next = res->cache;
	res->cache = c;
	return c;
}

/* The best (fewest '*') of a module's aliases that matches alias. */
static const char *best_pattern(const struct alias_cache *c, const char *alias)
{
	const char *best = NULL;

	for (char **a = c->aliases; a && *a; a++)
		if (fnmatch(*a, alias, 0) == 0 &&
		    (!best || vb_pattern_wildcards(*a) < vb_pattern_wildcards(best)))
			best = *a;
	return best;
}

int vb_resolve(struct vb_resolver *res, const struct vb_bus *bus, const char *modalias,
	       struct vb_choice *ret, struct vb_error *err)
{
	struct vb_choice choice = { 0 };
	struct kmod_list *list = NULL, *l;
	_cleanup_free_ char *alias = NULL;
	unsigned n = 0;
	int r = 0;

	if (bus->vfio_aliases && modalias) {
		alias = vb_path("vfio_%s", modalias);
		if (!alias)
			return -ENOMEM;
		r = lookup(res, alias, &list);
		if (r == -ENAMETOOLONG) {
			vb_error_set(err, r, "its modalias is too long to look up (%zu bytes)", strlen(modalias));
			vb_error_hint(err, "choose the driver with --driver");
			return r;
		}
		if (r < 0)
			return vb_error_set_sys(err, r, "cannot look up '%s' in the module index", alias);
	}
	vb_kmod_list_foreach(l, list)
		n++;
	if (n)
		choice.candidates = calloc(n, sizeof(*choice.candidates));
	if (n && !choice.candidates) {
		sym_kmod_module_unref_list(list);
		return -ENOMEM;
	}
	vb_kmod_list_foreach(l, list) {
		struct kmod_module *mod = sym_kmod_module_get_module(l);
		struct vb_candidate *c = &choice.candidates[choice.n_candidates];
		struct alias_cache *ac = module_aliases(res, mod);
		const char *pattern;

		c->module = strdup(sym_kmod_module_get_name(mod));
		sym_kmod_module_unref(mod);
		choice.n_candidates++;
		if (!ac || !c->module) {
			r = -ENOMEM;
			break;
		}
		if (ac->error < 0) {
			r = vb_error_set_sys(err, ac->error, "module '%s' matches '%s' but cannot be read",
					     c->module, alias);
			vb_error_hint(err, "reinstall it or run 'depmod', or choose a driver with --driver");
			break;
		}
		/* An alias from modprobe.d has no pattern in the module: rank it last. */
		pattern = best_pattern(ac, alias);
		c->pattern = pattern ? strdup(pattern) : NULL;
		c->wildcards = pattern ? vb_pattern_wildcards(pattern) : UINT_MAX;
	}
	sym_kmod_module_unref_list(list);
	if (r < 0) {
		vb_choice_clear(&choice);
		return r;
	}

	choice.n_tied = vb_candidates_rank(choice.candidates, choice.n_candidates);
	if (choice.n_candidates) {
		choice.module = strdup(choice.candidates[0].module);
		choice.pattern = choice.candidates[0].pattern ? strdup(choice.candidates[0].pattern) : NULL;
	} else if (bus->vfio_module) {
		choice.fallback = true;
		choice.module = strdup(bus->vfio_module);
	} else {
		vb_choice_clear(&choice);
		vb_error_set(err, -ENOENT, "no VFIO driver is known for the %s bus", bus->name);
		vb_error_hint(err, "name one with --driver");
		return -ENOENT;
	}
	if (!choice.module) {
		vb_choice_clear(&choice);
		return -ENOMEM;
	}
	*ret = choice;
	return 0;
}

void vb_choice_clear(struct vb_choice *choice)
{
	for (unsigned i = 0; i < choice->n_candidates; i++) {
		free(choice->candidates[i].module);
		free(choice->candidates[i].pattern);
	}
	free(choice->candidates);
	free(choice->module);
	free(choice->pattern);
	*choice = (struct vb_choice){ 0 };
}

int vb_module_is_loaded(const struct vb_roots *roots, const char *module)
{
	_cleanup_free_ char *p = vb_path("%s/module/%s", roots->sysfs, module);

	return vb_exists(p);
}

/*
 * A module another process is loading has its /sys/module directory (state
 * "coming") before its init has registered its drivers, and libkmod counts
 * it as loaded: wait for it to go live (udev's workers at boot load the same
 * VFIO module side by side). At most 30 s, a slow init's bound.
 */
static void wait_until_live(const struct vb_roots *roots, const char *module)
{
	_cleanup_free_ char *path = vb_path("%s/module/%s/initstate", roots->sysfs, module);

	for (unsigned i = 0; path && i < 3000; i++) {
		_cleanup_free_ char *state = NULL;

		if (vb_read_attr(path, &state) < 0 || strcmp(state, "coming") != 0)
			return;
		usleep(10 * 1000);
	}
}

int vb_module_load(struct vb_resolver *res, const char *module, bool from_alias,
		   struct vb_error *err)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *one = NULL, *allowed = NULL;
	int r;

	r = vb_module_is_loaded(res->roots, module);
	if (r > 0) {
		wait_until_live(res->roots, module);
		return 0;
	}
	r = sym_kmod_module_new_from_name(res->kmod, module, &mod);
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot load module '%s'", module);
	if (from_alias) {
		/* modprobe applies blacklists to alias loads; so do we. */
		r = lookup(res, module, &one);
		if (r >= 0 && one)
			r = sym_kmod_module_apply_filter(res->kmod, KMOD_FILTER_BLACKLIST, one, &allowed);
		if (r >= 0 && one && !allowed) {
			sym_kmod_module_unref_list(one);
			sym_kmod_module_unref(mod);
			vb_error_set(err, -EPERM, "module '%s' is blacklisted in modprobe.d", module);
			vb_error_hint(err, "remove the blacklist line, or choose a driver with --driver");
			return -EPERM;
		}
		sym_kmod_module_unref_list(one);
		sym_kmod_module_unref_list(allowed);
	}
	if (!sym_kmod_module_get_path(mod) && sym_kmod_module_get_initstate(mod) != KMOD_MODULE_BUILTIN) {
		sym_kmod_module_unref(mod);
		vb_error_set(err, -ENOENT, "module '%s' is not installed for this kernel", module);
		vb_error_hint(err, "install it, or choose another driver with --driver");
		return -ENOENT;
	}
	r = sym_kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	sym_kmod_module_unref(mod);
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot load module '%s'", module);
	wait_until_live(res->roots, module);
	return 0;
}

int vb_module_driver(const struct vb_roots *roots, const struct vb_bus *bus, const char *module,
		     char **ret, struct vb_error *err)
{
	_cleanup_free_ char *dir = vb_path("%s/module/%s/drivers", roots->sysfs, module);
	_cleanup_closedir_ DIR *d = NULL;
	size_t plen = strlen(bus->name);
	char *best = NULL;
	struct dirent *de;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		/* Entries are "BUS:DRIVER"; the lowest name wins, for a stable answer. */
		if (strncmp(de->d_name, bus->name, plen) != 0 || de->d_name[plen] != ':')
			continue;
		if (!best || strcmp(de->d_name + plen + 1, best) < 0) {
			free(best);
			best = strdup(de->d_name + plen + 1);
			if (!best)
				return -ENOMEM;
		}
	}
	if (!best)
		return vb_error_set(err, -ENOENT, "module '%s' registers no %s driver", module,
				    bus->name);
	*ret = best;
	return 0;
}

int vb_module_driver_known(const struct vb_roots *roots, const struct vb_bus *bus,
			   const char *module, char **ret, struct vb_error *err)
{
	*ret = NULL;
	if (vb_module_is_loaded(roots, module) > 0)
		return vb_module_driver(roots, bus, module, ret, err);
	if (streq_ptr(module, bus->vfio_module) && !(*ret = strdup(bus->vfio_driver)))
		return -ENOMEM;
	return 0;
}

int vb_driver_is_registered(const struct vb_roots *roots, const struct vb_bus *bus,
			    const char *driver)
{
	_cleanup_free_ char *p = vb_path("%s/bus/%s/drivers/%s", roots->sysfs, bus->name, driver);

	return vb_exists(p);
}

int vb_driver_own_module(const struct vb_roots *roots, const struct vb_bus *bus,
			 const char *driver, char **ret)
{
	_cleanup_free_ char *link =
		vb_path("%s/bus/%s/drivers/%s/module", roots->sysfs, bus->name, driver);

	return vb_read_link_name(link, ret);
}

int vb_driver_module(struct vb_resolver *res, const struct vb_bus *bus, const char *driver,
		     char **ret, struct vb_error *err)
{
	struct kmod_list *list = NULL;
	char *name = NULL;
	int r;

	if (vb_driver_own_module(res->roots, bus, driver, ret) == 0)
		return 0;
	/* Not registered yet: most drivers share their module's name, dashes aside. */
	r = lookup(res, driver, &list);
	if (r < 0 || !list) {
		sym_kmod_module_unref_list(list);
		vb_error_set(err, -ENOENT, "no driver '%s' is registered and no module provides it",
			     driver);
		vb_error_hint(err, "load the module that provides it, or check the name with 'ls /sys/bus/%s/drivers'",
			      bus->name);
		return -ENOENT;
	}
	{
		struct kmod_module *mod = sym_kmod_module_get_module(list);

		name = strdup(sym_kmod_module_get_name(mod));
		sym_kmod_module_unref(mod);
	}
	sym_kmod_module_unref_list(list);
	if (!name)
		return -ENOMEM;
	*ret = name;
	return 0;
}

int vb_load_host_modules(struct vb_resolver *res, const char *modalias, struct vb_error *err)
{
	struct kmod_list *list = NULL, *l;
	int r, n = 0;

	r = lookup(res, modalias, &list);
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot look up '%s' in the module index", modalias);
	vb_kmod_list_foreach(l, list) {
		struct kmod_module *mod = sym_kmod_module_get_module(l);

		n++;
		/* Best effort, like udev: a host module that will not load is reported later. */
		if (vb_module_is_loaded(res->roots, sym_kmod_module_get_name(mod)) <= 0)
			sym_kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
							NULL, NULL);
		sym_kmod_module_unref(mod);
	}
	sym_kmod_module_unref_list(list);
	return n;
}

int vb_alias_has_module(struct vb_resolver *res, const char *alias)
{
	struct kmod_list *list = NULL;
	int r = lookup(res, alias, &list);

	sym_kmod_module_unref_list(list);
	return r < 0 ? r : list != NULL;
}

int vb_module_option(struct vb_resolver *res, const char *module, const char *key, char **ret)
{
	struct kmod_module *mod = NULL;
	const char *opts;
	size_t klen = strlen(key);
	int r;

	r = sym_kmod_module_new_from_name(res->kmod, module, &mod);
	if (r < 0)
		return r;
	opts = sym_kmod_module_get_options(mod);
	r = -ENOENT;
	/* Options are "a=1 b=2"; the last setting of key wins, as for the kernel. */
	for (const char *p = opts; p && *p; p += strcspn(p, " \t"), p += strspn(p, " \t")) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			char *v = strndup(p + klen + 1, strcspn(p + klen + 1, " \t"));

			if (!v) {
				r = -ENOMEM;
				break;
			}
			if (r == 0)
				free(*ret);
			*ret = v;
			r = 0;
		}
	}
	sym_kmod_module_unref(mod);
	return r;
}

int vb_driver_is_builtin(const struct vb_roots *roots, const struct vb_bus *bus, const char *driver)
{
	_cleanup_free_ char *module = NULL, *initstate = NULL;
	int r = vb_driver_own_module(roots, bus, driver, &module);

	/* A driver's module link names a loadable module, or a built-in one by its name. */
	if (r == -ENOENT)
		return vb_driver_is_registered(roots, bus, driver) > 0 ? 1 : -ENOENT;
	if (r < 0)
		return r;
	/* Only a loadable module has an initstate. */
	initstate = vb_path("%s/module/%s/initstate", roots->sysfs, module);
	if (!initstate)
		return -ENOMEM;
	r = vb_exists(initstate);
	return r < 0 ? r : !r;
}

int vb_builtin_host_module(struct vb_resolver *res, const char *modalias, char **ret)
{
	struct kmod_list *list = NULL, *l;
	int r;

	*ret = NULL;
	r = lookup(res, modalias, &list);
	if (r < 0)
		return r;
	vb_kmod_list_foreach(l, list) {
		struct kmod_module *mod = sym_kmod_module_get_module(l);

		if (!*ret && sym_kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
			*ret = strdup(sym_kmod_module_get_name(mod));
		sym_kmod_module_unref(mod);
	}
	sym_kmod_module_unref_list(list);
	return 0;
}

int vb_module_installed(struct vb_resolver *res, const char *module)
{
	struct kmod_module *mod = NULL;
	int r = sym_kmod_module_new_from_name(res->kmod, module, &mod);

	if (r < 0)
		return r;
	/* A module built into the kernel needs no file; the image need not carry it. */
	r = sym_kmod_module_get_path(mod) != NULL ? 1 :
	    sym_kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN ? 2 : 0;
	sym_kmod_module_unref(mod);
	return r;
}
