#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-safety.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-safety: vfio-bind's safety checks on a real
# kernel. Gets Debian's kernel and the test variant module (../host-lib.sh),
# builds vfio-holder (a static program that holds a device through /dev/vfio), packs
# vfio-bind's install tree, guest-safety.sh, vfio-holder and the extra devices' modules
# into the busybox initramfs with ../make-initramfs.sh, and boots ../run-vm.sh with ./machine once: a
# q35 with an IOMMU, a virtio-net NIC, a virtio-blk disk (a blank image made here),
# an e1000 and an e1000e behind a pcie-pci-bridge, an NVMe controller with SR-IOV and
# a VGA device. The kernel is the bzImage, booted with vga=0x318: its setup code sets
# VESA mode 0x118 (1024x768, 24 bits; the setup code numbers VESA modes from 0x200)
# through the VGA's BIOS, so that vesafb holds the VGA's BAR 0 as on a real host's
# boot GPU. Prints the guest's TAP lines and
# exits 0 only if all passed and the guest reported to the end. Exits 77 (skipped)
# where qemu or the kernel cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh; the boot's limit (VFIO_BIND_VM_TIMEOUT) defaults
# to 600 s here. Logs in BUILD_ROOT/tests/vm/safety/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-safety "$1" tests/vm/safety/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe make cc
vm_kernel
# The bzImage, not the vmlinux host-lib.sh prefers: QEMU boots the vmlinux through its
# PVH entry, which skips the kernel's real-mode setup code, and vga= below is that
# code's: without it no VESA mode is set and no firmware framebuffer is made.
kernel=$tree/boot/vmlinuz-$kver
vm_variant

# Static: the guest has no C library of its own (the installed tool brings only its own).
cc -static -O2 -s -Wall -o "$work/vfio-holder" "$here/vfio-holder.c" 2>"$work/holder.log" ||
	{ cat "$work/holder.log"; fail "cannot build vfio-holder (static glibc, libc6-dev)"; }

# On top of the install tree (the initramfs takes the tree as is) the guest script and
# the holder.
vm_install
install -D -m 0755 "$here/guest-safety.sh" "$work/destdir/guest-safety.sh"
install -D -m 0755 "$work/vfio-holder" "$work/destdir/safety/vfio-holder"

# The extra devices' host drivers (e1000, virtio_blk, nvme, bochs), ext4 for the
# filesystem on the disk, md_mod and bridge for the holder tests, with their
# dependencies: make-initramfs.sh has its own fixed list and takes more only as -m
# files (installed under extra/, indexed by depmod; a dependency it has already is only
# a harmless second copy).
vm_module_files e1000 virtio_blk nvme bochs ext4 md_mod bridge
set -- -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$ko"
for dep in $modfiles; do
	set -- "$@" -m "$dep"
done
vm_initramfs "$@"

# A blank disk each run: the guest partitions and formats it.
rm -f "$work/disk.img"
truncate -s 64M "$work/disk.img"

log=$work/safety.log
rc=0
"$vm/run-vm.sh" -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-600}" \
	-s guest-safety.sh -m "$here/machine" -D "$work/disk.img" -c "vga=0x318" \
	"$kernel" "$work/initramfs.cpio.gz" iommu \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(vm_took "$log")"

vm_summary "$log" "$rc"
