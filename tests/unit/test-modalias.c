// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "modalias.h"

static void test_pci_modalias_gives_ids_and_class(void **state)
{
	struct vb_pci_ids ids;

	assert_int_equal(vb_modalias_parse_pci("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", &ids), 0);
	assert_int_equal(ids.vendor, 0x8086);
	assert_int_equal(ids.device, 0x10d3);
	assert_int_equal(ids.subvendor, 0x8086);
	assert_int_equal(ids.subdevice, 0xa01f);
	assert_int_equal(ids.class, 0x020000);

	assert_int_equal(vb_modalias_parse_pci("pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00", &ids), 0);
	assert_int_equal(ids.vendor, 0x15b3);
	assert_int_equal(ids.device, 0x101e);
	assert_int_equal(ids.class, 0x020000);
}

static void test_garbage_modalias_is_refused(void **state)
{
	const char *bad[] = {
		"",
		"pci:",
		"platform:serial8250",
		"pci:v00008086d000010D3",
		"pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i0",
		"pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00x",
		"pci:vXXXX8086d000010D3sv00008086sd0000A01Fbc02sc00i00",
		"vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*",
	};
	struct vb_pci_ids ids = { .vendor = 0x1234 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vb_modalias_parse_pci(bad[i], &ids), -EINVAL);
	assert_int_equal(vb_modalias_parse_pci(NULL, &ids), -EINVAL);
	/* Output untouched on failure. */
	assert_int_equal(ids.vendor, 0x1234);
}

static void described(const char *modalias, const char *want)
{
	char *got = vb_modalias_describe(modalias);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_every_bus_modalias_is_described(void **state)
{
	described("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "8086:10d3");
	described("of:NethernetT(null)Csnps,dwmac-3.70aCsnps,dwmac", "snps,dwmac-3.70a");
	described("of:Ni2cT<NULL>Csamsung,s3c2440-i2c", "samsung,s3c2440-i2c");
	described("of:NfooT(null)", NULL);
	described("acpi:QEMU0002:", "QEMU0002");
	described("acpi:PNP0A03:PNP0A08:", "PNP0A03");
	described("platform:serial8250", "serial8250");
	described("amba:d00041011", "d00041011");
	described("fsl-mc:v00001957ddprc", "1957:dprc");
	described("cdx:v00001234d00005678", "1234:5678");
	described("usb:v1D6Bp0002", NULL);
	described("pci:garbage", NULL);
	described(NULL, NULL);
}

static void first_compatible(const char *modalias, const char *want)
{
	char *got = vb_modalias_of_first_compatible(modalias);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* N, then T, then the C fields: a 'C' or 'T' inside the name is not a separator. */
static void test_of_first_compatible_follows_the_structure(void **state)
{
	first_compatible("of:NethernetT(null)Csnps,dwmac-3.70aCsnps,dwmac", "snps,dwmac-3.70a");
	first_compatible("of:Ni2cT<NULL>Csamsung,s3c2440-i2c", "samsung,s3c2440-i2c");
	first_compatible("of:NserialTserialCns16550a", "ns16550a");
	first_compatible("of:NCANT(null)Cfsl,imx6q-flexcanCfsl,imx25-flexcan", "fsl,imx6q-flexcan");
	first_compatible("of:NfooCbarT(null)Cvendor,dev", "vendor,dev");
	first_compatible("of:NaTbCcT(null)Cvendor,dev", "vendor,dev");
	first_compatible("of:NcpuTcpuCarm,cortex-a53", "arm,cortex-a53");
	first_compatible("of:NfooT(null)", NULL);
	first_compatible("of:NfooT(null)C", NULL);
	first_compatible("of:Nfoo", NULL);
	first_compatible("platform:of:NfooT(null)Cx,y", NULL);
	first_compatible("acpi:PNP0501:", NULL);
	first_compatible(NULL, NULL);
	/* --list says the same. */
	described("of:NCANT(null)Cfsl,imx6q-flexcan", "fsl,imx6q-flexcan");
	described("of:NfooCbarT(null)Cvendor,dev", "vendor,dev");
	described("of:NaTbCcT(null)Cvendor,dev", "vendor,dev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_modalias_gives_ids_and_class),
		cmocka_unit_test(test_garbage_modalias_is_refused),
		cmocka_unit_test(test_every_bus_modalias_is_described),
		cmocka_unit_test(test_of_first_compatible_follows_the_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
