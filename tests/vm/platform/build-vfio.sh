#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-vfio.sh KERNEL_TREE CACHE_DIR OUT_DIR
#
# Debian builds no vfio-platform and no VFIO no-IOMMU mode. This builds both, out of
# tree, from the drivers/vfio of Debian's own linux-source package against the
# headers of the kernel fetch-kernel.sh unpacked into KERNEL_TREE, and prints the
# modules, one path a line:
#   OUT_DIR/vfio.ko                      a drop-in for Debian's vfio.ko (same symbol
#                                        CRCs, checked) with enable_unsafe_noiommu_mode
#   OUT_DIR/platform/vfio-platform.ko    driver vfio-platform, parameter reset_required
#   OUT_DIR/platform/vfio-platform-base.ko
# The source comes with "apt-get download linux-source-X.Y" in the version of the
# kernel's package (else the closest apt has), and only its drivers/vfio is kept,
# unpacked under CACHE_DIR/linux-source-VERSION. Nothing of it is in the repository.
#
# One change is made to the copy in OUT_DIR before building: 6.1's
# vfio_platform_init_common() ends in "return ret;", handing the reset lookup's
# -ENOENT to the probe even when reset_required=0, so that the parameter cannot work;
# later kernels return 0 then. The sed below makes 6.1 do the same.
# Exits 77 (skipped) when the source cannot be had, 1 when it does not build.

set -eu

[ $# -eq 3 ] || { echo "usage: $0 KERNEL_TREE CACHE_DIR OUT_DIR" >&2; exit 2; }
tree=$(cd "$1" && pwd)
cache=$2
out=$3

say() { echo "build-vfio: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "$*"; exit 1; }

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

# The version of the source: the kernel's own if apt has it, else apt's candidate.
command -v apt-cache >/dev/null 2>&1 || skip "apt-cache not found (not a Debian host)"
# A kernel fetch-kernel.sh took from elsewhere than the machine's own apt (backports)
# names the apt configuration that reads its archive; its source is there too.
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
	if [ -z "$src" ] || [ ! -f "$src/.complete" ]; then
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
if [ ! -f "$src/.complete" ]; then
	tmp=$cache/.unpack-$pkg-$version
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "downloading $pkg $version"
	(cd "$tmp" && apt-get download -q "$pkg=$version" >/dev/null 2>"$tmp/apt.log") ||
		skip "apt-get download $pkg=$version failed: $(grep -m1 '^E:' "$tmp/apt.log" || echo "see $tmp/apt.log")"
	deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	[ -n "$deb" ] || skip "apt-get download left no ${pkg}_*.deb"
	# The package holds one tarball, usr/src/linux-source-X.Y.tar.xz; only drivers/vfio
	# of it is wanted (a few hundred KiB of the 140 MB).
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$tmp" "$pkg/drivers/vfio" ||
		fail "cannot unpack drivers/vfio from $deb"
	rm -rf "$src"
	mkdir -p "$src"
	mv "$tmp/$pkg/drivers" "$src/"
	rm -rf "$tmp"
	echo "$version" >"$src/.complete"
	say "unpacked $pkg $version drivers/vfio into $src"
fi

# The copy Kbuild builds in (it writes objects next to the sources), patched; made
# again only for another source, so that a second run rebuilds nothing.
mkdir -p "$out"
out=$(cd "$out" && pwd)
common=platform/vfio_platform_common.c
if [ "$(cat "$out/.source" 2>/dev/null || true)" != "$src" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	cp -pR "$src/drivers/vfio/." "$out/"
	sed -i '/^int vfio_platform_init_common(/,/^EXPORT_SYMBOL_GPL(vfio_platform_init_common);/ s/^\treturn ret;$/\treturn vdev->reset_required ? ret : 0;/' \
		"$out/$common"
	# Either the sed took, or the source already ends the function the later way
	# ("return 0;" after an early "return ret;" under reset_required).
	body=$(sed -n '/^int vfio_platform_init_common(/,/^}/p' "$out/$common")
	case $body in
	*'return vdev->reset_required ? ret : 0;'*) ;;
	*'return 0;'*) say "note: $common already ignores a missing reset when not required" ;;
	*) fail "cannot make vfio_platform_init_common() accept reset_required=0 in $src" ;;
	esac
	echo "$src" >"$out/.source"
fi

# The Kconfig symbols as make variables choose what drivers/vfio's Makefiles build
# (the headers' auto.conf would add vfio-pci, mdev ..., which Debian has already);
# the C code sees CONFIG_VFIO_NOIOMMU through KCFLAGS, as autoconf.h would say it.
# vfio_virqfd is a module of its own up to 6.1 (left to Debian's) and part of vfio.ko
# from 6.2 (CONFIG_VFIO_VIRQFD=y, kept: vfio.ko must export what Debian's does);
# 6.2 on builds vfio-platform-base under CONFIG_VFIO_PLATFORM_BASE. No BTF (see
# ../build-module.sh).
virqfd=CONFIG_VFIO_VIRQFD=
grep -qx 'CONFIG_VFIO_VIRQFD=y' "$kdir/include/config/auto.conf" 2>/dev/null && virqfd=CONFIG_VFIO_VIRQFD=y
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" -C "$kdir" M="$out" \
	CONFIG_VFIO=m CONFIG_VFIO_PLATFORM=m CONFIG_VFIO_PLATFORM_BASE=m "$virqfd" \
	CONFIG_VFIO_PCI= CONFIG_VFIO_MDEV= CONFIG_VFIO_IOMMU_TYPE1= \
	CONFIG_VFIO_IOMMU_SPAPR_TCE= CONFIG_VFIO_SPAPR_EEH= CONFIG_VFIO_FSL_MC= CONFIG_VFIO_AMBA= \
	CONFIG_VFIO_CDX= CONFIG_DEBUG_INFO_BTF_MODULES= \
	KCFLAGS=-DCONFIG_VFIO_NOIOMMU=1 modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	fail "building drivers/vfio from $pkg $version failed"
}

vfio=$out/vfio.ko
plat=$out/platform/vfio-platform.ko
base=$out/platform/vfio-platform-base.ko
for ko in "$vfio" "$plat" "$base"; do
	[ -f "$ko" ] || fail "the build made no $ko"
	case $(modinfo -F vermagic "$ko") in
	"$release "*) ;;
	*) fail "$ko has vermagic '$(modinfo -F vermagic "$ko")', not for $release" ;;
	esac
done
modinfo -F parm "$vfio" | grep -q '^enable_unsafe_noiommu_mode:' ||
	fail "$vfio has no enable_unsafe_noiommu_mode: CONFIG_VFIO_NOIOMMU did not take"
modinfo -F parm "$plat" | grep -q '^reset_required:' || fail "$plat has no reset_required"

# Debian's own modules (vfio_virqfd, which vfio-platform-base uses, vfio-pci ...) must
# load against this vfio.ko: every symbol both export must have the same CRC.
awk '{ print $2, $1 }' "$out/Module.symvers" | sort >"$out/ours.crc"
awk '$3 ~ /drivers\/vfio\/vfio$/ { print $2, $1 }' "$kdir/Module.symvers" | sort >"$out/debian.crc"
[ -s "$out/debian.crc" ] || fail "$kdir/Module.symvers lists no symbol of drivers/vfio/vfio"
differ=$(join "$out/debian.crc" "$out/ours.crc" | awk '$2 != $3 { printf " %s", $1 }')
[ -z "$differ" ] || fail "vfio.ko from $pkg $version exports with other CRCs than $kver's:$differ"
missing=$(join -v 1 "$out/debian.crc" "$out/ours.crc" | awk '{ printf " %s", $1 }')
[ -z "$missing" ] || fail "vfio.ko from $pkg $version lacks exports of $kver's:$missing"

printf '%s\n' "$vfio" "$plat" "$base"
