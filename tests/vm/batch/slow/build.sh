#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build.sh KERNEL_BUILD_DIR OUT_DIR
#
# Builds vb_slow.ko out of tree against a kernel's headers (for Debian:
# usr/src/linux-headers-KVER-amd64, as ../../host-lib.sh's vm_kernel provides) and
# prints the .ko's path. Kbuild writes its objects next to the sources, so the sources
# are copied to OUT_DIR first and the source tree stays clean.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 KERNEL_BUILD_DIR OUT_DIR" >&2; exit 2; }
kdir=$1
out=$2
src=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$out"
out=$(cd "$out" && pwd)
# cp -p keeps the sources' times, so an unchanged source is not rebuilt.
cp -p "$src/Kbuild" "$src/vb_slow.c" "$out/"
make -s -C "$kdir" M="$out" modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	echo "build.sh: building vb_slow failed" >&2
	exit 1
}

ko=$out/vb_slow.ko
# The guest's module index must send the edu device's modalias to this module: that is
# how vfio-bind finds the host driver to hand a device back to.
alias='pci:v00001234d000011E8sv*sd*bc*sc*i*'
modinfo -F alias "$ko" | grep -qxF "$alias" || {
	echo "build.sh: $ko lacks alias $alias" >&2
	exit 1
}
for parm in delay_ms fail_probe in_flight max_in_flight probes removes; do
	modinfo -F parm "$ko" | grep -q "^$parm:" || {
		echo "build.sh: $ko lacks parameter $parm" >&2
		exit 1
	}
done
# vermagic must name the kernel the headers are for, or the guest will not load it.
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
case $(modinfo -F vermagic "$ko") in
"$release "*) ;;
*)
	echo "build.sh: $ko has vermagic '$(modinfo -F vermagic "$ko")', not for $release" >&2
	exit 1
	;;
esac
echo "$ko"
