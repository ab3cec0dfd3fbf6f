#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-faults.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-faults: vfio-bind when things go wrong around it, on a real kernel.
# Gets Debian's kernel and the test variant module (../host-lib.sh), builds
# ../safety/vfio-holder, packs vfio-bind's install tree, guest-faults.sh, the holder and
# three programs of this machine (strace, mkfs.btrfs, util-linux flock: busybox has no
# flock) with the extra devices' modules into the busybox initramfs, and boots
# ../run-vm.sh with ./machine once. Two blank 256 MiB disk images are made each run.
# Prints the guest's TAP lines; exits 0 only if all passed and the guest reported to
# the end; 77 (skipped) where qemu, the kernel or one of those programs cannot be had,
# or with VFIO_BIND_SKIP_VM=1.
# Environment: as for ../host-lib.sh; the boot's limit (VFIO_BIND_VM_TIMEOUT) defaults
# to 900 s here. Logs in BUILD_ROOT/tests/vm/faults/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/host-lib.sh"
vm_setup vm-faults "$1" tests/vm/faults/work
vm_need qemu-system-x86_64 busybox cpio gzip depmod modprobe make cc
# The guest's own tools, taken from this machine (Debian: strace, btrfs-progs, util-linux).
PATH=$PATH:/usr/sbin:/sbin
guest_tools=
for tool in strace mkfs.btrfs flock; do
	p=$(command -v "$tool") || skip "$tool not found (Debian packages strace, btrfs-progs, util-linux)"
	guest_tools="$guest_tools $p"
done
vm_kernel
vm_variant

# Static, as for vm-safety: the guest has no C library of its own.
cc -static -O2 -s -Wall -o "$work/vfio-holder" "$vm/safety/vfio-holder.c" 2>"$work/holder.log" ||
	{ cat "$work/holder.log"; fail "cannot build vfio-holder (static glibc, libc6-dev)"; }

# The install tree as a package lays it out; on top of it the guest script, the holder
# and the borrowed tools under /faults/bin, whose libraries make-initramfs.sh copies
# (it runs ldd on every executable of the tree).
vm_install
install -D -m 0755 "$here/guest-faults.sh" "$work/destdir/guest-faults.sh"
install -D -m 0755 "$work/vfio-holder" "$work/destdir/faults/bin/vfio-holder"
for p in $guest_tools; do
	install -D -m 0755 "$p" "$work/destdir/faults/bin/$(basename "$p")"
done

# The extra devices' host drivers (e1000, virtio_blk), btrfs with its dependencies
# (crc32c among them: the kernel's request_module would run a /sbin/modprobe this
# initramfs lacks). make-initramfs.sh takes extra modules only as -m files.
vm_module_files e1000 virtio_blk btrfs crc32c_generic
set -- -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$ko"
for dep in $modfiles; do
	set -- "$@" -m "$dep"
done
vm_initramfs "$@"

# Two blank disks each run (sparse): the guest makes its btrfs on them. mkfs.btrfs
# wants at least 114 MiB a device for its default profiles.
rm -f "$work/disk-a.img" "$work/disk-b.img"
truncate -s 256M "$work/disk-a.img"
truncate -s 256M "$work/disk-b.img"

log=$work/faults.log
rc=0
"$vm/run-vm.sh" -a "$accel" -t "${VFIO_BIND_VM_TIMEOUT:-900}" \
	-s guest-faults.sh -m "$here/machine" -D "$work" \
	"$kernel" "$work/initramfs.cpio.gz" iommu \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(vm_took "$log")"

vm_summary "$log" "$rc"
