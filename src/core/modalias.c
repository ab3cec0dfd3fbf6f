// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modalias.h"
#include "sysfs.h"

/* Read a tag followed by exactly digits upper/lower-case hex digits. */
static int field(const char **s, const char *tag, unsigned digits, unsigned *ret)
{
	for (; *tag; tag++, (*s)++)
		if (**s != *tag)
			return -EINVAL;
	return vb_hex_field(s, digits, digits, ret);
}

void vb_pci_ids_id(const struct vb_pci_ids *ids, char ret[10])
{
	vb_hex_digits(ret, ids->vendor, 4, true);
	ret[4] = ':';
	vb_hex_digits(ret + 5, ids->device, 4, true);
	ret[9] = '\0';
}

int vb_modalias_parse_pci(const char *modalias, struct vb_pci_ids *ret)
{
	struct vb_pci_ids ids;
	const char *s = modalias;
	unsigned bc, sc, pi;

	if (!s || field(&s, "pci:v", 8, &ids.vendor) < 0 || field(&s, "d", 8, &ids.device) < 0 ||
	    field(&s, "sv", 8, &ids.subvendor) < 0 || field(&s, "sd", 8, &ids.subdevice) < 0 ||
	    field(&s, "bc", 2, &bc) < 0 || field(&s, "sc", 2, &sc) < 0 || field(&s, "i", 2, &pi) < 0 ||
	    *s)
		return -EINVAL;
	ids.class = bc << 16 | sc << 8 | pi;
	*ret = ids;
	return 0;
}

/*
 * The kernel writes "of:N<name>T<type>" and then "C<compatible>" for each
 * compatible, with nothing escaped. A node without device_type has the type
 * "(null)" ("<NULL>" on old kernels): found first, so that a 'T' or 'C' in
 * the name cannot pass for a separator. Else names and types are lower case
 * by convention, and the first 'T' ends the name, the next 'C' the type.
 */
char *vb_modalias_of_first_compatible(const char *modalias)
{
	static const char *const null_types[] = { "T(null)C", "T<NULL>C" };
	const char *name, *type = NULL, *c;
	size_t len;

	if (!modalias || strncmp(modalias, "of:N", 4) != 0)
		return NULL;
	name = modalias + 4;
	for (size_t i = 0; i < sizeof(null_types) / sizeof(null_types[0]) && !type; i++)
		type = strstr(name, null_types[i]);
	if (!type)
		type = strchr(name, 'T');
	c = type ? strchr(type + 1, 'C') : NULL;
	if (!c)
		return NULL;
	len = strcspn(c + 1, "C");
	return len ? strndup(c + 1, len) : NULL;
}

/* "v00001234d00005678..." style hex fields to "1234:5678". */
static char *vendor_device(const char *s, const char *vtag, const char *dtag)
{
	unsigned v, d;
	char *out;

	if (field(&s, vtag, 8, &v) < 0 || field(&s, dtag, 8, &d) < 0)
		return NULL;
	/* By hand: once a device in a listing, where printf costs more than the rest. */
	out = malloc(10);
	if (!out)
		return NULL;
	vb_hex_digits(out, v, 4, false);
	out[4] = ':';
	vb_hex_digits(out + 5, d, 4, false);
	out[9] = '\0';
	return out;
}

char *vb_modalias_describe(const char *modalias)
{
	const char *s = modalias;

	if (!s)
		return NULL;
	if (strncmp(s, "pci:", 4) == 0)
		return vendor_device(s + 4, "v", "d");
	if (strncmp(s, "cdx:", 4) == 0)
		return vendor_device(s + 4, "v", "d");
	if (strncmp(s, "of:", 3) == 0)
		return vb_modalias_of_first_compatible(s);
	if (strncmp(s, "acpi:", 5) == 0)
		return strndup(s + 5, strcspn(s + 5, ":"));
	if (strncmp(s, "platform:", 9) == 0)
		return strdup(s + 9);
	if (strncmp(s, "amba:", 5) == 0)
		return strdup(s + 5);
	if (strncmp(s, "fsl-mc:", 7) == 0) {
		unsigned v;

		s += 7;
		if (field(&s, "v", 8, &v) < 0 || *s != 'd')
			return NULL;
		return vb_path("%04x:%s", v & 0xffff, s + 1);
	}
	return NULL;
}
