// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reset-method.h"
#include "sysfs.h"

/* The names drivers/pci/pci.c gives its reset methods (pci_reset_fn_methods). */
static const char *const known[] = { "device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus" };

static bool is_known(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == len && strncmp(known[i], name, len) == 0)
			return true;
	return false;
}

static bool listed(const char *list, const char *name, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n == len && strncmp(p, name, len) == 0)
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

int vb_reset_methods_parse(const char *arg, char *ret, size_t size, struct vb_error *err)
{
	size_t used = 0;

	ret[0] = '\0';
	for (const char *p = arg; *p;) {
		size_t n = strcspn(p, ", ");

		if (n == 0) {
			p++;
			continue;
		}
		if (!is_known(p, n)) {
			vb_error_set(err, -EINVAL, "'%.*s' is not a reset method (device_specific, acpi, flr, af_flr, pm, bus, cxl_bus)",
				     (int)n, p);
			return -EINVAL;
		}
		if (listed(ret, p, n)) {
			vb_error_set(err, -EINVAL, "reset method '%.*s' is named twice", (int)n, p);
			return -EINVAL;
		}
		if (used + n + 2 > size) {
			vb_error_set(err, -EINVAL, "too many reset methods");
			return -EINVAL;
		}
		used += (size_t)snprintf(ret + used, size - used, "%s%.*s", used ? " " : "", (int)n, p);
		p += n;
	}
	if (used == 0) {
		vb_error_set(err, -EINVAL, "no reset method named (flr, pm, bus ...)");
		return -EINVAL;
	}
	return 0;
}

int vb_device_reset_method(const struct vb_device *dev, char **ret)
{
	_cleanup_free_ char *path = vb_path("%s/reset_method", dev->path);

	*ret = NULL;
	return vb_read_attr(path, ret);
}

int vb_device_set_reset_method(const struct vb_device *dev, const char *methods, char **ret_old,
			       struct vb_error *err)
{
	_cleanup_free_ char *path = vb_path("%s/reset_method", dev->path);
	_cleanup_free_ char *old = NULL;
	int r;

	if (ret_old)
		*ret_old = NULL;
	if (!path)
		return -ENOMEM;
	r = vb_read_attr(path, &old);
	if (r == -ENOENT) {
		vb_error_set(err, -EOPNOTSUPP, "the kernel offers no reset_method for it (Linux 5.15 or later, PCI)");
		vb_error_hint(err, "leave out --reset-method");
		return -EOPNOTSUPP;
	}
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot read its reset_method");
	r = vb_write_attr(path, methods);
	if (r == -EINVAL) {
		vb_error_set(err, -EINVAL, "the device does not offer reset method '%s' (it has: %s)", methods,
			     old[0] ? old : "none enabled");
		vb_error_hint(err, "'echo default > %s' shows every method it offers", path);
		return -EINVAL;
	}
	if (r < 0)
		return vb_error_set_sys(err, r, "cannot set its reset_method to '%s'", methods);
	if (ret_old) {
		*ret_old = old;
		old = NULL;
	}
	return 0;
}
