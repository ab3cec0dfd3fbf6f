// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "context.h"
#include "device.h"
#include "modalias.h"
#include "platform.h"
#include "sysfs.h"

char *vb_platform_first_compatible(const struct vb_device *dev)
{
	_cleanup_close_ int fd = vb_device_open_attr(dev, "of_node/compatible");
	char buf[256];
	ssize_t n;

	/* of_node/compatible is a NUL-separated list; the first is the most specific. */
	if (fd >= 0 && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		return buf[0] ? strdup(buf) : NULL;
	}
	return vb_modalias_of_first_compatible(dev->modalias);
}

/* vfio_platform's reset_required: the live value, else modprobe.d's, else its default (yes). */
static bool reset_required(struct vb_context *ctx)
{
	_cleanup_free_ char *p = vb_path("%s/module/vfio_platform/parameters/reset_required",
					 ctx->roots.sysfs);
	_cleanup_free_ char *v = NULL;
	struct vb_resolver *res;

	if (vb_read_attr(p, &v) == 0)
		return v[0] == 'Y' || v[0] == '1';
	if (vb_context_resolver(ctx, &res, NULL) == 0 &&
	    vb_module_option(res, "vfio_platform", "reset_required", &v) == 0)
		return !(strcmp(v, "0") == 0 || strcasecmp(v, "n") == 0 || strcasecmp(v, "false") == 0);
	return true;
}

static void hint_no_reset(struct vb_error *err)
{
	vb_error_hint(err, "to accept a device without reset, put 'options vfio_platform reset_required=0' "
			   "in /etc/modprobe.d/vfio-platform.conf and reload vfio_platform "
			   "(or add --force to try anyway)");
}

int vb_platform_check_reset(struct vb_context *ctx, const struct vb_device *dev,
			    const char *driver, struct vb_error *err)
{
	_cleanup_free_ char *compat = NULL, *alias = NULL, *acpi = NULL;
	struct vb_resolver *res;
	int r;

	if (!driver || strcmp(driver, "vfio-platform") != 0 || !reset_required(ctx))
		return 0;
	compat = vb_platform_first_compatible(dev);
	if (compat) {
		alias = vb_path("vfio-reset:%s", compat);
		r = vb_context_resolver(ctx, &res, err);
		if (r < 0)
			return r;
		if (alias && vb_alias_has_module(res, alias) > 0)
			return 0;
		vb_error_set(err, -EOPNOTSUPP, "vfio-platform has no reset handler for '%s' "
			     "(no module has alias '%s') and requires one", compat, alias);
		hint_no_reset(err);
		return -EOPNOTSUPP;
	}
	acpi = vb_path("%s/firmware_node", dev->path);
	if (vb_exists(acpi) > 0 || (dev->modalias && strncmp(dev->modalias, "acpi:", 5) == 0)) {
		vb_error_set(err, -EOPNOTSUPP, "vfio-platform requires a reset, and whether this ACPI "
			     "device has an _RST method cannot be told from userspace");
		hint_no_reset(err);
		return -EOPNOTSUPP;
	}
	vb_error_set(err, -EOPNOTSUPP, "vfio-platform requires a reset, and the device has neither a "
		     "device-tree compatible nor an ACPI node to find one by");
	hint_no_reset(err);
	return -EOPNOTSUPP;
}
