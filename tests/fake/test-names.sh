#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Devices by the names people know: a network interface, a block device or
# its /dev node, resolved to the device that carries it, refused exactly as
# that device's address would be, and saved by the address, never the name.

. "$(dirname "$0")/harness.sh"

VIRTIO=0000:00:03.0
NVME=0000:00:04.0

# enp0s3 under the virtio NIC (a virtio device between them, as the kernel
# lays it out); FLAGS 0x1002 is down, 0x1003 up.
fake_nic() { # FLAGS
	_n=devices/pci0000:00/$VIRTIO/virtio0/net/enp0s3
	mkdir -p "$S/$_n" "$S/class/net"
	echo "$1" >"$S/$_n/flags"
	fake__ln "$S" "$_n" class/net/enp0s3
}

# nvme0n1 and its partition nvme0n1p1 under the NVMe controller, with their
# nodes (and a by-id link) in the test's /dev.
fake_disk() {
	_d=devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1
	mkdir -p "$S/$_d/holders" "$S/$_d/nvme0n1p1/holders" "$S/class/block" "$T/dev/disk/by-id"
	echo 259:0 >"$S/$_d/dev"
	echo 259:1 >"$S/$_d/nvme0n1p1/dev"
	fake__ln "$S" "$_d" class/block/nvme0n1
	fake__ln "$S" "$_d/nvme0n1p1" class/block/nvme0n1p1
	mknod "$T/dev/nvme0n1" b 259 0 && mknod "$T/dev/nvme0n1p1" b 259 1 ||
		skip "cannot make block device nodes here"
	ln -s ../../nvme0n1 "$T/dev/disk/by-id/nvme-TestDisk_1234"
	: >"$T/dev/not-a-disk"
}

assert_saved_by_address() { # DEV
	set -- "$T/config/pci-$1="*.conf
	[ -f "$1" ] || fail "no saved binding named by the address"
	if ls "$T/config" | grep -Eq 'enp0s3|nvme0n1'; then
		fail "a saved binding is named by the interface or disk: $(ls "$T/config")"
	fi
}

test_interface_name_binds_its_device() {
	fake_proc
	fake_nic 0x1002
	vb enp0s3
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
	assert_says "network interface enp0s3 \\($VIRTIO\\)"
	assert_stdout_says "$VIRTIO"
	assert_saved_by_address $VIRTIO
}

# The in-use check knows the interface: refused as the address would be.
test_interface_in_use_is_refused_as_its_address() {
	fake_proc
	fake_nic 0x1003
	printf 'enp0s3\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >>"$T/proc/net/route"
	remember
	vb enp0s3
	assert_rc 1
	assert_says 'enp0s3 is up'
	assert_unchanged
	cp "$T/err" "$T/err.by-name"
	vb $VIRTIO
	assert_rc 1
	grep -v 'network interface enp0s3 (' "$T/err.by-name" | cmp -s - "$T/err" ||
		fail "refused otherwise by name than by address: $(cat "$T/err.by-name") / $(cat "$T/err")"
}

test_disk_name_node_link_and_partition_bind_the_controller() {
	fake_proc
	fake_disk
	for arg in nvme0n1 /dev/nvme0n1 /dev/disk/by-id/nvme-TestDisk_1234 nvme0n1p1; do
		vb --dry-run "$arg"
		assert_rc 0
		assert_says "block device $arg \\($NVME\\)"
		assert_stdout_says "$NVME"
	done
	vb /dev/nvme0n1
	assert_rc 0
	assert_driver $NVME vfio-pci
	assert_saved_by_address $NVME
}

test_mounted_disk_by_name_is_refused() {
	fake_proc
	fake_disk
	echo '36 25 259:1 / /data rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw' >"$T/proc/self/mountinfo"
	remember
	vb nvme0n1
	assert_rc 1
	assert_says 'mounted on /data'
	assert_unchanged
}

# Names that lead nowhere are usage errors that say what was looked for, and
# nothing is touched, not even the other arguments.
test_unknown_or_unbacked_names_are_usage_errors() {
	fake_proc
	fake_nic 0x1002
	fake_disk
	mkdir -p "$S/devices/virtual/net/lo"
	fake__ln "$S" devices/virtual/net/lo class/net/lo
	remember
	vb enp0s3 eth9
	assert_rc 2
	assert_says "'eth9' is not a pci device address .*network interface or block device"
	assert_unchanged
	vb lo
	assert_rc 2
	assert_says "'lo' is a network interface of no device on the pci bus"
	vb /dev/not-a-disk
	assert_rc 2
	assert_says "'/dev/not-a-disk' is not a block device"
	vb /dev/nothing-here
	assert_rc 2
	assert_unchanged
	assert_no_kernel_calls
}

# Once on VFIO the interface is gone (the kernel removes it with the host
# driver): the name no longer leads anywhere, and the error says what to use.
test_gone_interface_says_to_use_the_address() {
	fake_proc
	fake_nic 0x1002
	vb enp0s3
	assert_rc 0
	rm "$S/class/net/enp0s3"
	rm -r "$S/devices/pci0000:00/$VIRTIO/virtio0/net/enp0s3"
	remember
	vb --unbind enp0s3
	assert_rc 2
	assert_says 'name the device by its address'
	assert_unchanged
	vb --unbind $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO virtio-pci
}

fake_main "$@"
