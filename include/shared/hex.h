/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* The value of a hex digit, either case, or -1. No <ctype.h>: no locale to ask. */
static inline int vb_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse min to max (at most 8) hex digits at *s, either case, and move *s past
 * them. -EINVAL when fewer than min are there. What follows is the caller's to
 * check: "v00008086d..." is read 8 digits at a time.
 */
int vb_hex_field(const char **s, unsigned min, unsigned max, unsigned *ret);

/* A whole string of 1 to 8 hex digits, "0x" allowed first (sysfs "flags": "0x1003"). */
int vb_hex_parse(const char *s, unsigned *ret);

/*
 * v's low digits hex digits into out (no terminator), upper or lower case:
 * the ids of thousands of listed devices, without printf.
 */
void vb_hex_digits(char *out, unsigned v, unsigned digits, bool upper);
