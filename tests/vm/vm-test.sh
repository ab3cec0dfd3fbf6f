#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The real-kernel test tier (meson test --suite vm). Gets Debian's kernel, builds the
# test variant module against its headers, installs vfio-bind from BUILD_ROOT into a
# staging tree, packs both into a busybox initramfs and boots QEMU four times:
#   guest-kernel-facts.sh  iommu, noiommu   the kernel behaves as vfio-bind assumes
#   guest-tests.sh         iommu, noiommu   vfio-bind does the job on that kernel
# Prints every guest's TAP lines, renumbered into one stream, and exits 0 only if all
# passed and every guest reported. Exits 77 (skipped) where qemu or the kernel cannot
# be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: VFIO_BIND_VM_CACHE (kernel cache, default /var/cache/vfio-bind-tests),
# VFIO_BIND_VM_ACCEL (default tcg), VFIO_BIND_VM_TIMEOUT (seconds per boot, default 240).

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$build/tests/vm/work

skip() { echo "vm-test: SKIP: $*"; exit 77; }
fail() { echo "vm-test: FAIL: $*"; exit 1; }

[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
for tool in qemu-system-x86_64 busybox cpio gzip depmod modprobe make; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done

cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
# A developer who is not root keeps the kernel in their own cache.
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-bind-tests
fi
tree=$("$here/fetch-kernel.sh" "$cache") || exit $?
kver=$(basename "$tree")
kernel=$tree/boot/vmlinux-$kver
[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver

mkdir -p "$work"
ko=$("$here/variant/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/variant") ||
	fail "cannot build the variant module against $kver"
echo "# variant: $(modinfo -F alias "$ko" | grep vfio_pci) ($(modinfo -F vermagic "$ko"))"

# What the project installs, as a package would lay it out.
rm -rf "$work/destdir"
meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --destdir failed"; }
bin=$(find "$work/destdir" -path '*bin/vfio-bind' -type f -perm -u+x | head -n 1)
[ -n "$bin" ] || fail "meson install put no vfio-bind into $work/destdir"
echo "# installed: ${bin#"$work/destdir"}"

"$here/make-initramfs.sh" -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" -m "$ko" \
	2>"$work/initramfs.log" || { cat "$work/initramfs.log"; fail "cannot build the initramfs"; }
sed 's/^/# /' "$work/initramfs.log"

n=0 failed=0
for boot in "guest-kernel-facts.sh iommu" "guest-kernel-facts.sh noiommu" \
	"guest-tests.sh iommu" "guest-tests.sh noiommu"; do
	script=${boot% *} scenario=${boot#* }
	name=${script%.sh}-$scenario
	name=${name#guest-}
	log=$work/$name.log
	noiommu=
	[ "$scenario" = noiommu ] && noiommu=-n
	rc=0
	"$here/run-vm.sh" $noiommu -s "$script" -a "${VFIO_BIND_VM_ACCEL:-tcg}" \
		-t "${VFIO_BIND_VM_TIMEOUT:-240}" "$kernel" "$work/initramfs.cpio.gz" "$scenario" \
		>"$log" 2>"$log.err" || rc=$?
	echo "# --- $name: $(grep '^run-vm:' "$log.err" | sed 's/^run-vm: //')"

	# The console ends lines in CR LF; only the guest script's lines matter here.
	tr -d '\r' <"$log" | grep -aE '^(ok|not ok) [0-9]+ |^# |^1\.\.[0-9]+$' >"$log.tap" || true
	plan=$(sed -n 's/^1\.\.//p' "$log.tap")
	seen=0
	while IFS= read -r line; do
		case $line in
		"not ok "*)
			n=$((n + 1)) seen=$((seen + 1)) failed=$((failed + 1))
			echo "not ok $n - $name: ${line#* - }" ;;
		"ok "*)
			n=$((n + 1)) seen=$((seen + 1))
			echo "ok $n - $name: ${line#* - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$log.tap"

	if ! tr -d '\r' <"$log" | grep -aq '^VMTEST-DONE'; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: the guest finished and reported (run-vm exit $rc)"
		echo "# last lines of the console ($log):"
		# Without the terminal escapes the firmware prints, and with a last newline.
		tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tail -n 25 | awk '{ print "#   " $0 }'
	elif [ "$plan" != "$seen" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: all $plan results read off the console (got $seen)"
	fi
done

echo "1..$n"
echo "vm-test: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
