#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-safety.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-safety: vfio-bind's safety checks on a real
# kernel. Gets Debian's kernel and the test variant module the way ../vm-test.sh does,
# builds vfio-holder (a static program that holds a device through /dev/vfio), packs
# vfio-bind's install tree, guest-safety.sh, vfio-holder and the extra devices' modules
# into the busybox initramfs with ../make-initramfs.sh, and boots ../run-vm.sh with ./machine once: a
# q35 with an IOMMU, a virtio-net NIC, a virtio-blk disk (a blank image made here),
# an e1000 and an e1000e behind a pcie-pci-bridge, an NVMe controller with SR-IOV and
# a VGA device. Prints the guest's TAP lines and
# exits 0 only if all passed and the guest reported to the end. Exits 77 (skipped)
# where qemu or the kernel cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: VFIO_BIND_VM_CACHE, VFIO_BIND_VM_ACCEL, VFIO_BIND_VM_TIMEOUT (as for
# ../vm-test.sh; the boot's limit defaults to 600 s here). Logs in BUILD_ROOT/tests/vm/safety/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
work=$build/tests/vm/safety/work

skip() { echo "vm-safety: SKIP: $*"; exit 77; }
fail() { echo "vm-safety: FAIL: $*"; exit 1; }

[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
for tool in qemu-system-x86_64 busybox cpio gzip depmod modprobe make cc; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done

cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
# A developer who is not root keeps the kernel in their own cache.
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-bind-tests
fi
tree=$("$vm/fetch-kernel.sh" "$cache") || exit $?
kver=$(basename "$tree")
kernel=$tree/boot/vmlinux-$kver
[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver

mkdir -p "$work"
ko=$("$vm/variant/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/variant") ||
	fail "cannot build the variant module against $kver"

# Static: the guest has no C library of its own (the installed tool brings only its own).
cc -static -O2 -s -Wall -o "$work/vfio-holder" "$here/vfio-holder.c" 2>"$work/holder.log" ||
	{ cat "$work/holder.log"; fail "cannot build vfio-holder (static glibc, libc6-dev)"; }

# What the project installs, as a package would lay it out, and on top of it (the
# initramfs takes the tree as is) the guest script and the holder.
rm -rf "$work/destdir"
meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --destdir failed"; }
install -D -m 0755 "$here/guest-safety.sh" "$work/destdir/guest-safety.sh"
install -D -m 0755 "$work/vfio-holder" "$work/destdir/safety/vfio-holder"

# The extra devices' host drivers (e1000, virtio_blk, nvme, bochs), ext4 for the
# filesystem on the disk, md_mod and bridge for the holder tests, with their dependencies: make-initramfs.sh
# has its own fixed list and takes more only as -m files (installed under extra/,
# indexed by depmod; a dependency it has already is only a harmless second copy).
mods=
for mod in e1000 virtio_blk nvme bochs ext4 md_mod bridge; do
	deps=$(modprobe -d "$tree" -S "$kver" --show-depends "$mod") || fail "module $mod not in $kver"
	for dep in $(echo "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
		case " $mods " in *" $dep "*) ;; *) mods="$mods $dep" ;; esac
	done
done
set -- -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$ko"
for dep in $mods; do
	set -- "$@" -m "$dep"
done
"$vm/make-initramfs.sh" "$@" 2>"$work/initramfs.log" ||
	{ cat "$work/initramfs.log"; fail "cannot build the initramfs"; }
sed 's/^/# /' "$work/initramfs.log"

# A blank disk each run: the guest partitions and formats it.
rm -f "$work/disk.img"
truncate -s 64M "$work/disk.img"

log=$work/safety.log
rc=0
"$here/../run-vm.sh" -a "${VFIO_BIND_VM_ACCEL:-tcg}" -t "${VFIO_BIND_VM_TIMEOUT:-600}" \
	-s guest-safety.sh -m "$here/machine" -D "$work/disk.img" \
	"$kernel" "$work/initramfs.cpio.gz" iommu \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(grep '^run-vm:' "$log.err" | sed 's/^run-vm: //')"

exec "$here/../tap-summary.sh" vm-safety "$log" "$rc"
