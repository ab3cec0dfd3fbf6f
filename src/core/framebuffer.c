// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framebuffer.h"
#include "sysfs.h"

#define IORESOURCE_MEM 0x200
#define N_BARS 6

/* The names firmware framebuffers give their memory, and the platform device of each. */
static const struct {
	const char *name;
	const char *holder;
} claims[] = {
	{ "BOOTFB", "simple-framebuffer.0" }, /* sysfb's device, before or under simpledrm/simplefb */
	{ "simpledrm", "simple-framebuffer.0" },
	{ "simplefb", "simple-framebuffer.0" },
	{ "efifb", "efi-framebuffer.0" },
	{ "vesafb", "vesa-framebuffer.0" },
};

struct range {
	uint64_t start, end;
};

/* dev's memory BARs from its resource file: "start end flags" a line. */
static unsigned bars(const struct vb_device *dev, struct range r[N_BARS])
{
	_cleanup_free_ char *path = vb_path("%s/resource", dev->path);
	FILE *f = path ? fopen(path, "re") : NULL;
	char line[128];
	unsigned n = 0;

	for (unsigned i = 0; f && i < N_BARS && fgets(line, sizeof(line), f); i++) {
		unsigned long long s, e, flags;

		r[i] = (struct range){ 0, 0 };
		if (sscanf(line, "%llx %llx %llx", &s, &e, &flags) == 3 && (flags & IORESOURCE_MEM) && e > s) {
			r[i] = (struct range){ s, e };
			n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

static int claim_of(const char *name)
{
	for (unsigned i = 0; i < sizeof(claims) / sizeof(claims[0]); i++)
		if (strcmp(claims[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Firmware draws its framebuffer on a display controller (class 03), or on a
 * VGA device from before class codes (00/01). Only those are looked for in
 * /proc/iomem: the kernel formats that whole table (a line for every BAR of
 * every device) on each read, which a batch of many devices would pay again
 * for every one.
 */
static bool may_hold_framebuffer(const struct vb_device *dev)
{
	unsigned base = dev->ids.class >> 16, sub = (dev->ids.class >> 8) & 0xff;

	return dev->has_ids && (base == 0x03 || (base == 0x00 && sub == 0x01));
}

int vb_device_framebuffer(const struct vb_roots *roots, const struct vb_device *dev,
			  struct vb_framebuffer *ret)
{
	_cleanup_free_ char *iomem = vb_path("%s/iomem", roots->procfs);
	struct range r[N_BARS] = { 0 };
	FILE *f;
	char line[256];
	int found = 0;

	if (!may_hold_framebuffer(dev) || bars(dev, r) == 0 || !iomem || !(f = fopen(iomem, "re")))
		return 0;
	/* Fewer, larger reads of a table the kernel formats per read. */
	setvbuf(f, NULL, _IOFBF, 64 * 1024);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char name[64];
		int c;

		/* "  c0000000-c02fffff : BOOTFB"; without root every address reads 0. */
		if (sscanf(line, " %llx-%llx : %63[^\n]", &s, &e, name) != 3 || e <= s ||
		    (c = claim_of(name)) < 0)
			continue;
		for (int b = 0; b < N_BARS && !found; b++) {
			_cleanup_free_ char *link = NULL, *drv = NULL;

			if (r[b].end == 0 || s > r[b].end || e < r[b].start)
				continue;
			*ret = (struct vb_framebuffer){ .bar = b };
			snprintf(ret->name, sizeof(ret->name), "%s", name);
			snprintf(ret->holder, sizeof(ret->holder), "%s", claims[c].holder);
			link = vb_path("%s/bus/platform/devices/%s/driver", roots->sysfs, claims[c].holder);
			if (vb_exists(link ? link : "") <= 0 || vb_read_link_name(link, &drv) < 0) {
				_cleanup_free_ char *dir = vb_path("%s/bus/platform/devices/%s", roots->sysfs,
								   claims[c].holder);

				if (vb_exists(dir ? dir : "") <= 0)
					ret->holder[0] = '\0';
			} else {
				snprintf(ret->driver, sizeof(ret->driver), "%s", drv);
			}
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int vb_device_check_framebuffer(const struct vb_roots *roots, const struct vb_device *dev,
				struct vb_error *err)
{
	struct vb_framebuffer fb;

	if (vb_driver_is_vfio(dev->driver) || vb_device_framebuffer(roots, dev, &fb) <= 0)
		return 0;
	if (fb.driver[0])
		vb_error_set(err, -EBUSY, "in use: the firmware framebuffer (%s, driver %s) holds its BAR %d: "
			     "a bind takes it from the host's console (Linux 6.0+; before, the VM could not "
			     "map that BAR)", fb.name, fb.driver, fb.bar);
	else
		vb_error_set(err, -EBUSY, "in use: the firmware framebuffer (%s%s%s) holds its BAR %d: "
			     "a bind takes it from the host's console (Linux 6.0+; before, the VM could not "
			     "map that BAR)", fb.name, fb.holder[0] ? ", " : "", fb.holder, fb.bar);
	if (fb.driver[0])
		vb_error_hint(err, "unbind it first ('echo %s > /sys/bus/platform/drivers/%s/unbind'), or boot "
				   "with initcall_blacklist=sysfb_init (or video=efifb:off, video=vesafb:off) "
				   "so the firmware framebuffer stays off this card; --force binds it anyway",
			      fb.holder, fb.driver);
	else
		vb_error_hint(err, "boot with initcall_blacklist=sysfb_init (or video=efifb:off, "
				   "video=vesafb:off) so the firmware framebuffer stays off this card; "
				   "--force binds it anyway");
	return -EBUSY;
}
