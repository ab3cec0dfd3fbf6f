#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-batch.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-batch: batches of slow devices on a real kernel. Gets Debian's kernel
# (../host-lib.sh), builds the test host driver vb_slow against its headers
# (slow/build.sh), packs vfio-bind's install tree, guest-batch.sh and vb_slow into the
# busybox initramfs and boots ../run-vm.sh with ./machine (64 edu devices, an Intel
# IOMMU) once. Prints the guest's TAP lines, among them the wall time of a batch with
# the default jobs and with --jobs 1; exits 0 only if all passed and the guest reported
# to the end; 77 (skipped) where qemu or the kernel cannot be had, or with
# VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh; the boot's limit (VFIO_BIND_VM_TIMEOUT) defaults
# to 600 s here (a boot takes two to three minutes under TCG).
# Logs in BUILD_ROOT/tests/vm/batch/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-batch "$1" tests/vm/batch/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe modinfo make
vm_kernel

slow=$("$here/slow/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/slow") ||
	fail "cannot build vb_slow against $kver"
echo "# vb_slow: $(modinfo -F alias "$slow") ($(modinfo -F vermagic "$slow"))"

# The install tree as a package lays it out, and the guest script on top of it.
vm_install
install -D -m 0755 "$here/guest-batch.sh" "$work/destdir/guest-batch.sh"
# vb_slow goes under extra/, where depmod indexes its alias: vfio-bind finds the edu
# device's host driver through the guest's module index, as it would a real one.
vm_initramfs -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$slow"

log=$work/batch.log
rc=0
"$vm/run-vm.sh" -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-600}" \
	-s guest-batch.sh -m "$here/machine" \
	"$kernel" "$work/initramfs.cpio.gz" iommu \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(vm_took "$log")"

vm_summary "$log" "$rc"
