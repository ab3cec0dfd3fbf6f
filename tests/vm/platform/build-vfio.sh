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
# The source is Debian's linux-source of the kernel's version, as ../fetch-source.sh
# keeps it under CACHE_DIR. Nothing of it is in the repository.
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
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
rc=0
src=$("$(dirname "$0")/../fetch-source.sh" "$tree" "$cache") || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
version=$(cat "$src/.complete")
pkg=$(basename "$src" "-$version")

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
