/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* Longest device or driver name accepted; real ones are far shorter. */
#define VB_NAME_MAX 128

/*
 * A name that is safe to put in a sysfs path and to write into a sysfs
 * attribute: no '/', no "..", no whitespace or control characters.
 */
bool vb_name_is_valid(const char *name);

/*
 * "0000:03:00.0", "03:00.0" (domain 0) or upper case forms to the kernel's
 * "0000:03:00.0". -EINVAL for anything else.
 */
int vb_pci_address_canonical(const char *arg, char *ret, unsigned size);
