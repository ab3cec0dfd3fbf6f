#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-module.sh KERNEL_BUILD_DIR OUT_DIR SRC_DIR MODULE ALIAS [PARAMETER...]
#
# Builds one test module (SRC_DIR holds its Kbuild and MODULE.c) out of tree against a
# kernel's headers (for Debian: usr/src/linux-headers-KVER-amd64, as host-lib.sh's
# vm_kernel provides) and prints the .ko's path. Kbuild writes its objects next to the
# sources, so they are copied to OUT_DIR first and the source tree stays clean. The
# module must carry ALIAS (the guest's module index finds it by that) and each
# PARAMETER, and its vermagic must name the kernel the headers are for.

set -eu

[ $# -ge 5 ] || { echo "usage: $0 KERNEL_BUILD_DIR OUT_DIR SRC_DIR MODULE ALIAS [PARAMETER...]" >&2; exit 2; }
kdir=$1
out=$2
src=$(cd "$3" && pwd)
mod=$4
alias=$5
shift 5

mkdir -p "$out"
out=$(cd "$out" && pwd)
# cp -p keeps the sources' times, so an unchanged source is not rebuilt.
cp -p "$src/Kbuild" "$src/$mod.c" "$out/"
# No BTF for a test module: with it, kernels whose headers ship a vmlinux (6.12 on)
# would want pahole (dwarves) on the host; a module without BTF loads all the same.
make -s -C "$kdir" M="$out" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	echo "build-module.sh: building $mod failed" >&2
	exit 1
}

ko=$out/$mod.ko
modinfo -F alias "$ko" | grep -qxF "$alias" || {
	echo "build-module.sh: $ko lacks alias $alias" >&2
	exit 1
}
for parm in "$@"; do
	modinfo -F parm "$ko" | grep -q "^$parm:" || {
		echo "build-module.sh: $ko lacks parameter $parm" >&2
		exit 1
	}
done
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
case $(modinfo -F vermagic "$ko") in
"$release "*) ;;
*)
	echo "build-module.sh: $ko has vermagic '$(modinfo -F vermagic "$ko")', not for $release" >&2
	exit 1
	;;
esac
echo "$ko"
