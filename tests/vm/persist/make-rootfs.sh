#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-rootfs.sh [CACHE_DIR [FLAVOUR]]
#
# A Debian bookworm root with a real systemd and systemd-udevd for the persistence VM
# tests, made once with "debootstrap --variant=minbase" under CACHE_DIR/rootfs-bookworm
# and reused by later runs (rebuilt only when missing or made from another package
# list). FLAVOUR adds an initramfs tool for the early-boot tests: "initramfs-tools" or
# "dracut" (they exclude each other), in CACHE_DIR/rootfs-bookworm-FLAVOUR. Prints its
# path. Nothing of the project goes in here: ../make-image.sh adds that to a copy for each
# test run. Exits 77 (meson's "skipped") with a one-line reason when the root cannot be
# made (no debootstrap, no Debian archive in this machine's apt sources, not root).
# The archive is the one this machine's apt uses (its sources.list(.d) entries for
# bookworm); VFIO_BIND_VM_MIRROR overrides it.

set -eu

cache=${1:-/var/cache/vfio-bind-tests}
flavour=${2:-}
suite=bookworm
# systemd as PID 1 and udevd; kmod for modprobe; the libraries vfio-bind links.
packages=systemd,systemd-sysv,udev,kmod,libkmod2,libudev1,libzstd1,liblzma5,libssl3
case $flavour in
'') name=rootfs-$suite ;;
# debootstrap takes the Depends of what it is asked for (initramfs-tools-core's
# klibc-utils, dracut-core's cpio, kpartx, e2fsprogs; systemd is here already), never
# the Recommends an ordinary install has too: busybox (initramfs-tools builds a
# klibc-only image without it) and zstd, both tools' compressor.
initramfs-tools) packages=$packages,initramfs-tools,busybox,zstd,cpio name=rootfs-$suite-$flavour ;;
dracut) packages=$packages,dracut,zstd,cpio name=rootfs-$suite-$flavour ;;
*) echo "make-rootfs: unknown flavour '$flavour'" >&2; exit 2 ;;
esac

say() { echo "make-rootfs: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }

# The first archive this machine's apt takes bookworm from: deb822 .sources files (the
# URIs of a stanza whose Types has "deb", whose Suites has bookworm and that is not
# "Enabled: no"), then one-line "deb [options] URI bookworm ..." entries.
apt_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '
			function hit() { return uri != "" && ok && deb && !off }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { if (hit()) exit; uri = ""; ok = deb = off = 0; next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
			tolower($1) == "enabled:" { if (tolower($2) == "no") off = 1 }
			END { if (hit()) print uri }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[ \t]*deb[ \t]\{1,\}\(\[[^]]*\][ \t]\{1,\}\)\{0,1\}\([^ \t]*\)[ \t]\{1,\}'"$suite"'[ \t].*/\2/p' "$f"
	done
}
mirror=${VFIO_BIND_VM_MIRROR:-$(apt_mirror | grep -v -- '-security' | head -n 1)}
[ -n "$mirror" ] || skip "no $suite archive in this machine's apt sources (set VFIO_BIND_VM_MIRROR)"

mkdir -p "$cache" 2>/dev/null || skip "cannot create cache directory '$cache'"
cache=$(cd "$cache" && pwd)
root=$cache/$name
stamp="$suite $packages"

# Two test runs sharing the cache must not debootstrap over each other.
exec 9>"$cache/.rootfs.lock"
flock 9

if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$stamp" ]; then
	say "using cached $root"
	echo "$root"
	exit 0
fi

[ "$(id -u)" = 0 ] || skip "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap not found (apt-get install debootstrap)"

tmp=$cache/.$name.tmp
rm -rf "$tmp"
say "debootstrap --variant=minbase $suite from $mirror (a few minutes, once)"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$mirror" \
	>"$cache/$name.debootstrap.log" 2>&1; then
	rm -rf "$tmp"
	skip "debootstrap failed: $(grep -m1 -E '^(E|W): ' "$cache/$name.debootstrap.log" || echo "see $cache/$name.debootstrap.log")"
fi

# What only costs space in every image made from this root.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* \
	"$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/locale/* \
	"$tmp"/usr/share/info/*

rm -rf "$root"
mv "$tmp" "$root"
echo "$stamp" >"$root/.complete"
say "made $root ($(du -sh "$root" | cut -f1))"
echo "$root"
