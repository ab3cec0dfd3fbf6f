// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "hex.h"

int vb_hex_field(const char **s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned v = 0, n = 0;
	int d;

	if (max > 8)
		max = 8;
	for (; n < max && (d = vb_hex_value(**s)) >= 0; n++, (*s)++)
		v = v << 4 | (unsigned)d;
	if (n < min || n == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vb_hex_parse(const char *s, unsigned *ret)
{
	unsigned v;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (vb_hex_field(&s, 1, 8, &v) < 0 || *s)
		return -EINVAL;
	*ret = v;
	return 0;
}

void vb_hex_digits(char *out, unsigned v, unsigned digits, bool upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (unsigned i = 0; i < digits; i++)
		out[digits - 1 - i] = hex[(v >> (4 * i)) & 0xf];
}
