/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "hex.h"

/* The identity a PCI modalias carries. */
struct vb_pci_ids {
	unsigned vendor, device, subvendor, subdevice;
	unsigned class; /* base class, subclass, prog-if: 0x020000 */
};

/*
 * Parse "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00".
 * -EINVAL for anything else.
 */
int vb_modalias_parse_pci(const char *modalias, struct vb_pci_ids *ret);

/*
 * A short identity for --list from any bus's modalias: "8086:10d3" (pci, cdx),
 * the first compatible (of:), the ACPI ID (acpi:), the name (platform:),
 * "d00041011" (amba:), "1957:dprc" (fsl-mc:). NULL when it has no known form.
 */
char *vb_modalias_describe(const char *modalias);

/*
 * The first compatible of a device-tree modalias
 * ("of:NethernetT(null)Csnps,dwmac-3.70aCsnps,dwmac" gives "snps,dwmac-3.70a"),
 * or NULL. The only reader of that format: --list and the reset rule agree.
 */
char *vb_modalias_of_first_compatible(const char *modalias);

/* "8086:10D3": the vendor and device as saved ID rules hold them (upper case). */
void vb_pci_ids_id(const struct vb_pci_ids *ids, char ret[10]);
