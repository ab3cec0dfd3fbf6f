#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Never hurt the host: devices in use, PFs with VFs, devices held open by a
# VM, and IOMMU groups that must move as one. Each refusal leaves the tree
# as it was.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
E1000E_2=0000:00:05.0
VIRTIO=0000:00:03.0
NVME=0000:00:04.0
VF=0000:03:00.1

# nvme0n1 (259:0) under the NVMe controller, as the kernel lays it out.
fake_nvme_disk() {
	_d=devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1
	mkdir -p "$S/$_d/holders" "$S/class/block"
	echo 259:0 >"$S/$_d/dev"
	fake__ln "$S" "$_d" class/block/nvme0n1
}

# eth0 under the virtio NIC; FLAGS 0x1003 is up.
fake_virtio_nic() { # FLAGS
	_n=devices/pci0000:00/$VIRTIO/virtio0/net/eth0
	mkdir -p "$S/$_n" "$S/class/net"
	echo "$1" >"$S/$_n/flags"
	fake__ln "$S" "$_n" class/net/eth0
}

test_mounted_disk_is_refused() {
	fake_proc
	fake_nvme_disk
	echo '36 25 259:0 / /data rw,relatime shared:1 - ext4 /dev/nvme0n1 rw' >"$T/proc/self/mountinfo"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'nvme0n1 is mounted on /data'
	assert_says 'unmount|--force'
	assert_unchanged
	assert_no_kernel_calls
}

test_unmounted_disk_is_bound() {
	fake_proc
	fake_nvme_disk
	vb $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
}

test_swap_disk_is_refused() {
	fake_proc
	fake_nvme_disk
	printf '/dev/nvme0n1\tpartition\t1048572\t0\t-2\n' >>"$T/proc/swaps"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'swap'
	assert_unchanged
}

test_disk_held_by_device_mapper_is_refused() {
	fake_proc
	fake_nvme_disk
	mkdir -p "$S/devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1/holders/dm-0"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'held by dm-0'
	assert_unchanged
}

test_force_takes_a_mounted_disk() {
	fake_proc
	fake_nvme_disk
	echo '36 25 259:0 / /data rw - ext4 /dev/nvme0n1 rw' >"$T/proc/self/mountinfo"
	vb --force $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
}

test_nic_up_with_route_is_refused() {
	fake_proc
	fake_virtio_nic 0x1003
	printf 'eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >>"$T/proc/net/route"
	remember
	vb $VIRTIO
	assert_rc 1
	assert_says 'eth0 is up'
	assert_unchanged
	vb --force $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

# A batch lists the interfaces and disks once for all its devices: each
# device is still judged on its own.
test_batch_refuses_only_the_devices_in_use() {
	fake_proc
	fake_virtio_nic 0x1003
	printf 'eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >>"$T/proc/net/route"
	fake_nvme_disk
	echo '36 25 259:0 / /data rw,relatime shared:1 - ext4 /dev/nvme0n1 rw' >"$T/proc/self/mountinfo"
	vb $E1000E $VIRTIO $NVME
	assert_rc 1
	assert_says "$VIRTIO.*eth0 is up"
	assert_says "$NVME.*nvme0n1 is mounted on /data"
	assert_driver $VIRTIO virtio-pci
	assert_driver $NVME nvme
	assert_driver $E1000E e1000e-vfio-pci
}

test_nic_with_global_ipv6_address_is_refused() {
	fake_proc
	fake_virtio_nic 0x1003
	echo '20010db8000000000000000000000001 02 40 00 80 eth0' >>"$T/proc/net/if_inet6"
	vb $VIRTIO
	assert_rc 1
	assert_says 'eth0'
	assert_driver $VIRTIO virtio-pci
}

test_nic_up_with_link_local_only_is_bound() {
	fake_proc
	fake_virtio_nic 0x1003
	echo 'fe800000000000000000000000000001 02 40 20 80 eth0' >>"$T/proc/net/if_inet6"
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_nic_that_is_down_is_bound() {
	fake_proc
	fake_virtio_nic 0x1002
	printf 'eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >>"$T/proc/net/route"
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_nic_enslaved_to_busy_bond_is_refused() {
	fake_proc
	fake_virtio_nic 0x1003
	mkdir -p "$S/devices/virtual/net/bond0"
	echo 0x1403 >"$S/devices/virtual/net/bond0/flags"
	fake__ln "$S" devices/virtual/net/bond0 class/net/bond0
	fake__ln "$S" devices/virtual/net/bond0 "devices/pci0000:00/$VIRTIO/virtio0/net/eth0/master"
	printf 'bond0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >>"$T/proc/net/route"
	remember
	vb $VIRTIO
	assert_rc 1
	assert_says 'bond0'
	assert_unchanged
}

test_boot_vga_with_console_is_refused() {
	fake_proc
	fake_device "$S" 0000:00:01.0 pci0000:00 1234 1111 1af4 1100 030000 6
	echo 1 >"$S/devices/pci0000:00/0000:00:01.0/boot_vga"
	fake_module "$S" bochs bochs-drm 1234:1111
	fake_load "$S" bochs
	fake_bind "$S" 0000:00:01.0 bochs-drm
	remember
	vb 0000:00:01.0
	assert_rc 1
	assert_says 'boot VGA'
	assert_unchanged
}

test_pf_with_vfs_is_refused_and_listed() {
	fake_proc
	echo 2 >"$S/devices/pci0000:00/$E1000E/sriov_numvfs"
	fake__ln "$S" "devices/pci0000:00/$E1000E" "devices/pci0000:00/0000:00:1c.0/$VF/physfn"
	remember
	vb $E1000E
	assert_rc 1
	assert_says 'SR-IOV|VFs'
	assert_says 'sriov_numvfs'
	assert_unchanged
	vb --list --json
	assert_rc 0
	tr -d '\n' <"$T/out" | grep -q "\"device\": \"$E1000E\"[^}]*\"sriov_numvfs\": 2" ||
		fail "--list does not show the PF's VFs"
	tr -d '\n' <"$T/out" | grep -q "\"device\": \"$VF\"[^}]*\"physfn\": \"$E1000E\"" ||
		fail "--list does not show the VF's PF"
}

# A VM holds /dev/vfio/1 (under the fake devfs) (the e1000e's group) open, and the device taken
# from it (an anonymous file, as the kernel names it).
fake_vm_holding_group() {
	mkdir -p "$T/proc/4242/fd"
	echo qemu-system-x86 >"$T/proc/4242/comm"
	ln -s "$T/dev/vfio/1" "$T/proc/4242/fd/7"
	ln -s 'anon_inode:[vfio-device]' "$T/proc/4242/fd/8"
}

test_unbind_of_device_held_by_vm_is_refused() {
	fake_proc
	vb $E1000E
	assert_rc 0
	fake_vm_holding_group
	remember
	vb --unbind $E1000E
	assert_rc 1
	assert_says '4242'
	assert_says 'qemu-system-x86'
	assert_driver $E1000E e1000e-vfio-pci
	assert_unchanged
}

test_forced_unbind_says_who_it_waits_for() {
	fake_proc
	vb $E1000E
	assert_rc 0
	fake_vm_holding_group
	vb --unbind --force $E1000E
	assert_rc 0
	assert_says 'waiting for process 4242 \(qemu-system-x86\)'
	assert_driver $E1000E e1000e
}

test_forced_unbind_does_not_wait_for_a_group_only_holder() {
	fake_proc
	vb $E1000E
	assert_rc 0
	fake_vm_holding_group
	rm "$T/proc/4242/fd/8"
	vb --unbind --force $E1000E
	assert_rc 0
	assert_says "holds $T/dev/vfio/1 but not the device"
	grep -q 'waiting for' "$T/err" && fail "it says it waits for a process that does not block"
	assert_driver $E1000E e1000e
}

test_nic_up_with_only_automatic_ipv6_routes_is_bound() {
	fake_proc
	fake_virtio_nic 0x1003
	printf 'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' >>"$T/proc/net/ipv6_route"
	printf 'ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' >>"$T/proc/net/ipv6_route"
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_nic_with_global_ipv6_route_is_refused() {
	fake_proc
	fake_virtio_nic 0x1003
	printf '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' >>"$T/proc/net/ipv6_route"
	vb $VIRTIO
	assert_rc 1
	assert_driver $VIRTIO virtio-pci
}

# A second e1000e in the first one's IOMMU group, on its host driver.
fake_shared_group() {
	fake_device "$S" $E1000E_2 pci0000:00 8086 10d3 8086 a01f 020000 1
	fake_bind "$S" $E1000E_2 e1000e
}

test_bind_warns_when_group_is_not_viable() {
	fake_proc
	fake_shared_group
	vb --json $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $E1000E_2 e1000e
	grep -q '"group_viable": false' "$T/out" || fail "JSON does not say group_viable false"
	grep -q "$E1000E_2 (e1000e)" "$T/err" || fail "the warning does not name the other member"
}

test_group_binds_every_member() {
	fake_proc
	fake_shared_group
	vb --group --json $E1000E
	assert_rc 0
	grep -q 'not viable' "$T/err" && fail "--group warns about the group it made viable"
	grep -q '"group_viable": false' "$T/out" && fail "--group reports the group not viable"
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $E1000E_2 e1000e-vfio-pci
	ls "$T/config/pci-$E1000E="*.conf "$T/config/pci-$E1000E_2="*.conf >/dev/null 2>&1 ||
		fail "the group's members are not saved"
	vb --list --json $E1000E
	grep -q '"group_viable": true' "$T/out" || fail "--list does not show the group viable"
}

test_group_rolls_back_every_member_when_one_fails() {
	fake_proc
	fake_shared_group
	fake_probe_fail "$S" e1000e-vfio-pci EINVAL $E1000E_2
	vb --group $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_driver $E1000E_2 e1000e
	assert_override $E1000E "(null)"
	assert_override $E1000E_2 "(null)"
	assert_says 'group'
	[ -z "$(ls "$T/config"/*.conf 2>/dev/null)" ] || fail "a failed group left saved bindings"
}

fake_main "$@"
