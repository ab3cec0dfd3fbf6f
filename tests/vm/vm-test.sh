#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The real-kernel test tier (meson test --suite vm). Gets Debian's kernel, builds the
# test variant module against its headers, installs vfio-bind from BUILD_ROOT into a
# staging tree, packs both into a busybox initramfs and boots QEMU four times:
#   guest-kernel-facts.sh  iommu, noiommu   the kernel behaves as vfio-bind assumes
#   guest-tests.sh         iommu, noiommu   vfio-bind does the job on that kernel
# Prints every guest's TAP lines, renumbered into one stream, and exits 0 only if all
# passed and every guest reported. Exits 77 (skipped) where qemu or the kernel cannot
# be had, or with VFIO_BIND_SKIP_VM=1.
# The host's part is host-lib.sh's. Environment: as there; VFIO_BIND_VM_TIMEOUT
# (seconds per boot) defaults to 240.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
vm=$(cd "$(dirname "$0")" && pwd)
. "$vm/host-lib.sh"
vm_setup vm-test "$1" tests/vm/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe make
vm_kernel
vm_variant
echo "# variant: $(modinfo -F alias "$ko" | grep vfio_pci) ($(modinfo -F vermagic "$ko"))"

vm_install
bin=$(find "$work/destdir" -path '*bin/vfio-bind' -type f -perm -u+x | head -n 1)
[ -n "$bin" ] || fail "meson install put no vfio-bind into $work/destdir"
echo "# installed: ${bin#"$work/destdir"}"

vm_initramfs -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$ko"

for boot in "guest-kernel-facts.sh iommu" "guest-kernel-facts.sh noiommu" \
	"guest-tests.sh iommu" "guest-tests.sh noiommu"; do
	script=${boot% *} scenario=${boot#* }
	boot=${script%.sh}-$scenario
	boot=${boot#guest-}
	log=$work/$boot.log
	noiommu=
	[ "$scenario" = noiommu ] && noiommu=-n
	rc=0
	"$vm/run-vm.sh" $noiommu -s "$script" -a "$accel" \
		-t "${VFIO_BIND_VM_TIMEOUT:-240}" "$kernel" "$work/initramfs.cpio.gz" "$scenario" \
		>"$log" 2>"$log.err" || rc=$?
	echo "# --- $boot: $(vm_took "$log")"
	vm_report "$boot" "$rc"
done

vm_end
