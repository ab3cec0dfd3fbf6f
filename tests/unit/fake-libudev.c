// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for libudev.so.1 that test-hwdb finds first (LD_LIBRARY_PATH):
 * the functions hwdb.c calls, answering from a table, so the test chooses
 * every property and counts the lookups. FAKE_UDEV_NO_HWDB=1 makes
 * udev_hwdb_new() fail as it does where udev is not installed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

struct udev_list_entry {
	const char *name, *value;
	struct udev_list_entry *next;
};

struct udev {
	int refs;
};

struct udev_hwdb {
	int refs;
};

/* Read by the test with dlsym(). */
__attribute__((visibility("default"))) unsigned fake_udev_lookups, fake_udev_live;

#define E(n, v, next) { n, v, next }
static struct udev_list_entry nic[] = {
	E("ID_PCI_CLASS_FROM_DATABASE", "Network controller", &nic[1]),
	E("ID_VENDOR_FROM_DATABASE", "Intel Corporation", &nic[2]),
	E("ID_MODEL_FROM_DATABASE", "82574L Gigabit Network Connection", NULL),
};
static struct udev_list_entry vendor_only[] = {
	E("ID_VENDOR_FROM_DATABASE", "Red Hat, Inc.", &vendor_only[1]),
	E("ID_PCI_SUBCLASS_FROM_DATABASE", "Ethernet controller", NULL),
};
static struct udev_list_entry usb[] = {
	E("ID_MODEL_FROM_DATABASE", "Hub", &usb[1]),
	E("ID_VENDOR_FROM_DATABASE", "Linux Foundation", NULL),
};
static struct udev_list_entry other[] = {
	E("ID_AV_PRODUCTION_CONTROLLER", "1", &other[1]),
	E("ID_VENDOR", "not from the database", NULL),
};
#undef E

static const struct {
	const char *modalias;
	struct udev_list_entry *first;
} table[] = {
	{ "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", nic },
	{ "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00", vendor_only },
	{ "usb:v1D6Bp0002d0606dc09dsc00dp01ic09isc00ip00in00", usb },
	{ "of:NdmaT(null)Cvendor,dma", other },
};

/* Both objects are a reference count; fake_udev_live counts those alive. */
static void *ref_new(size_t size)
{
	int *refs = calloc(1, size);

	if (refs) {
		*refs = 1;
		fake_udev_live++;
	}
	return refs;
}

static void ref_drop(int *refs)
{
	if (refs && --*refs == 0) {
		free(refs);
		fake_udev_live--;
	}
}

struct udev *udev_new(void)
{
	return ref_new(sizeof(struct udev));
}

struct udev *udev_unref(struct udev *u)
{
	ref_drop(u ? &u->refs : NULL);
	return NULL;
}

struct udev_hwdb *udev_hwdb_new(struct udev *u)
{
	const char *no = getenv("FAKE_UDEV_NO_HWDB");

	if (!u || (no && strcmp(no, "1") == 0)) {
		errno = ENOENT;
		return NULL;
	}
	return ref_new(sizeof(struct udev_hwdb));
}

struct udev_hwdb *udev_hwdb_unref(struct udev_hwdb *h)
{
	ref_drop(h ? &h->refs : NULL);
	return NULL;
}

struct udev_list_entry *udev_hwdb_get_properties_list_entry(struct udev_hwdb *h, const char *modalias,
							     unsigned flags)
{
	fake_udev_lookups++;
	if (!h || !modalias)
		return NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].modalias, modalias) == 0)
			return table[i].first;
	return NULL;
}

struct udev_list_entry *udev_list_entry_get_next(struct udev_list_entry *e)
{
	return e ? e->next : NULL;
}

const char *udev_list_entry_get_name(struct udev_list_entry *e)
{
	return e ? e->name : NULL;
}

const char *udev_list_entry_get_value(struct udev_list_entry *e)
{
	return e ? e->value : NULL;
}
