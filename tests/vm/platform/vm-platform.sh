#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-platform.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-platform: vfio-bind on the platform bus on a real kernel.
# Gets Debian's kernel (../host-lib.sh), builds vfio.ko with the no-IOMMU mode
# and vfio-platform from Debian's linux-source (build-vfio.sh), packs vfio-bind's install
# tree, those modules (under /lib/modules/KVER/updates/, where they win over Debian's
# vfio.ko), the host drivers qemu_fw_cfg and pvpanic-mmio and guest-platform.sh into
# the busybox initramfs with ../make-initramfs.sh, and boots ../run-vm.sh with ./machine once
# without an IOMMU. The devices moved are QEMU's fw_cfg (QEMU0002:00, host driver
# fw_cfg) and pvpanic (QEMU0001:00, pvpanic-mmio), to vfio-platform and back.
# Prints the guest's TAP lines and exits 0 only if all passed and the guest reported
# to the end. Exits 77 (skipped) where qemu, the kernel or its source cannot be had,
# or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh. Logs in BUILD_ROOT/tests/vm/platform/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-platform "$1" tests/vm/platform/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe modinfo make xz dpkg-deb
vm_kernel

t0=$(date +%s)
rc=0
kos=$("$here/build-vfio.sh" "$tree" "$cache" "$work/vfio" 2>"$work/build-vfio.log") || rc=$?
sed 's/^/# /' "$work/build-vfio.log"
[ "$rc" -eq 77 ] && skip "no drivers/vfio source for $kver (see above)"
[ "$rc" -eq 0 ] || fail "cannot build vfio and vfio-platform for $kver"
echo "# built $(echo "$kos" | wc -l) modules from $(cat "$work/vfio/.source") in $(($(date +%s) - t0)) s"

# On top of the install tree (the initramfs takes the tree as is) the guest script, the
# modules built above under updates/ (which depmod prefers to kernel/, so they replace
# Debian's vfio.ko), and the host drivers of the two devices (../make-initramfs.sh has
# its own fixed list), each at its own place.
vm_install
install -D -m 0755 "$here/guest-platform.sh" "$work/destdir/guest-platform.sh"
# shellcheck disable=SC2086
vm_updates $kos
mods=$work/destdir/lib/modules/$kver
vm_module_files qemu_fw_cfg pvpanic_mmio
for ko in $modfiles; do
	rel=${ko#"$tree/lib/modules/$kver/"}
	install -D -m 0644 "$ko" "$mods/$rel"
done

vm_initramfs -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir"

# The guest's module index must resolve vfio to the build above, not to Debian's.
moddep=$(vm_moddep)
echo "$moddep" | grep -q '^updates/vfio\.ko:' || fail "the guest's modules.dep does not take vfio from updates/"
echo "$moddep" | grep -q '^updates/vfio-platform\.ko:.*updates/vfio\.ko' ||
	fail "the guest's modules.dep has no vfio-platform on the vfio built here"
echo "# guest modules.dep: $(echo "$moddep" | grep -E '^updates/|qemu_fw_cfg|pvpanic' | tr '\n' ' ')"

log=$work/platform.log
rc=0
"$vm/run-vm.sh" -n -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-240}" \
	-s guest-platform.sh -m "$here/machine" \
	"$kernel" "$work/initramfs.cpio.gz" platform \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(vm_took "$log")"

vm_summary "$log" "$rc"
