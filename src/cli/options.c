// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "cmd.h"
#include "name.h"
#include "options.h"
#include "pci-class.h"
#include "owner.h"
#include "reset-method.h"

enum {
	OPT_UNBIND = 0x100,
	OPT_LIST,
	OPT_RESTORE,
	OPT_NO_SAVE,
	OPT_ID,
	OPT_PLATFORM,
	OPT_BUS,
	OPT_CLASS,
	OPT_RESET_METHOD,
	OPT_OWNER,
	OPT_UDEV_OWNER,
	OPT_UDEV_EXPORT,
	OPT_INITRAMFS,
	OPT_INITRAMFS_PLAN,
};

static const struct option long_options[] = {
	{ "driver", required_argument, NULL, 'd' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "force", no_argument, NULL, 'f' },
	{ "group", no_argument, NULL, 'g' },
	{ "json", no_argument, NULL, 'j' },
	{ "jobs", required_argument, NULL, 'J' },
	{ "reset-method", required_argument, NULL, OPT_RESET_METHOD },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "unbind", no_argument, NULL, OPT_UNBIND },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "restore", no_argument, NULL, OPT_RESTORE },
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },
	{ "id", no_argument, NULL, OPT_ID },
	{ "platform", no_argument, NULL, OPT_PLATFORM },
	{ "bus", required_argument, NULL, OPT_BUS },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "udev-export", no_argument, NULL, OPT_UDEV_EXPORT },
	{ "udev-owner", no_argument, NULL, OPT_UDEV_OWNER },
	{ "initramfs", no_argument, NULL, OPT_INITRAMFS },
	{ "initramfs-plan", no_argument, NULL, OPT_INITRAMFS_PLAN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

void options_usage(FILE *f)
{
	fputs("Usage: vfio-bind [--platform|--bus=BUS] [OPTIONS] DEVICE...\n"
	      "       vfio-bind --unbind [OPTIONS] DEVICE...\n"
	      "       vfio-bind [--unbind] --id [OPTIONS] VENDOR:DEVICE...\n"
	      "       vfio-bind --restore [DEVICE...]\n"
	      "       vfio-bind --list [--json] [DEVICE...]\n"
	      "\n"
	      "Move devices to the VFIO driver that suits them best (a variant such as\n"
	      "mlx5_vfio_pci, else vfio-pci, vfio-platform ...), verify, and roll back on\n"
	      "failure. DEVICE is a PCI address (0000:03:00.0 or 03:00.0), a device's name\n"
	      "on its bus (fff51000.ethernet), a sysfs path, or the network interface or\n"
	      "disk it carries (enp3s0f1, nvme0n1, /dev/nvme0n1).\n"
	      "\n"
	      "Verbs:\n"
	      "      (none)          bind each DEVICE to its VFIO driver and save that\n"
	      "      --unbind        hand each DEVICE back to its host driver and forget it\n"
	      "      --restore       re-apply saved bindings (all, or the DEVICEs named)\n"
	      "      --list          show devices, drivers, IOMMU groups, VFIO choices, saved\n"
	      "      --udev-export   print DEVICE's trusted saved binding for udev's IMPORT{program}\n"
	      "      --udev-owner    print the owner saved for the devices behind a VFIO node\n"
	      "                      (12, noiommu-12, vfio3), for udev's IMPORT{program}\n"
	      "      --initramfs-plan\n"
	      "                      print what an initramfs needs to apply the saved bindings\n"
	      "                      (for the initramfs-tools hook and the dracut module)\n"
	      "\n"
	      "Options:\n"
	      "      --platform      DEVICEs are on the platform bus (vfio-platform)\n"
	      "      --bus=BUS       DEVICEs are on BUS (pci, platform, amba, fsl-mc, cdx, or\n"
	      "                      any bus with driver_override, with --driver)\n"
	      "  -d, --driver=NAME   use driver NAME instead of searching modules.alias\n"
	      "  -n, --dry-run       print every step (module, sysfs writes), do nothing\n"
	      "  -g, --group         bind every device of each DEVICE's IOMMU group (bridges\n"
	      "                      aside) as one transaction: all move, or none\n"
	      "  -f, --force         go ahead although the device is in use, has SR-IOV VFs,\n"
	      "                      is held open, or no IOMMU protects it\n"
	      "      --no-save       bind for now only: not re-applied at boot or hotplug\n"
	      "      --owner=USER[:GROUP]\n"
	      "                      give the device's VFIO nodes (/dev/vfio/N) to USER (and\n"
	      "                      GROUP: mode 0660), now and whenever they appear; saved\n"
	      "      --reset-method=METHOD[,METHOD...]\n"
	      "                      the PCI reset methods the kernel may use, in order (flr,\n"
	      "                      pm, bus ...), set before the VFIO driver binds and saved\n"
	      "                      with the binding (Linux 5.15+)\n"
	      "      --id            arguments are VENDOR:DEVICE IDs (15b3:101e): every such\n"
	      "                      device, now and whenever one appears\n"
	      "      --class=KIND    with --list: only PCI devices of that kind (net, storage,\n"
	      "                      gpu, multimedia, usb, crypto, accel, bridge)\n"
	      "      --initramfs     with --restore: run from the initramfs, recording in /run\n"
	      "                      each device bound there\n"
	      "  -J, --jobs=N        move at most N devices at once (default 256; 1: one\n"
	      "                      after the other)\n"
	      "  -j, --json          print one JSON document on stdout\n"
	      "  -q, --quiet         print errors only\n"
	      "  -v, --verbose       print each step as it is done\n"
	      "  -h, --help          show this help\n"
	      "  -V, --version       show the version\n"
	      "\n"
	      "Exit status: 0 all devices ended as asked, 1 some failed (each is back on\n"
	      "the driver it had), 2 usage error (nothing done).\n",
	      f);
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmd_sanitize(msg);
	fprintf(stderr, "vfio-bind: %s\nTry 'vfio-bind --help'.\n", msg);
	return -EINVAL;
}

/*
 * getopt_long says no more than '?' both for an option it does not know and
 * for an abbreviation that fits several ("--d": --driver or --dry-run); tell
 * them apart by matching the prefix again. -EINVAL after saying which, 0 when
 * the option is simply unknown.
 */
static int ambiguous_option(const char *given)
{
	size_t len = strcspn(given + 2, "=");
	char names[512] = "";
	size_t used = 0;
	unsigned n = 0, seen = 0;

	if (len == 0)
		return 0;
	for (const struct option *o = long_options; o->name; o++)
		n += strncmp(o->name, given + 2, len) == 0;
	if (n < 2)
		return 0;
	for (const struct option *o = long_options; o->name && used < sizeof(names); o++) {
		if (strncmp(o->name, given + 2, len) != 0)
			continue;
		seen++;
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s--%s",
					 seen == 1 ? "" : seen == n ? " or " : ", ", o->name);
	}
	return usage_error("option '--%.*s' is ambiguous: it could be %s", (int)len, given + 2, names);
}

static int set_verb(struct parsed_args *a, enum verb v, const char *name)
{
	if (a->verb != VERB_BIND && a->verb != v)
		return usage_error("%s cannot be combined with another verb", name);
	a->verb = v;
	return 0;
}

int options_parse(int argc, char *argv[], struct parsed_args *ret)
{
	struct parsed_args a = { .verb = VERB_BIND };
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:nfgjJ:qvhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			/* The name goes into driver_override: nothing but a plain name may. */
			/* The last of two would win in silence, and the first was meant too. */
			if (a.opts.driver)
				return usage_error("%s", "--driver given twice: one driver applies to every "
						   "DEVICE; run vfio-bind once per driver");
			if (!vb_name_is_valid(optarg))
				return usage_error("'%s' is not a driver name", optarg);
			a.opts.driver = optarg;
			break;
		case 'n':
			a.opts.dry_run = true;
			break;
		case 'f':
			a.opts.force = true;
			break;
		case 'g':
			a.opts.group = true;
			break;
		case 'j':
			a.opts.json = true;
			break;
		case 'J': {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n < 1 || n > VB_JOBS_MAX)
				return usage_error("--jobs takes a number of devices from 1 to %u, not '%s'",
						   VB_JOBS_MAX, optarg);
			a.opts.jobs = (unsigned)n;
			break;
		}
		case 'q':
			a.opts.quiet = true;
			break;
		case 'v':
			a.opts.verbose = true;
			break;
		case OPT_UNBIND:
			if (set_verb(&a, VERB_UNBIND, "--unbind") < 0)
				return -EINVAL;
			break;
		case OPT_LIST:
			if (set_verb(&a, VERB_LIST, "--list") < 0)
				return -EINVAL;
			break;
		case OPT_UDEV_EXPORT:
			if (set_verb(&a, VERB_UDEV_EXPORT, "--udev-export") < 0)
				return -EINVAL;
			break;
		case OPT_RESTORE:
			if (set_verb(&a, VERB_RESTORE, "--restore") < 0)
				return -EINVAL;
			break;
		case OPT_INITRAMFS_PLAN:
			if (set_verb(&a, VERB_INITRAMFS_PLAN, "--initramfs-plan") < 0)
				return -EINVAL;
			break;
		case OPT_INITRAMFS:
			a.opts.initramfs = true;
			break;
		case OPT_NO_SAVE:
			a.opts.no_save = true;
			break;
		case OPT_ID:
			a.opts.ids = true;
			break;
		case OPT_PLATFORM:
		case OPT_BUS: {
			const char *bus = c == OPT_PLATFORM ? "platform" : optarg;

			if (a.bus_name && strcmp(a.bus_name, bus) != 0)
				return usage_error("%s", "only one bus at a time (--platform is --bus=platform)");
			if (!vb_name_is_valid(bus) || strchr(bus, ':'))
				return usage_error("'%s' is not a bus name", bus);
			a.bus_name = bus;
			break;
		}
		case OPT_RESET_METHOD: {
			struct vb_error err = { 0 };

			if (vb_reset_methods_parse(optarg, a.opts.reset_method, sizeof(a.opts.reset_method),
						   &err) < 0)
				return usage_error("--reset-method: %s", err.what);
			break;
		}
		case OPT_OWNER: {
			struct vb_error err = { 0 };

			if (vb_owner_parse(optarg, &a.opts.owner, &err) < 0)
				return usage_error("--owner: %s", err.what);
			break;
		}
		case OPT_UDEV_OWNER:
			if (set_verb(&a, VERB_UDEV_OWNER, "--udev-owner") < 0)
				return -EINVAL;
			break;
		case OPT_CLASS: {
			bool dummy;

			if (vb_pci_class_is(optarg, 0, &dummy) < 0)
				return usage_error("'%s' is not a device class (%s)", optarg, vb_pci_class_kinds());
			a.opts.class_kind = optarg;
			break;
		}
		case 'h':
			a.verb = VERB_HELP;
			*ret = a;
			return 0;
		case 'V':
			a.verb = VERB_VERSION;
			*ret = a;
			return 0;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default: {
			const char *given = argv[optind - 1];

			/* getopt puts a long option's value in optopt, not a character to show. */
			if (strncmp(given, "--", 2) == 0 && optopt)
				return usage_error("'%.*s' takes no value", (int)strcspn(given, "="), given);
			if (strncmp(given, "--", 2) == 0 && ambiguous_option(given) < 0)
				return -EINVAL;
			if (strncmp(given, "--", 2) != 0 && optopt > 0 && optopt < 0x80)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", given);
		}
		}
	}
	if (a.opts.driver && a.verb != VERB_BIND)
		return usage_error("%s", "--driver only goes with a bind");
	if (a.opts.ids && a.verb != VERB_BIND && a.verb != VERB_UNBIND)
		return usage_error("%s", "--id goes with a bind or --unbind");
	if (a.opts.ids && a.bus_name && strcmp(a.bus_name, "pci") != 0)
		return usage_error("%s", "--id is for PCI vendor:device IDs");
	if (a.opts.group && (a.verb != VERB_BIND || a.opts.ids))
		return usage_error("%s", "--group only goes with a bind of DEVICEs");
	if (a.opts.no_save && a.verb != VERB_BIND)
		return usage_error("%s", "--no-save only goes with a bind");
	if (a.opts.jobs && (a.verb == VERB_LIST || a.verb == VERB_UDEV_EXPORT || a.verb == VERB_UDEV_OWNER ||
			    a.verb == VERB_INITRAMFS_PLAN))
		return usage_error("%s", "--jobs goes with what moves devices (a bind, --unbind, --restore)");
	if (a.opts.owner.set && a.verb != VERB_BIND)
		return usage_error("%s", "--owner only goes with a bind (it is saved with the binding)");
	if (a.opts.reset_method[0] && a.verb != VERB_BIND)
		return usage_error("%s", "--reset-method only goes with a bind (it is saved with the binding)");
	if (a.opts.class_kind && a.verb != VERB_LIST)
		return usage_error("%s", "--class only goes with --list");
	if (a.opts.initramfs && a.verb != VERB_RESTORE)
		return usage_error("%s", "--initramfs only goes with --restore");
	a.args = argv + optind;
	a.n_args = (unsigned)(argc - optind);
	if (a.n_args && a.verb == VERB_INITRAMFS_PLAN)
		return usage_error("%s", "--initramfs-plan takes no DEVICE");
	if (a.n_args == 0 && a.verb != VERB_LIST && a.verb != VERB_RESTORE &&
	    a.verb != VERB_INITRAMFS_PLAN)
		return usage_error("%s", "no DEVICE given (see 'vfio-bind --list')");
	*ret = a;
	return 0;
}
