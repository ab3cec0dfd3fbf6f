#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-cdev.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-cdev: VFIO's device cdev (/dev/vfio/devices/vfioN) on a real kernel.
# The cdev came in 6.6, so this boots Debian's 6.12 whatever VFIO_BIND_VM_KERNEL says
# (a series of 6.6 or later it names is taken instead). Debian builds that kernel without
# iommufd, and so without the cdev: build-vfio-cdev.sh builds iommufd and the VFIO stack
# with it from Debian's linux-source, and they go into the busybox initramfs under
# /lib/modules/KVER/updates/ (where depmod prefers them to Debian's), with vfio-bind's
# install tree, guest-cdev.sh and vfio-holder (../safety/vfio-holder.c, which plays
# QEMU with iommufd). Two boots of the default machine (an e1000e and a virtio-net, each
# in its own IOMMU group): "iommu" and "noiommu". No variant driver: Debian's would not
# load against this vfio-pci-core.
# Prints the guest's TAP lines; exits 0 only if all passed. Skips (77) where qemu, the
# kernel or its source cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh. Logs in BUILD_ROOT/tests/vm/cdev/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-cdev "$1" tests/vm/cdev/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe modinfo make xz dpkg-deb cc
case ${VFIO_BIND_VM_KERNEL:-} in
6.[6-9] | 6.[1-9][0-9] | [7-9].*) ;;
*) VFIO_BIND_VM_KERNEL=6.12 ;;
esac
export VFIO_BIND_VM_KERNEL
vm_kernel
echo "# kernel $kver"

t0=$(date +%s)
rc=0
kos=$("$here/build-vfio-cdev.sh" "$tree" "$cache" "$work/build" 2>"$work/build.log") || rc=$?
sed 's/^/# /' "$work/build.log"
[ "$rc" -eq 77 ] && skip "no VFIO cdev to build for $kver (see above)"
[ "$rc" -eq 0 ] || fail "cannot build iommufd and vfio with the device cdev for $kver"
echo "# built $(echo "$kos" | grep -c .) modules in $(($(date +%s) - t0)) s"

cc -static -O2 -s -Wall -o "$work/vfio-holder" "$vm/safety/vfio-holder.c" 2>"$work/holder.log" ||
	{ cat "$work/holder.log"; fail "cannot build vfio-holder (static glibc, libc6-dev)"; }

vm_install
install -D -m 0755 "$here/guest-cdev.sh" "$work/destdir/guest-cdev.sh"
install -D -m 0755 "$work/vfio-holder" "$work/destdir/cdev/vfio-holder"
# shellcheck disable=SC2086
[ -z "$kos" ] || vm_updates $kos
vm_initramfs -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir"

# The guest's module index must take the VFIO stack from the build above (nothing was
# built where the kernel has the cdev itself: its own modules serve).
moddep=$(vm_moddep)
for ko in $kos; do
	name=$(basename "$ko")
	echo "$moddep" | grep -q "^updates/$name:" || fail "the guest's modules.dep does not take $name from updates/"
done
if [ -n "$kos" ]; then
	echo "$moddep" | grep -q '^updates/vfio\.ko:.*updates/iommufd\.ko' ||
		fail "the guest's modules.dep has no vfio on the iommufd built here"
fi

for scenario in iommu noiommu; do
	log=$work/$scenario.log
	noiommu=
	[ "$scenario" = noiommu ] && noiommu=-n
	rc=0
	"$vm/run-vm.sh" $noiommu -s guest-cdev.sh -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-240}" \
		"$kernel" "$work/initramfs.cpio.gz" "$scenario" >"$log" 2>"$log.err" || rc=$?
	echo "# --- $scenario: $(vm_took "$log")"
	vm_report "$scenario" "$rc"
done

vm_end "kernel $kver"
