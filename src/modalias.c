// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "modalias.h"

/* Read a tag followed by exactly digits upper/lower-case hex digits. */
static int field(const char **s, const char *tag, unsigned digits, unsigned *ret)
{
	size_t n = strlen(tag);
	unsigned v = 0;

	if (strncmp(*s, tag, n) != 0)
		return -EINVAL;
	*s += n;
	for (unsigned i = 0; i < digits; i++, (*s)++) {
		int c = tolower((unsigned char)**s);

		if (!isxdigit(c))
			return -EINVAL;
		v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*ret = v;
	return 0;
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
