#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-rootfs.sh [CACHE_DIR]
#
# A Debian bookworm root with a real systemd and systemd-udevd for the persistence VM
# tests, made once with "debootstrap --variant=minbase" under CACHE_DIR/rootfs-bookworm
# and reused by later runs (rebuilt only when missing or made from another package
# list). Prints its path. Nothing of the project goes in here: make-image.sh adds that
# to a copy for each test run. Exits 77 (meson's "skipped") with a one-line reason when
# the root cannot be made (no debootstrap, no network to the Debian archive, not root).
# Environment: VFIO_BIND_VM_MIRROR (default http://deb.debian.org/debian).

set -eu

cache=${1:-/var/cache/vfio-bind-tests}
mirror=${VFIO_BIND_VM_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# systemd as PID 1 and udevd; kmod for modprobe; the libraries vfio-bind links.
packages=systemd,systemd-sysv,udev,kmod,libkmod2,libudev1,libzstd1,liblzma5,libssl3

say() { echo "make-rootfs: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }

mkdir -p "$cache" 2>/dev/null || skip "cannot create cache directory '$cache'"
cache=$(cd "$cache" && pwd)
root=$cache/rootfs-$suite
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

tmp=$cache/.rootfs-$suite.tmp
rm -rf "$tmp"
say "debootstrap --variant=minbase $suite from $mirror (a few minutes, once)"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$mirror" \
	>"$cache/debootstrap.log" 2>&1; then
	rm -rf "$tmp"
	skip "debootstrap failed: $(grep -m1 -E '^(E|W): ' "$cache/debootstrap.log" || echo "see $cache/debootstrap.log")"
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
