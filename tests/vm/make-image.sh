#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-image.sh -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko [-x TREE]... [-u UNIT]...
#               [-M UNIT]... [-H HOSTNAME] -o IMAGE
#
# The root disk of a systemd guest (persist/, early/, the VM benchmark), an ext4 image
# made with "mkfs.ext4 -d" from a copy of a cached debootstrap root
# (persist/make-rootfs.sh, or the benchmark's on top of it) plus:
#   /lib/modules/KVER   the whole module tree of the guest kernel, and MODULE.ko (the
#                       test variant) under updates/, indexed by depmod
#   DESTDIR's tree      what "meson install --destdir" produced, as a package would lay
#                       it out: binary, udev rule, vfio-bind.service (enabled)
#   each TREE           copied over the root in turn: the guest's own scripts and units
#                       (vm_guest_tree in host-lib.sh), configuration, /boot files
# Each UNIT (its file under /etc/systemd/system, from a TREE) is enabled; each -M UNIT
# masked beside the boot work that only costs time under TCG. HOSTNAME: vmtest.
# Every boot gets a copy-on-write overlay of IMAGE, so IMAGE stays as made.

set -eu

rootfs='' ktree='' destdir='' ko='' out='' trees='' units='' masked='' hostname=vmtest
while getopts r:k:d:m:o:x:u:M:H: opt; do
	case $opt in
	r) rootfs=$OPTARG ;;
	k) ktree=$OPTARG ;;
	d) destdir=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) out=$OPTARG ;;
	x) trees="$trees $OPTARG" ;;
	u) units="$units $OPTARG" ;;
	M) masked="$masked $OPTARG" ;;
	H) hostname=$OPTARG ;;
	*) exit 2 ;;
	esac
done
if [ -z "$rootfs" ] || [ -z "$ktree" ] || [ -z "$destdir" ] || [ -z "$ko" ] || [ -z "$out" ]; then
	echo "usage: $0 -r ROOTFS -k KERNEL_TREE -d DESTDIR -m MODULE.ko [-x TREE]... [-u UNIT]... [-M UNIT]... [-H HOSTNAME] -o IMAGE" >&2
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
# (about 3 s of 20) and has nothing to do with devices, a fixed name, its own files,
# the boot unit as a package would enable it, and the guest's units.
# shellcheck disable=SC2086 # the lists are words
for unit in getty.target getty-static.service serial-getty@ttyS0.service console-getty.service \
	e2scrub_reap.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
	dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
	sys-fs-fuse-connections.mount sys-kernel-config.mount $masked; do
	ln -sf /dev/null "$stage/etc/systemd/system/$unit"
done
echo "$hostname" >"$stage/etc/hostname"
for t in $trees; do
	(cd "$t" && tar -cf - .) | tar -xf - -C "$stage" --keep-directory-symlink --no-same-owner
done
# shellcheck disable=SC2086
systemctl --root="$stage" --quiet enable vfio-bind.service $units

# Room for what the tests write (state files, the journal).
size=$(($(du -sm "$stage" | cut -f1) * 5 / 4 + 128))
rm -f "$out.tmp"
# -q still names the file it creates; only a failure is worth showing.
mkfs.ext4 -q -F -L vmroot -d "$stage" "$out.tmp" "${size}M" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "make-image: $out (${size} MiB, kernel $kver)" >&2
