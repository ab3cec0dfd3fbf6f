#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-boot-initramfs.sh -k KERNEL_TREE [-m MODULE.ko]... -o OUT.cpio.gz
#
# The boot initramfs of the persistence VM tests: busybox-static, boot-init.sh as /init,
# and just the modules that reach the root disk (virtio_pci, virtio_blk, ext4) plus
# e1000e for "vmpreload=e1000e", and each MODULE.ko (built out of tree, e.g. vb_slow for
# "vmpreload=vb_slow") under updates/, indexed by depmod -b. KERNEL_TREE is the
# directory fetch-kernel.sh printed.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
ktree='' out='' extra=''
while getopts k:m:o: opt; do
	case $opt in
	k) ktree=$OPTARG ;;
	m) extra="$extra $OPTARG" ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
{ [ -n "$ktree" ] && [ -n "$out" ]; } || { echo "usage: $0 -k KERNEL_TREE [-m MODULE.ko]... -o OUT.cpio.gz" >&2; exit 2; }

kver=$(basename "$(find "$ktree/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
kmods=$ktree/lib/modules/$kver
busybox=$(command -v busybox) || { echo "$0: busybox not found" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
	echo "$0: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/bin "$stage"/proc "$stage"/sys "$stage"/dev "$stage"/root
cp "$busybox" "$stage"/bin/busybox
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
install -m 0755 "$here/boot-init.sh" "$stage/init"

smods=$stage/lib/modules/$kver
for mod in virtio_pci virtio_blk crc32c_generic ext4 e1000e; do
	modprobe -d "$ktree" -S "$kver" --show-depends "$mod" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | sort -u | while read -r ko; do
	rel=${ko#"$kmods"/}
	mkdir -p "$smods/$(dirname "$rel")"
	cp "$ko" "$smods/$rel"
done
for ko in $extra; do
	mkdir -p "$smods/updates"
	cp "$ko" "$smods/updates/"
done
cp "$kmods"/modules.builtin "$kmods"/modules.builtin.modinfo "$kmods"/modules.order "$smods"/
depmod -b "$stage" "$kver"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "make-boot-initramfs: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver)" >&2
