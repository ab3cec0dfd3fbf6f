#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# early/vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The early-boot VM tests (meson test --suite vm-early): saved bindings applied inside
# the distribution's own initramfs, built by the distribution's tool inside the guest
# and booted from the guest's own disk. For each tool, initramfs-tools and dracut, a
# debootstrap'd bookworm root with that tool (../persist/make-rootfs.sh, cached), the
# kernel's /boot files and the tool's configuration (a short module list; dracut with
# hostonly and e1000e in force_drivers), and three boots on one disk:
#   TOOL-prep   through the small busybox initramfs: save, refresh the initramfs
#   TOOL-check  through that initramfs: bound inside it, e1000e never saw the device
#   TOOL-stale  after --unbind without a refresh: the boot unit hands the device back
# Between the prep boot and the others the host takes /boot/initrd.img-KVER off the
# disk (qemu-img convert, debugfs) and boots it with root=/dev/vda rw; after the last
# boot it copies the guest's /var/log/vmtest (kernel logs, journals) to the work
# directory. Prints every guest's TAP lines renumbered into one stream; exits 0 only if
# every boot reported and passed; 77 (skipped) where qemu, root, debootstrap or the
# Debian archive cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh, VFIO_BIND_VM_TIMEOUT (seconds per boot) 1200 by
# default (a prep boot took 9 minutes on a busy host), and VFIO_BIND_VM_ONLY (tools or boots
# to run, e.g. "dracut" or "initramfs-tools-check": a boot takes the earlier boots of
# its tool along, they make its disk).

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
persist=$vm/persist
. "$vm/host-lib.sh"
vm_setup vm-early "$1" tests/vm/early-work
vm_need qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe make mkfs.ext4 \
	debugfs bash timeout mkfifo systemctl
vm_need_root
vm_kernel
vm_variant
vm_install sbin/vfio-bind rules.d/60-vfio-bind.rules system/vfio-bind.service \
	initramfs-tools/hooks/vfio-bind 'initramfs-tools/scripts/init-top/*vfio-bind' \
	'initramfs-tools/scripts/init-bottom/*vfio-bind' 'dracut/modules.d/*vfio-bind/module-setup.sh'
"$persist/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" ||
	{ cat "$work/image.log"; fail "cannot build the boot initramfs"; }

# What each tool's root gets on top: the kernel's /boot files (the tools want its
# config; Debian's dracut names its image after a /boot/vmlinuz-KVER), a stand-in
# /boot/initrd.img-KVER and the tool's configuration.
overlay() { # TOOL DIR
	rm -rf "$2"
	mkdir -p "$2/boot"
	cp "$tree/boot/vmlinuz-$kver" "$tree/boot/config-$kver" "$2/boot/"
	[ ! -e "$tree/boot/System.map-$kver" ] || cp "$tree/boot/System.map-$kver" "$2/boot/"
	# An installed system has an initramfs for its kernel, made when the kernel was
	# installed; "update-initramfs -u -k all", the command vfio-bind names, updates only
	# images that exist. The busybox boot initramfs stands in for it (saving the first
	# "update-initramfs -c", over a minute under TCG); the host checks that the image it
	# takes off the disk after the prep boot is no longer this one.
	cp "$work/boot.cpio.gz" "$2/boot/initrd.img-$kver"
	case $1 in
	initramfs-tools)
		# MODULES=list keeps the build short under TCG; e1000e in the list is the host
		# driver the image carries (loaded by udev's coldplug and again from the list).
		# ext4 asks the crypto API for crc32c.
		mkdir -p "$2/etc/initramfs-tools/conf.d"
		echo MODULES=list >"$2/etc/initramfs-tools/conf.d/vmtest.conf"
		printf '%s\n' virtio_pci virtio_blk crc32c_generic ext4 e1000e >"$2/etc/initramfs-tools/modules"
		;;
	dracut)
		# hostonly, and e1000e loaded by modprobe before udev starts (force_drivers).
		mkdir -p "$2/etc/dracut.conf.d"
		cat >"$2/etc/dracut.conf.d/vmtest.conf" <<-CONF
			hostonly="yes"
			add_drivers+=" virtio_pci virtio_blk crc32c_generic ext4 e1000e "
			force_drivers+=" e1000e "
			compress="zstd"
		CONF
		;;
	esac
}

# from_disk OVERLAY INITRD|- LOGDIR: copies the guest's /boot/initrd.img-KVER (unless
# -) and /var/log/vmtest off the disk; fails if the initrd is not there.
from_disk() {
	local raw=$work/disk.raw rc=0 start
	start=$(date +%s%N)
	rm -f "$raw"
	qemu-img convert -O raw "$1" "$raw" || { rm -f "$raw"; return 1; }
	if [ "$2" != - ]; then
		rm -f "$2"
		debugfs -R "dump /boot/initrd.img-$kver $2" "$raw" >/dev/null 2>&1 && [ -s "$2" ] || rc=1
	fi
	# rdump puts the directory itself, vmtest/, into the one it is given.
	rm -rf "$3" "$3.tmp"
	mkdir -p "$3.tmp"
	if debugfs -R "rdump /var/log/vmtest $3.tmp" "$raw" >/dev/null 2>&1 && [ -d "$3.tmp/vmtest" ]; then
		mv "$3.tmp/vmtest" "$3"
	else
		mkdir -p "$3"
	fi
	rm -rf "$3.tmp"
	rm -f "$raw"
	echo "# off the disk in $(vm_since "$start") s: ${2#"$work/"} ${3#"$work/"}/"
	return $rc
}

boots=0

# boot NAME OVERLAY INITRD PHASE [KERNEL ARGUMENTS]
boot() {
	local name=$1 disk=$2 initrd=$3 phase=$4 args=${5:-} log=$work/$1.log rc=0
	boots=$((boots + 1))
	"$vm/run-vm.sh" -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-1200}" \
		-m "$persist/machine-two" -c "$args" -r "$disk" -w "$work/run-$name" \
		-s guest-early.sh "$kernel" "$initrd" "$phase" \
		>"$log" 2>"$log.err" </dev/null || rc=$?
	echo "# --- $name: $(vm_took "$log")"
	vm_report "$name" "$rc"
}

for tool in initramfs-tools dracut; do
	# The last boot of this tool to run.
	last=stale
	if [ -n "${VFIO_BIND_VM_ONLY:-}" ]; then
		case " $VFIO_BIND_VM_ONLY " in
		*" $tool "* | *" $tool-stale "*) last=stale ;;
		*" $tool-check "*) last=check ;;
		*" $tool-prep "*) last=prep ;;
		*) continue ;;
		esac
	fi
	start=$(date +%s%N)
	rootfs=$("$persist/make-rootfs.sh" "$cache" "$tool") || {
		r=$?
		[ $r -eq 77 ] && { echo "# vm-early: $tool: no root, skipped"; continue; }
		fail "cannot make the $tool root"
	}
	echo "# $tool: root $rootfs in $(vm_since "$start") s"
	start=$(date +%s%N)
	overlay "$tool" "$work/overlay-$tool"
	vm_guest_tree "$work/guest" "$here/guest-early.sh"
	"$vm/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$ko" \
		-x "$work/guest" -x "$work/overlay-$tool" -u vmtest.service -o "$work/$tool.img" \
		2>>"$work/image.log" || { cat "$work/image.log"; fail "cannot build the $tool root image"; }
	echo "# $tool: image $work/$tool.img in $(vm_since "$start") s"
	disk=$work/$tool.qcow2
	rm -f "$disk"
	qemu-img create -q -f qcow2 -F raw -b "$work/$tool.img" "$disk"

	boot "$tool-prep" "$disk" "$work/boot.cpio.gz" prep
	initrd=$work/$tool-initrd.img
	if [ "$last" = prep ]; then
		from_disk "$disk" - "$work/$tool-logs" || true
		continue
	fi
	vm_host_check "$tool: /boot/initrd.img-$kver is on the disk after the prep boot" \
		from_disk "$disk" "$initrd" "$work/$tool-logs"
	[ -s "$initrd" ] || continue
	vm_host_check "$tool: ... and it is the guest's own, not the stand-in ($(du -k "$initrd" | cut -f1) KiB)" \
		sh -c "! cmp -s '$initrd' '$work/boot.cpio.gz'"
	# root= for the distribution's initramfs; vmscript= and vmtest= are ignored there.
	boot "$tool-check" "$disk" "$initrd" check "root=/dev/vda rw"
	[ "$last" = check ] ||
		boot "$tool-stale" "$disk" "$initrd" stale "root=/dev/vda rw"
	from_disk "$disk" - "$work/$tool-logs" || true
done

[ "$boots" -gt 0 ] || skip "no initramfs tool's root could be made"
vm_end "$boots boots"
