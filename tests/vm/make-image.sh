#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-image.sh -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko [-x TREE] [-s SCRIPT]... -o IMAGE
#
# The root disk of the persistence VM tests, an ext4 image made with "mkfs.ext4 -d" from
# a copy of the cached debootstrap root (make-rootfs.sh) plus:
#   /lib/modules/KVER        the whole module tree of the guest kernel, and MODULE.ko
#                            (the test variant) under updates/, indexed by depmod
#   DESTDIR's tree           what "meson install --destdir" produced, as a package would
#                            lay it out: binary, udev rule, vfio-bind.service (enabled)
#   /vmtest/                 the guest scripts and vmtest.service, which runs them,
#                            and each SCRIPT
#   TREE                     copied over the root last (configuration, /boot files)
# Every boot gets a copy-on-write overlay of IMAGE (run-vm.sh), so IMAGE stays as made.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
rootfs='' ktree='' destdir='' ko='' out='' extra='' scripts=''
while getopts r:k:d:m:o:x:s: opt; do
	case $opt in
	x) extra=$OPTARG ;;
	s) scripts="$scripts $OPTARG" ;;
	r) rootfs=$OPTARG ;;
	k) ktree=$OPTARG ;;
	d) destdir=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
if [ -z "$rootfs" ] || [ -z "$ktree" ] || [ -z "$destdir" ] || [ -z "$ko" ] || [ -z "$out" ]; then
	echo "usage: $0 -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko [-x TREE] [-s SCRIPT]... -o IMAGE" >&2
	exit 2
fi

kver=$(basename "$(find "$ktree/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
stage=$out.d
rm -rf "$stage"
cp -a "$rootfs" "$stage"
rm -f "$stage/.complete"

# The module tree is 400 MB and never written to here: hard links where the cache is
# on the same file system (depmod replaces its index files, it does not write them).
mods=$stage/lib/modules/$kver
mkdir -p "$mods"
cp -al "$ktree/lib/modules/$kver/kernel" "$mods/" 2>/dev/null ||
	cp -a "$ktree/lib/modules/$kver/kernel" "$mods/"
cp "$ktree/lib/modules/$kver"/modules.builtin* "$ktree/lib/modules/$kver"/modules.order "$mods/"
mkdir -p "$mods/updates"
cp "$ko" "$mods/updates/"
depmod -b "$stage" "$kver"

# /lib is a link to /usr/lib in the root (merged /usr): tar keeps it one.
(cd "$destdir" && tar -cf - .) | tar -xf - -C "$stage" --keep-directory-symlink --no-same-owner
for lib in $(find "$destdir" -type f -perm -u+x -exec ldd {} \; 2>/dev/null |
	sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p'); do
	[ -e "$stage$lib" ] || [ -e "$stage/usr$lib" ] || { echo "$0: the root lacks $lib" >&2; exit 1; }
done

# The guest: no login prompts, none of the boot work that only costs time under TCG
# (about 3 s of 20) and has nothing to do with devices, a fixed name, the boot unit as
# a package would enable it, and the test unit.
for unit in getty.target getty-static.service serial-getty@ttyS0.service console-getty.service \
	e2scrub_reap.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
	dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
	sys-fs-fuse-connections.mount sys-kernel-config.mount; do
	ln -sf /dev/null "$stage/etc/systemd/system/$unit"
done
echo vmtest >"$stage/etc/hostname"
mkdir -p "$stage/vmtest"
# shellcheck disable=SC2086 # the scripts' paths are words
install -m 0755 "$here"/guest-*.sh "$here/../guest-lib.sh" $scripts "$stage/vmtest/"
install -m 0644 "$here/vmtest.service" "$stage/etc/systemd/system/"
systemctl --root="$stage" --quiet enable vfio-bind.service vmtest.service
[ -z "$extra" ] || (cd "$extra" && tar -cf - .) | tar -xf - -C "$stage" --keep-directory-symlink --no-same-owner

# Room for what the tests write (state files, the journal).
size=$(($(du -sm "$stage" | cut -f1) * 5 / 4 + 128))
rm -f "$out.tmp"
# -q still names the file it creates; only a failure is worth showing.
mkfs.ext4 -q -F -L vmroot -d "$stage" "$out.tmp" "${size}M" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "make-image: $out (${size} MiB, kernel $kver)" >&2
