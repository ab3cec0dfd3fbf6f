#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How much code a run of vfio-bind makes QEMU translate: the number of distinct
# blocks of guest code `qemu-x86_64 -d in_asm` (user mode, the same translator
# as the VM bench's TCG guest) logs for each run. Under TCG with ASLR every block
# a run executes is translated again on every run, so this count, not the
# instructions executed, is what the VM bench's cycle pays beyond the kernel's
# work (RESULTS.md, fourth session). Figures, not a test.
#
#   count-blocks.sh BUILDDIR      (needs qemu-user-static; root, for the sandbox)
#
# vfio-bind runs against the standard fake tree under fake-sysfs.so, in a mount
# namespace with /sys read-only and without CAP_SYS_MODULE, as the fake tests
# do: nothing here can reach the machine's devices. The shim's own blocks (about
# 500) are counted in the vfio-bind rows; a guest would not run them.

set -u

[ $# -eq 1 ] || {
	echo "usage: ${0##*/} BUILDDIR" >&2
	exit 2
}
build=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/src/vfio-bind
shim=$build/tests/fake/fake-sysfs.so
qemu=$(command -v qemu-x86_64-static) || {
	echo "${0##*/}: needs qemu-x86_64-static (apt-get install qemu-user-static)" >&2
	exit 77
}
[ "$(id -u)" -eq 0 ] || {
	echo "${0##*/}: needs root for its sandbox (a mount namespace)" >&2
	exit 77
}

# shellcheck source=tests/fake/lib.sh
. "$here/../fake/lib.sh"
# shellcheck disable=SC2034 # fake_tree builds the module index with it
MAKE_MODULE_TREE=$here/../lib/make-module-tree.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/vfio-bind-blocks.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
S=$T/sys
fake_tree "$T" >"$T/setup.log" 2>&1 || {
	cat "$T/setup.log" >&2
	exit 1
}
# vfio-pci registered already, as in the VM bench's guest: no module to load.
fake_load "$S" vfio_pci

# Distinct blocks in an in_asm log: the address of each block's first line.
blocks() { # LOG
	grep -A1 '^IN:' "$1" | grep '^0x' | cut -d: -f1 | sort -u | wc -l
}

# count LABEL PROGRAM [ARGS...]: a plain program, no tree, no shim.
count() {
	_label=$1
	shift
	"$qemu" -d in_asm -D "$T/log" "$@" >/dev/null 2>&1
	printf '| %-48s | %7s |\n' "$_label" "$(blocks "$T/log")"
}

# count_vb LABEL ARGS...: vfio-bind ARGS against the fake tree.
count_vb() {
	_label=$1
	shift
	unshare -m sh -c 'mount -o bind,remount,ro /sys && exec "$@"' sh \
		env VFIO_BIND_SYSFS="$S" \
		VFIO_BIND_MODULES_DIR="$T/modules/lib/modules/$FAKE_KVER" \
		VFIO_BIND_MODPROBE_DIR="$T/modprobe.d" \
		VFIO_BIND_CONFIG_DIR="$T/config" \
		LD_PRELOAD="$shim" \
		setpriv --bounding-set=-sys_module -- \
		"$qemu" -d in_asm -D "$T/log" "$bin" "$@" >"$T/out" 2>&1
	_rc=$?
	[ ! -s "$S/.fake/violations" ] || {
		cat "$S/.fake/violations" >&2
		exit 1
	}
	[ $_rc -eq 0 ] || {
		echo "${0##*/}: vfio-bind $* failed ($_rc): $(cat "$T/out")" >&2
		exit 1
	}
	printf '| %-48s | %7s |\n' "$_label" "$(blocks "$T/log")"
}

cc=${CC:-cc}
echo 'int main(void) { return 0; }' >"$T/nothing.c"
"$cc" -O2 -static -o "$T/nothing-static" "$T/nothing.c" 2>/dev/null || : >"$T/nothing-static"
"$cc" -O2 -o "$T/nothing-dynamic" "$T/nothing.c"

dev=0000:00:02.0
printf '| %-48s | %7s |\n' run blocks
printf '| %-48s | %7s |\n' ------------------------------------------------ '------:'
[ -s "$T/nothing-static" ] && count "empty program, static" "$T/nothing-static"
count "empty program, dynamic (PIE, libc)" "$T/nothing-dynamic"
count_vb "vfio-bind --version" --version
count_vb "vfio-bind --no-save -d vfio-pci DEV" -q --no-save -d vfio-pci $dev
count_vb "vfio-bind --unbind DEV, nothing saved" -q --unbind $dev
count_vb "vfio-bind -d vfio-pci DEV (saving)" -q -d vfio-pci $dev
count_vb "vfio-bind --unbind DEV, forgetting its entry" -q --unbind $dev
count_vb "vfio-bind --list" --list
