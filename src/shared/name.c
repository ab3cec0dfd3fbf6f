// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "name.h"

bool vb_name_is_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len > VB_NAME_MAX || strstr(name, ".."))
		return false;
	if (name[0] == '.' || name[0] == '-')
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* Device names on every bus keep to these (fff51000.ethernet, QEMU0002:00, dprc.2). */
		if (!isalnum(c) && !strchr("._:-+@,", c))
			return false;
	}
	return true;
}

int vb_pci_address_canonical(const char *arg, char *ret, unsigned size)
{
	unsigned domain = 0, bus, dev, fn;
	const char *s = arg;
	int colons = 0;

	if (!arg)
		return -EINVAL;
	for (const char *p = arg; *p; p++)
		colons += *p == ':';
	/* VMD domains start at 0x10000, so up to 8 digits. */
	if (colons == 2 && (vb_hex_field(&s, 1, 8, &domain) < 0 || *s++ != ':'))
		return -EINVAL;
	if (colons != 1 && colons != 2)
		return -EINVAL;
	if (vb_hex_field(&s, 1, 2, &bus) < 0 || *s++ != ':')
		return -EINVAL;
	if (vb_hex_field(&s, 1, 2, &dev) < 0 || dev > 0x1f || *s++ != '.')
		return -EINVAL;
	if (vb_hex_field(&s, 1, 1, &fn) < 0 || fn > 7 || *s)
		return -EINVAL;
	if ((unsigned)snprintf(ret, size, "%04x:%02x:%02x.%x", domain, bus, dev, fn) >= size)
		return -EINVAL;
	return 0;
}
