#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A kernel with VFIO's device cdev (6.6 on, built with iommufd) gives each device
# on a VFIO driver its own node, /dev/vfio/devices/vfioN, which QEMU and DPDK open
# through iommufd without the group. A process holding only that node holds the
# device: every holder check must find it. The model makes the node as a plain file
# under the fake devfs when a VFIO driver probes (fake_vfio_cdev).

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0

# A VM that opened the e1000e through its cdev (and bound it to /dev/iommu): no group.
fake_vm_holding_cdev() {
	mkdir -p "$T/proc/4343/fd"
	echo qemu-iommufd >"$T/proc/4343/comm"
	ln -s "$T/dev/vfio/devices/vfio0" "$T/proc/4343/fd/9"
	ln -s /dev/iommu "$T/proc/4343/fd/10"
}

# The e1000e on its VFIO driver with a cdev, which that VM holds; the tree remembered.
e1000e_bound_and_held_through_its_cdev() {
	fake_proc
	fake_vfio_cdev "$S"
	vb $E1000E
	assert_rc 0
	fake_vm_holding_cdev
	remember
}

json_has() { # KEY VALUE: the one device's object in $T/out has "KEY": "VALUE"
	tr -d '\n' <"$T/out" | grep -q "\"$1\": \"$2\"" || fail "no \"$1\": \"$2\" in: $(cat "$T/out")"
}

test_bind_names_the_device_cdev() {
	fake_vfio_cdev "$S"
	vb $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ -e "$T/dev/vfio/devices/vfio0" ] || fail "the model made no cdev"
	assert_stdout_says "$E1000E: e1000e -> e1000e-vfio-pci .*, $T/dev/vfio/1 and $T/dev/vfio/devices/vfio0\$"
	vb --json $VIRTIO
	assert_rc 0
	json_has vfio_group_node "$T/dev/vfio/2"
	json_has vfio_cdev "$T/dev/vfio/devices/vfio1"
}

test_list_shows_the_device_cdev() {
	fake_vfio_cdev "$S"
	vb $E1000E
	assert_rc 0
	vb --list --json $E1000E
	assert_rc 0
	json_has vfio_group_node "$T/dev/vfio/1"
	json_has vfio_cdev "$T/dev/vfio/devices/vfio0"
	vb --unbind $E1000E
	assert_rc 0
	vb --list --json $E1000E
	assert_rc 0
	grep -q '"vfio_cdev": null' "$T/out" || fail "a device off VFIO still shows a cdev: $(cat "$T/out")"
}

# 6.1 to 6.5 have DEV/vfio-dev/vfioN too, but without a dev file: no cdev then.
test_no_cdev_without_its_dev_file() {
	vb $E1000E
	assert_rc 0
	mkdir -p "$S/devices/pci0000:00/$E1000E/vfio-dev/vfio0"
	vb --list --json $E1000E
	assert_rc 0
	grep -q '"vfio_cdev": null' "$T/out" || fail "a cdev shown with no dev file: $(cat "$T/out")"
	grep -q 'devices/vfio' "$T/out" && fail "a cdev named: $(cat "$T/out")"
	return 0
}

# No-IOMMU mode: the group node is noiommu-N, and the kernel gives such a device no
# cdev (6.12's vfio_device_add()).
test_noiommu_device_has_its_group_node_and_no_cdev() {
	fake_vfio_cdev "$S"
	fake_iommu_off "$S"
	fake_noiommu "$S" Y
	vb $E1000E
	assert_rc 0
	assert_stdout_says "e1000e-vfio-pci \(module e1000e_vfio_pci\), $T/dev/vfio/noiommu-0\$"
	vb --list --json $E1000E
	assert_rc 0
	json_has vfio_group_node "$T/dev/vfio/noiommu-0"
	grep -q '"vfio_cdev": null' "$T/out" || fail "a no-IOMMU device shows a cdev: $(cat "$T/out")"
}

test_unbind_of_a_device_held_through_its_cdev_is_refused() {
	e1000e_bound_and_held_through_its_cdev
	vb --unbind $E1000E
	assert_rc 1
	assert_says "held open by process 4343 \(qemu-iommufd\) through $T/dev/vfio/devices/vfio0"
	assert_driver $E1000E e1000e-vfio-pci
	assert_unchanged
	vb --unbind --force $E1000E
	assert_rc 0
	assert_says 'waiting for process 4343 \(qemu-iommufd\)'
	assert_driver $E1000E e1000e
}

test_move_between_vfio_drivers_of_a_device_held_through_its_cdev_is_refused() {
	e1000e_bound_and_held_through_its_cdev
	vb --driver vfio-pci $E1000E
	assert_rc 1
	assert_says "process 4343 \(qemu-iommufd\)"
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
}

test_group_with_a_member_held_through_its_cdev_is_refused() {
	e1000e_bound_and_held_through_its_cdev
	vb --group --driver vfio-pci $E1000E
	assert_rc 1
	assert_says "process 4343 \(qemu-iommufd\)"
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
}

test_owner_gives_the_cdev_too() {
	fake_vfio_cdev "$S"
	mkdir -p "$T/dev/vfio"
	: >"$T/dev/vfio/1"
	vb --owner nobody:nogroup $E1000E
	assert_rc 0
	[ "$(stat -c '%U:%G %a' "$T/dev/vfio/devices/vfio0")" = "nobody:nogroup 660" ] ||
		fail "the cdev is $(stat -c '%U:%G %a' "$T/dev/vfio/devices/vfio0")"
	[ "$(stat -c '%U:%G %a' "$T/dev/vfio/1")" = "nobody:nogroup 660" ] ||
		fail "the group node is $(stat -c '%U:%G %a' "$T/dev/vfio/1")"
	vb --udev-owner vfio0
	assert_rc 0
	assert_stdout_says "^VFIO_BIND_MODE=0660\$"
}

fake_main "$@"
