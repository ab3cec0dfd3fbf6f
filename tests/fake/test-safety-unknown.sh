#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# In use where the kernel hides it, and unknown taken as in use: a disk that
# is part of a btrfs mount (whose mountinfo shows an anonymous 0:N), and a
# disk or NIC whose /proc tables cannot be read.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
NVME=0000:00:04.0

# nvme0n1 (259:0) with partitions nvme0n1p1 (259:1) and nvme0n1p2 (259:2).
fake_nvme_partitions() {
	_d=devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1
	mkdir -p "$S/$_d/holders" "$S/class/block"
	echo 259:0 >"$S/$_d/dev"
	fake__ln "$S" "$_d" class/block/nvme0n1
	for _p in 1 2; do
		mkdir -p "$S/$_d/nvme0n1p$_p/holders"
		echo "259:$_p" >"$S/$_d/nvme0n1p$_p/dev"
		fake__ln "$S" "$_d/nvme0n1p$_p" "class/block/nvme0n1p$_p"
	done
}

# eth0 under the virtio NIC; FLAGS 0x1003 is up.
fake_virtio_nic() { # FLAGS
	_n=devices/pci0000:00/$VIRTIO/virtio0/net/eth0
	mkdir -p "$S/$_n" "$S/class/net"
	echo "$1" >"$S/$_n/flags"
	fake__ln "$S" "$_n" class/net/eth0
}

test_btrfs_mount_of_a_partition_is_refused() {
	fake_proc
	fake_nvme_partitions
	echo '36 25 0:45 / /mnt rw,relatime shared:1 - btrfs /dev/nvme0n1p2 rw,space_cache=v2' \
		>"$T/proc/self/mountinfo"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'in use: /dev/nvme0n1p2 is mounted on /mnt'
	assert_unchanged
	assert_no_kernel_calls
	vb --force $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
}

test_other_anonymous_mounts_leave_the_disk_free() {
	fake_proc
	fake_nvme_partitions
	{
		echo '36 25 0:45 / /mnt rw - btrfs /dev/sda2 rw'
		echo '37 25 0:46 / /srv rw - zfs tank/srv rw'
		echo '38 25 0:47 / /run/ovl rw - overlay overlay rw,lowerdir=/nvme0n1p2'
		echo '39 25 0:48 / /net rw - nfs4 server:/export/nvme0n1p2 rw'
	} >"$T/proc/self/mountinfo"
	vb $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
}

test_device_of_a_mounted_btrfs_is_refused() {
	fake_proc
	fake_nvme_partitions
	# A two-device btrfs: mountinfo names only the other device.
	_fs=$S/fs/btrfs/0b7c2c1e-6f1e-4a59-9d1c-6c8f54b8e0aa
	mkdir -p "$_fs/devices"
	fake__ln "$S" "devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1/nvme0n1p1" \
		"fs/btrfs/0b7c2c1e-6f1e-4a59-9d1c-6c8f54b8e0aa/devices/nvme0n1p1"
	echo '36 25 0:45 / /data rw - btrfs /dev/sda1 rw' >"$T/proc/self/mountinfo"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'in use: /dev/nvme0n1p1 is a device of the mounted btrfs 0b7c2c1e-6f1e-4a59-9d1c-6c8f54b8e0aa'
	assert_unchanged
}

test_device_of_a_mounted_bcachefs_is_refused() {
	fake_proc
	fake_nvme_partitions
	mkdir -p "$S/fs/bcachefs/5d1c2b3a/dev-1"
	fake__ln "$S" "devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1/nvme0n1p2" \
		"fs/bcachefs/5d1c2b3a/dev-1/block"
	remember
	vb $NVME
	assert_rc 1
	assert_says 'in use: /dev/nvme0n1p2 is a device of the mounted bcachefs 5d1c2b3a'
	assert_unchanged
}

test_disk_is_refused_when_mountinfo_cannot_be_read() {
	fake_proc
	fake_nvme_partitions
	rm "$T/proc/self/mountinfo"
	remember
	vb $NVME
	assert_rc 1
	assert_says "cannot tell whether it is in use: cannot read $T/proc/self/mountinfo \\(No such file or directory\\)"
	assert_says 'add --force if you are sure it is not in use'
	assert_unchanged
	vb --force $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
}

test_disk_is_refused_when_swaps_cannot_be_read() {
	fake_proc
	fake_nvme_partitions
	rm "$T/proc/swaps"
	remember
	vb $NVME
	assert_rc 1
	assert_says "cannot read $T/proc/swaps"
	assert_unchanged
}

test_up_nic_is_refused_when_routes_cannot_be_read() {
	fake_proc
	fake_virtio_nic 0x1003
	rm "$T/proc/net/route"
	remember
	vb $VIRTIO
	assert_rc 1
	assert_says "cannot tell whether it is in use: cannot read $T/proc/net/route"
	assert_unchanged
	vb --force $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_missing_ipv6_tables_mean_ipv6_is_off() {
	fake_proc
	fake_virtio_nic 0x1003
	rm "$T/proc/net/ipv6_route" "$T/proc/net/if_inet6"
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_devices_without_disks_or_nics_need_no_proc() {
	fake_proc
	rm -r "$T/proc/net" "$T/proc/self/mountinfo" "$T/proc/swaps"
	vb $E1000E $NVME
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $NVME vfio-pci
	# A NIC that is down is not asked about either.
	fake_virtio_nic 0x1002
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

fake_main "$@"
