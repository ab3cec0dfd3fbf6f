/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small model of the Linux driver core on the fake sysfs: what writes to
 * driver_override, bind, unbind, drivers_probe and a PCI device's
 * reset_method do, and what loading a module does. All functions return 0 / a count, or -errno.
 * fk_attr_write() takes the locks it needs itself; the callers of the
 * others hold fk_lock().
 */
#ifndef FAKE_MODEL_H
#define FAKE_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

enum fk_attr_kind {
	FK_ATTR_NONE,
	FK_ATTR_OVERRIDE,	/* devices/.../DEV/driver_override */
	FK_ATTR_BIND,		/* bus/BUS/drivers/DRV/bind */
	FK_ATTR_UNBIND,		/* bus/BUS/drivers/DRV/unbind */
	FK_ATTR_PROBE,		/* bus/BUS/drivers_probe */
	FK_ATTR_RESET_METHOD,	/* devices/.../DEV/reset_method (PCI) */
};

struct fk_attr {
	enum fk_attr_kind kind;
	char bus[NAME_MAX + 1];
	char drv[NAME_MAX + 1];
	char dev[NAME_MAX + 1];	/* FK_ATTR_OVERRIDE, FK_ATTR_RESET_METHOD */
};

/* Which model attribute a canonical path under the fake root is. */
bool fk_attr_classify(const char *path, struct fk_attr *ret);

/*
 * The kernel's store(): returns count, or -errno as write() would fail.
 * Holds the lock of the device the write is about throughout and the global
 * lock except across a slow probe() or remove() (see model.c).
 */
ssize_t fk_attr_write(const struct fk_attr *attr, const char *buf, size_t count);

/* Makes ROOT/bus/BUS/drivers/DRV appear and binds the devices it matches. */
int fk_driver_register(const char *bus, const char *drv, const char *module);
/* Unbinds DRV's devices and removes the driver directory. */
int fk_driver_unregister(const char *bus, const char *drv);

/* finit_module()/init_module() and delete_module() on the fake tree. */
int fk_module_load(const char *name, const char *params);
int fk_module_unload(const char *name);

#endif
