/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * A PCI class code (base class, subclass, programming interface: 0x010802) in
 * words, as the PCI class code table names it: the subclass's name where it
 * has a common one ("Non-Volatile memory controller"), else the base class's
 * ("Mass storage controller"). NULL for a base class that has none.
 */
const char *vb_pci_class_name(unsigned class);

/*
 * The kinds --list --class takes ("net", "storage", "gpu", ...): whether
 * class is of that kind. -EINVAL for a kind that is not one of them.
 */
int vb_pci_class_is(const char *kind, unsigned class, bool *ret);

/* The kinds, space-separated, for messages and completions. */
const char *vb_pci_class_kinds(void);
