#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Buses other than PCI: a device-tree ARM board (an ethernet and an i2c
# controller on the platform bus, a UART on amba), an fsl-mc container and a
# cdx device. The same transaction, with vfio-platform's reset rule checked
# before anything is touched.

. "$(dirname "$0")/harness.sh"

ETH=fff51000.ethernet
I2C=12ce0000.i2c
UART=1c090000.serial
DPRC=dprc.2
CDX=cdx-00:00

# A device on BUS, laid out as the kernel does it, with an SMMU group.
fake_bus_device() { # BUS NAME MODALIAS GROUP [COMPATIBLE...]
	_bus=$1 _name=$2 _ma=$3 _g=$4
	shift 4
	_rel=devices/platform/soc/$_name
	mkdir -p "$S/$_rel" "$S/bus/$_bus/devices" "$S/bus/$_bus/drivers"
	if [ ! -e "$S/bus/$_bus/drivers_probe" ]; then
		: >"$S/bus/$_bus/drivers_probe"
		chmod 0200 "$S/bus/$_bus/drivers_probe"
	fi
	echo "$_ma" >"$S/$_rel/modalias"
	echo "(null)" >"$S/$_rel/driver_override"
	printf 'MODALIAS=%s\n' "$_ma" >"$S/$_rel/uevent"
	if [ $# -gt 0 ]; then
		mkdir -p "$S/$_rel/of_node"
		printf '%s\0' "$@" >"$S/$_rel/of_node/compatible"
	fi
	fake__ln "$S" "bus/$_bus" "$_rel/subsystem"
	fake__ln "$S" "$_rel" "bus/$_bus/devices/$_name"
	mkdir -p "$S/kernel/iommu_groups/$_g/devices"
	fake__ln "$S" "kernel/iommu_groups/$_g" "$_rel/iommu_group"
	fake__ln "$S" "$_rel" "kernel/iommu_groups/$_g/devices/$_name"
}

# A loaded host driver on BUS that takes devices whose modalias matches.
fake_bus_host_driver() { # BUS DRV MOD MATCH
	_dd=$S/bus/$1/drivers/$2
	mkdir -p "$_dd" "$S/module/$3/drivers" "$S/.fake/drivers/$2"
	for _f in bind unbind uevent; do
		: >"$_dd/$_f"
		chmod 0200 "$_dd/$_f"
	done
	echo live >"$S/module/$3/initstate"
	fake__ln "$S" "module/$3" "bus/$1/drivers/$2/module"
	fake__ln "$S" "bus/$1/drivers/$2" "module/$3/drivers/$1:$2"
	echo "$4" >"$S/.fake/drivers/$2/match"
}

fake_bus_bind() { # BUS DEV DRV
	_rel=$(cd "$S" && readlink -f "bus/$1/devices/$2" | sed "s|^$(pwd -P)/||")
	fake__ln "$S" "bus/$1/drivers/$3" "$_rel/driver"
	fake__ln "$S" "$_rel" "bus/$1/drivers/$3/$2"
}

bus_driver_of() { # BUS DEV
	if [ -L "$S/bus/$1/devices/$2/driver" ]; then
		basename "$(readlink "$S/bus/$1/devices/$2/driver")"
	else
		echo -
	fi
}

assert_bus_driver() { # BUS DEV DRV
	_got=$(bus_driver_of "$1" "$2")
	[ "$_got" = "$3" ] || fail "$2 is on driver '$_got', want '$3'"
}

assert_bus_override() { # BUS DEV VALUE
	_got=$(cat "$S/bus/$1/devices/$2/driver_override")
	[ "$_got" = "$3" ] || fail "$2 driver_override is '$_got', want '$3'"
}

# What loading a VFIO module registers on BUS: a driver that binds only
# through an override and needs an IOMMU group.
fake_bus_vfio_module() { # BUS MOD DRV
	mkdir -p "$S/.fake/modules/$2" "$S/.fake/drivers/$3"
	echo "$1:$3" >"$S/.fake/modules/$2/drivers"
	: >"$S/.fake/drivers/$3/match"
	: >"$S/.fake/drivers/$3/vfio"
}

# The board: DT platform devices, an amba UART, an fsl-mc container, a cdx device.
board() {
	fake_bus_device platform $ETH 'of:NethernetT(null)Csnps,dwmac-3.70aCsnps,dwmac' 10 \
		snps,dwmac-3.70a snps,dwmac
	fake_bus_device platform $I2C 'of:Ni2cT(null)Csamsung,s3c2440-i2c' 11 samsung,s3c2440-i2c
	fake_bus_device amba $UART 'amba:d00041011' 12 arm,pl011 arm,primecell
	fake_bus_device fsl-mc $DPRC 'fsl-mc:v00001957ddprc' 13
	fake_bus_device cdx $CDX 'cdx:v000010EEd00008084' 14
	fake_bus_host_driver platform stmmaceth stmmac_platform 'of:*snps,dwmac*'
	fake_bus_host_driver platform s3c-i2c i2c_s3c2410 'of:*s3c2440-i2c*'
	fake_bus_host_driver amba uart-pl011 amba_pl011 'amba:d00041011'
	fake_bus_host_driver fsl-mc fsl_mc_dprc fsl_mc_dprc 'fsl-mc:*dprc'
	fake_bus_host_driver cdx cdx-test cdx_test 'cdx:*'
	fake_bus_bind platform $ETH stmmaceth
	fake_bus_bind platform $I2C s3c-i2c
	fake_bus_bind amba $UART uart-pl011
	fake_bus_bind fsl-mc $DPRC fsl_mc_dprc
	fake_bus_bind cdx $CDX cdx-test
	fake_bus_vfio_module platform vfio_platform vfio-platform
	fake_bus_vfio_module amba vfio_amba vfio-amba
	fake_bus_vfio_module fsl-mc vfio_fsl_mc vfio-fsl-mc
	fake_bus_vfio_module cdx vfio_cdx vfio-cdx
	fake_bus_vfio_module cdx xlnx_vfio_cdx xlnx-vfio-cdx
	fake_module_index "$T" 'vfio_platform:' 'vfio_amba:' 'vfio_fsl_mc:' \
		'vfio_cdx:vfio_cdx:v*d*' 'xlnx_vfio_cdx:vfio_cdx:v000010EEd00008084' \
		'stmmac_platform:of:N*T*Csnps,dwmac*;' >/dev/null || fail "module index"
	remember
}

no_reset_required() {
	echo 'options vfio_platform reset_required=0' >"$T/modprobe.d/vfio-platform.conf"
}

test_platform_device_without_reset_handler_is_refused_untouched() {
	board
	vb --platform $ETH
	assert_rc 1
	assert_says 'reset'
	assert_says 'reset_required=0'
	assert_says 'snps,dwmac-3.70a'
	assert_unchanged
	assert_no_kernel_calls
}

test_platform_device_binds_when_no_reset_is_required() {
	board
	no_reset_required
	vb --platform $ETH
	assert_rc 0
	assert_bus_driver platform $ETH vfio-platform
	assert_bus_override platform $ETH vfio-platform
	assert_loaded vfio_platform
	ls "$T/config/platform-$ETH=of:"*.conf >/dev/null 2>&1 || fail "the binding is not saved"
	vb --unbind --platform $ETH
	assert_rc 0
	assert_bus_driver platform $ETH stmmaceth
	assert_bus_override platform $ETH "(null)"
	[ -z "$(ls "$T/config/"*.conf 2>/dev/null)" ] || fail "the binding is still saved"
}

test_platform_reset_module_alias_satisfies_the_reset_rule() {
	board
	fake_module_index "$T" 'vfio_platform:' 'vfio_platform_dwmac_reset:vfio-reset:snps,dwmac-3.70a;' \
		>/dev/null
	vb --platform $ETH
	assert_rc 0
	assert_bus_driver platform $ETH vfio-platform
	# Another device, with no reset module, is still refused.
	vb --platform $I2C
	assert_rc 1
	assert_bus_driver platform $I2C s3c-i2c
	assert_bus_override platform $I2C "(null)"
}

test_platform_loaded_module_parameter_decides_reset_rule() {
	board
	mkdir -p "$S/module/vfio_platform/parameters"
	echo N >"$S/module/vfio_platform/parameters/reset_required"
	echo live >"$S/module/vfio_platform/initstate"
	vb --platform $I2C
	# Loaded but its driver not registered in this tree: the bind fails saying so,
	# the device untouched, and not about a reset.
	assert_rc 1
	assert_bus_driver platform $I2C s3c-i2c
	assert_bus_override platform $I2C "(null)"
	assert_says "$I2C: module 'vfio_platform' registers no platform driver"
	cat "$T/out" "$T/err" | grep -qi 'reset' && fail "the loaded module's reset_required=N was not used"
	return 0
}

test_platform_probe_failure_rolls_back() {
	board
	no_reset_required
	fake_probe_fail "$S" vfio-platform EINVAL
	vb --platform $ETH
	assert_rc 1
	assert_bus_driver platform $ETH stmmaceth
	assert_bus_override platform $ETH "(null)"
}

test_platform_force_skips_the_reset_check() {
	board
	vb --platform --force $ETH
	assert_rc 0
	assert_bus_driver platform $ETH vfio-platform
}

test_amba_uart_goes_to_vfio_amba() {
	board
	vb --bus amba $UART
	assert_rc 0
	assert_bus_driver amba $UART vfio-amba
	vb --unbind --bus=amba $UART
	assert_rc 0
	assert_bus_driver amba $UART uart-pl011
}

test_fsl_mc_container_goes_to_vfio_fsl_mc() {
	board
	vb --bus fsl-mc $DPRC
	assert_rc 0
	assert_bus_driver fsl-mc $DPRC vfio-fsl-mc
}

test_fsl_mc_object_is_refused_naming_the_container() {
	board
	vb --bus fsl-mc dpni.1
	assert_rc 2
	assert_says 'not a fsl-mc device address|dprc'
	assert_unchanged
}

test_cdx_device_gets_its_variant_by_alias() {
	board
	vb --bus cdx $CDX
	assert_rc 0
	assert_bus_driver cdx $CDX xlnx-vfio-cdx
}

test_bus_names_and_device_names_are_checked() {
	board
	for args in '--bus nosuchbus x' '--bus ../pci 0000:00:02.0' '--bus pci/x 0000:00:02.0' \
		"--platform ../$ETH" '--platform a/b' '--platform .hidden' \
		'--platform --bus amba x' '--bus=platform --id 8086:10d3'; do
		# shellcheck disable=SC2086
		vb $args
		assert_rc 2
	done
	vb --platform "$(printf 'fff51000.eth\nernet')"
	assert_rc 2
	vb --platform 'fff51000 ethernet'
	assert_rc 2
	vb --platform fff52000.ethernet
	assert_rc 1
	assert_says 'no such device'
	assert_unchanged
}

test_list_shows_every_bus_with_modalias_identity() {
	board
	vb --list --json
	assert_rc 0
	_doc=$(tr -d '\n' <"$T/out")
	for want in "\"bus\": \"platform\", \"device\": \"$ETH\", \"id\": \"snps,dwmac-3.70a\"" \
		"\"bus\": \"amba\", \"device\": \"$UART\", \"id\": \"d00041011\"" \
		"\"bus\": \"fsl-mc\", \"device\": \"$DPRC\", \"id\": \"1957:dprc\"" \
		"\"bus\": \"cdx\", \"device\": \"$CDX\", \"id\": \"10ee:8084\"" \
		"\"bus\": \"pci\", \"device\": \"0000:00:02.0\""; do
		echo "$_doc" | grep -qF "$want" || fail "--list does not show: $want"
	done
	vb --list --bus platform
	assert_rc 0
	assert_stdout_says "$ETH +snps,dwmac-3.70a +stmmaceth"
	grep -q 0000:00:02.0 "$T/out" && fail "--bus platform listed a PCI device"
	return 0
}

test_restore_reapplies_a_platform_binding() {
	board
	no_reset_required
	vb --platform $ETH
	assert_rc 0
	rm -f "$S/bus/platform/devices/$ETH/driver" "$S/bus/platform/drivers/vfio-platform/$ETH"
	echo "(null)" >"$S/bus/platform/devices/$ETH/driver_override"
	fake_bus_bind platform $ETH stmmaceth
	vb --restore
	assert_rc 0
	assert_bus_driver platform $ETH vfio-platform
}

# A device-tree modalias lists every compatible: N compatibles of ~30 chars.
long_modalias() { # N [VARIANT]
	printf 'of:NbusT(null)'
	_i=0
	while [ $_i -lt "$1" ]; do
		printf 'Cacme%s,soc-interconnect-bus-rev%02d' "${2:-}" $_i
		_i=$((_i + 1))
	done
}

LONG=fe300000.bus

# An entry named BUS-DEVICE=MODALIAS.conf would pass NAME_MAX: it is saved by
# its address alone, the modalias inside, which --restore and udev compare.
test_platform_device_with_a_long_modalias_is_saved_by_its_address() {
	board
	no_reset_required
	_ma=$(long_modalias 9)
	[ ${#_ma} -gt 290 ] || fail "the modalias is only ${#_ma} long"
	fake_bus_device platform $LONG "$_ma" 15 acme,soc-interconnect-bus-rev00
	fake_bus_host_driver platform acme-bus acme_bus 'of:*acme,soc-interconnect-bus*'
	fake_bus_bind platform $LONG acme-bus
	vb --platform $LONG
	assert_rc 0
	assert_bus_driver platform $LONG vfio-platform
	_f=$T/config/platform-$LONG.conf
	[ -f "$_f" ] || fail "not saved as platform-$LONG.conf: $(ls "$T/config")"
	grep -qxF "VFIO_BIND_MODALIAS=$_ma" "$_f" || fail "the modalias is not kept inside: $(cat "$_f")"
	[ "$(ls "$T/config" | grep -c "^platform-$LONG")" = 1 ] || fail "more than one entry: $(ls "$T/config")"
	# Back on its host driver (a reboot, or by hand): --restore and udev take it again.
	rm -f "$S/bus/platform/devices/$LONG/driver" "$S/bus/platform/drivers/vfio-platform/$LONG"
	echo "(null)" >"$S/bus/platform/devices/$LONG/driver_override"
	fake_bus_bind platform $LONG acme-bus
	vb --udev-export --platform $LONG
	assert_rc 0
	grep -qx 'VFIO_BIND_DRIVER=vfio-platform' "$T/out" || fail "udev is not given the binding"
	vb --restore
	assert_rc 0
	assert_bus_driver platform $LONG vfio-platform
	# A different device at that address: neither --restore nor udev takes it.
	rm -f "$S/bus/platform/devices/$LONG/driver" "$S/bus/platform/drivers/vfio-platform/$LONG"
	echo "(null)" >"$S/bus/platform/devices/$LONG/driver_override"
	fake_bus_bind platform $LONG acme-bus
	_other=$(long_modalias 9 x)
	echo "$_other" >"$S/bus/platform/devices/$LONG/modalias"
	printf 'MODALIAS=%s\n' "$_other" >"$S/bus/platform/devices/$LONG/uevent"
	vb --restore --platform $LONG
	assert_rc 1
	assert_says 'a different device sits here now'
	assert_bus_driver platform $LONG acme-bus
	vb --udev-export --platform $LONG
	assert_rc 1
	[ ! -s "$T/out" ] || fail "a binding saved for another device reached udev: $(cat "$T/out")"
	# Not on VFIO: nothing to hand back, but the saved entry goes.
	vb --unbind --platform $LONG
	assert_rc 0
	assert_says "$LONG: not on a VFIO driver \\(on acme-bus\\), nothing to do"
	assert_bus_driver platform $LONG acme-bus
	assert_bus_override platform $LONG "(null)"
	[ ! -e "$_f" ] || fail "--unbind did not forget it"
}

# Short enough to keep, too long to be a file's name with the address.
test_platform_device_whose_entry_name_would_pass_name_max_binds() {
	board
	no_reset_required
	_ma=$(long_modalias 7)
	fake_bus_device platform $LONG "$_ma" 15
	fake_bus_host_driver platform acme-bus acme_bus 'of:*acme,soc-interconnect-bus*'
	fake_bus_bind platform $LONG acme-bus
	vb --platform $LONG
	assert_rc 0
	assert_bus_driver platform $LONG vfio-platform
	grep -qxF "VFIO_BIND_MODALIAS=$_ma" "$T/config/platform-$LONG.conf" ||
		fail "not saved by its address with its modalias: $(ls "$T/config")"
	# A short one keeps the name the udev rule looks for first.
	vb --platform $ETH
	assert_rc 0
	ls "$T/config/platform-$ETH=of:"*.conf >/dev/null 2>&1 || fail "$ETH is not saved by its modalias"
}

fake_main "$@"
