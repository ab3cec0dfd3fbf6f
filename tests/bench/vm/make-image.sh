#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-image.sh -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko -o IMAGE
#
# The root disk of the benchmark guest, an ext4 image made with "mkfs.ext4 -d" from a
# copy of the benchmark root (make-rootfs.sh: the persistence tests' bookworm root with
# driverctl and dpdk) plus, as tests/vm/persist/make-image.sh lays them out:
#   /lib/modules/KVER   the guest kernel's module tree, MODULE.ko (the test variant
#                       e1000e_vfio_pci) under updates/, indexed by depmod
#   DESTDIR's tree      what "meson install --destdir" produced (binary, rule, unit)
#   /bench/             guest-bench.sh and a static busybox, the floor's shell; an
#                       empty program linked statically and dynamically
# and bench.service, which runs the benchmark once the boot is through and powers off.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
rootfs='' ktree='' destdir='' ko='' out=''
while getopts r:k:d:m:o: opt; do
	case $opt in
	r) rootfs=$OPTARG ;;
	k) ktree=$OPTARG ;;
	d) destdir=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
if [ -z "$rootfs" ] || [ -z "$ktree" ] || [ -z "$destdir" ] || [ -z "$ko" ] || [ -z "$out" ]; then
	echo "usage: $0 -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko -o IMAGE" >&2
	exit 2
fi
busybox=$(command -v busybox) || { echo "$0: busybox not found" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
	echo "$0: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

kver=$(basename "$(find "$ktree/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
stage=$out.d
rm -rf "$stage"
cp -a "$rootfs" "$stage"
rm -f "$stage/.complete"

mods=$stage/lib/modules/$kver
mkdir -p "$mods"
cp -al "$ktree/lib/modules/$kver/kernel" "$mods/" 2>/dev/null ||
	cp -a "$ktree/lib/modules/$kver/kernel" "$mods/"
cp "$ktree/lib/modules/$kver"/modules.builtin* "$ktree/lib/modules/$kver"/modules.order "$mods/"
mkdir -p "$mods/updates"
cp "$ko" "$mods/updates/"
depmod -b "$stage" "$kver"

(cd "$destdir" && tar -cf - .) | tar -xf - -C "$stage" --keep-directory-symlink --no-same-owner

# No login prompts and none of the boot work that only costs time under TCG.
for unit in getty.target getty-static.service serial-getty@ttyS0.service console-getty.service \
	e2scrub_reap.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
	dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
	sys-fs-fuse-connections.mount sys-kernel-config.mount dpdk.service; do
	ln -sf /dev/null "$stage/etc/systemd/system/$unit"
done
echo vmbench >"$stage/etc/hostname"
mkdir -p "$stage/bench"
install -m 0755 "$here/guest-bench.sh" "$stage/bench/"
cp "$busybox" "$stage/bench/busybox"
# The same empty program linked both ways, to tell the cost of a start from the tool's.
cc=${CC:-cc}
"$cc" -O2 -static -o "$stage/bench/nothing-static" "$here/nothing.c"
"$cc" -O2 -pie -fPIE -o "$stage/bench/nothing-dynamic" "$here/nothing.c"
install -m 0644 "$here/bench.service" "$stage/etc/systemd/system/"
systemctl --root="$stage" --quiet enable vfio-bind.service bench.service

size=$(($(du -sm "$stage" | cut -f1) * 5 / 4 + 128))
rm -f "$out.tmp"
mkfs.ext4 -q -F -L vmroot -d "$stage" "$out.tmp" "${size}M" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "make-image: $out (${size} MiB, kernel $kver)" >&2
