#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-source.sh KERNEL_TREE CACHE_DIR
#
# The parts of Debian's linux-source that the out-of-tree builds take (platform/
# build-vfio.sh, cdev/build-vfio-cdev.sh): drivers/vfio, drivers/iommu and
# lib/interval_tree.c, for the kernel fetch-kernel.sh unpacked into KERNEL_TREE. Prints
# the directory that holds them, CACHE_DIR/linux-source-VERSION.
# The source comes with "apt-get download linux-source-X.Y" in the version of the
# kernel's package (else the closest apt has); only those paths of its tarball are
# kept. A kernel fetch-kernel.sh took from another suite (backports) names the apt
# configuration that reads it. Nothing of the source is in the repository.
# Exits 77 (skipped) when the source cannot be had, 1 on other errors.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 KERNEL_TREE CACHE_DIR" >&2; exit 2; }
tree=$(cd "$1" && pwd)
cache=$2

say() { echo "fetch-source: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "$*"; exit 1; }

# What the builds read; a cache made with fewer of them is unpacked again.
paths="drivers/vfio drivers/iommu lib/interval_tree.c"

kver=$(basename "$tree")
kdir=$tree/usr/src/linux-headers-$kver
[ -f "$kdir/Makefile" ] || fail "no kernel headers in $kdir"
# fetch-kernel.sh records the Debian version of the kernel package it unpacked.
kversion=$(cat "$tree/.complete" 2>/dev/null || true)
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
# 6.1.0-56-amd64 -> linux-source-6.1
series=$(echo "$release" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p')
[ -n "$series" ] || fail "cannot tell the kernel series of '$release'"
pkg=linux-source-$series

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

complete() { # SRC: unpacked before, with every path
	[ -f "$1/.complete" ] || return 1
	for p in $paths; do
		[ -e "$1/$p" ] || return 1
	done
}

command -v apt-cache >/dev/null 2>&1 || skip "apt-cache not found (not a Debian host)"
if [ -s "$tree/.apt-config" ]; then
	APT_CONFIG=$(cat "$tree/.apt-config")
	export APT_CONFIG
fi
versions=$(apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
if [ -n "$kversion" ] && printf '%s\n' "$versions" | grep -qxF "$kversion"; then
	version=$kversion
else
	version=$(printf '%s\n' "$versions" | head -n 1)
fi
if [ -z "$version" ]; then
	# Offline: a source unpacked earlier is still good enough to try.
	src=$(find "$cache" -maxdepth 1 -name "$pkg-*" -type d | sort -V | tail -n 1)
	if [ -z "$src" ] || ! complete "$src"; then
		skip "apt knows no $pkg (run apt-get update)"
	fi
	version=${src##*/"$pkg"-}
	say "apt knows no $pkg; using the cached $version"
fi
[ "$version" = "$kversion" ] || say "note: no $pkg $kversion; building from $version"
src=$cache/$pkg-$version

# Two runs sharing the cache must not unpack over each other.
if command -v flock >/dev/null 2>&1; then
	exec 8>"$cache/.lock-$pkg"
	flock 8
fi
if ! complete "$src"; then
	tmp=$cache/.unpack-$pkg-$version
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "downloading $pkg $version"
	(cd "$tmp" && apt-get download -q "$pkg=$version" >/dev/null 2>"$tmp/apt.log") ||
		skip "apt-get download $pkg=$version failed: $(grep -m1 '^E:' "$tmp/apt.log" || echo "see $tmp/apt.log")"
	deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	[ -n "$deb" ] || skip "apt-get download left no ${pkg}_*.deb"
	# The package holds one tarball, usr/src/linux-source-X.Y.tar.xz, of which only the
	# paths above are wanted (a few MiB of the 140 MB).
	members=
	for p in $paths; do
		members="$members $pkg/$p"
	done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$tmp" $members ||
		fail "cannot unpack$members from $deb"
	rm -rf "$src"
	mkdir -p "$src"
	mv "$tmp/$pkg/drivers" "$tmp/$pkg/lib" "$src/"
	rm -rf "$tmp"
	echo "$version" >"$src/.complete"
	say "unpacked $pkg $version ($paths) into $src"
fi
echo "$src"
