#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-initramfs.sh -k KERNEL_TREE -o OUT.cpio.gz [-d DESTDIR] [-m MODULE.ko]...
#
# Builds the busybox initramfs the VM tests boot:
#   /init, /guest-*.sh        init.sh and the guest scripts from this directory
#   /bin/busybox + applets    busybox-static
#   DESTDIR's tree            what "meson install --destdir DESTDIR" produced, as is,
#                             plus the shared libraries its programs need (ldd)
#   /lib/modules/KVER         only the modules the tests use, their dependencies, and
#                             each -m module under extra/, indexed by depmod -b, so the
#                             guest's modules.alias is real and libkmod can search it;
#                             compressed (6.12's .ko.xz) as the kernel ships them:
#                             busybox's modprobe and vfio-bind's libkmod load them
# KERNEL_TREE is the directory fetch-kernel.sh printed.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
ktree='' out='' destdir='' extra=''

usage() {
	echo "usage: $0 -k KERNEL_TREE -o OUT.cpio.gz [-d DESTDIR] [-m MODULE.ko]..." >&2
	exit 2
}

while getopts k:o:d:m: opt; do
	case $opt in
	k) ktree=$OPTARG ;;
	o) out=$OPTARG ;;
	d) destdir=$OPTARG ;;
	m) extra="$extra $OPTARG" ;;
	*) usage ;;
	esac
done
{ [ -n "$ktree" ] && [ -n "$out" ]; } || usage

kver=$(basename "$(find "$ktree/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
kmods=$ktree/lib/modules/$kver
[ -f "$kmods/modules.dep" ] || { echo "$0: $kmods has no modules.dep" >&2; exit 1; }
busybox=$(command -v busybox) || { echo "$0: busybox not found" >&2; exit 1; }
# A dynamically linked busybox would need its libraries too; insist on the static one.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "$0: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

stage=$out.d
rm -rf "$stage"
# The directories a Debian system has, /usr/local/etc included: a tool installed
# under /usr/local keeps its configuration there.
mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin \
	"$stage"/proc "$stage"/sys "$stage"/dev "$stage"/run "$stage"/tmp "$stage"/etc \
	"$stage"/usr/local/bin "$stage"/usr/local/sbin "$stage"/usr/local/etc

# The project's install tree goes in first, so nothing below can hide a file of it.
if [ -n "$destdir" ]; then
	cp -a "$destdir"/. "$stage"/
fi

cp "$busybox" "$stage"/bin/busybox
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
install -m 0755 "$here/init.sh" "$stage/init"
for script in "$here"/guest-*.sh; do
	install -m 0755 "$script" "$stage/"
done

# Libraries of every dynamically linked program in the install tree, at the paths the
# host's loader found them (and so the paths the binary asks for), loader included;
# and libkmod and libudev, which vfio-bind opens with dlopen() (ldd cannot see them),
# with their own.
if [ -n "$destdir" ]; then
	opened=
	for soname in libkmod.so.2 libudev.so.1; do
		lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ { print $NF; exit }')
		[ -n "$lib" ] || { echo "$0: $soname is not installed" >&2; exit 1; }
		opened="$opened $lib"
	done
	{
		for lib in $opened; do
			echo "$lib => $lib (0x0)"
			ldd "$lib"
		done
		find "$destdir" -type f -perm -u+x | while read -r prog; do
			ldd "$prog" 2>/dev/null || true
		done
	} | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
		sort -u | while read -r lib; do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
fi

# Modules the tests use: the VFIO stack (which vfio-bind loads itself, through
# libkmod) and the host drivers of the two emulated NICs. Their dependencies come from
# the full kernel's modules.dep; built-in ones (ptp, pps; virtio_pci from 6.12) need no
# file. vfio_virqfd is a module up to 6.1 only; later kernels build it into vfio.
wanted="vfio vfio_iommu_type1 vfio_virqfd vfio_pci_core vfio_pci irqbypass
	e1000e virtio_pci virtio_net"
smods=$stage/lib/modules/$kver
mkdir -p "$smods"
kos=
for mod in $wanted; do
	deps=$(modprobe -d "$ktree" -S "$kver" --show-depends "$mod" 2>/dev/null) || {
		[ "$mod" = vfio_virqfd ] && continue
		echo "$0: module $mod not in $kver" >&2
		exit 1
	}
	kos="$kos $(echo "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p')"
done
for ko in $kos; do
	rel=${ko#"$kmods"/}
	mkdir -p "$smods/$(dirname "$rel")"
	cp "$ko" "$smods/$rel"
done
# libkmod tells built-in modules from missing ones with these.
cp "$kmods"/modules.builtin "$kmods"/modules.builtin.modinfo "$kmods"/modules.order "$smods"/
for ko in $extra; do
	mkdir -p "$smods/extra"
	cp "$ko" "$smods/extra/"
done
depmod -b "$stage" "$kver"

# newc cpio owned by root, gzip: the Debian kernel unpacks both.
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: $out ($(du -k "$out" | cut -f1) KiB, $(find "$smods" -name '*.ko*' | wc -l) modules, kernel $kver)" >&2
