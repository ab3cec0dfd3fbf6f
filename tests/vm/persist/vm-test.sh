#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# persist/vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The persistence VM tests (meson test --suite vm-persist): saved bindings across
# hotplug and reboot with the installed udev rule and boot unit under a real systemd
# and systemd-udevd. Gets Debian's kernel (../fetch-kernel.sh), a debootstrap'd bookworm
# root (make-rootfs.sh, cached), builds the variant module, installs vfio-bind from
# BUILD_ROOT, makes one root image (make-image.sh), and boots it several times, each
# boot on a copy-on-write overlay of its own; the boots of one reboot test share one:
#   smoke      guest-boot.sh       the guest is what the other scripts assume
#   hotplug    guest-hotplug.sh    device_del/device_add, sysfs remove/rescan, ID rules
#   state      guest-state.sh      parallel --restore, untrusted files, another device
#   reboot-1,2 guest-reboot.sh     bind and save; after the reboot, bound at coldplug and
#                                  e1000e never probed it
#   reboot-3   guest-reboot.sh     the same with the boot unit masked: the rule alone
#   reboot-4   guest-reboot.sh     the same with the rule masked: the boot unit alone
#   two-1,2,3  guest-reboot.sh     the same with a second, unsaved e1000e; boot 3 with
#                                  e1000e loaded before udev starts (vmpreload=e1000e)
# Prints every guest's TAP lines renumbered into one stream; exits 0 only if all passed
# and every guest reported. Exits 77 (skipped) where qemu, the kernel or the root
# cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: VFIO_BIND_VM_CACHE (default /var/cache/vfio-bind-tests),
# VFIO_BIND_VM_ACCEL (default tcg), VFIO_BIND_VM_TIMEOUT (seconds per boot, default 600),
# VFIO_BIND_VM_ONLY (boot names to run, space-separated, e.g. "smoke hotplug").

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
work=$build/tests/vm/persist-work

skip() { echo "vm-persist: SKIP: $*"; exit 77; }
fail() { echo "vm-persist: FAIL: $*"; exit 1; }

[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
for tool in qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe make mkfs.ext4 \
	bash timeout mkfifo systemctl; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
# The image holds root-owned files and mkfs.ext4 -d copies owners as they are.
[ "$(id -u)" = 0 ] || skip "making the root image needs root"

cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
mkdir -p "$cache" 2>/dev/null || skip "cannot create cache directory '$cache'"
tree=$("$vm/fetch-kernel.sh" "$cache") || exit $?
rootfs=$("$here/make-rootfs.sh" "$cache") || exit $?
kver=$(basename "$tree")
kernel=$tree/boot/vmlinux-$kver
[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver

mkdir -p "$work"
ko=$("$vm/variant/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/variant") ||
	fail "cannot build the variant module against $kver"

rm -rf "$work/destdir"
meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --destdir failed"; }
for want in 'sbin/vfio-bind' 'rules.d/60-vfio-bind.rules' 'system/vfio-bind.service'; do
	[ -n "$(find "$work/destdir" -path "*/$want" -type f)" ] || fail "meson install put no */$want into $work/destdir"
done

if ! "$here/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" ||
	! "$here/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$ko" \
		-o "$work/root.img" 2>>"$work/image.log"; then
	cat "$work/image.log"
	fail "cannot build the boot initramfs or the root image"
fi
sed 's/^/# /' "$work/image.log"

# Fresh overlays: nothing of an earlier run may leak in.
rm -f "$work"/*.qcow2

n=0 failed=0
# NAME DISK LAYOUT SCRIPT SCENARIO [KERNEL ARGUMENTS]
while read -r name disk layout script scenario args; do
	case " ${VFIO_BIND_VM_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	log=$work/$name.log
	overlay=$work/$disk.qcow2
	[ -e "$overlay" ] || qemu-img create -q -f qcow2 -F raw -b "$work/root.img" "$overlay"
	rc=0
	"$here/run-vm.sh" -a "${VFIO_BIND_VM_ACCEL:-tcg}" -t "${VFIO_BIND_VM_TIMEOUT:-600}" \
		-l "$layout" -c "$args" -w "$work/run-$name" \
		"$kernel" "$work/boot.cpio.gz" "$overlay" "$script" "$scenario" \
		>"$log" 2>"$log.err" </dev/null || rc=$?
	echo "# --- $name: $(grep '^run-vm: .* took ' "$log.err" | sed 's/^run-vm: //')"

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
		tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tail -n 25 | awk '{ print "#   " $0 }'
	elif [ "$plan" != "$seen" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: all $plan results read off the console (got $seen)"
	fi
done <<'EOF'
smoke    smoke   one guest-boot.sh    smoke
hotplug  hotplug one guest-hotplug.sh hotplug
state    state   one guest-state.sh   state
reboot-1 reboot  one guest-reboot.sh  save
reboot-2 reboot  one guest-reboot.sh  check
reboot-3 reboot  one guest-reboot.sh  check-rule-only systemd.mask=vfio-bind.service
reboot-4 reboot  one guest-reboot.sh  check-unit-only vmmask=60-vfio-bind.rules
two-1    two     two guest-reboot.sh  save
two-2    two     two guest-reboot.sh  check
two-3    two     two guest-reboot.sh  check-preloaded vmpreload=e1000e
EOF

echo "1..$n"
echo "vm-persist: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
