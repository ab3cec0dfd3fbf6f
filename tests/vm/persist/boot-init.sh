#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the small boot initramfs of the persistence VM tests (busybox). Debian builds
# virtio_pci, virtio_blk and ext4 as modules, so reaching the root disk takes an
# initramfs; this one does only that, with no udev of its own, so that every PCI device
# is first seen by the real systemd-udevd of the root. "vmpreload=MOD,MOD" on the kernel
# command line loads those modules here first, as an initramfs carrying a NIC driver
# would: their devices are then bound before udev starts. "vmmask=FILE,FILE" masks
# those udev rules files on the root disk (a link to /dev/null in /etc/udev/rules.d),
# for a boot without them; the mask stays on the disk.

export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

fail() {
	echo "boot-init: $*; cannot boot"
	poweroff -f
}

# ext4 asks the crypto API for crc32c, which would need a /sbin/modprobe: load it first.
for mod in virtio_pci virtio_blk crc32c_generic ext4; do
	modprobe "$mod" || fail "modprobe $mod failed"
done
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	vmpreload=*)
		for mod in $(echo "${arg#vmpreload=}" | tr ',' ' '); do
			modprobe "$mod" || echo "boot-init: modprobe $mod failed"
		done
		;;
	esac
done

# The disk appears once virtio_blk has probed it, asynchronously.
tries=0
while [ ! -b /dev/vda ]; do
	tries=$((tries + 1))
	[ "$tries" -le 300 ] || fail "no /dev/vda after 300 tries"
	sleep 0.1
done
mkdir -p /root
mount -t ext4 -o rw /dev/vda /root || fail "cannot mount /dev/vda"

# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	vmmask=*)
		mkdir -p /root/etc/udev/rules.d
		for rules in $(echo "${arg#vmmask=}" | tr ',' ' '); do
			ln -sf /dev/null "/root/etc/udev/rules.d/$rules"
		done
		;;
	esac
done

umount /proc /sys
mount -o move /dev /root/dev
exec switch_root /root /sbin/init
