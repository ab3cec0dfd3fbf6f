#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# persist/vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The persistence VM tests (meson test --suite vm-persist): saved bindings across
# hotplug and reboot with the installed udev rule and boot unit under a real systemd
# and systemd-udevd. Gets Debian's kernel (../fetch-kernel.sh), a debootstrap'd bookworm
# root (make-rootfs.sh, cached), builds the variant module, installs vfio-bind from
# BUILD_ROOT, makes one root image (../make-image.sh), and boots it several times, each
# boot on a copy-on-write overlay of its own; the boots of one reboot test share one:
#   smoke      guest-boot.sh       the guest is what the other scripts assume
#   hotplug    guest-hotplug.sh    device_del/device_add, sysfs remove/rescan, ID rules
#   state      guest-state.sh      parallel --restore, untrusted files, another device
#   reboot-1,2 guest-reboot.sh     bind and save; after the reboot, bound at coldplug and
#                                  e1000e never probed it
#   reboot-3   guest-reboot.sh     the same with the boot unit masked: the rule alone
#   reboot-4   guest-reboot.sh     the same with the rule masked: the boot unit alone
#   two-1,2,3  guest-reboot.sh     the same with a second, unsaved e1000e; boot 3 with
#                                  e1000e loaded before udev starts (vmpreload=e1000e)
#   coldplug-1,2,3 guest-coldplug.sh  layout "edu", ../batch/machine's 64 edu devices,
#                                  and the test host driver vb_slow (../batch/slow) in
#                                  an image of their own: all bound and saved in one
#                                  call; after the reboot all on vfio-pci at coldplug;
#                                  boot 3 with vb_slow loaded before udev starts and the
#                                  boot unit masked: the rule's runs move them side by side
# Prints every guest's TAP lines renumbered into one stream; exits 0 only if all passed
# and every guest reported. Exits 77 (skipped) where qemu, the kernel or the root
# cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh, VFIO_BIND_VM_TIMEOUT (seconds per boot) 600 by
# default, and VFIO_BIND_VM_ONLY (boots to run, space-separated: a boot's name, or its
# disk's for all the boots of one test, e.g. "smoke hotplug" or "reboot coldplug").

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-persist "$1" tests/vm/persist-work
vm_need qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe modinfo make mkfs.ext4 \
	bash timeout mkfifo systemctl
vm_need_root
vm_kernel
rootfs=$("$here/make-rootfs.sh" "$cache") || exit $?
vm_variant
vm_install sbin/vfio-bind rules.d/60-vfio-bind.rules system/vfio-bind.service

if ! "$here/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" ||
	! vm_guest_tree "$work/guest" ||
	! "$vm/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$ko" \
		-x "$work/guest" -u vmtest.service -o "$work/root.img" 2>>"$work/image.log"; then
	cat "$work/image.log"
	fail "cannot build the boot initramfs or the root image"
fi

# selected NAME DISK: the boot is to run (VFIO_BIND_VM_ONLY, if set, names it or its disk).
selected() {
	case " ${VFIO_BIND_VM_ONLY:-$1} " in *" $1 "* | *" $2 "*) return 0 ;; esac
	return 1
}

# The edu boots: the batch suite's machine and its test host driver vb_slow, in a root
# image of their own (under updates/ and indexed by depmod, where root.img has the
# variant: the edu devices need none) and in a boot initramfs of their own (for
# vmpreload=vb_slow). Built only when one of them is to run.
edu=no
for b in coldplug-1 coldplug-2 coldplug-3; do
	! selected "$b" coldplug || edu=yes
done
if [ "$edu" = yes ]; then
	slow=$("$vm/batch/slow/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/slow") ||
		fail "cannot build vb_slow against $kver"
	echo "# vb_slow: $(modinfo -F alias "$slow") ($(modinfo -F vermagic "$slow"))"
	if ! "$here/make-boot-initramfs.sh" -k "$tree" -m "$slow" -o "$work/boot-edu.cpio.gz" \
		2>>"$work/image.log" ||
		! "$vm/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$slow" \
			-x "$work/guest" -u vmtest.service -o "$work/edu.img" 2>>"$work/image.log"; then
		cat "$work/image.log"
		fail "cannot build the edu boots' initramfs or root image"
	fi
fi
sed 's/^/# /' "$work/image.log"

# Fresh overlays: nothing of an earlier run may leak in.
rm -f "$work"/*.qcow2

# NAME DISK LAYOUT SCRIPT SCENARIO [KERNEL ARGUMENTS]
while read -r name disk layout script scenario args; do
	selected "$name" "$disk" || continue
	case $layout in
	edu) machine=$vm/batch/machine image=$work/edu.img initrd=$work/boot-edu.cpio.gz ;;
	*) machine=$here/machine-$layout image=$work/root.img initrd=$work/boot.cpio.gz ;;
	esac
	log=$work/$name.log
	overlay=$work/$disk.qcow2
	[ -e "$overlay" ] || qemu-img create -q -f qcow2 -F raw -b "$image" "$overlay"
	rc=0
	"$vm/run-vm.sh" -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-600}" \
		-m "$machine" -c "$args" -r "$overlay" -w "$work/run-$name" \
		-s "$script" "$kernel" "$initrd" "$scenario" \
		>"$log" 2>"$log.err" </dev/null || rc=$?
	echo "# --- $name: $(vm_took "$log")"
	vm_report "$name" "$rc"
done <<'EOF'
smoke    smoke   one guest-boot.sh    smoke
hotplug  hotplug one guest-hotplug.sh hotplug
state    state   one guest-state.sh   state
reboot-1 reboot  one guest-reboot.sh  save
reboot-2 reboot  one guest-reboot.sh  check
reboot-3 reboot  one guest-reboot.sh  check-rule-only systemd.mask=vfio-bind.service
reboot-4 reboot  one guest-reboot.sh  check-unit-only vmmask=60-vfio-bind.rules
two-1    two     two guest-reboot.sh  save
two-2    two     two guest-reboot.sh  check
two-3    two     two guest-reboot.sh  check-preloaded vmpreload=e1000e
coldplug-1 coldplug edu guest-coldplug.sh save
coldplug-2 coldplug edu guest-coldplug.sh check
coldplug-3 coldplug edu guest-coldplug.sh check-preloaded vmpreload=vb_slow systemd.mask=vfio-bind.service
EOF

vm_end
