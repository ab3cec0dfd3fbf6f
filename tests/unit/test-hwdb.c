// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <libudev.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hwdb.h"

#define SYSTEM_HWDB "/usr/lib/udev/hwdb.bin"

/*
 * A writer of udev's trie file, so the tests choose every byte: entries go
 * into a trie of prefix-compressed nodes as udev's compiler builds it, then
 * out as a header, the nodes (children first, the root last) and their
 * strings next to them. Record sizes come from a layout, so the reader's
 * use of the header's strides is tested too; so does an unused gap before
 * the trie, which puts a page boundary in the middle of it.
 */
struct entry {
	const char *key, *property, *value;
	unsigned line, priority;
};

struct layout {
	uint64_t node_size, child_size, value_size;
	size_t gap;
};

static const struct layout v1 = { 24, 16, 16 }, v2 = { 24, 16, 32, 2700 }, padded = { 40, 24, 48 };

struct tnode {
	char *prefix;
	struct tnode *child[256];
	const struct entry *values[4];
	unsigned n_values;
};

struct buf {
	uint8_t *p;
	size_t len;
	size_t trie; /* where the trie begins, after the gap */
};

static struct tnode *tnode_new(const char *prefix)
{
	struct tnode *n = calloc(1, sizeof(*n));

	assert_non_null(n);
	n->prefix = strdup(prefix);
	assert_non_null(n->prefix);
	return n;
}

static void tnode_free(struct tnode *n)
{
	if (!n)
		return;
	for (int c = 0; c < 256; c++)
		tnode_free(n->child[c]);
	free(n->prefix);
	free(n);
}

static void add_value(struct tnode *n, const struct entry *e)
{
	assert_true(n->n_values < sizeof(n->values) / sizeof(n->values[0]));
	n->values[n->n_values++] = e;
}

static void insert(struct tnode *n, const struct entry *e)
{
	const char *k = e->key;

	for (;;) {
		size_t p = 0;
		uint8_t c;

		while (n->prefix[p] && n->prefix[p] == k[p])
			p++;
		if (n->prefix[p]) {
			/* Split: the unmatched rest of the prefix becomes a child. */
			struct tnode *rest = tnode_new(n->prefix + p + 1);

			memcpy(rest->child, n->child, sizeof(n->child));
			memset(n->child, 0, sizeof(n->child));
			memcpy(rest->values, n->values, sizeof(n->values));
			rest->n_values = n->n_values;
			n->n_values = 0;
			n->child[(uint8_t)n->prefix[p]] = rest;
			n->prefix[p] = '\0';
		}
		k += p;
		if (!*k) {
			add_value(n, e);
			return;
		}
		c = (uint8_t)*k++;
		if (!n->child[c]) {
			n->child[c] = tnode_new(k);
			add_value(n->child[c], e);
			return;
		}
		n = n->child[c];
	}
}

static uint64_t put(struct buf *b, const void *data, size_t n)
{
	uint64_t off = b->len;

	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	if (data)
		memcpy(b->p + off, data, n);
	else
		memset(b->p + off, 0, n);
	b->len += n;
	return off;
}

static uint64_t put_str(struct buf *b, const char *s)
{
	return put(b, s, strlen(s) + 1);
}

static void set_le(struct buf *b, uint64_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		b->p[off + i] = v & 0xff;
}

static uint64_t emit(struct buf *b, const struct layout *l, const struct tnode *n, uint64_t file,
		     bool root)
{
	uint64_t kids[256], keys[4], texts[4], prefix, off;
	uint8_t chars[256];
	unsigned nc = 0;

	/* The root's empty prefix as udev's reader also takes it: offset 0. */
	prefix = root && !*n->prefix ? 0 : put_str(b, n->prefix);
	for (int c = 0; c < 256; c++)
		if (n->child[c]) {
			chars[nc] = c;
			kids[nc++] = emit(b, l, n->child[c], file, false);
		}
	for (unsigned i = 0; i < n->n_values; i++) {
		keys[i] = put_str(b, n->values[i]->property);
		texts[i] = put_str(b, n->values[i]->value);
	}
	off = put(b, NULL, l->node_size + nc * l->child_size + n->n_values * l->value_size);
	set_le(b, off, prefix, 8);
	b->p[off + 8] = nc;
	set_le(b, off + 16, n->n_values, 8);
	for (unsigned i = 0; i < nc; i++) {
		uint64_t e = off + l->node_size + i * l->child_size;

		b->p[e] = chars[i];
		set_le(b, e + 8, kids[i], 8);
	}
	for (unsigned i = 0; i < n->n_values; i++) {
		uint64_t e = off + l->node_size + nc * l->child_size + i * l->value_size;

		set_le(b, e, keys[i], 8);
		set_le(b, e + 8, texts[i], 8);
		if (l->value_size >= 32) {
			set_le(b, e + 16, file, 8);
			set_le(b, e + 24, n->values[i]->line, 4);
			set_le(b, e + 28, n->values[i]->priority, 2);
		}
	}
	return off;
}

static struct buf build(const struct entry *entries, size_t n, const struct layout *l)
{
	struct tnode *root = tnode_new("");
	struct buf b = { 0 };
	uint64_t file, root_off;

	for (size_t i = 0; i < n; i++)
		insert(root, &entries[i]);
	put(&b, NULL, 80 + l->gap);
	b.trie = b.len;
	file = put_str(&b, "/usr/lib/udev/hwdb.d/20-test.hwdb");
	root_off = emit(&b, l, root, file, true);
	tnode_free(root);
	memcpy(b.p, "KSLPHHRH", 8);
	set_le(&b, 8, 252, 8);
	set_le(&b, 16, b.len, 8);
	set_le(&b, 24, 80, 8);
	set_le(&b, 32, l->node_size, 8);
	set_le(&b, 40, l->child_size, 8);
	set_le(&b, 48, l->value_size, 8);
	set_le(&b, 56, root_off, 8);
	set_le(&b, 64, b.len - 80, 8);
	return b;
}

#define PCI_8086_10D3 "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00"
#define PCI_8086_10D3_QEMU "pci:v00008086d000010D3sv00001AF4sd00001100bc02sc00i00"
#define PCI_8086_10D4 "pci:v00008086d000010D4sv00001AF4sd00001100bc02sc00i00"
#define PCI_8086_UNKNOWN "pci:v00008086d00001234sv00001AF4sd00001100bc02sc00i00"
#define PCI_1AF4_1041 "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00"
#define PCI_1AF4_1042 "pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00"
#define PCI_15B3_101E "pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00"
#define PCI_FFFF "pci:v0000FFFFd0000FFFFsv0000FFFFsd0000FFFFbc02sc00i00"

#define VENDOR " ID_VENDOR_FROM_DATABASE"
#define MODEL " ID_MODEL_FROM_DATABASE"

static const struct entry db[] = {
	{ "pci:v00008086*", VENDOR, "Intel Corporation", 10 },
	{ "pci:v00008086d000010D3*", MODEL, "82574L Gigabit Network Connection", 11 },
	{ "pci:v00008086d000010D3sv00008086sd0000A01F*", MODEL,
	  "82574L Gigabit Network Connection (Gigabit CT Desktop Adapter)", 12 },
	/* Splits "000010D3" after "000010D": this node's prefix is "*". */
	{ "pci:v00008086d000010D4*", MODEL, "Other Intel device", 13 },
	{ "pci:v00001AF4*", VENDOR, "Red Hat, Inc.", 20 },
	/* Not a property: no leading space. udev skips it. */
	{ "pci:v00001AF4*", "ID_VENDOR_FROM_DATABASE", "unspaced", 20 },
	{ "pci:v00001AF4d00001041*", MODEL, "Virtio 1.0 network device", 21 },
	/* From an earlier line: udev keeps the device's model in v2 files, not in v1. */
	{ "pci:v00001AF4d00001041sv00001AF4sd00001100*", MODEL, "QEMU", 5 },
	/* From a file of higher priority: wins in v2 files despite its line. */
	{ "pci:v00001AF4d00001042*", MODEL, "Virtio block device", 22, 1 },
	{ "pci:v00001AF4d00001042sv00001AF4sd00001100*", MODEL, "QEMU block", 2, 2 },
	/* Alone below its vendor: the node's prefix is "B3*". */
	{ "pci:v000015B3*", VENDOR, "Mellanox Technologies", 30 },
	/* No '*': it matches only that very string. */
	{ "pci:v00008086d00001234", MODEL, "no glob", 14 },
	/* Globs udev would match: the exact walk must not. */
	{ "pci:v*d*sv*sd*bc02*", VENDOR, "class vendor", 40 },
	{ "pci:v*d*sv*sd*bc02*", MODEL, "class model", 40 },
	{ "pci:v00008086d*", MODEL, "any Intel device", 41 },
	{ "usb:v8086*", VENDOR, "Intel Corp.", 50 },
};

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/vfio-bind-hwdb-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/hwdb.bin", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void write_db(const struct fixture *fx, const uint8_t *p, size_t len)
{
	int fd;

	/* A new file each time: a truncated one costs a flush on ext4. */
	unlink(fx->path);
	fd = open(fx->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

static void assert_name(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void expect(struct vb_hwdb *h, const char *modalias, const char *vendor, const char *model)
{
	char *v, *m;

	vb_hwdb_names(h, modalias, &v, &m);
	assert_name(v, vendor);
	assert_name(m, model);
	free(v);
	free(m);
}

/* Open the database built from db in layout l. */
static struct vb_hwdb *open_db(const struct fixture *fx, const struct layout *l)
{
	struct buf b = build(db, sizeof(db) / sizeof(db[0]), l);
	struct vb_hwdb *h;

	write_db(fx, b.p, b.len);
	free(b.p);
	h = vb_hwdb_new(fx->path);
	assert_non_null(h);
	return h;
}

/* What every layout gives. */
static void expect_common(struct vb_hwdb *h)
{
	expect(h, PCI_8086_10D3, "Intel Corporation",
	       "82574L Gigabit Network Connection (Gigabit CT Desktop Adapter)");
	expect(h, PCI_8086_10D3_QEMU, "Intel Corporation", "82574L Gigabit Network Connection");
	expect(h, PCI_8086_10D4, "Intel Corporation", "Other Intel device");
	expect(h, PCI_8086_UNKNOWN, "Intel Corporation", NULL);
	expect(h, PCI_15B3_101E, "Mellanox Technologies", NULL);
	expect(h, PCI_FFFF, NULL, NULL);
	/* The vendor cache gives the same answer the second time. */
	expect(h, PCI_8086_10D3_QEMU, "Intel Corporation", "82574L Gigabit Network Connection");
	/* Named file: libudev cannot read it, so other buses get nothing. */
	expect(h, "usb:v8086p0001", NULL, NULL);
}

static void test_v2_file(void **state)
{
	struct vb_hwdb *h = open_db(*state, &v2);

	expect_common(h);
	expect(h, PCI_1AF4_1041, "Red Hat, Inc.", "Virtio 1.0 network device");
	expect(h, PCI_1AF4_1042, "Red Hat, Inc.", "QEMU block");
	vb_hwdb_free(h);
}

static void test_v1_file(void **state)
{
	struct vb_hwdb *h = open_db(*state, &v1);

	expect_common(h);
	/* No lines to rank by: the subsystem's entry, met last, wins. */
	expect(h, PCI_1AF4_1041, "Red Hat, Inc.", "QEMU");
	expect(h, PCI_1AF4_1042, "Red Hat, Inc.", "QEMU block");
	vb_hwdb_free(h);
}

static void test_strides_come_from_the_header(void **state)
{
	struct vb_hwdb *h = open_db(*state, &padded);

	expect_common(h);
	expect(h, PCI_1AF4_1041, "Red Hat, Inc.", "Virtio 1.0 network device");
	vb_hwdb_free(h);
}

static void test_no_database(void **state)
{
	struct fixture *fx = *state;

	/* A missing file, and lookups without a database. */
	assert_null(vb_hwdb_new(fx->path));
	expect(NULL, PCI_8086_10D3, NULL, NULL);
	write_db(fx, (const uint8_t *)"", 0);
	assert_null(vb_hwdb_new(fx->path));
}

/* Names from a damaged copy of the v2 file: either none, or no crash. */
static void lookup_damaged(const struct fixture *fx, const struct buf *b, size_t len, bool want_none)
{
	static const char *const modaliases[] = { PCI_8086_10D3, PCI_1AF4_1041, PCI_15B3_101E, PCI_FFFF };
	struct vb_hwdb *h;

	write_db(fx, b->p, len);
	h = vb_hwdb_new(fx->path);
	for (size_t i = 0; i < sizeof(modaliases) / sizeof(modaliases[0]); i++) {
		char *v, *m;

		vb_hwdb_names(h, modaliases[i], &v, &m);
		if (want_none) {
			assert_null(v);
			assert_null(m);
		}
		free(v);
		free(m);
	}
	vb_hwdb_free(h);
}

static void test_damaged_files_give_no_names(void **state)
{
	struct fixture *fx = *state;
	struct buf b = build(db, sizeof(db) / sizeof(db[0]), &v2);
	static const struct {
		size_t off, len;
		uint64_t v;
	} patches[] = {
		{ 0, 1, 'X' },			/* signature */
		{ 16, 8, 0 },			/* file size */
		{ 56, 8, UINT64_MAX },		/* root past the end */
		{ 32, 8, 8 },			/* records too small */
		{ 40, 8, 8 },
		{ 48, 8, 8 },
		{ 32, 8, UINT64_MAX / 2 },	/* records larger than the file */
		{ 40, 8, UINT64_MAX },
		{ 48, 8, UINT64_MAX - 15 },
	};
	uint8_t saved[8];
	size_t half = b.len / 2;

	for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		memcpy(saved, b.p + patches[i].off, patches[i].len);
		set_le(&b, patches[i].off, patches[i].v, patches[i].len);
		lookup_damaged(fx, &b, b.len, true);
		memcpy(b.p + patches[i].off, saved, patches[i].len);
	}
	/* Cut short: the header's size no longer matches. */
	lookup_damaged(fx, &b, half, true);
	/* Cut short with a matching size: the root, written last, is gone. */
	set_le(&b, 16, half, 8);
	lookup_damaged(fx, &b, half, true);
	free(b.p);
}

/* The next byte to damage: the header's after the signature, then the trie's. */
static size_t next_off(const struct buf *b, size_t off)
{
	return off + 1 == 80 ? b->trie : off + 1;
}

/*
 * Every byte broken in turn, every word made an offset near the end, every
 * length cut: no crash, no read past the end.
 */
static void test_damage_anywhere_is_survived(void **state)
{
	struct fixture *fx = *state;
	struct buf b = build(db, sizeof(db) / sizeof(db[0]), &v2);
	size_t len = b.len;
	uint8_t saved[8];

	for (size_t off = 8; off < len; off = next_off(&b, off)) {
		saved[0] = b.p[off];
		b.p[off] ^= 0xff;
		lookup_damaged(fx, &b, len, false);
		b.p[off] = saved[0];
	}
	for (size_t off = 8; off + 8 <= len; off = next_off(&b, off)) {
		memcpy(saved, b.p + off, 8);
		set_le(&b, off, len - 1, 8);
		lookup_damaged(fx, &b, len, false);
		memcpy(b.p + off, saved, 8);
	}
	for (size_t cut = b.trie; cut < len; cut++) {
		set_le(&b, 16, cut, 8);
		lookup_damaged(fx, &b, cut, false);
	}
	free(b.p);
}

static char *udev_property(struct udev_hwdb *hwdb, const char *modalias, const char *name)
{
	struct udev_list_entry *e;

	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(hwdb, modalias, 0))
		if (strcmp(udev_list_entry_get_name(e), name) == 0)
			return strdup(udev_list_entry_get_value(e));
	return NULL;
}

/* On a machine with udev's database: the same names as udev gives. */
static void test_names_match_udev(void **state)
{
	static const char *const modaliases[] = {
		PCI_8086_10D3,
		PCI_1AF4_1041,
		PCI_15B3_101E,
		"pci:v00001B36d00000010sv00001AF4sd00001100bc01sc08i02",
		"pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00",
		PCI_FFFF,
		"acpi:INTC1000:",
		"usb:v1D6Bp0002",
	};
	struct udev *udev;
	struct udev_hwdb *uhwdb;
	struct vb_hwdb *h;

	if (access(SYSTEM_HWDB, F_OK) < 0)
		skip();
	udev = udev_new();
	assert_non_null(udev);
	uhwdb = udev_hwdb_new(udev);
	assert_non_null(uhwdb);
	h = vb_hwdb_new(NULL);
	assert_non_null(h);
	for (size_t i = 0; i < sizeof(modaliases) / sizeof(modaliases[0]); i++) {
		char *vendor = udev_property(uhwdb, modaliases[i], "ID_VENDOR_FROM_DATABASE");
		char *model = udev_property(uhwdb, modaliases[i], "ID_MODEL_FROM_DATABASE");

		expect(h, modaliases[i], vendor, model);
		free(vendor);
		free(model);
	}
	vb_hwdb_free(h);
	udev_hwdb_unref(uhwdb);
	udev_unref(udev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strides_come_from_the_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_files_give_no_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_anywhere_is_survived, setup, teardown),
		cmocka_unit_test(test_names_match_udev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
