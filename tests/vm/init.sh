#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the VM test initramfs (busybox). Brings the guest to the state a host is in
# before anyone runs vfio-bind: every NIC on its host driver, no VFIO module loaded.
# Then runs the guest script named by "vmscript=NAME" on the kernel command line
# (default guest-tests.sh) with the scenario named by "vmtest=NAME", and powers off.
# The host reads the console up to "VMTEST-DONE".

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs carries no /dev/console node; devtmpfs has one.
exec </dev/console >/dev/console 2>&1
mkdir -p /run /tmp /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

echo "# init: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime)s"

# Host drivers first, as udev's coldplug would do on a real machine.
for mod in e1000e virtio_pci virtio_net; do
	modprobe "$mod" || echo "# init: modprobe $mod failed"
done

scenario=
script=guest-tests.sh
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	vmtest=*) scenario=${arg#vmtest=} ;;
	vmscript=*) script=${arg#vmscript=} ;;
	esac
done

echo "# init: $script '$scenario' starts, up $(cut -d' ' -f1 /proc/uptime)s"
sh "/$script" "$scenario"
rc=$?
echo "# init: tests end, up $(cut -d' ' -f1 /proc/uptime)s"
echo "VMTEST-DONE rc=$rc"
sync
poweroff -f
