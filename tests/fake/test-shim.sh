#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fake kernel itself: plain dd writes and kmod's own tools under the
# shim must meet the real driver core. No binary needed.

FAKE_NO_BINARY=1
. "$(dirname "$0")/harness.sh"

D=0000:00:02.0

# kw FILE VALUE: one write() of VALUE to FILE, as `echo -n VALUE > FILE`.
kw() {
	shim_run sh -c 'printf "%s" "$2" | dd of="$1" conv=notrunc status=none' \
		sh "$1" "$2"
}

dev() {
	echo "$S/bus/pci/devices/$1"
}

drv() {
	echo "$S/bus/pci/drivers/$1"
}

ok() {
	[ "$rc" = 0 ] || fail "$fake_cmd failed"
}

# The write failed with the errno whose strerror() text is given.
fails_with() { # TEXT
	[ "$rc" != 0 ] || fail "$fake_cmd succeeded, want '$1'"
	grep -q "$1" "$T/err" || fail "$fake_cmd: want '$1'"
}

literal_null() {
	[ -e "$S/.fake/devices/$1/override_null" ]
}

test_shim_override_semantics() {
	kw "$(dev $D)/driver_override" "vfio-pci
"
	ok
	assert_override $D vfio-pci
	# Cut at the first newline, as driver_set_override() does.
	kw "$(dev $D)/driver_override" "$(printf 'a\nb')"
	assert_override $D a
	kw "$(dev $D)/driver_override" "
"
	assert_override $D "(null)"
	! literal_null $D || fail "\\n stored the text (null)"
	kw "$(dev $D)/driver_override" "(null)"
	assert_override $D "(null)"
	literal_null $D || fail "(null) did not store the text"
	# The text blocks every driver, even the one the ids match.
	kw "$(dev $D)/driver/unbind" $D
	kw "$S/bus/pci/drivers_probe" $D
	ok
	assert_driver $D -
	kw "$(dev $D)/driver_override" "
"
	! literal_null $D || fail "\\n did not clear the text (null)"
	kw "$S/bus/pci/drivers_probe" $D
	assert_driver $D e1000e
}

test_shim_bind_and_unbind_errors() {
	kw "$(drv virtio-pci)/unbind" $D
	fails_with "No such device"
	assert_driver $D e1000e
	kw "$(dev $D)/driver/unbind" "$D
"
	ok
	assert_driver $D -
	[ ! -e "$(drv e1000e)/$D" ] || fail "e1000e still links the device"
	kw "$(drv e1000e)/unbind" $D
	fails_with "No such device"
	# An override naming another driver: no match.
	kw "$(dev $D)/driver_override" mlx5_vfio_pci
	kw "$(drv e1000e)/bind" $D
	fails_with "No such device"
	kw "$(dev $D)/driver_override" "
"
	# No override and ids that do not match.
	kw "$(drv virtio-pci)/bind" $D
	fails_with "No such device"
	kw "$(drv e1000e)/bind" $D
	ok
	assert_driver $D e1000e
	[ -L "$(drv e1000e)/$D" ] || fail "e1000e does not link the device"
	kw "$(drv e1000e)/bind" $D
	fails_with "Device or resource busy"
	kw "$(drv e1000e)/bind" 0000:00:1f.7
	fails_with "No such device"
	# Injected probe failure: the probe's own errno, left unbound.
	fake_probe_fail "$S" e1000e EINVAL $D
	kw "$(dev $D)/driver/unbind" $D
	kw "$(drv e1000e)/bind" $D
	fails_with "Invalid argument"
	assert_driver $D -
}

test_shim_drivers_probe_always_succeeds() {
	# The override names a driver nobody registered.
	kw "$(dev $D)/driver_override" vfio-pci
	kw "$(dev $D)/driver/unbind" $D
	kw "$S/bus/pci/drivers_probe" $D
	ok
	assert_driver $D -
	kw "$(dev $D)/driver_override" "
"
	fake_probe_fail "$S" e1000e EIO
	kw "$S/bus/pci/drivers_probe" $D
	ok
	assert_driver $D -
	rm "$S/.fake/drivers/e1000e/probe_fail"
	kw "$S/bus/pci/drivers_probe" $D
	ok
	assert_driver $D e1000e
	# Only a device that does not exist is an error.
	kw "$S/bus/pci/drivers_probe" 0000:00:1f.7
	fails_with "No such device"
}

test_shim_vfio_probe_needs_iommu_group() {
	vf=0000:03:00.1
	fake_iommu_off "$S"
	kw "$(dev $vf)/driver_override" mlx5_vfio_pci
	kw "$(dev $vf)/driver/unbind" $vf
	kw "$(drv mlx5_vfio_pci)/bind" $vf
	fails_with "Invalid argument"
	assert_driver $vf -
	# Unsafe no-IOMMU mode: vfio makes a group of its own.
	fake_noiommu "$S" Y
	kw "$(drv mlx5_vfio_pci)/bind" $vf
	ok
	assert_driver $vf mlx5_vfio_pci
	g=$(readlink -f "$(dev $vf)/iommu_group")
	[ -L "$g/devices/$vf" ] || fail "no noiommu group"
	kw "$(dev $vf)/driver/unbind" $vf
	ok
	[ ! -e "$g" ] || fail "the noiommu group outlived the binding"
	# Bridges are refused by vfio-pci's probe.
	fake_noiommu "$S" N
	kw "$(dev 0000:00:1c.0)/driver_override" mlx5_vfio_pci
	kw "$(dev 0000:00:1c.0)/driver/unbind" 0000:00:1c.0
	kw "$(drv mlx5_vfio_pci)/bind" 0000:00:1c.0
	fails_with "Invalid argument"
}

test_shim_module_load_registers_driver() {
	mods=$T/modules
	PATH=$PATH:/usr/sbin:/sbin
	command -v modprobe >/dev/null || skip "no modprobe"
	# vfio-pci's arrival takes the unbound device its override names.
	kw "$(dev 0000:00:03.0)/driver_override" vfio-pci
	kw "$(dev 0000:00:03.0)/driver/unbind" 0000:00:03.0
	shim_run modprobe -d "$mods" -S "$FAKE_KVER" vfio_pci
	ok
	assert_loaded vfio_pci
	[ -L "$S/module/vfio_pci/drivers/pci:vfio-pci" ] ||
		fail "no module/vfio_pci/drivers/pci:vfio-pci"
	[ -f "$(drv vfio-pci)/bind" ] || fail "vfio-pci is not registered"
	assert_driver 0000:00:03.0 vfio-pci
	# libkmod asks /sys/module, which the shim points at the tree.
	shim_run modprobe -d "$mods" -S "$FAKE_KVER" --first-time vfio_pci
	fails_with "already in kernel"
	shim_run insmod "$(fake_ko "$T" vfio_pci)"
	fails_with "File exists"
	fake_load_fail "$S" e1000e_vfio_pci EKEYREJECTED
	shim_run modprobe -d "$mods" -S "$FAKE_KVER" e1000e_vfio_pci
	fails_with "Key was rejected"
	assert_not_loaded e1000e_vfio_pci
	shim_run modprobe -d "$mods" -S "$FAKE_KVER" -r vfio_pci
	ok
	assert_not_loaded vfio_pci
	assert_driver 0000:00:03.0 -
}

test_shim_refuses_real_system_writes() {
	FAKE_ALLOW_VIOLATIONS=1
	shim_run sh -c 'echo x >/sys/vfio-bind-fake-test'
	[ "$rc" != 0 ] || fail "a write to /sys went through"
	grep -q "/sys/vfio-bind-fake-test" "$S/.fake/violations" ||
		fail "the write to /sys was not reported"
	shim_run sh -c 'cd /sys/kernel && echo x >../vfio-bind-fake-test'
	[ "$rc" != 0 ] || fail "a relative write to /sys went through"
	PATH=$PATH:/usr/sbin:/sbin
	command -v insmod >/dev/null || skip "no insmod"
	for root in "" /sys "$T"; do
		shim_run env VFIO_BIND_SYSFS="$root" insmod "$(fake_ko "$T" nvme)"
		[ "$rc" != 0 ] || fail "insmod with VFIO_BIND_SYSFS='$root' worked"
		grep -q REFUSED "$T/err" || fail "insmod was not refused"
	done
}

test_shim_write_to_removed_device_fails() {
	fake_vanish_on "$S" $D unbind
	shim_run sh -c '
		exec 3<>"$1/driver_override"
		printf %s "$2" | dd of="$1/driver/unbind" conv=notrunc status=none
		[ -e "$1" ] && exit 3
		printf x | dd of=/dev/fd/3 conv=notrunc status=none' sh "$(dev $D)" $D
	[ "$rc" != 3 ] || fail "the device did not vanish"
	fails_with "No such device"
	[ ! -e "$S/devices/pci0000:00/$D" ] || fail "the device directory is left"
	[ ! -e "$S/kernel/iommu_groups/1" ] || fail "its empty group is left"
}

fake_main "$@"
