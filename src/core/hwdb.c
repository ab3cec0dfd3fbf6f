// SPDX-License-Identifier: GPL-2.0-or-later
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hwdb.h"
#include "macro.h"
#include "modalias.h"
#include "udev-dl.h"

/*
 * PCI names are read from udev's compiled hwdb.bin here: udev's own lookup
 * fnmatch()es every entry below each glob on the way down (all of
 * pci:v*d*sv*sd*bc..), while the pci.ids entries are found by walking their
 * exact keys. Other buses' keys need globs, so those go to libudev.
 *
 * The file: a header, nodes, NUL-terminated strings; numbers little-endian.
 * A node is its prefix string's offset, its child and value counts, then
 * its children (a character and a node offset, sorted by character), then
 * its values (key and value string offsets; in v2 also the source file's
 * name, line and priority). The header gives the size of each record.
 */
enum {
	HDR_FILE_SIZE = 16,
	HDR_NODE_SIZE = 32,
	HDR_CHILD_SIZE = 40,
	HDR_VALUE_SIZE = 48,
	HDR_ROOT = 56,
	HDR_LEN = 80,

	NODE_PREFIX = 0,
	NODE_CHILDREN = 8,
	NODE_VALUES = 16,
	NODE_LEN = 24,

	CHILD_CHAR = 0,
	CHILD_NODE = 8,
	CHILD_LEN = 16,

	VALUE_KEY = 0,
	VALUE_TEXT = 8,
	VALUE_LEN = 16,
	VALUE_FILE = 16,
	VALUE_LINE = 24,
	VALUE_PRIORITY = 28,
	VALUE2_LEN = 32,
};

/*
 * Where systemd 252 looks, in its order: /lib/systemd/hwdb only in split-/usr
 * builds (Debian 12's), and its udev directory is /lib/udev there,
 * /usr/lib/udev elsewhere.
 */
static const char *const hwdb_paths[] = {
	"/etc/systemd/hwdb/hwdb.bin",
	"/etc/udev/hwdb.bin",
	"/usr/lib/systemd/hwdb/hwdb.bin",
	"/lib/systemd/hwdb/hwdb.bin",
	"/usr/lib/udev/hwdb.bin",
	"/lib/udev/hwdb.bin",
};

struct vb_hwdb {
	/*
	 * All of hwdb.bin, mapped PROT_NONE; a page becomes readable when
	 * first read. With the whole file readable the kernel maps in the
	 * neighbours of every page touched (fault-around, whole large
	 * folios): megabytes resident for the few dozen pages a listing reads.
	 */
	uint8_t *map;
	size_t size;
	unsigned page_shift;
	uint8_t *readable; /* a bit per page */
	uint64_t node_size, child_size, value_size, root;
	/*
	 * The last vendors looked up: a machine has few, but in bus order
	 * they take turns (host bridge, NIC, disk, ...).
	 */
	struct {
		char id[8];
		const char *name;
	} vendors[8];
	unsigned next_vendor;
	/* Other buses: libudev's database, opened on first use. */
	bool use_udev;
	struct udev *udev;
	struct udev_hwdb *udev_hwdb;
};

struct node {
	const char *prefix;
	uint64_t children, n_children;
	uint64_t values, n_values;
};

/* A property's value, with what udev ranks duplicates by. */
struct value {
	const char *text;
	uint64_t file, line, priority;
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint16_t le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static bool make_readable(struct vb_hwdb *h, uint64_t first_page, uint64_t last_page)
{
	for (uint64_t page = first_page; page <= last_page; page++) {
		uint8_t bit = 1u << (page % 8);

		if (h->readable[page / 8] & bit)
			continue;
		if (mprotect(h->map + (page << h->page_shift), (size_t)1 << h->page_shift, PROT_READ) < 0)
			return false;
		h->readable[page / 8] |= bit;
	}
	return true;
}

/* The n (> 0) bytes at off, made readable; NULL unless they lie inside the file. */
static const uint8_t *at(struct vb_hwdb *h, uint64_t off, uint64_t n)
{
	if (off > h->size || n > h->size - off ||
	    !make_readable(h, off >> h->page_shift, (off + n - 1) >> h->page_shift))
		return NULL;
	return h->map + off;
}

/* Whether count records of size bytes at off lie inside the file. */
static bool fits(const struct vb_hwdb *h, uint64_t off, uint64_t count, uint64_t size)
{
	return off <= h->size && count <= (h->size - off) / size;
}

/* The string at off, NULL unless it ends inside the file. */
static const char *str(struct vb_hwdb *h, uint64_t off)
{
	uint64_t page_size = (uint64_t)1 << h->page_shift, p = off;

	/* A page at a time, so that no more of the file than the string is read. */
	while (p < h->size) {
		uint64_t n = page_size - (p & (page_size - 1));
		const uint8_t *s;

		if (n > h->size - p)
			n = h->size - p;
		s = at(h, p, n);
		if (!s)
			return NULL;
		if (memchr(s, '\0', n))
			return (const char *)h->map + off;
		p += n;
	}
	return NULL;
}

static bool node_at(struct vb_hwdb *h, uint64_t off, struct node *ret)
{
	const uint8_t *p;
	uint64_t prefix;

	if (!fits(h, off, 1, h->node_size) || !(p = at(h, off, NODE_LEN)))
		return false;
	/* Offset 0 is the header: no prefix. */
	prefix = le64(p + NODE_PREFIX);
	ret->children = off + h->node_size;
	ret->n_children = p[NODE_CHILDREN];
	ret->n_values = le64(p + NODE_VALUES);
	ret->prefix = prefix ? str(h, prefix) : "";
	if (!ret->prefix || !fits(h, ret->children, ret->n_children, h->child_size) ||
	    (ret->n_children && !at(h, ret->children, ret->n_children * h->child_size)))
		return false;
	ret->values = ret->children + ret->n_children * h->child_size;
	return fits(h, ret->values, ret->n_values, h->value_size);
}

/* The child for c; node_at() made the children readable. */
static bool child_of(const struct vb_hwdb *h, const struct node *n, uint8_t c, uint64_t *ret)
{
	uint64_t lo = 0, hi = n->n_children;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = h->map + n->children + mid * h->child_size;

		if (e[CHILD_CHAR] == c) {
			*ret = le64(e + CHILD_NODE);
			return true;
		}
		if (e[CHILD_CHAR] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The node whose whole key is key, every character (a '*' too) matched literally. */
static bool find(struct vb_hwdb *h, const char *key, struct node *ret)
{
	uint64_t off = h->root;

	for (;;) {
		if (!node_at(h, off, ret))
			return false;
		for (const char *p = ret->prefix; *p; p++, key++)
			if (*p != *key)
				return false;
		if (!*key)
			return true;
		/* Each step takes a character of key: a looping file ends too. */
		if (!child_of(h, ret, (uint8_t)*key++, &off))
			return false;
	}
}

/* udev's rule for a second value of a property in a v2 file: is it ranked lower? */
static bool ranks_lower(const struct value *v, const struct value *old)
{
	if (v->priority == 0)
		return v->file < old->file || (v->file == old->file && v->line < old->line);
	return v->priority < old->priority || (v->priority == old->priority && v->line < old->line);
}

/*
 * Fold the value of property at node n into *best as udev would: a later
 * match replaces an earlier one, unless a v2 file ranks it lower.
 */
static void fold_value(struct vb_hwdb *h, const struct node *n, const char *property,
		       struct value *best)
{
	bool v2 = h->value_size >= VALUE2_LEN;

	for (uint64_t i = 0; i < n->n_values; i++) {
		const uint8_t *e = at(h, n->values + i * h->value_size, v2 ? VALUE2_LEN : VALUE_LEN);
		const char *key;
		struct value v;

		if (!e)
			return;
		key = str(h, le64(e + VALUE_KEY));
		/* Properties are stored as " NAME"; udev ignores other keys. */
		if (!key || key[0] != ' ' || strcmp(key + 1, property) != 0)
			continue;
		v = (struct value){ .text = str(h, le64(e + VALUE_TEXT)) };
		if (!v.text)
			continue;
		if (v2) {
			v.file = le64(e + VALUE_FILE);
			v.line = le32(e + VALUE_LINE);
			v.priority = le16(e + VALUE_PRIORITY);
			if (best->text && ranks_lower(&v, best))
				continue;
		}
		*best = v;
	}
}

/* Look property up under the key "the first len bytes of modalias, then '*'". */
static void lookup(struct vb_hwdb *h, const char *modalias, size_t len, const char *property,
		   struct value *best)
{
	char key[64];
	struct node n;

	memcpy(key, modalias, len);
	key[len] = '*';
	key[len + 1] = '\0';
	if (find(h, key, &n))
		fold_value(h, &n, property, best);
}

static const char *pci_vendor(struct vb_hwdb *h, const char *modalias)
{
	const char *id = modalias + strlen("pci:v");
	struct value vendor = { 0 };
	unsigned slot;

	/* An unused slot's id is all NULs, never hex digits. */
	for (slot = 0; slot < ELEMENTSOF(h->vendors); slot++)
		if (memcmp(h->vendors[slot].id, id, sizeof(h->vendors[slot].id)) == 0)
			return h->vendors[slot].name;
	lookup(h, modalias, strlen("pci:vVVVVVVVV"), "ID_VENDOR_FROM_DATABASE", &vendor);
	slot = h->next_vendor++ % ELEMENTSOF(h->vendors);
	memcpy(h->vendors[slot].id, id, sizeof(h->vendors[slot].id));
	h->vendors[slot].name = vendor.text;
	return vendor.text;
}

/*
 * pci.ids entries are keyed pci:vVVVVVVVV*, pci:vVVVVVVVVdDDDDDDDD* and
 * pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdTTTTTTTT*: prefixes of the modalias
 * ending after the vendor, the device and the subsystem ids. udev meets
 * the subsystem's model after the device's.
 */
static void pci_names(struct vb_hwdb *h, const char *modalias, char **ret_vendor, char **ret_model)
{
	const char *vendor = pci_vendor(h, modalias);
	struct value model = { 0 };

	lookup(h, modalias, strlen("pci:vVVVVVVVVdDDDDDDDD"), "ID_MODEL_FROM_DATABASE", &model);
	lookup(h, modalias, strlen("pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdTTTTTTTT"),
	       "ID_MODEL_FROM_DATABASE", &model);
	*ret_vendor = vendor ? strdup(vendor) : NULL;
	*ret_model = model.text ? strdup(model.text) : NULL;
}

static void udev_names(struct vb_hwdb *h, const char *modalias, char **ret_vendor, char **ret_model)
{
	struct udev_list_entry *e;

	if (!h->udev_hwdb && h->use_udev) {
		h->udev = vb_udev_dl_open() == 0 ? sym_udev_new() : NULL;
		h->udev_hwdb = h->udev ? sym_udev_hwdb_new(h->udev) : NULL;
		/* Try once. */
		h->use_udev = h->udev_hwdb != NULL;
	}
	if (!h->udev_hwdb)
		return;
	vb_udev_list_foreach(e, sym_udev_hwdb_get_properties_list_entry(h->udev_hwdb, modalias, 0)) {
		const char *key = sym_udev_list_entry_get_name(e);

		if (!*ret_vendor && strcmp(key, "ID_VENDOR_FROM_DATABASE") == 0)
			*ret_vendor = strdup(sym_udev_list_entry_get_value(e));
		else if (!*ret_model && strcmp(key, "ID_MODEL_FROM_DATABASE") == 0)
			*ret_model = strdup(sym_udev_list_entry_get_value(e));
	}
}

/* path, or the first hwdb.bin that exists, as udev picks it; -1 when none can be opened. */
static int open_hwdb(const char *path)
{
	if (path)
		return open(path, O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < ELEMENTSOF(hwdb_paths); i++) {
		int fd = open(hwdb_paths[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0 || errno != ENOENT)
			return fd;
	}
	return -1;
}

static int map_hwdb(struct vb_hwdb *h, int fd)
{
	size_t pages;
	struct stat st;
	void *map;

	if (fstat(fd, &st) < 0 || st.st_size < HDR_LEN || (uint64_t)st.st_size > SIZE_MAX)
		return -EINVAL;
	h->page_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	pages = ((st.st_size - 1) >> h->page_shift) + 1;
	h->readable = calloc((pages + 7) / 8, 1);
	if (!h->readable)
		return -ENOMEM;
	map = mmap(NULL, st.st_size, PROT_NONE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	h->map = map;
	h->size = st.st_size;
	return 0;
}

struct vb_hwdb *vb_hwdb_new(const char *path)
{
	_cleanup_close_ int fd = -1;
	const uint8_t *hdr;
	struct vb_hwdb *h;

	fd = open_hwdb(path);
	if (fd < 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	/* libudev cannot be pointed at another file: with one named, PCI names only. */
	h->use_udev = !path;
	if (map_hwdb(h, fd) < 0 || !(hdr = at(h, 0, HDR_LEN)) || memcmp(hdr, "KSLPHHRH", 8) != 0 ||
	    le64(hdr + HDR_FILE_SIZE) != h->size) {
		vb_hwdb_free(h);
		return NULL;
	}
	h->node_size = le64(hdr + HDR_NODE_SIZE);
	h->child_size = le64(hdr + HDR_CHILD_SIZE);
	h->value_size = le64(hdr + HDR_VALUE_SIZE);
	h->root = le64(hdr + HDR_ROOT);
	if (h->node_size < NODE_LEN || h->child_size < CHILD_LEN || h->value_size < VALUE_LEN) {
		vb_hwdb_free(h);
		return NULL;
	}
	return h;
}

void vb_hwdb_free(struct vb_hwdb *h)
{
	if (!h)
		return;
	if (h->udev_hwdb)
		sym_udev_hwdb_unref(h->udev_hwdb);
	if (h->udev)
		sym_udev_unref(h->udev);
	if (h->map)
		munmap(h->map, h->size);
	free(h->readable);
	free(h);
}

void vb_hwdb_names(struct vb_hwdb *h, const char *modalias, char **ret_vendor, char **ret_model)
{
	struct vb_pci_ids ids;

	*ret_vendor = *ret_model = NULL;
	if (!h || !modalias)
		return;
	if (vb_modalias_parse_pci(modalias, &ids) == 0)
		pci_names(h, modalias, ret_vendor, ret_model);
	else
		udev_names(h, modalias, ret_vendor, ret_model);
}
